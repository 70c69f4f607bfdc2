// One reward-worker process for the benches (bench/worker-throughput.ts, scripts/soak/issue.ts):
// the app's real worker round (claims, pacing, Shopify calls, commits) in a loop until no reward is
// left Pending (nor a cleanup marker), on Shopify's (possibly time-scaled) clock for the pacer. Settings come from env
// (harness.ts `appEnv` plus BENCH_*). Prints one JSON line with its pacer's view at the end.
import { scaledClock } from "./harness";

const t0 = Number(process.env.BENCH_T0 ?? Date.now());
const scale = Number(process.env.BENCH_TIME_SCALE ?? 1);
const batch = Number(process.env.BENCH_BATCH ?? 20);
const fixed = process.env.BENCH_CONCURRENCY ? Number(process.env.BENCH_CONCURRENCY) : undefined;
const shops = (process.env.BENCH_SHOPS ?? "").split(",").filter(Boolean);
const shopify = scaledClock(t0, scale);

const { default: db } = await import("~/db.server");
const { logger } = await import("~/logger.server");
const { unauthenticatedAdminFor } = await import("~/services/rewards/deps.server");
const { Pacer } = await import("~/jobs/pacing.server");
const { runWorkerOnce, workerConfig } = await import("~/jobs/worker.server");

const pacer = new Pacer({ now: shopify.nowMs, sleep: shopify.sleep });
const deps = { db, logger, adminFor: unauthenticatedAdminFor, now: () => new Date(), pacer };
const config = workerConfig({
  workerId: `bench-${process.pid}`,
  batchSize: batch,
  shopifyTimeoutMs: Number(process.env.BENCH_TIMEOUT_MS ?? 15_000),
  ...(fixed ? { perShopConcurrency: fixed } : {}),
  ...(process.env.BENCH_LEASE_MS ? { leaseMs: Number(process.env.BENCH_LEASE_MS) } : {}),
  // Soaks shorten the backoff (BENCH_RETRY_BASE_MS) so eight attempts fit in minutes.
  ...(process.env.BENCH_RETRY_BASE_MS
    ? { retryPolicy: { maxAttempts: 8, baseMs: Number(process.env.BENCH_RETRY_BASE_MS), factor: 2, maxMs: 8 * Number(process.env.BENCH_RETRY_BASE_MS), jitter: 0.2 } }
    : {}),
});
const maxLanes: number[] = [];
let processed = 0;
for (;;) {
  for (const shop of shops) maxLanes.push(pacer.concurrency(shop, { max: config.maxPerShopConcurrency }));
  // Like the real worker loop: a round that fails (database unreachable…) is retried after a pause.
  const summary = await runWorkerOnce(deps, config).catch((error: unknown) => {
    process.stderr.write(`worker round failed: ${String(error)}\n`);
    return new Promise<{ claimed: number }>((resolve) => setTimeout(() => resolve({ claimed: -1 }), 1_000));
  });
  if (summary.claimed < 0) continue;
  processed += summary.claimed;
  if (summary.claimed === 0) {
    // Left: rewards to generate, and cleanup markers (a Failed/Canceled reward whose code must be made dead).
    const left = await db.reward.count({ where: { OR: [{ status: "PENDING" }, { status: { in: ["FAILED", "CANCELED"] }, nextAttemptAt: { not: null } }] } });
    if (left === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const throttledSeen = shops.reduce((sum, shop) => sum + pacer.snapshot(shop).throttledSeen, 0);
const lanes = shops.map((shop) => pacer.concurrency(shop, { max: config.maxPerShopConcurrency }));
const busy = shops.map((shop) => pacer.snapshot(shop).busyMs ?? 0);
process.stdout.write(`${JSON.stringify({ pid: process.pid, processed, throttledSeen, maxLanes: Math.max(0, ...maxLanes), endLanes: lanes, busyMs: busy })}\n`);
await db.$disconnect();
process.exit(0);
