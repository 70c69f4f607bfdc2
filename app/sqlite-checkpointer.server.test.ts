// WAL checkpoints in a thread of their own (app/sqlite-checkpointer.server.ts): the thread copies
// what the app's connection writes; the app's connection keeps a backstop while it runs, and
// checkpoints by itself again when it stops.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Database from "libsql";
import { afterAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { offloadCheckpoints, serializedSqliteAdapter } from "./sqlite-adapter.server";
import { BACKSTOP_PAGES, startWalCheckpointer, type CheckpointResult, type WalCheckpointerOptions } from "./sqlite-checkpointer.server";
import { ROOT, testDatabaseProvider } from "../test/setup/databases";

const dir = mkdtempSync(path.join(tmpdir(), "checkpointer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** A WAL database whose own connection never checkpoints, as the app's is with the thread. */
function walDatabase(): { file: string; conn: Database.Database; write: (rows: number) => void } {
  const file = path.join(dir, `db-${++files}.sqlite`);
  const conn = new Database(file);
  conn.exec("PRAGMA journal_mode = WAL");
  conn.exec("PRAGMA wal_autocheckpoint = 0");
  conn.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  const insert = conn.prepare("INSERT INTO t (body) VALUES (?)");
  const body = "x".repeat(3_000);
  return { file, conn, write: (rows) => conn.transaction(() => Array.from({ length: rows }, () => insert.run(body)))() };
}

/** Polls until `condition` holds: bounded by the test's own timeout, not by a guess at the machine's speed. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 20));
}

describe.runIf(testDatabaseProvider() === "sqlite")("SQLite WAL checkpoint thread", () => {
  it("GIVEN pages written by a connection that never checkpoints THEN the thread copies all of them into the database file", async () => {
    const { file, conn, write } = walDatabase();
    const seen: CheckpointResult[] = [];
    const reasons: string[] = [];
    const checkpointer = startWalCheckpointer(file, { busyIntervalMs: 10, idleIntervalMs: 10, onStopped: (r) => reasons.push(r), onCheckpoint: (c) => seen.push(c) });
    await checkpointer.ready;
    const databaseBytesBefore = statSync(file).size;
    write(200);
    await until(() => seen.some((c) => c.checkpointedPages >= 150 && c.checkpointedPages === c.logPages));
    await checkpointer.stop();
    expect(reasons).toEqual([]);
    expect(statSync(file).size).toBeGreaterThan(databaseBytesBefore + 150 * 3_000);
    conn.close();
  });

  it("GIVEN a reader holding an old snapshot THEN the thread copies only what that reader allows, and the rest once it lets go", async () => {
    const { file, conn, write } = walDatabase();
    const reader = new Database(file);
    write(20);
    reader.exec("BEGIN");
    reader.prepare("SELECT count(*) FROM t").get();
    write(100);
    const seen: CheckpointResult[] = [];
    const checkpointer = startWalCheckpointer(file, { busyIntervalMs: 10, idleIntervalMs: 10, onStopped: () => undefined, onCheckpoint: (c) => seen.push(c) });
    await checkpointer.ready;
    await until(() => seen.some((c) => c.checkpointedPages < c.logPages));
    reader.exec("COMMIT");
    await until(() => seen.some((c) => c.checkpointedPages === c.logPages && c.logPages >= 100));
    await checkpointer.stop();
    reader.close();
    conn.close();
  });

  it("GIVEN a file that is not a database THEN the thread reports that it stopped, and `ready` rejects", async () => {
    const file = path.join(dir, "not-a-database.sqlite");
    writeFileSync(file, "this is not an SQLite database, just text that is long enough to have a header".repeat(20));
    const reasons: string[] = [];
    const checkpointer = startWalCheckpointer(file, { busyIntervalMs: 10, idleIntervalMs: 10, onStopped: (r) => reasons.push(r) });
    const outcome = await checkpointer.ready.then(
      () => "ready",
      () => "rejected",
    );
    await until(() => reasons.length > 0);
    expect(reasons[0]).toMatch(/checkpoint (failed|thread)/);
    // A thread that reported ready and then failed its first checkpoint is also a stop.
    expect(["ready", "rejected"]).toContain(outcome);
    await checkpointer.stop();
  });

  it("GIVEN stop() THEN the thread ends and no stop is reported afterwards", async () => {
    const { file, conn } = walDatabase();
    const reasons: string[] = [];
    const checkpointer = startWalCheckpointer(file, { onStopped: (r) => reasons.push(r) });
    await checkpointer.ready;
    await checkpointer.stop();
    await checkpointer.stop();
    expect(reasons).toEqual([]);
    conn.close();
  });

  it("GIVEN a script that ends with `await db.$disconnect()` THEN it waits for the thread and exits normally", () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), path.join(ROOT, "test", "support", "disconnect-child.ts")], {
      cwd: ROOT,
      env: { ...process.env },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.stderr).not.toContain("unsettled top-level await");
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("disconnected");
  });

  describe("the app's connection", () => {
    const autocheckpoint = async (query: (sql: string) => Promise<unknown[]>) => {
      const [row] = (await query("PRAGMA wal_autocheckpoint")) as Record<string, unknown>[];
      return Number(Object.values(row)[0]);
    };

    it("GIVEN the default configuration THEN the app's connection leaves checkpoints to the thread, with a backstop", async () => {
      expect(await autocheckpoint((sql) => db.$queryRawUnsafe(sql))).toBe(BACKSTOP_PAGES);
    });

    it("GIVEN SQLITE_CHECKPOINT_THREAD=false THEN the connection checkpoints by itself (SQLite's 1 000 pages)", async () => {
      const file = path.join(dir, `app-${++files}.sqlite`);
      const adapter = await serializedSqliteAdapter({ url: file }, { checkpointThread: false }).connect();
      const query = async (sql: string) => (await adapter.queryRaw({ sql, args: [], argTypes: [] })).rows.map((r) => ({ value: r[0] }));
      expect(await autocheckpoint(query)).toBe(1_000);
      await adapter.dispose();
    });

    it("GIVEN the thread stops after it started THEN the connection's automatic checkpoint is turned back on", async () => {
      const file = path.join(dir, `app-${++files}.sqlite`);
      const adapter = await serializedSqliteAdapter({ url: pathToFileURL(file).href }, { checkpointThread: false }).connect();
      const query = async (sql: string) => (await adapter.queryRaw({ sql, args: [], argTypes: [] })).rows.map((r) => ({ value: r[0] }));
      let stop!: (reason: string) => void;
      const fake = (_file: string, options: WalCheckpointerOptions) => {
        stop = options.onStopped;
        return { ready: Promise.resolve(), stop: async () => undefined };
      };
      expect(await offloadCheckpoints(adapter, file, fake)).toBeDefined();
      expect(await autocheckpoint(query)).toBe(BACKSTOP_PAGES);
      stop("checkpoint thread exited (1)");
      // The restore was queued on the connection before this query (one serialized connection).
      expect(await autocheckpoint(query)).toBe(1_000);
      await adapter.dispose();
    });

    it("GIVEN the thread cannot start THEN the connection keeps checkpointing by itself", async () => {
      const file = path.join(dir, `app-${++files}.sqlite`);
      const adapter = await serializedSqliteAdapter({ url: file }, { checkpointThread: false }).connect();
      const query = async (sql: string) => (await adapter.queryRaw({ sql, args: [], argTypes: [] })).rows.map((r) => ({ value: r[0] }));
      const failing = (_file: string, options: WalCheckpointerOptions) => {
        const ready = Promise.reject(new Error("no thread"));
        ready.catch(() => undefined);
        options.onStopped("checkpoint thread error: no thread");
        return { ready, stop: async () => undefined };
      };
      expect(await offloadCheckpoints(adapter, file, failing)).toBeUndefined();
      expect(await autocheckpoint(query)).toBe(1_000);
      await adapter.dispose();
    });
  });
});
