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
