// Issue 13's "Done when", end to end through the real paths only:
// GIVEN a merchant who turns the program on and adds a way to redeem in the admin (HTTP, as App
//   Bridge sends it: Bearer session token, Remix data requests)
// WHEN a customer places an order (signed orders/create delivered to the app, applied by the
//   worker's inbox), redeems on the storefront (signed app proxy request), and the order is then
//   partly refunded (signed refunds/create, applied by the inbox)
// THEN points arrive, a reward is Issued with its discount in Shopify and the points are spent, the
//   refund takes back its share of the order's points — and each step is in the customer's Points
//   history in the admin with its source link (the order in Shopify's admin, the reward in the app).
// Runs on SQLite and PostgreSQL (npm test -- --postgres test/http/points-done-when).
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { ledgerTotals } from "~/services/points/ledger.server";
import { adminFetcher, BROWSER_UA, useRunningApp } from "../support/app";
import { TEST_APP } from "../support/constants";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { applyWebhooks } from "../support/webhooks";

const SHOP: string = TEST_APP.shop;
const { emulator } = useShopifyEmulator();
const app = useRunningApp({ emulator });
const admin = adminFetcher(app, emulator, SHOP);

// Answers read field by field; the assertions check their shapes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

async function adminData(path: string, route: string): Promise<Json> {
  const res = await admin(path, { route });
  expect(res.status, path).toBe(200);
  return (await res.json()) as Json;
}
async function adminPost(path: string, route: string, form: Record<string, string>): Promise<Json> {
  const res = await admin(path, { route, method: "POST", body: new URLSearchParams(form) });
  const body = (await res.json()) as Json;
  expect(body.errors ?? body.fieldErrors ?? {}, path).toEqual({});
  expect(res.status, path).toBe(200);
  return body;
}
async function storefront(path: string, customerNumericId: string, body?: Json): Promise<{ status: number; body: Json }> {
  const res = await fetch(emulator.appProxyUrl(SHOP, path, customerNumericId), {
    method: body ? "POST" : "GET",
    headers: { "User-Agent": BROWSER_UA, Accept: "application/json", ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Json };
}

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
});

describe("the points program, from the merchant's setup to a refund (issue 13 'Done when')", () => {
  it("points arrive for an order, are spent on a storefront reward, and a refund takes its share back — each step in the Points history with its source", async () => {
    // GIVEN the merchant turns the program on (10 points per $1) and adds "$5 off" for 500 points
    const saved = await adminPost("/app/program", "routes/app.program", {
      enabled: "on",
      pointsNameSingular: "point",
      pointsNamePlural: "points",
      pointsPerCurrencyUnit: "10",
      rounding: "DOWN",
      pendingDays: "0",
      expiryMonths: "",
      signupBonus: "0",
      birthdayBonus: "0",
      amountCurrency: "USD",
    });
    expect(saved).toMatchObject({ ok: true });
    const option = await adminPost("/app/ways-to-redeem/new", "routes/app.ways-to-redeem.$id", {
      name: "$5 off",
      kind: "FIXED_AMOUNT",
      pointsCost: "500",
      value: "5",
      expiryDays: "30",
      active: "true",
      variable: "false",
      appliesTo: "ALL",
      amountCurrency: "USD",
    });
    const templateId = option.id as string;
    // The storefront now shows the option and the real earning rule.
    const shopper = emulator.addCustomer(SHOP, { firstName: "Katherine", lastName: "Johnson", email: "katherine@example.com" });
    const program = await storefront("/program", shopper.legacyId);
    expect(program.body.points).toMatchObject({ enabled: true, pointsPerCurrencyUnit: "10" });
    expect(program.body.redemptionOptions.map((o: Json) => o.id)).toEqual([templateId]);

    // WHEN the customer places a $100.00 order (signed orders/create, applied by the worker's inbox)
    const { order } = await emulator.placeOrder(SHOP, { customerId: shopper.id, codes: [], subtotal: "100.00", shippingPrice: "8.00" });
    expect(await applyWebhooks()).toMatchObject({ applied: expect.any(Number) });
    const customer = await db.customer.findUniqueOrThrow({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: shopper.id } } });
    const history = async () =>
      ((await adminData(`/app/customers/${customer.id}?tab=points`, "routes/app.customers.$id")).points.items as Json[]).map((r) => ({
        reason: r.reason,
        delta: r.delta,
        balanceAfter: r.balanceAfter,
        orderName: r.orderName,
        orderUrl: r.orderUrl,
        rewardUrl: r.rewardUrl,
      }));

    // THEN 1 000 points arrive, visible in the admin's Points history with the order as source
    const orderUrl = expect.stringContaining(`/orders/${order.legacyId}`);
    expect(await history()).toEqual([{ reason: "EARNED", delta: 1000, balanceAfter: 1000, orderName: order.name, orderUrl, rewardUrl: null }]);
    expect((await storefront("/customer", shopper.legacyId)).body).toMatchObject({ pointsBalance: 1000 });

    // WHEN the customer redeems "$5 off" on the storefront (signed app proxy request)
    const redeemed = await storefront("/redeem", shopper.legacyId, { templateId, idempotencyKey: "done-when-redeem-0001" });

    // THEN the reward is Issued at once with its discount in Shopify, and 500 points are spent
    expect(redeemed.status).toBe(200);
    expect(redeemed.body.reward).toMatchObject({ status: "ISSUED", code: expect.any(String) });
    expect(redeemed.body.pointsBalance).toBe(500);
    const reward = await db.reward.findUniqueOrThrow({ where: { id: redeemed.body.reward.id } });
    expect(reward).toMatchObject({ status: "ISSUED", pointsSpent: 500, customerId: customer.id });
    expect(emulator.store.findDiscountByCode(SHOP, reward.code)).toBeTruthy();
    const rewardUrl = `/app/customers/${customer.id}/rewards/${reward.id}`;
    expect((await history())[0]).toEqual({ reason: "REDEMPTION", delta: -500, balanceAfter: 500, orderName: null, orderUrl: null, rewardUrl });
    // The source link opens the reward in the app.
    expect((await adminData(rewardUrl, "routes/app.customers.$id.rewards.$rewardId")).reward).toMatchObject({ id: reward.id, status: "ISSUED" });

    // WHEN the merchant refunds $40.00 of the order (signed refunds/create, applied by the inbox)
    await emulator.refundOrder(SHOP, order.id, { amount: "40.00" });
    await applyWebhooks();

    // THEN 40% of the order's 1 000 points go back, and the history tells the whole story, newest first
    expect(await history()).toEqual([
      { reason: "ORDER_REFUNDED", delta: -400, balanceAfter: 100, orderName: order.name, orderUrl, rewardUrl: null },
      { reason: "REDEMPTION", delta: -500, balanceAfter: 500, orderName: null, orderUrl: null, rewardUrl },
      { reason: "EARNED", delta: 1000, balanceAfter: 1000, orderName: order.name, orderUrl, rewardUrl: null },
    ]);
    expect((await storefront("/customer", shopper.legacyId)).body).toMatchObject({ pointsBalance: 100, pendingPoints: 0 });
    const after = await db.customer.findUniqueOrThrow({ where: { id: customer.id } });
    expect({ balance: after.pointsBalance, shortfall: after.pointsShortfall }).toEqual({ balance: 100, shortfall: 0 });
    expect(await ledgerTotals(db, customer.id)).toEqual({ available: 100, pending: 0, shortfall: 0 });
  });
});
