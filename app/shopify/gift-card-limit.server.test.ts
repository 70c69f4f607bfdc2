// The shop's gift card issue limit, as Shopify answers it: an answer without a readable amount is a
// failed call (the option is then not saved: "Shopify unavailable"), never a crash.
import { describe, expect, it } from "vitest";
import type { AdminGraphql } from "./graphql.server";
import { getGiftCardIssueLimit } from "./gift-cards.server";

const answering = (data: unknown): AdminGraphql => async () => new Response(JSON.stringify({ data }), { headers: { "Content-Type": "application/json" } });

describe("getGiftCardIssueLimit", () => {
  it("reads Shopify's MoneyV2, in whole cents rounded down", async () => {
    expect(await getGiftCardIssueLimit(answering({ giftCardConfiguration: { issueLimit: { amount: "2000.0", currencyCode: "USD" } } }))).toMatchObject({ ok: true, data: { amount: "2000.0", cents: 200_000, currencyCode: "USD" } });
    expect(await getGiftCardIssueLimit(answering({ giftCardConfiguration: { issueLimit: { amount: "1850.259", currencyCode: "USD" } } }))).toMatchObject({ ok: true, data: { cents: 185_025 } });
  });
  it("GIVEN an issue limit written with more decimals (\"2000.0000\", a MoneyV2 Decimal) THEN it reads it as 2000 (was: refused as not a decimal amount, so a gift card option could not be saved: \"Shopify unavailable\")", async () => {
    expect(await getGiftCardIssueLimit(answering({ giftCardConfiguration: { issueLimit: { amount: "2000.0000", currencyCode: "USD" } } }))).toMatchObject({ ok: true, data: { cents: 200_000, currencyCode: "USD" } });
  });
  it.each([
    ["no configuration", { giftCardConfiguration: null }],
    ["no issue limit", { giftCardConfiguration: { issueLimit: null } }],
    ["an amount that is not a decimal", { giftCardConfiguration: { issueLimit: { amount: "lots", currencyCode: "USD" } } }],
    ["a negative amount", { giftCardConfiguration: { issueLimit: { amount: "-1.00", currencyCode: "USD" } } }],
    ["no currency", { giftCardConfiguration: { issueLimit: { amount: "2000.0" } } }],
  ])("GIVEN %s THEN a failed call, not a crash", async (_label, data) => {
    expect(await getGiftCardIssueLimit(answering(data))).toMatchObject({ ok: false, error: { kind: "graphql" } });
  });
});
