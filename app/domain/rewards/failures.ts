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

import type { RewardKind } from "./statuses";

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
  | { kind: "access_denied"; message: string }
  | { kind: "graphql"; messages: string[] };

export type FailureCategory = "transient" | "uncertain" | "permanent";

/** Stable reason codes, stored in Reward.failureReason and explained by `merchantExplanation`. */
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
  "gift_card_limit_exceeded",
  "customer_not_found",
  "invalid_reward_settings",
  "rejected_by_shopify",
  "api_error",
  "unknown",
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

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
  const giftCard = context.rewardKind === "GIFT_CARD";
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
      return permanent(giftCard || /gift ?card/i.test(failure.message ?? "") ? "gift_cards_unavailable" : "missing_access");
    case "graphql": {
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

const NOT_SPENT = "your points were not spent";

const CUSTOMER_MESSAGES: Record<FailureReason, string> = {
  throttled: `Our rewards service is busy right now. Please try again in a minute — ${NOT_SPENT}.`,
  shopify_unavailable: `We couldn't create your reward just now. Please try again in a few minutes — ${NOT_SPENT}.`,
  shopify_internal_error: `We couldn't create your reward just now. Please try again in a few minutes — ${NOT_SPENT}.`,
  network_error: `We couldn't create your reward just now. Please try again in a few minutes — ${NOT_SPENT}.`,
  timeout: `We couldn't create your reward just now. Please try again in a few minutes — ${NOT_SPENT}.`,
  code_taken: `We couldn't create your reward just now. Please try again — ${NOT_SPENT}.`,
  unknown: `Something went wrong while creating your reward. Please try again in a few minutes — ${NOT_SPENT}.`,
  gift_cards_unavailable: "Gift card rewards aren't available in this shop right now. Your points were not spent.",
  gift_card_limit_exceeded: "This gift card reward isn't available right now. Please choose another reward — your points were not spent.",
  customer_not_found:
    "We couldn't find your customer account to attach this reward to. Please sign in again and retry — your points were not spent.",
  missing_access: `This reward isn't available right now. Please choose another reward or contact the shop — ${NOT_SPENT}.`,
  app_not_authorized: `Rewards aren't available right now. Please contact the shop — ${NOT_SPENT}.`,
  shop_unavailable: `Rewards aren't available right now. Please try again later — ${NOT_SPENT}.`,
  invalid_reward_settings: `This reward isn't available right now. Please choose another reward or contact the shop — ${NOT_SPENT}.`,
  rejected_by_shopify: `This reward isn't available right now. Please choose another reward or contact the shop — ${NOT_SPENT}.`,
  api_error: `Something went wrong while creating your reward. Please try again later — ${NOT_SPENT}.`,
};

/**
 * One plain sentence for a storefront customer whose points redemption failed (synchronous
 * generation saves nothing on failure, so the points were not spent). Never contains Shopify's
 * raw error text. Accepts a failure or an already classified reason.
 */
export function customerMessage(failure: ShopifyFailure | FailureReason, context: FailureContext = {}): string {
  const reason = typeof failure === "string" ? failure : classifyFailure(failure, context).reason;
  return CUSTOMER_MESSAGES[reason] ?? CUSTOMER_MESSAGES.unknown;
}

export interface MerchantExplanation {
  /** What happened, in plain language. */
  summary: string;
  /** What the merchant can do about it. */
  action: string;
}

const REISSUE = "Issue the reward again from the customer's page";
const AFTER_RETRIES = "Shopify kept failing for about a day of automatic retries";

const MERCHANT_EXPLANATIONS: Record<FailureReason, MerchantExplanation> = {
  throttled: {
    summary: `${AFTER_RETRIES}: it was too busy (rate limited) to create the code.`,
    action: `${REISSUE}. If this keeps happening, other apps may be using up the shop's API limit.`,
  },
  shopify_unavailable: {
    summary: `${AFTER_RETRIES}: Shopify's servers were unavailable.`,
    action: `Check shopifystatus.com, then ${REISSUE.toLowerCase()}.`,
  },
  shopify_internal_error: {
    summary: `${AFTER_RETRIES}: Shopify reported an internal error while creating the code.`,
    action: `${REISSUE}. If it fails again, contact app support.`,
  },
  network_error: {
    summary: "The app could not reach Shopify for about a day of automatic retries.",
    action: `${REISSUE}. If it fails again, contact app support.`,
  },
  timeout: {
    summary: `${AFTER_RETRIES}: Shopify did not answer in time.`,
    action: `${REISSUE}. If it fails again, contact app support.`,
  },
  code_taken: {
    summary: "Shopify said the reward's code was already in use by another discount or gift card.",
    action: `${REISSUE}; it will get a new code.`,
  },
  missing_access: {
    summary: "The app doesn't have permission to create this kind of reward in your shop.",
    action: "Open the app from your Shopify admin and approve the requested permissions, then issue the reward again.",
  },
  app_not_authorized: {
    summary: "Shopify no longer accepts the app's access to your shop (it may have been uninstalled or its access revoked).",
    action: "Open the app from your Shopify admin to reconnect it, then issue the reward again.",
  },
  shop_unavailable: {
    summary: "Shopify refused the request because the shop is unavailable (paused, frozen or closed).",
    action: "Check your Shopify plan and billing, then issue the reward again.",
  },
  gift_cards_unavailable: {
    summary: "Gift cards aren't available in this shop, so the gift card reward could not be created.",
    action:
      "Gift cards need a Shopify plan and country that support them. Enable gift cards, or change the reward to a discount code and issue it again.",
  },
  gift_card_limit_exceeded: {
    summary: "The gift card's value is higher than Shopify allows for this shop.",
    action: "Lower the gift card value in the reward settings, then issue the reward again.",
  },
  customer_not_found: {
    summary: "Shopify couldn't find the customer this reward was for; the customer may have been deleted.",
    action: "Check that the customer still exists in Shopify. If they do, issue the reward again.",
  },
  invalid_reward_settings: {
    summary: "Shopify rejected the reward's settings (for example its value, minimum purchase or expiry).",
    action: "Review the reward's settings, correct them, then issue the reward again.",
  },
  rejected_by_shopify: {
    summary: "Shopify rejected the request to create the reward.",
    action: `${REISSUE}. If it fails again, contact app support.`,
  },
  api_error: {
    summary: "The app sent Shopify a request it could not process. This is a problem in the app, not in your settings.",
    action: "Contact app support. You can issue the reward again once it's fixed.",
  },
  unknown: {
    summary: "The reward could not be created for a reason the app didn't recognise.",
    action: `${REISSUE}. If it fails again, contact app support.`,
  },
};

/**
 * Plain-language explanation of a Failed reward for the admin: what happened and what to do.
 * `reason` is the stored failureReason; anything unrecognised (older free text, null) gets the
 * generic explanation, never echoed back raw.
 */
export function merchantExplanation(reason: string | null | undefined): MerchantExplanation {
  const code = typeof reason === "string" ? reason.trim().split(/[\s:]/, 1)[0]?.toLowerCase() : undefined;
  return isFailureReason(code) ? MERCHANT_EXPLANATIONS[code] : MERCHANT_EXPLANATIONS.unknown;
}
