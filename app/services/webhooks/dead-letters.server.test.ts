// GIVEN dead-lettered webhook deliveries on the real database (SQLite or PostgreSQL)
// WHEN the worker's periodic tasks run (app/jobs/tasks.server.ts)
// THEN a dead letter's body that can hold a customer's personal data is kept for
//      DEAD_LETTER_BODY_DAYS after it failed, then deleted; a retry of it is refused with the reason;
//      bodies that hold none (shop/redact, app/*) and deliveries still waiting are left alone.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { periodicTasks } from "~/jobs/tasks.server";
import { DEAD_LETTER_BODY_DAYS, listDeadLetters, retryDeadLetter } from "./dead-letters.server";

const DAY = 86_400_000;
const SHOP = "dead-letter-retention.myshopify.com";

async function delivery(webhookId: string, topic: string, data: { deadAt?: Date | null; nextAttemptAt?: Date | null }) {
  return db.webhookDelivery.create({
    data: { shop: SHOP, webhookId, topic, payload: JSON.stringify({ id: 1, email: "nell.dead@example.com", customer: { first_name: "Nell" } }), attempts: 8, lastError: "Error: boom", ...data },
  });
}

describe("dead letters' bodies are not kept forever", () => {
  it("GIVEN an orders/create dead for longer than the retention WHEN the worker's tasks run THEN its body is deleted, its record and error kept, and a retry says why it cannot be applied", async () => {
    const now = new Date();
    const old = await delivery("old-order", "orders/create", { deadAt: new Date(now.getTime() - (DEAD_LETTER_BODY_DAYS + 1) * DAY) });
    const recent = await delivery("recent-order", "orders/create", { deadAt: new Date(now.getTime() - (DEAD_LETTER_BODY_DAYS - 1) * DAY) });
    const oldRedact = await delivery("old-shop-redact", "shop/redact", { deadAt: new Date(now.getTime() - (DEAD_LETTER_BODY_DAYS + 1) * DAY) });
    const waiting = await delivery("waiting-order", "orders/create", { deadAt: null, nextAttemptAt: new Date(now.getTime() + DAY) });

    for (const task of periodicTasks({ recoveryEveryMs: 60_000, reconcileAfterMs: 0, reconcileEveryMs: 60_000 }).filter((t) => t.name !== "webhook inbox")) {
      await task.run({ db, logger, adminFor: () => Promise.reject(new Error("no Shopify in this test")), now: () => now }, logger);
    }

    const row = (id: string) => db.webhookDelivery.findUniqueOrThrow({ where: { id } });
    expect(await row(old.id)).toMatchObject({ payload: null, deadAt: old.deadAt, lastError: "Error: boom" });
    expect((await row(recent.id)).payload).toContain("nell.dead@example.com");
    expect((await row(oldRedact.id)).payload).not.toBeNull();
    expect((await row(waiting.id)).payload).not.toBeNull();
    expect(await retryDeadLetter(db, SHOP, old.id, now)).toEqual({ ok: false, reason: "body_deleted" });
    expect(await row(old.id)).toMatchObject({ deadAt: old.deadAt, nextAttemptAt: null });
    expect(await retryDeadLetter(db, SHOP, recent.id, now)).toEqual({ ok: true });
  });
});

describe("the dead-letter list says which bodies are gone", () => {
  it("GIVEN one dead letter whose body was deleted after the retention and one that keeps it WHEN they are listed THEN only the first is marked bodyDeleted (no retry is possible), and no body is read into the list", async () => {
    const shop = "dead-letter-list-bodies.myshopify.com";
    const base = { shop, topic: "orders/create", attempts: 8, lastError: "Error: boom" };
    const kept = await db.webhookDelivery.create({ data: { ...base, webhookId: "kept", payload: JSON.stringify({ email: "kept.body@example.com" }), deadAt: new Date(Date.now() - DAY) } });
    const gone = await db.webhookDelivery.create({ data: { ...base, webhookId: "gone", payload: null, deadAt: new Date(Date.now() - (DEAD_LETTER_BODY_DAYS + 1) * DAY) } });
    const { deliveries, total } = await listDeadLetters(db, shop);
    expect(total).toBe(2);
    expect(deliveries.map((d) => [d.id, d.bodyDeleted])).toEqual([
      [kept.id, false],
      [gone.id, true],
    ]);
    expect(JSON.stringify(deliveries)).not.toContain("kept.body@example.com");
  });
});
