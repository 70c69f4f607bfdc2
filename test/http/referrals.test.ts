// Referrals through the real path (docs/decisions/023-referrals.md).
// GIVEN the production build on a real port, an installed emulated shop with a referral program
// (a friend's welcome reward, a referrer's reward, a minimum, a waiting period)
// WHEN the storefront calls the referral endpoints through signed app-proxy requests, and Shopify
// sends signed orders/create, refunds/create and orders/cancelled deliveries (with duplicates and
// concurrently) that the worker's inbox applies
// THEN each referral moves click → sign-up → qualified → rewarded once, fraud is rejected with its
// reason, and each reward is queued exactly once.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { issueDueReferrerRewards } from "~/services/referrals/referrals.server";
import { useRunningApp } from "../support/app";
import { TEST_APP } from "../support/constants";
import { useReferralProgram, type Person } from "../support/referrals";
import { useShopifyEmulator } from "../support/shopify";
import { applyWebhooks } from "../support/webhooks";

const SHOP = TEST_APP.shop;
const { emulator, adminGraphql } = useShopifyEmulator();
useRunningApp({ emulator });
const { templates, program, person, visitorToken, call, linkOf, click, claim, order, customerId, referralOf, rewardsKeyed, deps } = useReferralProgram({ emulator, adminGraphql });

/** A referrer with a link, and a friend who followed it and signed up (created after the click). */
async function signedUpFriend() {
  const referrer = person("Ref");
  const code = await linkOf(referrer);
  const visitor = visitorToken();
  expect((await click(code, visitor)).status).toBe(200);
  const friend = person("Friend");
  const answer = await claim(friend, code, visitor);
  expect(answer.status).toBe(200);
  return { referrer, friend, code, visitor, answer };
}

describe("the member's link", () => {
  it("is for signed-in members only; the code is created once, 8 symbols, the same on every request", async () => {
    const ada = person("Ada");
    expect((await call("GET", "/referral-link", null)).status).toBe(401);
    const answers = await Promise.all([1, 2, 3].map(() => call("GET", "/referral-link", ada)));
    const codes = new Set(answers.map((a) => a.body.code));
    expect(codes.size).toBe(1);
    const [code] = [...codes];
    expect(code).toMatch(/^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$/);
    expect(answers[0].body.path).toBe(`/?ref=${code}`);
    expect(await db.referralCode.count({ where: { shop: SHOP, customerId: await customerId(ada) } })).toBe(1);
  });

  it("answers a clear 404 while the program is off", async () => {
    await program({ enabled: false });
    const answer = await call("GET", "/referral-link", person("Off"));
    expect(answer).toMatchObject({ status: 404, body: { error: { code: "referrals_off" } } });
  });
});

describe("clicks", () => {
  it("validates the code strictly, answers 404 JSON for an unknown code, and records one click per visitor", async () => {
    const code = await linkOf(person("Clicky"));
    for (const bad of ["", "ABC", "ABCD-234", "ABCDEFG0", "ABCDEFGHJ", 12345678, null]) {
      expect((await click(bad, visitorToken())).body.error.code).toBe("invalid_request");
    }
    expect((await click(code, "short")).status).toBe(400);
    expect((await call("POST", "/referral-click", null, "not json")).status).toBe(400);
    const unknown = await click("ZZZZZZZZ", visitorToken());
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: "referral_not_found" } } });
    expect(unknown.body.error.message).toMatch(/isn't valid/);

    const visitor = visitorToken();
    const answers = await Promise.all([1, 2, 3, 4].map(() => click(code.toLowerCase(), visitor)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(await db.referral.count({ where: { shop: SHOP, visitorToken: visitor } })).toBe(1);
  });
});

describe("sign-up (claim)", () => {
  it("makes the referral SIGNED_UP and queues the friend's welcome reward once, whatever the repeats and concurrency", async () => {
    const referrer = person("Ref");
    const code = await linkOf(referrer);
    const visitor = visitorToken();
    await click(code, visitor);
    const friend = person("Friend");
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => claim(friend, code, visitor)));
    expect(answers.every((a) => a.status === 200 && a.body.state === "SIGNED_UP")).toBe(true);
    const referral = await referralOf(friend);
    expect(referral).toMatchObject({ state: "SIGNED_UP", referrerCustomerId: await customerId(referrer), visitorToken: visitor });
    expect(await db.referral.count({ where: { shop: SHOP, friendCustomerId: await customerId(friend) } })).toBe(1);
    const rewards = await rewardsKeyed(`referral:friend:${referral.id}`);
    expect(rewards).toHaveLength(1);
    expect(rewards[0]).toMatchObject({ source: "REFERRAL", status: "PENDING", customerId: await customerId(friend), templateId: templates.friend });
    expect(referral.friendRewardId).toBe(rewards[0].id);
  });

  it("rejects a self-referral (same customer) with its reason, and issues nothing", async () => {
    const ada = person("Self");
    const code = await linkOf(ada);
    const visitor = visitorToken();
    await click(code, visitor);
    const answer = await claim(ada, code, visitor);
    expect(answer.body).toEqual({ state: "REJECTED", rejected: true, message: expect.any(String) });
    const referral = await referralOf(ada);
    expect(referral).toMatchObject({ state: "REJECTED", rejectionReason: "self_referral_same_customer", friendRewardId: null });
    expect(await rewardsKeyed(`referral:friend:${referral.id}`)).toHaveLength(0);
  });

  it("rejects a second account with the referrer's email (case and +tag ignored)", async () => {
    const referrer = person("Twin"); // twin<n>@example.com
    const code = await linkOf(referrer);
    const visitor = visitorToken();
    await click(code, visitor);
    const [local, domain] = referrer.email!.split("@");
    const other = person("Other", `${local.toUpperCase()}+promo@${domain}`);
    const answer = await claim(other, code, visitor);
    expect(await referralOf(other)).toMatchObject({ state: "REJECTED", rejectionReason: "self_referral_same_email" });
    // The merchant sees why; the storefront never says which of the referrer's details matched (the
    // reason was an oracle: a new account per guessed email confirmed the referrer's email).
    expect(answer.body).toEqual({ state: "REJECTED", rejected: true, message: "This referral can't be rewarded." });
  });

  it("rejects a friend who was already a customer before the click", async () => {
    const old = person("Old", undefined, new Date(Date.now() - 86_400_000));
    const code = await linkOf(person("Ref"));
    const visitor = visitorToken();
    await click(code, visitor);
    expect((await claim(old, code, visitor)).body).toEqual({ state: "REJECTED", rejected: true, message: "This referral can't be rewarded." });
    expect(await referralOf(old)).toMatchObject({ state: "REJECTED", rejectionReason: "friend_already_customer" });
  });

  it("unknown code → 404; logged out → 401", async () => {
    expect(await claim(person("Nobody"), "ZZZZZZZZ", visitorToken())).toMatchObject({ status: 404, body: { error: { code: "referral_not_found" } } });
    expect((await call("POST", "/referral-claim", null, { code: "ZZZZZZZZ" })).status).toBe(401);
  });

  it("GIVEN a claim for an unknown code THEN it is refused without asking Shopify about the customer (was one Admin API call of up to 10 s per claim, before the code was even looked up); a real claim still asks", async () => {
    const lookups = () => emulator.inspect.countCalls("customer");
    const before = lookups();
    expect((await claim(person("Guesser"), "ZZZZZZZY", visitorToken())).status).toBe(404);
    expect(lookups()).toBe(before);
    await signedUpFriend();
    expect(lookups()).toBeGreaterThan(before);
  });
});

describe("the qualifying order (orders/create)", () => {
  it("below the minimum: nothing; the first order at or over it qualifies once (duplicates, concurrent), held for the waiting period", async () => {
    const { friend } = await signedUpFriend();
    await order(friend, { subtotal: "49.99" });
    await applyWebhooks();
    expect((await referralOf(friend)).state).toBe("SIGNED_UP");

    const placed = await order(friend, { subtotal: "50.00", duplicates: 4, concurrent: true });
    await applyWebhooks();
    const referral = await referralOf(friend);
    expect(referral).toMatchObject({ state: "QUALIFIED", qualifyingOrderGid: placed.id });
    const held = referral.holdUntil!.getTime() - referral.qualifiedAt!.getTime();
    expect(held).toBe(14 * 86_400_000);

    // The hold is not over: nothing. Once over: the referrer's reward, once.
    expect((await issueDueReferrerRewards(deps())).rewarded).toBe(0);
    const later = () => new Date(referral.holdUntil!.getTime() + 1000);
    const passes = await Promise.all([1, 2, 3].map(() => issueDueReferrerRewards(deps(later))));
    expect(passes.reduce((n, p) => n + p.rewarded, 0)).toBeGreaterThanOrEqual(1);
    const rewards = await rewardsKeyed(`referral:referrer:${referral.id}`);
    expect(rewards).toHaveLength(1);
    expect(rewards[0]).toMatchObject({ source: "REFERRAL", status: "PENDING", customerId: referral.referrerCustomerId, templateId: templates.referrer });
    expect(await referralOf(friend)).toMatchObject({ state: "REWARDED", referrerRewardId: rewards[0].id });
    // A later order of the friend never rewards again.
    await order(friend, { subtotal: "500.00" });
    await applyWebhooks();
    await issueDueReferrerRewards(deps(later));
    expect(await db.reward.count({ where: { shop: SHOP, customerId: referral.referrerCustomerId } })).toBe(1);
  });

  it("an order at the minimum whose subtotal reads \"50.0000\" (zeros past the third decimal) qualifies, as \"50.00\" does (3 December 2026)", async () => {
    const { friend } = await signedUpFriend();
    const rewrite = (body: string) => {
      const changed = body.replace(/"subtotal_price_set":\{"shop_money":\{"amount":"50\.00"/, '"subtotal_price_set":{"shop_money":{"amount":"50.0000"');
      expect(changed).not.toBe(body);
      return changed;
    };
    const placed = await order(friend, { subtotal: "50.00", rewrite });
    await applyWebhooks();
    expect(await referralOf(friend)).toMatchObject({ state: "QUALIFIED", qualifyingOrderGid: placed.id });
  });

  it("waiting period 0: the referrer's reward is queued at once", async () => {
    await program({ pendingDays: 0 });
    const { friend } = await signedUpFriend();
    await order(friend, { subtotal: "80.00" });
    await applyWebhooks();
    const referral = await referralOf(friend);
    expect(referral.state).toBe("REWARDED");
    expect(await rewardsKeyed(`referral:referrer:${referral.id}`)).toHaveLength(1);
  });

  it("a guest order carrying the remembered code in its cart attributes signs the friend up and qualifies", async () => {
    await program({ pendingDays: 0 });
    const referrer = person("Ref");
    const code = await linkOf(referrer);
    const visitor = visitorToken();
    await click(code, visitor);
    const guest = person("Guest");
    await order(guest, { subtotal: "60.00", noteAttributes: [{ name: "_loyalty_referral", value: code }, { name: "_loyalty_visitor", value: visitor }], duplicates: 2, concurrent: true });
    await applyWebhooks();
    const referral = await referralOf(guest);
    expect(referral).toMatchObject({ state: "REWARDED", visitorToken: visitor, referrerCustomerId: await customerId(referrer) });
    expect(await rewardsKeyed(`referral:friend:${referral.id}`)).toHaveLength(1);
    expect(await rewardsKeyed(`referral:referrer:${referral.id}`)).toHaveLength(1);
  });

  it("rejects a friend at the referrer's default address (self-referral) when the order arrives", async () => {
    const { referrer, friend } = await signedUpFriend();
    await order(referrer, { subtotal: "20.00", address1: "12 Same Street" });
    await applyWebhooks();
    await order(friend, { subtotal: "90.00", address1: "12 SAME street." });
    await applyWebhooks();
    expect(await referralOf(friend)).toMatchObject({ state: "REJECTED", rejectionReason: "self_referral_same_address" });
  });

  it("the monthly cap: concurrent qualifying orders of two friends of one referrer qualify exactly one", async () => {
    await program({ monthlyCapPerReferrer: 1 });
    const referrer = person("Capped");
    const code = await linkOf(referrer);
    const friends: Person[] = [];
    for (let i = 0; i < 3; i++) {
      const visitor = visitorToken();
      await click(code, visitor);
      const f = person("Capfriend");
      await claim(f, code, visitor);
      friends.push(f);
    }
    await Promise.all(friends.map((f) => order(f, { subtotal: "75.00" })));
    await applyWebhooks();
    const states = await Promise.all(friends.map(async (f) => await referralOf(f)));
    expect(states.filter((r) => r.state === "QUALIFIED")).toHaveLength(1);
    expect(states.filter((r) => r.state === "REJECTED").map((r) => r.rejectionReason)).toEqual(["referrer_monthly_cap", "referrer_monthly_cap"]);
  });
});

describe("refunds and cancels of the qualifying order", () => {
  it("a refund within the waiting period rejects the referral: the referrer is never rewarded", async () => {
    const { friend } = await signedUpFriend();
    const placed = await order(friend, { subtotal: "100.00" });
    await applyWebhooks();
    const refund = await emulator.refundOrder(SHOP, placed.id, { amount: "30.00" }, { deliver: false });
    await emulator.deliverer.deliver(refund.url, refund.signed, { duplicates: 2, concurrent: true, duplicateWebhookId: "new" });
    await applyWebhooks();
    const referral = await referralOf(friend);
    expect(referral).toMatchObject({ state: "REJECTED", rejectionReason: "order_refunded" });
    await issueDueReferrerRewards(deps(() => new Date(Date.now() + 30 * 86_400_000)));
    expect(await rewardsKeyed(`referral:referrer:${referral.id}`)).toHaveLength(0);
  });

  it("a cancel after the referrer's reward was queued and is still unused cancels that reward", async () => {
    await program({ pendingDays: 0 });
    const { friend } = await signedUpFriend();
    const placed = await order(friend, { subtotal: "100.00" });
    await applyWebhooks();
    const rewarded = await referralOf(friend);
    expect(rewarded.state).toBe("REWARDED");
    await emulator.cancelOrder(SHOP, placed.id, { duplicates: 1 });
    await applyWebhooks();
    expect(await referralOf(friend)).toMatchObject({ state: "REJECTED", rejectionReason: "order_canceled" });
    const [reward] = await rewardsKeyed(`referral:referrer:${rewarded.id}`);
    expect(reward.status).toBe("CANCELED");
  });
});

describe("reordered deliveries", () => {
  it("a cancel applied before its orders/create: the canceled order never qualifies", async () => {
    await program({ pendingDays: 0 });
    const { friend } = await signedUpFriend();
    const { order: placed, webhook } = await emulator.placeOrder(SHOP, { customerId: friend.gid, codes: [], subtotal: "100.00" }, { deliver: false });
    await emulator.cancelOrder(SHOP, placed.id);
    await applyWebhooks();
    await emulator.deliverer.deliver(webhook.url, webhook.signed);
    await applyWebhooks();
    const referral = await referralOf(friend);
    expect(referral.state).toBe("SIGNED_UP");
    expect(await rewardsKeyed(`referral:referrer:${referral.id}`)).toHaveLength(0);
  });
});

describe("customers/redact", () => {
  it("erases the referral data of the customer as referrer (code) and as friend (visitor token, address key)", async () => {
    const { referrer, friend, code, visitor } = await signedUpFriend();
    await order(friend, { subtotal: "10.00", address1: "99 Private Road" });
    await applyWebhooks();
    const friendId = await customerId(friend);
    expect(await db.referralAddressKey.count({ where: { shop: SHOP, customerId: friendId } })).toBe(1);

    await emulator.customersRedact(SHOP, friend.gid);
    await emulator.customersRedact(SHOP, referrer.gid);
    await applyWebhooks();
    const referral = await db.referral.findUniqueOrThrow({ where: { shop_friendCustomerId: { shop: SHOP, friendCustomerId: friendId } } });
    expect(referral.visitorToken).toBeNull();
    expect(referral.state).toBe("SIGNED_UP");
    expect(await db.referralAddressKey.count({ where: { shop: SHOP, customerId: friendId } })).toBe(0);
    expect(await db.referralCode.count({ where: { shop: SHOP, code } })).toBe(0);
    expect(await db.referral.count({ where: { shop: SHOP, visitorToken: visitor } })).toBe(0);
    // The old link no longer resolves.
    expect((await click(code, visitorToken())).status).toBe(404);
  });
});
