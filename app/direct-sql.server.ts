// Statements sent straight to the driver adapter under a Prisma client — the same connected adapter
// (and, on SQLite, the same serialized connection: app/sqlite-adapter.server.ts) that Prisma itself
// uses — for the few hot paths where Prisma's own per-query work is the cost. On Prisma 6 every
// query, `$queryRaw` included, went through the Wasm query compiler on the event loop (≈ 28 % of the
// webhook request's CPU, bench/RESULTS.md); Prisma 7 lets raw queries skip the compiler, and this
// path still skips the client's request pipeline and result mapping. Everything else goes through
// Prisma.
//
// Values are encoded by the adapter exactly as for Prisma's own writes (a Date becomes the same
// ISO-8601 text on SQLite, the same `timestamp(3)` on PostgreSQL): rows written here read back
// identically through Prisma (tested in app/services/webhooks/inbox.server.test.ts).
import type { DbProvider } from "./db.server";

export type SqlValue = string | number | Date | null;

/**
 * A DateTime column as a direct query returns it: the adapters give the stored time as text
 * (SQLite's ISO-8601, PostgreSQL's `timestamp(3)` rendered by the adapter), null when empty.
 * Read back equal to what Prisma reads (app/direct-sql.server.test.ts).
 */
export function storedTime(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const time = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(time.getTime())) throw new Error(`not a stored time: ${String(value)}`);
  return time;
}

export interface DirectSql {
  readonly provider: DbProvider;
  /**
   * Runs one statement; `?` marks each parameter on both databases (numbered `$1…` for PostgreSQL
   * here, so SQL text must not contain a literal `?`). Rows come back as objects by column name.
   */
  query<Row extends Record<string, unknown>>(sql: string, args: readonly SqlValue[]): Promise<Row[]>;
  /** Runs one statement that returns no rows; the number of rows it changed. */
  execute(sql: string, args: readonly SqlValue[]): Promise<number>;
  /**
   * Runs `fn` in one transaction on the driver: committed when `fn` returns, rolled back when it
   * throws (the error is re-thrown). On SQLite it holds the process's one connection, as Prisma's
   * own transactions do (app/sqlite-adapter.server.ts), so nothing else runs in between.
   */
  transaction<T>(fn: (tx: DirectStatements) => Promise<T>): Promise<T>;
}

/** What a direct transaction can run: the statements of DirectSql, on the transaction's connection. */
export type DirectStatements = Pick<DirectSql, "provider" | "query" | "execute">;

type RawQuery = { sql: string; args: unknown[]; argTypes: { scalarType: string; arity: "scalar" }[] };

interface RawStatements {
  queryRaw(query: RawQuery): Promise<{ columnNames: string[]; rows: unknown[][] }>;
  executeRaw(query: RawQuery): Promise<number>;
}

/**
 * A driver adapter's open transaction. `usePhantomQuery` false (PostgreSQL's adapter) means the
 * caller sends COMMIT / ROLLBACK itself and `commit()` / `rollback()` only give the connection back,
 * as Prisma's own transaction manager does; true (libSQL's) means `commit()` / `rollback()` end it.
 */
interface RawTransaction extends RawStatements {
  readonly options: { usePhantomQuery: boolean };
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** The part of a connected Prisma driver adapter (SqlDriverAdapter) used here. */
export interface RawAdapter extends RawStatements {
  startTransaction(): Promise<RawTransaction>;
  dispose(): Promise<void>;
}

interface AdapterFactory {
  connect(): Promise<RawAdapter>;
}

/** Where createDb's factory leaves the adapter Prisma connected (cleared when Prisma disposes it). */
export interface AdapterSlot {
  adapter?: RawAdapter;
}

/**
 * The factory as Prisma sees it, except that each adapter it connects is kept in `slot`. A Proxy,
 * so the factory's own methods run with the factory as `this` (the adapters use private fields).
 */
export function capturingFactory<F extends object>(factory: F, slot: AdapterSlot): F {
  const connect = async (): Promise<RawAdapter> => {
    const adapter = await (factory as unknown as AdapterFactory).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      if (slot.adapter === adapter) slot.adapter = undefined;
      await dispose();
    };
    slot.adapter = adapter;
    return adapter;
  };
  return new Proxy(factory, {
    get(target, property) {
      if (property === "connect") return connect;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function argType(value: SqlValue): { scalarType: string; arity: "scalar" } {
  const scalarType = value instanceof Date ? "datetime" : typeof value === "number" ? (Number.isInteger(value) ? "int" : "float") : typeof value === "string" ? "string" : "unknown";
  return { scalarType, arity: "scalar" };
}

/** `?` → `$1`, `$2`, … in order. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function statementsOn(provider: DbProvider, target: RawStatements): DirectStatements {
  const raw = (sql: string, args: readonly SqlValue[]): RawQuery => ({ sql: provider === "postgresql" ? numbered(sql) : sql, args: [...args], argTypes: args.map(argType) });
  return {
    provider,
    async query<Row extends Record<string, unknown>>(sql: string, args: readonly SqlValue[]): Promise<Row[]> {
      const result = await target.queryRaw(raw(sql, args));
      return result.rows.map((row) => {
        const object: Record<string, unknown> = {};
        result.columnNames.forEach((name, i) => (object[name] = row[i]));
        return object as Row;
      });
    },
    execute: (sql, args) => target.executeRaw(raw(sql, args)),
  };
}

/** A DirectSql on the adapter in `slot`; `connect` makes Prisma connect when it has not yet. */
export function directSqlOn(provider: DbProvider, slot: AdapterSlot, connect: () => Promise<void>): DirectSql {
  const adapter = async (): Promise<RawAdapter> => {
    if (!slot.adapter) await connect();
    if (!slot.adapter) throw new Error("the database client is not connected");
    return slot.adapter;
  };
  // The adapter is looked up on every call: Prisma replaces it after $disconnect.
  const current: RawStatements = {
    queryRaw: async (q) => (await adapter()).queryRaw(q),
    executeRaw: async (q) => (await adapter()).executeRaw(q),
  };
  return {
    ...statementsOn(provider, current),
    async transaction<T>(fn: (tx: DirectStatements) => Promise<T>): Promise<T> {
      const tx = await (await adapter()).startTransaction();
      const end = (sql: "COMMIT" | "ROLLBACK") => (tx.options.usePhantomQuery ? Promise.resolve(0) : tx.executeRaw({ sql, args: [], argTypes: [] }));
      let result: T;
      try {
        result = await fn(statementsOn(provider, tx));
        await end("COMMIT");
      } catch (error) {
        // A failed COMMIT or statement: roll back what is left and give the connection back. A
        // ROLLBACK that fails too (connection gone) changes nothing the database has not undone.
        await end("ROLLBACK").catch(() => undefined);
        await tx.rollback();
        throw error;
      }
      await tx.commit();
      return result;
    },
  };
}
