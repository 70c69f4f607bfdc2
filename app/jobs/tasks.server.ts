// The worker's periodic tasks: use-cases that run every so often between the worker's rounds
// (worker.server.ts). Adding one is one line in `periodicTasks`; the task itself is a use-case in
// app/services (the worker holds no rules and reaches Shopify only through the services).
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "~/logger.server";
import { advanceBulkJobs } from "~/services/bulk-issue/run.server";
import { decideDueHeldOrders } from "~/services/lifecycle/held-orders.server";
import { takeHeldOrdersMarkedHere } from "~/services/lifecycle/amount-currency.server";
import { migrateNonExpiringOfflineTokens } from "~/services/lifecycle/offline-token.server";
import { readUnreadShopCurrencies } from "~/services/lifecycle/scopes.server";
import { runPointsProgramTasks } from "~/services/points/periodic.server";
import { dropStaleKeptRefunds } from "~/services/points/waiting-refunds.server";
import { runReferralTasks } from "~/services/referrals/effects.server";
import { reconcileIssuedRewards } from "~/services/reconcile/discounts.server";
import type { RewardDeps } from "~/services/rewards/deps.server";
import type { Pacer } from "./pacing.server";
import { recoverAbandonedRedemptions } from "~/services/rewards/recover-redemptions.server";
import { runVipTasks } from "~/services/vip/admin.server";
import { drainWebhookInbox } from "~/services/webhooks/apply.server";
import { forgetOldDeadLetterBodies } from "~/services/webhooks/dead-letters.server";
import { PERSONAL_DATA_TOPICS } from "~/services/webhooks/effects.server";

export interface PeriodicTask {
  /** Names the task in logs; unique within the list. */
  name: string;
  /** Runs at most this often; the first run is in the worker's first round. */
  everyMs: number;
  /**
   * Also run when the worker is woken by work recorded in this process (app/worker-wake.server.ts),
   * between its full rounds; otherwise the task runs in full rounds only (at most once per poll
   * interval while the worker is idle).
   */
  onWake?: boolean;
  /** Does one pass. Throwing is logged and makes the worker back off; the task runs again later. */
  run: (deps: TaskDeps, log: Logger) => Promise<void>;
}

/** What a task gets: the use-cases' dependencies and, in the worker, its pacer (the shops' API budgets). */
export type TaskDeps = RewardDeps & { pacer?: Pick<Pacer, "snapshot"> };

export interface PeriodicTaskSettings {
  /** How often the abandoned-redemption sweep runs. */
  recoveryEveryMs: number;
  /** Look up Issued discounts older than this in Shopify (reconciliation); 0 turns it off. */
  reconcileAfterMs: number;
  /** How often the reconciliation pass runs. */
  reconcileEveryMs: number;
  /** How often pending points are released, birthday bonuses given and inactive points expired (default 1 min). */
  pointsProgramEveryMs?: number;
  /** How often non-expiring offline tokens are migrated to expiring ones (0 or unset: never). */
  tokenMigrationEveryMs?: number;
  /** How often VIP period ends are checked and re-evaluations advance by a batch (default 5 s). */
  vipEveryMs?: number;
}

/** The periodic tasks every worker runs, in order. */
export function periodicTasks(settings: PeriodicTaskSettings): PeriodicTask[] {
  const tasks: (PeriodicTask | false)[] = [
    // Every round: recorded webhook deliveries are applied within about one poll interval.
    { name: "webhook inbox", everyMs: 0, onWake: true, run: applyWebhookInbox },
    // Orders held for an amounts review that just ended (the confirm, a Program or Referrals save, the
    // currency back: the shop is marked): every full round looks (one indexed read when none), and a
    // wake-up looks only when this process made the mark (takeHeldOrdersMarkedHere) — not for every
    // webhook delivery that wakes the worker.
    { name: "held orders", everyMs: 0, run: heldOrders },
    { name: "held orders marked here", everyMs: 0, onWake: true, run: heldOrdersMarkedHere },
    { name: "redemption recovery", everyMs: settings.recoveryEveryMs, run: recoverRedemptions },
    // Every round: a bulk issue saves its next window of rewards as soon as the last one is generated.
    { name: "bulk issue", everyMs: 0, run: bulkIssue(`bulk:${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`) },
    { name: "points program", everyMs: settings.pointsProgramEveryMs ?? 60_000, run: pointsProgram },
    { name: "vip tiers", everyMs: settings.vipEveryMs ?? 5_000, run: vipTiers },
    { name: "referrals", everyMs: settings.pointsProgramEveryMs ?? 60_000, run: referrals },
    { name: "dead letter bodies", everyMs: 60 * 60_000, run: deadLetterBodies },
    { name: "kept refunds", everyMs: 60 * 60_000, run: keptRefunds },
    { name: "shop currencies", everyMs: 5 * 60_000, run: shopCurrencies() },
    settings.reconcileAfterMs > 0 && { name: "reconciliation", everyMs: settings.reconcileEveryMs, run: reconcile(settings.reconcileAfterMs) },
    (settings.tokenMigrationEveryMs ?? 0) > 0 && { name: "offline token migration", everyMs: settings.tokenMigrationEveryMs!, run: migrateTokens },
  ];
  return tasks.filter((task): task is PeriodicTask => task !== false);
}

async function applyWebhookInbox(deps: RewardDeps, log: Logger): Promise<void> {
  const summary = await drainWebhookInbox(deps);
  if (summary.retried > 0 || summary.dead > 0) log.warn(summary, "webhook inbox round");
  else if (summary.claimed > 0) log.debug(summary, "webhook inbox round");
}

/** Dead letters' bodies that can hold a customer's personal data go after DEAD_LETTER_BODY_DAYS. */
const TOPICS_WITH_CUSTOMER_DATA = [...PERSONAL_DATA_TOPICS, "customers/data_request", "customers/redact"];

async function heldOrders(deps: RewardDeps, log: Logger): Promise<void> {
  const done = await decideDueHeldOrders(deps);
  if (done.earned > 0 || done.referralOrders > 0 || done.vipOrders > 0) log.info(done, "held orders decided");
}

async function heldOrdersMarkedHere(deps: RewardDeps, log: Logger): Promise<void> {
  if (takeHeldOrdersMarkedHere()) await heldOrders(deps, log);
}

async function deadLetterBodies(deps: RewardDeps, log: Logger): Promise<void> {
  const forgotten = await forgetOldDeadLetterBodies(deps.db, deps.now(), TOPICS_WITH_CUSTOMER_DATA);
  if (forgotten > 0) log.info({ forgotten }, "dead-lettered webhook bodies deleted after their retention");
}

/** Refunds kept for an order that never came go after KEPT_REFUND_DAYS (waiting-refunds.server.ts). */
async function keptRefunds(deps: RewardDeps, log: Logger): Promise<void> {
  const dropped = await dropStaleKeptRefunds(deps.db, deps.now());
  if (dropped > 0) log.info({ dropped }, "refunds kept for orders that never came deleted after their retention");
}

/** A shop whose currency was never read from Shopify has it read once (scopes.server.ts readUnreadShopCurrencies). */
function shopCurrencies(): PeriodicTask["run"] {
  let after: string | null = null;
  return async (deps, log) => {
    const done = await readUnreadShopCurrencies({ ...deps, logger: log }, after);
    after = done.next;
    if (done.read > 0 || done.failed > 0) log.info({ read: done.read, failed: done.failed }, "shop currencies pass");
  };
}

async function recoverRedemptions(deps: RewardDeps, log: Logger): Promise<void> {
  const recovered = await recoverAbandonedRedemptions(deps);
  if (recovered.examined > 0) log.info(recovered, "abandoned redemptions recovered");
}

async function pointsProgram(deps: RewardDeps, log: Logger): Promise<void> {
  const done = await runPointsProgramTasks(deps.db, deps.now());
  if (done.heldEarned > 0 || done.released > 0 || done.birthdays > 0 || done.expired > 0) log.info(done, "points program pass");
}

async function migrateTokens(deps: RewardDeps, log: Logger): Promise<void> {
  if (!deps.migrateOfflineToken) return;
  const done = await migrateNonExpiringOfflineTokens(deps.db, deps.migrateOfflineToken);
  if (done.failed > 0) log.warn(done, "offline token migration pass");
  else if (done.migrated > 0) log.info(done, "offline token migration pass");
}

async function vipTiers(deps: RewardDeps, log: Logger): Promise<void> {
  const done = await runVipTasks(deps);
  if (done.periodEnds > 0 || done.evaluated > 0 || done.owedRewards > 0) log.info(done, "vip tiers pass");
}

async function referrals(deps: RewardDeps, log: Logger): Promise<void> {
  // Referrer rewards whose refund/cancel hold has ended (docs/decisions/023).
  const done = await runReferralTasks(deps);
  if (done.heldDecided > 0 || done.rewarded > 0 || done.failed > 0) log.info(done, "referrals pass");
}

function reconcile(olderThanMs: number): PeriodicTask["run"] {
  return async (deps, log) => {
    // Webhooks can be lost or a day late: check older Issued codes still work in Shopify.
    const reconciled = await reconcileIssuedRewards({ db: deps.db, adminFor: deps.adminFor, now: deps.now(), olderThanMs });
    if (reconciled.checked > 0 || reconciled.errors > 0) log.info(reconciled, "reconciliation pass");
  };
}

function bulkIssue(runnerId: string): PeriodicTask["run"] {
  return async (deps, log) => {
    const pacer = deps.pacer;
    const done = await advanceBulkJobs(deps, {
      runnerId,
      // The budget the pacer learned from Shopify's cost reports, for the admin's estimated finish.
      budgetOf: (shop) => {
        const b = pacer?.snapshot(shop);
        return b?.known && b.restoreRate > 0 && b.estimate > 0 ? { restoreRate: b.restoreRate, costPerReward: b.estimate } : null;
      },
    });
    if (done.saved > 0 || done.finished > 0) log.info(done, "bulk issue pass");
  };
}
