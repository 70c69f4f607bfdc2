// directSql: statements straight to the driver adapter under a Prisma client, on the real database
// (SQLite by default, PostgreSQL with TEST_DATABASE_URL).
import { describe, expect, it } from "vitest";
import db, { createDb, directSql } from "./db.server";

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

  it("GIVEN a client not made by createDb WHEN asked for directSql THEN a clear error", () => {
    expect(() => directSql({} as typeof db)).toThrow("directSql: this Prisma client was not made by createDb");
  });
});
