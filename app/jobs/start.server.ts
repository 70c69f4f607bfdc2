// The one place the reward worker is started from configuration: `npm run worker`
// (worker-main.ts) and the app process (in-process.server.ts) both call `startConfiguredWorker`.
import { env } from "~/env.server";
import { DEFAULT_RETRY_POLICY } from "~/domain/rewards";
import { defaultRewardDeps } from "~/services/rewards/deps.server";
import { Pacer } from "./pacing.server";
import { newWorkerId, startWorker, workerConfig, type WorkerDeps, type WorkerHandle } from "./worker.server";

export interface StartedWorker {
  worker: WorkerHandle;
  deps: WorkerDeps;
}

/** Starts a worker with the app's dependencies and the environment's settings (app/env.server.ts). */
export async function startConfiguredWorker(options: { workerIdPrefix?: string } = {}): Promise<StartedWorker> {
  const config = env();
  const deps: WorkerDeps = { ...(await defaultRewardDeps()), pacer: new Pacer() };
  const worker = startWorker(deps, {
    ...workerConfig({
      workerId: `${options.workerIdPrefix ?? ""}${newWorkerId()}`,
      batchSize: config.WORKER_BATCH_SIZE,
      retryPolicy: { ...DEFAULT_RETRY_POLICY, maxAttempts: config.WORKER_MAX_ATTEMPTS },
    }),
    pollMs: config.WORKER_POLL_MS,
    reconcileAfterMs: config.RECONCILE_AFTER_HOURS * 3_600_000,
    tokenMigrationEveryMs: config.OFFLINE_TOKEN_MIGRATION_EVERY_MINUTES * 60_000,
  });
  return { worker, deps };
}
