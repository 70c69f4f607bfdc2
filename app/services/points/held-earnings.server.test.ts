// Orders that arrive while the earning rule ("points per unit of the shop's currency") was saved in
// another currency than the shop sells in now (docs/decisions/015, "earning and the referral minimum
// wait for the confirm"): they earn nothing with the old rule, wait visibly (an EARNING_HELD row, no
// points, HELD), and earn once, with the confirmed rule, when the merchant confirms or saves the Program.
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { createCustomer, createShop } from "../../../test/support/factories";
import { confirmAmountCurrency } from "~/services/lifecycle/amount-currency.server";
import { ledgerTotals } from "./ledger.server";
import { earnPointsForOrder, takeBackForCancel, takeBackForRefund, TEST_ORDER_NOTE } from "./order-points.server";
import { runPointsProgramTasks } from "./periodic.server";
import { saveProgramSettings } from "./program.server";
import { listPointsTransactions } from "~/services/admin/customers.server";
import { loadCustomerView } from "~/services/storefront/customer-view.server";

const NOW = new Date("2026-06-01T10:00:00.000Z");
let shopN = 0;
let SHOP = "";

/** GIVEN a shop whose program earns 1 point per unit, typed while it sold in USD, that now sells in JPY. */
beforeEach(async () => {
  SHOP = `held-earnings-${Date.now()}-${++shopN}.myshopify.com`;
  await createShop(db, SHOP, { currency: "JPY" });
  await db.programSettings.create({ data: { shop: SHOP, enabled: true, pointsPerCurrencyUnit: "1", amountCurrency: "USD" } });
});

let n = 0;
const order = (customerGid: string, amount: string, extra: Record<string, unknown> = {}) => {
  const id = `${Date.now()}${++n}`;
  return {
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    customer: { admin_graphql_api_id: customerGid },
    subtotal_price_set: { shop_money: { amount, currency_code: "JPY" } },
    ...extra,
  };
};

async function history(customerId: string) {
  const c = await db.customer.findUniqueOrThrow({ where: { id: customerId } });
  const t = await ledgerTotals(db, customerId);
  expect([c.pointsBalance, c.pendingPoints, c.pointsShortfall]).toEqual([t.available, t.pending, t.shortfall]);
  const rows = await db.pointsTransaction.findMany({ where: { customerId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return { balance: c.pointsBalance, rows: rows.map((r) => [r.reason, r.delta, r.status]) };
}

const pass = () => runPointsProgramTasks(db, new Date());

describe("earning while the earning rule waits for review", () => {
  it("GIVEN an order of ¥5,000 THEN it earns nothing with the rule typed in USD and waits, visibly; WHEN the merchant confirms THEN it earns 5,000 once", async () => {
    const customer = await createCustomer(db, SHOP);
    const placed = order(customer.shopifyCustomerId, "5000");
    // WHEN the order arrives (before: "earned", 5,000 points at "1 point per $1" read as per ¥1)
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: NOW })).toBe("held");
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: NOW })).toBe("duplicate");
    // THEN no points; the history says why
    expect(await history(customer.id)).toEqual({ balance: 0, rows: [["EARNING_HELD", 0, "HELD"]] });
    const held = await db.pointsTransaction.findFirstOrThrow({ where: { customerId: customer.id } });
    expect(held.note).toBe("Waiting for the shop to confirm its amounts: points per unit were set in USD; the shop now sells in JPY. This order earns once they are confirmed.");
    expect(held).toMatchObject({ orderGid: placed.admin_graphql_api_id, orderName: placed.name, amount: "5000.00" });
    // AND the worker's pass leaves it while the rule is not confirmed
    expect((await pass()).heldEarned).toBe(0);
    // WHEN the merchant confirms the amounts in JPY, and the pass runs (twice)
    expect(await confirmAmountCurrency({ db, now: () => new Date() }, SHOP, "JPY")).toMatchObject({ ok: true });
    expect((await pass()).heldEarned).toBe(1);
    expect((await pass()).heldEarned).toBe(0);
    // THEN it earned once, with the confirmed rule, and no longer waits
    expect(await history(customer.id)).toEqual({ balance: 5000, rows: [["EARNING_HELD", 0, "AVAILABLE"], ["EARNED", 5000, "AVAILABLE"]] });
    expect((await db.pointsTransaction.findFirstOrThrow({ where: { customerId: customer.id, reason: "EARNED" } })).note).toBe("Earned once the shop confirmed its amounts");
    // AND a redelivery of the order earns nothing more
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: NOW })).toBe("duplicate");
  });

  it("GIVEN a held test order WHEN the merchant saves the Program with the rate in JPY (0.01 a yen) THEN it earns at that rate, noted as a test order", async () => {
    const customer = await createCustomer(db, SHOP);
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: order(customer.shopifyCustomerId, "5000", { test: true }), receivedAt: NOW })).toBe("held");
    const saved = await saveProgramSettings(db, SHOP, { enabled: "on", pointsNameSingular: "point", pointsNamePlural: "points", pointsPerCurrencyUnit: "0.01", rounding: "DOWN", pendingDays: "0", signupBonus: "0", birthdayBonus: "0" }, "JPY");
    expect(saved.ok).toBe(true);
    expect((await pass()).heldEarned).toBe(1);
    expect(await history(customer.id)).toEqual({ balance: 50, rows: [["EARNING_HELD", 0, "AVAILABLE"], ["EARNED", 50, "AVAILABLE"]] });
    expect((await db.pointsTransaction.findFirstOrThrow({ where: { customerId: customer.id, reason: "EARNED" } })).note).toBe(`${TEST_ORDER_NOTE} — Earned once the shop confirmed its amounts`);
    // AND a later order earns at once (the rule is confirmed)
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: order(customer.shopifyCustomerId, "1000"), receivedAt: NOW })).toBe("earned");
  });

  it("GIVEN a held order refunded by half, then confirmed THEN it earns and the half goes back, once; its later refund of the rest takes the rest", async () => {
    const customer = await createCustomer(db, SHOP);
    const placed = order(customer.shopifyCustomerId, "5000");
    await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: NOW });
    const refund = (lines: bigint) => ({ refundId: `gid://shopify/Refund/${Date.now()}${++n}`, orderGid: placed.admin_graphql_api_id, lines, taxes: 0n, shipping: 0n, shippingTax: 0n });
    // WHEN half is refunded while held (before: the inbox retried it for hours as "not earned yet")
    expect(await takeBackForRefund(db, { shop: SHOP, refund: refund(2_500_000n), receivedAt: NOW, lastAttempt: false, logger })).toBe("taken_back");
    expect(await history(customer.id)).toEqual({ balance: 0, rows: [["EARNING_HELD", 0, "HELD"], ["ORDER_REFUNDED", 0, "AVAILABLE"]] });
    await confirmAmountCurrency({ db, now: () => new Date() }, SHOP, "JPY");
    await pass();
    await pass();
    // THEN it earned 5,000 and gave back 2,500 for the refund it had
    expect((await history(customer.id)).balance).toBe(2500);
    // AND the rest refunded later takes the other 2,500
    expect(await takeBackForRefund(db, { shop: SHOP, refund: refund(2_500_000n), receivedAt: NOW, lastAttempt: false, logger })).toBe("taken_back");
    expect((await history(customer.id)).balance).toBe(0);
  });

  it("GIVEN a held order canceled before the confirm THEN it no longer waits, and earns nothing after the confirm", async () => {
    const customer = await createCustomer(db, SHOP);
    const placed = order(customer.shopifyCustomerId, "5000");
    await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: NOW });
    expect(await takeBackForCancel(db, { shop: SHOP, payload: { ...placed, cancelled_at: "2026-06-02T10:00:00Z" }, receivedAt: NOW })).toBe("taken_back");
    expect(await history(customer.id)).toEqual({ balance: 0, rows: [["EARNING_HELD", 0, "AVAILABLE"], ["ORDER_CANCELED", 0, "AVAILABLE"]] });
    await confirmAmountCurrency({ db, now: () => new Date() }, SHOP, "JPY");
    expect((await pass()).heldEarned).toBe(0);
    expect((await history(customer.id)).balance).toBe(0);
  });

  it("GIVEN the rule typed in JPY already THEN an order earns at once, as before", async () => {
    await db.programSettings.update({ where: { shop: SHOP }, data: { amountCurrency: "JPY" } });
    const customer = await createCustomer(db, SHOP);
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: order(customer.shopifyCustomerId, "700"), receivedAt: NOW })).toBe("earned");
    expect(await history(customer.id)).toEqual({ balance: 700, rows: [["EARNED", 700, "AVAILABLE"]] });
  });

  it("GIVEN a held test order whose note was cleared (customers/redact clears ledger notes: app/services/compliance/privacy.server.ts) WHEN confirmed THEN it still earns as a test order", async () => {
    const customer = await createCustomer(db, SHOP);
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: order(customer.shopifyCustomerId, "5000", { test: true }), receivedAt: NOW })).toBe("held");
    expect(await db.pointsTransaction.findFirstOrThrow({ where: { customerId: customer.id, reason: "EARNING_HELD" } })).toMatchObject({ testOrder: true });
    await db.pointsTransaction.updateMany({ where: { customerId: customer.id }, data: { note: null } });
    await confirmAmountCurrency({ db, now: () => new Date() }, SHOP, "JPY");
    expect((await pass()).heldEarned).toBe(1);
    // (before: the flag was read back from the note's start — gone with the note, so it earned as an ordinary order)
    expect(await db.pointsTransaction.findFirstOrThrow({ where: { customerId: customer.id, reason: "EARNED" } })).toMatchObject({
      testOrder: true,
      note: `${TEST_ORDER_NOTE} — Earned once the shop confirmed its amounts`,
    });
  });
});

describe("the points program turned off while orders wait (docs/decisions/015, addendum of 3 December 2026)", () => {
  const programForm = (enabled: "on" | undefined) => ({ enabled, pointsNameSingular: "point", pointsNamePlural: "points", pointsPerCurrencyUnit: "1", rounding: "DOWN", pendingDays: "0", signupBonus: "0", birthdayBonus: "0" });

  it("GIVEN a held order WHEN the merchant turns the program off and confirms the amounts THEN nothing is earned, the order stays waiting and says why; WHEN turned on again THEN it earns once", async () => {
    const customer = await createCustomer(db, SHOP);
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: order(customer.shopifyCustomerId, "5000"), receivedAt: NOW })).toBe("held");
    const page = async () => (await listPointsTransactions(db, { shop: SHOP, customerId: customer.id, after: null, before: null, pageSize: 10 })).items.map((r) => [r.reason, r.status, r.heldFor]);
    expect(await page()).toEqual([["EARNING_HELD", "HELD", "amounts"]]);
    const widget = async () => (await loadCustomerView(db, SHOP, customer.shopifyCustomerId)).waitingOrders;
    expect(await widget()).toBe(1);
    // WHEN the merchant turns the program off (a Program save in JPY, which also reviews the rule), then confirms
    expect((await saveProgramSettings(db, SHOP, programForm(undefined), "JPY")).ok).toBe(true);
    await confirmAmountCurrency({ db, now: () => new Date() }, SHOP, "JPY");
    // THEN the passes earn nothing (before: 5,000 points earned by a program that is off)
    expect((await pass()).heldEarned).toBe(0);
    expect(await history(customer.id)).toEqual({ balance: 0, rows: [["EARNING_HELD", 0, "HELD"]] });
    // AND the history says what it waits for now
    expect(await page()).toEqual([["EARNING_HELD", "HELD", "program_on"]]);
    // AND the customer's widget no longer says their points wait for the shop's prices (an off program promises nothing)
    expect(await widget()).toBeUndefined();
    // WHEN turned on again THEN it earns, once, with the rule then
    expect((await saveProgramSettings(db, SHOP, programForm("on"), "JPY")).ok).toBe(true);
    expect((await pass()).heldEarned).toBe(1);
    expect((await pass()).heldEarned).toBe(0);
    expect(await history(customer.id)).toEqual({ balance: 5000, rows: [["EARNING_HELD", 0, "AVAILABLE"], ["EARNED", 5000, "AVAILABLE"]] });
    expect(await page()).toEqual([["EARNED", "AVAILABLE", null], ["EARNING_HELD", "AVAILABLE", null]]);
  });
});
