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
// Every reward of a job is issued from the settings snapshotted when the job started
// (BulkIssueJob.rewardSettings), never from the template as it is now; and nothing is issued for a
// shop that uninstalled the app (the job stops: stopJobsForUninstalledShop, uninstall.server.ts).
import type { BulkIssueJob } from "@prisma/client";
import { ISSUING_STATES } from "~/domain/bulk-issue";
import { readSettingsSnapshot, type RewardSettings } from "~/domain/rewards";
import { shopifyGidOf } from "~/domain/shopify-ids";
import { shopWorkPause } from "~/services/lifecycle/lifecycle.server";
import type { RewardDeps } from "~/services/rewards/deps.server";
import { issueRewardAsync } from "~/services/rewards/issue-async.server";
import { InvalidTemplateError, settingsFromTemplate } from "~/services/rewards/repository.server";
import { stopJobsForUninstalledShop } from "./uninstall.server";

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

const TEMPLATE_PROBLEMS = new Set(["template_not_found", "template_inactive", "template_not_for_source", "invalid_template", "amount_in_other_currency"]);

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
    const snapshot = next.length > 0 ? await rewardSnapshot(deps, job) : null;
    if (snapshot && !snapshot.ok) {
      await pauseJob(deps, job, snapshot.code, snapshot.message);
      state = "PAUSED";
    }
    const settings = snapshot?.ok ? snapshot.settings : null;
    for (const item of next) {
      if (!settings) break;
      // A pause or cancel clicked during the pass stops it before the next reward.
      const current = await db.bulkIssueJob.findUnique({ where: { id: job.id }, select: { state: true } });
      state = current?.state ?? "CANCELED";
      if (!ISSUING_STATES.includes(state as never)) break;
      // The app uninstalled from the shop: no further reward, and the job says why. A reinstall
      // does not resume it by itself; the merchant does (docs/decisions/024).
      if (await shopUninstalled(deps, job.shop)) {
        await stopJobsForUninstalledShop(db, job.shop, deps.now());
        logger.warn({ shop: job.shop, jobId: job.id }, "bulk issue stopped: the app was uninstalled from the shop");
        state = "PAUSED";
        break;
      }
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
        settings,
        source: "MANUAL",
        idempotencyKey: key,
        actor: "MERCHANT",
        reason: `Bulk issue ${job.id}`,
      });
      if (!r.ok) {
        if (TEMPLATE_PROBLEMS.has(r.error.code)) {
          // Every other customer would fail the same way: stop and tell the merchant, who can fix the
          // reward and resume.
          await pauseJob(deps, job, r.error.code, r.error.message);
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

/** Stops a job that can't issue (a template problem) with the reason on it; the merchant resumes. */
async function pauseJob(deps: RewardDeps, job: BulkIssueJob, code: string, message: string): Promise<void> {
  await deps.db.bulkIssueJob.updateMany({
    where: { id: job.id, state: { in: [...ISSUING_STATES] } },
    data: { state: "PAUSED", pausedAt: deps.now(), lastErrorCode: code, lastErrorMessage: message },
  });
  deps.logger.warn({ shop: job.shop, jobId: job.id, code }, "bulk issue paused: the reward can't be issued");
}

/** Whether app/uninstalled was applied to the shop (the rule every background task uses: shopWorkPause). */
async function shopUninstalled(deps: RewardDeps, shop: string): Promise<boolean> {
  const row = await deps.db.shop.findUnique({ where: { domain: shop }, select: { uninstalledAt: true, accessRevokedAt: true } });
  return shopWorkPause(row) === "uninstalled";
}

type Snapshot = { ok: true; settings: RewardSettings } | { ok: false; code: string; message: string };

/**
 * What the job issues: the settings saved when it started. A job saved before they were saved takes
 * them from its template at its first pass (once: a conditional update), and keeps them from then on.
 */
async function rewardSnapshot(deps: RewardDeps, job: BulkIssueJob): Promise<Snapshot> {
  const { db } = deps;
  let text = job.rewardSettings;
  if (text === null) {
    const template = await db.rewardTemplate.findFirst({ where: { id: job.templateId, shop: job.shop } });
    if (!template) return { ok: false, code: "template_not_found", message: "This reward doesn't exist (it may have been deleted)." };
    let settings: RewardSettings;
    try {
      settings = settingsFromTemplate(template);
    } catch (error) {
      if (!(error instanceof InvalidTemplateError)) throw error;
      return { ok: false, code: "invalid_template", message: `The reward "${template.name}" has invalid settings: ${error.message}.` };
    }
    await db.bulkIssueJob.updateMany({ where: { id: job.id, rewardSettings: null }, data: { rewardSettings: JSON.stringify(settings) } });
    text = (await db.bulkIssueJob.findUnique({ where: { id: job.id }, select: { rewardSettings: true } }))?.rewardSettings ?? null;
    if (text === null) return { ok: false, code: "invalid_template", message: "The reward of this bulk issue couldn't be saved." };
  }
  const read = readSettingsSnapshot(text);
  if (!read.ok) {
    return { ok: false, code: "invalid_template", message: `The reward saved when this bulk issue started can't be used (${read.error}). Cancel it and start a new one.` };
  }
  return { ok: true, settings: read.settings };
}
