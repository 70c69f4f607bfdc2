// The ledger against the real database (SQLite, and PostgreSQL with --postgres, where the writes
// below truly run at the same time): balances always equal the sums of the rows, never go below
// zero, and a source key writes once whatever the concurrency.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { createCustomer, createShop } from "../../../test/support/factories";
import { creditPoints, debitPoints, InsufficientPointsError, ledgerTotals, releasePendingPoints } from "./ledger.server";

const SHOP = "ledger.myshopify.com";
const NOW = new Date("2026-06-01T10:00:00.000Z");

beforeAll(async () => {
  await createShop(db, SHOP);
});

async function fresh() {
  const c = await createCustomer(db, SHOP);
  await db.customer.update({ where: { id: c.id }, data: { pointsBalance: 0 } });
  return c.id;
}

async function expectConsistent(customerId: string) {
  const c = await db.customer.findUniqueOrThrow({ where: { id: customerId } });
  const t = await ledgerTotals(db, customerId);
  expect([c.pointsBalance, c.pendingPoints, c.pointsShortfall]).toEqual([t.available, t.pending, t.shortfall]);
  expect(c.pointsBalance).toBeGreaterThanOrEqual(0);
  return c;
}

const base = (customerId: string) => ({ shop: SHOP, customerId, actor: "SYSTEM" as const, now: NOW });

describe("points ledger", () => {
  it("a source key writes once, even when twenty writers race with it", async () => {
    const id = await fresh();
    const writes = await Promise.all(
      Array.from({ length: 20 }, () => creditPoints(db, { ...base(id), points: 10, reason: "EARNED", sourceKey: "order:gid://shopify/Order/1:earned" })),
    );
    expect(writes.filter((w) => w.type === "written")).toHaveLength(1);
    expect(writes.filter((w) => w.type === "duplicate")).toHaveLength(19);
    const c = await expectConsistent(id);
    expect(c.pointsBalance).toBe(10);
  });

  it("concurrent earnings, redemptions and take-backs never corrupt the balance", async () => {
    const id = await fresh();
    await creditPoints(db, { ...base(id), points: 100, reason: "ADJUSTMENT" });
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 15; i++) {
      ops.push(creditPoints(db, { ...base(id), points: 7, reason: "EARNED", sourceKey: `order:${i}:earned` }));
      ops.push(
        debitPoints(db, { ...base(id), points: 20, mode: "require", reason: "REDEMPTION", sourceKey: `reward:${i}:redeemed` }).catch((error: unknown) => {
          if (error instanceof InsufficientPointsError) return "refused";
          throw error;
        }),
      );
      ops.push(debitPoints(db, { ...base(id), points: 9, mode: "clamp", reason: "ORDER_REFUNDED", sourceKey: `refund:${i}` }));
    }
    const results = await Promise.all(ops);
    const c = await expectConsistent(id);
    const rows = await db.pointsTransaction.findMany({ where: { customerId: id } });
    const spent = rows.filter((r) => r.reason === "REDEMPTION").length;
    const refused = results.filter((r) => r === "refused").length;
    expect(spent + refused).toBe(15);
    // 100 + 15×7 in; every redemption took exactly 20; refunds took what there was, the rest is shortfall.
    const refundedTaken = rows.filter((r) => r.reason === "ORDER_REFUNDED").reduce((s, r) => s - r.delta, 0);
    expect(refundedTaken + c.pointsShortfall).toBe(15 * 9);
    expect(c.pointsBalance).toBe(100 + 15 * 7 - spent * 20 - refundedTaken);
  });

  it("a redemption needs the whole cost available; pending points don't count until released", async () => {
    const id = await fresh();
    await creditPoints(db, { ...base(id), points: 50, reason: "EARNED", availableAt: new Date(NOW.getTime() + 86_400_000), sourceKey: "order:p:earned", orderGid: "gid://shopify/Order/77" });
    await expect(debitPoints(db, { ...base(id), points: 10, mode: "require", reason: "REDEMPTION" })).rejects.toBeInstanceOf(InsufficientPointsError);
    expect(await releasePendingPoints(db, NOW)).toBe(0);
    await Promise.all([releasePendingPoints(db, new Date(NOW.getTime() + 86_400_000)), releasePendingPoints(db, new Date(NOW.getTime() + 86_400_000))]);
    const c = await expectConsistent(id);
    expect([c.pointsBalance, c.pendingPoints]).toEqual([50, 0]);
  });

  it("a take-back uses the same order's pending points first, then the balance, then records the shortfall", async () => {
    const id = await fresh();
    await creditPoints(db, { ...base(id), points: 30, reason: "ADJUSTMENT" });
    await creditPoints(db, { ...base(id), points: 40, reason: "EARNED", availableAt: new Date(NOW.getTime() + 1000), orderGid: "gid://shopify/Order/5", sourceKey: "o5" });
    await debitPoints(db, { ...base(id), points: 100, mode: "clamp", pendingOf: { orderGid: "gid://shopify/Order/5" }, reason: "ORDER_CANCELED", orderGid: "gid://shopify/Order/5", sourceKey: "c5" });
    const c = await expectConsistent(id);
    expect([c.pointsBalance, c.pendingPoints, c.pointsShortfall]).toEqual([0, 0, 30]);
  });
});
