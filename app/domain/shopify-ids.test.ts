import { describe, expect, it } from "vitest";
import { parseNumericShopifyId, parseShopDomain, shopFromLoginInput } from "./shopify-ids";

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

describe("shopFromLoginInput", () => {
  it("forgives what people type and gives the canonical domain", () => {
    for (const typed of ["my-shop", " My-Shop ", "my-shop.myshopify.com", "MY-SHOP.MYSHOPIFY.COM", "https://my-shop.myshopify.com/", "http://my-shop.myshopify.com", "admin.shopify.com/store/my-shop", "https://admin.shopify.com/store/My-Shop/"]) {
      expect(shopFromLoginInput(typed), typed).toBe("my-shop.myshopify.com");
    }
  });
  it("refuses what is no shop", () => {
    for (const bad of ["evil.example.com", "my-shop.myshopify.com.evil.com", "https://evil.example.com/my-shop.myshopify.com", "my shop", "-x", "x.shopify.com", "admin.shopify.com/store/x/settings", "a".repeat(256), "", "   ", null, 7]) {
      expect(shopFromLoginInput(bad), String(bad)).toBeNull();
    }
  });
  it("also takes the configured custom domain", () => {
    expect(shopFromLoginInput("Shop1.Example.Test", "example.test")).toBe("shop1.example.test");
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
