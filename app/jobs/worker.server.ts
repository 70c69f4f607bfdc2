// The reward worker: claims due reward rows (claim.server.ts), hands each to the generation
// use-case (app/services/rewards/generate-pending.server.ts) with the shop's calls paced
// (pacing.server.ts), and runs the periodic tasks (tasks.server.ts) between rounds. It holds no
// reward rules itself and reaches Shopify only through the services.
// Started from one place: start.server.ts (by `npm run worker` and inside the app process).
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Reward } from "@prisma/client";
import type { DbProvider } from "~/db.server";
import {
  DEFAULT_GENERATE_PENDING_CONFIG,
  processClaimedReward,
  type GeneratePendingConfig,
  type GeneratePendingDeps,
  type ProcessOutcome,
} from "~/services/rewards/generate-pending.server";
import { claimDueRewards, releaseClaims } from "./claim.server";
import type { Pacer } from "./pacing.server";
import { periodicTasks, type PeriodicTask } from "./tasks.server";
import { onWake } from "~/worker-wake.server";

export type { ProcessOutcome } from "~/services/rewards/generate-pending.server";

export interface WorkerConfig extends GeneratePendingConfig {
  /** Rewards claimed at a time (longest-waiting first; see `runWorkerOnce` for how other shops get theirs meanwhile). */
  batchSize: number;
  /**
   * Rewards in flight per shop. "auto" (default): sized per shop from its bucket and the observed
   * time per reward (pacing.server.ts `shopConcurrency`), at most `maxPerShopConcurrency`; the pacer
   * keeps the calls within the budget either way. A number fixes it (tests).
   */
  perShopConcurrency: number | "auto";
  /** Upper bound for "auto" (database connections are finite). */
  maxPerShopConcurrency: number;
}

export interface WorkerDeps extends GeneratePendingDeps {
  provider?: DbProvider;
  pacer?: Pacer;
}

export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

export function workerConfig(overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  return {
    workerId: overrides.workerId ?? newWorkerId(),
    batchSize: 20,
    ...DEFAULT_GENERATE_PENDING_CONFIG,
    perShopConcurrency: "auto",
    maxPerShopConcurrency: 32,
    ...overrides,
  };
}

export interface WorkerRunSummary {
  claimed: number;
  outcomes: Partial<Record<ProcessOutcome, number>>;
  /** Rewards whose processing threw (database trouble, an injected crash): left to their lease. */
  errors: number;
  /** Claimed but given back unprocessed because the worker is stopping. */
  released: number;
}

/** Runs `fn` over the items with at most `limit()` in flight, asking the limit again each time one ends. `fn` must not throw. */
async function forEachAdaptive<T>(items: T[], limit: () => number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let active = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      if (next >= items.length && active === 0) return resolve();
      const lanes = Math.max(1, limit());
      while (next < items.length && active < lanes) {
        const item = items[next++];
        active++;
        void fn(item).finally(() => {
          active--;
          pump();
        });
      }
    };
    pump();
  });
}

/** The lanes rule for one shop: fixed, or sized from its bucket and observed time per reward. */
export function lanesFor(config: Pick<WorkerConfig, "perShopConcurrency" | "maxPerShopConcurrency">, pacer: Pacer | undefined, shop: string): () => number {
  if (config.perShopConcurrency !== "auto") {
    const fixed = Math.max(1, Math.floor(config.perShopConcurrency));
    return () => fixed;
  }
  const max = config.maxPerShopConcurrency;
  if (!pacer) return () => Math.min(2, max);
  return () => pacer.concurrency(shop, { max });
}

/** Deps whose pacer reports, per reward, how long it waited for the budget (so busy time excludes it). */
function timedDeps(deps: WorkerDeps, onWait: (ms: number) => void): GeneratePendingDeps {
  const pacer = deps.pacer;
  if (!pacer) return deps;
  return { ...deps, pacer: { runOptions: (shop, base) => pacer.runOptions(shop, base, onWait) } };
}

/**
 * One round: claim due rewards and process them (shops in parallel, each shop paced).
 *
 * Fair across shops: the round claims the longest-waiting batch; when that batch is full (a big
 * shop's backlog, say — paced by its own bucket, so it takes a while), the round keeps claiming
 * and processing batches of the OTHER shops' due rewards for as long as the first batch runs. A
 * small shop's reward therefore never waits behind a big shop's bulk issue: each shop goes at the
 * pace of its own bucket.
 */
export async function runWorkerOnce(deps: WorkerDeps, config: WorkerConfig, signal?: AbortSignal): Promise<WorkerRunSummary> {
  const { db, now } = deps;
  const summary: WorkerRunSummary = { claimed: 0, outcomes: {}, errors: 0, released: 0 };
  const claim = (excludeShops?: readonly string[]) =>
    claimDueRewards(db, {
      workerId: config.workerId,
      now: now(),
      limit: config.batchSize,
      leaseMs: config.leaseMs,
      ...(deps.provider ? { provider: deps.provider } : {}),
      ...(excludeShops ? { excludeShops } : {}),
    });
  const first = await claim();
  summary.claimed += first.length;
  let firstDone = false;
  const firstRun = processBatch(deps, config, first, summary, signal).finally(() => (firstDone = true));
  if (first.length >= config.batchSize) {
    const busyShops = [...new Set(first.map((r) => r.shop))];
    while (!firstDone && !signal?.aborted) {
      const others = await claim(busyShops);
      if (others.length === 0) break;
      summary.claimed += others.length;
      await processBatch(deps, config, others, summary, signal);
    }
  }
  await firstRun;
  return summary;
}

/** Processes claimed rewards: shops in parallel, each shop's lanes sized and its calls paced. Never throws. */
async function processBatch(deps: WorkerDeps, config: WorkerConfig, claimed: Reward[], summary: WorkerRunSummary, signal?: AbortSignal): Promise<void> {
  const { db, logger } = deps;
  const byShop = new Map<string, Reward[]>();
  for (const reward of claimed) byShop.set(reward.shop, [...(byShop.get(reward.shop) ?? []), reward]);

  await Promise.all(
    [...byShop.entries()].map(([shop, rewards]) =>
      forEachAdaptive(rewards, lanesFor(config, deps.pacer, shop), async (reward) => {
        if (signal?.aborted) {
          summary.released += await releaseClaims(db, config.workerId, [reward.id]).catch(() => 0);
          return;
        }
        // On the pacer's clock, the one its restore rate is measured on.
        const clock = deps.pacer ? () => deps.pacer!.clockMs() : Date.now;
        const started = clock();
        let waited = 0;
        try {
          const outcome = await processClaimedReward(timedDeps(deps, (ms) => (waited += ms)), config, reward);
          deps.pacer?.recordBusy(shop, clock() - started - waited);
          summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
        } catch (error) {
          summary.errors++;
          logger.error({ err: error, rewardId: reward.id, shop: reward.shop, workerId: config.workerId }, "processing a reward failed; its claim will expire and it is retried");
        }
      }),
    ),
  );
}

export interface WorkerLoopOptions extends WorkerConfig {
  pollMs: number;
  /** Run the abandoned-redemption sweep this often (default 60 s). */
  recoveryEveryMs?: number;
  /** Look up Issued discounts older than this in Shopify (reconciliation); 0 turns it off. */
  reconcileAfterMs?: number;
  /** How often the reconciliation pass runs (default 10 min). */
  reconcileEveryMs?: number;
  /** How often non-expiring offline tokens are migrated (default: never). */
  tokenMigrationEveryMs?: number;
  /** The periodic tasks to run between rounds (default: `periodicTasks` from the options above). */
  tasks?: PeriodicTask[];
}

export interface WorkerHandle {
  readonly workerId: string;
  /** Stops claiming, finishes the rewards in progress, gives back the rest. */
  stop(timeoutMs?: number): Promise<void>;
  readonly done: Promise<void>;
}

/**
 * Waits `ms`, or less when stopped or (if `wakeable`) woken by new work in this process
 * (app/worker-wake.server.ts). Resolves true when a wake-up ended it.
 */
function pause(ms: number, signal: AbortSignal, wakeable: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => done(false), ms);
    const stopListening = wakeable ? onWake(() => done(true)) : () => undefined;
    const onAbort = () => done(false);
    function done(woken: boolean) {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      stopListening();
      resolve(woken);
    }
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The worker loop (in the app process or `npm run worker`; both start it through start.server.ts).
 * Each round claims and generates due rewards, then runs every periodic task whose interval has
 * passed. A round or task that throws (the database is unreachable, say) is logged and the loop
 * backs off; the process stays alive.
 */
export function startWorker(deps: WorkerDeps, options: WorkerLoopOptions): WorkerHandle {
  const controller = new AbortController();
  const { signal } = controller;
  const log = deps.logger.child({ workerId: options.workerId });
  const tasks =
    options.tasks ??
    periodicTasks({
      recoveryEveryMs: options.recoveryEveryMs ?? 60_000,
      reconcileAfterMs: options.reconcileAfterMs ?? 0,
      reconcileEveryMs: options.reconcileEveryMs ?? 10 * 60_000,
      tokenMigrationEveryMs: options.tokenMigrationEveryMs ?? 0,
    });
  const lastRun = new Map<string, number>();
  let failures = 0;
  // A wake-up (a webhook delivery recorded in this process) brings only the tasks that apply such
  // work (`onWake`); the reward claim and the other tasks keep their own pace — at most one full
  // round per poll interval — so a steady stream of deliveries does not pay for a whole round each.
  let woken = false;
  let lastFullRound = Number.NEGATIVE_INFINITY;

  const done = (async () => {
    log.info({ batchSize: options.batchSize, pollMs: options.pollMs, tasks: tasks.map((t) => t.name) }, "reward worker started");
    while (!signal.aborted) {
      let busy = false;
      let failed = false;
      const full = !woken || Date.now() - lastFullRound >= options.pollMs;
      if (full) {
        lastFullRound = Date.now();
        try {
          const summary = await runWorkerOnce(deps, options, signal);
          busy = summary.claimed >= options.batchSize;
          if (summary.claimed > 0) log.debug(summary, "worker round");
        } catch (error) {
          // The database is unreachable or similar: back off, keep the process alive.
          failed = true;
          log.error({ err: error }, "worker round failed");
        }
      }
      for (const task of tasks) {
        if (signal.aborted) break;
        if (!full && !task.onWake) continue;
        if (Date.now() - (lastRun.get(task.name) ?? 0) < task.everyMs) continue;
        lastRun.set(task.name, Date.now());
        try {
          await task.run(deps, log);
        } catch (error) {
          failed = true;
          log.error({ err: error, task: task.name }, "periodic task failed");
        }
      }
      failures = failed ? failures + 1 : 0;
      woken = false;
      // The poll pause ends early when this process records new work; a failure's backoff does not.
      if (!busy || failures > 0) woken = await pause(failures > 0 ? Math.min(30_000, options.pollMs * 2 ** failures) : options.pollMs, signal, failures === 0);
    }
    log.info("reward worker stopped");
  })();

  return {
    workerId: options.workerId,
    done,
    async stop(timeoutMs = 30_000) {
      controller.abort();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    },
  };
}
