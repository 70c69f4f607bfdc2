// GIVEN VIP tiers saved before a tier kept what its threshold was typed as: tiers of a shop on amount
//       spent, tiers marked with the "POINTS" sentinel in their currency column (switched from points
//       earned), tiers on points earned stamped with a currency, and tiers of a shop with no program
// WHEN migration 20261208100000_vip_threshold_basis runs on them (each provider's own SQL)
// THEN each tier says which basis it was typed for, the sentinel is gone (typed as points, no
//      currency: still under review on amount spent), and no points threshold carries a currency.
import { describe, expect, it } from "vitest";
import { testDatabaseProvider } from "./setup/databases";
import { migratePostgres, migrateSqlite } from "./support/migration-sql";

const TARGET = "20261208100000_vip_threshold_basis";

const OLD_ROWS = [
  `INSERT INTO "VipProgram" ("shop","basis","updatedAt") VALUES ('amount.myshopify.com','AMOUNT_SPENT',CURRENT_TIMESTAMP)`,
  `INSERT INTO "VipProgram" ("shop","basis","updatedAt") VALUES ('points.myshopify.com','POINTS_EARNED',CURRENT_TIMESTAMP)`,
  `INSERT INTO "VipTier" ("id","shop","name","threshold","amountCurrency","updatedAt") VALUES ('a-usd','amount.myshopify.com','Gold','100','USD',CURRENT_TIMESTAMP)`,
  `INSERT INTO "VipTier" ("id","shop","name","threshold","amountCurrency","updatedAt") VALUES ('a-pts','amount.myshopify.com','Silver','50','POINTS',CURRENT_TIMESTAMP)`,
  `INSERT INTO "VipTier" ("id","shop","name","threshold","amountCurrency","updatedAt") VALUES ('p-eur','points.myshopify.com','Gold','500','EUR',CURRENT_TIMESTAMP)`,
  `INSERT INTO "VipTier" ("id","shop","name","threshold","updatedAt") VALUES ('none','none.myshopify.com','Gold','500',CURRENT_TIMESTAMP)`,
];

const READ = `SELECT "id", "thresholdBasis", "amountCurrency" FROM "VipTier" ORDER BY "id"`;

const EXPECTED = [
  { id: "a-pts", thresholdBasis: "POINTS_EARNED", amountCurrency: null },
  { id: "a-usd", thresholdBasis: "AMOUNT_SPENT", amountCurrency: "USD" },
  { id: "none", thresholdBasis: "POINTS_EARNED", amountCurrency: null },
  { id: "p-eur", thresholdBasis: "POINTS_EARNED", amountCurrency: null },
];

describe(`migration ${TARGET}`, () => {
  it("SQLite: each tier says what its threshold was typed as; the POINTS sentinel is gone", async () => {
    expect(await migrateSqlite(TARGET, OLD_ROWS, READ)).toEqual(EXPECTED);
  });

  it.runIf(testDatabaseProvider() === "postgresql")("PostgreSQL: the same rows read the same way", async () => {
    expect(await migratePostgres(TARGET, OLD_ROWS, READ)).toEqual(EXPECTED);
  });
});
