// GIVEN the app's production build on a real port and the emulator playing Shopify
// WHEN Shopify does what it does (opens the embedded app for the first time, delivers webhooks,
//      forwards storefront requests through the app proxy)
// THEN the app's real authenticate.* paths accept genuine requests and reject forged ones.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { applyWebhooks } from "../support/webhooks";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";

const fixture = useShopifyEmulator();
const { emulator } = fixture;
useRunningApp({ emulator });

describe("first open of the embedded app (token exchange)", () => {
  it("stores the offline session the emulator hands out and records the shop", async () => {
    const shop = emulator.addShop({ domain: "fresh-install.myshopify.com", scopes: TEST_APP.scopes.split(",") });
    expect(await db.session.count({ where: { shop: shop.domain } })).toBe(0);

    const res = await fetch(emulator.embeddedAppUrl(shop.domain), { headers: { "User-Agent": BROWSER_UA } });

    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Loyalty rewards");
    const session = await db.session.findUnique({ where: { id: `offline_${shop.domain}` } });
    // Token exchange with expiring=1 hands out a token of its own (with a refresh token), accepted by Shopify.
    expect(session?.refreshToken).toBeTruthy();
    expect(emulator.acceptsToken(shop.domain, session?.accessToken ?? "")).toBe(true);
    expect(await db.shop.findUnique({ where: { domain: shop.domain } })).not.toBeNull();
    // Token exchange is not a GraphQL call; afterAuth then asks for the shop once (its currency and
    // granted scopes, refreshShopFacts) — and nothing else.
    expect(emulator.inspect.calls().map((c) => c.operationName)).toEqual(["LoyaltyShopInfo"]);
  });
});

describe("webhooks signed by the emulator", () => {
  beforeAll(async () => {
    await installEmulatedShop(emulator);
  });

  it("orders/create: accepted once per webhook id, duplicates harmless", async () => {
    const customer = emulator.addCustomer(TEST_APP.shop, { firstName: "Grace", email: "grace@example.com" });
    const { webhook } = await emulator.placeOrder(TEST_APP.shop, { customerId: customer.id, codes: [] }, { duplicates: 2 });
    await applyWebhooks();
    expect(webhook.results.map((r) => r.finalStatus)).toEqual([200, 200, 200]);
    expect(await db.webhookDelivery.count({ where: { shop: TEST_APP.shop, webhookId: webhook.signed.webhookId } })).toBe(1);
  });

  it("rejects a forged signature with 401 and records nothing", async () => {
    const sent = await emulator.sendWebhook("orders/create", TEST_APP.shop, "{}", { tamper: { kind: "wrong-secret" } });
    expect(sent.results[0].finalStatus).toBe(401);
    expect(await db.webhookDelivery.count({ where: { webhookId: sent.signed.webhookId } })).toBe(0);
  });

  it("rejects missing headers with 400 and a GET with 405", async () => {
    const sent = await emulator.sendWebhook("orders/create", TEST_APP.shop, "{}", { tamper: { kind: "omit-headers", headers: ["X-Shopify-Webhook-Id"] } });
    expect(sent.results[0].finalStatus).toBe(400);
    const get = await fetch(emulator.webhookUrl("orders/create"));
    expect(get.status).toBe(405);
  });

  it("app/uninstalled deletes the shop's sessions and marks it uninstalled; a duplicate is harmless", async () => {
    const shop = "leaving.myshopify.com";
    await installEmulatedShop(emulator, shop);
    const first = await emulator.uninstall(shop, { duplicates: 1 });
    await applyWebhooks();
    expect(first.results.map((r) => r.finalStatus)).toEqual([200, 200]);
    expect(await db.session.count({ where: { shop } })).toBe(0);
    expect((await db.shop.findUnique({ where: { domain: shop } }))?.uninstalledAt).toBeInstanceOf(Date);
  });
});

describe("app proxy requests signed by the emulator", () => {
  it("answers the program info for a signed storefront request", async () => {
    await installEmulatedShop(emulator);
    const res = await fetch(emulator.appProxyUrl(TEST_APP.shop, "/program", null), { headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ shop: TEST_APP.shop, loggedIn: false });
  });

  it.each([
    ["a tampered parameter", { kind: "modify-param", key: "logged_in_customer_id", value: "999" }],
    ["a wrong secret", { kind: "wrong-secret" }],
    ["a stale timestamp", { kind: "stale-timestamp" }],
    ["no signature", { kind: "drop-signature" }],
  ] as const)("rejects %s with 400", async (_label, tamper) => {
    const res = await fetch(emulator.appProxyUrl(TEST_APP.shop, "/program", "1", tamper), { headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(400);
  });
});
