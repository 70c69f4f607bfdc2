// SQLite driver adapter that serializes everything on its one connection.
//
// @prisma/adapter-better-sqlite3 runs all queries on a single better-sqlite3 connection and only
// puts *transactions* behind its mutex: a query issued outside a transaction while an interactive
// transaction is open runs inside that transaction — and is silently rolled back with it. This
// wrapper makes every top-level query wait for an open transaction to finish (and vice versa), so
// SQLite behaves like a database with real connections: no lost writes.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

type Factory = PrismaBetterSQLite3;
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

/**
 * WAL journal + synchronous=NORMAL (bench/RESULTS.md): readers no longer block the writer and a
 * commit is one append to the WAL instead of a rollback-journal write + fsync of the database.
 * Durable across an app crash; a power loss can lose the last commits (never corrupt the file).
 * SQLITE_WAL=false keeps SQLite's default rollback journal (for comparison).
 */
export const SQLITE_WAL_PRAGMAS = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";

/** Drop-in replacement for `new PrismaBetterSQLite3(config)` with serialized access. */
export function serializedSqliteAdapter(config: ConstructorParameters<typeof PrismaBetterSQLite3>[0], options: { wal?: boolean } = {}) {
  const inner = new PrismaBetterSQLite3(config);
  const wal = options.wal ?? !["false", "0", "no"].includes(process.env.SQLITE_WAL ?? "");
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => {
      const adapter = serialize(await inner.connect());
      if (wal) await adapter.executeScript(SQLITE_WAL_PRAGMAS);
      return adapter;
    },
  } as unknown as Factory;
}
