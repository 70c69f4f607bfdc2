// An order whose shop currency (orders/create `currency`) is not the one the app has for the shop
// (docs/decisions/019 and 023, addenda of 3 December 2026): the shop/update announcing a change came
// late or never, or the order is an odd one. It never earns, nor qualifies a referral, at the stored
// currency's rule: it is held like an order waiting for a review of amounts, and Shopify is asked for
// the shop's currency (the worker's "shop currencies" pass, refreshShopFacts). A new currency: the
// review takes over and the order is decided after the merchant's confirm, once. The same currency:
// the order is decided without points (referral: not compared), saying both currencies.
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { orderAmountsProblem } from "~/domain/points";
import { createCustomer, createShop } from "../../../test/support/factories";
import { installEmulatedShop, useShopifyEmulator } from "../../../test/support/shopify";
import { amountReview, confirmAmountCurrency } from "~/services/lifecycle/amount-currency.server";
import { decideDueHeldOrders } from "~/services/lifecycle/held-orders.server";
import { readUnreadShopCurrencies } from "~/services/lifecycle/scopes.server";
import { claimReferral, ensureReferralCode, qualifyReferralFromOrder, recordReferralClick, referralsOfCustomer } from "~/services/referrals/referrals.server";
import { ledgerTotals } from "./ledger.server";
import { earnPointsForOrder, takeBackForRefund } from "./order-points.server";
import { runPointsProgramTasks } from "./periodic.server";

const { emulator, adminGraphql } = useShopifyEmulator();
const noShopify = () => Promise.reject(new Error("no Admin API in this test"));
const deps = () => ({ db, logger, adminFor: noShopify, now: () => new Date() });

let SHOP = "";
let shopN = 0;
let n = 0;

/** GIVEN a shop the app knows as selling in USD (read from Shopify an hour ago): 1 point per USD, a referral minimum of 50 USD. */
beforeEach(async () => {
  SHOP = `order-currency-${Date.now()}-${++shopN}.myshopify.com`;
  await createShop(db, SHOP, { currency: "USD" });
  await db.shop.update({ where: { domain: SHOP }, data: { currencyReadAt: new Date(Date.now() - 3_600_000) } });
  await db.programSettings.create({ data: { shop: SHOP, enabled: true, pointsPerCurrencyUnit: "1", amountCurrency: "USD" } });
  await db.referralSettings.create({ data: { shop: SHOP, enabled: true, minimumOrderAmount: "50", pendingDays: 7, amountCurrency: "USD" } });
});

/** An orders/create body of `amount` in the shop currency `currency` (omitted: a body without the field). */
const order = (customerGid: string, amount: string, currency?: unknown) => ({
  admin_graphql_api_id: `gid://shopify/Order/${Date.now()}${++n}`,
  name: `#${n}`,
  customer: { admin_graphql_api_id: customerGid },
  ...(currency === undefined ? {} : { currency, presentment_currency: currency }),
  subtotal_price_set: { shop_money: { amount, currency_code: typeof currency === "string" ? currency : "USD" } },
});

async function history(customerId: string) {
  const c = await db.customer.findUniqueOrThrow({ where: { id: customerId } });
  const t = await ledgerTotals(db, customerId);
  expect([c.pointsBalance, c.pendingPoints]).toEqual([t.available, t.pending]);
  const rows = await db.pointsTransaction.findMany({ where: { customerId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return { balance: c.pointsBalance, rows: rows.map((r) => [r.reason, r.delta, r.status]) };
}

const shopRow = () => db.shop.findUniqueOrThrow({ where: { domain: SHOP } });

/** The worker's "shop currencies" pass, round after round until it has looked at every shop it reads (other tests' shops have no token). */
async function workerAsksShopify() {
  let after: string | null = null;
  do after = (await readUnreadShopCurrencies({ ...deps(), adminFor: (shop: string) => adminGraphql(shop) }, after)).next;
  while (after !== null);
}

/** A referred friend, signed up. */
async function signedUpFriend() {
  const referrer = await createCustomer(db, SHOP);
  const code = await ensureReferralCode(db, { shop: SHOP, customerId: referrer.id });
  const visitor = `visitor-${crypto.randomUUID()}`;
  const click = await recordReferralClick(db, { shop: SHOP, code, visitor, now: new Date(Date.now() - 5_000) });
  if (!click.ok) throw new Error(click.code);
  const friend = await createCustomer(db, SHOP);
  const claimed = await claimReferral(deps(), { shop: SHOP, code, visitor, friendGid: friend.shopifyCustomerId, facts: { createdAt: new Date(), email: friend.email }, now: new Date() });
  if (!claimed.ok) throw new Error(claimed.code);
  return { friend, referralId: claimed.referral.id };
}
const referralState = async (id: string) => (await db.referral.findUniqueOrThrow({ where: { id } })).state;

describe("an order in another shop currency than the stored one", () => {
  it("GIVEN an order of ¥5,000 (currency JPY) THEN it does not earn 5,000 points at 1 per USD: it is held, visibly, and Shopify is asked for the shop's currency", async () => {
    const buyer = await createCustomer(db, SHOP);
    const placed = order(buyer.shopifyCustomerId, "5000", "JPY");
    // (before: "earned", 5,000 points — 100× what ¥5,000 is worth at 1 point per USD)
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: new Date() })).toBe("held");
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: new Date() })).toBe("duplicate");
    expect(await history(buyer.id)).toEqual({ balance: 0, rows: [["EARNING_HELD", 0, "HELD"]] });
    const held = await db.pointsTransaction.findFirstOrThrow({ where: { customerId: buyer.id } });
    expect(held).toMatchObject({ orderCurrency: "JPY", amount: "5000.00" });
    expect(held.note).toBe("Waiting for the shop's currency: this order was placed in JPY, while points are earned on amounts in USD. This order is decided once Shopify confirms which currency the shop sells in.");
    expect((await shopRow()).currencyCheckDueAt).not.toBeNull();
    // AND neither the minute's pass nor the held-orders task decides it before Shopify answers
    expect((await runPointsProgramTasks(db, new Date())).heldEarned).toBe(0);
    await db.shop.update({ where: { domain: SHOP }, data: { heldOrdersDueAt: new Date() } });
    expect((await decideDueHeldOrders(deps())).earned).toBe(0);
    expect(await history(buyer.id)).toEqual({ balance: 0, rows: [["EARNING_HELD", 0, "HELD"]] });
  });

  it("GIVEN a held ¥5,000 order WHEN Shopify says the shop now sells in JPY THEN the amounts go under review, and once the merchant confirms them in JPY it earns 5,000, once", async () => {
    const buyer = await createCustomer(db, SHOP);
    const placed = order(buyer.shopifyCustomerId, "5000", "JPY");
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: new Date() })).toBe("held");
    await installEmulatedShop(emulator, SHOP, { currencyCode: "JPY" });
    await workerAsksShopify();
    expect(await shopRow()).toMatchObject({ currency: "JPY", currencyCheckDueAt: null });
    // The review of amounts takes over: the banner counts the held order, nothing is decided yet.
    expect((await amountReview(db, SHOP))?.waiting.ordersToEarn).toBe(1);
    expect((await decideDueHeldOrders(deps())).earned).toBe(0);
    expect((await runPointsProgramTasks(db, new Date())).heldEarned).toBe(0);
    // WHEN the merchant confirms the amounts in JPY
    expect(await confirmAmountCurrency({ db, now: () => new Date() }, SHOP, "JPY")).toMatchObject({ ok: true });
    expect((await decideDueHeldOrders(deps())).earned).toBe(1);
    expect((await decideDueHeldOrders(deps())).earned).toBe(0);
    expect((await runPointsProgramTasks(db, new Date())).heldEarned).toBe(0);
    expect(await history(buyer.id)).toEqual({ balance: 5000, rows: [["EARNING_HELD", 0, "AVAILABLE"], ["EARNED", 5000, "AVAILABLE"]] });
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: new Date() })).toBe("duplicate");
    // AND the shop's next orders, in JPY, are the shop's currency: they earn at once
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: order(buyer.shopifyCustomerId, "100", "JPY"), receivedAt: new Date() })).toBe("earned");
  });

  it("GIVEN a held ¥5,000 order WHEN Shopify says the shop still sells in USD THEN it is decided without points, its history naming both currencies, once; a refund of it takes nothing", async () => {
    const buyer = await createCustomer(db, SHOP);
    const placed = order(buyer.shopifyCustomerId, "5000", "JPY");
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: new Date() })).toBe("held");
    await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
    await workerAsksShopify();
    const row = await shopRow();
    expect(row).toMatchObject({ currency: "USD", currencyCheckDueAt: null });
    // The answer marks the shop's held orders due (the stored currency did not move: nothing else would).
    expect(row.heldOrdersDueAt).not.toBeNull();
    expect((await decideDueHeldOrders(deps())).earned).toBe(1);
    expect((await decideDueHeldOrders(deps())).earned).toBe(0);
    expect((await runPointsProgramTasks(db, new Date())).heldEarned).toBe(0);
    expect(await history(buyer.id)).toEqual({ balance: 0, rows: [["EARNING_HELD", 0, "AVAILABLE"], ["EARNED", 0, "AVAILABLE"]] });
    const decided = await db.pointsTransaction.findFirstOrThrow({ where: { customerId: buyer.id, reason: "EARNED" } });
    expect(decided.note).toBe("No points: this order's amounts are in JPY, and the shop sells in USD, the currency points are earned on.");
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: new Date() })).toBe("duplicate");
    const refund = { refundId: `gid://shopify/Refund/${Date.now()}`, orderGid: placed.admin_graphql_api_id, lines: 5_000_000n, taxes: 0n, shipping: 0n, shippingTax: 0n };
    expect(await takeBackForRefund(db, { shop: SHOP, refund, receivedAt: new Date(), lastAttempt: false, logger })).toBe("nothing_left");
    expect((await history(buyer.id)).balance).toBe(0);
  });

  it("GIVEN orders in the stored currency, or without a currency field THEN they earn as before, and nothing is asked of Shopify", async () => {
    const buyer = await createCustomer(db, SHOP);
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: order(buyer.shopifyCustomerId, "40", "USD"), receivedAt: new Date() })).toBe("earned");
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: order(buyer.shopifyCustomerId, "60"), receivedAt: new Date() })).toBe("earned");
    expect((await history(buyer.id)).balance).toBe(100);
    expect((await shopRow()).currencyCheckDueAt).toBeNull();
  });

  it("GIVEN an order whose currency is no three-letter currency code THEN it is bad input: no points, nothing held, and the delivery's problem names the field", async () => {
    const buyer = await createCustomer(db, SHOP);
    for (const currency of ["usd", "EURO", 840, ""]) {
      const placed = order(buyer.shopifyCustomerId, "5000", currency);
      expect(orderAmountsProblem(placed)).toBe("has a currency that is no three-letter currency code a shop sells in");
      expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: new Date() })).toBe("unreadable");
    }
    expect(orderAmountsProblem(order(buyer.shopifyCustomerId, "5000", "JPY"))).toBeNull();
    expect(orderAmountsProblem(order(buyer.shopifyCustomerId, "5000", null))).toBeNull();
    expect(await history(buyer.id)).toEqual({ balance: 0, rows: [] });
    const { friend, referralId } = await signedUpFriend();
    expect(await qualifyReferralFromOrder(deps(), { shop: SHOP, payload: order(friend.shopifyCustomerId, "5000", "usd"), receivedAt: new Date() })).toBe("unreadable");
    expect(await referralState(referralId)).toBe("SIGNED_UP");
  });
});

describe("a referred friend's order in another shop currency than the stored one", () => {
  it("GIVEN the friend's ¥3,000 order THEN it is not compared with the 50 USD minimum but kept; WHEN Shopify says the shop still sells in USD THEN it qualifies nothing and the referral waits for a next order", async () => {
    const { friend, referralId } = await signedUpFriend();
    const placed = order(friend.shopifyCustomerId, "3000", "JPY");
    // (before: "qualified" — ¥3,000 compared with 50 as if both were USD)
    expect(await qualifyReferralFromOrder(deps(), { shop: SHOP, payload: placed, receivedAt: new Date() })).toBe("held");
    expect(await db.referralHeldOrder.findMany({ where: { shop: SHOP } })).toMatchObject([{ orderGid: placed.admin_graphql_api_id, currency: "JPY", amount: "3000.00" }]);
    expect(await referralState(referralId)).toBe("SIGNED_UP");
    expect((await shopRow()).currencyCheckDueAt).not.toBeNull();
    await db.shop.update({ where: { domain: SHOP }, data: { heldOrdersDueAt: new Date() } });
    expect((await decideDueHeldOrders(deps())).referralOrders).toBe(0);
    await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
    await workerAsksShopify();
    expect((await decideDueHeldOrders(deps())).referralOrders).toBe(1);
    expect(await referralState(referralId)).toBe("SIGNED_UP");
    expect(await db.referralHeldOrder.count({ where: { shop: SHOP } })).toBe(0);
    // AND the friend's next order, in USD and over the minimum, qualifies it
    expect(await qualifyReferralFromOrder(deps(), { shop: SHOP, payload: order(friend.shopifyCustomerId, "60", "USD"), receivedAt: new Date() })).toBe("qualified");
  });

  it("GIVEN the friend's ¥3,000 order kept for its currency THEN the referrer's referrals say it waits for Shopify to confirm the shop's currency (before: for the merchant to confirm amounts); WHEN Shopify says the shop sells in JPY THEN it waits for the amounts", async () => {
    const { friend, referralId } = await signedUpFriend();
    const { referrerCustomerId } = await db.referral.findUniqueOrThrow({ where: { id: referralId } });
    const waitingFor = async () => (await referralsOfCustomer(db, { shop: SHOP, customerId: referrerCustomerId })).map((r) => r.waitingFor);
    expect(await qualifyReferralFromOrder(deps(), { shop: SHOP, payload: order(friend.shopifyCustomerId, "3000", "JPY"), receivedAt: new Date() })).toBe("held");
    expect(await waitingFor()).toEqual(["currency"]);
    await installEmulatedShop(emulator, SHOP, { currencyCode: "JPY" });
    await workerAsksShopify();
    expect(await waitingFor()).toEqual(["amounts"]);
  });

  it("GIVEN the friend's ¥8,000 order kept WHEN Shopify says the shop now sells in JPY and the merchant confirms the minimum as ¥5,000 THEN it qualifies, once", async () => {
    const { friend, referralId } = await signedUpFriend();
    const placed = order(friend.shopifyCustomerId, "8000", "JPY");
    expect(await qualifyReferralFromOrder(deps(), { shop: SHOP, payload: placed, receivedAt: new Date() })).toBe("held");
    await installEmulatedShop(emulator, SHOP, { currencyCode: "JPY" });
    await workerAsksShopify();
    expect((await amountReview(db, SHOP))?.waiting.referralOrders).toBe(1);
    expect((await decideDueHeldOrders(deps())).referralOrders).toBe(0);
    // The Referrals save stamps the currency its page showed (saveReferralSettings: amountCurrencyOfSave).
    await db.referralSettings.update({ where: { shop: SHOP }, data: { minimumOrderAmount: "5000", amountCurrency: "JPY" } });
    await db.programSettings.update({ where: { shop: SHOP }, data: { amountCurrency: "JPY" } });
    await db.shop.update({ where: { domain: SHOP }, data: { heldOrdersDueAt: new Date() } });
    expect((await decideDueHeldOrders(deps())).referralOrders).toBe(1);
    expect((await decideDueHeldOrders(deps())).referralOrders).toBe(0);
    expect(await db.referral.findUniqueOrThrow({ where: { id: referralId } })).toMatchObject({ state: "QUALIFIED", qualifyingOrderGid: placed.admin_graphql_api_id });
  });
});
