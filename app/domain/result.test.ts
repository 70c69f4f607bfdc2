import { describe, expect, it } from "vitest";
import { err, ok, type Result } from "./result";

function divide(a: number, b: number): Result<{ quotient: number }, { code: "division_by_zero"; message: string }> {
  if (b === 0) return err({ code: "division_by_zero", message: "Cannot divide by zero." });
  return ok({ quotient: a / b });
}

describe("Result", () => {
  it("ok() carries the values beside ok: true", () => {
    expect(divide(6, 3)).toEqual({ ok: true, quotient: 2 });
  });

  it("err() carries the error under `error` beside ok: false", () => {
    expect(divide(1, 0)).toEqual({ ok: false, error: { code: "division_by_zero", message: "Cannot divide by zero." } });
  });

  it("narrows on ok", () => {
    const r = divide(1, 4);
    const seen = r.ok ? r.quotient : r.error.code;
    expect(seen).toBe(0.25);
  });
});
