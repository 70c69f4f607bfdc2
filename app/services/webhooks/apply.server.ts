// The use-case the worker runs every round: apply the webhook inbox (inbox.server.ts) with the
// registered effects (effects.server.ts) until it is empty or the round's budget is spent.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { currentProvider } from "~/claim-rows.server";
import type { Db } from "~/db.server";
import type { RandomFloat } from "~/domain/rewards";
import type { Logger } from "~/logger.server";
import { deliveryApplied, inboxCaughtUp } from "~/inbox-pace.server";
import { shopsTheAppKnows } from "~/services/lifecycle/lifecycle.server";
import { guardAgainstErasures } from "~/services/compliance/privacy.server";
import { PERSONAL_DATA_TOPICS, WEBHOOK_EFFECTS } from "./effects.server";
import { applyDueDeliveries, DEFAULT_INBOX_OPTIONS, type InboxOptions, type InboxRunSummary, type WebhookEffects } from "./inbox.server";

const INBOX_WORKER_ID = `inbox:${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;

export interface DrainOptions {
  effects?: WebhookEffects;
  workerId?: string;
  batchSize?: number;
  /** Stop starting new batches after this long, so the worker's other duties are not starved. */
  budgetMs?: number;
  /**
   * Deliveries applied at once. Default: 8 on PostgreSQL (real connections, truly concurrent); 1 on
   * SQLite, where every query shares one serialized connection — parallel lanes would only queue
   * more statements ahead of the INSERTs of webhooks being received in the same process.
   */
  concurrency?: number;
  /** Jitter source for the retry backoff (tests make it deterministic). */
  random?: RandomFloat;
}

/** The rules every batch of the worker's inbox is applied under (tests that drive the inbox themselves use them too). */
export function inboxRules(db: Db): Required<Pick<InboxOptions, "knownShops" | "erasureGuard">> {
  return {
    // A shop never installed, or erased by shop/redact, gets nothing written (UNKNOWN_SHOP_WAIT_ATTEMPTS).
    knownShops: (shops) => shopsTheAppKnows(db, shops),
    // Orders, refunds and new customers never undo an erasure (docs/decisions/015).
    erasureGuard: { topics: PERSONAL_DATA_TOPICS, guard: guardAgainstErasures },
  };
}

export async function drainWebhookInbox(deps: { db: Db; now: () => Date; logger: Logger }, options: DrainOptions = {}): Promise<InboxRunSummary> {
  const started = Date.now();
  const batchSize = options.batchSize ?? DEFAULT_INBOX_OPTIONS.batchSize;
  const total: InboxRunSummary = { claimed: 0, applied: 0, retried: 0, dead: 0 };
  for (;;) {
    const summary = await applyDueDeliveries(deps.db, options.effects ?? WEBHOOK_EFFECTS, {
      workerId: options.workerId ?? INBOX_WORKER_ID,
      now: deps.now,
      batchSize,
      leaseMs: DEFAULT_INBOX_OPTIONS.leaseMs,
      logger: deps.logger,
      concurrency: options.concurrency ?? (currentProvider() === "sqlite" ? 1 : 8),
      // This process's answers keep pace with what it applies (app/inbox-pace.server.ts). Fewer
      // than a batch claimed: that was everything due.
      onClaimed: (claimed) => {
        if (claimed < batchSize) inboxCaughtUp(claimed);
      },
      onApplied: deliveryApplied,
      ...inboxRules(deps.db),
      ...(options.random ? { random: options.random } : {}),
    });
    total.claimed += summary.claimed;
    total.applied += summary.applied;
    total.retried += summary.retried;
    total.dead += summary.dead;
    if (summary.claimed < batchSize || Date.now() - started >= (options.budgetMs ?? 5_000)) return total;
  }
}
