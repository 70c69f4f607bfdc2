// The inspection log and helpers tests use to assert what the app did.
import { describe, expect, it } from "vitest";
import { basicInput, BY_CODE, CREATE_BASIC, gql, setup, SHOP } from "./helpers";

describe("inspection", () => {
  it("records operation, root fields, variables, outcome and time of every call", async () => {
    const { handler, clock } = setup();
    await gql(handler, CREATE_BASIC, { input: basicInput({ code: "A1" }) });
    clock.advance(1000);
    await gql(handler, CREATE_BASIC, { input: basicInput({ code: "a1" }) });
    await gql(handler, BY_CODE, { code: "A1" });
    await gql(handler, "{ shop { nope } }");

    const calls = handler.inspect.calls();
    expect(calls.map((c) => [c.operationName, c.rootFields, c.outcome])).toEqual([
      ["CreateReward", ["discountCodeBasicCreate"], "success"],
      ["CreateReward", ["discountCodeBasicCreate"], "user_errors"],
      ["ByCode", ["codeDiscountNodeByCode"], "success"],
      [null, ["shop"], "invalid"],
    ]);
    expect(calls[0]).toMatchObject({
      seq: 1,
      shop: SHOP,
      operationType: "mutation",
      variables: { input: expect.objectContaining({ code: "A1" }) as unknown },
      httpStatus: 200,
      requestedQueryCost: 10,
      actualQueryCost: 10,
    });
    expect(calls[0].at.toISOString()).toBe("2026-11-01T12:00:00.000Z");
    expect(calls[1].at.toISOString()).toBe("2026-11-01T12:00:01.000Z");
    expect(calls[1].userErrors).toEqual([
      { rootField: "discountCodeBasicCreate", field: ["basicCodeDiscount", "code"], code: "TAKEN", message: "Code must be unique. Please try a different code." },
    ]);
  });

  it("counts calls per root field, with filters", async () => {
    const { handler } = setup();
    await gql(handler, CREATE_BASIC, { input: basicInput({ code: "C1" }) });
    await gql(handler, CREATE_BASIC, { input: basicInput({ code: "C2" }) });
    await gql(handler, "query Both($code: String!) { shop { name } codeDiscountNodeByCode(code: $code) { id } }", { code: "C1" });
    expect(handler.inspect.countCalls("discountCodeBasicCreate")).toBe(2);
    expect(handler.inspect.countCalls("shop")).toBe(1);
    expect(handler.inspect.countCalls()).toBe(3);
    expect(handler.inspect.countCalls("discountCodeBasicCreate", { outcome: "user_errors" })).toBe(0);
    expect(handler.inspect.callCounts()).toEqual({ discountCodeBasicCreate: 2, shop: 1, codeDiscountNodeByCode: 1 });
    expect(handler.inspect.calls({ operationName: "Both" })).toHaveLength(1);
  });

  it("lists the shop's discounts, gift cards and orders, and reset clears calls, faults and buckets", async () => {
    const { handler, store } = setup({ giftCards: true });
    await gql(handler, CREATE_BASIC, { input: basicInput({ code: "L1" }) });
    await gql(handler, 'mutation { giftCardCreate(input: { initialValue: "5" }) { userErrors { message } } }');
    store.placeOrder(SHOP, { customerId: null, codes: ["L1"] });
    expect(handler.inspect.discounts(SHOP).map((d) => d.codes[0].code)).toEqual(["L1"]);
    expect(handler.inspect.giftCards(SHOP)).toHaveLength(1);
    expect(handler.inspect.orders(SHOP).map((o) => o.discountCodes[0].code)).toEqual(["L1"]);

    handler.faults.httpError("shop", 500, { times: "forever" });
    handler.inspect.reset();
    expect(handler.inspect.calls()).toEqual([]);
    expect(handler.faults.list()).toEqual([]);
    const { status, body } = await gql(handler, "{ shop { name } }");
    expect(status).toBe(200);
    expect(body.extensions?.cost.throttleStatus.currentlyAvailable).toBe(1999);
    expect(handler.inspect.discounts(SHOP)).toHaveLength(1);
  });
});
