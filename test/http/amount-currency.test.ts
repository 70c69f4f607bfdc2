// GIVEN the production build on a real port, the emulator playing Shopify (admin session tokens, the
//       signed app proxy, signed shop/update), and the reward worker on the same database
// WHEN the merchant saves amounts in the shop's currency (USD) and the shop then moves to EUR
// THEN those amounts are not used as euros: the storefront does not offer the options, a redeem is
//      refused with nothing spent, a manual or bulk issue is refused, referral and VIP entry rewards
//      are held; the admin names what needs review, and once the merchant confirms in EUR (refused if
//      the currency moved again since the page was loaded) everything is offered and made in EUR.
// AND an admin page loaded in USD and saved after the move is refused (409), nothing saved: every
//      form that saves amounts sends the currency its page showed.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { runWorkerOnce, workerConfig, type WorkerDeps } from "~/jobs/worker.server";
import { issueRewardAsync } from "~/services/rewards/issue-async.server";
import { startBulkJob } from "~/services/bulk-issue/jobs.server";
import { OPTION_MESSAGES } from "~/copy/admin";
import { adminFetcher, BROWSER_UA, useRunningApp } from "../support/app";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { PROGRAM_SETTINGS_FORM, TEST_APP } from "../support/constants";
import { createCustomer, createTemplate } from "../support/factories";
import { applyWebhooks } from "../support/webhooks";
import { dbWithHookBeforeDeferral } from "../support/worker-races";

const fixture = useShopifyEmulator();
const { emulator } = fixture;
const app = useRunningApp({ emulator });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const deps = (): WorkerDeps => ({ db, logger, adminFor: (shop) => fixture.adminGraphql(shop), now: () => new Date() });
const config = () => workerConfig({ workerId: "amount-currency-worker", leaseMs: 60_000, jitterRandom: () => 0, perShopConcurrency: 1, shopifyTimeoutMs: 5_000 });

const adminFetch = adminFetcher(app, emulator, TEST_APP.shop);
/** An admin data request as App Bridge makes it (adminFetcher), with its JSON answer. */
async function admin(shop: string, path: string, route: string, form?: Record<string, string>): Promise<{ status: number; body: Json }> {
  const res = await adminFetch(path, { shop, route, ...(form ? { method: "POST", body: new URLSearchParams(form) } : {}) });
  return { status: res.status, body: (await res.json()) as Json };
}

const confirm = (shop: string, currency: string) => admin(shop, "/app/amount-currency", "routes/app.amount-currency", { currency });

/** The merchant changes the shop's currency in Shopify; its signed shop/update is applied. */
async function changeCurrency(shop: string, currency: string) {
  expect((await emulator.changeShopCurrency(shop, currency)).results[0].finalStatus).toBe(200);
  await applyWebhooks();
  expect((await db.shop.findUniqueOrThrow({ where: { domain: shop } })).currency).toBe(currency);
}

let seq = 0;
async function member(shop: string, points: number) {
  const n = ++seq;
  const shopify = emulator.addCustomer(shop, { firstName: `Cur${n}`, lastName: "Tester", email: `cur${n}@example.com` });
  const row = await db.customer.create({ data: { shop, shopifyCustomerId: shopify.id, displayName: `Cur${n} Tester`, email: shopify.email, pointsBalance: points } });
  return { id: row.id, gid: shopify.id, numericId: shopify.legacyId };
}

async function storefrontOptions(shop: string): Promise<Json[]> {
  const res = await fetch(emulator.appProxyUrl(shop, "/program", null), { headers: { "User-Agent": BROWSER_UA, Accept: "application/json" } });
  expect(res.status).toBe(200);
  return ((await res.json()) as Json).redemptionOptions as Json[];
}

async function redeem(shop: string, who: { numericId: string }, templateId: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(emulator.appProxyUrl(shop, "/redeem", who.numericId), {
    method: "POST",
    headers: { "User-Agent": BROWSER_UA, Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify({ templateId, idempotencyKey: `cur-${Date.now().toString(16)}-${++seq}`.padEnd(24, "x") }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

describe("amounts saved in another currency", () => {
  it("GIVEN a way to redeem and the program saved in USD WHEN the shop moves to EUR THEN the option is not offered and its redeem is refused (nothing spent); the admin names what needs review; a confirm for USD is refused (409), one for EUR makes the option redeemable in EUR", async () => {
    const shop = "moves-to-euro.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const saved = await admin(shop, "/app/ways-to-redeem/new", "routes/app.ways-to-redeem.$id", {
      name: "5 off",
      kind: "FIXED_AMOUNT",
      pointsCost: "500",
      value: "5",
      minimumSubtotal: "20",
      expiryDays: "30",
      active: "true",
      variable: "false",
      appliesTo: "ALL",
      amountCurrency: "USD",
    });
    expect(saved.body).toMatchObject({ ok: true, created: true, message: OPTION_MESSAGES.created });
    const optionId = saved.body.id as string;
    expect((await admin(shop, "/app/program", "routes/app.program", PROGRAM_SETTINGS_FORM)).status).toBe(200);
    expect(await db.rewardTemplate.findUniqueOrThrow({ where: { id: optionId } })).toMatchObject({ amountCurrency: "USD" });
    expect(await db.programSettings.findUniqueOrThrow({ where: { shop } })).toMatchObject({ amountCurrency: "USD" });
    expect((await storefrontOptions(shop)).map((o) => o.id)).toEqual([optionId]);
    expect((await admin(shop, "/app", "routes/app._index")).body.amountReview).toBeNull();

    await changeCurrency(shop, "EUR");

    // Storefront: not offered; a redeem sent anyway is refused before anything is spent.
    expect(await storefrontOptions(shop)).toEqual([]);
    const ada = await member(shop, 1_000);
    const refused = await redeem(shop, ada, optionId);
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).toContain("amount_in_other_currency");
    expect((await db.customer.findUniqueOrThrow({ where: { id: ada.id } })).pointsBalance).toBe(1_000);
    expect(await db.reward.count({ where: { shop } })).toBe(0);
    expect(await db.redemption.count({ where: { shop } })).toBe(0);
    expect(emulator.inspect.discounts(shop)).toEqual([]);

    // Admin: Home and each page name what needs review.
    const home = (await admin(shop, "/app", "routes/app._index")).body.amountReview as Json;
    expect(home).toMatchObject({ shopCurrency: "EUR", savedIn: ["USD"], title: "Amounts saved in USD; the shop now sells in EUR" });
    expect(home.areas).toEqual([
      { area: "waysToRedeem", label: "Ways to redeem", count: 1, names: ["5 off"] },
      { area: "program", label: "Program", count: 1, names: ["Points per unit of currency"] },
    ]);
    for (const [path, route] of [
      ["/app/ways-to-redeem", "routes/app.ways-to-redeem._index"],
      ["/app/vip", "routes/app.vip"],
      ["/app/referrals", "routes/app.referrals"],
      ["/app/program", "routes/app.program"],
    ]) {
      expect((await admin(shop, path!, route!)).body.amountReview).toEqual(home);
    }

    // A page loaded in USD times (or tampered with) cannot confirm: 409 and a sentence, nothing marked.
    const stale = await confirm(shop, "USD");
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ ok: false, code: "currency_changed" });
    expect(stale.body.message).toBe(
      "The shop's currency changed to EUR after this page was loaded in USD. Nothing was confirmed: reload the page, review the amounts in EUR, and confirm again.",
    );
    expect((await confirm(shop, "euro")).status).toBe(400);
    expect(await db.rewardTemplate.findUniqueOrThrow({ where: { id: optionId } })).toMatchObject({ amountCurrency: "USD" });

    const confirmed = await confirm(shop, "EUR");
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ ok: true, currency: "EUR", reviewed: 2, message: "Amounts confirmed in EUR." });
    expect((await admin(shop, "/app", "routes/app._index")).body.amountReview).toBeNull();
    expect(await db.programSettings.findUniqueOrThrow({ where: { shop } })).toMatchObject({ amountCurrency: "EUR" });

    expect((await storefrontOptions(shop)).map((o) => o.id)).toEqual([optionId]);
    const redeemed = await redeem(shop, ada, optionId);
    expect(redeemed.status).toBe(200);
    expect(await db.reward.findFirstOrThrow({ where: { shop } })).toMatchObject({ status: "ISSUED", currency: "EUR" });
  });

  it("GIVEN amounts confirmed in EUR WHEN the shop moves on to GBP before the confirm arrives THEN the confirm is refused (409) and the amounts still need review in GBP", async () => {
    const shop = "moves-twice.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    await createTemplate(db, shop, { name: "10 off", amountCurrency: "USD" });
    await changeCurrency(shop, "EUR");
    const page = (await admin(shop, "/app/ways-to-redeem", "routes/app.ways-to-redeem._index")).body.amountReview as Json;
    expect(page.shopCurrency).toBe("EUR");
    await changeCurrency(shop, "GBP");
    const late = await confirm(shop, page.shopCurrency as string);
    expect(late.status).toBe(409);
    expect(late.body.message).toContain("changed to GBP");
    expect((await admin(shop, "/app", "routes/app._index")).body.amountReview).toMatchObject({ title: "Amounts saved in USD; the shop now sells in GBP" });
  });

  it("GIVEN a shop that moved to EUR THEN saving the program from a page loaded in EUR stamps EUR: those amounts need no review", async () => {
    const shop = "saves-in-euro.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    await changeCurrency(shop, "EUR");
    expect((await admin(shop, "/app/program", "routes/app.program")).body.currency).toBe("EUR");
    expect((await admin(shop, "/app/program", "routes/app.program", { ...PROGRAM_SETTINGS_FORM, amountCurrency: "EUR" })).status).toBe(200);
    expect(await db.programSettings.findUniqueOrThrow({ where: { shop } })).toMatchObject({ amountCurrency: "EUR" });
    expect((await admin(shop, "/app", "routes/app._index")).body.amountReview).toBeNull();
  });

  it("GIVEN every admin page that saves amounts loaded while the shop sold in USD WHEN each is saved after the shop moved to EUR THEN each save is refused (409, a sentence, nothing saved); a form naming no currency is refused (400); sent from pages loaded in EUR they are saved and stamped EUR", async () => {
    const shop = "stale-pages.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    await db.vipProgram.create({ data: { shop, basis: "AMOUNT_SPENT" } });
    const option = await createTemplate(db, shop, { name: "5 off", value: "5.00", minimumSubtotal: "20.00", amountCurrency: "USD" });
    const tier = await db.vipTier.create({ data: { shop, name: "Gold", threshold: "100", amountCurrency: "USD" } });
    // The pages as the merchant loaded them: each shows its amounts in USD.
    const pages: [string, string][] = [
      ["/app/program", "routes/app.program"],
      ["/app/ways-to-redeem/new", "routes/app.ways-to-redeem.$id"],
      [`/app/ways-to-redeem/${option.id}`, "routes/app.ways-to-redeem.$id"],
      ["/app/vip", "routes/app.vip"],
      ["/app/referrals", "routes/app.referrals"],
    ];
    for (const [path, route] of pages) expect((await admin(shop, path, route)).body.currency).toBe("USD");
    const wayToRedeem = { name: "5 off", kind: "FIXED_AMOUNT", pointsCost: "500", value: "5", minimumSubtotal: "20", expiryDays: "30", active: "true", variable: "false", appliesTo: "ALL" };
    const saves: { label: string; path: string; route: string; form: Record<string, string> }[] = [
      { label: "program settings", path: "/app/program", route: "routes/app.program", form: { ...PROGRAM_SETTINGS_FORM } },
      { label: "a new way to redeem", path: "/app/ways-to-redeem/new", route: "routes/app.ways-to-redeem.$id", form: { ...wayToRedeem, name: "6 off", value: "6", requestKey: "stale-page-new-option" } },
      { label: "a way to redeem", path: `/app/ways-to-redeem/${option.id}`, route: "routes/app.ways-to-redeem.$id", form: wayToRedeem },
      { label: "VIP program settings", path: "/app/vip", route: "routes/app.vip", form: { intent: "program", enabled: "on", basis: "AMOUNT_SPENT", period: "LIFETIME", skippedTierRewards: "ALL" } },
      { label: "a new VIP tier", path: "/app/vip", route: "routes/app.vip", form: { intent: "tier", name: "Silver", threshold: "50", pointsMultiplier: "1", perkText: "", entryRewardTemplateId: "" } },
      { label: "a VIP tier", path: "/app/vip", route: "routes/app.vip", form: { intent: "tier", id: tier.id, name: "Gold", threshold: "100", pointsMultiplier: "1", perkText: "", entryRewardTemplateId: "" } },
      { label: "a VIP entry reward", path: "/app/vip", route: "routes/app.vip", form: { intent: "entryReward", rewardKind: "FIXED_AMOUNT", rewardValue: "5", rewardExpiryDays: "30", requestKey: "stale-page-entry" } },
      {
        label: "referral settings",
        path: "/app/referrals",
        route: "routes/app.referrals",
        form: { enabled: "on", friendRewardKind: "FIXED_AMOUNT", friendRewardValue: "5", referrerRewardKind: "FIXED_AMOUNT", referrerRewardValue: "10", minimumOrderAmount: "40", monthlyCapPerReferrer: "", pendingDays: "30" },
      },
    ];
    const stored = async () => ({
      templates: await db.rewardTemplate.findMany({ where: { shop }, orderBy: { id: "asc" } }),
      tiers: await db.vipTier.findMany({ where: { shop }, orderBy: { id: "asc" } }),
      referral: await db.referralSettings.findUnique({ where: { shop } }),
      program: await db.programSettings.findUnique({ where: { shop } }),
      vipProgram: await db.vipProgram.findUnique({ where: { shop } }),
    });

    await changeCurrency(shop, "EUR");
    const before = await stored();
    // Every path's answers at once (a failure names each path that saved).
    const answers: { label: string; stale: [number, string]; noCurrency: [number, string]; notACurrency: [number, string] }[] = [];
    for (const save of saves) {
      const send = async (form: Record<string, string>): Promise<[number, string]> => {
        const answer = await admin(shop, save.path, save.route, form);
        return [answer.status, answer.body.message as string];
      };
      const withoutCurrency = Object.fromEntries(Object.entries(save.form).filter(([field]) => field !== "amountCurrency"));
      answers.push({
        label: save.label,
        stale: await send({ ...save.form, amountCurrency: "USD" }),
        noCurrency: await send(withoutCurrency),
        notACurrency: await send({ ...save.form, amountCurrency: "euro" }),
      });
    }
    const outOfDate: [number, string] = [400, "This form is out of date (it does not say which currency its amounts are in). Nothing was saved. Reload the page and save again."];
    expect(answers).toEqual(
      saves.map((save) => ({
        label: save.label,
        stale: [409, "The shop's currency changed to EUR after this page was loaded in USD; nothing was saved. Reload the page and enter the amounts in EUR."],
        noCurrency: outOfDate,
        notACurrency: outOfDate,
      })),
    );
    expect(await stored()).toEqual(before);

    // Reloaded, the pages show EUR and send it: saved, stamped EUR.
    for (const [path, route] of pages) expect((await admin(shop, path, route)).body.currency).toBe("EUR");
    for (const save of saves) {
      const saved = await admin(shop, save.path, save.route, { ...save.form, amountCurrency: "EUR" });
      expect({ label: save.label, status: saved.status, ok: saved.body.ok }).toEqual({ label: save.label, status: 200, ok: true });
    }
    const after = await stored();
    expect(after.templates.map((t) => [t.purpose, t.name]).sort()).toEqual([
      ["POINTS_REDEMPTION", "5 off"],
      ["POINTS_REDEMPTION", "6 off"],
      ["REFERRAL", "Referral: thank-you reward for the referrer"],
      ["REFERRAL", "Referral: welcome reward for the friend"],
      ["VIP_TIER_ENTRY", expect.stringContaining("EUR off")],
    ]);
    expect(after.templates.filter((t) => t.amountCurrency !== "EUR")).toEqual([]);
    expect(after.tiers.map((t) => [t.name, t.amountCurrency]).sort()).toEqual([["Gold", "EUR"], ["Silver", "EUR"]]);
    expect(after.referral).toMatchObject({ amountCurrency: "EUR" });
    expect(after.program).toMatchObject({ amountCurrency: "EUR" });
  });

  it("GIVEN rewards saved in USD and the shop now in EUR WHEN the merchant issues one by hand or starts a bulk issue THEN both are refused with a sentence (nothing saved); a referral reward and a VIP entry reward are held Pending (no attempt, a note) until the amounts are confirmed, then made in EUR with the confirmed amounts", async () => {
    const shop = "held-rewards.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const manual = await createTemplate(db, shop, { name: "5 off by hand", purpose: "MANUAL", pointsCost: null, value: "5.00", amountCurrency: "USD" });
    const referral = await createTemplate(db, shop, { name: "Welcome", purpose: "REFERRAL", pointsCost: null, value: "5.00", amountCurrency: "USD" });
    const entry = await createTemplate(db, shop, { name: "Gold entry", purpose: "VIP_TIER_ENTRY", pointsCost: null, value: "5.00", amountCurrency: "EUR" });
    await db.vipProgram.create({ data: { shop, basis: "AMOUNT_SPENT" } });
    await db.vipTier.create({ data: { shop, name: "Gold", threshold: "100", entryRewardTemplateId: entry.id, amountCurrency: "USD" } });
    const customer = await createCustomer(db, shop, {}, emulator);
    await changeCurrency(shop, "EUR");

    const byHand = await issueRewardAsync(deps(), { shop, customer: { id: customer.id }, templateId: manual.id, source: "MANUAL" });
    expect(byHand).toMatchObject({ ok: false, error: { code: "amount_in_other_currency" } });
    expect(!byHand.ok && byHand.error.message).toBe(
      'The reward "5 off by hand" has amounts saved in USD, and the shop now sells in EUR. Review its amounts, confirm them (the banner on Home), then issue it.',
    );
    const bulk = await startBulkJob(db, { shop, templateId: manual.id, target: { type: "SEARCH" } });
    expect(bulk).toMatchObject({ ok: false, error: { code: "amount_in_other_currency" } });
    expect(await db.bulkIssueJob.count({ where: { shop } })).toBe(0);

    const friend = await issueRewardAsync(deps(), { shop, customer: { id: customer.id }, templateId: referral.id, source: "REFERRAL" });
    const vip = await issueRewardAsync(deps(), { shop, customer: { id: customer.id }, templateId: entry.id, source: "VIP_TIER_ENTRY" });
    if (!friend.ok || !vip.ok) throw new Error("not queued");
    expect(friend.reward).toMatchObject({ status: "PENDING" });
    expect(await db.reward.findUniqueOrThrow({ where: { id: friend.reward.id } })).toMatchObject({ currency: "USD" });
    // The VIP entry reward's own amounts are in EUR; its tier's threshold is not.
    expect(await db.reward.findUniqueOrThrow({ where: { id: vip.reward.id } })).toMatchObject({ currency: "EUR" });

    await runWorkerOnce(deps(), config());
    for (const id of [friend.reward.id, vip.reward.id]) {
      const held = await db.reward.findUniqueOrThrow({ where: { id } });
      expect(held).toMatchObject({ status: "PENDING", attempts: 0, claimedBy: null });
      expect(held.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() + 60_000);
      expect(await db.rewardEvent.findFirst({ where: { rewardId: id, type: "NOTE", dedupeKey: "amount-review:EUR" } })).not.toBeNull();
    }
    expect(emulator.inspect.discounts(shop)).toEqual([]);

    // The merchant reviews the referral reward (now 6 euros) and confirms.
    await db.rewardTemplate.update({ where: { id: referral.id }, data: { value: "6.00" } });
    expect((await confirm(shop, "EUR")).body).toMatchObject({ ok: true, reviewed: 3, released: 2 });
    await runWorkerOnce(deps(), config());
    expect(await db.reward.findUniqueOrThrow({ where: { id: friend.reward.id } })).toMatchObject({ status: "ISSUED", currency: "EUR", value: "6.00" });
    expect(await db.reward.findUniqueOrThrow({ where: { id: vip.reward.id } })).toMatchObject({ status: "ISSUED", currency: "EUR", value: "5.00" });
    const made = emulator.inspect.discounts(shop);
    expect(made).toHaveLength(2);

    // By hand, now: issued in EUR.
    expect(await issueRewardAsync(deps(), { shop, customer: { id: customer.id }, templateId: manual.id, source: "MANUAL" })).toMatchObject({ ok: true });
  });

  it("GIVEN VIP tiers on points earned (thresholds are no currency) saved before the shop moved to EUR THEN they need no review, and an entry reward whose own amounts are in EUR is made at once", async () => {
    const shop = "points-tiers.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    await db.vipProgram.create({ data: { shop, basis: "POINTS_EARNED" } });
    const entry = await createTemplate(db, shop, { name: "Silver entry", purpose: "VIP_TIER_ENTRY", pointsCost: null, kind: "PERCENTAGE", value: "10", amountCurrency: "USD" });
    await db.vipTier.create({ data: { shop, name: "Silver", threshold: "500", entryRewardTemplateId: entry.id, amountCurrency: "USD" } });
    const customer = await createCustomer(db, shop, {}, emulator);
    await changeCurrency(shop, "EUR");
    await db.rewardTemplate.update({ where: { id: entry.id }, data: { amountCurrency: "EUR" } }); // its own amounts confirmed
    expect((await admin(shop, "/app", "routes/app._index")).body.amountReview).toBeNull();
    const vip = await issueRewardAsync(deps(), { shop, customer: { id: customer.id }, templateId: entry.id, source: "VIP_TIER_ENTRY" });
    if (!vip.ok) throw new Error("not queued");
    await runWorkerOnce(deps(), config());
    expect(await db.reward.findUniqueOrThrow({ where: { id: vip.reward.id } })).toMatchObject({ status: "ISSUED", currency: "EUR" });
  });

  it("GIVEN the worker found a referral reward's amounts under review WHEN the merchant confirms them before the worker has released it THEN it is due at once, not hours later, and made in EUR once", async () => {
    const shop = "held-confirm-race.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const referral = await createTemplate(db, shop, { name: "Welcome", purpose: "REFERRAL", pointsCost: null, value: "5.00", amountCurrency: "USD" });
    const customer = await createCustomer(db, shop, {}, emulator);
    await changeCurrency(shop, "EUR");
    const friend = await issueRewardAsync(deps(), { shop, customer: { id: customer.id }, templateId: referral.id, source: "REFERRAL" });
    if (!friend.ok) throw new Error("not queued");

    let confirmed = false;
    const racing: WorkerDeps = {
      ...deps(),
      db: dbWithHookBeforeDeferral(db, async () => {
        // The merchant confirms while the worker still holds the reward it has just seen held.
        expect((await confirm(shop, "EUR")).body).toMatchObject({ ok: true, released: 0 });
        expect((await db.reward.findUniqueOrThrow({ where: { id: friend.reward.id } })).claimedBy).toBe("amount-currency-worker");
        confirmed = true;
      }),
    };
    expect((await runWorkerOnce(racing, config())).outcomes).toEqual({ deferred_amount_review: 1 });
    expect(confirmed).toBe(true);
    const waiting = await db.reward.findUniqueOrThrow({ where: { id: friend.reward.id } });
    expect(waiting).toMatchObject({ status: "PENDING", attempts: 0, claimedBy: null });
    expect(waiting.nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now());

    await runWorkerOnce(deps(), config());
    expect(await db.reward.findUniqueOrThrow({ where: { id: friend.reward.id } })).toMatchObject({ status: "ISSUED", currency: "EUR", attempts: 1 });
    await runWorkerOnce(deps(), config());
    expect(emulator.inspect.discounts(shop)).toHaveLength(1);
  });

  it("GIVEN a referral reward held for review WHEN its reward is deleted before the merchant confirms THEN it fails with amount_in_other_currency (nothing made)", async () => {
    const shop = "held-then-gone.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const referral = await createTemplate(db, shop, { name: "Welcome", purpose: "REFERRAL", pointsCost: null, value: "5.00", amountCurrency: "USD" });
    const customer = await createCustomer(db, shop, {}, emulator);
    await changeCurrency(shop, "EUR");
    const friend = await issueRewardAsync(deps(), { shop, customer: { id: customer.id }, templateId: referral.id, source: "REFERRAL" });
    if (!friend.ok) throw new Error("not queued");
    await runWorkerOnce(deps(), config());
    expect(await db.reward.findUniqueOrThrow({ where: { id: friend.reward.id } })).toMatchObject({ status: "PENDING", attempts: 0 });

    await db.rewardTemplate.delete({ where: { id: referral.id } });
    expect((await confirm(shop, "EUR")).body).toMatchObject({ ok: true, released: 1 });
    await runWorkerOnce(deps(), config());
    expect(await db.reward.findUniqueOrThrow({ where: { id: friend.reward.id } })).toMatchObject({ status: "FAILED", failureCode: "amount_in_other_currency", currency: "USD" });
    expect(emulator.inspect.discounts(shop)).toEqual([]);
  });
  it("GIVEN VIP tiers by amount spent saved in USD and the shop now in EUR WHEN a member opens the widget THEN it names the next tier without the amount left to it (no money it would not honour); confirmed in EUR, the amount is shown again", async () => {
    const shop = "vip-progress-review.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    await db.vipProgram.create({ data: { shop, enabled: true, basis: "AMOUNT_SPENT" } });
    const silver = await db.vipTier.create({ data: { shop, name: "Silver", threshold: "100", amountCurrency: "USD" } });
    await db.vipTier.create({ data: { shop, name: "Gold", threshold: "200", amountCurrency: "USD" } });
    const who = await member(shop, 0);
    await db.customer.update({ where: { id: who.id }, data: { vipTierId: silver.id, vipTier: "Silver" } });
    const vipView = async () => {
      const res = await fetch(emulator.appProxyUrl(shop, "/customer", who.numericId), { headers: { "User-Agent": BROWSER_UA, Accept: "application/json" } });
      expect(res.status).toBe(200);
      return ((await res.json()) as Json).vip as Json;
    };
    expect((await vipView()).next).toEqual({ tier: "Gold", remaining: "200.00" });
    await changeCurrency(shop, "EUR");
    expect(await vipView()).toMatchObject({ tier: "Silver", next: { tier: "Gold", remaining: null } });
    expect((await confirm(shop, "EUR")).status).toBe(200);
    expect((await vipView()).next).toEqual({ tier: "Gold", remaining: "200.00" });
  });
  it("GIVEN VIP tiers on points earned, an entry reward and the shop in EUR WHEN the merchant switches the basis to amount spent THEN the thresholds typed as points are not taken as euros: listed for review, the widget shows no amount, a member's entry reward is held; confirmed in EUR (or a tier saved again) they count", async () => {
    const shop = "vip-basis-switch.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "EUR" });
    await db.vipProgram.create({ data: { shop, enabled: true, basis: "POINTS_EARNED" } });
    const entry = await createTemplate(db, shop, { name: "Gold entry", purpose: "VIP_TIER_ENTRY", pointsCost: null, kind: "PERCENTAGE", value: "10", amountCurrency: "EUR" });
    const silver = await db.vipTier.create({ data: { shop, name: "Silver", threshold: "500", amountCurrency: "EUR" } });
    await db.vipTier.create({ data: { shop, name: "Gold", threshold: "1000", entryRewardTemplateId: entry.id, amountCurrency: "EUR" } });
    const who = await member(shop, 0);
    await db.customer.update({ where: { id: who.id }, data: { vipTierId: silver.id, vipTier: "Silver" } });
    const vipView = async () => {
      const res = await fetch(emulator.appProxyUrl(shop, "/customer", who.numericId), { headers: { "User-Agent": BROWSER_UA, Accept: "application/json" } });
      expect(res.status).toBe(200);
      return ((await res.json()) as Json).vip as Json;
    };
    const vipPage = async () => (await admin(shop, "/app/vip", "routes/app.vip")).body;
    expect((await vipPage()).amountReview).toBeNull();
    const program = { intent: "program", enabled: "on", basis: "AMOUNT_SPENT", period: "LIFETIME", skippedTierRewards: "ALL", amountCurrency: "EUR" };
    expect((await admin(shop, "/app/vip", "routes/app.vip", program)).status).toBe(200);

    const review = (await vipPage()).amountReview as Json;
    expect(review).toMatchObject({ shopCurrency: "EUR", title: "Amounts saved in points earned; the shop now sells in EUR", areas: [{ area: "vip", names: ["Tier Gold", "Tier Silver"] }] });
    expect(await vipView()).toMatchObject({ tier: "Silver", next: { tier: "Gold", remaining: null }, basis: "AMOUNT_SPENT" });
    const customer = await db.customer.findUniqueOrThrow({ where: { id: who.id } });
    const held = await issueRewardAsync(deps(), { shop, customer: { id: customer.id }, templateId: entry.id, source: "VIP_TIER_ENTRY" });
    if (!held.ok) throw new Error("not queued");
    await runWorkerOnce(deps(), config());
    expect(await db.reward.findUniqueOrThrow({ where: { id: held.reward.id } })).toMatchObject({ status: "PENDING", attempts: 0 });

    // Saving a tier again from the page (its threshold now typed as EUR) takes it off the list.
    expect((await admin(shop, "/app/vip", "routes/app.vip", { intent: "tier", id: silver.id, name: "Silver", threshold: "50", pointsMultiplier: "1", perkText: "", entryRewardTemplateId: "", amountCurrency: "EUR" })).status).toBe(200);
    expect(((await vipPage()).amountReview as Json).areas).toMatchObject([{ area: "vip", names: ["Tier Gold"] }]);
    expect((await confirm(shop, "EUR")).status).toBe(200);
    expect((await vipPage()).amountReview).toBeNull();
    expect((await vipView()).next).toEqual({ tier: "Gold", remaining: "1000.00" });
    await runWorkerOnce(deps(), config());
    expect(await db.reward.findUniqueOrThrow({ where: { id: held.reward.id } })).toMatchObject({ status: "ISSUED", currency: "EUR" });
  });

  it("GIVEN VIP tiers by amount spent typed in USD and the shop moved to EUR WHEN the merchant opens a customer's profile THEN its VIP card says tier changes are on hold (the review's title); once confirmed THEN that tiers are being re-checked", async () => {
    const shop = "amount-currency-vip-profile.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    await db.vipProgram.create({ data: { shop, enabled: true, basis: "AMOUNT_SPENT" } });
    await db.vipTier.create({ data: { shop, name: "Gold", threshold: "100", thresholdBasis: "AMOUNT_SPENT", amountCurrency: "USD" } });
    const customer = await member(shop, 0);
    const profile = async () => (await admin(shop, `/app/customers/${customer.id}`, "routes/app.customers.$id")).body.vip;
    expect(await profile()).toMatchObject({ enabled: true, placement: null });
    await changeCurrency(shop, "EUR");
    // (before: nothing on the profile said why nobody moved into Gold)
    expect(await profile()).toMatchObject({ placement: { state: "held", title: "Amounts saved in USD; the shop now sells in EUR" } });
    // A held evaluation marks the program (an order while under review), then the merchant confirms.
    await db.vipProgram.update({ where: { shop }, data: { placementHeldAt: new Date() } });
    expect((await confirm(shop, "EUR")).status).toBe(200);
    expect(await profile()).toMatchObject({ placement: { state: "rechecking" } });
  });
});
