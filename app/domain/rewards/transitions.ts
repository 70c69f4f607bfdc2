// The reward status machine. Every status change goes through `decideTransition`, so the rules
// live in one place and the caller only has to apply (or log) the decision.
//
//   PENDING → ISSUED    GENERATION_SUCCEEDED  (the code exists in Shopify)
//   PENDING → FAILED    GENERATION_FAILED     (permanent failure, or retries exhausted)
//   PENDING → CANCELED  MERCHANT_CANCELED
//   PENDING → USED      ORDER_COMPLETED       (an order carrying the code proves it exists)
//   ISSUED  → USED      ORDER_COMPLETED
//   ISSUED  → CANCELED  MERCHANT_CANCELED
//   CANCELED → USED     ORDER_BEFORE_CANCEL   (an order created BEFORE the cancel carried the code:
//                                             the code was used; docs/decisions/014)
//
// FAILED, USED and (apart from ORDER_BEFORE_CANCEL) CANCELED are final. Gift cards never become USED. Repeating a transition that
// already happened (a duplicate webhook, a worker retry after an uncertain result, a double click)
// is a "noop", not an error.

import { hasUsedState } from "./kinds";
import type { RewardKind, RewardStatus } from "./statuses";

/** What caused the requested change. Each trigger can only lead to one status. */
export const TRANSITION_TRIGGERS = [
  /** The worker (or a lookup after an uncertain attempt) confirmed the code exists in Shopify. */
  "GENERATION_SUCCEEDED",
  /** Generation gave up: a permanent failure, or retries exhausted. */
  "GENERATION_FAILED",
  /** The merchant canceled the reward in the admin. */
  "MERCHANT_CANCELED",
  /** An orders/create webhook for a completed order carries the reward's code. */
  "ORDER_COMPLETED",
  /** …and that order was created before the reward was canceled: the cancel came too late. */
  "ORDER_BEFORE_CANCEL",
] as const;
export type TransitionTrigger = (typeof TRANSITION_TRIGGERS)[number];

export function isTransitionTrigger(value: unknown): value is TransitionTrigger {
  return typeof value === "string" && (TRANSITION_TRIGGERS as readonly string[]).includes(value);
}

export const TRIGGER_TARGET: Readonly<Record<TransitionTrigger, RewardStatus>> = {
  GENERATION_SUCCEEDED: "ISSUED",
  GENERATION_FAILED: "FAILED",
  MERCHANT_CANCELED: "CANCELED",
  ORDER_COMPLETED: "USED",
  ORDER_BEFORE_CANCEL: "USED",
};

/** Every status change that can be applied, with the trigger that allows it. */
export const ALLOWED_TRANSITIONS: readonly { from: RewardStatus; to: RewardStatus; trigger: TransitionTrigger }[] = [
  { from: "PENDING", to: "ISSUED", trigger: "GENERATION_SUCCEEDED" },
  { from: "PENDING", to: "FAILED", trigger: "GENERATION_FAILED" },
  { from: "PENDING", to: "CANCELED", trigger: "MERCHANT_CANCELED" },
  { from: "PENDING", to: "USED", trigger: "ORDER_COMPLETED" },
  { from: "ISSUED", to: "USED", trigger: "ORDER_COMPLETED" },
  { from: "ISSUED", to: "CANCELED", trigger: "MERCHANT_CANCELED" },
  { from: "CANCELED", to: "USED", trigger: "ORDER_BEFORE_CANCEL" },
];

export const GIFT_CARD_NEVER_USED = "gift cards are never marked Used";
export const STORE_CREDIT_NEVER_USED = "store credit is never marked Used";

/** Why a kind without a Used state ignores orders (gift cards and store credit are payment methods). */
function neverUsedReason(kind: RewardKind): string {
  return kind === "STORE_CREDIT" ? STORE_CREDIT_NEVER_USED : GIFT_CARD_NEVER_USED;
}

export interface TransitionRequest {
  from: RewardStatus;
  to: RewardStatus;
  kind: RewardKind;
  trigger: TransitionTrigger;
}

export type TransitionDecision =
  | { type: "apply" }
  | { type: "noop"; reason: string }
  | { type: "reject"; reason: string };

/** The status as it reads in event-log reasons ("Pending", "Issued", …). */
const label = (s: RewardStatus) => s.charAt(0) + s.slice(1).toLowerCase();

const FINAL_REASONS: Partial<Record<RewardStatus, string>> = {
  FAILED: "a Failed reward is final: it was never available to the customer; issue a new reward instead",
  CANCELED: "a Canceled reward is final: the merchant canceled it; issue a new reward instead",
  USED: "a Used reward is final: it was already used on a completed order",
};

/**
 * Decides whether a reward may move from one status to another for a given reason. Pure: the caller
 * applies an "apply" as a compare-and-set on the current status (app/services/rewards/events.server.ts
 * `transitionReward`), treats "noop" as done and reports a "reject" reason.
 *
 * @example
 *   decideTransition({ from: "PENDING", to: "ISSUED", kind: "FIXED_AMOUNT", trigger: "GENERATION_SUCCEEDED" });
 *   // → { type: "apply" }
 *   decideTransition({ from: "ISSUED", to: "USED", kind: "GIFT_CARD", trigger: "ORDER_COMPLETED" });
 *   // → { type: "reject", reason: "gift cards are never marked Used" }
 */
export function decideTransition({ from, to, kind, trigger }: TransitionRequest): TransitionDecision {
  if (to === "USED" && !hasUsedState(kind)) return { type: "reject", reason: neverUsedReason(kind) };

  if (to === "PENDING") {
    return { type: "reject", reason: "rewards are only created Pending; nothing moves a reward back to Pending" };
  }

  const target = TRIGGER_TARGET[trigger];
  if (target !== to) {
    const extra =
      to === "USED"
        ? " (only an orders/create webhook for a completed order carrying the code marks a reward Used; applying it at checkout does not)"
        : "";
    return {
      type: "reject",
      reason: `${trigger} can only move a reward to ${label(target)}, not to ${label(to)}${extra}`,
    };
  }

  if (from === to) return { type: "noop", reason: `the reward is already ${label(to)}` };

  if (ALLOWED_TRANSITIONS.some((t) => t.from === from && t.to === to && t.trigger === trigger)) {
    return { type: "apply" };
  }

  const finalReason = FINAL_REASONS[from];
  if (finalReason) return { type: "reject", reason: `cannot move from ${label(from)} to ${label(to)}: ${finalReason}` };

  // Only ISSUED → FAILED is left: the code exists, so generation can no longer fail.
  return {
    type: "reject",
    reason: `cannot move from ${label(from)} to ${label(to)}: the reward's code already exists in Shopify`,
  };
}

/** What to do with a reward whose code appears on a completed order (orders/create). */
export type UsageOutcome =
  /** Apply ISSUED/PENDING → USED (decideTransition with ORDER_COMPLETED agrees). */
  | { type: "mark_used" }
  /** Canceled, but the order was created before the cancel: CANCELED → USED (ORDER_BEFORE_CANCEL). */
  | { type: "used_before_cancel" }
  /** Already Used (duplicate delivery, or the code was used on another order): nothing to do. */
  | { type: "noop"; reason: string }
  /** Canceled/Failed: do not resurrect; record a USED_AFTER_FINAL event, status unchanged. */
  | { type: "record_event"; eventType: "USED_AFTER_FINAL"; reason: string }
  /** Gift cards are never marked Used. */
  | { type: "ignore"; reason: string };

/** When the order and the cancel happened, for the Canceled case (unknown = the cancel stands). */
export interface UsageTiming {
  orderCreatedAt: Date | null;
  canceledAt: Date | null;
}

export function usageOutcome(status: RewardStatus, kind: RewardKind, timing?: UsageTiming): UsageOutcome {
  if (!hasUsedState(kind)) return { type: "ignore", reason: neverUsedReason(kind) };
  if (status === "CANCELED" && timing?.orderCreatedAt && timing.canceledAt && timing.orderCreatedAt.getTime() < timing.canceledAt.getTime()) {
    return { type: "used_before_cancel" };
  }
  switch (status) {
    case "ISSUED":
    case "PENDING":
      return { type: "mark_used" };
    case "USED":
      return { type: "noop", reason: "the reward is already Used" };
    case "CANCELED":
    case "FAILED":
      return {
        type: "record_event",
        eventType: "USED_AFTER_FINAL",
        reason: `a completed order carried the code of a ${label(status)} reward; its status stays ${label(status)}`,
      };
  }
}
