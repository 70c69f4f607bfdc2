// The points program's periodic work (run by the worker, app/jobs/tasks.server.ts):
//   pending points whose hold ended become spendable (ledger.releasePendingPoints);
//   birthday bonuses, once a year per customer (key: customer + year), within a week after the day;
//   expiry: a customer's available points expire N months after their last activity (one EXPIRED
//   row keyed by that last activity, so it happens once and restarts with new activity).
import type { Db } from "~/db.server";
import { expiryCandidatesCutoff, latestBirthday, parseBirthday, pointsExpireAt, sourceKeys } from "~/domain/points";
import { creditPointsInTx, debitPointsInTx, inLedgerTransaction, lockCustomer, releasePendingPoints } from "./ledger.server";
import { releaseHeldEarnings } from "./order-points.server";

/** A birthday missed by more than this (the worker was down) is not awarded late. */
const BIRTHDAY_WINDOW_MS = 7 * 86_400_000;
const PAGE = 200;

export { releasePendingPoints };

export async function awardBirthdayBonuses(db: Db, now: Date): Promise<number> {
  const shops = await db.programSettings.findMany({ where: { enabled: true, birthdayBonus: { gt: 0 } }, select: { shop: true, birthdayBonus: true } });
  let awarded = 0;
  for (const { shop, birthdayBonus } of shops) {
    let after: string | undefined;
    for (;;) {
      const page = await db.customer.findMany({
        where: { shop, birthday: { not: null }, ...(after ? { id: { gt: after } } : {}) },
        select: { id: true, birthday: true },
        orderBy: { id: "asc" },
        take: PAGE,
      });
      for (const c of page) {
        // The latest birthday (last year's in early January, before this year's): not more than a
        // week ago (not awarded late); keyed by that birthday's year, so once whatever year it is now.
        const birthday = parseBirthday(c.birthday);
        if (!birthday) continue;
        const latest = latestBirthday(birthday, now);
        if (now.getTime() - latest.at.getTime() >= BIRTHDAY_WINDOW_MS) continue;
        const sourceKey = sourceKeys.birthday(c.id, latest.year);
        const write = await inLedgerTransaction(db, shop, sourceKey, (tx) =>
          creditPointsInTx(tx, { shop, customerId: c.id, points: birthdayBonus, reason: "BIRTHDAY_BONUS", actor: "WORKER", sourceKey, overLimit: "record", now }),
        );
        if (write.type === "written") awarded++;
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.id;
    }
  }
  return awarded;
}

export async function expireInactivePoints(db: Db, now: Date): Promise<number> {
  const shops = await db.programSettings.findMany({ where: { expiryMonths: { not: null } }, select: { shop: true, expiryMonths: true } });
  let expired = 0;
  for (const { shop, expiryMonths } of shops) {
    if (!expiryMonths) continue;
    // The cutoff comes from the month arithmetic that dates the expiry (pointsExpireAt, what the
    // customer is told): `now − N months` left out 31 January's customers on 28 February.
    const cutoff = expiryCandidatesCutoff(now, expiryMonths);
    // Paged by customer id: a customer expired (or active again) while the pass runs neither shifts
    // the pages nor comes back in a later one, and candidates not due yet never end the pass.
    let after: string | undefined;
    for (;;) {
      const page = await db.customer.findMany({
        where: { shop, pointsBalance: { gt: 0 }, lastActivityAt: { lte: cutoff }, ...(after ? { id: { gt: after } } : {}) },
        select: { id: true, lastActivityAt: true },
        orderBy: { id: "asc" },
        take: PAGE,
      });
      for (const c of page) {
        // At or before the cutoff yet not due: a later time of day clamped to the same date.
        if (!isExpired(c.lastActivityAt, expiryMonths, now)) continue;
        const sourceKey = sourceKeys.expiry(c.id, c.lastActivityAt);
        const write = await inLedgerTransaction(db, shop, sourceKey, async (tx) => {
          const locked = await lockCustomer(tx, c.id);
          // Activity since we looked, or nothing left: nothing expires.
          if (locked.pointsBalance <= 0 || !isExpired(locked.lastActivityAt, expiryMonths, now)) return { type: "nothing" };
          // Points released from hold after an expiry, with no activity since, expire as well: one
          // more row for the same last activity (counted under the lock, so a twin pass finds 0 left).
          const first = sourceKeys.expiry(c.id, locked.lastActivityAt);
          const earlier = await tx.pointsTransaction.count({ where: { shop, customerId: c.id, reason: "EXPIRED", sourceKey: { startsWith: first } } });
          return debitPointsInTx(tx, { shop, customerId: c.id, points: locked.pointsBalance, mode: "clamp", reason: "EXPIRED", actor: "WORKER", sourceKey: sourceKeys.expiry(c.id, locked.lastActivityAt, earlier), now });
        });
        if (write.type === "written") expired++;
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.id;
    }
  }
  return expired;
}

function isExpired(lastActivityAt: Date, expiryMonths: number, now: Date): boolean {
  const expiresAt = pointsExpireAt(lastActivityAt, expiryMonths);
  return expiresAt !== null && expiresAt.getTime() <= now.getTime();
}

/** One pass of everything above (the worker's "points program" task). */
export async function runPointsProgramTasks(db: Db, now: Date): Promise<{ heldEarned: number; released: number; birthdays: number; expired: number }> {
  // Orders held while the earning rule waited for review earn first, once it is confirmed (docs/decisions/015).
  const heldEarned = await releaseHeldEarnings(db);
  const released = await releasePendingPoints(db, now);
  const birthdays = await awardBirthdayBonuses(db, now);
  const expired = await expireInactivePoints(db, now);
  return { heldEarned, released, birthdays, expired };
}

