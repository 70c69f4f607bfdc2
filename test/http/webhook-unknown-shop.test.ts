// GIVEN the production build on a real port and the emulator signing Shopify's webhooks
// WHEN a correctly signed delivery names a shop the app holds nothing for — one that never installed
//      it, or one whose shop/redact was applied (which also erased the delivery records that
//      recognise a redelivery)
// THEN it is answered 200 and, after a short wait for an install under way, dropped with nothing
//      written: a row written after shop/redact, which Shopify sends once, would never be erased
//      (docs/decisions/015). An install that completes during the wait gets the delivery applied.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { useRunningApp } from "../support/app";
import { applyWebhooks } from "../support/webhooks";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { findText } from "../support/text-search";
import { UNKNOWN_SHOP_WAIT_ATTEMPTS } from "~/services/webhooks/inbox.server";

const { emulator } = useShopifyEmulator();
useRunningApp({ emulator });

/** Runs the worker's inbox as often as a delivery may wait for its shop, hours apart (every retry is due). */
async function applyThroughTheWait() {
  const start = Date.now();
  for (let i = 0; i <= UNKNOWN_SHOP_WAIT_ATTEMPTS; i++) await applyWebhooks({ now: () => new Date(start + i * 2 * 3_600_000) });
}

describe("a delivery for a shop the app holds nothing for", () => {
  it("never installed: customers/create, orders/create and customers/data_request are answered 200, then dropped with no row naming the shop or the customer", async () => {
    const shop = "never-installed.myshopify.com";
    emulator.addShop({ domain: shop, currencyCode: "USD" });
    const { customer, webhook } = await emulator.createCustomer(shop, { firstName: "Nora", lastName: "Nobodyknows", email: "nora.nobodyknows@example.com" });
    const order = emulator.store.placeOrder(shop, { customerId: customer.id, codes: [] });
    const sent = [webhook, await emulator.sendWebhook("orders/create", shop, emulator.orderWebhookBody(order)), await emulator.customersDataRequest(shop, customer.id)];
    expect(sent.map((s) => s.results[0].finalStatus)).toEqual([200, 200, 200]);

    await applyThroughTheWait();

    expect(await findText(db, [shop, "Nobodyknows", customer.id])).toEqual([]);
  });

  it("after shop/redact: a redelivery of an order the app had applied (same webhook id) writes nothing again", async () => {
    const shop = "erased-then-redelivered.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const { customer } = await emulator.createCustomer(shop, { firstName: "Rita", lastName: "Latecomer", email: "rita.latecomer@example.com" });
    const order = emulator.store.placeOrder(shop, { customerId: customer.id, codes: [] });
    const first = await emulator.sendWebhook("orders/create", shop, emulator.orderWebhookBody(order));
    await applyWebhooks();
    expect((await findText(db, ["Latecomer"])).length).toBeGreaterThan(0);
    await emulator.uninstall(shop);
    await applyWebhooks();
    await emulator.shopRedact(shop);
    await applyWebhooks();
    expect(await findText(db, [shop, "Latecomer"])).toEqual([]);

    const again = await emulator.sendWebhook("orders/create", shop, first.signed.body, { webhookId: first.signed.webhookId });
    expect(again.results[0].finalStatus).toBe(200);
    await applyThroughTheWait();

    expect(await findText(db, [shop, "Latecomer", customer.id])).toEqual([]);
  });

  it("an install that completes while the delivery waits: the order is applied (nothing lost to the race with the token exchange)", async () => {
    const shop = "installing-now.myshopify.com";
    emulator.addShop({ domain: shop, currencyCode: "USD" });
    const { customer } = await emulator.createCustomer(shop, { firstName: "Ivy", lastName: "Early" });
    await applyWebhooks();
    expect(await db.customer.count({ where: { shop } })).toBe(0);

    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    await applyThroughTheWait();

    expect(await db.customer.findMany({ where: { shop }, select: { shopifyCustomerId: true, displayName: true } })).toEqual([{ shopifyCustomerId: customer.id, displayName: "Ivy Early" }]);
    expect(await db.webhookDelivery.findMany({ where: { shop }, select: { topic: true, deadAt: true, appliedAt: true } })).toEqual([
      { topic: "customers/create", deadAt: null, appliedAt: expect.any(Date) },
    ]);
  });
});
