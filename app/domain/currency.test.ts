import { GraphQLEnumType } from "graphql";
import { describe, expect, it } from "vitest";
import { loadAdminSchema } from "@loyalty/shopify-emulator/schema";
import { amountCurrencyTitle, amountsNeedReview, shopCurrencyCode, shopCurrencyCodes, shopUpdateReadAt } from "./currency";

describe("shopCurrencyCode: a currency a shop sells in, the one rule for Shop.currency", () => {
  it("holds exactly Shopify's CurrencyCode values of three letters, XXX (\"Unrecognized currency\") left out (2026-10 schema)", () => {
    const type = loadAdminSchema("2026-10").schema.getType("CurrencyCode");
    expect(type).toBeInstanceOf(GraphQLEnumType);
    const codes = (type as GraphQLEnumType).getValues().map((v) => v.name);
    expect(codes).toContain("XXX");
    expect(codes).toContain("USDC");
    expect(shopCurrencyCodes().sort()).toEqual(codes.filter((c) => /^[A-Z]{3}$/.test(c) && c !== "XXX").sort());
  });
  it("takes a code as Shopify spells it, and nothing else", () => {
    for (const code of ["USD", "EUR", "JPY", "VED", "KID"]) expect(shopCurrencyCode(code)).toBe(code);
    for (const value of ["XXX", "USDC", "ZZZ", "usd", " EUR", "EUR ", "", null, undefined, 840, ["EUR"], { code: "EUR" }]) expect(shopCurrencyCode(value)).toBeNull();
  });
});


describe("shopUpdateReadAt: when a shop/update body's currency was true", () => {
  const second = "2026-12-03T10:00:00-05:00"; // 15:00:00 UTC, as Shopify's REST times are written
  const at = (iso: string) => new Date(iso);
  it("orders two changes inside one signed second by X-Shopify-Triggered-At", () => {
    expect(shopUpdateReadAt(second, at("2026-12-03T15:00:00.200Z"))).toEqual(at("2026-12-03T15:00:00.200Z"));
    expect(shopUpdateReadAt(second, at("2026-12-03T15:00:00.700Z"))).toEqual(at("2026-12-03T15:00:00.700Z"));
    expect(shopUpdateReadAt(second, at("2026-12-03T15:00:00.000Z"))).toEqual(at("2026-12-03T15:00:00.000Z"));
    expect(shopUpdateReadAt(second, at("2026-12-03T15:00:00.999Z"))).toEqual(at("2026-12-03T15:00:00.999Z"));
  });
  it("keeps the second's end when the header is absent or outside the signed second (it is not signed)", () => {
    const end = at("2026-12-03T15:00:00.999Z");
    expect(shopUpdateReadAt(second, null)).toEqual(end);
    expect(shopUpdateReadAt(second, at("2026-12-03T15:00:01.000Z"))).toEqual(end);
    expect(shopUpdateReadAt(second, at("2026-12-03T14:59:59.999Z"))).toEqual(end);
    expect(shopUpdateReadAt(second, at("2027-01-01T00:00:00Z"))).toEqual(end);
  });
  it("takes a time with fractions as written, and is null for what is no time", () => {
    expect(shopUpdateReadAt("2026-12-03T15:00:00.250Z", at("2026-12-03T15:00:00.700Z"))).toEqual(at("2026-12-03T15:00:00.250Z"));
    for (const value of [undefined, null, "", "yesterday", 1764774000, "2026-02-30T10:00:00Z"]) expect(shopUpdateReadAt(value, null)).toBeNull();
  });
});

describe("amountsNeedReview: amounts saved in another currency than the shop sells in now", () => {
  it("needs review exactly when the saved currency is known and differs", () => {
    expect(amountsNeedReview("USD", "EUR")).toBe(true);
    expect(amountsNeedReview("EUR", "EUR")).toBe(false);
    expect(amountsNeedReview(null, "EUR")).toBe(false); // not known: read as the shop's currency
    expect(amountsNeedReview("eur", "EUR")).toBe(true); // as Shopify spells it, nothing else
  });
  it("names what needs review in the banner's title", () => {
    expect(amountCurrencyTitle(["USD"], "EUR")).toBe("Amounts saved in USD; the shop now sells in EUR");
    expect(amountCurrencyTitle(["GBP", "USD"], "EUR")).toBe("Amounts saved in GBP and USD; the shop now sells in EUR");
  });
});
