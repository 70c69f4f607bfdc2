// A refunds/create applied before its order's orders/create, after the inbox's last attempt: kept
// (WaitingRefund) and applied once when the order arrives — points and VIP amount spent — on the
// real database, also when the order and the refund are applied at the same time.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { createCustomer, createShop } from "../../../test/support/factories";
import { WEBHOOK_EFFECTS } from "~/services/webhooks/effects.server";
import { WEBHOOK_RETRY_POLICY } from "~/services/webhooks/inbox.server";
import { handleOrderCreated, orderContext } from "~/services/orders/order-created.server";
import { handleCustomersRedact, handleShopRedact } from "~/services/compliance/privacy.server";
import { refundFacts } from "~/domain/points";
import { logger } from "~/logger.server";
import { periodicTasks } from "~/jobs/tasks.server";
import type { RewardDeps } from "~/services/rewards/deps.server";
import { applyRefundsKeptForOrder, keepRefundForItsOrder } from "./waiting-refunds.server";

const SHOP = "waiting-refunds.myshopify.com";
const NOW = new Date("2026-06-01T10:00:00.000Z");

beforeAll(async () => {
  await createShop(db, SHOP);
  await db.programSettings.create({ data: { shop: SHOP, enabled: true, pointsPerCurrencyUnit: "1" } });
});

let n = 0;
const money = (amount: string) => ({ shop_money: { amount, currency_code: "USD" } });
function orderOf(customerGid: string | null, amount: string) {
  const digits = `${Date.now()}${++n}`;
  return {
    id: Number(digits),
    admin_graphql_api_id: `gid://shopify/Order/${digits}`,
    name: `#${digits}`,
    customer: customerGid ? { admin_graphql_api_id: customerGid, first_name: "Ada", email: "ada@example.com" } : null,
    subtotal_price_set: money(amount),
  };
}
function refundOf(order: { admin_graphql_api_id: string }, amount: string) {
  const digits = `${Date.now()}${++n}`;
  return {
    id: Number(digits),
    admin_graphql_api_id: `gid://shopify/Refund/${digits}`,
    order_id: Number(order.admin_graphql_api_id.split("/").pop()),
    note: "Ada's parcel came back",
    refund_line_items: [{ quantity: 1, subtotal_set: money(amount), total_tax_set: money("0.00"), line_item: { name: "Ada's scarf" } }],
  };
}
/** The refund's effects as the inbox runs them on its last attempt (the order never arrived while it retried). */
async function applyRefundLastAttempt(body: Record<string, unknown>, shop = SHOP) {
  const raw = JSON.stringify(body);
  const delivery = { shop, topic: "refunds/create" as const, webhookId: `w-${Math.random()}`, triggeredAt: null, apiVersion: "2026-10", payload: JSON.parse(raw), rawPayload: raw, receivedAt: NOW, attempt: WEBHOOK_RETRY_POLICY.maxAttempts };
  for (const effect of WEBHOOK_EFFECTS["refunds/create"]) await effect(db, delivery);
}
const placeOrder = (payload: unknown, shop = SHOP) => handleOrderCreated(db, orderContext(shop, payload, NOW));

async function outcome(customerId: string, orderGid: string) {
  const customer = await db.customer.findUniqueOrThrow({ where: { id: customerId } });
  const takenBack = await db.pointsTransaction.findMany({ where: { customerId, reason: "ORDER_REFUNDED" }, select: { delta: true } });
  const vip = await db.vipOrder.findUnique({ where: { shop_orderGid: { shop: SHOP, orderGid } } });
  return { balance: customer.pointsBalance, takenBack: takenBack.map((r) => r.delta), spentRefunded: vip?.refunded ?? null, waiting: await db.waitingRefund.count({ where: { shop: SHOP, orderGid } }) };
}

describe("a refund whose order arrives after the inbox stopped retrying it", () => {
  it("GIVEN a refund of 25.00 applied on its last attempt before its order WHEN the 100.00 order arrives THEN 25 points come back and 25.00 stops counting, once, whatever is delivered again", async () => {
    const customer = await createCustomer(db, SHOP);
    const order = orderOf(customer.shopifyCustomerId, "100.00");
    const refund = refundOf(order, "25.00");
    await applyRefundLastAttempt(refund);
    expect(await db.waitingRefund.count({ where: { shop: SHOP, orderGid: order.admin_graphql_api_id } })).toBe(1);
    await placeOrder(order);
    // Before: the refund was settled as "an order that earned nothing" and lost: 100 points, 0 refunded.
    expect(await outcome(customer.id, order.admin_graphql_api_id)).toEqual({ balance: 75, takenBack: [-25], spentRefunded: "25.00", waiting: 0 });
    await placeOrder(order);
    await applyRefundLastAttempt(refund);
    expect(await outcome(customer.id, order.admin_graphql_api_id)).toEqual({ balance: 75, takenBack: [-25], spentRefunded: "25.00", waiting: 0 });
  });

  it("GIVEN a shop counting shipping and taxes, and a full refund with taxed shipping kept before its order WHEN the order arrives THEN every point it earned comes back (the shipping's tax too)", async () => {
    const shop = "waiting-refunds-shipping-tax.myshopify.com";
    await createShop(db, shop);
    await db.programSettings.create({ data: { shop, enabled: true, pointsPerCurrencyUnit: "1", includeShipping: true, includeTaxes: true } });
    const customer = await createCustomer(db, shop);
    // Tax-exclusive: lines 100.00 + 21.00 tax, shipping 10.00 + 2.10 tax → earns on 133.10: 133 points.
    const order = {
      ...orderOf(customer.shopifyCustomerId, "100.00"),
      total_tax_set: money("23.10"),
      taxes_included: false,
      shipping_lines: [{ discounted_price_set: money("10.00"), tax_lines: [{ price_set: money("2.10"), rate: 0.21 }] }],
    };
    const refund = {
      ...refundOf(order, "100.00"),
      refund_line_items: [{ quantity: 1, subtotal_set: money("100.00"), total_tax_set: money("21.00") }],
      refund_shipping_lines: [{ subtotal_amount_set: money("10.00"), tax_amount_set: money("2.10") }],
    };
    await applyRefundLastAttempt(refund, shop);
    const kept = await db.waitingRefund.findFirstOrThrow({ where: { shop, orderGid: order.admin_graphql_api_id } });
    expect([kept.shipping, kept.shippingTax]).toEqual(["10.00", "2.10"]);
    await placeOrder(order, shop);
    const after = await db.customer.findUniqueOrThrow({ where: { id: customer.id } });
    const rows = await db.pointsTransaction.findMany({ where: { customerId: customer.id }, orderBy: { createdAt: "asc" }, select: { reason: true, delta: true } });
    // Before: 131 of the 133 came back (the shipping's 2.10 tax was not read), 2 points stayed.
    expect(rows).toEqual([{ reason: "EARNED", delta: 133 }, { reason: "ORDER_REFUNDED", delta: -133 }]);
    expect(after.pointsBalance).toBe(0);
  });

  it("GIVEN the order and its refund applied at the same moment by two workers (several times) THEN the refund counts exactly once, for points and amount spent", async () => {
    for (let i = 0; i < 6; i++) {
      const customer = await createCustomer(db, SHOP);
      const order = orderOf(customer.shopifyCustomerId, "100.00");
      const refund = refundOf(order, "25.00");
      // Either may start first; both run to the end whatever the other does.
      const runs = i % 2 === 0 ? [placeOrder(order), applyRefundLastAttempt(refund)] : [applyRefundLastAttempt(refund), placeOrder(order)];
      await Promise.all(runs);
      expect(await outcome(customer.id, order.admin_graphql_api_id)).toEqual({ balance: 75, takenBack: [-25], spentRefunded: "25.00", waiting: 0 });
    }
  });

  it("GIVEN the two workers' steps interleaved (the refund found no order; the order then wrote its rows and found no kept refund; the refund is then kept) THEN keeping it applies it at once, once", async () => {
    const customer = await createCustomer(db, SHOP);
    const order = orderOf(customer.shopifyCustomerId, "100.00");
    const refund = refundFacts(refundOf(order, "25.00"))!;
    // The refund's points and VIP effects ran before the order: nothing found. Then the whole order.
    await placeOrder(order);
    // Then the refund's last step: kept — and, the order now known, applied at once. The row stays for
    // the order's worker (which may not have reached its referral effect yet: only it can take that back).
    expect(await keepRefundForItsOrder(db, { shop: SHOP, refund, receivedAt: NOW, logger })).toBe("applied");
    expect(await outcome(customer.id, order.admin_graphql_api_id)).toEqual({ balance: 75, takenBack: [-25], spentRefunded: "25.00", waiting: 1 });
    // Keeping it again, and the order's worker applying it, change nothing more; the worker drops the row.
    await keepRefundForItsOrder(db, { shop: SHOP, refund, receivedAt: NOW, logger });
    expect(await applyRefundsKeptForOrder(db, { shop: SHOP, orderGid: refund.orderGid, receivedAt: NOW, logger })).toBe(1);
    expect(await outcome(customer.id, order.admin_graphql_api_id)).toEqual({ balance: 75, takenBack: [-25], spentRefunded: "25.00", waiting: 0 });
  });

  it("GIVEN kept refunds older than KEPT_REFUND_DAYS (an order that never arrives) THEN keeping another refund of the shop drops them", async () => {
    const old = orderOf(null, "100.00");
    await db.waitingRefund.create({ data: { shop: SHOP, orderGid: old.admin_graphql_api_id, refundId: "gid://shopify/Refund/1", lines: "1.0", taxes: "0", shipping: "0", receivedAt: new Date(NOW.getTime() - 8 * 86_400_000) } });
    const recent = orderOf(null, "100.00");
    await applyRefundLastAttempt(refundOf(recent, "5.00"));
    expect(await db.waitingRefund.count({ where: { shop: SHOP, orderGid: old.admin_graphql_api_id } })).toBe(0);
    expect(await db.waitingRefund.count({ where: { shop: SHOP, orderGid: recent.admin_graphql_api_id } })).toBe(1);
  });

  it("GIVEN kept refunds older than KEPT_REFUND_DAYS in shops that keep no other refund THEN the worker's hourly pass drops them, and only them", async () => {
    const quiet = "waiting-refunds-quiet.myshopify.com";
    const at = (days: number) => new Date(NOW.getTime() - days * 86_400_000);
    await db.waitingRefund.create({ data: { shop: quiet, orderGid: "gid://shopify/Order/71", refundId: "gid://shopify/Refund/71", lines: "1.0", taxes: "0", shipping: "0", receivedAt: at(8) } });
    await db.waitingRefund.create({ data: { shop: quiet, orderGid: "gid://shopify/Order/72", refundId: "gid://shopify/Refund/72", lines: "1.0", taxes: "0", shipping: "0", receivedAt: at(6) } });
    const pass = periodicTasks({ recoveryEveryMs: 60_000, reconcileAfterMs: 0, reconcileEveryMs: 0 }).find((t) => t.name === "kept refunds")!;
    await pass.run({ db, logger, now: () => NOW, adminFor: () => undefined } as unknown as RewardDeps, logger);
    expect((await db.waitingRefund.findMany({ where: { shop: quiet } })).map((r) => r.orderGid)).toEqual(["gid://shopify/Order/72"]);
  });

  it("GIVEN a kept refund THEN it holds its ids and amounts only (no note, no line item, no buyer data); a guest order's arrival clears it", async () => {
    const order = orderOf(null, "100.00");
    await applyRefundLastAttempt(refundOf(order, "25.00"));
    const row = await db.waitingRefund.findFirstOrThrow({ where: { shop: SHOP, orderGid: order.admin_graphql_api_id } });
    expect(Object.keys(row).sort()).toEqual(["id", "lines", "orderGid", "receivedAt", "refundId", "shipping", "shippingTax", "shop", "taxes"]);
    expect(JSON.stringify(row)).not.toMatch(/Ada/);
    expect([row.lines, row.taxes, row.shipping]).toEqual(["25.00", "0.00", "0.00"]);
    await placeOrder(order);
    expect(await db.waitingRefund.count({ where: { shop: SHOP, orderGid: order.admin_graphql_api_id } })).toBe(0);
  });

  it("GIVEN kept refunds THEN customers/redact naming their order erases them, and shop/redact erases the shop's", async () => {
    const shop = "waiting-refunds-redact.myshopify.com";
    await createShop(db, shop);
    const customer = await createCustomer(db, shop);
    const theirs = orderOf(customer.shopifyCustomerId, "100.00");
    const other = orderOf(null, "100.00");
    await applyRefundLastAttempt(refundOf(theirs, "10.00"), shop);
    await applyRefundLastAttempt(refundOf(other, "10.00"), shop);
    expect(await db.waitingRefund.count({ where: { shop } })).toBe(2);
    const customerDigits = Number(customer.shopifyCustomerId.split("/").pop());
    await handleCustomersRedact(db, { shop, payload: { shop_domain: shop, customer: { id: customerDigits }, orders_to_redact: [theirs.id] } } as never);
    expect(await db.waitingRefund.findMany({ where: { shop }, select: { orderGid: true } })).toEqual([{ orderGid: other.admin_graphql_api_id }]);
    await handleShopRedact(db, { shop, payload: { shop_id: 1, shop_domain: shop } });
    expect(await db.waitingRefund.count({ where: { shop } })).toBe(0);
  });
});
