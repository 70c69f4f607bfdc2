// Store credit: crediting creates the account per currency, Shopify's userError codes, debits only
// while the balance covers them (soonest-expiring credit first), transactions filtered by type, and
// the scope gates on the mutations and the nested reads (2026-10 schema access notes).
import { describe, expect, it } from "vitest";
import { gql, setup, SHOP } from "./helpers";

const CREDIT = `mutation C($id: ID!, $creditInput: StoreCreditAccountCreditInput!) {
  storeCreditAccountCredit(id: $id, creditInput: $creditInput) {
    storeCreditAccountTransaction { id amount { amount currencyCode } balanceAfterTransaction { amount } event expiresAt account { id balance { amount } } }
    userErrors { field code message }
  }
}`;
const DEBIT = `mutation D($id: ID!, $debitInput: StoreCreditAccountDebitInput!) {
  storeCreditAccountDebit(id: $id, debitInput: $debitInput) {
    storeCreditAccountTransaction { id amount { amount } }
    userErrors { field code message }
  }
}`;
const ACCOUNTS = `query A($id: ID!) {
  customer(id: $id) {
    storeCreditAccounts(first: 5) {
      nodes { id balance { amount currencyCode } transactions(first: 10, query: "type:credit") { nodes { __typename ... on StoreCreditAccountCreditTransaction { amount { amount } remainingAmount { amount } } } } }
    }
  }
}`;

const money = (amount: string, currencyCode = "EUR") => ({ amount, currencyCode });

describe("storeCreditAccountCredit", () => {
  it("credits a customer, creating their account in that currency on the first credit", async () => {
    const { handler, store } = setup();
    const customer = store.addCustomer(SHOP, { email: "ann@example.com" });

    const first = (await gql(handler, CREDIT, { id: customer.id, creditInput: { creditAmount: money("10.00") } })).body.data?.storeCreditAccountCredit;
    const second = (await gql(handler, CREDIT, { id: customer.id, creditInput: { creditAmount: money("2.50") } })).body.data?.storeCreditAccountCredit;

    expect(first.userErrors).toEqual([]);
    expect(first.storeCreditAccountTransaction).toMatchObject({ amount: money("10.0"), balanceAfterTransaction: { amount: "10.0" }, event: "ADJUSTMENT", expiresAt: null });
    expect(second.storeCreditAccountTransaction.account).toEqual({ id: first.storeCreditAccountTransaction.account.id, balance: { amount: "12.5" } });
    expect(store.listStoreCreditAccounts(SHOP, customer.id)).toHaveLength(1);
  });

  it.each([
    [{ creditAmount: money("0") }, "NEGATIVE_OR_ZERO_AMOUNT"],
    [{ creditAmount: money("5.00", "USD") }, "UNSUPPORTED_CURRENCY"],
    [{ creditAmount: money("5.00"), expiresAt: "2000-01-01T00:00:00Z" }, "EXPIRES_AT_IN_PAST"],
  ])("%j → %s, nothing credited", async (creditInput, code) => {
    const { handler, store } = setup();
    const customer = store.addCustomer(SHOP);
    const payload = (await gql(handler, CREDIT, { id: customer.id, creditInput })).body.data?.storeCreditAccountCredit;
    expect(payload.storeCreditAccountTransaction).toBeNull();
    expect(payload.userErrors.map((e: { code: string }) => e.code)).toEqual([code]);
    expect(store.listStoreCreditAccounts(SHOP, customer.id)).toEqual([]);
  });

  // "less than $15,000 USD on a single customer account" (help.shopify.com/en/manual/customers/store-credit);
  // CREDIT_LIMIT_EXCEEDED: "The operation would cause the account's credit limit to be exceeded" (2026-10 schema).
  it("refuses a credit that would bring the account to the store credit limit (15,000 by default) → CREDIT_LIMIT_EXCEEDED, balance unchanged", async () => {
    const { handler, store } = setup();
    const customer = store.addCustomer(SHOP);
    const credit = async (amount: string, id: string = customer.id) =>
      (await gql(handler, CREDIT, { id, creditInput: { creditAmount: money(amount) } })).body.data?.storeCreditAccountCredit;

    expect((await credit("15000.00")).userErrors).toEqual([
      { field: ["creditInput", "creditAmount", "amount"], code: "CREDIT_LIMIT_EXCEEDED", message: "The operation would cause the account's credit limit to be exceeded." },
    ]);
    expect(store.listStoreCreditAccounts(SHOP, customer.id)).toEqual([]);

    const first = await credit("14999.00");
    expect(first.userErrors).toEqual([]);
    const accountId = first.storeCreditAccountTransaction.account.id;
    // By customer id and by account id alike.
    expect((await credit("1.00")).userErrors.map((e: { code: string }) => e.code)).toEqual(["CREDIT_LIMIT_EXCEEDED"]);
    expect((await credit("1.00", accountId)).userErrors.map((e: { code: string }) => e.code)).toEqual(["CREDIT_LIMIT_EXCEEDED"]);
    expect((await credit("0.99", accountId)).userErrors).toEqual([]);
    expect(store.listStoreCreditAccounts(SHOP, customer.id)[0].balance).toBe(1_499_999);
  });

  it("takes the shop's seeded store credit limit", async () => {
    const { handler, store } = setup({ storeCreditLimit: "100.00" });
    const customer = store.addCustomer(SHOP);
    const payload = (await gql(handler, CREDIT, { id: customer.id, creditInput: { creditAmount: money("100.00") } })).body.data?.storeCreditAccountCredit;
    expect(payload.userErrors.map((e: { code: string }) => e.code)).toEqual(["CREDIT_LIMIT_EXCEEDED"]);
  });

  it("an unknown customer → OWNER_NOT_FOUND", async () => {
    const { handler } = setup();
    const payload = (await gql(handler, CREDIT, { id: "gid://shopify/Customer/999", creditInput: { creditAmount: money("5.00") } })).body.data?.storeCreditAccountCredit;
    expect(payload.userErrors).toEqual([{ field: ["id"], code: "OWNER_NOT_FOUND", message: "Owner does not exist." }]);
  });

  it("without write_store_credit_account_transactions → ACCESS_DENIED", async () => {
    const { handler, store } = setup({ scopes: ["read_customers", "write_discounts"] });
    const customer = store.addCustomer(SHOP);
    const { body } = await gql(handler, CREDIT, { id: customer.id, creditInput: { creditAmount: money("5.00") } });
    expect(body.errors?.[0].extensions?.code).toBe("ACCESS_DENIED");
    expect(store.listStoreCreditAccounts(SHOP, customer.id)).toEqual([]);
  });
});

describe("storeCreditAccountDebit and reading accounts", () => {
  it("debits while the balance covers it, spending the soonest-expiring credit first; INSUFFICIENT_FUNDS otherwise", async () => {
    const { handler, store } = setup();
    const customer = store.addCustomer(SHOP);
    await gql(handler, CREDIT, { id: customer.id, creditInput: { creditAmount: money("10.00") } });
    await gql(handler, CREDIT, { id: customer.id, creditInput: { creditAmount: money("5.00"), expiresAt: "2099-01-01T00:00:00Z" } });
    const account = store.listStoreCreditAccounts(SHOP, customer.id)[0];

    const ok = (await gql(handler, DEBIT, { id: account.id, debitInput: { debitAmount: money("6.00") } })).body.data?.storeCreditAccountDebit;
    const tooMuch = (await gql(handler, DEBIT, { id: account.id, debitInput: { debitAmount: money("9.01") } })).body.data?.storeCreditAccountDebit;

    expect(ok).toMatchObject({ userErrors: [], storeCreditAccountTransaction: { amount: { amount: "-6.0" } } });
    expect(tooMuch.userErrors.map((e: { code: string }) => e.code)).toEqual(["INSUFFICIENT_FUNDS"]);
    const read = (await gql(handler, ACCOUNTS, { id: customer.id })).body.data?.customer.storeCreditAccounts.nodes;
    expect(read).toHaveLength(1);
    expect(read[0].balance).toEqual(money("9.0"));
    // The expiring $5 credit was spent first, then $1 of the other one; debits are not "type:credit".
    expect(read[0].transactions.nodes.map((t: { remainingAmount: { amount: string } }) => t.remainingAmount.amount)).toEqual(["9.0", "0.0"]);
  });

  it("reading accounts without read_store_credit_accounts → ACCESS_DENIED", async () => {
    const { handler, store } = setup({ scopes: ["read_customers"] });
    const customer = store.addCustomer(SHOP);
    const { body } = await gql(handler, ACCOUNTS, { id: customer.id });
    expect(body.errors?.[0].extensions?.code).toBe("ACCESS_DENIED");
  });
});
