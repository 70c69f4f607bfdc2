// The error-log guard itself (test/support/error-logs.ts, installed by test/setup/per-file.ts):
// each case logs, then runs the guard's own after-test check by hand, so the check's verdict is
// what is asserted (and the entries are consumed before the real after-test check runs).
import { describe, expect, it } from "vitest";
import { logger } from "~/logger.server";
import { allowErrorLogs, checkErrorLogs } from "./error-logs";

describe("error-log guard", () => {
  it("fails a test whose code logs at error level through the app's logger", () => {
    logger.child({ module: "guard-test" }).error({ err: new Error("boom") }, "could not do the thing");
    expect(() => checkErrorLogs("test")).toThrow(/logged 1 error\(s\) during this test[\s\S]*logger.error: could not do the thing[\s\S]*Error: boom/);
  });

  it("fails a test whose code logs at fatal level", () => {
    logger.fatal("going down");
    expect(() => checkErrorLogs("test")).toThrow(/logger.error: going down/);
  });

  it("fails a test whose code calls console.error", () => {
    console.error("something broke", 42);
    expect(() => checkErrorLogs("test")).toThrow(/console.error: something broke 42/);
  });

  it("lets warnings and info through", () => {
    logger.warn("just so you know");
    logger.info("hello");
    expect(() => checkErrorLogs("test")).not.toThrow();
  });

  it("passes a test that opted out, and hands it what was logged", () => {
    const logged = allowErrorLogs();
    logger.error("expected failure");
    console.error("expected too");
    expect(logged.messages()).toEqual(["expected failure", "expected too"]);
    expect(logged.entries.map((e) => e.source)).toEqual(["pino", "console.error"]);
    expect(() => checkErrorLogs("test")).not.toThrow();
  });

  it("the opt-out ends with its test", () => {
    logger.error("not allowed any more");
    expect(() => checkErrorLogs("test")).toThrow(/not allowed any more/);
  });
});
