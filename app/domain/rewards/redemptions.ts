// The redemption state machine: the intent log of a points redemption (Redemption.state), written
// before Shopify is called so that a crash, a twin request or a lost response never spends points
// twice or leaves a usable code nobody paid for. docs/decisions/011-redemption-state-machine.md.
//
//   (none)      → IN_PROGRESS  START               a request inserts it: code chosen, lease taken
//   IN_PROGRESS → IN_PROGRESS  TAKE_OVER           its lease ended: a repeat of the request (or the
//                                                  recovery sweep) takes it, resuming with the SAME code
//   IN_PROGRESS → IN_PROGRESS  RENEW               the owner extends (or hands back) its lease
//   IN_PROGRESS → IN_PROGRESS  LEAVE_FOR_RECOVERY  the outcome in Shopify is unknown: lease ended now,
//                                                  for a repeat or the recovery sweep to finish
//   IN_PROGRESS → COMPLETED    COMPLETE            the commit: points debited, reward saved Issued
//   IN_PROGRESS → FAILED       FAIL                nothing usable was made in Shopify (or it was removed)
//   IN_PROGRESS → ABANDONED    ABANDON             the recovery sweep removed whatever code it left
//
// COMPLETED, FAILED and ABANDONED are final. Every move from IN_PROGRESS is fenced by the lease: it
// applies only while the row still carries the lease value its mover holds, so a slow owner whose
// lease was taken over can never complete, fail or abandon a redemption a second time.
// The per-customer lock (Customer.redemptionLockKey/Until) lets one redemption run at a time per
// customer; it is released by COMPLETE, FAIL, LEAVE_FOR_RECOVERY and ABANDON.

import { UnknownValueError } from "./statuses";

export const REDEMPTION_STATES = ["IN_PROGRESS", "COMPLETED", "FAILED", "ABANDONED"] as const;
export type RedemptionState = (typeof REDEMPTION_STATES)[number];

export function isRedemptionState(value: unknown): value is RedemptionState {
  return typeof value === "string" && (REDEMPTION_STATES as readonly string[]).includes(value);
}

/** Parses Redemption.state read from the database; throws `UnknownValueError` for anything else. */
export function parseRedemptionState(value: unknown): RedemptionState {
  if (isRedemptionState(value)) return value;
  throw new UnknownValueError("redemption state", value, REDEMPTION_STATES);
}

export const REDEMPTION_MOVES = ["START", "TAKE_OVER", "RENEW", "LEAVE_FOR_RECOVERY", "COMPLETE", "FAIL", "ABANDON"] as const;
export type RedemptionMove = (typeof REDEMPTION_MOVES)[number];

/** Every allowed move: from which state (null = no row yet) to which. Everything else is refused. */
export const ALLOWED_REDEMPTION_MOVES: Readonly<Record<RedemptionMove, { from: RedemptionState | null; to: RedemptionState }>> = {
  START: { from: null, to: "IN_PROGRESS" },
  TAKE_OVER: { from: "IN_PROGRESS", to: "IN_PROGRESS" },
  RENEW: { from: "IN_PROGRESS", to: "IN_PROGRESS" },
  LEAVE_FOR_RECOVERY: { from: "IN_PROGRESS", to: "IN_PROGRESS" },
  COMPLETE: { from: "IN_PROGRESS", to: "COMPLETED" },
  FAIL: { from: "IN_PROGRESS", to: "FAILED" },
  ABANDON: { from: "IN_PROGRESS", to: "ABANDONED" },
};

/** Moves after which the customer may start another redemption (their lock is released). */
export const RELEASES_CUSTOMER_LOCK: ReadonlySet<RedemptionMove> = new Set(["COMPLETE", "FAIL", "LEAVE_FOR_RECOVERY", "ABANDON"]);

export function isFinalRedemptionState(state: RedemptionState): boolean {
  return state !== "IN_PROGRESS";
}

export type RedemptionMoveDecision = { type: "apply"; to: RedemptionState } | { type: "reject"; reason: string };

export function decideRedemptionMove(from: RedemptionState | null, move: RedemptionMove): RedemptionMoveDecision {
  const rule = ALLOWED_REDEMPTION_MOVES[move];
  if (rule.from === from) return { type: "apply", to: rule.to };
  if (from === null) return { type: "reject", reason: `${move} needs an existing redemption; a redemption only begins with START` };
  if (isFinalRedemptionState(from)) return { type: "reject", reason: `a ${from} redemption is final; a new request (with a new idempotency key) starts a new one` };
  return { type: "reject", reason: `the redemption already exists (${from}); a repeat of the request resumes it instead of starting it again` };
}

/**
 * What a repeat of the same request (same idempotency key) gets, from the row it finds:
 * the same reward again, the same failure again, a short wait for the process that owns it, or a
 * takeover of a redemption whose owner died or gave up (its lease ended).
 */
export type RepeatOutcome = "replay_reward" | "repeat_failure" | "wait" | "take_over";

export function onRepeatedRequest(state: RedemptionState, leaseUntil: Date, now: Date): RepeatOutcome {
  switch (state) {
    case "COMPLETED":
      return "replay_reward";
    case "FAILED":
    case "ABANDONED":
      return "repeat_failure";
    case "IN_PROGRESS":
      return leaseUntil.getTime() > now.getTime() ? "wait" : "take_over";
  }
}
