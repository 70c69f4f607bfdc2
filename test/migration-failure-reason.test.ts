// GIVEN rewards stored before failures were data (Reward.failureReason "code: message" text)
// WHEN migration 20261130100000_failure_reason_code runs on them (each provider's own SQL)
// THEN every row reads as a code plus a message: no text is lost, nothing needs parsing later.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createClient } from "@libsql/client";
import { describe, expect, it } from "vitest";
import { ROOT, testDatabaseProvider } from "./setup/databases";
import { withFreshPostgres } from "./support/migration-sql";

const TARGET = "20261130100000_failure_reason_code";

function migrations(folder: string): { before: string[]; target: string } {
  const dir = path.join(ROOT, folder);
  const names = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const read = (name: string) => readFileSync(path.join(dir, name, "migration.sql"), "utf8");
  return { before: names.filter((n) => n < TARGET).map(read), target: read(TARGET) };
}

const OLD_ROWS: [id: string, failureReason: string | null][] = [
  ["none", null],
  ["reconciled", "changed in Shopify"],
  ["worker", "shopify_unavailable: Shopify answered HTTP 503 (gave up after 8 attempts)"],
  ["colons", "invalid_reward_settings: Minimum subtotal: must be > 0"],
  ["bare", "gift_cards_unavailable"],
  ["prose", "timeout after 30s"],
];

const EXPECTED = [
  { id: "none", failureCode: null, failureMessage: null },
  { id: "reconciled", failureCode: "changed_in_shopify", failureMessage: null },
  { id: "worker", failureCode: "shopify_unavailable", failureMessage: "Shopify answered HTTP 503 (gave up after 8 attempts)" },
  { id: "colons", failureCode: "invalid_reward_settings", failureMessage: "Minimum subtotal: must be > 0" },
  { id: "bare", failureCode: "gift_cards_unavailable", failureMessage: null },
  { id: "prose", failureCode: "unknown", failureMessage: "timeout after 30s" },
];

const insertRows = (q: string) =>
  OLD_ROWS.map(
    ([id, reason]) =>
      `INSERT INTO "Reward" ("id","shop","customerId","customerGid","source","kind","value","currency","title","code","codeKey","status","failureReason","updatedAt")
       VALUES ('${id}','s','c','gid://shopify/Customer/1','MANUAL','FIXED_AMOUNT','5','USD','t','${id}','${id}','FAILED',${reason === null ? "NULL" : q + reason + q},CURRENT_TIMESTAMP)`,
  );
const EVENT = `INSERT INTO "RewardEvent" ("id","rewardId","shop","type","toStatus","actor","reason") VALUES ('e1','worker','s','STATUS_CHANGED','FAILED','WORKER','shopify_unavailable: gave up')`;
const CUSTOMER = `INSERT INTO "Customer" ("id","shop","shopifyCustomerId","updatedAt") VALUES ('c','s','gid://shopify/Customer/1',CURRENT_TIMESTAMP)`;

describe("migration 20261130100000_failure_reason_code", () => {
  it("SQLite: old failureReason text becomes failureCode + failureMessage; events get reasonCode", async () => {
    const { before, target } = migrations("prisma/migrations");
    const db = createClient({ url: ":memory:" });
    try {
      for (const sql of before) await db.executeMultiple(sql);
      await db.execute(CUSTOMER);
      for (const sql of insertRows("'")) await db.execute(sql);
      await db.execute(EVENT);

      await db.executeMultiple(target);

      const rows = (await db.execute(`SELECT "id","failureCode","failureMessage" FROM "Reward" ORDER BY rowid`)).rows.map((row) => ({ ...row }));
      expect(rows).toEqual(EXPECTED);
      const events = (await db.execute(`SELECT "reasonCode" FROM "RewardEvent"`)).rows.map((row) => ({ ...row }));
      expect(events[0]).toEqual({ reasonCode: "shopify_unavailable" });
    } finally {
      db.close();
    }
  });

  it.runIf(testDatabaseProvider() === "postgresql")("PostgreSQL: the same rows read the same way", async () => {
    const { before, target } = migrations("prisma/postgresql/migrations");
    await withFreshPostgres("loyalty_migr", async (client) => {
      for (const sql of before) await client.query(sql);
      await client.query(CUSTOMER);
      for (const sql of insertRows("'")) await client.query(sql);
      await client.query(EVENT);

      await client.query(target);

      const rows = await client.query(`SELECT "id","failureCode","failureMessage" FROM "Reward"`);
      const byId = new Map(rows.rows.map((r) => [r.id, r]));
      expect(EXPECTED.map((e) => byId.get(e.id))).toEqual(EXPECTED);
      expect((await client.query(`SELECT "reasonCode" FROM "RewardEvent"`)).rows).toEqual([{ reasonCode: "shopify_unavailable" }]);
    });
  });
});
