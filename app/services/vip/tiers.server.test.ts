// VIP tiers on the real database (SQLite, and PostgreSQL with --postgres, where the concurrent
// orders below truly run at the same time): tiers follow progress, entry rewards are issued once
// per customer, tier and period, period ends move customers down, threshold changes re-evaluate
// everyone in resumable batches, and the privacy hooks erase what the tables hold.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { handleCustomersDataRequest, handleCustomersRedact, handleShopRedact } from "~/services/compliance/privacy.server";
import { earnPointsForOrder, takeBackForCancel, takeBackForRefund } from "~/services/points/order-points.server";
import type { RewardDeps } from "~/services/rewards/deps.server";
import { createCustomer, createShop, createTemplate } from "../../../test/support/factories";
import { runEvaluationJobs, runVipTasks, startDuePeriodEnds, saveTier, saveVipProgram, vipDashboardFigures, customerVip, storefrontVip, latestEvaluationJob, releaseHeldPlacements } from "./admin.server";
import { evaluateCustomerTier, queueOwedEntryRewards, recordVipOrder, vipOrderCanceled, vipOrderCreated, vipRefundCreated } from "./tiers.server";
import { handleOrderCreated, orderContext } from "~/services/orders/order-created.server";
import { amountReview, confirmAmountCurrency } from "~/services/lifecycle/amount-currency.server";
import { vipTierAfterOrder } from "./tiers.server";

let SHOP = "";
let shopSeq = 0;
let orderSeq = 1000;
let now = new Date("2026-06-01T10:00:00.000Z");
const deps = (): RewardDeps => ({ db, logger, adminFor: () => Promise.reject(new Error("no Shopify call expected")), now: () => now });

function orderPayload(customerGid: string, subtotal: string, createdAt = now) {
  const id = ++orderSeq;
  return {
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    created_at: createdAt.toISOString(),
    customer: { admin_graphql_api_id: customerGid },
    subtotal_price_set: { shop_money: { amount: subtotal, currency_code: "USD" } },
  };
}

async function setup(options: { basis?: string; period?: string; skippedTierRewards?: string; enabled?: boolean } = {}) {
  SHOP = `vip-${++shopSeq}.myshopify.com`;
  await createShop(db, SHOP, { currency: "USD" });
  const silverT = await createTemplate(db, SHOP, { purpose: "VIP_TIER_ENTRY", pointsCost: null, name: "Silver welcome" });
  const goldT = await createTemplate(db, SHOP, { purpose: "VIP_TIER_ENTRY", pointsCost: null, name: "Gold welcome" });
  const platT = await createTemplate(db, SHOP, { purpose: "VIP_TIER_ENTRY", pointsCost: null, name: "Platinum welcome" });
  const saved = await saveVipProgram(
    db,
    SHOP,
    { enabled: options.enabled === false ? undefined : "on", basis: options.basis ?? "AMOUNT_SPENT", period: options.period ?? "LIFETIME", skippedTierRewards: options.skippedTierRewards ?? "ALL" },
    "USD",
    now,
  );
  expect(saved.ok).toBe(true);
  for (const [name, threshold, t, multiplier] of [
    ["Silver", "100", silverT, "1"],
    ["Gold", "500", goldT, "1.5"],
    ["Platinum", "1000", platT, "2"],
  ] as const) {
    const r = await saveTier(db, SHOP, { form: { name, threshold, entryRewardTemplateId: t.id, pointsMultiplier: multiplier }, shownCurrency: "USD" }, now);
    expect(r.ok).toBe(true);
  }
  // The setup's own re-evaluation jobs (no customers yet) finish at once.
  await runEvaluationJobs(deps());
  return { silverT, goldT, platT };
}

const tierOf = async (id: string) => (await db.customer.findUniqueOrThrow({ where: { id } })).vipTier;
const entryRewards = (customerId: string) => db.reward.findMany({ where: { customerId, source: "VIP_TIER_ENTRY" }, orderBy: { createdAt: "asc" } });

beforeEach(() => {
  now = new Date("2026-06-01T10:00:00.000Z");
});

describe("orders move customers up (amount spent)", () => {
  it("counts orders towards a tier; skipping tiers gives every skipped tier's reward (ALL); a duplicate changes nothing", async () => {
    await setup();
    const c = await createCustomer(db, SHOP);
    // GIVEN an order below the first tier
    expect(await vipOrderCreated(deps(), { shop: SHOP, payload: orderPayload(c.shopifyCustomerId, "60.00"), receivedAt: now })).toBe("counted");
    expect(await tierOf(c.id)).toBeNull();
    // WHEN an order takes the customer from nothing past Silver and Gold
    const big = orderPayload(c.shopifyCustomerId, "450.00");
    expect(await vipOrderCreated(deps(), { shop: SHOP, payload: big, receivedAt: now })).toBe("changed");
    // THEN they hold Gold, one UP change with its reason, and both entry rewards Pending
    expect(await tierOf(c.id)).toBe("Gold");
    const changes = await db.vipTierChange.findMany({ where: { customerId: c.id } });
    expect(changes).toMatchObject([{ direction: "UP", fromTierName: null, toTierName: "Gold", reasonCode: "THRESHOLD_REACHED", periodKey: "lifetime", orderGid: big.admin_graphql_api_id }]);
    expect(changes[0]!.reason).toBe("Reached Gold: amount spent in total met its threshold");
    const rewards = await entryRewards(c.id);
    expect(rewards.map((r) => [r.status, r.title.length > 0])).toEqual([
      ["PENDING", true],
      ["PENDING", true],
    ]);
    expect(new Set(rewards.map((r) => r.idempotencyKey))).toEqual(new Set(changes[0] && (await db.vipTier.findMany({ where: { shop: SHOP, name: { in: ["Silver", "Gold"] } } })).map((t) => `vip:${c.id}:${t.id}:lifetime`)));
    // AND the same delivery again changes nothing
    expect(await vipOrderCreated(deps(), { shop: SHOP, payload: big, receivedAt: now })).toBe("counted");
    expect(await db.vipTierChange.count({ where: { customerId: c.id } })).toBe(1);
    expect(await entryRewards(c.id)).toHaveLength(2);
  });

  it("HIGHEST gives only the reached tier's reward", async () => {
    await setup({ skippedTierRewards: "HIGHEST" });
    const c = await createCustomer(db, SHOP);
    await vipOrderCreated(deps(), { shop: SHOP, payload: orderPayload(c.shopifyCustomerId, "1200"), receivedAt: now });
    expect(await tierOf(c.id)).toBe("Platinum");
    const rewards = await entryRewards(c.id);
    expect(rewards).toHaveLength(1);
    const platinum = await db.vipTier.findFirstOrThrow({ where: { shop: SHOP, name: "Platinum" } });
    expect(rewards[0]!.idempotencyKey).toBe(`vip:${c.id}:${platinum.id}:lifetime`);
  });

  it("several orders of one customer at once: one change per move, each entry reward once", async () => {
    await setup();
    const c = await createCustomer(db, SHOP);
    const payloads = Array.from({ length: 8 }, () => orderPayload(c.shopifyCustomerId, "70.00"));
    // Each payload delivered twice, all at the same time.
    await Promise.all([...payloads, ...payloads].map((payload) => vipOrderCreated(deps(), { shop: SHOP, payload, receivedAt: now })));
    expect(await tierOf(c.id)).toBe("Gold"); // 8 × 70 = 560
    expect(await db.vipOrder.count({ where: { customerId: c.id } })).toBe(8);
    const rewards = await entryRewards(c.id);
    expect(rewards).toHaveLength(2);
    expect(new Set(rewards.map((r) => r.idempotencyKey)).size).toBe(2);
    const changes = await db.vipTierChange.findMany({ where: { customerId: c.id }, orderBy: { createdAt: "asc" } });
    expect(changes.every((ch) => ch.direction === "UP")).toBe(true);
    expect(changes.at(-1)!.toTierName).toBe("Gold");
  });

  it("counts orders while VIP is off, so turning it on places customers from what they spent", async () => {
    await setup({ enabled: false });
    const c = await createCustomer(db, SHOP);
    expect(await vipOrderCreated(deps(), { shop: SHOP, payload: orderPayload(c.shopifyCustomerId, "150"), receivedAt: now })).toBe("counted");
    expect(await tierOf(c.id)).toBeNull();
    const saved = await saveVipProgram(db, SHOP, { enabled: "on", basis: "AMOUNT_SPENT", period: "LIFETIME", skippedTierRewards: "ALL" }, "USD", now);
    expect(saved.ok && saved.evaluationJobId).toBeTruthy();
    await runEvaluationJobs(deps());
    expect(await tierOf(c.id)).toBe("Silver");
    expect((await db.vipTierChange.findFirstOrThrow({ where: { customerId: c.id } })).reasonCode).toBe("TIERS_CHANGED");
  });

  it("refunds and cancels stop counting; the tier stays until a re-evaluation moves it down", async () => {
    await setup();
    const c = await createCustomer(db, SHOP);
    const o = orderPayload(c.shopifyCustomerId, "120");
    await vipOrderCreated(deps(), { shop: SHOP, payload: o, receivedAt: now });
    expect(await tierOf(c.id)).toBe("Silver");
    const refund = { refundId: "gid://shopify/Refund/1", orderGid: o.admin_graphql_api_id, lines: 30_000n, taxes: 0n, shipping: 0n, shippingTax: 0n };
    const first = await vipRefundCreated(db, { shop: SHOP, refund });
    const again = await vipRefundCreated(db, { shop: SHOP, refund });
    expect([first, again]).toEqual(["counted", "duplicate"]);
    await vipOrderCanceled(db, { shop: SHOP, payload: o });
    expect((await db.vipOrder.findFirstOrThrow({ where: { orderGid: o.admin_graphql_api_id } })).canceled).toBe(true);
    expect(await tierOf(c.id)).toBe("Silver");
    await evaluateCustomerTier(deps(), { shop: SHOP, customerId: c.id, now, mode: "UP_AND_DOWN", reason: "TIERS_CHANGED" });
    expect(await tierOf(c.id)).toBeNull();
  });
});

describe("an order with many refunds", () => {
  it("GIVEN 150 refunds of 1.00 on an order of 200.00 WHEN the 1st, the 101st and the 120th are delivered again THEN none counts twice (refunded stays 150.00)", async () => {
    await setup();
    const c = await createCustomer(db, SHOP);
    const o = orderPayload(c.shopifyCustomerId, "200.00");
    await vipOrderCreated(deps(), { shop: SHOP, payload: o, receivedAt: now });
    const refund = (i: number) => ({ refundId: `gid://shopify/Refund/${9_000 + i}`, orderGid: o.admin_graphql_api_id, lines: 1_000n, taxes: 0n, shipping: 0n, shippingTax: 0n });
    for (let i = 1; i <= 150; i++) expect(await vipRefundCreated(db, { shop: SHOP, refund: refund(i) })).toBe("counted");
    // Before: only the first 100 recorded ids were read, and only 101 kept: these counted again.
    for (const i of [1, 101, 120, 150]) expect(await vipRefundCreated(db, { shop: SHOP, refund: refund(i) })).toBe("duplicate");
    const row = await db.vipOrder.findFirstOrThrow({ where: { shop: SHOP, orderGid: o.admin_graphql_api_id } });
    expect(row.refunded).toBe("150.00");
    expect(JSON.parse(row.refundIds)).toHaveLength(150);
  });

  it("GIVEN an order refunded in full THEN a further refund (or one with no line amount) changes nothing and is not recorded", async () => {
    await setup();
    const c = await createCustomer(db, SHOP);
    const o = orderPayload(c.shopifyCustomerId, "50.00");
    await vipOrderCreated(deps(), { shop: SHOP, payload: o, receivedAt: now });
    const base = { orderGid: o.admin_graphql_api_id, taxes: 0n, shipping: 0n, shippingTax: 0n };
    expect(await vipRefundCreated(db, { shop: SHOP, refund: { ...base, refundId: "gid://shopify/Refund/1", lines: 0n, shipping: 5_000n } })).toBe("counted");
    expect(await vipRefundCreated(db, { shop: SHOP, refund: { ...base, refundId: "gid://shopify/Refund/2", lines: 60_000n } })).toBe("counted");
    expect(await vipRefundCreated(db, { shop: SHOP, refund: { ...base, refundId: "gid://shopify/Refund/3", lines: 10_000n } })).toBe("counted");
    const row = await db.vipOrder.findFirstOrThrow({ where: { shop: SHOP, orderGid: o.admin_graphql_api_id } });
    expect([row.refunded, JSON.parse(row.refundIds)]).toEqual(["60.00", ["gid://shopify/Refund/2"]]);
  });
});

describe("a cancel delivered before its order (deliveries are not ordered, docs/decisions/007)", () => {
  it("GIVEN orders/cancelled applied first (all three of its effects) WHEN the order's orders/create arrives THEN the order is recorded canceled and counts towards no tier", async () => {
    await setup();
    const c = await createCustomer(db, SHOP);
    const o = { ...orderPayload(c.shopifyCustomerId, "120"), cancelled_at: now.toISOString() };
    // The orders/cancelled effects, in their registered order: the points marker, then VIP's own.
    await takeBackForCancel(db, { shop: SHOP, payload: o, receivedAt: now });
    await vipOrderCanceled(db, { shop: SHOP, payload: o });
    const created = { ...o, cancelled_at: null };
    expect(await vipOrderCreated(deps(), { shop: SHOP, payload: created, receivedAt: now })).toBe("counted");
    expect((await db.vipOrder.findFirstOrThrow({ where: { orderGid: o.admin_graphql_api_id } })).canceled).toBe(true);
    expect(await tierOf(c.id)).toBeNull();
    expect(await entryRewards(c.id)).toHaveLength(0);
  });
});

describe("points earned and the multiplier", () => {
  it("a Gold member earns 1.5× on orders, the ledger note explains it, and earned points count towards the next tier", async () => {
    await setup({ basis: "POINTS_EARNED" });
    await db.programSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, enabled: true }, update: { enabled: true } });
    const c = await createCustomer(db, SHOP);
    const first = orderPayload(c.shopifyCustomerId, "520");
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: first, receivedAt: now })).toBe("earned");
    await vipOrderCreated(deps(), { shop: SHOP, payload: first, receivedAt: now });
    expect(await tierOf(c.id)).toBe("Gold");
    const second = orderPayload(c.shopifyCustomerId, "100");
    await earnPointsForOrder(db, { shop: SHOP, payload: second, receivedAt: now });
    const rows = await db.pointsTransaction.findMany({ where: { customerId: c.id }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => [r.delta, r.note])).toEqual([
      [520, null],
      [150, "VIP tier Gold ×1.5: 100 + 50 bonus"],
    ]);
    const view = await storefrontVip(db, SHOP, c.id, now);
    expect(view).toEqual({ tier: "Gold", perk: null, next: { tier: "Platinum", remaining: "330" }, basis: "POINTS_EARNED" });
  });
});

describe("points earned: a take-back counts against its own order's window", () => {
  // These shops end with a period key in 2027: off afterwards, so the period-end tests below count only their own.
  afterEach(async () => {
    await db.vipProgram.updateMany({ where: { shop: SHOP }, data: { enabled: false } });
  });

  async function earnAt(customerGid: string, subtotal: string, at: Date) {
    const payload = orderPayload(customerGid, subtotal, at);
    expect(await earnPointsForOrder(db, { shop: SHOP, payload, receivedAt: at })).toBe("earned");
    // The ledger dates its rows by the processing clock: put the row at the test's moment.
    await db.pointsTransaction.updateMany({ where: { shop: SHOP, orderGid: payload.admin_graphql_api_id }, data: { createdAt: at } });
    await vipOrderCreated(deps(), { shop: SHOP, payload, receivedAt: at });
    return payload;
  }
  async function refundAt(order: { admin_graphql_api_id: string }, amount: bigint, at: Date) {
    const refund = { refundId: `gid://shopify/Refund/${++orderSeq}`, orderGid: order.admin_graphql_api_id, lines: amount, taxes: 0n, shipping: 0n, shippingTax: 0n };
    expect(await takeBackForRefund(db, { shop: SHOP, refund, receivedAt: at, lastAttempt: false, logger })).toBe("taken_back");
    await db.pointsTransaction.updateMany({ where: { shop: SHOP, refundId: refund.refundId }, data: { createdAt: at } });
  }

  it("calendar year: GIVEN a December order that reached Silver, returned in full in January THEN the period end takes Silver away (last year's order no longer counts)", async () => {
    now = new Date("2026-12-20T10:00:00.000Z");
    await setup({ basis: "POINTS_EARNED", period: "CALENDAR_YEAR" });
    await db.programSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, enabled: true }, update: { enabled: true } });
    const c = await createCustomer(db, SHOP);
    const december = await earnAt(c.shopifyCustomerId, "150", now);
    expect(await tierOf(c.id)).toBe("Silver");
    now = new Date("2027-01-01T00:05:00.000Z");
    await refundAt(december, 150_000n, new Date("2027-01-01T00:01:00.000Z"));
    await runVipTasks(deps());
    await runVipTasks(deps());
    // Before: the refund row counted in 2027's window only, 2026's still held the 150 points.
    expect(await tierOf(c.id)).toBeNull();
  });

  it("rolling 12 months: GIVEN an order over 12 months old refunded now THEN the refund does not cancel out this window's order", async () => {
    now = new Date("2026-01-10T10:00:00.000Z");
    await setup({ basis: "POINTS_EARNED", period: "ROLLING_12_MONTHS" });
    await db.programSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, enabled: true }, update: { enabled: true } });
    const c = await createCustomer(db, SHOP);
    const old = await earnAt(c.shopifyCustomerId, "150", now);
    now = new Date("2027-02-10T10:00:00.000Z");
    await earnAt(c.shopifyCustomerId, "120", now);
    await refundAt(old, 150_000n, now);
    now = new Date("2027-03-01T00:05:00.000Z");
    await runVipTasks(deps());
    await runVipTasks(deps());
    // Before: 120 earned − 150 taken back from a 2026 order = 0 in the window → moved down.
    expect(await tierOf(c.id)).toBe("Silver");
  });
});

describe("period ends", () => {
  it("calendar year: a tier reached in 2026 is kept through 2027 and lost on 1 January 2028; entering again in 2028 gives the reward again", async () => {
    now = new Date("2026-03-01T10:00:00.000Z");
    await setup({ period: "CALENDAR_YEAR" });
    const c = await createCustomer(db, SHOP);
    await vipOrderCreated(deps(), { shop: SHOP, payload: orderPayload(c.shopifyCustomerId, "150"), receivedAt: now });
    expect(await tierOf(c.id)).toBe("Silver");

    now = new Date("2027-01-01T00:05:00.000Z");
    expect((await runVipTasks(deps())).periodEnds).toBe(1);
    await runVipTasks(deps());
    expect(await tierOf(c.id)).toBe("Silver"); // last year's spending still holds it
    expect((await runVipTasks(deps())).periodEnds).toBe(0); // once per period

    now = new Date("2028-01-01T00:05:00.000Z");
    await runVipTasks(deps());
    expect(await tierOf(c.id)).toBeNull();
    const down = await db.vipTierChange.findFirstOrThrow({ where: { customerId: c.id, direction: "DOWN" } });
    expect(down).toMatchObject({ fromTierName: "Silver", toTierName: null, reasonCode: "PERIOD_ENDED", periodKey: "2028" });
    expect(down.reason).toMatch(/^Period ended/);

    await vipOrderCreated(deps(), { shop: SHOP, payload: orderPayload(c.shopifyCustomerId, "100"), receivedAt: now });
    expect(await tierOf(c.id)).toBe("Silver");
    expect((await entryRewards(c.id)).map((r) => r.idempotencyKey!.split(":").at(-1))).toEqual(["2026", "2028"]);
  });

  it("rolling 12 months: re-checked at each month's start; a tier is lost once its spending is over 12 months old", async () => {
    now = new Date("2026-01-15T10:00:00.000Z");
    await setup({ period: "ROLLING_12_MONTHS" });
    const c = await createCustomer(db, SHOP);
    await vipOrderCreated(deps(), { shop: SHOP, payload: orderPayload(c.shopifyCustomerId, "120", now), receivedAt: now });
    expect(await tierOf(c.id)).toBe("Silver");
    expect((await entryRewards(c.id))[0]!.idempotencyKey).toMatch(/:2026-01$/);

    now = new Date("2026-12-01T00:10:00.000Z");
    await runVipTasks(deps());
    await runVipTasks(deps());
    expect(await tierOf(c.id)).toBe("Silver"); // January 2026 is within the last 12 months

    now = new Date("2027-02-01T00:10:00.000Z");
    await runVipTasks(deps());
    await runVipTasks(deps());
    expect(await tierOf(c.id)).toBeNull();
    expect(await db.vipTierChange.findFirstOrThrow({ where: { customerId: c.id, direction: "DOWN" } })).toMatchObject({ reasonCode: "PERIOD_ENDED", periodKey: "2027-02" });
  });

  it("many shops already in the current period never hide one whose period turned", async () => {
    now = new Date("2026-06-01T10:00:00.000Z");
    for (let i = 0; i < 60; i++) {
      await db.vipProgram.create({ data: { shop: `current-${i}.myshopify.com`, enabled: true, period: "CALENDAR_YEAR", lastPeriodKey: "2026" } });
    }
    await db.vipProgram.create({ data: { shop: "due.myshopify.com", enabled: true, period: "CALENDAR_YEAR", lastPeriodKey: "2025" } });
    expect(await startDuePeriodEnds(db, now, 50)).toBeGreaterThanOrEqual(1);
    expect((await db.vipProgram.findUniqueOrThrow({ where: { shop: "due.myshopify.com" } })).lastPeriodKey).toBe("2026");
    expect(await db.vipEvaluationJob.count({ where: { shop: "due.myshopify.com", reasonCode: "PERIOD_ENDED" } })).toBe(1);
    expect(await db.vipEvaluationJob.count({ where: { shop: { startsWith: "current-" } } })).toBe(0);
  });
});

describe("changing the tiers re-evaluates everyone in the background", () => {
  it("in batches with progress, resumable, without issuing an entry reward twice", async () => {
    await setup();
    const customers = [];
    for (let i = 0; i < 5; i++) {
      const c = await createCustomer(db, SHOP);
      await vipOrderCreated(deps(), { shop: SHOP, payload: orderPayload(c.shopifyCustomerId, "80"), receivedAt: now });
      customers.push(c);
    }
    expect(await db.reward.count({ where: { shop: SHOP } })).toBe(0);
    const silver = await db.vipTier.findFirstOrThrow({ where: { shop: SHOP, name: "Silver" } });
    // WHEN the merchant lowers Silver to 50
    const saved = await saveTier(db, SHOP, { id: silver.id, form: { name: "Silver", threshold: "50", entryRewardTemplateId: silver.entryRewardTemplateId ?? "" }, shownCurrency: "USD" }, now);
    expect(saved.ok).toBe(true);
    expect(await latestEvaluationJob(db, SHOP)).toMatchObject({ status: "RUNNING", total: 5, done: 0 });
    // THEN batches of 2 move everyone, progress shows as it goes
    await runEvaluationJobs(deps(), { batchSize: 2 });
    expect(await latestEvaluationJob(db, SHOP)).toMatchObject({ status: "RUNNING", done: 2 });
    // A crash after evaluating the next batch but before saving the cursor: the batch runs again.
    const job = await db.vipEvaluationJob.findFirstOrThrow({ where: { shop: SHOP, status: "RUNNING" } });
    const nextTwo = await db.customer.findMany({ where: { shop: SHOP, id: { gt: job.cursor! } }, orderBy: { id: "asc" }, take: 2 });
    for (const c of nextTwo) await evaluateCustomerTier(deps(), { shop: SHOP, customerId: c.id, now, mode: "UP_AND_DOWN", reason: "TIERS_CHANGED" });
    await runEvaluationJobs(deps(), { batchSize: 2 });
    expect(await latestEvaluationJob(db, SHOP)).toMatchObject({ status: "RUNNING", done: 4 });
    await runEvaluationJobs(deps(), { batchSize: 2 });
    expect(await latestEvaluationJob(db, SHOP)).toMatchObject({ status: "DONE", total: 5, done: 5 });
    for (const c of customers) expect(await tierOf(c.id)).toBe("Silver");
    expect(await db.reward.count({ where: { shop: SHOP, source: "VIP_TIER_ENTRY" } })).toBe(5);
    // AND raising it back and lowering it again in the same period never issues twice
    await saveTier(db, SHOP, { id: silver.id, form: { name: "Silver", threshold: "90", entryRewardTemplateId: silver.entryRewardTemplateId ?? "" }, shownCurrency: "USD" }, now);
    await runEvaluationJobs(deps());
    expect(await tierOf(customers[0]!.id)).toBeNull();
    await saveTier(db, SHOP, { id: silver.id, form: { name: "Silver", threshold: "50", entryRewardTemplateId: silver.entryRewardTemplateId ?? "" }, shownCurrency: "USD" }, now);
    await runEvaluationJobs(deps());
    expect(await tierOf(customers[0]!.id)).toBe("Silver");
    expect(await db.reward.count({ where: { shop: SHOP, source: "VIP_TIER_ENTRY" } })).toBe(5);
    expect(await vipDashboardFigures(db, SHOP)).toMatchObject({ enabled: true, entryRewards: { PENDING: 5, ISSUED: 0, FAILED: 0 } });
    expect((await vipDashboardFigures(db, SHOP)).tiers.map((t) => [t.name, t.members])).toEqual([
      ["Silver", 5],
      ["Gold", 0],
      ["Platinum", 0],
    ]);
  });

  it("a change whose rewards were not queued (crash in between) is finished by the periodic sweep", async () => {
    await setup();
    const c = await createCustomer(db, SHOP);
    await vipOrderCreated(deps(), { shop: SHOP, payload: orderPayload(c.shopifyCustomerId, "150"), receivedAt: now });
    const change = await db.vipTierChange.findFirstOrThrow({ where: { customerId: c.id } });
    await db.reward.deleteMany({ where: { customerId: c.id } });
    await db.vipTierChange.update({ where: { id: change.id }, data: { rewardsQueuedAt: null } });
    expect(await queueOwedEntryRewards(deps())).toBe(1);
    expect(await queueOwedEntryRewards(deps())).toBe(0);
    expect(await entryRewards(c.id)).toHaveLength(1);
  });
});

describe("privacy", () => {
  it("customers/redact erases the counted orders and the order ids on changes; tier changes hold no personal data; shop/redact deletes all", async () => {
    await setup();
    const c = await createCustomer(db, SHOP, { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" });
    await vipOrderCreated(deps(), { shop: SHOP, payload: orderPayload(c.shopifyCustomerId, "600"), receivedAt: now });
    const changes = await db.vipTierChange.findMany({ where: { customerId: c.id } });
    const text = JSON.stringify(changes);
    for (const personal of ["Ada", "Lovelace", "ada@example.com", c.shopifyCustomerId]) expect(text).not.toContain(personal);
    expect((await customerVip(db, SHOP, c.id)).changes).toHaveLength(1);
    // A data request hands the customer their tier changes.
    const request = await handleCustomersDataRequest(db, { shop: SHOP, payload: { shop_domain: SHOP, customer: { id: Number(c.shopifyCustomerId.split("/").at(-1)) } } } as never);
    expect(JSON.parse(request.result!).data[0].vipTierChanges).toMatchObject([{ from: null, to: "Gold", direction: "UP" }]);

    await handleCustomersRedact(db, { shop: SHOP, payload: { shop_domain: SHOP, customer: { id: Number(c.shopifyCustomerId.split("/").at(-1)), email: "ada@example.com" } } } as never);
    expect(await db.vipOrder.count({ where: { customerId: c.id } })).toBe(0);
    expect(await db.vipTierChange.findMany({ where: { customerId: c.id }, select: { orderGid: true } })).toEqual([{ orderGid: null }]);

    await handleShopRedact(db, { shop: SHOP, payload: { shop_id: 1, shop_domain: SHOP } });
    for (const count of [db.vipProgram.count({ where: { shop: SHOP } }), db.vipTier.count({ where: { shop: SHOP } }), db.vipTierChange.count({ where: { shop: SHOP } }), db.vipOrder.count({ where: { shop: SHOP } }), db.vipEvaluationJob.count({ where: { shop: SHOP } })]) {
      expect(await count).toBe(0);
    }
  });
});

describe("the order's row, written straight to the driver", () => {
  it("GIVEN an order recorded by recordVipOrder WHEN read through Prisma THEN every field is what Prisma's own create stores, to the millisecond; the same order again writes nothing", async () => {
    const SHOP = "vip-raw-order.myshopify.com";
    await createShop(db, SHOP);
    const customer = await createCustomer(db, SHOP);
    const orderedAt = new Date("2026-05-31T23:59:59.123Z");
    expect(await recordVipOrder(db, { shop: SHOP, customerId: customer.id, orderGid: "gid://shopify/Order/raw-1", amount: "12.500", orderedAt })).toBe(true);
    expect(await recordVipOrder(db, { shop: SHOP, customerId: customer.id, orderGid: "gid://shopify/Order/raw-1", amount: "99.000", orderedAt: now })).toBe(false);
    const viaPrisma = await db.vipOrder.create({ data: { shop: SHOP, customerId: customer.id, orderGid: "gid://shopify/Order/prisma-1", amount: "12.500", orderedAt } });
    const raw = await db.vipOrder.findUniqueOrThrow({ where: { shop_orderGid: { shop: SHOP, orderGid: "gid://shopify/Order/raw-1" } } });
    const comparable = ({ id: _id, orderGid: _orderGid, ...rest }: typeof raw) => rest;
    expect(comparable(raw)).toEqual(comparable(viaPrisma));
    expect(raw).toMatchObject({ amount: "12.500", refunded: "0", refundIds: "[]", canceled: false });
    expect(raw.orderedAt.toISOString()).toBe(orderedAt.toISOString());
    // The same bytes: Prisma's equality filters match both rows, and they are stored as the same text.
    expect(await db.vipOrder.count({ where: { shop: SHOP, orderedAt, canceled: false } })).toBe(2);
    const asText = await db.$queryRaw<{ orderedAt: string }[]>`SELECT CAST("orderedAt" AS TEXT) AS "orderedAt" FROM "VipOrder" WHERE "shop" = ${SHOP}`;
    expect(asText).toHaveLength(2);
    expect(asText[0].orderedAt).toBe(asText[1].orderedAt);
  });
});

describe("rolling 12 months: a tier's entry reward at most once in any 12 months", () => {
  // Off afterwards: the later tests' runs of the worker's passes count only their own shops.
  afterEach(async () => {
    await db.vipProgram.updateMany({ where: { shop: SHOP }, data: { enabled: false } });
  });
  // The worker's passes until every period end is started and every re-evaluation done (the shops of
  // the tests above are re-evaluated too, at most 5 jobs a pass).
  async function runVipTasksUntilIdle() {
    for (let i = 0; i < 100; i++) {
      const { periodEnds } = await runVipTasks(deps());
      if (periodEnds === 0 && (await db.vipEvaluationJob.count({ where: { status: "RUNNING" } })) === 0) return;
    }
    throw new Error("the VIP passes never ran out of work");
  }

  it("GIVEN Silver entered in January, lost at February's re-check after a refund WHEN it is entered again in March THEN no second reward; entered again 13 months after the first THEN one", async () => {
    now = new Date("2026-01-15T10:00:00.000Z");
    await setup({ period: "ROLLING_12_MONTHS" });
    const c = await createCustomer(db, SHOP);
    const january = orderPayload(c.shopifyCustomerId, "120", now);
    await vipOrderCreated(deps(), { shop: SHOP, payload: january, receivedAt: now });
    expect(await tierOf(c.id)).toBe("Silver");
    const refund = { refundId: `gid://shopify/Refund/${++orderSeq}`, orderGid: january.admin_graphql_api_id, lines: 30_000n, taxes: 0n, shipping: 0n, shippingTax: 0n };
    expect(await vipRefundCreated(db, { shop: SHOP, refund })).toBe("counted");
    now = new Date("2026-02-01T00:10:00.000Z");
    await runVipTasksUntilIdle();
    expect(await tierOf(c.id)).toBeNull();

    // 90 + 20 = 110 in the last 12 months: Silver again, 2 months after its entry reward.
    now = new Date("2026-03-10T10:00:00.000Z");
    expect(await vipOrderCreated(deps(), { shop: SHOP, payload: orderPayload(c.shopifyCustomerId, "20", now), receivedAt: now })).toBe("changed");
    expect(await tierOf(c.id)).toBe("Silver");
    await runVipTasksUntilIdle();
    // Before: keyed by the month (2026-03), a second Silver reward.
    expect((await entryRewards(c.id)).map((r) => r.idempotencyKey!.split(":").at(-1))).toEqual(["2026-01"]);
    const reentry = await db.vipTierChange.findFirstOrThrow({ where: { customerId: c.id, direction: "UP", periodKey: "2026-03" } });
    expect(JSON.parse(reentry.rewardTierIds)).toEqual([]);

    // February 2027: January's order is out of the window (20 left), Silver is lost; entered again
    // on 10 February, more than 12 months after the January 2026 reward: owed.
    now = new Date("2027-02-01T00:10:00.000Z");
    await runVipTasksUntilIdle();
    expect(await tierOf(c.id)).toBeNull();
    now = new Date("2027-02-10T10:00:00.000Z");
    await vipOrderCreated(deps(), { shop: SHOP, payload: orderPayload(c.shopifyCustomerId, "100", now), receivedAt: now });
    expect(await tierOf(c.id)).toBe("Silver");
    expect((await entryRewards(c.id)).map((r) => r.idempotencyKey!.split(":").at(-1))).toEqual(["2026-01", "2027-02"]);
  });
});

describe("a threshold saved while an order's evaluation runs", () => {
  afterEach(async () => {
    await db.vipProgram.updateMany({ where: { shop: SHOP }, data: { enabled: false } });
  });

  it("GIVEN Silver raised from 100 to 200 and its re-evaluation done between the evaluation's start and its transaction THEN the customer (150 spent) is not moved into Silver by the old threshold, and no entry reward", async () => {
    await setup();
    const c = await createCustomer(db, SHOP);
    const order = orderPayload(c.shopifyCustomerId, "150");
    await recordVipOrder(db, { shop: SHOP, customerId: c.id, orderGid: order.admin_graphql_api_id, amount: "150.000", orderedAt: now });
    const silver = await db.vipTier.findFirstOrThrow({ where: { shop: SHOP, name: "Silver" } });
    // The interleaving, without timing: the merchant's save and the worker's whole re-evaluation
    // happen just before the order's evaluation opens its transaction.
    let interleaved = false;
    const racing = new Proxy(db, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== "$transaction" || typeof value !== "function") return typeof value === "function" ? value.bind(target) : value;
        return async (...args: unknown[]) => {
          if (!interleaved) {
            interleaved = true;
            const saved = await saveTier(db, SHOP, { id: silver.id, form: { name: "Silver", threshold: "200", entryRewardTemplateId: silver.entryRewardTemplateId ?? "" }, shownCurrency: "USD" }, now);
            expect(saved.ok).toBe(true);
            while ((await db.vipEvaluationJob.count({ where: { shop: SHOP, status: "RUNNING" } })) > 0) await runEvaluationJobs(deps());
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const outcome = await evaluateCustomerTier({ ...deps(), db: racing }, { shop: SHOP, customerId: c.id, now, mode: "UP_ONLY", reason: "THRESHOLD_REACHED", orderGid: order.admin_graphql_api_id });
    expect(interleaved).toBe(true);
    // Before: the tiers were read before the transaction, and the old 100 moved the customer up after the re-evaluation.
    expect(outcome.type).toBe("unchanged");
    expect(await tierOf(c.id)).toBeNull();
    expect(await entryRewards(c.id)).toHaveLength(0);
  });
});

describe("refunds known when the order arrives count before the order moves its customer", () => {
  afterEach(async () => {
    await db.vipProgram.updateMany({ where: { shop: SHOP }, data: { enabled: false } });
  });

  it("GIVEN an order of 150.00 imported with 100.00 already refunded (its orders/create carries the refund) THEN 50.00 counts and the customer is not moved into Silver (100), no entry reward", async () => {
    await setup();
    const c = await createCustomer(db, SHOP);
    const id = ++orderSeq;
    const money = (amount: string) => ({ shop_money: { amount, currency_code: "USD" } });
    const payload = {
      ...orderPayload(c.shopifyCustomerId, "150.00"),
      id,
      admin_graphql_api_id: `gid://shopify/Order/${id}`,
      financial_status: "partially_refunded",
      refunds: [{ id: id * 10, admin_graphql_api_id: `gid://shopify/Refund/${id * 10}`, order_id: id, refund_line_items: [{ quantity: 1, subtotal_set: money("100.00"), total_tax_set: money("0.00") }] }],
    };
    // The order's effects as the inbox applies them (points off in this shop: the VIP row and the refund).
    await handleOrderCreated(db, orderContext(SHOP, payload, now));
    expect(await db.vipOrder.findFirstOrThrow({ where: { shop: SHOP, orderGid: payload.admin_graphql_api_id } })).toMatchObject({ amount: "150.00", refunded: "100.00" });
    // Before: the tier was decided on 150.00, before the carried refund was counted — Silver, with its reward, kept.
    expect(await tierOf(c.id)).toBeNull();
    expect(await db.vipTierChange.count({ where: { customerId: c.id } })).toBe(0);
    expect(await entryRewards(c.id)).toHaveLength(0);
    // A further order past the threshold moves the customer up as before.
    await handleOrderCreated(db, orderContext(SHOP, orderPayload(c.shopifyCustomerId, "60.00"), now));
    expect(await tierOf(c.id)).toBe("Silver");
  });
});

/** The worker's VIP passes until this shop's re-evaluations are done (other shops' jobs share each pass). */
async function workerPasses() {
  await runVipTasks(deps());
  while ((await db.vipEvaluationJob.count({ where: { shop: SHOP, status: "RUNNING" } })) > 0) await runEvaluationJobs(deps(), { maxJobs: 100 });
}

describe("thresholds under review: nobody moves by them; placed once when confirmed", () => {
  afterEach(async () => {
    await db.vipProgram.updateMany({ where: { shop: SHOP }, data: { enabled: false } });
  });
  const changesOf = (customerId: string) => db.vipTierChange.findMany({ where: { customerId }, orderBy: { createdAt: "asc" } });

  it("GIVEN tiers by amount spent typed in USD and the shop now selling in EUR WHEN an order of 150.00 arrives THEN the customer is not moved into Silver (100 USD) and no entry reward; confirmed in EUR THEN the worker places them in Silver once, with one entry reward", async () => {
    await setup();
    const c = await createCustomer(db, SHOP);
    await db.shop.update({ where: { domain: SHOP }, data: { currency: "EUR" } });
    // WHEN an order past Silver's threshold (typed in USD) arrives
    expect(await vipOrderCreated(deps(), { shop: SHOP, payload: orderPayload(c.shopifyCustomerId, "150.00"), receivedAt: now })).toBe("counted");
    // THEN the order counts, but nobody moves by a threshold under review (before: Silver, and its reward)
    expect(await db.vipOrder.count({ where: { customerId: c.id } })).toBe(1);
    expect(await tierOf(c.id)).toBeNull();
    expect(await changesOf(c.id)).toHaveLength(0);
    expect(await entryRewards(c.id)).toHaveLength(0);
    // AND the worker does not place anyone while it is under review
    await workerPasses();
    expect(await tierOf(c.id)).toBeNull();
    const jobsBefore = await db.vipEvaluationJob.count({ where: { shop: SHOP } });
    // WHEN the merchant confirms the amounts in EUR
    expect(await confirmAmountCurrency({ db, now: () => now }, SHOP, "EUR")).toMatchObject({ ok: true });
    await workerPasses();
    // THEN one re-evaluation places the customer, one change and one entry reward
    expect(await tierOf(c.id)).toBe("Silver");
    expect((await changesOf(c.id)).map((ch) => [ch.direction, ch.toTierName, ch.reasonCode])).toEqual([["UP", "Silver", "TIERS_CHANGED"]]);
    expect(await entryRewards(c.id)).toHaveLength(1);
    // AND only once, whatever the worker's passes
    await workerPasses();
    await workerPasses();
    expect(await db.vipEvaluationJob.count({ where: { shop: SHOP } })).toBe(jobsBefore + 1);
    expect(await changesOf(c.id)).toHaveLength(1);
    expect(await entryRewards(c.id)).toHaveLength(1);
  });

  it("GIVEN tiers typed in USD, the shop now selling in EUR WHEN an order that would reach Silver arrives THEN the customer's profile says tier changes are on hold until the amounts are confirmed; confirmed THEN it says tiers are being re-checked, then shows the move as usual", async () => {
    await setup();
    const c = await createCustomer(db, SHOP);
    expect(await customerVip(db, SHOP, c.id)).toMatchObject({ placement: null, changes: [] });
    await db.shop.update({ where: { domain: SHOP }, data: { currency: "EUR" } });
    expect(await vipOrderCreated(deps(), { shop: SHOP, payload: orderPayload(c.shopifyCustomerId, "150.00"), receivedAt: now })).toBe("counted");
    // THEN the profile says why the customer is not Silver (before: no tier, no change, nothing said)
    expect(await customerVip(db, SHOP, c.id)).toMatchObject({ tierName: null, changes: [], placement: { state: "held", title: "Amounts saved in USD; the shop now sells in EUR" } });
    // WHEN confirmed, before the worker's VIP pass starts the re-evaluation, and while it runs
    await confirmAmountCurrency({ db, now: () => now }, SHOP, "EUR");
    expect((await customerVip(db, SHOP, c.id)).placement).toEqual({ state: "rechecking", done: 0, total: 0 });
    await releaseHeldPlacements(db, now);
    expect((await customerVip(db, SHOP, c.id)).placement).toMatchObject({ state: "rechecking", total: 1 });
    await workerPasses();
    // THEN the re-check's result, as any change, and nothing on hold
    expect(await customerVip(db, SHOP, c.id)).toMatchObject({ tierName: "Silver", placement: null, changes: [{ direction: "UP", toTierName: "Silver", reasonCode: "TIERS_CHANGED" }] });
  });

  it("GIVEN VIP off THEN its card says nothing about a hold", async () => {
    await setup({ enabled: false });
    const c = await createCustomer(db, SHOP);
    await db.shop.update({ where: { domain: SHOP }, data: { currency: "EUR" } });
    expect((await customerVip(db, SHOP, c.id)).placement).toBeNull();
  });

  it("GIVEN a Silver member (100 USD) whose shop now sells in EUR, with 600.00 spent WHEN the widget shows their progress THEN the next tier is the one above Silver (Gold), not one picked by thresholds under review (Platinum at 1000 would be passed over by Gold at 500)", async () => {
    await setup();
    const c = await createCustomer(db, SHOP);
    await vipOrderCreated(deps(), { shop: SHOP, payload: orderPayload(c.shopifyCustomerId, "150.00"), receivedAt: now });
    expect(await tierOf(c.id)).toBe("Silver");
    await db.shop.update({ where: { domain: SHOP }, data: { currency: "EUR" } });
    // The next order is counted; its move waits while the thresholds are under review (the test above).
    const next = orderPayload(c.shopifyCustomerId, "450.00");
    await recordVipOrder(db, { shop: SHOP, customerId: c.id, orderGid: next.admin_graphql_api_id, amount: "450.00", orderedAt: now });
    expect(await tierOf(c.id)).toBe("Silver");
    // The next tier is Gold, named without an amount (before: Platinum — 600 compared with 500 typed in USD).
    expect(await storefrontVip(db, SHOP, c.id, now)).toEqual({ tier: "Silver", perk: null, next: { tier: "Gold", remaining: null }, basis: "AMOUNT_SPENT" });
    expect(await storefrontVip(db, SHOP, null, now)).toMatchObject({ tier: null, next: { tier: "Silver", remaining: null } });
    // Confirmed in EUR: the order's move is made, and the widget counts again.
    await confirmAmountCurrency({ db, now: () => now }, SHOP, "EUR");
    expect(await vipTierAfterOrder(deps(), { shop: SHOP, payload: next, receivedAt: now })).toBe("changed");
    expect(await storefrontVip(db, SHOP, c.id, now)).toMatchObject({ tier: "Gold", next: { tier: "Platinum", remaining: "400.00" } });
  });

  it("GIVEN tiers typed as amounts spent WHEN the merchant switches to points earned THEN the thresholds are under review (named 'amount spent'), a customer with 150 points is not moved into Silver; confirmed as points THEN placed in Silver once", async () => {
    await setup();
    await db.programSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, enabled: true }, update: { enabled: true } });
    expect((await saveVipProgram(db, SHOP, { enabled: "on", basis: "POINTS_EARNED", period: "LIFETIME", skippedTierRewards: "ALL" }, "USD", now)).ok).toBe(true);
    await workerPasses();
    // THEN the money thresholds are listed for review (before: nothing, they counted as points at once)
    expect(await amountReview(db, SHOP)).toMatchObject({
      savedIn: ["amount spent"],
      title: "Amounts saved in amount spent; the shop now sells in USD",
      areas: [{ area: "vip", names: ["Tier Gold", "Tier Platinum", "Tier Silver"] }],
    });
    const c = await createCustomer(db, SHOP);
    const order = orderPayload(c.shopifyCustomerId, "150");
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: order, receivedAt: now })).toBe("earned");
    await vipOrderCreated(deps(), { shop: SHOP, payload: order, receivedAt: now });
    expect(await tierOf(c.id)).toBeNull();
    expect(await entryRewards(c.id)).toHaveLength(0);
    // WHEN confirmed: the thresholds are points now, typed in no currency
    expect(await confirmAmountCurrency({ db, now: () => now }, SHOP, "USD")).toMatchObject({ ok: true, reviewed: 3 });
    expect(await db.vipTier.findMany({ where: { shop: SHOP }, select: { thresholdBasis: true, amountCurrency: true } })).toEqual(Array(3).fill({ thresholdBasis: "POINTS_EARNED", amountCurrency: null }));
    expect(await amountReview(db, SHOP)).toBeNull();
    await workerPasses();
    expect(await tierOf(c.id)).toBe("Silver");
    expect(await entryRewards(c.id)).toHaveLength(1);
  });

  it("GIVEN tiers typed as points earned WHEN the merchant switches to amount spent THEN each tier says it was typed as points, in no currency (no currency code standing for points), and is under review until saved again", async () => {
    await setup({ basis: "POINTS_EARNED" });
    expect(await db.vipTier.findMany({ where: { shop: SHOP }, select: { thresholdBasis: true, amountCurrency: true } })).toEqual(Array(3).fill({ thresholdBasis: "POINTS_EARNED", amountCurrency: null }));
    expect((await saveVipProgram(db, SHOP, { enabled: "on", basis: "AMOUNT_SPENT", period: "LIFETIME", skippedTierRewards: "ALL" }, "USD", now)).ok).toBe(true);
    // Before: amountCurrency "POINTS" (a sentinel in a currency column).
    expect(await db.vipTier.findMany({ where: { shop: SHOP }, select: { thresholdBasis: true, amountCurrency: true } })).toEqual(Array(3).fill({ thresholdBasis: "POINTS_EARNED", amountCurrency: null }));
    expect(await amountReview(db, SHOP)).toMatchObject({ title: "Amounts saved in points earned; the shop now sells in USD" });
    const silver = await db.vipTier.findFirstOrThrow({ where: { shop: SHOP, name: "Silver" } });
    expect((await saveTier(db, SHOP, { id: silver.id, form: { name: "Silver", threshold: "100", entryRewardTemplateId: silver.entryRewardTemplateId ?? "" }, shownCurrency: "USD" }, now)).ok).toBe(true);
    expect(await db.vipTier.findUniqueOrThrow({ where: { id: silver.id } })).toMatchObject({ thresholdBasis: "AMOUNT_SPENT", amountCurrency: "USD" });
    expect((await amountReview(db, SHOP))?.areas).toMatchObject([{ area: "vip", names: ["Tier Gold", "Tier Platinum"] }]);
  });
});

describe("points earned date an order by its created_at, as amount spent does", () => {
  afterEach(async () => {
    await db.vipProgram.updateMany({ where: { shop: SHOP }, data: { enabled: false } });
  });

  it("calendar year: GIVEN an order placed on 31 December 2026 whose points were written on 1 January 2027 WHEN 2028 begins THEN the tier it reached is lost, as by amount spent (it counted in 2026, not 2027)", async () => {
    now = new Date("2027-01-01T00:30:00.000Z");
    await setup({ basis: "POINTS_EARNED", period: "CALENDAR_YEAR" });
    await db.programSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, enabled: true }, update: { enabled: true } });
    const c = await createCustomer(db, SHOP);
    // GIVEN an order of 31 December processed (its EARNED row written) on 1 January
    const order = orderPayload(c.shopifyCustomerId, "150", new Date("2026-12-31T23:30:00.000Z"));
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: order, receivedAt: now })).toBe("earned");
    await db.pointsTransaction.updateMany({ where: { shop: SHOP, orderGid: order.admin_graphql_api_id }, data: { createdAt: now } });
    await vipOrderCreated(deps(), { shop: SHOP, payload: order, receivedAt: now });
    expect(await tierOf(c.id)).toBe("Silver");
    // WHEN 2028 begins (the period-end re-check counts 2027 and 2028)
    now = new Date("2028-01-01T00:05:00.000Z");
    await workerPasses();
    await workerPasses();
    // THEN the order counted in 2026: Silver is lost (before: dated 2027 by its processing, kept through 2028)
    expect(await tierOf(c.id)).toBeNull();
  });
});

describe("with VIP on, an order's tier decision reads the program once before the customer's lock", () => {
  afterEach(async () => {
    await db.vipProgram.updateMany({ where: { shop: SHOP }, data: { enabled: false } });
  });

  it("GIVEN VIP on WHEN vipTierAfterOrder decides an order's move THEN the program is read once outside the lock (before: twice) and the move is made", async () => {
    await setup();
    const c = await createCustomer(db, SHOP);
    const order = orderPayload(c.shopifyCustomerId, "150.00");
    await handleOrderCreated(db, orderContext(SHOP, order, now), []);
    const { countVipOrder } = await import("./tiers.server");
    expect(await countVipOrder(deps(), { shop: SHOP, payload: order, receivedAt: now })).toBe("counted");
    // Reads of the program through the client (a transaction's reads go through its own client).
    let programReads = 0;
    const counting = new Proxy(db, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop === "vipProgram") {
          return new Proxy(value as object, {
            get(model, method, r) {
              const fn = Reflect.get(model, method, r) as unknown;
              if (typeof fn !== "function") return fn;
              return (...args: unknown[]) => {
                if (method === "findUnique" || method === "findFirst") programReads++;
                return (fn as (...a: unknown[]) => unknown).apply(model, args);
              };
            },
          });
        }
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    expect(await vipTierAfterOrder({ ...deps(), db: counting }, { shop: SHOP, payload: order, receivedAt: now })).toBe("changed");
    expect(programReads).toBe(1);
    expect(await tierOf(c.id)).toBe("Silver");
  });
});
