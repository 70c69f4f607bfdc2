// The inbox's claim against the real database: concurrent workers take disjoint batches, a claim
// is a lease, and a recorded delivery is keyed by (shop, webhook id).
import { describe, expect, it } from "vitest";
import { createHash, randomUUID } from "node:crypto";
import db, { directSql } from "~/db.server";
import type { DirectSql } from "~/direct-sql.server";
import { DeliveryWaits } from "./context";
import { applyDueDeliveries, claimDueDeliveries, createDeliveryRecorder, recordDeliveries, recordDelivery, UnappliableDelivery, webhookBodyHash, type WebhookEffects } from "./inbox.server";
import type { VerifiedWebhook } from "./receive.server";
import { allowErrorLogs } from "../../../test/support/error-logs";

function delivery(shop = "inbox-test.myshopify.com"): VerifiedWebhook {
  return { shop, topic: "orders/create", webhookId: randomUUID(), apiVersion: "2026-10", triggeredAt: null, rawBody: "{}", payload: {} };
}

/** The app's direct statements, each going through `around` (to count or fail statements). */
function withQuery(around: <T>(run: () => Promise<T>) => Promise<T>): DirectSql {
  const sql = directSql(db);
  return {
    provider: sql.provider,
    query: (text, args) => around(() => sql.query(text, args)),
    execute: (text, args) => around(() => sql.execute(text, args)),
    transaction: (fn) => around(() => sql.transaction(fn)),
  };
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

  it("GIVEN a batch with new, already-recorded and repeated webhook ids WHEN recorded in one statement THEN each gets its own outcome, in order, and each id is one row", async () => {
    const shop = "batch-inbox.myshopify.com";
    const old = delivery(shop);
    await recordDelivery(db, old);
    const a = delivery(shop);
    const b = delivery(shop);
    const outcomes = await recordDeliveries(directSql(db), [a, old, b, a, { ...old, shop: "batch-other.myshopify.com" }]);
    expect(outcomes).toEqual(["recorded", "duplicate", "recorded", "duplicate", "recorded"]);
    expect(await db.webhookDelivery.count({ where: { shop } })).toBe(3);
    expect(await recordDeliveries(directSql(db), [])).toEqual([]);
  });

  it("GIVEN 40 concurrent deliveries (5 of them repeated) WHEN the group-commit recorder takes them THEN they share a few statements and every caller learns its own outcome after its row is stored", async () => {
    const shop = "group-commit.myshopify.com";
    let statements = 0;
    const counting = withQuery((run) => {
      statements++;
      return run();
    });
    const record = createDeliveryRecorder(counting, { maxBatch: 16 });
    const fresh = Array.from({ length: 35 }, () => delivery(shop));
    const all = [...fresh, ...fresh.slice(0, 5)];
    const outcomes = await Promise.all(all.map((d) => record(d)));
    expect(outcomes.filter((o) => o === "recorded")).toHaveLength(35);
    expect(outcomes.slice(35)).toEqual(Array(5).fill("duplicate"));
    expect(await db.webhookDelivery.count({ where: { shop } })).toBe(35);
    // 40 deliveries, at most 16 per statement: 3 statements, not 40.
    expect(statements).toBe(3);
  });

  it("GIVEN a batch whose statement fails WHEN the recorder writes it THEN each of its deliveries is written alone and recorded (one bad row cannot fail its neighbours)", async () => {
    const shop = "group-commit-failure.myshopify.com";
    let calls = 0;
    const failingOnce = withQuery((run) => (++calls === 1 ? Promise.reject(new Error("batch statement failed")) : run()));
    const record = createDeliveryRecorder(failingOnce);
    const batch = Array.from({ length: 4 }, () => delivery(shop));
    expect(await Promise.all(batch.map((d) => record(d)))).toEqual(["recorded", "recorded", "recorded", "recorded"]);
    expect(calls).toBe(5); // the failed batch, then each alone
    expect(await db.webhookDelivery.count({ where: { shop } })).toBe(4);
  });

  it("GIVEN a delivery recorded by the direct INSERT WHEN it is read through Prisma THEN every field is what Prisma itself would have stored, to the millisecond", async () => {
    const now = new Date("2026-11-30T12:34:56.789Z");
    const triggeredAt = new Date("2026-11-30T12:34:50.001Z");
    const raw = { ...delivery("raw-insert.myshopify.com"), triggeredAt, rawBody: '{"id":1,"note":"é"}' };
    expect(await recordDelivery(db, raw, now)).toBe("recorded");
    const viaPrisma = await db.webhookDelivery.create({
      data: { shop: raw.shop, webhookId: randomUUID(), topic: raw.topic, apiVersion: raw.apiVersion, triggeredAt, payload: raw.rawBody, bodyHash: webhookBodyHash(raw.rawBody), receivedAt: now, nextAttemptAt: now },
    });
    const stored = await db.webhookDelivery.findUniqueOrThrow({ where: { shop_webhookId: { shop: raw.shop, webhookId: raw.webhookId } } });
    // The body's hash is stored with the record (SHA-256 hex of the body as received).
    expect(stored.bodyHash).toBe(createHash("sha256").update('{"id":1,"note":"é"}', "utf8").digest("hex"));
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

  it.each([1, 4])("GIVEN 8 due deliveries WHEN applied with concurrency %i THEN at most that many effects run at once, and all are applied", async (concurrency) => {
    await db.webhookDelivery.deleteMany();
    const now = new Date();
    for (let i = 0; i < 8; i++) await recordDelivery(db, delivery(`lanes-${concurrency}.myshopify.com`), new Date(now.getTime() - 1_000));
    let running = 0;
    let most = 0;
    const effect = async () => {
      most = Math.max(most, ++running);
      // Yield a few times so other lanes, if any, start meanwhile.
      for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
      running--;
    };
    const effects = { "orders/create": [effect] } as unknown as WebhookEffects;
    const summary = await applyDueDeliveries(db, effects, { workerId: `lanes-${concurrency}`, now: () => new Date(), batchSize: 100, leaseMs: 60_000, concurrency });
    expect(summary.applied).toBe(8);
    expect(most).toBe(concurrency);
  });

  it("GIVEN 3 due deliveries, one of them failing WHEN applied THEN the round reports what it claimed, then each delivery applied or retried", async () => {
    await db.webhookDelivery.deleteMany();
    for (let i = 0; i < 3; i++) await recordDelivery(db, delivery("reports.myshopify.com"), new Date(Date.now() - 60_000 + i * 1_000));
    let calls = 0;
    const effect = async () => {
      if (++calls === 2) throw new Error("a blip");
    };
    const effects = { "orders/create": [effect] } as unknown as WebhookEffects;
    const reported: string[] = [];
    const summary = await applyDueDeliveries(db, effects, {
      workerId: "reports",
      now: () => new Date(),
      batchSize: 100,
      leaseMs: 60_000,
      concurrency: 1,
      onClaimed: (n) => reported.push(`claimed ${n}`),
      onApplied: () => reported.push("applied"),
    });
    expect(summary).toMatchObject({ claimed: 3, applied: 2, retried: 1 });
    expect(reported).toEqual(["claimed 3", "applied", "applied", "applied"]);
  });

  it("GIVEN an effect that throws UnappliableDelivery THEN the delivery is dead-lettered after that one attempt, with the reason; a plain error is retried", async () => {
    const logged = allowErrorLogs(); // a dead letter is logged as an error
    await db.webhookDelivery.deleteMany();
    const unappliable = delivery("unappliable.myshopify.com");
    const flaky = delivery("flaky.myshopify.com");
    for (const d of [unappliable, flaky]) await recordDelivery(db, d, new Date(Date.now() - 1_000));
    const effects = {
      "orders/create": [
        async (_db: unknown, d: { shop: string }) => {
          if (d.shop === "unappliable.myshopify.com") throw new UnappliableDelivery("the body contradicts the delivery");
          throw new Error("a blip");
        },
      ],
    } as unknown as WebhookEffects;
    const summary = await applyDueDeliveries(db, effects, { workerId: "unappliable", now: () => new Date(), batchSize: 100, leaseMs: 60_000, concurrency: 1 });
    expect(summary).toMatchObject({ claimed: 2, dead: 1, retried: 1 });
    const row = (shop: string) => db.webhookDelivery.findFirstOrThrow({ where: { shop } });
    expect(await row(unappliable.shop)).toMatchObject({ attempts: 1, nextAttemptAt: null, deadAt: expect.any(Date), lastError: "UnappliableDelivery: the body contradicts the delivery" });
    expect(await row(flaky.shop)).toMatchObject({ attempts: 1, nextAttemptAt: expect.any(Date), deadAt: null });
    expect(logged.messages()).toEqual(["webhook effect failed for good; delivery dead-lettered"]);
  });

  it("GIVEN effects whose errors quote a NUL from the body (dead-lettered or retried) WHEN applied THEN each outcome is stored with the character escaped — PostgreSQL cannot store a NUL, and the delivery stayed claimed for ever", async () => {
    allowErrorLogs(); // a dead letter is logged as an error
    await db.webhookDelivery.deleteMany();
    const dead = delivery("nul-dead.myshopify.com");
    const retried = delivery("nul-retried.myshopify.com");
    for (const d of [dead, retried]) await recordDelivery(db, d, new Date(Date.now() - 1_000));
    const effects = {
      "orders/create": [
        async (_db: unknown, d: { shop: string }) => {
          if (d.shop === dead.shop) throw new UnappliableDelivery("the body names the shop evil\u0000.myshopify.com");
          throw new Error("code A\u0000B\u001f not found");
        },
      ],
    } as unknown as WebhookEffects;
    const summary = await applyDueDeliveries(db, effects, { workerId: "nul", now: () => new Date(), batchSize: 100, leaseMs: 60_000, concurrency: 1 });
    expect(summary).toMatchObject({ claimed: 2, dead: 1, retried: 1 });
    const row = (shop: string) => db.webhookDelivery.findFirstOrThrow({ where: { shop } });
    expect(await row(dead.shop)).toMatchObject({ deadAt: expect.any(Date), claimedBy: null, lastError: "UnappliableDelivery: the body names the shop evil\\u0000.myshopify.com" });
    expect(await row(retried.shop)).toMatchObject({ nextAttemptAt: expect.any(Date), claimedBy: null, lastError: "Error: code A\\u0000B\\u001f not found" });
  });

  it("GIVEN an effect that waits for something not arrived yet (DeliveryWaits) THEN the retry is logged at info without a stack; a real failure still warns", async () => {
    const shop = "waiting-inbox.myshopify.com";
    await recordDelivery(db, { ...delivery(shop), topic: "refunds/create" }, new Date(Date.now() - 2_000));
    await recordDelivery(db, delivery(shop), new Date(Date.now() - 1_000));
    const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
    const capture = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
    const logger = { info: capture("info"), warn: capture("warn"), error: capture("error"), debug: capture("debug"), child: () => logger };
    const effects = {
      "refunds/create": [async () => { throw new DeliveryWaits("the refunded order has not earned yet"); }],
      "orders/create": [async () => { throw new Error("the database went away"); }],
    } as unknown as WebhookEffects;
    const summary = await applyDueDeliveries(db, effects, { workerId: "waits", now: () => new Date(), batchSize: 10, leaseMs: 60_000, concurrency: 1, logger: logger as never });
    expect(summary).toMatchObject({ claimed: 2, retried: 2 });
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ["info", "webhook effect waits; retry scheduled"],
      ["warn", "webhook effect failed; retry scheduled"],
    ]);
    expect(lines[0].fields).toMatchObject({ attempt: 1, waitsFor: "the refunded order has not earned yet" });
    expect(lines[0].fields).not.toHaveProperty("err");
    // The wait is on the row like any retry, for the merchant's Webhook deliveries page.
    expect((await db.webhookDelivery.findFirstOrThrow({ where: { shop, topic: "refunds/create" } })).lastError).toMatch(/has not earned yet/);
  });

  it("GIVEN an erasure guard WHEN a batch is applied THEN only its topics' deliveries are guarded, their effects read the guard's body, settle runs after every effect; a settle that throws leaves the batch unmarked (applied again after the lease)", async () => {
    const shop = "guarded-batch.myshopify.com";
    const order = { ...delivery(shop), rawBody: '{"who":"original"}', payload: { who: "original" } };
    const uninstall = { ...delivery(shop), topic: "app/uninstalled" as const };
    // Recorded a second apart: the inbox takes due deliveries oldest first, so the order is applied first.
    const recordedAt = Date.now();
    await recordDelivery(db, order, new Date(recordedAt - 2_000));
    await recordDelivery(db, uninstall, new Date(recordedAt - 1_000));
    const seen: string[] = [];
    const effects = { "orders/create": [async (_db: unknown, d: { rawPayload?: string }) => void seen.push(`order read ${d.rawPayload}`)], "app/uninstalled": [async () => void seen.push("uninstall")] } as unknown as WebhookEffects;
    let settleFails = true;
    const erasureGuard = {
      topics: new Set(["orders/create"]),
      guard: async (_db: unknown, guarded: { id: string; payload: string | null }[]) => {
        seen.push(`guarded ${guarded.map((g) => g.payload).join(",")}`);
        return {
          payloadFor: () => '{"who":"scrubbed"}',
          settle: async () => {
            seen.push("settle");
            if (settleFails) throw new Error("the database went away");
          },
        };
      },
    };
    const options = { workerId: "guarded", now: () => new Date(), batchSize: 10, leaseMs: 60_000, concurrency: 1, erasureGuard };

    await expect(applyDueDeliveries(db, effects, options)).rejects.toThrow("the database went away");
    expect(seen).toEqual(['guarded {"who":"original"}', 'order read {"who":"scrubbed"}', "uninstall", "settle"]);
    // Nothing marked applied: both stay claimed until their lease runs out, then are applied again.
    expect(await db.webhookDelivery.findMany({ where: { shop }, select: { appliedAt: true, claimedBy: true } })).toEqual([
      { appliedAt: null, claimedBy: "guarded" },
      { appliedAt: null, claimedBy: "guarded" },
    ]);

    settleFails = false;
    seen.length = 0;
    // Their lease runs out.
    await db.webhookDelivery.updateMany({ where: { shop }, data: { claimedUntil: new Date(Date.now() - 1) } });
    expect(await applyDueDeliveries(db, effects, { ...options, workerId: "guarded-2" })).toMatchObject({ claimed: 2, applied: 2 });
    expect(seen).toEqual(['guarded {"who":"original"}', 'order read {"who":"scrubbed"}', "uninstall", "settle"]);
    expect(await db.webhookDelivery.count({ where: { shop, appliedAt: { not: null }, payload: null } })).toBe(2);
  });
});
