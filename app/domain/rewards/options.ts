// Redemption options ("Ways to redeem"): what a merchant may set up, and what a customer may choose.
// Pure rules: the form's fields are checked here and answered with one error CODE per field (the
// words are app/copy/admin.ts: OPTION_ERROR_MESSAGES); the variable "points for amount off" rules
// (range, step, value for the points) live here too, so the admin, the storefront and the redeem
// use-case read one definition. docs/decisions/020-ways-to-redeem.md.
import { kindTraits, type RewardKind } from "./kinds";
import { isRewardKind } from "./statuses";
import { isShopifyGid } from "../shopify-ids";

/** Where an amount-off / percentage-off code applies (RewardTemplate.appliesTo). */
export const APPLIES_TO = ["ALL", "PRODUCTS", "COLLECTIONS"] as const;
export type AppliesTo = (typeof APPLIES_TO)[number];

/** A restriction names at most this many products or collections (one form, one discount). */
export const MAX_APPLIES_TO_IDS = 20;
/** Bounds on numbers a merchant types (a points program, not a bank). */
export const MAX_POINTS = 10_000_000;
export const MAX_EXPIRY_DAYS = 3650;
export const MAX_OPTION_NAME = 100;
/** Shopify's DiscountCodeBasicInput takes a Decimal; amounts stay below this to stay sane. */
export const MAX_REWARD_AMOUNT = 1_000_000;
/**
 * Shopify: "You can only issue store credit amounting to less than $15,000 USD on a single customer
 * account" (https://help.shopify.com/en/manual/customers/store-credit, considerations); past it
 * storeCreditAccountCredit answers CREDIT_LIMIT_EXCEEDED. So one store credit reward is worth less
 * than this even on an empty account. Taken as the same number in the shop's currency (no rates).
 */
export const STORE_CREDIT_LIMIT = 15_000;

export type OptionField =
  | "name"
  | "kind"
  | "pointsCost"
  | "value"
  | "minimumSubtotal"
  | "expiryDays"
  | "productId"
  | "variantId"
  | "appliesTo"
  | "appliesToIds"
  | "pointsMin"
  | "pointsMax"
  | "pointsStep";

export type OptionErrorCode =
  | "required"
  | "too_long"
  | "unknown_kind"
  | "whole_number"
  | "positive_whole_number"
  | "too_large"
  | "positive_amount"
  | "amount_format"
  | "percentage_range"
  | "product_required"
  | "product_id_format"
  | "variant_id_format"
  | "product_not_found"
  | "variant_not_in_product"
  | "restriction_not_for_kind"
  | "restriction_ids_required"
  | "restriction_id_format"
  | "restriction_too_many"
  | "collection_not_found"
  | "variable_not_for_kind"
  | "min_above_max"
  | "step_not_dividing_range"
  | "value_too_small_for_min"
  | "gift_cards_unavailable"
  | "gift_card_over_limit"
  | "store_credit_over_limit";

export type OptionFieldErrors = Partial<Record<OptionField, OptionErrorCode>>;

export interface VariablePoints {
  /** Fewest points a customer may convert at once. */
  min: number;
  /** Most points a customer may convert at once. */
  max: number;
  /** The customer chooses min, min + step, …, max. */
  step: number;
}

/** A redemption option as the merchant set it up, checked. */
export interface RedemptionOptionDraft {
  name: string;
  kind: RewardKind;
  /** Fixed options: the points it costs. Variable options: the points that buy `value` (the rate). */
  pointsCost: number;
  /** Decimal text: an amount in shop currency, a percentage 1–100, "0" for kinds without a value. */
  value: string;
  minimumSubtotal: string | null;
  expiryDays: number | null;
  productId: string | null;
  variantId: string | null;
  appliesTo: AppliesTo;
  appliesToIds: string[];
  variable: VariablePoints | null;
  active: boolean;
}

/** The form, as text (FormData values); missing fields are undefined. */
export type OptionFormInput = Partial<Record<OptionField | "variable" | "active", string | undefined>>;

// The shape of what a merchant types; how large it may be is checked apart (`tooManyDigits`, the
// limits), so a well-formed number too large to hold is told it is too large, not malformed.
const AMOUNT = /^\d+(\.\d{1,2})?$/;
const PERCENT = /^\d{1,3}(\.\d{1,2})?$/;
const INTEGER = /^\d+$/;
/** Digits before the decimal point an amount may have (9,999,999.99), and a whole number (999,999,999). */
const AMOUNT_DIGITS = 7;
const INTEGER_DIGITS = 9;

/** Whether the whole part of a well-formed number (leading zeros aside) has more than `digits` digits. */
function tooManyDigits(text: string, digits: number): boolean {
  return text.split(".")[0]!.replace(/^0+(?=\d)/, "").length > digits;
}
// Product, variant and collection ids are read by the app's one reader of Shopify ids (isShopifyGid,
// app/domain/shopify-ids.ts), as the template check reads them (settings.ts): a pattern of its own
// here disagreed with that one (21 digits) and took ids no Shopify resource has (0, beyond 64 bits).
const restrictionType = (appliesTo: AppliesTo) => (appliesTo === "PRODUCTS" ? "Product" : "Collection");

/** Kinds whose code can be limited to products or collections (amount off, percentage off). */
export function canLimitToItems(kind: RewardKind): boolean {
  return kindTraits(kind).shopifyObject === "discount" && kindTraits(kind).value !== "none";
}

/** Kinds a customer may buy with a chosen number of points: those whose value is an amount. */
export function canBeVariable(kind: RewardKind): boolean {
  return kindTraits(kind).value === "amount";
}

/** "1.50" → 150 (valid amounts only). */
function cents(amount: string): number {
  const [whole, fraction = ""] = amount.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

function fromCents(value: number): string {
  return `${Math.floor(value / 100)}.${String(value % 100).padStart(2, "0")}`;
}

/**
 * Reward value for `points` of a variable option: `points / pointsCost × value`, rounded down to the
 * cent (the customer never gets more than the rate promises). Integer arithmetic, no floats.
 */
export function variableValue(option: { pointsCost: number; value: string }, points: number): string {
  return fromCents(Math.floor((points * cents(option.value)) / option.pointsCost));
}

export type PointsChoiceError = "not_a_whole_number" | "below_minimum" | "above_maximum" | "off_step";

/** Whether `points` is a choice the option allows (min ≤ points ≤ max, on a step from min). */
export function checkPointsChoice(variable: VariablePoints, points: unknown): { ok: true; points: number } | { ok: false; error: PointsChoiceError } {
  if (typeof points !== "number" || !Number.isSafeInteger(points)) return { ok: false, error: "not_a_whole_number" };
  if (points < variable.min) return { ok: false, error: "below_minimum" };
  if (points > variable.max) return { ok: false, error: "above_maximum" };
  if ((points - variable.min) % variable.step !== 0) return { ok: false, error: "off_step" };
  return { ok: true, points };
}

/** The template columns of a variable option, or null for a fixed one (all three set, or none). */
export function variableOf(template: { pointsMin: number | null; pointsMax: number | null; pointsStep: number | null }): VariablePoints | null {
  const { pointsMin: min, pointsMax: max, pointsStep: step } = template;
  if (min === null || max === null || step === null) return null;
  return { min, max, step };
}

/**
 * RewardTemplate.appliesTo/appliesToIds as stored → typed. null when a restriction is stored but its
 * list can't be read: the option must then not be offered (never silently widened to the whole order).
 */
export function parseAppliesTo(appliesTo: string, ids: string): { appliesTo: AppliesTo; ids: string[] } | null {
  if (appliesTo === "ALL") return { appliesTo: "ALL", ids: [] };
  if (appliesTo !== "PRODUCTS" && appliesTo !== "COLLECTIONS") return null;
  try {
    const parsed: unknown = JSON.parse(ids);
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((id) => isShopifyGid(id, restrictionType(appliesTo)))) {
      return { appliesTo, ids: parsed as string[] };
    }
  } catch {
    // Falls through: unreadable.
  }
  return null;
}

function positiveInt(raw: string | undefined, field: OptionField, errors: OptionFieldErrors, max = MAX_POINTS): number | null {
  const text = raw?.trim() ?? "";
  if (text === "") {
    errors[field] = "required";
    return null;
  }
  if (!INTEGER.test(text) || Number(text) < 1) {
    errors[field] = "positive_whole_number";
    return null;
  }
  if (tooManyDigits(text, INTEGER_DIGITS) || Number(text) > max) {
    errors[field] = "too_large";
    return null;
  }
  return Number(text);
}

function ids(raw: string | undefined): string[] {
  return [...new Set((raw ?? "").split(/[\s,]+/).filter(Boolean))];
}

export type RewardValueError = "required" | "amount_format" | "positive_amount" | "too_large" | "percentage_range" | "store_credit_over_limit";

/**
 * A reward's value as a merchant types it, for every form that defines a reward (Ways to redeem,
 * Referrals, VIP entry rewards): a percentage from 1 to 100, or an amount above 0 and up to
 * MAX_REWARD_AMOUNT; at most 2 decimals; for store credit (`kind`), below STORE_CREDIT_LIMIT. The
 * trimmed text when valid.
 */
export function checkRewardValue(
  valueKind: "amount" | "percentage",
  raw: string | undefined,
  kind?: RewardKind,
): { ok: true; value: string } | { ok: false; error: RewardValueError } {
  const text = raw?.trim() ?? "";
  if (!text) return { ok: false, error: "required" };
  if (valueKind === "percentage") {
    return !PERCENT.test(text) || Number(text) < 1 || Number(text) > 100 ? { ok: false, error: "percentage_range" } : { ok: true, value: text };
  }
  if (!AMOUNT.test(text)) return { ok: false, error: "amount_format" };
  if (tooManyDigits(text, AMOUNT_DIGITS)) return { ok: false, error: "too_large" };
  if (cents(text) <= 0) return { ok: false, error: "positive_amount" };
  if (cents(text) > MAX_REWARD_AMOUNT * 100) return { ok: false, error: "too_large" };
  if (kind === "STORE_CREDIT" && cents(text) >= STORE_CREDIT_LIMIT * 100) return { ok: false, error: "store_credit_over_limit" };
  return { ok: true, value: text };
}

/**
 * What the form's rules need to know about the shop.
 * - `giftCards`: whether the shop can issue gift cards (Shopify's plan/country feature).
 * - `giftCardIssueLimitCents`: the most one issued gift card may be worth, in cents of the shop's
 *   currency (GiftCardConfiguration.issueLimit: "The issue limit for gift cards in the default shop
 *   currency", 2026-10 schema; Shopify refuses issued cards above $2,000 USD or equivalent,
 *   https://shopify.dev/changelog/update-new-maximum-value-for-gift-cards). Absent: not known.
 */
export interface OptionShop {
  giftCards: boolean;
  giftCardIssueLimitCents?: number | null;
}

/**
 * Checks a "Ways to redeem" form. Every field gets its own error code, so the form can show them all
 * at once. Product and collection EXISTENCE is checked by the use-case against Shopify; this checks shapes.
 */
export function parseRedemptionOption(
  input: OptionFormInput,
  shop: OptionShop,
): { ok: true; draft: RedemptionOptionDraft } | { ok: false; errors: OptionFieldErrors } {
  const errors: OptionFieldErrors = {};
  const name = input.name?.trim() ?? "";
  if (!name) errors.name = "required";
  else if (name.length > MAX_OPTION_NAME) errors.name = "too_long";

  const kindText = input.kind?.trim() ?? "";
  const kind = isRewardKind(kindText) ? kindText : null;
  if (!kind) errors.kind = kindText ? "unknown_kind" : "required";
  else if (kind === "GIFT_CARD" && !shop.giftCards) errors.kind = "gift_cards_unavailable";

  const pointsCost = positiveInt(input.pointsCost, "pointsCost", errors);
  const traits = kind ? kindTraits(kind) : null;

  let value = "0";
  if (traits && traits.value !== "none") {
    const checked = checkRewardValue(traits.value, input.value, kind ?? undefined);
    if (checked.ok) value = checked.value;
    else errors.value = checked.error;
  }

  const minimumText = input.minimumSubtotal?.trim() ?? "";
  let minimumSubtotal: string | null = null;
  if (minimumText) {
    if (!AMOUNT.test(minimumText)) errors.minimumSubtotal = "amount_format";
    else if (tooManyDigits(minimumText, AMOUNT_DIGITS)) errors.minimumSubtotal = "too_large";
    else if (cents(minimumText) <= 0) errors.minimumSubtotal = "positive_amount";
    else minimumSubtotal = minimumText;
  }

  const expiryText = input.expiryDays?.trim() ?? "";
  const expiryDays = expiryText ? positiveInt(expiryText, "expiryDays", errors, MAX_EXPIRY_DAYS) : null;

  let productId: string | null = null;
  let variantId: string | null = null;
  if (traits?.needsProduct) {
    const product = input.productId?.trim() ?? "";
    const variant = input.variantId?.trim() ?? "";
    if (!product) errors.productId = "product_required";
    else if (!isShopifyGid(product, "Product")) errors.productId = "product_id_format";
    else productId = product;
    if (variant && !isShopifyGid(variant, "ProductVariant")) errors.variantId = "variant_id_format";
    else if (variant) variantId = variant;
  }

  const appliesText = input.appliesTo?.trim() || "ALL";
  let appliesTo: AppliesTo = "ALL";
  let appliesToIds: string[] = [];
  if (!(APPLIES_TO as readonly string[]).includes(appliesText)) errors.appliesTo = "required";
  else if (appliesText !== "ALL") {
    if (kind && !canLimitToItems(kind)) errors.appliesTo = "restriction_not_for_kind";
    else {
      appliesTo = appliesText as AppliesTo;
      appliesToIds = ids(input.appliesToIds);
      if (appliesToIds.length === 0) errors.appliesToIds = "restriction_ids_required";
      else if (appliesToIds.length > MAX_APPLIES_TO_IDS) errors.appliesToIds = "restriction_too_many";
      else if (!appliesToIds.every((id) => isShopifyGid(id, restrictionType(appliesTo)))) errors.appliesToIds = "restriction_id_format";
    }
  }

  let variable: VariablePoints | null = null;
  if (input.variable === "on" || input.variable === "true") {
    if (kind && !canBeVariable(kind)) errors.kind = errors.kind ?? "variable_not_for_kind";
    else {
      const step = positiveInt(input.pointsStep, "pointsStep", errors);
      const min = positiveInt(input.pointsMin, "pointsMin", errors);
      const max = positiveInt(input.pointsMax, "pointsMax", errors);
      if (step !== null && min !== null && max !== null) {
        if (min > max) errors.pointsMax = "min_above_max";
        else if ((max - min) % step !== 0) errors.pointsStep = "step_not_dividing_range";
        else if (pointsCost !== null && !errors.value && value !== "0" && variableValue({ pointsCost, value }, min) === "0.00") {
          errors.pointsMin = "value_too_small_for_min";
        } else variable = { min, max, step };
      }
    }
  }

  // A gift card worth more than the shop may issue would be refused by Shopify on every redemption
  // (GIFT_CARD_LIMIT_EXCEEDED): the most a customer can get is the fixed value, or the value of the
  // most points of a variable option.
  const limit = shop.giftCardIssueLimitCents ?? null;
  if (kind === "GIFT_CARD" && limit !== null && pointsCost !== null && !errors.value && value !== "0") {
    if (variable) {
      if (cents(variableValue({ pointsCost, value }, variable.max)) > limit) errors.pointsMax = "gift_card_over_limit";
    } else if (!(input.variable === "on" || input.variable === "true") && cents(value) > limit) errors.value = "gift_card_over_limit";
  }

  // A variable option gives at most the value of its most points: that value passes the same rule
  // (a store credit the customer could choose must stay below Shopify's limit too).
  if (kind === "STORE_CREDIT" && variable && pointsCost !== null && !errors.value && !errors.pointsMax) {
    const most = checkRewardValue("amount", variableValue({ pointsCost, value }, variable.max), kind);
    if (!most.ok) errors.pointsMax = most.error === "store_credit_over_limit" ? most.error : "too_large";
  }

  if (Object.keys(errors).length > 0 || !kind || pointsCost === null) return { ok: false, errors };
  return {
    ok: true,
    draft: {
      name,
      kind,
      pointsCost,
      value,
      minimumSubtotal,
      expiryDays,
      productId,
      variantId,
      appliesTo,
      appliesToIds,
      variable,
      active: input.active === undefined ? true : input.active === "on" || input.active === "true",
    },
  };
}
