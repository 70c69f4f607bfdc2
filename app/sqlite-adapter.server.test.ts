// A top-level write made while an interactive transaction is open must not be swallowed by that
// transaction's rollback (it was, with the plain better-sqlite3 adapter this app used before libSQL:
// one connection, no lock).
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { testDatabaseProvider } from "../test/setup/databases";

describe.runIf(testDatabaseProvider() === "sqlite")("serialized SQLite adapter", () => {
  it("keeps a write made outside a transaction that later rolls back", async () => {
    let letOutsideWrite!: () => void;
    const inside = new Promise<void>((resolve) => (letOutsideWrite = resolve));
    const tx = db
      .$transaction(async (t) => {
        await t.shop.create({ data: { domain: "inside.myshopify.com" } });
        letOutsideWrite();
        await new Promise((r) => setTimeout(r, 50));
        throw new Error("roll back");
      })
      .catch((e: Error) => e.message);
    await inside;
    await db.shop.create({ data: { domain: "outside.myshopify.com" } });
    expect(await tx).toBe("roll back");
    expect(await db.shop.findUnique({ where: { domain: "outside.myshopify.com" } })).not.toBeNull();
    expect(await db.shop.findUnique({ where: { domain: "inside.myshopify.com" } })).toBeNull();
  });

  it("runs the database in WAL with synchronous=NORMAL and a busy timeout (bench/RESULTS.md)", async () => {
    const [journal] = await db.$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
    const [sync] = await db.$queryRawUnsafe<{ synchronous: number | bigint }[]>("PRAGMA synchronous");
    const [busy] = await db.$queryRawUnsafe<{ timeout: number | bigint }[]>("PRAGMA busy_timeout");
    expect(journal.journal_mode).toBe("wal");
    expect(Number(sync.synchronous)).toBe(1); // NORMAL
    expect(Number(busy.timeout)).toBe(10_000);
  });

  it("keeps those per-connection settings after interactive transactions (libSQL's file client would switch to a new connection)", async () => {
    for (let i = 0; i < 3; i++) {
      await db.$transaction(async (t) => {
        await t.shop.upsert({ where: { domain: "pragmas.myshopify.com" }, create: { domain: "pragmas.myshopify.com" }, update: {} });
      });
    }
    await db.$transaction(async () => {
      throw new Error("roll back");
    }).catch(() => undefined);
    const [sync] = await db.$queryRawUnsafe<{ synchronous: number | bigint }[]>("PRAGMA synchronous");
    const [busy] = await db.$queryRawUnsafe<{ timeout: number | bigint }[]>("PRAGMA busy_timeout");
    expect(Number(sync.synchronous)).toBe(1); // NORMAL
    expect(Number(busy.timeout)).toBe(10_000);
  });
});
