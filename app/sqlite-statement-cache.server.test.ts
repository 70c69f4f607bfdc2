// The per-connection statement cache (app/sqlite-statement-cache.server.ts): the app's own Prisma
// client takes its statements from it, and reuse is as safe as a fresh statement.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { MAX_CACHED_STATEMENTS, statementCounts } from "~/sqlite-statement-cache.server";
import { testDatabaseProvider } from "../test/setup/databases";

interface RawStatement {
  all(args?: unknown[]): unknown[];
  run(args?: unknown[]): unknown;
  raw(on?: boolean): RawStatement;
}
interface RawDatabase {
  prepare(sql: string): RawStatement;
  exec(sql: string): void;
  close(): void;
}
const Database = createRequire(import.meta.url)("libsql") as new (file: string) => RawDatabase;

describe.runIf(testDatabaseProvider() === "sqlite")("SQLite statement cache", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "stmt-cache-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A WAL database of its own, and a second connection to it. */
  function files(name: string) {
    const file = path.join(dir, `${name}.db`);
    const a = new Database(file);
    a.exec("PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    return { a, b: new Database(file) };
  }

  it("serves the app's repeated queries from statements prepared once", async () => {
    await db.shop.create({ data: { domain: "cache.myshopify.com" } });
    await db.shop.findUnique({ where: { domain: "cache.myshopify.com" }, select: { currency: true } });
    const before = statementCounts();
    for (let i = 0; i < 20; i++) {
      const shop = await db.shop.findUnique({ where: { domain: i % 2 ? "cache.myshopify.com" : `other-${i}.myshopify.com` }, select: { currency: true } });
      expect(shop === null).toBe(i % 2 === 0);
    }
    const after = statementCounts();
    expect(after.prepared - before.prepared).toBe(0);
    expect(after.reused - before.reused).toBeGreaterThanOrEqual(20);
  });

  it("hands out one statement per SQL text and connection", () => {
    const { a, b } = files("identity");
    const sql = "SELECT v FROM t WHERE id = ?";
    expect(a.prepare(sql)).toBe(a.prepare(sql));
    expect(b.prepare(sql)).not.toBe(a.prepare(sql));
    a.close();
    b.close();
  });

  it("drops a statement whose run threw, so no read snapshot is left behind", () => {
    const { a, b } = files("thrown");
    a.prepare("INSERT INTO t (id, v) VALUES (?, ?)").run([1, "one"]);
    const insert = "INSERT INTO t (id, v) VALUES (?, ?) RETURNING id";
    const first = a.prepare(insert).raw(true);
    expect(() => first.all([1, "again"])).toThrow(/UNIQUE/);
    const second = a.prepare(insert).raw(true);
    expect(second).not.toBe(first);
    expect(second.all([2, "two"])).toEqual([[2]]);
    // Another connection can write and checkpoint the whole WAL: nothing here holds a snapshot.
    b.prepare("INSERT INTO t (id, v) VALUES (?, ?)").run([3, "three"]);
    expect(b.prepare("PRAGMA wal_checkpoint(TRUNCATE)").raw(true).all()).toEqual([[0, 0, 0]]);
    a.prepare("INSERT INTO t (id, v) VALUES (?, ?)").run([4, "four"]);
    a.close();
    b.close();
  });

  it("keeps at most MAX_CACHED_STATEMENTS per connection, the least recently used dropped first", () => {
    const { a, b } = files("bounded");
    const text = (i: number) => `SELECT v FROM t WHERE id = ${i}`;
    const kept = a.prepare(text(0));
    const oldest = a.prepare(text(1));
    for (let i = 2; i < MAX_CACHED_STATEMENTS + 1; i++) {
      a.prepare(text(i));
      // text(0) is used all along: never the least recently used.
      expect(a.prepare(text(0))).toBe(kept);
    }
    expect(a.prepare(text(0))).toBe(kept);
    expect(a.prepare(text(1))).not.toBe(oldest);
    a.close();
    b.close();
  });

  it("runs the same statement again from its start after an earlier run stopped part-way", () => {
    const { a, b } = files("partway");
    for (let i = 1; i <= 5; i++) a.prepare("INSERT INTO t (id, v) VALUES (?, ?)").run([i, `v${i}`]);
    const sql = "SELECT id FROM t WHERE id >= ? ORDER BY id";
    const statement = a.prepare(sql).raw(true) as RawStatement & { iterate(args: unknown[]): Iterator<unknown> };
    expect(statement.iterate([1]).next().value).toEqual([1]);
    expect(a.prepare(sql).raw(true).all([1])).toEqual([[1], [2], [3], [4], [5]]);
    a.close();
    b.close();
  });
});
