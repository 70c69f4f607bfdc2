// "Gone" is read from Shopify's structured answers only (issue 17, point 3): codes and fields,
// never the wording of a message.
import { describe, expect, it } from "vitest";
import type { ShopifyFailure } from "~/domain/rewards";
import { isIdUserError, isNotFoundFailure } from "./not-found.server";

describe("isNotFoundFailure", () => {
  it.each([
    ["a GIFT_CARD_NOT_FOUND userError", { kind: "user_errors", errors: [{ field: ["id"], code: "GIFT_CARD_NOT_FOUND", message: "Gift card not found." }] }, true],
    ["a top-level error with extensions.code RESOURCE_NOT_FOUND", { kind: "graphql", messages: ["whatever"], codes: ["RESOURCE_NOT_FOUND"] }, true],
    ["a top-level error with extensions.code NOT_FOUND", { kind: "graphql", messages: ["x"], codes: ["NOT_FOUND"] }, true],
    ["a message saying 'does not exist' without a code", { kind: "user_errors", errors: [{ field: ["code"], code: null, message: "Discount does not exist" }] }, false],
    ["a top-level error whose message says 'not found' without a code", { kind: "graphql", messages: ["Resource not found"] }, false],
    ["a mix of not-found and another code", { kind: "user_errors", errors: [{ field: ["id"], code: "GIFT_CARD_NOT_FOUND", message: "" }, { field: ["id"], code: "INVALID", message: "" }] }, false],
  ] satisfies [string, ShopifyFailure, boolean][])("%s → %s", (_label, failure, expected) => {
    expect(isNotFoundFailure(failure)).toBe(expected);
  });
});

describe("isIdUserError", () => {
  it("is true only when every userError points at the id argument", () => {
    expect(isIdUserError({ kind: "user_errors", errors: [{ field: ["id"], code: null, message: "Discount does not exist" }] })).toBe(true);
    expect(isIdUserError({ kind: "user_errors", errors: [{ field: ["basicCodeDiscount", "code"], code: "TAKEN", message: "" }] })).toBe(false);
    expect(isIdUserError({ kind: "graphql", messages: ["x"] })).toBe(false);
  });
});
