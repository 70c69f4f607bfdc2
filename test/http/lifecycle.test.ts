// GIVEN the production build on a real port, the emulator playing Shopify (token exchange, Admin API,
//       signed app/uninstalled), and the reward worker on the same database
// WHEN the merchant uninstalls and reinstalls, Shopify stops accepting the shop's token, or a late
//      app/uninstalled arrives after a quick reinstall
// THEN deferred work resumes at once on reinstall, a 401 pauses the shop (no attempt burnt, a clear
//      entry in the reward's history) until the next admin load fetches a fresh token, and a late
//      uninstall does not undo the reinstall.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { runWorkerOnce, workerConfig, type WorkerDeps } from "~/jobs/worker.server";
import { PAUSE_REASONS } from "~/services/lifecycle/lifecycle.server";
import { issueRewardAsync } from "~/services/rewards/issue-async.server";
import { retryDeadLetter } from "~/services/webhooks/dead-letters.server";
import { WEBHOOK_RETRY_POLICY } from "~/services/webhooks/inbox.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { refreshGrant, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { createCustomer, createTemplate } from "../support/factories";
import { applyWebhooks } from "../support/webhooks";
import { allowErrorLogs } from "../support/error-logs";
import { dbWithHookBeforeDeferral } from "../support/worker-races";
import { redeliverAsNewWebhook, signWebhook } from "../../emulator/src/webhooks";
import { periodicTasks } from "~/jobs/tasks.server";
import { refreshShopFacts } from "~/services/lifecycle/scopes.server";
import { ensureFreshOfflineToken } from "~/services/lifecycle/offline-token.server";
import type { AdminGraphql } from "~/shopify/graphql.server";
import type { RewardDeps } from "~/services/rewards/deps.server";

const fixture = useShopifyEmulator();
const { emulator } = fixture;
useRunningApp({ emulator });


const HOUR = 3_600_000;
const deps = (): WorkerDeps => ({ db, logger, adminFor: (shop) => fixture.adminGraphql(shop), now: () => new Date() });
const config = () => workerConfig({ workerId: "lifecycle-worker", leaseMs: 60_000, jitterRandom: () => 0, perShopConcurrency: 1, shopifyTimeoutMs: 5_000 });
const reload = (id: string) => db.reward.findUniqueOrThrow({ where: { id } });
const offlineSession = (shop: string) => db.session.findUnique({ where: { id: `offline_${shop}` } });

/** Shopify's admin opens the embedded app (the id_token in the URL drives token exchange). */
const openAdmin = (shop: string) => fetch(emulator.embeddedAppUrl(shop), { headers: { "User-Agent": BROWSER_UA }, redirect: "manual" });

/** A shop installed the way Shopify does it (first admin load → token exchange), with a Pending reward. */
async function installedShopWithPendingReward(domain: string) {
  emulator.addShop({ domain, scopes: TEST_APP.scopes.split(","), currencyCode: "USD" });
  expect((await openAdmin(domain)).status).toBe(200);
  // Token exchange with expiring=1: an expiring token with its refresh token, accepted by Shopify.
  const installed = await offlineSession(domain);
  expect(emulator.acceptsToken(domain, installed?.accessToken ?? "")).toBe(true);
  expect(installed).toMatchObject({ refreshToken: expect.any(String), expires: expect.any(Date) });
  const customer = await createCustomer(db, domain, {}, emulator);
  const template = await createTemplate(db, domain, { purpose: "REFERRAL", pointsCost: null });
  return { customer, template, reward: await pendingReward(domain, customer.id, template.id) };
}

async function pendingReward(shop: string, customerId: string, templateId: string) {
  const r = await issueRewardAsync({ db, logger, adminFor: (s) => fixture.adminGraphql(s), now: () => new Date() }, { shop, customer: { id: customerId }, templateId, source: "REFERRAL", reason: "Referred a friend" });
  if (!r.ok) throw new Error(r.error.message);
  return r.reward;
}

/** Polls (generous bound) until the wall clock has passed `t`, so "later than" is strict. */
async function clockPast(t: Date) {
  for (let i = 0; i < 1000 && Date.now() <= t.getTime(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(Date.now()).toBeGreaterThan(t.getTime());
}

describe("reinstall resumes deferred work", () => {
  it("a reward deferred while uninstalled is due at once after the reinstall's token exchange, then issued", async () => {
    const domain = "comeback.myshopify.com";
    const { reward } = await installedShopWithPendingReward(domain);

    const uninstall = await emulator.uninstall(domain);
    await applyWebhooks(); // the worker applies what the app recorded
    expect(uninstall.results[0].finalStatus).toBe(200);
    await runWorkerOnce(deps(), config());
    const deferred = await reload(reward.id);
    expect(deferred).toMatchObject({ status: "PENDING", attempts: 0, claimedBy: null });
    expect(deferred.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() + 5 * HOUR);
    expect(await db.rewardEvent.findFirst({ where: { rewardId: reward.id, type: "NOTE" } })).toMatchObject({ reason: PAUSE_REASONS.uninstalled });

    // While uninstalled, Shopify refuses token exchange: the app gets no token and stays uninstalled.
    const refused = await openAdmin(domain);
    expect(refused.status).not.toBe(200);
    expect(await offlineSession(domain)).toBeNull();
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).uninstalledAt).toBeInstanceOf(Date);

    const reinstalled = emulator.reinstall(domain);
    expect((await openAdmin(domain)).status).toBe(200);
    expect(reinstalled.uninstalledAt).toBeNull();
    expect(emulator.acceptsToken(domain, (await offlineSession(domain))?.accessToken ?? "")).toBe(true);
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).uninstalledAt).toBeNull();
    const resumed = await reload(reward.id);
    expect(resumed.nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now());

    await runWorkerOnce(deps(), config());
    expect(await reload(reward.id)).toMatchObject({ status: "ISSUED", attempts: 1 });
    expect(emulator.inspect.discounts(domain).some((d) => d.codes.some((c) => c.code === reward.code))).toBe(true);
  });
});

describe("uninstall and reinstall while the worker holds the reward", () => {
  it("GIVEN the worker found the shop uninstalled WHEN the merchant reinstalls (token exchange) before the worker has released the reward THEN the reward is due at once, not hours later, and is issued once", async () => {
    const domain = "reinstall-race.myshopify.com";
    const { reward } = await installedShopWithPendingReward(domain);
    await emulator.uninstall(domain);
    await applyWebhooks();
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).uninstalledAt).toBeInstanceOf(Date);

    let reinstalledAt: Date | null = null;
    const racing: WorkerDeps = {
      ...deps(),
      db: dbWithHookBeforeDeferral(db, async () => {
        // The reinstall's token exchange runs the app's afterAuth (resumeShop) while the worker still
        // holds the claim it took before it saw the shop uninstalled.
        emulator.reinstall(domain);
        expect((await openAdmin(domain)).status).toBe(200);
        reinstalledAt = new Date();
        expect((await db.shop.findUniqueOrThrow({ where: { domain } })).uninstalledAt).toBeNull();
        expect((await reload(reward.id)).claimedBy).toBe("lifecycle-worker");
      }),
    };
    const summary = await runWorkerOnce(racing, config());
    expect(reinstalledAt).not.toBeNull();
    expect(summary.outcomes).toEqual({ deferred_uninstalled: 1 });

    const waiting = await reload(reward.id);
    expect(waiting).toMatchObject({ status: "PENDING", attempts: 0, claimedBy: null });
    expect(waiting.nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now());

    await runWorkerOnce(deps(), config());
    expect(await reload(reward.id)).toMatchObject({ status: "ISSUED", attempts: 1 });
    await runWorkerOnce(deps(), config());
    expect(emulator.inspect.discounts(domain).filter((d) => d.codes.some((c) => c.code === reward.code))).toHaveLength(1);
    expect(emulator.inspect.countCalls("discountCodeBasicCreate", { shop: domain })).toBe(1);
  });

  it("GIVEN the create reached Shopify but its answer was lost while the app was uninstalled WHEN the merchant reinstalls minutes later THEN the reward resumes at once and adopts the discount Shopify made: one discount, Issued once", async () => {
    const domain = "inflight-uninstall.myshopify.com";
    const { reward } = await installedShopWithPendingReward(domain);
    emulator.faults.loseResponse("discountCodeBasicCreate");
    const uninstalling: WorkerDeps = {
      ...deps(),
      adminFor: async (shop) => {
        const graphql = await fixture.adminGraphql(shop);
        return (async (...args: Parameters<AdminGraphql>) => {
          try {
            return await graphql(...args);
          } finally {
            // The merchant uninstalls while the create is in flight; app/uninstalled is applied.
            await emulator.uninstall(domain);
            await applyWebhooks();
          }
        }) as AdminGraphql;
      },
    };
    await runWorkerOnce(uninstalling, config());
    expect(await reload(reward.id)).toMatchObject({ status: "PENDING", attempts: 1 });
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).uninstalledAt).toBeInstanceOf(Date);
    expect(emulator.inspect.discounts(domain).filter((d) => d.codes.some((c) => c.code === reward.code))).toHaveLength(1);

    // Its retry comes due while the shop is uninstalled: it waits, no attempt used, no call made.
    const later = () => new Date(Date.now() + 10 * 60_000);
    const calls = emulator.inspect.countCalls(undefined, { shop: domain });
    expect((await runWorkerOnce({ ...deps(), now: later }, config())).outcomes).toEqual({ deferred_uninstalled: 1 });
    expect(emulator.inspect.countCalls(undefined, { shop: domain })).toBe(calls);
    expect(await reload(reward.id)).toMatchObject({ status: "PENDING", attempts: 1 });

    emulator.reinstall(domain);
    expect((await openAdmin(domain)).status).toBe(200);
    expect((await reload(reward.id)).nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now());
    await runWorkerOnce(deps(), config());
    const issued = await reload(reward.id);
    expect(issued).toMatchObject({ status: "ISSUED", attempts: 2 });
    await runWorkerOnce(deps(), config());
    expect(emulator.inspect.discounts(domain).filter((d) => d.codes.some((c) => c.code === reward.code))).toHaveLength(1);
    expect(emulator.inspect.countCalls("discountCodeBasicCreate", { shop: domain })).toBe(1);
    const events = await db.rewardEvent.findMany({ where: { rewardId: reward.id, type: "STATUS_CHANGED" } });
    expect(events.filter((e) => e.toStatus === "ISSUED")).toHaveLength(1);
  });
});

describe("the shop's currency is Shopify's", () => {
  it("GIVEN a shop whose currency is EUR WHEN the app is installed (token exchange) THEN the app stores EUR and issues store credit in EUR, not the USD default", async () => {
    const domain = "euro-shop.myshopify.com";
    emulator.addShop({ domain, scopes: TEST_APP.scopes.split(","), currencyCode: "EUR" });
    expect((await openAdmin(domain)).status).toBe(200);
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).currency).toBe("EUR");

    const customer = await createCustomer(db, domain, {}, emulator);
    const template = await createTemplate(db, domain, { purpose: "REFERRAL", pointsCost: null, kind: "STORE_CREDIT", value: "5.00" });
    const reward = await pendingReward(domain, customer.id, template.id);
    expect(reward.currency).toBe("EUR");
    await runWorkerOnce(deps(), config());
    expect(await reload(reward.id)).toMatchObject({ status: "ISSUED", currency: "EUR" });
    expect(emulator.storeCreditBalance(domain, customer.shopifyCustomerId!, "EUR")).toBe("5.0");
    expect(emulator.storeCreditBalance(domain, customer.shopifyCustomerId!, "USD")).toBe("0.0");
  });

  it("GIVEN Shopify cannot be asked for the shop WHEN the app is installed THEN the install still succeeds and the stored currency is kept", async () => {
    const domain = "quiet-shop.myshopify.com";
    emulator.addShop({ domain, scopes: TEST_APP.scopes.split(","), currencyCode: "GBP" });
    await db.shop.create({ data: { domain, currency: "GBP" } });
    emulator.faults.httpError({ operationName: "LoyaltyShopInfo", shop: domain }, 503, { times: "forever" });
    expect((await openAdmin(domain)).status).toBe(200);
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).currency).toBe("GBP");
  });
});

describe("the shop's currency stays current (shop/update, and once by the worker)", () => {
  const shopOf = (domain: string) => db.shop.findUniqueOrThrow({ where: { domain } });
  const currencyPass = () => periodicTasks({ recoveryEveryMs: 60_000, reconcileAfterMs: 0, reconcileEveryMs: 0 }).find((t) => t.name === "shop currencies")!;
  const taskDeps = () => ({ db, logger, adminFor: (s: string) => fixture.adminGraphql(s), now: () => new Date() }) as unknown as RewardDeps;

  it("GIVEN an installed EUR shop WHEN the merchant changes its currency to GBP THEN Shopify's signed shop/update makes it GBP (new store credit in GBP), and an older shop/update delivered late does not undo it", async () => {
    const domain = "changes-currency.myshopify.com";
    emulator.addShop({ domain, scopes: TEST_APP.scopes.split(","), currencyCode: "EUR" });
    expect((await openAdmin(domain)).status).toBe(200);
    expect((await shopOf(domain)).currency).toBe("EUR");

    // A first change (to CHF), its webhook held back; a second one (to GBP) a second later, delivered.
    const late = await emulator.changeShopCurrency(domain, "CHF", { deliver: false });
    await new Promise((r) => setTimeout(r, 1_100)); // Shopify's updated_at is in whole seconds
    const sent = await emulator.changeShopCurrency(domain, "GBP");
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();
    expect(await shopOf(domain)).toMatchObject({ currency: "GBP", currencyReadAt: expect.any(Date) });
    const delivered = await db.webhookDelivery.findFirstOrThrow({ where: { shop: domain, topic: "shop/update" } });
    expect(delivered).toMatchObject({ deadAt: null, lastError: null });
    expect(delivered.appliedAt).toBeInstanceOf(Date);

    // The CHF body arrives last (Shopify does not order deliveries): it is older, the GBP stays.
    const res = await fetch(late.url, { method: "POST", headers: late.signed.headers, body: late.signed.body });
    expect(res.status).toBe(200);
    await applyWebhooks();
    expect((await shopOf(domain)).currency).toBe("GBP");

    const customer = await createCustomer(db, domain, {}, emulator);
    const template = await createTemplate(db, domain, { purpose: "REFERRAL", pointsCost: null, kind: "STORE_CREDIT", value: "5.00" });
    const reward = await pendingReward(domain, customer.id, template.id);
    expect(reward.currency).toBe("GBP");
    await runWorkerOnce(deps(), config());
    expect(await reload(reward.id)).toMatchObject({ status: "ISSUED", currency: "GBP" });
    expect(emulator.storeCreditBalance(domain, customer.shopifyCustomerId!, "GBP")).toBe("5.0");
  });

  /** A signed shop/update of `currency` whose `updated_at` is `updatedAt` (whole seconds, as Shopify's REST writes it) and X-Shopify-Triggered-At `triggeredAt`; delivered by the returned function. */
  async function shopUpdate(domain: string, currency: string, updatedAt: string, triggeredAt: Date) {
    const held = await emulator.changeShopCurrency(domain, currency, { deliver: false });
    const body = JSON.stringify({ ...(JSON.parse(held.signed.body) as object), updated_at: updatedAt });
    const signed = signWebhook({ topic: "shop/update", shop: domain, body, secret: TEST_APP.apiSecret, triggeredAt });
    return async () => expect((await fetch(held.url, { method: "POST", headers: signed.headers, body: signed.body })).status).toBe(200);
  }
  /** A whole second a minute ahead of now: after the install's reading. */
  const nextSecond = () => new Date(Math.floor(Date.now() / 1000) * 1000 + 60_000);
  const shopTime = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, "+00:00");

  it("GIVEN two currency changes inside one second (EUR at .2, GBP at .7) WHEN their shop/update deliveries arrive in either order THEN the later change (GBP) stays, ordered by X-Shopify-Triggered-At within the signed second", async () => {
    for (const [n, order] of [[1, ["GBP", "EUR"]], [2, ["EUR", "GBP"]]] as const) {
      const domain = `same-second-${n}.myshopify.com`;
      emulator.addShop({ domain, scopes: TEST_APP.scopes.split(","), currencyCode: "USD" });
      expect((await openAdmin(domain)).status).toBe(200);
      const second = nextSecond();
      const deliveries = {
        EUR: await shopUpdate(domain, "EUR", shopTime(second), new Date(second.getTime() + 200)),
        GBP: await shopUpdate(domain, "GBP", shopTime(second), new Date(second.getTime() + 700)),
      };
      for (const currency of order) {
        await deliveries[currency]();
        await applyWebhooks();
      }
      expect(await shopOf(domain)).toMatchObject({ currency: "GBP", currencyReadAt: new Date(second.getTime() + 700) });
    }
  });

  it("GIVEN a shop/update whose X-Shopify-Triggered-At (not signed) is outside its signed updated_at second THEN it is dated the second's end, as without the header", async () => {
    const domain = "triggered-elsewhere.myshopify.com";
    emulator.addShop({ domain, scopes: TEST_APP.scopes.split(","), currencyCode: "USD" });
    expect((await openAdmin(domain)).status).toBe(200);
    const second = nextSecond();
    await (await shopUpdate(domain, "GBP", shopTime(second), new Date(second.getTime() + 700)))();
    await applyWebhooks();
    // Claims a later time than its signed second allows: taken as the second's end, which still follows .7.
    await (await shopUpdate(domain, "EUR", shopTime(second), new Date(second.getTime() + 5_000)))();
    await applyWebhooks();
    expect(await shopOf(domain)).toMatchObject({ currency: "EUR", currencyReadAt: new Date(second.getTime() + 999) });
    // Claims an earlier second: the second's end again, so it does not fall behind what it signed.
    await (await shopUpdate(domain, "CHF", shopTime(second), new Date(second.getTime() - 5_000)))();
    await applyWebhooks();
    expect(await shopOf(domain)).toMatchObject({ currency: "CHF", currencyReadAt: new Date(second.getTime() + 999) });
  });

  it("GIVEN the app asks Shopify for the shop (EUR) WHEN the merchant changes it to GBP while the question is in flight, its shop/update applied before the answer is stored THEN GBP stays: the answer is dated when the question was sent", async () => {
    const domain = "changed-in-flight.myshopify.com";
    emulator.addShop({ domain, scopes: TEST_APP.scopes.split(","), currencyCode: "EUR" });
    expect((await openAdmin(domain)).status).toBe(200);
    const adminFor = async (shop: string): Promise<AdminGraphql> => {
      const graphql = await fixture.adminGraphql(shop);
      return async (query, options) => {
        const sent = new Date();
        const answer = await graphql(query, options); // Shopify answered EUR
        await clockPast(sent); // the change comes strictly after the question was sent
        expect((await emulator.changeShopCurrency(domain, "GBP")).results[0].finalStatus).toBe(200);
        await applyWebhooks();
        expect((await shopOf(domain)).currency).toBe("GBP");
        return answer;
      };
    };
    const facts = await refreshShopFacts({ db, adminFor }, domain);
    expect(facts.ok).toBe(true);
    expect((await shopOf(domain)).currency).toBe("GBP");
  });

  it("GIVEN a shop installed before the currency was read (USD default, never read) WHEN the worker's pass runs THEN it reads Shopify's EUR once; an uninstalled shop is not asked", async () => {
    const domain = "never-read.myshopify.com";
    emulator.addShop({ domain, scopes: TEST_APP.scopes.split(","), currencyCode: "EUR" });
    expect((await openAdmin(domain)).status).toBe(200);
    await db.shop.update({ where: { domain }, data: { currency: "USD", currencyReadAt: null } });
    // Marked uninstalled here (its token still works in Shopify): the pass leaves it alone.
    const gone = "never-read-gone.myshopify.com";
    emulator.addShop({ domain: gone, scopes: TEST_APP.scopes.split(","), currencyCode: "EUR" });
    expect((await openAdmin(gone)).status).toBe(200);
    await db.shop.update({ where: { domain: gone }, data: { currency: "USD", currencyReadAt: null, uninstalledAt: new Date() } });

    await currencyPass().run(taskDeps(), logger);
    const read = await shopOf(domain);
    expect(read).toMatchObject({ currency: "EUR", currencyReadAt: expect.any(Date) });
    expect(await shopOf(gone)).toMatchObject({ currency: "USD", currencyReadAt: null });

    // Once: a later pass does not ask again (a change Shopify did not announce stays unseen until the
    // next shop/update or token exchange).
    await emulator.changeShopCurrency(domain, "JPY", { deliver: false });
    await currencyPass().run(taskDeps(), logger);
    expect(await shopOf(domain)).toMatchObject({ currency: "EUR", currencyReadAt: read.currencyReadAt });
  });

  it("GIVEN a shop/update whose currency is no currency a shop sells in (XXX) THEN it is dead-lettered naming currency, and the stored currency stays", async () => {
    const logged = allowErrorLogs(); // a dead letter is logged at error level, by design
    const domain = "odd-currency.myshopify.com";
    emulator.addShop({ domain, scopes: TEST_APP.scopes.split(","), currencyCode: "EUR" });
    expect((await openAdmin(domain)).status).toBe(200);
    const sent = await emulator.changeShopCurrency(domain, "XXX");
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();
    expect((await shopOf(domain)).currency).toBe("EUR");
    const dead = await db.webhookDelivery.findFirstOrThrow({ where: { shop: domain, topic: "shop/update" } });
    expect(dead).toMatchObject({ appliedAt: null, deadAt: expect.any(Date), attempts: 1 });
    expect(dead.lastError).toContain("the shop/update body has no currency a shop sells in (currency: a three-letter code of Shopify's CurrencyCode)");
    expect(logged.messages()).toEqual(["webhook effect failed for good; delivery dead-lettered"]);
  });
});

describe("a revoked or stale access token is detected", () => {
  it("a 401 during a storefront redemption: a clear error, no points spent, nothing saved, and the token is marked invalid like the worker does", async () => {
    // GIVEN an installed shop whose token Shopify has revoked, and a customer with points
    const domain = "redeem-revoked.myshopify.com";
    emulator.addShop({ domain, scopes: TEST_APP.scopes.split(","), currencyCode: "USD" });
    expect((await openAdmin(domain)).status).toBe(200);
    const customer = await createCustomer(db, domain, {}, emulator);
    await db.customer.update({ where: { id: customer.id }, data: { pointsBalance: 800 } });
    const option = await createTemplate(db, domain, { name: "$5 off", pointsCost: 500 });
    emulator.revokeAccessToken(domain);

    // WHEN the customer redeems on the storefront (signed like Shopify's app proxy)
    const numericId = customer.shopifyCustomerId.split("/").pop()!;
    const res = await fetch(emulator.appProxyUrl(domain, "/redeem", numericId), {
      method: "POST",
      headers: { "User-Agent": BROWSER_UA, Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ templateId: option.id, idempotencyKey: "redeem-revoked-1" }),
    });

    // THEN a plain error, nothing spent or saved, and the shop's token is marked for a fresh exchange
    expect(res.status).toBeGreaterThanOrEqual(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message.length).toBeGreaterThan(10);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(800);
    expect(await db.reward.count({ where: { shop: domain } })).toBe(0);
    expect((await offlineSession(domain))?.accessToken).toBe("");
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).accessRevokedAt).toBeInstanceOf(Date);
  });

  it("a 401 pauses the shop without using an attempt, says why in the history, and the next admin load fetches a fresh token and resumes", async () => {
    const domain = "rotated-token.myshopify.com";
    const { reward, customer, template } = await installedShopWithPendingReward(domain);
    emulator.revokeAccessToken(domain);

    await runWorkerOnce(deps(), config());
    expect(emulator.inspect.countCalls(undefined, { shop: domain, outcome: "unauthorized" })).toBe(1);
    const paused = await reload(reward.id);
    expect(paused).toMatchObject({ status: "PENDING", attempts: 0, claimedBy: null, failureCode: null, failureMessage: null });
    expect(paused.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() + 5 * HOUR);
    const events = await db.rewardEvent.findMany({ where: { rewardId: reward.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    expect(events.map((e) => e.type)).toEqual(["CREATED", "NOTE"]);
    expect(events[1].reason).toBe(PAUSE_REASONS.access_revoked);
    expect(events[1].reason).toContain("HTTP 401");
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).accessRevokedAt).toBeInstanceOf(Date);
    expect((await offlineSession(domain))?.accessToken).toBe("");

    // The shop's other work waits too, without calling Shopify again.
    const second = await pendingReward(domain, customer.id, template.id);
    const calls = emulator.inspect.countCalls(undefined, { shop: domain });
    const summary = await runWorkerOnce(deps(), config());
    expect(summary.outcomes.deferred_access_revoked).toBeGreaterThanOrEqual(1);
    expect(emulator.inspect.countCalls(undefined, { shop: domain })).toBe(calls);
    expect(await reload(second.id)).toMatchObject({ status: "PENDING", attempts: 0 });

    // The merchant opens the app: the library sees no usable token and exchanges a fresh one.
    expect((await openAdmin(domain)).status).toBe(200);
    expect(emulator.acceptsToken(domain, (await offlineSession(domain))?.accessToken ?? "")).toBe(true);
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).accessRevokedAt).toBeNull();
    await runWorkerOnce(deps(), config());
    expect(await reload(reward.id)).toMatchObject({ status: "ISSUED", attempts: 1 });
    expect(await reload(second.id)).toMatchObject({ status: "ISSUED", attempts: 1 });
  });

  it("a 401 in the middle of a batch holding two shops' rewards pauses that shop only: the other shop's rewards are issued in the same round", async () => {
    const revoked = await installedShopWithPendingReward("batch-revoked.myshopify.com");
    const healthy = await installedShopWithPendingReward("batch-healthy.myshopify.com");
    const revokedSecond = await pendingReward("batch-revoked.myshopify.com", revoked.customer.id, revoked.template.id);
    const healthySecond = await pendingReward("batch-healthy.myshopify.com", healthy.customer.id, healthy.template.id);
    emulator.revokeAccessToken("batch-revoked.myshopify.com");

    const summary = await runWorkerOnce(deps(), config());
    expect(summary.outcomes.deferred_access_revoked).toBe(2);
    for (const r of [revoked.reward, revokedSecond]) expect(await reload(r.id)).toMatchObject({ status: "PENDING", attempts: 0, claimedBy: null });
    for (const r of [healthy.reward, healthySecond]) expect(await reload(r.id)).toMatchObject({ status: "ISSUED", attempts: 1 });
    expect(emulator.inspect.countCalls(undefined, { shop: "batch-revoked.myshopify.com", outcome: "unauthorized" })).toBe(1);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: "batch-healthy.myshopify.com" } })).accessRevokedAt).toBeNull();
    expect(emulator.acceptsToken("batch-healthy.myshopify.com", (await offlineSession("batch-healthy.myshopify.com"))!.accessToken)).toBe(true);

    expect((await openAdmin("batch-revoked.myshopify.com")).status).toBe(200);
    await runWorkerOnce(deps(), config());
    for (const r of [revoked.reward, revokedSecond]) expect(await reload(r.id)).toMatchObject({ status: "ISSUED", attempts: 1 });
  });

  it("a 401 for a token that was replaced while the call was in flight does not pause the shop: the reward is retried at once", async () => {
    const domain = "replaced-in-flight.myshopify.com";
    const { reward } = await installedShopWithPendingReward(domain);
    emulator.revokeAccessToken(domain);
    // The worker reads the (now revoked) stored token; right after, an admin load stores the fresh one.
    const racing: WorkerDeps = {
      ...deps(),
      adminFor: async (shop) => {
        const graphql = await fixture.adminGraphql(shop);
        if (shop === domain) {
          await clockPast(new Date());
          await db.session.update({ where: { id: `offline_${domain}` }, data: { accessToken: emulator.store.getShop(domain)!.accessToken } });
        }
        return graphql;
      },
    };
    await runWorkerOnce(racing, config());
    expect(emulator.inspect.countCalls(undefined, { shop: domain, outcome: "unauthorized" })).toBe(1);
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).accessRevokedAt).toBeNull();
    expect((await offlineSession(domain))?.accessToken).toBe(emulator.store.getShop(domain)!.accessToken);
    const retried = await reload(reward.id);
    expect(retried).toMatchObject({ status: "PENDING", attempts: 0, claimedBy: null });
    expect(retried.nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now());
    await runWorkerOnce(deps(), config());
    expect(await reload(reward.id)).toMatchObject({ status: "ISSUED", attempts: 1 });
  });

  it("a late app/uninstalled (triggered before the new token was stored) keeps the new session and the shop installed", async () => {
    const domain = "quick-return.myshopify.com";
    const { reward } = await installedShopWithPendingReward(domain);
    // The merchant uninstalls; Shopify's delivery of app/uninstalled is delayed.
    const late = await emulator.uninstall(domain, { deliver: false });
    const triggeredAt = new Date(late.signed.triggeredAt);
    // ...and reinstalls at once. The app still holds the old token: its first call gets 401.
    emulator.reinstall(domain);
    await runWorkerOnce(deps(), config());
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).accessRevokedAt).toBeInstanceOf(Date);
    await clockPast(triggeredAt);
    expect((await openAdmin(domain)).status).toBe(200);
    const fresh = await offlineSession(domain);
    expect(emulator.acceptsToken(domain, fresh?.accessToken ?? "")).toBe(true);

    const delivered = await emulator.deliverer.deliver(late.url, late.signed);
    await applyWebhooks(); // the worker applies what the app recorded
    expect(delivered[0].finalStatus).toBe(200);

    expect((await offlineSession(domain))?.accessToken).toBe(fresh!.accessToken);
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).uninstalledAt).toBeNull();
    await runWorkerOnce(deps(), config());
    expect(await reload(reward.id)).toMatchObject({ status: "ISSUED", attempts: 1 });
  });

  it("the body of an earlier, applied uninstall sent again after a reinstall (new webhook id, fresh Triggered-At) deletes nothing: Shopify still accepts the app's token", async () => {
    const domain = "replayed-uninstall.myshopify.com";
    await installedShopWithPendingReward(domain);
    const genuine = await emulator.uninstall(domain);
    await applyWebhooks();
    expect(await offlineSession(domain)).toBeNull();
    emulator.reinstall(domain);
    expect((await openAdmin(domain)).status).toBe(200);
    const fresh = await offlineSession(domain);
    expect(emulator.acceptsToken(domain, fresh?.accessToken ?? "")).toBe(true);

    // The captured body under its own topic: the HMAC covers the body only, so it is valid again.
    const replay = await emulator.sendWebhook("app/uninstalled", domain, genuine.signed.body);
    await applyWebhooks();
    expect(replay.results[0].finalStatus).toBe(200);

    expect((await offlineSession(domain))?.accessToken).toBe(fresh!.accessToken);
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).uninstalledAt).toBeNull();
    // The worker still reaches the shop.
    expect(emulator.acceptsToken(domain, (await offlineSession(domain))!.accessToken)).toBe(true);
  });

  it("app/uninstalled delivered twice, then its same delivery again after the reinstall, and a shop/update from before the uninstall delivered last: one pause, the reinstall stands, the reinstall's currency stays", async () => {
    const domain = "uninstall-twice.myshopify.com";
    const { reward } = await installedShopWithPendingReward(domain);
    // The merchant changes the currency (its shop/update held back), then uninstalls.
    const oldUpdate = await emulator.changeShopCurrency(domain, "EUR", { deliver: false });
    await new Promise((r) => setTimeout(r, 1_100)); // Shopify's updated_at is in whole seconds
    await clockPast((await offlineSession(domain))!.storedAt);
    const uninstall = await emulator.uninstall(domain, { duplicates: 1 });
    expect(uninstall.results.map((r) => r.finalStatus)).toEqual([200, 200]);
    await applyWebhooks();
    const uninstalledAt = (await db.shop.findUniqueOrThrow({ where: { domain } })).uninstalledAt;
    expect(uninstalledAt).toBeInstanceOf(Date);
    expect(await offlineSession(domain)).toBeNull();
    await runWorkerOnce(deps(), config());
    await runWorkerOnce({ ...deps(), now: () => new Date(Date.now() + 7 * HOUR) }, config());
    expect(await db.rewardEvent.count({ where: { rewardId: reward.id, type: "NOTE", reason: PAUSE_REASONS.uninstalled } })).toBe(1);

    // Reinstalled with the currency changed again meanwhile; then Shopify delivers the uninstall once
    // more (same webhook id) and the old shop/update at last.
    await emulator.changeShopCurrency(domain, "GBP", { deliver: false });
    emulator.reinstall(domain);
    expect((await openAdmin(domain)).status).toBe(200);
    const fresh = (await offlineSession(domain))!;
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).currency).toBe("GBP");
    const again = await emulator.deliverer.deliver(uninstall.url, uninstall.signed);
    expect(again[0].finalStatus).toBe(200);
    const old = await fetch(oldUpdate.url, { method: "POST", headers: oldUpdate.signed.headers, body: oldUpdate.signed.body });
    expect(old.status).toBe(200);
    await applyWebhooks();

    expect((await offlineSession(domain))?.accessToken).toBe(fresh.accessToken);
    expect(await db.shop.findUniqueOrThrow({ where: { domain } })).toMatchObject({ uninstalledAt: null, accessRevokedAt: null, currency: "GBP" });
    await runWorkerOnce(deps(), config());
    expect(await reload(reward.id)).toMatchObject({ status: "ISSUED", attempts: 1 });
  });

  it("a genuine app/uninstalled triggered while a token refresh was in flight (asked before the uninstall, stored after it) uninstalls the shop: a refreshed token is no reinstall", async () => {
    const domain = "refresh-then-uninstall.myshopify.com";
    const { reward } = await installedShopWithPendingReward(domain);
    const installed = (await offlineSession(domain))!;
    await clockPast(installed.storedAt);
    let uninstall: Awaited<ReturnType<typeof emulator.uninstall>> | undefined;
    const refreshed = await ensureFreshOfflineToken(
      {
        db,
        logger,
        now: () => new Date(),
        refresh: async (shop, refreshToken) => {
          const pair = await refreshGrant(shop, refreshToken); // Shopify answers the refresh…
          uninstall = await emulator.uninstall(domain, { deliver: false }); // …and the merchant uninstalls before the app stores it
          await clockPast(new Date(uninstall.signed.triggeredAt));
          return pair;
        },
      },
      domain,
      { rejectedToken: installed.accessToken },
    );
    expect(refreshed).toMatchObject({ ok: true, refreshed: true });
    expect((await offlineSession(domain))?.accessToken).not.toBe(installed.accessToken);

    const delivered = await emulator.deliverer.deliver(uninstall!.url, uninstall!.signed);
    expect(delivered[0].finalStatus).toBe(200);
    await applyWebhooks();

    expect(await offlineSession(domain)).toBeNull();
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).uninstalledAt).toBeInstanceOf(Date);
    const calls = emulator.inspect.countCalls(undefined, { shop: domain });
    expect((await runWorkerOnce(deps(), config())).outcomes).toEqual({ deferred_uninstalled: 1 });
    expect(emulator.inspect.countCalls(undefined, { shop: domain })).toBe(calls);
    expect(await db.rewardEvent.findFirst({ where: { rewardId: reward.id, type: "NOTE" } })).toMatchObject({ reason: PAUSE_REASONS.uninstalled });
  });

  it("an app/uninstalled triggered after the token was stored still deletes it and stops the shop", async () => {
    const domain = "really-gone.myshopify.com";
    await installedShopWithPendingReward(domain);
    const stored = (await offlineSession(domain))!.storedAt;
    await clockPast(stored);
    const sent = await emulator.uninstall(domain);
    await applyWebhooks(); // the worker applies what the app recorded
    expect(sent.results[0].finalStatus).toBe(200);
    expect(await offlineSession(domain)).toBeNull();
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).uninstalledAt).toBeInstanceOf(Date);
  });
});

describe("shop/redact is applied only once Shopify no longer accepts the app's token", () => {
  const DAY = 24 * HOUR;
  const shopRows = async (domain: string) => ({
    customers: await db.customer.count({ where: { shop: domain } }),
    rewards: await db.reward.count({ where: { shop: domain } }),
    sessions: await db.session.count({ where: { shop: domain } }),
    shop: await db.shop.count({ where: { domain } }),
  });

  it("a captured shop/redact body sent again while the app is installed (new webhook id) erases nothing, and the delivery counts as applied", async () => {
    const domain = "replayed-shop-redact.myshopify.com";
    await installedShopWithPendingReward(domain);
    // A signed shop/redact body of this shop, captured (Shopify sends one 48 h after an uninstall).
    const captured = await emulator.shopRedact(domain, { deliver: false });
    const before = await shopRows(domain);
    expect(before).toMatchObject({ customers: 1, rewards: 1, sessions: 1, shop: 1 });

    const replay = await emulator.sendWebhook("shop/redact", domain, captured.signed.body);
    expect(replay.results[0].finalStatus).toBe(200);
    const summary = await applyWebhooks();

    expect(summary).toMatchObject({ applied: 1, retried: 0, dead: 0 });
    expect(await shopRows(domain)).toEqual(before);
    expect(emulator.acceptsToken(domain, (await offlineSession(domain))!.accessToken)).toBe(true);
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { shop: domain, webhookId: replay.signed.webhookId } });
    expect(delivery).toMatchObject({ appliedAt: expect.any(Date), lastError: null, deadAt: null, payload: null });
  });

  it("Shopify out of reach: the erasure waits and is retried (data kept), and on the delivery's last attempt the shop is erased", async () => {
    const domain = "unreachable-shop-redact.myshopify.com";
    await installedShopWithPendingReward(domain);
    const fault = emulator.faults.networkError({ operationName: "LoyaltyShopInfo", shop: domain }, "forever");
    const sent = await emulator.shopRedact(domain);
    expect(sent.results[0].finalStatus).toBe(200);

    expect(await applyWebhooks()).toMatchObject({ retried: 1, applied: 0 });
    const waiting = await db.webhookDelivery.findFirstOrThrow({ where: { shop: domain, webhookId: sent.signed.webhookId } });
    expect(waiting).toMatchObject({ attempts: 1, appliedAt: null, deadAt: null });
    expect(waiting.lastError).toContain("could not be asked whether the app is still installed");
    expect(await shopRows(domain)).toMatchObject({ customers: 1, rewards: 1, sessions: 1, shop: 1 });

    // Each later attempt, once due, still gets no answer; the last one erases.
    for (let attempt = 2; attempt <= WEBHOOK_RETRY_POLICY.maxAttempts; attempt++) {
      const at = new Date(Date.now() + attempt * DAY);
      await applyWebhooks({ now: () => at });
      if (attempt < WEBHOOK_RETRY_POLICY.maxAttempts) expect(await shopRows(domain), `attempt ${attempt}`).toMatchObject({ customers: 1, shop: 1 });
    }
    expect(fault.fired).toBe(WEBHOOK_RETRY_POLICY.maxAttempts);
    expect(await shopRows(domain)).toEqual({ customers: 0, rewards: 0, sessions: 0, shop: 0 });
  });

  it("uninstalled, its app/uninstalled not applied yet: Shopify refuses the stored token (401), so shop/redact waits for the uninstall, then erases the shop", async () => {
    const domain = "lost-uninstall-redact.myshopify.com";
    await installedShopWithPendingReward(domain);
    const uninstall = await emulator.uninstall(domain, { deliver: false });
    const sent = await emulator.shopRedact(domain);
    expect(sent.results[0].finalStatus).toBe(200);
    expect(await applyWebhooks()).toMatchObject({ retried: 1, applied: 0 });
    expect(emulator.inspect.countCalls(undefined, { shop: domain, outcome: "unauthorized" })).toBeGreaterThanOrEqual(1);
    const waiting = await db.webhookDelivery.findFirstOrThrow({ where: { shop: domain, webhookId: sent.signed.webhookId } });
    expect(waiting).toMatchObject({ appliedAt: null, deadAt: null });
    expect(waiting.lastError).toContain("no uninstall");
    expect(await shopRows(domain)).toMatchObject({ customers: 1, rewards: 1, shop: 1 });

    // Shopify's (retried) app/uninstalled arrives: the uninstall is recorded and the erasure is due at once.
    expect((await emulator.deliverer.deliver(uninstall.url, uninstall.signed))[0].finalStatus).toBe(200);
    await applyWebhooks();
    await applyWebhooks();
    expect(await shopRows(domain)).toEqual({ customers: 0, rewards: 0, sessions: 0, shop: 0 });
  });

  it("a shop/redact dead-lettered while it waited for the uninstall is applied once app/uninstalled is (Shopify's late delivery)", async () => {
    const domain = "late-uninstall-dead-redact.myshopify.com";
    allowErrorLogs(); // the last attempt dead-letters the delivery
    await installedShopWithPendingReward(domain);
    const uninstall = await emulator.uninstall(domain, { deliver: false });
    const sent = await emulator.shopRedact(domain);
    for (let attempt = 1; attempt <= WEBHOOK_RETRY_POLICY.maxAttempts; attempt++) await applyWebhooks({ now: () => new Date(Date.now() + attempt * DAY) });
    expect(await db.webhookDelivery.findFirstOrThrow({ where: { shop: domain, webhookId: sent.signed.webhookId } })).toMatchObject({ deadAt: expect.any(Date), appliedAt: null });
    expect(await shopRows(domain)).toMatchObject({ customers: 1, shop: 1 });

    expect((await emulator.deliverer.deliver(uninstall.url, uninstall.signed))[0].finalStatus).toBe(200);
    await applyWebhooks();
    await applyWebhooks();
    expect(await shopRows(domain)).toEqual({ customers: 0, rewards: 0, sessions: 0, shop: 0 });
  });

  it("a captured shop/redact sent again while the app is installed but its token is refused (revoked, or a refresh refused) erases nothing, on any attempt", async () => {
    const domain = "refused-token-replay.myshopify.com";
    allowErrorLogs(); // the last attempt dead-letters the delivery (an error line, as for every dead letter)
    await installedShopWithPendingReward(domain);
    const captured = await emulator.shopRedact(domain, { deliver: false });
    // Shopify stops accepting the stored token while the app stays installed; the worker notices (401).
    emulator.revokeAccessToken(domain);
    await runWorkerOnce(deps(), config());
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).accessRevokedAt).toBeInstanceOf(Date);

    const replay = await emulator.sendWebhook("shop/redact", domain, captured.signed.body);
    expect(replay.results[0].finalStatus).toBe(200);
    for (let attempt = 1; attempt <= WEBHOOK_RETRY_POLICY.maxAttempts; attempt++) {
      await applyWebhooks({ now: () => new Date(Date.now() + attempt * DAY) });
      expect(await shopRows(domain), `attempt ${attempt}`).toMatchObject({ customers: 1, rewards: 1, sessions: 1, shop: 1 });
    }
    const dead = await db.webhookDelivery.findFirstOrThrow({ where: { shop: domain, webhookId: replay.signed.webhookId } });
    expect(dead).toMatchObject({ appliedAt: null, deadAt: expect.any(Date) });
    expect(dead.lastError).toContain("no uninstall");

    // The merchant opens the app (fresh token): re-queued from the admin, the delivery changes nothing.
    expect((await openAdmin(domain)).status).toBe(200);
    expect(await retryDeadLetter(db, domain, dead.id, new Date())).toEqual({ ok: true });
    expect(await applyWebhooks()).toMatchObject({ applied: 1 });
    expect(await shopRows(domain)).toMatchObject({ customers: 1, rewards: 1, sessions: 1, shop: 1 });
  });

  it("old app/uninstalled and shop/redact bodies, validly signed and replayed with their own Triggered-At (new webhook ids) while the reinstalled shop's token is refused, neither uninstall nor erase it: both were triggered before its current installation", async () => {
    const domain = "replayed-lifecycle-pair.myshopify.com";
    await installedShopWithPendingReward(domain);
    // An earlier installation ends: a genuine uninstall, applied; its shop/redact body is captured.
    const uninstall = await emulator.uninstall(domain);
    await applyWebhooks();
    expect(await offlineSession(domain)).toBeNull();
    const redact = await emulator.shopRedact(domain, { deliver: false });
    // The merchant installs the app again (token exchange after both events).
    emulator.reinstall(domain);
    await clockPast(new Date(redact.signed.triggeredAt));
    expect((await openAdmin(domain)).status).toBe(200);
    // Shopify stops accepting the new token while the app stays installed; the worker notices (401).
    emulator.revokeAccessToken(domain);
    await runWorkerOnce(deps(), config());
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).accessRevokedAt).toBeInstanceOf(Date);
    const before = await shopRows(domain);
    expect(before).toMatchObject({ customers: 1, rewards: 1, sessions: 1, shop: 1 });

    for (const old of [uninstall, redact]) expect((await emulator.deliverer.deliver(old.url, redeliverAsNewWebhook(old.signed)))[0].finalStatus).toBe(200);
    expect(await applyWebhooks()).toMatchObject({ applied: 2, retried: 0, dead: 0 });
    await applyWebhooks();

    expect(await shopRows(domain)).toEqual(before);
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).uninstalledAt).toBeNull();
    // The merchant opens the app: it reconnects and the shop's work goes on.
    expect((await openAdmin(domain)).status).toBe(200);
    expect(emulator.acceptsToken(domain, (await offlineSession(domain))?.accessToken ?? "")).toBe(true);
  });

  it("a genuine shop/redact whose app/uninstalled was lost: Shopify refuses the token and the request came 48 h or more after the app last got a token, so the uninstall and the erasure are applied at once, once", async () => {
    const domain = "lost-uninstall-erased.myshopify.com";
    await installedShopWithPendingReward(domain);
    // The app got its token three days ago; the merchant uninstalled and Shopify's app/uninstalled
    // never reached the app; Shopify's shop/redact follows (48 h after the uninstall).
    await db.shop.update({ where: { domain }, data: { installedAt: new Date(Date.now() - 3 * DAY) } });
    const lost = await emulator.uninstall(domain, { deliver: false });
    const sent = await emulator.shopRedact(domain);
    expect(sent.results[0].finalStatus).toBe(200);

    expect(await applyWebhooks()).toMatchObject({ applied: 1, retried: 0, dead: 0 });
    expect(emulator.inspect.countCalls(undefined, { shop: domain, outcome: "unauthorized" })).toBeGreaterThanOrEqual(1);
    expect(await shopRows(domain)).toEqual({ customers: 0, rewards: 0, sessions: 0, shop: 0 });
    expect(await db.webhookDelivery.count({ where: { shop: domain } })).toBe(0);

    // Once: the lost app/uninstalled reaching the app afterwards writes nothing for the erased shop.
    expect((await emulator.deliverer.deliver(lost.url, lost.signed))[0].finalStatus).toBe(200);
    for (let attempt = 1; attempt <= WEBHOOK_RETRY_POLICY.maxAttempts; attempt++) await applyWebhooks({ now: () => new Date(Date.now() + attempt * DAY) });
    expect(await shopRows(domain)).toEqual({ customers: 0, rewards: 0, sessions: 0, shop: 0 });
    expect(await db.webhookDelivery.count({ where: { shop: domain } })).toBe(0);
  });

  it("a shop/redact whose (unsigned) Triggered-At claims a time 3 days ahead is not taken as 48 h after the app's token: with the token refused and no uninstall recorded, it waits", async () => {
    const domain = "future-triggered-redact.myshopify.com";
    await installedShopWithPendingReward(domain);
    emulator.revokeAccessToken(domain);
    const captured = await emulator.shopRedact(domain, { deliver: false });
    const forged = signWebhook({ topic: "shop/redact", shop: domain, body: captured.signed.body, secret: TEST_APP.apiSecret, triggeredAt: new Date(Date.now() + 3 * DAY) });
    expect((await emulator.deliverer.deliver(captured.url, forged))[0].finalStatus).toBe(200);
    expect(await applyWebhooks()).toMatchObject({ retried: 1, applied: 0 });
    expect((await db.webhookDelivery.findFirstOrThrow({ where: { shop: domain, webhookId: forged.webhookId } })).lastError).toContain("no uninstall");
    expect(await shopRows(domain)).toMatchObject({ customers: 1, rewards: 1, sessions: 1, shop: 1 });
  });
});
