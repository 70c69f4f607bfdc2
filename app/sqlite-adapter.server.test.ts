// A top-level write made while an interactive transaction is open must not be swallowed by that
// transaction's rollback (it was, with the plain better-sqlite3 adapter this app used before libSQL:
// one connection, no lock).
import { describe, expect, it } from "vitest";
import db, { createDb, directSql } from "~/db.server";
import { runAdmin } from "~/shopify/graphql.server";
import { insideWriteTogether } from "./sqlite-adapter.server";
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

  describe("writeTogether (one transaction for a run of writes)", () => {
    const domain = (n: string) => `one-commit-${n}.myshopify.com`;

    it("GIVEN writes inside writeTogether WHEN another connection reads before it ends THEN it sees none of them; after, all of them (one commit)", async () => {
      const other = createDb(process.env.DATABASE_URL);
      try {
        const seenInside = await directSql(db).writeTogether(async () => {
          await db.shop.create({ data: { domain: domain("a") } });
          await db.$transaction(async (tx) => {
            await tx.shop.create({ data: { domain: domain("b") } });
          });
          await directSql(db).transaction(async (tx) => tx.execute(`UPDATE "Shop" SET "currency" = ? WHERE "domain" = ?`, ["EUR", domain("a")]));
          return other.shop.count({ where: { domain: { startsWith: "one-commit-" } } });
        });
        expect(seenInside).toBe(0);
        expect(await other.shop.count({ where: { domain: { startsWith: "one-commit-" } } })).toBe(2);
        expect((await other.shop.findUniqueOrThrow({ where: { domain: domain("a") } })).currency).toBe("EUR");
      } finally {
        await other.$disconnect();
      }
    });

    it("GIVEN writeTogether running WHEN a statement comes from elsewhere in the process THEN it waits for the run to end and is not part of it", async () => {
      let inside!: () => void;
      const started = new Promise<void>((resolve) => (inside = resolve));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const order: string[] = [];
      const run = directSql(db).writeTogether(async () => {
        await db.shop.create({ data: { domain: domain("run") } });
        inside();
        await held;
        order.push("run ends");
      });
      await started;
      // Not in the run's async context: queued behind it on the connection.
      const outside = db.shop.create({ data: { domain: domain("outside") } }).then(() => order.push("outside written"));
      await new Promise((resolve) => setImmediate(resolve));
      expect(order).toEqual([]);
      release();
      await Promise.all([run, outside]);
      expect(order).toEqual(["run ends", "outside written"]);
      expect(await db.shop.count({ where: { domain: { in: [domain("run"), domain("outside")] } } })).toBe(2);
    });

    it("GIVEN writeTogether running WHEN the Admin API would be called inside it THEN it refuses (a Shopify call would hold the connection)", async () => {
      let called = false;
      const graphql = async () => {
        called = true;
        return new Response("{}");
      };
      expect(insideWriteTogether()).toBe(false);
      await expect(
        directSql(db).writeTogether(async () => {
          expect(insideWriteTogether()).toBe(true);
          await runAdmin(graphql, "query { shop { name } }");
        }),
      ).rejects.toThrow("an Admin API call inside writeTogether");
      expect(called).toBe(false);
      expect(insideWriteTogether()).toBe(false);
    });
  });
});
