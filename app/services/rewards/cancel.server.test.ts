// The merchant cancels rewards: Shopify first for Issued ones (unchanged if Shopify fails), the
// database first for Pending ones (and nothing usable left in Shopify even when the worker is
// generating it at that very moment), points refunds, and what can't be canceled.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Customer, RewardTemplate } from "@prisma/client";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { runWorkerOnce, workerConfig, type WorkerDeps } from "~/jobs/worker.server";
import { installEmulatedShop, useShopifyEmulator } from "../../../test/support/shopify";
import { TEST_APP } from "../../../test/support/constants";
import { createCustomer, createReward, createTemplate } from "../../../test/support/factories";
import { testClock, type TestClock } from "../../../test/support/clock";
import { allowErrorLogs } from "../../../test/support/error-logs";
import { MAX_POINTS } from "~/domain/points";
import { cancelReward, CODE_REMOVAL_RETRY_DAYS } from "./cancel.server";
import type { RewardDeps } from "./deps.server";
import { issueRewardAsync } from "./issue-async.server";
import { redeemPoints } from "./redeem-points.server";

const { emulator, adminGraphql } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
const NO_REFUNDS = "no-refunds.myshopify.com";
let referral: RewardTemplate;
let clock: TestClock;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { planDisplayName: "Shopify Plus", giftCards: true, currencyCode: "USD" });
  await installEmulatedShop(emulator, NO_REFUNDS, { planDisplayName: "Shopify Plus", currencyCode: "USD" });
  await db.shop.update({ where: { domain: NO_REFUNDS }, data: { refundPointsOnCancel: false } });
  referral = await createTemplate(db, SHOP, { purpose: "REFERRAL", pointsCost: null });
});

beforeEach(async () => {
  await db.reward.deleteMany({ where: { status: "PENDING" } });
  clock = testClock();
});

function deps(over: Partial<WorkerDeps> = {}): WorkerDeps {
  return { db, logger, adminFor: (shop) => adminGraphql(shop), now: clock.now, ...over };
}

let keys = 0;
async function redeemed(points: number, shop = SHOP, kind: "FIXED_AMOUNT" | "GIFT_CARD" = "FIXED_AMOUNT") {
  const customer = await createCustomer(db, shop, { pointsBalance: points }, emulator);
  const template = await createTemplate(db, shop, { kind, value: "10.00", pointsCost: 100 });
  const r = await redeemPoints(deps() as RewardDeps, { shop, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: `cancel-test-${++keys}-${Date.now()}` });
  if (!r.ok) throw new Error(r.error.message);
  return { customer, reward: r.reward };
}

async function pendingFor(customer: Customer) {
  const r = await issueRewardAsync(deps(), { shop: SHOP, customer: { id: customer.id }, templateId: referral.id, source: "REFERRAL" });
  if (!r.ok) throw new Error(r.error.message);
  return r.reward;
}

const discountWithCode = (shop: string, code: string) => emulator.inspect.discounts(shop).filter((d) => d.codes[0].code === code);

describe("cancel an Issued reward", () => {
  it("deactivates the code in Shopify, then cancels it with the merchant as actor and refunds the points", async () => {
    const { customer, reward } = await redeemed(300);
    const r = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id, reason: "Customer asked" });
    expect(r).toMatchObject({ ok: true, alreadyCanceled: false, pointsRefunded: 100, shopify: "done" });
    expect(r.ok && r.reward).toMatchObject({ status: "CANCELED", canceledAt: clock.now() });
    const [discount] = discountWithCode(SHOP, reward.code);
    expect(discount.deactivatedAt).not.toBeNull();
    const events = await db.rewardEvent.findMany({ where: { rewardId: reward.id, type: "STATUS_CHANGED" } });
    expect(events).toMatchObject([{ fromStatus: "ISSUED", toStatus: "CANCELED", actor: "MERCHANT", reason: "Canceled by the merchant", note: "Customer asked" }]);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(300);
    const refund = await db.pointsTransaction.findFirstOrThrow({ where: { customerId: customer.id, reason: "REDEMPTION_REFUND" } });
    expect(refund).toMatchObject({ delta: 100, balanceAfter: 300, rewardId: reward.id });
  });

  it("repeating the cancel changes nothing: no second refund, no second Shopify call", async () => {
    const { customer, reward } = await redeemed(300);
    await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
    emulator.inspect.reset();
    const again = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
    expect(again).toMatchObject({ ok: true, alreadyCanceled: true, pointsRefunded: 0 });
    expect(emulator.inspect.countCalls()).toBe(0);
    expect(await db.pointsTransaction.count({ where: { customerId: customer.id, reason: "REDEMPTION_REFUND" } })).toBe(1);
  });

  it("two cancels at once (a double click, two tabs): one cancel, one refund, one history entry; the other says it was already canceled", async () => {
    const { customer, reward } = await redeemed(300);
    const results = await Promise.all([cancelReward(deps(), { shop: SHOP, rewardId: reward.id }), cancelReward(deps(), { shop: SHOP, rewardId: reward.id })]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(results.map((r) => r.ok && r.alreadyCanceled).sort()).toEqual([false, true]);
    expect(results.reduce((sum, r) => sum + (r.ok ? r.pointsRefunded : 0), 0)).toBe(100);
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "CANCELED" });
    expect(await db.rewardEvent.count({ where: { rewardId: reward.id, type: "STATUS_CHANGED", toStatus: "CANCELED" } })).toBe(1);
    expect(await db.pointsTransaction.count({ where: { customerId: customer.id, reason: "REDEMPTION_REFUND" } })).toBe(1);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(300);
  });

  it("does not refund when the shop turned the option off", async () => {
    const { customer, reward } = await redeemed(300, NO_REFUNDS);
    const r = await cancelReward(deps(), { shop: NO_REFUNDS, rewardId: reward.id });
    expect(r).toMatchObject({ ok: true, pointsRefunded: 0 });
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(200);
  });

  it("deactivates gift cards", async () => {
    const { reward } = await redeemed(300, SHOP, "GIFT_CARD");
    expect((await cancelReward(deps(), { shop: SHOP, rewardId: reward.id })).ok).toBe(true);
    expect(emulator.inspect.giftCards(SHOP).find((g) => g.id === reward.shopifyId)?.enabled).toBe(false);
  });

  it("when Shopify fails, the reward stays Issued and the merchant is told why in plain words", async () => {
    const { customer, reward } = await redeemed(300);
    emulator.faults.httpError("discountCodeDeactivate", 503);
    const r = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
    expect(r).toMatchObject({ ok: false, error: { code: "shopify_error", reason: "shopify_unavailable" } });
    expect(!r.ok && r.error.message).toMatch(/still Issued.*try again/i);
    expect((await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).status).toBe("ISSUED");
    expect(discountWithCode(SHOP, reward.code)[0].deactivatedAt).toBeNull();
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(200);

    emulator.faults.userErrors("discountCodeDeactivate", [{ field: ["id"], code: "INVALID", message: "Discount is locked by another app" }]);
    const refused = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
    expect(!refused.ok && refused.error.message).toMatch(/Shopify refused.*Discount is locked by another app.*still Issued/);
    expect((await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).status).toBe("ISSUED");
  });

  it("GIVEN Shopify deactivates the code but answers with a null payload beside an internal error (a partial answer) THEN the reward is not Canceled on a guess, the cancel stays marked in flight, and repeating it cancels once", async () => {
    const { customer, reward } = await redeemed(300);
    // emulator/src/faults.ts partialAnswer: the deactivation runs, data.discountCodeDeactivate is null.
    emulator.faults.partialAnswer("discountCodeDeactivate");
    const r = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
    expect(r).toMatchObject({ ok: false, error: { code: "shopify_error", reason: "shopify_internal_error" } });
    expect(discountWithCode(SHOP, reward.code)[0].deactivatedAt).not.toBeNull(); // it did run
    // The merchant is not told the code still works: it may already be deactivated.
    expect(!r.ok && r.error.message).not.toMatch(/can still use the code/);
    expect(!r.ok && r.error.message).toMatch(/may already be deactivated.*still Issued.*try again/i);
    // Uncertain, not refused: the in-flight mark stays (docs/decisions/018), so its echo is the cancel's.
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "ISSUED", cancelRequestedAt: expect.any(Date) });
    const again = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
    expect(again).toMatchObject({ ok: true, reward: { status: "CANCELED" }, pointsRefunded: 100 });
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(300);
  });

  it("a code the merchant already deleted in Shopify doesn't block the cancel", async () => {
    const { reward } = await redeemed(300);
    // The merchant deleted it in Shopify's admin (the discounts/delete webhook is another story).
    expect(emulator.store.deleteDiscount(SHOP, reward.shopifyId!)).toBeDefined();
    const r = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
    expect(r).toMatchObject({ ok: true, shopify: "done", reward: { status: "CANCELED" } });
  });
});

describe("points given back past MAX_POINTS", () => {
  it("GIVEN a customer topped up to MAX_POINTS after redeeming THEN the cancel still cancels; the points are not given back and the history says why", async () => {
    const { customer, reward } = await redeemed(100);
    await db.customer.update({ where: { id: customer.id }, data: { pointsBalance: MAX_POINTS } });
    const canceled = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
    expect(canceled).toMatchObject({ ok: true, pointsRefunded: 0, reward: { status: "CANCELED" } });
    const refund = await db.pointsTransaction.findMany({ where: { rewardId: reward.id, reason: "REDEMPTION_REFUND" } });
    expect(refund).toMatchObject([{ delta: 0, balanceAfter: MAX_POINTS }]);
    expect(refund[0]!.note).toMatch(/not credited/i);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(MAX_POINTS);
  });
});

describe("what can't be canceled", () => {
  it("a Used reward stays Used; the refused request is recorded", async () => {
    const customer = await createCustomer(db, SHOP, {}, emulator);
    const used = await createReward(db, customer, { status: "USED" });
    const r = await cancelReward(deps(), { shop: SHOP, rewardId: used.id });
    expect(r).toMatchObject({ ok: false, error: { code: "not_cancelable", message: expect.stringMatching(/already used/) } });
    expect((await db.reward.findUniqueOrThrow({ where: { id: used.id } })).status).toBe("USED");
    const rejected = await db.rewardEvent.findMany({ where: { rewardId: used.id, type: "TRANSITION_REJECTED" } });
    expect(rejected).toMatchObject([{ fromStatus: "USED", toStatus: "CANCELED", actor: "MERCHANT" }]);
    expect(emulator.inspect.countCalls()).toBe(0);
  });

  it("a Failed reward can't be canceled; an unknown one is not found", async () => {
    const customer = await createCustomer(db, SHOP, {}, emulator);
    const failed = await createReward(db, customer, { status: "FAILED" });
    expect(await cancelReward(deps(), { shop: SHOP, rewardId: failed.id })).toMatchObject({ ok: false, error: { code: "not_cancelable" } });
    expect(await cancelReward(deps(), { shop: SHOP, rewardId: "nope" })).toMatchObject({ ok: false, error: { code: "not_found" } });
    // Another shop's reward is not found either.
    expect(await cancelReward(deps(), { shop: NO_REFUNDS, rewardId: failed.id })).toMatchObject({ ok: false, error: { code: "not_found" } });
  });
});

describe("cancel a Pending reward", () => {
  it("before the worker ran: Canceled at once, nothing is ever created in Shopify", async () => {
    const customer = await createCustomer(db, SHOP, {}, emulator);
    const reward = await pendingFor(customer);
    const r = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
    expect(r).toMatchObject({ ok: true, shopify: "done", reward: { status: "CANCELED" } });
    expect((await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).nextAttemptAt).toBeNull();
    clock.advance(3_600_000);
    expect((await runWorkerOnce(deps(), workerConfig({ workerId: "w" }))).claimed).toBe(0);
    expect(emulator.inspect.countCalls("discountCodeBasicCreate")).toBe(0);
  });

  it("while the worker is creating the code: ends Canceled and the code it made is deactivated", async () => {
    const customer = await createCustomer(db, SHOP, {}, emulator);
    const reward = await pendingFor(customer);
    emulator.faults.hang("discountCodeBasicCreate", 400);
    const working = runWorkerOnce(deps(), workerConfig({ workerId: "w", leaseMs: 60_000 }));
    // Cancel while the create is in flight (the attempt has been counted, Shopify hasn't answered).
    for (let i = 0; i < 100 && (await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).attempts === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const canceled = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
    expect(canceled).toMatchObject({ ok: true, shopify: "worker_will_remove", reward: { status: "CANCELED" } });
    expect((await working).outcomes).toEqual({ canceled_meanwhile: 1 });

    const row = await db.reward.findUniqueOrThrow({ where: { id: reward.id } });
    expect(row).toMatchObject({ status: "CANCELED", claimedBy: null, nextAttemptAt: null });
    const discounts = discountWithCode(SHOP, reward.code);
    expect(discounts).toHaveLength(1);
    expect(discounts[0].deactivatedAt).not.toBeNull();
    const statusEvents = await db.rewardEvent.findMany({ where: { rewardId: reward.id, type: "STATUS_CHANGED" } });
    expect(statusEvents).toMatchObject([{ fromStatus: "PENDING", toStatus: "CANCELED", actor: "MERCHANT" }]);
  });

  it("between Shopify's success and the worker's commit: the cancel finds and deactivates the code; the worker can't issue it", async () => {
    const customer = await createCustomer(db, SHOP, {}, emulator);
    const reward = await pendingFor(customer);
    let cancelOutcome: unknown;
    const summary = await runWorkerOnce(
      deps({
        beforeIssue: async () => {
          cancelOutcome = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
        },
      }),
      workerConfig({ workerId: "w" }),
    );
    expect(summary.outcomes).toEqual({ canceled_meanwhile: 1 });
    expect(cancelOutcome).toMatchObject({ ok: true, reward: { status: "CANCELED" } });
    expect((await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).status).toBe("CANCELED");
    expect(discountWithCode(SHOP, reward.code)[0].deactivatedAt).not.toBeNull();
  });

  it("if the worker dies right after creating a code the cancel couldn't see yet, the sweep deactivates it later", async () => {
    const logged = allowErrorLogs(); // the simulated crash is logged as the failure it is
    const customer = await createCustomer(db, SHOP, {}, emulator);
    const reward = await pendingFor(customer);
    emulator.faults.hang("discountCodeBasicCreate", 300);
    const dying = runWorkerOnce(
      deps({
        beforeIssue: async () => {
          throw new Error("process killed");
        },
      }),
      workerConfig({ workerId: "w", leaseMs: 60_000 }),
    );
    for (let i = 0; i < 100 && (await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).attempts === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(await cancelReward(deps(), { shop: SHOP, rewardId: reward.id })).toMatchObject({ ok: true, shopify: "worker_will_remove" });
    expect((await dying).errors).toBe(1);
    expect(logged.messages()).toEqual(["processing a reward failed; its claim will expire and it is retried"]);
    // The code exists and works: nobody deactivated it yet.
    expect(discountWithCode(SHOP, reward.code)[0].deactivatedAt).toBeNull();
    const marked = await db.reward.findUniqueOrThrow({ where: { id: reward.id } });
    expect(marked.nextAttemptAt).not.toBeNull();

    // After the dead worker's lease, the sweep looks and deactivates.
    clock.advance(61_000);
    expect((await runWorkerOnce(deps(), workerConfig({ workerId: "sweeper" }))).outcomes).toEqual({ cleanup: 1 });
    expect(discountWithCode(SHOP, reward.code)[0].deactivatedAt).not.toBeNull();
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "CANCELED", nextAttemptAt: null, claimedBy: null });
  });

  it("when Shopify can't be reached for the cleanup, the reward is Canceled and the cleanup is retried in the background", async () => {
    const customer = await createCustomer(db, SHOP, {}, emulator);
    const reward = await pendingFor(customer);
    // An earlier attempt created it and the response was lost, so the code exists.
    emulator.faults.loseResponse("discountCodeBasicCreate");
    emulator.faults.httpError("codeDiscountNodeByCode", 503);
    await runWorkerOnce(deps(), workerConfig({ workerId: "w" }));
    expect(discountWithCode(SHOP, reward.code)).toHaveLength(1);

    emulator.faults.httpError("codeDiscountNodeByCode", 503);
    const r = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
    expect(r).toMatchObject({ ok: true, shopify: "retrying", reward: { status: "CANCELED" } });
    expect(!r.ok || r.message).toMatch(/keeps trying/);
    const marked = await db.reward.findUniqueOrThrow({ where: { id: reward.id } });
    expect(marked.nextAttemptAt!.getTime()).toBeGreaterThan(clock.now().getTime());

    clock.set(marked.nextAttemptAt!);
    expect((await runWorkerOnce(deps(), workerConfig({ workerId: "w" }))).outcomes).toEqual({ cleanup: 1 });
    expect(discountWithCode(SHOP, reward.code)[0].deactivatedAt).not.toBeNull();
    expect((await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).nextAttemptAt).toBeNull();
  });

  it(`GIVEN a Pending reward canceled while Shopify keeps failing to deactivate its code WHEN the removal has failed for ${CODE_REMOVAL_RETRY_DAYS} days THEN the app stops retrying, the reward keeps the last reason and says the code may still work; a repeated cancel tries once more and, once Shopify answers, clears it (was retried every 6 hours for ever, with no final outcome)`, async () => {
    const customer = await createCustomer(db, SHOP, {}, emulator);
    const reward = await pendingFor(customer);
    // An earlier attempt created it and the response was lost, so the code exists.
    emulator.faults.loseResponse("discountCodeBasicCreate");
    emulator.faults.httpError("codeDiscountNodeByCode", 503);
    await runWorkerOnce(deps(), workerConfig({ workerId: "w" }));
    expect(discountWithCode(SHOP, reward.code)).toHaveLength(1);

    emulator.faults.httpError("discountCodeDeactivate", 503, { times: "forever" });
    try {
      const r = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
      expect(r).toMatchObject({ ok: true, shopify: "retrying", reward: { status: "CANCELED" } });
      const canceledAt = (await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).canceledAt!;
      const limit = canceledAt.getTime() + CODE_REMOVAL_RETRY_DAYS * 24 * 3_600_000;

      // The worker retries at every due time until the limit: the reward keeps its marker meanwhile.
      let runs = 0;
      for (;;) {
        const due = (await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).nextAttemptAt;
        if (!due) break;
        expect(runs++).toBeLessThan(100);
        clock.set(due);
        expect((await runWorkerOnce(deps(), workerConfig({ workerId: "w" }))).outcomes).toEqual({ cleanup: 1 });
      }
      // It stopped at the first failed retry on or after the limit (retries are at most 6 hours apart).
      expect(clock.now().getTime()).toBeGreaterThanOrEqual(limit);
      expect(clock.now().getTime()).toBeLessThanOrEqual(limit + 6 * 3_600_000);
      const stopped = await db.reward.findUniqueOrThrow({ where: { id: reward.id } });
      expect(stopped).toMatchObject({ status: "CANCELED", nextAttemptAt: null, codeRemovalGaveUpAt: clock.now(), failureCode: "shopify_unavailable" });
      expect(discountWithCode(SHOP, reward.code)[0].deactivatedAt).toBeNull();
      const notes = await db.rewardEvent.findMany({ where: { rewardId: reward.id, type: "NOTE" } });
      expect(notes).toMatchObject([{ actor: "WORKER", reasonCode: "shopify_unavailable" }]);
      expect(notes[0].reason).toBe("The app stopped trying to remove the code in Shopify (last reason: Shopify unavailable). It may still work at checkout: deactivate it in Shopify admin → Discounts.");

      // Nothing is due any more: a much later sweep leaves it alone.
      clock.advance(30 * 24 * 3_600_000);
      expect((await runWorkerOnce(deps(), workerConfig({ workerId: "w" }))).outcomes).toEqual({});

      // The merchant's repeated cancel is one more try; still failing, it stays given up and says so.
      const again = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
      expect(again).toMatchObject({ ok: true, alreadyCanceled: true, shopify: "gave_up" });
      expect(!again.ok || again.message).toBe(
        "Reward canceled, but the code still couldn't be removed in Shopify (Shopify unavailable), and the app has stopped trying. It may still work at checkout: deactivate it in Shopify admin → Discounts."
      );
      expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ nextAttemptAt: null, codeRemovalGaveUpAt: clock.now() });
      // The history names who tried: the worker's give-up, then the merchant's retry (was WORKER for both).
      const tries = await db.rewardEvent.findMany({ where: { rewardId: reward.id, type: "NOTE" } });
      expect(tries.map((t) => t.actor).sort()).toEqual(["MERCHANT", "WORKER"]);
    } finally {
      emulator.faults.clear();
    }

    // Once Shopify answers, the repeated cancel removes the code and the given-up state goes.
    const done = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
    expect(done).toMatchObject({ ok: true, alreadyCanceled: true, shopify: "done" });
    expect(discountWithCode(SHOP, reward.code)[0].deactivatedAt).not.toBeNull();
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "CANCELED", nextAttemptAt: null, codeRemovalGaveUpAt: null });
  });
});

describe("cancel a Pending store credit reward", () => {
  it("GIVEN a customer holding $50 of other store credit WHEN a $7 store credit reward is canceled between Shopify's credit and the worker's commit, and the cleanup runs again later THEN the $7 is taken back once: the customer keeps the $50", async () => {
    const customer = await createCustomer(db, SHOP, {}, emulator);
    // Store credit the merchant gave by hand earlier (it is not the reward's: another amount).
    emulator.store.creditStoreCredit(SHOP, { ownerId: customer.shopifyCustomerId, amount: 5_000, currencyCode: "USD", expiresAt: null });
    const credit = await createTemplate(db, SHOP, { purpose: "REFERRAL", kind: "STORE_CREDIT", value: "7.00", pointsCost: null });
    const r = await issueRewardAsync(deps(), { shop: SHOP, customer: { id: customer.id }, templateId: credit.id, source: "REFERRAL" });
    if (!r.ok) throw new Error(r.error.message);
    let cancelOutcome: unknown;
    const summary = await runWorkerOnce(
      deps({
        beforeIssue: async () => {
          cancelOutcome = await cancelReward(deps(), { shop: SHOP, rewardId: r.reward.id });
        },
      }),
      workerConfig({ workerId: "w" }),
    );
    expect(summary.outcomes).toEqual({ canceled_meanwhile: 1 });
    expect(cancelOutcome).toMatchObject({ ok: true, reward: { status: "CANCELED" } });
    expect(emulator.storeCreditBalance(SHOP, customer.shopifyCustomerId)).toBe("50.0");
    // The merchant repeats the cancel, and the worker's sweep looks again: nothing more is taken.
    await cancelReward(deps(), { shop: SHOP, rewardId: r.reward.id });
    await db.reward.update({ where: { id: r.reward.id }, data: { nextAttemptAt: clock.now() } });
    await runWorkerOnce(deps(), workerConfig({ workerId: "w2" }));
    expect(emulator.storeCreditBalance(SHOP, customer.shopifyCustomerId)).toBe("50.0");
    expect((await db.reward.findUniqueOrThrow({ where: { id: r.reward.id } })).status).toBe("CANCELED");
  });
});
