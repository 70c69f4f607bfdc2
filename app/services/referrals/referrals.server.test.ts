// Referral use-cases on the real database (and the emulator's Admin API for the worker and cancels):
// concurrent claims, the referrer's reward racing a rejection, an Issued referrer reward canceled in
// Shopify, a used one left alone, and customers/redact / shop/redact.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Customer } from "@prisma/client";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { runWorkerOnce, workerConfig } from "~/jobs/worker.server";
import { handleCustomersDataRequest, handleCustomersRedact, handleShopRedact } from "~/services/compliance/privacy.server";
import { installEmulatedShop, useShopifyEmulator } from "../../../test/support/shopify";
import { TEST_APP } from "../../../test/support/constants";
import { createCustomer, createTemplate } from "../../../test/support/factories";
import { testClock, type TestClock } from "../../../test/support/clock";
import { handleOrderCreated, orderContext } from "~/services/orders/order-created.server";
import { WEBHOOK_EFFECTS } from "~/services/webhooks/effects.server";
import { WEBHOOK_RETRY_POLICY } from "~/services/webhooks/inbox.server";
import { addressKeyOf, claimReferral, ensureReferralCode, issueDueReferrerRewards, qualifyReferralFromOrder, recordReferralClick, referralDashboardFigures, referralsOfCustomer, rejectForOrderReversal, rewardReferrer } from "./referrals.server";

const { emulator, adminGraphql } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
let clock: TestClock;
let friendTemplate: string;
let referrerTemplate: string;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
  friendTemplate = (await createTemplate(db, SHOP, { purpose: "REFERRAL", pointsCost: null, value: "5.00" })).id;
  referrerTemplate = (await createTemplate(db, SHOP, { purpose: "REFERRAL", pointsCost: null, value: "10.00" })).id;
});

beforeEach(async () => {
  clock = testClock();
  const data = { enabled: true, friendTemplateId: friendTemplate, referrerTemplateId: referrerTemplate, minimumOrderAmount: "0", pendingDays: 7, monthlyCapPerReferrer: null };
  await db.referralSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, ...data }, update: data });
});

const deps = () => ({ db, logger, adminFor: (shop: string) => adminGraphql(shop), now: clock.now });

/** A referrer with a code, a click, and a friend created after it (Shopify facts given as the claim gets them). */
async function clickedReferral() {
  const referrer = await createCustomer(db, SHOP, {}, emulator);
  const code = await ensureReferralCode(db, { shop: SHOP, customerId: referrer.id });
  const visitor = `visitor-${crypto.randomUUID()}`;
  const click = await recordReferralClick(db, { shop: SHOP, code, visitor, now: clock.now() });
  if (!click.ok) throw new Error(click.code);
  clock.advance(5_000);
  const friend = await createCustomer(db, SHOP, {}, emulator);
  return { referrer, friend, code, visitor, referralId: click.referralId };
}

async function signedUp(): Promise<{ referrer: Customer; friend: Customer; referralId: string }> {
  const r = await clickedReferral();
  const claimed = await claimReferral(deps(), { shop: SHOP, code: r.code, visitor: r.visitor, friendGid: r.friend.shopifyCustomerId, facts: { createdAt: clock.now(), email: r.friend.email }, now: clock.now() });
  if (!claimed.ok) throw new Error(claimed.code);
  expect(claimed.referral.state).toBe("SIGNED_UP");
  return r;
}

/** QUALIFIED as the orders/create effect leaves it, hold ending in `days`. */
async function qualify(referralId: string, days: number) {
  await db.referral.update({ where: { id: referralId }, data: { state: "QUALIFIED", qualifiedAt: clock.now(), qualifyingOrderGid: `gid://shopify/Order/${Date.now()}${Math.floor(Math.random() * 1000)}`, holdUntil: new Date(clock.now().getTime() + days * 86_400_000) } });
  return (await db.referral.findUniqueOrThrow({ where: { id: referralId } })).qualifyingOrderGid!;
}

describe("claims", () => {
  it("GIVEN 8 concurrent claims of one friend, two visitors' clicks THEN one referral, one welcome reward, all answers the same", async () => {
    const r = await clickedReferral();
    const otherVisitor = `visitor-${crypto.randomUUID()}`;
    // Both clicks happened before the friend's account existed.
    await recordReferralClick(db, { shop: SHOP, code: r.code, visitor: otherVisitor, now: new Date(clock.now().getTime() - 5_000) });
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        claimReferral(deps(), { shop: SHOP, code: r.code, visitor: i % 2 ? r.visitor : otherVisitor, friendGid: r.friend.shopifyCustomerId, facts: null, now: clock.now() }),
      ),
    );
    const ids = new Set(claims.map((c) => (c.ok ? c.referral.id : c.code)));
    expect(ids.size).toBe(1);
    const referral = await db.referral.findUniqueOrThrow({ where: { shop_friendCustomerId: { shop: SHOP, friendCustomerId: r.friend.id } } });
    expect(referral.state).toBe("SIGNED_UP");
    expect(await db.reward.count({ where: { shop: SHOP, idempotencyKey: `referral:friend:${referral.id}` } })).toBe(1);
    // The other visitor's click stays a click.
    expect(await db.referral.count({ where: { shop: SHOP, state: "CLICKED", visitorToken: { in: [r.visitor, otherVisitor] } } })).toBe(1);
  });

  it("GIVEN a friend already referred THEN a second referrer's code can't take them (one referral per friend, ever)", async () => {
    const first = await signedUp();
    const other = await clickedReferral();
    const again = await claimReferral(deps(), { shop: SHOP, code: other.code, visitor: other.visitor, friendGid: first.friend.shopifyCustomerId, facts: null, now: clock.now() });
    expect(again.ok && again.referral.id).toBe(first.referralId);
    expect(await db.referral.count({ where: { shop: SHOP, friendCustomerId: first.friend.id } })).toBe(1);
  });
});

describe("a guest order's sign-up (orders/create)", () => {
  beforeEach(async () => {
    await db.referralSettings.update({ where: { shop: SHOP }, data: { minimumOrderAmount: "100" } });
  });

  /** A friend's first order carrying the referrer's code in its cart attributes; the friend is new to the app. */
  async function guestOrderSignUp(createdAt: unknown) {
    const referrer = await createCustomer(db, SHOP, {}, emulator);
    const code = await ensureReferralCode(db, { shop: SHOP, customerId: referrer.id });
    const visitor = `visitor-${crypto.randomUUID()}`;
    // The click a minute ago; the app first hears of the friend with this order (the database's clock).
    await recordReferralClick(db, { shop: SHOP, code, visitor, now: new Date(Date.now() - 60_000) });
    const n = Date.now() * 1000 + Math.floor(Math.random() * 1000);
    const friendGid = `gid://shopify/Customer/${n}`;
    const payload = {
      admin_graphql_api_id: `gid://shopify/Order/${n}`,
      name: "#1001",
      customer: { admin_graphql_api_id: friendGid, email: `friend${n}@example.com`, created_at: createdAt },
      // Below the minimum set below: the sign-up is what is tried, and no hold is left for the next tests' worker.
      subtotal_price_set: { shop_money: { amount: "50.00", currency_code: "USD" } },
      note_attributes: [
        { name: "_loyalty_referral", value: code },
        { name: "_loyalty_visitor", value: visitor },
      ],
    };
    await qualifyReferralFromOrder(deps(), { shop: SHOP, payload, receivedAt: clock.now() });
    const friend = await db.customer.findUniqueOrThrow({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: friendGid } } });
    return db.referral.findUniqueOrThrow({ where: { shop_friendCustomerId: { shop: SHOP, friendCustomerId: friend.id } } });
  }

  it("GIVEN a customer created_at no Shopify customer can have (year 0, 1969, unreadable) THEN it is unknown, as the storefront claim reads it, not 'already a customer'", async () => {
    // The storefront claim reads Shopify's createdAt with parseShopifyTime (app/shopify/referral-customers.server.ts):
    // outside 1970..9999 it is unknown and the app's own first sight of the customer counts. The order path must agree.
    for (const createdAt of ["0000-01-01T00:00:00Z", "1969-07-20T20:17:00Z", "2026-02-30T00:00:00Z trailing", 1_700_000_000]) {
      const referral = await guestOrderSignUp(createdAt);
      expect({ createdAt, state: referral.state, reason: referral.rejectionReason }).toMatchObject({ createdAt, reason: null });
      expect(referral.state).toBe("SIGNED_UP");
    }
  });

  it("GIVEN a real created_at before the click THEN the friend was already a customer (rejected)", async () => {
    const referral = await guestOrderSignUp("2020-01-01T00:00:00.123456789Z");
    expect(referral).toMatchObject({ state: "REJECTED", rejectionReason: "friend_already_customer" });
  });
});

describe("a referral whose click was never recorded (the landing's POST /referral-click failed or got 429; the cookie kept the code)", () => {
  async function unrecorded() {
    const referrer = await createCustomer(db, SHOP, {}, emulator);
    const code = await ensureReferralCode(db, { shop: SHOP, customerId: referrer.id });
    clock.advance(60_000); // the friend landed (no click recorded), then made an account and signed in
    const friend = await createCustomer(db, SHOP, {}, emulator);
    return { code, friend, visitor: `visitor-${crypto.randomUUID()}` };
  }
  const claim = (r: { code: string; friend: Customer; visitor: string }, createdAt: Date) =>
    claimReferral(deps(), { shop: SHOP, code: r.code, visitor: r.visitor, friendGid: r.friend.shopifyCustomerId, facts: { createdAt, email: r.friend.email }, now: clock.now() });

  it("GIVEN a friend whose account was made after landing, seconds before the claim THEN signed up with the welcome reward (before: rejected as already a customer)", async () => {
    const r = await unrecorded();
    const claimed = await claim(r, new Date(clock.now().getTime() - 20_000));
    expect(claimed).toMatchObject({ ok: true, referral: { state: "SIGNED_UP", rejectionReason: null } });
    if (claimed.ok) expect(await db.reward.count({ where: { shop: SHOP, idempotencyKey: `referral:friend:${claimed.referral.id}` } })).toBe(1);
  });

  it("GIVEN an account older than the referrer's code, or than the cookie's 30 days THEN already a customer, click or no click", async () => {
    const r = await unrecorded();
    const older = await claim(r, new Date(clock.now().getTime() - 120_000));
    expect(older).toMatchObject({ ok: true, referral: { state: "REJECTED", rejectionReason: "friend_already_customer" } });
    const s = await unrecorded();
    clock.advance(31 * 86_400_000);
    const stale = await claim(s, new Date(clock.now().getTime() - 30 * 86_400_000 - 60_000));
    expect(stale).toMatchObject({ ok: true, referral: { state: "REJECTED", rejectionReason: "friend_already_customer" } });
  });

  it("GIVEN a friend with an order the app recorded before the claim THEN already a customer (orders are compared with the claim, not the earliest landing)", async () => {
    const r = await unrecorded();
    await db.pointsTransaction.create({ data: { shop: SHOP, customerId: r.friend.id, delta: 10, balanceAfter: 10, reason: "EARNED", orderGid: `gid://shopify/Order/${Date.now()}`, sourceKey: `test-order-${crypto.randomUUID()}`, createdAt: new Date(clock.now().getTime() - 10_000) } });
    const claimed = await claim(r, new Date(clock.now().getTime() - 20_000));
    expect(claimed).toMatchObject({ ok: true, referral: { state: "REJECTED", rejectionReason: "friend_already_customer" } });
  });

  it("GIVEN referrals made by the claim (with a visitor cookie, or from a guest order's cart with none) THEN the referrer's Referrals tab says the click was not recorded, not the claim's time; a recorded click keeps its time", async () => {
    const withCookie = await unrecorded();
    const claimed = await claim(withCookie, new Date(clock.now().getTime() - 20_000));
    if (!claimed.ok) throw new Error(claimed.code);
    const referrerId = claimed.referral.referrerCustomerId;
    const noCookie = await unrecorded();
    const guest = await claimReferral(deps(), { shop: SHOP, code: noCookie.code, visitor: null, friendGid: noCookie.friend.shopifyCustomerId, facts: { createdAt: clock.now(), email: noCookie.friend.email }, now: clock.now() });
    if (!guest.ok) throw new Error(guest.code);
    // (before: clickedAt was the claim's time, shown as "Clicked <the claim's day>")
    expect((await referralsOfCustomer(db, { shop: SHOP, customerId: referrerId }))[0]).toMatchObject({ id: claimed.referral.id, clickedAt: null, signedUpAt: claimed.referral.signedUpAt });
    expect((await referralsOfCustomer(db, { shop: SHOP, customerId: guest.referral.referrerCustomerId }))[0]).toMatchObject({ id: guest.referral.id, clickedAt: null });
    // AND a referral whose click was recorded shows the click's time
    const recorded = await signedUp();
    const clickedAt = (await db.referral.findUniqueOrThrow({ where: { id: recorded.referralId } })).clickedAt;
    expect((await referralsOfCustomer(db, { shop: SHOP, customerId: recorded.referrer.id }))[0]).toMatchObject({ id: recorded.referralId, clickedAt });
    expect(clickedAt.getTime()).toBeLessThan((await db.referral.findUniqueOrThrow({ where: { id: recorded.referralId } })).signedUpAt!.getTime());
  });

  it("GIVEN a referral the friend's claim made (its click never recorded) and one with a recorded click THEN the dashboard counts one link visit, and the data-request export of the referrer and of each friend states no click time for the claim's (\"not recorded\") and the recorded one's", async () => {
    const before = await referralDashboardFigures(db, SHOP);
    const r = await unrecorded();
    const claimed = await claim(r, new Date(clock.now().getTime() - 20_000));
    if (!claimed.ok) throw new Error(claimed.code);
    const recorded = await signedUp();
    const after = await referralDashboardFigures(db, SHOP);
    // (before: 2 — the claim's row counted as a visit)
    expect(after.clicks - before.clicks).toBe(1);
    expect(after.signedUp - before.signedUp).toBe(2);

    const exported = async (customer: Customer) => {
      const request = await handleCustomersDataRequest(db, { shop: SHOP, payload: { shop_domain: SHOP, customer: { id: customer.shopifyCustomerId.split("/").pop() } } });
      return (JSON.parse(request.result!) as { data: Array<{ referrals: { referred: Array<Record<string, unknown>>; referredBy: Record<string, unknown> | null } }> }).data[0]!.referrals;
    };
    const referrer = await db.customer.findUniqueOrThrow({ where: { id: claimed.referral.referrerCustomerId } });
    // (before: the claim's time, the same instant as signedUpAt)
    expect((await exported(referrer)).referred).toEqual([expect.objectContaining({ state: "SIGNED_UP", clickedAt: "not recorded", signedUpAt: claimed.referral.signedUpAt!.toISOString() })]);
    expect((await exported(r.friend)).referredBy).toMatchObject({ state: "SIGNED_UP", clickedAt: "not recorded" });
    const clickedAt = (await db.referral.findUniqueOrThrow({ where: { id: recorded.referralId } })).clickedAt;
    expect((await exported(recorded.referrer)).referred).toEqual([expect.objectContaining({ clickedAt: clickedAt.toISOString() })]);
    expect((await exported(recorded.friend)).referredBy).toMatchObject({ clickedAt: clickedAt.toISOString() });
  });
});

describe("the referrer's reward", () => {
  it("GIVEN a shop whose program is off with a referral due longer ago WHEN the pass takes one referral THEN it rewards the other shop's (the off shop's stays Qualified, never holding the batch)", async () => {
    const off = `referrals-off-${Date.now()}.myshopify.com`;
    await db.referralSettings.create({ data: { shop: off, enabled: false, referrerTemplateId: referrerTemplate, pendingDays: 0 } });
    const [offReferrer, offFriend] = [await createCustomer(db, off), await createCustomer(db, off)];
    const offCode = await db.referralCode.create({ data: { shop: off, customerId: offReferrer.id, code: `OFF${String(Date.now()).slice(-5)}` } });
    const longAgo = new Date(clock.now().getTime() - 365 * 86_400_000);
    const waiting = await db.referral.create({ data: { shop: off, codeId: offCode.id, referrerCustomerId: offReferrer.id, friendCustomerId: offFriend.id, state: "QUALIFIED", clickedAt: longAgo, signedUpAt: longAgo, qualifiedAt: longAgo, holdUntil: longAgo, qualifyingOrderGid: `gid://shopify/Order/${Date.now()}` } });
    const { referralId } = await signedUp();
    await qualify(referralId, 0);
    expect(await issueDueReferrerRewards(deps(), 1)).toEqual({ rewarded: 1, failed: 0 });
    expect(await db.referral.findUniqueOrThrow({ where: { id: referralId } })).toMatchObject({ state: "REWARDED" });
    expect(await db.referral.findUniqueOrThrow({ where: { id: waiting.id } })).toMatchObject({ state: "QUALIFIED", referrerRewardId: null });
    expect(await rewardReferrer(deps(), waiting.id)).toBe("program_off");
  });

  it("is not queued before the hold ends, then once; a refund after that while it is still Pending cancels it", async () => {
    const { referralId } = await signedUp();
    const orderGid = await qualify(referralId, 7);
    expect(await rewardReferrer(deps(), referralId)).toBe("not_due");
    clock.advance(7 * 86_400_000 + 1);
    const rewarded = await issueDueReferrerRewards(deps());
    expect(rewarded.rewarded).toBe(1);
    expect(await issueDueReferrerRewards(deps())).toEqual({ rewarded: 0, failed: 0 });
    const referral = await db.referral.findUniqueOrThrow({ where: { id: referralId } });
    expect(referral.state).toBe("REWARDED");
    // Refunded while the reward is still Pending: REJECTED, the reward canceled (database first).
    expect(await rejectForOrderReversal(deps(), { shop: SHOP, orderGid, reason: "order_refunded", now: clock.now() })).toBe("rejected_and_canceled");
    expect(await db.reward.findUniqueOrThrow({ where: { id: referral.referrerRewardId! } })).toMatchObject({ status: "CANCELED" });
    expect(await db.referral.findUniqueOrThrow({ where: { id: referralId } })).toMatchObject({ state: "REJECTED", rejectionReason: "order_refunded" });
    // The same delivery again changes nothing.
    expect(await rejectForOrderReversal(deps(), { shop: SHOP, orderGid, reason: "order_refunded", now: clock.now() })).toBe("duplicate");
  });

  it("an Issued referrer reward is deactivated in Shopify when the qualifying order is canceled; a Used one is left alone", async () => {
    await db.reward.deleteMany({ where: { status: "PENDING" } });
    const { referralId } = await signedUp();
    const orderGid = await qualify(referralId, 0);
    expect(await rewardReferrer(deps(), referralId)).toBe("rewarded");
    // The worker generates the two Pending rewards (welcome and referrer) in the emulated Shopify.
    await runWorkerOnce({ db, logger, adminFor: (s) => adminGraphql(s), now: clock.now }, workerConfig({ workerId: "w", leaseMs: 60_000, jitterRandom: () => 0, perShopConcurrency: 1, shopifyTimeoutMs: 2_000 }));
    const referral = await db.referral.findUniqueOrThrow({ where: { id: referralId } });
    const reward = await db.reward.findUniqueOrThrow({ where: { id: referral.referrerRewardId! } });
    expect(reward.status).toBe("ISSUED");
    expect(await rejectForOrderReversal(deps(), { shop: SHOP, orderGid, reason: "order_canceled", now: clock.now() })).toBe("rejected_and_canceled");
    expect((await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).status).toBe("CANCELED");
    expect(emulator.store.getDiscountByAnyId(SHOP, reward.shopifyId!)?.deactivatedAt).toBeInstanceOf(Date);

    const used = await signedUp();
    const usedOrder = await qualify(used.referralId, 0);
    await rewardReferrer(deps(), used.referralId);
    const usedReferral = await db.referral.findUniqueOrThrow({ where: { id: used.referralId } });
    await db.reward.update({ where: { id: usedReferral.referrerRewardId! }, data: { status: "USED", usedAt: clock.now() } });
    expect(await rejectForOrderReversal(deps(), { shop: SHOP, orderGid: usedOrder, reason: "order_refunded", now: clock.now() })).toBe("already_used");
    expect((await db.referral.findUniqueOrThrow({ where: { id: used.referralId } })).state).toBe("REWARDED");
  });
});

describe("privacy", () => {
  it("customers/redact erases the friend's visitor token and address key and the referrer's code; shop/redact deletes everything", async () => {
    const r = await clickedReferral();
    await claimReferral(deps(), { shop: SHOP, code: r.code, visitor: r.visitor, friendGid: r.friend.shopifyCustomerId, facts: null, now: clock.now() });
    await db.referralAddressKey.create({ data: { shop: SHOP, customerId: r.friend.id, addressKey: addressKeyOf(SHOP, { address1: "1 Private Way", zip: "12345" })! } });
    const numeric = (gid: string) => gid.split("/").pop();

    // customers/data_request hands the merchant the referrer's code and whom they referred (states only).
    const request = await handleCustomersDataRequest(db, { shop: SHOP, payload: { shop_domain: SHOP, customer: { id: numeric(r.referrer.shopifyCustomerId) } } });
    const data = JSON.parse(request.result!) as { data: Array<{ referrals: { code: string; referred: Array<{ state: string }> } }> };
    expect(data.data[0].referrals).toMatchObject({ code: r.code, referred: [{ state: "SIGNED_UP" }] });

    await handleCustomersRedact(db, { shop: SHOP, payload: { shop_domain: SHOP, customer: { id: numeric(r.friend.shopifyCustomerId), email: r.friend.email } } });
    const referral = await db.referral.findUniqueOrThrow({ where: { id: r.referralId } });
    expect(referral.visitorToken).toBeNull();
    expect(referral.state).toBe("SIGNED_UP");
    expect(await db.referralAddressKey.count({ where: { shop: SHOP, customerId: r.friend.id } })).toBe(0);

    await handleCustomersRedact(db, { shop: SHOP, payload: { shop_domain: SHOP, customer: { id: numeric(r.referrer.shopifyCustomerId), email: r.referrer.email } } });
    const code = await db.referralCode.findFirstOrThrow({ where: { shop: SHOP, customerId: r.referrer.id } });
    expect(code.code).not.toBe(r.code);
    expect(code.code).toMatch(/^REDACTED:/);
    expect(await recordReferralClick(db, { shop: SHOP, code: r.code, visitor: `visitor-${crypto.randomUUID()}`, now: clock.now() })).toEqual({ ok: false, code: "unknown_code" });

    await handleShopRedact(db, { shop: SHOP, payload: { shop_id: 1, shop_domain: SHOP } });
    for (const count of [db.referral.count({ where: { shop: SHOP } }), db.referralCode.count({ where: { shop: SHOP } }), db.referralSettings.count({ where: { shop: SHOP } }), db.referralAddressKey.count({ where: { shop: SHOP } })]) {
      expect(await count).toBe(0);
    }
  });
});

describe("a friend's first order refunded before it arrived (the refund kept for it)", () => {
  it("GIVEN a signed-up friend whose first order's refund is applied first, after the inbox's last attempt THEN the order, when it arrives, does not leave the referral qualified: it is rejected as refunded and the referrer gets nothing", async () => {
    const { friend, referralId } = await signedUp();
    const digits = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
    const money = (amount: string) => ({ shop_money: { amount, currency_code: "USD" } });
    const order = { id: Number(digits), admin_graphql_api_id: `gid://shopify/Order/${digits}`, name: "#1002", customer: { admin_graphql_api_id: friend.shopifyCustomerId }, subtotal_price_set: money("80.00") };
    const refundDigits = `${digits.slice(-12)}7`;
    const refund = { id: Number(refundDigits), admin_graphql_api_id: `gid://shopify/Refund/${refundDigits}`, order_id: Number(digits), refund_line_items: [{ quantity: 1, subtotal_set: money("80.00"), total_tax_set: money("0.00") }] };

    // The refund first, on the inbox's last attempt: its order is unknown, so it is kept for it.
    const raw = JSON.stringify(refund);
    const delivery = { shop: SHOP, topic: "refunds/create" as const, webhookId: `w-${digits}`, triggeredAt: null, apiVersion: "2026-10", payload: JSON.parse(raw), rawPayload: raw, receivedAt: clock.now(), attempt: WEBHOOK_RETRY_POLICY.maxAttempts };
    for (const effect of WEBHOOK_EFFECTS["refunds/create"]) await effect(db, delivery);
    expect(await db.waitingRefund.count({ where: { shop: SHOP, orderGid: order.admin_graphql_api_id } })).toBe(1);

    // Then the order: it would qualify the referral; the refund kept for it rejects it.
    await handleOrderCreated(db, orderContext(SHOP, order, clock.now()));
    expect(await db.referral.findUniqueOrThrow({ where: { id: referralId } })).toMatchObject({ state: "REJECTED", rejectionReason: "order_refunded", qualifyingOrderGid: order.admin_graphql_api_id });
    expect(await db.waitingRefund.count({ where: { shop: SHOP, orderGid: order.admin_graphql_api_id } })).toBe(0);
    clock.advance(30 * 86_400_000);
    expect(await issueDueReferrerRewards(deps())).toMatchObject({ rewarded: 0 });
  });
});

describe("a friend's first order already refunded or voided (financial_status, fifth session)", () => {
  it.each(["refunded", "voided"])("GIVEN a signed-up friend WHEN their first order arrives with financial_status %s THEN it does not qualify the referral", async (status) => {
    const { friend, referralId } = await signedUp();
    const n = Date.now() * 1000 + Math.floor(Math.random() * 1000);
    const payload = {
      admin_graphql_api_id: `gid://shopify/Order/${n}`,
      name: "#2001",
      financial_status: status,
      customer: { admin_graphql_api_id: friend.shopifyCustomerId },
      subtotal_price_set: { shop_money: { amount: "50.00", currency_code: "USD" } },
    };
    expect(await qualifyReferralFromOrder(deps(), { shop: SHOP, payload, receivedAt: clock.now() })).toBe("canceled");
    expect(await db.referral.findUniqueOrThrow({ where: { id: referralId } })).toMatchObject({ state: "SIGNED_UP", qualifyingOrderGid: null });
  });
});

describe("a guest friend's two first orders at once", () => {
  beforeEach(async () => {
    await db.referralSettings.update({ where: { shop: SHOP }, data: { minimumOrderAmount: "100" } });
  });

  it("GIVEN the first order (below the minimum) has attached the friend to the click but not decided the sign-up yet WHEN the second, qualifying order is applied THEN it decides the sign-up and qualifies the referral (before: 'not_signed_up', and the referral was never qualified)", async () => {
    const referrer = await createCustomer(db, SHOP, {}, emulator);
    const code = await ensureReferralCode(db, { shop: SHOP, customerId: referrer.id });
    const visitor = `visitor-${crypto.randomUUID()}`;
    const click = await recordReferralClick(db, { shop: SHOP, code, visitor, now: new Date(clock.now().getTime() - 60_000) });
    if (!click.ok) throw new Error(click.code);
    const n = Date.now() * 1000 + Math.floor(Math.random() * 1000);
    const friendGid = `gid://shopify/Customer/${n}`;
    const order = (k: number, subtotal: string) => ({
      admin_graphql_api_id: `gid://shopify/Order/${n}${k}`,
      name: `#30${k}`,
      customer: { admin_graphql_api_id: friendGid, email: `friend${n}@example.com` },
      subtotal_price_set: { shop_money: { amount: subtotal, currency_code: "USD" } },
      note_attributes: [
        { name: "_loyalty_referral", value: code },
        { name: "_loyalty_visitor", value: visitor },
      ],
    });
    const small = order(1, "40.00");
    const qualifying = order(2, "120.00");
    // The interleaving, without timing: the small order's claim attaches the friend to the click, and
    // the qualifying order is applied in full before that claim goes on to decide the sign-up.
    let second: unknown = null;
    const pausing = new Proxy(db, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== "referral") return typeof value === "function" ? value.bind(target) : value;
        const model = value as typeof db.referral;
        return new Proxy(model, {
          get(m, method) {
            const fn = Reflect.get(m, method) as unknown;
            if (typeof fn !== "function") return fn;
            if (method !== "updateMany") return fn.bind(m);
            return async (args: { data: { friendCustomerId?: string } }) => {
              const result = await (fn as (a: unknown) => Promise<unknown>).call(m, args);
              if (args.data.friendCustomerId && second === null) second = await qualifyReferralFromOrder(deps(), { shop: SHOP, payload: qualifying, receivedAt: clock.now() });
              return result;
            };
          },
        });
      },
    });
    const first = await qualifyReferralFromOrder({ ...deps(), db: pausing }, { shop: SHOP, payload: small, receivedAt: clock.now() });
    expect([first, second]).toEqual(["already_done", "qualified"]);
    const referral = await db.referral.findUniqueOrThrow({ where: { id: click.referralId } });
    expect(referral).toMatchObject({ state: "QUALIFIED", qualifyingOrderGid: qualifying.admin_graphql_api_id });
  });
});
