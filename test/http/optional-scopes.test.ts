// Optional scopes: gift card and store credit access is declared as `optional_scopes` in
// shopify.app.toml, so an install grants only the required scopes. Shopify answers ACCESS_DENIED for
// the rest; the merchant grants them later through App Bridge's scopes API, and Shopify sends
// app/scopes_update. The old emulator knew no optional scopes and sent no app/scopes_update.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { merchantExplanation } from "~/copy/admin";
import { runWorkerOnce, workerConfig } from "~/jobs/worker.server";
import { issueRewardAsync } from "~/services/rewards/issue-async.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { applyWebhooks } from "../support/webhooks";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { createCustomer, createTemplate } from "../support/factories";

const { emulator, adminGraphql } = useShopifyEmulator();
const SHOP = TEST_APP.shop;
const app = useRunningApp({ emulator });
const REQUIRED = ["read_customers", "read_discounts", "write_discounts", "read_orders", "write_app_proxy"];
const GIFT_CARD_SCOPES = ["read_gift_cards", "write_gift_cards"];

let customerId: string;
let templateId: string;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD", planDisplayName: "Shopify Plus", giftCards: true, scopes: REQUIRED });
  // What token exchange stored at install: the granted (required) scopes.
  await db.session.update({ where: { id: `offline_${SHOP}` }, data: { scope: REQUIRED.join(",") } });
  customerId = (await createCustomer(db, SHOP, {}, emulator)).id;
  templateId = (await createTemplate(db, SHOP, { purpose: "MANUAL", kind: "GIFT_CARD", value: "5.00", pointsCost: null, expiryDays: 30 })).id;
});

const workerDeps = () => ({ db, logger, adminFor: (shop: string) => adminGraphql(shop), now: () => new Date() });
const config = () => workerConfig({ workerId: "w", leaseMs: 60_000, jitterRandom: () => 0, perShopConcurrency: 1, shopifyTimeoutMs: 5_000 });

async function issueGiftCard() {
  const r = await issueRewardAsync(workerDeps(), { shop: SHOP, customer: { id: customerId }, templateId, source: "MANUAL", reason: "Thanks" });
  if (!r.ok) throw new Error(r.error.message);
  await runWorkerOnce(workerDeps(), config());
  return db.reward.findUniqueOrThrow({ where: { id: r.reward.id } });
}

async function issuableTemplates() {
  const customer = await db.customer.findUniqueOrThrow({ where: { id: customerId } });
  const url = new URL(`/app/customers/${customer.id}`, app.url);
  url.searchParams.set("_data", "routes/app.customers.$id");
  const res = await fetch(url, { headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(SHOP)}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { templates: { id: string; missingScopes: string[] }[] }).templates;
}

describe("before the merchant grants gift card access", () => {
  it("Shopify answers ACCESS_DENIED (its error shape) to giftCardCreate", async () => {
    const graphql = await adminGraphql(SHOP);
    // The library throws the GraphQL errors of a 200 answer (GraphqlQueryError, body.errors.graphQLErrors).
    const thrown = (await graphql(`mutation { giftCardCreate(input: { initialValue: "5.00" }) { giftCard { id } userErrors { message } } }`).catch((e: unknown) => e)) as {
      body?: { errors?: { graphQLErrors?: { message: string; extensions: Record<string, unknown> }[] } };
    };
    expect(thrown.body?.errors?.graphQLErrors?.[0]).toMatchObject({
      message: expect.stringContaining("Access denied for giftCardCreate field"),
      extensions: { code: "ACCESS_DENIED", documentation: "https://shopify.dev/api/usage/access-scopes", requiredAccess: expect.stringContaining("write_gift_cards") },
    });
  });

  it("a gift card reward fails with its own reason — access not granted — not as 'gift cards unavailable'", async () => {
    const reward = await issueGiftCard();
    expect(reward).toMatchObject({ status: "FAILED", failureCode: "scope_not_granted" });
    expect(merchantExplanation("scope_not_granted").summary).toMatch(/hasn't been granted access/);
  });

  it("a store credit reward (its optional scope not granted, or taken away by an app/scopes_update) fails with the same reason — access not granted — not as 'missing access'", async () => {
    const storeCredit = await createTemplate(db, SHOP, { purpose: "MANUAL", kind: "STORE_CREDIT", value: "5.00", pointsCost: null });
    const r = await issueRewardAsync(workerDeps(), { shop: SHOP, customer: { id: customerId }, templateId: storeCredit.id, source: "MANUAL", reason: "Thanks" });
    if (!r.ok) throw new Error(r.error.message);
    await runWorkerOnce(workerDeps(), config());
    expect(await db.reward.findUniqueOrThrow({ where: { id: r.reward.id } })).toMatchObject({ status: "FAILED", failureCode: "scope_not_granted", attempts: 1 });
  });

  it("the Ways to redeem form asks for access for gift cards and store credit, and the storefront doesn't offer them yet", async () => {
    const url = new URL("/app/ways-to-redeem/new", app.url);
    url.searchParams.set("_data", "routes/app.ways-to-redeem.$id");
    const res = await fetch(url, { headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(SHOP)}` } });
    expect(res.status).toBe(200);
    const { missingScopes } = (await res.json()) as { missingScopes: Record<string, string[]> };
    expect(missingScopes.GIFT_CARD).toEqual(["write_gift_cards"]);
    expect(missingScopes.STORE_CREDIT!.length).toBeGreaterThan(0);
    expect(missingScopes.FIXED_AMOUNT).toEqual([]);

    await db.rewardTemplate.create({ data: { shop: SHOP, purpose: "POINTS_REDEMPTION", kind: "GIFT_CARD", name: "Gift card for points", value: "10.00", pointsCost: 1000 } });
    const program = await fetch(emulator.appProxyUrl(SHOP, "/program", null), { headers: { "User-Agent": BROWSER_UA, Accept: "application/json" } });
    const body = (await program.json()) as { redemptionOptions: { name: string }[] };
    expect(body.redemptionOptions.map((o) => o.name)).not.toContain("Gift card for points");
  });

  it("the issue form marks the gift card reward as needing access", async () => {
    expect((await issuableTemplates()).find((t) => t.id === templateId)?.missingScopes).toEqual(["write_gift_cards"]);
  });
});

describe("the merchant grants access (App Bridge scopes.request)", () => {
  it("only declared optional scopes can be requested", async () => {
    await expect(emulator.requestScopes(SHOP, ["write_products"])).rejects.toThrow(/optional_scopes/);
  });

  it("grants them, sends app/scopes_update with Shopify's payload, and the app records the new scopes", async () => {
    const answer = await emulator.requestScopes(SHOP, GIFT_CARD_SCOPES);
    expect(answer).toMatchObject({ result: "granted-all", detail: { granted: GIFT_CARD_SCOPES, declined: [] } });
    const payload = JSON.parse(answer.webhook!.signed.body) as Record<string, unknown>;
    expect(payload).toEqual({ id: expect.any(Number), previous: REQUIRED, current: [...REQUIRED, ...GIFT_CARD_SCOPES], updated_at: expect.any(String), shop_id: expect.any(Number) });
    expect(answer.webhook!.results[0].finalStatus).toBe(200);
    await applyWebhooks();
    expect((await db.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } })).scope).toBe([...REQUIRED, ...GIFT_CARD_SCOPES].join(","));
    expect((await issuableTemplates()).find((t) => t.id === templateId)?.missingScopes).toEqual([]);
    // The storefront offers the gift card option from then on.
    const program = await fetch(emulator.appProxyUrl(SHOP, "/program", null), { headers: { "User-Agent": BROWSER_UA, Accept: "application/json" } });
    expect(((await program.json()) as { redemptionOptions: { name: string }[] }).redemptionOptions.map((o) => o.name)).toContain("Gift card for points");
  });

  it("gift card rewards are created from then on", async () => {
    const reward = await issueGiftCard();
    expect(reward).toMatchObject({ status: "ISSUED", failureCode: null });
  });
});

describe("the stand-in App Bridge of the local admin", () => {
  it("answers scopes.query and scopes.request like App Bridge's scopes API", async () => {
    const emulatorOrigin = "https://admin-host.local";
    const query = await emulator.handle(new Request(`${emulatorOrigin}/admin-host/scopes?shop=${SHOP}`));
    expect(await query.json()).toMatchObject({ granted: expect.arrayContaining(GIFT_CARD_SCOPES), optional: expect.arrayContaining(GIFT_CARD_SCOPES) });
    const refused = await emulator.handle(
      new Request(`${emulatorOrigin}/admin-host/scopes/request?shop=${SHOP}`, { method: "POST", body: JSON.stringify({ scopes: ["write_products"] }) }),
    );
    expect(refused.status).toBe(400);
  });
});

describe("right after the merchant granted access, before the worker applied app/scopes_update", () => {
  const postScopes = (method = "POST") =>
    fetch(new URL("/app/scopes", app.url), { method, headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(SHOP)}` } });

  it("POST /app/scopes asks Shopify and stores the granted scopes at once, so the issue form no longer asks for access", async () => {
    // The webhook has not been applied yet: the stored scopes are still the install's.
    await db.session.update({ where: { id: `offline_${SHOP}` }, data: { scope: REQUIRED.join(",") } });
    expect((await issuableTemplates()).find((t) => t.id === templateId)?.missingScopes).toEqual(["write_gift_cards"]);
    const res = await postScopes();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; granted: string[] };
    expect(body.ok).toBe(true);
    expect(body.granted).toEqual(expect.arrayContaining([...REQUIRED, ...GIFT_CARD_SCOPES]));
    expect((await db.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } })).scope?.split(",")).toEqual(expect.arrayContaining(GIFT_CARD_SCOPES));
    expect((await issuableTemplates()).find((t) => t.id === templateId)?.missingScopes).toEqual([]);
  });

  it("answers 405 to anything but POST, and sends a request without a session token away", async () => {
    const get = await fetch(new URL("/app/scopes?_data=routes/app.scopes", app.url), { headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(SHOP)}` } });
    expect(get.status).toBe(405);
    // Without a session token the library sends the request to log in; nothing is answered or stored.
    const anonymous = await fetch(new URL("/app/scopes", app.url), { method: "POST", redirect: "manual", headers: { "User-Agent": BROWSER_UA } });
    expect([302, 401]).toContain(anonymous.status);
    expect(await anonymous.text()).not.toMatch(/granted/);
  });
});

describe("app/scopes_update deliveries out of order", () => {
  it("GIVEN two grants whose app/scopes_update arrive newest first THEN the stored scopes are what Shopify has granted now, not the older body's", async () => {
    const older = await emulator.requestScopes(SHOP, ["read_store_credit_accounts"], { webhook: { deliver: false } });
    const newer = await emulator.requestScopes(SHOP, ["write_store_credit_account_transactions"], { webhook: { deliver: false } });
    const olderBody = JSON.parse(older.webhook!.signed.body) as { current: string[] };
    expect(olderBody.current).not.toContain("write_store_credit_account_transactions");
    for (const sent of [newer.webhook!, older.webhook!]) {
      const res = await fetch(sent.url, { method: "POST", headers: sent.signed.headers, body: sent.signed.body });
      expect(res.status).toBe(200);
      await applyWebhooks();
    }
    const stored = (await db.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } })).scope?.split(",") ?? [];
    expect(stored).toEqual(expect.arrayContaining([...REQUIRED, ...GIFT_CARD_SCOPES, "read_store_credit_accounts", "write_store_credit_account_transactions"]));
    const deliveries = await db.webhookDelivery.findMany({ where: { webhookId: { in: [older.webhook!.signed.webhookId, newer.webhook!.signed.webhookId] } } });
    expect(deliveries.map((d) => d.appliedAt !== null)).toEqual([true, true]);
  });
});

describe("access taken away while rewards of that kind are Pending or being canceled, then granted again", () => {
  // The merchant reduces the app's access without uninstalling it (appRevokeAccessScopes: "allowing
  // merchants to reduce an app's permissions without completely uninstalling it",
  // https://shopify.dev/docs/api/admin-graphql/latest/mutations/appRevokeAccessScopes), or the app's
  // required scopes change; Shopify sends app/scopes_update with the previous and current scopes.
  const REVOKING = "scopes-revoked.myshopify.com";
  let customer: { id: string };

  async function takeAway(scopes: string[]) {
    const record = emulator.store.getShop(REVOKING)!;
    const previous = [...(record.scopes ?? [])];
    const current = previous.filter((s) => !scopes.includes(s));
    emulator.store.updateShop(REVOKING, { scopes: current });
    const body = JSON.stringify({ id: 1, previous, current, updated_at: new Date().toISOString(), shop_id: 1 });
    const sent = await emulator.sendWebhook("app/scopes_update", REVOKING, body);
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();
    expect((await db.session.findUniqueOrThrow({ where: { id: `offline_${REVOKING}` } })).scope?.split(",")).not.toEqual(expect.arrayContaining(scopes));
  }
  const issue = async (kind: "FIXED_AMOUNT" | "GIFT_CARD") => {
    const template = await createTemplate(db, REVOKING, { purpose: "MANUAL", kind, value: "5.00", pointsCost: null, ...(kind === "GIFT_CARD" ? { expiryDays: 30 } : {}) });
    const r = await issueRewardAsync(workerDeps(), { shop: REVOKING, customer, templateId: template.id, source: "MANUAL", reason: "Thanks" });
    if (!r.ok) throw new Error(r.error.message);
    return r.reward;
  };
  const row = (id: string) => db.reward.findUniqueOrThrow({ where: { id } });
  const cancel = (rewardId: string) =>
    fetch(new URL(`/app/customers/${customer.id}/rewards/${rewardId}?_data=${encodeURIComponent("routes/app.customers.$id.rewards.$rewardId")}`, app.url), {
      method: "POST",
      headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(REVOKING)}`, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "cancel" }),
    });

  beforeAll(async () => {
    await installEmulatedShop(emulator, REVOKING, { currencyCode: "USD", planDisplayName: "Shopify Plus", giftCards: true, scopes: [...REQUIRED, ...GIFT_CARD_SCOPES] });
    await db.session.update({ where: { id: `offline_${REVOKING}` }, data: { scope: [...REQUIRED, ...GIFT_CARD_SCOPES].join(",") } });
    customer = { id: (await createCustomer(db, REVOKING, {}, emulator)).id };
  });

  it("write_discounts taken away while a discount reward is Pending: it fails once, for good, with the missing access named; no retry loop", async () => {
    const pending = await issue("FIXED_AMOUNT");
    await takeAway(["write_discounts"]);
    await runWorkerOnce(workerDeps(), config());
    const failed = await row(pending.id);
    expect(failed).toMatchObject({ status: "FAILED", failureCode: "missing_access", attempts: 1, nextAttemptAt: null });
    expect(merchantExplanation("missing_access").summary.length).toBeGreaterThan(10);
    const calls = emulator.inspect.countCalls(undefined, { shop: REVOKING });
    await runWorkerOnce({ ...workerDeps(), now: () => new Date(Date.now() + 24 * 3_600_000) }, config());
    expect(emulator.inspect.countCalls(undefined, { shop: REVOKING })).toBe(calls);
    // Granted again (the app's required scopes are accepted on the next admin load): new rewards are made.
    emulator.store.updateShop(REVOKING, { scopes: [...REQUIRED, ...GIFT_CARD_SCOPES] });
    const next = await issue("FIXED_AMOUNT");
    await runWorkerOnce(workerDeps(), config());
    expect(await row(next.id)).toMatchObject({ status: "ISSUED" });
  });

  it("gift card access taken away: a Pending gift card fails as 'access not granted'; canceling an Issued one says it stays Issued; a Pending one never attempted is canceled clean with no call; one whose create may have landed keeps its cleanup waiting, not spinning; granted again, both cancels complete", async () => {
    const issued = await issue("GIFT_CARD");
    await runWorkerOnce(workerDeps(), config());
    expect(await row(issued.id)).toMatchObject({ status: "ISSUED" });
    // A gift card whose create reached Shopify but whose answer was lost: the card may exist.
    const uncertain = await issue("GIFT_CARD");
    emulator.faults.loseResponse("giftCardCreate");
    emulator.faults.httpError("giftCards", 503); // and the look for it right after is not answered
    await runWorkerOnce(workerDeps(), config());
    expect(await row(uncertain.id)).toMatchObject({ status: "PENDING", attempts: 1 });
    const pending = await issue("GIFT_CARD");
    const neverAttempted = await issue("GIFT_CARD");

    await takeAway(GIFT_CARD_SCOPES);

    // The merchant cancels a Pending gift card never attempted while access is gone: nothing was ever
    // sent to Shopify for it, so it is Canceled clean, without a call and without a background retry.
    let calls = emulator.inspect.countCalls(undefined, { shop: REVOKING });
    const c1 = await cancel(neverAttempted.id);
    expect(c1.status).toBe(200);
    expect(((await c1.json()) as { message: string }).message).toBe("Reward canceled. Its code no longer works in your shop.");
    expect(await row(neverAttempted.id)).toMatchObject({ status: "CANCELED", nextAttemptAt: null });
    expect(emulator.inspect.countCalls(undefined, { shop: REVOKING })).toBe(calls);

    // The one whose card may exist: Canceled at once; its cleanup (is there a card to deactivate?)
    // cannot ask Shopify and waits.
    const c0 = await cancel(uncertain.id);
    expect(c0.status).toBe(200);
    const waiting = await row(uncertain.id);
    expect(waiting.status).toBe("CANCELED");
    expect(waiting.nextAttemptAt).toBeInstanceOf(Date);

    await runWorkerOnce(workerDeps(), config());
    expect(await row(pending.id)).toMatchObject({ status: "FAILED", failureCode: "scope_not_granted", attempts: 1, nextAttemptAt: null });

    // Canceling the Issued card: Shopify denies the deactivation; a clear error, still Issued, no cancel mark left.
    const c2 = await cancel(issued.id);
    expect(c2.status).toBeGreaterThanOrEqual(400);
    expect(c2.status).toBeLessThan(600);
    const refused = (await c2.json()) as { ok: boolean; message: string };
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/still Issued/);
    expect(await row(issued.id)).toMatchObject({ status: "ISSUED", cancelRequestedAt: null });

    // The cleanup marker is swept with backoff: one look a round at most, never a loop.
    expect((await row(uncertain.id)).nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(Date.now() + 30_000);
    calls = emulator.inspect.countCalls(undefined, { shop: REVOKING });
    await runWorkerOnce(workerDeps(), config());
    expect(emulator.inspect.countCalls(undefined, { shop: REVOKING })).toBe(calls);

    // Granted again: the Issued card's cancel works, and the Pending one's cleanup completes.
    await emulator.requestScopes(REVOKING, GIFT_CARD_SCOPES);
    await applyWebhooks();
    const c3 = await cancel(issued.id);
    expect(c3.status).toBe(200);
    expect(await row(issued.id)).toMatchObject({ status: "CANCELED" });
    await runWorkerOnce({ ...workerDeps(), now: () => new Date(Date.now() + 7 * 3_600_000) }, config());
    expect(await row(uncertain.id)).toMatchObject({ status: "CANCELED", nextAttemptAt: null });
    // The card its lost create made is deactivated: nothing spendable is left behind.
    const cards = emulator.inspect.giftCards(REVOKING);
    expect(cards).toHaveLength(2);
    expect(cards.filter((c) => c.enabled)).toHaveLength(0);
  });
  it("write_discounts taken away while a discount reward whose create may have landed is canceled: the merchant reads that the app's access is missing and what to do (was 'Shopify couldn't be reached'); the Status column says the same; granted again, the code is removed", async () => {
    emulator.store.updateShop(REVOKING, { scopes: [...REQUIRED, ...GIFT_CARD_SCOPES] });
    const pending = await issue("FIXED_AMOUNT");
    // Its create reached Shopify but the answer was lost, and the look right after was not answered.
    emulator.faults.loseResponse("discountCodeBasicCreate");
    emulator.faults.httpError("codeDiscountNodeByCode", 503, { times: 1 });
    await runWorkerOnce(workerDeps(), config());
    emulator.faults.clear();
    expect(await row(pending.id)).toMatchObject({ status: "PENDING", attempts: 1 });

    await takeAway(["write_discounts"]);
    const res = await cancel(pending.id);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; message: string };
    expect(body.ok).toBe(true);
    expect(body.message).not.toMatch(/couldn't be reached/);
    expect(body.message).toBe(
      "Reward canceled, but the app isn't allowed to deactivate its code in Shopify right now (Missing permission), so the code may still work at checkout. Open the app from your Shopify admin and approve the requested permissions; the code is removed once the app has them. The app keeps trying in the background.",
    );
    const waiting = await row(pending.id);
    expect(waiting).toMatchObject({ status: "CANCELED", failureCode: "missing_access" });
    expect(waiting.nextAttemptAt).toBeInstanceOf(Date);

    // Granted again: the sweep deactivates the code its lost create made.
    emulator.store.updateShop(REVOKING, { scopes: [...REQUIRED, ...GIFT_CARD_SCOPES] });
    await runWorkerOnce({ ...workerDeps(), now: () => new Date(waiting.nextAttemptAt!.getTime() + 1_000) }, config());
    expect(await row(pending.id)).toMatchObject({ status: "CANCELED", nextAttemptAt: null });
    expect(emulator.inspect.discounts(REVOKING).filter((d) => d.codes.some((c) => c.code === pending.code))).toEqual([expect.objectContaining({ deactivatedAt: expect.any(Date) })]);
  });
});
