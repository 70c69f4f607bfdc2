// The demo's points come from history: every customer's balance is exactly the sum of their ledger
// rows (orders that earned points, redemptions that spent them, refunds of canceled rewards), and
// no customer has a balance without history.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { ledgerTotals } from "~/services/points/ledger.server";
import { customerProgress, evaluateCustomerTier, getVipProgram, vipOrderCreated } from "~/services/vip/tiers.server";
import { useShopifyEmulator } from "../../test/support/shopify";
import { ensureOfflineToken } from "~/shopify.server";
import { migrateNonExpiringOfflineTokens } from "~/services/lifecycle/offline-token.server";
import { loadProgramInfo } from "~/services/storefront/program.server";
import { seedDemo } from "./seed";

const { emulator } = useShopifyEmulator();
const SHOP = "demo-ledger.myshopify.com";

describe("demo seed", () => {
  it("gives every customer a balance equal to the sum of their ledger entries, earned on real orders", async () => {
    await seedDemo(db, emulator, { shop: SHOP });
    const customers = await db.customer.findMany({ where: { shop: SHOP } });
    expect(customers.length).toBe(20);
    for (const c of customers) {
      const totals = await ledgerTotals(db, c.id);
      expect(c.pointsBalance, c.displayName).toBe(totals.available);
      expect(c.pointsBalance, c.displayName).toBeGreaterThan(0);
      const earned = await db.pointsTransaction.findMany({ where: { customerId: c.id, reason: "EARNED" } });
      expect(earned.length, c.displayName).toBeGreaterThan(0);
      // Each earning names an order the emulated shop has, for this customer.
      for (const e of earned) expect(emulator.store.getOrder(SHOP, e.orderGid!)?.customerId).toBe(c.shopifyCustomerId);
    }
    // Ada, the walkthrough's customer: 6 400 earned on three orders, 4 000 spent on eight redemptions.
    const ada = customers.find((c) => c.displayName === "Ada Lovelace")!;
    expect(ada.pointsBalance).toBe(2400);
    // Redemptions spent real points.
    expect(await db.pointsTransaction.count({ where: { shop: SHOP, reason: "REDEMPTION" } })).toBeGreaterThan(5);
    expect(await db.pointsTransaction.count({ where: { shop: SHOP, balanceAfter: { lt: 0 } } })).toBe(0);
  });

  it("turns the program on and keeps every balance equal to its history, also when the seed runs again", async () => {
    // GIVEN the demo seeded twice (the demo script re-seeds an existing database)
    const shop = "demo-ledger-again.myshopify.com";
    await seedDemo(db, emulator, { shop });
    await seedDemo(db, emulator, { shop });

    // THEN the program is on: without its settings row the demo's orders would earn nothing
    const settings = await db.programSettings.findUnique({ where: { shop } });
    expect(settings).toMatchObject({ enabled: true });

    // AND for every customer: balance = Σ available deltas, pending = Σ pending deltas, shortfall = Σ
    // shortfalls, each row's balanceAfter is the running sum, and no source counted twice
    const customers = await db.customer.findMany({ where: { shop } });
    expect(customers.length).toBe(20);
    for (const c of customers) {
      const rows = await db.pointsTransaction.findMany({ where: { customerId: c.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
      expect(rows.length, c.displayName).toBeGreaterThan(0);
      const available = rows.filter((r) => r.status === "AVAILABLE");
      expect(c.pointsBalance, c.displayName).toBe(available.reduce((sum, r) => sum + r.delta, 0));
      expect(c.pendingPoints, c.displayName).toBe(rows.filter((r) => r.status === "PENDING").reduce((sum, r) => sum + r.delta, 0));
      expect(c.pointsShortfall, c.displayName).toBe(rows.reduce((sum, r) => sum + r.shortfall, 0));
      let running = 0;
      for (const r of available) {
        running += r.delta;
        expect(r.balanceAfter, `${c.displayName} ${r.sourceKey}`).toBe(running);
      }
      expect(new Set(rows.map((r) => r.sourceKey)).size, c.displayName).toBe(rows.length);
    }
  });

  it("VIP: every tier and every seeded tier entry reward follows from the customer's orders; a demo order moves Grace up, with one Pending entry reward", async () => {
    await seedDemo(db, emulator, { shop: SHOP });
    const deps = { db, logger, adminFor: () => Promise.reject(new Error("no Shopify call expected")), now: () => new Date() };
    const program = await getVipProgram(db, SHOP);
    expect(program).toMatchObject({ enabled: true, basis: "AMOUNT_SPENT", period: "LIFETIME" });
    const tiers = await db.vipTier.findMany({ where: { shop: SHOP } });
    const customers = await db.customer.findMany({ where: { shop: SHOP } });
    for (const c of customers) {
      // Re-evaluating a seeded customer changes nothing: the seeded tier is the one their spending reaches.
      expect((await evaluateCustomerTier(deps, { shop: SHOP, customerId: c.id, now: new Date(), mode: "UP_AND_DOWN", reason: "TIERS_CHANGED" })).type, c.displayName).toBe("unchanged");
      const entries = await db.reward.findMany({ where: { customerId: c.id, source: "VIP_TIER_ENTRY" } });
      const tierIdsOfKeys = entries.filter((r) => r.idempotencyKey?.startsWith("vip:")).map((r) => r.idempotencyKey!.split(":")[2]);
      const held = tiers.find((t) => t.id === c.vipTierId);
      expect(c.vipTier, c.displayName).toBe(held?.name ?? null);
      // One entry reward per tier at or below the one held, and none for a customer without a tier.
      const expected = held ? tiers.filter((t) => Number(t.threshold) <= Number(held.threshold)).map((t) => t.id).sort() : [];
      expect([...tierIdsOfKeys].sort(), c.displayName).toEqual(expected);
      for (const r of entries) if (r.idempotencyKey?.startsWith("vip:")) expect(r.idempotencyKey.split(":")[1]).toBe(c.id);
    }
    const grace = customers.find((c) => c.displayName === "Grace Hopper")!;
    expect(grace.vipTier).toBeNull();
    expect(await customerProgress(db, SHOP, grace.id, program, new Date())).toBe(177_140n);
    // The demo's test order: $130 takes Grace over Silver's $300.
    const order = emulator.store.placeOrder(SHOP, { customerId: grace.shopifyCustomerId, codes: [], subtotal: "130.00" });
    await vipOrderCreated(deps, {
      shop: SHOP,
      payload: { admin_graphql_api_id: order.id, customer: { admin_graphql_api_id: grace.shopifyCustomerId }, subtotal_price_set: { shop_money: { amount: "130.00", currency_code: "USD" } } },
      receivedAt: new Date(),
    });
    expect((await db.customer.findUniqueOrThrow({ where: { id: grace.id } })).vipTier).toBe("Silver");
    expect((await db.reward.findMany({ where: { customerId: grace.id, source: "VIP_TIER_ENTRY" } })).map((r) => [r.status, r.kind])).toEqual([["PENDING", "FREE_SHIPPING"]]);
  });

  it("gives every seeded Referral reward a real referral row: a program with REFERRAL templates, keyed as the app keys them", async () => {
    await seedDemo(db, emulator, { shop: SHOP });
    const settings = await db.referralSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(settings.enabled).toBe(true);
    for (const id of [settings.friendTemplateId!, settings.referrerTemplateId!]) expect((await db.rewardTemplate.findUniqueOrThrow({ where: { id } })).purpose).toBe("REFERRAL");
    const rewards = await db.reward.findMany({ where: { shop: SHOP, source: "REFERRAL" } });
    expect(rewards.length).toBeGreaterThan(0);
    for (const r of rewards) {
      const referral = await db.referral.findFirstOrThrow({ where: { shop: SHOP, referrerRewardId: r.id } });
      expect(referral).toMatchObject({ state: "REWARDED", referrerCustomerId: r.customerId });
      expect(r.idempotencyKey).toBe(`referral:referrer:${referral.id}`);
    }
    expect(await db.referral.findFirst({ where: { shop: SHOP, state: "REJECTED" } })).toMatchObject({ rejectionReason: "self_referral_same_customer" });
  });

  it("keeps the shop's grant through the worker's token migration: the storefront still offers every redemption option", async () => {
    // GIVEN the demo shop, seeded as `npm run demo` seeds it (its emulated shop has no scope list of
    // its own: it grants every scope the app declares), holding a non-expiring offline token
    const shop = "demo-scopes.myshopify.com";
    await seedDemo(db, emulator, { shop });
    const before = (await loadProgramInfo(db, shop)).redemptionOptions.map((o) => o.name);
    expect(before.length).toBeGreaterThanOrEqual(4);

    // WHEN the worker's pass migrates it to an expiring token (the demo does this at start)
    const pass = await migrateNonExpiringOfflineTokens(db, (s) => ensureOfflineToken(s, { migrate: true }));
    expect(pass.migrated).toBeGreaterThanOrEqual(1);

    // THEN the stored grant is the shop's (it was "" — the emulator answered every token request with
    // an empty scope), and the storefront offers the same options, gift card included
    const session = await db.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } });
    expect(session.refreshToken).toEqual(expect.any(String));
    expect(session.scope?.split(",")).toEqual(expect.arrayContaining(["write_discounts", "write_gift_cards"]));
    expect((await loadProgramInfo(db, shop)).redemptionOptions.map((o) => o.name)).toEqual(before);
  });
});
