// GIVEN ledger rows written before an order's test flag had a column of its own: held and earned rows
//       of test orders (their note starting "Test order", as TEST_ORDER_NOTE was written first), a held
//       row of an ordinary order, an adjustment whose merchant-typed reason starts with "Test order"
// WHEN migration 20261209100000_held_orders runs on them (each provider's own SQL)
// THEN the held and earned rows of test orders say so in `testOrder`, and no other row does; every
//      shop starts with no held orders due (`heldOrdersDueAt` null).
import { describe, expect, it } from "vitest";
import { testDatabaseProvider } from "./setup/databases";
import { migratePostgres, migrateSqlite } from "./support/migration-sql";

const TARGET = "20261209100000_held_orders";

const row = (id: string, reason: string, note: string | null) =>
  `INSERT INTO "PointsTransaction" ("id","shop","customerId","delta","balanceAfter","reason","note") VALUES ('${id}','s','c',0,0,'${reason}',${note === null ? "NULL" : `'${note}'`})`;

const OLD_ROWS = [
  `INSERT INTO "Shop" ("domain","updatedAt") VALUES ('s',CURRENT_TIMESTAMP)`,
  `INSERT INTO "Customer" ("id","shop","shopifyCustomerId","updatedAt") VALUES ('c','s','gid://shopify/Customer/1',CURRENT_TIMESTAMP)`,
  row("held-test", "EARNING_HELD", "Test order — Waiting for the shop to confirm its amounts: points per unit were set in USD; the shop now sells in JPY. This order earns once they are confirmed."),
  row("held-plain", "EARNING_HELD", "Waiting for the shop to confirm its amounts: points per unit were set in USD; the shop now sells in JPY. This order earns once they are confirmed."),
  row("earned-test", "EARNED", "Test order — VIP tier Gold ×2: 10 + 10 bonus"),
  row("earned-plain", "EARNED", null),
  row("adjustment", "ADJUSTMENT", "Test order goodwill"),
];

const READ = `SELECT "id", CASE WHEN "testOrder" THEN 'test' ELSE 'not test' END AS "flag" FROM "PointsTransaction" UNION ALL SELECT "domain", CASE WHEN "heldOrdersDueAt" IS NULL THEN 'none due' ELSE 'due' END FROM "Shop" ORDER BY 1`;

const EXPECTED = [
  { id: "adjustment", flag: "not test" },
  { id: "earned-plain", flag: "not test" },
  { id: "earned-test", flag: "test" },
  { id: "held-plain", flag: "not test" },
  { id: "held-test", flag: "test" },
  { id: "s", flag: "none due" },
];

describe(`migration ${TARGET}`, () => {
  it("SQLite: a test order's held and earned rows carry the flag read from their note; nothing else does", async () => {
    expect(await migrateSqlite(TARGET, OLD_ROWS, READ)).toEqual(EXPECTED);
  });

  it.runIf(testDatabaseProvider() === "postgresql")("PostgreSQL: the same rows read the same way", async () => {
    expect(await migratePostgres(TARGET, OLD_ROWS, READ)).toEqual(EXPECTED);
  });
});
