// Referrals probed from outside with unusual but valid sequences (docs/decisions/023-referrals.md):
// GIVEN the production build on a real port and an installed emulated shop with a referral program
// WHEN the storefront calls the referral endpoints (signed app-proxy requests) in orders a real
// storefront can produce, and Shopify sends signed orders/create, refunds/create, orders/cancelled and
// customers/redact deliveries that the worker's inbox applies
// THEN the merchant, the friend and the referrer each get what decision 023 promises them.
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
const referrals = useReferralProgram({ emulator, adminGraphql });
const { program, person, visitorToken, linkOf, click, claim, customerId, referralOf, rewardsKeyed, deps } = referrals;

/** The worker's "referrals" pass, run once the waiting period is over. */
const afterTheWait = (days = 15) => issueDueReferrerRewards(deps(() => new Date(Date.now() + days * 86_400_000)));

/** The friend's order, sent (orders/create) and applied. */
async function order(who: Person, subtotal: string) {
  const placed = await referrals.order(who, { subtotal });
  await applyWebhooks();
  return placed;
}

/** A referrer with a link, a friend who followed it (click recorded) and signed up, and the friend's qualifying order. */
async function qualifiedFriend() {
  const referrer = person("Ref");
  const code = await linkOf(referrer);
  const visitor = visitorToken();
  expect((await click(code, visitor)).status).toBe(200);
  const friend = person("Friend");
  expect((await claim(friend, code, visitor)).body.state).toBe("SIGNED_UP");
  const placed = await order(friend, "80.00");
  const referral = await referralOf(friend);
  expect(referral.state).toBe("QUALIFIED");
  return { referrer, friend, code, placed, referral };
}

describe("the friend's claim before the click", () => {
  it("GIVEN the landing's click request arrives after the friend's claim (the same visitor) THEN the claim signs the friend up with one welcome reward, and the late click makes no second referral", async () => {
    const referrer = person("Ref");
    const code = await linkOf(referrer);
    const visitor = visitorToken();
    const friend = person("Early");
    const claimed = await claim(friend, code, visitor);
    expect(claimed).toMatchObject({ status: 200, body: { state: "SIGNED_UP" } });
    expect((await click(code, visitor)).status).toBe(200);
    const referral = await referralOf(friend);
    expect(await db.referral.count({ where: { shop: SHOP, codeId: referral.codeId } })).toBe(1);
    // The click came after the claim: the row keeps saying its click was not recorded before the sign-up (decision 023).
    expect(referral).toMatchObject({ state: "SIGNED_UP", visitorToken: visitor, clickRecorded: false, referrerCustomerId: await customerId(referrer) });
    expect(await rewardsKeyed(`referral:friend:${referral.id}`)).toHaveLength(1);
  });
});

describe("one friend, two referrers", () => {
  it("GIVEN a friend who followed two members' links WHEN they claim both (one after the other, then again at once) THEN one referral, the first referrer's; one welcome reward; only that referrer is rewarded for the qualifying order", async () => {
    const [first, second] = [person("First"), person("Second")];
    const [codeA, codeB] = [await linkOf(first), await linkOf(second)];
    const [visitorA, visitorB] = [visitorToken(), visitorToken()];
    await click(codeA, visitorA);
    await click(codeB, visitorB);
    const friend = person("Both");
    expect((await claim(friend, codeA, visitorA)).body.state).toBe("SIGNED_UP");
    const answers = await Promise.all([claim(friend, codeB, visitorB), claim(friend, codeA, visitorA), claim(friend, codeB, visitorB)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const referral = await referralOf(friend);
    expect(referral.referrerCustomerId).toBe(await customerId(first));
    expect(await db.referral.count({ where: { shop: SHOP, friendCustomerId: await customerId(friend) } })).toBe(1);
    expect(await rewardsKeyed(`referral:friend:${referral.id}`)).toHaveLength(1);
    // The second referrer's click stays a click: nobody signed up through it.
    expect(await db.referral.findFirst({ where: { shop: SHOP, visitorToken: visitorB } })).toMatchObject({ state: "CLICKED", friendCustomerId: null });

    await program({ pendingDays: 0 });
    await order(friend, "90.00");
    expect(await referralOf(friend)).toMatchObject({ state: "REWARDED" });
    expect(await db.reward.count({ where: { shop: SHOP, source: "REFERRAL", customerId: await customerId(second) } })).toBe(0);
    expect(await db.reward.count({ where: { shop: SHOP, source: "REFERRAL", customerId: await customerId(first) } })).toBe(1);
  });
});

describe("the referrer's own link, claimed with another account of theirs", () => {
  it.each([
    ["differs only in case", (n: number) => [`jo.case.${n}@Example.com`, `JO.Case.${n}@example.COM`]],
    ["differs only in Gmail's dots (and case)", (n: number) => [`jo.ann.${n}@gmail.com`, `JoAnn${n}@GMAIL.com`]],
  ])("GIVEN a second account whose email %s THEN the claim is rejected as a self-referral (same email), the storefront saying only that it can't be rewarded; no welcome reward", async (_, emails) => {
    const [referrerEmail, otherEmail] = emails(Date.now());
    const referrer = person("Own", referrerEmail);
    const code = await linkOf(referrer);
    const visitor = visitorToken();
    await click(code, visitor);
    const other = person("Alt", otherEmail);
    const answer = await claim(other, code, visitor);
    expect(answer.body).toEqual({ state: "REJECTED", rejected: true, message: "This referral can't be rewarded." });
    const referral = await referralOf(other);
    expect(referral).toMatchObject({ state: "REJECTED", rejectionReason: "self_referral_same_email", friendRewardId: null });
    expect(await rewardsKeyed(`referral:friend:${referral.id}`)).toHaveLength(0);
  });
});

describe("the friend's orders during the waiting period", () => {
  it("GIVEN a qualified friend WHEN the qualifying order is canceled during the waiting period THEN the referral is rejected (order canceled) and the referrer gets nothing after it; the friend keeps the welcome reward", async () => {
    const { friend, placed, referral } = await qualifiedFriend();
    await emulator.cancelOrder(SHOP, placed.id);
    await applyWebhooks();
    expect(await referralOf(friend)).toMatchObject({ state: "REJECTED", rejectionReason: "order_canceled" });
    await afterTheWait();
    expect(await rewardsKeyed(`referral:referrer:${referral.id}`)).toHaveLength(0);
    const [welcome] = await rewardsKeyed(`referral:friend:${referral.id}`);
    expect(welcome.status).not.toBe("CANCELED");
  });

  it("GIVEN a qualified friend WHEN another (earlier, small) order of theirs is refunded during the waiting period THEN the referral stays qualified and the referrer is rewarded after it", async () => {
    const referrer = person("Ref");
    const code = await linkOf(referrer);
    const visitor = visitorToken();
    await click(code, visitor);
    const friend = person("Small");
    await claim(friend, code, visitor);
    const small = await order(friend, "20.00");
    await order(friend, "80.00");
    expect((await referralOf(friend)).state).toBe("QUALIFIED");
    const refund = await emulator.refundOrder(SHOP, small.id, { amount: "20.00" }, { deliver: false });
    await emulator.deliverer.deliver(refund.url, refund.signed);
    await applyWebhooks();
    expect((await referralOf(friend)).state).toBe("QUALIFIED");
    await afterTheWait();
    expect(await referralOf(friend)).toMatchObject({ state: "REWARDED" });
  });
});

describe("the program turned off and on during the waiting period", () => {
  it("GIVEN a qualified friend WHEN the merchant turns the program off and the waiting period ends THEN the referrer is not rewarded while it is off; once it is on again, rewarded once", async () => {
    const { referral } = await qualifiedFriend();
    await program({ enabled: false });
    await afterTheWait();
    // (before: the referrer's reward was queued while the program was off)
    expect(await rewardsKeyed(`referral:referrer:${referral.id}`)).toHaveLength(0);
    expect(await db.referral.findUniqueOrThrow({ where: { id: referral.id } })).toMatchObject({ state: "QUALIFIED" });
    await program({ enabled: true });
    await Promise.all([afterTheWait(), afterTheWait()]);
    expect(await rewardsKeyed(`referral:referrer:${referral.id}`)).toHaveLength(1);
    expect(await db.referral.findUniqueOrThrow({ where: { id: referral.id } })).toMatchObject({ state: "REWARDED" });
  });
});

describe("the referrer erased (customers/redact) while a referral is pending", () => {
  it("GIVEN a qualified friend WHEN the referrer is redacted and the waiting period ends THEN no reward is made for the erased referrer and the merchant sees why the referral ended; the friend keeps the welcome reward", async () => {
    const { referrer, friend, code, referral } = await qualifiedFriend();
    await emulator.customersRedact(SHOP, referrer.gid);
    await applyWebhooks();
    expect((await click(code, visitorToken())).status).toBe(404);
    await afterTheWait();
    // (before: a Pending reward for "Redacted customer", then Failed at the worker: REWARDED for nothing)
    expect(await rewardsKeyed(`referral:referrer:${referral.id}`)).toHaveLength(0);
    expect(await referralOf(friend)).toMatchObject({ state: "REJECTED", rejectionReason: "referrer_erased" });
    expect(await rewardsKeyed(`referral:friend:${referral.id}`)).toHaveLength(1);
  });

  it("GIVEN a qualified friend WHEN the friend (not the referrer) is redacted during the waiting period THEN the referrer is still rewarded after it, once", async () => {
    const { friend, referral } = await qualifiedFriend();
    await emulator.customersRedact(SHOP, friend.gid);
    await applyWebhooks();
    await Promise.all([afterTheWait(), afterTheWait()]);
    expect(await db.referral.findUniqueOrThrow({ where: { id: referral.id } })).toMatchObject({ state: "REWARDED", visitorToken: null });
    expect(await rewardsKeyed(`referral:referrer:${referral.id}`)).toHaveLength(1);
  });
});
