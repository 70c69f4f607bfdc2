// Claiming due reward work from the database, safe with any number of worker processes.
//
// Due work = a reward with `nextAttemptAt <= now` and no live lease:
//   PENDING            → generate it in Shopify;
//   CANCELED / FAILED  → `nextAttemptAt` is a cleanup marker: make sure its code is dead in Shopify.
// A claim is a lease (claimedBy, claimedUntil): a worker that dies simply lets it run out and the
// reward comes back. Every later write of the worker is a compare-and-set on `claimedBy = me`.
//
// PostgreSQL: one statement, rows locked with FOR UPDATE SKIP LOCKED, so concurrent claimers never
// wait on or take each other's rows. SQLite (one writer at a time): candidates are read, then each
// is taken with a conditional update that only succeeds while it is still unclaimed and due.
import { Prisma, type Reward } from "@prisma/client";
import { providerOf, type Db, type DbProvider } from "~/db.server";

export const CLAIMABLE_STATUSES = ["PENDING", "CANCELED", "FAILED"] as const;

export interface ClaimOptions {
  workerId: string;
  now: Date;
  limit: number;
  leaseMs: number;
  provider?: DbProvider;
}

export function currentProvider(): DbProvider {
  return providerOf(process.env.DATABASE_URL ?? "file:./dev.sqlite");
}

function dueWhere(now: Date): Prisma.RewardWhereInput {
  return {
    status: { in: [...CLAIMABLE_STATUSES] },
    nextAttemptAt: { lte: now },
    OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }],
  };
}

export async function claimDueRewards(db: Db, options: ClaimOptions): Promise<Reward[]> {
  const provider = options.provider ?? currentProvider();
  const until = new Date(options.now.getTime() + options.leaseMs);
  const limit = Math.max(1, Math.floor(options.limit));
  let ids: string[];

  if (provider === "postgresql") {
    // Timestamps are `timestamp(3)` holding UTC; the parameters are cast explicitly so the session
    // time zone can never shift the comparison.
    const now = options.now.toISOString();
    const rows = await db.$queryRaw<{ id: string }[]>(Prisma.sql`
      UPDATE "Reward"
         SET "claimedBy" = ${options.workerId},
             "claimedUntil" = (${until.toISOString()})::timestamptz AT TIME ZONE 'UTC',
             "updatedAt" = (${now})::timestamptz AT TIME ZONE 'UTC'
       WHERE "id" IN (
             SELECT "id" FROM "Reward"
              WHERE "status" IN (${Prisma.join([...CLAIMABLE_STATUSES])})
                AND "nextAttemptAt" <= (${now})::timestamptz AT TIME ZONE 'UTC'
                AND ("claimedUntil" IS NULL OR "claimedUntil" < (${now})::timestamptz AT TIME ZONE 'UTC')
              ORDER BY "nextAttemptAt" ASC
              LIMIT ${limit}
                FOR UPDATE SKIP LOCKED)
   RETURNING "id"`);
    ids = rows.map((r) => r.id);
  } else {
    // Read a wider window than we need: when another worker is claiming the same rows, we
    // switch to a random order over the rest so the two stop colliding row by row.
    const candidates = (
      await db.reward.findMany({
        where: dueWhere(options.now),
        orderBy: { nextAttemptAt: "asc" },
        take: limit * 4,
        select: { id: true },
      })
    ).map((c) => c.id);
    ids = [];
    let contended = false;
    for (let i = 0; i < candidates.length && ids.length < limit; i++) {
      // Compare-and-set: still due and unclaimed (another worker may have taken it, processed it
      // and rescheduled it since we read it).
      const taken = await db.reward.updateMany({
        where: { id: candidates[i], ...dueWhere(options.now) },
        data: { claimedBy: options.workerId, claimedUntil: until },
      });
      if (taken.count === 1) {
        ids.push(candidates[i]);
      } else if (!contended) {
        contended = true;
        shuffleTail(candidates, i + 1);
      }
    }
  }
  if (ids.length === 0) return [];
  const rewards = await db.reward.findMany({ where: { id: { in: ids } } });
  const order = new Map(ids.map((id, i) => [id, i]));
  return rewards.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

function shuffleTail(list: string[], from: number): void {
  for (let i = list.length - 1; i > from; i--) {
    const j = from + Math.floor(Math.random() * (i - from + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
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
