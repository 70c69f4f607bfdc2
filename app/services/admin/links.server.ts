// Links from the app into the shop's Shopify admin. Plain https URLs on admin.shopify.com (they work
// inside Shopify's admin, in a new tab, and in the offline demo, where `shopify://admin` links would
// need the real App Bridge to resolve them).
import { isGidOfType, shopifyIdOfGid, type ShopifyGidType } from "~/domain/shopify-ids";

/** `demo-loyalty.myshopify.com` → `demo-loyalty` (the store handle in admin.shopify.com URLs). */
export function storeHandleOf(shop: string): string {
  return shop.replace(/\.myshopify\.com$/i, "");
}

/**
 * A resource's page in the shop's admin, by its GID read with the app's one GID reader (shopifyIdOfGid,
 * app/domain/shopify-ids.ts) for the resource's own type. A second reader here took any type's GID
 * (an order link built from a Customer GID), leading zeros and ids beyond 64 bits, ids the effects
 * read as no id at all.
 */
function adminUrl(shop: string, resource: "customers" | "orders" | "discounts" | "gift_cards", type: ShopifyGidType, gid: string | null | undefined): string | null {
  const id = shopifyIdOfGid(gid, type);
  return id ? `https://admin.shopify.com/store/${encodeURIComponent(storeHandleOf(shop))}/${resource}/${id}` : null;
}

export const customerAdminUrl = (shop: string, gid: string | null | undefined) => adminUrl(shop, "customers", "Customer", gid);
export const orderAdminUrl = (shop: string, gid: string | null | undefined) => adminUrl(shop, "orders", "Order", gid);

/** The discount or gift card a reward's code lives in, by the GID stored on the reward (store credit: the customer, where Shopify shows it). */
export function rewardObjectAdminUrl(shop: string, shopifyId: string | null | undefined, customerGid?: string | null): string | null {
  if (!shopifyId) return null;
  if (shopifyId.startsWith("gid://shopify/StoreCreditAccount")) return customerGid ? customerAdminUrl(shop, customerGid) : null;
  if (isGidOfType(shopifyId, "GiftCard")) return adminUrl(shop, "gift_cards", "GiftCard", shopifyId);
  return adminUrl(shop, "discounts", "DiscountCodeNode", shopifyId);
}
