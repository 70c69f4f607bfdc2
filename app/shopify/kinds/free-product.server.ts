// Reward kind: a free product — a 100 %-off code discount limited to one chosen product (or one of
// its variants), for one customer, usable once. The whole kind is this module plus its template
// settings (RewardTemplate.productId / variantId).
//
// Shopify's DiscountCodeBasicInput (2026-10 schema) has no maximum quantity: `customerGets.value`
// takes `percentage` ("between 0.00 - 1.00") or `discountAmount`; `discountOnQuantity` is for Buy X
// get Y only. So "one item" is enforced by `usageLimit: 1` + `appliesOncePerCustomer` (one order);
// within that order every unit of the chosen product/variant is free
// (docs/decisions/012-reward-kinds-as-adapters.md discusses it).
import { DISCOUNT_CODE_BASIC_CREATE } from "../discounts.server";
import { runAdmin, userErrorsFailure, type AdminResult } from "../graphql.server";
import { lookupDiscount, removeDiscount } from "./discount-code.server";
import type { KindAccess, KindCreateInput, RewardKindAdapter } from "./types.server";
import { getDiscountStatus } from "../discounts.server";

interface CreatePayload {
  discountCodeBasicCreate: {
    codeDiscountNode: { id: string; codeDiscount: { endsAt?: string | null } | null } | null;
    userErrors: { field?: string[] | null; code?: string | null; message: string }[];
  };
}

/** DiscountCodeBasicInput for one free product (variables of DISCOUNT_CODE_BASIC_CREATE). */
export function freeProductInput(input: KindCreateInput): Record<string, unknown> {
  const { productId, variantId } = input.settings;
  if (!productId) throw new Error("free product reward without a product");
  return {
    title: input.title,
    code: input.code,
    startsAt: input.startsAt.toISOString(),
    endsAt: input.endsAt ? input.endsAt.toISOString() : null,
    context: { customers: { add: [input.customerGid] } },
    usageLimit: 1,
    appliesOncePerCustomer: true,
    combinesWith: input.settings.combinesWith,
    tags: [input.tag],
    ...(input.settings.minimumSubtotal
      ? { minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: input.settings.minimumSubtotal } } }
      : {}),
    customerGets: {
      value: { percentage: 1.0 },
      // A variant narrows it to that variant; otherwise every variant of the product.
      items: { products: variantId ? { productVariantsToAdd: [variantId] } : { productsToAdd: [productId] } },
    },
  };
}

async function create(access: KindAccess, input: KindCreateInput): Promise<AdminResult<{ id: string; expiresAt: Date | null }>> {
  const r = await runAdmin<CreatePayload>(access.graphql, DISCOUNT_CODE_BASIC_CREATE, { input: freeProductInput(input) }, access.options);
  if (!r.ok) return r;
  const payload = r.data.discountCodeBasicCreate;
  const failure = userErrorsFailure(payload.userErrors);
  if (failure) return { ok: false, error: failure, cost: r.cost, detail: payload.userErrors };
  const node = payload.codeDiscountNode;
  if (!node) return { ok: false, error: { kind: "graphql", messages: ["no discount returned"] }, cost: r.cost };
  const endsAt = node.codeDiscount?.endsAt;
  return { ok: true, data: { id: node.id, expiresAt: endsAt ? new Date(endsAt) : input.endsAt }, cost: r.cost };
}

export const freeProductAdapter: RewardKindAdapter = {
  kinds: ["FREE_PRODUCT"],
  scopes: ["write_discounts"],
  available: () => Promise.resolve({ ok: true, data: { available: true }, cost: null }),
  create,
  lookup: lookupDiscount,
  remove: (access, ref, mode) => removeDiscount(access, ref, mode),
  readState: (access, id) => getDiscountStatus(access.graphql, id, access.options),
};
