// Orders held while the shop's amounts were under review are decided promptly once the merchant ends
// the review (docs/decisions/015, addendum of 3 December 2026): the confirm (or a Program / Referrals
// save) marks the shop and wakes this process's worker, whose "held orders" task decides them at once
// — not at the next minute's "points program" / "referrals" pass — and once, whatever runs beside it.
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { createCustomer, createShop } from "../../../test/support/factories";
import { periodicTasks } from "~/jobs/tasks.server";
import { startWorker, workerConfig } from "~/jobs/worker.server";
import { ledgerTotals } from "~/services/points/ledger.server";
import { earnPointsForOrder } from "~/services/points/order-points.server";
import { runPointsProgramTasks } from "~/services/points/periodic.server";
import { runReferralTasks } from "~/services/referrals/effects.server";
import { claimReferral, ensureReferralCode, qualifyReferralFromOrder, recordReferralClick } from "~/services/referrals/referrals.server";
import { saveReferralSettings } from "~/services/referrals/settings.server";
import { confirmAmountCurrency } from "./amount-currency.server";
import { decideDueHeldOrders } from "./held-orders.server";
import { readUnreadShopCurrencies, shopUpdated } from "./scopes.server";
import { installEmulatedShop, useShopifyEmulator } from "../../../test/support/shopify";

const { emulator, adminGraphql } = useShopifyEmulator();

const noShopify = () => Promise.reject(new Error("no Admin API in this test"));
const deps = () => ({ db, logger, adminFor: noShopify, now: () => new Date() });
let SHOP = "";
let shopN = 0;
let n = 0;

/**
 * GIVEN a shop now selling in JPY whose earning rule (1 point per unit) and referral minimum ("50",
 * hold 7 days, no rewards set: nothing for the worker to generate) were typed while it sold in USD.
 */
beforeEach(async () => {
  SHOP = `held-due-${Date.now()}-${++shopN}.myshopify.com`;
  await createShop(db, SHOP, { currency: "JPY" });
  await db.programSettings.create({ data: { shop: SHOP, enabled: true, pointsPerCurrencyUnit: "1", amountCurrency: "USD" } });
  await db.referralSettings.create({ data: { shop: SHOP, enabled: true, minimumOrderAmount: "50", pendingDays: 7, amountCurrency: "USD" } });
});

const order = (customerGid: string, amount: string) => ({
  admin_graphql_api_id: `gid://shopify/Order/${Date.now()}${++n}`,
  name: `#${n}`,
  customer: { admin_graphql_api_id: customerGid },
  subtotal_price_set: { shop_money: { amount, currency_code: "JPY" } },
});

/** A customer whose ¥5,000 order waits to earn, and a referred friend whose ¥3,000 order waits for the minimum. */
async function heldOrders() {
  const buyer = await createCustomer(db, SHOP);
  expect(await earnPointsForOrder(db, { shop: SHOP, payload: order(buyer.shopifyCustomerId, "5000"), receivedAt: new Date() })).toBe("held");
  const referrer = await createCustomer(db, SHOP);
  const code = await ensureReferralCode(db, { shop: SHOP, customerId: referrer.id });
  const visitor = `visitor-${crypto.randomUUID()}`;
  const click = await recordReferralClick(db, { shop: SHOP, code, visitor, now: new Date(Date.now() - 5_000) });
  if (!click.ok) throw new Error(click.code);
  const friend = await createCustomer(db, SHOP);
  const claimed = await claimReferral(deps(), { shop: SHOP, code, visitor, friendGid: friend.shopifyCustomerId, facts: { createdAt: new Date(), email: friend.email }, now: new Date() });
  if (!claimed.ok) throw new Error(claimed.code);
  expect(await qualifyReferralFromOrder(deps(), { shop: SHOP, payload: order(friend.shopifyCustomerId, "3000"), receivedAt: new Date() })).toBe("held");
  return { buyer, referralId: claimed.referral.id };
}

async function decided(h: { buyer: { id: string }; referralId: string }) {
  const earned = await db.pointsTransaction.count({ where: { customerId: h.buyer.id, reason: "EARNED" } });
  const state = (await db.referral.findUniqueOrThrow({ where: { id: h.referralId } })).state;
  return { earned, balance: (await ledgerTotals(db, h.buyer.id)).available, state, kept: await db.referralHeldOrder.count({ where: { shop: SHOP } }) };
}

const DECIDED = { earned: 1, balance: 5000, state: "QUALIFIED", kept: 0 };

async function until(done: () => Promise<boolean>, what: string, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("orders held for an amounts review, once the merchant ends it", () => {
  it("GIVEN a worker that just ran its minute's passes and polls every 10 minutes WHEN the merchant confirms the amounts THEN its orders are decided at once", async () => {
    const held = await heldOrders();
    // The worker's own tasks (the held orders' and the two passes that decided them before), as `npm run worker` runs them.
    const tasks = periodicTasks({ recoveryEveryMs: 60_000, reconcileAfterMs: 0, reconcileEveryMs: 600_000 }).filter((t) => ["held orders", "held orders marked here", "points program", "referrals"].includes(t.name));
    let rounds = 0;
    const counted = tasks.map((t) => (t.name === "referrals" ? { ...t, run: async (...args: Parameters<typeof t.run>) => void (await t.run(...args), rounds++) } : t));
    const worker = startWorker(deps(), { ...workerConfig({ workerId: "held-orders-test" }), pollMs: 600_000, tasks: counted });
    try {
      await until(async () => rounds === 1, "the worker's first round");
      expect(await decided(held)).toEqual({ earned: 0, balance: 0, state: "SIGNED_UP", kept: 1 });
      // WHEN the merchant confirms (POST /app/amount-currency)
      expect(await confirmAmountCurrency({ db, now: () => new Date() }, SHOP, "JPY")).toMatchObject({ ok: true });
      // THEN (before: a minute later, at the passes' next run; here the worker would not even poll for 10 minutes)
      await until(async () => (await decided(held)).state === "QUALIFIED" && (await decided(held)).earned === 1, "the held orders to be decided");
      expect(await decided(held)).toEqual(DECIDED);
      expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).heldOrdersDueAt).toBeNull();
    } finally {
      await worker.stop(5_000);
    }
  }, 90_000);

  it("GIVEN a Referrals save that ends the minimum's review THEN the shop is due; a worker in any process decides its held referral order at its next round, and clears the mark once nothing is left", async () => {
    const held = await heldOrders();
    const saved = await saveReferralSettings(db, SHOP, { enabled: "on", minimumOrderAmount: "1000", pendingDays: "7", referrerRewardKind: "FREE_SHIPPING" }, "JPY");
    expect(saved).toMatchObject({ ok: true });
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).heldOrdersDueAt).not.toBeNull();
    // Only the minimum was reviewed: the earning rule still waits for the confirm.
    expect(await decideDueHeldOrders(deps())).toMatchObject({ earned: 0, referralOrders: 1 });
    expect(await decided(held)).toEqual({ earned: 0, balance: 0, state: "QUALIFIED", kept: 0 });
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).heldOrdersDueAt).toBeNull();
    // AND with no mark, the round does nothing for the shop (the minute's passes still look at every shop)
    expect(await decideDueHeldOrders(deps())).toEqual({ shops: 0, earned: 0, referralOrders: 0, vipOrders: 0 });
  });

  it("GIVEN the confirm WHEN two workers' rounds and both minute passes decide the shop's held orders at the same time THEN each is decided once", async () => {
    const held = await heldOrders();
    await confirmAmountCurrency({ db, now: () => new Date() }, SHOP, "JPY");
    await Promise.all([decideDueHeldOrders(deps()), decideDueHeldOrders(deps()), runPointsProgramTasks(db, new Date()), runReferralTasks(deps())]);
    expect(await decided(held)).toEqual(DECIDED);
    expect(await db.pointsTransaction.count({ where: { shop: SHOP, reason: "EARNED" } })).toBe(1);
    expect(await db.referral.count({ where: { shop: SHOP, state: "QUALIFIED" } })).toBe(1);
  });
});

/**
 * A review can end without the merchant (docs/decisions/015, addendum of 3 December 2026, "a review
 * ended without the merchant"): the shop's currency moves back to the one the amounts were typed in —
 * a shop/update, or the worker's read of a currency never read — and a shop the app has no Shop row for
 * is confirmed. Each marks the shop where the review's end is decided, so the next round decides its
 * held orders (before: no mark, they waited for the minute's passes).
 */
describe("orders held for an amounts review that ends without the merchant's confirm of a marked shop", () => {
  const dueAt = async () => (await db.shop.findUnique({ where: { domain: SHOP } }))?.heldOrdersDueAt ?? null;

  it("GIVEN held orders WHEN a shop/update says the shop sells in USD again (the amounts' currency) THEN the shop is due and the next round decides them; an update of the same currency marks nothing", async () => {
    const held = await heldOrders();
    // A shop/update that changes no currency (the shop's name, say) is no end of a review.
    expect(await shopUpdated(db, { shop: SHOP, payload: { currency: "JPY", updated_at: new Date().toISOString() }, triggeredAt: null })).toBe(true);
    expect(await dueAt()).toBeNull();
    expect(await shopUpdated(db, { shop: SHOP, payload: { currency: "USD", updated_at: new Date(Date.now() + 1_000).toISOString() }, triggeredAt: null })).toBe(true);
    // (before: null — nothing marked, the orders waited for the minute's passes)
    expect(await dueAt()).not.toBeNull();
    expect(await decideDueHeldOrders(deps())).toMatchObject({ shops: 1, earned: 1, referralOrders: 1 });
    // The referral minimum ("50" USD) is met by the order of 3,000 now read as USD.
    expect(await decided(held)).toEqual(DECIDED);
    expect(await dueAt()).toBeNull();
  });

  it("GIVEN held orders of a shop whose currency was never read WHEN the worker's currency pass reads USD from Shopify THEN the shop is due and the next round decides them", async () => {
    await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
    await db.shop.update({ where: { domain: SHOP }, data: { currency: "JPY", currencyReadAt: null } });
    const held = await heldOrders();
    // The pass as the worker runs it, round after round until it has looked at every unread shop (other tests' shops have no token: not read).
    let after: string | null = null;
    do after = (await readUnreadShopCurrencies({ ...deps(), adminFor: (shop: string) => adminGraphql(shop) }, after)).next;
    while (after !== null);
    expect(await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).toMatchObject({ currency: "USD" });
    // (before: null)
    expect(await dueAt()).not.toBeNull();
    expect(await decideDueHeldOrders(deps())).toMatchObject({ earned: 1, referralOrders: 1 });
    expect(await decided(held)).toMatchObject({ earned: 1, state: "QUALIFIED", kept: 0 });
  });

  it("GIVEN a shop without a Shop row (read as selling in USD) whose amounts were typed in JPY, with held orders WHEN the merchant confirms them in USD THEN the shop is due and the next round decides them", async () => {
    await db.shop.delete({ where: { domain: SHOP } });
    await db.programSettings.update({ where: { shop: SHOP }, data: { amountCurrency: "JPY" } });
    await db.referralSettings.update({ where: { shop: SHOP }, data: { amountCurrency: "JPY" } });
    const held = await heldOrders();
    expect(await confirmAmountCurrency({ db, now: () => new Date() }, SHOP, "USD")).toMatchObject({ ok: true, currency: "USD" });
    // (before: no row, so no mark)
    expect(await dueAt()).not.toBeNull();
    expect(await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).toMatchObject({ currency: "USD", currencyReadAt: null, uninstalledAt: null });
    expect(await decideDueHeldOrders(deps())).toMatchObject({ shops: 1, earned: 1, referralOrders: 1 });
    expect(await decided(held)).toMatchObject({ earned: 1, state: "QUALIFIED", kept: 0 });
  });
});
