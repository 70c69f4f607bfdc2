// The admin forms that create something, posted twice (a double click on Save, a resubmit, a request
// sent again) through the production build over real HTTP: each carries a request key
// (app/services/admin/request-key.server.ts) and has one effect, whatever the number of posts; a key
// that is not one is refused with the form's message, never ignored (ignored, a second post was a
// second effect).
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { REQUEST_KEY_REFUSED } from "~/services/admin/request-key.server";
import { adminFetcher, useRunningApp } from "../support/app";
import { TEST_APP } from "../support/constants";
import { createCustomer, createTemplate } from "../support/factories";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";

const { emulator } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
const OTHER = "other-request-keys.myshopify.com";
const app = useRunningApp({ emulator });
const adminFetch = adminFetcher(app, emulator, SHOP);
const post = (path: string, route: string, form: Record<string, string>, shop = SHOP) => adminFetch(path, { method: "POST", route, shop, body: new URLSearchParams(form) });
const twice = (path: string, route: string, form: Record<string, string>) => Promise.all([1, 2].map(() => post(path, route, form)));

const WAY = "routes/app.ways-to-redeem.$id";
const VIP = "routes/app.vip";
const PROFILE = "routes/app.customers.$id";
const OPTION_FORM = { kind: "FIXED_AMOUNT", value: "10", pointsCost: "100", appliesTo: "ALL", active: "true", variable: "false", amountCurrency: "USD" };

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
  await installEmulatedShop(emulator, OTHER, { currencyCode: "USD" });
});

describe("a new way to redeem", () => {
  it("GIVEN the new option's form posted twice at once with its request key THEN one option, and both answers name it", async () => {
    const form = { ...OPTION_FORM, name: "Saved twice", requestKey: "wayform0001key" };
    const answers = await twice("/app/ways-to-redeem/new", WAY, form);
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { ok: boolean; id: string; created: boolean }[];
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    const rows = await db.rewardTemplate.findMany({ where: { shop: SHOP, name: "Saved twice" } });
    expect(rows).toHaveLength(1);
    expect(bodies.map((b) => b.id)).toEqual([rows[0]!.id, rows[0]!.id]);
    // Sent again later (a resubmit): still the one option.
    expect(((await (await post("/app/ways-to-redeem/new", WAY, form)).json()) as { id: string }).id).toBe(rows[0]!.id);
    expect(await db.rewardTemplate.count({ where: { shop: SHOP, name: "Saved twice" } })).toBe(1);
  });

  it("GIVEN the same key from another shop THEN that shop gets its own option", async () => {
    const form = { ...OPTION_FORM, name: "Same key, other shop", requestKey: "wayform0002key" };
    const mine = (await (await post("/app/ways-to-redeem/new", WAY, form)).json()) as { id: string };
    const theirs = (await (await post("/app/ways-to-redeem/new", WAY, form, OTHER)).json()) as { id: string };
    expect(theirs.id).not.toBe(mine.id);
    expect(await db.rewardTemplate.count({ where: { name: "Same key, other shop" } })).toBe(2);
  });

  it("GIVEN a request key that is not one THEN 400 with the form's message and nothing created", async () => {
    for (const requestKey of ["short", "has space in it", "x".repeat(65)]) {
      const res = await post("/app/ways-to-redeem/new", WAY, { ...OPTION_FORM, name: "Bad key", requestKey });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ ok: false, message: REQUEST_KEY_REFUSED });
    }
    expect(await db.rewardTemplate.count({ where: { name: "Bad key" } })).toBe(0);
  });
});

describe("a new VIP entry reward", () => {
  it("GIVEN the entry reward form posted twice at once with its request key THEN one reward, and both answers pick it", async () => {
    const before = await db.rewardTemplate.count({ where: { shop: SHOP, purpose: "VIP_TIER_ENTRY" } });
    const answers = await twice("/app/vip", VIP, { intent: "entryReward", rewardKind: "PERCENTAGE", rewardValue: "12", rewardExpiryDays: "30", requestKey: "vipentry0001key", amountCurrency: "USD" });
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { templateId: string }[];
    const rows = await db.rewardTemplate.findMany({ where: { shop: SHOP, purpose: "VIP_TIER_ENTRY" } });
    expect(rows).toHaveLength(before + 1);
    expect(new Set(bodies.map((b) => b.templateId)).size).toBe(1);
    expect(rows.map((r) => r.id)).toContain(bodies[0]!.templateId);
  });

  it("GIVEN a request key that is not one THEN 400 and nothing created", async () => {
    const before = await db.rewardTemplate.count({ where: { shop: SHOP } });
    const res = await post("/app/vip", VIP, { intent: "entryReward", rewardKind: "PERCENTAGE", rewardValue: "12", rewardExpiryDays: "30", requestKey: "bad key", amountCurrency: "USD" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, message: REQUEST_KEY_REFUSED });
    expect(await db.rewardTemplate.count({ where: { shop: SHOP } })).toBe(before);
  });
});

describe("a points adjustment's key", () => {
  it("GIVEN an adjustment posted twice with a key that is not one THEN 400 both times and no points added (the key was ignored: the points were added twice)", async () => {
    const c = await createCustomer(db, SHOP, { pointsBalance: 0 });
    const form = { intent: "adjust-points", direction: "add", points: "5", reason: "Goodwill", requestKey: "abc" };
    for (const res of [await post(`/app/customers/${c.id}`, PROFILE, form), await post(`/app/customers/${c.id}`, PROFILE, form)]) {
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ ok: false, message: REQUEST_KEY_REFUSED });
    }
    expect((await db.customer.findUniqueOrThrow({ where: { id: c.id } })).pointsBalance).toBe(0);
    expect(await db.pointsTransaction.count({ where: { customerId: c.id } })).toBe(0);
  });
});

describe("the points adjustment's key is `requestKey`, as in every admin form", () => {
  it("GIVEN the adjustment form posted twice at once with its requestKey THEN the points are added once and both answers say so (before: the action read only `idempotencyKey`, and added them twice)", async () => {
    const c = await createCustomer(db, SHOP, { pointsBalance: 0 });
    const answers = await twice(`/app/customers/${c.id}`, PROFILE, { intent: "adjust-points", direction: "add", points: "7", reason: "Goodwill", requestKey: "adjustform0001key" });
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    for (const body of await Promise.all(answers.map((r) => r.json()))) expect(body).toMatchObject({ ok: true, pointsBalance: 7 });
    expect((await db.customer.findUniqueOrThrow({ where: { id: c.id } })).pointsBalance).toBe(7);
    expect(await db.pointsTransaction.count({ where: { customerId: c.id } })).toBe(1);
  });

  it("GIVEN a post from a page made before the rename (its key named idempotencyKey) THEN 400 'out of date, reload', nothing added — never an adjustment without its key", async () => {
    const c = await createCustomer(db, SHOP, { pointsBalance: 0 });
    const res = await post(`/app/customers/${c.id}`, PROFILE, { intent: "adjust-points", direction: "add", points: "7", reason: "Goodwill", idempotencyKey: "adjustform0002key" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, message: REQUEST_KEY_REFUSED });
    expect(await db.pointsTransaction.count({ where: { customerId: c.id } })).toBe(0);
  });
});

describe("the manual issue's fields", () => {
  it("GIVEN a request key that is not one, an unknown intent, an overlong reward id or note THEN 400 with the merchant's words (not zod's pattern), nothing issued", async () => {
    const c = await createCustomer(db, SHOP);
    const template = await createTemplate(db, SHOP, { purpose: "MANUAL", name: "By hand" });
    const cases: [Record<string, string>, string][] = [
      [{ intent: "issue", templateId: template.id, requestKey: "a b" }, REQUEST_KEY_REFUSED],
      [{ intent: "give-everything", templateId: template.id }, "Unknown action."],
      [{ intent: "issue", templateId: "x".repeat(101) }, "This reward doesn't exist in your shop. Choose a reward to issue."],
      [{ intent: "issue", templateId: template.id, note: "n".repeat(501) }, "The note is too long (500 characters at most)."],
    ];
    for (const [form, message] of cases) {
      const res = await post(`/app/customers/${c.id}`, PROFILE, form);
      expect(res.status, JSON.stringify(form).slice(0, 80)).toBe(400);
      expect(await res.json()).toMatchObject({ ok: false, message });
    }
    expect(await db.reward.count({ where: { customerId: c.id } })).toBe(0);
  });
});
