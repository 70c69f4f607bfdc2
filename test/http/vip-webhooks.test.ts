// VIP tiers through the real path: signed orders/create and refunds/create deliveries built by the
// emulator, over HTTP to the app's production build, applied by the worker's inbox (concurrently on
// PostgreSQL), then the reward worker generating the entry rewards in (emulated) Shopify.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { runWorkerOnce, workerConfig } from "~/jobs/worker.server";
import { saveTier, saveVipProgram, runEvaluationJobs } from "~/services/vip/admin.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { applyWebhooks } from "../support/webhooks";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { createTemplate } from "../support/factories";

const { emulator, adminGraphql } = useShopifyEmulator();
const SHOP = TEST_APP.shop;
useRunningApp({ emulator });
const deps = () => ({ db, logger, adminFor: (s: string) => adminGraphql(s), now: () => new Date() });

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
  const silver = await createTemplate(db, SHOP, { purpose: "VIP_TIER_ENTRY", pointsCost: null, name: "Silver welcome", kind: "FIXED_AMOUNT", value: "5.00" });
  const gold = await createTemplate(db, SHOP, { purpose: "VIP_TIER_ENTRY", pointsCost: null, name: "Gold welcome", kind: "PERCENTAGE", value: "15" });
  const now = new Date();
  expect((await saveVipProgram(db, SHOP, { enabled: "on", basis: "AMOUNT_SPENT", period: "LIFETIME", skippedTierRewards: "ALL" }, "USD", now)).ok).toBe(true);
  expect((await saveTier(db, SHOP, { form: { name: "Silver", threshold: "100", entryRewardTemplateId: silver.id }, shownCurrency: "USD" }, now)).ok).toBe(true);
  expect((await saveTier(db, SHOP, { form: { name: "Gold", threshold: "300", pointsMultiplier: "2", entryRewardTemplateId: gold.id }, shownCurrency: "USD" }, now)).ok).toBe(true);
  await runEvaluationJobs(deps());
});

let seq = 0;
function shopper() {
  seq++;
  return emulator.addCustomer(SHOP, { firstName: "Vera", lastName: `Vip${seq}`, email: `vera${seq}@example.com` });
}
const customerOf = (gid: string) => db.customer.findUniqueOrThrow({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: gid } } });

describe("orders/create moves customers into tiers", () => {
  it("six orders delivered at once (each twice, two webhook ids) take a customer past Silver and Gold: each entry reward once, Pending then Issued", async () => {
    // GIVEN six orders of $60, each delivered twice at the same time
    const who = shopper();
    const placed = [];
    for (let i = 0; i < 6; i++) placed.push(await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: "60.00" }, { deliver: false }));
    const results = await Promise.all(placed.map(({ webhook }) => emulator.deliverer.deliver(webhook.url, webhook.signed, { duplicates: 1, concurrent: true, duplicateWebhookId: "new" })));
    expect(results.flat().every((r) => r.finalStatus === 200)).toBe(true);
    // WHEN the inbox applies them (8 lanes at once on PostgreSQL)
    const applied = await applyWebhooks();
    expect(applied.dead).toBe(0);
    // THEN the customer is Gold, with Silver's and Gold's entry rewards once each, Pending
    const customer = await customerOf(who.id);
    expect(customer.vipTier).toBe("Gold");
    expect(await db.vipOrder.count({ where: { customerId: customer.id } })).toBe(6);
    const rewards = await db.reward.findMany({ where: { customerId: customer.id, source: "VIP_TIER_ENTRY" }, orderBy: { value: "asc" } });
    expect(rewards.map((r) => [r.kind, r.status])).toEqual([
      ["PERCENTAGE", "PENDING"],
      ["FIXED_AMOUNT", "PENDING"],
    ]);
    const changes = await db.vipTierChange.findMany({ where: { customerId: customer.id } });
    expect(changes.every((c) => c.direction === "UP" && c.reasonCode === "THRESHOLD_REACHED")).toBe(true);
    expect(changes.map((c) => c.toTierName)).toContain("Gold");

    // AND the worker generates them in Shopify: Issued
    await runWorkerOnce(deps(), workerConfig({ workerId: "vip-test" }));
    const after = await db.reward.findMany({ where: { customerId: customer.id, source: "VIP_TIER_ENTRY" } });
    expect(after.map((r) => r.status)).toEqual(["ISSUED", "ISSUED"]);

    // AND a late redelivery of the first order changes nothing
    await emulator.deliverer.deliver(placed[0]!.webhook.url, placed[0]!.webhook.signed, { duplicates: 0, duplicateWebhookId: "new" });
    await applyWebhooks();
    expect(await db.reward.count({ where: { customerId: customer.id, source: "VIP_TIER_ENTRY" } })).toBe(2);
    expect(await db.vipTierChange.count({ where: { customerId: customer.id } })).toBe(changes.length);
  });

  it("a Gold member's next order earns points at ×2 (the tier held when the order arrives); a refund stops counting the refunded amount", async () => {
    await db.programSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, enabled: true }, update: { enabled: true } });
    try {
      const who = shopper();
      // Real orders (a test order's rows would also say "Test order"); stated, though it is the emulated checkout's default.
      const { order: first } = await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: "320.00", test: false });
      await applyWebhooks();
      const customer = await customerOf(who.id);
      expect(customer.vipTier).toBe("Gold");
      const { order: second } = await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: "50.00", test: false });
      await applyWebhooks();
      const rows = await db.pointsTransaction.findMany({ where: { customerId: customer.id }, orderBy: { createdAt: "asc" } });
      // The first order arrived before the customer was Gold: no multiplier.
      expect(rows.map((r) => [r.orderGid, r.delta, r.note])).toEqual([
        [first.id, 320, null],
        [second.id, 100, "VIP tier Gold ×2: 50 + 50 bonus"],
      ]);
      const refund = await emulator.refundOrder(SHOP, first.id, { amount: "100.00" });
      await emulator.deliverer.deliver(refund.url, refund.signed, { duplicates: 2, concurrent: true, duplicateWebhookId: "new" });
      await applyWebhooks();
      const counted = await db.vipOrder.findFirstOrThrow({ where: { orderGid: first.id } });
      expect(counted.refunded).toBe("100.00");
      // Downgrades wait for a period end; the tier stays.
      expect((await customerOf(who.id)).vipTier).toBe("Gold");
    } finally {
      await db.programSettings.update({ where: { shop: SHOP }, data: { enabled: false } });
    }
  });

  it("the app proxy shows the signed customer's tier and what is left to the next one", async () => {
    const who = shopper();
    const view = async () => {
      const res = await fetch(emulator.appProxyUrl(SHOP, "/customer", who.legacyId), { headers: { "User-Agent": BROWSER_UA, Accept: "application/json" } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { vip?: unknown }).vip;
    };
    // Not in the program yet: the whole first threshold is left.
    expect(await view()).toEqual({ tier: null, perk: null, next: { tier: "Silver", remaining: "100.00" }, basis: "AMOUNT_SPENT" });
    await emulator.placeOrder(SHOP, { customerId: who.id, codes: [], subtotal: "180.00" });
    await applyWebhooks();
    expect(await view()).toEqual({ tier: "Silver", perk: null, next: { tier: "Gold", remaining: "120.00" }, basis: "AMOUNT_SPENT" });
  });

  it("a guest order (no customer) counts for nobody", async () => {
    const before = await db.vipOrder.count({ where: { shop: SHOP } });
    await emulator.placeOrder(SHOP, { customerId: null, codes: [], subtotal: "999.00" });
    await applyWebhooks();
    expect(await db.vipOrder.count({ where: { shop: SHOP } })).toBe(before);
  });
});
