// Links into the shop's admin read a GID with the app's one GID reader (shopifyIdOfGid): the link and
// the effects that stored the GID agree on which resource it names, or that it names none.
import { describe, expect, it } from "vitest";
import { shopifyIdOfGid } from "~/domain/shopify-ids";
import { customerAdminUrl, orderAdminUrl, rewardObjectAdminUrl } from "./links.server";

const SHOP = "demo-loyalty.myshopify.com";

describe("admin links name what the app's GID reader names", () => {
  it.each([
    "gid://shopify/Order/820982911946154508",
    "gid://shopify/Customer/5",
    "gid://shopify/Order/0123",
    "gid://shopify/Order/99999999999999999999",
    "gid://shopify/Order/123?a=1",
    " gid://shopify/Order/77 ",
  ])("%j: an order link exactly when the GID is an order's id", (gid) => {
    // The links had their own reader (legacyIdOf: any type, any digits, a query string) and linked
    // "gid://shopify/Customer/5" as order 5, "…/Order/0123" as order 0123.
    const id = shopifyIdOfGid(gid, "Order");
    expect(orderAdminUrl(SHOP, gid)).toBe(id === null ? null : `https://admin.shopify.com/store/demo-loyalty/orders/${id}`);
  });

  it("links a customer, a gift card and a discount by their own type only", () => {
    expect(customerAdminUrl(SHOP, "gid://shopify/Customer/5")).toBe("https://admin.shopify.com/store/demo-loyalty/customers/5");
    expect(customerAdminUrl(SHOP, "gid://shopify/Order/5")).toBeNull();
    expect(customerAdminUrl(SHOP, "redacted:abc")).toBeNull();
    expect(rewardObjectAdminUrl(SHOP, "gid://shopify/GiftCard/9")).toBe("https://admin.shopify.com/store/demo-loyalty/gift_cards/9");
    expect(rewardObjectAdminUrl(SHOP, "gid://shopify/DiscountCodeNode/7")).toBe("https://admin.shopify.com/store/demo-loyalty/discounts/7");
    expect(rewardObjectAdminUrl(SHOP, "gid://shopify/StoreCreditAccountCreditTransaction/3", "gid://shopify/Customer/5")).toBe("https://admin.shopify.com/store/demo-loyalty/customers/5");
    expect(rewardObjectAdminUrl(SHOP, "gid://shopify/GiftCard/09")).toBeNull();
  });
});
