// GIVEN amounts saved before the shop's currency was kept beside them (ways to redeem, VIP tiers,
//       referral and program settings), of a shop in EUR, and of a shop with no Shop row
// WHEN migration 20261206100000_amount_currency runs on them (each provider's own SQL)
// THEN each row reads as saved in its shop's currency of now (nothing needs review at once), and rows
//      of a shop without a Shop row stay null (read as the shop's currency).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { createClient } from "@libsql/client";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { ROOT, testDatabaseProvider } from "./setup/databases";

const TARGET = "20261206100000_amount_currency";

function migrations(folder: string): { before: string[]; target: string } {
  const dir = path.join(ROOT, folder);
  const names = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const read = (name: string) => readFileSync(path.join(dir, name, "migration.sql"), "utf8");
  return { before: names.filter((n) => n < TARGET).map(read), target: read(TARGET) };
}

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
    const { before, target } = migrations("prisma/migrations");
    const db = createClient({ url: ":memory:" });
    try {
      for (const sql of before) await db.executeMultiple(sql);
      for (const sql of OLD_ROWS) await db.execute(sql);
      await db.executeMultiple(target);
      expect((await db.execute(READ)).rows.map((row) => ({ ...row }))).toEqual(EXPECTED);
    } finally {
      db.close();
    }
  });

  it.runIf(testDatabaseProvider() === "postgresql")("PostgreSQL: the same rows read the same way", async () => {
    const { before, target } = migrations("prisma/postgresql/migrations");
    const base = process.env.TEST_DATABASE_URL!;
    const name = `loyalty_migr_${randomUUID().replace(/-/g, "").slice(0, 10)}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    const client = new pg.Client({ connectionString: url.toString() });
    try {
      await client.connect();
      for (const sql of before) await client.query(sql);
      for (const sql of OLD_ROWS) await client.query(sql);
      await client.query(target);
      expect((await client.query(READ)).rows).toEqual(EXPECTED);
    } finally {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    }
  });
});
