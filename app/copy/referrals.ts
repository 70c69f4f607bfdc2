// The words of the referral program, looked up from codes (the rules live in app/domain/referrals).
import { REWARD_VALUE_OUT_OF_RANGE } from "./admin";
import type { ReferralSettingsErrorCode, ReferralSettingsField, ReferralState, RejectionReason } from "~/domain/referrals";

/** Why a referral was rejected, for the merchant (no personal data: the reason only). */
export const REJECTION_REASON_LABELS: Record<RejectionReason, string> = {
  self_referral_same_customer: "Self-referral: the friend is the referrer's own account",
  self_referral_same_email: "Self-referral: the friend has the referrer's email address",
  self_referral_same_address: "Self-referral: the friend has the referrer's default address",
  friend_already_customer: "The friend was already a customer before following the link",
  referrer_monthly_cap: "The referrer had reached the monthly referral limit",
  order_refunded: "The qualifying order was refunded during the waiting period",
  order_canceled: "The qualifying order was canceled during the waiting period",
  referrer_erased: "The referrer's data was erased (customer data request) before their reward was due",
};

export const REFERRAL_STATE_LABELS: Record<ReferralState, string> = {
  CLICKED: "Clicked",
  SIGNED_UP: "Signed up",
  QUALIFIED: "Qualified",
  REWARDED: "Rewarded",
  REJECTED: "Rejected",
};

export function rejectionReasonLabel(code: string | null): string {
  return code && code in REJECTION_REASON_LABELS ? REJECTION_REASON_LABELS[code as RejectionReason] : code ? "Rejected" : "";
}

const FIELD_ERRORS: Record<ReferralSettingsErrorCode, string> = {
  required: "Required.",
  not_a_number: "Enter a number.",
  out_of_range: "This value is out of range.",
  too_many_decimals: "Use at most 2 decimals.",
  invalid_choice: "Choose one of the listed options.",
};

const FIELD_SPECIFIC: Partial<Record<ReferralSettingsField, Partial<Record<ReferralSettingsErrorCode, string>>>> = {
  referrerRewardKind: { required: "Choose the reward the referrer gets before turning the program on." },
  friendRewardValue: { out_of_range: REWARD_VALUE_OUT_OF_RANGE, required: "Enter the reward's value." },
  referrerRewardValue: { out_of_range: REWARD_VALUE_OUT_OF_RANGE, required: "Enter the reward's value." },
  minimumOrderAmount: { not_a_number: "Enter an amount, like 25 or 25.50.", out_of_range: "Enter an amount up to 1,000,000." },
  monthlyCapPerReferrer: { out_of_range: "Enter a number from 1 to 10,000, or leave it empty for no limit.", not_a_number: "Enter a whole number, or leave it empty for no limit." },
  pendingDays: { out_of_range: "Enter a number of days from 0 to 365.", required: "Enter a number of days (0 rewards at once).", not_a_number: "Enter a whole number of days." },
};

export function referralSettingsErrorMessage(field: ReferralSettingsField, code: ReferralSettingsErrorCode): string {
  return FIELD_SPECIFIC[field]?.[code] ?? FIELD_ERRORS[code];
}

/** The storefront's words for referral answers (the widget has its own translated copies). */
export const REFERRAL_STOREFRONT_MESSAGES = {
  off: "This shop has no referral program right now.",
  unknownCode: "This referral link isn't valid. Please check the link you were given.",
  invalidCode: "A referral code has 8 letters and digits. Please check the link you were given.",
  invalidVisitor: "This request is missing its visitor token. Please reload the page and try again.",
  notJson: "Send the referral as JSON.",
  tooMany: "Too many referral requests right now. Please wait a moment and try again.",
  rejected: "This referral can't be rewarded.",
  signedUp: "Welcome! Your friend's referral is recorded.",
} as const;
