// Dead-lettered webhook deliveries (docs/decisions/014): deliveries whose effects failed
// `WEBHOOK_RETRY_POLICY.maxAttempts` times. They need a human: the admin's "Webhook deliveries" page
// (app/routes/app.webhooks.tsx) lists them and re-queues one on request.
// Only metadata and the error are ever read here — never the payload, which can hold customers'
// personal data (it stays in the row so a retry can apply it).
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
  return { deliveries: rows.map((row) => ({ ...row, topic: row.topic as WebhookTopic, deadAt: row.deadAt! })), total };
}

export function countDeadLetters(db: Db, shop: string): Promise<number> {
  return db.webhookDelivery.count({ where: { shop, deadAt: { not: null } } });
}

export type RetryOutcome = { ok: true } | { ok: false; reason: "not_found" };

/**
 * Re-queues a dead-lettered delivery of `shop`: due now, with a fresh set of attempts (the retry
 * policy starts over, so a fix that needs one more try is not dead-lettered again at once). The
 * worker's inbox applies it within about one poll interval. A delivery of another shop, one that
 * is not dead (already re-queued, applied) or that does not exist is "not_found": nothing changes.
 */
export async function retryDeadLetter(db: Db, shop: string, id: string, now: Date): Promise<RetryOutcome> {
  const { count } = await db.webhookDelivery.updateMany({
    where: { id, shop, deadAt: { not: null } },
    data: { deadAt: null, nextAttemptAt: now, attempts: 0, claimedBy: null, claimedUntil: null },
  });
  return count === 1 ? { ok: true } : { ok: false, reason: "not_found" };
}

/**
 * Makes the shop's unapplied deliveries of `topic` — waiting or dead-lettered, not held by a worker
 * now — due at once with a fresh set of attempts: what they waited for has happened (shop/redact
 * waits for the shop's recorded uninstall: app/services/compliance/privacy.server.ts). Returns how many.
 */
export async function requeueWaitingDeliveries(db: Db, shop: string, topic: WebhookTopic, now: Date): Promise<number> {
  const { count } = await db.webhookDelivery.updateMany({
    where: { shop, topic, appliedAt: null, OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }] },
    data: { deadAt: null, nextAttemptAt: now, attempts: 0, claimedBy: null, claimedUntil: null },
  });
  return count;
}
