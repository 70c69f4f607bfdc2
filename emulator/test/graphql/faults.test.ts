// Fault injection: every kind, matching by root field / operation name / shop, and counts.
import { describe, expect, it } from "vitest";
import { EmulatedNetworkError, FaultInjector } from "../../src/faults";
import { basicInput, CREATE_BASIC, gql, graphqlRequest, setup, SHOP } from "./helpers";

const SHOP_QUERY = "query ShopName { shop { name } }";

describe("HTTP faults", () => {
  it.each([
    [500, '{"errors":"An unexpected error occurred"}', "application/json; charset=utf-8"],
    [502, "502 Bad Gateway", "text/html; charset=utf-8"],
    [503, '{"errors":"Service Unavailable"}', "application/json; charset=utf-8"],
  ])("answers %i with a body and does not execute", async (status, bodyText, contentType) => {
    const { handler, store } = setup();
    handler.faults.httpError("discountCodeBasicCreate", status);
    const response = await handler.handle(graphqlRequest(CREATE_BASIC, { input: basicInput() }));
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe(contentType);
    expect(await response.text()).toContain(bodyText);
    expect(store.listDiscounts(SHOP)).toHaveLength(0);
    expect(handler.inspect.calls()[0]).toMatchObject({ outcome: "http_error", httpStatus: status, fault: "http" });
    // Used up: the retry goes through.
    const retry = await gql(handler, CREATE_BASIC, { input: basicInput() });
    expect(retry.body.data?.discountCodeBasicCreate.userErrors).toEqual([]);
  });

  it("answers 429 with a decimal Retry-After and a custom body when given", async () => {
    const { handler } = setup();
    handler.faults.httpError("shop", 429, { retryAfterSeconds: 4 });
    const response = await handler.handle(graphqlRequest(SHOP_QUERY));
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("4.0");
    expect(await response.json()).toEqual({ errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." });
    handler.faults.httpError("shop", 500, { body: "boom", headers: { "content-type": "text/plain" } });
    const custom = await handler.handle(graphqlRequest(SHOP_QUERY));
    expect(await custom.text()).toBe("boom");
  });
});

describe("hang", () => {
  it("delays the answer by N ms", async () => {
    const { handler } = setup();
    handler.faults.hang("shop", 60);
    const started = performance.now();
    const { status } = await gql(handler, SHOP_QUERY);
    expect(status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it("with a delay, runs the call after it even when the caller has given up (Shopify may: the request was received)", async () => {
    const { handler, store } = setup();
    handler.faults.hang("discountCodeBasicCreate", 40);
    const controller = new AbortController();
    const pending = handler.handle(graphqlRequest(CREATE_BASIC, { input: basicInput() }, { signal: controller.signal }));
    controller.abort();
    expect(store.listDiscounts(SHOP)).toHaveLength(0);
    await pending.catch(() => undefined);
    expect(store.listDiscounts(SHOP)).toHaveLength(1);
  });

  it("hangs until the request's AbortSignal aborts, and rejects with its reason", async () => {
    const { handler, store } = setup();
    handler.faults.hang("discountCodeBasicCreate");
    const controller = new AbortController();
    const pending = handler.handle(graphqlRequest(CREATE_BASIC, { input: basicInput() }, { signal: controller.signal }));
    let settled = false;
    void pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(settled).toBe(false);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(store.listDiscounts(SHOP)).toHaveLength(0);
    expect(handler.inspect.calls()[0]).toMatchObject({ outcome: "aborted", httpStatus: null });
  });
});

describe("THROTTLED fault", () => {
  it("answers Shopify's throttled body without touching the bucket", async () => {
    const { handler } = setup();
    handler.faults.throttle("shop");
    const { status, body } = await gql(handler, SHOP_QUERY);
    expect(status).toBe(200);
    expect(body.errors?.[0].extensions?.code).toBe("THROTTLED");
    expect(body.extensions?.cost).toEqual({
      requestedQueryCost: 1,
      actualQueryCost: null,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 2000, restoreRate: 100 },
    });
  });
});

describe("userErrors fault", () => {
  it("returns the given userErrors in the real payload type instead of executing", async () => {
    const { handler, store } = setup();
    handler.faults.userErrors("discountCodeBasicCreate", [{ field: ["basicCodeDiscount", "code"], code: "INTERNAL_ERROR", message: "Something went wrong" }]);
    const { body } = await gql(handler, CREATE_BASIC, { input: basicInput() });
    expect(body.errors).toBeUndefined();
    expect(body.data?.discountCodeBasicCreate).toEqual({
      codeDiscountNode: null,
      userErrors: [{ field: ["basicCodeDiscount", "code"], code: "INTERNAL_ERROR", message: "Something went wrong", extraInfo: null }],
    });
    expect(store.listDiscounts(SHOP)).toHaveLength(0);
    expect(handler.inspect.calls()[0]).toMatchObject({ outcome: "user_errors", fault: "userErrors" });
  });

  it("types userErrors for gift card payloads too", async () => {
    const { handler } = setup({ giftCards: true });
    handler.faults.userErrors("giftCardCreate", [{ field: ["input", "code"], code: "TAKEN", message: "Code has already been taken" }]);
    const { body } = await gql(
      handler,
      "mutation { giftCardCreate(input: { initialValue: \"5\" }) { giftCard { id } giftCardCode userErrors { __typename field code message } } }",
    );
    expect(body.data?.giftCardCreate).toEqual({
      giftCard: null,
      giftCardCode: null,
      userErrors: [{ __typename: "GiftCardUserError", field: ["input", "code"], code: "TAKEN", message: "Code has already been taken" }],
    });
  });
});

describe("network faults", () => {
  it("lost response: the mutation really runs, then the caller gets EmulatedNetworkError", async () => {
    const { handler, store } = setup();
    handler.faults.loseResponse("discountCodeBasicCreate");
    const error = await handler.handle(graphqlRequest(CREATE_BASIC, { input: basicInput({ code: "LOST1" }) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatedNetworkError);
    expect(error).toMatchObject({ kind: "lost_response", executed: true });
    expect(store.findDiscountByCode(SHOP, "LOST1")).toBeDefined();
    expect(handler.inspect.calls()[0]).toMatchObject({ outcome: "lost_response", httpStatus: null, fault: "lostResponse" });
    // The app's retry now meets TAKEN, and can resolve it with codeDiscountNodeByCode.
    const retry = await gql(handler, CREATE_BASIC, { input: basicInput({ code: "LOST1" }) });
    expect(retry.body.data?.discountCodeBasicCreate.userErrors[0].code).toBe("TAKEN");
  });

  it("network error: nothing runs", async () => {
    const { handler, store } = setup();
    handler.faults.networkError("discountCodeBasicCreate");
    await expect(handler.handle(graphqlRequest(CREATE_BASIC, { input: basicInput() }))).rejects.toMatchObject({
      name: "EmulatedNetworkError",
      kind: "connection_failed",
      executed: false,
    });
    expect(store.listDiscounts(SHOP)).toHaveLength(0);
  });
});

describe("partial answer fault", () => {
  it("runs the mutation, then answers 200 with data whose root field is null and Shopify's internal error for it", async () => {
    const { handler, store } = setup();
    handler.faults.partialAnswer("discountCodeBasicCreate");
    const { status, body, response } = await gql(handler, CREATE_BASIC, { input: basicInput({ code: "PARTIAL1" }) });
    expect(status).toBe(200);
    expect(body.data).toEqual({ discountCodeBasicCreate: null });
    expect(body.errors).toEqual([
      {
        message: "Internal error. Looks like something went wrong on our end.",
        path: ["discountCodeBasicCreate"],
        extensions: { code: "INTERNAL_SERVER_ERROR", requestId: response.headers.get("x-request-id") },
      },
    ]);
    expect(body.extensions?.cost).toMatchObject({ requestedQueryCost: 10, actualQueryCost: 10 });
    expect(store.findDiscountByCode(SHOP, "PARTIAL1")).toBeDefined();
    expect(handler.inspect.calls()[0]).toMatchObject({ outcome: "graphql_errors", httpStatus: 200, fault: "partialAnswer" });
    // Used up: the next call is answered whole (and meets the code it created).
    const retry = await gql(handler, CREATE_BASIC, { input: basicInput({ code: "PARTIAL1" }) });
    expect(retry.body.errors).toBeUndefined();
    expect(retry.body.data?.discountCodeBasicCreate.userErrors[0].code).toBe("TAKEN");
  });

  it("nulls a nested field at the given path (keeping the rest of the payload), with a custom error", async () => {
    const { handler, store } = setup();
    handler.faults.partialAnswer("discountCodeBasicCreate", {
      path: ["discountCodeBasicCreate", "codeDiscountNode"],
      message: "Field could not be resolved",
      code: null,
    });
    const { body } = await gql(handler, CREATE_BASIC, { input: basicInput({ code: "PARTIAL2" }) });
    expect(body.data).toEqual({ discountCodeBasicCreate: { codeDiscountNode: null, userErrors: [] } });
    expect(body.errors).toEqual([{ message: "Field could not be resolved", path: ["discountCodeBasicCreate", "codeDiscountNode"] }]);
    expect(store.findDiscountByCode(SHOP, "PARTIAL2")).toBeDefined();
  });

  it("moves the null up to the nearest nullable field when the failing field is non-null", async () => {
    const { handler } = setup();
    handler.faults.partialAnswer("discountCodeBasicCreate", { path: ["discountCodeBasicCreate", "codeDiscountNode", "id"] });
    const { body } = await gql(handler, CREATE_BASIC, { input: basicInput({ code: "PARTIAL3" }) });
    // DiscountCodeNode.id is ID!: its parent codeDiscountNode (nullable) becomes null.
    expect(body.data).toEqual({ discountCodeBasicCreate: { codeDiscountNode: null, userErrors: [] } });
    expect(body.errors?.[0].path).toEqual(["discountCodeBasicCreate", "codeDiscountNode", "id"]);
  });

  it("refuses a path that does not name fields of the schema", async () => {
    const { handler } = setup();
    handler.faults.partialAnswer("shop", { path: ["shop", "nope"] });
    const { status, body } = await gql(handler, SHOP_QUERY).catch((error: unknown) => ({ status: 0, body: { errors: [{ message: String(error) }] } }));
    expect(status).toBe(0);
    expect(body.errors?.[0].message).toMatch(/does not name fields/);
  });
});

describe("matching and counts", () => {
  it("fires `times` times, or forever until cancelled", async () => {
    const { handler } = setup();
    handler.faults.httpError("shop", 503, { times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await handler.handle(graphqlRequest(SHOP_QUERY))).status);
    expect(statuses).toEqual([503, 503, 200]);

    const forever = handler.faults.httpError("shop", 500, { times: "forever" });
    for (let i = 0; i < 5; i++) expect((await handler.handle(graphqlRequest(SHOP_QUERY))).status).toBe(500);
    expect(forever.fired).toBe(5);
    forever.cancel();
    expect((await handler.handle(graphqlRequest(SHOP_QUERY))).status).toBe(200);
  });

  it("matches by operation name and by shop, leaving other requests alone", async () => {
    const { handler, store } = setup();
    store.addShop({ domain: "other.myshopify.com", accessToken: "tok-other" });
    handler.faults.inject({ operationName: "ShopName", shop: "other.myshopify.com", action: { type: "http", status: 502 } });
    expect((await handler.handle(graphqlRequest(SHOP_QUERY))).status).toBe(200);
    expect((await handler.handle(graphqlRequest("query Other { shop { name } }", undefined, { shop: "other.myshopify.com", token: "tok-other" }))).status).toBe(200);
    expect((await handler.handle(graphqlRequest(SHOP_QUERY, undefined, { shop: "other.myshopify.com", token: "tok-other" }))).status).toBe(502);
    expect(handler.faults.list()).toHaveLength(0);
  });

  it("rejects a non-positive times", () => {
    expect(() => new FaultInjector().inject({ action: { type: "throttled" }, times: 0 })).toThrow(/positive integer/);
  });
});
