// Starts the reward worker inside the app server process (WORKER_IN_PROCESS=true, the default), so a
// single `npm start` is a complete installation. Imported once by app/entry.server.tsx. With
// several app instances, or `npm run worker` running separately, set WORKER_IN_PROCESS=false —
// although running both is safe: claims are atomic (app/jobs/claim.server.ts).
import { env } from "~/env.server";
import { logger } from "~/logger.server";
import { startConfiguredWorker } from "./start.server";
import type { WorkerHandle } from "./worker.server";

declare global {
  // One worker per process, even when the dev server reloads this module.
  var __loyaltyWorker: Promise<WorkerHandle> | undefined;
}

export function startInProcessWorker(): Promise<WorkerHandle> {
  globalThis.__loyaltyWorker ??= (async () => {
    const { worker: handle } = await startConfiguredWorker({ workerIdPrefix: "app:" });
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, "stopping the in-process reward worker");
      void handle.stop(20_000).then(() => {
        // The HTTP server (server.mjs) has its own handler and exits once idle. If something keeps
        // the process alive beyond that, don't hang the deployment: this timer doesn't itself keep
        // the process running.
        setTimeout(() => process.exit(0), 5_000).unref();
      });
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
    return handle;
  })();
  return globalThis.__loyaltyWorker;
}

if (env().WORKER_IN_PROCESS && env().NODE_ENV !== "test") {
  startInProcessWorker().catch((error: unknown) => logger.error({ err: error }, "the in-process reward worker could not start"));
}
