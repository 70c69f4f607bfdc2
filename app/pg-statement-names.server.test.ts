// Named statements on PostgreSQL (app/pg-statement-names.server.ts): which texts get a name, and the
// app's own client preparing its repeated queries once per connection.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { MAX_NAMED_STATEMENTS, statementNamer } from "~/pg-statement-names.server";
import { testDatabaseProvider } from "../test/setup/databases";

describe("statementNamer", () => {
  it("names a text from its second sighting on, always with the same name, one name per text", () => {
    const name = statementNamer();
    const a = { sql: 'SELECT "id" FROM "Customer" WHERE "shop" = $1' };
    const b = { sql: 'SELECT "id" FROM "Reward" WHERE "shop" = $1' };
    expect(name(a)).toBeUndefined();
    expect(name(b)).toBeUndefined();
    const first = name(a);
    expect(first).toMatch(/^lr_\d+$/);
    expect(name(a)).toBe(first);
    const second = name(b);
    expect(second).toMatch(/^lr_\d+$/);
    expect(second).not.toBe(first);
  });

  it("names at most MAX_NAMED_STATEMENTS texts; the others stay unnamed", () => {
    const name = statementNamer();
    const text = (i: number) => ({ sql: `SELECT ${i}` });
    for (let i = 0; i < MAX_NAMED_STATEMENTS + 10; i++) {
      name(text(i));
      name(text(i));
    }
    const names = new Set<string>();
    for (let i = 0; i < MAX_NAMED_STATEMENTS + 10; i++) {
      const n = name(text(i));
      if (i < MAX_NAMED_STATEMENTS) names.add(n!);
      else expect(n).toBeUndefined();
    }
    expect(names.size).toBe(MAX_NAMED_STATEMENTS);
  });
});

describe.runIf(testDatabaseProvider() === "postgresql")("named statements through the app's client", () => {
  it("prepares a query the app repeats once on its connection and runs it again by name", async () => {
    await db.shop.create({ data: { domain: "named.myshopify.com" } });
    // One transaction: one connection, whose prepared statements the server lists.
    const listed = await db.$transaction(async (tx) => {
      for (let i = 0; i < 5; i++) {
        const shop = await tx.shop.findUnique({ where: { domain: i % 2 ? "named.myshopify.com" : "absent.myshopify.com" }, select: { currency: true } });
        expect(shop === null).toBe(i % 2 === 0);
      }
      return tx.$queryRawUnsafe<{ name: string; statement: string }[]>(`SELECT "name", "statement" FROM pg_prepared_statements WHERE "statement" LIKE '%"Shop"%' AND "statement" LIKE '%currency%'`);
    });
    expect(listed).toHaveLength(1);
    expect(listed[0].name).toMatch(/^lr_\d+$/);
  });
});
