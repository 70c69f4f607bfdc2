// What to do when Shopify did not give us the code we asked for, and what to tell people.
//
// The Admin API layer reports each failure as a `ShopifyFailure`; `classifyFailure` sorts it into:
//   transient — nothing was created; retry later (throttling, 429, 5xx on a read, a network error
//               before the request left, a timeout on a read).
//   uncertain — the create may have happened (timeout, network error after sending, 5xx or an
//               internal error on a mutation, TAKEN on our own code): look the code up in Shopify
//               before creating it again. Also retryable.
//   permanent — retrying cannot help (other userErrors, access denied, other 4xx, malformed query).
//
// Because every reward keeps one code across attempts, re-creating after an uncertain failure
// cannot make a second discount: Shopify answers TAKEN, which is again "uncertain → look it up".

import { kindTraits, type RewardKind } from "./kinds";

export interface ShopifyUserError {
  field?: string[] | null;
  code?: string | null;
  message: string;
}

export type ShopifyFailure =
  | { kind: "throttled"; retryAfterMs?: number }
  | { kind: "http"; status: number }
  /** `requestSent: false` when the connection failed before the request was written (e.g. DNS, refused). Unknown counts as sent. */
  | { kind: "network"; requestSent?: boolean }
  | { kind: "timeout" }
  | { kind: "user_errors"; errors: ShopifyUserError[] }
  /** `scopeNotGranted`: the app checked — the shop has not granted the (optional) scope the call needs. */
  | { kind: "access_denied"; message: string; scopeNotGranted?: boolean }
  /**
   * Top-level GraphQL errors; `codes`: their `extensions.code` values, when Shopify gave any.
   * `partial`: the answer also carried data for the operation (a GraphQL response may hold both:
   * https://spec.graphql.org/October2021/#sec-Response-Format) — for a mutation, proof that it ran.
   */
  | { kind: "graphql"; messages: string[]; codes?: string[]; partial?: boolean };

/**
 * A failure as a log line may carry it: its kind, status and Shopify's codes and fields — never
 * Shopify's words or payload, which can echo what the app sent (a reward code, a customer's id) and,
 * unlike the stored failure text that customers/redact scrubs (docs/decisions/015), a log cannot be
 * erased. The full answer stays on the reward (failureDetail, the history's shopifyError).
 */
export function failureForLog(failure: ShopifyFailure): Record<string, unknown> {
  switch (failure.kind) {
    case "user_errors":
      return { kind: failure.kind, errors: failure.errors.map((e) => ({ field: e.field ?? null, code: e.code ?? null })) };
    case "access_denied":
      return { kind: failure.kind, scopeNotGranted: failure.scopeNotGranted === true };
    case "graphql":
      return { kind: failure.kind, codes: failure.codes ?? [], partial: failure.partial === true, errors: failure.messages.length };
    default:
      return { ...failure };
  }
}

export type FailureCategory = "transient" | "uncertain" | "permanent";

/**
 * Stable reason codes, stored in Reward.failureCode / Redemption.errorReason. People's words for
 * them live at the edge: app/copy/admin.ts (merchant) and app/copy/storefront.ts (customer).
 */
export const FAILURE_REASONS = [
  "throttled",
  "shopify_unavailable",
  "shopify_internal_error",
  "network_error",
  "timeout",
  "code_taken",
  "missing_access",
  "app_not_authorized",
  "shop_unavailable",
  "gift_cards_unavailable",
  "scope_not_granted",
  "gift_card_limit_exceeded",
  "store_credit_limit_exceeded",
  "currency_not_supported",
  /** Its amounts were saved in another currency than the shop sells in now (amountsNeedReview, app/domain/currency.ts): not Shopify's. */
  "amount_in_other_currency",
  "customer_not_found",
  "invalid_reward_settings",
  "rejected_by_shopify",
  "api_error",
  "unknown",
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/**
 * Reward.failureCode of a reward canceled because its discount was deactivated or deleted in
 * Shopify's admin (app/services/reconcile/discounts.server.ts): not a failure, the reason for a cancel.
 */
export const CHANGED_IN_SHOPIFY_CODE = "changed_in_shopify";

export function isFailureReason(value: unknown): value is FailureReason {
  return typeof value === "string" && (FAILURE_REASONS as readonly string[]).includes(value);
}

export interface FailureClassification {
  category: FailureCategory;
  reason: FailureReason;
  /** transient or uncertain: another attempt may succeed. */
  retryable: boolean;
  /** uncertain: look the code up in Shopify before creating it again. */
  verifyFirst: boolean;
  /** Shopify's Retry-After, when it gave one. */
  retryAfterMs?: number;
}

export interface FailureContext {
  /** Whether the failed call was the create mutation (default) or a read such as the lookup. */
  operation?: "mutation" | "query";
  rewardKind?: RewardKind;
}

const transient = (reason: FailureReason, retryAfterMs?: number): FailureClassification => ({
  category: "transient",
  reason,
  retryable: true,
  verifyFirst: false,
  ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
});
const uncertain = (reason: FailureReason): FailureClassification => ({
  category: "uncertain",
  reason,
  retryable: true,
  verifyFirst: true,
});
const permanent = (reason: FailureReason): FailureClassification => ({
  category: "permanent",
  reason,
  retryable: false,
  verifyFirst: false,
});

const GIFT_CARD_UNAVAILABLE = /gift ?cards?\b.*\b(not (available|enabled|supported)|unavailable|disabled|plan)/i;
const INTERNAL = /internal (server )?error|something went wrong|try again|timed? ?out|unavailable/i;

function isOwnCodeField(error: ShopifyUserError): boolean {
  const field = Array.isArray(error.field) ? error.field : null;
  if (field && field.length > 0) return String(field[field.length - 1]).toLowerCase() === "code";
  return /\bcode\b/i.test(error.message ?? "");
}

function classifyUserErrors(errors: readonly ShopifyUserError[], mutation: boolean): FailureClassification {
  const list = Array.isArray(errors) ? errors.filter((e) => e && typeof e === "object") : [];
  if (list.length === 0) return mutation ? uncertain("unknown") : transient("unknown");
  const codeOf = (e: ShopifyUserError) => (typeof e.code === "string" ? e.code.toUpperCase() : "");

  // A permanent problem anywhere decides: retrying cannot fix it.
  const permanentReasons: FailureReason[] = [];
  for (const e of list) {
    const code = codeOf(e);
    if (code === "TAKEN" && isOwnCodeField(e)) continue;
    if (code === "INTERNAL_ERROR") continue;
    if (GIFT_CARD_UNAVAILABLE.test(e.message ?? "")) permanentReasons.push("gift_cards_unavailable");
    else if (code === "CUSTOMER_NOT_FOUND" || code === "RECIPIENT_NOT_FOUND") permanentReasons.push("customer_not_found");
    else if (code === "GIFT_CARD_LIMIT_EXCEEDED") permanentReasons.push("gift_card_limit_exceeded");
    // storeCreditAccountCredit: StoreCreditAccountCreditUserErrorCode (2026-10 schema).
    else if (code === "OWNER_NOT_FOUND") permanentReasons.push("customer_not_found");
    // The customer's balance plus this credit would reach Shopify's store credit limit ("less than
    // $15,000 USD on a single customer account", https://help.shopify.com/en/manual/customers/store-credit):
    // the customer's balance is the cause, not the reward's settings.
    else if (code === "CREDIT_LIMIT_EXCEEDED") permanentReasons.push("store_credit_limit_exceeded");
    else if (code === "UNSUPPORTED_CURRENCY" || code === "MISMATCHING_CURRENCY") permanentReasons.push("currency_not_supported");
    else permanentReasons.push("invalid_reward_settings");
  }
  if (permanentReasons.length > 0) {
    const specific = permanentReasons.find((r) => r !== "invalid_reward_settings");
    return permanent(specific ?? "invalid_reward_settings");
  }
  if (list.some((e) => codeOf(e) === "TAKEN")) return uncertain("code_taken");
  return mutation ? uncertain("shopify_internal_error") : transient("shopify_internal_error");
}

function classifyHttp(status: number, mutation: boolean): FailureClassification {
  if (status === 429) return transient("throttled");
  if (status >= 500 && status <= 599) return mutation ? uncertain("shopify_unavailable") : transient("shopify_unavailable");
  if (status === 408) return transient("timeout");
  if (status === 401) return permanent("app_not_authorized");
  if (status === 403) return permanent("missing_access");
  if (status === 402 || status === 404 || status === 423) return permanent("shop_unavailable");
  if (status >= 400 && status <= 499) return permanent("rejected_by_shopify");
  // Not an error status at all: the layer below could not make sense of the answer.
  return mutation ? uncertain("unknown") : transient("unknown");
}

/** Sorts a failure into transient / uncertain / permanent, with a stable reason code. Never throws. */
export function classifyFailure(failure: ShopifyFailure, context: FailureContext = {}): FailureClassification {
  const mutation = (context.operation ?? "mutation") === "mutation";
  // ACCESS_DENIED while handling a kind means that kind's feature/scope is missing in the shop.
  const denied: FailureReason = context.rewardKind ? kindTraits(context.rewardKind).accessDeniedReason : "missing_access";
  const giftCard = denied === "gift_cards_unavailable";
  switch (failure?.kind) {
    case "throttled": {
      const after = failure.retryAfterMs;
      return transient("throttled", typeof after === "number" && Number.isFinite(after) && after >= 0 ? after : undefined);
    }
    case "http":
      return classifyHttp(Number(failure.status), mutation);
    case "network":
      if (failure.requestSent === false || !mutation) return transient("network_error");
      return uncertain("network_error");
    case "timeout":
      return mutation ? uncertain("timeout") : transient("timeout");
    case "user_errors":
      return classifyUserErrors(failure.errors, mutation);
    case "access_denied":
      if (failure.scopeNotGranted === true) return permanent("scope_not_granted");
      return permanent(giftCard || /gift ?card/i.test(failure.message ?? "") ? "gift_cards_unavailable" : "missing_access");
    case "graphql": {
      // The mutation ran (its payload came back) but something beside it failed: what it made may
      // exist, so look before concluding anything (a permanent failure here left a live code behind).
      if (failure.partial === true && mutation) return uncertain("shopify_internal_error");
      // Shopify's error codes first (https://shopify.dev/changelog/improved-graphql-errors); the
      // wording only where no code came (older answers, the layer below's own messages).
      const codes = Array.isArray(failure.codes) ? failure.codes.map((c) => String(c).toUpperCase()) : [];
      if (codes.includes("THROTTLED")) return transient("throttled");
      if (codes.includes("INTERNAL_SERVER_ERROR")) {
        return mutation ? uncertain("shopify_internal_error") : transient("shopify_internal_error");
      }
      const messages = Array.isArray(failure.messages) ? failure.messages.filter((m) => typeof m === "string") : [];
      if (messages.some((m) => /throttled/i.test(m))) return transient("throttled");
      if (messages.some((m) => /access denied/i.test(m))) {
        return permanent(giftCard || messages.some((m) => /gift ?card/i.test(m)) ? "gift_cards_unavailable" : "missing_access");
      }
      if (messages.some((m) => GIFT_CARD_UNAVAILABLE.test(m))) return permanent("gift_cards_unavailable");
      if (messages.some((m) => INTERNAL.test(m))) {
        return mutation ? uncertain("shopify_internal_error") : transient("shopify_internal_error");
      }
      // A query Shopify refuses to run (unknown field, bad input type): our bug, retrying won't help.
      return permanent("api_error");
    }
    default:
      return mutation ? uncertain("unknown") : transient("unknown");
  }
}

/**
 * Whether a redemption that failed for this reason may succeed if the customer simply tries again
 * (the rule; the words are app/copy/storefront.ts).
 */
export function isRetryableForCustomer(reason: FailureReason): boolean {
  return !PERMANENT_FOR_CUSTOMER.has(reason);
}

const PERMANENT_FOR_CUSTOMER: ReadonlySet<FailureReason> = new Set<FailureReason>([
  "gift_cards_unavailable",
  "gift_card_limit_exceeded",
  "store_credit_limit_exceeded",
  "currency_not_supported",
  "amount_in_other_currency",
  "customer_not_found",
  "invalid_reward_settings",
  "missing_access",
  "api_error",
]);

/** A stored reason code, or "unknown" for anything else (older rows, null). */
export function parseFailureReason(value: unknown): FailureReason {
  return isFailureReason(value) ? value : "unknown";
}

/**
 * Reasons `classifyFailure` only ever gives with category "permanent": an attempt that failed for
 * one of them is never retried, so nothing may call it "will retry" (failures.test.ts checks this
 * set against every row of the failure table).
 */
export const PERMANENT_FAILURE_REASONS: ReadonlySet<FailureReason> = new Set<FailureReason>([
  "missing_access",
  "app_not_authorized",
  "shop_unavailable",
  "rejected_by_shopify",
  "gift_cards_unavailable",
  "gift_card_limit_exceeded",
  "store_credit_limit_exceeded",
  "currency_not_supported",
  "customer_not_found",
  "invalid_reward_settings",
  "api_error",
]);

/** Whether a failure with this stored reason code ends the reward at once (no automatic retry). */
export function isPermanentFailureReason(reason: unknown): boolean {
  return isFailureReason(reason) && PERMANENT_FAILURE_REASONS.has(reason);
}

/**
 * Reasons that mean the app's access to the shop is missing for the call (a scope taken away or not
 * granted, ACCESS_DENIED; the app's token refused): retrying alone cannot help until the merchant
 * gives the access back, after which the same call works. Used to say so rather than "Shopify
 * couldn't be reached" when something waits on it (a canceled reward's code removal).
 */
export const ACCESS_FAILURE_REASONS: ReadonlySet<FailureReason> = new Set<FailureReason>(["missing_access", "scope_not_granted", "app_not_authorized"]);

/** Whether a stored reason code says the app's access is missing (see ACCESS_FAILURE_REASONS). */
export function isAccessFailureReason(reason: unknown): boolean {
  return isFailureReason(reason) && ACCESS_FAILURE_REASONS.has(reason);
}
