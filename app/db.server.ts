// The Prisma client, on SQLite (default) or PostgreSQL, chosen by DATABASE_URL.
// See docs/decisions/004-sqlite-and-postgresql.md and 002-prisma-js-engine.md.
import path from "node:path";
import v8 from "node:v8";
import { createRequire } from "node:module";
import { PrismaClient } from "@prisma/client";
import { PrismaPg } from "@prisma/adapter-pg";
import { serializedSqliteAdapter } from "./sqlite-adapter.server";
import { ResilientPool } from "./pg-pool.server";
import { statementNamer } from "./pg-statement-names.server";
import { envBoolean } from "./env.server";
import { capturingFactory, directSqlOn, type AdapterSlot, type DirectSql } from "./direct-sql.server";

export type Db = PrismaClient;

/** Prisma's unique-constraint violation (P2002): the database's answer to "this already exists". */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}
export type DbProvider = "sqlite" | "postgresql";

export function providerOf(url: string): DbProvider {
  return /^postgres(ql)?:\/\//.test(url) ? "postgresql" : "sqlite";
}

/** `file:./dev.sqlite` is relative to prisma/, as for the Prisma CLI. */
export function sqlitePath(url: string): string {
  const p = url.replace(/^file:/, "").replace(/\?.*$/, "");
  return path.isAbsolute(p) ? p : path.join(process.cwd(), "prisma", p);
}

/**
 * Prisma clients are generated per provider. `@prisma/client` is the SQLite one; the PostgreSQL one
 * is generated beside it (node_modules/.prisma/client-postgresql, see scripts/lib/prisma-schemas.mjs)
 * from the same models, so its API is the same and it is typed as the SQLite one.
 */
function postgresPrismaClient(): typeof PrismaClient {
  const require = createRequire(path.join(process.cwd(), "package.json"));
  try {
    return (require(path.join(process.cwd(), "node_modules", ".prisma", "client-postgresql")) as { PrismaClient: typeof PrismaClient }).PrismaClient;
  } catch (error) {
    throw new Error(`The PostgreSQL Prisma client is missing: run \`npm run prisma -- generate\` with DATABASE_URL=postgresql://… (${String(error)})`);
  }
}

/**
 * Where a client keeps its DirectSql: a registered symbol on the client itself, so it is found from
 * every copy of this module (tests load the app's build beside the sources, and both share one
 * client through `globalThis.__loyaltyDb`).
 */
const DIRECT_SQL = Symbol.for("loyalty.directSql");

/**
 * Query plans Prisma 7 keeps (docs/decisions/025; its default is 1 000, least recently used go
 * first). Applying 200 orders/create used 16 shapes; with 100 the app's peak RSS under webhook load
 * was 221–248 MB in most runs instead of 257–294 MB, at the same throughput, and the worker's apply
 * rate stayed at ≈ 800/s (0 disables the cache: ≈ 480/s) — bench/RESULTS.md.
 */
const QUERY_PLAN_CACHE_SIZE = 100;
/** Passed to the client: the runtime reads and validates it, the generated types do not list it yet. */
const PLAN_CACHE = { queryPlanCacheMaxSize: QUERY_PLAN_CACHE_SIZE } as unknown as Record<string, never>;

/**
 * Prisma 7 compiles each query shape in WebAssembly (its query compiler, docs/decisions/025). V8
 * compiles Wasm with its baseline compiler, Liftoff, then recompiles hot functions with its
 * optimizing compiler, TurboFan, in background threads; for Prisma's multi-megabyte module that
 * second tier held 60–90 MB of the app's RSS (idle, in-process worker: ≈ 165 MB with Liftoff only,
 * ≈ 225–270 MB without; bench/RESULTS.md, "3 December (06:26–06:30 UTC)"). The plan cache above runs the compiler
 * once per shape, so its speed hardly counts. The flag is process-wide but concerns Wasm only (no
 * other Wasm runs in the app), and V8 reads it when a module is compiled: it must be set before the
 * first client compiles Prisma's module, which is why createDb sets it (it cannot go in NODE_OPTIONS).
 */
export const PRISMA_WASM_V8_FLAG = "--liftoff-only";

export function createDb(url = process.env.DATABASE_URL ?? "file:./dev.sqlite"): Db {
  v8.setFlagsFromString(PRISMA_WASM_V8_FLAG);
  const slot: AdapterSlot = {};
  let client: Db;
  if (providerOf(url) === "postgresql") {
    const PostgresClient = postgresPrismaClient();
    // A pool that survives lost connections (app/pg-pool.server.ts); the adapter ends it on $disconnect.
    // Repeated SQL texts become named statements, parsed and planned once per connection
    // (app/pg-statement-names.server.ts) unless DATABASE_PREPARED_STATEMENTS=false.
    const named = envBoolean("DATABASE_PREPARED_STATEMENTS", true) ? { statementNameGenerator: statementNamer() as (query: { sql: string }) => string } : {};
    client = new PostgresClient({
      adapter: capturingFactory(new PrismaPg(new ResilientPool({ connectionString: url }), { disposeExternalPool: true, ...named }), slot),
      ...PLAN_CACHE,
    });
  } else {
    // A busy timeout lets several processes (app + worker) share one SQLite file; within a process
    // the serialized adapter keeps top-level queries out of open transactions.
    client = new PrismaClient({ adapter: capturingFactory(serializedSqliteAdapter({ url: sqlitePath(url), timeout: 10_000 }), slot), ...PLAN_CACHE });
  }
  Object.defineProperty(client, DIRECT_SQL, { value: directSqlOn(providerOf(url), slot, () => client.$connect()) });
  return client;
}

/**
 * Statements straight to the driver adapter under `db`, for the hot paths where Prisma's per-query
 * compilation is the cost (app/direct-sql.server.ts). Only for clients made by createDb.
 */
export function directSql(db: Db): DirectSql {
  const direct = (db as unknown as Record<symbol, DirectSql | undefined>)[DIRECT_SQL];
  if (!direct) throw new Error("directSql: this Prisma client was not made by createDb");
  return direct;
}

declare global {
  // Survives Vite's module reloads in development so we don't open a client per edit.
  var __loyaltyDb: Db | undefined;
}

const db: Db = globalThis.__loyaltyDb ?? createDb();
if (process.env.NODE_ENV !== "production") globalThis.__loyaltyDb = db;

export default db;
