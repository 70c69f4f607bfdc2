// SQLite driver adapter (libSQL, docs/decisions/021-sqlite-driver-for-a-fresh-machine.md) that
// serializes everything on its one connection.
//
// A top-level query must never run inside an open interactive transaction (where it would be
// silently rolled back with it): this wrapper makes every top-level query wait for an open
// transaction to finish (and vice versa), so SQLite behaves like a database with real connections:
// no lost writes. (@prisma/adapter-libsql has a lock of its own for the same purpose; the wrapper
// keeps the guarantee ours, whatever a later adapter version does.)
//
// libSQL's file client would open a NEW connection after every interactive transaction (it hands its
// connection to the transaction and opens another lazily): the per-connection pragmas below
// (busy_timeout, synchronous) would silently fall back to SQLite's defaults after the first
// transaction, and every transaction would leave a connection open until garbage collection. So the
// client is wrapped to run transactions on its one connection (`oneConnection`), as
// better-sqlite3 did.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PrismaLibSql } from "@prisma/adapter-libsql";
import type { Client, Config, InStatement, ResultSet, Transaction, TransactionMode } from "@libsql/client";
import { envBoolean } from "./env.server";
import { logger } from "./logger.server";
import { BACKSTOP_PAGES, startWalCheckpointer, type WalCheckpointer } from "./sqlite-checkpointer.server";
import { installStatementCache } from "./sqlite-statement-cache.server";

type Factory = PrismaLibSql;
type Adapter = Awaited<ReturnType<Factory["connect"]>>;
type Tx = Awaited<ReturnType<Adapter["startTransaction"]>>;

/** A minimal FIFO mutex. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

function serialize(adapter: Adapter): Adapter {
  const mutex = new Mutex();
  const wrapTransaction = (tx: Tx, release: () => void): Tx => {
    let released = false;
    const done = () => {
      if (!released) {
        released = true;
        release();
      }
    };
    return {
      provider: tx.provider,
      adapterName: tx.adapterName,
      options: tx.options,
      queryRaw: (q) => tx.queryRaw(q),
      executeRaw: (q) => tx.executeRaw(q),
      commit: async () => {
        try {
          await tx.commit();
        } finally {
          done();
        }
      },
      rollback: async () => {
        try {
          await tx.rollback();
        } finally {
          done();
        }
      },
    };
  };
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (q) => mutex.run(() => adapter.queryRaw(q)),
    executeRaw: (q) => mutex.run(() => adapter.executeRaw(q)),
    executeScript: (script) => mutex.run(() => adapter.executeScript(script)),
    startTransaction: async (isolationLevel) => {
      const release = await mutex.acquire();
      try {
        return wrapTransaction(await adapter.startTransaction(isolationLevel), release);
      } catch (error) {
        release();
        throw error;
      }
    },
    ...(adapter.getConnectionInfo ? { getConnectionInfo: () => adapter.getConnectionInfo!() } : {}),
    dispose: () => adapter.dispose(),
  };
}

const BEGIN: Record<TransactionMode, string> = {
  write: "BEGIN IMMEDIATE",
  read: "BEGIN TRANSACTION READONLY",
  deferred: "BEGIN DEFERRED",
};

/**
 * The libSQL client with interactive transactions on its own connection (BEGIN … COMMIT/ROLLBACK
 * through `execute`) instead of a connection of their own. Safe only because the adapter never
 * sends a top-level statement while a transaction is open (its lock and `serialize` above).
 */
function oneConnection(client: Client): Client {
  const transaction = async (mode: TransactionMode = "write"): Promise<Transaction> => {
    await client.execute(BEGIN[mode]);
    let open = true;
    const checkOpen = () => {
      if (!open) throw new Error("The transaction is closed");
    };
    const execute = async (stmt: InStatement): Promise<ResultSet> => {
      checkOpen();
      return client.execute(stmt);
    };
    return {
      execute,
      batch: async (stmts: InStatement[]) => {
        const results: ResultSet[] = [];
        for (const stmt of stmts) results.push(await execute(stmt));
        return results;
      },
      // The client's executeMultiple rolls back an open transaction when it ends: not usable here.
      executeMultiple: () => Promise.reject(new Error("executeMultiple is not supported inside a transaction on one connection")),
      commit: async () => {
        checkOpen();
        try {
          await client.execute("COMMIT");
        } catch (error) {
          // A failed COMMIT (SQLITE_BUSY in rollback-journal mode) leaves the transaction open on the
          // shared connection: end it, so the next top-level statement does not run inside it.
          await client.execute("ROLLBACK").catch(() => undefined);
          throw error;
        } finally {
          open = false;
        }
      },
      rollback: async () => {
        if (!open) return;
        open = false;
        await client.execute("ROLLBACK");
      },
      close: () => {
        if (open) {
          open = false;
          void client.execute("ROLLBACK").catch(() => undefined);
        }
      },
      get closed() {
        return !open || client.closed;
      },
    };
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === "transaction") return transaction;
      const value: unknown = Reflect.get(target, property, target);
      // Bound: the client's methods use private fields, which a proxy as `this` cannot reach.
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

class OneConnectionLibSQL extends PrismaLibSql {
  override createClient(config: Config): Client {
    return oneConnection(super.createClient(config));
  }
}

/**
 * WAL journal + synchronous=NORMAL (bench/RESULTS.md): readers no longer block the writer and a
 * commit is one append to the WAL instead of a rollback-journal write + fsync of the database.
 * Durable across an app crash; a power loss can lose the last commits (never corrupt the file).
 * SQLITE_WAL=false keeps SQLite's default rollback journal (for comparison).
 * One statement each, sent with `queryRaw`: libSQL refuses `executeScript` for a statement that
 * returns rows (`PRAGMA journal_mode = WAL` does).
 */
export const SQLITE_WAL_PRAGMAS: readonly string[] = ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"];

export interface SqliteAdapterConfig {
  /** The database file: an absolute path or a `file:` URL. */
  url: string;
  /**
   * How long (ms) a statement waits for another process's lock before SQLITE_BUSY
   * (PRAGMA busy_timeout). Default 5 000, better-sqlite3's default (libSQL's own is 0).
   */
  timeout?: number;
}

/** `file:` URL of an absolute path (encoded: spaces, `#`, `?`), or the URL as given. */
function libsqlFileUrl(fileOrUrl: string): string {
  return fileOrUrl.startsWith("file:") ? fileOrUrl : pathToFileURL(path.resolve(fileOrUrl)).href;
}

/** SQLite's own default for wal_autocheckpoint (pages), restored if the checkpoint thread stops. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;

async function pragma(adapter: Adapter, sql: string): Promise<void> {
  await adapter.queryRaw({ sql, args: [], argTypes: [] });
}

/**
 * Hands the connection's WAL checkpoints to a thread of their own (app/sqlite-checkpointer.server.ts):
 * its automatic checkpoint only acts past BACKSTOP_PAGES. If the thread cannot start, the automatic
 * checkpoint stays at SQLite's default; if it stops later, it is set back to it.
 */
export async function offloadCheckpoints(adapter: Adapter, file: string, start: typeof startWalCheckpointer = startWalCheckpointer): Promise<WalCheckpointer | undefined> {
  let stopped = false;
  const restoreAutomatic = () => pragma(adapter, `PRAGMA wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  const checkpointer = start(file, {
    onStopped: (reason) => {
      stopped = true;
      logger.warn({ reason }, "SQLite checkpoint thread stopped; the connection checkpoints by itself again");
      void restoreAutomatic().catch(() => undefined);
    },
  });
  try {
    await checkpointer.ready;
  } catch (error) {
    logger.warn({ err: error }, "SQLite checkpoint thread did not start; the connection checkpoints by itself");
    return undefined;
  }
  try {
    await pragma(adapter, `PRAGMA wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    // The thread stopped while this was being set: the automatic checkpoint must win.
    if (stopped) await restoreAutomatic();
  } catch (error) {
    await checkpointer.stop();
    throw error;
  }
  return checkpointer;
}

/** The file of a `file:` URL; undefined when it names none (a relative URL). */
function filePathOf(url: string): string | undefined {
  try {
    return fileURLToPath(url.split("?")[0]);
  } catch {
    return undefined;
  }
}

/**
 * A `PrismaLibSql` on one serialized connection, with the busy timeout and (unless SQLITE_WAL=false)
 * WAL, checkpointed by a thread of its own (unless SQLITE_CHECKPOINT_THREAD=false).
 */
export function serializedSqliteAdapter(config: SqliteAdapterConfig, options: { wal?: boolean; checkpointThread?: boolean } = {}) {
  // intMode "bigint": integers come back exactly (BigInt columns beyond 2^53, COUNT(*) in raw
  // queries as BigInt), as with better-sqlite3's safe integers. timestampFormat "iso8601": DateTime
  // is stored as ISO-8601 text, which raw SQL compares against Date parameters the adapter encodes
  // the same way (app/claim-rows.server.ts, app/services/webhooks/inbox.server.ts).
  const url = libsqlFileUrl(config.url);
  const file = filePathOf(url);
  // Each connection keeps the statements it prepared (app/sqlite-statement-cache.server.ts).
  installStatementCache();
  const inner = new OneConnectionLibSQL({ url, intMode: "bigint" }, { timestampFormat: "iso8601" });
  const wal = options.wal ?? envBoolean("SQLITE_WAL", true);
  const checkpointThread = wal && (options.checkpointThread ?? envBoolean("SQLITE_CHECKPOINT_THREAD", true));
  const pragmas = [`PRAGMA busy_timeout = ${Math.max(0, Math.floor(config.timeout ?? 5_000))}`, ...(wal ? SQLITE_WAL_PRAGMAS : [])];
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => {
      const adapter = serialize(await inner.connect());
      let checkpointer: WalCheckpointer | undefined;
      try {
        for (const sql of pragmas) await pragma(adapter, sql);
        if (checkpointThread && file) checkpointer = await offloadCheckpoints(adapter, file);
      } catch (error) {
        await checkpointer?.stop();
        await adapter.dispose();
        throw error;
      }
      if (!checkpointer) return adapter;
      const running = checkpointer;
      return {
        ...adapter,
        dispose: async () => {
          // The thread's connection closes first: the app's, closing last, then checkpoints what is left.
          await running.stop();
          await adapter.dispose();
        },
      };
    },
  } as unknown as Factory;
}
