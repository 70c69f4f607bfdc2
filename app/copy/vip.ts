// The words of the VIP tiers admin (codes from app/domain/vip and app/services/vip/admin.server.ts).

import { VIP_LIMITS } from "~/domain/vip";
import { REWARD_VALUE_OUT_OF_RANGE } from "./admin";

export const VIP_BASIS_LABELS: Record<string, string> = { POINTS_EARNED: "Points earned", AMOUNT_SPENT: "Amount spent" };
export const VIP_PERIOD_LABELS: Record<string, string> = {
  LIFETIME: "Lifetime (tiers are never lost)",
  CALENDAR_YEAR: "Calendar year (kept through the next year)",
  ROLLING_12_MONTHS: "Rolling 12 months (checked each month)",
};
export const VIP_SKIPPED_LABELS: Record<string, string> = {
  ALL: "Give every skipped tier's entry reward",
  HIGHEST: "Give only the highest tier's entry reward",
};
export const VIP_REASON_LABELS: Record<string, string> = {
  THRESHOLD_REACHED: "Threshold reached",
  PERIOD_ENDED: "Period ended",
  TIERS_CHANGED: "Tiers changed",
};

export const VIP_PROGRAM_SAVED = "VIP settings saved";
export const VIP_TIER_SAVED = "Tier saved";
export const VIP_TIER_DELETED = "Tier deleted";
/** Refusing a new tier past the limit (VIP_LIMITS.maxTiers, app/domain/vip). */
export const VIP_TIER_LIMIT = `A program has at most ${VIP_LIMITS.maxTiers} tiers.`;
export const VIP_ENTRY_REWARD_CREATED = (name: string) => `Reward “${name}” created`;
export const ENTRY_REWARD_KIND_LABELS: Record<string, string> = { FIXED_AMOUNT: "Amount off", PERCENTAGE: "Percentage off", FREE_SHIPPING: "Free shipping" };

/** One sentence per field error, naming what to do. */
export function vipFieldError(field: string, code: string, basis: string): string {
  switch (code) {
    case "required":
      return field === "name" ? "Enter a name for the tier." : field === "threshold" ? "Enter the threshold that puts a customer in this tier." : "This field is required.";
    case "too_long":
      return field === "perkText" ? "Use 200 characters or fewer." : "Use 40 characters or fewer.";
    case "duplicate":
      return "Another tier already has this name.";
    case "not_increasing":
      return "Another tier already has this threshold: each tier needs a higher threshold than the one below it.";
    case "too_many_decimals":
      return field === "threshold" && basis === "POINTS_EARNED" ? "Enter a whole number of points." : "Use at most 2 decimals.";
    case "not_a_number":
      return "Enter a number.";
    case "out_of_range":
      if (field === "pointsMultiplier") return "Enter a multiplier from 1 to 10.";
      if (field === "rewardValue") return REWARD_VALUE_OUT_OF_RANGE;
      if (field === "rewardExpiryDays") return "Enter a number of days from 1 to 3,650, or leave it empty for no expiry.";
      if (field === "name") return VIP_TIER_LIMIT;
      return "Enter a number greater than 0.";
    case "invalid_choice":
      return "Choose one of the options.";
    case "not_found":
      return "This reward doesn't exist any more. Choose another one.";
    case "wrong_purpose":
      return "Choose a reward made for VIP tier entry.";
    default:
      return "Enter a valid value.";
  }
}
