// The redemption recovery sweep against the real database (per-file) and the Shopify emulator
// through the real library: abandoned redemptions get their code removed from Shopify (discounts
// deleted, gift cards deactivated) and are marked ABANDONED; codes that aren't ours are never touched.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { createRewardDiscount } from "~/shopify/discounts.server";
import { createRewardGiftCard } from "~/shopify/gift-cards.server";
import { STORE_CREDIT_ACCOUNT_CREDIT } from "~/shopify/kinds/store-credit.server";
import type { Db } from "~/db.server";
import { installEmulatedShop, useShopifyEmulator } from "../../../test/support/shopify";
import { TEST_APP } from "../../../test/support/constants";
import { redemptionHarness } from "../../../test/support/redeem";
import { createTemplate } from "../../../test/support/factories";
import { allowErrorLogs } from "../../../test/support/error-logs";
import pino from "pino";
import { recoverAbandonedRedemptions } from "./recover-redemptions.server";
import { redeemPoints } from "./redeem-points.server";
import { testClock } from "../../../test/support/clock";

const fixture = useShopifyEmulator();
const { emulator, adminGraphql } = fixture;
const SHOP = TEST_APP.shop;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { planDisplayName: "Shopify Plus", giftCards: true, currencyCode: "USD" });
});

const { deps, newKey, customerWith, discountsFor } = redemptionHarness(fixture, "recover-key");

describe("eventual consistency of the gift-card search (issue 17, point 5)", () => {
  it("GIVEN a gift-card create whose answer is lost and a search that lags THEN the redemption is left for recovery, recovery waits and looks again, and the one card made never stays usable behind an abandoned redemption", async () => {
    emulator.store.consistency.giftCardSearch = true;
    try {
      const customer = await customerWith(500);
      const template = await createTemplate(db, SHOP, { kind: "GIFT_CARD", value: "10.00", pointsCost: 100 });
      const cardsBefore = emulator.inspect.giftCards(SHOP).length;
      const key = newKey();
      emulator.faults.loseResponse("giftCardCreate");

      // WHEN the card is created in Shopify but the answer is lost, and the search can't see it yet
      const first = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: key });

      // THEN the app does not conclude "nothing happened": the redemption stays open for recovery
      expect(first.ok).toBe(false);
      const redemption = await db.redemption.findFirstOrThrow({ where: { shop: SHOP, idempotencyKey: key } });
      expect(redemption.state).toBe("IN_PROGRESS");
      const ours = () => emulator.inspect.giftCards(SHOP).filter((c) => c.note === `loyalty-reward:${redemption.id}`);
      expect(ours()).toHaveLength(1);
      expect(emulator.inspect.giftCards(SHOP).length - cardsBefore).toBe(1);

      // WHEN recovery runs while the search still lags THEN it waits instead of abandoning
      const soon = new Date(Date.now() + 5 * 60_000);
      const early = await recoverAbandonedRedemptions(deps({ now: () => soon }), { olderThanMs: 0 });
      expect(early).toMatchObject({ examined: 1, deferred: 1, abandoned: 0 });
      expect(ours()[0]).toMatchObject({ enabled: true });

      // WHEN the index has caught up and recovery looks again THEN it finds the card and removes it
      emulator.store.catchUp();
      const later = new Date(Date.now() + 20 * 60_000);
      const done = await recoverAbandonedRedemptions(deps({ now: () => later }), { olderThanMs: 0 });
      expect(done).toMatchObject({ abandoned: 1 });
      expect(ours()).toMatchObject([{ enabled: false }]);
      expect(emulator.inspect.giftCards(SHOP).length - cardsBefore).toBe(1);
      expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(500);
    } finally {
      emulator.store.consistency.giftCardSearch = false;
      emulator.store.catchUp();
    }
  });
});

describe("recoverAbandonedRedemptions", () => {
  it("deletes the code an abandoned redemption left in Shopify, marks it ABANDONED and releases the customer", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    const key = newKey();
    const longAgo = new Date(Date.now() - 60 * 60_000);
    const redemption = await db.redemption.create({
      data: { shop: SHOP, customerId: customer.id, idempotencyKey: key, templateId: template.id, code: "ABAN-ABCDEFGHJK", state: "IN_PROGRESS", leaseUntil: longAgo },
    });
    await db.customer.update({ where: { id: customer.id }, data: { redemptionLockKey: key, redemptionLockUntil: new Date(Date.now() + 60_000) } });
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
    // A recent one is left alone: its owner may still be finishing.
    const recent = await db.redemption.create({
      data: { shop: SHOP, customerId: customer.id, idempotencyKey: newKey(), templateId: template.id, code: "RECENT-ABCDEFGH", state: "IN_PROGRESS", leaseUntil: new Date(Date.now() - 1000) },
    });

    const summary = await recoverAbandonedRedemptions(deps(), { olderThanMs: 10 * 60_000 });
    expect(summary).toMatchObject({ examined: 1, abandoned: 1 });
    expect(discountsFor(SHOP, customer.shopifyCustomerId).find((d) => d.codes[0].code === redemption.code)).toBeUndefined();
    expect(emulator.inspect.deletedDiscounts(SHOP).map((d) => d.codes[0].code)).toContain(redemption.code);
    expect(await db.redemption.findUniqueOrThrow({ where: { id: redemption.id } })).toMatchObject({ state: "ABANDONED", errorReason: "abandoned" });
    expect(await db.redemption.findUniqueOrThrow({ where: { id: recent.id } })).toMatchObject({ state: "IN_PROGRESS" });
    const after = await db.customer.findUniqueOrThrow({ where: { id: customer.id } });
    expect(after).toMatchObject({ pointsBalance: 500, redemptionLockKey: null });

    // The customer repeating that request gets a clear answer, not a second attempt.
    const repeat = await redeemPoints(deps(), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: key });
    expect(repeat).toMatchObject({ ok: false, error: { code: "abandoned" } });
    expect(!repeat.ok && repeat.error.message).toMatch(/points were not spent/);
  });

  it("leaves a redemption for later when Shopify can't be asked, and never touches a code that isn't ours", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    const longAgo = new Date(Date.now() - 60 * 60_000);
    const theirs = await db.redemption.create({
      data: { shop: SHOP, customerId: customer.id, idempotencyKey: newKey(), templateId: template.id, code: "THEIRS-ABCDEFGH", state: "IN_PROGRESS", leaseUntil: longAgo },
    });
    const merchantCode = await createRewardDiscount(await adminGraphql(SHOP), {
      code: theirs.code,
      title: "Merchant's own",
      customerGid: customer.shopifyCustomerId,
      value: { type: "FIXED_AMOUNT", amount: "5.00" },
      startsAt: new Date(),
      endsAt: null,
      combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
      tag: "merchant",
    });
    expect(merchantCode.ok).toBe(true);
    emulator.faults.httpError("codeDiscountNodeByCode", 503);
    const first = await recoverAbandonedRedemptions(deps(), { olderThanMs: 10 * 60_000 });
    expect(first).toMatchObject({ examined: 1, deferred: 1 });
    expect((await db.redemption.findUniqueOrThrow({ where: { id: theirs.id } })).state).toBe("IN_PROGRESS");

    // Later (clock moved past another waiting period), Shopify answers: not ours, so it stays.
    const later = () => new Date(Date.now() + 30 * 60_000);
    const second = await recoverAbandonedRedemptions(deps({ now: later }), { olderThanMs: 10 * 60_000 });
    expect(second.abandoned).toBeGreaterThanOrEqual(1); // earlier tests' leftovers are due by then too
    expect(await db.redemption.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ state: "ABANDONED" });
    expect(emulator.inspect.countCalls("discountCodeDelete")).toBe(0);
    expect(discountsFor(SHOP, customer.shopifyCustomerId).map((d) => d.codes[0].code)).toContain(theirs.code);
  });

  it("recovery deactivates a gift card an abandoned redemption left behind", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { kind: "GIFT_CARD", value: "10.00", pointsCost: 100 });
    const redemption = await db.redemption.create({
      data: { shop: SHOP, customerId: customer.id, idempotencyKey: newKey(), templateId: template.id, code: "ABANDONEDCARD234", state: "IN_PROGRESS", leaseUntil: new Date(Date.now() - 60 * 60_000) },
    });
    const made = await createRewardGiftCard(await adminGraphql(SHOP), { code: redemption.code, amount: "10.00", currencyCode: "USD", expiresOn: null, note: `loyalty-reward:${redemption.id}` });
    expect(made.ok).toBe(true);
    await recoverAbandonedRedemptions(deps(), { olderThanMs: 10 * 60_000 });
    expect(emulator.inspect.giftCards(SHOP).find((g) => g.code === redemption.code)?.enabled).toBe(false);
    expect((await db.redemption.findUniqueOrThrow({ where: { id: redemption.id } })).state).toBe("ABANDONED");
  });
});

describe("recovery of a store credit redemption: the credit is taken back once, whatever crashes", () => {
  async function credit(customerGid: string, amount: string) {
    const graphql = await adminGraphql(SHOP);
    const r = await graphql(STORE_CREDIT_ACCOUNT_CREDIT, { variables: { id: customerGid, creditInput: { creditAmount: { amount, currencyCode: "USD" }, notify: false } } });
    const body = (await r.json()) as { data: { storeCreditAccountCredit: { storeCreditAccountTransaction: { id: string } | null } } };
    expect(body.data.storeCreditAccountCredit.storeCreditAccountTransaction).not.toBeNull();
  }
  /** The database, except that marking a redemption ABANDONED fails `times` times (the process dies right after Shopify's debit). */
  function dbFailingAbandon(times: number): Db {
    let left = times;
    const redemption = new Proxy(db.redemption, {
      get(target, prop, receiver) {
        if (prop !== "updateMany") return Reflect.get(target, prop, receiver);
        return (args: { data?: { state?: string } }) => {
          if (args.data?.state === "ABANDONED" && left-- > 0) return Promise.reject(new Error("connection lost"));
          return target.updateMany(args as Parameters<typeof target.updateMany>[0]);
        };
      },
    });
    return new Proxy(db, { get: (target, prop, receiver) => (prop === "redemption" ? redemption : Reflect.get(target, prop, receiver)) });
  }

  it("GIVEN an abandoned store credit redemption whose 6.00 credit is in Shopify, beside 50.00 the merchant credited WHEN the sweep debits it and dies before marking it ABANDONED, and a later sweep runs THEN 6.00 is debited once: 50.00 stays", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { kind: "STORE_CREDIT", value: "6.00", pointsCost: 100 });
    await credit(customer.shopifyCustomerId, "50.00");
    const redemption = await db.redemption.create({
      data: { shop: SHOP, customerId: customer.id, idempotencyKey: newKey(), templateId: template.id, code: "SC-CRASHED-SWEEP", state: "IN_PROGRESS", leaseUntil: new Date(Date.now() - 60 * 60_000) },
    });
    await credit(customer.shopifyCustomerId, "6.00");
    expect(emulator.storeCreditBalance(SHOP, customer.shopifyCustomerId)).toBe("56.0");
    // The sweep logs the failed commit at error level ("redemption recovery failed; will retry").
    const logs = allowErrorLogs();
    const crashed = await recoverAbandonedRedemptions(deps({ db: dbFailingAbandon(1) }), { olderThanMs: 0 });
    expect(crashed).toMatchObject({ examined: 1, deferred: 1 });
    expect(logs.messages()).toContain("redemption recovery failed; will retry");
    expect(emulator.storeCreditBalance(SHOP, customer.shopifyCustomerId)).toBe("50.0");
    // A repeat of the customer's request meanwhile takes the redemption over: it must not adopt the debited credit.
    const repeat = await redeemPoints(deps({ now: () => new Date(Date.now() + 20 * 60_000) }), { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: redemption.idempotencyKey });
    expect(repeat).toMatchObject({ ok: false, error: { code: "abandoned" } });
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(500);
    const later = new Date(Date.now() + 30 * 60_000);
    await recoverAbandonedRedemptions(deps({ now: () => later }), { olderThanMs: 0 });
    // Before: the second sweep found the credit again (a debit leaves it as it was) and debited 6.00 more.
    expect(emulator.storeCreditBalance(SHOP, customer.shopifyCustomerId)).toBe("50.0");
    expect(await db.redemption.findUniqueOrThrow({ where: { id: redemption.id } })).toMatchObject({ state: "ABANDONED", errorReason: "abandoned" });
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(500);
  });

  it("GIVEN an abandoned store credit redemption whose credit the customer already spent WHEN the sweep cannot take it back THEN its log line says why by reason, not with the customer's store credit balance", async () => {
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { kind: "STORE_CREDIT", value: "7.25", pointsCost: 100 });
    const redemption = await db.redemption.create({
      data: { shop: SHOP, customerId: customer.id, idempotencyKey: newKey(), templateId: template.id, code: "SC-SPENT-SWEEP", state: "IN_PROGRESS", leaseUntil: new Date(Date.now() - 60 * 60_000) },
    });
    await credit(customer.shopifyCustomerId, "7.25");
    emulator.spendStoreCredit(SHOP, customer.shopifyCustomerId, "3.00");
    expect(emulator.storeCreditBalance(SHOP, customer.shopifyCustomerId)).toBe("4.25");
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    await recoverAbandonedRedemptions(deps({ logger }), { olderThanMs: 0 });
    const refused = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === "recovery could not take back what an abandoned redemption made");
    expect(refused).toMatchObject({ redemptionId: redemption.id, reason: "already_spent" });
    // The customer's balance is theirs (Shopify's answer about their account): not in a log line.
    expect(JSON.stringify(refused)).not.toContain("4.25");
    expect(emulator.storeCreditBalance(SHOP, customer.shopifyCustomerId)).toBe("4.25");
  });
});

describe("recoverAbandonedRedemptions: the 10-minute clock of a create given up on", () => {
  it("GIVEN a discount create given up on (503) at T, a repeat of the request at T+3 min whose lookup fails, and a sweep at T+10 min whose lookup fails WHEN the next sweep runs at T+11 min THEN it looks and finishes the redemption (was: each of those moved the clock to its own time, so the look waited 10 more minutes after every deferral)", async () => {
    const clock = testClock(new Date(Date.now() + 6 * 3_600_000));
    const customer = await customerWith(500);
    const template = await createTemplate(db, SHOP, { pointsCost: 100 });
    const input = { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: template.id, idempotencyKey: newKey() };
    const lookups = () => emulator.inspect.countCalls("codeDiscountNodeByCode");
    emulator.faults.httpError("discountCodeBasicCreate", 503, { times: 1 });
    expect(await redeemPoints(deps({ now: clock.now }), input)).toMatchObject({ ok: false });
    const left = await db.redemption.findUniqueOrThrow({ where: { shop_idempotencyKey: { shop: SHOP, idempotencyKey: input.idempotencyKey } } });
    expect(left).toMatchObject({ state: "IN_PROGRESS", errorReason: "shopify_unavailable" });
    const timedOutAt = left.leaseUntil;
    const at = (ms: number) => clock.set(new Date(timedOutAt.getTime() + ms));
    const sweep = () => recoverAbandonedRedemptions(deps({ now: clock.now }), { limit: 1_000 });
    const state = async () => db.redemption.findUniqueOrThrow({ where: { id: left.id } });

    // In between: the customer repeats the request and Shopify can't be asked (no create sent).
    at(3 * 60_000);
    emulator.faults.httpError("codeDiscountNodeByCode", 503, { times: 1 });
    expect(await redeemPoints(deps({ now: clock.now }), input)).toMatchObject({ ok: false });
    expect(await state()).toMatchObject({ state: "IN_PROGRESS", leaseUntil: timedOutAt });

    // Before the 10 minutes: no look (the create may still land).
    at(10 * 60_000 - 1_000);
    const before = lookups();
    await sweep();
    expect(lookups()).toBe(before);
    expect(await state()).toMatchObject({ state: "IN_PROGRESS", leaseUntil: timedOutAt });

    // Just after them: a look, which fails and defers without moving the clock.
    at(10 * 60_000 + 1_000);
    emulator.faults.httpError("codeDiscountNodeByCode", 503, { times: 1 });
    await sweep();
    expect(lookups()).toBe(before + 1);
    expect(await state()).toMatchObject({ state: "IN_PROGRESS", leaseUntil: timedOutAt });

    // The next sweep, a minute later: the look happens (nothing of ours in Shopify) and the redemption is finished.
    at(11 * 60_000);
    await sweep();
    expect(await state()).toMatchObject({ state: "ABANDONED", errorReason: "shopify_unavailable" });
    expect(discountsFor(SHOP, customer.shopifyCustomerId)).toHaveLength(0);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(500);
  });
});
