// Request-level behaviour: routing, authentication, body parsing, validation against the real
// schema, variable coercion, and loud failures for fields the emulator does not implement.
import { describe, expect, it } from "vitest";
import { loadAdminSchema } from "../../src/schema";
import { gql, graphqlRequest, setup, SHOP, TOKEN } from "./helpers";

describe("schema", () => {
  it("loads the real 2026-10 Admin schema once per process", () => {
    const first = loadAdminSchema("2026-10");
    expect(first.schema.getQueryType()?.name).toBe("QueryRoot");
    expect(first.schema.getMutationType()?.getFields().discountCodeBasicCreate).toBeDefined();
    expect(first.access.get("Mutation.giftCardCreate")?.offlineScopes).toEqual(["write_gift_cards"]);
    expect(loadAdminSchema("2026-10")).toBe(first);
  });
});

describe("routing and authentication", () => {
  it("answers 401 with Shopify's body for a wrong or missing token", async () => {
    const { handler } = setup();
    for (const token of ["shpat_wrong", null]) {
      const { status, body } = await gql(handler, "{ shop { name } }", undefined, { token });
      expect(status).toBe(401);
      expect(body).toEqual({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    }
    expect(handler.inspect.countCalls(undefined, { outcome: "unauthorized" })).toBe(2);
  });

  it("answers 404 for unknown shops and paths", async () => {
    const { handler } = setup();
    const unknownShop = await gql(handler, "{ shop { name } }", undefined, { shop: "nobody.myshopify.com" });
    expect(unknownShop.status).toBe(404);
    expect(unknownShop.body).toEqual({ errors: "Not Found" });
    const badPath = await handler.handle(new Request(`https://${SHOP}/admin/api/2026-10/products.json`, { method: "POST", headers: { "x-shopify-access-token": TOKEN } }));
    expect(badPath.status).toBe(404);
  });

  it("accepts other API versions and reports the version that answered", async () => {
    const { handler } = setup();
    const current = await gql(handler, "{ shop { name } }");
    expect(current.response.headers.get("x-shopify-api-version")).toBe("2026-10");
    const older = await gql(handler, "{ shop { name } }", undefined, { version: "2026-07" });
    expect(older.status).toBe(200);
    expect(older.response.headers.get("x-shopify-api-version")).toBe("2026-07");
    // A retired version falls forward to the oldest supported stable one
    // (https://shopify.dev/docs/api/usage/versioning): here the oldest introspection shipped.
    const retired = await gql(handler, "{ shop { name } }", undefined, { version: "2019-04" });
    expect(retired.response.headers.get("x-shopify-api-version")).toBe("2025-10");
    const unreleased = await gql(handler, "{ shop { name } }", undefined, { version: "2031-01" });
    expect(unreleased.response.headers.get("x-shopify-api-version")).toBe("2026-10");
    expect(handler.inspect.calls().map((c) => [c.requestedVersion, c.servedVersion])).toEqual([
      ["2026-10", "2026-10"],
      ["2026-07", "2026-07"],
      ["2019-04", "2025-10"],
      ["2031-01", "2026-10"],
    ]);
  });

  it("answers 400 for a body that is not JSON or has no query", async () => {
    const { handler } = setup();
    const url = `https://${SHOP}/admin/api/2026-10/graphql.json`;
    const headers = { "x-shopify-access-token": TOKEN, "content-type": "application/json" };
    const notJson = await handler.handle(new Request(url, { method: "POST", headers, body: "{nope" }));
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ errors: { query: "Required parameter missing or invalid" } });
    const noQuery = await handler.handle(new Request(url, { method: "POST", headers, body: JSON.stringify({ variables: {} }) }));
    expect(noQuery.status).toBe(400);
  });

  it("accepts application/graphql bodies", async () => {
    const { handler } = setup();
    const response = await handler.handle(
      new Request(`https://${SHOP}/admin/api/2026-10/graphql.json`, {
        method: "POST",
        headers: { "x-shopify-access-token": TOKEN, "content-type": "application/graphql" },
        body: "{ shop { myshopifyDomain } }",
      }),
    );
    expect(await response.json()).toMatchObject({ data: { shop: { myshopifyDomain: SHOP } } });
  });
});

describe("document validation", () => {
  it("rejects an unknown field with HTTP 200 and Shopify's error shape", async () => {
    const { handler } = setup();
    const { status, body } = await gql(handler, "query ShopInfo { shop { name nonexistentField } }");
    expect(status).toBe(200);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message: 'Cannot query field "nonexistentField" on type "Shop".',
        locations: [{ line: 1, column: 30 }],
        path: ["query ShopInfo", "shop", "nonexistentField"],
        extensions: { code: "undefinedField", typeName: "Shop", fieldName: "nonexistentField" },
      },
    ]);
    expect(handler.inspect.calls()[0]).toMatchObject({ outcome: "invalid", rootFields: ["shop"], operationName: "ShopInfo" });
  });

  it("rejects unknown arguments, missing required arguments and syntax errors", async () => {
    const { handler } = setup();
    const unknownArg = await gql(handler, '{ customer(id: "gid://shopify/Customer/1", foo: 1) { id } }');
    expect(unknownArg.body.errors?.[0].extensions?.code).toBe("argumentNotAccepted");
    const missingArg = await gql(handler, "{ customer { id } }");
    expect(missingArg.body.errors?.[0].extensions?.code).toBe("missingRequiredArguments");
    const syntax = await gql(handler, "{ shop { name }");
    expect(syntax.status).toBe(200);
    expect(syntax.body.errors?.[0]).toMatchObject({ locations: [{ line: 1, column: 16 }], extensions: { code: "syntaxError" } });
  });

  it("validates against the requested version's schema (a 2026-07 field missing in 2025-10)", async () => {
    const { handler } = setup({ giftCards: true });
    const query = 'mutation { giftCardCreate(input: { initialAmount: { amount: "5", currencyCode: EUR } }) { userErrors { message } } }';
    const old = await gql(handler, query, undefined, { version: "2025-10" });
    const messages = (old.body.errors ?? []).map((e) => e.message);
    expect(messages.some((m) => m.includes('Field "initialAmount" is not defined by type "GiftCardCreateInput"'))).toBe(true);
    const current = await gql(handler, query);
    expect(current.body.errors).toBeUndefined();
  });

  it("requires an operation name when the document has several operations", async () => {
    const { handler } = setup();
    const doc = "query A { shop { name } } query B { shop { email } }";
    const ambiguous = await gql(handler, doc);
    expect(ambiguous.body.errors?.[0].message).toBe("Must provide operation name if query contains multiple operations.");
    const named = await gql(handler, doc, undefined, { operationName: "B" });
    expect(named.body.data).toEqual({ shop: { email: `owner@${SHOP}` } });
  });
});

describe("variable coercion", () => {
  const QUERY = "query Customer($id: ID!) { customer(id: $id) { id } }";

  it("reports a missing required variable as INVALID_VARIABLE", async () => {
    const { handler } = setup();
    const { status, body } = await gql(handler, QUERY, {});
    expect(status).toBe(200);
    expect(body.errors).toEqual([
      {
        message: "Variable $id of type ID! was provided invalid value (Expected value to not be null)",
        locations: [{ line: 1, column: 16 }],
        extensions: { code: "INVALID_VARIABLE", value: null, problems: [{ path: [], explanation: "Expected value to not be null" }] },
      },
    ]);
  });

  it("reports the path of a bad nested input value", async () => {
    const { handler } = setup();
    const { body } = await gql(
      handler,
      "mutation C($input: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $input) { userErrors { message } } }",
      { input: { title: "x", code: 5, startsAt: "not a date" } },
    );
    const error = body.errors?.[0];
    expect(error?.extensions?.code).toBe("INVALID_VARIABLE");
    expect(error?.message).toMatch(/^Variable \$input of type DiscountCodeBasicInput! was provided invalid value for code \(/);
    const problems = error?.extensions?.problems as Array<{ path: string[]; explanation: string }>;
    expect(problems.map((p) => p.path)).toEqual([["code"], ["startsAt"]]);
    expect(problems[1].explanation).toContain("DateTime");
  });

  it("enforces @oneOf inputs from the real schema", async () => {
    const { handler } = setup();
    const { body } = await gql(
      handler,
      "mutation C($input: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $input) { userErrors { message } } }",
      { input: { context: { all: "ALL", customers: { add: [] } } } },
    );
    expect(body.errors?.[0].extensions?.code).toBe("INVALID_VARIABLE");
    expect(JSON.stringify(body.errors)).toContain('Exactly one key must be specified for OneOf type \\"DiscountContextInput\\"');
  });
});

describe("input limits", () => {
  // "Input arguments that accept an array have a maximum size of 250 for all APIs. Requests return
  // an error if an input array exceeds 250 items" (https://shopify.dev/docs/api/usage/limits).
  const NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }";
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `gid://shopify/Customer/${i + 1}`);

  it("refuses a list of 251 items given as a variable, runs nothing and charges nothing", async () => {
    const { handler } = setup();
    const { status, body } = await gql(handler, NODES, { ids: ids(251) });
    expect(status).toBe(200);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message: "The input array size of 251 is greater than the maximum allowed of 250.",
        locations: [{ line: 1, column: 29 }],
        path: ["nodes", "ids"],
        extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
      },
    ]);
    expect(handler.inspect.calls()[0]).toMatchObject({ outcome: "invalid", requestedQueryCost: null });
  });

  it("refuses an oversized list nested in an input object (discount entitlements)", async () => {
    const { handler, store } = setup();
    const count = store.listDiscounts(SHOP).length;
    const { body } = await gql(
      handler,
      "mutation C($input: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $input) { userErrors { message } } }",
      {
        input: {
          title: "t",
          code: "BIG-LIST",
          startsAt: "2026-11-01T00:00:00Z",
          context: { all: "ALL" },
          customerGets: { value: { percentage: 0.1 }, items: { products: { productsToAdd: ids(300).map((id) => id.replace("Customer", "Product")) } } },
        },
      },
    );
    expect(body.errors?.[0]).toMatchObject({
      path: ["discountCodeBasicCreate", "basicCodeDiscount", "customerGets", "items", "products", "productsToAdd"],
      extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
    });
    expect(store.listDiscounts(SHOP)).toHaveLength(count);
  });

  it("names the field by its alias in the error path", async () => {
    const { handler } = setup();
    const { body } = await gql(handler, "query Nodes($ids: [ID!]!) { cards: nodes(ids: $ids) { id } }", { ids: ids(251) });
    expect(body.errors?.[0]).toMatchObject({ path: ["cards", "ids"], extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" } });
  });

  it("accepts exactly 250 items", async () => {
    const { handler } = setup();
    const { body } = await gql(handler, NODES, { ids: ids(250) });
    expect(body.errors).toBeUndefined();
    expect(body.data?.nodes).toHaveLength(250);
  });
});

describe("not emulated", () => {
  it("fails loudly for a valid but unimplemented root field, naming it", async () => {
    const { handler } = setup();
    const { status, body } = await gql(handler, "{ shop { name } products(first: 1) { nodes { id } } }");
    expect(status).toBe(200);
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0].message).toContain("not emulated");
    expect(body.errors?.[0].message).toContain("products");
    expect(body.errors?.[0].extensions?.code).toBe("NOT_EMULATED");
    expect(body.errors?.[0].path).toEqual(["products"]);
  });

  it("fails loudly for an unimplemented mutation and leaves state alone", async () => {
    const { handler, store } = setup();
    const { body } = await gql(handler, 'mutation { discountCodeBxgyCreate(bxgyCodeDiscount: { title: "x" }) { userErrors { message } } }');
    expect(body.errors?.[0].message).toMatch(/discountCodeBxgyCreate is not emulated/);
    expect(store.listDiscounts(SHOP)).toHaveLength(0);
  });

  it("fails loudly for an unimplemented nested field instead of returning null", async () => {
    const { handler } = setup();
    const { body } = await gql(handler, "{ shop { name billingAddress { city } } }");
    expect(body.errors?.[0].message).toContain("Shop.billingAddress is not emulated");
  });

  it("refuses @idempotent, which no emulated mutation supports", async () => {
    const { handler } = setup();
    const { body } = await gql(handler, 'mutation { discountCodeDelete(id: "gid://shopify/DiscountCodeNode/1") @idempotent(key: "k1") { userErrors { message } } }');
    expect(body.errors?.[0].extensions?.code).toBe("NOT_EMULATED");
  });
});

describe("shop", () => {
  it("returns the shop's identity, plan and gift card feature", async () => {
    const { handler } = setup({ planDisplayName: "Shopify Plus" });
    const { body } = await gql(handler, "{ shop { id name myshopifyDomain currencyCode plan { displayName shopifyPlus } features { giftCards } } }");
    expect(body.data?.shop).toEqual({
      id: "gid://shopify/Shop/1",
      name: "Loyalty Demo",
      myshopifyDomain: SHOP,
      currencyCode: "EUR",
      plan: { displayName: "Shopify Plus", shopifyPlus: true },
      features: { giftCards: true },
    });
  });

  it("builds requests the way the helper does (sanity check of the harness)", () => {
    const request = graphqlRequest("{ shop { name } }");
    expect(request.method).toBe("POST");
    expect(request.headers.get("x-shopify-access-token")).toBe(TOKEN);
  });
});
