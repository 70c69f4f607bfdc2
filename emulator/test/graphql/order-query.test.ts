// QueryRoot.order(id:): "retrieves an order by its ID" (https://shopify.dev/docs/api/admin-graphql/latest/queries/order),
// answering the Order fields the emulator keeps state for, null for an id it does not know, and only
// "the last 60 days worth of orders" without read_all_orders (2026-10 schema description).
import { describe, expect, it } from "vitest";
import { buildOrderPayload } from "../../src/order-payload";
import { createBasic, gql, setup, SHOP } from "./helpers";

const ORDER = /* GraphQL */ `
  query Order($id: ID!) {
    order(id: $id) {
      id
      legacyResourceId
      name
      number
      test
      sourceName
      email
      createdAt
      currencyCode
      presentmentCurrencyCode
      discountCodes
      taxesIncluded
      subtotalPriceSet { shopMoney { amount currencyCode } }
      totalDiscountsSet { shopMoney { amount } }
      totalShippingPriceSet { shopMoney { amount } }
      totalTaxSet { shopMoney { amount } }
      totalPriceSet { shopMoney { amount } presentmentMoney { amount } }
      originalTotalPriceSet { shopMoney { amount } }
      totalReceivedSet { shopMoney { amount } }
      totalOutstandingSet { shopMoney { amount } }
      fullyPaid
      unpaid
      displayFinancialStatus
      paymentGatewayNames
      subtotalLineItemsQuantity
      confirmationNumber
      statusPageUrl
      cancelledAt
      customer { id }
    }
  }`;

describe("order(id:)", () => {
  it("GIVEN an order placed at checkout WHEN the app reads it by id THEN the fields the emulator keeps, agreeing with orders/create", async () => {
    const { handler, store } = setup({ taxesIncluded: false, taxRate: "0.10" });
    const customer = store.addCustomer(SHOP, { firstName: "Ord", email: "ord@example.com" });
    await createBasic(handler, { code: "TENOFF" });
    const order = store.placeOrder(SHOP, { customerId: customer.id, codes: ["TENOFF"], subtotal: "80.00", shippingPrice: "5.00", quantity: 3 });
    const webhook = buildOrderPayload({ id: order.legacyId, shop: SHOP, orderNumber: order.orderNumber, customer: null, subtotal: "80.00" });
    const { status, body } = await gql(handler, ORDER, { id: order.id });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.order).toEqual({
      id: order.id,
      legacyResourceId: order.legacyId,
      name: "#1001",
      number: 1001,
      test: false,
      sourceName: "web",
      email: "ord@example.com",
      createdAt: "2026-11-01T12:00:00Z",
      currencyCode: "EUR",
      presentmentCurrencyCode: "EUR",
      discountCodes: ["TENOFF"],
      taxesIncluded: false,
      // "The sum of the prices for all line items after discounts" (Order.subtotalPriceSet): 80.00 − 8.00,
      // as orders/create's subtotal_price (it said 80.0, the price before the code).
      subtotalPriceSet: { shopMoney: { amount: "72.0", currencyCode: "EUR" } },
      totalDiscountsSet: { shopMoney: { amount: "8.0" } },
      totalShippingPriceSet: { shopMoney: { amount: "5.0" } },
      totalTaxSet: { shopMoney: { amount: "7.2" } },
      totalPriceSet: { shopMoney: { amount: "84.2" }, presentmentMoney: { amount: "84.2" } },
      originalTotalPriceSet: { shopMoney: { amount: "84.2" } },
      totalReceivedSet: { shopMoney: { amount: "84.2" } },
      totalOutstandingSet: { shopMoney: { amount: "0.0" } },
      fullyPaid: true,
      unpaid: false,
      displayFinancialStatus: "PAID",
      paymentGatewayNames: ["shopify_payments"],
      subtotalLineItemsQuantity: 3,
      confirmationNumber: webhook.confirmation_number,
      statusPageUrl: webhook.order_status_url,
      cancelledAt: null,
      customer: { id: customer.id },
    });
  });

  it("GIVEN an id Shopify has no order for THEN null without an error, the cost charged per Shopify's rules", async () => {
    const { handler } = setup();
    const query = `query($id: ID!) { order(id: $id) { id name totalPriceSet { shopMoney { amount } } customer { id } } }`;
    const { body } = await gql(handler, query, { id: "gid://shopify/Order/1" });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ order: null });
    // order 1 + totalPriceSet 1 + shopMoney 1 + customer 1 (https://shopify.dev/docs/api/usage/limits#cost-calculation).
    expect(body.extensions?.cost).toMatchObject({ requestedQueryCost: 4 });
    const other = await gql(handler, query, { id: "gid://shopify/Customer/1" });
    expect(other.body.data).toEqual({ order: null });
  });

  it("GIVEN an order older than 60 days THEN null without read_all_orders, the order with it", async () => {
    const { handler, store, clock } = setup({ scopes: ["read_orders"] });
    const order = store.placeOrder(SHOP, { customerId: null, codes: [] });
    clock.advance(60 * 86_400_000);
    expect((await gql(handler, ORDER, { id: order.id })).body.data?.order?.id).toBe(order.id);
    clock.advance(1000);
    expect((await gql(handler, ORDER, { id: order.id })).body.data).toEqual({ order: null });
    expect((await gql(handler, `query($id: ID!) { node(id: $id) { id } }`, { id: order.id })).body.data).toEqual({ node: null });
    store.updateShop(SHOP, { scopes: ["read_orders", "read_all_orders"] });
    expect((await gql(handler, ORDER, { id: order.id })).body.data?.order?.id).toBe(order.id);
  });

  it("GIVEN an app without read_orders THEN ACCESS_DENIED", async () => {
    const { handler, store } = setup({ scopes: ["read_customers"] });
    const order = store.placeOrder(SHOP, { customerId: null, codes: [] });
    const { body } = await gql(handler, `query($id: ID!) { order(id: $id) { id } }`, { id: order.id });
    expect(body.data).toEqual({ order: null });
    expect(body.errors?.[0]?.extensions?.code).toBe("ACCESS_DENIED");
  });
});
