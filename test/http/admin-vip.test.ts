// The VIP tiers page through the production build over real HTTP, authenticated as App Bridge does
// it (Bearer session token, Remix data requests): field errors worded for the merchant, saving the
// program and tiers, the background re-evaluation's progress, deleting a tier, and the home page's
// and customer profile's VIP figures.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { runEvaluationJobs } from "~/services/vip/admin.server";
import { vipOrderCreated } from "~/services/vip/tiers.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { createCustomer, createTemplate } from "../support/factories";

const { emulator } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
const VIP = "routes/app.vip";
const app = useRunningApp({ emulator });

function request(path: string, route: string, init: RequestInit = {}) {
  const url = new URL(path, app.url);
  url.searchParams.set("_data", route);
  return fetch(url, { ...init, headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(SHOP)}`, ...(init.headers ?? {}) } });
}
// Sent with the currency the page shows amounts in, as the page sends it (the shop sells in USD).
const post = (form: Record<string, string>) => request("/app/vip", VIP, { method: "POST", body: new URLSearchParams({ amountCurrency: "USD", ...form }) });
const deps = () => ({ db, logger, adminFor: () => Promise.reject(new Error("no Shopify call expected")), now: () => new Date() });

type Page = {
  program: { enabled: boolean; basis: string; period: string; skippedTierRewards: string };
  tiers: { id: string; name: string; threshold: string; pointsMultiplier: string; entryRewardName: string | null; members: number }[];
  templates: { id: string; name: string }[];
  job: { status: string; total: number; done: number } | null;
};

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
});

describe("VIP tiers page", () => {
  it("shows VIP off with no tiers for a shop that never saved it, and lists only VIP tier entry rewards to pick", async () => {
    await createTemplate(db, SHOP, { purpose: "POINTS_REDEMPTION", name: "Not for VIP" });
    await createTemplate(db, SHOP, { purpose: "VIP_TIER_ENTRY", pointsCost: null, name: "Welcome to Gold" });
    const res = await request("/app/vip", VIP);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Page;
    expect(body.program).toEqual({ enabled: false, basis: "POINTS_EARNED", period: "LIFETIME", skippedTierRewards: "ALL" });
    expect(body.tiers).toEqual([]);
    expect(body.templates.map((t) => t.name)).toEqual(["Welcome to Gold"]);
  });

  it("refuses invalid program choices and tiers with one message per field, saving nothing", async () => {
    const bad = await post({ intent: "program", enabled: "on", basis: "VISITS", period: "WEEKLY", skippedTierRewards: "ALL" });
    expect(bad.status).toBe(400);
    const b = (await bad.json()) as { ok: boolean; errors: Record<string, string> };
    expect(b.errors).toEqual({ basis: "Choose one of the options.", period: "Choose one of the options." });
    expect(await db.vipProgram.findUnique({ where: { shop: SHOP } })).toBeNull();

    const redemption = await db.rewardTemplate.findFirstOrThrow({ where: { shop: SHOP, purpose: "POINTS_REDEMPTION" } });
    const badTier = await post({ intent: "tier", name: "", threshold: "12.5", pointsMultiplier: "11", perkText: "", entryRewardTemplateId: redemption.id });
    expect(badTier.status).toBe(400);
    const t = (await badTier.json()) as { errors: Record<string, string> };
    expect(t.errors).toEqual({
      name: "Enter a name for the tier.",
      threshold: "Enter a whole number of points.",
      pointsMultiplier: "Enter a multiplier from 1 to 10.",
      entryRewardTemplateId: "Choose a reward made for VIP tier entry.",
    });
    expect(await db.vipTier.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("saves the program and tiers (strictly increasing thresholds), re-evaluates customers in the background with progress, deletes a tier", async () => {
    const gold = await db.rewardTemplate.findFirstOrThrow({ where: { shop: SHOP, name: "Welcome to Gold" } });
    // GIVEN two customers who already spent
    const a = await createCustomer(db, SHOP);
    const b = await createCustomer(db, SHOP);
    for (const [c, amount, n] of [
      [a, "250.00", 1],
      [b, "40.00", 2],
    ] as const) {
      await vipOrderCreated(deps(), {
        shop: SHOP,
        payload: { admin_graphql_api_id: `gid://shopify/Order/77${n}`, customer: { admin_graphql_api_id: c.shopifyCustomerId }, subtotal_price_set: { shop_money: { amount, currency_code: "USD" } } },
        receivedAt: new Date(),
      });
    }
    // WHEN the merchant turns VIP on by amount spent and adds Silver (100) and Gold (200)
    expect((await post({ intent: "program", enabled: "on", basis: "AMOUNT_SPENT", period: "CALENDAR_YEAR", skippedTierRewards: "HIGHEST" })).status).toBe(200);
    expect((await post({ intent: "tier", name: "Silver", threshold: "100", pointsMultiplier: "1.25", perkText: "", entryRewardTemplateId: "" })).status).toBe(200);
    const dup = await post({ intent: "tier", name: "silver", threshold: "100", pointsMultiplier: "1", perkText: "", entryRewardTemplateId: "" });
    expect(((await dup.json()) as { errors: Record<string, string> }).errors).toEqual({
      name: "Another tier already has this name.",
      threshold: "Another tier already has this threshold: each tier needs a higher threshold than the one below it.",
    });
    const saved = await post({ intent: "tier", name: "Gold", threshold: "200.50", pointsMultiplier: "2", perkText: "Free shipping", entryRewardTemplateId: gold.id });
    expect(await saved.json()).toMatchObject({ ok: true, message: "Tier saved" });

    // THEN the page shows a running re-evaluation, which the worker's task completes
    let page = (await (await request("/app/vip", VIP)).json()) as Page;
    expect(page.program).toEqual({ enabled: true, basis: "AMOUNT_SPENT", period: "CALENDAR_YEAR", skippedTierRewards: "HIGHEST" });
    expect(page.tiers.map((t) => [t.name, t.threshold, t.pointsMultiplier, t.entryRewardName])).toEqual([
      ["Silver", "100", "1.25", null],
      ["Gold", "200.5", "2", "Welcome to Gold"],
    ]);
    expect(page.job).toMatchObject({ status: "RUNNING", done: 0 });
    expect(page.job!.total).toBeGreaterThanOrEqual(2);
    await runEvaluationJobs(deps());
    page = (await (await request("/app/vip", VIP)).json()) as Page;
    expect(page.job).toMatchObject({ status: "DONE" });
    expect(page.job!.done).toBe(page.job!.total);
    expect(page.tiers.map((t) => [t.name, t.members])).toEqual([
      ["Silver", 0],
      ["Gold", 1],
    ]);
    expect((await db.customer.findUniqueOrThrow({ where: { id: a.id } })).vipTier).toBe("Gold");
    expect(await db.reward.count({ where: { customerId: a.id, source: "VIP_TIER_ENTRY" } })).toBe(1);

    // AND the customer profile and the home page show it
    const profile = (await (await request(`/app/customers/${a.id}`, "routes/app.customers.$id")).json()) as { vip: { tierName: string; changes: { reason: string }[] } };
    expect(profile.vip.tierName).toBe("Gold");
    expect(profile.vip.changes[0]!.reason).toMatch(/qualify for Gold/);
    const home = ((await (await request("/app", "routes/app._index")).json()) as { vip: { tiers: { name: string; members: number }[]; entryRewards: Record<string, number> } }).vip;
    expect(home.tiers).toEqual([
      { id: expect.any(String), name: "Silver", members: 0 },
      { id: expect.any(String), name: "Gold", members: 1 },
    ]);
    expect(home.entryRewards).toEqual({ PENDING: 1, ISSUED: 0, FAILED: 0 });

    // WHEN Gold is deleted, its member is re-placed by the next re-evaluation
    const goldTier = page.tiers.find((t) => t.name === "Gold")!;
    expect(await (await post({ intent: "delete", id: goldTier.id })).json()).toMatchObject({ ok: true, message: "Tier deleted" });
    expect((await post({ intent: "delete", id: goldTier.id })).status).toBe(404);
    await runEvaluationJobs(deps());
    expect((await db.customer.findUniqueOrThrow({ where: { id: a.id } })).vipTier).toBe("Silver");
    // Moving down never issues, and Silver's entry has no reward: still the one Gold reward.
    expect(await db.reward.count({ where: { customerId: a.id, source: "VIP_TIER_ENTRY" } })).toBe(1);
  });

  it("creates an entry reward in place (VIP_TIER_ENTRY), with field errors first; it is issuable as a tier's entry reward", async () => {
    const bad = await post({ intent: "entryReward", rewardKind: "PERCENTAGE", rewardValue: "150", rewardExpiryDays: "0" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: Record<string, string> }).errors).toEqual({
      rewardValue: "Enter an amount above 0 and up to 1,000,000, or a percentage from 1 to 100.",
      rewardExpiryDays: "Enter a number of days from 1 to 3,650, or leave it empty for no expiry.",
    });
    const res = await post({ intent: "entryReward", rewardKind: "FIXED_AMOUNT", rewardValue: "12.5", rewardExpiryDays: "45" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; message: string; templateId: string };
    expect(body.message).toBe("Reward “VIP entry: 12.50 USD off” created");
    expect(await db.rewardTemplate.findUniqueOrThrow({ where: { id: body.templateId } })).toMatchObject({ purpose: "VIP_TIER_ENTRY", kind: "FIXED_AMOUNT", value: "12.50", expiryDays: 45, active: true });
    const page = (await (await request("/app/vip", VIP)).json()) as Page;
    expect(page.templates.map((t) => t.id)).toContain(body.templateId);
    // It is a valid entry reward: a tier can use it and a customer entering the tier gets it.
    expect((await post({ intent: "tier", name: "Diamond", threshold: "5000", pointsMultiplier: "3", perkText: "", entryRewardTemplateId: body.templateId })).status).toBe(200);
    const c = await createCustomer(db, SHOP);
    await vipOrderCreated(deps(), {
      shop: SHOP,
      payload: { admin_graphql_api_id: "gid://shopify/Order/7799", customer: { admin_graphql_api_id: c.shopifyCustomerId }, subtotal_price_set: { shop_money: { amount: "5000.00", currency_code: "USD" } } },
      receivedAt: new Date(),
    });
    expect((await db.customer.findUniqueOrThrow({ where: { id: c.id } })).vipTier).toBe("Diamond");
    expect(await db.reward.findFirst({ where: { customerId: c.id, templateId: body.templateId } })).toMatchObject({ status: "PENDING", source: "VIP_TIER_ENTRY", value: "12.50" });
  });

  it("editing a tier that no longer exists is a clear 404", async () => {
    const res = await post({ intent: "tier", id: "nope", name: "X", threshold: "5000", pointsMultiplier: "1", perkText: "", entryRewardTemplateId: "" });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ ok: false, message: "This tier doesn't exist (it may have been deleted)." });
  });
});

describe("another shop's VIP rows", () => {
  it("GIVEN another shop's tier and VIP entry reward WHEN this shop saves or deletes that tier, or picks that reward for a tier of its own THEN not found / a field error, and nothing of the other shop changes", async () => {
    const other = "other-vip-shop.myshopify.com";
    const theirTier = await db.vipTier.create({ data: { shop: other, name: "Their Gold", threshold: "500" } });
    const theirReward = await createTemplate(db, other, { purpose: "VIP_TIER_ENTRY", pointsCost: null, name: "Their welcome" });
    const before = await db.vipTier.findMany({ where: { shop: other } });

    const save = await post({ intent: "tier", id: theirTier.id, name: "Mine now", threshold: "1", pointsMultiplier: "1", perkText: "", entryRewardTemplateId: "" });
    expect(save.status).toBe(404);
    const remove = await post({ intent: "delete", id: theirTier.id });
    expect(remove.status).toBe(404);
    const pick = await post({ intent: "tier", name: "Borrowed reward", threshold: "999", pointsMultiplier: "1", perkText: "", entryRewardTemplateId: theirReward.id });
    expect(pick.status).toBe(400);
    expect(((await pick.json()) as { errors: Record<string, string> }).errors).toHaveProperty("entryRewardTemplateId");

    expect(await db.vipTier.findMany({ where: { shop: other } })).toEqual(before);
    expect(await db.vipTier.count({ where: { shop: SHOP, name: { in: ["Mine now", "Borrowed reward"] } } })).toBe(0);
  });
});

describe("the limit of 10 tiers", () => {
  it("GIVEN a program with 4 tiers WHEN 12 different tiers are created at once THEN 10 tiers in all, and each other create is a 400 naming the limit (before: creates counted the same tiers, and the program had more than 10)", async () => {
    const shop = "vip-limit.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    for (let i = 1; i <= 4; i++) await db.vipTier.create({ data: { shop, name: `Tier ${i}`, threshold: String(i * 100) } });
    const create = (i: number) => {
      const url = new URL("/app/vip", app.url);
      url.searchParams.set("_data", VIP);
      const form = { intent: "tier", name: `New ${i}`, threshold: String(10_000 + i * 100), pointsMultiplier: "1", perkText: "", entryRewardTemplateId: "", amountCurrency: "USD" };
      return fetch(url, { method: "POST", body: new URLSearchParams(form), headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(shop)}` } });
    };
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => create(i + 1)));
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { ok: boolean; message: string; errors: Record<string, string> }[];
    expect(await db.vipTier.count({ where: { shop } })).toBe(10);
    expect(answers.filter((r) => r.status === 200)).toHaveLength(6);
    const refused = bodies.filter((b) => !b.ok);
    expect(refused).toHaveLength(6);
    for (const b of refused) expect(b).toMatchObject({ message: "A program has at most 10 tiers.", errors: { name: "A program has at most 10 tiers." } });
    expect(answers.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400]);
  });
});
