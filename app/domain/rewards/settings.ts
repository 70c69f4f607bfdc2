// The settings a reward is generated with, snapshotted from its template when the reward is
// created (Reward.settings), and their rules per kind. Pure: the database mapping is in
// app/services/rewards/repository.server.ts.
import { field } from "../json-fields";
import { kindTraits, type RewardKind } from "./kinds";
import { isRewardKind } from "./statuses";
import { canLimitToItems, checkRewardValue, parseAppliesTo, type AppliesTo } from "./options";
import { isShopifyGid } from "../shopify-ids";

export interface RewardSettings {
  templateName: string;
  kind: RewardKind;
  /** Amount in shop currency, a percentage 0–100 for PERCENTAGE, "0" for kinds without a value. */
  value: string;
  minimumSubtotal: string | null;
  expiryDays: number | null;
  combinesWith: { orderDiscounts: boolean; productDiscounts: boolean; shippingDiscounts: boolean };
  codePrefix: string;
  /** FREE_PRODUCT: gid://shopify/Product/… the code makes free. */
  productId: string | null;
  /** FREE_PRODUCT: optionally one variant of it (gid://shopify/ProductVariant/…). */
  variantId: string | null;
  /** Amount-off / percentage-off codes: the products or collections the code applies to (ALL: the whole order). */
  appliesTo: { kind: AppliesTo; ids: string[] };
}

/**
 * Whether an amount is beyond its kind's limits, by the rule of the admin's forms
 * (options.ts `checkRewardValue`): above MAX_REWARD_AMOUNT, or store credit at Shopify's
 * per-account limit. Such a reward is never issued, whoever saved its template.
 */
export function amountOverLimit(kind: RewardKind, value: string): boolean {
  const checked = checkRewardValue("amount", value, kind);
  return !checked.ok && (checked.error === "too_large" || checked.error === "store_credit_over_limit");
}

/** The template fields the rules read (a RewardTemplate row has them all). */
export interface TemplateSettingsInput {
  name: string;
  kind: string;
  value: string;
  minimumSubtotal: string | null;
  expiryDays: number | null;
  combinesWithOrder: boolean;
  combinesWithProduct: boolean;
  combinesWithShipping: boolean;
  codePrefix: string;
  productId?: string | null;
  variantId?: string | null;
  /** RewardTemplate.appliesTo / appliesToIds as stored (ALL when absent). */
  appliesTo?: string;
  appliesToIds?: string;
}

export type SettingsCheck = { ok: true; settings: RewardSettings } | { ok: false; error: string };

const DECIMAL = /^\d+(\.\d+)?$/;

/** Checks a template's settings for its kind; the error is fit to show a merchant. */
export function checkTemplateSettings(kind: RewardKind, template: TemplateSettingsInput): SettingsCheck {
  const traits = kindTraits(kind);
  const value = template.value.trim();
  if (traits.value !== "none") {
    if (!DECIMAL.test(value) || Number(value) <= 0) return { ok: false, error: `reward value must be a positive number, got "${template.value}"` };
    if (traits.value === "percentage" && Number(value) > 100) return { ok: false, error: "a percentage reward can be at most 100 %" };
    if (traits.value === "amount" && amountOverLimit(kind, value)) return { ok: false, error: `a ${kind} reward is worth less than its limit, got "${value}"` };
  }
  const minimumSubtotal = template.minimumSubtotal?.trim() || null;
  if (minimumSubtotal !== null && !DECIMAL.test(minimumSubtotal)) return { ok: false, error: "minimum subtotal must be a number" };
  if (template.expiryDays !== null && (!Number.isInteger(template.expiryDays) || template.expiryDays < 1)) {
    return { ok: false, error: "expiry must be a whole number of days (at least 1)" };
  }
  const productId = template.productId?.trim() || null;
  const variantId = template.variantId?.trim() || null;
  if (traits.needsProduct) {
    // The one reader of Shopify ids (isShopifyGid), as the Ways to redeem form reads them (options.ts).
    if (!productId || !isShopifyGid(productId, "Product")) return { ok: false, error: "a free product reward needs a product (gid://shopify/Product/…)" };
    if (variantId !== null && !isShopifyGid(variantId, "ProductVariant")) return { ok: false, error: "the variant must be a product variant id (gid://shopify/ProductVariant/…)" };
  }
  const appliesTo = appliesToOf(kind, template);
  if (!appliesTo) return { ok: false, error: "the product/collection restriction can't be read; save the option again" };
  return {
    ok: true,
    settings: {
      templateName: template.name,
      kind,
      value: traits.value === "none" ? "0" : value,
      minimumSubtotal,
      expiryDays: template.expiryDays,
      combinesWith: {
        orderDiscounts: template.combinesWithOrder,
        productDiscounts: template.combinesWithProduct,
        shippingDiscounts: template.combinesWithShipping,
      },
      codePrefix: template.codePrefix,
      productId: traits.needsProduct ? productId : null,
      variantId: traits.needsProduct ? variantId : null,
      appliesTo,
    },
  };
}

function appliesToOf(kind: RewardKind, template: TemplateSettingsInput): RewardSettings["appliesTo"] | null {
  if (!canLimitToItems(kind)) return { kind: "ALL", ids: [] };
  const parsed = parseAppliesTo(template.appliesTo ?? "ALL", template.appliesToIds ?? "[]");
  return parsed ? { kind: parsed.appliesTo, ids: parsed.ids } : null;
}

/**
 * Reads settings saved as JSON by the app (a bulk job's snapshot, docs/decisions/024) and holds
 * them to the same rules as a template's (checkTemplateSettings): a field missing, of the wrong
 * type or out of its kind's limits is an error, never a default.
 */
export function readSettingsSnapshot(text: string): SettingsCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, error: "the saved reward settings can't be read" };
  }
  const kind = field(parsed, "kind");
  if (!isRewardKind(kind)) return { ok: false, error: "the saved reward settings name no reward kind" };
  const get = (key: string) => field(parsed, key);
  const combines = field(parsed, "combinesWith");
  const appliesTo = field(parsed, "appliesTo");
  const ids = field(appliesTo, "ids");
  const input = {
    name: get("templateName"),
    value: get("value"),
    minimumSubtotal: get("minimumSubtotal"),
    expiryDays: get("expiryDays"),
    codePrefix: get("codePrefix"),
    productId: get("productId"),
    variantId: get("variantId"),
    combinesWithOrder: field(combines, "orderDiscounts"),
    combinesWithProduct: field(combines, "productDiscounts"),
    combinesWithShipping: field(combines, "shippingDiscounts"),
    appliesTo: field(appliesTo, "kind"),
  };
  const stringOrNull = (v: unknown) => v === null || typeof v === "string";
  if (
    typeof input.name !== "string" ||
    typeof input.value !== "string" ||
    typeof input.codePrefix !== "string" ||
    !stringOrNull(input.minimumSubtotal) ||
    !stringOrNull(input.productId) ||
    !stringOrNull(input.variantId) ||
    !(input.expiryDays === null || typeof input.expiryDays === "number") ||
    typeof input.combinesWithOrder !== "boolean" ||
    typeof input.combinesWithProduct !== "boolean" ||
    typeof input.combinesWithShipping !== "boolean" ||
    typeof input.appliesTo !== "string" ||
    !Array.isArray(ids)
  ) {
    return { ok: false, error: "the saved reward settings are incomplete" };
  }
  return checkTemplateSettings(kind, {
    name: input.name,
    kind,
    value: input.value,
    minimumSubtotal: input.minimumSubtotal as string | null,
    expiryDays: input.expiryDays as number | null,
    combinesWithOrder: input.combinesWithOrder,
    combinesWithProduct: input.combinesWithProduct,
    combinesWithShipping: input.combinesWithShipping,
    codePrefix: input.codePrefix,
    productId: input.productId as string | null,
    variantId: input.variantId as string | null,
    appliesTo: input.appliesTo,
    appliesToIds: JSON.stringify(ids),
  });
}
