// Query cost and the leaky bucket: extensions.cost on every executed response, THROTTLED when the
// bucket cannot cover the requested cost, refill on the store clock, and the 1000-point ceiling.
import { parse, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { actualQueryCost, requestedQueryCost } from "../../src/cost";
import { loadAdminSchema } from "../../src/schema";
import { PLAN_LIMITS } from "../../src/throttle";
import { basicInput, createBasic, gql, setup, SHOP, TOKEN } from "./helpers";

function costOf(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === "OperationDefinition");
  if (!operation) throw new Error("no operation");
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === "FragmentDefinition") fragments[d.name.value] = d;
  const input = { schema: loadAdminSchema().schema, operation, fragments, variables };
  return { requested: requestedQueryCost(input), actual: (data: Record<string, unknown>) => actualQueryCost(input, data) };
}

describe("cost calculation", () => {
  it("charges 0 for scalars, 1 per object, 2 + page × node for connections, 10 per mutation field", () => {
    expect(costOf("{ shop { name currencyCode } }").requested).toBe(1);
    expect(costOf("{ shop { name plan { displayName } } }").requested).toBe(2);
    expect(costOf("{ customers(first: 10) { nodes { id } } }").requested).toBe(12);
    expect(costOf("{ customers(first: 10) { edges { cursor node { id amountSpent { amount } } } pageInfo { hasNextPage } } }").requested).toBe(22);
    expect(costOf("query Q($n: Int) { customers(last: $n) { nodes { id } } }", { n: 5 }).requested).toBe(7);
    expect(costOf('mutation { a: discountCodeDelete(id: "x") { deletedCodeDiscountId } b: discountCodeDelete(id: "y") { userErrors { field } } }').requested).toBe(20);
  });

  it("takes the dearest possible type of a union and follows fragments and @skip", () => {
    const query = `
      query Q($skip: Boolean!) {
        codeDiscountNodeByCode(code: "X") {
          codeDiscount {
            ... on DiscountCodeBasic { codes(first: 10) { nodes { code } } }
            ... on DiscountCodeFreeShipping { title }
          }
          ...Extra @skip(if: $skip)
        }
      }
      fragment Extra on DiscountCodeNode { codeDiscount { ... on DiscountCodeBasic { totalSales { amount } } } }`;
    // node 1 + codeDiscount 1 + codes (2 + 10 × 1) [+ totalSales 1]
    expect(costOf(query, { skip: true }).requested).toBe(14);
    expect(costOf(query, { skip: false }).requested).toBe(15);
  });

  it("actual cost counts the nodes a connection returned", () => {
    const { requested, actual } = costOf("{ customers(first: 50) { nodes { id } } }");
    expect(requested).toBe(52);
    expect(actual({ customers: { nodes: [{ id: "1" }, { id: "2" }, { id: "3" }] } })).toBe(5);
  });
});

describe("extensions.cost and the bucket", () => {
  it("reports cost and throttle status on every executed response and refunds unused points", async () => {
    const { handler, store } = setup();
    store.addCustomer(SHOP, { firstName: "A" });
    const first = await gql(handler, "{ customers(first: 100) { nodes { id } } }");
    expect(first.body.extensions?.cost).toEqual({
      requestedQueryCost: 102,
      actualQueryCost: 3,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1997, restoreRate: 100 },
    });
    const created = await createBasic(handler);
    expect(created.userErrors).toEqual([]);
    const second = await gql(handler, "{ shop { name } }");
    expect(second.body.extensions?.cost).toEqual({
      requestedQueryCost: 1,
      actualQueryCost: 1,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1986, restoreRate: 100 },
    });
  });

  it("throttles when the requested cost exceeds what is available, then refills with the clock", async () => {
    const { handler, clock } = setup();
    handler.throttle.setAvailable(TOKEN, SHOP, 5);
    const mutation = 'mutation { discountCodeDelete(id: "gid://shopify/DiscountCodeNode/1") { userErrors { message } } }';
    const throttled = await gql(handler, mutation);
    expect(throttled.status).toBe(200);
    expect(throttled.body).toEqual({
      errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
      extensions: {
        cost: {
          requestedQueryCost: 10,
          actualQueryCost: null,
          throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 5, restoreRate: 100 },
        },
      },
    });
    expect(handler.inspect.countCalls("discountCodeDelete", { outcome: "throttled" })).toBe(1);

    clock.advance(40); // +4 points: 9 < 10, still throttled
    expect((await gql(handler, mutation)).body.errors?.[0].extensions?.code).toBe("THROTTLED");
    clock.advance(10); // +1 point: 10 available
    const admitted = await gql(handler, mutation);
    expect(admitted.body.errors).toBeUndefined();
    expect(admitted.body.extensions?.cost.throttleStatus.currentlyAvailable).toBe(0);

    clock.advance(60_000); // capped at the bucket size
    expect((await gql(handler, "{ shop { name } }")).body.extensions?.cost.throttleStatus.currentlyAvailable).toBe(1999);
  });

  it("keeps one bucket per app and shop, sized by the shop's plan or configuration", async () => {
    const { handler, store } = setup({ planDisplayName: "Shopify Plus" });
    store.addShop({ domain: "adv.myshopify.com", accessToken: "tok2", planDisplayName: "Advanced" });
    const plus = await gql(handler, "{ shop { name } }");
    expect(plus.body.extensions?.cost.throttleStatus).toEqual({ maximumAvailable: 20000, currentlyAvailable: 19999, restoreRate: 1000 });
    const advanced = await gql(handler, "{ shop { name } }", undefined, { shop: "adv.myshopify.com", token: "tok2" });
    expect(advanced.body.extensions?.cost.throttleStatus).toEqual({ maximumAvailable: 4000, currentlyAvailable: 3999, restoreRate: 200 });
    handler.throttle.configure("adv.myshopify.com", { maximumAvailable: 50, restoreRate: 5 });
    handler.throttle.reset({ keepLimits: true });
    const custom = await gql(handler, "{ shop { name } }", undefined, { shop: "adv.myshopify.com", token: "tok2" });
    expect(custom.body.extensions?.cost.throttleStatus).toEqual({ maximumAvailable: 50, currentlyAvailable: 49, restoreRate: 5 });
    expect(PLAN_LIMITS.Enterprise).toEqual({ maximumAvailable: 40000, restoreRate: 2000 });
  });

  it("refuses a query above 1000 points with MAX_COST_EXCEEDED and charges nothing", async () => {
    const { handler } = setup();
    const page = "customers(first: 250) { nodes { id amountSpent { amount } } }";
    const fits = await gql(handler, `{ ${page} }`);
    expect(fits.body.extensions?.cost).toMatchObject({ requestedQueryCost: 502, actualQueryCost: 2 });

    const { status, body } = await gql(handler, `{ a: ${page} b: ${page} }`);
    expect(status).toBe(200);
    expect(body.data).toBeUndefined();
    expect(body.extensions).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0].message).toMatch(/^Query cost is 1004, which exceeds the single query max cost limit \(1000\)\./);
    expect(body.errors?.[0].extensions).toEqual({
      code: "MAX_COST_EXCEEDED",
      cost: 1004,
      maxCost: 1000,
      documentation: "https://shopify.dev/api/usage/rate-limits",
    });
    expect(handler.inspect.countCalls("customers", { outcome: "max_cost_exceeded" })).toBe(1);
    const after = await gql(handler, "{ shop { name } }");
    expect(after.body.extensions?.cost.throttleStatus.currentlyAvailable).toBe(2000 - 2 - 1);
  });
});

describe("connections without first or last", () => {
  // Shopify prices a connection by first/last (https://shopify.dev/docs/api/usage/limits#cost-calculation)
  // and refuses one without them before running anything: data null, the field's path, the
  // requested cost charged (emulator/src/cost.ts unsizedConnections).
  it("refuses a root connection with data null, the field's path and location, and charges its requested cost", async () => {
    const { handler, store } = setup();
    store.addCustomer(SHOP, { firstName: "A" });
    const { status, body } = await gql(handler, "{\n  customers { nodes { id } }\n}");
    expect(status).toBe(200);
    expect(body).toEqual({
      data: null,
      errors: [{ message: "you must provide one of first or last", locations: [{ line: 2, column: 3 }], path: ["customers"] }],
      extensions: {
        cost: { requestedQueryCost: 2, actualQueryCost: 2, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1998, restoreRate: 100 } },
      },
    });
    expect(handler.inspect.countCalls("customers", { outcome: "invalid" })).toBe(1);
  });

  it("refuses a nested connection too (it was executed up to it and reported actualQueryCost 0)", async () => {
    const { handler } = setup();
    await createBasic(handler, { code: "NESTED1" });
    const query = `query ByCode($code: String!) {
      codeDiscountNodeByCode(code: $code) { id codeDiscount { ... on DiscountCodeBasic { codes { nodes { code } } } } }
    }`;
    const { body } = await gql(handler, query, { code: "NESTED1" });
    expect(body.data).toBeNull();
    expect(body.errors).toEqual([
      expect.objectContaining({ message: "you must provide one of first or last", path: ["codeDiscountNodeByCode", "codeDiscount", "codes"] }),
    ]);
    // node 1 + codeDiscount 1 + codes (2 + 0 × node)
    expect(body.extensions?.cost).toMatchObject({ requestedQueryCost: 4, actualQueryCost: 4 });
  });

  it("runs nothing: a mutation selecting an unsized connection creates nothing", async () => {
    const { handler, store } = setup();
    const mutation = `mutation Create($input: DiscountCodeBasicInput!) {
      discountCodeBasicCreate(basicCodeDiscount: $input) {
        codeDiscountNode { codeDiscount { ... on DiscountCodeBasic { codes { nodes { code } } } } }
        userErrors { field message }
      }
    }`;
    const { body } = await gql(handler, mutation, { input: basicInput({ code: "NESTED2" }) });
    expect(body.data).toBeNull();
    expect(body.errors?.[0].path).toEqual(["discountCodeBasicCreate", "codeDiscountNode", "codeDiscount", "codes"]);
    expect(store.findDiscountByCode(SHOP, "NESTED2")).toBeUndefined();
  });

  it("accepts first or last given through a variable, and 0", async () => {
    const { handler } = setup();
    const { body } = await gql(handler, "query Q($n: Int) { customers(last: $n) { nodes { id } } }", { n: 0 });
    expect(body.errors).toBeUndefined();
    const missing = await gql(handler, "query Q($n: Int) { customers(first: $n) { nodes { id } } }", {});
    expect(missing.body.errors?.[0].message).toBe("you must provide one of first or last");
  });
});
