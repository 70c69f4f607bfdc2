// Every code-discount kind (amount off, percentage off, free shipping, free product) is created by
// one function (discount-code.server.ts, createCodeReward): the same one-code-one-use-one-customer
// input, and Shopify's answer read the same way — an expiry that is not a date falls back to the
// one asked for, a discount without a readable status is a failed call (then looked up by code).
import { describe, expect, it } from "vitest";
import type { AdminGraphql } from "../graphql.server";
import { discountCodeAdapter } from "./discount-code.server";
import { freeProductAdapter } from "./free-product.server";
import type { KindCreateInput } from "./types.server";

/** A fake Admin API: answers each operation with `answer`, keeps the variables it was sent. */
function fakeAdmin(answer: (name: string) => unknown): { graphql: AdminGraphql; sent: { name: string; variables: Record<string, unknown> }[] } {
  const sent: { name: string; variables: Record<string, unknown> }[] = [];
  const graphql: AdminGraphql = async (query, options) => {
    const name = /(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? "";
    sent.push({ name, variables: (options?.variables ?? {}) as Record<string, unknown> });
    return new Response(JSON.stringify({ data: answer(name) }), { headers: { "Content-Type": "application/json" } });
  };
  return { graphql, sent };
}

const ENDS = new Date("2027-01-31T00:00:00Z");
function input(kind: KindCreateInput["kind"], settings: Partial<KindCreateInput["settings"]>): KindCreateInput {
  return {
    rewardId: "r1",
    kind,
    code: "LOYAL-ABCDEFGHJK",
    tag: "loyalty-r1",
    title: "Reward",
    customerGid: "gid://shopify/Customer/7",
    currency: "USD",
    notBefore: new Date("2026-12-01T00:00:00Z"),
    startsAt: new Date("2026-12-01T00:00:00Z"),
    endsAt: ENDS,
    settings: { value: "10.00", combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true }, minimumSubtotal: "50.00", ...settings },
  } as KindCreateInput;
}

function created(codeDiscount: Record<string, unknown>) {
  return {
    discountCodeBasicCreate: {
      codeDiscountNode: { id: "gid://shopify/DiscountCodeNode/5", codeDiscount: { __typename: "DiscountCodeBasic", title: "Reward", status: "ACTIVE", tags: ["loyalty-r1"], codes: { nodes: [{ code: "LOYAL-ABCDEFGHJK" }] }, usageLimit: 1, asyncUsageCount: 0, ...codeDiscount } },
      userErrors: [],
    },
  };
}

const KINDS = [
  ["amount off", discountCodeAdapter, input("FIXED_AMOUNT", {})],
  ["free product", freeProductAdapter, input("FREE_PRODUCT", { productId: "gid://shopify/Product/3", variantId: null })],
] as const;

describe("one create for every code-discount kind", () => {
  it("GIVEN an amount-off and a free-product reward WHEN created THEN both send the same one-code, one-use, one-customer input and differ only in what the customer gets", async () => {
    const bodies = [];
    for (const [, adapter, reward] of KINDS) {
      const { graphql, sent } = fakeAdmin(() => created({ endsAt: ENDS.toISOString() }));
      expect(await adapter.create({ graphql }, reward)).toMatchObject({ ok: true, data: { id: "gid://shopify/DiscountCodeNode/5", expiresAt: ENDS } });
      bodies.push((sent[0].variables.input ?? {}) as Record<string, unknown>);
    }
    const [amount, product] = bodies.map(({ customerGets, ...common }) => ({ customerGets, common }));
    expect(product.common).toEqual(amount.common);
    expect(amount.common).toMatchObject({
      code: "LOYAL-ABCDEFGHJK",
      usageLimit: 1,
      appliesOncePerCustomer: true,
      context: { customers: { add: ["gid://shopify/Customer/7"] } },
      tags: ["loyalty-r1"],
      minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "50.00" } },
    });
    expect(product.customerGets).toEqual({ value: { percentage: 1 }, items: { products: { productsToAdd: ["gid://shopify/Product/3"] } } });
  });

  it.each(KINDS)("GIVEN %s answered with an endsAt that is not a date THEN the reward's expiry is the one asked for, never an Invalid Date", async (_label, adapter, reward) => {
    const { graphql } = fakeAdmin(() => created({ endsAt: "next Tuesday" }));
    const r = await adapter.create({ graphql }, reward);
    expect(r).toMatchObject({ ok: true });
    expect(r.ok && r.data.expiresAt?.toISOString()).toBe(ENDS.toISOString());
  });

  it.each(KINDS)("GIVEN %s answered with a discount whose status is unreadable THEN the create is a failed call (the reward is then looked up by its code)", async (_label, adapter, reward) => {
    const { graphql } = fakeAdmin(() => created({ status: "SOMETHING_NEW", endsAt: null }));
    expect(await adapter.create({ graphql }, reward)).toMatchObject({ ok: false, error: { kind: "graphql" } });
  });
});
