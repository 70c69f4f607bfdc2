// Protected customer data: the app has no Level 2 approval, so Shopify redacts customers' names,
// emails, phones and addresses in webhooks and API answers
// (https://shopify.dev/docs/apps/launch/protected-customer-data; emulated per shop with
// `customerPersonalData: "redacted"`). The program works by customer id, so Used-marking from
// orders/create, the storefront and the admin's customer pages keep working, and the admin says
// "hidden by Shopify" where a name would be. Against the old emulator (never redacted) the payload
// and API assertions below failed.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { CUSTOMER_NAME_HIDDEN } from "~/copy/admin";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { applyWebhooks } from "../support/webhooks";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { rewardWithDiscount } from "../support/rewards";
import { createTemplate } from "../support/factories";
import { logger } from "~/logger.server";
import { issueDueReferrerRewards } from "~/services/referrals/referrals.server";

const { emulator, adminGraphql } = useShopifyEmulator();
const SHOP = TEST_APP.shop;
const app = useRunningApp({ emulator });

let customer: { id: string; gid: string; legacyId: string };

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD", customerPersonalData: "redacted" });
  const shopify = emulator.addCustomer(SHOP, { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", phone: "+15555550100" });
  // What the app can know of her: her id; Shopify sends no name or email.
  const row = await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: shopify.id, displayName: "", email: null, pointsBalance: 700 } });
  customer = { id: row.id, gid: shopify.id, legacyId: shopify.legacyId };
});

describe("Shopify redacts personal data (emulator)", () => {
  it("the Admin API answers null names, email and phone, and an empty display name", async () => {
    const graphql = await adminGraphql(SHOP);
    const res = await graphql(`query C($id: ID!) { customer(id: $id) { id displayName firstName lastName email phone defaultEmailAddress { emailAddress } } }`, {
      variables: { id: customer.gid },
    });
    const body = (await res.json()) as { data: { customer: Record<string, unknown> } };
    expect(body.data.customer).toEqual({ id: customer.gid, displayName: "", firstName: null, lastName: null, email: null, phone: null, defaultEmailAddress: null });
  });
});

describe("the program keeps working without personal data", () => {
  it("orders/create arrives without name, email, phone or addresses, and still marks the reward Used", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const { order, webhook } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code] });
    const payload = JSON.parse(webhook.signed.body) as Record<string, unknown>;
    expect(payload).toMatchObject({ email: null, contact_email: null, billing_address: null, shipping_address: null });
    expect(payload.customer).toMatchObject({ admin_graphql_api_id: customer.gid, first_name: null, last_name: null, email: null, phone: null, default_address: null });
    expect(webhook.results[0].finalStatus).toBe(200);
    await applyWebhooks();
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "USED", usedOrderGid: order.id });
  });

  it("orders earn points and a new account gets its sign-up bonus, though the payloads carry no name or email", async () => {
    await db.programSettings.upsert({
      where: { shop: SHOP },
      create: { shop: SHOP, enabled: true, pointsPerCurrencyUnit: "1", signupBonus: 25 },
      update: { enabled: true, pointsPerCurrencyUnit: "1", signupBonus: 25 },
    });
    const { customer: newcomer, webhook: created } = await emulator.createCustomer(SHOP, { firstName: "Grace", lastName: "Hopper", email: "grace@example.com" });
    expect(JSON.parse(created.signed.body)).toMatchObject({ first_name: null, last_name: null, email: null });
    const { webhook } = await emulator.placeOrder(SHOP, { customerId: newcomer.id, codes: [], subtotal: "40.00" });
    expect(webhook.results[0].finalStatus).toBe(200);
    await applyWebhooks();
    const row = await db.customer.findUniqueOrThrow({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: newcomer.id } } });
    expect(row).toMatchObject({ displayName: "", email: null, pointsBalance: 65 });
    const entries = await db.pointsTransaction.findMany({ where: { customerId: row.id }, orderBy: { createdAt: "asc" } });
    expect(entries.map((e) => [e.reason, e.delta])).toEqual(expect.arrayContaining([["SIGNUP_BONUS", 25], ["EARNED", 40]]));
    // Nothing Shopify withheld was filled in from elsewhere.
    expect(JSON.stringify(entries)).not.toMatch(/Grace|Hopper|grace@example\.com/);
    await db.programSettings.delete({ where: { shop: SHOP } });
  });

  it("referrals work by customer id: two members Shopify shows without email are not taken for one person", async () => {
    const friendTemplateId = (await createTemplate(db, SHOP, { name: "Welcome $5", purpose: "REFERRAL", value: "5.00", pointsCost: null })).id;
    const referrerTemplateId = (await createTemplate(db, SHOP, { name: "Thanks $10", purpose: "REFERRAL", value: "10.00", pointsCost: null })).id;
    await db.referralSettings.upsert({
      where: { shop: SHOP },
      create: { shop: SHOP, enabled: true, friendTemplateId, referrerTemplateId, minimumOrderAmount: "20", pendingDays: 0 },
      update: { enabled: true, friendTemplateId, referrerTemplateId, minimumOrderAmount: "20", pendingDays: 0 },
    });
    const proxy = async (method: "GET" | "POST", path: string, who: { legacyId: string } | null, body?: unknown) => {
      const res = await fetch(emulator.appProxyUrl(SHOP, path, who?.legacyId ?? null), {
        method,
        headers: { "User-Agent": BROWSER_UA, Accept: "application/json", ...(body ? { "Content-Type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const referrer = emulator.addCustomer(SHOP, { firstName: "Katherine", lastName: "Johnson", email: "katherine@example.com" });
    const link = await proxy("GET", "/referral-link", referrer);
    expect(link.status).toBe(200);
    const visitor = `visitor-${crypto.randomUUID()}`;
    expect((await proxy("POST", "/referral-click", null, { code: link.body.code, visitor })).status).toBe(200);
    const friend = emulator.addCustomer(SHOP, { firstName: "Dorothy", lastName: "Vaughan", email: "dorothy@example.com" });
    const claimed = await proxy("POST", "/referral-claim", friend, { code: link.body.code, visitor });
    expect(claimed.status).toBe(200);
    const friendRow = await db.customer.findUniqueOrThrow({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: friend.id } } });
    expect(friendRow.email).toBeNull(); // Shopify withheld it; the app never had it
    expect(await db.referral.findUniqueOrThrow({ where: { shop_friendCustomerId: { shop: SHOP, friendCustomerId: friendRow.id } } })).toMatchObject({ state: "SIGNED_UP", rejectionReason: null });

    await emulator.placeOrder(SHOP, { customerId: friend.id, codes: [], subtotal: "45.00" });
    await applyWebhooks();
    await issueDueReferrerRewards({ db, logger, now: () => new Date(), adminFor: (s: string) => adminGraphql(s) });
    const referral = await db.referral.findUniqueOrThrow({ where: { shop_friendCustomerId: { shop: SHOP, friendCustomerId: friendRow.id } } });
    expect(referral).toMatchObject({ state: "REWARDED", rejectionReason: null });
    expect(referral.referrerRewardId).toEqual(expect.any(String));
    expect(referral.friendRewardId).toEqual(expect.any(String));
    await db.referralSettings.update({ where: { shop: SHOP }, data: { enabled: false } });
  });

  it("the storefront serves the signed-in customer her balance and rewards (by id)", async () => {
    const res = await fetch(emulator.appProxyUrl(SHOP, "/customer", customer.legacyId), { headers: { "User-Agent": BROWSER_UA, Accept: "application/json" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { pointsBalance: number; rewards: unknown[] };
    expect(body.pointsBalance).toBe(700);
    expect(body.rewards.length).toBeGreaterThan(0);
  });

  it("the admin's customer list and profile say the name is hidden by Shopify", async () => {
    const headers = { "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(SHOP)}` };
    const listUrl = new URL("/app/customers", app.url);
    listUrl.searchParams.set("_data", "routes/app.customers._index");
    const list = await fetch(listUrl, { headers });
    expect(list.status).toBe(200);
    const { page } = (await list.json()) as { page: { items: { id: string; name: string }[] } };
    expect(page.items.find((c) => c.id === customer.id)?.name).toBe(CUSTOMER_NAME_HIDDEN);

    const profileUrl = new URL(`/app/customers/${customer.id}`, app.url);
    profileUrl.searchParams.set("_data", "routes/app.customers.$id");
    const profile = await fetch(profileUrl, { headers });
    expect(profile.status).toBe(200);
    expect(((await profile.json()) as { customer: { name: string } }).customer.name).toBe(CUSTOMER_NAME_HIDDEN);
  });
});
