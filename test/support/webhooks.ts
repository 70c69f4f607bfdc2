// The worker's webhook inbox, run by hand in tests: no worker runs inside test processes, so a test
// delivers (real signed HTTP), then applies what the app recorded — exactly what the worker does.
import db from "~/db.server";
import { WEBHOOK_EFFECTS } from "~/services/webhooks/effects.server";
import { applyDueDeliveries, type InboxOptions, type InboxRunSummary, type WebhookEffects } from "~/services/webhooks/inbox.server";

/** Applies every due delivery (rounds until none is left); returns the totals. */
export async function applyWebhooks(options: Partial<InboxOptions> & { effects?: WebhookEffects } = {}): Promise<InboxRunSummary> {
  const total: InboxRunSummary = { claimed: 0, applied: 0, retried: 0, dead: 0 };
  for (let round = 0; round < 1_000; round++) {
    const { effects = WEBHOOK_EFFECTS, ...rest } = options;
    const summary = await applyDueDeliveries(db, effects, { workerId: "test-inbox", now: () => new Date(), batchSize: 100, leaseMs: 60_000, ...rest });
    total.claimed += summary.claimed;
    total.applied += summary.applied;
    total.retried += summary.retried;
    total.dead += summary.dead;
    if (summary.claimed === 0) return total;
  }
  throw new Error("the webhook inbox never became empty");
}
