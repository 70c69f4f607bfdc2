// Claiming rows of a work table as leases: ONE mechanism for every queue in the app — reward work
// (app/jobs/claim.server.ts) and the webhook inbox (app/services/webhooks/inbox.server.ts).
//
// A row is claimable when it is due (`nextAttemptAt <= now`), has no live lease (`claimedUntil`
// null or past) and meets the table's own condition. A claim sets the lease (claimedBy,
// claimedUntil); a worker that dies lets it run out and the row comes back. Later writes of the
// worker are compare-and-set on `claimedBy = me`.
//
// One statement on both databases: `UPDATE … WHERE id IN (SELECT … ORDER BY nextAttemptAt LIMIT n)
// … RETURNING id`.
//   PostgreSQL: the subquery locks its rows FOR UPDATE SKIP LOCKED, so concurrent claimers never
//     wait on or take each other's rows. Nothing else goes in the outer WHERE: with another
//     condition there, PostgreSQL may run the locking subquery more than once per statement (a
//     rescan that SKIP LOCKED answers with further rows) and take more than `limit` rows.
//   SQLite: one writer at a time, and an UPDATE takes the write lock before it reads, so the
//     statement — which checks "still due and free" again on the rows it writes — is a
//     compare-and-set over the whole batch: no other writer runs between choosing the rows and
//     taking them (also across processes sharing the file).
import { Prisma } from "@prisma/client";
import { providerOf, type Db, type DbProvider } from "~/db.server";

export function currentProvider(): DbProvider {
  return providerOf(process.env.DATABASE_URL ?? "file:./dev.sqlite");
}

export interface LeaseTable {
  /** The model's table (a fixed name, never input). */
  table: "Reward" | "WebhookDelivery";
  /** What else makes a row claimable, as SQL over the table's columns (e.g. a status list). */
  claimable?: Prisma.Sql;
  /** The table has Prisma's `@updatedAt` column, which raw SQL must set itself. */
  updatedAt?: boolean;
}

export interface LeaseClaim {
  workerId: string;
  now: Date;
  /** At most this many rows (at least 1). */
  limit: number;
  leaseMs: number;
  provider?: DbProvider;
  /** A further condition for this claim only (SQL over the table's columns). */
  where?: Prisma.Sql;
}

/**
 * A timestamp parameter as each provider's Prisma adapter stores `DateTime`: PostgreSQL columns are
 * `timestamp(3)` holding UTC, so the parameter is cast explicitly and the session time zone can
 * never shift it; on SQLite a `Date` parameter is encoded by the adapter exactly as for Prisma's own
 * writes (ISO-8601 text, which compares in time order).
 */
export function sqlTimestamp(provider: DbProvider, at: Date): Prisma.Sql {
  return provider === "postgresql" ? Prisma.sql`(${at.toISOString()})::timestamptz AT TIME ZONE 'UTC'` : Prisma.sql`${at}`;
}

/** Claims up to `limit` claimable rows, longest-waiting first; returns their ids (in no particular order). */
export async function claimRows(db: Db, table: LeaseTable, claim: LeaseClaim): Promise<string[]> {
  const provider = claim.provider ?? currentProvider();
  const now = sqlTimestamp(provider, claim.now);
  const until = sqlTimestamp(provider, new Date(claim.now.getTime() + claim.leaseMs));
  const limit = Math.max(1, Math.floor(claim.limit));
  const name = Prisma.raw(`"${table.table}"`);
  const free = Prisma.sql`"nextAttemptAt" <= ${now} AND ("claimedUntil" IS NULL OR "claimedUntil" < ${now})${table.claimable ? Prisma.sql` AND ${table.claimable}` : Prisma.empty}${claim.where ? Prisma.sql` AND ${claim.where}` : Prisma.empty}`;
  const rows = await db.$queryRaw<{ id: string }[]>(Prisma.sql`
    UPDATE ${name}
       SET "claimedBy" = ${claim.workerId},
           "claimedUntil" = ${until}${table.updatedAt ? Prisma.sql`, "updatedAt" = ${now}` : Prisma.empty}
     WHERE "id" IN (
           SELECT "id" FROM ${name}
            WHERE ${free}
            ORDER BY "nextAttemptAt" ASC
            LIMIT ${limit}${provider === "postgresql" ? Prisma.sql` FOR UPDATE SKIP LOCKED)` : Prisma.sql`)
       AND ${free}`}
 RETURNING "id"`);
  return rows.map((row) => row.id);
}
