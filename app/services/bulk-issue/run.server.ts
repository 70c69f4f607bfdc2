// Bulk issue, the worker's side (docs/decisions/024): a periodic pass (app/jobs/tasks.server.ts)
// advances every job that still moves.
//
// Per job, under a lease (a conditional update: one runner at a time, and a runner that dies lets it
// run out), one pass:
//   1. settles the items whose reward left Pending (Issued → ISSUED, Failed → FAILED with its code);
//   2. if the job is QUEUED or RUNNING, saves Pending rewards for the next WAITING items, at most
//      `window` of the job's rewards in flight at once — so a pause stops the issuing within one
//      window, and the worker's own pacing (app/jobs/pacing.server.ts) spreads the generation;
//   3. recounts the items and marks the job DONE when nothing waits or is in flight.
// Every reward is saved through issueRewardAsync with the key `bulk:<jobId>:<customerId>`, and the
// Reward table is unique on (shop, idempotencyKey): a pass that dies between saving a reward and
// marking its item, or two runners on one job, find the same reward again — never a second one.
import type { BulkIssueJob } from "@prisma/client";
import { ISSUING_STATES } from "~/domain/bulk-issue";
import { shopifyGidOf } from "~/domain/shopify-ids";
import type { RewardDeps } from "~/services/rewards/deps.server";
import { issueRewardAsync } from "~/services/rewards/issue-async.server";

/** The key that makes one job issue at most one reward per customer. */
export function bulkIdempotencyKey(jobId: string, customerId: string): string {
  return `bulk:${jobId}:${customerId}`;
}

/** The shop's Admin API budget as the worker's pacer last saw it (null: not seen yet). */
export type BudgetOf = (shop: string) => { restoreRate: number; costPerReward: number } | null;

export interface BulkRunOptions {
  /** Names this runner in the job's lease. */
  runnerId: string;
  /** At most this many of a job's rewards Pending at once (default 25). */
  window?: number;
  /** Jobs advanced per pass (default 10; the rest wait for the next pass). */
  maxJobs?: number;
  /** How long a runner holds a job (default 60 s). */
  leaseMs?: number;
  budgetOf?: BudgetOf;
  /** Test hook: runs after a reward was saved and before its item is marked (throw = the process dies there). */
  afterSave?: (item: { id: string; customerId: string }) => Promise<void>;
}

export interface BulkRunSummary {
  jobs: number;
  saved: number;
  settled: number;
  finished: number;
}

const TEMPLATE_PROBLEMS = new Set(["template_not_found", "template_inactive", "template_not_for_source", "invalid_template"]);

/** One pass over the jobs that still move. */
export async function advanceBulkJobs(deps: RewardDeps, options: BulkRunOptions): Promise<BulkRunSummary> {
  const { db } = deps;
  const summary: BulkRunSummary = { jobs: 0, saved: 0, settled: 0, finished: 0 };
  const candidates = await db.bulkIssueJob.findMany({
    where: { OR: [{ state: { in: [...ISSUING_STATES] } }, { inFlight: { gt: 0 } }] },
    // Least recently advanced first (every pass stamps the job it advanced, below): in creation order,
    // the oldest moving jobs took every turn, and a job that can't move for hours (its shop
    // uninstalled or its token revoked, its rewards Pending — generate-pending.server.ts) kept the
    // jobs behind it from ever running.
    orderBy: [{ updatedAt: "asc" }, { id: "asc" }],
    select: { id: true },
    take: options.maxJobs ?? 10,
  });
  for (const { id } of candidates) {
    const now = deps.now();
    // A conditional update is the lease: on PostgreSQL a concurrent runner's UPDATE waits for this
    // row and then re-checks the condition, which no longer holds; SQLite has one writer at a time.
    const claimed = await db.bulkIssueJob.updateMany({
      where: { id, OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }] },
      data: { claimedBy: options.runnerId, claimedUntil: new Date(now.getTime() + (options.leaseMs ?? 60_000)) },
    });
    if (claimed.count === 0) continue;
    try {
      const job = await db.bulkIssueJob.findUniqueOrThrow({ where: { id } });
      const pass = await advanceJob(deps, options, job);
      summary.jobs++;
      summary.saved += pass.saved;
      summary.settled += pass.settled;
      if (pass.finished) summary.finished++;
    } finally {
      // updatedAt = this pass: the job goes to the back of the turn order.
      await db.bulkIssueJob.updateMany({ where: { id, claimedBy: options.runnerId }, data: { claimedBy: null, claimedUntil: null, updatedAt: deps.now() } });
    }
  }
  return summary;
}

async function advanceJob(deps: RewardDeps, options: BulkRunOptions, job: BulkIssueJob): Promise<{ saved: number; settled: number; finished: boolean }> {
  const { db, logger } = deps;
  const window = Math.max(1, options.window ?? 25);
  let saved = 0;

  // 1. Settle the items whose reward is no longer Pending.
  const queued = await db.bulkIssueItem.findMany({ where: { jobId: job.id, state: "QUEUED" }, select: { id: true, rewardId: true }, take: window * 4 });
  const rewards = await db.reward.findMany({
    where: { shop: job.shop, id: { in: queued.flatMap((i) => (i.rewardId ? [i.rewardId] : [])) } },
    select: { id: true, status: true, issuedAt: true, failureCode: true },
  });
  const rewardOf = new Map(rewards.map((r) => [r.id, r]));
  let settled = 0;
  for (const item of queued) {
    const reward = item.rewardId ? rewardOf.get(item.rewardId) : undefined;
    if (reward?.status === "PENDING") continue;
    const outcome = !reward
      ? { state: "SKIPPED", reasonCode: "reward_deleted" }
      : reward.issuedAt || reward.status === "ISSUED" || reward.status === "USED"
        ? { state: "ISSUED", reasonCode: null }
        : reward.status === "FAILED"
          ? { state: "FAILED", reasonCode: reward.failureCode ?? "unknown" }
          : { state: "SKIPPED", reasonCode: "reward_canceled" };
    const moved = await db.bulkIssueItem.updateMany({ where: { id: item.id, state: "QUEUED" }, data: outcome });
    settled += moved.count;
  }

  // 2. Save Pending rewards for the next waiting customers, the window permitting.
  let state = job.state;
  if (ISSUING_STATES.includes(state as never)) {
    if (state === "QUEUED") {
      const started = await db.bulkIssueJob.updateMany({ where: { id: job.id, state: "QUEUED" }, data: { state: "RUNNING", startedAt: deps.now() } });
      if (started.count > 0) state = "RUNNING";
    }
    const inFlight = await db.bulkIssueItem.count({ where: { jobId: job.id, state: "QUEUED" } });
    const open = window - inFlight;
    const next = open > 0 ? await db.bulkIssueItem.findMany({ where: { jobId: job.id, state: "WAITING" }, orderBy: { id: "asc" }, take: open }) : [];
    for (const item of next) {
      // A pause or cancel clicked during the pass stops it before the next reward.
      const current = await db.bulkIssueJob.findUnique({ where: { id: job.id }, select: { state: true } });
      state = current?.state ?? "CANCELED";
      if (!ISSUING_STATES.includes(state as never)) break;
      const key = bulkIdempotencyKey(job.id, item.customerId);
      if (await erasedWithoutReward(deps, job.shop, item.customerId, key)) {
        // customers/redact erased them after the job started: nothing is saved for no one (the
        // worker would only fail it: generate-pending.server.ts); they left the program.
        await db.bulkIssueItem.updateMany({ where: { id: item.id, state: "WAITING" }, data: { state: "SKIPPED", reasonCode: "customer_not_found" } });
        continue;
      }
      const r = await issueRewardAsync(deps, {
        shop: job.shop,
        customer: { id: item.customerId },
        templateId: job.templateId,
        source: "MANUAL",
        idempotencyKey: key,
        actor: "MERCHANT",
        reason: `Bulk issue ${job.id}`,
      });
      if (!r.ok) {
        if (TEMPLATE_PROBLEMS.has(r.error.code)) {
          // Every other customer would fail the same way: stop and tell the merchant, who can fix the
          // reward and resume.
          await db.bulkIssueJob.updateMany({
            where: { id: job.id, state: { in: [...ISSUING_STATES] } },
            data: { state: "PAUSED", pausedAt: deps.now(), lastErrorCode: r.error.code, lastErrorMessage: r.error.message },
          });
          logger.warn({ shop: job.shop, jobId: job.id, code: r.error.code }, "bulk issue paused: the reward can't be issued");
          state = "PAUSED";
          break;
        }
        await db.bulkIssueItem.updateMany({ where: { id: item.id, state: "WAITING" }, data: { state: "SKIPPED", reasonCode: r.error.code } });
        continue;
      }
      await options.afterSave?.(item);
      const marked = await db.bulkIssueItem.updateMany({ where: { id: item.id, state: "WAITING" }, data: { state: "QUEUED", rewardId: r.reward.id } });
      if (r.created && marked.count > 0) saved++;
    }
  }

  // 3. Recount from the items (self-correcting after any crash) and finish.
  const counts = await db.bulkIssueItem.groupBy({ by: ["state"], where: { jobId: job.id }, _count: { _all: true } });
  const n = (s: string) => counts.find((c) => c.state === s)?._count._all ?? 0;
  const budget = options.budgetOf?.(job.shop) ?? null;
  // A job paused after its last reward was saved is done once those are generated: nothing is left
  // for a resume to do (it stayed "Paused" at 100% before).
  const finishable: readonly string[] = [...ISSUING_STATES, "PAUSED"];
  const finished = finishable.includes(state) && n("WAITING") === 0 && n("QUEUED") === 0;
  const now = deps.now();
  await db.bulkIssueJob.update({
    where: { id: job.id },
    data: {
      inFlight: n("QUEUED"),
      issued: n("ISSUED"),
      failed: n("FAILED"),
      skipped: n("SKIPPED"),
      ...(budget ? { apiRestoreRate: Math.round(budget.restoreRate), apiCostPerReward: Math.max(1, Math.round(budget.costPerReward)) } : {}),
    },
  });
  let done = false;
  if (finished) {
    const moved = await db.bulkIssueJob.updateMany({ where: { id: job.id, state: { in: [...finishable] } }, data: { state: "DONE", finishedAt: now } });
    done = moved.count > 0;
    if (done) logger.info({ shop: job.shop, jobId: job.id, issued: n("ISSUED"), failed: n("FAILED") }, "bulk issue done");
  }
  return { saved, settled, finished: done };
}

/** Whether the customer was erased by customers/redact and this job saved no reward for them before. */
async function erasedWithoutReward(deps: RewardDeps, shop: string, customerId: string, key: string): Promise<boolean> {
  const customer = await deps.db.customer.findFirst({ where: { id: customerId, shop }, select: { shopifyCustomerId: true } });
  if (!customer || shopifyGidOf(customer.shopifyCustomerId, "Customer")) return false;
  const saved = await deps.db.reward.findUnique({ where: { shop_idempotencyKey: { shop, idempotencyKey: key } }, select: { id: true } });
  return !saved;
}
