// The shop's facts are read before anyone acts on them: an answer without a field the app reads is
// a failed call, never a TypeError thrown out of the caller.
import { describe, expect, it } from "vitest";
import type { AdminGraphql } from "./graphql.server";
import { getShopInfo } from "./shop.server";

const SHOP = { name: "Demo", myshopifyDomain: "demo.myshopify.com", currencyCode: "USD", plan: { displayName: "Basic", shopifyPlus: false }, features: { giftCards: true } };
const INSTALLATION = { accessScopes: [{ handle: "read_customers" }, { handle: "write_gift_cards" }] };

function answering(shop: unknown, currentAppInstallation: unknown = INSTALLATION): AdminGraphql {
  return async () => new Response(JSON.stringify({ data: { shop, currentAppInstallation } }), { headers: { "Content-Type": "application/json" } });
}

describe("getShopInfo", () => {
  it("reads the shop's facts and granted scopes", async () => {
    const r = await getShopInfo(answering(SHOP));
    expect(r.ok && r.data).toEqual({ name: "Demo", myshopifyDomain: "demo.myshopify.com", currencyCode: "USD", planName: "Basic", giftCards: true, grantedScopes: ["read_customers", "write_gift_cards"] });
  });

  it.each([
    ["no plan", { ...SHOP, plan: null }, INSTALLATION],
    ["no features", { ...SHOP, features: null }, INSTALLATION],
    ["a giftCards flag in words", { ...SHOP, features: { giftCards: "yes" } }, INSTALLATION],
    ["no shop", null, INSTALLATION],
    ["access scopes that are no list", SHOP, { accessScopes: "read_customers" }],
  ])("an answer with %s is a failed call", async (_label, shop, installation) => {
    // Before: "Cannot read properties of null" thrown out of getShopInfo, or a flag in words taken
    // as true.
    const r = await getShopInfo(answering(shop, installation));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.kind).toBe("graphql");
  });
});
