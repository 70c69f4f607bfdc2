// VIP tiers: pure rules (docs/decisions/022). Which tier a progress value reaches, the periods
// progress is counted over and their keys, which entry rewards a change owes, the points multiplier,
// and the validation of the merchant's settings. No I/O; field errors are codes, worded at the edge.
import { amountsNeedReview } from "~/domain/currency";
import { addMonths, formatMilli, parseMilli, type Milli } from "~/domain/points";
import { checkRewardValue } from "~/domain/rewards/options";
import { characterCount } from "~/domain/text";

export const VIP_BASES = ["POINTS_EARNED", "AMOUNT_SPENT"] as const;
export type VipBasis = (typeof VIP_BASES)[number];
export const VIP_PERIODS = ["LIFETIME", "CALENDAR_YEAR", "ROLLING_12_MONTHS"] as const;
export type VipPeriod = (typeof VIP_PERIODS)[number];
export const SKIPPED_TIER_REWARDS = ["ALL", "HIGHEST"] as const;
export type SkippedTierRewards = (typeof SKIPPED_TIER_REWARDS)[number];

/** Why a tier changed; the words are app-authored (no personal data), see `changeReasonText`. */
export const VIP_CHANGE_REASONS = ["THRESHOLD_REACHED", "PERIOD_ENDED", "TIERS_CHANGED"] as const;
export type VipChangeReason = (typeof VIP_CHANGE_REASONS)[number];
export type VipDirection = "UP" | "DOWN";

export interface VipProgramValues {
  enabled: boolean;
  basis: VipBasis;
  period: VipPeriod;
  skippedTierRewards: SkippedTierRewards;
}

export const DEFAULT_VIP_PROGRAM: VipProgramValues = { enabled: false, basis: "POINTS_EARNED", period: "LIFETIME", skippedTierRewards: "ALL" };

const pick = <T extends string>(choices: readonly T[], value: unknown, fallback: T): T => (choices.includes(value as T) ? (value as T) : fallback);

export function vipProgramFromRow(row: Partial<Record<keyof VipProgramValues, unknown>> | null | undefined): VipProgramValues {
  if (!row) return { ...DEFAULT_VIP_PROGRAM };
  return {
    enabled: row.enabled === true,
    basis: pick(VIP_BASES, row.basis, "POINTS_EARNED"),
    period: pick(VIP_PERIODS, row.period, "LIFETIME"),
    skippedTierRewards: pick(SKIPPED_TIER_REWARDS, row.skippedTierRewards, "ALL"),
  };
}

/** A tier as the rules see it; `threshold` in thousandths (points or shop currency). */
export interface TierRule {
  id: string;
  name: string;
  threshold: Milli;
}

/** Tiers ordered by threshold, lowest first (the order every other function expects). */
export function orderTiers<T extends TierRule>(tiers: readonly T[]): T[] {
  return [...tiers].sort((a, b) => (a.threshold < b.threshold ? -1 : a.threshold > b.threshold ? 1 : a.id.localeCompare(b.id)));
}

/** Index of the highest tier whose threshold `progress` reaches; -1 = no tier. `tiers` ordered. */
export function tierIndexFor(tiers: readonly TierRule[], progress: Milli): number {
  let index = -1;
  for (let i = 0; i < tiers.length; i++) if (progress >= tiers[i]!.threshold) index = i;
  return index;
}

/**
 * The tiers a move from index `from` up to index `to` enters, whose entry rewards are owed:
 * every tier passed (ALL) or only the one reached (HIGHEST). Nothing when not a move up.
 */
export function enteredTiers<T extends TierRule>(tiers: readonly T[], from: number, to: number, option: SkippedTierRewards): T[] {
  if (to <= from || to < 0) return [];
  const passed = tiers.slice(Math.max(0, from + 1), to + 1);
  return option === "HIGHEST" ? passed.slice(-1) : passed;
}

/** An entry reward a customer was owed before: the tier, and when the move that owed it happened. */
export interface EarlierEntryReward {
  tierId: string;
  at: Date;
}

/**
 * Of the tiers a move at `now` enters (`entered`, ids), those whose entry reward is still owed given
 * the customer's earlier ones: once per period. Lifetime: once ever. Calendar year: once per UTC year
 * (a tier lost on 1 January and entered again that year earns it again). Rolling 12 months: at most
 * once in any 12 months — the period key is the month (the window moves monthly), so without this a
 * customer who lost a tier at a month's re-check and entered it again a month later was rewarded again.
 * Earlier rewards are judged by the current period, whatever period the program had then.
 */
export function entryRewardsStillOwed(period: VipPeriod, entered: readonly string[], earlier: readonly EarlierEntryReward[], now: Date): string[] {
  const samePeriod = (at: Date) => (period === "ROLLING_12_MONTHS" ? at.getTime() > addMonths(now, -12).getTime() : periodKey(period, at) === periodKey(period, now));
  return entered.filter((tierId) => !earlier.some((e) => e.tierId === tierId && samePeriod(e.at)));
}

/** What a tier's threshold was typed as: its basis, and the shop's currency when typed as an amount. */
export interface TypedThreshold {
  /** POINTS_EARNED | AMOUNT_SPENT; null: not known (saved before it was kept), read as the program's. */
  thresholdBasis: string | null;
  amountCurrency: string | null;
}

/**
 * Whether a tier's threshold is under review (docs/decisions/015 and 022): typed as another basis than
 * the program's now — points counted as money, or money counted as points, after the merchant
 * switched the basis — or, on "amount spent", saved in another currency than the shop sells in now
 * (amountsNeedReview, the one currency rule). Until the merchant confirms it (or saves the tier
 * again), no customer moves by it, its "more to" is not shown and its entry reward waits.
 */
export function thresholdNeedsReview(tier: TypedThreshold, basis: VipBasis, shopCurrency: string): boolean {
  if (tier.thresholdBasis !== null && tier.thresholdBasis !== basis) return true;
  return basis === "AMOUNT_SPENT" && amountsNeedReview(tier.amountCurrency, shopCurrency);
}

/** How the review banner names what a threshold under review was saved in: the other basis, or its currency. */
export function thresholdSavedIn(tier: TypedThreshold, basis: VipBasis): string {
  if (tier.thresholdBasis !== null && tier.thresholdBasis !== basis) return tier.thresholdBasis === "POINTS_EARNED" ? "points earned" : "amount spent";
  return tier.amountCurrency ?? "";
}

/** What a tier saved (or confirmed) now is typed as: the program's basis, and the currency only for an amount. */
export function typedThreshold(basis: VipBasis, currency: string): { thresholdBasis: VipBasis; amountCurrency: string | null } {
  return { thresholdBasis: basis, amountCurrency: basis === "AMOUNT_SPENT" ? currency : null };
}

/** The next tier above `progress` and how much is left to reach it (null at the top). */
export function nextTier<T extends TierRule>(tiers: readonly T[], progress: Milli): { tier: T; remaining: Milli } | null {
  const next = tiers.find((t) => t.threshold > progress);
  return next ? { tier: next, remaining: next.threshold - progress } : null;
}

/**
 * The key of the period an entry belongs to: an entry reward is owed once per customer, tier and
 * period key. Lifetime: one period. Calendar year: the UTC year. Rolling 12 months: the UTC month
 * (the window moves each month and tiers are re-checked at each month's start).
 */
export function periodKey(period: VipPeriod, at: Date): string {
  if (period === "LIFETIME") return "lifetime";
  const year = at.getUTCFullYear();
  if (period === "CALENDAR_YEAR") return String(year);
  return `${year}-${String(at.getUTCMonth() + 1).padStart(2, "0")}`;
}

/**
 * The windows whose progress keeps or earns a tier at `at` (start inclusive, end exclusive; null =
 * unbounded): the tier held is the best any window reaches. A calendar-year tier is kept through the
 * following year (last year's progress counts until the year ends), so downgrades happen only when a
 * period ends; rolling 12 months counts the last 12 months.
 */
export function progressWindows(period: VipPeriod, at: Date): { from: Date | null; to: Date | null }[] {
  if (period === "LIFETIME") return [{ from: null, to: null }];
  if (period === "CALENDAR_YEAR") {
    const year = at.getUTCFullYear();
    const start = new Date(Date.UTC(year, 0, 1));
    return [
      { from: new Date(Date.UTC(year - 1, 0, 1)), to: start },
      { from: start, to: null },
    ];
  }
  return [{ from: addMonths(at, -12), to: null }];
}

/** The start of the period `at` is in (null for lifetime): when a period-end re-evaluation is due. */
export function periodStart(period: VipPeriod, at: Date): Date | null {
  if (period === "LIFETIME") return null;
  if (period === "CALENDAR_YEAR") return new Date(Date.UTC(at.getUTCFullYear(), 0, 1));
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** A period-end re-evaluation is due when the period changed since the last one started. */
export function periodEndDue(period: VipPeriod, lastPeriodKey: string | null, at: Date): boolean {
  if (period === "LIFETIME") return false;
  return lastPeriodKey !== null && lastPeriodKey !== periodKey(period, at);
}

export type EvaluationMode = "UP_ONLY" | "UP_AND_DOWN";

/**
 * What to do for one customer: held index `current`, reached index `target`. Orders only move up;
 * a period end or a change of the tiers moves both ways. Null = no change.
 */
export function decideChange(current: number, target: number, mode: EvaluationMode): VipDirection | null {
  if (target > current) return "UP";
  if (target < current && mode === "UP_AND_DOWN") return "DOWN";
  return null;
}

/** The app-authored reason for a change (no personal data: tier names and the period only). */
export function changeReasonText(input: { reason: VipChangeReason; direction: VipDirection; toTierName: string | null; basis: VipBasis; period: VipPeriod }): string {
  const what = input.basis === "POINTS_EARNED" ? "points earned" : "amount spent";
  const over = input.period === "LIFETIME" ? "in total" : input.period === "CALENDAR_YEAR" ? "this calendar year or last" : "in the last 12 months";
  const to = input.toTierName ?? "no tier";
  switch (input.reason) {
    case "THRESHOLD_REACHED":
      return `Reached ${to}: ${what} ${over} met its threshold`;
    case "PERIOD_ENDED":
      return input.direction === "DOWN" ? `Period ended: ${what} ${over} no longer meet the tier's threshold, now ${to}` : `Period re-check: now ${to}`;
    case "TIERS_CHANGED":
      return `The merchant changed the tiers: ${what} ${over} now qualify for ${to}`;
  }
}

// ---- the points multiplier ------------------------------------------------------------------------

export const MULTIPLIER_LIMITS = { min: 1, max: 10 } as const;

/** Points earned × the tier's multiplier (decimal text, ≤ 2 decimals), rounded down; 1 when unreadable. */
export function applyMultiplier(points: number, multiplier: string | null | undefined): number {
  const m = parseMilli(multiplier ?? "1");
  if (m === null || m < 1000n || m > 10_000n) return points;
  return Number((BigInt(points) * m) / 1000n);
}

// ---- validation of the merchant's forms -------------------------------------------------------------

export const VIP_LIMITS = { nameMaxLength: 40, perkMaxLength: 200, maxTiers: 10, maxThreshold: 100_000_000n * 1000n } as const;

export type VipFieldErrorCode = "required" | "too_long" | "not_a_number" | "out_of_range" | "too_many_decimals" | "invalid_choice" | "not_increasing" | "duplicate";

export function validateVipProgram(form: Partial<Record<keyof VipProgramValues, string | undefined>>):
  | { ok: true; values: VipProgramValues }
  | { ok: false; errors: Partial<Record<keyof VipProgramValues, VipFieldErrorCode>> } {
  const errors: Partial<Record<keyof VipProgramValues, VipFieldErrorCode>> = {};
  if (!VIP_BASES.includes(form.basis as VipBasis)) errors.basis = "invalid_choice";
  if (!VIP_PERIODS.includes(form.period as VipPeriod)) errors.period = "invalid_choice";
  if (!SKIPPED_TIER_REWARDS.includes(form.skippedTierRewards as SkippedTierRewards)) errors.skippedTierRewards = "invalid_choice";
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    values: {
      enabled: form.enabled === "on" || form.enabled === "true",
      basis: form.basis as VipBasis,
      period: form.period as VipPeriod,
      skippedTierRewards: form.skippedTierRewards as SkippedTierRewards,
    },
  };
}

export interface TierForm {
  name?: string;
  threshold?: string;
  pointsMultiplier?: string;
  perkText?: string;
  entryRewardTemplateId?: string;
}

export interface TierValues {
  name: string;
  /** Canonical decimal text. */
  threshold: string;
  pointsMultiplier: string;
  perkText: string | null;
  entryRewardTemplateId: string | null;
}

export type TierField = keyof TierForm;

function decimalField(text: string, maxDecimals: number): { value: Milli } | { error: VipFieldErrorCode } {
  if (text === "") return { error: "required" };
  if (new RegExp(`^\\d+\\.\\d{${maxDecimals + 1},}$`).test(text)) return { error: "too_many_decimals" };
  const fraction = maxDecimals > 0 ? `(\\.\\d{1,${maxDecimals}})?` : "";
  if (!new RegExp(`^\\d{1,12}${fraction}$`).test(text)) return { error: "not_a_number" };
  return { value: parseMilli(text)! };
}

/**
 * One tier of the form. `others` are the shop's other tiers (ordered or not): the new threshold must
 * differ from theirs (tiers are strictly increasing) and the name must be unique. Points thresholds
 * are whole numbers; amounts take up to 2 decimals.
 */
export function validateTier(
  form: TierForm,
  basis: VipBasis,
  others: readonly { name: string; threshold: Milli }[],
): { ok: true; values: TierValues; threshold: Milli } | { ok: false; errors: Partial<Record<TierField, VipFieldErrorCode>> } {
  const errors: Partial<Record<TierField, VipFieldErrorCode>> = {};
  // Composed (NFC) as the admin's search reads text: "Café" typed with a combining accent is the same
  // name as "Café", stored once, and its length is counted in characters (characterCount).
  const name = (form.name ?? "").normalize("NFC").trim();
  if (name === "") errors.name = "required";
  else if (characterCount(name) > VIP_LIMITS.nameMaxLength) errors.name = "too_long";
  else if (others.some((o) => o.name.normalize("NFC").trim().toLowerCase() === name.toLowerCase())) errors.name = "duplicate";

  const thresholdText = (form.threshold ?? "").trim();
  const threshold = decimalField(thresholdText, basis === "POINTS_EARNED" ? 0 : 2);
  if ("error" in threshold) errors.threshold = threshold.error;
  else if (threshold.value <= 0n || threshold.value > VIP_LIMITS.maxThreshold) errors.threshold = "out_of_range";
  else if (others.some((o) => o.threshold === threshold.value)) errors.threshold = "not_increasing";

  const multiplierText = (form.pointsMultiplier ?? "").trim() || "1";
  const multiplier = decimalField(multiplierText, 2);
  if ("error" in multiplier) errors.pointsMultiplier = multiplier.error;
  else if (multiplier.value < BigInt(MULTIPLIER_LIMITS.min) * 1000n || multiplier.value > BigInt(MULTIPLIER_LIMITS.max) * 1000n) errors.pointsMultiplier = "out_of_range";

  const perk = (form.perkText ?? "").normalize("NFC").trim();
  if (characterCount(perk) > VIP_LIMITS.perkMaxLength) errors.perkText = "too_long";

  if (Object.keys(errors).length > 0 || "error" in threshold || "error" in multiplier) return { ok: false, errors };
  const template = (form.entryRewardTemplateId ?? "").trim();
  return {
    ok: true,
    threshold: threshold.value,
    values: {
      name,
      threshold: canonical(threshold.value),
      pointsMultiplier: canonical(multiplier.value),
      perkText: perk === "" ? null : perk,
      entryRewardTemplateId: template === "" ? null : template,
    },
  };
}

/** "120.500" → "120.5", "3.000" → "3". */
export function canonical(milli: Milli): string {
  return formatMilli(milli).replace(/\.$/, "").replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}

/** The threshold of a stored tier (unreadable text never reaches: it was validated; it then sorts last). */
export function storedThreshold(text: string): Milli {
  return parseMilli(text) ?? VIP_LIMITS.maxThreshold * 10n;
}

/** A progress or threshold for people: points whole, amounts with 2 decimals. */
export function formatProgress(milli: Milli, basis: VipBasis): string {
  if (basis === "POINTS_EARNED") return (milli / 1000n).toString();
  const cents = (milli + (milli >= 0n ? 5n : -5n)) / 10n;
  const abs = cents < 0n ? -cents : cents;
  return `${cents < 0n ? "-" : ""}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}

/** The idempotency key of a tier's entry reward: once per customer, tier and period. */
export function entryRewardKey(customerId: string, tierId: string, key: string): string {
  return `vip:${customerId}:${tierId}:${key}`;
}

// ---- entry rewards the merchant creates on the VIP page ---------------------------------------------

export const ENTRY_REWARD_KINDS = ["FIXED_AMOUNT", "PERCENTAGE", "FREE_SHIPPING"] as const;
export type EntryRewardKind = (typeof ENTRY_REWARD_KINDS)[number];
export type EntryRewardField = "rewardKind" | "rewardValue" | "rewardExpiryDays";

export interface EntryRewardValues {
  kind: EntryRewardKind;
  /** Decimal text: an amount in shop currency, a percentage 1–100, or "0" for free shipping. */
  value: string;
  expiryDays: number | null;
}

/** A VIP_TIER_ENTRY reward typed on the VIP page: amount off, percentage off or free shipping. */
export function validateEntryReward(form: Partial<Record<EntryRewardField, string>>): { ok: true; values: EntryRewardValues } | { ok: false; errors: Partial<Record<EntryRewardField, VipFieldErrorCode>> } {
  const errors: Partial<Record<EntryRewardField, VipFieldErrorCode>> = {};
  const kind = form.rewardKind as EntryRewardKind;
  if (!ENTRY_REWARD_KINDS.includes(kind)) errors.rewardKind = "invalid_choice";
  let value = "0";
  if (kind === "FIXED_AMOUNT" || kind === "PERCENTAGE") {
    // The one rule of a reward's value (Ways to redeem's, Referrals' too), in this form's codes.
    const parsed = decimalField((form.rewardValue ?? "").trim(), 2);
    const checked = checkRewardValue(kind === "PERCENTAGE" ? "percentage" : "amount", form.rewardValue);
    if ("error" in parsed) errors.rewardValue = parsed.error;
    else if (!checked.ok) errors.rewardValue = "out_of_range";
    else value = kind === "PERCENTAGE" ? canonical(parsed.value) : formatMilli(parsed.value);
  }
  const expiryText = (form.rewardExpiryDays ?? "").trim();
  let expiryDays: number | null = null;
  if (expiryText !== "") {
    if (!/^\d{1,4}$/.test(expiryText)) errors.rewardExpiryDays = "not_a_number";
    else if (Number(expiryText) < 1 || Number(expiryText) > 3650) errors.rewardExpiryDays = "out_of_range";
    else expiryDays = Number(expiryText);
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, values: { kind, value, expiryDays } };
}
