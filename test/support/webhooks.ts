// The worker's webhook inbox, run by hand in tests: no worker runs inside test processes, so a test
// delivers (real signed HTTP), then applies what the app recorded — the worker's own use-case.
import db from "~/db.server";
import { logger } from "~/logger.server";
import { drainWebhookInbox, type DrainOptions } from "~/services/webhooks/apply.server";
import type { InboxRunSummary } from "~/services/webhooks/inbox.server";

/** Applies every due delivery at `now` (default: the real time); returns the totals. */
export async function applyWebhooks(options: DrainOptions & { now?: () => Date } = {}): Promise<InboxRunSummary> {
  const { now = () => new Date(), ...rest } = options;
  return drainWebhookInbox({ db, now, logger }, { workerId: "test-inbox", budgetMs: 60_000, ...rest });
}
