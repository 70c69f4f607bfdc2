// Configuration from environment variables, validated once at start-up so a misconfigured
// deployment fails loudly with a list of what is wrong instead of failing on first use.
// Every variable is documented in .env.example (with demo-safe defaults).
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .transform((v) => v === "true" || v === "1" || v === "yes");

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  SHOPIFY_API_KEY: z.string().min(1, "SHOPIFY_API_KEY is required (the app's client id)"),
  SHOPIFY_API_SECRET: z.string().min(1, "SHOPIFY_API_SECRET is required (the app's client secret)"),
  SHOPIFY_APP_URL: z.url("SHOPIFY_APP_URL must be the public URL of the app, e.g. https://app.example.com"),
  SCOPES: z
    .string()
    // The required scopes of shopify.app.toml (gift cards and store credit are optional scopes, asked
    // for when the merchant turns them on; app/env.server.test.ts keeps the two lists equal).
    .default("read_customers,read_discounts,write_discounts,read_orders,write_app_proxy,read_products"),
  DATABASE_URL: z.string().default("file:./dev.sqlite"),
  /** SQLite only: WAL + synchronous=NORMAL (read by the SQLite adapter, app/sqlite-adapter.server.ts). */
  SQLITE_WAL: bool.default(true),
  /** WAL checkpoints in a thread of their own instead of in the committing request (app/sqlite-checkpointer.server.ts). */
  SQLITE_CHECKPOINT_THREAD: bool.default(true),
  /** PostgreSQL only: repeated SQL texts as named (prepared) statements (app/pg-statement-names.server.ts). */
  DATABASE_PREPARED_STATEMENTS: bool.default(true),
  /** Send Admin API calls to this origin instead of https://{shop} (the local emulator). */
  SHOPIFY_ADMIN_API_ORIGIN: z.url().optional(),
  /** Load App Bridge from here instead of Shopify's CDN (the emulator's local admin host). */
  APP_BRIDGE_URL: z.url().optional(),
  /** Run the reward worker inside the app process (zero set-up). Set false when `npm run worker` runs. */
  WORKER_IN_PROCESS: bool.default(true),
  WORKER_POLL_MS: z.coerce.number().int().min(50).default(1000),
  WORKER_BATCH_SIZE: z.coerce.number().int().min(1).max(250).default(20),
  WORKER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** How often the worker exchanges installed shops' non-expiring offline tokens for expiring ones (0: never). */
  OFFLINE_TOKEN_MIGRATION_EVERY_MINUTES: z.coerce.number().min(0).default(60),
  /** ISSUED rewards older than this are looked up in Shopify by the reconciliation pass. */
  RECONCILE_AFTER_HOURS: z.coerce.number().min(0).default(24),
  /** Storefront requests per customer per minute through the app proxy. */
  PROXY_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /**
   * Bytes of request bodies read at once by one app process, all requests together
   * (app/request-input.server.ts); beyond, requests are answered 503 with Retry-After.
   */
  BODY_BYTES_IN_FLIGHT: z.coerce.number().int().min(64 * 1024).default(64 * 1024 * 1024),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * A domain accepted for shops besides `myshopify.com` (Shopify's own test environments), as a bare
   * host name: `shop.dev`, not `https://…` or `*.shop.dev`. Empty means none.
   */
  SHOP_CUSTOM_DOMAIN: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim().toLowerCase() : v),
    z
      .string()
      .max(253)
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, "must be a bare host name such as shop.dev (no scheme, port, path or wildcard)")
      .optional(),
  ),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee .env.example.`);
    this.name = "ConfigError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join(".") || "(env)"}: ${i.message}`));
  }
  return result.data;
}

let cached: Env | undefined;

/** The validated environment of this process (parsed on first use, then cached). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/**
 * One boolean variable, read as the schema above reads it ("true"/"1"/"yes" or "false"/"0"/"no"/"");
 * unset → `fallback`. For code that runs before (or without) the whole environment: the database
 * adapter is also used by scripts that need no Shopify credentials.
 */
export function envBoolean(name: "SQLITE_WAL" | "SQLITE_CHECKPOINT_THREAD" | "DATABASE_PREPARED_STATEMENTS", fallback: boolean, source: Record<string, string | undefined> = process.env): boolean {
  const value = source[name];
  if (value === undefined) return fallback;
  const parsed = bool.safeParse(value);
  if (!parsed.success) throw new ConfigError([`${name}: expected true or false (got ${JSON.stringify(value)})`]);
  return parsed.data;
}

/** Tests change process.env between files; they call this to re-read it. */
export function resetEnvForTests(): void {
  cached = undefined;
}
