import { describe, expect, it } from "vitest";
import { parseNumericShopifyId, parseShopDomain } from "./shopify-ids";

describe("parseShopDomain", () => {
  it("takes the canonical myshopify.com domain only", () => {
    expect(parseShopDomain("test-shop.myshopify.com")).toBe("test-shop.myshopify.com");
    expect(parseShopDomain("dead-app-scopes_update.myshopify.com")).toBe("dead-app-scopes_update.myshopify.com");
    for (const bad of ["Test-Shop.myshopify.com", "test-shop.myshopify.com/", "x.shopify.com", "x.myshopify.io", "admin.shopify.com/store/test-shop", "https://x.myshopify.com", "x.myshopify.com.evil.com", "-x.myshopify.com", "", null, 12]) {
      expect(parseShopDomain(bad), String(bad)).toBeNull();
    }
  });
  it("also takes the configured custom domain", () => {
    expect(parseShopDomain("shop1.example.test", "example.test")).toBe("shop1.example.test");
    expect(parseShopDomain("a.b.example.test", "example.test")).toBeNull();
  });
});

describe("parseNumericShopifyId", () => {
  it("takes positive 64-bit ids written plainly", () => {
    expect(parseNumericShopifyId("1")).toBe("1");
    expect(parseNumericShopifyId("9223372036854775807")).toBe("9223372036854775807");
    for (const bad of ["0", "-5", "1.5", " 12", "012", "1e3", "abc", "9223372036854775808", "99999999999999999999", "", null]) {
      expect(parseNumericShopifyId(bad), String(bad)).toBeNull();
    }
  });
});
