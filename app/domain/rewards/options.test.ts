import { describe, expect, it } from "vitest";
import { checkPointsChoice, parseAppliesTo, parseRedemptionOption, variableValue, type OptionFormInput } from "./options";
import { checkTemplateSettings } from "./settings";

const SHOP = { giftCards: true };
const base: OptionFormInput = { name: "$5 off", kind: "FIXED_AMOUNT", pointsCost: "500", value: "5", appliesTo: "ALL", variable: "false", active: "true" };

function errorsOf(input: OptionFormInput, shop = SHOP) {
  const r = parseRedemptionOption(input, shop);
  return r.ok ? {} : r.errors;
}

describe("parseRedemptionOption", () => {
  it("GIVEN leading zeros on a cost and an amount THEN they are read as the number they are", () => {
    expect(parseRedemptionOption({ ...base, pointsCost: "0000000000500", value: "00000005.00" }, SHOP)).toMatchObject({ ok: true, draft: { pointsCost: 500 } });
  });

  it("GIVEN a valid fixed option THEN a draft with typed values", () => {
    const r = parseRedemptionOption({ ...base, minimumSubtotal: "20", expiryDays: "30" }, SHOP);
    expect(r).toEqual({
      ok: true,
      draft: {
        name: "$5 off",
        kind: "FIXED_AMOUNT",
        pointsCost: 500,
        value: "5",
        minimumSubtotal: "20",
        expiryDays: 30,
        productId: null,
        variantId: null,
        appliesTo: "ALL",
        appliesToIds: [],
        variable: null,
        active: true,
      },
    });
  });

  it.each<[string, OptionFormInput, Record<string, string>]>([
    ["name missing", { name: " " }, { name: "required" }],
    ["name too long", { name: "x".repeat(101) }, { name: "too_long" }],
    ["unknown kind", { kind: "BITCOIN" }, { kind: "unknown_kind" }],
    ["cost 0", { pointsCost: "0" }, { pointsCost: "positive_whole_number" }],
    ["cost negative", { pointsCost: "-5" }, { pointsCost: "positive_whole_number" }],
    ["cost fractional", { pointsCost: "1.5" }, { pointsCost: "positive_whole_number" }],
    ["cost huge", { pointsCost: "999999999" }, { pointsCost: "too_large" }],
    ["cost with more digits than a number holds (was 'positive_whole_number')", { pointsCost: "2147483648" }, { pointsCost: "too_large" }],
    ["amount with 8 digits (was 'amount_format')", { value: "12345678.5" }, { value: "too_large" }],
    ["minimum with 8 digits (was 'amount_format')", { minimumSubtotal: "10000000" }, { minimumSubtotal: "too_large" }],
    ["amount 0", { value: "0" }, { value: "positive_amount" }],
    ["amount text", { value: "five" }, { value: "amount_format" }],
    ["amount three decimals", { value: "1.005" }, { value: "amount_format" }],
    ["percentage 0", { kind: "PERCENTAGE", value: "0" }, { value: "percentage_range" }],
    ["percentage 101", { kind: "PERCENTAGE", value: "101" }, { value: "percentage_range" }],
    ["expiry 0 days", { expiryDays: "0" }, { expiryDays: "positive_whole_number" }],
    ["expiry over 10 years", { expiryDays: "3651" }, { expiryDays: "too_large" }],
    ["minimum not a number", { minimumSubtotal: "abc" }, { minimumSubtotal: "amount_format" }],
    ["free product without product", { kind: "FREE_PRODUCT", value: "" }, { productId: "product_required" }],
    ["free product with a bad id", { kind: "FREE_PRODUCT", productId: "123" }, { productId: "product_id_format" }],
    ["free product with a bad variant", { kind: "FREE_PRODUCT", productId: "gid://shopify/Product/1", variantId: "v1" }, { variantId: "variant_id_format" }],
    ["gift card without the feature", { kind: "GIFT_CARD" }, { kind: "gift_cards_unavailable" }],
    ["restriction on free shipping", { kind: "FREE_SHIPPING", appliesTo: "PRODUCTS", appliesToIds: "gid://shopify/Product/1" }, { appliesTo: "restriction_not_for_kind" }],
    ["restriction without ids", { appliesTo: "COLLECTIONS", appliesToIds: " " }, { appliesToIds: "restriction_ids_required" }],
    ["restriction with product ids as collections", { appliesTo: "COLLECTIONS", appliesToIds: "gid://shopify/Product/1" }, { appliesToIds: "restriction_id_format" }],
    ["restriction with 21 ids", { appliesTo: "PRODUCTS", appliesToIds: Array.from({ length: 21 }, (_, i) => `gid://shopify/Product/${i + 1}`).join(",") }, { appliesToIds: "restriction_too_many" }],
    ["unknown restriction", { appliesTo: "TAGS" }, { appliesTo: "required" }],
    ["variable percentage", { kind: "PERCENTAGE", value: "10", variable: "true", pointsMin: "1", pointsMax: "2", pointsStep: "1" }, { kind: "variable_not_for_kind" }],
    ["variable without range", { variable: "true" }, { pointsMin: "required", pointsMax: "required", pointsStep: "required" }],
    ["variable min above max", { variable: "true", pointsMin: "600", pointsMax: "500", pointsStep: "100" }, { pointsMax: "min_above_max" }],
    ["variable step not dividing", { variable: "true", pointsMin: "100", pointsMax: "550", pointsStep: "100" }, { pointsStep: "step_not_dividing_range" }],
    ["variable min worth under a cent", { pointsCost: "1000", value: "1", variable: "true", pointsMin: "1", pointsMax: "1001", pointsStep: "100" }, { pointsMin: "value_too_small_for_min" }],
  ])("GIVEN %s THEN that field's error", (_label, change, expected) => {
    expect(errorsOf({ ...base, ...change }, { giftCards: false })).toEqual(expected);
  });

  it("GIVEN several mistakes THEN every field's error at once", () => {
    expect(errorsOf({ name: "", kind: "PERCENTAGE", pointsCost: "0", value: "150", appliesTo: "ALL" })).toEqual({
      name: "required",
      pointsCost: "positive_whole_number",
      value: "percentage_range",
    });
  });

  it("GIVEN kinds without a value THEN value is '0' whatever was typed; restriction ids are de-duplicated", () => {
    const r = parseRedemptionOption({ ...base, kind: "FREE_SHIPPING", value: "99" }, SHOP);
    expect(r.ok && r.draft.value).toBe("0");
    const restricted = parseRedemptionOption({ ...base, appliesTo: "PRODUCTS", appliesToIds: "gid://shopify/Product/1, gid://shopify/Product/1\ngid://shopify/Product/2" }, SHOP);
    expect(restricted.ok && restricted.draft.appliesToIds).toEqual(["gid://shopify/Product/1", "gid://shopify/Product/2"]);
  });

  it("GIVEN a valid variable option THEN its range; a gift card may be variable too; 'active' false disables", () => {
    const r = parseRedemptionOption({ ...base, pointsCost: "100", value: "1", variable: "true", pointsMin: "100", pointsMax: "5000", pointsStep: "100", active: "false" }, SHOP);
    expect(r.ok && { variable: r.draft.variable, active: r.draft.active }).toEqual({ variable: { min: 100, max: 5000, step: 100 }, active: false });
    expect(parseRedemptionOption({ ...base, kind: "GIFT_CARD", variable: "true", pointsMin: "500", pointsMax: "1500", pointsStep: "500" }, SHOP).ok).toBe(true);
  });
});

describe("parseRedemptionOption: the gift card issue limit", () => {
  // Shopify refuses issued gift cards above $2,000 USD or equivalent (giftCardConfiguration.issueLimit,
  // https://shopify.dev/changelog/update-new-maximum-value-for-gift-cards).
  const limited = { giftCards: true, giftCardIssueLimitCents: 200_000 };
  const card: OptionFormInput = { ...base, kind: "GIFT_CARD", pointsCost: "100", value: "10" };

  it("GIVEN a fixed gift card above the limit THEN the value field says so; at the limit it is fine", () => {
    expect(errorsOf({ ...card, value: "2000.01" }, limited)).toEqual({ value: "gift_card_over_limit" });
    expect(errorsOf({ ...card, value: "2000" }, limited)).toEqual({});
  });

  it("GIVEN a variable gift card whose most points buy more than the limit THEN pointsMax says so", () => {
    const variable = { ...card, variable: "true", pointsMin: "100", pointsStep: "100" };
    expect(errorsOf({ ...variable, pointsMax: "20100" }, limited)).toEqual({ pointsMax: "gift_card_over_limit" });
    expect(errorsOf({ ...variable, pointsMax: "20000" }, limited)).toEqual({});
  });

  it("GIVEN other kinds, or no known limit THEN no gift card limit applies", () => {
    expect(errorsOf({ ...base, value: "5000" }, limited)).toEqual({});
    expect(errorsOf({ ...card, value: "5000" }, { giftCards: true })).toEqual({});
  });
});

describe("parseRedemptionOption: Shopify's store credit limit", () => {
  // "You can only issue store credit amounting to less than $15,000 USD on a single customer account"
  // (https://help.shopify.com/en/manual/customers/store-credit): a credit of 15,000 is refused
  // (CREDIT_LIMIT_EXCEEDED) even on an empty account.
  const credit: OptionFormInput = { ...base, kind: "STORE_CREDIT", pointsCost: "100", value: "10" };

  it("GIVEN a fixed store credit of 15,000 or more THEN the value field says so; just below it is fine", () => {
    expect(errorsOf({ ...credit, value: "15000" })).toEqual({ value: "store_credit_over_limit" });
    expect(errorsOf({ ...credit, value: "999999" })).toEqual({ value: "store_credit_over_limit" });
    expect(errorsOf({ ...credit, value: "14999.99" })).toEqual({});
  });

  it("GIVEN a variable store credit whose most points buy 15,000 or more THEN pointsMax says so", () => {
    const variable = { ...credit, variable: "true", pointsMin: "100", pointsStep: "100" };
    expect(errorsOf({ ...variable, pointsMax: "150000" })).toEqual({ pointsMax: "store_credit_over_limit" });
    expect(errorsOf({ ...variable, pointsMax: "149900" })).toEqual({});
    expect(errorsOf({ ...variable, value: "100", pointsCost: "1", pointsMax: "9999900" })).toEqual({ pointsMax: "too_large" });
  });

  it("GIVEN other amount kinds THEN 15,000 is fine (only MAX_REWARD_AMOUNT applies)", () => {
    expect(errorsOf({ ...base, value: "15000" })).toEqual({});
    expect(errorsOf({ ...base, kind: "GIFT_CARD", value: "15000" })).toEqual({});
  });
});

describe("checkPointsChoice", () => {
  const range = { min: 100, max: 5000, step: 100 };
  it.each<[unknown, string]>([
    [100, "ok"],
    [700, "ok"],
    [5000, "ok"],
    [0, "below_minimum"],
    [50, "below_minimum"],
    [5100, "above_maximum"],
    [250, "off_step"],
    [150.5, "not_a_whole_number"],
    ["700", "not_a_whole_number"],
    [undefined, "not_a_whole_number"],
    [Number.MAX_SAFE_INTEGER + 2, "not_a_whole_number"],
  ])("GIVEN %s points THEN %s", (points, expected) => {
    const r = checkPointsChoice(range, points);
    expect(r.ok ? "ok" : r.error).toBe(expected);
  });

  it("GIVEN a range that starts off the step grid THEN steps count from the minimum", () => {
    expect(checkPointsChoice({ min: 150, max: 450, step: 100 }, 350).ok).toBe(true);
    expect(checkPointsChoice({ min: 150, max: 450, step: 100 }, 300).ok).toBe(false);
  });
});

describe("variableValue", () => {
  it.each([
    [{ pointsCost: 100, value: "1" }, 700, "7.00"],
    [{ pointsCost: 100, value: "1.5" }, 300, "4.50"],
    [{ pointsCost: 3, value: "1" }, 10, "3.33"], // rounded down: never more than the rate promises
    [{ pointsCost: 1000, value: "0.01" }, 999, "0.00"],
  ])("GIVEN %o and %i points THEN %s", (option, points, expected) => {
    expect(variableValue(option, points)).toBe(expected);
  });
});

describe("restriction in the settings snapshot", () => {
  const template = {
    name: "x",
    value: "5",
    minimumSubtotal: null,
    expiryDays: null,
    combinesWithOrder: false,
    combinesWithProduct: false,
    combinesWithShipping: true,
    codePrefix: "",
  };
  it("GIVEN an amount-off template limited to collections THEN the settings carry them; a free shipping one never does", () => {
    const limited = checkTemplateSettings("FIXED_AMOUNT", { ...template, kind: "FIXED_AMOUNT", appliesTo: "COLLECTIONS", appliesToIds: '["gid://shopify/Collection/7"]' });
    expect(limited.ok && limited.settings.appliesTo).toEqual({ kind: "COLLECTIONS", ids: ["gid://shopify/Collection/7"] });
    const shipping = checkTemplateSettings("FREE_SHIPPING", { ...template, kind: "FREE_SHIPPING", appliesTo: "PRODUCTS", appliesToIds: '["gid://shopify/Product/7"]' });
    expect(shipping.ok && shipping.settings.appliesTo).toEqual({ kind: "ALL", ids: [] });
  });

  it("GIVEN stored restriction text that can't be read THEN the template is refused, never widened to the whole order", () => {
    expect(parseAppliesTo("PRODUCTS", "not json")).toBeNull();
    expect(parseAppliesTo("PRODUCTS", '["gid://shopify/Collection/1"]')).toBeNull();
    expect(parseAppliesTo("SOMETHING", "[]")).toBeNull();
    expect(parseAppliesTo("ALL", "garbage")).toEqual({ appliesTo: "ALL", ids: [] });
    const broken = checkTemplateSettings("PERCENTAGE", { ...template, kind: "PERCENTAGE", appliesTo: "PRODUCTS", appliesToIds: "oops" });
    expect(broken.ok).toBe(false);
  });
});

describe("a product, variant or collection id, read by one rule (fifth session)", () => {
  // The Ways to redeem form, the stored restriction's reader and the template check had three
  // patterns of their own (\d{1,20}, \d+): the form refused a 21-digit product id the template check
  // took, and all three took ids no Shopify resource can have (0, beyond 64 bits). Now the app's one
  // reader of Shopify ids (shopifyGidOf, app/domain/shopify-ids.ts), for all three.
  const template = { name: "x", value: "0", minimumSubtotal: null, expiryDays: null, combinesWithOrder: false, combinesWithProduct: false, combinesWithShipping: true, codePrefix: "" };
  const verdicts = (id: string) => ({
    form: errorsOf({ ...base, kind: "FREE_PRODUCT", value: "", productId: id }).productId ?? "ok",
    variantForm: errorsOf({ ...base, kind: "FREE_PRODUCT", value: "", productId: "gid://shopify/Product/1", variantId: id.replace("Product", "ProductVariant") }).variantId ?? "ok",
    restrictionForm: errorsOf({ ...base, appliesTo: "PRODUCTS", appliesToIds: id }).appliesToIds ?? "ok",
    stored: parseAppliesTo("PRODUCTS", JSON.stringify([id])) === null ? "refused" : "ok",
    template: checkTemplateSettings("FREE_PRODUCT", { ...template, kind: "FREE_PRODUCT", productId: id, variantId: null }).ok ? "ok" : "refused",
  });

  it.each([
    ["21 digits", "gid://shopify/Product/123456789012345678901"],
    ["beyond 64 bits", "gid://shopify/Product/9223372036854775808"],
    ["zero", "gid://shopify/Product/0"],
    ["a leading zero", "gid://shopify/Product/07"],
  ])("GIVEN a product id of %s THEN every reader refuses it", (_what, id) => {
    expect(verdicts(id)).toEqual({ form: "product_id_format", variantForm: "variant_id_format", restrictionForm: "restriction_id_format", stored: "refused", template: "refused" });
  });

  it("GIVEN the largest id Shopify can have THEN every reader takes it", () => {
    expect(verdicts("gid://shopify/Product/9223372036854775807")).toEqual({ form: "ok", variantForm: "ok", restrictionForm: "ok", stored: "ok", template: "ok" });
  });
});
