import { GraphQLEnumType } from "graphql";
import { describe, expect, it } from "vitest";
import { loadAdminSchema } from "@loyalty/shopify-emulator/schema";
import { shopCurrencyCode, shopCurrencyCodes } from "./currency";

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

