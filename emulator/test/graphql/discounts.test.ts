// Code discounts through the GraphQL endpoint: creation, Shopify's userErrors, lookups, statuses on
// the store clock, and the lifecycle mutations.
import { describe, expect, it } from "vitest";
import { createAdminHandler } from "../../src/admin-handler";
import { EmulatorStore } from "../../src/store";
import { BY_CODE, CREATE_BASIC, CREATE_FREE_SHIPPING, createBasic, gql, setup, SHOP, TOKEN } from "./helpers";

const DEACTIVATE = `mutation Deactivate($id: ID!) {
  discountCodeDeactivate(id: $id) {
    codeDiscountNode { id codeDiscount { ... on DiscountCodeBasic { status endsAt } } }
    userErrors { field code message extraInfo }
  }
}`;
const ACTIVATE = `mutation Activate($id: ID!) {
  discountCodeActivate(id: $id) {
    codeDiscountNode { codeDiscount { ... on DiscountCodeBasic { status endsAt } } }
    userErrors { field code message }
  }
}`;
const DELETE = `mutation Delete($id: ID!) {
  discountCodeDelete(id: $id) { deletedCodeDiscountId userErrors { field code message } }
}`;

describe("discountCodeBasicCreate", () => {
  it("creates a discount and returns the real payload types", async () => {
    const { handler, store } = setup();
    const customer = store.addCustomer(SHOP, { firstName: "Ann", email: "ann@example.com" });
    const payload = await createBasic(handler, {
      context: { customers: { add: [customer.id] } },
      tags: ["loyalty"],
      combinesWith: { shippingDiscounts: true },
      endsAt: "2026-12-01T00:00:00Z",
    });
    expect(payload.userErrors).toEqual([]);
    expect(payload.codeDiscountNode?.id).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/);
    expect(payload.codeDiscountNode?.codeDiscount).toEqual({
      __typename: "DiscountCodeBasic",
      title: "Loyalty reward 10%",
      status: "ACTIVE",
      startsAt: "2026-11-01T00:00:00Z",
      endsAt: "2026-12-01T00:00:00Z",
      usageLimit: 1,
      appliesOncePerCustomer: true,
      asyncUsageCount: 0,
      codes: { nodes: [{ code: "REWARD-ABC123" }] },
      codesCount: { count: 1 },
      context: { __typename: "DiscountCustomers", customers: [{ id: customer.id }] },
      customerGets: {
        value: { __typename: "DiscountPercentage", percentage: 0.1 },
        items: { __typename: "AllDiscountItems", allItems: true },
      },
      combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
      tags: ["loyalty"],
      createdAt: "2026-11-01T12:00:00Z",
    });
    expect(store.listDiscounts(SHOP)).toHaveLength(1);
  });

  it("supports fixed amounts and the deprecated customerSelection input", async () => {
    const { handler } = setup();
    const payload = await createBasic(handler, {
      context: undefined,
      customerSelection: { all: true },
      customerGets: { value: { discountAmount: { amount: "5.50", appliesOnEachItem: false } }, items: { all: true } },
    });
    expect(payload.userErrors).toEqual([]);
    expect(payload.codeDiscountNode?.codeDiscount.customerGets.value).toEqual({
      __typename: "DiscountAmount",
      amount: { amount: "5.5", currencyCode: "EUR" },
      appliesOnEachItem: false,
    });
    expect(payload.codeDiscountNode?.codeDiscount.context).toEqual({ __typename: "DiscountBuyerSelectionAll", all: "ALL" });
  });

  it("refuses a duplicate code in another case with TAKEN", async () => {
    const { handler, store } = setup();
    await createBasic(handler, { code: "SAVE10" });
    const payload = await createBasic(handler, { code: "save10", title: "Another" });
    expect(payload.codeDiscountNode).toBeNull();
    expect(payload.userErrors).toEqual([
      { field: ["basicCodeDiscount", "code"], code: "TAKEN", message: "Code must be unique. Please try a different code.", extraInfo: null },
    ]);
    expect(store.listDiscounts(SHOP)).toHaveLength(1);
  });

  it("uses the free-shipping argument name in the field path", async () => {
    const { handler } = setup();
    await createBasic(handler, { code: "SHIPFREE" });
    const { body } = await gql(handler, CREATE_FREE_SHIPPING, {
      input: { title: "Free shipping reward", code: "shipfree", startsAt: "2026-11-01T00:00:00Z", context: { all: "ALL" } },
    });
    expect(body.data?.discountCodeFreeShippingCreate.userErrors).toEqual([
      { field: ["freeShippingCodeDiscount", "code"], code: "TAKEN", message: "Code must be unique. Please try a different code." },
    ]);
  });

  it("creates free-shipping discounts", async () => {
    const { handler } = setup();
    const { body } = await gql(handler, CREATE_FREE_SHIPPING, {
      input: { title: "Free shipping reward", code: "FREESHIP-1", startsAt: "2026-11-01T00:00:00Z", context: { all: "ALL" } },
    });
    expect(body.data?.discountCodeFreeShippingCreate).toMatchObject({
      codeDiscountNode: { codeDiscount: { __typename: "DiscountCodeFreeShipping", title: "Free shipping reward", status: "ACTIVE", codes: { nodes: [{ code: "FREESHIP-1" }] } } },
      userErrors: [],
    });
  });

  // Shipping discounts don't combine with shipping discounts (help.shopify.com/en/manual/discounts/combining-discounts):
  // DiscountErrorCode.INVALID_COMBINES_WITH_FOR_DISCOUNT_CLASS, and no discount.
  it("refuses a free-shipping discount that asks to combine with shipping discounts", async () => {
    const { handler, store } = setup();
    const input = { title: "Free shipping reward", code: "FREESHIP-2", startsAt: "2026-11-01T00:00:00Z", context: { all: "ALL" } };
    const refused = await gql(handler, CREATE_FREE_SHIPPING, {
      input: { ...input, combinesWith: { orderDiscounts: true, productDiscounts: true, shippingDiscounts: true } },
    });
    expect(refused.body.data?.discountCodeFreeShippingCreate).toEqual({
      codeDiscountNode: null,
      userErrors: [
        { field: ["freeShippingCodeDiscount", "combinesWith"], code: "INVALID_COMBINES_WITH_FOR_DISCOUNT_CLASS", message: "The combinesWith settings are not valid for the discount class." },
      ],
    });
    expect(store.listDiscounts(SHOP)).toEqual([]);

    const created = await gql(handler, CREATE_FREE_SHIPPING, {
      input: { ...input, combinesWith: { orderDiscounts: true, productDiscounts: true, shippingDiscounts: false } },
    });
    expect(created.body.data?.discountCodeFreeShippingCreate.userErrors).toEqual([]);
  });

  it("lets an amount-off discount combine with shipping discounts", async () => {
    const { handler } = setup();
    const created = await createBasic(handler, { code: "TENOFF-SHIP", combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true } });
    expect(created.userErrors).toEqual([]);
    expect(created.codeDiscountNode).not.toBeNull();
  });

  it("reports missing required fields", async () => {
    const { handler } = setup();
    const { body } = await gql(handler, CREATE_BASIC, { input: {} });
    const errors = body.data?.discountCodeBasicCreate.userErrors as Array<{ field: string[]; code: string }>;
    expect(body.data?.discountCodeBasicCreate.codeDiscountNode).toBeNull();
    expect(errors.map((e) => [e.field.join("."), e.code])).toEqual([
      ["basicCodeDiscount.title", "BLANK"],
      ["basicCodeDiscount.code", "BLANK"],
      ["basicCodeDiscount.startsAt", "BLANK"],
      ["basicCodeDiscount.context", "MISSING_ARGUMENT"],
      ["basicCodeDiscount.customerGets", "BLANK"],
    ]);
  });

  it("refuses a percentage outside 0..1", async () => {
    const { handler } = setup();
    const payload = await createBasic(handler, { customerGets: { value: { percentage: 10 }, items: { all: true } } });
    expect(payload.userErrors).toEqual([
      {
        field: ["basicCodeDiscount", "customerGets", "value", "percentage"],
        code: "VALUE_OUTSIDE_RANGE",
        message: "Value must be between 0.0 and 1.0",
        extraInfo: null,
      },
    ]);
  });

  it("refuses endsAt before startsAt with INVALID", async () => {
    const { handler } = setup();
    const payload = await createBasic(handler, { startsAt: "2026-11-10T00:00:00Z", endsAt: "2026-11-09T00:00:00Z" });
    expect(payload.userErrors).toEqual([
      { field: ["basicCodeDiscount", "endsAt"], code: "INVALID", message: "Ends at needs to be after starts_at", extraInfo: null },
    ]);
  });

  it("refuses context.customers with unknown customer ids", async () => {
    const { handler } = setup();
    const payload = await createBasic(handler, { context: { customers: { add: ["gid://shopify/Customer/999"] } } });
    expect(payload.codeDiscountNode).toBeNull();
    expect(payload.userErrors[0]).toMatchObject({ field: ["basicCodeDiscount", "context", "customers", "add"], code: "INVALID" });
    expect(payload.userErrors[0].message).toContain("gid://shopify/Customer/999");
  });

  it("validates usage limit and tags", async () => {
    const { handler } = setup();
    const payload = await createBasic(handler, { usageLimit: 0, tags: ["a", "b", "c", "d", "e", "f"] });
    expect(payload.userErrors.map((e) => e.code)).toEqual(["GREATER_THAN", "TOO_MANY_TAGS"]);
  });
});

describe("reading discounts", () => {
  it("codeDiscountNodeByCode is case-insensitive and returns null for unknown codes", async () => {
    const { handler } = setup();
    const created = await createBasic(handler, { code: "Reward-XyZ" });
    const found = await gql(handler, BY_CODE, { code: "REWARD-xyz" });
    expect(found.body.data?.codeDiscountNodeByCode.id).toBe(created.codeDiscountNode?.id);
    expect(found.body.data?.codeDiscountNodeByCode.codeDiscount.codes.nodes[0].code).toBe("Reward-XyZ");
    const missing = await gql(handler, BY_CODE, { code: "NOPE" });
    expect(missing.body.data?.codeDiscountNodeByCode).toBeNull();
  });

  it("discountNode and the deprecated codeDiscountNode resolve by id", async () => {
    const { handler } = setup();
    const created = await createBasic(handler);
    const id = created.codeDiscountNode?.id ?? "";
    const { body } = await gql(
      handler,
      `query Q($id: ID!, $nodeId: ID!) {
        codeDiscountNode(id: $id) { id codeDiscount { ... on DiscountCodeBasic { title } } }
        discountNode(id: $nodeId) { id discount { __typename ... on DiscountCodeBasic { title status discountClasses summary } } }
      }`,
      { id, nodeId: id.replace("DiscountCodeNode", "DiscountNode") },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.codeDiscountNode).toEqual({ id, codeDiscount: { title: "Loyalty reward 10%" } });
    expect(body.data?.discountNode.discount).toEqual({
      __typename: "DiscountCodeBasic",
      title: "Loyalty reward 10%",
      status: "ACTIVE",
      discountClasses: ["ORDER"],
      summary: "10% off entire order • Limit of 1 use • One use per customer",
    });
  });

  it("GIVEN the other id form THEN discountNode (DiscountCodeNode id) and codeDiscountNode (DiscountNode id) answer null (issue 17, point 3)", async () => {
    const { handler } = setup();
    const created = await createBasic(handler);
    const id = created.codeDiscountNode?.id ?? "";
    const { body } = await gql(
      handler,
      `query Q($id: ID!, $nodeId: ID!) {
        codeDiscountNode(id: $nodeId) { id }
        discountNode(id: $id) { id }
      }`,
      { id, nodeId: id.replace("DiscountCodeNode", "DiscountNode") },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ codeDiscountNode: null, discountNode: null });
  });

  it("node(id:) resolves discounts and customers, and rejects malformed ids", async () => {
    const { handler, store } = setup();
    const customer = store.addCustomer(SHOP, { firstName: "Bo" });
    const { body } = await gql(handler, `query N($id: ID!) { node(id: $id) { __typename ... on Customer { firstName } } }`, { id: customer.id });
    expect(body.data?.node).toEqual({ __typename: "Customer", firstName: "Bo" });
    const bad = await gql(handler, `{ customer(id: "42") { id } }`);
    expect(bad.body.errors?.[0].message).toBe("Invalid global id '42'");
  });
});

describe("status and lifecycle", () => {
  async function statusOf(handler: Parameters<typeof gql>[0], code: string): Promise<string> {
    const { body } = await gql(handler, BY_CODE, { code });
    return body.data?.codeDiscountNodeByCode.codeDiscount.status as string;
  }

  it("is SCHEDULED before startsAt, ACTIVE between, EXPIRED after endsAt (store clock)", async () => {
    const { handler, clock } = setup();
    await createBasic(handler, { code: "TIMED", startsAt: "2026-11-05T00:00:00Z", endsAt: "2026-11-10T00:00:00Z" });
    expect(await statusOf(handler, "TIMED")).toBe("SCHEDULED");
    clock.set("2026-11-05T00:00:00Z");
    expect(await statusOf(handler, "TIMED")).toBe("ACTIVE");
    clock.set("2026-11-10T00:00:00Z");
    expect(await statusOf(handler, "TIMED")).toBe("EXPIRED");
  });

  it("deactivation reads EXPIRED with endsAt = now, and checkout refuses the code", async () => {
    const { handler, store, clock } = setup();
    const created = await createBasic(handler, { code: "GONE" });
    clock.advance(60_000);
    const { body } = await gql(handler, DEACTIVATE, { id: created.codeDiscountNode?.id });
    expect(body.data?.discountCodeDeactivate).toEqual({
      codeDiscountNode: { id: created.codeDiscountNode?.id, codeDiscount: { status: "EXPIRED", endsAt: "2026-11-01T12:01:00Z" } },
      userErrors: [],
    });
    expect(await statusOf(handler, "gone")).toBe("EXPIRED");
    expect(() => store.placeOrder(SHOP, { customerId: null, codes: ["GONE"] })).toThrowError(
      expect.objectContaining({ reason: "discount_deactivated" }) as Error,
    );
  });

  it("deactivation reads EXPIRED in its own payload with the real system clock", async () => {
    const store = new EmulatorStore();
    store.addShop({ domain: SHOP, accessToken: TOKEN });
    const handler = createAdminHandler(store);
    const created = await createBasic(handler, { code: "NOW", startsAt: new Date(Date.now() - 60_000).toISOString() });
    const { body } = await gql(handler, DEACTIVATE, { id: created.codeDiscountNode?.id });
    expect(body.data?.discountCodeDeactivate.codeDiscountNode.codeDiscount.status).toBe("EXPIRED");
  });

  it("discountCodeActivate makes a deactivated discount ACTIVE again", async () => {
    const { handler, clock } = setup();
    const created = await createBasic(handler, { code: "BACK" });
    const id = created.codeDiscountNode?.id;
    await gql(handler, DEACTIVATE, { id });
    clock.advance(1000);
    const { body } = await gql(handler, ACTIVATE, { id });
    expect(body.data?.discountCodeActivate).toEqual({ codeDiscountNode: { codeDiscount: { status: "ACTIVE", endsAt: null } }, userErrors: [] });
  });

  it("delete makes codeDiscountNodeByCode return null and frees the code", async () => {
    const { handler, store } = setup();
    const created = await createBasic(handler, { code: "TEMP" });
    const { body } = await gql(handler, DELETE, { id: created.codeDiscountNode?.id });
    expect(body.data?.discountCodeDelete).toEqual({ deletedCodeDiscountId: created.codeDiscountNode?.id, userErrors: [] });
    expect((await gql(handler, BY_CODE, { code: "TEMP" })).body.data?.codeDiscountNodeByCode).toBeNull();
    expect(store.listDeletedDiscounts(SHOP).map((d) => d.id)).toEqual([created.codeDiscountNode?.id]);
    expect(() => store.placeOrder(SHOP, { customerId: null, codes: ["TEMP"] })).toThrowError(
      expect.objectContaining({ reason: "code_not_found" }) as Error,
    );
    expect((await createBasic(handler, { code: "temp" })).userErrors).toEqual([]);
  });

  it("lifecycle mutations on a missing id return 'Discount does not exist'", async () => {
    const { handler } = setup();
    const id = "gid://shopify/DiscountCodeNode/424242";
    const expected = [{ field: ["id"], code: null, message: "Discount does not exist" }];
    const deactivated = await gql(handler, DEACTIVATE, { id });
    expect(deactivated.body.data?.discountCodeDeactivate).toEqual({ codeDiscountNode: null, userErrors: [{ ...expected[0], extraInfo: null }] });
    expect((await gql(handler, ACTIVATE, { id })).body.data?.discountCodeActivate.userErrors).toEqual(expected);
    expect((await gql(handler, DELETE, { id })).body.data?.discountCodeDelete).toEqual({ deletedCodeDiscountId: null, userErrors: expected });
  });

  it("lifecycle mutations refuse an id that is not a global id with a top-level error, as the lookups do", async () => {
    const { handler, store } = setup();
    await createBasic(handler, { code: "KEEPME" });
    for (const [document, field] of [[DEACTIVATE, "discountCodeDeactivate"], [ACTIVATE, "discountCodeActivate"], [DELETE, "discountCodeDelete"]] as const) {
      const { status, body } = await gql(handler, document, { id: "424242" });
      expect(status).toBe(200);
      expect(body.data?.[field]).toBeNull();
      expect(body.errors).toEqual([expect.objectContaining({ message: "Invalid global id '424242'", path: [field], extensions: { code: "argumentLiteralsIncompatible" } })]);
    }
    expect(store.listDiscounts(SHOP)).toHaveLength(1);
  });

  it("GIVEN usage lag on THEN asyncUsageCount reports new uses only once the count catches up, while checkout enforces the true count (issue 17, point 5)", async () => {
    const { handler, store } = setup();
    store.consistency.asyncUsageCount = true;
    await createBasic(handler, { code: "LAGCOUNT", usageLimit: 1, appliesOncePerCustomer: false });
    store.placeOrder(SHOP, { customerId: null, codes: ["LAGCOUNT"] });
    const before = await gql(handler, BY_CODE, { code: "LAGCOUNT" });
    expect(before.body.data?.codeDiscountNodeByCode.codeDiscount.asyncUsageCount).toBe(0);
    expect(() => store.placeOrder(SHOP, { customerId: null, codes: ["LAGCOUNT"] })).toThrow(expect.objectContaining({ reason: "usage_limit_reached" }));
    store.catchUp();
    const after = await gql(handler, BY_CODE, { code: "LAGCOUNT" });
    expect(after.body.data?.codeDiscountNodeByCode.codeDiscount.asyncUsageCount).toBe(1);
    expect(after.body.data?.codeDiscountNodeByCode.codeDiscount.codes.nodes[0].asyncUsageCount).toBe(1);
  });

  it("asyncUsageCount follows orders placed with the code", async () => {
    const { handler, store } = setup();
    await createBasic(handler, { code: "COUNTME", usageLimit: null, appliesOncePerCustomer: false });
    store.placeOrder(SHOP, { customerId: null, codes: ["countme"] });
    store.placeOrder(SHOP, { customerId: null, codes: ["COUNTME"] });
    const { body } = await gql(handler, BY_CODE, { code: "COUNTME" });
    expect(body.data?.codeDiscountNodeByCode.codeDiscount.asyncUsageCount).toBe(2);
    expect(body.data?.codeDiscountNodeByCode.codeDiscount.codes.nodes[0].asyncUsageCount).toBe(2);
  });

  it("merchant deactivation from the store reports what changed", () => {
    const { store, clock } = setup();
    const discount = store.createCodeDiscount(SHOP, {
      kind: "basic",
      title: "t",
      codes: ["MERCHANT"],
      startsAt: clock.now(),
      customerGets: { value: { kind: "percentage", percentage: 0.2 }, items: { kind: "all" }, appliesOnOneTimePurchase: true, appliesOnSubscription: false },
    });
    const change = store.deactivateDiscount(SHOP, discount.id);
    expect(change?.changed).toBe(true);
    expect(change?.before.endsAt).toBeNull();
    expect(change?.after.endsAt?.toISOString()).toBe(clock.now().toISOString());
    expect(store.deactivateDiscount(SHOP, discount.id)?.changed).toBe(false);
    expect(store.deleteDiscount(SHOP, discount.id)?.id).toBe(discount.id);
    expect(store.deleteDiscount(SHOP, discount.id)).toBeUndefined();
  });
});
