// customers/redact and what the webhook inbox still holds about the subject: deliveries claimed in
// the same batch, and bodies about the orders Shopify lists in `orders_to_redact`.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { applyDueDeliveries, recordDelivery } from "~/services/webhooks/inbox.server";
import { WEBHOOK_EFFECTS } from "~/services/webhooks/effects.server";
import { findText } from "../../../test/support/text-search";

const apply = (workerId: string, concurrency: number) => applyDueDeliveries(db, WEBHOOK_EFFECTS, { workerId, now: () => new Date(), batchSize: 10, leaseMs: 60_000, concurrency });

async function record(shop: string, topic: "orders/create" | "customers/redact" | "refunds/create" | "orders/cancelled", webhookId: string, body: unknown, receivedAt: Date) {
  const rawBody = typeof body === "string" ? body : JSON.stringify(body);
  await recordDelivery(db, { shop, topic, webhookId, apiVersion: "2026-10", triggeredAt: null, rawBody, payload: JSON.parse(rawBody) }, receivedAt);
}

const money = (amount: string) => ({ shop_money: { amount, currency_code: "USD" }, presentment_money: { amount, currency_code: "USD" } });

/** An orders/create body as Shopify sends it, reduced to what the app reads plus the personal fields. */
function orderBody(id: number, who: { id: number; first_name: string; last_name: string; email: string }) {
  const address = { first_name: who.first_name, last_name: who.last_name, name: `${who.first_name} ${who.last_name}`, address1: "9 Hidden Row", phone: "+16135550177" };
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    email: who.email,
    created_at: new Date().toISOString(),
    currency: "USD",
    subtotal_price_set: money("40.00"),
    total_tax_set: money("0.00"),
    billing_address: address,
    shipping_address: address,
    line_items: [{ id: id * 10, price: "40.00", quantity: 1, properties: [{ name: "Engraving", value: `For ${who.first_name}` }] }],
    customer: { ...who, admin_graphql_api_id: `gid://shopify/Customer/${who.id}` },
  };
}

describe("customers/redact and an order of the subject claimed in the same inbox batch", () => {
  for (const concurrency of [1, 8]) {
    it(`GIVEN the subject's customers/redact and then their orders/create due together (${concurrency} lane(s)) WHEN one batch applies both THEN no row holds their name or email afterwards`, async () => {
      const shop = `redact-same-batch-${concurrency}.myshopify.com`;
      await db.programSettings.create({ data: { shop, enabled: true } });
      const who = { id: 8100 + concurrency, first_name: "Rhea", last_name: `Racewell${concurrency}`, email: `rhea.race${concurrency}@example.com` };
      const order = (id: number) => orderBody(id, who);
      const t0 = Date.now() - 10_000;
      // A first order made them a program customer.
      await record(shop, "orders/create", "first-order", order(91001), new Date(t0));
      expect(await apply(`first-${concurrency}`, concurrency)).toMatchObject({ applied: 1 });
      expect(await db.customer.count({ where: { shop, email: who.email } })).toBe(1);
      // Shopify then asks to erase them; an order of theirs (a retry, say) waits beside it in the inbox.
      await record(shop, "customers/redact", "redact", { shop_id: 1, shop_domain: shop, customer: { id: who.id, email: who.email, phone: null }, orders_to_redact: [91001, 91002] }, new Date(t0 + 1_000));
      await record(shop, "orders/create", "second-order", order(91002), new Date(t0 + 2_000));

      const summary = await apply(`batch-${concurrency}`, concurrency);

      expect(summary).toMatchObject({ claimed: 2, applied: 2 });
      expect(await findText(db, [who.email, `Rhea ${who.last_name}`, who.last_name, `gid://shopify/Customer/${who.id}`])).toEqual([]);
      expect(await db.customer.findMany({ where: { shop }, select: { displayName: true, email: true } })).toEqual([{ displayName: "Redacted customer", email: null }]);
    });
  }
});
