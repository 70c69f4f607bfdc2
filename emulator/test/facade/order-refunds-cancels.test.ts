// An order after its refunds and its cancellation, as Shopify keeps it: the GraphQL Order
// (currentTotalDiscountsSet, currentSubtotalLineItemsQuantity, Refund.transactions, cancelledAt,
// cancelReason, closed, displayFinancialStatus — 2026-10 schema descriptions), the order webhook bodies
// (REST Order `refunds`, current_*, financial_status, cancelled_at, cancel_reason:
// https://shopify.dev/docs/api/admin-rest/latest/resources/order), Customer.amountSpent, and what
// Shopify refuses (orderCancel: "The order hasn't already been cancelled").
import { describe, expect, it } from "vitest";
import { parseAppConfig } from "../../src/app-config";
import { createShopifyEmulator } from "../../src/index";
import type { ShopSeed } from "../../src/store";
import type { Json } from "../graphql/helpers";

const CONFIG = parseAppConfig(`
[webhooks]
api_version = "2026-10"
  [[webhooks.subscriptions]]
  topics = ["orders/create", "orders/updated", "orders/cancelled", "refunds/create"]
  uri = "/webhooks"
`);

function shopWith(seed: Partial<ShopSeed> = {}) {
  const emulator = createShopifyEmulator({ apiKey: "k", apiSecret: "s", appUrl: "http://127.0.0.1:9", appConfig: CONFIG });
  const shop = emulator.addShop({ domain: "refunds.myshopify.com", currencyCode: "CAD", scopes: ["read_orders", "read_customers"], ...seed });
  const customer = emulator.addCustomer(shop.domain, { firstName: "Ref" });
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await emulator.handle(
      new Request(`https://${shop.domain}/admin/api/2026-10/graphql.json`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-shopify-access-token": shop.accessToken },
        body: JSON.stringify({ query, variables }),
      }),
    );
    return (await response.json()) as { data: Json; errors?: Json[] };
  };
  const tenOff = () =>
    emulator.store.createCodeDiscount(shop.domain, {
      kind: "basic",
      title: "Ten",
      codes: ["TEN"],
      startsAt: new Date("2020-01-01T00:00:00Z"),
      customerGets: { value: { kind: "amount", amount: 1000, appliesOnEachItem: false }, items: { kind: "all" }, appliesOnOneTimePurchase: true, appliesOnSubscription: false },
    });
  return { emulator, shop, customer, gql, tenOff };
}

const amount = (value: string) => ({ shopMoney: { amount: value } });
const money = (value: string) => ({ shop_money: { amount: value, currency_code: "CAD" }, presentment_money: { amount: value, currency_code: "CAD" } });

describe("Order after a part refund of a discounted line", () => {
  it("GIVEN 100.00 with a 10.00 code (90.00 paid) WHEN 45.00 of the line is refunded THEN currentTotalDiscountsSet is 5.00 — half the line took half its discount — and 0 once all of it is refunded", async () => {
    const { emulator, shop, customer, gql, tenOff } = shopWith();
    tenOff();
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: ["TEN"], subtotal: "100.00", shippingPrice: "0" }, { deliver: false });
    const query = `query($id: ID!) { order(id: $id) { totalDiscountsSet { shopMoney { amount } } currentTotalDiscountsSet { shopMoney { amount } } } }`;
    await emulator.refundOrder(shop.domain, order.id, { amount: "45.00" }, { deliver: false });
    const partly = await gql(query, { id: order.id });
    expect(partly.errors).toBeUndefined();
    expect(partly.data.order).toEqual({ totalDiscountsSet: amount("10.0"), currentTotalDiscountsSet: amount("5.0") });
    // The order's webhook body agrees (current_total_discounts).
    expect(JSON.parse(emulator.orderWebhookBody(order))).toMatchObject({ total_discounts: "10.00", current_total_discounts: "5.00", current_total_discounts_set: money("5.00") });
    await emulator.refundOrder(shop.domain, order.id, { amount: "45.00", seq: 2 }, { deliver: false });
    expect((await gql(query, { id: order.id })).data.order).toEqual({ totalDiscountsSet: amount("10.0"), currentTotalDiscountsSet: amount("0.0") });
  });

  it("GIVEN a free-shipping code THEN its discount stays in currentTotalDiscountsSet after the line is refunded", async () => {
    const { emulator, shop, customer, gql } = shopWith();
    emulator.store.createCodeDiscount(shop.domain, { kind: "free_shipping", title: "Free", codes: ["SHIPFREE"], startsAt: new Date("2020-01-01T00:00:00Z") });
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: ["SHIPFREE"], subtotal: "50.00", shippingPrice: "8.00" }, { deliver: false });
    await emulator.refundOrder(shop.domain, order.id, { amount: "20.00" }, { deliver: false });
    const answer = await gql(`query($id: ID!) { order(id: $id) { currentTotalDiscountsSet { shopMoney { amount } } } }`, { id: order.id });
    expect(answer.data.order).toEqual({ currentTotalDiscountsSet: amount("8.0") });
  });
});

describe("Order.currentSubtotalLineItemsQuantity", () => {
  it("GIVEN 3 items for 90.00 WHEN 30.00, then 20.00, then the rest is refunded THEN 2, 2, 0 items count — a unit leaves once its whole price is refunded", async () => {
    const { emulator, shop, customer, gql } = shopWith();
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "90.00", shippingPrice: "0", quantity: 3 }, { deliver: false });
    const query = `query($id: ID!) { order(id: $id) { subtotalLineItemsQuantity currentSubtotalLineItemsQuantity } }`;
    expect((await gql(query, { id: order.id })).data.order).toEqual({ subtotalLineItemsQuantity: 3, currentSubtotalLineItemsQuantity: 3 });
    await emulator.refundOrder(shop.domain, order.id, { amount: "30.00" }, { deliver: false });
    const after = await gql(query, { id: order.id });
    expect(after.errors).toBeUndefined();
    expect(after.data.order).toEqual({ subtotalLineItemsQuantity: 3, currentSubtotalLineItemsQuantity: 2 });
    await emulator.refundOrder(shop.domain, order.id, { amount: "20.00", seq: 2 }, { deliver: false });
    expect((await gql(query, { id: order.id })).data.order).toEqual({ subtotalLineItemsQuantity: 3, currentSubtotalLineItemsQuantity: 2 });
    await emulator.refundOrder(shop.domain, order.id, { amount: "40.00", seq: 3 }, { deliver: false });
    expect((await gql(query, { id: order.id })).data.order).toEqual({ subtotalLineItemsQuantity: 3, currentSubtotalLineItemsQuantity: 0 });
  });
});

describe("Refund.transactions", () => {
  it("GIVEN a refund of 40.00 (13 % tax on top) THEN its one REFUND transaction is the one refunds/create carried: same id, gateway, test flag and 45.20", async () => {
    const { emulator, shop, customer, gql } = shopWith({ taxesIncluded: false, taxRate: "0.13" });
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "100.00", shippingPrice: "0", test: true }, { deliver: false });
    const sent = JSON.parse((await emulator.refundOrder(shop.domain, order.id, { amount: "40.00" }, { deliver: false })).signed.body);
    const answer = await gql(
      `query($id: ID!) { order(id: $id) { refunds { transactions(first: 5) { nodes { id kind status gateway test amountSet { shopMoney { amount currencyCode } } processedAt } } } } }`,
      { id: order.id },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data.order).toEqual({
      refunds: [
        {
          transactions: {
            nodes: [
              {
                id: sent.transactions[0].admin_graphql_api_id,
                kind: "REFUND",
                status: "SUCCESS",
                gateway: "bogus",
                test: true,
                amountSet: { shopMoney: { amount: "45.2", currencyCode: "CAD" } },
                processedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
              },
            ],
          },
        },
      ],
    });
    expect(sent.transactions[0]).toMatchObject({ amount: "45.20", gateway: "bogus", test: true, kind: "refund" });
  });
});

describe("cancelOrder keeps the cancellation", () => {
  const CANCELLED = `query($id: ID!) { order(id: $id) { cancelledAt cancelReason closed closedAt displayFinancialStatus currentSubtotalLineItemsQuantity totalRefundedSet { shopMoney { amount } } } }`;

  it("GIVEN a paid order WHEN the merchant cancels it (no refund) THEN the Order says when and why, is closed, still PAID; orders/cancelled carries cancelled_at and cancel_reason", async () => {
    const { emulator, shop, customer, gql } = shopWith();
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "30.00", shippingPrice: "5.00" }, { deliver: false });
    const before = await gql(CANCELLED, { id: order.id });
    expect(before.data.order).toMatchObject({ cancelledAt: null, cancelReason: null, closed: false, closedAt: null });
    const sent = await emulator.cancelOrder(shop.domain, order.id, { deliver: false }, { reason: "FRAUD" });
    const answer = await gql(CANCELLED, { id: order.id });
    expect(answer.errors).toBeUndefined();
    const at = (answer.data.order as { cancelledAt: string }).cancelledAt;
    expect(at).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/));
    expect(answer.data.order).toEqual({
      cancelledAt: at,
      cancelReason: "FRAUD",
      closed: true,
      closedAt: at,
      displayFinancialStatus: "PAID",
      currentSubtotalLineItemsQuantity: 0,
      totalRefundedSet: amount("0.0"),
    });
    const body = JSON.parse(sent.signed.body);
    expect(body).toMatchObject({ cancel_reason: "fraud", financial_status: "paid", refunds: [] });
    expect(new Date(body.cancelled_at).toISOString().replace(".000Z", "Z")).toBe(at);
    expect(body.closed_at).toBe(body.cancelled_at);
    expect(body.updated_at).toBe(body.cancelled_at);
    expect(body.line_items[0].current_quantity).toBe(0);
    expect(sent.refund).toBeNull();
    // A later body of the order (orders/updated) still says it is cancelled.
    expect(JSON.parse(emulator.orderWebhookBody(order))).toMatchObject({ cancelled_at: body.cancelled_at, cancel_reason: "fraud" });
  });

  it("GIVEN a cancelled order WHEN it is cancelled again THEN refused (orderCancel: the order hasn't already been cancelled), no webhook, nothing changed", async () => {
    const { emulator, shop, customer } = shopWith();
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [] }, { deliver: false });
    await emulator.cancelOrder(shop.domain, order.id, { deliver: false });
    const reason = emulator.store.getOrder(shop.domain, order.id)?.cancelReason;
    await expect(emulator.cancelOrder(shop.domain, order.id, { deliver: false }, { reason: "STAFF", refund: true })).rejects.toThrow(/already been cancelled/);
    const kept = emulator.store.getOrder(shop.domain, order.id);
    expect(kept?.cancelReason).toBe(reason);
    expect(kept?.refunds).toEqual([]);
  });

  it("GIVEN 40.00 already refunded WHEN cancelled with refund THEN the rest is refunded by its own refunds/create, the order is REFUNDED and orders/cancelled carries both refunds", async () => {
    const { emulator, shop, customer, gql } = shopWith({ taxesIncluded: false, taxRate: "0.10" });
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "100.00", shippingPrice: "10.00" }, { deliver: false });
    const first = JSON.parse((await emulator.refundOrder(shop.domain, order.id, { amount: "40.00" }, { deliver: false })).signed.body);
    const sent = await emulator.cancelOrder(shop.domain, order.id, { deliver: false }, { refund: true });
    const rest = JSON.parse(sent.refund!.signed.body);
    expect(rest.refund_line_items).toEqual([expect.objectContaining({ subtotal_set: money("60.00"), total_tax_set: money("6.00") })]);
    expect(rest.refund_shipping_lines).toEqual([expect.objectContaining({ subtotal_amount_set: money("10.00") })]);
    expect(rest.transactions[0].amount).toBe("76.00");
    const answer = await gql(CANCELLED, { id: order.id });
    expect(answer.data.order).toMatchObject({ cancelReason: "CUSTOMER", closed: true, displayFinancialStatus: "REFUNDED", totalRefundedSet: amount("120.0") });
    const body = JSON.parse(sent.signed.body);
    expect(body).toMatchObject({
      cancel_reason: "customer",
      financial_status: "refunded",
      current_total_price: "0.00",
      current_subtotal_price: "0.00",
      current_total_tax: "0.00",
      current_shipping_price_set: money("0.00"),
    });
    expect(body.refunds).toEqual([first, rest]);
  });
});

describe("order webhook bodies carry the order's refunds", () => {
  it("GIVEN 40.00 of the line refunded (13 % tax) WHEN the order's body is sent again (orders/updated) THEN refunds holds the refunds/create resource and current_* and financial_status are after it", async () => {
    const { emulator, shop, customer } = shopWith({ taxesIncluded: false, taxRate: "0.13" });
    const { order, webhook } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "100.00", shippingPrice: "10.00" }, { deliver: false });
    expect(JSON.parse(webhook.signed.body)).toMatchObject({ refunds: [], financial_status: "paid", current_total_price: "123.00" });
    const refund = JSON.parse((await emulator.refundOrder(shop.domain, order.id, { amount: "40.00" }, { deliver: false })).signed.body);
    const updated = await emulator.sendWebhook("orders/updated", shop.domain, emulator.orderWebhookBody(order), { deliver: false });
    const body = JSON.parse(updated.signed.body);
    expect(body.refunds).toEqual([refund]);
    expect(body).toMatchObject({
      financial_status: "partially_refunded",
      total_price: "123.00",
      current_subtotal_price: "60.00",
      current_total_tax: "7.80",
      current_total_price: "77.80",
      current_shipping_price_set: money("10.00"),
      cancelled_at: null,
    });
    // The raw body writes the refund's order_id as the exact digits, like refunds/create.
    expect(updated.signed.body).toContain(`"order_id":${order.legacyId}`);
  });
});

describe("Customer.amountSpent after refunds", () => {
  it("GIVEN an order of 123.00 WHEN 45.20 is paid back THEN amountSpent is 77.8 (the total amount that the customer has spent on orders); a cancel with refund brings it to 0", async () => {
    const { emulator, shop, customer, gql } = shopWith({ taxesIncluded: false, taxRate: "0.13" });
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "100.00", shippingPrice: "10.00" }, { deliver: false });
    const spent = async () => ((await gql(`query($id: ID!) { customer(id: $id) { amountSpent { amount } numberOfOrders } }`, { id: customer.id })).data as { customer: Json }).customer;
    expect(await spent()).toEqual({ amountSpent: { amount: "123.0" }, numberOfOrders: "1" });
    await emulator.refundOrder(shop.domain, order.id, { amount: "40.00" }, { deliver: false });
    expect(await spent()).toEqual({ amountSpent: { amount: "77.8" }, numberOfOrders: "1" });
    // The same refund again (its webhook resent) pays nothing back a second time.
    await emulator.refundOrder(shop.domain, order.id, { amount: "40.00" }, { deliver: false });
    expect(await spent()).toEqual({ amountSpent: { amount: "77.8" }, numberOfOrders: "1" });
    await emulator.cancelOrder(shop.domain, order.id, { deliver: false }, { refund: true });
    expect(await spent()).toEqual({ amountSpent: { amount: "0.0" }, numberOfOrders: "1" });
  });
});

describe("the cancellation is store state", () => {
  it("GIVEN a cancelled order WHEN the store is saved and restored THEN it is still cancelled and a second cancel is still refused", async () => {
    const { emulator, shop, customer } = shopWith();
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [] }, { deliver: false });
    await emulator.cancelOrder(shop.domain, order.id, { deliver: false }, { reason: "INVENTORY" });
    const snapshot = JSON.parse(JSON.stringify(emulator.store.serialize()));
    const restored = shopWith();
    restored.emulator.store.restore(snapshot);
    const kept = restored.emulator.store.getOrder(shop.domain, order.id);
    expect(kept?.cancelReason).toBe("INVENTORY");
    expect(kept?.cancelledAt).toBeInstanceOf(Date);
    await expect(restored.emulator.cancelOrder(shop.domain, order.id, { deliver: false })).rejects.toThrow(/already been cancelled/);
  });
});
