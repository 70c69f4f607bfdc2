// The storefront customer's words for failures (app/copy/storefront.ts), for every row of the failure
// table that app/domain/rewards/failures.test.ts classifies (failure-cases.fixture.ts).
import { describe, expect, it } from "vitest";
import type { FailureContext, ShopifyFailure } from "~/domain/rewards/failures";
import { FAILURE_CASES as CASES } from "~/domain/rewards/failure-cases.fixture";
import { customerMessage } from "./storefront";

describe("customerMessage", () => {
  it.each([
    [{ kind: "throttled" }, {}, "Our rewards service is busy right now. Please try again in a minute — your points were not spent."],
    [{ kind: "http", status: 429 }, {}, "Our rewards service is busy right now. Please try again in a minute — your points were not spent."],
    [{ kind: "access_denied", message: "Access denied for giftCardCreate field." }, { rewardKind: "GIFT_CARD" }, "Gift card rewards aren't available in this shop right now. Your points were not spent."],
    [{ kind: "timeout" }, {}, "We couldn't create your reward just now. Please try again in a few minutes — your points were not spent."],
    [{ kind: "user_errors", errors: [{ code: "INVALID", message: "Minimum subtotal must be positive" }] }, {}, "This reward isn't available right now. Please choose another reward or contact the shop — your points were not spent."],
  ] as [ShopifyFailure, FailureContext, string][])("%j → %s", (failure, context, message) => {
    expect(customerMessage(failure, context)).toBe(message);
  });

  it("accepts an already classified reason", () => {
    expect(customerMessage("gift_cards_unavailable")).toBe("Gift card rewards aren't available in this shop right now. Your points were not spent.");
  });

  const SECRET = "SECRET_INTERNAL_DETAIL_42";
  const leaky: ShopifyFailure[] = [
    { kind: "user_errors", errors: [{ field: ["x"], code: "INVALID", message: SECRET }] },
    { kind: "access_denied", message: SECRET },
    { kind: "graphql", messages: [SECRET, '{"errors":[{"message":"boom"}]}'] },
  ];
  it.each([...CASES.map(([name, f, c]) => [name, f, c] as const), ...leaky.map((f) => [f.kind, f, {}] as const)])(
    "%s: one plain sentence, no raw error text, says the points were not spent",
    (_name, failure, context) => {
      const message = customerMessage(failure, context);
      expect(message).toMatch(/^[A-Z][^{}<>\n]*\.$/);
      expect(message).toMatch(/points were not spent/i);
      expect(message).not.toContain(SECRET);
      expect(message).not.toMatch(/gid:\/\/|userErrors|graphql|HTTP|\b[45]\d\d\b|TAKEN|null|undefined|stack|at .*\(/i);
    },
  );
});

