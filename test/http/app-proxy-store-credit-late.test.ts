// A store credit redemption whose credit Shopify runs after the app stopped waiting for it, through
// the signed app proxy on the production build. A store credit carries no code Shopify would refuse
// a second time, so a repeat of the request (the widget keeps its key while the outcome is open, and
// tells the customer to try again) must not credit again while the first credit can still land:
// it adopts the first credit once it is there, and the customer gets one credit for their points.
import { beforeAll, describe, expect, it, vi } from "vitest";
import db from "~/db.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { TEST_APP } from "../support/constants";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";

const SHOP = TEST_APP.shop;
const { emulator } = useShopifyEmulator();
useRunningApp({ emulator });
let credit: string;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
  credit = (await db.rewardTemplate.create({ data: { shop: SHOP, purpose: "POINTS_REDEMPTION", kind: "STORE_CREDIT", value: "7", name: "$7 store credit", pointsCost: 500, amountCurrency: "USD" } })).id;
});

async function redeem(customer: string, idempotencyKey: string) {
  const res = await fetch(emulator.appProxyUrl(SHOP, "/redeem", customer), {
    method: "POST",
    headers: { "User-Agent": BROWSER_UA, Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify({ templateId: credit, idempotencyKey }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe("a store credit that lands after the app stopped waiting", () => {
  it("GIVEN Shopify runs the credit only after the app stopped waiting for it WHEN the customer sends the same redemption again before and after it lands THEN no second credit: 'try again' before, the first credit adopted after — one $7 credit, 500 points spent (was credited again at once: $14 for 500 points)", async () => {
    const shopper = emulator.addCustomer(SHOP, { firstName: "Late", lastName: "Credit", email: "late-credit@example.com" });
    const customer = await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: shopper.id, displayName: "Late Credit", email: shopper.email, pointsBalance: 1000 } });
    // Shopify received the credit and runs it when the test says: after the app's own timeout, whatever the machine's speed.
    const held = emulator.faults.hold("storeCreditAccountCredit", 1);
    const key = "late-store-credit-0000001";

    const first = await redeem(shopper.legacyId, key);
    expect(first.status).toBe(503);
    expect(first.body.error).toEqual({ code: "redemption_pending", message: expect.stringMatching(/try again in a few minutes.*your points were not spent/i) });

    // Before the first credit lands: nothing credited again, nothing spent.
    const early = await redeem(shopper.legacyId, key);
    expect(early.status).toBe(503);
    expect(early.body.error.code).toBe("redemption_pending");
    expect(emulator.storeCreditBalance(SHOP, shopper.id)).toBe("0.0");
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(1000);

    // Once it has landed, the same request adopts it.
    held.release();
    await vi.waitFor(() => expect(emulator.storeCreditBalance(SHOP, shopper.id)).toBe("7.0"), { timeout: 30_000, interval: 50 });
    const late = await redeem(shopper.legacyId, key);
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ pointsBalance: 500, reward: { kind: "STORE_CREDIT", status: "ISSUED" } });

    expect(emulator.storeCreditBalance(SHOP, shopper.id)).toBe("7.0");
    const credits = emulator.store.listStoreCreditAccounts(SHOP, shopper.id).flatMap((a) => a.transactions.filter((t) => t.kind === "credit"));
    expect(credits).toHaveLength(1);
    expect((await db.reward.findMany({ where: { customerId: customer.id } })).map((r) => [r.status, r.shopifyId])).toEqual([["ISSUED", credits[0]!.id]]);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(500);
  }, 60_000);
});
