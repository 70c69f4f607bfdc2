// GIVEN SHOP_CUSTOM_DOMAIN WHEN the Shopify library checks a shop's domain (its sanitizeShop runs
// before the app's own check on the app proxy, at login and in authenticate.*) THEN shops on the
// custom domain pass and nothing else new does.
import "@shopify/shopify-api/adapters/node";
import { ApiVersion, shopifyApi } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { parseShopDomain } from "~/domain/shopify-ids";
import { libraryShopDomains } from "./shop-domains.server";

const library = (customDomain?: string) =>
  shopifyApi({ apiKey: "key", apiSecretKey: "secret", apiVersion: ApiVersion.October26, hostName: "app.example.com", isEmbeddedApp: true, ...libraryShopDomains(customDomain) });

describe("libraryShopDomains", () => {
  it("GIVEN shop.dev THEN the library takes shop1.shop.dev as itself, as the app does", () => {
    expect(library("shop.dev").utils.sanitizeShop("shop1.shop.dev")).toBe("shop1.shop.dev");
    expect(library("my-env.example.com").utils.sanitizeShop("shop1.my-env.example.com")).toBe("shop1.my-env.example.com");
    expect(parseShopDomain("shop1.my-env.example.com", "my-env.example.com")).toBe("shop1.my-env.example.com");
    // Without it the library refuses the shop before the app sees it.
    expect(library().utils.sanitizeShop("shop1.my-env.example.com")).toBeNull();
  });

  it.each(["shop1.my-env.example.com.evil.com", "evil.com", "a.b.my-env.example.com", "shop1.my-envXexample.com"])(
    "GIVEN my-env.example.com THEN %s is still no shop to the library",
    (shop) => {
      expect(library("my-env.example.com").utils.sanitizeShop(shop)).toBeNull();
    },
  );

  it("GIVEN no custom domain THEN the library's options are untouched and myshopify.com shops pass", () => {
    expect(libraryShopDomains(undefined)).toEqual({});
    expect(library().utils.sanitizeShop("shop1.myshopify.com")).toBe("shop1.myshopify.com");
  });
});
