// The in-process inbox keeping pace (docs/decisions/016): it yields to the event loop between
// deliveries while it is on time, and stops yielding — one delivery per delivery recorded here —
// once the deliveries it applies are PACE_AFTER_MS late.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { deliveryRecorded, takePaceCredit } from "~/worker-wake.server";
import { drainWebhookInbox, PACE_AFTER_MS } from "./apply.server";
import { recordDelivery, type WebhookEffects } from "./inbox.server";

async function drainObservingTurns(shop: string): Promise<string[]> {
  const seen: string[] = [];
  let applied = 0;
  const effect = async () => {
    // The first effect asks for an event-loop turn: it comes at the inbox's first yield.
    if (applied === 0) setImmediate(() => seen.push("turn"));
    seen.push(`apply ${applied++}`);
  };
  const effects = { "orders/create": [effect] } as unknown as WebhookEffects;
  const summary = await drainWebhookInbox({ db, now: () => new Date(), logger }, { effects, concurrency: 1, workerId: `pace-${shop}` });
  expect(summary.applied).toBe(3);
  return seen.slice(0, 4);
}

async function record(shop: string, receivedAt: Date, attempts = 0): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const webhookId = randomUUID();
    await recordDelivery(db, { shop, topic: "orders/create", webhookId, apiVersion: "2026-10", triggeredAt: null, rawBody: "{}", payload: {} }, new Date(receivedAt.getTime() + i));
    if (attempts > 0) await db.webhookDelivery.updateMany({ where: { shop, webhookId }, data: { attempts } });
  }
}

function freshCredits(n: number): void {
  while (takePaceCredit()) {
    // spend what earlier tests left
  }
  for (let i = 0; i < n; i++) deliveryRecorded();
}

describe("in-process inbox: keeping pace with this process's ingest", () => {
  it("GIVEN deliveries received just now and credit WHEN drained THEN it yields after every delivery (requests first while on time)", async () => {
    await db.webhookDelivery.deleteMany();
    await record("pace-fresh.myshopify.com", new Date(Date.now() - 1_000));
    // Received a minute from now: on time however slow this machine is.
    await db.webhookDelivery.updateMany({ where: { shop: "pace-fresh.myshopify.com" }, data: { receivedAt: new Date(Date.now() + 60_000) } });
    freshCredits(5);
    expect(await drainObservingTurns("pace-fresh.myshopify.com")).toEqual(["apply 0", "turn", "apply 1", "apply 2"]);
  });

  it("GIVEN deliveries received more than PACE_AFTER_MS ago and credit for two WHEN drained THEN two more are applied before it yields", async () => {
    await db.webhookDelivery.deleteMany();
    await record("pace-late.myshopify.com", new Date(Date.now() - PACE_AFTER_MS - 5_000));
    freshCredits(2);
    expect(await drainObservingTurns("pace-late.myshopify.com")).toEqual(["apply 0", "apply 1", "apply 2", "turn"]);
  });

  it("GIVEN late deliveries but no delivery recorded here WHEN drained THEN it yields after every delivery (no credit)", async () => {
    await db.webhookDelivery.deleteMany();
    await record("pace-nocredit.myshopify.com", new Date(Date.now() - PACE_AFTER_MS - 5_000));
    freshCredits(0);
    expect(await drainObservingTurns("pace-nocredit.myshopify.com")).toEqual(["apply 0", "turn", "apply 1", "apply 2"]);
  });

  it("GIVEN late deliveries that are retries WHEN drained THEN it yields after every delivery (a retry is late by design)", async () => {
    await db.webhookDelivery.deleteMany();
    await record("pace-retry.myshopify.com", new Date(Date.now() - PACE_AFTER_MS - 5_000), 1);
    freshCredits(5);
    expect(await drainObservingTurns("pace-retry.myshopify.com")).toEqual(["apply 0", "turn", "apply 1", "apply 2"]);
  });
});
