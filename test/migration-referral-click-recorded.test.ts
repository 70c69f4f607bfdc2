// GIVEN referrals written before the app kept whether their landing click was recorded: one clicked
//       then claimed later (signed up at another time), one made by a claim that signed it up (the
//       claim's instant as both clickedAt and signedUpAt), one made by a claim that rejected it, a
//       click never claimed, and one clicked, claimed and rejected later
// WHEN migration 20261209110000_referral_click_recorded runs on them (each provider's own SQL)
// THEN only the referrals made by a claim say their click was not recorded.
import { describe, expect, it } from "vitest";
import { testDatabaseProvider } from "./setup/databases";
import { migratePostgres, migrateSqlite } from "./support/migration-sql";

const TARGET = "20261209110000_referral_click_recorded";

const T1 = "'2026-11-01 10:00:00'";
const T2 = "'2026-11-02 10:00:00'";
const referral = (id: string, state: string, clickedAt: string, signedUpAt: string, rejectedAt: string) =>
  `INSERT INTO "Referral" ("id","shop","codeId","referrerCustomerId","friendCustomerId","state","clickedAt","signedUpAt","rejectedAt","updatedAt") VALUES ('${id}','s','code','ref',${state === "CLICKED" ? "NULL" : `'f-${id}'`},'${state}',${clickedAt},${signedUpAt},${rejectedAt},CURRENT_TIMESTAMP)`;

const OLD_ROWS = [
  referral("clicked-then-claimed", "SIGNED_UP", T1, T2, "NULL"),
  referral("made-by-claim", "SIGNED_UP", T2, T2, "NULL"),
  referral("made-by-claim-rejected", "REJECTED", T2, "NULL", T2),
  referral("clicked-only", "CLICKED", T1, "NULL", "NULL"),
  referral("clicked-rejected-later", "REJECTED", T1, T2, T2),
];

const READ = `SELECT "id", CASE WHEN "clickRecorded" THEN 'recorded' ELSE 'not recorded' END AS "click" FROM "Referral" ORDER BY "id"`;

const EXPECTED = [
  { id: "clicked-only", click: "recorded" },
  { id: "clicked-rejected-later", click: "recorded" },
  { id: "clicked-then-claimed", click: "recorded" },
  { id: "made-by-claim", click: "not recorded" },
  { id: "made-by-claim-rejected", click: "not recorded" },
];

describe(`migration ${TARGET}`, () => {
  it("SQLite: referrals made by the friend's claim say their click was not recorded", async () => {
    expect(await migrateSqlite(TARGET, OLD_ROWS, READ)).toEqual(EXPECTED);
  });

  it.runIf(testDatabaseProvider() === "postgresql")("PostgreSQL: the same rows read the same way", async () => {
    expect(await migratePostgres(TARGET, OLD_ROWS, READ)).toEqual(EXPECTED);
  });
});
