// directSql: statements straight to the driver adapter under a Prisma client, on the real database
// (SQLite by default, PostgreSQL with TEST_DATABASE_URL).
import { describe, expect, it } from "vitest";
import db, { createDb, directSql } from "./db.server";
import { storedTime } from "./direct-sql.server";

describe("directSql", () => {
  it("GIVEN a client that has run no query yet WHEN a direct statement runs THEN Prisma connects first; after $disconnect it connects again", async () => {
    const fresh = createDb(process.env.DATABASE_URL);
    try {
      expect(await directSql(fresh).query<{ answer: unknown }>("SELECT ? AS answer", ["forty-two"])).toEqual([{ answer: "forty-two" }]);
      await fresh.$disconnect();
      expect(await directSql(fresh).query<{ answer: unknown }>("SELECT ? AS answer", ["again"])).toEqual([{ answer: "again" }]);
    } finally {
      await fresh.$disconnect();
    }
  });

  it("GIVEN parameters of every kind it binds WHEN written and read back through Prisma THEN they are what Prisma stores (dates to the millisecond, null as null)", async () => {
    const shop = "direct-sql.myshopify.com";
    const at = new Date("2026-11-30T23:45:01.234Z");
    await directSql(db).query(`INSERT INTO "Shop" ("domain", "currency", "installedAt", "uninstalledAt", "updatedAt") VALUES (?, ?, ?, ?, ?)`, [shop, "EUR", at, null, at]);
    const row = await db.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect(row.currency).toBe("EUR");
    expect(row.installedAt.toISOString()).toBe(at.toISOString());
    expect(row.uninstalledAt).toBeNull();
    // Prisma's own equality filter matches the stored date exactly.
    expect(await db.shop.count({ where: { domain: shop, installedAt: at } })).toBe(1);
  });

  it("GIVEN times Prisma stored (one to the millisecond, one empty) WHEN read by a direct query THEN storedTime gives the same instants", async () => {
    const shop = "direct-sql-times.myshopify.com";
    const at = new Date("2026-02-28T23:59:59.999Z");
    await db.shop.create({ data: { domain: shop, currency: "USD", installedAt: at, uninstalledAt: null } });
    const [row] = await directSql(db).query<{ installedAt: unknown; uninstalledAt: unknown }>(`SELECT "installedAt", "uninstalledAt" FROM "Shop" WHERE "domain" = ?`, [shop]);
    expect(storedTime(row!.installedAt)?.toISOString()).toBe(at.toISOString());
    expect(storedTime(row!.uninstalledAt)).toBeNull();
    expect(() => storedTime("not a time")).toThrow("not a stored time");
  });

  it("GIVEN a client not made by createDb WHEN asked for directSql THEN a clear error", () => {
    expect(() => directSql({} as typeof db)).toThrow("directSql: this Prisma client was not made by createDb");
  });

  describe("transaction", () => {
    const shop = (n: string) => `direct-tx-${n}.myshopify.com`;
    const insertShop = `INSERT INTO "Shop" ("domain", "currency", "installedAt", "updatedAt") VALUES (?, ?, ?, ?)`;

    it("GIVEN statements in a transaction WHEN its function returns THEN they are committed (seen by Prisma's other connections) and its result is returned", async () => {
      const now = new Date();
      const result = await directSql(db).transaction(async (tx) => {
        expect(await tx.execute(insertShop, [shop("a"), "USD", now, now])).toBe(1);
        expect(await tx.execute(`UPDATE "Shop" SET "currency" = ? WHERE "domain" = ?`, ["EUR", shop("a")])).toBe(1);
        return (await tx.query<{ currency: string }>(`SELECT "currency" FROM "Shop" WHERE "domain" = ?`, [shop("a")]))[0]!.currency;
      });
      expect(result).toBe("EUR");
      // A fresh client (its own connection on PostgreSQL and SQLite alike) sees the committed row.
      const other = createDb(process.env.DATABASE_URL);
      try {
        expect((await other.shop.findUniqueOrThrow({ where: { domain: shop("a") } })).currency).toBe("EUR");
      } finally {
        await other.$disconnect();
      }
    });

    it("GIVEN a transaction whose function throws after a write WHEN it ends THEN the write is rolled back, the error reaches the caller and the connection is usable", async () => {
      const now = new Date();
      await expect(
        directSql(db).transaction(async (tx) => {
          await tx.execute(insertShop, [shop("b"), "USD", now, now]);
          throw new Error("changed my mind");
        }),
      ).rejects.toThrow("changed my mind");
      expect(await db.shop.count({ where: { domain: shop("b") } })).toBe(0);
      // A failing statement rolls back too (the duplicate key), and later transactions still work.
      await directSql(db).execute(insertShop, [shop("c"), "USD", now, now]);
      await expect(directSql(db).transaction((tx) => tx.execute(insertShop, [shop("c"), "USD", now, now]))).rejects.toThrow();
      expect(await directSql(db).transaction((tx) => tx.execute(`UPDATE "Shop" SET "currency" = ? WHERE "domain" = ?`, ["GBP", shop("c")]))).toBe(1);
      expect((await db.shop.findUniqueOrThrow({ where: { domain: shop("c") } })).currency).toBe("GBP");
    });

    it("GIVEN a transaction in progress WHEN Prisma queries meanwhile THEN they see only what was committed", async () => {
      const now = new Date();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let inside!: () => void;
      const started = new Promise<void>((resolve) => (inside = resolve));
      const tx = directSql(db).transaction(async (t) => {
        await t.execute(insertShop, [shop("d"), "USD", now, now]);
        inside();
        await held;
      });
      await started;
      const count = db.shop.count({ where: { domain: shop("d") } });
      // On SQLite the count waits for the transaction (one connection per process); on PostgreSQL it
      // runs on another connection and cannot see the uncommitted row. Either way: 0 before, 1 after.
      const early = await Promise.race([count, new Promise<"waiting">((resolve) => setTimeout(() => resolve("waiting"), 50))]);
      expect(early === "waiting" || early === 0).toBe(true);
      release();
      await tx;
      expect(await db.shop.count({ where: { domain: shop("d") } })).toBe(1);
    });
  });
});
