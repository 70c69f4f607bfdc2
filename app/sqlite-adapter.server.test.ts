// A top-level write made while an interactive transaction is open must not be swallowed by that
// transaction's rollback (it was, with the plain better-sqlite3 adapter: one connection, no lock).
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
});
