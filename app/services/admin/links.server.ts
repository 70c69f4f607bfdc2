// Links from the app into the shop's Shopify admin. Plain https URLs on admin.shopify.com (they work
// inside Shopify's admin, in a new tab, and in the offline demo, where `shopify://admin` links would
// need the real App Bridge to resolve them).

/** The numeric id at the end of a GID (`gid://shopify/Customer/123` → `123`), or null. */
export function legacyIdOf(gid: string | null | undefined): string | null {
  const m = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)(\?.*)?$/.exec(gid ?? "");
  return m ? m[1] : null;
}

/** `demo-loyalty.myshopify.com` → `demo-loyalty` (the store handle in admin.shopify.com URLs). */
export function storeHandleOf(shop: string): string {
  return shop.replace(/\.myshopify\.com$/i, "");
}

function adminUrl(
  shop: string,
  resource: "customers" | "orders" | "discounts" | "gift_cards",
  gid: string | null | undefined
): string | null {
  const id = legacyIdOf(gid);
  return id ? `https://admin.shopify.com/store/${encodeURIComponent(storeHandleOf(shop))}/${resource}/${id}` : null;
}

export const customerAdminUrl = (shop: string, gid: string | null | undefined) => adminUrl(shop, "customers", gid);
export const orderAdminUrl = (shop: string, gid: string | null | undefined) => adminUrl(shop, "orders", gid);

/** The discount or gift card a reward's code lives in, by the GID stored on the reward (store credit: the customer, where Shopify shows it). */
export function rewardObjectAdminUrl(shop: string, shopifyId: string | null | undefined, customerGid?: string | null): string | null {
  if (!shopifyId) return null;
  if (shopifyId.startsWith("gid://shopify/GiftCard/")) return adminUrl(shop, "gift_cards", shopifyId);
  if (shopifyId.startsWith("gid://shopify/DiscountCodeNode/")) return adminUrl(shop, "discounts", shopifyId);
  if (shopifyId.startsWith("gid://shopify/StoreCreditAccount")) return customerGid ? customerAdminUrl(shop, customerGid) : null;
  return null;
}
