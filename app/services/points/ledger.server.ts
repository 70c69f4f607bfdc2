// The points ledger: the ONLY writer of Customer.pointsBalance / pendingPoints / pointsShortfall and
// of PointsTransaction rows (docs/decisions/019). Every change is one append-only row with its source.
//
// Invariants, for every customer:
//   pointsBalance   = Σ delta of AVAILABLE rows   (never below zero)
//   pendingPoints   = Σ delta of PENDING rows   (HELD rows have no points: an order waiting to earn)
//   pointsShortfall = Σ shortfall
// Concurrency: every write first locks the customer's row (an UPDATE — a row lock on PostgreSQL,
// the write lock on SQLite), then reads and writes under it, so concurrent orders, refunds and
// redemptions of one customer are serialized and each sees the others' committed rows. A row with a
// `sourceKey` happens once per shop (looked up under the lock; the unique index is the backstop).
import type { PointsTransaction, Prisma } from "@prisma/client";
import type { Db } from "~/db.server";
import { isUniqueViolation } from "~/db.server";
import { MAX_POINTS, overLimitNote, sourceKeys, splitTakeBack, type LedgerActor, type LedgerReason } from "~/domain/points";

export type Tx = Prisma.TransactionClient;

export interface EntrySource {
  shop: string;
  customerId: string;
  reason: LedgerReason;
  actor: LedgerActor;
  /** Who, for a merchant (staff user id or email); never free text. */
  actorId?: string | null;
  sourceKey?: string | null;
  orderGid?: string | null;
  orderName?: string | null;
  refundId?: string | null;
  rewardId?: string | null;
  /** App-written text (or the merchant's adjustment reason); erased by customers/redact. */
  note?: string | null;
  /** Shop-currency amount the row was computed from. */
  amount?: string | null;
  /** An order's earned row: whether the order's prices include tax (what its refunds are read by). */
  taxesIncluded?: boolean | null;
  /** An order's held or earned row: the order is a test order (`test: true`); false otherwise. */
  testOrder?: boolean;
  /** An order's EARNING_HELD row held for its currency: the order's shop currency (orders/create `currency`). */
  orderCurrency?: string | null;
  now: Date;
}

export type LedgerWrite =
  | { type: "written"; entry: PointsTransaction }
  | { type: "duplicate"; entry: PointsTransaction }
  /** A credit past MAX_POINTS recorded as refused (`overLimit: "record"`): a row of no points saying why. */
  | { type: "over_limit"; entry: PointsTransaction }
  | { type: "nothing" };

/** A credit that would take the customer's points (balance + pending) past MAX_POINTS: nothing is written. */
export class PointsLimitError extends Error {
  constructor(points: number, held: number) {
    super(`crediting ${points} points to a customer holding ${held} would pass ${MAX_POINTS}, the most the ledger can hold: nothing was credited`);
    this.name = "PointsLimitError";
  }
}

export class InsufficientPointsError extends Error {
  constructor() {
    super("not enough points");
    this.name = "InsufficientPointsError";
  }
}

/** Locks the customer's row for the rest of the transaction and returns its current balances. */
export async function lockCustomer(tx: Tx, customerId: string) {
  return tx.customer.update({
    where: { id: customerId },
    data: { pointsShortfall: { increment: 0 } },
    select: { id: true, shop: true, pointsBalance: true, pendingPoints: true, lastActivityAt: true },
  });
}

async function existing(tx: Tx, shop: string, sourceKey: string | null | undefined): Promise<PointsTransaction | null> {
  if (!sourceKey) return null;
  return tx.pointsTransaction.findUnique({ where: { shop_sourceKey: { shop, sourceKey } } });
}

function rowData(source: EntrySource) {
  return {
    shop: source.shop,
    customerId: source.customerId,
    reason: source.reason,
    actor: source.actor,
    actorId: source.actorId ?? null,
    sourceKey: source.sourceKey ?? null,
    orderGid: source.orderGid ?? null,
    orderName: source.orderName ?? null,
    refundId: source.refundId ?? null,
    rewardId: source.rewardId ?? null,
    note: source.note ?? null,
    amount: source.amount ?? null,
    taxesIncluded: source.taxesIncluded ?? null,
    testOrder: source.testOrder ?? false,
    orderCurrency: source.orderCurrency ?? null,
    createdAt: source.now,
  };
}

/**
 * A row of no points under its source key: something that happened to the customer's points but
 * moved none — a cancel of an order that has not earned (yet), a refund too small to take back a
 * point on its own — so it counts once, later rows can build on it (a refund's `amount`), and the
 * history shows it.
 */
export async function recordNoPointsInTx(tx: Tx, source: EntrySource, status: "AVAILABLE" | "HELD" = "AVAILABLE"): Promise<LedgerWrite> {
  const customer = await lockCustomer(tx, source.customerId);
  const dup = await existing(tx, source.shop, source.sourceKey);
  if (dup) return { type: "duplicate", entry: dup };
  const entry = await tx.pointsTransaction.create({ data: { ...rowData(source), delta: 0, balanceAfter: customer.pointsBalance, status } });
  return { type: "written", entry };
}

/**
 * An order's EARNING_HELD row (a row of no points, HELD: recordNoPointsInTx) is decided — it earned,
 * or was canceled first: HELD → AVAILABLE, under the customer's lock the caller holds. False when it
 * was not HELD (decided by another pass, or there is none).
 */
export async function decideHeldEarningInTx(tx: Tx, shop: string, orderGid: string): Promise<boolean> {
  const flipped = await tx.pointsTransaction.updateMany({ where: { shop, sourceKey: sourceKeys.orderHeld(orderGid), status: "HELD" }, data: { status: "AVAILABLE" } });
  return flipped.count > 0;
}

/** Activity that restarts the expiry clock (earning, spending, bonuses, adjustments — not expiry itself). */
function isActivity(reason: LedgerReason): boolean {
  return !["EXPIRED", "ORDER_REFUNDED", "ORDER_CANCELED", "REFUND_REVERSED", "REDEMPTION_REFUND"].includes(reason);
}

export interface CreditSource extends EntrySource {
  points: number;
  availableAt?: Date | null;
  /**
   * A credit that would pass MAX_POINTS: "throw" (PointsLimitError, for a merchant who is answered at
   * once) or "record" — a row of no points with the reason as its note, keyed like the credit, so a
   * webhook or the worker reaches an outcome once instead of failing on every retry.
   */
  overLimit?: "throw" | "record";
}

/**
 * Adds points inside the caller's transaction: spendable at once, or PENDING until `availableAt`.
 * A repeated `sourceKey` writes nothing and returns the first row (`duplicate`).
 */
export async function creditPointsInTx(tx: Tx, source: CreditSource): Promise<LedgerWrite> {
  if (!Number.isSafeInteger(source.points) || source.points <= 0) return { type: "nothing" };
  const customer = await lockCustomer(tx, source.customerId);
  const dup = await existing(tx, source.shop, source.sourceKey);
  if (dup) return { type: "duplicate", entry: dup };
  const held = customer.pointsBalance + customer.pendingPoints;
  if (held + source.points > MAX_POINTS) {
    if (source.overLimit !== "record") throw new PointsLimitError(source.points, held);
    const entry = await tx.pointsTransaction.create({
      data: { ...rowData(source), note: [source.note, overLimitNote(source.points, held)].filter(Boolean).join(" — "), delta: 0, balanceAfter: customer.pointsBalance, status: "AVAILABLE" },
    });
    return { type: "over_limit", entry };
  }
  const pending = !!source.availableAt && source.availableAt.getTime() > source.now.getTime();
  const updated = await tx.customer.update({
    where: { id: customer.id },
    data: {
      ...(pending ? { pendingPoints: { increment: source.points } } : { pointsBalance: { increment: source.points } }),
      ...(isActivity(source.reason) ? { lastActivityAt: source.now } : {}),
    },
    select: { pointsBalance: true },
  });
  const entry = await tx.pointsTransaction.create({
    data: {
      ...rowData(source),
      delta: source.points,
      balanceAfter: updated.pointsBalance,
      status: pending ? "PENDING" : "AVAILABLE",
      availableAt: pending ? source.availableAt! : null,
    },
  });
  return { type: "written", entry };
}

/**
 * Takes points inside the caller's transaction.
 *   mode "require": all of them from the available balance, or InsufficientPointsError (a redemption);
 *   mode "clamp":   as many as there are — first from `pendingOf` (points of the same order still on
 *                   hold), then from the available balance; what is missing is recorded as shortfall.
 * `customerData` is written to the customer in the same update (e.g. releasing a redemption lock).
 */
export async function debitPointsInTx(
  tx: Tx,
  source: EntrySource & {
    points: number;
    mode: "require" | "clamp";
    pendingOf?: { orderGid: string };
    customerData?: Prisma.CustomerUpdateInput;
  },
): Promise<LedgerWrite> {
  if (!Number.isSafeInteger(source.points) || source.points <= 0) return { type: "nothing" };
  const customer = await lockCustomer(tx, source.customerId);
  const dup = await existing(tx, source.shop, source.sourceKey);
  if (dup) return { type: "duplicate", entry: dup };

  let fromPending = 0;
  let pendingAvailableAt: Date | null = null;
  if (source.pendingOf && source.mode === "clamp") {
    const rows = await tx.pointsTransaction.findMany({
      where: { shop: source.shop, customerId: customer.id, orderGid: source.pendingOf.orderGid, status: "PENDING" },
      select: { delta: true, availableAt: true },
    });
    fromPending = Math.max(0, rows.reduce((s, r) => s + r.delta, 0));
    pendingAvailableAt = rows.find((r) => r.availableAt)?.availableAt ?? null;
  }
  const split =
    source.mode === "require"
      ? customer.pointsBalance >= source.points
        ? { pending: 0, available: source.points, shortfall: 0 }
        : null
      : splitTakeBack(source.points, fromPending, customer.pointsBalance);
  if (!split) throw new InsufficientPointsError();

  const activity = isActivity(source.reason) ? { lastActivityAt: source.now } : {};
  const updated = await tx.customer.update({
    where: { id: customer.id },
    data: {
      pointsBalance: { decrement: split.available },
      pendingPoints: { decrement: split.pending },
      pointsShortfall: { increment: split.shortfall },
      ...activity,
      ...(source.customerData ?? {}),
    },
    select: { pointsBalance: true },
  });
  if (updated.pointsBalance < 0) throw new Error("ledger invariant: the balance would go below zero");
  const base = rowData(source);
  // Points taken from the pending hold are a PENDING row (they were never spendable); the rest is
  // an AVAILABLE row. Only one row per source key: the pending part keeps the key when alone.
  let entry: PointsTransaction | null = null;
  if (split.pending > 0) {
    entry = await tx.pointsTransaction.create({
      data: {
        ...base,
        sourceKey: split.available > 0 || split.shortfall > 0 ? (source.sourceKey ? `${source.sourceKey}:pending` : null) : base.sourceKey,
        delta: -split.pending,
        balanceAfter: updated.pointsBalance + (split.available > 0 ? split.available : 0),
        status: "PENDING",
        availableAt: pendingAvailableAt,
      },
    });
  }
  if (split.available > 0 || split.shortfall > 0 || !entry) {
    entry = await tx.pointsTransaction.create({
      data: { ...base, delta: -split.available, balanceAfter: updated.pointsBalance, shortfall: split.shortfall, status: "AVAILABLE" },
    });
  }
  return { type: "written", entry };
}

/** Runs `fn` in its own transaction; a unique violation on the source key (a twin that won) is a duplicate. */
export async function inLedgerTransaction(db: Db, shop: string, sourceKey: string | null | undefined, fn: (tx: Tx) => Promise<LedgerWrite>): Promise<LedgerWrite> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.$transaction(fn, { maxWait: 20_000, timeout: 20_000 });
    } catch (error) {
      if (isUniqueViolation(error) && sourceKey) {
        const row = await db.pointsTransaction.findUnique({ where: { shop_sourceKey: { shop, sourceKey } } });
        if (row) return { type: "duplicate", entry: row };
      }
      // PostgreSQL may abort one of two transactions that lock each other's rows; try again.
      if (attempt < 3 && isRetryableConflict(error)) continue;
      throw error;
    }
  }
}

/** A conflict PostgreSQL resolves by aborting one transaction (deadlock, serialization): worth another try. */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = String((error as { message?: unknown } | null)?.message ?? "");
  return code === "P2034" || /deadlock|could not serialize|write conflict/i.test(message);
}

export function creditPoints(db: Db, source: CreditSource): Promise<LedgerWrite> {
  return inLedgerTransaction(db, source.shop, source.sourceKey, (tx) => creditPointsInTx(tx, source));
}

export function debitPoints(db: Db, source: Parameters<typeof debitPointsInTx>[1]): Promise<LedgerWrite> {
  return inLedgerTransaction(db, source.shop, source.sourceKey, (tx) => debitPointsInTx(tx, source));
}

/**
 * Pending points whose hold has ended become spendable: per customer, in one transaction under the
 * customer's lock, each due PENDING row flips to AVAILABLE (compare-and-set on its status) and its
 * points move from pendingPoints to pointsBalance. Returns how many rows were released.
 */
export async function releasePendingPoints(db: Db, now: Date, limit = 500): Promise<number> {
  const due = await db.pointsTransaction.findMany({
    where: { status: "PENDING", availableAt: { lte: now } },
    select: { customerId: true },
    distinct: ["customerId"],
    take: limit,
  });
  let released = 0;
  for (const { customerId } of due) {
    released += await db.$transaction(
      async (tx) => {
        await lockCustomer(tx, customerId);
        const rows = await tx.pointsTransaction.findMany({
          where: { customerId, status: "PENDING", availableAt: { lte: now } },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        });
        let moved = 0;
        let count = 0;
        const customer = await tx.customer.findUniqueOrThrow({ where: { id: customerId }, select: { pointsBalance: true } });
        let balance = customer.pointsBalance;
        for (const row of rows) {
          balance += row.delta;
          const flipped = await tx.pointsTransaction.updateMany({ where: { id: row.id, status: "PENDING" }, data: { status: "AVAILABLE", balanceAfter: balance } });
          if (flipped.count === 1) {
            moved += row.delta;
            count++;
          } else balance -= row.delta;
        }
        if (moved !== 0) await tx.customer.update({ where: { id: customerId }, data: { pointsBalance: { increment: moved }, pendingPoints: { decrement: moved } } });
        return count;
      },
      { maxWait: 20_000, timeout: 20_000 },
    );
  }
  return released;
}

/** Checks the invariants for one customer (tests, support): the stored balances equal the ledger's sums. */
export async function ledgerTotals(db: Db | Tx, customerId: string) {
  const rows = await db.pointsTransaction.groupBy({ by: ["status"], where: { customerId }, _sum: { delta: true, shortfall: true } });
  const available = rows.find((r) => r.status === "AVAILABLE")?._sum.delta ?? 0;
  const pending = rows.find((r) => r.status === "PENDING")?._sum.delta ?? 0;
  const shortfall = rows.reduce((s, r) => s + (r._sum.shortfall ?? 0), 0);
  return { available, pending, shortfall };
}
