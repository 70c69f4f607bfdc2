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
