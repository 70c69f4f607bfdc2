// Where Shopify is less kind than a naive emulator (issue 17, points 2 and 3):
//   - Shopify sends discounts/update for the app's OWN deactivation too (an "echo"). A cancel
//     deactivates first and commits after; whichever lands first, the reward is Canceled once, by
//     the merchant, for the merchant's reason — never "changed in Shopify" by the webhook.
//   - Lookups: the id form the app holds (DiscountCodeNode) is looked up with codeDiscountNode; a
//     single null never cancels a reward (confirmed by code first); discounts/* payloads with a
//     DiscountNode id find the reward too.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { reconcileIssuedRewards } from "~/services/reconcile/discounts.server";
import { cancelReward, CANCEL_IN_FLIGHT_MS } from "~/services/rewards/cancel.server";
import type { AdminGraphql } from "~/shopify/graphql.server";
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
  await emulator.echoes.release();
  await emulator.echoes.settled();
});

const reload = (id: string) => db.reward.findUniqueOrThrow({ where: { id } });
const canceledEvents = (rewardId: string) => db.rewardEvent.findMany({ where: { rewardId, toStatus: "CANCELED", type: "STATUS_CHANGED" } });

/** An Issued reward bought with 100 points, its discount really in the emulated shop. */
async function issuedReward() {
  const reward = await rewardWithDiscount(emulator, SHOP, customer);
  return db.reward.update({ where: { id: reward.id }, data: { pointsSpent: 100 } });
}

/** The shop's Admin API, with `between` run after Shopify answered the deactivation and before the app reads the answer. */
async function adminWithPause(between: () => Promise<void>): Promise<AdminGraphql> {
  const graphql = await fixture.adminGraphql(SHOP);
  return async (query, options) => {
    const response = await graphql(query, options);
    if (/discountCodeDeactivate\(/.test(query)) await between();
    return response;
  };
}

describe("echoed webhooks for the app's own changes (issue 17, point 2)", () => {
  it("GIVEN Shopify's discounts/update for the cancel's own deactivation is applied BEFORE the cancel commits THEN the reward is Canceled once, by the merchant, points refunded", async () => {
    const reward = await issuedReward();
    emulator.echoes.hold();
    let statusWhileEchoApplied: string | undefined;
    let echoStatus: number | null | undefined;
    const graphql = await adminWithPause(async () => {
      // Shopify sent the echo (the emulator holds it): deliver and apply it now, mid-cancel.
      expect(emulator.echoes.held().map((e) => e.topic)).toEqual(["discounts/update"]);
      const [sent] = await emulator.echoes.release();
      echoStatus = sent?.results[0]?.finalStatus;
      await applyWebhooks();
      statusWhileEchoApplied = (await reload(reward.id)).status;
    });

    const result = await cancelReward({ db, logger, now: () => new Date(), adminFor: async () => graphql }, { shop: SHOP, rewardId: reward.id });

    expect(echoStatus).toBe(200);
    expect(statusWhileEchoApplied).toBe("ISSUED");
    expect(result.ok && result.alreadyCanceled).toBe(false);
    expect(result.ok && result.pointsRefunded).toBe(100);
    const after = await reload(reward.id);
    expect(after).toMatchObject({ status: "CANCELED", failureCode: null, failureMessage: null });
    const events = await canceledEvents(reward.id);
    expect(events.map((e) => [e.actor, e.reason])).toEqual([["MERCHANT", "Canceled by the merchant"]]);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(1100);
  });

  it("GIVEN the echo is applied AFTER the cancel committed THEN nothing more happens: one Canceled event, by the merchant", async () => {
    const reward = await issuedReward();
    emulator.echoes.hold();
    const result = await cancelReward({ db, logger, now: () => new Date(), adminFor: () => fixture.adminGraphql(SHOP) }, { shop: SHOP, rewardId: reward.id });
    expect(result.ok).toBe(true);

    expect(emulator.echoes.held().map((e) => e.topic)).toEqual(["discounts/update"]);
    const [sent] = await emulator.echoes.release();
    await applyWebhooks();

    expect(sent?.results[0]?.finalStatus).toBe(200);
    expect(await reload(reward.id)).toMatchObject({ status: "CANCELED", failureCode: null });
    expect((await canceledEvents(reward.id)).map((e) => e.actor)).toEqual(["MERCHANT"]);
  });

  it("GIVEN a cancel whose deactivation reached Shopify but whose answer was lost THEN its echo waits while the cancel may be in flight, and the periodic check then completes it as the merchant's cancel", async () => {
    const reward = await issuedReward();
    emulator.echoes.hold();
    // Shopify deactivated the code; the app never hears back (the connection drops).
    const lost = await adminWithPause(async () => {
      throw new TypeError("fetch failed");
    });
    const result = await cancelReward({ db, logger, now: () => new Date(), adminFor: async () => lost }, { shop: SHOP, rewardId: reward.id });
    expect(result.ok).toBe(false);
    expect((await reload(reward.id)).status).toBe("ISSUED");

    // WHEN the echo is applied while the cancel could still be running THEN it is left to the cancel.
    await emulator.echoes.release();
    await applyWebhooks();
    expect((await reload(reward.id)).status).toBe("ISSUED");

    // WHEN the periodic check runs once the cancel can no longer be in flight THEN it completes it.
    const later = new Date(Date.now() + CANCEL_IN_FLIGHT_MS + 1_000);
    await reconcileIssuedRewards({ db, adminFor: (shop) => fixture.adminGraphql(shop), now: later, olderThanMs: 86_400_000 });
    const after = await reload(reward.id);
    expect(after).toMatchObject({ status: "CANCELED", failureCode: null });
    const events = await canceledEvents(reward.id);
    expect(events).toHaveLength(1);
    expect(events[0].actor).toBe("MERCHANT");
    expect(events[0].reason).toMatch(/^Canceled by the merchant/);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(1100);
  });
});

describe("lookups Shopify may answer differently (issue 17, point 3)", () => {
  it("GIVEN an old Issued reward whose discount is alive THEN the periodic check keeps it Issued (it looks the DiscountCodeNode id up with codeDiscountNode)", async () => {
    const old = new Date(Date.now() - 3 * 86_400_000);
    const alive = await rewardWithDiscount(emulator, SHOP, customer, { issuedAt: old });
    const stats = await reconcileIssuedRewards({ db, adminFor: (shop) => fixture.adminGraphql(shop), now: new Date(), olderThanMs: 86_400_000 });
    expect(stats.errors).toBe(0);
    expect((await reload(alive.id)).status).toBe("ISSUED");
    expect(emulator.inspect.countCalls("codeDiscountNode")).toBeGreaterThanOrEqual(1);
  });

  it("GIVEN the lookup by id answers null although the discount exists THEN the reward is not canceled: the code lookup confirms it first", async () => {
    const old = new Date(Date.now() - 3 * 86_400_000);
    const reward = await rewardWithDiscount(emulator, SHOP, customer, { issuedAt: old });
    // Stored under the DiscountNode form of its id: codeDiscountNode(id:) answers null for it.
    const nodeId = reward.shopifyId!.replace("DiscountCodeNode", "DiscountNode");
    await db.reward.update({ where: { id: reward.id }, data: { shopifyId: nodeId } });

    await reconcileIssuedRewards({ db, adminFor: (shop) => fixture.adminGraphql(shop), now: new Date(), olderThanMs: 86_400_000 });

    expect((await reload(reward.id)).status).toBe("ISSUED");
    expect(emulator.inspect.countCalls("codeDiscountNodeByCode")).toBeGreaterThanOrEqual(1);
  });

  it("GIVEN both lookups are answered partially (data with a null lookup beside Shopify's internal error) THEN the reward is not canceled", async () => {
    const old = new Date(Date.now() - 3 * 86_400_000);
    const reward = await rewardWithDiscount(emulator, SHOP, customer, { issuedAt: old });
    // data: { codeDiscountNode: null } + INTERNAL_SERVER_ERROR at that path: a null that is not
    // "not found" (emulator/src/faults.ts partialAnswer).
    emulator.faults.partialAnswer("codeDiscountNode", { times: "forever" });
    emulator.faults.partialAnswer("codeDiscountNodeByCode", { times: "forever" });
    try {
      await reconcileIssuedRewards({ db, adminFor: (shop) => fixture.adminGraphql(shop), now: new Date(), olderThanMs: 86_400_000 });
    } finally {
      emulator.faults.clear();
    }
    expect((await reload(reward.id)).status).toBe("ISSUED");
    expect(emulator.inspect.countCalls("codeDiscountNode", { outcome: "graphql_errors" })).toBeGreaterThanOrEqual(1);
  });

  it("GIVEN a discounts/update whose id is in the DiscountNode form THEN it finds the reward (changed in Shopify's admin)", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    emulator.store.deactivateDiscount(SHOP, reward.shopifyId!);
    const body = JSON.stringify({
      admin_graphql_api_id: reward.shopifyId!.replace("DiscountCodeNode", "DiscountNode"),
      title: "$5 off",
      status: "EXPIRED",
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    });
    const sent = await emulator.sendWebhook("discounts/update", SHOP, body);
    await applyWebhooks();
    expect(sent.results[0].finalStatus).toBe(200);
    expect(await reload(reward.id)).toMatchObject({ status: "CANCELED", failureCode: "changed_in_shopify" });
  });

  it("GIVEN a discounts/delete whose id is in the DiscountNode form THEN it finds the reward", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    emulator.store.deleteDiscount(SHOP, reward.shopifyId!);
    const body = JSON.stringify({ admin_graphql_api_id: reward.shopifyId!.replace("DiscountCodeNode", "DiscountNode"), deleted_at: new Date().toISOString() });
    await emulator.sendWebhook("discounts/delete", SHOP, body);
    await applyWebhooks();
    expect(await reload(reward.id)).toMatchObject({ status: "CANCELED", failureCode: "changed_in_shopify" });
  });
});
