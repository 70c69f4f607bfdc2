// The points program's webhooks through the real path: signed orders/create, refunds/create,
// orders/cancelled, customers/create and customers/update deliveries built by the emulator, over HTTP to the app's
// production build, applied by the worker's inbox (applyWebhooks), checked in the ledger.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { debitPoints, ledgerTotals, releasePendingPoints } from "~/services/points/ledger.server";
import { useRunningApp } from "../support/app";
import { applyWebhooks } from "../support/webhooks";
import { WEBHOOK_RETRY_POLICY } from "~/services/webhooks/inbox.server";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";

const { emulator } = useShopifyEmulator();
const SHOP = TEST_APP.shop;
useRunningApp({ emulator });

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
});

async function program(settings: Partial<{ enabled: boolean; pendingDays: number; signupBonus: number; pointsPerCurrencyUnit: string; includeShipping: boolean; includeTaxes: boolean }> = {}) {
  const values = { enabled: true, pendingDays: 0, signupBonus: 0, pointsPerCurrencyUnit: "1", includeShipping: false, includeTaxes: false, ...settings };
  await db.programSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, ...values }, update: values });
}

let seq = 0;
function shopper() {
  seq++;
  return emulator.addCustomer(SHOP, { firstName: "Grace", lastName: `Hopper${seq}`, email: `grace${seq}@example.com` });
}

const customerOf = (gid: string) => db.customer.findUniqueOrThrow({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: gid } } });
const ledger = (customerId: string) => db.pointsTransaction.findMany({ where: { customerId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });

/** Every customer's stored balances equal the sums of their ledger rows. */
async function expectLedgerConsistent(customerId: string) {
  const c = await db.customer.findUniqueOrThrow({ where: { id: customerId } });
  const totals = await ledgerTotals(db, customerId);
  expect({ balance: c.pointsBalance, pending: c.pendingPoints, shortfall: c.pointsShortfall }).toEqual({
    balance: totals.available,
    pending: totals.pending,
    shortfall: totals.shortfall,
  });
  expect(c.pointsBalance).toBeGreaterThanOrEqual(0);
}

beforeEach(async () => {
  await program();
});

describe("orders/create earns points", () => {
  it("earns on the subtotal after discounts, once whatever the deliveries (duplicates, two webhook ids, concurrently)", async () => {
    const who = shopper();
    const { order, webhook } = await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: "123.45", shippingPrice: "10.00" }, { deliver: false });
    const results = await emulator.deliverer.deliver(webhook.url, webhook.signed, { duplicates: 5, concurrent: true, duplicateWebhookId: "new" });
    expect(results.every((r) => r.finalStatus === 200)).toBe(true);
    await applyWebhooks();
    const customer = await customerOf(who.id);
    expect(customer.displayName).toBe(`Grace Hopper${seq}`);
    const rows = await ledger(customer.id);
    expect(rows).toHaveLength(1);
    // Shipping does not count by default; 123.45 rounds down to 123.
    expect(rows[0]).toMatchObject({ reason: "EARNED", delta: 123, balanceAfter: 123, status: "AVAILABLE", orderGid: order.id, orderName: order.name, amount: "123.45", actor: "WEBHOOK" });
    expect(customer.pointsBalance).toBe(123);
    await expectLedgerConsistent(customer.id);
  });

  it("counts shipping when the merchant says so, and earns nothing while the program is off", async () => {
    await program({ includeShipping: true, pointsPerCurrencyUnit: "2" });
    const who = shopper();
    await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: "50.00", shippingPrice: "10.00" });
    await applyWebhooks();
    await program({ enabled: false });
    await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: "50.00" });
    await applyWebhooks();
    const customer = await customerOf(who.id);
    expect((await ledger(customer.id)).map((r) => r.delta)).toEqual([120]);
  });

  it("holds points as pending for the merchant's period; the periodic release makes them spendable", async () => {
    await program({ pendingDays: 14 });
    const who = shopper();
    await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: "80.00" });
    await applyWebhooks();
    const customer = await customerOf(who.id);
    expect(customer).toMatchObject({ pointsBalance: 0, pendingPoints: 80 });
    const [row] = await ledger(customer.id);
    expect(row).toMatchObject({ status: "PENDING", delta: 80 });
    // 14 days from when the delivery was recorded (just before the row was written).
    const held = row.availableAt!.getTime() - row.createdAt.getTime();
    expect(held).toBeLessThanOrEqual(14 * 86_400_000);
    expect(held).toBeGreaterThan(13 * 86_400_000);

    expect(await releasePendingPoints(db, new Date(row.availableAt!.getTime() - 1))).toBe(0);
    expect(await releasePendingPoints(db, row.availableAt!)).toBe(1);
    expect(await releasePendingPoints(db, row.availableAt!)).toBe(0);
    expect(await customerOf(who.id)).toMatchObject({ pointsBalance: 80, pendingPoints: 0 });
    await expectLedgerConsistent(customer.id);
  });
});

describe("refunds/create and orders/cancelled take points back", () => {
  it("a refund takes back its proportional share once; a second refund and the cancel take the rest, never more", async () => {
    const who = shopper();
    const { order } = await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: "100.00" });
    await applyWebhooks();
    const refund = await emulator.refundOrder(SHOP, order.id, { amount: "40.00" }, { deliver: false });
    await emulator.deliverer.deliver(refund.url, refund.signed, { duplicates: 3, concurrent: true, duplicateWebhookId: "new" });
    await applyWebhooks();
    const customer = await customerOf(who.id);
    expect(customer.pointsBalance).toBe(60);
    await emulator.refundOrder(SHOP, order.id, { amount: "25.00", seq: 2 });
    await applyWebhooks();
    await emulator.cancelOrder(SHOP, order.id, { duplicates: 1 });
    await applyWebhooks();
    const rows = await ledger(customer.id);
    expect(rows.map((r) => [r.reason, r.delta])).toEqual([
      ["EARNED", 100],
      ["ORDER_REFUNDED", -40],
      ["ORDER_REFUNDED", -25],
      ["ORDER_CANCELED", -35],
    ]);
    expect(rows[1].refundId).toMatch(/^gid:\/\/shopify\/Refund\/\d+$/);
    expect(rows[1].orderGid).toBe(order.id);
    expect((await customerOf(who.id)).pointsBalance).toBe(0);
    await expectLedgerConsistent(customer.id);
  });

  it("with shipping counted, a refund of the shipping alone (refund_shipping_lines, API 2024-10+) takes back the shipping's points", async () => {
    await program({ includeShipping: true });
    const who = shopper();
    const { order } = await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: "100.00", shippingPrice: "20.00" });
    await applyWebhooks();
    const refund = await emulator.refundOrder(SHOP, order.id, { amount: "0", shipping: "20.00" }, { deliver: false });
    const body = JSON.parse(refund.signed.body) as { refund_shipping_lines: unknown[]; order_adjustments: unknown[] };
    expect(body.refund_shipping_lines).toHaveLength(1);
    expect(body.order_adjustments).toEqual([]);
    await emulator.deliverer.deliver(refund.url, refund.signed);
    await applyWebhooks();
    const customer = await customerOf(who.id);
    expect((await ledger(customer.id)).map((r) => [r.reason, r.delta])).toEqual([
      ["EARNED", 120],
      ["ORDER_REFUNDED", -20],
    ]);
    await expectLedgerConsistent(customer.id);
  });

  it("a shop taxing shipping: the order earns on its shipping's tax as the merchant counts it, and a full refund takes back every point", async () => {
    // Shopify taxes shipping in many shops (Shop.taxShipping; shipping_lines[].tax_lines, in total_tax).
    const cases = [
      // Prices without tax, taxes and shipping counting: 100.00 + 21.00 + 10.00 + 2.10 = 133.10.
      { taxesIncluded: false, subtotal: "100.00", shippingPrice: "10.00", includeTaxes: true, earned: 133, shippingTax: "2.10" },
      // Prices with tax, taxes not counting: 121.00 − 21.00 + 12.10 − 2.10 = 110.00.
      { taxesIncluded: true, subtotal: "121.00", shippingPrice: "12.10", includeTaxes: false, earned: 110, shippingTax: "2.10" },
    ];
    try {
      for (const c of cases) {
        emulator.store.updateShop(SHOP, { taxesIncluded: c.taxesIncluded, taxRate: "0.21", taxShipping: true });
        await program({ includeShipping: true, includeTaxes: c.includeTaxes });
        const who = shopper();
        const { order, webhook } = await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: c.subtotal, shippingPrice: c.shippingPrice });
        expect(JSON.parse(webhook.signed.body).shipping_lines[0].tax_lines[0].price).toBe(c.shippingTax);
        await applyWebhooks();
        const refund = await emulator.refundOrder(SHOP, order.id, { amount: c.subtotal, shipping: c.shippingPrice }, { deliver: false });
        expect(JSON.parse(refund.signed.body).refund_shipping_lines[0].tax_amount_set.shop_money.amount).toBe(c.shippingTax);
        await emulator.deliverer.deliver(refund.url, refund.signed);
        await applyWebhooks();
        const customer = await customerOf(who.id);
        // Before: 131 of 133 came back (the refunded shipping's tax was not read).
        expect((await ledger(customer.id)).map((r) => [r.reason, r.delta]), JSON.stringify(c)).toEqual([
          ["EARNED", c.earned],
          ["ORDER_REFUNDED", -c.earned],
        ]);
        expect(customer.pointsBalance).toBe(0);
        await expectLedgerConsistent(customer.id);
      }
    } finally {
      emulator.store.updateShop(SHOP, { taxesIncluded: false, taxRate: "0", taxShipping: false });
    }
  });

  it("points already spent: the balance stops at zero and the shortfall is recorded for the merchant", async () => {
    const who = shopper();
    const { order } = await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: "100.00" });
    await applyWebhooks();
    const customer = await customerOf(who.id);
    await debitPoints(db, { shop: SHOP, customerId: customer.id, points: 70, mode: "require", reason: "REDEMPTION", actor: "CUSTOMER", now: new Date() });
    await emulator.cancelOrder(SHOP, order.id);
    await applyWebhooks();
    const after = await customerOf(who.id);
    expect(after).toMatchObject({ pointsBalance: 0, pointsShortfall: 70 });
    const canceled = (await ledger(customer.id)).find((r) => r.reason === "ORDER_CANCELED");
    expect(canceled).toMatchObject({ delta: -30, shortfall: 70, balanceAfter: 0 });
    await expectLedgerConsistent(customer.id);
  });

  it("a refund inside the pending period comes off the pending points, never the spendable balance", async () => {
    await program({ pendingDays: 30 });
    const who = shopper();
    const { order } = await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: "100.00" });
    await applyWebhooks();
    await emulator.refundOrder(SHOP, order.id, { amount: "100.00" });
    await applyWebhooks();
    const customer = await customerOf(who.id);
    expect(customer).toMatchObject({ pointsBalance: 0, pendingPoints: 0, pointsShortfall: 0 });
    await releasePendingPoints(db, new Date(Date.now() + 31 * 86_400_000));
    expect(await customerOf(who.id)).toMatchObject({ pointsBalance: 0, pendingPoints: 0 });
    await expectLedgerConsistent(customer.id);
  });

  it("reordered deliveries: a cancel applied before its orders/create means the order never earns", async () => {
    const who = shopper();
    const { order, webhook } = await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: "100.00" }, { deliver: false });
    await emulator.cancelOrder(SHOP, order.id);
    await applyWebhooks();
    await emulator.deliverer.deliver(webhook.url, webhook.signed);
    await applyWebhooks();
    const customer = await customerOf(who.id);
    expect((await ledger(customer.id)).map((r) => [r.reason, r.delta])).toEqual([["ORDER_CANCELED", 0]]);
    expect(customer.pointsBalance).toBe(0);
  });

  it("reordered deliveries: a refund applied before its order waits (retried by the inbox) and then takes its share", async () => {
    const who = shopper();
    const { order, webhook } = await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: "100.00" }, { deliver: false });
    await emulator.refundOrder(SHOP, order.id, { amount: "50.00" });
    const first = await applyWebhooks();
    expect(first).toMatchObject({ retried: 1, applied: 0 });
    await emulator.deliverer.deliver(webhook.url, webhook.signed);
    await applyWebhooks();
    // The refund's retry is due a few seconds later.
    await applyWebhooks({ now: () => new Date(Date.now() + 60_000) });
    const customer = await customerOf(who.id);
    expect((await ledger(customer.id)).map((r) => [r.reason, r.delta])).toEqual([
      ["EARNED", 100],
      ["ORDER_REFUNDED", -50],
    ]);
  });

  it("reordered deliveries: a refund whose order arrives after the inbox's last attempt is kept and applied once when the order arrives (points and VIP amount spent)", async () => {
    const who = shopper();
    const { order, webhook } = await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: "100.00" }, { deliver: false });
    await emulator.refundOrder(SHOP, order.id, { amount: "50.00" });
    // Every attempt of the inbox, each a day later than the last (far past any retry's due time).
    let settled = null;
    for (let attempt = 1; attempt <= WEBHOOK_RETRY_POLICY.maxAttempts; attempt++) settled = await applyWebhooks({ now: () => new Date(Date.now() + attempt * 86_400_000) });
    expect(settled).toMatchObject({ applied: 1, dead: 0 });
    // The order's orders/create only now (Shopify retried it for hours).
    await emulator.deliverer.deliver(webhook.url, webhook.signed);
    await applyWebhooks({ now: () => new Date(Date.now() + 10 * 86_400_000) });
    const customer = await customerOf(who.id);
    // Before: the refund was settled as "an order that earned nothing": EARNED 100 only, 0.00 refunded.
    expect((await ledger(customer.id)).map((r) => [r.reason, r.delta])).toEqual([
      ["EARNED", 100],
      ["ORDER_REFUNDED", -50],
    ]);
    expect((await db.vipOrder.findFirstOrThrow({ where: { shop: SHOP, customerId: customer.id } })).refunded).toBe("50.00");
    expect(await db.waitingRefund.count({ where: { shop: SHOP } })).toBe(0);
    await expectLedgerConsistent(customer.id);
  });

  it("concurrent orders, refunds and cancels of one customer keep the balance equal to the ledger", async () => {
    const who = shopper();
    const orders = [];
    for (let i = 0; i < 6; i++) orders.push((await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: "20.00" }, { deliver: false })));
    const refunds = [];
    for (const o of orders) refunds.push(await emulator.refundOrder(SHOP, o.order.id, { amount: "5.00" }, { deliver: false }));
    const cancel = await emulator.cancelOrder(SHOP, orders[0].order.id, { deliver: false });
    // Everything at once, in one inbox batch (applied in parallel lanes).
    await Promise.all([
      ...orders.map((o) => emulator.deliverer.deliver(o.webhook.url, o.webhook.signed, { duplicates: 1 })),
      emulator.deliverer.deliver(cancel.url, cancel.signed),
    ]);
    await applyWebhooks();
    await Promise.all(refunds.map((r) => emulator.deliverer.deliver(r.url, r.signed, { duplicates: 1, concurrent: true })));
    await applyWebhooks();
    const customer = await customerOf(who.id);
    // 6 × 20 earned (the first order's cancel may land before or after it: then it earns nothing or
    // gives all back); 5 refunds × 5 on the others.
    expect(customer.pointsBalance).toBe(5 * 20 - 5 * 5);
    await expectLedgerConsistent(customer.id);
  });
});

describe("customers/create gives the sign-up bonus", () => {
  it("once per customer, whatever the deliveries", async () => {
    await program({ signupBonus: 50 });
    const { customer: shopifyCustomer, webhook } = await emulator.createCustomer(SHOP, { firstName: "Ada", lastName: "Byron", email: "ada.byron@example.com" }, { duplicates: 2, duplicateWebhookId: "new" });
    expect(webhook.results.every((r) => r.finalStatus === 200)).toBe(true);
    await applyWebhooks();
    const customer = await customerOf(shopifyCustomer.id);
    expect((await ledger(customer.id)).map((r) => [r.reason, r.delta])).toEqual([["SIGNUP_BONUS", 50]]);
    expect(customer.pointsBalance).toBe(50);
  });

  it("GIVEN a guest checkout's customer (customers/create, state disabled) THEN no bonus; WHEN they activate an account (customers/update, state enabled, delivered twice with two ids and concurrently) THEN the bonus, once", async () => {
    await program({ signupBonus: 50 });
    const { customer: guest, webhook: created } = await emulator.createCustomer(SHOP, { firstName: "Gil", lastName: "Guest", email: "gil.guest@example.com", state: "disabled" });
    expect(created.results.every((r) => r.finalStatus === 200)).toBe(true);
    await applyWebhooks();
    const known = await customerOf(guest.id);
    expect(await ledger(known.id)).toEqual([]);

    const { webhook: updated } = await emulator.setCustomerState(SHOP, guest.id, "enabled", { deliver: false });
    expect(updated.url).toMatch(/\/webhooks\/customers\/update$/);
    const results = await emulator.deliverer.deliver(updated.url, updated.signed, { duplicates: 3, concurrent: true, duplicateWebhookId: "new" });
    expect(results.every((r) => r.finalStatus === 200)).toBe(true);
    await applyWebhooks();
    await emulator.deliverer.deliver(created.url, created.signed, { duplicateWebhookId: "new" });
    await applyWebhooks();
    const customer = await customerOf(guest.id);
    expect((await ledger(customer.id)).map((r) => [r.reason, r.delta])).toEqual([["SIGNUP_BONUS", 50]]);
    expect(customer.pointsBalance).toBe(50);
    expect(await db.webhookDelivery.count({ where: { shop: SHOP, topic: "customers/update", deadAt: { not: null } } })).toBe(0);
  });
});
