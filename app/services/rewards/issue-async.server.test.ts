// Asynchronous issue (referral, VIP tier entry, merchant manual/bulk — bulk jobs: app/services/bulk-issue): saved Pending at once with
// its code, idempotent per key, validated; generated later by the worker from its own snapshot.
import { beforeAll, describe, expect, it } from "vitest";
import type { Customer } from "@prisma/client";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { runWorkerOnce, workerConfig } from "~/jobs/worker.server";
import { installEmulatedShop, useShopifyEmulator } from "../../../test/support/shopify";
import { TEST_APP } from "../../../test/support/constants";
import { createCustomer, createTemplate } from "../../../test/support/factories";
import { testClock } from "../../../test/support/clock";
import type { RewardDeps } from "./deps.server";
import { issueRewardAsync } from "./issue-async.server";

const { emulator, adminGraphql } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
let customer: Customer;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { planDisplayName: "Shopify Plus", currencyCode: "USD" });
  customer = await createCustomer(db, SHOP, { firstName: "Grace", lastName: "Hopper", email: "grace@example.com" }, emulator);
});

const clock = testClock();
const deps = (): RewardDeps => ({ db, logger, adminFor: (shop) => adminGraphql(shop), now: clock.now });

describe("issueRewardAsync", () => {
  it("saves the reward Pending at once, with its code chosen, due now, and a CREATED event — no Shopify call yet", async () => {
    const template = await createTemplate(db, SHOP, { purpose: "REFERRAL", kind: "PERCENTAGE", value: "20", pointsCost: null, codePrefix: "REF", expiryDays: 7 });
    const r = await issueRewardAsync(deps(), { shop: SHOP, customer: { gid: customer.shopifyCustomerId }, templateId: template.id, source: "REFERRAL", reason: "Referred ada@example.com" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.created).toBe(true);
    expect(r.reward).toMatchObject({ status: "PENDING", source: "REFERRAL", kind: "PERCENTAGE", value: "20", currency: "USD", attempts: 0, shopifyId: null });
    expect(r.reward.code).toMatch(/^REF-[2-9A-HJ-NP-Z]{12}$/);
    const row = await db.reward.findUniqueOrThrow({ where: { id: r.reward.id } });
    expect(row).toMatchObject({ nextAttemptAt: clock.now(), customerName: "Grace Hopper", customerEmail: "grace@example.com", codeKey: r.reward.code });
    expect(JSON.parse(row.settings)).toMatchObject({ kind: "PERCENTAGE", value: "20", expiryDays: 7, codePrefix: "REF" });
    expect(await db.rewardEvent.findMany({ where: { rewardId: r.reward.id } })).toMatchObject([
      { type: "CREATED", toStatus: "PENDING", actor: "SYSTEM", reason: "Referred ada@example.com" },
    ]);
    expect(emulator.inspect.countCalls()).toBe(0);
  });

  it("is idempotent per key, also when the same issue arrives concurrently", async () => {
    const template = await createTemplate(db, SHOP, { purpose: "VIP_TIER_ENTRY", pointsCost: null });
    const input = { shop: SHOP, customer: { id: customer.id }, templateId: template.id, source: "VIP_TIER_ENTRY" as const, idempotencyKey: `vip:gold:${customer.id}` };
    const results = await Promise.all(Array.from({ length: 10 }, () => issueRewardAsync(deps(), input)));
    const ids = new Set(results.map((r) => (r.ok ? r.reward.id : "error")));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.ok && r.created)).toHaveLength(1);
    expect(await db.reward.count({ where: { idempotencyKey: input.idempotencyKey } })).toBe(1);
  });

  it("refuses unknown customers, turned-off rewards and templates meant for another source", async () => {
    const referral = await createTemplate(db, SHOP, { purpose: "REFERRAL", pointsCost: null });
    const off = await createTemplate(db, SHOP, { purpose: "REFERRAL", pointsCost: null, active: false });
    const redemption = await createTemplate(db, SHOP, { purpose: "POINTS_REDEMPTION" });
    const bad = await createTemplate(db, SHOP, { purpose: "REFERRAL", pointsCost: null, value: "-5" });
    const issue = (templateId: string, source: "REFERRAL" | "MANUAL" = "REFERRAL", c: { id: string } = { id: customer.id }) =>
      issueRewardAsync(deps(), { shop: SHOP, customer: c, templateId, source });
    expect(await issue(referral.id, "REFERRAL", { id: "nobody" })).toMatchObject({ ok: false, error: { code: "customer_not_found" } });
    expect(await issue(off.id)).toMatchObject({ ok: false, error: { code: "template_inactive" } });
    expect(await issue(redemption.id)).toMatchObject({ ok: false, error: { code: "template_not_for_source" } });
    expect(await issue(bad.id)).toMatchObject({ ok: false, error: { code: "invalid_template" } });
    expect(await issue("missing")).toMatchObject({ ok: false, error: { code: "template_not_found" } });
    // The merchant may hand out any active template by hand.
    expect(await issue(redemption.id, "MANUAL")).toMatchObject({ ok: true, reward: { source: "MANUAL", status: "PENDING" } });
  });

  it("is generated from its own snapshot: editing the template afterwards doesn't change a promised reward", async () => {
    const template = await createTemplate(db, SHOP, { purpose: "REFERRAL", pointsCost: null, value: "8.00" });
    const r = await issueRewardAsync(deps(), { shop: SHOP, customer: { id: customer.id }, templateId: template.id, source: "REFERRAL" });
    if (!r.ok) throw new Error(r.error.message);
    await db.rewardTemplate.update({ where: { id: template.id }, data: { value: "80.00" } });
    await db.reward.updateMany({ where: { id: { not: r.reward.id }, status: "PENDING" }, data: { nextAttemptAt: null } });
    const summary = await runWorkerOnce(deps(), workerConfig({ workerId: "w" }));
    expect(summary.outcomes).toEqual({ issued: 1 });
    const discount = emulator.inspect.discounts(SHOP).find((d) => d.codes[0].code === r.reward.code);
    expect(discount?.customerGets?.value).toEqual({ kind: "amount", amount: 800, appliesOnEachItem: false });
  });
});
