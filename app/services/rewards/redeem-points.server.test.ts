// Synchronous points redemption against the real database (per-file) and the Shopify emulator
// through the real library: success, refusals, idempotent repeats, concurrency, compensation after
// a failed commit, resuming interrupted redemptions, gift cards. (The recovery sweep for redemptions
// nobody resumes: recover-redemptions.server.test.ts.)
import pino from "pino";
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { customerMessage } from "~/copy/storefront";
import { createRewardDiscount } from "~/shopify/discounts.server";
import { installEmulatedShop, useShopifyEmulator } from "../../../test/support/shopify";
import { TEST_APP } from "../../../test/support/constants";
import { redemptionHarness } from "../../../test/support/redeem";
import { createTemplate } from "../../../test/support/factories";
import { allowErrorLogs } from "../../../test/support/error-logs";
import { holdMutation } from "../../../test/support/held-mutation";
import { redeemPoints } from "./redeem-points.server";
import { recoverAbandonedRedemptions } from "./recover-redemptions.server";

const fixture = useShopifyEmulator();
const { emulator, adminGraphql } = fixture;
const SHOP = TEST_APP.shop;
const NO_GIFT_CARDS = "no-gift-cards.myshopify.com";
const NO_GIFT_CARD_SCOPE = "no-gift-card-scope.myshopify.com";

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { planDisplayName: "Shopify Plus", giftCards: true, currencyCode: "USD" });
  await installEmulatedShop(emulator, NO_GIFT_CARDS, { planDisplayName: "Basic", giftCards: false, currencyCode: "USD" });
  await installEmulatedShop(emulator, NO_GIFT_CARD_SCOPE, {
    planDisplayName: "Shopify Plus",
    giftCards: true,
    currencyCode: "USD",
    scopes: TEST_APP.scopes.split(",").filter((s) => !s.includes("gift_cards")),
  });
});

const { deps, newKey, customerWith, discountsFor } = redemptionHarness(fixture, "redeem-key");

async function ledger(customerId: string) {
  return db.pointsTransaction.findMany({ where: { customerId }, orderBy: { createdAt: "asc" } });
}

describe("redeemPoints: success", () => {
  it("creates a one-use discount for that customer only, then saves the Issued reward, its event and the ledger row in one go", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { kind: "FIXED_AMOUNT", value: "10.00", pointsCost: 100, expiryDays: 30, codePrefix: "VIP" });
    const before = Date.now();
    const r = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() });

    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.replayed).toBe(false);
    expect(r.reward).toMatchObject({ status: "ISSUED", source: "POINTS_REDEMPTION", kind: "FIXED_AMOUNT", pointsSpent: 100, pointsBalance: 400 });
    expect(r.reward.code).toMatch(/^VIP-[2-9A-HJ-NP-Z]{12}$/);

    // In Shopify: exactly one discount, restricted to the customer, one use, expiring in 30 days, tagged ours.
    const [discount, ...more] = discountsFor(SHOP, customer.shopifyCustomerId);
    expect(more).toHaveLength(0);
    expect(discount).toMatchObject({
      usageLimit: 1,
      appliesOncePerCustomer: true,
      context: { kind: "customers", customerIds: [customer.shopifyCustomerId] },
      tags: [`loyalty-reward:${r.reward.id}`],
    });
    expect(discount.codes[0].code).toBe(r.reward.code);
    expect(discount.id).toBe(r.reward.shopifyId);
    const thirtyDays = 30 * 86_400_000;
    expect(discount.endsAt!.getTime()).toBeGreaterThanOrEqual(before + thirtyDays - 1000);
    expect(discount.endsAt!.getTime()).toBeLessThanOrEqual(Date.now() + thirtyDays + 1000);
    // Stored as Shopify reports it (whole seconds).
    expect(Math.abs(r.reward.expiresAt!.getTime() - discount.endsAt!.getTime())).toBeLessThan(1000);

    // In the database: balance, ledger, event, redemption, lock released.
    const after = await db.customer.findUniqueOrThrow({ where: { id: customer.id } });
    expect(after.pointsBalance).toBe(400);
    expect(after.redemptionLockKey).toBeNull();
    expect(await ledger(customer.id)).toMatchObject([{ delta: -100, balanceAfter: 400, reason: "REDEMPTION", rewardId: r.reward.id }]);
    const events = await db.rewardEvent.findMany({ where: { rewardId: r.reward.id } });
    expect(events).toMatchObject([{ type: "CREATED", actor: "CUSTOMER", toStatus: "ISSUED" }]);
    const redemption = await db.redemption.findFirstOrThrow({ where: { rewardId: r.reward.id } });
    expect(redemption).toMatchObject({ state: "COMPLETED", code: r.reward.code });
  });

  it("sends percentages and free shipping the way Shopify expects", async () => {
    const customer = await customerWith(1000);
    const pct = await createTemplate(db, SHOP, { kind: "PERCENTAGE", value: "15", pointsCost: 100 });
    const ship = await createTemplate(db, SHOP, { kind: "FREE_SHIPPING", pointsCost: 100 });
    const a = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: pct.id, idempotencyKey: newKey() });
    const b = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: ship.id, idempotencyKey: newKey() });
    expect(a.ok && b.ok).toBe(true);
    const discounts = discountsFor(SHOP, customer.shopifyCustomerId);
    expect(discounts.find((d) => d.kind === "basic")?.customerGets?.value).toEqual({ kind: "percentage", percentage: 0.15 });
    expect(discounts.find((d) => d.kind === "free_shipping")).toBeDefined();
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(800);
  });

  it("issues a gift card with the template's amount in the shop's currency, marked as ours", async () => {
    const customer = await customerWith(300);
    const template = await createTemplate(db, SHOP, { kind: "GIFT_CARD", value: "25.00", pointsCost: 250, expiryDays: 365 });
    const r = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.reward).toMatchObject({ kind: "GIFT_CARD", status: "ISSUED", currency: "USD", pointsBalance: 50 });
    expect(r.reward.code).toMatch(/^[2-9A-HJ-NP-Z]{16}$/);
    const card = emulator.inspect.giftCards(SHOP).find((g) => g.id === r.reward.shopifyId);
    expect(card).toMatchObject({ initialValue: 2500, currencyCode: "USD", note: `loyalty-reward:${r.reward.id}`, enabled: true });
    expect(card!.code.toUpperCase()).toBe(r.reward.code);
  });
});

describe("redeemPoints: nothing is saved when it can't be done", () => {
  it("refuses without enough points, before calling Shopify", async () => {
    const customer = await customerWith(99);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    const r = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() });
    expect(r).toMatchObject({ ok: false, error: { code: "insufficient_points" } });
    expect(!r.ok && r.error.message).toMatch(/enough points/);
    expect(emulator.inspect.countCalls("discountCodeBasicCreate")).toBe(0);
    expect(await db.reward.count({ where: { customerId: customer.id } })).toBe(0);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).redemptionLockKey).toBeNull();
  });

  it.each([
    ["an amount off above MAX_REWARD_AMOUNT", { kind: "FIXED_AMOUNT", value: "2000000" }],
    ["store credit at Shopify's per-account limit (15,000)", { kind: "STORE_CREDIT", value: "15000" }],
    ["a variable amount off whose chosen points buy more than MAX_REWARD_AMOUNT", { kind: "FIXED_AMOUNT", value: "600000", pointsMin: 100, pointsMax: 1000, pointsStep: 100, choose: 200 }],
  ])("GIVEN an option worth %s (saved before the limit, or by another writer) THEN reward_unavailable before calling Shopify, nothing spent (was created in Shopify and the points spent)", async (_label, option) => {
    const { choose, pointsMin, pointsMax, pointsStep, ...fields } = option as { kind: string; value: string; choose?: number; pointsMin?: number; pointsMax?: number; pointsStep?: number };
    const customer = await customerWith(1000);
    const created = await createTemplate(db, SHOP, { pointsCost: 100, ...fields });
    const template = pointsMin ? await db.rewardTemplate.update({ where: { id: created.id }, data: { pointsMin, pointsMax, pointsStep } }) : created;
    const calls = emulator.inspect.countCalls();
    const r = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey(), ...(choose ? { points: choose } : {}) });
    expect(r).toMatchObject({ ok: false, error: { code: "reward_unavailable" } });
    expect(emulator.inspect.countCalls()).toBe(calls);
    expect(await db.reward.count({ where: { customerId: customer.id } })).toBe(0);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(1000);
  });

  it("turns Shopify's refusal into a customer message, saves no reward and spends nothing; repeating gives the same answer", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    emulator.faults.userErrors("discountCodeBasicCreate", [{ field: ["basicCodeDiscount", "customerGets", "value"], code: "INVALID", message: "Value is invalid" }]);
    const key = newKey();
    const input = { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: key };
    const r = await redeemPoints(deps(), input);
    expect(r).toMatchObject({ ok: false, error: { code: "shopify_error", reason: "invalid_reward_settings", message: customerMessage("invalid_reward_settings") } });
    expect(!r.ok && r.error.message).not.toMatch(/Value is invalid/); // never Shopify's raw text
    expect(await db.reward.count({ where: { customerId: customer.id } })).toBe(0);
    expect(await ledger(customer.id)).toHaveLength(0);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(500);

    const again = await redeemPoints(deps(), input);
    expect(again).toEqual(r);
    expect(emulator.inspect.countCalls("discountCodeBasicCreate")).toBe(1);
  });

  it("logs Shopify's refusal by kind and reason, never Shopify's own text (it can echo what was sent, e.g. the code)", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    const echoed = "Code LEAKED-CODE-1234 for zed.echo@example.com is invalid";
    emulator.faults.userErrors("discountCodeBasicCreate", [{ field: ["basicCodeDiscount", "code"], code: "INVALID", message: echoed }]);
    const lines: string[] = [];
    const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(line) });
    const r = await redeemPoints(deps({ logger }), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() });
    expect(r.ok).toBe(false);
    expect(lines.join("\n")).toContain("redemption: Shopify did not create the reward");
    expect(lines.join("\n")).not.toContain("LEAKED-CODE-1234");
    expect(lines.join("\n")).not.toContain("zed.echo@example.com");
  });

  it("reports throttling as 'busy, try again' without saving anything", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    emulator.faults.throttle("discountCodeBasicCreate");
    const r = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() });
    expect(r).toMatchObject({ ok: false, error: { reason: "throttled", retryable: true, message: customerMessage("throttled") } });
    expect(discountsFor(SHOP, customer.shopifyCustomerId)).toHaveLength(0);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(500);
  });

  it("after a timeout, looks the code up, finds nothing, and leaves it to the sweep: a create that lands later is removed, never orphaned", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    // Shopify holds the create past the app's timeout and runs it afterwards (it may: the request
    // was sent). soak:redeem found FAILED redemptions whose code went live later with no owner.
    emulator.faults.hang("discountCodeBasicCreate", 1_000);
    const r = await redeemPoints(deps({ shopifyTimeoutMs: 200 }), {
      shop: SHOP,
      customerGid: customer.shopifyCustomerId,
      templateId: template.id,
      idempotencyKey: newKey(),
    });
    expect(r).toMatchObject({ ok: false, error: { reason: "timeout", message: customerMessage("timeout") } });
    expect(emulator.inspect.countCalls("codeDiscountNodeByCode")).toBe(1);
    const redemption = await db.redemption.findFirstOrThrow({ where: { customerId: customer.id } });
    // Not FAILED: "not found right after a timeout" proves nothing, so the redemption waits for the sweep.
    expect(redemption).toMatchObject({ state: "IN_PROGRESS", errorReason: "timeout" });
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(500);

    // The held create lands (waiting for the event, bounded; no clock race).
    for (let i = 0; i < 200 && discountsFor(SHOP, customer.shopifyCustomerId).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(discountsFor(SHOP, customer.shopifyCustomerId)).toHaveLength(1);

    const later = () => new Date(Date.now() + 3_600_000);
    const summary = await recoverAbandonedRedemptions(deps({ now: later }), { olderThanMs: 10 * 60_000 });
    expect(summary).toMatchObject({ abandoned: 1 });
    expect(discountsFor(SHOP, customer.shopifyCustomerId)).toHaveLength(0);
    expect((await db.redemption.findUniqueOrThrow({ where: { id: redemption.id } })).state).toBe("ABANDONED");
    expect(await db.reward.count({ where: { customerId: customer.id } })).toBe(0);
    expect(await ledger(customer.id)).toHaveLength(0);
  });

  it("refuses gift cards with a clear message where the shop can't issue them", async () => {
    const customer = await customerWith(500, NO_GIFT_CARDS);
    const template = await createTemplate(db, NO_GIFT_CARDS, { kind: "GIFT_CARD", value: "20.00", pointsCost: 100 });
    const r = await redeemPoints(deps(), { shop: NO_GIFT_CARDS, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() });
    expect(r).toMatchObject({ ok: false, error: { code: "gift_cards_unavailable", message: customerMessage("gift_cards_unavailable") } });
    expect(emulator.inspect.countCalls("giftCardCreate")).toBe(0);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(500);
  });

  it("handles ACCESS_DENIED on the gift card mutation with the same clear message", async () => {
    const customer = await customerWith(500, NO_GIFT_CARD_SCOPE);
    const template = await createTemplate(db, NO_GIFT_CARD_SCOPE, { kind: "GIFT_CARD", value: "20.00", pointsCost: 100 });
    const r = await redeemPoints(deps(), { shop: NO_GIFT_CARD_SCOPE, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() });
    expect(emulator.inspect.countCalls("giftCardCreate", { outcome: "graphql_errors" })).toBe(1);
    // The scope is optional (shopify.app.toml optional_scopes): the reason says access was not granted.
    expect(r).toMatchObject({ ok: false, error: { code: "reward_kind_unavailable", reason: "scope_not_granted", message: customerMessage("scope_not_granted") } });
    expect(await db.reward.count({ where: { customerId: customer.id } })).toBe(0);
  });

  it("rejects unknown customers, inactive rewards, and a key reused for another reward", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    const inactive = await createTemplate(db, SHOP, { pointsCost: 100, active: false });
    const unknown = await redeemPoints(deps(), { shop: SHOP, customerGid: "gid://shopify/Customer/424242", templateId: template.id, idempotencyKey: newKey() });
    expect(unknown).toMatchObject({ ok: false, error: { code: "customer_not_found" } });
    const off = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: inactive.id, idempotencyKey: newKey() });
    expect(off).toMatchObject({ ok: false, error: { code: "reward_unavailable" } });
    const key = newKey();
    expect((await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: key })).ok).toBe(true);
    const other = await createTemplate(db, SHOP, { pointsCost: 50 });
    const reused = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: other.id, idempotencyKey: key });
    expect(reused).toMatchObject({ ok: false, error: { code: "idempotency_key_reused" } });
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(400);
  });
});

describe("redeemPoints: idempotency and concurrency", () => {
  it("returns the same reward when the same request is repeated", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    const input = { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() };
    const first = await redeemPoints(deps(), input);
    const second = await redeemPoints(deps(), input);
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(second.replayed).toBe(true);
    expect(second.reward.id).toBe(first.reward.id);
    expect(second.reward.code).toBe(first.reward.code);
    expect(discountsFor(SHOP, customer.shopifyCustomerId)).toHaveLength(1);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(400);
  });

  it("50 concurrent copies of one request produce one reward, one discount, one debit — and all 50 get that reward", async () => {
    const customer = await customerWith(100);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    const input = { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() };
    const results = await Promise.all(Array.from({ length: 50 }, () => redeemPoints(deps(), input)));
    const ids = new Set(results.map((r) => (r.ok ? r.reward.id : `error:${r.error.code}`)));
    expect([...ids]).toHaveLength(1);
    expect([...ids][0]).not.toMatch(/^error/);
    expect(results.filter((r) => r.ok && !r.replayed)).toHaveLength(1);
    expect(await db.reward.count({ where: { customerId: customer.id } })).toBe(1);
    expect(discountsFor(SHOP, customer.shopifyCustomerId)).toHaveLength(1);
    expect(emulator.inspect.countCalls("discountCodeBasicCreate")).toBe(1);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(0);
    expect(await ledger(customer.id)).toHaveLength(1);
  });

  it("50 concurrent redemptions for a balance that covers one: exactly one reward, debited once, 49 clear errors", async () => {
    const customer = await customerWith(100);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() }),
      ),
    );
    const ok = results.filter((r) => r.ok);
    const failed = results.flatMap((r) => (r.ok ? [] : [r.error]));
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(49);
    for (const error of failed) {
      expect(["redemption_in_progress", "insufficient_points"]).toContain(error.code);
      expect(error.message).toMatch(/points were not spent/);
    }
    expect(await db.reward.count({ where: { customerId: customer.id } })).toBe(1);
    expect(discountsFor(SHOP, customer.shopifyCustomerId)).toHaveLength(1);
    const after = await db.customer.findUniqueOrThrow({ where: { id: customer.id } });
    expect(after.pointsBalance).toBe(0);
    expect(after.redemptionLockKey).toBeNull();
    expect(await ledger(customer.id)).toMatchObject([{ delta: -100, balanceAfter: 0 }]);
  });

  it("a twin request that finds the first one still running past its wait says so instead of doing it twice", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    const key = newKey();
    // Another process holds this redemption with a live lease.
    await db.redemption.create({
      data: { shop: SHOP, customerId: customer.id, idempotencyKey: key, templateId: template.id, code: "LIVE-LEASE-CODE1", state: "IN_PROGRESS", leaseUntil: new Date(Date.now() + 60_000) },
    });
    const r = await redeemPoints(deps({ waitForConcurrentMs: 200 }), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: key });
    expect(r).toMatchObject({ ok: false, error: { code: "redemption_in_progress", retryable: true } });
    expect(emulator.inspect.countCalls()).toBe(0);
  });
});

describe("redeemPoints: failures after Shopify created the code", () => {
  it("compensates a failed commit: the discount is deleted in Shopify, no reward, no points spent", async () => {
    const logged = allowErrorLogs(); // the simulated commit failure is logged before compensating
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    const key = newKey();
    const r = await redeemPoints(
      deps({
        inCommit: async () => {
          throw new Error("database connection lost");
        },
      }),
      { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: key },
    );
    expect(r).toMatchObject({ ok: false, error: { code: "save_failed", retryable: true } });
    expect(logged.messages()).toEqual(["redemption commit failed after Shopify created the code; compensating"]);
    expect(!r.ok && r.error.message).toMatch(/points were not spent/);
    expect(emulator.inspect.countCalls("discountCodeBasicCreate")).toBe(1);
    expect(emulator.inspect.countCalls("discountCodeDelete")).toBe(1);
    expect(discountsFor(SHOP, customer.shopifyCustomerId)).toHaveLength(0);
    const redemption = await db.redemption.findFirstOrThrow({ where: { idempotencyKey: key } });
    expect(emulator.inspect.deletedDiscounts(SHOP).map((d) => d.codes[0].code)).toContain(redemption.code);
    expect(redemption).toMatchObject({ state: "FAILED", errorReason: "save_failed", rewardId: null });
    expect(await db.reward.count({ where: { customerId: customer.id } })).toBe(0);
    expect(await ledger(customer.id)).toHaveLength(0);
    const after = await db.customer.findUniqueOrThrow({ where: { id: customer.id } });
    expect(after).toMatchObject({ pointsBalance: 500, redemptionLockKey: null });
  });

  it("compensates a gift card by deactivating it (gift cards can't be deleted)", async () => {
    const logged = allowErrorLogs(); // the simulated commit failure is logged before compensating
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { kind: "GIFT_CARD", value: "15.00", pointsCost: 100 });
    const key = newKey();
    const r = await redeemPoints(
      deps({
        inCommit: async () => {
          throw new Error("disk full");
        },
      }),
      { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: key },
    );
    expect(r).toMatchObject({ ok: false, error: { code: "save_failed" } });
    expect(logged.messages()).toEqual(["redemption commit failed after Shopify created the code; compensating"]);
    const redemption = await db.redemption.findFirstOrThrow({ where: { idempotencyKey: key } });
    const card = emulator.inspect.giftCards(SHOP).find((g) => g.code.toUpperCase() === redemption.code);
    expect(card).toMatchObject({ enabled: false, note: `loyalty-reward:${redemption.id}` });
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(500);
  });

  it("adopts the discount when Shopify's answer is lost, instead of creating a second one", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    emulator.faults.loseResponse("discountCodeBasicCreate");
    const r = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() });
    expect(r.ok).toBe(true);
    expect(emulator.inspect.countCalls("discountCodeBasicCreate")).toBe(1);
    expect(discountsFor(SHOP, customer.shopifyCustomerId)).toHaveLength(1);
    expect(r.ok && r.reward.shopifyId).toBe(discountsFor(SHOP, customer.shopifyCustomerId)[0].id);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(400);
  });

  it("when the outcome can't be verified, leaves the redemption for resumption; repeating the request adopts the code", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    emulator.faults.loseResponse("discountCodeBasicCreate");
    emulator.faults.httpError("codeDiscountNodeByCode", 503);
    const input = { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() };
    const first = await redeemPoints(deps(), input);
    expect(first).toMatchObject({ ok: false, error: { reason: "network_error" } });
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(500);
    const pending = await db.redemption.findFirstOrThrow({ where: { idempotencyKey: input.idempotencyKey } });
    expect(pending.state).toBe("IN_PROGRESS");
    expect(pending.leaseUntil.getTime()).toBeLessThanOrEqual(Date.now());
    expect(discountsFor(SHOP, customer.shopifyCustomerId)).toHaveLength(1); // it does exist

    const again = await redeemPoints(deps(), input);
    expect(again.ok).toBe(true);
    expect(emulator.inspect.countCalls("discountCodeBasicCreate")).toBe(1);
    expect(discountsFor(SHOP, customer.shopifyCustomerId)).toHaveLength(1);
    expect(again.ok && again.reward.code).toBe(pending.code);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(400);
  });

  it("resumes a redemption whose process died after Shopify created the code: same code, one discount", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    const key = newKey();
    // The dead process: redemption row and lock written, discount created in Shopify, then nothing.
    const redemption = await db.redemption.create({
      data: { shop: SHOP, customerId: customer.id, idempotencyKey: key, templateId: template.id, code: "DIED-ABCDEFGHJK", state: "IN_PROGRESS", leaseUntil: new Date(Date.now() - 1000) },
    });
    await db.customer.update({ where: { id: customer.id }, data: { redemptionLockKey: key, redemptionLockUntil: new Date(Date.now() - 1000) } });
    const made = await createRewardDiscount(await adminGraphql(SHOP), {
      code: redemption.code,
      title: template.name,
      customerGid: customer.shopifyCustomerId,
      value: { type: "FIXED_AMOUNT", amount: "10.00" },
      startsAt: new Date(),
      endsAt: null,
      combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
      tag: `loyalty-reward:${redemption.id}`,
    });
    expect(made.ok).toBe(true);
    emulator.inspect.reset();

    const r = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: key });
    expect(r.ok).toBe(true);
    expect(r.ok && r.reward).toMatchObject({ id: redemption.id, code: "DIED-ABCDEFGHJK", shopifyId: made.ok ? made.data.id : "" });
    expect(emulator.inspect.countCalls("discountCodeBasicCreate")).toBe(0);
    expect(discountsFor(SHOP, customer.shopifyCustomerId)).toHaveLength(1);
    expect(await db.redemption.findUniqueOrThrow({ where: { id: redemption.id } })).toMatchObject({ state: "COMPLETED" });
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(400);
  });
});

describe("redeemPoints: Shopify answers the create with data and an internal error (a partial answer)", () => {
  // The create runs in Shopify; its answer nulls the whole payload (or one field of it) beside
  // INTERNAL_SERVER_ERROR (emulator/src/faults.ts partialAnswer). The app must treat it as "may exist": look, adopt, one object.
  it.each([
    ["FIXED_AMOUNT", "discountCodeBasicCreate", undefined],
    ["GIFT_CARD", "giftCardCreate", undefined],
    ["STORE_CREDIT", "storeCreditAccountCredit", undefined],
    // Only the object (or the one-time gift card code) failed to resolve; userErrors came back empty.
    ["FIXED_AMOUNT", "discountCodeBasicCreate", "codeDiscountNode"],
    ["GIFT_CARD", "giftCardCreate", "giftCardCode"],
    ["STORE_CREDIT", "storeCreditAccountCredit", "storeCreditAccountTransaction"],
  ] as const)("GIVEN a %s redemption whose %s is answered partially (null at %s) THEN one object in Shopify, the redemption completes, points spent once", async (kind, mutation, nested) => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { kind, value: "6.00", pointsCost: 100 });
    emulator.faults.partialAnswer(mutation, nested ? { path: [mutation, nested] } : {});
    const input = { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() };
    let r = await redeemPoints(deps(), input);
    // A kind whose lookup lags (gift cards) may leave it for the customer's repeat.
    if (!r.ok) r = await redeemPoints(deps(), input);
    expect(r.ok).toBe(true);
    expect(emulator.inspect.countCalls(mutation)).toBe(1);
    if (kind === "FIXED_AMOUNT") expect(discountsFor(SHOP, customer.shopifyCustomerId)).toHaveLength(1);
    if (kind === "GIFT_CARD") expect(emulator.inspect.giftCards(SHOP).filter((g) => g.note === (r.ok ? `loyalty-reward:${r.reward.id}` : ""))).toHaveLength(1);
    if (kind === "STORE_CREDIT") expect(emulator.storeCreditBalance(SHOP, customer.shopifyCustomerId)).toBe("6.0");
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(400);
  });
});

describe("gift cards found by code (Shopify's free-text gift card search)", () => {
  it("adopts a gift card whose create response was lost", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { kind: "GIFT_CARD", value: "10.00", pointsCost: 100 });
    emulator.faults.loseResponse("giftCardCreate");
    const r = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() });
    expect(r.ok).toBe(true);
    expect(emulator.inspect.countCalls("giftCardCreate")).toBe(1);
    expect(emulator.inspect.giftCards(SHOP).filter((g) => g.note === (r.ok ? `loyalty-reward:${r.reward.id}` : ""))).toHaveLength(1);
  });
});

describe("redeemPoints: variable points for amount off", () => {
  async function variableOption(fields: { pointsMin?: number; pointsMax?: number; pointsStep?: number } = {}) {
    const template = await createTemplate(db, SHOP, { kind: "FIXED_AMOUNT", value: "1", pointsCost: 100 });
    return db.rewardTemplate.update({ where: { id: template.id }, data: { pointsMin: 100, pointsMax: 5000, pointsStep: 100, ...fields } });
  }

  it("GIVEN 100 points = $1 WHEN the customer converts 1 300 points THEN a $13.00 code, exactly 1 300 points debited and recorded", async () => {
    const customer = await customerWith(2000);
    const template = await variableOption();
    const r = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey(), points: 1300 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.reward).toMatchObject({ value: "13.00", pointsSpent: 1300, pointsBalance: 700 });
    const discount = emulator.store.findDiscountByCode(SHOP, r.reward.code)!.discount;
    expect(discount.customerGets?.value).toEqual({ kind: "amount", amount: 1300, appliesOnEachItem: false });
    expect(await db.redemption.findFirstOrThrow({ where: { rewardId: r.reward.id } })).toMatchObject({ points: 1300, state: "COMPLETED" });
    expect((await ledger(customer.id)).map((t) => t.delta)).toEqual([-1300]);
  });

  it.each([
    ["off the step", 150],
    ["below the minimum", 50],
    ["above the maximum", 5100],
    ["not sent", undefined],
  ])("GIVEN points %s THEN invalid_points, no redemption row, no Shopify call, nothing spent", async (_label, points) => {
    const customer = await customerWith(10_000);
    const template = await variableOption();
    const discountsBefore = discountsFor(SHOP, customer.shopifyCustomerId).length;
    const r = await redeemPoints(deps(), {
      shop: SHOP,
      customerGid: customer.shopifyCustomerId,
      templateId: template.id,
      idempotencyKey: newKey(),
      ...(points === undefined ? {} : { points }),
    });
    expect(r).toMatchObject({ ok: false, error: { code: "invalid_points", retryable: false } });
    expect(await db.redemption.count({ where: { customerId: customer.id } })).toBe(0);
    expect(discountsFor(SHOP, customer.shopifyCustomerId)).toHaveLength(discountsBefore);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(10_000);
  });

  it("GIVEN more points than the balance WHEN asked THEN insufficient_points and nothing spent", async () => {
    const customer = await customerWith(450);
    const template = await variableOption();
    const r = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey(), points: 500 });
    expect(r).toMatchObject({ ok: false, error: { code: "insufficient_points" } });
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(450);
  });

  it("GIVEN the merchant narrows the range after a redemption started WHEN it resumes THEN the recorded points are re-checked: invalid_points, nothing spent", async () => {
    const customer = await customerWith(5000);
    const template = await variableOption();
    const key = newKey();
    // A redemption started with 3 000 points whose owner died before calling Shopify.
    await db.redemption.create({
      data: { shop: SHOP, customerId: customer.id, idempotencyKey: key, templateId: template.id, points: 3000, code: "VARIABLE-RESUME-1", state: "IN_PROGRESS", leaseUntil: new Date(Date.now() - 1000) },
    });
    await db.rewardTemplate.update({ where: { id: template.id }, data: { pointsMax: 2000 } });
    const r = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: key, points: 3000 });
    expect(r).toMatchObject({ ok: false, error: { code: "invalid_points" } });
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(5000);
  });
});

/** An Admin API whose store credit mutation is sent and held back until the test lets it through. */
const heldCredit = () => holdMutation(adminGraphql);

describe("redeemPoints: a lease that runs out while the create is in flight (store credit)", () => {
  async function storeCreditRedemption() {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100, kind: "STORE_CREDIT", value: "6.00" });
    const input = { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() };
    return { customer, input };
  }
  // After the first request's lease (60 s) ran out.
  const later = () => new Date(Date.now() + 61_000);

  /** One credit stayed and the reward names it; the other was debited back and the history says so; points spent once. */
  async function expectOneCredit(customer: Awaited<ReturnType<typeof customerWith>>) {
    const reward = await db.reward.findFirstOrThrow({ where: { customerId: customer.id } });
    expect(emulator.storeCreditBalance(SHOP, customer.shopifyCustomerId)).toBe("6.0");
    const credits = emulator.store.listStoreCreditAccounts(SHOP, customer.shopifyCustomerId).flatMap((a) => a.transactions.filter((t) => t.kind === "credit"));
    expect(credits).toHaveLength(2);
    expect(credits.map((t) => t.id)).toContain(reward.shopifyId);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(400);
    const duplicate = credits.find((t) => t.id !== reward.shopifyId)!;
    const notes = (await db.rewardEvent.findMany({ where: { rewardId: reward.id, type: "NOTE" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] })).map((e) => e.reason);
    expect(notes).toEqual([`Taken back in Shopify (${duplicate.id})`, expect.stringContaining(`second object it made in Shopify (${duplicate.id}) was taken back`)]);
  }

  it("GIVEN a store credit redemption whose credit outlives its lease WHEN a repeat of the request takes it over and completes it with a credit of its own THEN the late credit is taken back: one credit, points spent once", async () => {
    const { customer, input } = await storeCreditRedemption();
    const slow = heldCredit();
    const first = redeemPoints(deps({ adminFor: slow.adminFor, shopifyTimeoutMs: 60_000 }), input);
    await slow.held;
    const repeat = await redeemPoints(deps({ now: later, shopifyTimeoutMs: 60_000 }), input);
    expect(repeat.ok).toBe(true);
    slow.release();
    const r = await first;
    expect(r.ok && r.reward.id).toBe(repeat.ok && repeat.reward.id);
    await expectOneCredit(customer);
  });

  it("GIVEN the first request's late credit lands while the repeat (which looked before it landed) is crediting too WHEN the first finds its lease lost THEN it waits for the repeat's outcome and takes its own credit back", async () => {
    const { customer, input } = await storeCreditRedemption();
    const slowFirst = heldCredit();
    const slowRepeat = heldCredit();
    const first = redeemPoints(deps({ adminFor: slowFirst.adminFor, shopifyTimeoutMs: 60_000, sleep: async () => {
      // The first request polls for the repeat's outcome: let the repeat's credit through now.
      slowRepeat.release();
      await repeat;
    } }), input);
    await slowFirst.held;
    const repeat = redeemPoints(deps({ adminFor: slowRepeat.adminFor, now: later, shopifyTimeoutMs: 60_000 }), input);
    await Promise.race([slowRepeat.held, repeat.then((x) => Promise.reject(new Error(`the repeat ended without crediting: ${JSON.stringify(x)}`)))]);
    slowFirst.release();
    const r = await first;
    slowRepeat.release(); // (already released if the first request waited for the repeat)
    const second = await repeat;
    expect(second.ok).toBe(true);
    expect(r.ok && r.reward.id).toBe(second.ok && second.reward.id);
    await expectOneCredit(customer);
  });
});

describe("redeemPoints: a store credit whose create the app gave up waiting for", () => {
  it("GIVEN the credit answered 503 (its outcome unknown: it may still run) WHEN the same request is repeated 1 and 9 minutes later THEN nothing is credited and the moment it was given up on stays (a repeat never moves it); 10 minutes after it THEN one credit, points spent once (was credited at once: a late first credit made two)", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100, kind: "STORE_CREDIT", value: "6.00" });
    const input = { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() };
    emulator.faults.httpError("storeCreditAccountCredit", 503, { times: 1 });
    expect(await redeemPoints(deps(), input)).toMatchObject({ ok: false });
    const left = await db.redemption.findUniqueOrThrow({ where: { shop_idempotencyKey: { shop: SHOP, idempotencyKey: input.idempotencyKey } } });
    expect(left).toMatchObject({ state: "IN_PROGRESS", errorReason: "shopify_unavailable" });

    for (const minutes of [1, 9]) {
      const at = new Date(left.leaseUntil.getTime() + minutes * 60_000);
      expect(await redeemPoints(deps({ now: () => at }), input), `${minutes} min`).toMatchObject({ ok: false });
      expect(await db.redemption.findUniqueOrThrow({ where: { id: left.id } })).toMatchObject({ state: "IN_PROGRESS", leaseUntil: left.leaseUntil });
      expect(emulator.storeCreditBalance(SHOP, customer.shopifyCustomerId)).toBe("0.0");
    }
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(500);

    const settled = new Date(left.leaseUntil.getTime() + 10 * 60_000 + 1_000);
    const done = await redeemPoints(deps({ now: () => settled }), input);
    expect(done).toMatchObject({ ok: true, reward: { kind: "STORE_CREDIT", status: "ISSUED", pointsBalance: 400 } });
    expect(emulator.storeCreditBalance(SHOP, customer.shopifyCustomerId)).toBe("6.0");
    expect(emulator.store.listStoreCreditAccounts(SHOP, customer.shopifyCustomerId).flatMap((a) => a.transactions.filter((t) => t.kind === "credit"))).toHaveLength(1);
  });

  it("GIVEN a discount code left the same way WHEN the request is repeated a minute later THEN it is made at once, as before (its one code is refused a second time: a late first create is adopted, never a second discount)", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    const input = { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() };
    emulator.faults.httpError("discountCodeBasicCreate", 503, { times: 1 });
    expect(await redeemPoints(deps(), input)).toMatchObject({ ok: false });
    const left = await db.redemption.findUniqueOrThrow({ where: { shop_idempotencyKey: { shop: SHOP, idempotencyKey: input.idempotencyKey } } });
    const at = new Date(left.leaseUntil.getTime() + 60_000);
    expect(await redeemPoints(deps({ now: () => at }), input)).toMatchObject({ ok: true, reward: { status: "ISSUED", pointsBalance: 400 } });
    expect(discountsFor(SHOP, customer.shopifyCustomerId)).toHaveLength(1);
  });
});
