// Gift card balances (gift-card-balances.server.ts): an Issued gift card reward shows what is left on
// the card as Shopify reports it, after the customer paid part of an order with it (the emulator's
// checkout takes it off the card's balance); the answer is kept for a minute and kept when Shopify
// fails; the storefront and admin read models show "$6.40 left" and "spent".
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { runWorkerOnce } from "~/jobs/worker.server";
import { issueRewardAsync } from "~/services/rewards/issue-async.server";
import { loadCustomerView } from "~/services/storefront/customer-view.server";
import { listRewards } from "~/services/admin/rewards.server";
import { BALANCE_MAX_AGE_MS, MAX_CARDS_PER_LOOKUP, refreshGiftCardBalances } from "./gift-card-balances.server";
import { installEmulatedShop, useShopifyEmulator } from "../../../test/support/shopify";
import { useRewardWorker } from "../../../test/support/worker";
import { createTemplate } from "../../../test/support/factories";
import { allowErrorLogs } from "../../../test/support/error-logs";

const SHOP = "balances.myshopify.com";
const fixture = useShopifyEmulator();
const { emulator } = fixture;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD", planDisplayName: "Shopify Plus", giftCards: true });
  emulator.appUrl = "http://127.0.0.1:9"; // orders are placed without delivering orders/create
});
const worker = useRewardWorker(fixture, SHOP);

async function issuedGiftCard(value = "10.00") {
  const template = await createTemplate(db, SHOP, { purpose: "MANUAL", kind: "GIFT_CARD", value, pointsCost: null, expiryDays: 30 });
  const queued = await issueRewardAsync(worker.deps(), { shop: SHOP, customer: { id: worker.customer.id }, templateId: template.id, source: "MANUAL", reason: "Thanks" });
  if (!queued.ok) throw new Error(queued.error.message);
  expect((await runWorkerOnce(worker.deps(), worker.config())).outcomes).toMatchObject({ issued: 1 });
  return db.reward.findUniqueOrThrow({ where: { id: queued.reward.id } });
}

const balanceLookups = () => emulator.inspect.calls({ shop: SHOP }).filter((c) => c.rootFields.includes("nodes"));

describe("gift card balances", () => {
  it("shows what is left after the card paid part of an order, and 'spent' once it paid the rest", async () => {
    const reward = await issuedGiftCard("10.00");
    await emulator.placeOrder(SHOP, { customerId: worker.customer.shopifyCustomerId, codes: [], subtotal: "3.60", giftCardPayment: { code: reward.code, amount: "3.60" } }, { deliver: false });

    expect(await refreshGiftCardBalances(worker.deps(), SHOP, { customerId: worker.customer.id })).toEqual({ checked: 1, failed: false });
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "ISSUED", giftCardBalance: "6.4", giftCardBalanceAt: expect.any(Date) });
    const view = await loadCustomerView(db, SHOP, worker.customer.shopifyCustomerId);
    expect(view.rewards.find((r) => r.id === reward.id)).toMatchObject({ status: "ISSUED", balance: "6.4", spent: false });
    const rows = await listRewards(db, { shop: SHOP, customerId: worker.customer.id, pageSize: 10 });
    expect(rows.items.find((r) => r.id === reward.id)?.balanceLabel).toBe("$6.40 left");

    // Within a minute the last answer is shown without asking Shopify again.
    const asked = balanceLookups().length;
    expect(await refreshGiftCardBalances(worker.deps(), SHOP, { customerId: worker.customer.id })).toEqual({ checked: 0, failed: false });
    expect(balanceLookups()).toHaveLength(asked);

    await emulator.placeOrder(SHOP, { customerId: worker.customer.shopifyCustomerId, codes: [], subtotal: "20.00", giftCardPayment: { code: reward.code } }, { deliver: false });
    worker.clock.advance(BALANCE_MAX_AGE_MS + 1_000);
    expect(await refreshGiftCardBalances(worker.deps(), SHOP, { customerGid: worker.customer.shopifyCustomerId })).toEqual({ checked: 1, failed: false });
    const spent = (await loadCustomerView(db, SHOP, worker.customer.shopifyCustomerId)).rewards.find((r) => r.id === reward.id);
    expect(spent).toMatchObject({ status: "ISSUED", spent: true }); // never Used: gift cards aren't
    expect((await listRewards(db, { shop: SHOP, customerId: worker.customer.id, pageSize: 10 })).items.find((r) => r.id === reward.id)?.balanceLabel).toBe("Spent");
  });

  it("keeps the last known balance when Shopify can't answer, and asks again next time", async () => {
    allowErrorLogs();
    const reward = await issuedGiftCard("25.00");
    expect(await refreshGiftCardBalances(worker.deps(), SHOP, { rewardIds: [reward.id] })).toEqual({ checked: 1, failed: false });
    worker.clock.advance(BALANCE_MAX_AGE_MS + 1_000);
    const fault = emulator.faults.httpError("nodes", 503, { times: "forever" });
    expect(await refreshGiftCardBalances(worker.deps(), SHOP, { rewardIds: [reward.id] })).toEqual({ checked: 0, failed: true });
    expect((await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).giftCardBalance).toBe("25.0");
    emulator.faults.clear();
    expect(fault).toBeDefined();
    expect(await refreshGiftCardBalances(worker.deps(), SHOP, { rewardIds: [reward.id] })).toEqual({ checked: 1, failed: false });
  });

  it("looks up nothing for rewards that are not Issued gift cards", async () => {
    const card = await issuedGiftCard("5.00");
    const discount = await worker.pending();
    expect(await refreshGiftCardBalances(worker.deps(), SHOP, { rewardIds: [discount.id] })).toEqual({ checked: 0, failed: false });
    await db.reward.update({ where: { id: card.id }, data: { status: "CANCELED", canceledAt: new Date() } });
    expect(await refreshGiftCardBalances(worker.deps(), SHOP, { customerId: worker.customer.id })).toEqual({ checked: 0, failed: false });
  });

  it("a rewardIds scope looks up its due card even behind a full lookup's worth of ids that are not due", async () => {
    // GIVEN a due gift card named after MAX_CARDS_PER_LOOKUP ids that are no due cards (a discount, unknown ids)
    const card = await issuedGiftCard("7.00");
    const discount = await worker.pending();
    const notDue = [discount.id, ...Array.from({ length: MAX_CARDS_PER_LOOKUP - 1 }, (_, i) => `unknown-${i}`)];
    // WHEN the scope's balances are refreshed
    const refreshed = await refreshGiftCardBalances(worker.deps(), SHOP, { rewardIds: [...notDue, card.id] });
    // THEN the card is looked up (the ids were sliced before filtering: checked 0)
    expect(refreshed).toEqual({ checked: 1, failed: false });
    expect(await db.reward.findUniqueOrThrow({ where: { id: card.id } })).toMatchObject({ giftCardBalance: "7.0", giftCardBalanceAt: expect.any(Date) });
  });
});

describe("a balance written with more decimals (MoneyV2 amount is a Decimal)", () => {
  it("GIVEN Shopify answers a card's balance as \"6.4000\" THEN it is read as 6.40 (parseShopifyAmount): stored as \"6.4\", shown \"$6.40 left\" in the admin and 6.4 on the storefront (was: refused as no decimal amount, nothing stored or shown)", async () => {
    const reward = await issuedGiftCard("10.00");
    emulator.faults.httpError({ operationName: "LoyaltyGiftCardBalances" }, 200, {
      body: JSON.stringify({ data: { nodes: [{ id: reward.shopifyId, balance: { amount: "6.4000", currencyCode: "USD" } }] } }),
      headers: { "Content-Type": "application/json" },
      times: 1,
    });
    expect(await refreshGiftCardBalances(worker.deps(), SHOP, { rewardIds: [reward.id] })).toEqual({ checked: 1, failed: false });
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ giftCardBalance: "6.4", giftCardBalanceAt: expect.any(Date) });
    const view = await loadCustomerView(db, SHOP, worker.customer.shopifyCustomerId);
    expect(view.rewards.find((r) => r.id === reward.id)).toMatchObject({ balance: "6.4", spent: false });
    const rows = await listRewards(db, { shop: SHOP, customerId: worker.customer.id, pageSize: 50 });
    expect(rows.items.find((r) => r.id === reward.id)?.balanceLabel).toBe("$6.40 left");
  });

  it("GIVEN a balance of \"0.0000\" THEN the card reads Spent, on the storefront and in the admin", async () => {
    const reward = await issuedGiftCard("10.00");
    emulator.faults.httpError({ operationName: "LoyaltyGiftCardBalances" }, 200, {
      body: JSON.stringify({ data: { nodes: [{ id: reward.shopifyId, balance: { amount: "0.0000", currencyCode: "USD" } }] } }),
      headers: { "Content-Type": "application/json" },
      times: 1,
    });
    expect(await refreshGiftCardBalances(worker.deps(), SHOP, { rewardIds: [reward.id] })).toEqual({ checked: 1, failed: false });
    const view = await loadCustomerView(db, SHOP, worker.customer.shopifyCustomerId);
    expect(view.rewards.find((r) => r.id === reward.id)).toMatchObject({ balance: "0.0", spent: true });
    const rows = await listRewards(db, { shop: SHOP, customerId: worker.customer.id, pageSize: 50 });
    expect(rows.items.find((r) => r.id === reward.id)?.balanceLabel).toBe("Spent");
  });

  it("GIVEN a stored balance text that holds no amount (written before it was checked) THEN neither page shows a made-up one", async () => {
    const reward = await issuedGiftCard("10.00");
    await db.reward.update({ where: { id: reward.id }, data: { giftCardBalance: "abc", giftCardBalanceAt: worker.clock.now() } });
    const view = await loadCustomerView(db, SHOP, worker.customer.shopifyCustomerId);
    expect(view.rewards.find((r) => r.id === reward.id)).toMatchObject({ balance: null, spent: false });
    const rows = await listRewards(db, { shop: SHOP, customerId: worker.customer.id, pageSize: 50 });
    expect(rows.items.find((r) => r.id === reward.id)?.balanceLabel).toBeNull();
  });
});
