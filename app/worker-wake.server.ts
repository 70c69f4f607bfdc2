// Wakes this process's worker loop from its poll pause when new work was just written here: a
// webhook delivery recorded by this process's pipeline is applied by its in-process worker at once
// instead of at the next poll (WORKER_POLL_MS). Workers in other processes still find the work on
// their next poll — the database row is the job either way; a wake-up only saves the wait.
//
// A wake-up that comes while no loop is pausing (the worker is in a round, just past its last
// claim) is kept and ends the next pause at once: otherwise work recorded in that moment would wait
// a whole poll interval.
const sleepers = new Set<() => void>();
let pending = false;

/** Ends the poll pause of every worker loop in this process, or the next one if none is pausing. */
export function wakeWorkers(): void {
  if (sleepers.size === 0) {
    pending = true;
    return;
  }
  for (const wake of [...sleepers]) wake();
}

/**
 * Calls `wake` on the next wakeWorkers() — at once (in a microtask) if one came while nobody was
 * pausing; returns the function that stops listening.
 */
export function onWake(wake: () => void): () => void {
  if (pending) {
    pending = false;
    queueMicrotask(wake);
    return () => undefined;
  }
  sleepers.add(wake);
  return () => sleepers.delete(wake);
}
