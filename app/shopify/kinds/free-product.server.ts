// Reward kind: a free product — a 100 %-off code discount limited to one chosen product (or one of
// its variants), for one customer, usable once. The whole kind is this module plus its template
// settings (RewardTemplate.productId / variantId); the discount itself is built and read back by
// the code-discount kinds' one create (discount-code.server.ts, createCodeReward).
//
// Shopify's DiscountCodeBasicInput (2026-10 schema) has no maximum quantity: `customerGets.value`
// takes `percentage` ("between 0.00 - 1.00") or `discountAmount`; `discountOnQuantity` is for Buy X
// get Y only. So "one item" is enforced by `usageLimit: 1` + `appliesOncePerCustomer` (one order);
// within that order every unit of the chosen product/variant is free
// (docs/decisions/012-reward-kinds-as-adapters.md discusses it).
import { getDiscountStatus } from "../discounts.server";
import { createCodeReward, lookupDiscount, removeDiscount } from "./discount-code.server";
import type { KindAccess, KindCreateInput, RewardKindAdapter } from "./types.server";

function create(access: KindAccess, input: KindCreateInput) {
  const { productId, variantId } = input.settings;
  if (!productId) throw new Error("free product reward without a product");
  return createCodeReward(access, input, { type: "FREE_PRODUCT", productId, variantId: variantId ?? null });
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
