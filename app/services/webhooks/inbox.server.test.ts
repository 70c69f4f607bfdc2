// The inbox's claim against the real database: concurrent workers take disjoint batches, a claim
// is a lease, and a recorded delivery is keyed by (shop, webhook id).
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import db from "~/db.server";
import { claimDueDeliveries, recordDelivery } from "./inbox.server";
import type { VerifiedWebhook } from "./receive.server";

function delivery(shop = "inbox-test.myshopify.com"): VerifiedWebhook {
  return { shop, topic: "orders/create", webhookId: randomUUID(), apiVersion: "2026-10", triggeredAt: null, rawBody: "{}", payload: {} };
}

describe("webhook inbox", () => {
  it("GIVEN a recorded delivery WHEN the same webhook id arrives again THEN it is a duplicate, recorded once", async () => {
    const d = delivery();
    expect(await recordDelivery(db, d)).toBe("recorded");
    expect(await recordDelivery(db, d)).toBe("duplicate");
    expect(await db.webhookDelivery.count({ where: { webhookId: d.webhookId } })).toBe(1);
    // The same id from another shop is another delivery.
    expect(await recordDelivery(db, { ...d, shop: "other-inbox.myshopify.com" })).toBe("recorded");
  });

  it("GIVEN a delivery recorded by the raw INSERT WHEN it is read through Prisma THEN every field is what Prisma itself would have stored, to the millisecond", async () => {
    const now = new Date("2026-11-30T12:34:56.789Z");
    const triggeredAt = new Date("2026-11-30T12:34:50.001Z");
    const raw = { ...delivery("raw-insert.myshopify.com"), triggeredAt, rawBody: '{"id":1,"note":"é"}' };
    expect(await recordDelivery(db, raw, now)).toBe("recorded");
    const viaPrisma = await db.webhookDelivery.create({
      data: { shop: raw.shop, webhookId: randomUUID(), topic: raw.topic, apiVersion: raw.apiVersion, triggeredAt, payload: raw.rawBody, receivedAt: now, nextAttemptAt: now },
    });
    const stored = await db.webhookDelivery.findUniqueOrThrow({ where: { shop_webhookId: { shop: raw.shop, webhookId: raw.webhookId } } });
    const comparable = ({ id: _id, webhookId: _webhookId, ...rest }: typeof stored) => rest;
    expect(comparable(stored)).toEqual(comparable(viaPrisma));
    expect(stored.receivedAt.toISOString()).toBe(now.toISOString());
    expect(stored.triggeredAt?.toISOString()).toBe(triggeredAt.toISOString());
    // The same bytes in the database: Prisma's equality filters (and the claim's compare-and-set)
    // match the raw row exactly as they match Prisma's own.
    expect(await db.webhookDelivery.count({ where: { shop: raw.shop, receivedAt: now, nextAttemptAt: now, triggeredAt } })).toBe(2);
    const asText = await db.$queryRaw<{ webhookId: string; receivedAt: string; triggeredAt: string }[]>`
      SELECT "webhookId", CAST("receivedAt" AS TEXT) AS "receivedAt", CAST("triggeredAt" AS TEXT) AS "triggeredAt" FROM "WebhookDelivery" WHERE "shop" = ${raw.shop}`;
    expect(asText).toHaveLength(2);
    expect(asText[0].receivedAt).toBe(asText[1].receivedAt);
    expect(asText[0].triggeredAt).toBe(asText[1].triggeredAt);
    // A delivery without X-Shopify-Triggered-At stores null.
    const untimed = delivery("raw-insert.myshopify.com");
    await recordDelivery(db, untimed, now);
    expect((await db.webhookDelivery.findUniqueOrThrow({ where: { shop_webhookId: { shop: untimed.shop, webhookId: untimed.webhookId } } })).triggeredAt).toBeNull();
  });

  it("GIVEN 30 due deliveries WHEN three workers claim at once THEN each delivery is taken by exactly one, and a live lease is not taken again", async () => {
    await db.webhookDelivery.deleteMany();
    const now = new Date();
    for (let i = 0; i < 30; i++) await recordDelivery(db, delivery(), new Date(now.getTime() - 1_000));
    const batches = await Promise.all(["w1", "w2", "w3"].map((workerId) => claimDueDeliveries(db, { workerId, now, batchSize: 12, leaseMs: 60_000 })));
    const taken = batches.flat().map((row) => row.id);
    expect(new Set(taken).size).toBe(taken.length);
    const rest = await claimDueDeliveries(db, { workerId: "w4", now, batchSize: 100, leaseMs: 60_000 });
    expect(taken.length + rest.length).toBe(30);
    expect(await claimDueDeliveries(db, { workerId: "w5", now, batchSize: 100, leaseMs: 60_000 })).toHaveLength(0);
    // After the leases run out, everything is due again.
    expect(await claimDueDeliveries(db, { workerId: "w6", now: new Date(now.getTime() + 61_000), batchSize: 100, leaseMs: 60_000 })).toHaveLength(30);
  });
});
