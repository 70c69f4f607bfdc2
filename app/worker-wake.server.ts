// Wakes this process's worker loop from its poll pause when new work was just written here: a
// webhook delivery recorded by this process's pipeline is applied by its in-process worker at once
// instead of at the next poll (WORKER_POLL_MS). Workers in other processes still find the work on
// their next poll — the database row is the job either way; a wake-up only saves the wait.
const sleepers = new Set<() => void>();

/** Ends the poll pause of every worker loop in this process (a no-op when none is pausing). */
export function wakeWorkers(): void {
  for (const wake of [...sleepers]) wake();
}

/** Calls `wake` on the next wakeWorkers(); returns the function that stops listening. */
export function onWake(wake: () => void): () => void {
  sleepers.add(wake);
  return () => sleepers.delete(wake);
}
