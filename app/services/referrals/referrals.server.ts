// Referrals (docs/decisions/023-referrals.md): a program member's link, a friend's click, sign-up
// and first qualifying order, and the two rewards — the friend's at sign-up, the referrer's once the
// qualifying order has passed its hold — both issued asynchronously (issueRewardAsync, keyed
// `referral:friend:<id>` / `referral:referrer:<id>`, so a repeat never issues twice).
//
// Exactly-once and concurrency rest on the database:
//   - one referral per friend, ever: @@unique([shop, friendCustomerId]);
//   - every state change is a compare-and-set on the current state (updateMany … where state);
//   - the monthly cap is counted under a lock on the referrer's code row (an UPDATE: a row lock on
//     PostgreSQL; SQLite serializes writing transactions anyway).
import { createHmac } from "node:crypto";
import type { Referral } from "@prisma/client";
import type { Db } from "~/db.server";
import { isUniqueViolation } from "~/db.server";
import { env } from "~/env.server";
import { shownCustomerText } from "~/copy/admin";
import { formatMilli, orderCurrencyOf, parseMilli, parseShopifyAmount } from "~/domain/points/earning";
import { sourceKeys } from "~/domain/points/ledger";
import {
  alreadyCustomerReason,
  earliestLanding,
  generateReferralCode,
  monthlyCapReason,
  monthOf,
  normalizeAddress,
  recordedClickAt,
  referralFromNoteAttributes,
  referralHoldUntil,
  selfReferralReason,
  type ReferralSettingsValues,
  type RejectionReason,
} from "~/domain/referrals";
import { orderFacts } from "~/domain/rewards";
import { parseShopifyTime } from "~/domain/shopify-time";
import { shopifyGidOf } from "~/domain/shopify-ids";
import type { OrderContext } from "~/services/orders/order-created.server";
import { customerDisplay, ensureCustomer } from "~/services/points/customers.server";
import { cancelReward } from "~/services/rewards/cancel.server";
import type { RewardDeps } from "~/services/rewards/deps.server";
import { issueRewardAsync } from "~/services/rewards/issue-async.server";
import { getReferralSettings } from "./settings.server";
import { amountsToReview, askShopCurrency, heldOrderCurrencyDecision, orderInOtherCurrency, shopCurrencyReading } from "~/services/lifecycle/amount-currency.server";
import { field } from "~/domain/json-fields";


// ---- codes ---------------------------------------------------------------------------------------

/** The member's referral code, created on first request (a twin request at the same moment gets the same one). */
export async function ensureReferralCode(db: Db, input: { shop: string; customerId: string }, random?: Parameters<typeof generateReferralCode>[0]): Promise<string> {
  const where = { shop_customerId: { shop: input.shop, customerId: input.customerId } };
  const found = await db.referralCode.findUnique({ where, select: { code: true } });
  if (found) return found.code;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const row = await db.referralCode.create({ data: { shop: input.shop, customerId: input.customerId, code: generateReferralCode(random) }, select: { code: true } });
      return row.code;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Either a twin created this member's code, or (about never) the random code was taken.
      const twin = await db.referralCode.findUnique({ where, select: { code: true } });
      if (twin) return twin.code;
    }
  }
  throw new Error("could not find a free referral code after 5 tries");
}

export type LinkOutcome = { ok: true; code: string } | { ok: false; code: "referrals_off" };

/** A signed-in member asks for their link. */
export async function referralLinkFor(db: Db, input: { shop: string; customerGid: string; now: Date }): Promise<LinkOutcome> {
  const settings = await getReferralSettings(db, input.shop);
  if (!settings.enabled) return { ok: false, code: "referrals_off" };
  const customer = await ensureCustomer(db, { shop: input.shop, customerGid: input.customerGid, now: input.now });
  return { ok: true, code: await ensureReferralCode(db, { shop: input.shop, customerId: customer.id }) };
}

// ---- clicks --------------------------------------------------------------------------------------

export type ClickOutcome = { ok: true; referralId: string; created: boolean } | { ok: false; code: "referrals_off" | "unknown_code" };

/** A visitor followed a link: one CLICKED row per code and visitor token (repeats return it). */
export async function recordReferralClick(db: Db, input: { shop: string; code: string; visitor: string; now: Date }): Promise<ClickOutcome> {
  const settings = await getReferralSettings(db, input.shop);
  if (!settings.enabled) return { ok: false, code: "referrals_off" };
  const code = await db.referralCode.findUnique({ where: { shop_code: { shop: input.shop, code: input.code } } });
  if (!code) return { ok: false, code: "unknown_code" };
  const where = { shop_codeId_visitorToken: { shop: input.shop, codeId: code.id, visitorToken: input.visitor } };
  const found = await db.referral.findUnique({ where, select: { id: true } });
  if (found) return { ok: true, referralId: found.id, created: false };
  try {
    const row = await db.referral.create({
      data: { shop: input.shop, codeId: code.id, referrerCustomerId: code.customerId, visitorToken: input.visitor, state: "CLICKED", clickedAt: input.now },
      select: { id: true },
    });
    return { ok: true, referralId: row.id, created: true };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const twin = await db.referral.findUniqueOrThrow({ where, select: { id: true } });
    return { ok: true, referralId: twin.id, created: false };
  }
}

// ---- address keys --------------------------------------------------------------------------------

/** A keyed hash of the normalized address: comparable, but the address cannot be read back from it. */
export function addressKeyOf(shop: string, address: unknown): string | null {
  const normalized = normalizeAddress(address);
  if (!normalized) return null;
  return createHmac("sha256", env().SHOPIFY_API_SECRET).update(`${shop}|${normalized}`).digest("hex");
}

async function recordAddressKey(db: Db, shop: string, customerId: string, addressKey: string | null): Promise<void> {
  if (!addressKey) return;
  try {
    await db.referralAddressKey.upsert({ where: { shop_customerId: { shop, customerId } }, create: { shop, customerId, addressKey }, update: { addressKey } });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
}

async function addressKeyFor(db: Db, shop: string, customerId: string): Promise<string | null> {
  return (await db.referralAddressKey.findUnique({ where: { shop_customerId: { shop, customerId } }, select: { addressKey: true } }))?.addressKey ?? null;
}

// ---- sign-up (claim) -----------------------------------------------------------------------------

/** What Shopify says about the friend, when the caller could ask (Admin API or the order's payload). */
export interface FriendFacts {
  createdAt: Date | null;
  email: string | null;
  displayName?: string | null;
  addressKey?: string | null;
}

export interface ClaimInput {
  shop: string;
  code: string;
  visitor: string | null;
  friendGid: string;
  /**
   * Shopify's facts about the friend, or how to get them (the storefront passes an Admin API
   * lookup): asked only once the program is on and the code exists, so a claim that is refused
   * anyway costs no call to Shopify.
   */
  facts: FriendFacts | null | (() => Promise<FriendFacts | null>);
  /**
   * Shopify's facts about any customer (the storefront claim passes an Admin API lookup), for the
   * referrer's email when the app's row has none (a member's row made by the link request has no email).
   */
  lookup?: (customerGid: string) => Promise<FriendFacts | null>;
  now: Date;
}

export type ClaimOutcome =
  | { ok: true; referral: Referral; created: boolean }
  | { ok: false; code: "referrals_off" | "unknown_code" };

/**
 * The friend signed in (or placed an order) with a remembered code: the referral becomes the
 * friend's (one per friend, ever), the fraud rules run, and a clean one is SIGNED_UP with the
 * friend's welcome reward queued. Repeats and concurrent claims return the friend's one referral.
 */
export async function claimReferral(deps: RewardDeps, input: ClaimInput): Promise<ClaimOutcome> {
  const { db } = deps;
  const settings = await getReferralSettings(db, input.shop);
  if (!settings.enabled) return { ok: false, code: "referrals_off" };
  const code = await db.referralCode.findUnique({ where: { shop_code: { shop: input.shop, code: input.code } } });
  if (!code) return { ok: false, code: "unknown_code" };
  const facts = typeof input.facts === "function" ? await input.facts() : input.facts;
  const friend = await ensureCustomer(db, {
    shop: input.shop,
    customerGid: input.friendGid,
    displayName: facts?.displayName ?? null,
    email: facts?.email ?? null,
    now: input.now,
  });
  const theirs = () => db.referral.findUnique({ where: { shop_friendCustomerId: { shop: input.shop, friendCustomerId: friend.id } } });

  let referral = await theirs();
  let created = false;
  let landedNotBefore: Date | undefined;
  if (!referral) {
    const { click, made } = await clickRowFor(db, { shop: input.shop, codeId: code.id, referrerCustomerId: code.customerId, visitor: input.visitor, now: input.now });
    // Made here: the landing's click was never recorded (its request failed, or got 429).
    if (made) landedNotBefore = earliestLanding({ codeCreatedAt: code.createdAt, claimedAt: input.now });
    try {
      const attached = await db.referral.updateMany({ where: { id: click.id, state: "CLICKED", friendCustomerId: null }, data: { friendCustomerId: friend.id } });
      // Another friend took this click first: this friend gets a click of their own, made now.
      if (attached.count !== 1) landedNotBefore = undefined;
      referral =
        attached.count === 1
          ? await db.referral.findUniqueOrThrow({ where: { id: click.id } })
          : await db.referral.create({
              data: { shop: input.shop, codeId: code.id, referrerCustomerId: code.customerId, visitorToken: null, state: "CLICKED", clickedAt: input.now, clickRecorded: false, friendCustomerId: friend.id },
            });
      created = true;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A concurrent claim attached this friend to a referral first: that one is theirs.
      landedNotBefore = undefined;
      referral = await theirs();
      if (!referral) throw error;
    }
  }

  return {
    ok: true,
    referral: await decideSignUp(deps, { shop: input.shop, referral, friendId: friend.id, facts, lookup: input.lookup, now: input.now, friendTemplateId: settings.friendTemplateId, landedNotBefore }),
    created,
  };
}

/**
 * Whoever finds the friend's referral still CLICKED (a claim, a twin racing it, or one of the friend's
 * orders while a claim is between attaching the friend and deciding) decides it: the rules give the
 * same answer, and the compare-and-set lets one write win. Then the welcome reward, once.
 */
async function decideSignUp(
  deps: RewardDeps,
  input: { shop: string; referral: Referral; friendId: string; facts: FriendFacts | null; lookup?: ClaimInput["lookup"]; now: Date; friendTemplateId: string | null; landedNotBefore?: Date },
): Promise<Referral> {
  const { db } = deps;
  let referral = input.referral;
  if (referral.state === "CLICKED") {
    const reason = await claimFraudReason(db, { shop: input.shop, referral, friendId: input.friendId, facts: input.facts, lookup: input.lookup, landedNotBefore: input.landedNotBefore });
    await recordAddressKey(db, input.shop, input.friendId, input.facts?.addressKey ?? null);
    if (reason) return rejectReferral(db, referral, ["CLICKED"], reason, input.now);
    await db.referral.updateMany({ where: { id: referral.id, state: "CLICKED" }, data: { state: "SIGNED_UP", signedUpAt: input.now } });
    referral = await db.referral.findUniqueOrThrow({ where: { id: referral.id } });
  }
  return ensureFriendReward(deps, referral, input.friendTemplateId);
}

/**
 * The visitor's click row for this code, or a new one when the visitor's click is unknown (cookie only
 * in the cart): made now, its `clickedAt` is the claim's time, so it says the click was not recorded.
 */
async function clickRowFor(db: Db, input: { shop: string; codeId: string; referrerCustomerId: string; visitor: string | null; now: Date }): Promise<{ click: Referral; made: boolean }> {
  if (input.visitor) {
    const where = { shop_codeId_visitorToken: { shop: input.shop, codeId: input.codeId, visitorToken: input.visitor } };
    const found = await db.referral.findUnique({ where });
    if (found) return { click: found, made: false };
    try {
      return { click: await db.referral.create({ data: { shop: input.shop, codeId: input.codeId, referrerCustomerId: input.referrerCustomerId, visitorToken: input.visitor, clickedAt: input.now, clickRecorded: false } }), made: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return { click: await db.referral.findUniqueOrThrow({ where }), made: false };
    }
  }
  return { click: await db.referral.create({ data: { shop: input.shop, codeId: input.codeId, referrerCustomerId: input.referrerCustomerId, visitorToken: null, clickedAt: input.now, clickRecorded: false } }), made: true };
}

async function claimFraudReason(
  db: Db,
  input: { shop: string; referral: Referral; friendId: string; facts: FriendFacts | null; lookup?: ClaimInput["lookup"]; landedNotBefore?: Date },
): Promise<RejectionReason | null> {
  const referrer = await db.customer.findUnique({ where: { id: input.referral.referrerCustomerId }, select: { id: true, email: true, shopifyCustomerId: true } });
  const friend = await db.customer.findUniqueOrThrow({ where: { id: input.friendId }, select: { id: true, email: true, createdAt: true } });
  let referrerEmail = referrer?.email ?? null;
  if (!referrerEmail && referrer && input.lookup) referrerEmail = (await input.lookup(referrer.shopifyCustomerId))?.email ?? null;
  const self = selfReferralReason(
    { customerId: input.referral.referrerCustomerId, email: referrerEmail, addressKey: await addressKeyFor(db, input.shop, input.referral.referrerCustomerId) },
    { customerId: friend.id, email: input.facts?.email ?? friend.email, addressKey: input.facts?.addressKey ?? (await addressKeyFor(db, input.shop, friend.id)) },
  );
  if (self) return self;
  // Shopify's creation time when known; otherwise when the app first heard of the customer.
  const firstOrder = await db.pointsTransaction.findFirst({
    where: { shop: input.shop, customerId: friend.id, orderGid: { not: null } },
    orderBy: { createdAt: "asc" },
    select: { createdAt: true },
  });
  return alreadyCustomerReason({
    clickedAt: input.referral.clickedAt,
    friendCreatedAt: input.facts?.createdAt ?? friend.createdAt,
    firstOrderAt: firstOrder?.createdAt ?? null,
    landedNotBefore: input.landedNotBefore,
  });
}

async function rejectReferral(db: Db, referral: Referral, from: Referral["state"][], reason: RejectionReason, now: Date): Promise<Referral> {
  await db.referral.updateMany({ where: { id: referral.id, state: { in: from } }, data: { state: "REJECTED", rejectionReason: reason, rejectedAt: now } });
  return db.referral.findUniqueOrThrow({ where: { id: referral.id } });
}

/** Queues the friend's welcome reward once (keyed by the referral); a no-op when given or not due. */
async function ensureFriendReward(deps: RewardDeps, referral: Referral, templateId: string | null): Promise<Referral> {
  if (!templateId || referral.friendRewardId || !referral.friendCustomerId) return referral;
  if (!["SIGNED_UP", "QUALIFIED", "REWARDED"].includes(referral.state)) return referral;
  const issued = await issueRewardAsync(deps, {
    shop: referral.shop,
    customer: { id: referral.friendCustomerId },
    templateId,
    source: "REFERRAL",
    idempotencyKey: `referral:friend:${referral.id}`,
    reason: `Welcome reward for a referred friend (referral ${referral.id})`,
  });
  if (!issued.ok) {
    deps.logger.warn({ shop: referral.shop, referralId: referral.id, code: issued.error.code }, "referral friend reward not issued");
    await deps.db.referral.update({ where: { id: referral.id }, data: { issueError: issued.error.code } });
  } else {
    await deps.db.referral.update({ where: { id: referral.id }, data: { friendRewardId: issued.reward.id, issueError: null } });
  }
  return deps.db.referral.findUniqueOrThrow({ where: { id: referral.id } });
}

// ---- orders/create: the qualifying order ----------------------------------------------------------

export type QualifyOutcome =
  | "not_referred"
  | "program_off"
  | "no_customer"
  | "canceled"
  | "not_signed_up"
  | "below_minimum"
  | "rejected"
  | "qualified"
  | "rewarded"
  | "already_done"
  | "held"
  | "unreadable";

/** The order's shop-currency subtotal after discounts (`subtotal_price_set.shop_money`), null when unreadable. */
export function orderSubtotalAfterDiscounts(payload: unknown): bigint | null {
  return parseShopifyAmount(field(field(field(payload, "subtotal_price_set"), "shop_money"), "amount"));
}

/**
 * orders/create: a guest order carrying a remembered code (cart attributes → note_attributes) is
 * the friend's sign-up; the friend's first order at or over the minimum makes the referral QUALIFIED,
 * held until receivedAt + pending days; with no hold the referrer's reward is queued at once.
 */
export async function qualifyReferralFromOrder(deps: RewardDeps, order: Pick<OrderContext, "shop" | "payload" | "receivedAt">): Promise<QualifyOutcome> {
  const { db } = deps;
  const facts = orderFacts(order.payload);
  if (!facts.orderGid || !facts.customerGid) return "no_customer";
  const settings = await getReferralSettings(db, order.shop);
  if (!settings.enabled) return "program_off";
  const customerPayload = field(order.payload, "customer");
  const addressKey = addressKeyOf(order.shop, field(customerPayload, "default_address"));
  const display = customerDisplay(customerPayload);
  const customer = await ensureCustomer(db, { shop: order.shop, customerGid: facts.customerGid, ...display, now: order.receivedAt });
  await recordAddressKey(db, order.shop, customer.id, addressKey);
  // A refunded or voided order (financial_status) qualifies no referral, as a canceled one.
  if (facts.cancelled || facts.moneyReturned) return "canceled";

  // Shopify's timestamps have one reader, as the storefront claim's lookup reads createdAt.
  const friendFacts: FriendFacts = { createdAt: parseShopifyTime(field(customerPayload, "created_at")), email: display.email, displayName: display.displayName, addressKey };
  let referral = await db.referral.findUnique({ where: { shop_friendCustomerId: { shop: order.shop, friendCustomerId: customer.id } } });
  if (!referral) {
    const remembered = referralFromNoteAttributes(field(order.payload, "note_attributes"));
    if (!remembered) return "not_referred";
    const claimed = await claimReferral(deps, { shop: order.shop, code: remembered.code, visitor: remembered.visitor, friendGid: facts.customerGid, facts: friendFacts, now: order.receivedAt });
    if (!claimed.ok) return "not_referred";
    referral = claimed.referral;
  } else if (referral.state === "CLICKED") {
    // The friend is attached but the sign-up not decided: a claim (a twin order's, the storefront's)
    // is deciding it now, or stopped midway. Decided here too — before, this order was "not signed
    // up", and when it was the friend's qualifying order the referral never qualified.
    referral = await decideSignUp(deps, { shop: order.shop, referral, friendId: customer.id, facts: friendFacts, now: order.receivedAt, friendTemplateId: settings.friendTemplateId });
  }
  if (referral.state === "REJECTED") return "rejected";
  if (referral.state === "CLICKED") return "not_signed_up";
  if (referral.state !== "SIGNED_UP") return "already_done";
  // Deliveries are not ordered: a cancel applied before this orders/create left the points
  // program's marker row (app/services/points/order-points.server.ts) — a canceled order never qualifies.
  const canceled = await db.pointsTransaction.findUnique({ where: { shop_sourceKey: { shop: order.shop, sourceKey: sourceKeys.orderCanceled(facts.orderGid) } }, select: { id: true } });
  if (canceled) return "canceled";

  const amount = orderSubtotalAfterDiscounts(order.payload);
  const minimum = parseMilli(settings.minimumOrderAmount) ?? 0n;
  if (amount === null) return "below_minimum";
  // A `currency` that is no currency code: its amounts cannot be read (dead-lettered: orderAmountsProblem).
  const orderCurrency = orderCurrencyOf(order.payload);
  if (orderCurrency === undefined) return "unreadable";
  // An order in another shop currency than the stored one (a shop/update announcing the change is
  // late or lost, or an odd order): not compared with the minimum but kept with its currency, and
  // Shopify asked which currency the shop sells in (docs/decisions/023, addendum of 3 December 2026).
  const otherCurrency = minimum > 0n ? await orderInOtherCurrency(db, order.shop, orderCurrency) : null;
  if (otherCurrency) {
    await askShopCurrency(db, order.shop, deps.now());
    return holdForMinimumReview(db, { shop: order.shop, referralId: referral.id, orderGid: facts.orderGid, amount, receivedAt: order.receivedAt, currency: otherCurrency.orderCurrency });
  }
  // A minimum typed in another currency than the shop sells in now ("50" saved in USD is not ¥50:
  // docs/decisions/015): the order is not compared with it but kept, and decided once the merchant
  // confirms the amounts (decideHeldReferralOrders). A minimum of 0 (any order) is no amount.
  if (minimum > 0n && (await amountsToReview(db, order.shop, await referralMinimumCurrency(db, order.shop)))) {
    return holdForMinimumReview(db, { shop: order.shop, referralId: referral.id, orderGid: facts.orderGid, amount, receivedAt: order.receivedAt, currency: null });
  }
  if (amount < minimum) return "below_minimum";
  return qualifyWithOrder(deps, { referral, friend: { customerId: customer.id, email: display.email, addressKey }, orderGid: facts.orderGid, receivedAt: order.receivedAt, settings });
}

/** The currency the referral minimum was saved in (ReferralSettings.amountCurrency; null: not known or never saved). */
async function referralMinimumCurrency(db: Db, shop: string): Promise<string | null> {
  return (await db.referralSettings.findUnique({ where: { shop }, select: { amountCurrency: true } }))?.amountCurrency ?? null;
}

/** The friend's order waits for the minimum's review: kept once (ids and its amount), the referral stays SIGNED_UP. */
async function holdForMinimumReview(db: Db, held: { shop: string; referralId: string; orderGid: string; amount: bigint; receivedAt: Date; currency: string | null }): Promise<QualifyOutcome> {
  try {
    await db.referralHeldOrder.create({ data: { ...held, amount: formatMilli(held.amount) } });
  } catch (error) {
    // The same order again (a redelivery): kept already.
    if (!isUniqueViolation(error)) throw error;
  }
  return "held";
}

/**
 * The friend's order is at or over the minimum: the referral QUALIFIES (held until receivedAt + the
 * pending days; with no hold the referrer's reward is queued at once) — unless the friend is the
 * referrer themselves, or the referrer is over their monthly cap (REJECTED with the reason).
 */
async function qualifyWithOrder(
  deps: RewardDeps,
  input: { referral: Referral; friend: { customerId: string; email: string | null; addressKey: string | null }; orderGid: string; receivedAt: Date; settings: ReferralSettingsValues },
): Promise<QualifyOutcome> {
  const { db } = deps;
  const { referral, settings } = input;
  const order = { shop: referral.shop, receivedAt: input.receivedAt };
  const facts = { orderGid: input.orderGid };
  const self = selfReferralReason(
    { customerId: referral.referrerCustomerId, email: (await db.customer.findUnique({ where: { id: referral.referrerCustomerId }, select: { email: true } }))?.email ?? null, addressKey: await addressKeyFor(db, order.shop, referral.referrerCustomerId) },
    input.friend,
  );
  if (self) {
    await rejectReferral(db, referral, ["SIGNED_UP"], self, order.receivedAt);
    return "rejected";
  }

  const referralId = referral.id;
  const holdUntil = referralHoldUntil(order.receivedAt, settings.pendingDays);
  const outcome = await db.$transaction(
    async (tx) => {
      // The lock: concurrent qualifications of one referrer count the cap one after the other.
      await tx.referralCode.update({ where: { id: referral.codeId }, data: { lockedAt: new Date() } });
      const current = await tx.referral.findUniqueOrThrow({ where: { id: referralId } });
      if (current.state !== "SIGNED_UP") return "already_done" as const;
      const month = monthOf(order.receivedAt);
      const qualified = await tx.referral.count({
        where: { shop: order.shop, referrerCustomerId: current.referrerCustomerId, state: { in: ["QUALIFIED", "REWARDED"] }, qualifiedAt: { gte: month.start, lt: month.end } },
      });
      const over = monthlyCapReason(qualified, settings.monthlyCapPerReferrer);
      if (over) {
        await tx.referral.update({ where: { id: referralId }, data: { state: "REJECTED", rejectionReason: over, rejectedAt: order.receivedAt } });
        return "rejected" as const;
      }
      await tx.referral.update({
        where: { id: referralId },
        data: { state: "QUALIFIED", qualifiedAt: order.receivedAt, qualifyingOrderGid: facts.orderGid, holdUntil },
      });
      return "qualified" as const;
    },
    { maxWait: 20_000, timeout: 20_000 },
  );
  if (outcome !== "qualified") return outcome;
  if (holdUntil.getTime() <= deps.now().getTime()) {
    const rewarded = await rewardReferrer(deps, referralId);
    return rewarded === "rewarded" ? "rewarded" : "qualified";
  }
  return "qualified";
}

/** At most this many held orders are decided per pass (decideHeldReferralOrders). */
export const HELD_ORDERS_PER_PASS = 100;

/**
 * Friends' orders kept while the referral minimum waited for review (holdForMinimumReview) are
 * decided, in the order received, in the shops whose minimum is confirmed (POST /app/amount-currency,
 * or a Referrals save, which stamps the page's currency): the first at or over the minimum as it is
 * now qualifies its referral, exactly as on arrival (its own receipt time starts the hold and counts
 * in its month's cap); one below it is dropped and the referral waits for a next order, as it would
 * have; one of a referral decided meanwhile is dropped — not while the referral program is off. The
 * worker's "held orders" task (a shop marked due: app/services/lifecycle/held-orders.server.ts) and
 * its "referrals" pass (every shop, every minute); both at once, or in several processes, decide a
 * referral once (qualifyWithOrder's compare-and-set on its state). An order kept for its currency
 * (another shop currency than the stored one) is decided once the shop's currency is known as of its
 * arrival (Shop.currencyReadAt not before it): in that currency, against the minimum confirmed in it;
 * in another one (the shop still sells in the stored currency) it is dropped uncompared, and the
 * referral waits for a next order (docs/decisions/023, addendum of 3 December 2026).
 * Returns how many were decided.
 */
export async function decideHeldReferralOrders(deps: RewardDeps, only?: { shop: string }): Promise<number> {
  const { db } = deps;
  const shops = only ? [only] : await db.referralHeldOrder.groupBy({ by: ["shop"] });
  let decided = 0;
  for (const { shop } of shops) {
    if (await amountsToReview(db, shop, await referralMinimumCurrency(db, shop))) continue;
    const settings = await getReferralSettings(db, shop);
    // Turned off while they waited: a program that is off qualifies nothing (qualifyReferralFromOrder);
    // the orders stay kept, to be decided once it is on again (docs/decisions/015, 3 December 2026).
    if (!settings.enabled) continue;
    const minimum = parseMilli(settings.minimumOrderAmount) ?? 0n;
    const reading = await shopCurrencyReading(db, shop);
    const { currency, readAt } = reading;
    // Kept for their currency and not answered yet (no reading since they came): left for later.
    const decidable = { OR: [{ currency: null }, { currency }, ...(readAt ? [{ receivedAt: { lte: readAt } }] : [])] };
    const held = await db.referralHeldOrder.findMany({ where: { shop, ...decidable }, orderBy: [{ receivedAt: "asc" }, { id: "asc" }], take: HELD_ORDERS_PER_PASS - decided });
    for (const h of held) {
      const referral = await db.referral.findUnique({ where: { id: h.referralId } });
      const amount = parseMilli(h.amount);
      // Shopify's answer, by the one decision shared with points and VIP amount spent (heldOrderCurrencyDecision).
      const inShopCurrency = h.currency === null || heldOrderCurrencyDecision(h.currency, h.receivedAt, reading) === "in_shop_currency";
      if (!inShopCurrency) deps.logger.info({ shop, order: h.orderGid, orderCurrency: h.currency, shopCurrency: currency }, "a friend's order in another currency than the shop's was not compared with the referral minimum");
      if (inShopCurrency && referral?.state === "SIGNED_UP" && referral.friendCustomerId && amount !== null && amount >= minimum) {
        const friend = await db.customer.findUnique({ where: { id: referral.friendCustomerId }, select: { email: true } });
        await qualifyWithOrder(deps, { referral, friend: { customerId: referral.friendCustomerId, email: friend?.email ?? null, addressKey: await addressKeyFor(db, shop, referral.friendCustomerId) }, orderGid: h.orderGid, receivedAt: h.receivedAt, settings });
      }
      await db.referralHeldOrder.deleteMany({ where: { id: h.id } });
      decided++;
    }
    if (decided >= HELD_ORDERS_PER_PASS) break;
  }
  return decided;
}

// ---- the referrer's reward -----------------------------------------------------------------------

export type RewardReferrerOutcome = "rewarded" | "not_due" | "not_qualified" | "program_off" | "referrer_erased" | "issue_failed" | "rejected_meanwhile";

/**
 * Queues the referrer's reward of a QUALIFIED referral whose hold has ended; then REWARDED. Not while
 * the referral program is off: the referral stays QUALIFIED and is rewarded once the program is on
 * again ("off" means no referral rewards are given now: docs/decisions/015, addendum of 3 December
 * 2026). A referrer erased by customers/redact meanwhile (no Shopify id any more) can be given nothing:
 * the referral is REJECTED (`referrer_erased`) rather than left REWARDED with a reward that fails.
 */
export async function rewardReferrer(deps: RewardDeps, referralId: string): Promise<RewardReferrerOutcome> {
  const { db } = deps;
  const referral = await db.referral.findUnique({ where: { id: referralId } });
  if (!referral || referral.state !== "QUALIFIED") return "not_qualified";
  if (!referral.holdUntil || referral.holdUntil.getTime() > deps.now().getTime()) return "not_due";
  const settings = await getReferralSettings(db, referral.shop);
  if (!settings.enabled) return "program_off";
  const referrer = await db.customer.findUnique({ where: { id: referral.referrerCustomerId }, select: { shopifyCustomerId: true } });
  // Erased: privacy.server.ts's eraseSubject replaces the Shopify id (generate-pending.server.ts reads it the same way).
  if (!shopifyGidOf(referrer?.shopifyCustomerId, "Customer")) {
    await rejectReferral(db, referral, ["QUALIFIED"], "referrer_erased", deps.now());
    return "referrer_erased";
  }
  if (!settings.referrerTemplateId) {
    await db.referral.update({ where: { id: referral.id }, data: { issueError: "template_not_found" } });
    return "issue_failed";
  }
  const issued = await issueRewardAsync(deps, {
    shop: referral.shop,
    customer: { id: referral.referrerCustomerId },
    templateId: settings.referrerTemplateId,
    source: "REFERRAL",
    idempotencyKey: `referral:referrer:${referral.id}`,
    reason: `Referred a friend whose first order qualified (referral ${referral.id})`,
  });
  if (!issued.ok) {
    deps.logger.warn({ shop: referral.shop, referralId: referral.id, code: issued.error.code }, "referrer reward not issued");
    await db.referral.update({ where: { id: referral.id }, data: { issueError: issued.error.code } });
    return "issue_failed";
  }
  const moved = await db.referral.updateMany({
    where: { id: referral.id, state: "QUALIFIED" },
    data: { state: "REWARDED", rewardedAt: deps.now(), referrerRewardId: issued.reward.id, issueError: null },
  });
  if (moved.count === 1) return "rewarded";
  // A refund or cancel rejected the referral while the reward was being queued: take it back.
  const now = await db.referral.findUniqueOrThrow({ where: { id: referral.id } });
  if (now.state === "REJECTED") {
    await db.referral.update({ where: { id: referral.id }, data: { referrerRewardId: issued.reward.id } });
    await cancelReferrerReward(deps, { shop: referral.shop, rewardId: issued.reward.id, reason: now.rejectionReason });
    return "rejected_meanwhile";
  }
  return "rewarded";
}

/**
 * The periodic task: every QUALIFIED referral whose hold has ended gets its referrer reward (bounded
 * batch) — in the shops whose program is on: those of a shop whose program is off wait (rewardReferrer)
 * and are left out of the batch, so they never hold other shops' back.
 */
export async function issueDueReferrerRewards(deps: RewardDeps, limit = 100): Promise<{ rewarded: number; failed: number }> {
  const dueWhere = { state: "QUALIFIED", holdUntil: { lte: deps.now() } };
  const shops = (await deps.db.referral.groupBy({ by: ["shop"], where: dueWhere })).map((g) => g.shop);
  const on = shops.length === 0 ? [] : (await deps.db.referralSettings.findMany({ where: { shop: { in: shops }, enabled: true }, select: { shop: true } })).map((s) => s.shop);
  if (on.length === 0) return { rewarded: 0, failed: 0 };
  const due = await deps.db.referral.findMany({
    where: { ...dueWhere, shop: { in: on } },
    orderBy: { holdUntil: "asc" },
    take: limit,
    select: { id: true },
  });
  let rewarded = 0;
  let failed = 0;
  for (const { id } of due) {
    const outcome = await rewardReferrer(deps, id);
    if (outcome === "rewarded") rewarded++;
    else if (outcome === "issue_failed") failed++;
  }
  return { rewarded, failed };
}

// ---- refunds/create and orders/cancelled ---------------------------------------------------------

export type RejectOrderOutcome = "not_qualifying" | "rejected" | "rejected_and_canceled" | "already_used" | "duplicate";

/**
 * The qualifying order was refunded or canceled: a QUALIFIED referral (hold not over) is REJECTED and
 * the referrer is never rewarded; a REWARDED one whose reward is still unused is REJECTED and its
 * reward canceled through the cancel service. A reward already used stays (too late to take back).
 * Throws when Shopify could not deactivate the code, so the inbox retries the delivery.
 */
export async function rejectForOrderReversal(deps: RewardDeps, input: { shop: string; orderGid: string; reason: "order_refunded" | "order_canceled"; now: Date }): Promise<RejectOrderOutcome> {
  const { db } = deps;
  // A friend's order kept for the minimum's review (holdForMinimumReview), refunded or canceled
  // meanwhile, qualifies nothing, as one refunded or canceled on arrival: dropped.
  await db.referralHeldOrder.deleteMany({ where: { shop: input.shop, orderGid: input.orderGid } });
  const referral = await db.referral.findFirst({ where: { shop: input.shop, qualifyingOrderGid: input.orderGid } });
  if (!referral) return "not_qualifying";
  if (referral.state === "QUALIFIED") {
    const moved = await db.referral.updateMany({ where: { id: referral.id, state: "QUALIFIED" }, data: { state: "REJECTED", rejectionReason: input.reason, rejectedAt: input.now } });
    if (moved.count === 1) return "rejected";
    return rejectForOrderReversal(deps, input);
  }
  const reward = referral.referrerRewardId ? await db.reward.findUnique({ where: { id: referral.referrerRewardId }, select: { id: true, status: true } }) : null;
  const unused = reward !== null && (reward.status === "PENDING" || reward.status === "ISSUED");
  if (referral.state === "REWARDED") {
    if (!unused) return "already_used";
    await db.referral.updateMany({ where: { id: referral.id, state: "REWARDED" }, data: { state: "REJECTED", rejectionReason: input.reason, rejectedAt: input.now } });
  } else if (referral.state !== "REJECTED" || !unused) {
    return "duplicate";
  }
  // REJECTED with an unused reward: this delivery (or an earlier, interrupted one) cancels it.
  await cancelReferrerReward(deps, { shop: input.shop, rewardId: reward!.id, reason: input.reason });
  return "rejected_and_canceled";
}

async function cancelReferrerReward(deps: RewardDeps, input: { shop: string; rewardId: string; reason: string | null }): Promise<void> {
  const result = await cancelReward(deps, { shop: input.shop, rewardId: input.rewardId, reason: `Referral rejected: ${input.reason ?? "rejected"}` });
  if (result.ok || result.error.code === "not_cancelable") return;
  throw new Error(`could not cancel the referrer reward ${input.rewardId}: ${result.error.code}`);
}

// ---- merchant views ------------------------------------------------------------------------------

export interface ReferralRow {
  id: string;
  friendName: string | null;
  state: string;
  rejectionReason: string | null;
  /** When the friend landed on the referral link; null when that click was never recorded (the row was made by the friend's claim, `clickRecorded`). */
  clickedAt: Date | null;
  signedUpAt: Date | null;
  qualifiedAt: Date | null;
  rewardedAt: Date | null;
  rejectedAt: Date | null;
  holdUntil: Date | null;
  friendRewardId: string | null;
  friendCustomerId: string | null;
  referrerRewardId: string | null;
  /**
   * The friend placed an order kept for the referral minimum's review (ReferralHeldOrder), and what it
   * waits for: Shopify's answer about the shop's currency (an order placed in another currency than the
   * stored one: heldOrderCurrencyDecision "waiting"), the merchant's confirm of the amounts, or the
   * referral program turned on again (docs/decisions/015 and 023, addenda of 3 December 2026); null
   * when no order is kept.
   */
  waitingFor: "currency" | "amounts" | "program_on" | null;
}

/** Who a customer referred (newest first, bounded), with the friend's display name when the app has one. */
export async function referralsOfCustomer(db: Db, input: { shop: string; customerId: string; limit?: number }): Promise<ReferralRow[]> {
  const rows = await db.referral.findMany({
    where: { shop: input.shop, referrerCustomerId: input.customerId, friendCustomerId: { not: null } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(input.limit ?? 100, 200),
  });
  const friendIds = rows.map((r) => r.friendCustomerId!).filter(Boolean);
  const friends = await db.customer.findMany({ where: { id: { in: friendIds } }, select: { id: true, displayName: true } });
  const names = new Map(friends.map((f) => [f.id, shownCustomerText(f.displayName)]));
  const held = await db.referralHeldOrder.findMany({ where: { shop: input.shop, referralId: { in: rows.map((r) => r.id) } }, select: { referralId: true, currency: true, receivedAt: true }, take: 1000 });
  const waiting = new Set(held.map((h) => h.referralId));
  // Kept for its currency and Shopify not asked back yet: that is what the order waits for first.
  const forCurrency = held.some((h) => h.currency !== null) ? await shopCurrencyReading(db, input.shop) : null;
  const waitingForCurrency = new Set(held.filter((h) => forCurrency && h.currency !== null && heldOrderCurrencyDecision(h.currency, h.receivedAt, forCurrency) === "waiting").map((h) => h.referralId));
  // Read only when an order is kept: the minimum's review first, then the program being on.
  const waitingFor =
    held.length === 0
      ? null
      : (await amountsToReview(db, input.shop, await referralMinimumCurrency(db, input.shop)))
        ? ("amounts" as const)
        : (await getReferralSettings(db, input.shop)).enabled
          ? ("amounts" as const)
          : ("program_on" as const);
  return rows.map((r) => ({
    id: r.id,
    friendName: r.friendCustomerId ? (names.get(r.friendCustomerId) ?? null) : null,
    state: r.state,
    rejectionReason: r.rejectionReason,
    // A claim's time is no click's: the admin says the click was not recorded (docs/decisions/023, 3 December 2026).
    clickedAt: recordedClickAt(r),
    signedUpAt: r.signedUpAt,
    qualifiedAt: r.qualifiedAt,
    rewardedAt: r.rewardedAt,
    rejectedAt: r.rejectedAt,
    holdUntil: r.holdUntil,
    friendRewardId: r.friendRewardId,
    friendCustomerId: r.friendCustomerId,
    referrerRewardId: r.referrerRewardId,
    waitingFor: r.state === "SIGNED_UP" && waiting.has(r.id) ? (waitingForCurrency.has(r.id) ? "currency" : waitingFor) : null,
  }));
}

export interface ReferralDashboardFigures {
  enabled: boolean;
  clicks: number;
  signedUp: number;
  qualified: number;
  rewarded: number;
  rejected: number;
}

/** The home dashboard's referral figures: how many referrals reached each state (all time). */
export async function referralDashboardFigures(db: Db, shop: string): Promise<ReferralDashboardFigures> {
  const [settings, groups, clicks] = await Promise.all([
    getReferralSettings(db, shop),
    db.referral.groupBy({ by: ["state"], where: { shop }, _count: { _all: true } }),
    // Link visits the app recorded: a row a friend's claim made (its click never seen) is no visit
    // (clickRecorded, recordedClickAt; docs/decisions/023, addendum of 3 December 2026).
    db.referral.count({ where: { shop, clickRecorded: true } }),
  ]);
  const count = (state: string) => groups.find((g) => g.state === state)?._count._all ?? 0;
  return {
    enabled: settings.enabled,
    clicks,
    signedUp: count("SIGNED_UP") + count("QUALIFIED") + count("REWARDED"),
    qualified: count("QUALIFIED"),
    rewarded: count("REWARDED"),
    rejected: count("REJECTED"),
  };
}
