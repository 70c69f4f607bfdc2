import { describe, expect, it } from "vitest";
import { FAILURE_REASONS, classifyFailure } from "./failures";

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
});
