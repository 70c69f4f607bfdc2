// Admin API: code discounts (amount off, percentage off, free shipping) for reward codes.
// Every document here is validated against Shopify's 2026-10 schema by app/shopify/documents.test.ts.
import { runAdmin, userErrorsFailure, type AdminGraphql, type AdminResult, type QueryCost, type RunOptions } from "./graphql.server";

const DISCOUNT_NODE_FIELDS = `#graphql
  fragment LoyaltyDiscountNodeFields on DiscountCodeNode {
    id
    codeDiscount {
      __typename
      ... on DiscountCodeBasic { title status startsAt endsAt usageLimit asyncUsageCount tags codes(first: 1) { nodes { code } } }
      ... on DiscountCodeFreeShipping { title status startsAt endsAt usageLimit asyncUsageCount tags codes(first: 1) { nodes { code } } }
      # Not made by the app, but a lookup by code can find a merchant's own: every member of the
      # DiscountCode union is read, so any node found has a status (discountStatusOf).
      ... on DiscountCodeBxgy { title status startsAt endsAt usageLimit asyncUsageCount tags codes(first: 1) { nodes { code } } }
      ... on DiscountCodeApp { title status startsAt endsAt usageLimit asyncUsageCount tags codes(first: 1) { nodes { code } } }
    }
  }
`;

export const DISCOUNT_CODE_BASIC_CREATE = `#graphql
  mutation LoyaltyDiscountCodeBasicCreate($input: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $input) {
      codeDiscountNode { ...LoyaltyDiscountNodeFields }
      userErrors { field code message }
    }
  }
  ${DISCOUNT_NODE_FIELDS}
`;

export const DISCOUNT_CODE_FREE_SHIPPING_CREATE = `#graphql
  mutation LoyaltyDiscountCodeFreeShippingCreate($input: DiscountCodeFreeShippingInput!) {
    discountCodeFreeShippingCreate(freeShippingCodeDiscount: $input) {
      codeDiscountNode { ...LoyaltyDiscountNodeFields }
      userErrors { field code message }
    }
  }
  ${DISCOUNT_NODE_FIELDS}
`;

export const DISCOUNT_CODE_DEACTIVATE = `#graphql
  mutation LoyaltyDiscountCodeDeactivate($id: ID!) {
    discountCodeDeactivate(id: $id) {
      codeDiscountNode { ...LoyaltyDiscountNodeFields }
      userErrors { field code message }
    }
  }
  ${DISCOUNT_NODE_FIELDS}
`;

export const DISCOUNT_CODE_DELETE = `#graphql
  mutation LoyaltyDiscountCodeDelete($id: ID!) {
    discountCodeDelete(id: $id) {
      deletedCodeDiscountId
      userErrors { field code message }
    }
  }
`;

export const CODE_DISCOUNT_NODE_BY_CODE = `#graphql
  query LoyaltyCodeDiscountNodeByCode($code: String!) {
    codeDiscountNodeByCode(code: $code) { ...LoyaltyDiscountNodeFields }
  }
  ${DISCOUNT_NODE_FIELDS}
`;

// By id, with the query documented for the id the app holds: discountCode*Create returns a
// DiscountCodeNode, and `codeDiscountNode(id:)` takes "The ID of the `DiscountCodeNode` to return"
// while `discountNode(id:)` takes "The ID of the `DiscountNode` to return" (2026-10 schema). The
// schema marks codeDiscountNode deprecated ("Use `discountNode` instead") but does not say that
// discountNode accepts a DiscountCodeNode id, so a null from it would prove nothing.
export const CODE_DISCOUNT_NODE = `#graphql
  query LoyaltyCodeDiscountNode($id: ID!) {
    codeDiscountNode(id: $id) {
      id
      codeDiscount {
        __typename
        ... on DiscountCodeBasic { title status endsAt asyncUsageCount }
        ... on DiscountCodeFreeShipping { title status endsAt asyncUsageCount }
      }
    }
  }
`;

/** What a reward code discount is, as we read it back from Shopify. */
export interface CodeDiscount {
  id: string;
  title: string;
  status: "ACTIVE" | "EXPIRED" | "SCHEDULED";
  code: string | null;
  tags: string[];
  endsAt: string | null;
  usageLimit: number | null;
  asyncUsageCount: number;
}

interface RawNode {
  id: string;
  codeDiscount: {
    __typename: string;
    title?: string;
    status?: CodeDiscount["status"];
    endsAt?: string | null;
    usageLimit?: number | null;
    asyncUsageCount?: number;
    tags?: string[];
    codes?: { nodes: { code: string }[] };
  } | null;
}

/**
 * A DiscountCodeNode as the app reads it; null when it has no readable DiscountStatus (see
 * discountStatusOf) — never a guessed status, since an EXPIRED discount makes reconciliation cancel.
 */
function toCodeDiscount(node: RawNode): CodeDiscount | null {
  const d = node.codeDiscount ?? { __typename: "Unknown" };
  const status = discountStatusOf(node);
  if (!status) return null;
  return {
    id: node.id,
    title: d.title ?? "",
    status,
    code: d.codes?.nodes[0]?.code ?? null,
    tags: d.tags ?? [],
    endsAt: d.endsAt ?? null,
    usageLimit: d.usageLimit ?? null,
    asyncUsageCount: d.asyncUsageCount ?? 0,
  };
}

export interface RewardDiscountInput {
  code: string;
  title: string;
  /** gid://shopify/Customer/… — the only customer who may use it. */
  customerGid: string;
  value:
    | { type: "FIXED_AMOUNT"; amount: string }
    /** 0 < percentage ≤ 100 (converted to Shopify's 0..1). */
    | { type: "PERCENTAGE"; percentage: number }
    | { type: "FREE_SHIPPING" }
    /**
     * 100 % off one product (or one of its variants). DiscountCodeBasicInput has no maximum quantity
     * (`discountOnQuantity` is for Buy X get Y only): "one item" is `usageLimit: 1` +
     * `appliesOncePerCustomer`, and every unit of the product in that one order is free
     * (docs/decisions/012-reward-kinds-as-adapters.md).
     */
    | { type: "FREE_PRODUCT"; productId: string; variantId: string | null };
  startsAt: Date;
  endsAt: Date | null;
  minimumSubtotal?: string | null;
  /**
   * Amount/percentage off only: the products or collections the code applies to (absent: the whole
   * order). DiscountItemsInput (2026-10): `products: { productsToAdd }` or `collections: { add }`.
   * A free product names its own product in `value`.
   */
  appliesTo?: { kind: "ALL" | "PRODUCTS" | "COLLECTIONS"; ids: readonly string[] };
  combinesWith: { orderDiscounts: boolean; productDiscounts: boolean; shippingDiscounts: boolean };
  /** Marks the discount as ours (reward id); read back to adopt it after an uncertain outcome. */
  tag: string;
}

/** One code per reward, one use, for one customer. */
export async function createRewardDiscount(
  graphql: AdminGraphql,
  input: RewardDiscountInput,
  options?: RunOptions,
): Promise<AdminResult<CodeDiscount>> {
  const common = {
    title: input.title,
    code: input.code,
    startsAt: input.startsAt.toISOString(),
    endsAt: input.endsAt ? input.endsAt.toISOString() : null,
    context: { customers: { add: [input.customerGid] } },
    usageLimit: 1,
    appliesOncePerCustomer: true,
    combinesWith: input.combinesWith,
    tags: [input.tag],
    ...(input.minimumSubtotal
      ? { minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: input.minimumSubtotal } } }
      : {}),
  };
  if (input.value.type === "FREE_SHIPPING") {
    // A free shipping code is itself a shipping discount, and shipping discounts never combine with
    // each other ("order discounts with free shipping discounts, product discounts … with free
    // shipping discounts, product discounts with other product discounts":
    // https://help.shopify.com/en/manual/discounts/combining-discounts). Shopify refuses
    // `shippingDiscounts: true` here with INVALID_COMBINES_WITH_FOR_DISCOUNT_CLASS, so the option's
    // "combines with shipping" setting (on by default) must not reach this mutation.
    const r = await runAdmin<{ discountCodeFreeShippingCreate: { codeDiscountNode: RawNode | null; userErrors: never[] } }>(
      graphql,
      DISCOUNT_CODE_FREE_SHIPPING_CREATE,
      { input: { ...common, combinesWith: { ...input.combinesWith, shippingDiscounts: false }, destination: { all: true } } },
      options,
    );
    return mapCreate(r, (d) => d.discountCodeFreeShippingCreate);
  }
  const r = await runAdmin<{ discountCodeBasicCreate: { codeDiscountNode: RawNode | null; userErrors: never[] } }>(
    graphql,
    DISCOUNT_CODE_BASIC_CREATE,
    { input: { ...common, customerGets: customerGets(input.value, input.appliesTo) } },
    options,
  );
  return mapCreate(r, (d) => d.discountCodeBasicCreate);
}

/** DiscountCustomerGetsInput of a basic code discount: its value and the items it applies to. */
function customerGets(value: Exclude<RewardDiscountInput["value"], { type: "FREE_SHIPPING" }>, appliesTo: RewardDiscountInput["appliesTo"]): Record<string, unknown> {
  switch (value.type) {
    case "PERCENTAGE":
      return { value: { percentage: Math.round((value.percentage / 100) * 10_000) / 10_000 }, items: discountItems(appliesTo) };
    case "FIXED_AMOUNT":
      return { value: { discountAmount: { amount: value.amount, appliesOnEachItem: false } }, items: discountItems(appliesTo) };
    case "FREE_PRODUCT":
      // A variant narrows it to that variant; otherwise every variant of the product.
      return { value: { percentage: 1.0 }, items: { products: value.variantId ? { productVariantsToAdd: [value.variantId] } : { productsToAdd: [value.productId] } } };
  }
}

/** DiscountItemsInput for a reward code: everything, or the chosen products / collections. */
export function discountItems(appliesTo: RewardDiscountInput["appliesTo"]): Record<string, unknown> {
  if (appliesTo?.kind === "PRODUCTS" && appliesTo.ids.length > 0) return { products: { productsToAdd: [...appliesTo.ids] } };
  if (appliesTo?.kind === "COLLECTIONS" && appliesTo.ids.length > 0) return { collections: { add: [...appliesTo.ids] } };
  return { all: true };
}

type Payload = { codeDiscountNode: RawNode | null; userErrors: { field?: string[] | null; code?: string | null; message: string }[] };

function mapCreate<D>(r: AdminResult<D>, pick: (d: D) => Payload): AdminResult<CodeDiscount> {
  if (!r.ok) return r;
  const payload = pick(r.data);
  const failure = userErrorsFailure(payload.userErrors);
  if (failure) return { ok: false, error: failure, cost: r.cost, detail: payload.userErrors };
  if (!payload.codeDiscountNode) return { ok: false, error: { kind: "graphql", messages: ["no discount returned"] }, cost: r.cost };
  const created = toCodeDiscount(payload.codeDiscountNode);
  if (!created) return unreadableNode(payload.codeDiscountNode, r.cost);
  return { ok: true, data: created, cost: r.cost };
}

/** The shop's code discount with this code (case-insensitive), or null. */
export async function findCodeDiscountByCode(
  graphql: AdminGraphql,
  code: string,
  options?: RunOptions,
): Promise<AdminResult<CodeDiscount | null>> {
  const r = await runAdmin<{ codeDiscountNodeByCode: RawNode | null }>(graphql, CODE_DISCOUNT_NODE_BY_CODE, { code }, options);
  if (!r.ok) return r;
  const node = r.data.codeDiscountNodeByCode;
  if (!node) return { ok: true, data: null, cost: r.cost };
  const found = toCodeDiscount(node);
  if (!found) return unreadableNode(node, r.cost);
  return { ok: true, data: found, cost: r.cost };
}

/**
 * Status of a code discount by its DiscountCodeNode id; null when Shopify returns none. A single
 * null is not proof of deletion: callers confirm by code (`findCodeDiscountByCode`) before acting.
 */
export async function getDiscountStatus(
  graphql: AdminGraphql,
  id: string,
  options?: RunOptions,
): Promise<AdminResult<{ id: string; status: CodeDiscount["status"]; endsAt: string | null } | null>> {
  const r = await runAdmin<{ codeDiscountNode: { id: string; codeDiscount: { status?: CodeDiscount["status"]; endsAt?: string | null } | null } | null }>(
    graphql,
    CODE_DISCOUNT_NODE,
    { id },
    options,
  );
  if (!r.ok) return r;
  const node = r.data.codeDiscountNode;
  if (!node) return { ok: true, data: null, cost: r.cost };
  const status = discountStatusOf(node);
  if (!status) return unreadableNode(node, r.cost);
  return { ok: true, data: { id: node.id, status, endsAt: node.codeDiscount?.endsAt ?? null }, cost: r.cost };
}

const DISCOUNT_STATUSES: readonly CodeDiscount["status"][] = ["ACTIVE", "EXPIRED", "SCHEDULED"];

/**
 * The one reading of a DiscountCodeNode's status, checked before anyone acts on it: reconciliation
 * cancels a reward whose discount is EXPIRED, so a node without a readable status
 * (DiscountCodeNode.codeDiscount is non-null; DiscountStatus is ACTIVE | EXPIRED | SCHEDULED —
 * https://shopify.dev/docs/api/admin-graphql/latest/enums/DiscountStatus) is an answer the app
 * can't use, never an expired discount.
 */
function discountStatusOf(node: { id?: unknown; codeDiscount?: { status?: unknown } | null }): CodeDiscount["status"] | null {
  const status = node.codeDiscount?.status;
  return typeof node.id === "string" && DISCOUNT_STATUSES.includes(status as CodeDiscount["status"]) ? (status as CodeDiscount["status"]) : null;
}

function unreadableNode(node: { id?: unknown }, cost: QueryCost | null) {
  return { ok: false as const, error: { kind: "graphql" as const, messages: ["DiscountCodeNode without a DiscountStatus"] }, cost, detail: { id: typeof node.id === "string" ? node.id : null } };
}

export async function deactivateCodeDiscount(graphql: AdminGraphql, id: string, options?: RunOptions): Promise<AdminResult<CodeDiscount>> {
  const r = await runAdmin<{ discountCodeDeactivate: Payload }>(graphql, DISCOUNT_CODE_DEACTIVATE, { id }, options);
  return mapCreate(r, (d) => d.discountCodeDeactivate);
}

export async function deleteCodeDiscount(graphql: AdminGraphql, id: string, options?: RunOptions): Promise<AdminResult<{ deletedId: string }>> {
  const r = await runAdmin<{ discountCodeDelete: { deletedCodeDiscountId: string | null; userErrors: Payload["userErrors"] } }>(
    graphql,
    DISCOUNT_CODE_DELETE,
    { id },
    options,
  );
  if (!r.ok) return r;
  const failure = userErrorsFailure(r.data.discountCodeDelete.userErrors);
  if (failure) return { ok: false, error: failure, cost: r.cost, detail: r.data.discountCodeDelete.userErrors };
  return { ok: true, data: { deletedId: r.data.discountCodeDelete.deletedCodeDiscountId ?? id }, cost: r.cost };
}
