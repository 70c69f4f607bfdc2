// The demo keeps its world consistent across restarts (scripts/lib/demo-state.mjs, scripts/demo/main.ts):
// the emulated shop is saved beside the database and loaded at the next start, and
// `npm run demo -- --reset` wipes both together.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createShopifyEmulator, readAppConfig, type StoreSnapshot } from "@loyalty/shopify-emulator";
import db from "~/db.server";
import { ROOT } from "../../test/setup/databases";
import { useShopifyEmulator } from "../../test/support/shopify";
import { TEST_APP } from "../../test/support/constants";
import { demoStatePaths, needsReset, readDemoState, resetDemoFiles, writeDemoState } from "../lib/demo-state.mjs";
import { seedDemo, DEMO_SHOP } from "./seed";

const { emulator } = useShopifyEmulator();
const dir = mkdtempSync(path.join(tmpdir(), "demo-state-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("demo restart", () => {
  it("finds every code the database says is Issued or Used in the emulated shop after a restart", async () => {
    // GIVEN a seeded demo whose emulator state was saved beside its database
    await seedDemo(db, emulator, { shop: DEMO_SHOP });
    const { stateFile } = demoStatePaths(`file:${path.join(dir, "dev.sqlite")}`, {});
    expect(stateFile).toBe(path.join(dir, "dev.emulator.json"));
    writeDemoState(stateFile, emulator.store.serialize());

    // WHEN the demo starts again: a new emulator loads the state and the seed runs again (main.ts)
    const restarted = createShopifyEmulator({ apiKey: TEST_APP.apiKey, apiSecret: TEST_APP.apiSecret, appConfig: readAppConfig(path.join(ROOT, "shopify.app.toml")) });
    restarted.store.restore(readDemoState(stateFile) as StoreSnapshot);
    const rewardsBefore = await db.reward.count({ where: { shop: DEMO_SHOP } });
    await seedDemo(db, restarted, { shop: DEMO_SHOP });

    // THEN each Issued/Used reward's code is in the restarted shop with the same id, Used ones are
    // used up there, the app's stored token still works, and nothing was seeded twice
    const rewards = await db.reward.findMany({ where: { shop: DEMO_SHOP, status: { in: ["ISSUED", "USED"] } } });
    expect(rewards.length).toBeGreaterThan(5);
    for (const reward of rewards) {
      const found = restarted.store.findDiscountByCode(DEMO_SHOP, reward.code);
      expect(found?.discount.id, reward.code).toBe(reward.shopifyId);
      expect(found!.redeemCode.asyncUsageCount, reward.code).toBe(reward.status === "USED" ? 1 : 0);
    }
    const session = await db.session.findUniqueOrThrow({ where: { id: `offline_${DEMO_SHOP}` } });
    expect(restarted.store.getShop(DEMO_SHOP)?.accessToken).toBe(session.accessToken);
    expect(await db.reward.count({ where: { shop: DEMO_SHOP } })).toBe(rewardsBefore);
    expect(restarted.store.listCustomers(DEMO_SHOP)).toHaveLength(emulator.store.listCustomers(DEMO_SHOP).length);
  });
});

describe("npm run demo -- --reset", () => {
  it("wipes the database and the emulator state together", () => {
    // GIVEN a demo database with its journal and its emulator state
    const paths = demoStatePaths(`file:${path.join(dir, "reset.sqlite")}`, {});
    for (const file of [paths.sqliteFile!, `${paths.sqliteFile}-wal`, paths.stateFile]) writeFileSync(file, "x");

    // WHEN the demo is reset
    resetDemoFiles(paths);

    // THEN neither is left, so both are reseeded together
    expect(existsSync(paths.sqliteFile!)).toBe(false);
    expect(existsSync(`${paths.sqliteFile}-wal`)).toBe(false);
    expect(existsSync(paths.stateFile)).toBe(false);
  });

  it("reseeds both when only one of database and emulator state exists, and not otherwise", () => {
    // GIVEN nothing, a database without state, both, and a state without its database
    const paths = demoStatePaths(`file:${path.join(dir, "old.sqlite")}`, {});
    const neither = needsReset(paths);
    writeFileSync(paths.sqliteFile!, "x");
    const withoutState = needsReset(paths);
    writeFileSync(paths.stateFile, "{}");
    const both = needsReset(paths);
    rmSync(paths.sqliteFile!);
    const withoutDatabase = needsReset(paths);

    // THEN the two lopsided cases contradict themselves
    expect(neither).toBe(false);
    expect(withoutState).toBe(true);
    expect(both).toBe(false);
    expect(withoutDatabase).toBe(true);
    // and a relative URL lands in prisma/ like the Prisma CLI's, the state beside it
    expect(demoStatePaths("file:./dev.sqlite", {})).toEqual({ sqliteFile: path.join(ROOT, "prisma", "dev.sqlite"), stateFile: path.join(ROOT, "prisma", "dev.emulator.json") });
  });
});
