// Generating Pending rewards (processClaimedReward, driven by the worker's round as in production)
// against the real database and the Shopify emulator (through the real library): exactly-once after
// lost responses and crashes, retries with backoff, permanent failures, uninstalled shops, rewards
// used meanwhile.
import { beforeAll, describe, expect, it, vi } from "vitest";
import db from "~/db.server";
import { DEFAULT_RETRY_POLICY } from "~/domain/rewards";
import { merchantExplanation, rewardStatusNote } from "~/copy/admin";
import { runWorkerOnce } from "~/jobs/worker.server";
import { issueRewardAsync } from "./issue-async.server";
import { cancelReward, CODE_REMOVAL_RETRY_DAYS } from "./cancel.server";
import { createRewardDiscount } from "~/shopify/discounts.server";
import { installEmulatedShop, useShopifyEmulator } from "../../../test/support/shopify";
import { TEST_APP } from "../../../test/support/constants";
import { createCustomer, createTemplate } from "../../../test/support/factories";
import { useRewardWorker } from "../../../test/support/worker";
import { allowErrorLogs } from "../../../test/support/error-logs";
import { holdMutation } from "../../../test/support/held-mutation";
import { handleAppUninstalled, PAUSE_REASONS } from "~/services/lifecycle/lifecycle.server";

const fixture = useShopifyEmulator();
const { emulator, adminGraphql } = fixture;
const SHOP: string = TEST_APP.shop;
const GONE = "uninstalled.myshopify.com";

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { planDisplayName: "Shopify Plus", giftCards: true, currencyCode: "USD" });
  await installEmulatedShop(emulator, GONE, { currencyCode: "USD" });
});

const worker = useRewardWorker(fixture, SHOP);
const { clock, deps, config, pending } = worker;

const discountsWithCode = (shop: string, code: string) => emulator.inspect.discounts(shop).filter((d) => d.codes.some((c) => c.code === code));
const eventsOf = (rewardId: string) => db.rewardEvent.findMany({ where: { rewardId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
const rewardRow = (id: string) => db.reward.findUniqueOrThrow({ where: { id } });

describe("worker: generating pending rewards", () => {
  it("generates a pending reward once: one tagged discount for the customer, Issued by the worker, claim released", async () => {
    const reward = await pending();
    const summary = await runWorkerOnce(deps(), config());
    expect(summary).toMatchObject({ claimed: 1, outcomes: { issued: 1 }, errors: 0 });

    const row = await rewardRow(reward.id);
    expect(row).toMatchObject({ status: "ISSUED", attempts: 1, claimedBy: null, claimedUntil: null, nextAttemptAt: null, failureCode: null, failureMessage: null, failureDetail: null });
    const [discount, ...rest] = discountsWithCode(SHOP, reward.code);
    expect(rest).toHaveLength(0);
    expect(discount).toMatchObject({ id: row.shopifyId, usageLimit: 1, appliesOncePerCustomer: true, tags: [`loyalty-reward:${reward.id}`] });
    expect(discount.context).toEqual({ kind: "customers", customerIds: [worker.customer.shopifyCustomerId] });
    expect(row.expiresAt!.getTime() - clock.now().getTime()).toBeGreaterThan(14 * 86_400_000 - 2_000);
    // First attempt: no lookup needed.
    expect(emulator.inspect.countCalls("codeDiscountNodeByCode")).toBe(0);
    expect(await eventsOf(reward.id)).toMatchObject([
      { type: "CREATED", toStatus: "PENDING", actor: "SYSTEM" },
      { type: "STATUS_CHANGED", fromStatus: "PENDING", toStatus: "ISSUED", actor: "WORKER" },
    ]);
    expect((await runWorkerOnce(deps(), config())).claimed).toBe(0);
  });

  it("generates gift card rewards", async () => {
    const gift = await createTemplate(db, SHOP, { purpose: "VIP_TIER_ENTRY", kind: "GIFT_CARD", value: "30.00", pointsCost: null });
    const r = await issueRewardAsync(deps(), { shop: SHOP, customer: { id: worker.customer.id }, templateId: gift.id, source: "VIP_TIER_ENTRY" });
    if (!r.ok) throw new Error(r.error.message);
    await runWorkerOnce(deps(), config());
    const row = await rewardRow(r.reward.id);
    expect(row.status).toBe("ISSUED");
    const card = emulator.inspect.giftCards(SHOP).find((g) => g.id === row.shopifyId);
    expect(card).toMatchObject({ initialValue: 3000, note: `loyalty-reward:${row.id}`, enabled: true });
  });

  it("a lost response is resolved in the same attempt by looking the code up: one discount", async () => {
    const reward = await pending();
    emulator.faults.loseResponse("discountCodeBasicCreate");
    const summary = await runWorkerOnce(deps(), config());
    expect(summary.outcomes).toEqual({ issued: 1 });
    expect(discountsWithCode(SHOP, reward.code)).toHaveLength(1);
    expect(emulator.inspect.countCalls("discountCodeBasicCreate")).toBe(1);
    const events = await eventsOf(reward.id);
    expect(events.at(-1)).toMatchObject({ type: "STATUS_CHANGED", toStatus: "ISSUED", reason: expect.stringMatching(/adopted/) });
  });

  it("a crash between Shopify's success and our commit never makes a second discount", async () => {
    const logged = allowErrorLogs(); // the simulated crash is logged as the failure it is
    const reward = await pending();
    let crashes = 1;
    const crashing = deps({
      beforeIssue: async () => {
        if (crashes-- > 0) throw new Error("process killed");
      },
    });
    const first = await runWorkerOnce(crashing, config());
    expect(first).toMatchObject({ claimed: 1, errors: 1 });
    expect(logged.messages()).toEqual(["processing a reward failed; its claim will expire and it is retried"]);
    expect(discountsWithCode(SHOP, reward.code)).toHaveLength(1);
    expect(await rewardRow(reward.id)).toMatchObject({ status: "PENDING", claimedBy: "worker-a", attempts: 1 });

    // Its lease still runs: no other worker takes it.
    expect((await runWorkerOnce(crashing, config({ workerId: "worker-b" }))).claimed).toBe(0);
    // The lease runs out; a restarted worker looks the code up and adopts it.
    clock.advance(61_000);
    const second = await runWorkerOnce(crashing, config({ workerId: "worker-b" }));
    expect(second.outcomes).toEqual({ issued: 1 });
    const row = await rewardRow(reward.id);
    expect(row).toMatchObject({ status: "ISSUED", attempts: 2, shopifyId: discountsWithCode(SHOP, reward.code)[0].id });
    expect(discountsWithCode(SHOP, reward.code)).toHaveLength(1);
    expect(emulator.inspect.countCalls("discountCodeBasicCreate")).toBe(1);
    expect(emulator.inspect.countCalls("codeDiscountNodeByCode")).toBe(1);
  });

  it("when the lookup after a lost response fails too, retries later and adopts the code then", async () => {
    const reward = await pending();
    emulator.faults.loseResponse("discountCodeBasicCreate");
    emulator.faults.httpError("codeDiscountNodeByCode", 503);
    const first = await runWorkerOnce(deps(), config());
    expect(first.outcomes).toEqual({ retry_scheduled: 1 });
    const afterFirst = await rewardRow(reward.id);
    expect(afterFirst.failureCode).toBe("network_error");
    expect(afterFirst.failureMessage).toBeTruthy();
    clock.set(afterFirst.nextAttemptAt!);
    const second = await runWorkerOnce(deps(), config());
    expect(second.outcomes).toEqual({ issued: 1 });
    expect(discountsWithCode(SHOP, reward.code)).toHaveLength(1);
    expect(emulator.inspect.countCalls("discountCodeBasicCreate")).toBe(1);
  });

  it("TAKEN on our own code (an attempt the database never heard of created it) is adopted, not failed", async () => {
    const reward = await pending();
    const made = await createRewardDiscount(await adminGraphql(SHOP), {
      code: reward.code,
      title: reward.title,
      customerGid: worker.customer.shopifyCustomerId,
      value: { type: "FIXED_AMOUNT", amount: "5.00" },
      startsAt: new Date(),
      endsAt: null,
      combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
      tag: `loyalty-reward:${reward.id}`,
    });
    expect(made.ok).toBe(true);
    emulator.inspect.reset();
    expect((await runWorkerOnce(deps(), config())).outcomes).toEqual({ issued: 1 });
    expect(emulator.inspect.countCalls("discountCodeBasicCreate", { outcome: "user_errors" })).toBe(1); // TAKEN
    expect(discountsWithCode(SHOP, reward.code)).toHaveLength(1);
    expect((await rewardRow(reward.id)).shopifyId).toBe(made.ok ? made.data.id : "");
  });

  it("TAKEN by a code that isn't ours fails the reward as code_taken, without touching that code", async () => {
    const reward = await pending();
    await createRewardDiscount(await adminGraphql(SHOP), {
      code: reward.code,
      title: "The merchant's own",
      customerGid: worker.customer.shopifyCustomerId,
      value: { type: "FIXED_AMOUNT", amount: "50.00" },
      startsAt: new Date(),
      endsAt: null,
      combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
      tag: "merchant",
    });
    expect((await runWorkerOnce(deps(), config())).outcomes).toEqual({ failed: 1 });
    const row = await rewardRow(reward.id);
    expect(row.failureCode).toBe("code_taken");
    expect(row.failureMessage).toBeTruthy();
    expect(merchantExplanation(row.failureCode).action).toMatch(/new code/);
    const [theirs] = discountsWithCode(SHOP, reward.code);
    expect(theirs).toMatchObject({ tags: ["merchant"], deactivatedAt: null });
  });
});

describe("worker: retries and failures", () => {
  it("retries a THROTTLED storm with growing waits, recording each attempt, then issues exactly one discount", async () => {
    const reward = await pending();
    emulator.faults.throttle("discountCodeBasicCreate", 3);
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const before = clock.now().getTime();
      expect((await runWorkerOnce(deps(), config())).outcomes).toEqual({ retry_scheduled: 1 });
      const row = await rewardRow(reward.id);
      expect(row).toMatchObject({ status: "PENDING", attempts: attempt, claimedBy: null });
      waits.push(row.nextAttemptAt!.getTime() - before);
      // Not due before its time.
      clock.set(new Date(row.nextAttemptAt!.getTime() - 1));
      expect((await runWorkerOnce(deps(), config())).claimed).toBe(0);
      clock.advance(1);
    }
    expect(waits).toEqual([60_000, 240_000, 960_000]);
    expect((await runWorkerOnce(deps(), config())).outcomes).toEqual({ issued: 1 });
    expect(discountsWithCode(SHOP, reward.code)).toHaveLength(1);

    const failures = (await eventsOf(reward.id)).filter((e) => e.type === "ATTEMPT_FAILED");
    expect(failures).toHaveLength(3);
    for (const event of failures) {
      expect(event.actor).toBe("WORKER");
      expect(event.reason).toMatch(/throttled/);
      expect(JSON.parse(event.shopifyError!)).toMatchObject({ failure: { kind: "throttled" }, detail: [{ extensions: { code: "THROTTLED" } }] });
    }
  });

  it("follows the backoff schedule and marks the reward Failed with the last reason after the 8th attempt", async () => {
    const reward = await pending();
    emulator.faults.httpError("discountCodeBasicCreate", 503, { times: "forever" });
    const waits: number[] = [];
    for (let attempt = 1; attempt <= DEFAULT_RETRY_POLICY.maxAttempts; attempt++) {
      const summary = await runWorkerOnce(deps(), config());
      const row = await rewardRow(reward.id);
      expect(row.attempts).toBe(attempt);
      if (attempt < DEFAULT_RETRY_POLICY.maxAttempts) {
        expect(summary.outcomes).toEqual({ retry_scheduled: 1 });
        waits.push(row.nextAttemptAt!.getTime() - clock.now().getTime());
        clock.set(row.nextAttemptAt!);
      } else {
        expect(summary.outcomes).toEqual({ failed: 1 });
      }
    }
    const minute = 60_000;
    expect(waits).toEqual([1, 4, 16, 64, 256, 540, 540].map((m) => m * minute)); // jitter pinned to the ceiling
    const row = await rewardRow(reward.id);
    // A 503 on a create leaves it uncertain (it may still run in Shopify): the Failed reward keeps a
    // cleanup marker, so a create that lands after the last lookup is deactivated, never left live.
    expect(row).toMatchObject({ status: "FAILED", claimedBy: null });
    expect(row.nextAttemptAt).not.toBeNull();
    expect(row.failureCode).toBe("shopify_unavailable");
    expect(row.failureMessage).toBe("Shopify answered HTTP 503 (gave up after 8 attempts)");
    expect(merchantExplanation(row.failureCode).summary).toMatch(/unavailable/);
    const events = await eventsOf(reward.id);
    expect(events.filter((e) => e.type === "ATTEMPT_FAILED")).toHaveLength(8);
    expect(events.at(-1)).toMatchObject({ type: "STATUS_CHANGED", fromStatus: "PENDING", toStatus: "FAILED", actor: "WORKER" });
    // Each uncertain 503 on the create was checked with a lookup; nothing was ever created.
    expect(discountsWithCode(SHOP, reward.code)).toHaveLength(0);
    // Failed is final: the only later claim is the cleanup, which finds nothing and clears the marker.
    clock.advance(86_400_000);
    expect((await runWorkerOnce(deps(), config())).outcomes).toEqual({ cleanup: 1 });
    expect(await rewardRow(reward.id)).toMatchObject({ status: "FAILED", nextAttemptAt: null });
    expect((await runWorkerOnce(deps(), config())).claimed).toBe(0);
  });

  it("the attempt limit is configurable", async () => {
    const reward = await pending();
    emulator.faults.httpError("discountCodeBasicCreate", 502, { times: "forever" });
    const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 2 };
    await runWorkerOnce(deps(), config({ retryPolicy: policy }));
    clock.set((await rewardRow(reward.id)).nextAttemptAt!);
    expect((await runWorkerOnce(deps(), config({ retryPolicy: policy }))).outcomes).toEqual({ failed: 1 });
    expect((await rewardRow(reward.id)).status).toBe("FAILED");
  });

  it("fails at once, with Shopify's message, when Shopify refuses the reward for good", async () => {
    const reward = await pending();
    emulator.faults.userErrors("discountCodeBasicCreate", [{ field: ["basicCodeDiscount", "minimumRequirement"], code: "GREATER_THAN", message: "Minimum subtotal must be greater than 0" }]);
    expect((await runWorkerOnce(deps(), config())).outcomes).toEqual({ failed: 1 });
    const row = await rewardRow(reward.id);
    expect(row).toMatchObject({ status: "FAILED", attempts: 1 });
    expect(row.failureCode).toBe("invalid_reward_settings");
    expect(row.failureMessage).toBe("Minimum subtotal must be greater than 0 (GREATER_THAN)");
    expect(JSON.parse(row.failureDetail!)).toMatchObject({ failure: { kind: "user_errors" } });
    const [attempt] = (await eventsOf(reward.id)).filter((e) => e.type === "ATTEMPT_FAILED");
    expect(JSON.parse(attempt.shopifyError!)).toMatchObject({
      failure: { kind: "user_errors", errors: [{ code: "GREATER_THAN", message: "Minimum subtotal must be greater than 0" }] },
    });
  });

  it("a Failed reward whose last create may have gone through gets its code cleaned up by the sweep", async () => {
    const reward = await pending();
    emulator.faults.loseResponse("discountCodeBasicCreate");
    emulator.faults.httpError("codeDiscountNodeByCode", 503);
    const once = { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 };
    expect((await runWorkerOnce(deps(), config({ retryPolicy: once }))).outcomes).toEqual({ failed: 1 });
    const failed = await rewardRow(reward.id);
    expect(failed.status).toBe("FAILED");
    expect(failed.nextAttemptAt).not.toBeNull(); // cleanup marker
    expect(discountsWithCode(SHOP, reward.code)[0].deactivatedAt).toBeNull();

    clock.set(failed.nextAttemptAt!);
    expect((await runWorkerOnce(deps(), config())).outcomes).toEqual({ cleanup: 1 });
    expect(discountsWithCode(SHOP, reward.code)[0].deactivatedAt).not.toBeNull();
    expect(await rewardRow(reward.id)).toMatchObject({ status: "FAILED", nextAttemptAt: null, claimedBy: null });
  });

  it(`GIVEN a Failed reward made a month ago whose code's removal keeps failing THEN the sweep retries it for ${CODE_REMOVAL_RETRY_DAYS} days from the failure (not from the reward's creation), then stops: the reward keeps its failure reason, the note says the code may still work, the history has the removal's reason (was retried for ever)`, async () => {
    const reward = await pending();
    // Made long ago (held, say): the removal's time counts from the failure, so it is still retried.
    await db.reward.update({ where: { id: reward.id }, data: { createdAt: new Date(clock.now().getTime() - 30 * 86_400_000) } });
    emulator.faults.loseResponse("discountCodeBasicCreate");
    emulator.faults.httpError("codeDiscountNodeByCode", 503);
    const once = { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 };
    expect((await runWorkerOnce(deps(), config({ retryPolicy: once }))).outcomes).toEqual({ failed: 1 });
    const failed = await rewardRow(reward.id);
    expect(failed).toMatchObject({ status: "FAILED", failureCode: "network_error" });
    const failedAt = (await eventsOf(reward.id)).find((e) => e.toStatus === "FAILED")!.createdAt;

    emulator.faults.httpError("discountCodeDeactivate", 503, { times: "forever" });
    try {
      clock.set(failed.nextAttemptAt!);
      expect((await runWorkerOnce(deps(), config())).outcomes).toEqual({ cleanup: 1 });
      expect(await rewardRow(reward.id)).toMatchObject({ status: "FAILED", codeRemovalGaveUpAt: null, failureCode: "network_error" });
      expect((await rewardRow(reward.id)).nextAttemptAt).toBeInstanceOf(Date);

      clock.set(new Date(failedAt.getTime() + CODE_REMOVAL_RETRY_DAYS * 86_400_000));
      expect((await runWorkerOnce(deps(), config())).outcomes).toEqual({ cleanup: 1 });
      expect(await rewardRow(reward.id)).toMatchObject({ status: "FAILED", nextAttemptAt: null, codeRemovalGaveUpAt: clock.now(), failureCode: "network_error" });
      expect(discountsWithCode(SHOP, reward.code)[0].deactivatedAt).toBeNull();
      expect((await eventsOf(reward.id)).filter((e) => e.type === "NOTE")).toMatchObject([{ actor: "WORKER", reasonCode: "shopify_unavailable" }]);
      const row = await rewardRow(reward.id);
      expect(rewardStatusNote("FAILED", row.failureCode, { removalGaveUp: row.codeRemovalGaveUpAt !== null, kind: "FIXED_AMOUNT" })).toBe(
        "Shopify unreachable. Couldn't remove the code in Shopify; the app stopped trying. It may still work at checkout: deactivate it in Shopify admin → Discounts."
      );

      clock.advance(30 * 86_400_000);
      expect((await runWorkerOnce(deps(), config())).outcomes).toEqual({});
    } finally {
      emulator.faults.clear();
    }
  });
});

describe("worker: rewards it must leave alone", () => {
  it("skips shops that uninstalled the app: the reward stays Pending, no attempt counted, looked at again later", async () => {
    const gone = await createCustomer(db, GONE, {}, emulator);
    const goneTemplate = await createTemplate(db, GONE, { purpose: "REFERRAL", pointsCost: null });
    const reward = await pending(GONE, gone, goneTemplate);
    await db.shop.update({ where: { domain: GONE }, data: { uninstalledAt: clock.now() } });
    const summary = await runWorkerOnce(deps(), config({ uninstalledRetryMs: 3_600_000 }));
    expect(summary.outcomes).toEqual({ deferred_uninstalled: 1 });
    expect(emulator.inspect.countCalls()).toBe(0);
    const row = await rewardRow(reward.id);
    expect(row).toMatchObject({ status: "PENDING", attempts: 0, claimedBy: null });
    expect(row.nextAttemptAt!.getTime()).toBe(clock.now().getTime() + 3_600_000);
    await db.shop.update({ where: { domain: GONE }, data: { uninstalledAt: null } });
  });

  it("the app is uninstalled while the worker holds the claim (after its pause check, before its Admin API call): the reward is deferred like any paused one — no attempt used, not Failed on its last attempt", async () => {
    const gone = await createCustomer(db, GONE, {}, emulator);
    const goneTemplate = await createTemplate(db, GONE, { purpose: "REFERRAL", pointsCost: null });
    const reward = await pending(GONE, gone, goneTemplate);
    const last = DEFAULT_RETRY_POLICY.maxAttempts - 1;
    await db.reward.update({ where: { id: reward.id }, data: { attempts: last } });
    // GIVEN app/uninstalled applied between the claim and the call: the session is gone, so the
    // library finds none for the shop (SessionNotFoundError), as unauthenticated.admin does.
    const uninstalling = deps({
      adminFor: async (shop) => {
        await handleAppUninstalled(db, { shop, triggeredAt: null }, { now: clock.now });
        const error = new Error(`Could not find a session for shop ${shop}`);
        error.name = "SessionNotFoundError";
        throw error;
      },
    });
    const summary = await runWorkerOnce(uninstalling, config({ uninstalledRetryMs: 3_600_000 }));
    expect(summary.outcomes).toEqual({ deferred_uninstalled: 1 });
    const row = await rewardRow(reward.id);
    expect(row).toMatchObject({ status: "PENDING", attempts: last, claimedBy: null, failureCode: null });
    expect(row.nextAttemptAt!.getTime()).toBe(clock.now().getTime() + 3_600_000);
    expect((await eventsOf(reward.id)).map((e) => [e.type, e.reason])).toEqual([["CREATED", expect.anything()], ["NOTE", PAUSE_REASONS.uninstalled]]);
    await db.shop.update({ where: { domain: GONE }, data: { uninstalledAt: null } });
    await installEmulatedShop(emulator, GONE, { currencyCode: "USD" });
  });

  it("does not regenerate a reward a webhook marked Used meanwhile", async () => {
    const reward = await pending();
    // orders/create carried the code (e.g. the merchant had shared it) before the worker ran.
    await db.reward.update({ where: { id: reward.id }, data: { status: "USED", usedAt: clock.now() } });
    // A stale due time is still on the row; the worker must not touch Shopify for it.
    await db.reward.update({ where: { id: reward.id }, data: { nextAttemptAt: clock.now() } });
    const summary = await runWorkerOnce(deps(), config());
    expect(summary.claimed).toBe(0);
    expect(emulator.inspect.countCalls()).toBe(0);
    expect((await rewardRow(reward.id)).status).toBe("USED");
  });

  it("when the reward became Used while being generated, keeps the code and does not overwrite Used", async () => {
    const reward = await pending();
    const summary = await runWorkerOnce(
      deps({
        beforeIssue: async () => {
          await db.reward.update({ where: { id: reward.id }, data: { status: "USED", usedAt: clock.now() } });
        },
      }),
      config(),
    );
    expect(summary.outcomes).toEqual({ skipped: 1 });
    const row = await rewardRow(reward.id);
    expect(row).toMatchObject({ status: "USED", claimedBy: null });
    expect(discountsWithCode(SHOP, reward.code)[0].deactivatedAt).toBeNull();
    // The discount that exists in Shopify is linked to the reward, and its history says why.
    expect(row.shopifyId).toBe(discountsWithCode(SHOP, reward.code)[0].id);
    const linked = (await eventsOf(reward.id)).filter((e) => e.type === "NOTE" && e.actor === "WORKER");
    expect(linked).toHaveLength(1);
    expect(linked[0].reason).toContain("after an order had already used the code");
    // Running the worker again changes nothing.
    expect((await runWorkerOnce(deps(), config())).claimed).toBe(0);
  });
});

describe("worker: a lease that runs out while a create is in flight", () => {
  /** Worker A's Admin API, whose mutation is held back (sent, not yet executed) until the test lets it go. */
  const heldCredit = (mutation?: string) => holdMutation(adminGraphql, mutation);

  const creditsOf = (customerGid: string) =>
    emulator.store.listStoreCreditAccounts(SHOP, customerGid).flatMap((a) => a.transactions.filter((t) => t.kind === "credit"));

  // A busy machine must not turn a lookup into a timeout here: only the held call is slow.
  const slowConfig = (workerId: string) => config({ workerId, shopifyTimeoutMs: 60_000 });

  /** A store credit reward for a customer of its own (each test reads that customer's credits). */
  async function storeCreditReward() {
    const customer = await createCustomer(db, SHOP, {}, emulator);
    const credit = await createTemplate(db, SHOP, { purpose: "REFERRAL", kind: "STORE_CREDIT", value: "7.00", pointsCost: null });
    return { customer, reward: await pending(SHOP, customer, credit) };
  }

  /** One reward, one credit: the balance is the reward's value, and the reward names the credit that stayed. */
  async function expectOneCredit({ customer, reward: { id: rewardId } }: Awaited<ReturnType<typeof storeCreditReward>>) {
    const row = await rewardRow(rewardId);
    expect(row.status).toBe("ISSUED");
    expect(emulator.storeCreditBalance(SHOP, customer.shopifyCustomerId)).toBe("7.0");
    const credited = creditsOf(customer.shopifyCustomerId);
    expect(credited).toHaveLength(2);
    const kept = credited.find((t) => t.id === row.shopifyId);
    expect(kept).toBeDefined();
    const duplicate = credited.find((t) => t.id !== row.shopifyId)!;
    const notes = (await eventsOf(rewardId)).filter((e) => e.type === "NOTE").map((e) => e.reason);
    expect(notes).toEqual([`Taken back in Shopify (${duplicate.id})`, expect.stringContaining(`second object it made in Shopify (${duplicate.id}) was taken back`)]);
  }

  it("GIVEN store credit (no code: Shopify cannot refuse a second credit) WHEN worker A's credit outlives its lease and worker B issues the reward with its own credit first THEN A takes its credit back: one credit", async () => {
    const queued = await storeCreditReward();
    const slow = heldCredit();

    const a = runWorkerOnce(deps({ adminFor: slow.adminFor }), slowConfig("worker-a"));
    await slow.held;
    // A's lease runs out while its credit is on its way; B takes the reward over and finishes it.
    clock.advance(61_000);
    const b = await runWorkerOnce(deps(), slowConfig("worker-b"));
    expect(b.outcomes).toEqual({ issued: 1 });
    // Now A's credit lands in Shopify and A finds the reward issued with B's credit.
    slow.release();
    expect((await a).outcomes).toEqual({ skipped: 1 });
    await expectOneCredit(queued);
  });

  it("GIVEN store credit WHEN worker A's late credit lands while worker B (which looked before it landed) is crediting too THEN A issues the reward with its credit and B takes its own back: one credit", async () => {
    const queued = await storeCreditReward();
    const slowA = heldCredit();
    const slowB = heldCredit();

    const a = runWorkerOnce(deps({ adminFor: slowA.adminFor }), slowConfig("worker-a"));
    await slowA.held;
    clock.advance(61_000);
    const b = runWorkerOnce(deps({ adminFor: slowB.adminFor }), slowConfig("worker-b"));
    // B looked the credit up (nothing there yet) and is crediting.
    await Promise.race([slowB.held, b.then((s) => Promise.reject(new Error(`B ended without crediting: ${JSON.stringify(s)}`)))]);
    slowA.release();
    expect((await a).outcomes).toEqual({ issued: 1 });
    slowB.release();
    expect((await b).outcomes).toEqual({ skipped: 1 });
    await expectOneCredit(queued);
  });

  it("GIVEN a discount WHEN worker A's create outlives its lease and worker B's attempt fails the reward for good THEN A's late discount does not stay live behind the Failed reward", async () => {
    const queued = await pending();
    const slow = heldCredit("discountCodeBasicCreate");
    const a = runWorkerOnce(deps({ adminFor: slow.adminFor }), slowConfig("worker-a"));
    await slow.held;
    clock.advance(61_000);
    // B looks first (nothing yet), and Shopify refuses its create for good.
    emulator.faults.userErrors("discountCodeBasicCreate", [{ field: ["basicCodeDiscount", "minimumRequirement"], code: "GREATER_THAN", message: "Minimum subtotal must be greater than 0" }]);
    expect((await runWorkerOnce(deps(), slowConfig("worker-b"))).outcomes).toEqual({ failed: 1 });
    // A's create now goes through; the reward it was for is Failed, so A deactivates what it made.
    slow.release();
    expect((await a).outcomes).toEqual({ cleanup: 1 });
    // The worker's sweep makes sure nothing usable is left behind a Failed reward.
    clock.advance(61_000);
    await runWorkerOnce(deps(), config({ workerId: "worker-c" }));
    const row = await rewardRow(queued.id);
    expect(row).toMatchObject({ status: "FAILED", nextAttemptAt: null, claimedBy: null });
    const [discount, ...rest] = discountsWithCode(SHOP, queued.code);
    expect(rest).toHaveLength(0);
    expect(discount.deactivatedAt).not.toBeNull();
  });
});

describe("worker: two store credit rewards of one customer", () => {
  it("GIVEN two $7 store credit rewards of one customer WHEN the younger one (on a retry: it looks before it credits) runs while the older one's credit has landed but is not committed THEN it waits instead of adopting that credit: two rewards, two credits", async () => {
    const customer = await createCustomer(db, SHOP, {}, emulator);
    const credit = await createTemplate(db, SHOP, { purpose: "REFERRAL", kind: "STORE_CREDIT", value: "7.00", pointsCost: null });
    const older = await pending(SHOP, customer, credit);
    const younger = await pending(SHOP, customer, credit);
    // The younger one had an attempt already (a throttled create, say), and is due again later.
    await db.reward.update({ where: { id: younger.id }, data: { attempts: 1, nextAttemptAt: new Date(clock.now().getTime() + 3_600_000) } });

    let meanwhile: Awaited<ReturnType<typeof runWorkerOnce>> | undefined;
    const first = await runWorkerOnce(
      deps({
        beforeIssue: async () => {
          // The older reward's credit is in Shopify, its commit not yet: the younger one comes due.
          await db.reward.update({ where: { id: younger.id }, data: { nextAttemptAt: clock.now() } });
          meanwhile = await runWorkerOnce(deps(), config({ workerId: "worker-b" }));
        },
      }),
      config(),
    );
    expect(first.outcomes).toEqual({ issued: 1 });
    expect(meanwhile?.claimed).toBe(1);
    expect(meanwhile?.outcomes).toEqual({ deferred_sibling: 1 });
    expect(await rewardRow(younger.id)).toMatchObject({ status: "PENDING", attempts: 1, shopifyId: null, claimedBy: null });

    // Once the older one is Issued, the younger one is generated on its next turn.
    clock.advance(3_600_000);
    expect((await runWorkerOnce(deps(), config())).outcomes).toEqual({ issued: 1 });
    const [a, b] = await Promise.all([rewardRow(older.id), rewardRow(younger.id)]);
    expect([a.status, b.status]).toEqual(["ISSUED", "ISSUED"]);
    expect(a.shopifyId).not.toBe(b.shopifyId);
    expect(emulator.storeCreditBalance(SHOP, customer.shopifyCustomerId)).toBe("14.0");
  });
});

describe("worker: Shopify answers a create with data and errors (a partial response)", () => {
  // The emulator runs the mutation for real; its answer then carries `data` with a null where a
  // field failed, and a top-level error for it ("errors" with partial "data":
  // https://spec.graphql.org/October2021/#sec-Response-Format; emulator/src/faults.ts partialAnswer).
  it.each([
    ["the payload's codeDiscountNode", ["discountCodeBasicCreate", "codeDiscountNode"]],
    ["the whole payload (data.discountCodeBasicCreate null)", ["discountCodeBasicCreate"]],
    // Recognised by its code (https://shopify.dev/changelog/improved-graphql-errors), whatever the wording.
    ["the whole payload, with an unfamiliar message,", ["discountCodeBasicCreate"], "Field resolution failed"],
  ])(
    "GIVEN the create ran but %s came back null beside an internal error THEN the attempt is not failed for good: the code is looked up and adopted, one discount, Issued",
    async (_what, path, message?: string) => {
      const reward = await pending();
      emulator.faults.partialAnswer("discountCodeBasicCreate", { path, message });
      const summary = await runWorkerOnce(deps(), config());
      expect(summary.outcomes).toEqual({ issued: 1 });
      expect(emulator.inspect.countCalls("discountCodeBasicCreate", { outcome: "graphql_errors" })).toBe(1);
      const row = await rewardRow(reward.id);
      const [discount, ...rest] = discountsWithCode(SHOP, reward.code);
      expect(rest).toHaveLength(0);
      expect(row).toMatchObject({ status: "ISSUED", shopifyId: discount.id });
    },
  );
});

describe("worker: a store credit whose create it stopped waiting for", () => {
  it("GIVEN a store credit reward whose credit Shopify runs after the worker's timeout WHEN its retry would be due (a minute) THEN it is not credited again before that credit can no longer land (10 minutes); then the retry finds the late credit and adopts it: one credit (was a second credit at the retry, $14 for a $7 reward)", async () => {
    const customer = await createCustomer(db, SHOP, {}, emulator);
    const credit = await createTemplate(db, SHOP, { purpose: "REFERRAL", kind: "STORE_CREDIT", value: "7.00", pointsCost: null });
    const reward = await pending(SHOP, customer, credit);
    emulator.faults.hang("storeCreditAccountCredit", 1_500, 1);
    const gaveUpAt = clock.now();
    expect((await runWorkerOnce(deps(), config({ shopifyTimeoutMs: 300 }))).outcomes).toEqual({ retry_scheduled: 1 });
    const waiting = await rewardRow(reward.id);
    expect(waiting).toMatchObject({ status: "PENDING", failureCode: "timeout" });
    expect(waiting.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(gaveUpAt.getTime() + 10 * 60_000);

    // When the retry would have been due, and with the late credit landed meanwhile: nothing claimed.
    clock.advance(DEFAULT_RETRY_POLICY.baseMs + 1);
    await vi.waitFor(() => expect(emulator.storeCreditBalance(SHOP, customer.shopifyCustomerId)).toBe("7.0"), { timeout: 30_000, interval: 50 });
    expect((await runWorkerOnce(deps(), config())).claimed).toBe(0);

    clock.set(new Date(waiting.nextAttemptAt!.getTime() + 1));
    expect((await runWorkerOnce(deps(), config())).outcomes).toEqual({ issued: 1 });
    const credits = emulator.store.listStoreCreditAccounts(SHOP, customer.shopifyCustomerId).flatMap((a) => a.transactions.filter((t) => t.kind === "credit"));
    expect(credits).toHaveLength(1);
    expect(await rewardRow(reward.id)).toMatchObject({ status: "ISSUED", shopifyId: credits[0]!.id });
    expect(emulator.storeCreditBalance(SHOP, customer.shopifyCustomerId)).toBe("7.0");
  });
});

describe("worker: a Failed reward whose last create lands after the worker stopped waiting", () => {
  it("GIVEN the last attempt's create times out and Shopify runs it a moment later THEN the cleanup looks once no create can still land (10 minutes), finds the late discount and deactivates it (was a look after a minute that found nothing yet and cleared the marker: a live code for a Failed reward)", async () => {
    const reward = await pending();
    emulator.faults.hang("discountCodeBasicCreate", 1_500, 1);
    const once = { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 };
    const failedAt = clock.now();
    expect((await runWorkerOnce(deps(), config({ retryPolicy: once, shopifyTimeoutMs: 300 }))).outcomes).toEqual({ failed: 1 });
    const failed = await rewardRow(reward.id);
    expect(failed.status).toBe("FAILED");
    expect(failed.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(failedAt.getTime() + 10 * 60_000);

    // A minute later, with the create landed meanwhile: not looked at yet.
    clock.advance(61_000);
    await vi.waitFor(() => expect(discountsWithCode(SHOP, reward.code)).toHaveLength(1), { timeout: 30_000, interval: 50 });
    expect((await runWorkerOnce(deps(), config())).claimed).toBe(0);

    clock.set(failed.nextAttemptAt!);
    expect((await runWorkerOnce(deps(), config())).outcomes).toEqual({ cleanup: 1 });
    expect(discountsWithCode(SHOP, reward.code)[0]!.deactivatedAt).not.toBeNull();
    expect(await rewardRow(reward.id)).toMatchObject({ status: "FAILED", nextAttemptAt: null });
  });
});

describe("worker: a Pending reward canceled while its last create may still land", () => {
  it("GIVEN an attempt whose create timed out (Shopify runs it a moment later) WHEN the merchant cancels the reward at once THEN the cleanup keeps its marker until that create can no longer land and then deactivates the late discount (was 'done' at once: the discount landed live behind a Canceled reward)", async () => {
    const reward = await pending();
    emulator.faults.hang("discountCodeBasicCreate", 1_500, 1);
    const attemptAt = clock.now();
    expect((await runWorkerOnce(deps(), config({ shopifyTimeoutMs: 300 }))).outcomes).toEqual({ retry_scheduled: 1 });

    const canceled = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
    expect(canceled).toMatchObject({ ok: true, shopify: "worker_will_remove" });
    const marked = await rewardRow(reward.id);
    expect(marked.status).toBe("CANCELED");
    expect(marked.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(attemptAt.getTime() + 10 * 60_000);

    await vi.waitFor(() => expect(discountsWithCode(SHOP, reward.code)).toHaveLength(1), { timeout: 30_000, interval: 50 });
    clock.set(marked.nextAttemptAt!);
    expect((await runWorkerOnce(deps(), config())).outcomes).toEqual({ cleanup: 1 });
    expect(discountsWithCode(SHOP, reward.code)[0]!.deactivatedAt).not.toBeNull();
    expect(await rewardRow(reward.id)).toMatchObject({ status: "CANCELED", nextAttemptAt: null });
  });
});
