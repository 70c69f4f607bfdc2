// The redemption log's named moves against the real database: each applies only from the state
// its move starts from and only for the holder of the current lease; the customer lock is taken,
// re-entered and released as the state machine says (app/domain/rewards/redemptions.ts).
import { beforeAll, describe, expect, it } from "vitest";
import type { Customer, Redemption } from "@prisma/client";
import db from "~/db.server";
import { createCustomer, createShop, createTemplate } from "../../../test/support/factories";
import {
  abandonRedemption,
  completeRedemption,
  failRedemption,
  leaveRedemptionForRecovery,
  lockCustomerForRedemption,
  releaseCustomerLock,
  renewRedemptionLease,
  startRedemption,
  takeOverRedemption,
} from "./redemption-log.server";

const SHOP = "redemption-log.myshopify.com";
const T0 = new Date("2026-03-01T10:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

let customer: Customer;
let templateId: string;
let keys = 0;

beforeAll(async () => {
  await createShop(db, SHOP);
  customer = await createCustomer(db, SHOP);
  templateId = (await createTemplate(db, SHOP)).id;
});

async function started(): Promise<Redemption> {
  const r = await startRedemption(db, { shop: SHOP, customerId: customer.id, idempotencyKey: `log-key-${++keys}`, templateId, code: `LOG-${keys}`, leaseUntil: at(60_000) });
  if (r === "twin_inserted") throw new Error("unexpected twin");
  return r;
}
const row = (id: string) => db.redemption.findUniqueOrThrow({ where: { id } });
const lockOf = async () => (await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).redemptionLockKey;

describe("redemption log: fenced moves", () => {
  it("START inserts IN_PROGRESS; the same key again is a twin and writes nothing", async () => {
    const first = await started();
    expect(first).toMatchObject({ state: "IN_PROGRESS", leaseUntil: at(60_000), errorReason: null, rewardId: null });
    const twin = await startRedemption(db, { shop: SHOP, customerId: customer.id, idempotencyKey: first.idempotencyKey, templateId, code: "OTHER", leaseUntil: at(1) });
    expect(twin).toBe("twin_inserted");
    expect(await db.redemption.count({ where: { idempotencyKey: first.idempotencyKey } })).toBe(1);
  });

  it("only the holder of the current lease moves it: a taken-over owner can neither complete nor fail", async () => {
    const r = await started();
    expect(await takeOverRedemption(db, r, at(120_000))).toBe(true);
    // The first owner still believes in its old lease.
    expect(await completeRedemption(db, r, r.id)).toBe(false);
    expect(await failRedemption(db, r, "save_failed")).toBe(false);
    expect(await takeOverRedemption(db, r, at(180_000))).toBe(false);
    expect(await row(r.id)).toMatchObject({ state: "IN_PROGRESS", leaseUntil: at(120_000), errorReason: null });
    // The new owner completes.
    expect(await completeRedemption(db, { id: r.id, leaseUntil: at(120_000) }, r.id)).toBe(true);
    expect(await row(r.id)).toMatchObject({ state: "COMPLETED", rewardId: r.id });
  });

  it.each([
    ["COMPLETED", (r: Redemption) => completeRedemption(db, r, r.id)],
    ["FAILED", (r: Redemption) => failRedemption(db, r, "insufficient_points")],
    ["ABANDONED", (r: Redemption) => abandonRedemption(db, r)],
  ] as const)("%s is final: no move applies to it any more", async (state, end) => {
    const r = await started();
    expect(await end(r)).toBe(true);
    const after = await row(r.id);
    expect(after.state).toBe(state);
    expect(await takeOverRedemption(db, after, at(1))).toBe(false);
    expect(await renewRedemptionLease(db, after, at(1))).toBe(false);
    expect(await leaveRedemptionForRecovery(db, after, "unknown", at(1))).toBe(false);
    expect(await completeRedemption(db, after, r.id)).toBe(false);
    expect(await failRedemption(db, after, "unknown")).toBe(false);
    expect(await abandonRedemption(db, after)).toBe(false);
    expect(await row(r.id)).toEqual(after);
  });

  it("LEAVE_FOR_RECOVERY ends the lease now with the reason; ABANDON keeps that reason", async () => {
    const r = await started();
    expect(await leaveRedemptionForRecovery(db, r, "network_error", at(5_000))).toBe(true);
    const left = await row(r.id);
    expect(left).toMatchObject({ state: "IN_PROGRESS", leaseUntil: at(5_000), errorReason: "network_error" });
    expect(await takeOverRedemption(db, left, at(70_000))).toBe(true);
    expect(await abandonRedemption(db, { ...left, leaseUntil: at(70_000) })).toBe(true);
    expect(await row(r.id)).toMatchObject({ state: "ABANDONED", errorReason: "network_error" });

    const plain = await started();
    expect(await abandonRedemption(db, plain)).toBe(true);
    expect((await row(plain.id)).errorReason).toBe("abandoned");
  });
});

describe("redemption log: the customer's lock", () => {
  it("one redemption at a time: free → taken; another key waits until it expires; the holder re-enters", async () => {
    const a = await started();
    const b = await started();
    expect(await lockCustomerForRedemption(db, a, T0, at(60_000))).toBe(true);
    expect(await lockCustomerForRedemption(db, b, at(1_000), at(61_000))).toBe(false);
    expect(await lockCustomerForRedemption(db, a, at(1_000), at(61_000))).toBe(true); // a takeover of a
    expect(await lockCustomerForRedemption(db, b, at(61_001), at(121_000))).toBe(true); // a's lock expired
    expect(await lockOf()).toBe(b.idempotencyKey);
    await releaseCustomerLock(db, a); // not a's any more: unchanged
    expect(await lockOf()).toBe(b.idempotencyKey);
    await releaseCustomerLock(db, b);
    expect(await lockOf()).toBeNull();
  });

  it.each([
    ["FAIL", (r: Redemption) => failRedemption(db, r, "insufficient_points")],
    ["LEAVE_FOR_RECOVERY", (r: Redemption) => leaveRedemptionForRecovery(db, r, "network_error", at(1))],
    ["ABANDON", (r: Redemption) => abandonRedemption(db, r)],
  ] as const)("%s releases the lock the redemption holds", async (_move, end) => {
    const r = await started();
    expect(await lockCustomerForRedemption(db, r, T0, at(60_000))).toBe(true);
    await end(r);
    expect(await lockOf()).toBeNull();
  });
});
