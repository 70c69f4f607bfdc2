import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { orderAmountsProblem, orderEarningAmount, parseJsonKeepingBigIds, parseMilli, parseShopifyAmount, pointsForAmount, pointsToTakeBack, readRefund, refundBasis, refundedEarningAmount, refundFacts } from "./earning";

const money = (shop: string, presentment = shop, currency = "USD", presentmentCurrency = currency) => ({
  shop_money: { amount: shop, currency_code: currency },
  presentment_money: { amount: presentment, currency_code: presentmentCurrency },
});
const rules = { includeShipping: false, includeTaxes: false };

describe("orderEarningAmount", () => {
  it("uses the shop-currency subtotal after discounts of a multi-currency order", () => {
    const order = { subtotal_price_set: money("80.00", "73.50", "USD", "EUR"), total_tax_set: money("0.00"), shipping_lines: [] };
    expect(orderEarningAmount(order, rules)).toBe(80_000n);
  });

  it("adds discounted shipping and taxes only when they count; takes included tax out unless it counts", () => {
    const order = { subtotal_price_set: money("100.00"), total_tax_set: money("13.00"), taxes_included: false, shipping_lines: [{ discounted_price_set: money("7.50") }] };
    expect(orderEarningAmount(order, { includeShipping: true, includeTaxes: true })).toBe(120_500n);
    expect(orderEarningAmount({ ...order, taxes_included: true }, rules)).toBe(87_000n);
  });

  it("takes out or adds only the merchandise's tax for the subtotal, and shipping's own tax (shipping_lines[].tax_lines) only with shipping", () => {
    // Tax-inclusive (EU-style) order: lines 121.00 with 21.00 tax inside, shipping 12.10 with 2.10 tax
    // inside; total_tax 23.10 holds both. Amount spent / points without taxes and shipping: 100.00
    // (it was 97.90: the shipping's tax was taken out of the lines).
    const shippingLine = { discounted_price_set: money("12.10"), tax_lines: [{ price_set: money("2.10"), rate: 0.21 }] };
    const inclusive = { subtotal_price_set: money("121.00"), total_tax_set: money("23.10"), taxes_included: true, shipping_lines: [shippingLine] };
    expect(orderEarningAmount(inclusive, rules)).toBe(100_000n);
    expect(orderEarningAmount(inclusive, { includeShipping: true, includeTaxes: false })).toBe(110_000n);
    expect(orderEarningAmount(inclusive, { includeShipping: false, includeTaxes: true })).toBe(121_000n);
    expect(orderEarningAmount(inclusive, { includeShipping: true, includeTaxes: true })).toBe(133_100n);
    // Tax-exclusive: lines 100.00, shipping 10.00, tax 21.00 + 2.10. Taxes counting without shipping
    // add the lines' 21.00 only (it added 23.10).
    const exclusive = { ...inclusive, subtotal_price_set: money("100.00"), taxes_included: false, shipping_lines: [{ ...shippingLine, discounted_price_set: money("10.00") }] };
    expect(orderEarningAmount(exclusive, rules)).toBe(100_000n);
    expect(orderEarningAmount(exclusive, { includeShipping: false, includeTaxes: true })).toBe(121_000n);
    expect(orderEarningAmount(exclusive, { includeShipping: true, includeTaxes: false })).toBe(110_000n);
    expect(orderEarningAmount(exclusive, { includeShipping: true, includeTaxes: true })).toBe(133_100n);
    // A negative shipping tax is no order Shopify sends; one above the order's tax counts as all of it.
    expect(orderEarningAmount({ ...inclusive, shipping_lines: [{ ...shippingLine, tax_lines: [{ price_set: money("-2.10") }] }] }, rules)).toBeNull();
    expect(orderEarningAmount({ ...inclusive, total_tax_set: money("1.00") }, rules)).toBe(121_000n);
  });

  it("reads Shopify's own orders/create sample", () => {
    const sample = JSON.parse(readFileSync(path.join(process.cwd(), "emulator/test/fixtures/orders-create.sample.json"), "utf8"));
    expect(orderEarningAmount(sample, rules)).toBe(parseMilli(sample.subtotal_price_set.shop_money.amount));
  });

  it("is null without a readable shop-currency subtotal (never a guess)", () => {
    expect(orderEarningAmount({ subtotal_price: "10.00" }, rules)).toBeNull();
    expect(orderEarningAmount(null, rules)).toBeNull();
    expect(orderEarningAmount({ subtotal_price_set: money("abc") }, rules)).toBeNull();
  });

  it("reads a tax or shipping money set by the refunds' rule: present without a decimal amount, the order is unreadable (never read as 0), and the field is named", () => {
    // A tax-inclusive order of 120.00 with its 20.00 tax written "20,00": read as no tax, it earned
    // on 120.00 (tax and all); a refund with the same tax set is a dead letter (refundUnreadable, naming the field).
    const order = { subtotal_price_set: money("120.00"), total_tax_set: money("20,00"), taxes_included: true, shipping_lines: [] };
    expect(orderEarningAmount(order, rules)).toBeNull();
    expect(orderAmountsProblem(order)).toBe("has a total_tax_set without a decimal shop-currency amount");
    const shipping = { subtotal_price_set: money("100.00"), total_tax_set: money("0.00"), shipping_lines: [{ discounted_price_set: { shop_money: {} } }] };
    expect(orderEarningAmount(shipping, { includeShipping: true, includeTaxes: false })).toBeNull();
    expect(orderAmountsProblem(shipping)).toBe("has a shipping_lines[0].discounted_price_set without a decimal shop-currency amount");
    const shippingTax = { ...order, total_tax_set: money("20.00"), shipping_lines: [{ discounted_price_set: money("5.00"), tax_lines: [{ price_set: money("1e2") }] }] };
    expect(orderEarningAmount(shippingTax, rules)).toBeNull();
    expect(orderAmountsProblem(shippingTax)).toBe("has a shipping_lines[0].tax_lines[0].price_set without a decimal shop-currency amount");
    expect(orderAmountsProblem({ ...order, subtotal_price_set: money("-1.00") })).toBe("has a negative subtotal_price_set");
    // Absent sets are no amount (an order with no tax or shipping), as for a refund; a readable order has no problem.
    expect(orderAmountsProblem({ subtotal_price_set: money("10.00") })).toBeNull();
    expect(orderEarningAmount({ subtotal_price_set: money("10.00") }, rules)).toBe(10_000n);
    expect(orderAmountsProblem({ ...order, total_tax_set: money("20.00") })).toBeNull();
  });
});

describe("parseShopifyAmount: Shopify's decimal amounts, zeros past the third decimal dropped (3 December 2026)", () => {
  it.each<[unknown, bigint | null]>([
    ["40.00", 40_000n],
    ["40.0000", 40_000n],
    [" 40.0000 ", 40_000n],
    ["40.1230000", 40_123n],
    ["0.000000", 0n],
    ["-5.5000", -5_500n],
    [40.5, 40_500n],
    // No exact thousandths, or no decimal at all: unreadable, as before.
    ["40.1234", null],
    ["40.12340", null],
    ["4e1", null],
    ["NaN", null],
    ["+40.00", null],
    ["40.", null],
    ["20,00", null],
    [`40.${"0".repeat(100)}`, null],
    [null, null],
  ])("%j → %s", (value, expected) => {
    expect(parseShopifyAmount(value)).toBe(expected);
  });

  it("an order and a refund whose amounts carry zeros past the third decimal are read exactly", () => {
    const set = (amount: string) => ({ shop_money: { amount, currency_code: "USD" } });
    const order = { admin_graphql_api_id: "gid://shopify/Order/1", subtotal_price_set: set("40.0000"), total_tax_set: set("0.000000") };
    expect(orderAmountsProblem(order)).toBeNull();
    expect(orderEarningAmount(order, { includeShipping: false, includeTaxes: false })).toBe(40_000n);
    const refund = readRefund({ id: 7, order_id: 1, refund_line_items: [{ subtotal_set: set("10.0000"), total_tax: "0.0000" }] });
    expect(refund).toMatchObject({ problem: null, facts: { lines: 10_000n, taxes: 0n } });
  });
});

describe("pointsForAmount", () => {
  it("applies the rate and the rounding", () => {
    expect(pointsForAmount(10_990n, { pointsPerCurrencyUnit: "1", rounding: "DOWN" })).toBe(10);
    expect(pointsForAmount(10_990n, { pointsPerCurrencyUnit: "1", rounding: "NEAREST" })).toBe(11);
    expect(pointsForAmount(10_010n, { pointsPerCurrencyUnit: "1", rounding: "UP" })).toBe(11);
    expect(pointsForAmount(10_000n, { pointsPerCurrencyUnit: "0.5", rounding: "DOWN" })).toBe(5);
    expect(pointsForAmount(0n, { pointsPerCurrencyUnit: "10", rounding: "UP" })).toBe(0);
  });
});

describe("refunds", () => {
  it("keeps an order id beyond 2^53 exact", () => {
    const raw = '{"id":999,"order_id":820982911946154508,"refund_line_items":[{"subtotal_set":{"shop_money":{"amount":"40.00"}},"total_tax_set":{"shop_money":{"amount":"2.00"}}}],"order_adjustments":[{"kind":"shipping_refund","amount_set":{"shop_money":{"amount":"-5.00"}}}]}';
    const facts = refundFacts(parseJsonKeepingBigIds(raw))!;
    expect(facts.orderGid).toBe("gid://shopify/Order/820982911946154508");
    expect(refundedEarningAmount(facts, { ...rules, taxesIncluded: false })).toBe(40_000n);
    expect(refundedEarningAmount(facts, { includeShipping: true, includeTaxes: true, taxesIncluded: false })).toBe(47_000n);
    // Prices with the tax inside: the lines' own tax comes out (38.00), and goes back in when taxes count.
    expect(refundedEarningAmount(facts, { ...rules, taxesIncluded: true })).toBe(38_000n);
    expect(refundedEarningAmount(facts, { includeShipping: true, includeTaxes: true, taxesIncluded: true })).toBe(45_000n);
  });

  it("reads refunded shipping from refund_shipping_lines (API 2024-10+), else from shipping_refund adjustments; never both", () => {
    const lines = { refund_shipping_lines: [{ subtotal_amount_set: { shop_money: { amount: "7.50" } } }, { subtotal_amount_set: { shop_money: { amount: "2.50" } } }] };
    const old = { order_adjustments: [{ kind: "shipping_refund", amount_set: { shop_money: { amount: "-10.00" } } }] };
    const base = { id: 5, order_id: 6 };
    expect(refundFacts({ ...base, ...lines })!.shipping).toBe(10_000n);
    expect(refundFacts({ ...base, ...old })!.shipping).toBe(10_000n);
    expect(refundFacts({ ...base, ...lines, ...old })!.shipping).toBe(10_000n);
    expect(refundFacts(base)!.shipping).toBe(0n);
  });
  it("reads refunded shipping's own tax (refund_shipping_lines[].tax_amount_set): a full refund takes back exactly what the order earned", () => {
    // The orders of 'takes out or adds only the merchandise's tax': lines 100.00 (21.00 tax), shipping
    // 10.00 (2.10 tax) — on top in a tax-exclusive shop, inside (121.00, 12.10) in a tax-inclusive one.
    // Their full refunds: each line's subtotal_set and total_tax_set, the shipping's subtotal_amount_set
    // and tax_amount_set, priced as the order's lines are.
    const shippingLine = { discounted_price_set: money("12.10"), tax_lines: [{ price_set: money("2.10"), rate: 0.21 }] };
    const inclusive = { subtotal_price_set: money("121.00"), total_tax_set: money("23.10"), taxes_included: true, shipping_lines: [shippingLine] };
    const exclusive = { ...inclusive, subtotal_price_set: money("100.00"), taxes_included: false, shipping_lines: [{ ...shippingLine, discounted_price_set: money("10.00") }] };
    const refundOf = (lines: string, shipping: string) =>
      refundFacts({ id: 5, order_id: 6, refund_line_items: [{ subtotal_set: money(lines), total_tax_set: money("21.00") }], refund_shipping_lines: [{ subtotal_amount_set: money(shipping), tax_amount_set: money("2.10") }] })!;
    for (const includeTaxes of [false, true]) {
      for (const includeShipping of [false, true]) {
        const terms = { includeShipping, includeTaxes };
        // Before: 131.00 of 133.10 (exclusive, both counting); 112.10 of 110.00 (inclusive, shipping only).
        expect(refundedEarningAmount(refundOf("100.00", "10.00"), { ...terms, taxesIncluded: false }), JSON.stringify(terms)).toBe(orderEarningAmount(exclusive, terms));
        expect(refundedEarningAmount(refundOf("121.00", "12.10"), { ...terms, taxesIncluded: true }), JSON.stringify(terms)).toBe(orderEarningAmount(inclusive, terms));
      }
    }
    expect(refundOf("121.00", "12.10").shippingTax).toBe(2_100n);
    // Present but no decimal, or negative: unreadable, as every other refunded amount. Absent: no tax.
    expect(refundFacts({ id: 5, order_id: 6, refund_shipping_lines: [{ subtotal_amount_set: money("10.00"), tax_amount_set: money("2,10") }] })).toBeNull();
    expect(refundFacts({ id: 5, order_id: 6, refund_shipping_lines: [{ subtotal_amount_set: money("10.00"), tax_amount_set: money("-2.10") }] })).toBeNull();
    expect(refundFacts({ id: 5, order_id: 6, refund_shipping_lines: [{ subtotal_amount_set: money("10.00") }] })!.shippingTax).toBe(0n);
    // A shipping tax above the refunded shipping in a tax-inclusive order takes nothing below zero.
    const odd = refundFacts({ id: 5, order_id: 6, refund_shipping_lines: [{ subtotal_amount_set: money("1.00"), tax_amount_set: money("2.10") }] })!;
    expect(refundedEarningAmount(odd, { includeShipping: true, includeTaxes: false, taxesIncluded: true })).toBe(0n);
  });

  it("a refund with a negative amount is no refund Shopify sends: unreadable, never a line cancelling another out", () => {
    const money = (amount: string) => ({ shop_money: { amount, currency_code: "USD" } });
    const base = { id: 5, order_id: 6 };
    const lines = (...amounts: string[]) => amounts.map((a) => ({ subtotal_set: money(a), total_tax_set: money("0.00") }));
    expect(refundFacts({ ...base, refund_line_items: lines("50.00", "25.00") })!.lines).toBe(75_000n);
    expect(refundFacts({ ...base, refund_line_items: lines("50.00", "-50.00") })).toBeNull();
    expect(refundFacts({ ...base, refund_line_items: [{ subtotal_set: money("50.00"), total_tax_set: money("-5.00") }] })).toBeNull();
    expect(refundFacts({ ...base, refund_shipping_lines: [{ subtotal_amount_set: money("-7.50") }] })).toBeNull();
    expect(refundFacts({ ...base, order_adjustments: [{ kind: "shipping_refund", amount_set: money("10.00") }] })).toBeNull();
  });

  it("takes back a proportional share, never more than is left", () => {
    expect(pointsToTakeBack({ earned: 100, earnedOn: 100_000n, refunded: 40_000n, alreadyTakenBack: 0 })).toBe(40);
    expect(pointsToTakeBack({ earned: 100, earnedOn: 100_000n, refunded: 100_000n, alreadyTakenBack: 40 })).toBe(60);
    expect(pointsToTakeBack({ earned: 10, earnedOn: 10_990n, refunded: 10_990n, alreadyTakenBack: 0 })).toBe(10);
    expect(pointsToTakeBack({ earned: 100, earnedOn: 100_000n, refunded: 0n, alreadyTakenBack: 0 })).toBe(0);
    // Rounded on the running total of the order's refunds: thirds of 10 points are 3, 4, 3.
    expect([0n, 3_330n, 6_660n].map((before, i) => pointsToTakeBack({ earned: 10, earnedOn: 10_000n, refunded: i === 2 ? 3_340n : 3_330n, refundedBefore: before, alreadyTakenBack: [0, 3, 7][i]! }))).toEqual([3, 4, 3]);
  });
});

describe("refundBasis: a refund of an order earned before its taxes_included was kept", () => {
  it("reads the refund in the order's line prices; shipping only when it counts", () => {
    const refund = { refundId: "gid://shopify/Refund/1", orderGid: "gid://shopify/Order/1", lines: 60_000n, taxes: 10_000n, shipping: 10_000n, shippingTax: 0n };
    expect(refundBasis(refund, { includeShipping: false })).toBe(60_000n);
    expect(refundBasis(refund, { includeShipping: true })).toBe(70_000n);
  });
});

describe("refundFacts: each refunded line's amount and tax", () => {
  const m = (amount: unknown) => ({ shop_money: { amount, currency_code: "USD" } });
  const base = { id: 5, order_id: 6 };
  it("sums the lines' own taxes (subtotal_set / total_tax_set, else the plain subtotal / total_tax)", () => {
    const facts = refundFacts({ ...base, refund_line_items: [{ subtotal_set: m("120.00"), total_tax_set: m("20.00") }, { subtotal: "100.00", total_tax: 0 }] })!;
    expect([facts.lines, facts.taxes]).toEqual([220_000n, 20_000n]);
    expect(refundedEarningAmount(facts, { ...rules, taxesIncluded: true })).toBe(200_000n);
  });
  it("a line amount or tax that is there but no decimal (of at most 3 places) makes the refund unreadable", () => {
    for (const line of [{ subtotal_set: m("12,50") }, { subtotal_set: m("1"), total_tax_set: m("abc") }, { subtotal_set: m("1"), total_tax_set: m("0.0001") }, { subtotal: "x" }, { subtotal_set: m(null) }, { subtotal_set: m("1"), total_tax: {} }]) {
      expect(refundFacts({ ...base, refund_line_items: [line] })).toBeNull();
    }
    expect(refundFacts({ ...base, refund_line_items: [{ quantity: 1 }] })!.lines).toBe(0n);
    // Refunded shipping too, in either form.
    expect(refundFacts({ ...base, refund_shipping_lines: [{ subtotal_amount_set: m("7,50") }] })).toBeNull();
    expect(refundFacts({ ...base, order_adjustments: [{ kind: "shipping_refund", amount_set: m("-x") }] })).toBeNull();
    expect(refundFacts({ ...base, refund_shipping_lines: [{}] })!.shipping).toBe(0n);
  });
});

describe("readRefund: an unreadable refund names the field, as an unreadable order does (hooks audit)", () => {
  const m = (amount: unknown) => ({ shop_money: { amount, currency_code: "USD" } });
  const base = { id: 5, order_id: 6 };
  it.each([
    [{ ...base, refund_line_items: [{ subtotal_set: m("50.00") }, { subtotal_set: m("-50.00") }] }, "has a negative refund_line_items[1].subtotal_set"],
    [{ ...base, refund_line_items: [{ subtotal_set: m("1"), total_tax_set: m("abc") }] }, "has a refund_line_items[0].total_tax_set without a decimal shop-currency amount"],
    [{ ...base, refund_line_items: [{ subtotal: "x" }] }, "has a refund_line_items[0].subtotal without a decimal amount"],
    [{ ...base, refund_shipping_lines: [{ subtotal_amount_set: m("7.50") }, { subtotal_amount_set: m("7,50") }] }, "has a refund_shipping_lines[1].subtotal_amount_set without a decimal shop-currency amount"],
    [{ ...base, refund_shipping_lines: [{ subtotal_amount_set: m("7.50"), tax_amount_set: m("-1.00") }] }, "has a negative refund_shipping_lines[0].tax_amount_set"],
    [{ ...base, order_adjustments: [{ kind: "refund_discrepancy", amount_set: m("5.00") }, { kind: "shipping_refund", amount_set: m("10.00") }] }, "has a positive order_adjustments[1].amount_set"],
    [{ ...base, order_adjustments: [{ kind: "shipping_refund", amount_set: m("-x") }] }, "has an order_adjustments[0].amount_set without a decimal shop-currency amount"],
    [{ id: 5, refund_line_items: [] }, "has no order_id (a Shopify id)"],
    [{ order_id: 6 }, "has no refund id (admin_graphql_api_id gid://shopify/Refund/<id>, or id)"],
    [{ ...base, admin_graphql_api_id: "gid://shopify/Refund/7" }, "has an id and an admin_graphql_api_id naming two different refunds"],
  ])("%j → %s", (body, problem) => {
    expect(readRefund(body)).toEqual({ problem });
    expect(refundFacts(body)).toBeNull();
  });
  it("a readable refund has no problem; the first unreadable field is the one named; no value from the body is in it", () => {
    expect(readRefund({ ...base, refund_line_items: [{ subtotal_set: m("12.50") }] })).toMatchObject({ problem: null, facts: { lines: 12_500n } });
    const read = readRefund({ ...base, refund_line_items: [{ subtotal_set: m("Ada Lovelace") }, { subtotal_set: m("-3.00") }] });
    expect(read).toEqual({ problem: "has a refund_line_items[0].subtotal_set without a decimal shop-currency amount" });
    expect(JSON.stringify(read)).not.toMatch(/Ada|3\.00/);
  });
});
