// One structured logger (pino) for the app and the worker.
import pino from "pino";

export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: { service: "loyalty-rewards" },
  redact: ["accessToken", "*.accessToken", "headers.authorization", "headers['x-shopify-access-token']"],
});

export type Logger = typeof logger;
