// One structured logger (pino) for the app and the worker.
import pino, { type DestinationStream, type LoggerOptions } from "pino";
import { errorForLog } from "./error-for-log";

const options: LoggerOptions = {
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: { service: "loyalty-rewards" },
  redact: ["accessToken", "*.accessToken", "headers.authorization", "headers['x-shopify-access-token']"],
  // An `err` is written without the values its message or fields may quote (app/error-for-log.ts):
  // a log line is out of customers/redact's reach (docs/decisions/015).
  serializers: { err: errorForLog },
};

/**
 * Where a test run wants log lines (test/setup/per-file.ts installs it before any app module loads):
 * it fails a test that logs at error level unless the test opts out. A global rather than an import
 * because the HTTP tests run the production build, which carries its own copy of this module.
 */
export interface LogHarness {
  level: string;
  stream: DestinationStream;
}
export const LOG_HARNESS = Symbol.for("loyalty-rewards.log-harness");

const harness = (globalThis as { [LOG_HARNESS]?: LogHarness })[LOG_HARNESS];

export const logger = harness ? pino({ ...options, level: harness.level }, harness.stream) : pino(options);

export type Logger = typeof logger;
