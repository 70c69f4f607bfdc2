// Store credit (Shopify's native customer store credit), as the 2026-10 Admin schema describes it:
// storeCreditAccountCredit / storeCreditAccountDebit, StoreCreditAccount, its transactions and
// Customer.storeCreditAccounts. Each rule names the schema text it comes from. The mutations' scope
// (`write_store_credit_account_transactions`) is checked by the root field wrapper (root.ts) from
// the schema's access table; the nested read fields check theirs here.
import { formatDecimal, storeCreditLimit, toCents, type StoreCreditAccountRecord, type StoreCreditTransactionRecord } from "../store";
import { gidNumber, paginate, type PageArgs } from "./connection";
import type { FieldArgs, ResolverContext, View } from "./context";
import { accessDenied, notEmulated, parseGid } from "./errors";
import { money } from "./views";

/** Whether the shop granted `scope` (a write_ scope implies its read_); undefined scopes = all granted. */
function requireScope(ctx: ResolverContext, fieldName: string, scope: string): void {
  const scopes = ctx.shop.scopes;
  if (!scopes) return;
  const write = scope.startsWith("read_") ? `write_${scope.slice("read_".length)}` : scope;
  if (!scopes.includes(scope) && !scopes.includes(write)) throw accessDenied(fieldName, `\`${scope}\` access scope.`);
}

function transactionView(account: StoreCreditAccountRecord, tx: StoreCreditTransactionRecord): View {
  const common = {
    id: tx.id,
    amount: money(tx.amount, account.currencyCode),
    balanceAfterTransaction: money(tx.balanceAfter, account.currencyCode),
    createdAt: tx.createdAt,
    event: tx.event,
    // "The origin of the store credit account transaction" is an OrderTransaction; API adjustments have none.
    origin: tx.event === "ADJUSTMENT" ? null : () => {
      throw notEmulated("StoreCreditAccountTransaction.origin for order payments");
    },
    account: (_args: FieldArgs, ctx: ResolverContext) => storeCreditAccountView(account, ctx),
  };
  if (tx.kind === "credit") {
    return {
      __typename: "StoreCreditAccountCreditTransaction",
      ...common,
      expiresAt: tx.expiresAt,
      remainingAmount: money(tx.remaining, account.currencyCode),
    };
  }
  return { __typename: "StoreCreditAccountDebitTransaction", ...common };
}

/** `transactions(query:)` supports `type:` (credit, debit, debit_revert, expiration); "Any value other than the accepted values will be ignored". */
function transactionsMatching(account: StoreCreditAccountRecord, query: string | null): StoreCreditTransactionRecord[] {
  if (!query || !query.trim()) return account.transactions;
  const terms = query.trim().split(/\s+OR\s+/i);
  const types = new Set<string>();
  for (const term of terms) {
    const match = /^type:(\S+)$/i.exec(term.trim());
    if (!match) throw notEmulated(`StoreCreditAccount.transactions(query: ${JSON.stringify(query)})`, "only type: filters are emulated");
    types.add(match[1].toLowerCase());
  }
  const known = [...types].filter((t) => ["credit", "debit", "debit_revert", "expiration"].includes(t));
  if (known.length === 0) return account.transactions;
  return account.transactions.filter((t) => known.includes(t.kind));
}

export function storeCreditAccountView(account: StoreCreditAccountRecord, ctx: ResolverContext): View {
  requireScope(ctx, "storeCreditAccount", "read_store_credit_accounts");
  return {
    __typename: "StoreCreditAccount",
    id: account.id,
    balance: money(account.balance, account.currencyCode),
    owner: () => {
      const customer = ctx.store.getCustomer(ctx.shop.domain, account.ownerId);
      return customer ? { __typename: "Customer", id: customer.id } : null;
    },
    transactions: (args: FieldArgs) => {
      requireScope(ctx, "transactions", "read_store_credit_account_transactions");
      const sortKey = typeof args.sortKey === "string" ? args.sortKey : "CREATED_AT";
      if (sortKey !== "CREATED_AT" && sortKey !== "ID") throw notEmulated(`StoreCreditAccount.transactions(sortKey: ${sortKey})`);
      return paginate(transactionsMatching(account, typeof args.query === "string" ? args.query : null), args as PageArgs, {
        typeName: "StoreCreditAccountTransactionConnection",
        edgeTypeName: "StoreCreditAccountTransactionEdge",
        fieldName: "transactions",
        // Ids grow with creation time, so CREATED_AT and ID order alike.
        keyOf: (tx) => ({ value: gidNumber(tx.id), id: gidNumber(tx.id) }),
        toNode: (tx) => transactionView(account, tx),
      });
    },
  };
}

/** Customer.storeCreditAccounts: "a list of store credit accounts that belong to the owner resource". */
export function customerStoreCreditAccounts(customerId: string) {
  return (args: FieldArgs, ctx: ResolverContext) => {
    requireScope(ctx, "storeCreditAccounts", "read_store_credit_accounts");
    if (typeof args.query === "string" && args.query.trim()) throw notEmulated("Customer.storeCreditAccounts(query:)");
    return paginate(ctx.store.listStoreCreditAccounts(ctx.shop.domain, customerId), args as PageArgs, {
      typeName: "StoreCreditAccountConnection",
      edgeTypeName: "StoreCreditAccountEdge",
      fieldName: "storeCreditAccounts",
      keyOf: (a) => ({ value: gidNumber(a.id), id: gidNumber(a.id) }),
      toNode: (a) => storeCreditAccountView(a, ctx),
    });
  };
}

/** node(id:) / storeCreditAccount(id:) for store credit ids. */
export function storeCreditNode(id: string, type: string, ctx: ResolverContext): View | null {
  if (type === "StoreCreditAccount") {
    const account = ctx.store.getStoreCreditAccount(ctx.shop.domain, id);
    return account ? storeCreditAccountView(account, ctx) : null;
  }
  requireScope(ctx, "node", "read_store_credit_account_transactions");
  const found = ctx.store.findStoreCreditTransaction(ctx.shop.domain, id);
  return found ? transactionView(found.account, found.transaction) : null;
}

function userError(typename: string, field: string[] | null, code: string, message: string): View {
  return { __typename: typename, field, code, message };
}

function cents(value: unknown): number | undefined {
  try {
    return toCents(String(value));
  } catch {
    return undefined;
  }
}

interface MoneyInput {
  amount: unknown;
  currencyCode: string;
}

/**
 * storeCreditAccountCredit(id, creditInput): "accepts either a store credit account ID, a Customer
 * ID, or a CompanyLocation ID. When you provide a customer or company location ID, it automatically
 * creates an account if one doesn't exist for the specified currency." Error codes from
 * StoreCreditAccountCreditUserErrorCode. The emulator supports store credit in the shop's currency
 * only (UNSUPPORTED_CURRENCY otherwise): never kinder than a shop that has no other currency.
 */
export function storeCreditAccountCredit(args: FieldArgs, ctx: ResolverContext): View {
  const T = "StoreCreditAccountCreditUserError";
  const payload = (errors: View[], tx: View | null = null): View => ({
    __typename: "StoreCreditAccountCreditPayload",
    storeCreditAccountTransaction: tx,
    userErrors: errors,
  });
  const id = String(args.id);
  const { type } = parseGid(id);
  const input = args.creditInput as { creditAmount: MoneyInput; expiresAt?: Date | null; notify?: boolean | null };
  const amount = cents(input.creditAmount.amount);
  const currency = input.creditAmount.currencyCode;
  if (amount === undefined || amount <= 0) {
    return payload([userError(T, ["creditInput", "creditAmount", "amount"], "NEGATIVE_OR_ZERO_AMOUNT", "A positive amount must be used to credit a store credit account.")]);
  }
  if (input.expiresAt && input.expiresAt.getTime() <= ctx.store.now().getTime()) {
    return payload([userError(T, ["creditInput", "expiresAt"], "EXPIRES_AT_IN_PAST", "The expiry date must be in the future.")]);
  }
  if (currency !== ctx.shop.currencyCode) {
    return payload([userError(T, ["creditInput", "creditAmount", "currencyCode"], "UNSUPPORTED_CURRENCY", "The currency provided is not currently supported.")]);
  }
  // The account's balance may not reach the shop's store credit limit (DEFAULT_STORE_CREDIT_LIMIT in
  // store.ts: "less than $15,000 USD on a single customer account"); nothing is credited then.
  const overLimit = (balance: number) =>
    balance + amount >= storeCreditLimit(ctx.shop)
      ? payload([userError(T, ["creditInput", "creditAmount", "amount"], "CREDIT_LIMIT_EXCEEDED", "The operation would cause the account's credit limit to be exceeded.")])
      : null;
  let tx;
  if (type === "Customer") {
    if (!ctx.store.getCustomer(ctx.shop.domain, id)) return payload([userError(T, ["id"], "OWNER_NOT_FOUND", "Owner does not exist.")]);
    const existing = ctx.store.listStoreCreditAccounts(ctx.shop.domain, id).find((a) => a.currencyCode === currency);
    const refused = overLimit(existing?.balance ?? 0);
    if (refused) return refused;
    tx = ctx.store.creditStoreCredit(ctx.shop.domain, { ownerId: id, amount, currencyCode: currency, expiresAt: input.expiresAt ?? null });
  } else if (type === "StoreCreditAccount") {
    const account = ctx.store.getStoreCreditAccount(ctx.shop.domain, id);
    if (!account) return payload([userError(T, ["id"], "ACCOUNT_NOT_FOUND", "The store credit account could not be found.")]);
    if (account.currencyCode !== currency) {
      return payload([userError(T, ["creditInput", "creditAmount", "currencyCode"], "MISMATCHING_CURRENCY", "The currency provided does not match the currency of the store credit account.")]);
    }
    const refused = overLimit(account.balance);
    if (refused) return refused;
    tx = ctx.store.creditAccount(account, amount, input.expiresAt ?? null);
  } else {
    throw notEmulated(`storeCreditAccountCredit(id:) for ${type} ids`);
  }
  const found = ctx.store.findStoreCreditTransaction(ctx.shop.domain, tx.id)!;
  return payload([], transactionView(found.account, found.transaction));
}

/**
 * storeCreditAccountDebit(id, debitInput): "Creates a debit transaction that decreases the store
 * credit account balance by the given amount." INSUFFICIENT_FUNDS: "The store credit account does
 * not have sufficient funds to satisfy the request" (StoreCreditAccountDebitUserErrorCode).
 */
export function storeCreditAccountDebit(args: FieldArgs, ctx: ResolverContext): View {
  const T = "StoreCreditAccountDebitUserError";
  const payload = (errors: View[], tx: View | null = null): View => ({
    __typename: "StoreCreditAccountDebitPayload",
    storeCreditAccountTransaction: tx,
    userErrors: errors,
  });
  const id = String(args.id);
  const { type } = parseGid(id);
  const input = args.debitInput as { debitAmount: MoneyInput };
  const amount = cents(input.debitAmount.amount);
  const currency = input.debitAmount.currencyCode;
  if (amount === undefined || amount <= 0) {
    return payload([userError(T, ["debitInput", "debitAmount", "amount"], "NEGATIVE_OR_ZERO_AMOUNT", "A positive amount must be used to debit a store credit account.")]);
  }
  let account: StoreCreditAccountRecord | undefined;
  if (type === "StoreCreditAccount") account = ctx.store.getStoreCreditAccount(ctx.shop.domain, id);
  else if (type === "Customer") account = ctx.store.listStoreCreditAccounts(ctx.shop.domain, id).find((a) => a.currencyCode === currency);
  else throw notEmulated(`storeCreditAccountDebit(id:) for ${type} ids`);
  if (!account) return payload([userError(T, ["id"], "ACCOUNT_NOT_FOUND", "The store credit account could not be found.")]);
  if (account.currencyCode !== currency) {
    return payload([userError(T, ["debitInput", "debitAmount", "currencyCode"], "MISMATCHING_CURRENCY", "The currency provided does not match the currency of the store credit account.")]);
  }
  const tx = ctx.store.debitStoreCredit(ctx.shop.domain, account.id, amount);
  if (!tx) {
    return payload([
      userError(T, ["debitInput", "debitAmount", "amount"], "INSUFFICIENT_FUNDS", "The store credit account does not have sufficient funds to satisfy the request."),
    ]);
  }
  return payload([], transactionView(account, tx));
}

/** For tests and the facade: an account balance as Shopify's Decimal text. */
export function balanceText(account: StoreCreditAccountRecord): string {
  return formatDecimal(account.balance);
}
