// The Status column of Activity → Rewards and the Rewards page, through the production build: for a
// reward the customer did not get, the merchant reads why at a glance (app/copy/admin.ts
// rewardStatusNote) — also for a Pending reward held until amounts saved in another currency are
// confirmed, and for a reward canceled because its discount was changed in Shopify's admin.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { runWorkerOnce, workerConfig, type WorkerDeps } from "~/jobs/worker.server";
import { issueRewardAsync } from "~/services/rewards/issue-async.server";
import { CODE_REMOVAL_RETRY_DAYS } from "~/services/rewards/cancel.server";
import { adminFetcher, useRunningApp } from "../support/app";
import { TEST_APP } from "../support/constants";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { createCustomer, createTemplate } from "../support/factories";
import { programCustomer, rewardWithDiscount } from "../support/rewards";
import { applyWebhooks } from "../support/webhooks";

const fixture = useShopifyEmulator();
const { emulator } = fixture;
const app = useRunningApp({ emulator });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const deps = (): WorkerDeps => ({ db, logger, adminFor: (shop) => fixture.adminGraphql(shop), now: () => new Date() });
const config = () => workerConfig({ workerId: "status-notes-worker", leaseMs: 60_000, jitterRandom: () => 0, perShopConcurrency: 1, shopifyTimeoutMs: 5_000 });

const adminFetch = adminFetcher(app, emulator, TEST_APP.shop);
/** An admin data request as App Bridge makes it (adminFetcher), with its JSON answer. */
async function admin(shop: string, path: string, route: string, form?: Record<string, string>): Promise<{ status: number; body: Json }> {
  const res = await adminFetch(path, { shop, route, ...(form ? { method: "POST", body: new URLSearchParams(form) } : {}) });
  return { status: res.status, body: (await res.json()) as Json };
}

/** The Status column as both tables show it: status and the note under it, by reward id. */
async function statusColumn(shop: string, customerId: string): Promise<Record<string, [string, string | null]>> {
  const profile = await admin(shop, `/app/customers/${customerId}`, "routes/app.customers.$id");
  const rewards = await admin(shop, "/app/rewards", "routes/app.rewards");
  expect([profile.status, rewards.status]).toEqual([200, 200]);
  const column = (items: Json[]) => Object.fromEntries(items.map((r) => [r.id, [r.status, r.statusNote]]));
  const onProfile = column(profile.body.rewards.items);
  // The shop-wide Rewards page says the same of this customer's rewards.
  expect(column(rewards.body.page.items.filter((r: Json) => Object.hasOwn(onProfile, r.id)))).toEqual(onProfile);
  return onProfile;
}

describe("the Status column says why a customer has not got their reward", () => {
  it("GIVEN a referral reward held Pending because its amounts were saved in USD and the shop now sells in EUR THEN its status says it waits for the merchant to confirm amounts (was a bare Pending: nothing told the merchant it would never be made on its own); once confirmed it is Issued with no note", async () => {
    const shop = "status-note-held.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const referral = await createTemplate(db, shop, { name: "Welcome", purpose: "REFERRAL", pointsCost: null, value: "5.00", amountCurrency: "USD" });
    const customer = await createCustomer(db, shop, {}, emulator);
    expect((await emulator.changeShopCurrency(shop, "EUR")).results[0].finalStatus).toBe(200);
    await applyWebhooks();
    const queued = await issueRewardAsync(deps(), { shop, customer: { id: customer.id }, templateId: referral.id, source: "REFERRAL" });
    if (!queued.ok) throw new Error("not queued");
    await runWorkerOnce(deps(), config());
    expect(await db.reward.findUniqueOrThrow({ where: { id: queued.reward.id } })).toMatchObject({ status: "PENDING", attempts: 0 });

    expect(await statusColumn(shop, customer.id)).toEqual({ [queued.reward.id]: ["PENDING", "Waiting for you to confirm amounts"] });

    expect((await admin(shop, "/app/amount-currency", "routes/app.amount-currency", { currency: "EUR" })).body).toMatchObject({ ok: true, released: 1 });
    await runWorkerOnce(deps(), config());
    expect(await statusColumn(shop, customer.id)).toEqual({ [queued.reward.id]: ["ISSUED", null] });
  });

  it("GIVEN a reward whose discount the merchant deactivated in Shopify's admin THEN Canceled with 'Changed in Shopify' under it (was a bare Canceled, as if canceled in the app); one canceled in the app has no note", async () => {
    const shop = "status-note-canceled.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const customer = await programCustomer(emulator, shop);
    const inShopify = await rewardWithDiscount(emulator, shop, customer);
    const inApp = await rewardWithDiscount(emulator, shop, customer);
    await emulator.merchantDeactivatesDiscount(shop, inShopify.shopifyId!);
    await applyWebhooks();
    const canceled = await admin(shop, `/app/customers/${customer.id}/rewards/${inApp.id}`, "routes/app.customers.$id.rewards.$rewardId", { intent: "cancel" });
    expect(canceled.body).toMatchObject({ ok: true, status: "CANCELED" });

    expect(await statusColumn(shop, customer.id)).toEqual({
      [inShopify.id]: ["CANCELED", "Changed in Shopify"],
      [inApp.id]: ["CANCELED", null],
    });
  });

  it("GIVEN a Pending reward canceled while Shopify can't deactivate its code THEN Canceled with 'Removing the code in Shopify (retrying: Shopify unavailable)' under it while the code may still work (was a bare Canceled); once the worker's retry removes it, the badge alone", async () => {
    const shop = "status-note-removing.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const customer = await programCustomer(emulator, shop);
    const reward = await rewardWithDiscount(emulator, shop, customer, { status: "PENDING" });
    // Its discount exists in Shopify, so an attempt was made (a reward with none is clean without a
    // call since cleanupRewardCode skips rewards never attempted, app/services/rewards/cancel.server.ts).
    await db.reward.update({ where: { id: reward.id }, data: { attempts: 1 } });
    const discount = () => emulator.inspect.discounts(shop).find((d) => d.id === reward.shopifyId);
    emulator.faults.httpError("discountCodeDeactivate", 503, { times: "forever" });
    try {
      const canceled = await admin(shop, `/app/customers/${customer.id}/rewards/${reward.id}`, "routes/app.customers.$id.rewards.$rewardId", { intent: "cancel" });
      expect(canceled.body).toMatchObject({ ok: true, status: "CANCELED" });
      expect(discount()).toMatchObject({ deactivatedAt: null });
      expect(await statusColumn(shop, customer.id)).toEqual({ [reward.id]: ["CANCELED", "Removing the code in Shopify (retrying: Shopify unavailable)"] });
    } finally {
      emulator.faults.clear();
    }

    // The worker's retry, once due: the code is deactivated and the note goes.
    const due = (await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).nextAttemptAt!;
    await runWorkerOnce({ ...deps(), now: () => new Date(due.getTime() + 1_000) }, config());
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "CANCELED", nextAttemptAt: null });
    expect(discount()?.deactivatedAt).toBeInstanceOf(Date);
    expect(await statusColumn(shop, customer.id)).toEqual({ [reward.id]: ["CANCELED", null] });
  });

  it(`GIVEN a Canceled reward whose code Shopify keeps refusing to deactivate WHEN the worker's retry runs ${CODE_REMOVAL_RETRY_DAYS} days after the cancel THEN the app stops and the Status column says the code couldn't be removed, why, that it may still work and to deactivate it in Shopify admin → Discounts (was 'Removing the code in Shopify (retrying: …)' for ever); the customer's profile and the Rewards page say the same`, async () => {
    const shop = "status-note-gave-up.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const customer = await programCustomer(emulator, shop);
    const reward = await rewardWithDiscount(emulator, shop, customer, { status: "PENDING" });
    await db.reward.update({ where: { id: reward.id }, data: { attempts: 1 } });
    const discount = () => emulator.inspect.discounts(shop).find((d) => d.id === reward.shopifyId);
    emulator.faults.httpError("discountCodeDeactivate", 503, { times: "forever" });
    try {
      const canceled = await admin(shop, `/app/customers/${customer.id}/rewards/${reward.id}`, "routes/app.customers.$id.rewards.$rewardId", { intent: "cancel" });
      expect(canceled.body).toMatchObject({ ok: true, status: "CANCELED" });
      const canceledAt = (await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).canceledAt!;
      await runWorkerOnce({ ...deps(), now: () => new Date(canceledAt.getTime() + CODE_REMOVAL_RETRY_DAYS * 86_400_000) }, config());
    } finally {
      emulator.faults.clear();
    }
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "CANCELED", nextAttemptAt: null, codeRemovalGaveUpAt: expect.any(Date) });
    expect(discount()).toMatchObject({ deactivatedAt: null });
    expect(await statusColumn(shop, customer.id)).toEqual({
      [reward.id]: ["CANCELED", "Couldn't remove the code in Shopify (last reason: Shopify unavailable); the app stopped trying. It may still work at checkout: deactivate it in Shopify admin → Discounts."],
    });

    // The merchant's repeated cancel tries again; with Shopify answering, the code goes and so does the note.
    const again = await admin(shop, `/app/customers/${customer.id}/rewards/${reward.id}`, "routes/app.customers.$id.rewards.$rewardId", { intent: "cancel" });
    expect(again.body).toMatchObject({ ok: true, status: "CANCELED" });
    expect(discount()?.deactivatedAt).toBeInstanceOf(Date);
    expect(await statusColumn(shop, customer.id)).toEqual({ [reward.id]: ["CANCELED", null] });
  });
  it("GIVEN a reward that failed for good after an attempt whose create may have reached Shopify THEN Failed with its reason and 'Removing the code in Shopify (retrying)' under it, said the same way as for a Canceled one (was the reason alone, as if nothing were left in Shopify); once the sweep removes the code, the reason alone", async () => {
    const shop = "status-note-failed-removing.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const template = await createTemplate(db, shop, { purpose: "MANUAL", pointsCost: null, value: "5.00" });
    const customer = await createCustomer(db, shop, {}, emulator);
    const queued = await issueRewardAsync(deps(), { shop, customer: { id: customer.id }, templateId: template.id, source: "MANUAL", reason: "Thanks" });
    if (!queued.ok) throw new Error("not queued");
    // Attempt 1: the create runs in Shopify but its answer is lost, and the look right after is not answered.
    emulator.faults.loseResponse("discountCodeBasicCreate");
    emulator.faults.httpError("codeDiscountNodeByCode", 503, { times: 1 });
    await runWorkerOnce(deps(), config());
    emulator.faults.clear();
    expect(await db.reward.findUniqueOrThrow({ where: { id: queued.reward.id } })).toMatchObject({ status: "PENDING", attempts: 1 });
    // Attempt 2: Shopify refuses for good (403: the app's access is missing); the code may still exist.
    emulator.faults.httpError("codeDiscountNodeByCode", 403, { times: "forever" });
    emulator.faults.httpError("discountCodeBasicCreate", 403, { times: "forever" });
    try {
      const due = (await db.reward.findUniqueOrThrow({ where: { id: queued.reward.id } })).nextAttemptAt!;
      await runWorkerOnce({ ...deps(), now: () => new Date(due.getTime() + 1_000) }, config());
      const failed = await db.reward.findUniqueOrThrow({ where: { id: queued.reward.id } });
      expect(failed).toMatchObject({ status: "FAILED", failureCode: "missing_access" });
      expect(failed.nextAttemptAt).toBeInstanceOf(Date);
      expect(await statusColumn(shop, customer.id)).toEqual({ [queued.reward.id]: ["FAILED", "Missing permission. Removing the code in Shopify (retrying)"] });
    } finally {
      emulator.faults.clear();
    }

    // The sweep, once due: the code its lost create made is deactivated and the reason stays alone.
    const due = (await db.reward.findUniqueOrThrow({ where: { id: queued.reward.id } })).nextAttemptAt!;
    await runWorkerOnce({ ...deps(), now: () => new Date(due.getTime() + 1_000) }, config());
    expect(await db.reward.findUniqueOrThrow({ where: { id: queued.reward.id } })).toMatchObject({ status: "FAILED", nextAttemptAt: null });
    expect(emulator.inspect.discounts(shop)).toEqual([expect.objectContaining({ deactivatedAt: expect.any(Date) })]);
    expect(await statusColumn(shop, customer.id)).toEqual({ [queued.reward.id]: ["FAILED", "Missing permission"] });
  });
});
