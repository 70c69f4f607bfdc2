// The merchant's referral program settings: values, defaults and validation with one error code
// per field (words in app/copy/referrals.ts).
import { parseMilli } from "~/domain/points/earning";

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

export type ReferralSettingsField = keyof ReferralSettingsValues;
export type ReferralSettingsErrorCode = "required" | "not_a_number" | "out_of_range" | "too_many_decimals" | "unknown_template";
export type ReferralSettingsErrors = Partial<Record<ReferralSettingsField, ReferralSettingsErrorCode>>;

export function referralSettingsFromRow(row: Partial<ReferralSettingsValues> | null | undefined): ReferralSettingsValues {
  return { ...DEFAULT_REFERRAL_SETTINGS, ...(row ?? {}) };
}

function wholeNumber(text: string, min: number, max: number): number | ReferralSettingsErrorCode {
  if (!/^\d+$/.test(text)) return "not_a_number";
  const n = Number(text);
  return n < min || n > max ? "out_of_range" : n;
}

/**
 * The form's text fields → values, or an error per field. `templateIds` are the shop's active
 * REFERRAL templates; a program that is on needs at least the referrer's reward.
 */
export function validateReferralSettings(
  form: Record<string, string | undefined>,
  templateIds: readonly string[],
): { ok: true; values: ReferralSettingsValues } | { ok: false; errors: ReferralSettingsErrors } {
  const errors: ReferralSettingsErrors = {};
  const enabled = form.enabled === "true" || form.enabled === "on";
  const template = (field: "friendTemplateId" | "referrerTemplateId"): string | null => {
    const id = (form[field] ?? "").trim();
    if (!id) return null;
    if (!templateIds.includes(id)) errors[field] = "unknown_template";
    return id;
  };
  const friendTemplateId = template("friendTemplateId");
  const referrerTemplateId = template("referrerTemplateId");
  if (enabled && !referrerTemplateId && !errors.referrerTemplateId) errors.referrerTemplateId = "required";

  const minimumText = (form.minimumOrderAmount ?? "").trim() || "0";
  let minimumOrderAmount = "0";
  if (!/^\d+(\.\d+)?$/.test(minimumText)) errors.minimumOrderAmount = "not_a_number";
  else if (!/^\d+(\.\d{1,2})?$/.test(minimumText)) errors.minimumOrderAmount = "too_many_decimals";
  else if ((parseMilli(minimumText) ?? 0n) > BigInt(REFERRAL_LIMITS.maxMinimum) * 1000n) errors.minimumOrderAmount = "out_of_range";
  else minimumOrderAmount = minimumText;

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
  return { ok: true, values: { enabled, friendTemplateId, referrerTemplateId, minimumOrderAmount, monthlyCapPerReferrer, pendingDays } };
}
