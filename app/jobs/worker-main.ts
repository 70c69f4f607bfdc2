// The reward worker as its own process: `npm run worker` (tsx app/jobs/worker-main.ts).
// Run one or many, next to app servers started with WORKER_IN_PROCESS=false; they share the work
// through atomic claims in the database. SIGTERM/SIGINT: stop claiming, finish the rewards in
// progress, give back the rest, exit.
import { logger } from "~/logger.server";
import { startConfiguredWorker } from "./start.server";

const { worker, deps } = await startConfiguredWorker();

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
