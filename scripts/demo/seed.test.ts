// The demo's points come from history: every customer's balance is exactly the sum of their ledger
// rows (orders that earned points, redemptions that spent them, refunds of canceled rewards), and
// no customer has a balance without history.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { ledgerTotals } from "~/services/points/ledger.server";
import { useShopifyEmulator } from "../../test/support/shopify";
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
});
