import { describe, expect, it } from "vitest";
import { discountIdsOf } from "./discounts.server";

describe("discountIdsOf: a discounts/* payload's id, by the app's one rule for Shopify's ids", () => {
  it("gives both forms a discount may be stored under, for a DiscountCodeNode or DiscountNode GID", () => {
    const both = ["gid://shopify/DiscountCodeNode/123", "gid://shopify/DiscountNode/123"];
    expect(discountIdsOf("gid://shopify/DiscountCodeNode/123")).toEqual(both);
    expect(discountIdsOf("gid://shopify/DiscountNode/123")).toEqual(both);
    expect(discountIdsOf(" gid://shopify/DiscountNode/123 ")).toEqual(both);
  });

  it("no id no Shopify resource can have: beyond 64 bits, zero, leading zeros, another type, not a string", () => {
    for (const value of [
      "gid://shopify/DiscountCodeNode/99999999999999999999",
      "gid://shopify/DiscountCodeNode/0",
      "gid://shopify/DiscountCodeNode/0123",
      "gid://shopify/DiscountAutomaticNode/123",
      "gid://shopify/Order/123",
      "gid://shopify/DiscountCodeNode/12a",
      123,
      null,
    ]) {
      expect(discountIdsOf(value), String(value)).toBeNull();
    }
  });
});
