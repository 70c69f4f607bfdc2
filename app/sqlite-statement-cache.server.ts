// Prepared statements kept per SQLite connection (bench/RESULTS.md, "Statement cache").
//
// libSQL's file client (@libsql/client, lib-esm/sqlite3.js `executeStmt`) prepares every statement
// it runs and drops it afterwards: for the worker's orders/create statements that preparing was
// about a tenth of the inbox's time (Prisma sends the same few SQL texts again and again). SQLite
// lets a prepared statement be run any number of times (https://sqlite.org/c3ref/stmt.html: "reset"
// and run again), so each connection (each `libsql` Database) keeps the statements it prepared,
// keyed by their SQL text, and hands the same one back for the same text.
//
// The client offers no way to give it statements, so the cache sits on `Database.prototype.prepare`
// of the `libsql` package the client uses (resolved from @libsql/client, as the checkpoint thread
// resolves it; tested through the app's own Prisma client in sqlite-statement-cache.server.test.ts).
// What keeps reuse as safe as a fresh statement:
// - every call is synchronous (the `libsql` binding): a statement is never used by two callers at once;
// - libSQL resets a statement each time it is run, so a run starts from the beginning even after an
//   earlier one stopped part-way;
// - a statement stopped part-way holds its read snapshot (which would keep the WAL from being
//   checkpointed, and make this connection's next write fail with SQLITE_BUSY_SNAPSHOT) until it is
//   run again or finalized: a statement whose run throws is dropped from the cache at once, so it is
//   finalized with the garbage as an uncached one would be;
// - bounded: at most MAX_CACHED_STATEMENTS per connection, least recently used dropped first (SQL
//   texts with a varying number of parameters, `IN (?, ?, …)`, are many).
import { createRequire } from "node:module";
import { libsqlModulePath } from "./sqlite-checkpointer.server";

/** Statements kept per connection. */
export const MAX_CACHED_STATEMENTS = 256;

interface Statement {
  all(...args: unknown[]): unknown[];
  run(...args: unknown[]): unknown;
  get(...args: unknown[]): unknown;
  iterate(...args: unknown[]): Iterable<unknown>;
}
interface DatabaseClass {
  prototype: { prepare(this: object, sql: string): Statement };
}

const INSTALLED = Symbol.for("loyalty-rewards.sqlite-statement-cache");
const caches = new WeakMap<object, Map<string, Statement>>();
let prepared = 0;
let reused = 0;

/** The `libsql` Database class, as @libsql/client imports it. */
function libsqlDatabase(): DatabaseClass {
  return createRequire(import.meta.url)(libsqlModulePath()) as DatabaseClass;
}

/** Installs the cache (once per process; later calls do nothing). */
export function installStatementCache(Database: DatabaseClass = libsqlDatabase()): void {
  const proto = Database.prototype as DatabaseClass["prototype"] & { [INSTALLED]?: true };
  if (proto[INSTALLED]) return;
  const prepare = proto.prepare;
  proto.prepare = function cachedPrepare(this: object, sql: string): Statement {
    let cache = caches.get(this);
    if (!cache) caches.set(this, (cache = new Map()));
    const hit = cache.get(sql);
    if (hit) {
      // Most recently used last.
      cache.delete(sql);
      cache.set(sql, hit);
      reused++;
      return hit;
    }
    const statement = prepare.call(this, sql);
    prepared++;
    const entries = cache;
    // A run that throws may leave the statement part-way (see the file comment): never hand it out again.
    for (const method of ["all", "run", "get", "iterate"] as const) {
      const run = statement[method] as (...args: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = function (this: Statement, ...args: unknown[]) {
        try {
          return run.apply(this, args);
        } catch (error) {
          if (entries.get(sql) === statement) entries.delete(sql);
          throw error;
        }
      };
    }
    if (cache.size >= MAX_CACHED_STATEMENTS) cache.delete(cache.keys().next().value as string);
    cache.set(sql, statement);
    return statement;
  };
  proto[INSTALLED] = true;
}

/** How many statements were prepared, and how many handed out again from a cache, since the process started: for tests. */
export function statementCounts(): { prepared: number; reused: number } {
  return { prepared, reused };
}
