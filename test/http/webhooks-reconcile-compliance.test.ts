// discounts/update, discounts/delete and the periodic reconciliation keep rewards true when the
// merchant changes a discount in Shopify's admin; the mandatory privacy webhooks do what they say.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { reconcileIssuedRewards } from "~/services/reconcile/discounts.server";
import { useRunningApp } from "../support/app";
import { applyWebhooks } from "../support/webhooks";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { programCustomer, rewardWithDiscount } from "../support/rewards";

const fixture = useShopifyEmulator();
const { emulator } = fixture;
const SHOP = TEST_APP.shop;
useRunningApp({ emulator });
let customer: Awaited<ReturnType<typeof programCustomer>>;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
});
beforeEach(async () => {
  customer = await programCustomer(emulator, SHOP);
});

const reload = (id: string) => db.reward.findUniqueOrThrow({ where: { id } });

describe("discount reconciliation", () => {
  it("deactivated in Shopify's admin → Canceled, 'changed in Shopify'", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const sent = await emulator.merchantDeactivatesDiscount(SHOP, reward.shopifyId!, { duplicates: 1 });
    await applyWebhooks();
    expect(sent.results.map((r) => r.finalStatus)).toEqual([200, 200]);
    const after = await reload(reward.id);
    expect(after.status).toBe("CANCELED");
    expect(after.failureCode).toBe("changed_in_shopify");
    expect(after.failureMessage).toMatch(/in Shopify's admin/);
    const ev = await db.rewardEvent.findMany({ where: { rewardId: reward.id, toStatus: "CANCELED" } });
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ actor: "WEBHOOK" });
    expect(ev[0].reason).toContain("deactivated in Shopify");
  });

  it("deleted in Shopify's admin → Canceled", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    await emulator.merchantDeletesDiscount(SHOP, reward.shopifyId!);
    await applyWebhooks();
    const after = await reload(reward.id);
    expect(after.status).toBe("CANCELED");
    expect((await db.rewardEvent.findFirst({ where: { rewardId: reward.id, toStatus: "CANCELED" } }))?.reason).toContain("deleted in Shopify");
  });

  it("a Used reward stays Used when its discount is deleted later", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code] });
    await applyWebhooks();
    await emulator.merchantDeletesDiscount(SHOP, reward.shopifyId!);
    await applyWebhooks();
    expect((await reload(reward.id)).status).toBe("USED");
  });

  it("an update for a discount the app did not create changes nothing", async () => {
    const d = emulator.store.createCodeDiscount(SHOP, { kind: "basic", title: "Merchant's", codes: ["MERCH1"], startsAt: new Date(Date.now() - 1000) });
    const sent = await emulator.merchantDeactivatesDiscount(SHOP, d.id);
    await applyWebhooks();
    expect(sent.results[0].finalStatus).toBe(200);
  });

  it("the periodic pass catches a deletion whose webhook never arrived, and leaves live codes alone", async () => {
    const old = new Date(Date.now() - 3 * 86_400_000);
    const gone = await rewardWithDiscount(emulator, SHOP, customer, { issuedAt: old });
    const alive = await rewardWithDiscount(emulator, SHOP, customer, { issuedAt: old });
    const recent = await rewardWithDiscount(emulator, SHOP, customer);
    emulator.store.deleteDiscount(SHOP, gone.shopifyId!); // no webhook
    emulator.store.deleteDiscount(SHOP, recent.shopifyId!); // too recent to be checked yet

    const stats = await reconcileIssuedRewards({ db, adminFor: (shop) => fixture.adminGraphql(shop), now: new Date(), olderThanMs: 86_400_000 });

    expect(stats.canceled).toBeGreaterThanOrEqual(1);
    expect((await reload(gone.id)).status).toBe("CANCELED");
    expect((await reload(alive.id)).status).toBe("ISSUED");
    expect((await reload(alive.id)).reconciledAt).toBeInstanceOf(Date);
    expect((await reload(recent.id)).status).toBe("ISSUED");
    // Checked rewards are not looked up again until the interval passes.
    const again = await reconcileIssuedRewards({ db, adminFor: (shop) => fixture.adminGraphql(shop), now: new Date(), olderThanMs: 86_400_000 });
    expect(again.checked).toBe(0);
  });
});

describe("the periodic pass checks Shopify's answer before acting on it", () => {
  it.each([
    ["no status", { __typename: "DiscountCodeBasic", title: "x", endsAt: null, asyncUsageCount: 0 }],
    ["no discount at all", null],
    ["a status Shopify doesn't have", { __typename: "DiscountCodeBasic", title: "x", status: "GONE", endsAt: null, asyncUsageCount: 0 }],
  ])("GIVEN Shopify answers the discount's node with %s THEN the reward is not canceled (it was: a missing status read as EXPIRED)", async (_label, codeDiscount) => {
    await expectNotCanceledWhenShopifyAnswers((reward) => ({ LoyaltyCodeDiscountNode: { codeDiscountNode: { id: reward.shopifyId, codeDiscount } } }));
  });
});

/**
 * One reward due for reconciliation (the others marked checked), Shopify's answers to the named
 * operations replaced by `answers(reward)`: the pass counts one error and the reward stays Issued.
 */
async function expectNotCanceledWhenShopifyAnswers(answers: (reward: { shopifyId: string | null; code: string }) => Record<string, unknown>): Promise<void> {
  const reward = await rewardWithDiscount(emulator, SHOP, customer, { issuedAt: new Date(Date.now() - 3 * 86_400_000) });
  await db.reward.updateMany({ where: { shop: SHOP, status: "ISSUED", id: { not: reward.id } }, data: { reconciledAt: new Date() } });
  for (const [operationName, data] of Object.entries(answers(reward))) {
    emulator.faults.httpError({ operationName }, 200, { body: JSON.stringify({ data }), headers: { "Content-Type": "application/json" }, times: "forever" });
  }
  try {
    const stats = await reconcileIssuedRewards({ db, adminFor: (shop) => fixture.adminGraphql(shop), now: new Date(), olderThanMs: 86_400_000 });
    expect((await reload(reward.id)).status).toBe("ISSUED");
    expect(stats.errors).toBe(1);
  } finally {
    emulator.faults.clear();
  }
}

describe("the by-code confirmation checks Shopify's answer too", () => {
  it("GIVEN no node by id AND a node by code without a status THEN the reward is not canceled (it was: read as EXPIRED)", async () => {
    await expectNotCanceledWhenShopifyAnswers((reward) => ({
      LoyaltyCodeDiscountNode: { codeDiscountNode: null },
      LoyaltyCodeDiscountNodeByCode: { codeDiscountNodeByCode: { id: reward.shopifyId, codeDiscount: { __typename: "DiscountCodeBasic", title: "x", tags: [], codes: { nodes: [{ code: reward.code }] } } } },
    }));
  });
});

describe("mandatory privacy webhooks", () => {
  it("customers/data_request stores the customer's data for the merchant", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const sent = await emulator.customersDataRequest(SHOP, customer.gid);
    await applyWebhooks();
    expect(sent.results[0].finalStatus).toBe(200);
    const record = await db.complianceRequest.findFirstOrThrow({ where: { shop: SHOP, topic: "customers/data_request", customerGid: customer.gid } });
    const result = JSON.parse(record.result!);
    expect(result.found).toBe(1);
    expect(result.data[0].customer.email).toBe(customer.email);
    expect(result.data[0].rewards.map((r: { code: string }) => r.code)).toContain(reward.code);
  });

  it("customers/redact erases name, email and codes but keeps anonymous aggregates", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    await emulator.customersRedact(SHOP, customer.gid);
    await applyWebhooks();
    const c = await db.customer.findUniqueOrThrow({ where: { id: customer.id } });
    expect(c.email).toBeNull();
    expect(c.displayName).not.toContain("Ada");
    expect(c.shopifyCustomerId).not.toBe(customer.gid);
    expect(c.pointsBalance).toBe(1000);
    const r = await reload(reward.id);
    expect(r.code).toBe("REDACTED");
    expect(r.customerEmail).toBeNull();
    expect(r.status).toBe("ISSUED");
  });

  it("shop/redact deletes everything of the shop and nothing of others", async () => {
    const shop = "redact-me.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const c = await programCustomer(emulator, shop);
    await rewardWithDiscount(emulator, shop, c);
    const othersBefore = await db.reward.count({ where: { shop: SHOP } });
    // Shopify sends shop/redact 48 h after the uninstall, once the app's token is revoked.
    await emulator.uninstall(shop);
    await applyWebhooks();
    const sent = await emulator.shopRedact(shop);
    await applyWebhooks();
    expect(sent.results[0].finalStatus).toBe(200);
    expect(await db.reward.count({ where: { shop } })).toBe(0);
    expect(await db.customer.count({ where: { shop } })).toBe(0);
    expect(await db.shop.count({ where: { domain: shop } })).toBe(0);
    expect(await db.session.count({ where: { shop } })).toBe(0);
    expect(await db.reward.count({ where: { shop: SHOP } })).toBe(othersBefore);
  });

  it.each(["customers/data_request", "customers/redact", "shop/redact"])("%s with a bad signature → 401", async (topic) => {
    const sent = await emulator.sendWebhook(topic, SHOP, JSON.stringify({ shop_domain: SHOP }), { tamper: { kind: "wrong-secret" } });
    await applyWebhooks();
    expect(sent.results[0].finalStatus).toBe(401);
  });
});
