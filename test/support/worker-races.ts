// Moments inside one worker round, driven explicitly: a test runs its own step (a reinstall, a
// merchant's confirm) at the exact point between two of the worker's statements.
import type { Db } from "~/db.server";

/** How far ahead a deferral puts a reward (the worker's `uninstalledRetryMs` is hours). */
const FAR_AHEAD_MS = 3_600_000;

/**
 * `db` with `beforeDeferral` run once, just before the worker writes a deferral that releases a
 * claimed reward for hours (generate-pending.server.ts, leavePending: `claimedBy: null` and a
 * `nextAttemptAt` more than an hour ahead) — the moment between the worker's look at what it waits
 * for (the shop's pause, the amounts under review) and that write.
 */
export function dbWithHookBeforeDeferral(db: Db, beforeDeferral: () => Promise<void>): Db {
  const deferring = (args: unknown) => {
    const data = (args as { data?: { nextAttemptAt?: unknown; claimedBy?: unknown } }).data;
    return data?.claimedBy === null && data.nextAttemptAt instanceof Date && data.nextAttemptAt.getTime() > Date.now() + FAR_AHEAD_MS;
  };
  let ran = false;
  const reward = new Proxy(db.reward, {
    get(target, prop, receiver) {
      if (prop !== "updateMany") return Reflect.get(target, prop, receiver);
      return async (args: Parameters<Db["reward"]["updateMany"]>[0]) => {
        if (!ran && deferring(args)) {
          ran = true;
          await beforeDeferral();
        }
        return target.updateMany(args);
      };
    },
  });
  return new Proxy(db, { get: (target, prop, receiver) => (prop === "reward" ? reward : Reflect.get(target, prop, receiver)) });
}
