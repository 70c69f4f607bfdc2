// GIVEN the production build on a real port, the emulator playing Shopify (admin session tokens, the
//       signed app proxy, signed shop/update and orders/create), and the worker's points pass
// WHEN the merchant's earning rule ("2 points per $1") was saved in USD and the shop moved to EUR
// THEN no order earns with it as "2 points per €1": the storefront stops promising the rule, an order
//      waits (a Points history row with a badge, a line in the customer's widget, a count in the Home
//      banner), and once the merchant confirms in EUR the worker's pass earns it, once
//      (docs/decisions/015, "earning and the referral minimum wait for the confirm").
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { runPointsProgramTasks } from "~/services/points/periodic.server";
import { adminFetcher, BROWSER_UA, useRunningApp } from "../support/app";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { applyWebhooks } from "../support/webhooks";

const SHOP = "earns-after-confirm.myshopify.com";
const { emulator } = useShopifyEmulator();
const app = useRunningApp({ emulator });
const admin = adminFetcher(app, emulator, SHOP);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

async function adminData(path: string, route: string, form?: Record<string, string>): Promise<Json> {
  const res = await admin(path, { route, ...(form ? { method: "POST", body: new URLSearchParams(form) } : {}) });
  expect(res.status, path).toBe(200);
  return (await res.json()) as Json;
}

async function storefront(path: string, customerNumericId: string | null): Promise<Json> {
  const res = await fetch(emulator.appProxyUrl(SHOP, path, customerNumericId), { headers: { "User-Agent": BROWSER_UA, Accept: "application/json" } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as Json;
}

describe("orders while the earning rule waits for review", () => {
  it("GIVEN 2 points per $1 saved in USD WHEN the shop moves to EUR and a €100 order arrives THEN it waits, visibly, and earns 200 once the merchant confirms in EUR", async () => {
    await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
    await adminData("/app/program", "routes/app.program", {
      enabled: "on",
      pointsNameSingular: "point",
      pointsNamePlural: "points",
      pointsPerCurrencyUnit: "2",
      rounding: "DOWN",
      pendingDays: "0",
      signupBonus: "0",
      birthdayBonus: "0",
      amountCurrency: "USD",
    });
    expect((await storefront("/program", null)).points).toMatchObject({ pointsPerCurrencyUnit: "2" });

    // WHEN the shop moves to EUR (signed shop/update)
    expect((await emulator.changeShopCurrency(SHOP, "EUR")).results[0].finalStatus).toBe(200);
    await applyWebhooks();
    // THEN the widget no longer promises "2 points for every €1" (before: it did)
    expect((await storefront("/program", null)).points).toMatchObject({ enabled: true, pointsPerCurrencyUnit: null });

    // WHEN a customer places a €100 order (signed orders/create, applied by the inbox)
    const shopper = emulator.addCustomer(SHOP, { firstName: "Emmy", lastName: "Noether", email: "emmy@example.com" });
    const { order } = await emulator.placeOrder(SHOP, { customerId: shopper.id, codes: [], subtotal: "100.00" });
    await applyWebhooks();
    const customer = await db.customer.findUniqueOrThrow({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: shopper.id } } });
    const history = async () =>
      ((await adminData(`/app/customers/${customer.id}?tab=points`, "routes/app.customers.$id")).points.items as Json[]).map((r) => ({ reason: r.reason, delta: r.delta, status: r.status, orderName: r.orderName }));

    // THEN it earns nothing yet (before: 200 points at "2 per €1"); it waits, and everyone can see it
    expect(await history()).toEqual([{ reason: "EARNING_HELD", delta: 0, status: "HELD", orderName: order.name }]);
    expect(await storefront("/customer", shopper.legacyId)).toMatchObject({ pointsBalance: 0, waitingOrders: 1 });
    expect((await adminData("/app", "routes/app._index")).amountReview).toMatchObject({ shopCurrency: "EUR", waiting: { ordersToEarn: 1, referralOrders: 0 } });
    expect((await runPointsProgramTasks(db, new Date())).heldEarned).toBe(0);

    // WHEN the merchant confirms the amounts in EUR, and the worker's points pass runs
    expect(await adminData("/app/amount-currency", "routes/app.amount-currency", { currency: "EUR" })).toMatchObject({ ok: true });
    expect((await runPointsProgramTasks(db, new Date())).heldEarned).toBe(1);
    expect((await runPointsProgramTasks(db, new Date())).heldEarned).toBe(0);

    // THEN the order earned 200, once; nothing waits; the rule is promised again
    expect(await history()).toEqual([
      { reason: "EARNED", delta: 200, status: "AVAILABLE", orderName: order.name },
      { reason: "EARNING_HELD", delta: 0, status: "AVAILABLE", orderName: order.name },
    ]);
    const view = await storefront("/customer", shopper.legacyId);
    expect(view).toMatchObject({ pointsBalance: 200 });
    expect(view.waitingOrders).toBeUndefined();
    expect((await storefront("/program", null)).points).toMatchObject({ pointsPerCurrencyUnit: "2" });
    expect((await adminData("/app", "routes/app._index")).amountReview).toBeNull();
  });
});
