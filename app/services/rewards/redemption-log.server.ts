// Every write to a redemption's intent log (Redemption rows) and to the customer's redemption lock,
// as the named moves of the state machine in app/domain/rewards/redemptions.ts. Each move from
// IN_PROGRESS is a compare-and-set fenced by the lease: it applies only while the row still has the
// state the move starts from AND the lease value the caller holds, and reports whether it applied.
// Used by redeem-points.server.ts (the request) and recover-redemptions.server.ts (the sweep);
// nothing else writes Redemption.state or leaseUntil. docs/decisions/011-redemption-state-machine.md.
import type { Prisma, Redemption } from "@prisma/client";
import { ALLOWED_REDEMPTION_MOVES, type RedemptionMove, type RedemptionState } from "~/domain/rewards";
import { isUniqueViolation, type Db } from "~/db.server";

/** The database client or an open transaction. */
type Writer = Db | Prisma.TransactionClient;

/** A redemption as its current owner holds it: the row and the lease value the owner last wrote. */
export type HeldRedemption = Pick<Redemption, "id" | "leaseUntil">;

/** Who holds (or may take) the customer's redemption lock: the customer and the request's key. */
export type LockHolder = Pick<Redemption, "customerId" | "idempotencyKey">;

function fenced(held: HeldRedemption, move: Exclude<RedemptionMove, "START">): { where: Prisma.RedemptionWhereInput; state: RedemptionState } {
  const rule = ALLOWED_REDEMPTION_MOVES[move];
  return { where: { id: held.id, state: rule.from as RedemptionState, leaseUntil: held.leaseUntil }, state: rule.to };
}

async function applied(result: Promise<{ count: number }>): Promise<boolean> {
  return (await result).count === 1;
}

/**
 * START: inserts the redemption IN_PROGRESS with its code chosen and a lease. A twin request with
 * the same idempotency key may have inserted it first: then nothing is written and the caller
 * looks the row up again.
 */
export async function startRedemption(
  db: Writer,
  data: Pick<Redemption, "shop" | "customerId" | "idempotencyKey" | "templateId" | "code" | "leaseUntil"> & Partial<Pick<Redemption, "points">>,
): Promise<Redemption | "twin_inserted"> {
  try {
    return await db.redemption.create({ data: { ...data, state: ALLOWED_REDEMPTION_MOVES.START.to } });
  } catch (error) {
    if (isUniqueViolation(error)) return "twin_inserted";
    throw error;
  }
}

/** TAKE_OVER: takes a redemption whose lease ended (a repeat of the request, or the recovery sweep). */
export async function takeOverRedemption(db: Writer, held: HeldRedemption, leaseUntil: Date): Promise<boolean> {
  const { where } = fenced(held, "TAKE_OVER");
  return applied(db.redemption.updateMany({ where, data: { leaseUntil } }));
}

/** RENEW: the owner moves its own lease (later to keep working, or back to hand the redemption back). */
export async function renewRedemptionLease(db: Writer, held: HeldRedemption, leaseUntil: Date): Promise<boolean> {
  const { where } = fenced(held, "RENEW");
  return applied(db.redemption.updateMany({ where, data: { leaseUntil } }));
}

/** COMPLETE (inside the commit transaction): the reward saved with the redemption's id is its outcome. */
export async function completeRedemption(tx: Writer, held: HeldRedemption, rewardId: string): Promise<boolean> {
  const { where, state } = fenced(held, "COMPLETE");
  return applied(tx.redemption.updateMany({ where, data: { state, rewardId, errorReason: null } }));
}

/** FAIL: nothing usable is left in Shopify; the same failure is reported to every repeat. Releases the customer's lock. */
export async function failRedemption(db: Writer, held: HeldRedemption & LockHolder, reason: string): Promise<boolean> {
  const { where, state } = fenced(held, "FAIL");
  const done = await applied(db.redemption.updateMany({ where, data: { state, errorReason: reason } }));
  await releaseCustomerLock(db, held);
  return done;
}

/**
 * LEAVE_FOR_RECOVERY: our code may exist in Shopify but we could not find out (or remove it). The
 * lease ends now, so a repeat of the request resumes it (adopting the code) or the recovery sweep
 * removes the code and abandons it. Releases the customer's lock.
 */
export async function leaveRedemptionForRecovery(db: Writer, held: HeldRedemption & LockHolder, reason: string, now: Date): Promise<boolean> {
  const { where } = fenced(held, "LEAVE_FOR_RECOVERY");
  const done = await applied(db.redemption.updateMany({ where, data: { leaseUntil: now, errorReason: reason } }));
  await releaseCustomerLock(db, held);
  return done;
}

/**
 * The errorReason of an IN_PROGRESS redemption whose store credit (a kind whose removal takes again:
 * docs/decisions/012) is being, or was, taken back by its owner — written before Shopify is asked
 * (recordTakeBack), so a process that dies between Shopify's debit and its own commit cannot have the
 * debit repeated by the recovery sweep, and a repeat of the request cannot adopt the debited credit.
 * Never a final reason: FAIL writes its own, ABANDON writes "abandoned" over it.
 */
export const TAKE_BACK_STARTED = "take_back_started";

/**
 * Records, fenced by the lease, that the owner is taking the redemption's Shopify object back
 * (generate.server.ts, removeOnce). false when it was recorded before; throws when the lease is lost.
 */
export async function recordTakeBack(db: Writer, held: HeldRedemption): Promise<boolean> {
  const marked = await db.redemption.updateMany({
    where: { id: held.id, state: "IN_PROGRESS" satisfies RedemptionState, leaseUntil: held.leaseUntil, OR: [{ errorReason: null }, { errorReason: { not: TAKE_BACK_STARTED } }] },
    data: { errorReason: TAKE_BACK_STARTED },
  });
  if (marked.count === 1) return true;
  const row = await db.redemption.findUnique({ where: { id: held.id }, select: { errorReason: true } });
  if (row?.errorReason === TAKE_BACK_STARTED) return false;
  throw new Error("the redemption is no longer ours (its lease was taken over): its Shopify object was not touched");
}

/** Withdraws recordTakeBack (the take-back certainly did not happen): the reason it had before. */
export async function withdrawTakeBack(db: Writer, held: HeldRedemption & Pick<Redemption, "errorReason">): Promise<void> {
  await db.redemption.updateMany({
    where: { id: held.id, state: "IN_PROGRESS" satisfies RedemptionState, leaseUntil: held.leaseUntil, errorReason: TAKE_BACK_STARTED },
    data: { errorReason: held.errorReason === TAKE_BACK_STARTED ? null : held.errorReason },
  });
}

/** ABANDON (the recovery sweep): whatever code it left was removed; nothing was spent. Releases the customer's lock. */
export async function abandonRedemption(db: Writer, held: HeldRedemption & LockHolder & Pick<Redemption, "errorReason">): Promise<boolean> {
  const { where, state } = fenced(held, "ABANDON");
  const reason = held.errorReason && held.errorReason !== TAKE_BACK_STARTED ? held.errorReason : "abandoned";
  const done = await applied(db.redemption.updateMany({ where, data: { state, errorReason: reason } }));
  await releaseCustomerLock(db, held);
  return done;
}

/** Takes the customer's redemption lock until `until`: free, expired, or already ours (a takeover re-enters). */
export async function lockCustomerForRedemption(db: Writer, holder: LockHolder, now: Date, until: Date): Promise<boolean> {
  return applied(
    db.customer.updateMany({
      where: {
        id: holder.customerId,
        OR: [{ redemptionLockUntil: null }, { redemptionLockUntil: { lt: now } }, { redemptionLockKey: holder.idempotencyKey }],
      },
      data: { redemptionLockKey: holder.idempotencyKey, redemptionLockUntil: until },
    }),
  );
}

/** Releases the customer's redemption lock if this redemption holds it. */
export async function releaseCustomerLock(db: Writer, holder: LockHolder): Promise<void> {
  await db.customer.updateMany({
    where: { id: holder.customerId, redemptionLockKey: holder.idempotencyKey },
    data: { redemptionLockKey: null, redemptionLockUntil: null },
  });
}
