// The webhook inbox: the durable half of the pipeline (docs/decisions/014).
//
// recordDelivery — in the request, before the 200: one INSERT keyed by (shop, X-Shopify-Webhook-Id).
//   A retry or duplicate of a recorded delivery hits the unique key and is answered 200 at once.
// applyDueDeliveries — in the worker: claims due deliveries atomically (a lease, as rewards are
//   claimed in app/jobs/claim.server.ts), runs the topic's effects, marks them applied. An effect
//   that throws is retried with backoff; after `maxAttempts` the delivery is dead-lettered with the
//   error kept in `lastError` (visible, replayable by setting `nextAttemptAt`). A worker that dies
//   mid-way lets its lease run out and another worker applies the delivery: nothing recorded is lost.
// Effects are idempotent on their own keys, so applying a delivery twice (lease expired while the
// first worker was still running) is harmless.
import { Prisma } from "@prisma/client";
import { isUniqueViolation, providerOf, type Db, type DbProvider } from "~/db.server";
import { planRetry, type RandomFloat, type RetryPolicy } from "~/domain/rewards";
import { logger as baseLogger, type Logger } from "~/logger.server";
import type { WebhookDeliveryContext, WebhookTopic } from "./context";
import type { VerifiedWebhook } from "./receive.server";

export type RecordOutcome = "recorded" | "duplicate";

/** Records a verified delivery as due now; "duplicate" when this webhook id is already recorded for the shop. */
export async function recordDelivery(db: Db, delivery: VerifiedWebhook, now = new Date()): Promise<RecordOutcome> {
  try {
    await db.webhookDelivery.create({
      data: {
        shop: delivery.shop,
        webhookId: delivery.webhookId,
        topic: delivery.topic,
        apiVersion: delivery.apiVersion,
        triggeredAt: delivery.triggeredAt,
        payload: delivery.rawBody,
        receivedAt: now,
        nextAttemptAt: now,
      },
      select: { id: true },
    });
    return "recorded";
  } catch (error) {
    if (isUniqueViolation(error)) return "duplicate";
    throw error;
  }
}

export type WebhookEffect = (db: Db, delivery: WebhookDeliveryContext) => Promise<void>;
export type WebhookEffects = Readonly<Record<WebhookTopic, readonly WebhookEffect[]>>;

/** Webhook deliveries are retried quickly at first (a lock, a blip), then up to ~1 h apart; ~3 h in all. */
export const WEBHOOK_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 8,
  baseMs: 5_000,
  factor: 4,
  maxMs: 60 * 60_000,
  jitter: 0.2,
});

export interface InboxOptions {
  workerId: string;
  now: () => Date;
  batchSize: number;
  leaseMs: number;
  retryPolicy?: RetryPolicy;
  random?: RandomFloat;
  provider?: DbProvider;
  logger?: Logger;
}

export const DEFAULT_INBOX_OPTIONS = { batchSize: 100, leaseMs: 60_000 } as const;

interface ClaimedDelivery {
  id: string;
  shop: string;
  webhookId: string;
  topic: string;
  apiVersion: string | null;
  triggeredAt: Date | null;
  payload: string | null;
  attempts: number;
  receivedAt: Date;
}

const CLAIMED_FIELDS = {
  id: true,
  shop: true,
  webhookId: true,
  topic: true,
  apiVersion: true,
  triggeredAt: true,
  payload: true,
  attempts: true,
  receivedAt: true,
} as const;

function dueWhere(now: Date): Prisma.WebhookDeliveryWhereInput {
  return { nextAttemptAt: { lte: now }, OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }] };
}

/**
 * Claims up to `limit` due deliveries, oldest first. PostgreSQL: one statement with FOR UPDATE SKIP
 * LOCKED (concurrent workers never wait on or take each other's rows). SQLite (one writer): read
 * candidates, take them with one conditional UPDATE that only matches rows still due and free.
 */
export async function claimDueDeliveries(db: Db, options: Pick<InboxOptions, "workerId" | "batchSize" | "leaseMs" | "provider"> & { now: Date }): Promise<ClaimedDelivery[]> {
  const provider = options.provider ?? providerOf(process.env.DATABASE_URL ?? "file:./dev.sqlite");
  const until = new Date(options.now.getTime() + options.leaseMs);
  const limit = Math.max(1, Math.floor(options.batchSize));
  let ids: string[];
  if (provider === "postgresql") {
    const now = options.now.toISOString();
    const rows = await db.$queryRaw<{ id: string }[]>(Prisma.sql`
      UPDATE "WebhookDelivery"
         SET "claimedBy" = ${options.workerId},
             "claimedUntil" = (${until.toISOString()})::timestamptz AT TIME ZONE 'UTC'
       WHERE "id" IN (
             SELECT "id" FROM "WebhookDelivery"
              WHERE "nextAttemptAt" <= (${now})::timestamptz AT TIME ZONE 'UTC'
                AND ("claimedUntil" IS NULL OR "claimedUntil" < (${now})::timestamptz AT TIME ZONE 'UTC')
              ORDER BY "nextAttemptAt" ASC
              LIMIT ${limit}
                FOR UPDATE SKIP LOCKED)
   RETURNING "id"`);
    ids = rows.map((r) => r.id);
  } else {
    // SQLite has one writer: a single conditional UPDATE over the candidates is atomic, and the
    // claim's own (workerId, lease end) pair identifies what this call took.
    const candidates = await db.webhookDelivery.findMany({ where: dueWhere(options.now), orderBy: { nextAttemptAt: "asc" }, take: limit, select: { id: true } });
    if (candidates.length === 0) return [];
    const taken = await db.webhookDelivery.updateMany({
      where: { id: { in: candidates.map((c) => c.id) }, ...dueWhere(options.now) },
      data: { claimedBy: options.workerId, claimedUntil: until },
    });
    if (taken.count === 0) return [];
    const rows = await db.webhookDelivery.findMany({ where: { claimedBy: options.workerId, claimedUntil: until }, select: CLAIMED_FIELDS });
    return rows.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  }
  if (ids.length === 0) return [];
  const rows = await db.webhookDelivery.findMany({ where: { id: { in: ids }, claimedBy: options.workerId }, select: CLAIMED_FIELDS });
  return rows.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
}

export interface InboxRunSummary {
  claimed: number;
  applied: number;
  retried: number;
  dead: number;
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 2_000);
}

async function applyOne(db: Db, effects: WebhookEffects, row: ClaimedDelivery, options: InboxOptions, summary: InboxRunSummary, applied: Map<number, string[]>): Promise<void> {
  const log = (options.logger ?? baseLogger).child({ shop: row.shop, topic: row.topic, webhookId: row.webhookId });
  const attempt = row.attempts + 1;
  const mine = { id: row.id, claimedBy: options.workerId };
  try {
    const list = effects[row.topic as WebhookTopic];
    if (!list) throw new Error(`no effects are registered for the topic ${row.topic}`);
    if (row.payload === null) throw new Error("the delivery has no payload");
    const context: WebhookDeliveryContext = {
      shop: row.shop,
      topic: row.topic as WebhookTopic,
      webhookId: row.webhookId,
      triggeredAt: row.triggeredAt,
      apiVersion: row.apiVersion ?? "",
      payload: JSON.parse(row.payload) as unknown,
      rawPayload: row.payload,
      receivedAt: row.receivedAt,
      attempt,
    };
    for (const effect of list) await effect(db, context);
    // Marked applied with the rest of the batch (one statement per attempt count).
    applied.set(attempt, [...(applied.get(attempt) ?? []), row.id]);
    summary.applied++;
  } catch (error) {
    const lastError = describeError(error);
    const plan = planRetry({ attempts: attempt, now: options.now(), policy: options.retryPolicy ?? WEBHOOK_RETRY_POLICY, ...(options.random ? { random: options.random } : {}) });
    if (plan.type === "retry") {
      await db.webhookDelivery.updateMany({ where: mine, data: { attempts: attempt, nextAttemptAt: plan.at, claimedBy: null, claimedUntil: null, lastError } });
      log.warn({ err: error, attempt, retryAt: plan.at }, "webhook effect failed; retry scheduled");
      summary.retried++;
    } else {
      await db.webhookDelivery.updateMany({ where: mine, data: { attempts: attempt, nextAttemptAt: null, deadAt: options.now(), claimedBy: null, claimedUntil: null, lastError } });
      log.error({ err: error, attempt }, "webhook effect failed for good; delivery dead-lettered");
      summary.dead++;
    }
  }
}

/**
 * One round of the inbox: claim a batch of due deliveries and apply them, `concurrency` at a time.
 * Shopify guarantees no order between deliveries and every effect is safe under reordering
 * (docs/decisions/007), so a batch need not be applied in sequence.
 */
export async function applyDueDeliveries(db: Db, effects: WebhookEffects, options: InboxOptions & { concurrency?: number }): Promise<InboxRunSummary> {
  const claimed = await claimDueDeliveries(db, { ...options, now: options.now() });
  const summary: InboxRunSummary = { claimed: claimed.length, applied: 0, retried: 0, dead: 0 };
  const applied = new Map<number, string[]>();
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, claimed.length)) }, async () => {
    while (next < claimed.length) await applyOne(db, effects, claimed[next++], options, summary, applied);
  });
  await Promise.all(lanes);
  // Applied: the payload (which can hold personal data) is not kept. Only rows still ours are
  // marked; a row whose lease ran out meanwhile is applied again by its new owner (idempotent).
  for (const [attempts, ids] of applied) {
    await db.webhookDelivery.updateMany({
      where: { id: { in: ids }, claimedBy: options.workerId },
      data: { appliedAt: options.now(), attempts, nextAttemptAt: null, claimedBy: null, claimedUntil: null, payload: null, lastError: null },
    });
  }
  return summary;
}
