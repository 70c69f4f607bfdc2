// GIVEN amounts saved before the shop's currency was kept beside them (ways to redeem, VIP tiers,
//       referral and program settings), of a shop in EUR, and of a shop with no Shop row
// WHEN migration 20261206100000_amount_currency runs on them (each provider's own SQL)
// THEN each row reads as saved in its shop's currency of now (nothing needs review at once), and rows
//      of a shop without a Shop row stay null (read as the shop's currency).
import { describe, expect, it } from "vitest";
import { testDatabaseProvider } from "./setup/databases";
import { migratePostgres, migrateSqlite } from "./support/migration-sql";

const TARGET = "20261206100000_amount_currency";

const OLD_ROWS = [
  `INSERT INTO "Shop" ("domain","currency","updatedAt") VALUES ('eu.myshopify.com','EUR',CURRENT_TIMESTAMP)`,
  `INSERT INTO "RewardTemplate" ("id","shop","name","purpose","kind","updatedAt") VALUES ('t-eu','eu.myshopify.com','5 off','POINTS_REDEMPTION','FIXED_AMOUNT',CURRENT_TIMESTAMP)`,
  `INSERT INTO "RewardTemplate" ("id","shop","name","purpose","kind","updatedAt") VALUES ('t-none','none.myshopify.com','5 off','POINTS_REDEMPTION','FIXED_AMOUNT',CURRENT_TIMESTAMP)`,
  `INSERT INTO "VipTier" ("id","shop","name","threshold","updatedAt") VALUES ('v-eu','eu.myshopify.com','Gold','100',CURRENT_TIMESTAMP)`,
  `INSERT INTO "ReferralSettings" ("shop","updatedAt") VALUES ('eu.myshopify.com',CURRENT_TIMESTAMP)`,
  `INSERT INTO "ProgramSettings" ("shop","updatedAt") VALUES ('eu.myshopify.com',CURRENT_TIMESTAMP)`,
  `INSERT INTO "ProgramSettings" ("shop","updatedAt") VALUES ('none.myshopify.com',CURRENT_TIMESTAMP)`,
];

const READ = [
  `SELECT 'template' AS "row", "id" AS "key", "amountCurrency" FROM "RewardTemplate"`,
  `SELECT 'tier', "id", "amountCurrency" FROM "VipTier"`,
  `SELECT 'referral', "shop", "amountCurrency" FROM "ReferralSettings"`,
  `SELECT 'program', "shop", "amountCurrency" FROM "ProgramSettings"`,
].join(" UNION ALL ") + ` ORDER BY 1, 2`;

const EXPECTED = [
  { row: "program", key: "eu.myshopify.com", amountCurrency: "EUR" },
  { row: "program", key: "none.myshopify.com", amountCurrency: null },
  { row: "referral", key: "eu.myshopify.com", amountCurrency: "EUR" },
  { row: "template", key: "t-eu", amountCurrency: "EUR" },
  { row: "template", key: "t-none", amountCurrency: null },
  { row: "tier", key: "v-eu", amountCurrency: "EUR" },
];

describe(`migration ${TARGET}`, () => {
  it("SQLite: amounts saved before read as saved in their shop's currency of now", async () => {
    expect(await migrateSqlite(TARGET, OLD_ROWS, READ)).toEqual(EXPECTED);
  });

  it.runIf(testDatabaseProvider() === "postgresql")("PostgreSQL: the same rows read the same way", async () => {
    expect(await migratePostgres(TARGET, OLD_ROWS, READ)).toEqual(EXPECTED);
  });
});
