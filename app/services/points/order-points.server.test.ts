// Points from webhooks against the real database: a credit that would take a customer past
// MAX_POINTS (the most an Int balance holds) is refused with its reason, once — never an error that
// the inbox retries for hours and then dead-letters, taking the order's later effects with it.
import { beforeAll, describe, expect, it, vi } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { MAX_POINTS, parseMilli } from "~/domain/points";
import { createCustomer, createShop } from "../../../test/support/factories";
import { ledgerTotals } from "./ledger.server";
import { awardSignupBonus, earnPointsForOrder, takeBackForCancel, takeBackForRefund, TEST_ORDER_NOTE } from "./order-points.server";
import { WEBHOOK_EFFECTS } from "~/services/webhooks/effects.server";
import { applyDueDeliveries, recordDelivery, WEBHOOK_RETRY_POLICY } from "~/services/webhooks/inbox.server";
import { recordVipOrder } from "~/services/vip/tiers.server";
import { handleOrderCreated, orderContext } from "~/services/orders/order-created.server";

const SHOP = "order-points.myshopify.com";
const NOW = new Date("2026-06-01T10:00:00.000Z");

beforeAll(async () => {
  await createShop(db, SHOP);
  await db.programSettings.create({ data: { shop: SHOP, enabled: true, pointsPerCurrencyUnit: "1", signupBonus: 100 } });
});

let n = 0;
const order = (customerGid: string, amount: string) => {
  const id = `${Date.now()}${++n}`;
  return {
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    customer: { admin_graphql_api_id: customerGid },
    subtotal_price_set: { shop_money: { amount, currency_code: "USD" } },
  };
};

async function consistent(customerId: string) {
  const c = await db.customer.findUniqueOrThrow({ where: { id: customerId } });
  const t = await ledgerTotals(db, customerId);
  expect([c.pointsBalance, c.pendingPoints, c.pointsShortfall]).toEqual([t.available, t.pending, t.shortfall]);
  return c;
}

describe("credits past MAX_POINTS from webhooks", () => {
  it("GIVEN three orders of 1,500,000,000.00 (1 point per unit, 1,000,000,000 the most one order earns) THEN two earn, the third is refused with its reason, once; a refund of it takes nothing", async () => {
    const customer = await createCustomer(db, SHOP);
    await db.customer.update({ where: { id: customer.id }, data: { pointsBalance: 0 } });
    for (let i = 0; i < 2; i++) expect(await earnPointsForOrder(db, { shop: SHOP, payload: order(customer.shopifyCustomerId, "1500000000.00"), receivedAt: NOW })).toBe("earned");
    const second = order(customer.shopifyCustomerId, "1500000000.00");
    // Before: PointsLimitError, retried by the inbox 8 times over ~3 hours, then dead-lettered.
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: second, receivedAt: NOW })).toBe("over_limit");
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: second, receivedAt: NOW })).toBe("duplicate");
    const rows = await db.pointsTransaction.findMany({ where: { customerId: customer.id }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => [r.reason, r.delta])).toEqual([
      ["EARNED", 1_000_000_000],
      ["EARNED", 1_000_000_000],
      ["EARNED", 0],
    ]);
    expect(rows[2]!.note).toMatch(/not credited/i);
    const refund = { refundId: `gid://shopify/Refund/${Date.now()}`, orderGid: second.admin_graphql_api_id, lines: 1_500_000_000_000n, taxes: 0n, shipping: 0n, shippingTax: 0n };
    expect(await takeBackForRefund(db, { shop: SHOP, refund, receivedAt: NOW, lastAttempt: false, logger })).toBe("nothing_left");
    expect((await consistent(customer.id)).pointsBalance).toBe(2_000_000_000);
  });

  it("GIVEN customers/create for a customer already holding MAX_POINTS THEN the sign-up bonus is refused with its reason, once", async () => {
    const customer = await createCustomer(db, SHOP);
    await db.customer.update({ where: { id: customer.id }, data: { pointsBalance: MAX_POINTS } });
    const payload = { admin_graphql_api_id: customer.shopifyCustomerId, state: "enabled" };
    expect(await awardSignupBonus(db, { shop: SHOP, topic: "customers/create", payload, receivedAt: NOW })).toBe("over_limit");
    expect(await awardSignupBonus(db, { shop: SHOP, topic: "customers/create", payload, receivedAt: NOW })).toBe("duplicate");
    const rows = await db.pointsTransaction.findMany({ where: { customerId: customer.id } });
    expect(rows).toMatchObject([{ reason: "SIGNUP_BONUS", delta: 0, balanceAfter: MAX_POINTS }]);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(MAX_POINTS);
  });
});

describe("orders/cancelled", () => {
  it("GIVEN an order that earned, then its cancel without a customer object (customer: null, or absent) THEN the points are taken back, once", async () => {
    for (const customerField of [{ customer: null }, {}]) {
      const customer = await createCustomer(db, SHOP);
      await db.customer.update({ where: { id: customer.id }, data: { pointsBalance: 0 } });
      const placed = order(customer.shopifyCustomerId, "40.00");
      expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: NOW })).toBe("earned");
      const { customer: _dropped, ...rest } = placed;
      const cancel = { ...rest, ...customerField, cancelled_at: "2026-06-01T11:00:00Z" };
      expect(await takeBackForCancel(db, { shop: SHOP, payload: cancel, receivedAt: NOW })).toBe("taken_back");
      expect(await takeBackForCancel(db, { shop: SHOP, payload: cancel, receivedAt: NOW })).toBe("duplicate");
      expect((await consistent(customer.id)).pointsBalance).toBe(0);
    }
  });
});

describe("refunds/create: one refund, one key", () => {
  // The registered effects (points, VIP, referrals) run as the inbox runs them.
  async function applyRefund(body: Record<string, unknown>, attempt = 1) {
    const raw = JSON.stringify(body);
    const delivery = { shop: SHOP, topic: "refunds/create" as const, webhookId: `w-${Math.random()}`, triggeredAt: null, apiVersion: "2026-10", payload: JSON.parse(raw), rawPayload: raw, receivedAt: NOW, attempt };
    for (const effect of WEBHOOK_EFFECTS["refunds/create"]) await effect(db, delivery);
  }

  it("GIVEN a refund delivered once with only its admin_graphql_api_id and once with only its numeric id THEN its points are taken back once, and it counts once towards VIP amount spent", async () => {
    const customer = await createCustomer(db, SHOP);
    await db.customer.update({ where: { id: customer.id }, data: { pointsBalance: 0 } });
    const placed = order(customer.shopifyCustomerId, "100.00");
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: NOW })).toBe("earned");
    await recordVipOrder(db, { shop: SHOP, customerId: customer.id, orderGid: placed.admin_graphql_api_id, amount: "100.0", orderedAt: NOW });
    const refundDigits = `${Date.now()}7`;
    const orderDigits = placed.admin_graphql_api_id.split("/").pop()!;
    const lines = { refund_line_items: [{ subtotal_set: { shop_money: { amount: "40.00", currency_code: "USD" } } }] };
    await applyRefund({ admin_graphql_api_id: `gid://shopify/Refund/${refundDigits}`, order_id: Number(orderDigits) > Number.MAX_SAFE_INTEGER ? orderDigits : Number(orderDigits), ...lines });
    await applyRefund({ id: refundDigits, order_id: orderDigits, ...lines });
    const rows = await db.pointsTransaction.findMany({ where: { customerId: customer.id, reason: "ORDER_REFUNDED" } });
    expect(rows.map((r) => [r.delta, r.refundId])).toEqual([[-40, `gid://shopify/Refund/${refundDigits}`]]);
    expect((await consistent(customer.id)).pointsBalance).toBe(60);
    expect((await db.vipOrder.findUniqueOrThrow({ where: { shop_orderGid: { shop: SHOP, orderGid: placed.admin_graphql_api_id } } })).refunded).toBe("40.00");
  });

  it("GIVEN a refunds/create delivery whose body the inbox already parsed WHEN its effects run (referrals, points, VIP) THEN the body is not parsed again; an order id beyond 2^53 is still read exactly", async () => {
    const customer = await createCustomer(db, SHOP);
    await db.customer.update({ where: { id: customer.id }, data: { pointsBalance: 0 } });
    for (const orderDigits of [`${Date.now()}3`, `9${Date.now()}31`]) {
      const placed = { ...order(customer.shopifyCustomerId, "100.00"), admin_graphql_api_id: `gid://shopify/Order/${orderDigits}` };
      expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: NOW })).toBe("earned");
      const refundDigits = `${Date.now()}8${orderDigits.length}`;
      // A bare JSON integer, as Shopify writes `order_id`.
      const raw = `{"id":${refundDigits},"admin_graphql_api_id":"gid://shopify/Refund/${refundDigits}","order_id":${orderDigits},"refund_line_items":[{"subtotal_set":{"shop_money":{"amount":"10.00","currency_code":"USD"}}}]}`;
      const delivery = { shop: SHOP, topic: "refunds/create" as const, webhookId: `w-${Math.random()}`, triggeredAt: null, apiVersion: "2026-10", payload: JSON.parse(raw) as unknown, rawPayload: raw, receivedAt: NOW, attempt: 1 };
      const parse = vi.spyOn(JSON, "parse");
      try {
        for (const effect of WEBHOOK_EFFECTS["refunds/create"]) await effect(db, delivery);
        // Before: parsed again by each of the three effects. Now once more only for an id JSON.parse rounded.
        expect(parse.mock.calls.filter(([text]) => text === raw)).toHaveLength(Number(orderDigits) > Number.MAX_SAFE_INTEGER ? 1 : 0);
      } finally {
        parse.mockRestore();
      }
      const rows = await db.pointsTransaction.findMany({ where: { orderGid: placed.admin_graphql_api_id, reason: "ORDER_REFUNDED" } });
      expect(rows.map((r) => r.delta)).toEqual([-10]);
    }
    expect((await consistent(customer.id)).pointsBalance).toBe(180);
  });

  it("GIVEN a refund body whose id and admin_graphql_api_id name different refunds THEN it is unappliable (dead-lettered) and nothing is taken back", async () => {
    const customer = await createCustomer(db, SHOP);
    await db.customer.update({ where: { id: customer.id }, data: { pointsBalance: 0 } });
    const placed = order(customer.shopifyCustomerId, "100.00");
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: NOW })).toBe("earned");
    const orderDigits = placed.admin_graphql_api_id.split("/").pop()!;
    // Not one refund: dead-lettered with the reason (effects.server.ts refundUnreadable, naming the field), nothing changed.
    await expect(
      applyRefund({ id: "111", admin_graphql_api_id: "gid://shopify/Refund/222", order_id: orderDigits, refund_line_items: [{ subtotal_set: { shop_money: { amount: "40.00" } } }] }),
    ).rejects.toThrow(/not a refund the app can read/);
    expect(await db.pointsTransaction.count({ where: { customerId: customer.id, reason: "ORDER_REFUNDED" } })).toBe(0);
    expect((await consistent(customer.id)).pointsBalance).toBe(100);
  });
});

describe("refunds/create: refunded shipping as Shopify sends it since API 2024-10", () => {
  const SHIPPING_SHOP = "order-points-shipping.myshopify.com";
  beforeAll(async () => {
    await createShop(db, SHIPPING_SHOP);
    await db.programSettings.create({ data: { shop: SHIPPING_SHOP, enabled: true, pointsPerCurrencyUnit: "1", includeShipping: true } });
  });
  async function applyRefund(body: Record<string, unknown>) {
    const raw = JSON.stringify(body);
    const delivery = { shop: SHIPPING_SHOP, topic: "refunds/create" as const, webhookId: `w-${Math.random()}`, triggeredAt: null, apiVersion: "2026-10", payload: JSON.parse(raw), rawPayload: raw, receivedAt: NOW, attempt: 1 };
    for (const effect of WEBHOOK_EFFECTS["refunds/create"]) await effect(db, delivery);
  }
  const money = (amount: string) => ({ shop_money: { amount, currency_code: "USD" }, presentment_money: { amount, currency_code: "USD" } });

  it("GIVEN an order of 100.00 + 20.00 shipping (shipping counts: 120 points) WHEN only the shipping is refunded (refund_shipping_lines; the adjustment has no kind) THEN 20 points are taken back; a body that also carries the old shipping_refund adjustment counts it once", async () => {
    for (const withOldAdjustment of [false, true]) {
      const customer = await createCustomer(db, SHIPPING_SHOP);
      await db.customer.update({ where: { id: customer.id }, data: { pointsBalance: 0 } });
      const placed = { ...order(customer.shopifyCustomerId, "100.00"), shipping_lines: [{ discounted_price_set: money("20.00") }] };
      expect(await earnPointsForOrder(db, { shop: SHIPPING_SHOP, payload: placed, receivedAt: NOW })).toBe("earned");
      const refundDigits = `${Date.now()}${withOldAdjustment ? 2 : 1}`;
      await applyRefund({
        id: refundDigits,
        admin_graphql_api_id: `gid://shopify/Refund/${refundDigits}`,
        order_id: placed.admin_graphql_api_id.split("/").pop(),
        refund_line_items: [],
        refund_shipping_lines: [{ id: 1, shipping_line_id: 2, subtotal_amount_set: money("20.00") }],
        order_adjustments: withOldAdjustment ? [{ kind: "shipping_refund", amount_set: money("-20.00") }] : [{ amount_set: money("0.00") }],
      });
      // Before: shipping was read from shipping_refund adjustments only, which 2024-10+ bodies don't have: nothing came back.
      const rows = await db.pointsTransaction.findMany({ where: { customerId: customer.id, reason: "ORDER_REFUNDED" } });
      expect(rows.map((r) => r.delta)).toEqual([-20]);
      expect((await consistent(customer.id)).pointsBalance).toBe(100);
    }
  });
});

// Shared by the refunds/create groups below: money sets, a shop whose program counts taxes or not,
// and a refund applied through the registered refunds/create effects.
const money = (amount: string) => ({ shop_money: { amount, currency_code: "EUR" }, presentment_money: { amount, currency_code: "EUR" } });
let taxShopNo = 0;
async function shopCounting(includeTaxes: boolean) {
  const shop = `order-points-tax-${includeTaxes ? "in" : "out"}-${++taxShopNo}.myshopify.com`;
  await createShop(db, shop);
  await db.programSettings.create({ data: { shop, enabled: true, pointsPerCurrencyUnit: "1", includeTaxes } });
  return shop;
}
async function applyRefund(shop: string, body: Record<string, unknown>) {
  const raw = JSON.stringify(body);
  const delivery = { shop, topic: "refunds/create" as const, webhookId: `w-${Math.random()}`, triggeredAt: null, apiVersion: "2026-10", payload: JSON.parse(raw), rawPayload: raw, receivedAt: NOW, attempt: 1 };
  for (const effect of WEBHOOK_EFFECTS["refunds/create"]) await effect(db, delivery);
}

describe("refunds/create: a shop whose prices include tax (taxes_included) and one whose prices don't", () => {

  // Half of a one-line order refunded: 20 % tax, one rate. Tax-inclusive: the line costs 120.00 with
  // 20.00 tax inside (subtotal 120.00); tax-exclusive: 100.00 + 20.00 tax on top (subtotal 100.00).
  it.each([
    { taxesIncluded: true, includeTaxes: false, earned: 100, back: 50, lines: "60.00", tax: "10.00", subtotal: "120.00" },
    { taxesIncluded: true, includeTaxes: true, earned: 120, back: 60, lines: "60.00", tax: "10.00", subtotal: "120.00" },
    { taxesIncluded: false, includeTaxes: false, earned: 100, back: 50, lines: "50.00", tax: "10.00", subtotal: "100.00" },
    { taxesIncluded: false, includeTaxes: true, earned: 120, back: 60, lines: "50.00", tax: "10.00", subtotal: "100.00" },
  ])(
    "GIVEN taxes_included $taxesIncluded, taxes count $includeTaxes: an order earning $earned WHEN half of it is refunded THEN $back points come back (half)",
    async ({ taxesIncluded, includeTaxes, earned, back, lines, tax, subtotal }) => {
      const shop = await shopCounting(includeTaxes);
      const customer = await createCustomer(db, shop);
      await db.customer.update({ where: { id: customer.id }, data: { pointsBalance: 0 } });
      const placed = { ...order(customer.shopifyCustomerId, subtotal), subtotal_price_set: money(subtotal), total_tax_set: money("20.00"), taxes_included: taxesIncluded };
      expect(await earnPointsForOrder(db, { shop, payload: placed, receivedAt: NOW })).toBe("earned");
      expect((await consistent(customer.id)).pointsBalance).toBe(earned);
      const refundDigits = `${Date.now()}${taxShopNo}`;
      await applyRefund(shop, {
        id: refundDigits,
        admin_graphql_api_id: `gid://shopify/Refund/${refundDigits}`,
        order_id: placed.admin_graphql_api_id.split("/").pop(),
        refund_line_items: [{ quantity: 1, subtotal_set: money(lines), total_tax_set: money(tax) }],
      });
      // Before: a tax-inclusive refund was read as if its tax were on top (60 back of 100; 70 of 120).
      const rows = await db.pointsTransaction.findMany({ where: { customerId: customer.id, reason: "ORDER_REFUNDED" } });
      expect(rows.map((r) => r.delta)).toEqual([-back]);
      expect((await consistent(customer.id)).pointsBalance).toBe(earned - back);
    },
  );
});

describe("refunds/create before its order's orders/create (Shopify does not order deliveries)", () => {
  const LATE_SHOP = "order-points-late-order.myshopify.com";
  beforeAll(async () => {
    await createShop(db, LATE_SHOP);
    await db.programSettings.create({ data: { shop: LATE_SHOP, enabled: true, pointsPerCurrencyUnit: "1" } });
  });
  // The worker's inbox on a clock of its own (a time long before any other test's deliveries are due).
  let clock = new Date("2025-01-01T00:00:00.000Z");
  async function inboxRound() {
    return applyDueDeliveries(db, WEBHOOK_EFFECTS, { workerId: "late-order-test", now: () => clock, batchSize: 20, leaseMs: 60_000, random: () => 0.5 });
  }
  async function recordRefund(orderDigits: string) {
    const refundDigits = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
    const rawBody = `{"id":${refundDigits},"admin_graphql_api_id":"gid://shopify/Refund/${refundDigits}","order_id":${orderDigits},"refund_line_items":[{"subtotal_set":{"shop_money":{"amount":"25.00","currency_code":"USD"}}}]}`;
    const webhookId = `late-${refundDigits}`;
    expect(await recordDelivery(db, { shop: LATE_SHOP, topic: "refunds/create", webhookId, apiVersion: "2026-10", triggeredAt: null, rawBody, payload: JSON.parse(rawBody) }, clock)).toBe("recorded");
    return webhookId;
  }
  async function untilDue(webhookId: string) {
    const row = await db.webhookDelivery.findUniqueOrThrow({ where: { shop_webhookId: { shop: LATE_SHOP, webhookId } } });
    if (row.nextAttemptAt && row.nextAttemptAt > clock) clock = new Date(row.nextAttemptAt.getTime() + 1);
    return row;
  }

  it("GIVEN a refund applied 4 times (~2 minutes of inbox retries) before its order WHEN the order then earns THEN the refund's next attempt takes its share back", async () => {
    const customer = await createCustomer(db, LATE_SHOP);
    await db.customer.update({ where: { id: customer.id }, data: { pointsBalance: 0 } });
    const placed = order(customer.shopifyCustomerId, "100.00");
    const webhookId = await recordRefund(placed.admin_graphql_api_id.split("/").pop()!);
    for (let attempt = 1; attempt <= 4; attempt++) {
      await untilDue(webhookId);
      await inboxRound();
    }
    // Before: the 4th attempt settled it as "an order that earned nothing" and it was marked applied.
    const waiting = await untilDue(webhookId);
    expect([waiting.appliedAt, waiting.attempts]).toEqual([null, 4]);
    expect(waiting.lastError).toMatch(/OrderNotEarnedYetError/);
    expect(await earnPointsForOrder(db, { shop: LATE_SHOP, payload: placed, receivedAt: clock })).toBe("earned");
    await inboxRound();
    expect((await db.webhookDelivery.findUniqueOrThrow({ where: { shop_webhookId: { shop: LATE_SHOP, webhookId } } })).appliedAt).not.toBeNull();
    const rows = await db.pointsTransaction.findMany({ where: { customerId: customer.id, reason: "ORDER_REFUNDED" } });
    expect(rows.map((r) => r.delta)).toEqual([-25]);
    expect((await consistent(customer.id)).pointsBalance).toBe(75);
  });

  it("GIVEN a refund whose order never earns (a guest order) THEN it waits through the inbox's attempts and is settled on the last one, never dead-lettered", async () => {
    const webhookId = await recordRefund(`${Date.now()}77`);
    for (let attempt = 1; attempt <= WEBHOOK_RETRY_POLICY.maxAttempts; attempt++) {
      await untilDue(webhookId);
      await inboxRound();
    }
    const row = await db.webhookDelivery.findUniqueOrThrow({ where: { shop_webhookId: { shop: LATE_SHOP, webhookId } } });
    expect([row.attempts, row.deadAt, row.appliedAt !== null]).toEqual([WEBHOOK_RETRY_POLICY.maxAttempts, null, true]);
  });
});

describe("test orders (test: true)", () => {
  it("GIVEN a test order (Bogus Gateway, test mode, a development store) THEN it earns like any order and its history row says it is a test order; its refund and its cancel take back like any order's", async () => {
    const customer = await createCustomer(db, SHOP);
    await db.customer.update({ where: { id: customer.id }, data: { pointsBalance: 0 } });
    const placed = { ...order(customer.shopifyCustomerId, "80.00"), test: true };
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: NOW })).toBe("earned");
    const earned = await db.pointsTransaction.findFirstOrThrow({ where: { customerId: customer.id, reason: "EARNED" } });
    // Before: nothing told a test order's points from a real order's.
    expect([earned.delta, earned.note]).toEqual([80, TEST_ORDER_NOTE]);
    const refund = { refundId: `gid://shopify/Refund/${Date.now()}5`, orderGid: placed.admin_graphql_api_id, lines: 20_000n, taxes: 0n, shipping: 0n, shippingTax: 0n };
    expect(await takeBackForRefund(db, { shop: SHOP, refund, receivedAt: NOW, lastAttempt: false, logger })).toBe("taken_back");
    expect(await takeBackForCancel(db, { shop: SHOP, payload: { ...placed, cancelled_at: "2026-06-01T11:00:00Z" }, receivedAt: NOW })).toBe("taken_back");
    expect((await consistent(customer.id)).pointsBalance).toBe(0);
    const real = await db.pointsTransaction.findMany({ where: { shop: SHOP, reason: "EARNED", note: TEST_ORDER_NOTE, NOT: { customerId: customer.id } } });
    expect(real).toEqual([]);
  });
});

describe("refunds/create: several partial refunds of one order", () => {
  it("GIVEN an order of 10.00 earning 10 points WHEN it is refunded in three parts (3.33, 3.33, 3.34) THEN all 10 points come back (each share rounded on the order's total refunded so far, not on its own)", async () => {
    const customer = await createCustomer(db, SHOP);
    await db.customer.update({ where: { id: customer.id }, data: { pointsBalance: 0 } });
    const placed = order(customer.shopifyCustomerId, "10.00");
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: NOW })).toBe("earned");
    const taken: number[] = [];
    for (const [i, amount] of ["3.33", "3.33", "3.34"].entries()) {
      const refund = { refundId: `gid://shopify/Refund/${Date.now()}${i}9`, orderGid: placed.admin_graphql_api_id, lines: parseMilli(amount)!, taxes: 0n, shipping: 0n, shippingTax: 0n };
      expect(await takeBackForRefund(db, { shop: SHOP, refund, receivedAt: NOW, lastAttempt: false, logger })).toBe("taken_back");
      const row = await db.pointsTransaction.findFirstOrThrow({ where: { refundId: refund.refundId } });
      taken.push(-row.delta);
    }
    // Before: 3 + 3 + 3 — a whole refund in parts left the customer 1 point of it.
    expect(taken).toEqual([3, 4, 3]);
    expect((await consistent(customer.id)).pointsBalance).toBe(0);
  });

  it("GIVEN an order of 10.00 earning 10 points WHEN it is refunded in 25 parts of 0.40 (each too small for a point of its own) THEN all 10 points come back, and every part shows in the history until none are left (9.60 refunded rounds to all 10)", async () => {
    const customer = await createCustomer(db, SHOP);
    await db.customer.update({ where: { id: customer.id }, data: { pointsBalance: 0 } });
    const placed = order(customer.shopifyCustomerId, "10.00");
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: NOW })).toBe("earned");
    for (let i = 0; i < 25; i++) {
      const refund = { refundId: `gid://shopify/Refund/${Date.now()}${String(i).padStart(2, "0")}4`, orderGid: placed.admin_graphql_api_id, lines: 400n, taxes: 0n, shipping: 0n, shippingTax: 0n };
      await takeBackForRefund(db, { shop: SHOP, refund, receivedAt: NOW, lastAttempt: false, logger });
    }
    // Before: each part alone rounded to 0 and wrote nothing, so the whole refund took nothing back.
    expect((await consistent(customer.id)).pointsBalance).toBe(0);
    expect(await db.pointsTransaction.count({ where: { orderGid: placed.admin_graphql_api_id, reason: "ORDER_REFUNDED" } })).toBe(24);
  });
});

describe("refunds/create in the order's own terms: tax taken out line by line (taxes_included), for points and VIP amount spent", () => {
  // The order through the registered orders/create effects (points earned, then its VIP row).
  async function place(shop: string, payload: Record<string, unknown>) {
    await handleOrderCreated(db, orderContext(shop, payload, NOW));
  }
  const refundOf = (placed: { admin_graphql_api_id: string }, lines: Array<{ subtotal: string; tax: string }>) => {
    const refundDigits = `${Date.now()}${++taxShopNo}`;
    return {
      id: refundDigits,
      admin_graphql_api_id: `gid://shopify/Refund/${refundDigits}`,
      order_id: placed.admin_graphql_api_id.split("/").pop(),
      refund_line_items: lines.map((l) => ({ quantity: 1, subtotal_set: money(l.subtotal), total_tax_set: money(l.tax) })),
    };
  };
  const vipRow = (shop: string, orderGid: string) => db.vipOrder.findUniqueOrThrow({ where: { shop_orderGid: { shop, orderGid } } });

  it("GIVEN a tax-inclusive order of 120.00 (20.00 tax inside; amount spent 100.00) WHEN half is refunded (60.00, 10.00 tax inside) THEN amount spent loses 50.00 (not 60.00); a full refund leaves nothing spent", async () => {
    const shop = await shopCounting(false);
    const customer = await createCustomer(db, shop);
    const placed = { ...order(customer.shopifyCustomerId, "120.00"), subtotal_price_set: money("120.00"), total_tax_set: money("20.00"), taxes_included: true };
    await place(shop, placed);
    expect((await vipRow(shop, placed.admin_graphql_api_id)).amount).toBe("100.00");
    await applyRefund(shop, refundOf(placed, [{ subtotal: "60.00", tax: "10.00" }]));
    // Before: 60.00 — the refund's tax-inclusive lines subtracted from an amount without tax.
    expect((await vipRow(shop, placed.admin_graphql_api_id)).refunded).toBe("50.00");
    await applyRefund(shop, refundOf(placed, [{ subtotal: "60.00", tax: "10.00" }]));
    expect((await vipRow(shop, placed.admin_graphql_api_id)).refunded).toBe("100.00");
    expect((await consistent(customer.id)).pointsBalance).toBe(0);
  });

  // Two lines at different rates. Tax-inclusive: A 120.00 (20.00 tax inside, 20 %), B 100.00 (0 %):
  // subtotal 220.00, tax 20.00, 200 points. Tax-exclusive, taxes counting: A 100.00 + 20.00, B 100.00
  // + 0: subtotal 200.00, tax 20.00, 220 points. Line A refunded.
  it.each([
    { taxesIncluded: true, includeTaxes: false, subtotal: "220.00", earned: 200, refundLine: "120.00", back: 100, spentBack: "100.00", before: "109 points back, 120.00 spent" },
    { taxesIncluded: true, includeTaxes: true, subtotal: "220.00", earned: 220, refundLine: "120.00", back: 120, spentBack: "100.00", before: "120 points, 120.00 spent" },
    { taxesIncluded: false, includeTaxes: true, subtotal: "200.00", earned: 220, refundLine: "100.00", back: 120, spentBack: "100.00", before: "110 points, 100.00 spent" },
    { taxesIncluded: false, includeTaxes: false, subtotal: "200.00", earned: 200, refundLine: "100.00", back: 100, spentBack: "100.00", before: "100 points, 100.00 spent" },
  ])(
    "GIVEN taxes_included $taxesIncluded, taxes count $includeTaxes, lines at 20 % and 0 % (earning $earned) WHEN the 20 % line is refunded THEN exactly its share comes back: $back points, $spentBack off amount spent (before: $before)",
    async ({ taxesIncluded, includeTaxes, subtotal, earned, refundLine, back, spentBack }) => {
      const shop = await shopCounting(includeTaxes);
      const customer = await createCustomer(db, shop);
      const placed = { ...order(customer.shopifyCustomerId, subtotal), subtotal_price_set: money(subtotal), total_tax_set: money("20.00"), taxes_included: taxesIncluded };
      await place(shop, placed);
      expect((await consistent(customer.id)).pointsBalance).toBe(earned);
      await applyRefund(shop, refundOf(placed, [{ subtotal: refundLine, tax: "20.00" }]));
      const rows = await db.pointsTransaction.findMany({ where: { customerId: customer.id, reason: "ORDER_REFUNDED" } });
      expect(rows.map((r) => r.delta)).toEqual([-back]);
      expect((await vipRow(shop, placed.admin_graphql_api_id)).refunded).toBe(spentBack);
      // The 0 % line refunded too: the whole order is back, nothing left over or taken twice.
      await applyRefund(shop, refundOf(placed, [{ subtotal: "100.00", tax: "0.00" }]));
      expect((await consistent(customer.id)).pointsBalance).toBe(0);
      expect((await vipRow(shop, placed.admin_graphql_api_id)).refunded).toBe("200.00");
    },
  );

  it.each([
    { what: "a line amount that is not a decimal", line: { subtotal_set: money("12,50"), total_tax_set: money("1.00") } },
    { what: "a line tax that is not a decimal", line: { subtotal_set: money("12.50"), total_tax_set: money("abc") } },
    { what: "a line tax with more than 3 decimals", line: { subtotal_set: money("12.50"), total_tax_set: money("1.0001") } },
    { what: "a negative line tax", line: { subtotal_set: money("12.50"), total_tax_set: money("-1.00") } },
  ])("GIVEN a refund with $what THEN it is dead-lettered with its reason and nothing changes", async ({ line }) => {
    const shop = await shopCounting(false);
    const customer = await createCustomer(db, shop);
    const placed = { ...order(customer.shopifyCustomerId, "120.00"), subtotal_price_set: money("120.00"), total_tax_set: money("20.00"), taxes_included: true };
    await place(shop, placed);
    const body = { ...refundOf(placed, []), refund_line_items: [{ quantity: 1, ...line }] };
    await expect(applyRefund(shop, body)).rejects.toThrow(/not a refund the app can read/);
    expect((await consistent(customer.id)).pointsBalance).toBe(100);
    expect((await vipRow(shop, placed.admin_graphql_api_id)).refunded).toBe("0");
  });
});

describe("refunds/create of an order earned before its taxes_included was kept (taxesIncluded null)", () => {
  it("GIVEN a tax-inclusive order of 120.00 (20.00 tax inside) earned before, its row holding the line prices (120.0) WHEN half is refunded THEN half its points come back, read in those prices (50 of 100)", async () => {
    const money = (amount: string) => ({ shop_money: { amount, currency_code: "EUR" } });
    const customer = await createCustomer(db, SHOP);
    await db.customer.update({ where: { id: customer.id }, data: { pointsBalance: 0 } });
    const placed = { ...order(customer.shopifyCustomerId, "120.00"), total_tax_set: money("20.00"), taxes_included: true };
    expect(await earnPointsForOrder(db, { shop: SHOP, payload: placed, receivedAt: NOW })).toBe("earned");
    // The row as it was written before: the order's line prices, no taxes_included.
    await db.pointsTransaction.updateMany({ where: { orderGid: placed.admin_graphql_api_id, reason: "EARNED" }, data: { amount: "120.0", taxesIncluded: null } });
    const refund = { refundId: `gid://shopify/Refund/${Date.now()}5`, orderGid: placed.admin_graphql_api_id, lines: 60_000n, taxes: 10_000n, shipping: 0n, shippingTax: 0n };
    expect(await takeBackForRefund(db, { shop: SHOP, refund, receivedAt: NOW, lastAttempt: false, logger })).toBe("taken_back");
    expect((await consistent(customer.id)).pointsBalance).toBe(50);
  });
});

describe("the sign-up bonus goes to customers with an account (customers/create and customers/update, REST Customer `state`)", () => {
  // Through the inbox and the registered effects, as the worker applies Shopify's deliveries. Each
  // delivery is recorded and applied at its own moment of 2020, before anything other tests of this
  // file leave in the inbox is due, so a round applies this test's deliveries only.
  let at = new Date("2020-01-01T00:00:00.000Z").getTime();
  let seq = 0;
  async function deliver(shop: string, topic: "customers/create" | "customers/update", body: object, webhookId = `signup-${++seq}`) {
    const now = new Date((at += 1_000));
    const rawBody = JSON.stringify(body);
    await recordDelivery(db, { shop, topic, webhookId, apiVersion: "2026-10", triggeredAt: null, rawBody, payload: JSON.parse(rawBody) }, now);
    const round = await applyDueDeliveries(db, WEBHOOK_EFFECTS, { workerId: "signup-test", now: () => now, batchSize: 20, leaseMs: 60_000, random: () => 0.5 });
    const row = await db.webhookDelivery.findUniqueOrThrow({ where: { shop_webhookId: { shop, webhookId } } });
    return { round, row };
  }
  let shopN = 0;
  async function shopGiving(signupBonus: number, enabled = true) {
    const shop = `signup-${++shopN}-${Date.now()}.myshopify.com`;
    await createShop(db, shop);
    await db.programSettings.create({ data: { shop, enabled, pointsPerCurrencyUnit: "1", signupBonus } });
    return shop;
  }
  let idN = 0;
  const customerBody = (state: unknown, id = `${Date.now()}${++idN}`) => ({
    id: Number(id),
    admin_graphql_api_id: `gid://shopify/Customer/${id}`,
    first_name: "Gus",
    last_name: "Guestly",
    email: `gus.${id}@example.com`,
    state,
  });
  const bonuses = (shop: string) => db.pointsTransaction.findMany({ where: { shop, reason: "SIGNUP_BONUS" }, select: { delta: true, customerId: true } });
  const customerOf = (shop: string, gid: string) => db.customer.findUnique({ where: { shop_shopifyCustomerId: { shop, shopifyCustomerId: gid } } });

  it("GIVEN a bonus of 100 WHEN customers/create says state disabled (a guest checkout) THEN the customer is known but gets no bonus", async () => {
    const shop = await shopGiving(100);
    const guest = customerBody("disabled");
    const { row } = await deliver(shop, "customers/create", guest);
    expect(row).toMatchObject({ appliedAt: expect.any(Date), deadAt: null });
    expect(await customerOf(shop, guest.admin_graphql_api_id)).toMatchObject({ pointsBalance: 0 });
    expect(await bonuses(shop)).toEqual([]);
  });

  it("GIVEN customers/create disabled WHEN customers/update says enabled (the account is activated), delivered twice, then the create again THEN the bonus is paid once", async () => {
    const shop = await shopGiving(100);
    const guest = customerBody("disabled");
    await deliver(shop, "customers/create", guest, "create-1");
    expect(await bonuses(shop)).toEqual([]);
    const activated = { ...guest, state: "enabled" };
    expect((await deliver(shop, "customers/update", activated, "update-1")).row).toMatchObject({ appliedAt: expect.any(Date), deadAt: null });
    await deliver(shop, "customers/update", activated, "update-1"); // Shopify's retry: same id
    await deliver(shop, "customers/update", activated, "update-2"); // another update, still enabled
    await deliver(shop, "customers/create", guest, "create-1b"); // the create delivered again under a new id
    const customer = await customerOf(shop, guest.admin_graphql_api_id);
    expect(await bonuses(shop)).toEqual([{ delta: 100, customerId: customer!.id }]);
    expect((await consistent(customer!.id)).pointsBalance).toBe(100);
  });

  it("GIVEN customers/update enabled applied BEFORE its customers/create disabled (deliveries are not ordered) THEN nothing is paid until the create comes, then once", async () => {
    const shop = await shopGiving(100);
    const guest = customerBody("invited");
    const update = await deliver(shop, "customers/update", { ...guest, state: "enabled" });
    expect(update.row).toMatchObject({ appliedAt: expect.any(Date), deadAt: null });
    expect(await bonuses(shop)).toEqual([]);
    await deliver(shop, "customers/create", guest);
    await deliver(shop, "customers/create", guest);
    await deliver(shop, "customers/update", { ...guest, state: "enabled" });
    const customer = await customerOf(shop, guest.admin_graphql_api_id);
    expect(await bonuses(shop)).toEqual([{ delta: 100, customerId: customer!.id }]);
  });

  it("GIVEN customers/create enabled (the customer signed up) THEN the bonus is paid at once, as before, and a later update changes nothing", async () => {
    const shop = await shopGiving(100);
    const member = customerBody("enabled");
    await deliver(shop, "customers/create", member);
    await deliver(shop, "customers/update", member);
    const customer = await customerOf(shop, member.admin_graphql_api_id);
    expect(await bonuses(shop)).toEqual([{ delta: 100, customerId: customer!.id }]);
  });

  it("GIVEN a customer whose account the app knows WHEN further customers/update come (Shopify sends one for changes to the customer) THEN nothing is written for them", async () => {
    const shop = await shopGiving(100);
    const member = customerBody("enabled");
    await deliver(shop, "customers/create", member);
    const paid = await customerOf(shop, member.admin_graphql_api_id);
    expect(paid).toMatchObject({ pointsBalance: 100, signupAccountAt: expect.any(Date) });
    for (let i = 0; i < 3; i++) expect((await deliver(shop, "customers/update", member)).row).toMatchObject({ appliedAt: expect.any(Date), deadAt: null });
    // The customer's row is not touched (no lock, no write): its updatedAt stays.
    expect((await customerOf(shop, member.admin_graphql_api_id))!.updatedAt).toEqual(paid!.updatedAt);
    expect(await bonuses(shop)).toEqual([{ delta: 100, customerId: paid!.id }]);
  });

  it("GIVEN a customer created before the install (no customers/create ever) WHEN customers/update says enabled THEN no bonus; the row is kept for a create still on its way only while the program gives a bonus", async () => {
    const giving = await shopGiving(100);
    const old = customerBody("enabled");
    expect((await deliver(giving, "customers/update", old)).row).toMatchObject({ appliedAt: expect.any(Date), deadAt: null });
    await deliver(giving, "customers/update", old);
    expect(await bonuses(giving)).toEqual([]);
    expect(await customerOf(giving, old.admin_graphql_api_id)).toMatchObject({ pointsBalance: 0, signupCreatedAt: null, signupAccountAt: expect.any(Date) });

    const notGiving = await shopGiving(0);
    const other = customerBody("enabled");
    expect((await deliver(notGiving, "customers/update", other)).row).toMatchObject({ appliedAt: expect.any(Date), deadAt: null });
    expect(await customerOf(notGiving, other.admin_graphql_api_id)).toBeNull();
  });

  it("GIVEN customers/create disabled while the program gives no bonus, the account activated meanwhile WHEN the merchant turns the bonus on and the customer is updated again THEN nothing: the sign-up happened while the program gave none", async () => {
    const shop = await shopGiving(0);
    const guest = customerBody("disabled");
    await deliver(shop, "customers/create", guest);
    expect((await deliver(shop, "customers/update", { ...guest, state: "enabled" })).row).toMatchObject({ appliedAt: expect.any(Date), deadAt: null });
    expect(await customerOf(shop, guest.admin_graphql_api_id)).toMatchObject({ signupCreatedAt: expect.any(Date), signupAccountAt: expect.any(Date) });
    await db.programSettings.update({ where: { shop }, data: { signupBonus: 100 } });
    expect((await deliver(shop, "customers/update", { ...guest, state: "enabled", first_name: "Gussie" })).row).toMatchObject({ appliedAt: expect.any(Date), deadAt: null });
    expect(await bonuses(shop)).toEqual([]);
  });

  it("GIVEN customers/create disabled while the bonus is off WHEN the merchant turns it on and the customer then activates their account THEN the bonus is paid", async () => {
    const shop = await shopGiving(0);
    const guest = customerBody("disabled");
    await deliver(shop, "customers/create", guest);
    await db.programSettings.update({ where: { shop }, data: { signupBonus: 100 } });
    await deliver(shop, "customers/update", { ...guest, state: "enabled" });
    expect((await bonuses(shop)).map((b) => b.delta)).toEqual([100]);
  });

  it.each([
    { what: "missing", state: undefined, shown: "(missing)" },
    { what: "not one of Shopify's", state: "active", shown: "active" },
    { what: "in capitals (GraphQL's spelling)", state: "ENABLED", shown: "(a string of another shape)" },
    { what: "not a string", state: 1, shown: "(a number)" },
  ])("GIVEN customers/create whose state is $what THEN no bonus, a warning naming ids only; a later update saying enabled pays it", async ({ state, shown }) => {
    const shop = await shopGiving(100);
    const warn = vi.spyOn(logger, "warn");
    try {
      const { state: _none, ...noState } = customerBody("x");
      const body = state === undefined ? noState : { ...noState, state };
      const { row } = await deliver(shop, "customers/create", body);
      expect(row).toMatchObject({ appliedAt: expect.any(Date), deadAt: null });
      expect(await bonuses(shop)).toEqual([]);
      const logged = warn.mock.calls.filter(([, message]) => typeof message === "string" && message.includes("state is none of Shopify's"));
      expect(logged).toEqual([[{ shop, customer: body.admin_graphql_api_id, topic: "customers/create", state: shown }, expect.any(String)]]);
      expect(JSON.stringify(logged)).not.toMatch(/Gus|Guestly|@example\.com/);
      await deliver(shop, "customers/update", { ...body, state: "enabled" });
      expect((await bonuses(shop)).map((b) => b.delta)).toEqual([100]);
    } finally {
      warn.mockRestore();
    }
  });

  it("GIVEN customers/update whose state is not one of Shopify's, after a disabled create THEN no bonus", async () => {
    const shop = await shopGiving(100);
    const guest = customerBody("disabled");
    await deliver(shop, "customers/create", guest);
    await deliver(shop, "customers/update", { ...guest, state: "Enabled" });
    expect(await bonuses(shop)).toEqual([]);
  });

  it("GIVEN ten guests who activate an account and five who do not WHEN each one's customers/create (disabled) and customers/update are applied at the same moment, twice each THEN each of the ten is paid exactly once, the five nothing", async () => {
    const shop = await shopGiving(100);
    const activated = Array.from({ length: 10 }, () => customerBody("disabled"));
    const guests = Array.from({ length: 5 }, () => customerBody("disabled"));
    const runs = [...activated, ...guests].flatMap((g, i) => {
      const update = { ...g, state: i < activated.length ? "enabled" : "disabled" };
      return [
        awardSignupBonus(db, { shop, topic: "customers/create", payload: g, receivedAt: NOW }),
        awardSignupBonus(db, { shop, topic: "customers/update", payload: update, receivedAt: NOW }),
        awardSignupBonus(db, { shop, topic: "customers/update", payload: update, receivedAt: NOW }),
        awardSignupBonus(db, { shop, topic: "customers/create", payload: g, receivedAt: NOW }),
      ];
    });
    const outcomes = await Promise.all(runs);
    expect(outcomes.filter((o) => o === "awarded")).toHaveLength(10);
    const paid = await bonuses(shop);
    const ids = await Promise.all(activated.map(async (g) => (await customerOf(shop, g.admin_graphql_api_id))!.id));
    expect(paid.map((p) => p.customerId).sort()).toEqual(ids.sort());
  });
});
