// Taxes on the orders the emulator creates and on their refunds: a shop's prices include tax or not
// (https://help.shopify.com/en/manual/taxes/location#include-or-exclude-tax-in-product-prices), and
// orders/create, the GraphQL Order and refunds/create say so with consistent amounts
// (https://shopify.dev/docs/api/admin-rest/latest/resources/order,
// https://shopify.dev/docs/api/admin-rest/latest/resources/refund).
import { describe, expect, it } from "vitest";
import { parseAppConfig } from "../../src/app-config";
import { createShopifyEmulator } from "../../src/index";
import type { ShopSeed } from "../../src/store";
import type { Json } from "../graphql/helpers";

const CONFIG = parseAppConfig(`
[webhooks]
api_version = "2026-10"
  [[webhooks.subscriptions]]
  topics = ["orders/create", "refunds/create"]
  uri = "/webhooks"
`);

function shopWith(seed: Partial<ShopSeed>) {
  const emulator = createShopifyEmulator({ apiKey: "k", apiSecret: "s", appUrl: "http://127.0.0.1:9", appConfig: CONFIG });
  const shop = emulator.addShop({ domain: "taxes.myshopify.com", currencyCode: "CAD", ...seed });
  const customer = emulator.addCustomer(shop.domain, { firstName: "Tax" });
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
  return { emulator, shop, customer, gql };
}

const money = (amount: string, currency = "CAD") => ({
  shop_money: { amount, currency_code: currency },
  presentment_money: { amount, currency_code: currency },
});

const ORDER_TAXES = `query($id: ID!) { order(id: $id) { taxesIncluded totalTaxSet { shopMoney { amount } } subtotalPriceSet { shopMoney { amount } } totalPriceSet { shopMoney { amount } } taxLines { title rate priceSet { shopMoney { amount } } } } shop { taxesIncluded taxShipping } }`;

describe("orders/create and the GraphQL Order follow the shop's tax setting", () => {
  it("GIVEN a shop whose prices exclude a 13 % tax WHEN an order of 100.00 + 10.00 shipping is placed THEN tax 13.00 on top: total 123.00, taxes_included false", async () => {
    const { emulator, shop, customer, gql } = shopWith({ taxesIncluded: false, taxRate: "0.13" });
    const { order, webhook } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "100.00", shippingPrice: "10.00" }, { deliver: false });
    const body = JSON.parse(webhook.signed.body);
    expect(body).toMatchObject({
      taxes_included: false,
      total_line_items_price: "100.00",
      subtotal_price: "100.00",
      total_tax: "13.00",
      total_tax_set: money("13.00"),
      current_total_tax: "13.00",
      total_price: "123.00",
      current_total_price: "123.00",
      tax_lines: [{ price: "13.00", rate: 0.13, price_set: money("13.00") }],
    });
    expect(body.line_items[0]).toMatchObject({ price: "100.00", tax_lines: [{ price: "13.00", rate: 0.13, price_set: money("13.00") }] });
    const answer = await gql(ORDER_TAXES, { id: order.id });
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({
      order: {
        taxesIncluded: false,
        totalTaxSet: { shopMoney: { amount: "13.0" } },
        subtotalPriceSet: { shopMoney: { amount: "100.0" } },
        totalPriceSet: { shopMoney: { amount: "123.0" } },
        taxLines: [{ title: expect.any(String) as string, rate: 0.13, priceSet: { shopMoney: { amount: "13.0" } } }],
      },
      shop: { taxesIncluded: false, taxShipping: false },
    });
  });

  it("GIVEN a shop whose prices include a 20 % tax WHEN an order of 120.00 (tax in) + 10.00 shipping is placed THEN total_tax is the included 20.00 and total_price = subtotal + shipping = 130.00", async () => {
    const { emulator, shop, customer, gql } = shopWith({ taxesIncluded: true, taxRate: "0.20" });
    const { order, webhook } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "120.00", shippingPrice: "10.00" }, { deliver: false });
    const body = JSON.parse(webhook.signed.body);
    expect(body).toMatchObject({
      taxes_included: true,
      total_line_items_price: "120.00",
      subtotal_price: "120.00",
      total_tax: "20.00",
      total_tax_set: money("20.00"),
      total_price: "130.00",
      tax_lines: [{ price: "20.00", rate: 0.2 }],
    });
    expect(body.line_items[0]).toMatchObject({ price: "120.00", tax_lines: [{ price: "20.00", rate: 0.2 }] });
    const answer = await gql(ORDER_TAXES, { id: order.id });
    expect(answer.data.order).toMatchObject({
      taxesIncluded: true,
      totalTaxSet: { shopMoney: { amount: "20.0" } },
      subtotalPriceSet: { shopMoney: { amount: "120.0" } },
      totalPriceSet: { shopMoney: { amount: "130.0" } },
    });
    expect(answer.data.shop).toEqual({ taxesIncluded: true, taxShipping: false });
  });

  it("GIVEN a tax-inclusive shop and a 25 % discount code THEN the included tax is the share of the discounted price (90.00 → 15.00)", async () => {
    const { emulator, shop, customer } = shopWith({ taxesIncluded: true, taxRate: "0.20" });
    emulator.store.createCodeDiscount(shop.domain, {
      kind: "basic",
      title: "Quarter",
      codes: ["QUARTER"],
      startsAt: new Date("2020-01-01T00:00:00Z"),
      customerGets: { value: { kind: "percentage", percentage: 0.25 }, items: { kind: "all" }, appliesOnOneTimePurchase: true, appliesOnSubscription: false },
    });
    const { order, webhook } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: ["QUARTER"], subtotal: "120.00", shippingPrice: "0" }, { deliver: false });
    const body = JSON.parse(webhook.signed.body);
    expect(body).toMatchObject({ taxes_included: true, subtotal_price: "90.00", total_tax: "15.00", total_price: "90.00", total_discounts: "30.00" });
    expect(order.total).toBe(9000);
  });

  it("GIVEN a shop that was not told about taxes THEN taxes_included false and no tax, as before", async () => {
    const { emulator, shop, customer } = shopWith({});
    const { webhook } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "50.00", shippingPrice: "5.00" }, { deliver: false });
    expect(JSON.parse(webhook.signed.body)).toMatchObject({ taxes_included: false, total_tax: "0.00", tax_lines: [], total_price: "55.00" });
  });

  it("refuses a tax rate that is not a proportion", () => {
    expect(() => shopWith({ taxRate: "13" })).toThrow(/tax rate/i);
    expect(() => shopWith({ taxRate: "-0.1" })).toThrow(/tax rate/i);
  });
});

describe("refunds/create carries the refunded lines' tax", () => {
  it("GIVEN a tax-exclusive shop (13 %) and an order of 100.00 WHEN 40.00 of the line is refunded THEN its refund line says subtotal 40.00, total_tax 5.20, and 45.20 goes back", async () => {
    const { emulator, shop, customer } = shopWith({ taxesIncluded: false, taxRate: "0.13" });
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "100.00", shippingPrice: "10.00" }, { deliver: false });
    const refund = await emulator.refundOrder(shop.domain, order.id, { amount: "40.00" }, { deliver: false });
    const body = JSON.parse(refund.signed.body);
    expect(body.refund_line_items).toEqual([
      expect.objectContaining({ quantity: 1, subtotal: 40, subtotal_set: money("40.00"), total_tax: 5.2, total_tax_set: money("5.20") }),
    ]);
    expect(body.transactions).toEqual([expect.objectContaining({ amount: "45.20", kind: "refund" })]);
  });

  it("GIVEN a tax-inclusive shop (20 %) and an order of 120.00 WHEN half the line (60.00) is refunded THEN the refund line's tax is the included 10.00 and 60.00 goes back", async () => {
    const { emulator, shop, customer } = shopWith({ taxesIncluded: true, taxRate: "0.20" });
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "120.00", shippingPrice: "10.00" }, { deliver: false });
    const refund = await emulator.refundOrder(shop.domain, order.id, { amount: "60.00", shipping: "10.00" }, { deliver: false });
    const body = JSON.parse(refund.signed.body);
    expect(body.refund_line_items).toEqual([
      expect.objectContaining({ subtotal: 60, subtotal_set: money("60.00"), total_tax: 10, total_tax_set: money("10.00") }),
    ]);
    expect(body.refund_shipping_lines).toEqual([expect.objectContaining({ subtotal_amount_set: money("10.00"), tax_amount_set: money("0.00") })]);
    expect(body.transactions).toEqual([expect.objectContaining({ amount: "70.00" })]);
  });

  it("refuses to refund more of the line than it cost after discounts, or more shipping than was charged", async () => {
    const { emulator, shop, customer } = shopWith({ taxesIncluded: false, taxRate: "0.13" });
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "100.00", shippingPrice: "10.00" }, { deliver: false });
    await expect(emulator.refundOrder(shop.domain, order.id, { amount: "100.01" }, { deliver: false })).rejects.toThrow(/cannot refund/);
    await expect(emulator.refundOrder(shop.domain, order.id, { amount: "0", shipping: "10.01" }, { deliver: false })).rejects.toThrow(/cannot refund/);
  });

  it("keeps what was refunded: a second refund may take only what is left, and the same refund sent again is the same refund", async () => {
    const { emulator, shop, customer } = shopWith({ taxesIncluded: false, taxRate: "0.13" });
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "100.00", shippingPrice: "10.00" }, { deliver: false });
    const first = await emulator.refundOrder(shop.domain, order.id, { amount: "60.00", shipping: "10.00" }, { deliver: false });
    // The same refund again (Shopify's retry of its webhook): same id, nothing more refunded.
    const again = await emulator.refundOrder(shop.domain, order.id, { amount: "60.00", shipping: "10.00" }, { deliver: false });
    expect(JSON.parse(again.signed.body).id).toBe(JSON.parse(first.signed.body).id);
    await expect(emulator.refundOrder(shop.domain, order.id, { amount: "50.00", seq: 1 }, { deliver: false })).rejects.toThrow(/already/);
    // 40.00 of the line is left, and no shipping.
    await expect(emulator.refundOrder(shop.domain, order.id, { amount: "40.01", seq: 2 }, { deliver: false })).rejects.toThrow(/cannot refund/);
    await expect(emulator.refundOrder(shop.domain, order.id, { amount: "0", shipping: "0.01", seq: 2 }, { deliver: false })).rejects.toThrow(/cannot refund/);
    const second = await emulator.refundOrder(shop.domain, order.id, { amount: "40.00", seq: 2 }, { deliver: false });
    expect(JSON.parse(second.signed.body).refund_line_items).toEqual([expect.objectContaining({ subtotal: 40, total_tax: 5.2 })]);
    await expect(emulator.refundOrder(shop.domain, order.id, { amount: "0.01", seq: 3 }, { deliver: false })).rejects.toThrow(/cannot refund/);
  });
});

describe("refunds/create's transaction follows the order's payment", () => {
  it("GIVEN a test order (Bogus Gateway) WHEN refunded THEN its refund transaction is a test on bogus; a real order's is not", async () => {
    const { emulator, shop, customer } = shopWith({});
    const { order: testOrder } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], test: true }, { deliver: false });
    const { order: realOrder } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [] }, { deliver: false });
    const transaction = async (id: string) => JSON.parse((await emulator.refundOrder(shop.domain, id, { amount: "10.00" }, { deliver: false })).signed.body).transactions[0];
    expect(await transaction(testOrder.id)).toMatchObject({ gateway: "bogus", test: true, kind: "refund" });
    expect(await transaction(realOrder.id)).toMatchObject({ gateway: "shopify_payments", test: false, kind: "refund" });
  });
});

describe("a shop that taxes shipping (Shop.taxShipping)", () => {
  const SHIPPING_TAX = `query($id: ID!) { order(id: $id) { totalTaxSet { shopMoney { amount } } totalPriceSet { shopMoney { amount } } totalShippingPriceSet { shopMoney { amount } } taxLines { rate priceSet { shopMoney { amount } } }
    shippingLine { id originalPriceSet { shopMoney { amount } } discountedPriceSet { shopMoney { amount } } taxLines { rate priceSet { shopMoney { amount } } } }
    shippingLines(first: 5) { nodes { id } } } shop { taxShipping } }`;

  it("GIVEN prices without tax (13 %) WHEN an order of 100.00 + 10.00 shipping is placed THEN the shipping line carries 1.30 tax, total_tax 14.30 holds it, total 124.30 — in orders/create and the GraphQL Order alike", async () => {
    const { emulator, shop, customer, gql } = shopWith({ taxesIncluded: false, taxRate: "0.13", taxShipping: true });
    const { order, webhook } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "100.00", shippingPrice: "10.00" }, { deliver: false });
    const body = JSON.parse(webhook.signed.body);
    expect(body).toMatchObject({
      total_tax: "14.30",
      total_tax_set: money("14.30"),
      current_total_tax: "14.30",
      total_price: "124.30",
      current_total_price: "124.30",
      subtotal_price: "100.00",
      tax_lines: [{ price: "14.30", rate: 0.13 }],
    });
    expect(body.line_items[0].tax_lines).toEqual([expect.objectContaining({ price: "13.00", rate: 0.13, price_set: money("13.00") })]);
    expect(body.shipping_lines[0]).toMatchObject({ discounted_price: "10.00", tax_lines: [{ price: "1.30", rate: 0.13, price_set: money("1.30") }] });
    expect(order).toMatchObject({ totalTax: 1430, shippingTax: 130, total: 12430 });
    const answer = await gql(SHIPPING_TAX, { id: order.id });
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({
      order: {
        totalTaxSet: { shopMoney: { amount: "14.3" } },
        totalPriceSet: { shopMoney: { amount: "124.3" } },
        totalShippingPriceSet: { shopMoney: { amount: "10.0" } },
        taxLines: [{ rate: 0.13, priceSet: { shopMoney: { amount: "14.3" } } }],
        // The shipping line's own tax, as orders/create's shipping_lines[0] (same id).
        shippingLine: {
          id: `gid://shopify/ShippingLine/${body.shipping_lines[0].id}`,
          originalPriceSet: { shopMoney: { amount: "10.0" } },
          discountedPriceSet: { shopMoney: { amount: "10.0" } },
          taxLines: [{ rate: 0.13, priceSet: { shopMoney: { amount: "1.3" } } }],
        },
        shippingLines: { nodes: [{ id: `gid://shopify/ShippingLine/${body.shipping_lines[0].id}` }] },
      },
      shop: { taxShipping: true },
    });
  });

  it("GIVEN prices with tax (20 %) WHEN an order of 120.00 + 12.00 shipping is placed THEN 2.00 of the shipping is tax: total_tax 22.00, total 132.00", async () => {
    const { emulator, shop, customer } = shopWith({ taxesIncluded: true, taxRate: "0.20", taxShipping: true });
    const { webhook } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "120.00", shippingPrice: "12.00" }, { deliver: false });
    const body = JSON.parse(webhook.signed.body);
    expect(body).toMatchObject({ taxes_included: true, total_tax: "22.00", total_price: "132.00", subtotal_price: "120.00" });
    expect(body.line_items[0].tax_lines).toEqual([expect.objectContaining({ price: "20.00" })]);
    expect(body.shipping_lines[0]).toMatchObject({ discounted_price: "12.00", tax_lines: [{ price: "2.00", rate: 0.2 }] });
  });

  it("GIVEN a free shipping code THEN the shipping is 0 after its discount and carries no tax (the price before it is what was charged before the code)", async () => {
    const { emulator, shop, customer, gql } = shopWith({ taxesIncluded: false, taxRate: "0.13", taxShipping: true });
    emulator.store.createCodeDiscount(shop.domain, { kind: "free_shipping", title: "Free", codes: ["SHIPFREE"], startsAt: new Date("2020-01-01T00:00:00Z") });
    const { order, webhook } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: ["SHIPFREE"], subtotal: "100.00", shippingPrice: "10.00" }, { deliver: false });
    const body = JSON.parse(webhook.signed.body);
    // Before: the shipping code was taken off twice (discounted_price "-10.00", total_price 103.00).
    expect(body).toMatchObject({ total_tax: "13.00", total_price: "113.00", total_shipping_price_set: money("10.00"), current_shipping_price_set: money("0.00") });
    expect(body.shipping_lines[0]).toMatchObject({ price: "10.00", discounted_price: "0.00", tax_lines: [] });
    expect(order.total).toBe(11300);
    const answer = await gql(`query($id: ID!) { order(id: $id) { totalShippingPriceSet { shopMoney { amount } } currentShippingPriceSet { shopMoney { amount } } totalPriceSet { shopMoney { amount } } shippingLine { originalPriceSet { shopMoney { amount } } discountedPriceSet { shopMoney { amount } } taxLines { rate } } } }`, { id: order.id });
    expect(answer.data.order).toEqual({
      totalShippingPriceSet: { shopMoney: { amount: "10.0" } },
      currentShippingPriceSet: { shopMoney: { amount: "0.0" } },
      totalPriceSet: { shopMoney: { amount: "113.0" } },
      shippingLine: { originalPriceSet: { shopMoney: { amount: "10.0" } }, discountedPriceSet: { shopMoney: { amount: "0.0" } }, taxLines: [] },
    });
  });

  it("GIVEN taxed shipping WHEN it is refunded THEN the refund shipping line carries its tax (tax_amount_set) and it is paid back; in parts, never more than the shipping's tax", async () => {
    const { emulator, shop, customer } = shopWith({ taxesIncluded: false, taxRate: "0.13", taxShipping: true });
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "100.00", shippingPrice: "10.00" }, { deliver: false });
    const parts = [];
    for (const [seq, shipping] of [[1, "3.33"], [2, "3.33"], [3, "3.34"]] as const) {
      parts.push(JSON.parse((await emulator.refundOrder(shop.domain, order.id, { amount: "0", shipping, seq }, { deliver: false })).signed.body));
    }
    const taxes = parts.map((b) => b.refund_shipping_lines[0].tax_amount_set.shop_money.amount);
    expect(taxes.reduce((sum: number, t: string) => sum + Math.round(Number(t) * 100), 0)).toBe(130);
    expect(parts[0].transactions[0].amount).toBe((3.33 + Number(taxes[0])).toFixed(2));
    // Tax-inclusive: the refunded shipping holds its tax, nothing added to the transaction.
    const inclusive = shopWith({ taxesIncluded: true, taxRate: "0.20", taxShipping: true });
    const { order: o2 } = await inclusive.emulator.placeOrder(inclusive.shop.domain, { customerId: inclusive.customer.id, codes: [], subtotal: "120.00", shippingPrice: "12.00" }, { deliver: false });
    const full = JSON.parse((await inclusive.emulator.refundOrder(inclusive.shop.domain, o2.id, { amount: "120.00", shipping: "12.00" }, { deliver: false })).signed.body);
    expect(full.refund_shipping_lines).toEqual([expect.objectContaining({ subtotal_amount_set: money("12.00"), tax_amount_set: money("2.00") })]);
    expect(full.refund_line_items).toEqual([expect.objectContaining({ subtotal_set: money("120.00"), total_tax_set: money("20.00") })]);
    expect(full.transactions[0].amount).toBe("132.00");
  });
});

describe("Order.refunds and the current* totals read the order's refunds", () => {
  const AFTER = `query($id: ID!) { order(id: $id) {
    displayFinancialStatus
    subtotalPriceSet { shopMoney { amount } } totalPriceSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } }
    currentSubtotalPriceSet { shopMoney { amount } } currentShippingPriceSet { shopMoney { amount } }
    currentTotalTaxSet { shopMoney { amount } } currentTotalPriceSet { shopMoney { amount } } currentTotalDiscountsSet { shopMoney { amount } }
    currentTaxLines { rate priceSet { shopMoney { amount } } }
    totalRefundedSet { shopMoney { amount } } totalRefundedShippingSet { shopMoney { amount } } netPaymentSet { shopMoney { amount } }
    shippingLine { currentDiscountedPriceSet { shopMoney { amount } } }
    refunds { id legacyResourceId totalRefundedSet { shopMoney { amount } }
      refundLineItems(first: 5) { nodes { quantity subtotalSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } } } }
      refundShippingLines(first: 5) { nodes { subtotalAmountSet { shopMoney { amount } } taxAmountSet { shopMoney { amount } } } } }
  } }`;
  const amount = (value: string) => ({ shopMoney: { amount: value } });

  it("GIVEN an order of 100.00 + 10.00 shipping, 13 % on both, no refund THEN current* equal the totals and there are no refunds", async () => {
    const { emulator, shop, customer, gql } = shopWith({ taxesIncluded: false, taxRate: "0.13", taxShipping: true });
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "100.00", shippingPrice: "10.00" }, { deliver: false });
    const answer = await gql(AFTER, { id: order.id });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.order).toMatchObject({
      displayFinancialStatus: "PAID",
      currentSubtotalPriceSet: amount("100.0"),
      currentShippingPriceSet: amount("10.0"),
      currentTotalTaxSet: amount("14.3"),
      currentTotalPriceSet: amount("124.3"),
      totalRefundedSet: amount("0.0"),
      netPaymentSet: amount("124.3"),
      refunds: [],
    });
  });

  it("GIVEN 40.00 of the line and all shipping refunded, then the rest of the line THEN refunds list both with their taxes and the current* totals fall to zero; the original totals stay", async () => {
    const { emulator, shop, customer, gql } = shopWith({ taxesIncluded: false, taxRate: "0.13", taxShipping: true });
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: [], subtotal: "100.00", shippingPrice: "10.00" }, { deliver: false });
    const first = JSON.parse((await emulator.refundOrder(shop.domain, order.id, { amount: "40.00", shipping: "10.00" }, { deliver: false })).signed.body);
    let answer = await gql(AFTER, { id: order.id });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.order).toEqual({
      displayFinancialStatus: "PARTIALLY_REFUNDED",
      subtotalPriceSet: amount("100.0"),
      totalPriceSet: amount("124.3"),
      totalTaxSet: amount("14.3"),
      currentSubtotalPriceSet: amount("60.0"),
      currentShippingPriceSet: amount("0.0"),
      currentTotalTaxSet: amount("7.8"),
      currentTotalPriceSet: amount("67.8"),
      currentTotalDiscountsSet: amount("0.0"),
      currentTaxLines: [{ rate: 0.13, priceSet: amount("7.8") }],
      totalRefundedSet: amount("56.5"),
      totalRefundedShippingSet: amount("10.0"),
      netPaymentSet: amount("67.8"),
      shippingLine: { currentDiscountedPriceSet: amount("0.0") },
      refunds: [
        {
          id: first.admin_graphql_api_id,
          legacyResourceId: String(first.id),
          totalRefundedSet: amount("56.5"),
          refundLineItems: { nodes: [{ quantity: 1, subtotalSet: amount("40.0"), totalTaxSet: amount("5.2") }] },
          refundShippingLines: { nodes: [{ subtotalAmountSet: amount("10.0"), taxAmountSet: amount("1.3") }] },
        },
      ],
    });
    await emulator.refundOrder(shop.domain, order.id, { amount: "60.00", seq: 2 }, { deliver: false });
    answer = await gql(AFTER, { id: order.id });
    expect(answer.data.order).toMatchObject({
      displayFinancialStatus: "REFUNDED",
      currentSubtotalPriceSet: amount("0.0"),
      currentTotalTaxSet: amount("0.0"),
      currentTotalPriceSet: amount("0.0"),
      totalRefundedSet: amount("124.3"),
      netPaymentSet: amount("0.0"),
    });
    expect((answer.data.order as { refunds: unknown[] }).refunds).toHaveLength(2);
    // "Truncate the array result to this size" (Order.refunds' `first`).
    const truncated = await gql(`query($id: ID!) { order(id: $id) { refunds(first: 1) { id } } }`, { id: order.id });
    expect(truncated.data.order).toEqual({ refunds: [{ id: first.admin_graphql_api_id }] });
  });

  it("GIVEN a discounted line partly refunded THEN currentTotalDiscountsSet loses the refunded part's share of the discount (45.00 of 90.00 → 5.00 of 10.00)", async () => {
    const { emulator, shop, customer, gql } = shopWith({});
    emulator.store.createCodeDiscount(shop.domain, {
      kind: "basic",
      title: "Ten",
      codes: ["TEN"],
      startsAt: new Date("2020-01-01T00:00:00Z"),
      customerGets: { value: { kind: "amount", amount: 1000, appliesOnEachItem: false }, items: { kind: "all" }, appliesOnOneTimePurchase: true, appliesOnSubscription: false },
    });
    const { order } = await emulator.placeOrder(shop.domain, { customerId: customer.id, codes: ["TEN"], subtotal: "100.00", shippingPrice: "0" }, { deliver: false });
    const query = `query($id: ID!) { order(id: $id) { subtotalPriceSet { shopMoney { amount } } currentTotalDiscountsSet { shopMoney { amount } } } }`;
    expect((await gql(query, { id: order.id })).data.order).toEqual({ subtotalPriceSet: amount("90.0"), currentTotalDiscountsSet: amount("10.0") });
    await emulator.refundOrder(shop.domain, order.id, { amount: "45.00" }, { deliver: false });
    const partly = await gql(query, { id: order.id });
    expect(partly.errors).toBeUndefined();
    expect(partly.data.order).toEqual({ subtotalPriceSet: amount("90.0"), currentTotalDiscountsSet: amount("5.0") });
    await emulator.refundOrder(shop.domain, order.id, { amount: "45.00", seq: 2 }, { deliver: false });
    expect((await gql(query, { id: order.id })).data.order).toEqual({ subtotalPriceSet: amount("90.0"), currentTotalDiscountsSet: amount("0.0") });
  });
});
