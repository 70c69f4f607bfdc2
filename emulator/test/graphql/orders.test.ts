// Checkout simulation: placeOrder enforces the rules Shopify's checkout applies to a code and
// records orders in the shape the orders/create webhook needs.
import { describe, expect, it } from "vitest";
import { OrderRejectedError, type OrderRejectionReason, type PlaceOrderInput } from "../../src/store";
import { createBasic, gql, setup, SHOP } from "./helpers";

function rejection(run: () => unknown): OrderRejectionReason | "accepted" {
  try {
    run();
    return "accepted";
  } catch (error) {
    if (error instanceof OrderRejectedError) return error.reason;
    throw error;
  }
}

describe("placeOrder", () => {
  it("records an order with Shopify-like ids, name and applied codes", async () => {
    const { handler, store } = setup();
    const customer = store.addCustomer(SHOP, { firstName: "Ann", email: "ann@example.com" });
    await createBasic(handler, { code: "TenOff" });
    const order = store.placeOrder(SHOP, { customerId: customer.id, codes: ["tenoff"], subtotal: "80.00", sourceName: "web", test: true });
    expect(order).toMatchObject({
      id: "gid://shopify/Order/820982911946154509",
      legacyId: "820982911946154509",
      name: "#1001",
      orderNumber: 1001,
      customerId: customer.id,
      email: "ann@example.com",
      // Paid with the Bogus Gateway, so a test order, as Shopify marks it (issue 17, point 7).
      test: true,
      sourceName: "web",
      paymentGatewayNames: ["bogus"],
    });
    expect(order.discountCodes).toEqual([
      { code: "TenOff", amount: "8.00", type: "percentage", discountId: expect.stringMatching(/DiscountCodeNode/) as string },
    ]);
    expect(store.placeOrder(SHOP, { customerId: null, codes: [] }).name).toBe("#1002");
    expect(store.getCustomer(SHOP, customer.id)?.numberOfOrders).toBe(1);
  });

  it("GIVEN a checkout that is not a test (a real gateway) THEN test: false and the Shopify Payments gateway", () => {
    const { store } = setup();
    const order = store.placeOrder(SHOP, { customerId: null, codes: [], test: false });
    expect(order).toMatchObject({ test: false, paymentGatewayNames: ["shopify_payments"] });
  });

  it("GIVEN a storefront checkout that does not say test THEN a real order (test: false, Shopify Payments), as a storefront order is", () => {
    const { store } = setup();
    expect(store.placeOrder(SHOP, { customerId: null, codes: [] })).toMatchObject({ test: false, paymentGatewayNames: ["shopify_payments"] });
  });

  it("GIVEN test: true (the Bogus Gateway) THEN a test order paid with bogus", () => {
    const { store } = setup();
    expect(store.placeOrder(SHOP, { customerId: null, codes: [], test: true })).toMatchObject({ test: true, paymentGatewayNames: ["bogus"] });
  });

  it("types fixed-amount and free-shipping codes", async () => {
    const { handler, store } = setup();
    await createBasic(handler, { code: "FIVE", customerGets: { value: { discountAmount: { amount: "5" } }, items: { all: true } } });
    store.createCodeDiscount(SHOP, { kind: "free_shipping", title: "Ship", codes: ["SHIP"], startsAt: new Date("2026-01-01T00:00:00Z") });
    const order = store.placeOrder(SHOP, { customerId: null, codes: ["FIVE", "SHIP"], shippingPrice: "7.50" });
    expect(order.discountCodes.map(({ code, amount, type }) => ({ code, amount, type }))).toEqual([
      { code: "FIVE", amount: "5.00", type: "fixed_amount" },
      { code: "SHIP", amount: "7.50", type: "shipping" },
    ]);
  });

  it("refuses codes that do not exist, without changing anything", async () => {
    const { handler, store } = setup();
    await createBasic(handler, { code: "REAL", usageLimit: null, appliesOncePerCustomer: false });
    expect(rejection(() => store.placeOrder(SHOP, { customerId: null, codes: ["REAL", "FAKE"] }))).toBe("code_not_found");
    expect(store.listOrders(SHOP)).toHaveLength(0);
    expect(store.findDiscountByCode(SHOP, "REAL")?.redeemCode.asyncUsageCount).toBe(0);
  });

  it("enforces context.customers: only the listed customer may use the code", async () => {
    const { handler, store } = setup();
    const owner = store.addCustomer(SHOP, { firstName: "Owner", email: "owner@example.com" });
    const other = store.addCustomer(SHOP, { firstName: "Other", email: "other@example.com" });
    await createBasic(handler, { code: "MINE", context: { customers: { add: [owner.id] } }, usageLimit: null, appliesOncePerCustomer: false });
    expect(rejection(() => store.placeOrder(SHOP, { customerId: other.id, codes: ["MINE"] }))).toBe("customer_not_eligible");
    expect(rejection(() => store.placeOrder(SHOP, { customerId: null, codes: ["MINE"] }))).toBe("customer_not_eligible");
    expect(rejection(() => store.placeOrder(SHOP, { customerId: owner.id, codes: ["mine"] }))).toBe("accepted");
  });

  it("enforces usageLimit", async () => {
    const { handler, store } = setup();
    await createBasic(handler, { code: "TWICE", usageLimit: 2, appliesOncePerCustomer: false });
    const order: PlaceOrderInput = { customerId: null, codes: ["TWICE"] };
    expect(rejection(() => store.placeOrder(SHOP, order))).toBe("accepted");
    expect(rejection(() => store.placeOrder(SHOP, order))).toBe("accepted");
    expect(rejection(() => store.placeOrder(SHOP, order))).toBe("usage_limit_reached");
    const { body } = await gql(handler, `{ codeDiscountNodeByCode(code: "TWICE") { codeDiscount { ... on DiscountCodeBasic { asyncUsageCount status } } } }`);
    // Shopify keeps a used-up code ACTIVE; only checkout refuses it.
    expect(body.data?.codeDiscountNodeByCode.codeDiscount).toEqual({ asyncUsageCount: 2, status: "ACTIVE" });
  });

  it("enforces appliesOncePerCustomer per customer (and per guest email)", async () => {
    const { handler, store } = setup();
    const ann = store.addCustomer(SHOP, { email: "ann@example.com" });
    const bob = store.addCustomer(SHOP, { email: "bob@example.com" });
    await createBasic(handler, { code: "ONCE", usageLimit: null, appliesOncePerCustomer: true });
    expect(rejection(() => store.placeOrder(SHOP, { customerId: ann.id, codes: ["ONCE"] }))).toBe("accepted");
    expect(rejection(() => store.placeOrder(SHOP, { customerId: ann.id, codes: ["ONCE"] }))).toBe("already_used_by_customer");
    expect(rejection(() => store.placeOrder(SHOP, { customerId: bob.id, codes: ["ONCE"] }))).toBe("accepted");
    expect(rejection(() => store.placeOrder(SHOP, { customerId: null, email: "guest@example.com", codes: ["ONCE"] }))).toBe("accepted");
    expect(rejection(() => store.placeOrder(SHOP, { customerId: null, email: "GUEST@example.com", codes: ["ONCE"] }))).toBe(
      "already_used_by_customer",
    );
  });

  it("refuses scheduled and expired codes", async () => {
    const { handler, store, clock } = setup();
    await createBasic(handler, { code: "LATER", startsAt: "2026-12-01T00:00:00Z", endsAt: "2026-12-02T00:00:00Z", usageLimit: null });
    expect(rejection(() => store.placeOrder(SHOP, { customerId: null, codes: ["LATER"] }))).toBe("discount_scheduled");
    clock.set("2026-12-01T10:00:00Z");
    expect(rejection(() => store.placeOrder(SHOP, { customerId: null, codes: ["LATER"] }))).toBe("accepted");
    clock.set("2026-12-03T00:00:00Z");
    expect(rejection(() => store.placeOrder(SHOP, { customerId: null, codes: ["LATER"] }))).toBe("discount_expired");
  });

  it("enforces a minimum subtotal", async () => {
    const { handler, store } = setup();
    await createBasic(handler, { code: "MIN50", usageLimit: null, minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "50" } } });
    expect(rejection(() => store.placeOrder(SHOP, { customerId: null, codes: ["MIN50"], subtotal: "49.99" }))).toBe("minimum_not_met");
    expect(rejection(() => store.placeOrder(SHOP, { customerId: null, codes: ["MIN50"], subtotal: "50" }))).toBe("accepted");
  });

  it("pays with a gift card and debits its balance", () => {
    const { store } = setup({ giftCards: true });
    const { giftCard, code } = store.createGiftCard(SHOP, { initialValue: 2500 });
    const order = store.placeOrder(SHOP, { customerId: null, codes: [], subtotal: "20.00", shippingPrice: "0", giftCardPayment: { code: code.toUpperCase() } });
    expect(order.paymentGatewayNames).toEqual(["gift_card"]);
    expect(order.giftCardPayments).toEqual([{ giftCardId: giftCard.id, amount: 2000 }]);
    expect(store.getGiftCard(SHOP, giftCard.id)?.balance).toBe(500);
    store.deactivateGiftCard(SHOP, giftCard.id);
    expect(rejection(() => store.placeOrder(SHOP, { customerId: null, codes: [], giftCardPayment: { code } }))).toBe("gift_card_disabled");
  });

  it("emits events other parts of the emulator can turn into webhooks", async () => {
    const { handler, store } = setup();
    const events: string[] = [];
    store.subscribe((event) => events.push(event.type));
    await createBasic(handler, { code: "EVT" });
    store.placeOrder(SHOP, { customerId: null, codes: ["EVT"] });
    expect(events).toEqual(["discount.created", "discount.updated", "order.created"]);
  });
});
