// GIVEN a shop that granted the optional gift card and store credit scopes (shopify.app.toml
//       optional_scopes), with gift card and store credit rewards set up
// WHEN the merchant uninstalls the app and installs it again
// THEN the app does not believe it still has that access: "The granted scopes remain active until the
//      merchant uninstalls the app or revokes them" (AccessScope,
//      https://shopify.dev/docs/api/admin-graphql/2026-10/objects/AccessScope), so the reinstall's
//      token exchange and currentAppInstallation name the required scopes only. The admin marks those
//      rewards as needing access again (the Grant access banner), the storefront stops offering them,
//      and a reward of those kinds fails with the app's own reason (scope_not_granted), not a raw
//      Shopify error. No app/scopes_update comes with a reinstall (emulator/src/index.ts, uninstall).
// The old emulator kept the optional grant over the uninstall: the app then believed, rightly for
// that emulator, that it still had gift card access, and every test here failed against it.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { runWorkerOnce, workerConfig } from "~/jobs/worker.server";
import { issueRewardAsync } from "~/services/rewards/issue-async.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { applyWebhooks } from "../support/webhooks";
import { useShopifyEmulator } from "../support/shopify";
import { createCustomer, createTemplate } from "../support/factories";

const fixture = useShopifyEmulator();
const { emulator } = fixture;
const app = useRunningApp({ emulator });
const GIFT_CARD_SCOPES = ["read_gift_cards", "write_gift_cards"];
const STORE_CREDIT_SCOPES = ["read_store_credit_accounts", "write_store_credit_account_transactions"];

const workerDeps = () => ({ db, logger, adminFor: (shop: string) => fixture.adminGraphql(shop), now: () => new Date() });
const config = () => workerConfig({ workerId: "reinstall-scopes", leaseMs: 60_000, jitterRandom: () => 0, perShopConcurrency: 1, shopifyTimeoutMs: 5_000 });
const offlineScopes = async (shop: string) => (await db.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } })).scope?.split(",") ?? [];
const required = () => emulator.config.requiredScopes ?? [];

/** Shopify's admin opens the embedded app (the id_token in the URL drives token exchange). */
const openAdmin = (shop: string) => fetch(emulator.embeddedAppUrl(shop), { headers: { "User-Agent": BROWSER_UA }, redirect: "manual" });

async function adminData<T>(shop: string, path: string, route: string): Promise<T> {
  const url = new URL(path, app.url);
  url.searchParams.set("_data", route);
  const res = await fetch(url, { headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(shop)}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/**
 * A shop installed the way Shopify does it (first admin load → token exchange) that then granted the
 * gift card and store credit scopes (App Bridge scopes.request → app/scopes_update), with a manual gift
 * card template, a store credit template and a gift card way to redeem on the storefront.
 */
async function shopWithOptionalAccess(domain: string) {
  emulator.addShop({ domain, scopes: required(), currencyCode: "USD", planDisplayName: "Shopify Plus", giftCards: true });
  expect((await openAdmin(domain)).status).toBe(200);
  expect(await offlineScopes(domain)).toEqual(required());
  await emulator.requestScopes(domain, [...GIFT_CARD_SCOPES, ...STORE_CREDIT_SCOPES]);
  await applyWebhooks();
  expect(await offlineScopes(domain)).toEqual(expect.arrayContaining([...GIFT_CARD_SCOPES, ...STORE_CREDIT_SCOPES]));
  const customer = await createCustomer(db, domain, {}, emulator);
  const giftCard = await createTemplate(db, domain, { purpose: "MANUAL", kind: "GIFT_CARD", value: "5.00", pointsCost: null, expiryDays: 30 });
  const storeCredit = await createTemplate(db, domain, { purpose: "MANUAL", kind: "STORE_CREDIT", value: "5.00", pointsCost: null });
  await db.rewardTemplate.create({ data: { shop: domain, purpose: "POINTS_REDEMPTION", kind: "GIFT_CARD", name: "Gift card for points", value: "10.00", pointsCost: 1000 } });
  return { customer, giftCard, storeCredit };
}

/** Polls (generous bound) until the wall clock has passed `t`, so "later than" is strict. */
async function clockPast(t: Date) {
  for (let i = 0; i < 1000 && Date.now() <= t.getTime(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(Date.now()).toBeGreaterThan(t.getTime());
}

async function issue(shop: string, customerId: string, templateId: string) {
  const r = await issueRewardAsync(workerDeps(), { shop, customer: { id: customerId }, templateId, source: "MANUAL", reason: "Thanks" });
  if (!r.ok) throw new Error(r.error.message);
  await runWorkerOnce(workerDeps(), config());
  return db.reward.findUniqueOrThrow({ where: { id: r.reward.id } });
}

async function issuableMissing(shop: string, customerId: string) {
  const { templates } = await adminData<{ templates: { id: string; missingScopes: string[] }[] }>(shop, `/app/customers/${customerId}`, "routes/app.customers.$id");
  return Object.fromEntries(templates.map((t) => [t.id, t.missingScopes]));
}

async function storefrontOptions(shop: string) {
  const res = await fetch(emulator.appProxyUrl(shop, "/program", null), { headers: { "User-Agent": BROWSER_UA, Accept: "application/json" } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { redemptionOptions: { name: string }[] }).redemptionOptions.map((o) => o.name);
}

/** What the app believes and does for a shop whose optional access is gone. */
async function expectOptionalAccessGone(domain: string, s: Awaited<ReturnType<typeof shopWithOptionalAccess>>) {
  expect(await offlineScopes(domain)).toEqual(required());
  // The issue form and the Ways to redeem form ask for access again (the Grant access banner).
  const missing = await issuableMissing(domain, s.customer.id);
  expect(missing[s.giftCard.id]).toEqual(["write_gift_cards"]);
  expect(missing[s.storeCredit.id]!.length).toBeGreaterThan(0);
  const form = await adminData<{ missingScopes: Record<string, string[]> }>(domain, "/app/ways-to-redeem/new", "routes/app.ways-to-redeem.$id");
  expect(form.missingScopes.GIFT_CARD).toEqual(["write_gift_cards"]);
  expect(form.missingScopes.STORE_CREDIT!.length).toBeGreaterThan(0);
  // The storefront no longer offers the gift card way to redeem.
  expect(await storefrontOptions(domain)).not.toContain("Gift card for points");
  // Rewards of those kinds fail with the app's reason, once, no card or credit made.
  expect(await issue(domain, s.customer.id, s.giftCard.id)).toMatchObject({ status: "FAILED", failureCode: "scope_not_granted", attempts: 1, nextAttemptAt: null });
  expect(await issue(domain, s.customer.id, s.storeCredit.id)).toMatchObject({ status: "FAILED", failureCode: "scope_not_granted", attempts: 1, nextAttemptAt: null });
}

describe("uninstall, then reinstall: the optional access is gone", () => {
  it("GIVEN gift card and store credit access granted WHEN the merchant uninstalls (app/uninstalled applied) and reinstalls THEN the app asks for that access again and refuses those rewards with 'access not granted'", async () => {
    const domain = "reinstall-scopes.myshopify.com";
    const s = await shopWithOptionalAccess(domain);
    // Before: granted, so a gift card is issued and the storefront offers the option.
    expect((await issuableMissing(domain, s.customer.id))[s.giftCard.id]).toEqual([]);
    expect(await storefrontOptions(domain)).toContain("Gift card for points");
    expect(await issue(domain, s.customer.id, s.giftCard.id)).toMatchObject({ status: "ISSUED" });

    await emulator.uninstall(domain);
    await applyWebhooks();
    expect(await db.session.findUnique({ where: { id: `offline_${domain}` } })).toBeNull();
    emulator.reinstall(domain);
    expect((await openAdmin(domain)).status).toBe(200);

    const cards = emulator.inspect.giftCards(domain).length;
    await expectOptionalAccessGone(domain, s);
    expect(emulator.inspect.giftCards(domain)).toHaveLength(cards);

    // Granted again: gift cards are issued again.
    await emulator.requestScopes(domain, GIFT_CARD_SCOPES);
    await applyWebhooks();
    expect((await issuableMissing(domain, s.customer.id))[s.giftCard.id]).toEqual([]);
    expect(await issue(domain, s.customer.id, s.giftCard.id)).toMatchObject({ status: "ISSUED" });
  });

  it("GIVEN the same and a gift card reward Pending WHEN app/uninstalled is delivered only after the reinstall (the worker met the dead token first) THEN the Pending gift card fails with 'access not granted' after the reinstall's token exchange, and the late uninstall leaves the shop installed", async () => {
    const domain = "reinstall-scopes-late.myshopify.com";
    const s = await shopWithOptionalAccess(domain);
    const r = await issueRewardAsync(workerDeps(), { shop: domain, customer: { id: s.customer.id }, templateId: s.giftCard.id, source: "MANUAL", reason: "Thanks" });
    if (!r.ok) throw new Error(r.error.message);
    const late = await emulator.uninstall(domain, { deliver: false });
    emulator.reinstall(domain);
    // The app still holds the old token: the worker's first call gets 401 and the shop is paused
    // until the next admin load's token exchange.
    await runWorkerOnce(workerDeps(), config());
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).accessRevokedAt).toBeInstanceOf(Date);
    await clockPast(new Date(late.signed.triggeredAt));
    expect((await openAdmin(domain)).status).toBe(200);
    const delivered = await emulator.deliverer.deliver(late.url, late.signed);
    expect(delivered[0]!.finalStatus).toBe(200);
    await applyWebhooks();
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).uninstalledAt).toBeNull();
    await runWorkerOnce(workerDeps(), config());
    expect(await db.reward.findUniqueOrThrow({ where: { id: r.reward.id } })).toMatchObject({ status: "FAILED", failureCode: "scope_not_granted", attempts: 1 });
    await expectOptionalAccessGone(domain, s);
  });

  it("GIVEN the same WHEN app/uninstalled is delivered only after the reinstall and nothing called Shopify before the admin opened THEN opening the admin finds the stored grant dead (the library's bounce), the reload exchanges a token, and the app asks for the access again", async () => {
    const domain = "reinstall-scopes-quiet.myshopify.com";
    const s = await shopWithOptionalAccess(domain);
    const late = await emulator.uninstall(domain, { deliver: false });
    emulator.reinstall(domain);
    const stale = await db.session.findUniqueOrThrow({ where: { id: `offline_${domain}` } });
    expect(emulator.acceptsToken(domain, stale.accessToken)).toBe(false);
    // Shopify opens the app after the reinstall. The stored session (dead token, old grant) is not
    // expired, so the library would not exchange a token; the app asks Shopify, which refuses it.
    const opened = await openAdmin(domain);
    expect(opened.status).toBe(302);
    expect(opened.headers.get("location")).toMatch(/\/auth\/session-token/);
    // The bounce page reloads the app with a fresh session token: token exchange, the reinstall's grant.
    await clockPast(new Date(late.signed.triggeredAt));
    expect((await openAdmin(domain)).status).toBe(200);
    const fresh = await db.session.findUniqueOrThrow({ where: { id: `offline_${domain}` } });
    expect(emulator.acceptsToken(domain, fresh.accessToken)).toBe(true);
    await emulator.deliverer.deliver(late.url, late.signed);
    await applyWebhooks();
    expect((await db.shop.findUniqueOrThrow({ where: { domain } })).uninstalledAt).toBeNull();
    await expectOptionalAccessGone(domain, s);
  });

  it("opening the admin asks Shopify only while the stored grant holds optional access, and a live token's answer is stored", async () => {
    const domain = "reinstall-scopes-open.myshopify.com";
    emulator.addShop({ domain, scopes: required(), currencyCode: "USD" });
    expect((await openAdmin(domain)).status).toBe(200);
    emulator.inspect.reset();
    expect((await openAdmin(domain)).status).toBe(200);
    expect(emulator.inspect.countCalls(undefined, { shop: domain })).toBe(0);
    // A grant stored wider than Shopify's (e.g. a revocation whose app/scopes_update never came):
    // the next admin open asks and stores Shopify's answer.
    await db.session.update({ where: { id: `offline_${domain}` }, data: { scope: [...required(), ...GIFT_CARD_SCOPES].join(",") } });
    expect((await openAdmin(domain)).status).toBe(200);
    expect(emulator.inspect.countCalls(undefined, { shop: domain })).toBe(1);
    expect(await offlineScopes(domain)).toEqual(required());
  });
});
