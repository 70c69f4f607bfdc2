// Reward kind: Shopify's native store credit, credited to the customer's store credit account with
// `storeCreditAccountCredit` (scope `write_store_credit_account_transactions`; reading accounts and
// transactions needs `read_store_credit_accounts` / `read_store_credit_account_transactions`, per
// the 2026-10 schema's access notes). "When you provide a customer … ID, it automatically creates an
// account if one doesn't exist for the specified currency" (storeCreditAccountCredit, 2026-10 schema).
// Like a gift card it is a payment method: Issued when credited, never Used.
//
// Idempotency without a marker: a credit transaction has no note, tag or code, so an earlier
// attempt's credit is recognised by what it is — a credit (`type:credit`, event ADJUSTMENT) to this
// customer's account in our currency, of exactly our amount, created no earlier than the reward
// itself (less a few minutes of clock slack), and not already claimed by another of the customer's
// rewards (`claimedIds`). The oldest such credit is ours. docs/decisions/012 states the residual risk.
//
// Cancel takes the credit back with `storeCreditAccountDebit` while the balance still covers it;
// Shopify answers INSUFFICIENT_FUNDS otherwise ("The store credit account does not have sufficient
// funds", StoreCreditAccountDebitUserErrorCode), which we report as `refused: already_spent`.
import { parseMilli, parseShopifyAmount } from "~/domain/points";
import { parseShopifyTime } from "~/domain/shopify-time";
import { runAdmin, userErrorsFailure, type AdminResult } from "../graphql.server";
import type { FoundObject, KindAccess, KindCreateInput, KindRewardRef, RemoveOutcome, RewardKindAdapter } from "./types.server";
import { explainAccessDenied } from "./scope-denied.server";

export const STORE_CREDIT_ACCOUNT_CREDIT = `#graphql
  mutation LoyaltyStoreCreditAccountCredit($id: ID!, $creditInput: StoreCreditAccountCreditInput!) {
    storeCreditAccountCredit(id: $id, creditInput: $creditInput) {
      storeCreditAccountTransaction { id createdAt expiresAt amount { amount currencyCode } account { id } }
      userErrors { field code message }
    }
  }
`;

export const STORE_CREDIT_ACCOUNT_DEBIT = `#graphql
  mutation LoyaltyStoreCreditAccountDebit($id: ID!, $debitInput: StoreCreditAccountDebitInput!) {
    storeCreditAccountDebit(id: $id, debitInput: $debitInput) {
      storeCreditAccountTransaction { id amount { amount currencyCode } }
      userErrors { field code message }
    }
  }
`;

// Accounts are per currency (a customer rarely has more than one) and the newest 50 credits reach
// far past any unresolved attempt; together they stay well under the 1 000-point single-query cost
// limit (https://shopify.dev/docs/api/usage/rate-limits).
export const CUSTOMER_STORE_CREDITS = `#graphql
  query LoyaltyCustomerStoreCredits($id: ID!) {
    customer(id: $id) {
      id
      storeCreditAccounts(first: 5) {
        nodes {
          id
          balance { amount currencyCode }
          transactions(first: 50, query: "type:credit", reverse: true) {
            nodes {
              __typename
              ... on StoreCreditAccountCreditTransaction { id createdAt expiresAt event amount { amount currencyCode } }
            }
          }
        }
      }
    }
  }
`;

export const STORE_CREDIT_TRANSACTION = `#graphql
  query LoyaltyStoreCreditTransaction($id: ID!) {
    node(id: $id) {
      __typename
      ... on StoreCreditAccountCreditTransaction { id amount { amount currencyCode } account { id balance { amount currencyCode } } }
    }
  }
`;

type UserErrors = { field?: string[] | null; code?: string | null; message: string }[];
interface Money {
  amount: string;
  currencyCode: string;
}
interface CreditNode {
  __typename: string;
  id?: string;
  createdAt?: string;
  expiresAt?: string | null;
  event?: string;
  amount?: Money;
}

/** Shopify's clocks and ours differ a little; a credit this much "older" than the reward can still be ours. */
const CLOCK_SLACK_MS = 5 * 60_000;

/**
 * A MoneyV2 amount ("Decimal money amount", 2026-10 schema) read with the app's decimal parser; null
 * when Shopify's answer is not one. The adapter never acts on an amount it could not read: an
 * unreadable credit could be ours (treating it as someone else's would credit twice), an unreadable
 * balance could be too small (debiting on a guess).
 */
function amountOf(money: Money | undefined) {
  if (!money || typeof money.amount !== "string") return null;
  // Decimal has arbitrary precision: "10.00000" is 10 (parseShopifyAmount drops zeros past the third decimal).
  return parseShopifyAmount(money.amount);
}

function unreadable(what: string, cost: AdminResult<unknown>["cost"]) {
  return { ok: false as const, error: { kind: "graphql" as const, messages: [`Shopify answered ${what} that is not a decimal amount`] }, cost };
}

const STORE_CREDIT_SCOPES = ["write_store_credit_account_transactions", "read_store_credit_account_transactions", "read_store_credit_accounts"];

async function create(access: KindAccess, input: KindCreateInput): Promise<AdminResult<{ id: string; expiresAt: Date | null }>> {
  const r = await runAdmin<{ storeCreditAccountCredit: { storeCreditAccountTransaction: { id: string; expiresAt: string | null } | null; userErrors: UserErrors } }>(
    access.graphql,
    STORE_CREDIT_ACCOUNT_CREDIT,
    {
      id: input.customerGid,
      creditInput: {
        creditAmount: { amount: input.settings.value, currencyCode: input.currency },
        ...(input.endsAt ? { expiresAt: input.endsAt.toISOString() } : {}),
        notify: false,
      },
    },
    access.options,
  );
  // Denied: the optional store credit scopes not granted (or taken away), or something else.
  if (!r.ok) return explainAccessDenied(access, r, STORE_CREDIT_SCOPES);
  const payload = r.data.storeCreditAccountCredit;
  const failure = userErrorsFailure(payload.userErrors);
  if (failure) return { ok: false, error: failure, cost: r.cost, detail: payload.userErrors };
  const tx = payload.storeCreditAccountTransaction;
  if (!tx) return { ok: false, error: { kind: "graphql", messages: ["no store credit transaction returned"] }, cost: r.cost };
  return { ok: true, data: { id: tx.id, expiresAt: parseShopifyTime(tx.expiresAt) ?? input.endsAt }, cost: r.cost };
}

async function lookup(access: KindAccess, ref: KindRewardRef): Promise<AdminResult<FoundObject | null>> {
  if (!ref.customerGid || !ref.settings || !ref.currency || !ref.notBefore) {
    // Without the customer, amount and time the credit cannot be recognised; say so instead of guessing.
    return { ok: false, error: { kind: "graphql", messages: ["store credit lookup needs the customer, amount, currency and creation time"] }, cost: null };
  }
  const r = await runAdmin<{
    customer: { storeCreditAccounts: { nodes: { id: string; balance: Money; transactions: { nodes: CreditNode[] } }[] } } | null;
  }>(access.graphql, CUSTOMER_STORE_CREDITS, { id: ref.customerGid }, access.options);
  if (!r.ok) return r;
  const since = ref.notBefore.getTime() - CLOCK_SLACK_MS;
  const claimed = new Set(ref.claimedIds ?? []);
  const ours = parseMilli(ref.settings.value);
  if (ours === null) return { ok: false, error: { kind: "graphql", messages: [`the reward's store credit amount ${JSON.stringify(ref.settings.value)} is not a decimal amount`] }, cost: r.cost };
  const transactions = (r.data.customer?.storeCreditAccounts.nodes ?? [])
    .filter((account) => account.balance.currencyCode === ref.currency)
    .flatMap((account) => account.transactions.nodes)
    .filter((t) => t.__typename === "StoreCreditAccountCreditTransaction");
  // A credit transaction's id and time (`createdAt: DateTime!`, 2026-10 schema) are read before it is
  // ruled out: one without a readable time could be ours, and leaving it out as "older than the
  // reward" (what `new Date` made of a missing or unreadable one) credited the customer twice.
  if (transactions.some((t) => typeof t.id !== "string" || parseShopifyTime(t.createdAt) === null)) {
    return { ok: false, error: { kind: "graphql", messages: ["Shopify answered a store credit transaction without a readable id or creation time"] }, cost: r.cost };
  }
  const credits = transactions
    .map((t) => ({ ...t, at: parseShopifyTime(t.createdAt)!.getTime() }))
    .filter(
      (t): t is Required<CreditNode> & { at: number } =>
        !claimed.has(t.id!) &&
        t.event === "ADJUSTMENT" &&
        t.amount !== undefined &&
        t.amount.currencyCode === ref.currency &&
        t.at >= since,
    );
  if (credits.some((t) => amountOf(t.amount) === null)) return unreadable("a store credit transaction's amount", r.cost);
  const candidates = credits.filter((t) => amountOf(t.amount) === ours).sort((a, b) => a.at - b.at);
  const mine = candidates[0];
  if (!mine) return { ok: true, data: null, cost: r.cost };
  return { ok: true, data: { id: mine.id, ours: true, active: true, endsAt: parseShopifyTime(mine.expiresAt) }, cost: r.cost };
}

async function remove(access: KindAccess, ref: KindRewardRef & { id: string }): Promise<AdminResult<RemoveOutcome>> {
  const read = await runAdmin<{
    node: { __typename: string; id?: string; amount?: Money; account?: { id: string; balance: Money } } | null;
  }>(access.graphql, STORE_CREDIT_TRANSACTION, { id: ref.id }, access.options);
  if (!read.ok) return read;
  const tx = read.data.node;
  if (!tx || tx.__typename !== "StoreCreditAccountCreditTransaction" || !tx.amount || !tx.account) {
    return { ok: true, data: { outcome: "not_found" }, cost: read.cost };
  }
  const spent: RemoveOutcome = {
    outcome: "refused",
    reason: "already_spent",
    message: `The customer's store credit balance (${tx.account.balance.amount} ${tx.account.balance.currencyCode}) no longer covers the ${tx.amount.amount} ${tx.amount.currencyCode} credited.`,
  };
  const balance = amountOf(tx.account.balance);
  const credited = amountOf(tx.amount);
  if (balance === null || credited === null) return unreadable("a store credit balance or amount", read.cost);
  if (balance < credited) return { ok: true, data: spent, cost: read.cost };
  const r = await runAdmin<{ storeCreditAccountDebit: { storeCreditAccountTransaction: { id: string } | null; userErrors: UserErrors } }>(
    access.graphql,
    STORE_CREDIT_ACCOUNT_DEBIT,
    { id: tx.account.id, debitInput: { debitAmount: { amount: tx.amount.amount, currencyCode: tx.amount.currencyCode } } },
    access.options,
  );
  if (!r.ok) return r;
  const errors = r.data.storeCreditAccountDebit.userErrors;
  if (errors.some((e) => e.code === "INSUFFICIENT_FUNDS")) return { ok: true, data: spent, cost: r.cost };
  const failure = userErrorsFailure(errors);
  if (failure) return { ok: false, error: failure, cost: r.cost, detail: errors };
  return { ok: true, data: { outcome: "removed" }, cost: r.cost };
}

export const storeCreditAdapter: RewardKindAdapter = {
  kinds: ["STORE_CREDIT"],
  scopes: STORE_CREDIT_SCOPES,
  // The 2026-10 ShopFeatures has no store credit flag: a shop or currency that can't hold store
  // credit answers the credit with UNSUPPORTED_CURRENCY, a missing scope with ACCESS_DENIED.
  available: () => Promise.resolve({ ok: true, data: { available: true }, cost: null }),
  create,
  lookup,
  remove,
  // A debit leaves the credit transaction as it was, so `remove` would debit again on every call.
  removalTakesAgain: true,
};
