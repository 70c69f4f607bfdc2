// Dead-lettered webhook deliveries (docs/decisions/014): deliveries whose effects failed
// `WEBHOOK_RETRY_POLICY.maxAttempts` times. They need a human: the admin's "Webhook deliveries" page
// (app/routes/app.webhooks.tsx) lists them and re-queues one on request.
// Only metadata and the error are ever read here — never the payload, which can hold customers'
// personal data (it stays in the row so a retry can apply it, for DEAD_LETTER_BODY_DAYS).
import type { Db } from "~/db.server";
import type { WebhookTopic } from "./context";

export interface DeadLetter {
  id: string;
  topic: WebhookTopic;
  webhookId: string;
  receivedAt: Date;
  deadAt: Date;
  attempts: number;
  lastError: string | null;
  /**
   * Its body was deleted DEAD_LETTER_BODY_DAYS after it died (forgetOldDeadLetterBodies): nothing is
   * left to apply, so it cannot be retried (retryDeadLetter answers "body_deleted").
   */
  bodyDeleted: boolean;
}

/** At most this many are listed (newest first); the count says how many there are in all. */
export const DEAD_LETTER_PAGE = 100;

export async function listDeadLetters(db: Db, shop: string): Promise<{ deliveries: DeadLetter[]; total: number }> {
  const where = { shop, deadAt: { not: null } };
  const [rows, total] = await Promise.all([
    db.webhookDelivery.findMany({
      where,
      orderBy: [{ deadAt: "desc" }, { id: "asc" }],
      take: DEAD_LETTER_PAGE,
      select: { id: true, topic: true, webhookId: true, receivedAt: true, deadAt: true, attempts: true, lastError: true },
    }),
    db.webhookDelivery.count({ where }),
  ]);
  // Which of them lost their body: asked as a filter on the listed ids, so no body is ever read.
  const bodiless =
    rows.length === 0
      ? new Set<string>()
      : new Set((await db.webhookDelivery.findMany({ where: { ...where, id: { in: rows.map((row) => row.id) }, payload: null }, select: { id: true } })).map((row) => row.id));
  return { deliveries: rows.map((row) => ({ ...row, topic: row.topic as WebhookTopic, deadAt: row.deadAt!, bodyDeleted: bodiless.has(row.id) })), total };
}

export function countDeadLetters(db: Db, shop: string): Promise<number> {
  return db.webhookDelivery.count({ where: { shop, deadAt: { not: null } } });
}

export type RetryOutcome = { ok: true } | { ok: false; reason: "not_found" | "body_deleted" };

/**
 * How long a dead letter keeps a body that can hold a customer's personal data. A dead letter
 * waits for a person; the body of an order or a customer holds their name, email, phone and
 * addresses, and nothing else in the app keeps such a body beyond its processing (applied bodies
 * are erased at once). Shopify asks apps to keep personal data only as long as needed
 * (https://shopify.dev/docs/apps/launch/protected-customer-data#requirements) and gives 30 days to
 * act on a privacy request (https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance):
 * a dead letter nobody retried within as long loses its body; its record (topic, dates, error) stays.
 */
export const DEAD_LETTER_BODY_DAYS = 30;

/**
 * Deletes the bodies of the dead letters of `topics` (those whose bodies can hold a customer's
 * personal data) dead for longer than DEAD_LETTER_BODY_DAYS. Returns how many.
 */
export async function forgetOldDeadLetterBodies(db: Db, now: Date, topics: Iterable<string>): Promise<number> {
  const before = new Date(now.getTime() - DEAD_LETTER_BODY_DAYS * 86_400_000);
  const { count } = await db.webhookDelivery.updateMany({
    where: { deadAt: { lt: before }, payload: { not: null }, topic: { in: [...topics] } },
    data: { payload: null },
  });
  return count;
}

/**
 * Re-queues a dead-lettered delivery of `shop`: due now, with a fresh set of attempts (the retry
 * policy starts over, so a fix that needs one more try is not dead-lettered again at once). The
 * worker's inbox applies it within about one poll interval. A delivery of another shop, one that
 * is not dead (already re-queued, applied) or that does not exist is "not_found": nothing changes.
 */
export async function retryDeadLetter(db: Db, shop: string, id: string, now: Date): Promise<RetryOutcome> {
  const { count } = await db.webhookDelivery.updateMany({
    where: { id, shop, deadAt: { not: null }, payload: { not: null } },
    data: { deadAt: null, nextAttemptAt: now, attempts: 0, claimedBy: null, claimedUntil: null },
  });
  if (count === 1) return { ok: true };
  // Its body was deleted after DEAD_LETTER_BODY_DAYS: there is nothing left to apply.
  const bodiless = await db.webhookDelivery.count({ where: { id, shop, deadAt: { not: null }, payload: null } });
  return { ok: false, reason: bodiless > 0 ? "body_deleted" : "not_found" };
}

/**
 * Makes the shop's unapplied deliveries of `topic` — waiting or dead-lettered, not held by a worker
 * now — due at once with a fresh set of attempts: what they waited for has happened (shop/redact
 * waits for the shop's recorded uninstall: app/services/compliance/privacy.server.ts). Returns how many.
 */
export async function requeueWaitingDeliveries(db: Db, shop: string, topic: WebhookTopic, now: Date): Promise<number> {
  const { count } = await db.webhookDelivery.updateMany({
    where: { shop, topic, appliedAt: null, payload: { not: null }, OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }] },
    data: { deadAt: null, nextAttemptAt: now, attempts: 0, claimedBy: null, claimedUntil: null },
  });
  return count;
}
