// The store credit adapter recognises an earlier attempt's credit by its amount, and takes a credit
// back only while the balance covers it: both read Shopify's MoneyV2 amounts, and an amount it
// cannot read is a failed call (retried), never "not ours" (a second credit) or "enough" (a debit
// on a guess).
import { describe, expect, it } from "vitest";
import type { AdminGraphql } from "../graphql.server";
import { storeCreditAdapter } from "./store-credit.server";

const CUSTOMER = "gid://shopify/Customer/7";
const CREATED = new Date("2026-11-30T10:00:00Z");

/** A fake Admin API: answers each operation with `answers[operationName]`, records what was sent. */
function fakeAdmin(answers: Record<string, unknown>): { graphql: AdminGraphql; sent: string[] } {
  const sent: string[] = [];
  const graphql: AdminGraphql = async (query) => {
    const name = /(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? "";
    sent.push(name);
    return new Response(JSON.stringify({ data: answers[name] ?? null }), { headers: { "Content-Type": "application/json" } });
  };
  return { graphql, sent };
}

function credits(amount: string) {
  return {
    customer: {
      id: CUSTOMER,
      storeCreditAccounts: {
        nodes: [
          {
            id: "gid://shopify/StoreCreditAccount/1",
            balance: { amount: "25.0", currencyCode: "USD" },
            transactions: {
              nodes: [{ __typename: "StoreCreditAccountCreditTransaction", id: "gid://shopify/StoreCreditAccountCreditTransaction/9", createdAt: "2026-11-30T10:00:05Z", expiresAt: null, event: "ADJUSTMENT", amount: { amount, currencyCode: "USD" } }],
            },
          },
        ],
      },
    },
  };
}

const ref = {
  rewardId: "r1",
  kind: "STORE_CREDIT" as const,
  code: "LOYALTY-R1",
  tag: "loyalty-r1",
  customerGid: CUSTOMER,
  settings: { value: "10.00" },
  currency: "USD",
  notBefore: CREATED,
} as Parameters<typeof storeCreditAdapter.lookup>[1];

describe("store credit: Shopify's amounts are read before anything is decided", () => {
  it.each([
    ["10.0", "found"],
    ["10.00000", "found"],
    ["9.99", "not ours"],
  ])("GIVEN an earlier credit of %s THEN the lookup says %s", async (amount, expected) => {
    const { graphql } = fakeAdmin({ LoyaltyCustomerStoreCredits: credits(amount) });
    const r = await storeCreditAdapter.lookup({ graphql }, ref);
    expect(r.ok).toBe(true);
    expect(r.ok && r.data ? "found" : "not ours").toBe(expected);
  });

  it.each(["abc", "1e3", "", "10,00"])("GIVEN a credit whose amount reads %j THEN the lookup fails (retried later) instead of answering 'none of ours'", async (amount) => {
    const { graphql } = fakeAdmin({ LoyaltyCustomerStoreCredits: credits(amount) });
    const r = await storeCreditAdapter.lookup({ graphql }, ref);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.kind).toBe("graphql");
  });

  it.each([null, "yesterday", "2026-11-30", 1796236953])(
    "GIVEN an earlier credit of our amount whose createdAt reads %j THEN the lookup fails (retried later) instead of answering 'none of ours'",
    async (createdAt) => {
      // Its time was read with Date (a missing one as 1970, "yesterday" as no time): the credit was
      // left out as older than the reward, the lookup answered "none of ours", and the customer was
      // credited a second time. Shopify's DateTime is read by the app's one reader (parseShopifyTime).
      const answer = credits("10.0");
      answer.customer.storeCreditAccounts.nodes[0].transactions.nodes[0].createdAt = createdAt as string;
      const { graphql } = fakeAdmin({ LoyaltyCustomerStoreCredits: answer });
      const r = await storeCreditAdapter.lookup({ graphql }, ref);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error.kind).toBe("graphql");
    },
  );

  it.each([
    ["an unreadable balance", { amount: "NaN", currencyCode: "USD" }, { amount: "10.0", currencyCode: "USD" }],
    ["an unreadable credit", { amount: "25.0", currencyCode: "USD" }, { amount: "ten", currencyCode: "USD" }],
  ])("GIVEN %s THEN taking the credit back fails without sending a debit", async (_label, balance, amount) => {
    const { graphql, sent } = fakeAdmin({
      LoyaltyStoreCreditTransaction: { node: { __typename: "StoreCreditAccountCreditTransaction", id: "gid://shopify/StoreCreditAccountCreditTransaction/9", amount, account: { id: "gid://shopify/StoreCreditAccount/1", balance } } },
    });
    const r = await storeCreditAdapter.remove({ graphql }, { ...ref, id: "gid://shopify/StoreCreditAccountCreditTransaction/9" }, "delete");
    expect(r.ok).toBe(false);
    expect(sent).toEqual(["LoyaltyStoreCreditTransaction"]);
  });

  it("GIVEN a readable balance that still covers the credit THEN the debit is sent", async () => {
    const { graphql, sent } = fakeAdmin({
      LoyaltyStoreCreditTransaction: { node: { __typename: "StoreCreditAccountCreditTransaction", id: "gid://shopify/StoreCreditAccountCreditTransaction/9", amount: { amount: "10.0", currencyCode: "USD" }, account: { id: "gid://shopify/StoreCreditAccount/1", balance: { amount: "25.0", currencyCode: "USD" } } } },
      LoyaltyStoreCreditAccountDebit: { storeCreditAccountDebit: { storeCreditAccountTransaction: { id: "gid://shopify/StoreCreditAccountDebitTransaction/10" }, userErrors: [] } },
    });
    const r = await storeCreditAdapter.remove({ graphql }, { ...ref, id: "gid://shopify/StoreCreditAccountCreditTransaction/9" }, "delete");
    expect(r).toMatchObject({ ok: true, data: { outcome: "removed" } });
    expect(sent).toEqual(["LoyaltyStoreCreditTransaction", "LoyaltyStoreCreditAccountDebit"]);
  });
});
