// Claiming due reward work from the database, safe with any number of worker processes.
//
// Due work = a reward with `nextAttemptAt <= now` and no live lease:
//   PENDING            → generate it in Shopify;
//   CANCELED / FAILED  → `nextAttemptAt` is a cleanup marker: make sure its code is dead in Shopify.
// A claim is a lease (claimedBy, claimedUntil): a worker that dies simply lets it run out and the
// reward comes back. Every later write of the worker is a compare-and-set on `claimedBy = me`.
//
// The claim itself is the app's one lease mechanism (app/claim-rows.server.ts): one statement,
// FOR UPDATE SKIP LOCKED on PostgreSQL, a compare-and-set over the batch on SQLite.
import { Prisma, type Reward } from "@prisma/client";
import { claimRows, currentProvider, type LeaseTable } from "~/claim-rows.server";
import type { Db, DbProvider } from "~/db.server";

export { currentProvider };

export const CLAIMABLE_STATUSES = ["PENDING", "CANCELED", "FAILED"] as const;

export interface ClaimOptions {
  workerId: string;
  now: Date;
  limit: number;
  leaseMs: number;
  provider?: DbProvider;
  /** Leave these shops' rewards alone (a worker round's fairness: app/jobs/worker.server.ts `runWorkerOnce`). */
  excludeShops?: readonly string[];
}

const REWARD_WORK: LeaseTable = {
  table: "Reward",
  claimable: Prisma.sql`"status" IN (${Prisma.join([...CLAIMABLE_STATUSES])})`,
  updatedAt: true,
};

/** Claims up to `limit` due rewards (a lease), longest-waiting first. */
export async function claimDueRewards(db: Db, options: ClaimOptions): Promise<Reward[]> {
  const { excludeShops, ...claim } = options;
  const ids = await claimRows(db, REWARD_WORK, {
    ...claim,
    ...(excludeShops && excludeShops.length > 0 ? { where: Prisma.sql`"shop" NOT IN (${Prisma.join([...excludeShops])})` } : {}),
  });
  if (ids.length === 0) return [];
  const rewards = await db.reward.findMany({ where: { id: { in: ids }, claimedBy: options.workerId } });
  return rewards.sort((a, b) => (a.nextAttemptAt?.getTime() ?? 0) - (b.nextAttemptAt?.getTime() ?? 0));
}

/** Gives claimed rewards back at once (graceful shutdown), instead of letting their leases run out. */
export async function releaseClaims(db: Db, workerId: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db.reward.updateMany({
    where: { id: { in: ids }, claimedBy: workerId },
    data: { claimedBy: null, claimedUntil: null },
  });
  return r.count;
}
