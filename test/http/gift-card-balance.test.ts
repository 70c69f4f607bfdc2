// Gift cards show their balance (issue: "Gift cards show their balance … on the storefront ('$6.40
// left'; a spent card is not 'Ready to use') and in the admin"). Over HTTP: the signed app-proxy
// request and the admin profile both ask Shopify (the emulator, whose checkout took part of the card)
// for the card's balance and answer it.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { runWorkerOnce, workerConfig } from "~/jobs/worker.server";
import { issueRewardAsync } from "~/services/rewards/issue-async.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { createCustomer, createTemplate } from "../support/factories";
import { applyWebhooks } from "../support/webhooks";

const { emulator, adminGraphql } = useShopifyEmulator();
const SHOP = TEST_APP.shop;
const app = useRunningApp({ emulator });

let customer: { id: string; shopifyCustomerId: string };
let legacyId: string;
let rewardId: string;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD", planDisplayName: "Shopify Plus", giftCards: true });
  customer = await createCustomer(db, SHOP, {}, emulator);
  legacyId = customer.shopifyCustomerId.split("/").pop()!;
  const template = await createTemplate(db, SHOP, { purpose: "MANUAL", kind: "GIFT_CARD", value: "10.00", pointsCost: null, expiryDays: 30 });
  const deps = { db, logger, adminFor: (s: string) => adminGraphql(s), now: () => new Date() };
  const queued = await issueRewardAsync(deps, { shop: SHOP, customer: { id: customer.id }, templateId: template.id, source: "MANUAL", reason: "Thanks" });
  if (!queued.ok) throw new Error(queued.error.message);
  rewardId = queued.reward.id;
  await runWorkerOnce(deps, workerConfig({ workerId: "w", leaseMs: 60_000, jitterRandom: () => 0, perShopConcurrency: 1, shopifyTimeoutMs: 5_000 }));
  const code = (await db.reward.findUniqueOrThrow({ where: { id: rewardId } })).code;
  await emulator.placeOrder(SHOP, { customerId: customer.shopifyCustomerId, codes: [], subtotal: "3.60", giftCardPayment: { code, amount: "3.60" } }, { deliver: false });
});

describe("a gift card reward's balance", () => {
  it("the storefront answers what is left on the card, still ready to use", async () => {
    const res = await fetch(emulator.appProxyUrl(SHOP, "/customer", legacyId), { headers: { "User-Agent": BROWSER_UA, Accept: "application/json" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rewards: { id: string; status: string; balance: string | null; spent: boolean; currency: string }[] };
    expect(body.rewards.find((r) => r.id === rewardId)).toMatchObject({ status: "ISSUED", balance: "6.4", spent: false, currency: "USD" });
  });

  it("an order paid with the card (orders/create) shows the new balance at once, not a minute later", async () => {
    const code = (await db.reward.findUniqueOrThrow({ where: { id: rewardId } })).code;
    const view = async () => {
      const res = await fetch(emulator.appProxyUrl(SHOP, "/customer", legacyId), { headers: { "User-Agent": BROWSER_UA, Accept: "application/json" } });
      return ((await res.json()) as { rewards: { id: string; balance: string | null; spent: boolean }[] }).rewards.find((r) => r.id === rewardId);
    };
    expect(await view()).toMatchObject({ balance: "6.4" }); // looked up in the test above, kept for a minute
    const { webhook } = await emulator.placeOrder(SHOP, { customerId: customer.shopifyCustomerId, codes: [], subtotal: "2.00", giftCardPayment: { code, amount: "2.00" } });
    expect(webhook.results[0]!.finalStatus).toBe(200);
    await applyWebhooks();
    expect(await view()).toMatchObject({ balance: "4.4", spent: false });
  });

  it("the admin's Activity → Rewards shows what is left", async () => {
    await db.reward.update({ where: { id: rewardId }, data: { giftCardBalanceAt: null } }); // looked up again by the admin
    const url = new URL(`/app/customers/${customer.id}`, app.url);
    url.searchParams.set("_data", "routes/app.customers.$id");
    const res = await fetch(url, { headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(SHOP)}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rewards: { items: { id: string; balanceLabel: string | null }[] } };
    expect(body.rewards.items.find((r) => r.id === rewardId)?.balanceLabel).toBe("$4.40 left");
    expect((await db.reward.findUniqueOrThrow({ where: { id: rewardId } })).giftCardBalanceAt).not.toBeNull();
  });
});

describe("what Shopify answers is checked before it is stored", () => {
  it.each([
    ["an amount that is not a number", { amount: "abc", currencyCode: "USD" }],
    ["an amount that overflows", { amount: "1e309", currencyCode: "USD" }],
    ["no currency", { amount: "5.00", currencyCode: "" }],
  ])("GIVEN Shopify answers a balance with %s THEN nothing is stored: the last known balance stays, on the storefront and in the admin", async (_label, balance) => {
    const before = await db.reward.findUniqueOrThrow({ where: { id: rewardId } });
    await db.reward.update({ where: { id: rewardId }, data: { giftCardBalanceAt: null } });
    const shopifyId = before.shopifyId!;
    emulator.faults.httpError({ operationName: "LoyaltyGiftCardBalances" }, 200, {
      body: JSON.stringify({ data: { nodes: [{ id: shopifyId, balance }] } }),
      headers: { "Content-Type": "application/json" },
      times: 1,
    });
    const res = await fetch(emulator.appProxyUrl(SHOP, "/customer", legacyId), { headers: { "User-Agent": BROWSER_UA, Accept: "application/json" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rewards: { id: string; balance: string | null; spent: boolean }[] };
    expect(body.rewards.find((r) => r.id === rewardId)).toMatchObject({ balance: before.giftCardBalance, spent: false });
    const after = await db.reward.findUniqueOrThrow({ where: { id: rewardId } });
    expect(after.giftCardBalance).toBe(before.giftCardBalance);
    emulator.faults.clear();
  });
});

describe("a balance Shopify writes with more decimals (MoneyV2 amount is a Decimal)", () => {
  it("GIVEN Shopify answers the card's balance as \"7.2500\" THEN the storefront answers 7.25 and the admin \"$7.25 left\" (was: refused as no decimal amount, the last known balance stayed)", async () => {
    const before = await db.reward.findUniqueOrThrow({ where: { id: rewardId } });
    await db.reward.update({ where: { id: rewardId }, data: { giftCardBalanceAt: null } });
    emulator.faults.httpError({ operationName: "LoyaltyGiftCardBalances" }, 200, {
      body: JSON.stringify({ data: { nodes: [{ id: before.shopifyId, balance: { amount: "7.2500", currencyCode: "USD" } }] } }),
      headers: { "Content-Type": "application/json" },
      times: 1,
    });
    const res = await fetch(emulator.appProxyUrl(SHOP, "/customer", legacyId), { headers: { "User-Agent": BROWSER_UA, Accept: "application/json" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rewards: { id: string; balance: string | null; spent: boolean }[] };
    expect(body.rewards.find((r) => r.id === rewardId)).toMatchObject({ balance: "7.25", spent: false });

    const url = new URL(`/app/customers/${customer.id}`, app.url);
    url.searchParams.set("_data", "routes/app.customers.$id");
    const profile = await fetch(url, { headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(SHOP)}` } });
    expect(profile.status).toBe(200);
    const admin = (await profile.json()) as { rewards: { items: { id: string; balanceLabel: string | null }[] } };
    expect(admin.rewards.items.find((r) => r.id === rewardId)?.balanceLabel).toBe("$7.25 left");
    emulator.faults.clear();
  });
});
