// The reward worker as its own process: `npm run worker` (tsx app/jobs/worker-main.ts).
// Run one or many, next to app servers started with WORKER_IN_PROCESS=false; they share the work
// through atomic claims in the database. SIGTERM/SIGINT: stop claiming, finish the rewards in
// progress, give back the rest, exit.
import { env } from "~/env.server";
import { logger } from "~/logger.server";
import { DEFAULT_RETRY_POLICY } from "~/domain/rewards";
import { defaultRewardDeps } from "~/services/rewards/deps.server";
import { Pacer } from "./pacing.server";
import { startWorker, workerConfig } from "./worker.server";

const config = env();
const deps = { ...(await defaultRewardDeps()), pacer: new Pacer() };
const worker = startWorker(deps, {
  ...workerConfig({
    batchSize: config.WORKER_BATCH_SIZE,
    retryPolicy: { ...DEFAULT_RETRY_POLICY, maxAttempts: config.WORKER_MAX_ATTEMPTS },
  }),
  pollMs: config.WORKER_POLL_MS,
  reconcileAfterMs: config.RECONCILE_AFTER_HOURS * 3_600_000,
});

let stopping = false;
async function shutdown(signal: NodeJS.Signals) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal, workerId: worker.workerId }, "worker shutting down");
  await worker.stop(30_000);
  await deps.db.$disconnect().catch(() => undefined);
  process.exit(0);
}
process.on("SIGTERM", (s) => void shutdown(s));
process.on("SIGINT", (s) => void shutdown(s));
