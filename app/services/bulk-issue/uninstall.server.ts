// Bulk issue when the app is uninstalled from a shop (docs/decisions/024): the shop's jobs stop.
// Its own module, importing only the database type and the job states, so that the lifecycle code
// (app/services/lifecycle/lifecycle.server.ts, which applies app/uninstalled) can call it without
// importing the rest of bulk issue (and, through it, the lifecycle code again).
import type { Db } from "~/db.server";
import { APP_UNINSTALLED, ISSUING_STATES } from "~/domain/bulk-issue";

/**
 * app/uninstalled: the shop's queued and running jobs stop, marked Paused with the reason, so no
 * further reward is saved for them and the merchant sees why. A reinstall does not resume them: the
 * merchant resumes each one (its customers already issued keep their reward and are never issued
 * twice). Rewards already saved stay Pending and are created once the app is installed again, like
 * every Pending reward of the shop (app/services/lifecycle/lifecycle.server.ts). Idempotent.
 * Returns how many jobs stopped.
 */
export async function stopJobsForUninstalledShop(db: Db, shop: string, now: Date = new Date()): Promise<number> {
  const stopped = await db.bulkIssueJob.updateMany({
    where: { shop, state: { in: [...ISSUING_STATES] } },
    data: {
      state: "PAUSED",
      pausedAt: now,
      lastErrorCode: APP_UNINSTALLED,
      lastErrorMessage: "The app was uninstalled from the store, so this bulk issue stopped: no more rewards were created. Customers who got theirs keep them; resume it to issue the rest.",
    },
  });
  return stopped.count;
}
