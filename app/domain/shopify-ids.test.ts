import { describe, expect, it } from "vitest";
import { isReadableHostParam, parseJsonKeepingBigIds, shopFromSessionTokenDest, parseNumericShopifyId, parseShopDomain, shopFromLoginInput, shopifyGidOf, shopifyIdOf } from "./shopify-ids";

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

describe("shopifyIdOf (an id in a webhook body)", () => {
  it("takes safe integers and exact digits, never a number JSON.parse rounded", () => {
    expect(shopifyIdOf(191167)).toBe("191167");
    expect(shopifyIdOf("191167")).toBe("191167");
    const body = parseJsonKeepingBigIds('{"a":9007199254740993,"b":9007199254740993.0,"c":9223372036854775808}') as Record<string, unknown>;
    expect(shopifyIdOf(body.a)).toBe("9007199254740993");
    expect(shopifyIdOf(JSON.parse("9007199254740993"))).toBeNull(); // rounded to 2^53 by JSON.parse
    expect(shopifyIdOf(body.b)).toBeNull();
    expect(shopifyIdOf(body.c)).toBeNull(); // beyond 64 bits
    for (const bad of [0, -5, 1.5, Number.NaN, Infinity, "0", "-5", "012", " 1", null, undefined, {}, [1], true]) {
      expect(shopifyIdOf(bad), String(bad)).toBeNull();
    }
  });
});

describe("shopifyGidOf", () => {
  it("takes a GID of the named type with a Shopify id, nothing else", () => {
    expect(shopifyGidOf("gid://shopify/Customer/9223372036854775807", "Customer")).toBe("gid://shopify/Customer/9223372036854775807");
    expect(shopifyGidOf(" gid://shopify/Order/12 ", "Order")).toBe("gid://shopify/Order/12");
    for (const bad of ["gid://shopify/Product/1", "gid://shopify/Customer/0", "gid://shopify/Customer/012", "gid://shopify/Customer/9223372036854775808", "gid://shopify/Customer/1?x=1", "gid://shopify/Customer/", 1, null]) {
      expect(shopifyGidOf(bad, "Customer"), String(bad)).toBeNull();
    }
  });
});

describe("isReadableHostParam (the embedded admin's `host`)", () => {
  const b64 = (text: string) => Buffer.from(text, "latin1").toString("base64");
  it("reads the base64 of an admin address, with or without padding", () => {
    for (const host of [b64("admin.shopify.com/store/my-shop"), b64("admin.shopify.com/store/x"), b64("my-shop.myshopify.com/admin"), b64("admin.shopify.com/store/x").replace(/=+$/, ""), b64("localhost:8080")]) {
      expect(isReadableHostParam(host), host).toBe(true);
    }
  });
  it("refuses what decodes to no host: garbage, empty, control characters, spaces, an unclosed bracket, text beyond ASCII", () => {
    for (const bad of ["", "a", "a===", "not base64!", "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUveA-_", b64("\x01"), b64("admin.shopify.com/store/x\x00"), b64("a b"), b64("[::1"), b64("admin.shopify.com/store/caf\xe9"), b64(""), b64("/store/x"), null, 12, "A".repeat(2_000)]) {
      expect(isReadableHostParam(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});

describe("shopFromSessionTokenDest (a session token's `dest`)", () => {
  it("reads https://{shop} as the shop", () => {
    expect(shopFromSessionTokenDest("https://test-shop.myshopify.com")).toBe("test-shop.myshopify.com");
    expect(shopFromSessionTokenDest("https://test-shop.myshopify.com/")).toBe("test-shop.myshopify.com");
    expect(shopFromSessionTokenDest("https://shop1.example.test", "example.test")).toBe("shop1.example.test");
  });
  it("refuses a dest that is no URL or names no shop", () => {
    for (const bad of ["https://evil example.com", "https://evil.example.com", "http://test-shop.myshopify.com", "https://test-shop.myshopify.com:444", "https://Test-Shop.myshopify.com", "https://test-shop.myshopify.com/admin", "https://user@test-shop.myshopify.com", "test-shop.myshopify.com", "", null, 12, undefined]) {
      expect(shopFromSessionTokenDest(bad), String(bad)).toBeNull();
    }
  });
});
