// The error-log guard: a test fails when the code under test logs at error level (pino) or calls
// console.error, unless the test opts out with `allowErrorLogs()`. test/setup/per-file.ts installs
// it for every test file; this module holds its state so tests can opt out and read what was logged.
import { expect } from "vitest";
import type { LogHarness } from "~/logger.server";

/** One error-level line: a pino record (parsed JSON) or the arguments of a console.error call. */
export type ErrorLogEntry = { source: "pino"; record: Record<string, unknown> } | { source: "console.error"; args: unknown[] };

const PINO_LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };
const ERROR = PINO_LEVELS.error;

let entries: ErrorLogEntry[] = [];
let allowedForTest = false;
let allowedForFile = false;

export interface AllowedErrorLogs {
  /** What was logged at error level since the opt-out (for assertions on the expected error). */
  readonly entries: readonly ErrorLogEntry[];
  /** The messages of those entries: pino's `msg`, or console.error's arguments joined by spaces. */
  messages(): string[];
}

/**
 * Opts out of the error-log guard. Inside a test (or its beforeEach): for that test. At the top of
 * a file, in a describe body or in beforeAll: for the whole file. Say at the call why the code under
 * test legitimately logs an error, and prefer asserting on what it logged through the result.
 */
export function allowErrorLogs(): AllowedErrorLogs {
  if (expect.getState().currentTestName === undefined) allowedForFile = true;
  else allowedForTest = true;
  const from = entries.length;
  return {
    get entries() {
      return entries.slice(from);
    },
    messages() {
      return entries.slice(from).map((e) => (e.source === "pino" ? String(e.record.msg ?? "") : e.args.map(String).join(" ")));
    },
  };
}

/** The log destination the app's logger writes to during tests (see app/logger.server.ts). */
export function createLogHarness(echoLevel: string | undefined): LogHarness {
  const echo = echoLevel ? (PINO_LEVELS[echoLevel] ?? PINO_LEVELS.info) : Infinity;
  let pending = "";
  return {
    // Error lines are always produced (the guard needs them); lower levels only when echoed.
    level: echo < ERROR ? (echoLevel as string) : "error",
    stream: {
      write(chunk: string) {
        pending += chunk;
        let newline: number;
        while ((newline = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (!line) continue;
          let record: Record<string, unknown>;
          try {
            record = JSON.parse(line) as Record<string, unknown>;
          } catch {
            continue;
          }
          const level = Number(record.level);
          if (level >= ERROR) entries.push({ source: "pino", record });
          if (level >= echo) process.stdout.write(line + "\n");
        }
      },
    },
  };
}

/**
 * Wraps console.error (a plain function, so a test's vi.restoreAllMocks() keeps it). The call is
 * still printed, unless the test opted out (it expects it) and TEST_LOG_LEVEL is unset.
 */
export function watchConsoleError(): void {
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    entries.push({ source: "console.error", args });
    if (!(allowedForFile || allowedForTest) || process.env.TEST_LOG_LEVEL) original(...args);
  };
}

function describeEntry(entry: ErrorLogEntry): string {
  if (entry.source === "console.error") {
    return `console.error: ${entry.args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(" ")}`;
  }
  const { msg, err } = entry.record as { msg?: unknown; err?: { stack?: string; message?: string } };
  return `logger.error: ${String(msg ?? "")}${err ? `\n${err.stack ?? err.message ?? ""}` : ""}`;
}

/** Called after each test (scope "test") and after the file (scope "file"): fails on unexpected errors. */
export function checkErrorLogs(scope: "test" | "file"): void {
  const seen = entries;
  const allowed = allowedForFile || (scope === "test" && allowedForTest);
  entries = [];
  if (scope === "test") allowedForTest = false;
  if (seen.length === 0 || allowed) return;
  throw new Error(
    `The code under test logged ${seen.length} error(s) ${scope === "test" ? "during this test" : "outside any test (hooks)"}; ` +
      `fix the cause, or opt out with allowErrorLogs() (test/support/error-logs.ts) if the error is expected:\n` +
      seen.map(describeEntry).join("\n"),
  );
}
