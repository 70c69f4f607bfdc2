// End to end: a bulk issue to a VIP tier run by the worker's periodic task ("bulk issue") and the
// worker's generation against the emulated Shopify, with the worker's real pacer — the job reaches
// DONE with the right counts, one Failed reward carries Shopify's reason, every other customer has
// exactly one discount in Shopify, and the job holds the API budget the pacer learned.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { startBulkJob, getBulkJob } from "~/services/bulk-issue/jobs.server";
import { installEmulatedShop, useShopifyEmulator } from "../../test/support/shopify";
import { TEST_APP } from "../../test/support/constants";
import { createCustomer, createTemplate } from "../../test/support/factories";
import { useRewardWorker } from "../../test/support/worker";
import { Pacer } from "./pacing.server";
import { periodicTasks } from "./tasks.server";
import { runWorkerOnce } from "./worker.server";

const fixture = useShopifyEmulator();
const { emulator } = fixture;
const SHOP: string = TEST_APP.shop;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
});

const { deps, config } = useRewardWorker(fixture, SHOP);

describe("bulk issue through the worker", () => {
  it("GIVEN a tier of 5 WHEN the worker runs its rounds THEN the job is DONE: 4 Issued in Shopify, 1 Failed with its reason", async () => {
    const gold = [];
    for (let i = 0; i < 5; i++) gold.push(await createCustomer(db, SHOP, { vipTier: "Gold" }, emulator));
    const template = await createTemplate(db, SHOP, { name: "Gold thank-you", purpose: "MANUAL", kind: "FIXED_AMOUNT", value: "4.00", pointsCost: null });
    const started = await startBulkJob(db, { shop: SHOP, templateId: template.id, target: { type: "TIER", tier: "Gold" } });
    if (!started.ok) throw new Error(started.error.message);
    const jobId = started.job.id;
    // Shopify refuses one create for good.
    emulator.faults.userErrors("discountCodeBasicCreate", [{ field: ["basicCodeDiscount", "minimumRequirement"], code: "GREATER_THAN", message: "Minimum subtotal must be greater than 0" }]);

    const task = periodicTasks({ recoveryEveryMs: 60_000, reconcileAfterMs: 0, reconcileEveryMs: 60_000 }).find((t) => t.name === "bulk issue");
    expect(task).toBeDefined();
    const pacer = new Pacer();
    const workerDeps = deps({ pacer });
    let rounds = 0;
    for (; rounds < 30; rounds++) {
      await task!.run(workerDeps, logger);
      if ((await db.bulkIssueJob.findUniqueOrThrow({ where: { id: jobId } })).state === "DONE") break;
      await runWorkerOnce(workerDeps, config({ batchSize: 3 }));
    }
    const job = await db.bulkIssueJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(job).toMatchObject({ state: "DONE", total: 5, issued: 4, failed: 1, skipped: 0, inFlight: 0 });
    // The budget the pacer learned from Shopify's cost reports.
    expect(job.apiRestoreRate).toBe(emulator.admin.throttle.limits(SHOP).restoreRate);
    expect(job.apiCostPerReward).toBeGreaterThanOrEqual(10);

    const rewards = await db.reward.findMany({ where: { shop: SHOP, idempotencyKey: { startsWith: `bulk:${jobId}:` } } });
    expect(rewards).toHaveLength(5);
    expect(new Set(rewards.map((r) => r.customerId))).toEqual(new Set(gold.map((c) => c.id)));
    const issued = rewards.filter((r) => r.status === "ISSUED");
    expect(issued).toHaveLength(4);
    const discounts = emulator.inspect.discounts(SHOP);
    for (const r of issued) expect(discounts.filter((d) => d.codes.some((c) => c.code === r.code))).toHaveLength(1);

    const view = await getBulkJob(db, SHOP, jobId);
    expect(view?.job).toMatchObject({ done: 5, moving: false });
    expect(view?.failures).toMatchObject([{ state: "FAILED", reasonCode: "invalid_reward_settings", detail: "Minimum subtotal must be greater than 0 (GREATER_THAN)" }]);

    // Further rounds change nothing: the job never issues twice.
    await task!.run(workerDeps, logger);
    await runWorkerOnce(workerDeps, config());
    expect(await db.reward.count({ where: { shop: SHOP, idempotencyKey: { startsWith: `bulk:${jobId}:` } } })).toBe(5);
  });
});
