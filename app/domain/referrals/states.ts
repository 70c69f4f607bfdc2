// A referral's life: a visitor follows a member's link (CLICKED), signs up or orders as a customer
// (SIGNED_UP, the friend's welcome reward), places a first order at or over the shop's minimum
// (QUALIFIED, held for the refund window), and once the hold ends the referrer is rewarded
// (REWARDED). A fraud rule, a refund or a cancel ends it REJECTED, with a reason code.

export const REFERRAL_STATES = ["CLICKED", "SIGNED_UP", "QUALIFIED", "REWARDED", "REJECTED"] as const;
export type ReferralState = (typeof REFERRAL_STATES)[number];

const NEXT: Record<ReferralState, readonly ReferralState[]> = {
  CLICKED: ["SIGNED_UP", "REJECTED"],
  SIGNED_UP: ["QUALIFIED", "REJECTED"],
  QUALIFIED: ["REWARDED", "REJECTED"],
  // A refund or cancel of the qualifying order while the referrer's reward is still unused.
  REWARDED: ["REJECTED"],
  REJECTED: [],
};

export function parseReferralState(value: unknown): ReferralState | null {
  return typeof value === "string" && (REFERRAL_STATES as readonly string[]).includes(value) ? (value as ReferralState) : null;
}

export function canMoveReferral(from: ReferralState, to: ReferralState): boolean {
  return NEXT[from].includes(to);
}

/** When the referrer's reward may be issued: the qualifying order's receipt plus the hold (0 days = at once). */
export function referralHoldUntil(receivedAt: Date, pendingDays: number): Date {
  return new Date(receivedAt.getTime() + Math.max(0, pendingDays) * 86_400_000);
}

/**
 * When the friend landed on the referral link, as far as the app knows it: the click's time when the
 * app recorded that click (`clickRecorded`), else null — a row made by the friend's claim carries the
 * claim's time in `clickedAt` for the fraud rules only (docs/decisions/023, addendum of 3 December
 * 2026). The one reading of that time for people: the admin's Referrals tab, the dashboard's count,
 * the data-request export.
 */
export function recordedClickAt(row: { clickedAt: Date; clickRecorded: boolean }): Date | null {
  return row.clickRecorded ? row.clickedAt : null;
}
