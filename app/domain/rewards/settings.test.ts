// The snapshot a bulk job keeps (readSettingsSnapshot): what checkTemplateSettings made reads back
// the same for every kind, and anything else is an error, never a default.
import { describe, expect, it } from "vitest";
import { checkTemplateSettings, readSettingsSnapshot, type TemplateSettingsInput } from "./settings";
import type { RewardKind } from "./kinds";

const base: TemplateSettingsInput = {
  name: "Thank-you",
  kind: "FIXED_AMOUNT",
  value: "3.00",
  minimumSubtotal: "20",
  expiryDays: 30,
  combinesWithOrder: false,
  combinesWithProduct: true,
  combinesWithShipping: true,
  codePrefix: "THX",
};
const TEMPLATES: Array<[RewardKind, Partial<TemplateSettingsInput>]> = [
  ["FIXED_AMOUNT", { appliesTo: "PRODUCTS", appliesToIds: '["gid://shopify/Product/1","gid://shopify/Product/2"]' }],
  ["PERCENTAGE", { value: "15", appliesTo: "COLLECTIONS", appliesToIds: '["gid://shopify/Collection/9"]' }],
  ["FREE_SHIPPING", { value: "0" }],
  ["FREE_PRODUCT", { value: "0", productId: "gid://shopify/Product/7", variantId: "gid://shopify/ProductVariant/70" }],
  ["GIFT_CARD", { value: "25.00", minimumSubtotal: null, expiryDays: null }],
  ["STORE_CREDIT", { value: "10.00", minimumSubtotal: null }],
];

describe("readSettingsSnapshot", () => {
  it.each(TEMPLATES)("GIVEN a %s reward's settings saved as JSON THEN they read back the same", (kind, over) => {
    const made = checkTemplateSettings(kind, { ...base, kind, ...over });
    if (!made.ok) throw new Error(made.error);
    expect(readSettingsSnapshot(JSON.stringify(made.settings))).toEqual(made);
  });

  it("GIVEN text that is no JSON, no kind, a missing or mistyped field, or a value its kind refuses THEN an error", () => {
    const made = checkTemplateSettings("FIXED_AMOUNT", base);
    if (!made.ok) throw new Error(made.error);
    const good = made.settings as unknown as Record<string, unknown>;
    const bad = [
      "not json",
      "null",
      "[]",
      JSON.stringify({ ...good, kind: "DIAMONDS" }),
      JSON.stringify({ ...good, value: undefined }),
      JSON.stringify({ ...good, value: 3 }),
      JSON.stringify({ ...good, value: "-3" }),
      JSON.stringify({ ...good, expiryDays: "30" }),
      JSON.stringify({ ...good, combinesWith: { orderDiscounts: "yes", productDiscounts: true, shippingDiscounts: true } }),
      JSON.stringify({ ...good, appliesTo: { kind: "PRODUCTS", ids: ["not-a-gid"] } }),
      JSON.stringify({ ...good, codePrefix: null }),
    ];
    for (const text of bad) expect(readSettingsSnapshot(text), text).toMatchObject({ ok: false });
  });
});
