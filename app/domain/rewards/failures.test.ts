import { describe, expect, it } from "vitest";
import { FAILURE_REASONS, classifyFailure, isPermanentFailureReason } from "./failures";

import { FAILURE_CASES as CASES } from "./failure-cases.fixture";

describe("classifyFailure", () => {
  it.each(CASES)("%s", (_name, failure, context, expected) => {
    const result = classifyFailure(failure, context);
    expect(result).toEqual({
      ...expected,
      retryable: expected.category !== "permanent",
      verifyFirst: expected.category === "uncertain",
    });
  });

  it("every reason it produces is a known reason", () => {
    for (const [, failure, context] of CASES) expect(FAILURE_REASONS).toContain(classifyFailure(failure, context).reason);
  });

  it("a reason is permanent exactly when every failure that produces it is permanent", () => {
    for (const [name, failure, context] of CASES) {
      const result = classifyFailure(failure, context);
      expect(isPermanentFailureReason(result.reason), `${name} → ${result.reason}`).toBe(result.category === "permanent");
    }
    expect(isPermanentFailureReason("not_a_reason")).toBe(false);
  });
});
