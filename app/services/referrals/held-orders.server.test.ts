// A referred friend's order that arrives while the referral minimum was saved in another currency than
// the shop sells in now (docs/decisions/015, "earning and the referral minimum wait for the confirm"):
// it is not compared with "50" typed in USD as if it were ¥50; it is kept, and decided once the merchant
// confirms the amounts (or saves Referrals) — the first at or over the confirmed minimum qualifies.
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { createCustomer, createShop, createTemplate } from "../../../test/support/factories";
import { testClock, type TestClock } from "../../../test/support/clock";
import { confirmAmountCurrency } from "~/services/lifecycle/amount-currency.server";
import { runReferralTasks } from "./effects.server";
import { claimReferral, ensureReferralCode, qualifyReferralFromOrder, recordReferralClick, referralsOfCustomer, rejectForOrderReversal } from "./referrals.server";

let SHOP = "";
let shopN = 0;
let clock: TestClock;
const noShopify = () => Promise.reject(new Error("no Admin API in this test"));
const deps = () => ({ db, logger, adminFor: noShopify, now: clock.now });

/** GIVEN a shop now selling in JPY whose referral minimum "50" was typed while it sold in USD (hold 7 days). */
beforeEach(async () => {
  clock = testClock();
  SHOP = `referral-held-${Date.now()}-${++shopN}.myshopify.com`;
  await createShop(db, SHOP, { currency: "JPY" });
  const friendTemplate = await createTemplate(db, SHOP, { purpose: "REFERRAL", pointsCost: null, value: "500" });
  const referrerTemplate = await createTemplate(db, SHOP, { purpose: "REFERRAL", pointsCost: null, value: "1000" });
  await db.rewardTemplate.updateMany({ where: { shop: SHOP }, data: { amountCurrency: "JPY" } });
  await db.referralSettings.create({
    data: { shop: SHOP, enabled: true, friendTemplateId: friendTemplate.id, referrerTemplateId: referrerTemplate.id, minimumOrderAmount: "50", pendingDays: 7, amountCurrency: "USD" },
  });
});

async function signedUp() {
  const referrer = await createCustomer(db, SHOP);
  const code = await ensureReferralCode(db, { shop: SHOP, customerId: referrer.id });
  const visitor = `visitor-${crypto.randomUUID()}`;
  const click = await recordReferralClick(db, { shop: SHOP, code, visitor, now: clock.now() });
  if (!click.ok) throw new Error(click.code);
  clock.advance(5_000);
  const friend = await createCustomer(db, SHOP);
  const claimed = await claimReferral(deps(), { shop: SHOP, code, visitor, friendGid: friend.shopifyCustomerId, facts: { createdAt: clock.now(), email: friend.email }, now: clock.now() });
  if (!claimed.ok) throw new Error(claimed.code);
  return { referrer, friend, referralId: claimed.referral.id };
}

let n = 0;
const orderOf = (friendGid: string, amount: string) => ({
  admin_graphql_api_id: `gid://shopify/Order/${Date.now()}${++n}`,
  customer: { admin_graphql_api_id: friendGid },
  subtotal_price_set: { shop_money: { amount, currency_code: "JPY" } },
});

const referral = (id: string) => db.referral.findUniqueOrThrow({ where: { id } });
const confirm = () => confirmAmountCurrency({ db, now: clock.now }, SHOP, "JPY");

describe("the referral minimum while it waits for review", () => {
  it("GIVEN the friend's ¥3,000 order THEN it is kept, not compared with the USD minimum; WHEN the merchant confirms THEN it qualifies as of its arrival, once", async () => {
    const { friend, referralId } = await signedUp();
    const placed = orderOf(friend.shopifyCustomerId, "3000");
    const arrived = clock.now();
    // WHEN the order arrives (before: "qualified" at once, ¥3,000 against "50" read as ¥50)
    expect(await qualifyReferralFromOrder(deps(), { shop: SHOP, payload: placed, receivedAt: arrived })).toBe("held");
    expect(await qualifyReferralFromOrder(deps(), { shop: SHOP, payload: placed, receivedAt: arrived })).toBe("held");
    expect((await referral(referralId)).state).toBe("SIGNED_UP");
    expect(await db.referralHeldOrder.count({ where: { shop: SHOP } })).toBe(1);
    // AND the worker's pass leaves it while the minimum is not confirmed
    expect((await runReferralTasks(deps())).heldDecided).toBe(0);
    // WHEN the merchant confirms the amounts in JPY, and the pass runs (twice), a day later
    clock.advance(86_400_000);
    expect(await confirm()).toMatchObject({ ok: true });
    expect((await runReferralTasks(deps())).heldDecided).toBe(1);
    expect((await runReferralTasks(deps())).heldDecided).toBe(0);
    // THEN it qualified with that order, its hold counted from the order's arrival
    expect(await referral(referralId)).toMatchObject({ state: "QUALIFIED", qualifyingOrderGid: placed.admin_graphql_api_id, qualifiedAt: arrived, holdUntil: new Date(arrived.getTime() + 7 * 86_400_000) });
    expect(await db.referralHeldOrder.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("GIVEN two kept orders (¥3,000, then ¥8,000) WHEN the merchant saves the minimum as ¥5,000 THEN the first at or over it qualifies", async () => {
    const { friend, referralId } = await signedUp();
    expect(await qualifyReferralFromOrder(deps(), { shop: SHOP, payload: orderOf(friend.shopifyCustomerId, "3000"), receivedAt: clock.now() })).toBe("held");
    clock.advance(60_000);
    const second = orderOf(friend.shopifyCustomerId, "8000");
    expect(await qualifyReferralFromOrder(deps(), { shop: SHOP, payload: second, receivedAt: clock.now() })).toBe("held");
    // The Referrals save stamps the currency its page showed (saveReferralSettings: amountCurrencyOfSave).
    await db.referralSettings.update({ where: { shop: SHOP }, data: { minimumOrderAmount: "5000", amountCurrency: "JPY" } });
    expect((await runReferralTasks(deps())).heldDecided).toBe(2);
    expect(await referral(referralId)).toMatchObject({ state: "QUALIFIED", qualifyingOrderGid: second.admin_graphql_api_id });
  });

  it("GIVEN a kept order below the confirmed minimum, or refunded meanwhile THEN it qualifies nothing, and the referral still waits for a qualifying order", async () => {
    const { friend, referralId } = await signedUp();
    const refunded = orderOf(friend.shopifyCustomerId, "9000");
    await qualifyReferralFromOrder(deps(), { shop: SHOP, payload: refunded, receivedAt: clock.now() });
    await rejectForOrderReversal(deps(), { shop: SHOP, orderGid: refunded.admin_graphql_api_id, reason: "order_refunded", now: clock.now() });
    await qualifyReferralFromOrder(deps(), { shop: SHOP, payload: orderOf(friend.shopifyCustomerId, "30"), receivedAt: clock.now() });
    await confirm();
    expect((await runReferralTasks(deps())).heldDecided).toBe(1);
    expect((await referral(referralId)).state).toBe("SIGNED_UP");
    // AND a later order at or over the minimum qualifies at once (the minimum is confirmed)
    expect(await qualifyReferralFromOrder(deps(), { shop: SHOP, payload: orderOf(friend.shopifyCustomerId, "60"), receivedAt: clock.now() })).toBe("qualified");
  });

  it("GIVEN a minimum of 0 (any order) THEN nothing waits: the order qualifies at once", async () => {
    await db.referralSettings.update({ where: { shop: SHOP }, data: { minimumOrderAmount: "0" } });
    const { friend, referralId } = await signedUp();
    expect(await qualifyReferralFromOrder(deps(), { shop: SHOP, payload: orderOf(friend.shopifyCustomerId, "10"), receivedAt: clock.now() })).toBe("qualified");
    expect((await referral(referralId)).state).toBe("QUALIFIED");
  });

  it("GIVEN a kept order WHEN the merchant turns the referral program off and confirms THEN it qualifies nothing and stays kept, saying why; WHEN turned on again THEN it qualifies, once", async () => {
    const { referrer, friend, referralId } = await signedUp();
    const placed = orderOf(friend.shopifyCustomerId, "3000");
    expect(await qualifyReferralFromOrder(deps(), { shop: SHOP, payload: placed, receivedAt: clock.now() })).toBe("held");
    const tab = async () => (await referralsOfCustomer(db, { shop: SHOP, customerId: referrer.id })).map((r) => [r.state, r.waitingFor]);
    expect(await tab()).toEqual([["SIGNED_UP", "amounts"]]);
    await db.referralSettings.update({ where: { shop: SHOP }, data: { enabled: false } });
    await confirm();
    // THEN (before: qualified by a program that is off, its referrer's reward on its way)
    expect((await runReferralTasks(deps())).heldDecided).toBe(0);
    expect((await referral(referralId)).state).toBe("SIGNED_UP");
    expect(await db.referralHeldOrder.count({ where: { shop: SHOP } })).toBe(1);
    expect(await tab()).toEqual([["SIGNED_UP", "program_on"]]);
    // WHEN turned on again THEN the kept order qualifies its referral, once
    await db.referralSettings.update({ where: { shop: SHOP }, data: { enabled: true } });
    expect((await runReferralTasks(deps())).heldDecided).toBe(1);
    expect((await runReferralTasks(deps())).heldDecided).toBe(0);
    expect(await referral(referralId)).toMatchObject({ state: "QUALIFIED", qualifyingOrderGid: placed.admin_graphql_api_id });
    expect(await tab()).toEqual([["QUALIFIED", null]]);
  });
});
