// VIP "amount spent" and an order in another shop currency than the stored one (docs/decisions/022,
// addendum of 3 December 2026 "an order in another shop currency"; the points side: decision 019's).
// An orders/create whose `currency` is not Shop.currency (a shop/update announcing a change is late or
// lost, or an odd order) is recorded but neither counted nor allowed to move anybody until Shopify
// says which currency the shop sells in: the same currency as the order's → it counts, as an order in
// the shop's currency, under the review of amounts (decision 015); still another one → it never counts,
// and the customer's VIP card says so. Real databases, Shopify's answer from the emulator.
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import type { RewardDeps } from "~/services/rewards/deps.server";
import { createCustomer, createShop, createTemplate } from "../../../test/support/factories";
import { installEmulatedShop, useShopifyEmulator } from "../../../test/support/shopify";
import { confirmAmountCurrency } from "~/services/lifecycle/amount-currency.server";
import { decideDueHeldOrders } from "~/services/lifecycle/held-orders.server";
import { readUnreadShopCurrencies } from "~/services/lifecycle/scopes.server";
import { handleOrderCreated, orderContext } from "~/services/orders/order-created.server";
import { customerVip, runEvaluationJobs, runVipTasks, saveTier, saveVipProgram } from "./admin.server";
import { customerProgress, evaluateCustomerTier, getVipProgram } from "./tiers.server";

const { emulator, adminGraphql } = useShopifyEmulator();
const deps = (): RewardDeps => ({ db, logger, adminFor: () => Promise.reject(new Error("no Shopify call expected")), now: () => new Date() });

let SHOP = "";
let shopN = 0;
let n = 0;

/**
 * GIVEN a shop the app knows as selling in USD (read from Shopify an hour ago), VIP on amount spent
 * (lifetime) with Silver at 100 and Gold at 1,000 (typed in USD), each with an entry reward; the points
 * program off, so nothing but VIP weighs the order's amount.
 */
beforeEach(async () => {
  SHOP = `vip-order-currency-${Date.now()}-${++shopN}.myshopify.com`;
  await createShop(db, SHOP, { currency: "USD", currencyReadAt: new Date(Date.now() - 3_600_000) });
  const saved = await saveVipProgram(db, SHOP, { enabled: "on", basis: "AMOUNT_SPENT", period: "LIFETIME", skippedTierRewards: "ALL" }, "USD", new Date());
  expect(saved.ok).toBe(true);
  for (const [name, threshold] of [
    ["Silver", "100"],
    ["Gold", "1000"],
  ] as const) {
    const template = await createTemplate(db, SHOP, { purpose: "VIP_TIER_ENTRY", pointsCost: null, name: `${name} welcome` });
    expect((await saveTier(db, SHOP, { form: { name, threshold, entryRewardTemplateId: template.id, pointsMultiplier: "1" }, shownCurrency: "USD" }, new Date())).ok).toBe(true);
  }
  await runEvaluationJobs(deps());
});

/** An orders/create body of `subtotal` in the shop currency `currency` (omitted: a body without the field). */
function order(customerGid: string, subtotal: string, currency?: string) {
  const id = `${Date.now()}${++n}`;
  return {
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    id,
    name: `#${n}`,
    created_at: new Date(Date.now() - 1_000).toISOString(),
    customer: { admin_graphql_api_id: customerGid },
    ...(currency === undefined ? {} : { currency, presentment_currency: currency }),
    subtotal_price_set: { shop_money: { amount: subtotal, currency_code: currency ?? "USD" } },
  };
}

/** The inbox's orders/create effects, in their order (ORDER_CREATED_EFFECTS). */
const applyOrder = (payload: ReturnType<typeof order>) => handleOrderCreated(db, orderContext(SHOP, payload, new Date()));

const tierOf = async (id: string) => (await db.customer.findUniqueOrThrow({ where: { id } })).vipTier;
const entryRewards = (customerId: string) => db.reward.count({ where: { customerId, source: "VIP_TIER_ENTRY" } });
const changes = (customerId: string) => db.vipTierChange.findMany({ where: { customerId }, orderBy: { createdAt: "asc" } });
const spent = async (customerId: string) => customerProgress(db, SHOP, customerId, await getVipProgram(db, SHOP), new Date());
const shopRow = () => db.shop.findUniqueOrThrow({ where: { domain: SHOP } });

/** The worker's "shop currencies" pass, round after round until it has looked at every shop it reads. */
async function workerAsksShopify() {
  let after: string | null = null;
  do after = (await readUnreadShopCurrencies({ ...deps(), adminFor: (shop: string) => adminGraphql(shop) }, after)).next;
  while (after !== null);
}

/** The worker's VIP pass and the re-evaluations it starts, to the end. */
async function workerVipPasses() {
  await runVipTasks(deps());
  while ((await db.vipEvaluationJob.count({ where: { shop: SHOP, status: "RUNNING" } })) > 0) await runEvaluationJobs(deps(), { maxJobs: 100 });
}

describe("VIP amount spent: an order in another shop currency than the stored one", () => {
  it("GIVEN a ¥5,000 order in a shop stored as USD THEN it moves nobody and counts nothing (before: Gold at '1,000 USD', with both entry rewards); WHEN Shopify says the shop still sells in USD THEN it never counts, and the customer's VIP card says why", async () => {
    const buyer = await createCustomer(db, SHOP);
    const odd = order(buyer.shopifyCustomerId, "5000", "JPY");
    // WHEN the order is applied (every orders/create effect, as the inbox runs them)
    await applyOrder(odd);
    // THEN no tier, no change, no entry reward, nothing spent — and Shopify is asked (by VIP alone: the points program is off)
    expect(await tierOf(buyer.id)).toBeNull();
    expect(await changes(buyer.id)).toHaveLength(0);
    expect(await entryRewards(buyer.id)).toBe(0);
    expect(await spent(buyer.id)).toBe(0n);
    expect(await db.vipOrder.findFirstOrThrow({ where: { shop: SHOP, orderGid: odd.admin_graphql_api_id } })).toMatchObject({ amount: "5000.00", orderCurrency: "JPY", otherCurrency: false });
    expect((await shopRow()).currencyCheckDueAt).not.toBeNull();
    // AND the card says it waits for Shopify's answer (an order id and currency codes only)
    expect((await customerVip(db, SHOP, buyer.id)).otherCurrencyOrders).toEqual({ shopCurrency: "USD", orders: [{ orderGid: odd.admin_graphql_api_id, orderCurrency: "JPY", state: "waiting" }] });
    // AND neither the held-orders task nor a re-evaluation counts it before Shopify answers
    await db.shop.update({ where: { domain: SHOP }, data: { heldOrdersDueAt: new Date() } });
    expect((await decideDueHeldOrders(deps())).vipOrders).toBe(0);
    await evaluateCustomerTier(deps(), { shop: SHOP, customerId: buyer.id, now: new Date(), mode: "UP_AND_DOWN", reason: "TIERS_CHANGED" });
    expect(await tierOf(buyer.id)).toBeNull();

    // WHEN Shopify says the shop sells in USD (the order is an odd one: imported, or created through the API)
    await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
    await workerAsksShopify();
    expect(await shopRow()).toMatchObject({ currency: "USD", currencyCheckDueAt: null });
    expect((await decideDueHeldOrders(deps())).vipOrders).toBe(1);
    expect((await decideDueHeldOrders(deps())).vipOrders).toBe(0);
    // THEN it is decided never to count: still no tier, no reward, nothing spent, whatever re-evaluates
    expect(await db.vipOrder.findFirstOrThrow({ where: { shop: SHOP, orderGid: odd.admin_graphql_api_id } })).toMatchObject({ currencyHeldAt: null, otherCurrency: true, orderCurrency: "JPY" });
    await evaluateCustomerTier(deps(), { shop: SHOP, customerId: buyer.id, now: new Date(), mode: "UP_AND_DOWN", reason: "TIERS_CHANGED" });
    await workerVipPasses();
    expect(await tierOf(buyer.id)).toBeNull();
    expect(await entryRewards(buyer.id)).toBe(0);
    expect(await spent(buyer.id)).toBe(0n);
    // AND the card names it as not counted, with why
    expect((await customerVip(db, SHOP, buyer.id)).otherCurrencyOrders).toEqual({ shopCurrency: "USD", orders: [{ orderGid: odd.admin_graphql_api_id, orderCurrency: "JPY", state: "not_counted" }] });
    // AND a redelivery of it changes nothing
    await applyOrder(odd);
    expect(await spent(buyer.id)).toBe(0n);
    expect(await tierOf(buyer.id)).toBeNull();
    // AND the customer's next order, in USD, counts on its own: 150 → Silver, not Gold
    await applyOrder(order(buyer.shopifyCustomerId, "150.00", "USD"));
    expect(await spent(buyer.id)).toBe(150_000n);
    expect(await tierOf(buyer.id)).toBe("Silver");
    expect(await entryRewards(buyer.id)).toBe(1);
  });

  it("GIVEN a ¥5,000 order held WHEN Shopify says the shop now sells in JPY THEN it counts as an order in the shop's currency, and placement waits for the thresholds typed in USD to be confirmed; confirmed in JPY THEN the customer is placed once (Gold at ¥1,000)", async () => {
    const buyer = await createCustomer(db, SHOP);
    const placed = order(buyer.shopifyCustomerId, "5000", "JPY");
    await applyOrder(placed);
    // (before: Gold at once, on thresholds typed in USD)
    expect(await tierOf(buyer.id)).toBeNull();
    expect(await entryRewards(buyer.id)).toBe(0);
    // WHEN Shopify says the shop sells in JPY
    await installEmulatedShop(emulator, SHOP, { currencyCode: "JPY" });
    await workerAsksShopify();
    expect(await shopRow()).toMatchObject({ currency: "JPY", currencyCheckDueAt: null });
    expect((await decideDueHeldOrders(deps())).vipOrders).toBe(1);
    // THEN the order counts (in the shop's currency now), and nobody moves by thresholds under review
    expect(await db.vipOrder.findFirstOrThrow({ where: { shop: SHOP, orderGid: placed.admin_graphql_api_id } })).toMatchObject({ currencyHeldAt: null, otherCurrency: false, orderCurrency: "JPY" });
    expect(await spent(buyer.id)).toBe(5_000_000n);
    expect(await tierOf(buyer.id)).toBeNull();
    expect(await entryRewards(buyer.id)).toBe(0);
    expect((await db.vipProgram.findUniqueOrThrow({ where: { shop: SHOP } })).placementHeldAt).not.toBeNull();
    const card = await customerVip(db, SHOP, buyer.id);
    expect(card).toMatchObject({ placement: { state: "held", title: "Amounts saved in USD; the shop now sells in JPY" }, otherCurrencyOrders: null });
    await workerVipPasses();
    expect(await tierOf(buyer.id)).toBeNull();
    // WHEN the merchant confirms the amounts in JPY
    expect(await confirmAmountCurrency({ db, now: () => new Date() }, SHOP, "JPY")).toMatchObject({ ok: true });
    await workerVipPasses();
    // THEN the worker's re-check places the customer once: Gold (¥5,000 ≥ ¥1,000), with both entry rewards
    expect(await tierOf(buyer.id)).toBe("Gold");
    expect((await changes(buyer.id)).map((c) => [c.direction, c.toTierName, c.reasonCode])).toEqual([["UP", "Gold", "TIERS_CHANGED"]]);
    expect(await entryRewards(buyer.id)).toBe(2);
    await workerVipPasses();
    expect(await changes(buyer.id)).toHaveLength(1);
    expect(await entryRewards(buyer.id)).toBe(2);
  });

  it("GIVEN a customer's ¥5,000 order waiting for Shopify's answer WHEN their orders in the stored currency (and one whose body has no currency) arrive THEN those count and move them at once, as before, and ask Shopify nothing", async () => {
    const other = await createCustomer(db, SHOP);
    // Orders in the stored currency ask nothing.
    await applyOrder(order(other.shopifyCustomerId, "120.00", "USD"));
    expect(await tierOf(other.id)).toBe("Silver");
    expect((await shopRow()).currencyCheckDueAt).toBeNull();
    expect((await customerVip(db, SHOP, other.id)).otherCurrencyOrders).toBeNull();
    const buyer = await createCustomer(db, SHOP);
    await applyOrder(order(buyer.shopifyCustomerId, "5000", "JPY"));
    // WHEN 60 USD and 50 (no currency field: read in the stored one) arrive
    await applyOrder(order(buyer.shopifyCustomerId, "60.00", "USD"));
    expect(await tierOf(buyer.id)).toBeNull();
    await applyOrder(order(buyer.shopifyCustomerId, "50.00"));
    // THEN 110 spent: Silver with its reward — not Gold by the ¥5,000 (before: Gold, two rewards)
    expect(await spent(buyer.id)).toBe(110_000n);
    expect(await tierOf(buyer.id)).toBe("Silver");
    expect(await entryRewards(buyer.id)).toBe(1);
    expect((await changes(buyer.id)).map((c) => [c.direction, c.toTierName, c.reasonCode])).toEqual([["UP", "Silver", "THRESHOLD_REACHED"]]);
  });
});
