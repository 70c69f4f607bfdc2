// The in-process worker's drain reports to this process's pace (app/inbox-pace.server.ts): what it
// claimed when it claimed everything due, then each delivery applied — so the estimate of what is
// waiting follows the inbox, whoever recorded the deliveries.
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { deliveryRecorded, paceSnapshot, resetPace } from "~/inbox-pace.server";
import { drainWebhookInbox } from "./apply.server";
import { recordDelivery, type WebhookEffects } from "./inbox.server";

afterEach(() => resetPace());

describe("in-process inbox and the pace of this process's answers", () => {
  it("GIVEN 3 due deliveries and an estimate of 50 waiting WHEN the worker drains the inbox THEN the estimate becomes the 3 claimed, each apply counts one off, and nothing is left", async () => {
    await db.webhookDelivery.deleteMany();
    const shop = "pace-drain.myshopify.com";
    await db.shop.upsert({ where: { domain: shop }, create: { domain: shop }, update: {} }); // deliveries of shops the app holds nothing for are not applied
    for (let i = 0; i < 3; i++) {
      await recordDelivery(db, { shop, topic: "orders/create", webhookId: randomUUID(), apiVersion: "2026-10", triggeredAt: null, rawBody: "{}", payload: {} }, new Date(Date.now() - 1_000));
    }
    resetPace();
    for (let i = 0; i < 50; i++) deliveryRecorded();
    const seen: number[] = [];
    const effect = async () => void seen.push(paceSnapshot().notApplied);
    const effects = { "orders/create": [effect] } as unknown as WebhookEffects;
    const summary = await drainWebhookInbox({ db, now: () => new Date(), logger }, { effects, concurrency: 1, workerId: "pace-drain" });
    expect(summary.applied).toBe(3);
    // Seen from inside each effect: 3 waiting (this one included), then 2, then 1.
    expect(seen).toEqual([3, 2, 1]);
    expect(paceSnapshot().notApplied).toBe(0);
  });
});
