// Reward kinds that are code discounts: amount off, percentage off, free shipping.
// One code per reward, one use, for one customer; the discount's tag marks it as ours.
import type { RewardKind } from "~/domain/rewards";
import {
  createRewardDiscount,
  deactivateCodeDiscount,
  deleteCodeDiscount,
  findCodeDiscountByCode,
  getDiscountStatus,
  type RewardDiscountInput,
} from "../discounts.server";
import { parseShopifyTime } from "~/domain/shopify-time";
import type { AdminResult } from "../graphql.server";
import { isIdUserError, isNotFoundFailure } from "./not-found.server";
import type { FoundObject, KindAccess, KindCreateInput, KindRewardRef, RemoveOutcome, RewardKindAdapter } from "./types.server";

function valueOf(kind: RewardKind, value: string): RewardDiscountInput["value"] {
  if (kind === "FREE_SHIPPING") return { type: "FREE_SHIPPING" };
  if (kind === "PERCENTAGE") return { type: "PERCENTAGE", percentage: Number(value) };
  return { type: "FIXED_AMOUNT", amount: value };
}

/** Lookup shared by every code-discount kind (also free product): by code, ours when it carries our tag. */
export async function lookupDiscount(access: KindAccess, ref: KindRewardRef): Promise<AdminResult<FoundObject | null>> {
  const r = await findCodeDiscountByCode(access.graphql, ref.code, access.options);
  if (!r.ok) return r;
  const d = r.data;
  if (!d) return { ok: true, data: null, cost: r.cost };
  return {
    ok: true,
    data: { id: d.id, ours: d.tags.includes(ref.tag), active: d.status !== "EXPIRED", endsAt: parseShopifyTime(d.endsAt) },
    cost: r.cost,
  };
}

/**
 * Removal shared by every code-discount kind: delete (compensation) or deactivate (cancel). "Gone"
 * is concluded from structured answers only, and for a userError on `id` (DiscountErrorCode has no
 * not-found code) only once neither its id (codeDiscountNode) nor its code (codeDiscountNodeByCode)
 * finds it.
 */
export async function removeDiscount(access: KindAccess, ref: KindRewardRef & { id: string }, mode: "delete" | "deactivate"): Promise<AdminResult<RemoveOutcome>> {
  const { id } = ref;
  const r = mode === "delete" ? await deleteCodeDiscount(access.graphql, id, access.options) : await deactivateCodeDiscount(access.graphql, id, access.options);
  if (r.ok) return { ok: true, data: { outcome: "removed" }, cost: r.cost };
  if (!isNotFoundFailure(r.error) && !isIdUserError(r.error)) return r;
  const byId = await getDiscountStatus(access.graphql, id, access.options);
  if (!byId.ok) return byId;
  if (byId.data) return r;
  const byCode = await findCodeDiscountByCode(access.graphql, ref.code, access.options);
  if (!byCode.ok) return byCode;
  if (byCode.data && byCode.data.id === id) return r;
  return { ok: true, data: { outcome: "not_found" }, cost: byCode.cost };
}

/**
 * Create shared by every code-discount kind (also free product): one code, one use, for one
 * customer, tagged as ours (discounts.server.ts, createRewardDiscount). The expiry is Shopify's
 * answer, or what was asked for when the answer has none that reads as a date.
 */
export async function createCodeReward(access: KindAccess, input: KindCreateInput, value: RewardDiscountInput["value"]): Promise<AdminResult<{ id: string; expiresAt: Date | null }>> {
  const r = await createRewardDiscount(
    access.graphql,
    {
      code: input.code,
      title: input.title,
      customerGid: input.customerGid,
      value,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      minimumSubtotal: input.settings.minimumSubtotal,
      appliesTo: input.settings.appliesTo,
      combinesWith: input.settings.combinesWith,
      tag: input.tag,
    },
    access.options,
  );
  if (!r.ok) return r;
  return { ok: true, data: { id: r.data.id, expiresAt: parseShopifyTime(r.data.endsAt) ?? input.endsAt }, cost: r.cost };
}

export const discountCodeAdapter: RewardKindAdapter = {
  kinds: ["FIXED_AMOUNT", "PERCENTAGE", "FREE_SHIPPING"],
  scopes: ["write_discounts"],
  // Code discounts exist on every plan.
  available: () => Promise.resolve({ ok: true, data: { available: true }, cost: null }),
  create: (access: KindAccess, input: KindCreateInput) => createCodeReward(access, input, valueOf(input.kind, input.settings.value)),
  lookup: lookupDiscount,
  remove: (access, ref, mode) => removeDiscount(access, ref, mode),
  readState: (access, id) => getDiscountStatus(access.graphql, id, access.options),
};
