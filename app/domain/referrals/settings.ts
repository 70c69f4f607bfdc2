// The merchant's referral program settings: values, defaults and validation with one error code
// per field (words in app/copy/referrals.ts).
import { parseMilli } from "~/domain/points/earning";
import { checkRewardValue } from "~/domain/rewards/options";

export interface ReferralSettingsValues {
  enabled: boolean;
  friendTemplateId: string | null;
  referrerTemplateId: string | null;
  /** Decimal text, shop currency. */
  minimumOrderAmount: string;
  monthlyCapPerReferrer: number | null;
  pendingDays: number;
}

export const DEFAULT_REFERRAL_SETTINGS: ReferralSettingsValues = {
  enabled: false,
  friendTemplateId: null,
  referrerTemplateId: null,
  minimumOrderAmount: "0",
  monthlyCapPerReferrer: null,
  pendingDays: 14,
};

export const REFERRAL_LIMITS = { maxPendingDays: 365, maxMonthlyCap: 10_000, maxMinimum: 1_000_000 } as const;

/** The reward kinds a referral reward can be defined with on the Referrals page (codes made by the worker). */
export const REFERRAL_REWARD_KINDS = ["FIXED_AMOUNT", "PERCENTAGE", "FREE_SHIPPING"] as const;
export type ReferralRewardKind = (typeof REFERRAL_REWARD_KINDS)[number];
export interface ReferralReward {
  kind: ReferralRewardKind;
  /** Amount in shop currency ("10.00"), percentage ("15") or "0" for free shipping. */
  value: string;
}

/** What the merchant fills in: the settings plus both rewards (each saved as a REFERRAL template). */
export interface ReferralForm {
  enabled: boolean;
  friendReward: ReferralReward | null;
  referrerReward: ReferralReward | null;
  minimumOrderAmount: string;
  monthlyCapPerReferrer: number | null;
  pendingDays: number;
}

export type ReferralSettingsField =
  | "enabled"
  | "friendRewardKind"
  | "friendRewardValue"
  | "referrerRewardKind"
  | "referrerRewardValue"
  | "minimumOrderAmount"
  | "monthlyCapPerReferrer"
  | "pendingDays";
export type ReferralSettingsErrorCode = "required" | "not_a_number" | "out_of_range" | "too_many_decimals" | "invalid_choice";
export type ReferralSettingsErrors = Partial<Record<ReferralSettingsField, ReferralSettingsErrorCode>>;

export function referralSettingsFromRow(row: Partial<ReferralSettingsValues> | null | undefined): ReferralSettingsValues {
  return { ...DEFAULT_REFERRAL_SETTINGS, ...(row ?? {}) };
}

function wholeNumber(text: string, min: number, max: number): number | ReferralSettingsErrorCode {
  if (!/^\d+$/.test(text)) return "not_a_number";
  const n = Number(text);
  return n < min || n > max ? "out_of_range" : n;
}

function decimal(text: string, maxUnits: number): string | ReferralSettingsErrorCode {
  if (!/^\d+(\.\d+)?$/.test(text)) return "not_a_number";
  if (!/^\d+(\.\d{1,2})?$/.test(text)) return "too_many_decimals";
  // parseMilli reads at most 32 characters: a longer number is no amount the app can hold (read
  // as "none", the minimum was then no minimum at all), so it is out of range, never zero.
  const milli = parseMilli(text);
  if (milli === null || milli > BigInt(maxUnits) * 1000n) return "out_of_range";
  return text;
}

const ERROR_CODES: readonly string[] = ["required", "not_a_number", "out_of_range", "too_many_decimals", "invalid_choice"];
const isError = (v: string): v is ReferralSettingsErrorCode => ERROR_CODES.includes(v);

function reward(form: Record<string, string | undefined>, who: "friend" | "referrer", errors: ReferralSettingsErrors): ReferralReward | null {
  const kindField = `${who}RewardKind` as const;
  const valueField = `${who}RewardValue` as const;
  const kind = (form[kindField] ?? "").trim();
  if (!kind) return null;
  if (!(REFERRAL_REWARD_KINDS as readonly string[]).includes(kind)) {
    errors[kindField] = "invalid_choice";
    return null;
  }
  if (kind === "FREE_SHIPPING") return { kind, value: "0" };
  // The one rule of a reward's value (Ways to redeem's, VIP entry rewards' too), in this form's codes.
  const checked = checkRewardValue(kind === "PERCENTAGE" ? "percentage" : "amount", form[valueField]);
  if (!checked.ok) {
    const text = (form[valueField] ?? "").trim();
    errors[valueField] =
      checked.error === "required" ? "required" : /^\d+\.\d{3,}$/.test(text) ? "too_many_decimals" : checked.error === "amount_format" ? "not_a_number" : "out_of_range";
    return null;
  }
  return { kind: kind as ReferralRewardKind, value: checked.value };
}

/**
 * The Referrals form's text fields → the program and both rewards, or an error per field (every
 * field's error at once). A program that is on needs at least the referrer's reward.
 */
export function validateReferralSettings(form: Record<string, string | undefined>): { ok: true; values: ReferralForm } | { ok: false; errors: ReferralSettingsErrors } {
  const errors: ReferralSettingsErrors = {};
  const enabled = form.enabled === "true" || form.enabled === "on";
  const friendReward = reward(form, "friend", errors);
  const referrerReward = reward(form, "referrer", errors);
  if (enabled && !referrerReward && !errors.referrerRewardKind && !errors.referrerRewardValue) errors.referrerRewardKind = "required";

  const minimum = decimal((form.minimumOrderAmount ?? "").trim() || "0", REFERRAL_LIMITS.maxMinimum);
  if (isError(minimum)) errors.minimumOrderAmount = minimum;

  const capText = (form.monthlyCapPerReferrer ?? "").trim();
  let monthlyCapPerReferrer: number | null = null;
  if (capText) {
    const cap = wholeNumber(capText, 1, REFERRAL_LIMITS.maxMonthlyCap);
    if (typeof cap === "number") monthlyCapPerReferrer = cap;
    else errors.monthlyCapPerReferrer = cap;
  }

  const daysText = (form.pendingDays ?? "").trim();
  let pendingDays = 0;
  if (!daysText) errors.pendingDays = "required";
  else {
    const days = wholeNumber(daysText, 0, REFERRAL_LIMITS.maxPendingDays);
    if (typeof days === "number") pendingDays = days;
    else errors.pendingDays = days;
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, values: { enabled, friendReward, referrerReward, minimumOrderAmount: minimum, monthlyCapPerReferrer, pendingDays } };
}
