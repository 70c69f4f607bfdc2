// "Ways to redeem": the merchant's redemption options (RewardTemplate rows with purpose
// POINTS_REDEMPTION) — list, read, create/update, enable/disable. The form's rules are pure
// (app/domain/rewards/options.ts); this module adds what needs the shop: whether it can
// issue gift cards (the kind's adapter decides) and whether the products, variants and collections
// named exist in it (Admin API, app/shopify/products.server.ts). docs/decisions/020-ways-to-redeem.md.
import { amountCurrencyOfSave, type AmountSaveRefusal } from "~/services/lifecycle/amount-currency.server";
import { AMOUNT_CURRENCY_FIELD } from "~/domain/currency";
import type { RewardTemplate } from "@prisma/client";
import { isUniqueViolation, type Db } from "~/db.server";
import {
  isRewardKind,
  parseAppliesTo,
  parseRedemptionOption,
  variableOf,
  type AppliesTo,
  type OptionErrorCode,
  type OptionField,
  type OptionFieldErrors,
  type OptionFormInput,
  type RedemptionOptionDraft,
  type RewardKind,
  type VariablePoints,
} from "~/domain/rewards";
import type { Problem, Result } from "~/domain/result";
import { OPTION_ERROR_MESSAGES, OPTION_MESSAGES } from "~/copy/admin";
import { checkAvailability } from "~/services/rewards/generate.server";
import type { AdminGraphql } from "~/shopify/graphql.server";
import { getGiftCardIssueLimit } from "~/shopify/gift-cards.server";
import { lookupCatalog } from "~/shopify/products.server";
import { idForRequestKey, parseRequestKey } from "./request-key.server";

export const PURPOSE = "POINTS_REDEMPTION";
/** A shop's list is one page: a storefront shows at most 50 options (program.server.ts). */
export const MAX_OPTIONS_LISTED = 100;

export interface RedemptionOptionRow {
  id: string;
  name: string;
  kind: RewardKind;
  value: string;
  pointsCost: number;
  variable: VariablePoints | null;
  minimumSubtotal: string | null;
  expiryDays: number | null;
  appliesTo: AppliesTo;
  appliesToIds: string[];
  productId: string | null;
  variantId: string | null;
  active: boolean;
  updatedAt: string;
}

function toRow(t: RewardTemplate): RedemptionOptionRow | null {
  if (!isRewardKind(t.kind)) return null;
  const applies = parseAppliesTo(t.appliesTo, t.appliesToIds) ?? { appliesTo: "ALL" as const, ids: [] };
  return {
    id: t.id,
    name: t.name,
    kind: t.kind,
    value: t.value,
    pointsCost: t.pointsCost ?? 0,
    variable: variableOf(t),
    minimumSubtotal: t.minimumSubtotal,
    expiryDays: t.expiryDays,
    appliesTo: applies.appliesTo,
    appliesToIds: applies.ids,
    productId: t.productId,
    variantId: t.variantId,
    active: t.active,
    updatedAt: t.updatedAt.toISOString(),
  };
}

/** The shop's redemption options, enabled first, cheapest first. */
export async function listRedemptionOptions(db: Pick<Db, "rewardTemplate">, shop: string): Promise<RedemptionOptionRow[]> {
  const rows = await db.rewardTemplate.findMany({
    where: { shop, purpose: PURPOSE },
    orderBy: [{ active: "desc" }, { pointsCost: "asc" }, { id: "asc" }],
    take: MAX_OPTIONS_LISTED,
  });
  return rows.flatMap((r) => toRow(r) ?? []);
}

export async function getRedemptionOption(db: Pick<Db, "rewardTemplate">, shop: string, id: string): Promise<RedemptionOptionRow | null> {
  const row = await db.rewardTemplate.findFirst({ where: { id, shop, purpose: PURPOSE } });
  return row ? toRow(row) : null;
}

export type SaveOptionErrorCode = "invalid" | "not_found" | "shopify_unavailable" | AmountSaveRefusal["code"];

export interface SaveOptionError extends Problem<SaveOptionErrorCode> {
  /** Per field: the domain's code and its sentence for the merchant. */
  fieldErrors: Partial<Record<OptionField, { code: OptionErrorCode; message: string }>>;
  httpStatus: 400 | 404 | 409 | 503;
}

export type SaveOptionResult = Result<{ option: RedemptionOptionRow; created: boolean; message: string }, SaveOptionError>;

export interface WaysToRedeemDeps {
  db: Pick<Db, "rewardTemplate" | "shop">;
  /** The shop's Admin API (the merchant's session). */
  graphql: AdminGraphql;
}

const FORM_FIELDS = [
  "name",
  "kind",
  "pointsCost",
  "value",
  "minimumSubtotal",
  "expiryDays",
  "productId",
  "variantId",
  "appliesTo",
  "appliesToIds",
  "pointsMin",
  "pointsMax",
  "pointsStep",
  "variable",
  "active",
] as const;

/**
 * Reads only the form fields we know, whole: the form reader bounds the body
 * (app/request-input.server.ts) and the option's rules (app/domain/rewards/options.ts) refuse a value
 * too long for its field. A value cut here could turn into another valid one ("900", spaces, "5").
 */
export function optionFormInput(form: FormData): OptionFormInput {
  const input: OptionFormInput = {};
  for (const field of FORM_FIELDS) {
    const value = form.get(field);
    if (typeof value === "string") input[field] = value;
  }
  return input;
}

function invalid(errors: OptionFieldErrors): { ok: false; error: SaveOptionError } {
  const fieldErrors: SaveOptionError["fieldErrors"] = {};
  for (const [field, code] of Object.entries(errors) as [OptionField, OptionErrorCode][]) {
    fieldErrors[field] = { code, message: OPTION_ERROR_MESSAGES[code] };
  }
  return { ok: false, error: { code: "invalid", message: OPTION_MESSAGES.invalid, fieldErrors, httpStatus: 400 } };
}

const SHOPIFY_UNAVAILABLE = {
  ok: false as const,
  error: { code: "shopify_unavailable" as const, message: OPTION_MESSAGES.shopifyUnavailable, fieldErrors: {}, httpStatus: 503 as const },
};

/** Checks against the shop what the pure rules cannot: products, variants and collections exist. */
async function checkCatalog(
  graphql: AdminGraphql,
  draft: RedemptionOptionDraft,
): Promise<{ errors: OptionFieldErrors; titles: Record<string, string> } | "unavailable"> {
  const ids = [...draft.appliesToIds, ...(draft.productId ? [draft.productId] : []), ...(draft.variantId ? [draft.variantId] : [])];
  if (ids.length === 0) return { errors: {}, titles: {} };
  const found = await lookupCatalog(graphql, ids, { timeoutMs: 10_000 });
  if (!found.ok) return "unavailable";
  const errors: OptionFieldErrors = {};
  const catalog = found.data;
  if (draft.productId && catalog.get(draft.productId)?.type !== "Product") errors.productId = "product_not_found";
  if (draft.variantId && !errors.productId) {
    const variant = catalog.get(draft.variantId);
    if (variant?.type !== "ProductVariant" || variant.productId !== draft.productId) errors.variantId = "variant_not_in_product";
  }
  const wanted = draft.appliesTo === "PRODUCTS" ? "Product" : "Collection";
  if (draft.appliesToIds.some((id) => catalog.get(id)?.type !== wanted)) errors.appliesToIds = "collection_not_found";
  return { errors, titles: Object.fromEntries([...catalog].map(([id, entry]) => [id, entry.title])) };
}

/**
 * Creates (`id` null) or updates one of the shop's redemption options from the admin form.
 * Invalid input answers every field's error at once and writes nothing.
 *
 * @example
 *   const result = await saveRedemptionOption({ db, graphql: admin.graphql }, { shop, id: null }, await readAdminForm(request));
 *   if (!result.ok) return json(result, { status: result.error.httpStatus }); // result.error.fieldErrors.value?.message
 */
export async function saveRedemptionOption(deps: WaysToRedeemDeps, target: { shop: string; id: string | null }, form: FormData): Promise<SaveOptionResult> {
  const { db, graphql } = deps;
  const existing = target.id ? await db.rewardTemplate.findFirst({ where: { id: target.id, shop: target.shop, purpose: PURPOSE } }) : null;
  if (target.id && !existing) {
    return { ok: false, error: { code: "not_found", message: OPTION_MESSAGES.notFound, fieldErrors: {}, httpStatus: 404 } };
  }
  // A new option's form carries a request key: the same form posted twice (a double click on Save,
  // a resubmit) creates one option, whose id is the key's; the twin post is answered with it.
  let newId: string | null = null;
  if (!existing) {
    const key = parseRequestKey(form.get("requestKey"));
    if (!key.ok) return { ok: false, error: { code: "invalid", message: key.message, fieldErrors: {}, httpStatus: 400 } };
    if (key.key !== null) {
      newId = idForRequestKey("wr", target.shop, key.key);
      const created = await createdBefore(db, target.shop, newId);
      if (created) return created;
    }
  }
  // The currency the page showed the amounts in (docs/decisions/015, "amounts saved in another
  // currency"): refused before anything is asked of Shopify when the shop sells in another one now.
  const typedIn = await amountCurrencyOfSave(db, target.shop, form.get(AMOUNT_CURRENCY_FIELD));
  if (!typedIn.ok) return { ok: false, error: { ...typedIn.error, fieldErrors: {} } };
  const input = optionFormInput(form);

  // Gift cards depend on the shop's plan and country: ask the kind's adapter (the same check a
  // redemption makes), only when the merchant picked it.
  let giftCards = true;
  let giftCardIssueLimitCents: number | null = null;
  if (input.kind?.trim() === "GIFT_CARD") {
    const availability = await checkAvailability({ graphql, options: { timeoutMs: 10_000 } }, "GIFT_CARD");
    if (!availability.ok) return SHOPIFY_UNAVAILABLE;
    giftCards = availability.data.available;
    // Shopify refuses a gift card worth more than the shop's issue limit on every redemption, so the
    // option is refused now (https://shopify.dev/changelog/update-new-maximum-value-for-gift-cards).
    // Reading it needs `read_gift_cards`, part of the optional gift card scope: until the merchant
    // grants it no card can be issued at all (the redemption asks for the scope), so the limit is
    // then not known and not checked.
    if (giftCards) {
      const limit = await getGiftCardIssueLimit(graphql, { timeoutMs: 10_000 });
      if (limit.ok) giftCardIssueLimitCents = limit.data.cents;
      else if (limit.error.kind !== "access_denied") return SHOPIFY_UNAVAILABLE;
    }
  }
  const parsed = parseRedemptionOption(input, { giftCards, giftCardIssueLimitCents });
  if (!parsed.ok) return invalid(parsed.errors);
  const draft = parsed.draft;
  const catalog = await checkCatalog(graphql, draft);
  if (catalog === "unavailable") return SHOPIFY_UNAVAILABLE;
  if (Object.keys(catalog.errors).length > 0) return invalid(catalog.errors);

  const data = {
    name: draft.name,
    kind: draft.kind,
    value: draft.value,
    pointsCost: draft.pointsCost,
    minimumSubtotal: draft.minimumSubtotal,
    expiryDays: draft.expiryDays,
    productId: draft.productId,
    variantId: draft.variantId,
    appliesTo: draft.appliesTo,
    appliesToIds: JSON.stringify(draft.appliesToIds),
    catalogTitles: JSON.stringify(catalog.titles),
    pointsMin: draft.variable?.min ?? null,
    pointsMax: draft.variable?.max ?? null,
    pointsStep: draft.variable?.step ?? null,
    active: draft.active,
    // The currency the merchant typed its amounts in: the one the page showed (checked above).
    amountCurrency: typedIn.currency,
  };
  // Rewards already issued keep the settings they were generated with (Reward.settings snapshot).
  if (existing) {
    const saved = await db.rewardTemplate.update({ where: { id: existing.id }, data });
    return { ok: true, option: toRow(saved)!, created: false, message: OPTION_MESSAGES.saved };
  }
  try {
    const saved = await db.rewardTemplate.create({ data: { ...data, ...(newId ? { id: newId } : {}), shop: target.shop, purpose: PURPOSE } });
    return { ok: true, option: toRow(saved)!, created: true, message: OPTION_MESSAGES.created };
  } catch (error) {
    // The twin post committed its option first (same id): answer with that one.
    const twin = newId && isUniqueViolation(error) ? await createdBefore(db, target.shop, newId) : null;
    if (twin) return twin;
    throw error;
  }
}

/** The option a form's key already created, answered as that form's own answer (one effect, one answer). */
async function createdBefore(db: Pick<Db, "rewardTemplate">, shop: string, id: string): Promise<SaveOptionResult | null> {
  const row = await db.rewardTemplate.findFirst({ where: { id, shop, purpose: PURPOSE } });
  const option = row ? toRow(row) : null;
  return option ? { ok: true, option, created: true, message: OPTION_MESSAGES.created } : null;
}

/** Enables or disables an option; a disabled option is hidden from the storefront and cannot be redeemed. */
export async function setRedemptionOptionEnabled(
  db: Pick<Db, "rewardTemplate">,
  target: { shop: string; id: string },
  enabled: boolean,
): Promise<Result<{ message: string }, Problem<"not_found">>> {
  const changed = await db.rewardTemplate.updateMany({ where: { id: target.id, shop: target.shop, purpose: PURPOSE }, data: { active: enabled } });
  if (changed.count !== 1) return { ok: false, error: { code: "not_found", message: OPTION_MESSAGES.notFound } };
  return { ok: true, message: enabled ? OPTION_MESSAGES.enabled : OPTION_MESSAGES.disabled };
}
