// Points and orders, from webhooks (effects registered in app/services/webhooks/effects.server.ts):
//   orders/create    → the order earns points once (key: the order), pending when the shop holds them;
//   refunds/create   → a proportional share comes back off, once per refund;
//   orders/cancelled → whatever the order still has is taken back, once per order;
//   customers/create, customers/update → the sign-up bonus, once per customer, once they have an account.
// Shopify does not order deliveries: a cancel applied before its orders/create leaves a marker row
// (the order then earns nothing); a refund applied before its order is retried by the inbox until
// the order has earned, for all the inbox's attempts but the last (takeBackForRefund); after that it
// is kept for its order and applied when the order arrives (waiting-refunds.server.ts).
import type { Db } from "~/db.server";
import {
  availableAtFor,
  formatMilli,
  heldEarningNote,
  heldForOrderCurrencyNote,
  orderCurrencyOf,
  otherCurrencyOrderNote,
  RELEASED_EARNING_NOTE,
  settingsFromRow,
  type Milli,
  type ProgramSettingsValues,
  orderEarningAmount,
  parseMilli,
  pointsForAmount,
  orderTaxesIncluded,
  pointsToTakeBack,
  refundBasis,
  refundedEarningAmount,
  refundFacts,
  customerAccountOf,
  sourceKeys,
  type RefundFacts,
} from "~/domain/points";
import { orderFacts } from "~/domain/rewards";
import { shopifyGidOf } from "~/domain/shopify-ids";
import { logger, type Logger } from "~/logger.server";
import { customerDisplay, ensureCustomer } from "./customers.server";
import { creditPointsInTx, debitPointsInTx, decideHeldEarningInTx, inLedgerTransaction, lockCustomer, recordNoPointsInTx, type LedgerWrite, type Tx } from "./ledger.server";
import { amountsToReview, askShopCurrency, heldOrderCurrencyDecision, orderInOtherCurrency, shopCurrencyReading } from "~/services/lifecycle/amount-currency.server";
import { getProgramSettings } from "./program.server";
import { applyMultiplier } from "~/domain/vip";
import { vipMultiplierInTx } from "~/services/vip/tiers.server";
import { DeliveryWaits } from "~/services/webhooks/context";
import { field } from "~/domain/json-fields";


export interface OrderInput {
  shop: string;
  payload: unknown;
  /** When the app recorded the delivery: the time base of pending holds. */
  receivedAt: Date;
}

/** The history's word for points earned on a test order (`test: true`, https://shopify.dev/docs/api/admin-rest/latest/resources/order). */
export const TEST_ORDER_NOTE = "Test order";

export type EarnOutcome = "earned" | "duplicate" | "no_customer" | "program_off" | "no_points" | "canceled" | "money_returned" | "unreadable" | "over_limit" | "held";

/** What an order earns on, read once from its orders/create: kept on its EARNING_HELD row while it waits (the test flag in `testOrder`). */
interface OrderEarning {
  shop: string;
  customerId: string;
  orderGid: string;
  orderName: string | null;
  /** The earning amount (orderEarningAmount), in the shop's currency. */
  amount: Milli;
  taxesIncluded: boolean;
  test: boolean;
  /** When the order was received: the start of its pending period. */
  receivedAt: Date;
}

/** orders/create: the order's customer earns points on it, once. */
export async function earnPointsForOrder(db: Db, order: OrderInput): Promise<EarnOutcome> {
  const facts = orderFacts(order.payload);
  if (!facts.orderGid) return "unreadable";
  if (!facts.customerGid) return "no_customer";
  if (facts.cancelled) return "canceled";
  // Refunded or voided already (financial_status): no refunds/create will follow to take points back.
  if (facts.moneyReturned) return "money_returned";
  const row = await db.programSettings.findUnique({ where: { shop: order.shop } });
  const settings = settingsFromRow(row);
  if (!settings.enabled) return "program_off";
  // Unreadable amounts, or a `currency` that is no currency code (orderAmountsProblem: dead-lettered).
  const amount = orderEarningAmount(order.payload, settings);
  if (amount === null) return "unreadable";
  // An order in another shop currency than the stored one (a shop/update announcing the change is
  // late or lost): never earned at the stored currency's rule — held, and Shopify asked which currency
  // the shop sells in (docs/decisions/019, addendum of 3 December 2026).
  const otherCurrency = await orderInOtherCurrency(db, order.shop, orderCurrencyOf(order.payload) ?? null);
  // "Points per unit of the shop's currency" saved in another currency than the shop sells in now
  // (docs/decisions/015): the order is not earned with it; it waits for the merchant's confirm.
  const review = otherCurrency ? null : await amountsToReview(db, order.shop, row?.amountCurrency ?? null);
  if (!otherCurrency && !review && pointsForAmount(amount, settings) <= 0) return "no_points";
  const customer = await ensureCustomer(db, { shop: order.shop, customerGid: facts.customerGid, ...customerDisplay(field(order.payload, "customer")), now: order.receivedAt });
  const earning: OrderEarning = {
    shop: order.shop,
    customerId: customer.id,
    orderGid: facts.orderGid,
    orderName: facts.orderName,
    amount,
    taxesIncluded: orderTaxesIncluded(order.payload),
    test: facts.test,
    receivedAt: order.receivedAt,
  };
  if (otherCurrency) {
    // Asked first: a crash before the hold leaves the question, and the redelivery holds the order.
    await askShopCurrency(db, order.shop, new Date());
    return holdOrderEarning(db, earning, { note: heldForOrderCurrencyNote(otherCurrency.orderCurrency, otherCurrency.shopCurrency), orderCurrency: otherCurrency.orderCurrency });
  }
  if (review) return holdOrderEarning(db, earning, { note: heldEarningNote(review.savedIn, review.shopCurrency), orderCurrency: null });
  const write = await inLedgerTransaction(db, order.shop, sourceKeys.orderEarned(earning.orderGid), (tx) => earnInTx(tx, earning, settings, null));
  return write.type === "written" ? "earned" : write.type === "duplicate" ? "duplicate" : write.type === "over_limit" ? "over_limit" : "canceled";
}

/**
 * The order earns at `settings` (under the customer's lock): nothing when a cancel came first. Its
 * EARNING_HELD row, if it waited, is decided here in the same transaction, and the refunds recorded
 * while it waited (rows of no points with their amounts: takeBackForRefund) take their share back
 * now, once — so a held order ends exactly as if it had earned on arrival.
 */
async function earnInTx(tx: Tx, e: OrderEarning, settings: ProgramSettingsValues, note: string | null): Promise<LedgerWrite> {
  await lockCustomer(tx, e.customerId);
  const rows = await tx.pointsTransaction.findMany({ where: { shop: e.shop, orderGid: e.orderGid }, select: { reason: true, sourceKey: true, amount: true } });
  if (rows.some((r) => r.reason === "EARNING_HELD")) await decideHeldEarningInTx(tx, e.shop, e.orderGid);
  // A cancel applied first (deliveries are not ordered) leaves its marker: nothing to earn.
  if (rows.some((r) => r.sourceKey === sourceKeys.orderCanceled(e.orderGid))) return { type: "nothing" };
  const points = pointsForAmount(e.amount, settings);
  // The VIP tier held when the order earns multiplies what it earns; the note says so in the history.
  const perk = await vipMultiplierInTx(tx, e.shop, e.customerId);
  const earned = perk ? applyMultiplier(points, perk.multiplier) : points;
  const write = await creditPointsInTx(tx, {
    shop: e.shop,
    customerId: e.customerId,
    points: earned,
    // A test order earns like any order (docs/decisions/019, "Test orders"); its row says it is one.
    note: [e.test ? TEST_ORDER_NOTE : null, note, perk ? `VIP tier ${perk.tierName} ×${perk.multiplier}: ${points} + ${earned - points} bonus` : null].filter(Boolean).join(" — ") || null,
    reason: "EARNED",
    actor: "WEBHOOK",
    sourceKey: sourceKeys.orderEarned(e.orderGid),
    orderGid: e.orderGid,
    orderName: e.orderName,
    // What its refunds are measured against: the amount it earned on, and whether its prices include
    // tax, so that a refund is read in the same terms (refundedEarningAmount).
    amount: formatMilli(e.amount),
    taxesIncluded: e.taxesIncluded,
    testOrder: e.test,
    availableAt: availableAtFor(e.receivedAt, settings.pendingDays),
    overLimit: "record",
    now: new Date(),
  });
  const refundedWhileHeld = rows.filter((r) => r.reason === "ORDER_REFUNDED").reduce((s, r) => s + (parseMilli(r.amount) ?? 0n), 0n);
  if (write.type !== "written" || write.entry.delta <= 0 || refundedWhileHeld <= 0n) return write;
  const back = pointsToTakeBack({ earned: write.entry.delta, earnedOn: e.amount, refunded: refundedWhileHeld, alreadyTakenBack: 0 });
  // No `amount`: the refunds' own rows already hold what they gave back (refundedBefore of later refunds).
  await debitPointsInTx(tx, { shop: e.shop, customerId: e.customerId, reason: "ORDER_REFUNDED", actor: "WORKER", sourceKey: sourceKeys.orderHeldRefunds(e.orderGid), orderGid: e.orderGid, orderName: e.orderName, points: back, mode: "clamp", pendingOf: { orderGid: e.orderGid }, now: new Date() });
  return write;
}

/**
 * The order waits to earn: its EARNING_HELD row (no points) keeps what it earns on, visible in the
 * customer's history with why (`held.note`): the earning rule under review, or the order's currency
 * (`held.orderCurrency`, kept for its decision: releaseHeldEarnings).
 */
async function holdOrderEarning(db: Db, e: OrderEarning, held: { note: string; orderCurrency: string | null }): Promise<EarnOutcome> {
  const write = await inLedgerTransaction(db, e.shop, sourceKeys.orderHeld(e.orderGid), async (tx): Promise<LedgerWrite> => {
    await lockCustomer(tx, e.customerId);
    const decided = await tx.pointsTransaction.findFirst({ where: { shop: e.shop, sourceKey: { in: [sourceKeys.orderCanceled(e.orderGid), sourceKeys.orderEarned(e.orderGid)] } } });
    // Canceled first, or earned already (a redelivery after the rule was confirmed): nothing to hold.
    if (decided) return decided.reason === "EARNED" ? { type: "duplicate", entry: decided } : { type: "nothing" };
    return recordNoPointsInTx(
      tx,
      {
        shop: e.shop,
        customerId: e.customerId,
        reason: "EARNING_HELD",
        actor: "WEBHOOK",
        sourceKey: sourceKeys.orderHeld(e.orderGid),
        orderGid: e.orderGid,
        orderName: e.orderName,
        note: [e.test ? TEST_ORDER_NOTE : null, held.note].filter(Boolean).join(" — "),
        amount: formatMilli(e.amount),
        taxesIncluded: e.taxesIncluded,
        // Kept as a column: the order earns later with it (releaseHeldEarnings); the note is for people.
        testOrder: e.test,
        orderCurrency: held.orderCurrency,
        now: e.receivedAt,
      },
      "HELD",
    );
  });
  return write.type === "written" ? "held" : write.type === "duplicate" ? "duplicate" : "canceled";
}

/** At most this many held orders are decided per pass (releaseHeldEarnings). */
export const HELD_EARNINGS_PER_PASS = 200;

/**
 * Orders held while the earning rule waited for review (EARNING_HELD, HELD) earn, once, with the rule
 * as it is now — in the shops whose rule is confirmed (POST /app/amount-currency, or a Program save,
 * which stamps the page's currency) and whose program is on: while the merchant has it off, nothing
 * is earned and they stay held (docs/decisions/015, addendum of 3 December 2026), to earn once it is
 * on again. The worker's "held orders" task (a shop marked due: held-orders.server.ts) and its
 * "points program" pass (every shop, every minute): at most HELD_EARNINGS_PER_PASS a pass, the oldest
 * first; both at once, or in several processes, earn an order once (its `order:<gid>:earned` key).
 * An order held for its currency (`orderCurrency`: another shop currency than the stored one) is
 * decided only once the shop's currency is known as of its arrival (Shop.currencyReadAt not before
 * it): in that currency it earns like the others (the amounts confirmed in it); in another one — the
 * shop still sells in the stored currency — it is decided without points, its row saying both
 * currencies (docs/decisions/019, addendum of 3 December 2026). Until then it stays held.
 * Returns how many were decided.
 */
export async function releaseHeldEarnings(db: Db, only?: { shop: string }): Promise<number> {
  const shops = only ? [only] : await db.pointsTransaction.groupBy({ by: ["shop"], where: { status: "HELD", reason: "EARNING_HELD" } });
  let decided = 0;
  for (const { shop } of shops) {
    const row = await db.programSettings.findUnique({ where: { shop } });
    if (await amountsToReview(db, shop, row?.amountCurrency ?? null)) continue;
    const settings = settingsFromRow(row);
    // Turned off while they waited: a program that is off earns nothing (earnPointsForOrder).
    if (!settings.enabled) continue;
    const reading = await shopCurrencyReading(db, shop);
    const { currency, readAt } = reading;
    // Held for their currency and not answered yet (no reading since they came): left for later.
    const decidable = { OR: [{ orderCurrency: null }, { orderCurrency: currency }, ...(readAt ? [{ createdAt: { lte: readAt } }] : [])] };
    const held = await db.pointsTransaction.findMany({ where: { shop, status: "HELD", reason: "EARNING_HELD", ...decidable }, orderBy: { createdAt: "asc" }, take: HELD_EARNINGS_PER_PASS - decided });
    for (const h of held) {
      const amount = parseMilli(h.amount);
      decided++;
      // Never so written (holdOrderEarning keeps both); were it, it would block the pass: decided, nothing earned.
      if (!h.orderGid || amount === null) {
        await db.pointsTransaction.updateMany({ where: { id: h.id, status: "HELD" }, data: { status: "AVAILABLE" } });
        continue;
      }
      const earning: OrderEarning = { shop, customerId: h.customerId, orderGid: h.orderGid, orderName: h.orderName, amount, taxesIncluded: h.taxesIncluded ?? false, test: h.testOrder, receivedAt: h.createdAt };
      // Shopify's answer, by the one decision shared with VIP amount spent (heldOrderCurrencyDecision).
      const otherCurrency = h.orderCurrency !== null && heldOrderCurrencyDecision(h.orderCurrency, h.createdAt, reading) === "in_other_currency" ? h.orderCurrency : null;
      await inLedgerTransaction(db, shop, sourceKeys.orderEarned(h.orderGid), (tx) =>
        otherCurrency ? notEarnedInTx(tx, earning, otherCurrencyOrderNote(otherCurrency, currency)) : earnInTx(tx, earning, settings, RELEASED_EARNING_NOTE),
      );
    }
    if (decided >= HELD_EARNINGS_PER_PASS) break;
  }
  return decided;
}

/**
 * A held order decided without points (its currency is not the shop's: releaseHeldEarnings): its
 * EARNING_HELD row is decided and an EARNED row of no points, keyed like an earning, says why — so a
 * redelivery, its refunds and its cancel find it decided, as after an earning (nothing to take back).
 */
async function notEarnedInTx(tx: Tx, e: OrderEarning, note: string): Promise<LedgerWrite> {
  await lockCustomer(tx, e.customerId);
  const rows = await tx.pointsTransaction.findMany({ where: { shop: e.shop, orderGid: e.orderGid }, select: { reason: true, sourceKey: true } });
  if (rows.some((r) => r.reason === "EARNING_HELD")) await decideHeldEarningInTx(tx, e.shop, e.orderGid);
  if (rows.some((r) => r.sourceKey === sourceKeys.orderCanceled(e.orderGid))) return { type: "nothing" };
  return recordNoPointsInTx(tx, {
    shop: e.shop,
    customerId: e.customerId,
    reason: "EARNED",
    actor: "WORKER",
    sourceKey: sourceKeys.orderEarned(e.orderGid),
    orderGid: e.orderGid,
    orderName: e.orderName,
    note: [e.test ? TEST_ORDER_NOTE : null, note].filter(Boolean).join(" — "),
    testOrder: e.test,
    now: new Date(),
  });
}

/** What an order earned and what was already taken back, under the customer's lock. */
async function orderPoints(tx: Tx, shop: string, orderGid: string) {
  const rows = await tx.pointsTransaction.findMany({ where: { shop, orderGid }, orderBy: { createdAt: "asc" } });
  const earnedRow = rows.find((r) => r.reason === "EARNED");
  // Waiting for the earning rule's review (holdOrderEarning): it earns later, and its refunds count then.
  const held = rows.some((r) => r.reason === "EARNING_HELD" && r.status === "HELD");
  const takenBack = rows.filter((r) => r.reason === "ORDER_REFUNDED" || r.reason === "ORDER_CANCELED").reduce((s, r) => s - r.delta + r.shortfall, 0);
  // What the order's earlier refunds gave back, in the prices its refunds are measured in (their `amount`).
  const refundedBefore = rows.filter((r) => r.reason === "ORDER_REFUNDED").reduce((s, r) => s + (parseMilli(r.amount) ?? 0n), 0n);
  return { earnedRow, held, takenBack, refundedBefore, canceled: rows.some((r) => r.reason === "ORDER_CANCELED") };
}

export class OrderNotEarnedYetError extends DeliveryWaits {
  constructor(orderGid: string) {
    super(`the refunded order ${orderGid} has not earned its points yet (its orders/create may still be on its way)`);
    this.name = "OrderNotEarnedYetError";
  }
}

export type TakeBackOutcome = "taken_back" | "duplicate" | "nothing_earned" | "nothing_left" | "unreadable";

/**
 * refunds/create: takes back the refunded share of the order's points. Shopify does not order
 * deliveries ("Webhooks are not guaranteed to be delivered in order",
 * https://shopify.dev/docs/apps/build/webhooks), so a refund can come before its
 * order's orders/create — by minutes, or by hours when Shopify retries the order's delivery. An order
 * that has not earned (yet) is an error to retry on every attempt of the inbox but its last
 * (`lastAttempt`: WEBHOOK_RETRY_POLICY, about 2.5 hours of attempts): a late order then earns first
 * and its refund takes its share back. After the last attempt "nothing_earned" is answered (logged
 * with both ids): the refunds/create effect then keeps the refund for its order when VIP has not
 * seen the order either (keepRefundForItsOrder). A shop whose program is off waits for nothing.
 */
export async function takeBackForRefund(db: Db, input: { shop: string; refund: RefundFacts | null; receivedAt: Date; lastAttempt: boolean; logger: Logger }): Promise<TakeBackOutcome> {
  const { refund } = input;
  if (!refund) return "unreadable";
  // An order held from earning (holdOrderEarning) is known too: its refund is recorded for when it earns.
  const earned = await db.pointsTransaction.findFirst({ where: { shop: input.shop, orderGid: refund.orderGid, reason: { in: ["EARNED", "EARNING_HELD"] } }, select: { customerId: true, taxesIncluded: true } });
  if (!earned) {
    const canceled = await db.pointsTransaction.findUnique({ where: { shop_sourceKey: { shop: input.shop, sourceKey: sourceKeys.orderCanceled(refund.orderGid) } } });
    if (canceled) return "nothing_left";
    if (!input.lastAttempt && (await getProgramSettings(db, input.shop)).enabled) throw new OrderNotEarnedYetError(refund.orderGid);
    input.logger.warn({ shop: input.shop, order: refund.orderGid, refund: refund.refundId }, "refund of an order that earned no points here (a guest order, one that earned none, or one whose orders/create has not arrived: then the refund is kept for it)");
    return "nothing_earned";
  }
  const settings = await getProgramSettings(db, input.shop);
  const sourceKey = sourceKeys.refund(refund.refundId);
  // In the terms of the earned row's `amount` (the order's earning amount and its taxes_included);
  // a row earned before those were kept holds the order's line prices instead (refundBasis).
  const refunded = earned.taxesIncluded === null ? refundBasis(refund, settings) : refundedEarningAmount(refund, { ...settings, taxesIncluded: earned.taxesIncluded });
  const write = await inLedgerTransaction(db, input.shop, sourceKey, async (tx) => {
    await lockCustomer(tx, earned.customerId);
    const { earnedRow, held, takenBack, refundedBefore } = await orderPoints(tx, input.shop, refund.orderGid);
    const source = {
      shop: input.shop,
      customerId: earned.customerId,
      reason: "ORDER_REFUNDED" as const,
      actor: "WEBHOOK" as const,
      sourceKey,
      orderGid: refund.orderGid,
      orderName: earnedRow?.orderName ?? null,
      refundId: refund.refundId,
      amount: formatMilli(refunded),
      now: new Date(),
    };
    // Held: recorded with no points, its amount kept; the order's earning takes its share back (earnInTx).
    if (!earnedRow) return held ? recordNoPointsInTx(tx, source) : { type: "nothing" };
    const points = pointsToTakeBack({ earned: earnedRow.delta, earnedOn: parseMilli(earnedRow.amount) ?? 0n, refunded, refundedBefore, alreadyTakenBack: takenBack });
    if (points > 0) return debitPointsInTx(tx, { ...source, points, mode: "clamp", pendingOf: { orderGid: refund.orderGid } });
    // Too small a share for a point of its own, with points still left: kept (no points) so that the
    // order's later refunds count it (refundedBefore) — ten refunds of a tenth give back the whole.
    if (refunded > 0n && earnedRow.delta - takenBack > 0) return recordNoPointsInTx(tx, source);
    return { type: "nothing" };
  });
  return write.type === "written" ? "taken_back" : write.type === "duplicate" ? "duplicate" : "nothing_left";
}

/** orders/cancelled: everything the order still has is taken back; a marker when it earned nothing (yet). */
export async function takeBackForCancel(db: Db, order: OrderInput): Promise<TakeBackOutcome> {
  const facts = orderFacts(order.payload);
  if (!facts.orderGid) return "unreadable";
  const orderGid = facts.orderGid;
  const sourceKey = sourceKeys.orderCanceled(orderGid);
  // The order's earned row names its customer: the cancel's own customer object is needed only for
  // the marker of an order not seen yet (a cancel without one — customer: null — still takes back).
  const earned = await db.pointsTransaction.findFirst({ where: { shop: order.shop, orderGid, reason: "EARNED" }, select: { customerId: true } });
  const customerGid = facts.customerGid;
  const customerId =
    earned?.customerId ??
    (customerGid ? (await ensureCustomer(db, { shop: order.shop, customerGid, ...customerDisplay(field(order.payload, "customer")), now: order.receivedAt })).id : null);
  if (!customerId) return "unreadable";
  const write = await inLedgerTransaction(db, order.shop, sourceKey, async (tx) => {
    await lockCustomer(tx, customerId);
    // An order held from earning is decided by its cancel: it will earn nothing (earnInTx sees the marker).
    await decideHeldEarningInTx(tx, order.shop, orderGid);
    const { earnedRow, takenBack } = await orderPoints(tx, order.shop, orderGid);
    const left = earnedRow ? Math.max(0, earnedRow.delta - takenBack) : 0;
    const source = {
      shop: order.shop,
      customerId,
      reason: "ORDER_CANCELED" as const,
      actor: "WEBHOOK" as const,
      sourceKey,
      orderGid,
      orderName: facts.orderName,
      now: new Date(),
    };
    if (left > 0) return debitPointsInTx(tx, { ...source, points: left, mode: "clamp", pendingOf: { orderGid } });
    // Nothing to take (not earned yet, or all refunded): the marker keeps a late orders/create from earning.
    return recordNoPointsInTx(tx, source);
  });
  return write.type === "duplicate" ? "duplicate" : "taken_back";
}

/** What awardSignupBonus made of a customers/create or customers/update. */
export type SignupOutcome =
  | "awarded"
  | "duplicate"
  | "over_limit"
  /** No customer id, or the program gave no sign-up bonus when the app learned the customer has an account. */
  | "none"
  /** The body says the customer has no account (disabled, invited, declined) or its `state` is unreadable: nothing paid yet. */
  | "no_account"
  /** customers/update says "enabled", but the app has not applied the customer's customers/create (yet, or ever: created before the install). */
  | "not_created_here";

/**
 * customers/create and customers/update → the sign-up bonus, once per customer (its ledger key,
 * `signup:<gid>`), to a customer who has an account. Shopify creates customers without one for guest
 * checkouts and imports (REST Customer `state`: "disabled"; https://shopify.dev/docs/api/admin-rest/latest/resources/customer),
 * and a customer created so may activate an account later, which Shopify announces with customers/update
 * (https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-customers/update).
 * The app pays when it knows both facts, whichever delivery brings the second, in any order and however
 * often each comes (deliveries are not ordered: docs/decisions/007):
 * - Shopify created the customer while the app was installed — their customers/create
 *   (`Customer.signupCreatedAt`); customers created before the install never get the bonus, as before;
 * - they have an account — a customers/create or customers/update whose `state` is "enabled"
 *   (`Customer.signupAccountAt`).
 * The delivery that completes the pair decides, under the customer's row lock, in the transaction that
 * credits: paid when the program gives a sign-up bonus then; never later (a profile edit months after
 * a sign-up made while the program gave none pays nothing). A customers/update saying "enabled" for a
 * customer the app does not know creates their row (as customers/create would) only while the program
 * gives a bonus: their customers/create may still be on its way.
 */
export async function awardSignupBonus(
  db: Db,
  input: { shop: string; topic: "customers/create" | "customers/update"; payload: unknown; receivedAt: Date; logger?: Logger },
): Promise<SignupOutcome> {
  const gid = shopifyGidOf(field(input.payload, "admin_graphql_api_id"), "Customer");
  if (!gid) return "none";
  const created = input.topic === "customers/create";
  const account = customerAccountOf(input.payload);
  if (account.kind === "unknown") {
    // Ids and Shopify's words only (customerAccountOf's `shown`): no personal data in the log.
    (input.logger ?? logger).warn(
      { shop: input.shop, customer: gid, topic: input.topic, state: account.shown },
      "customer body whose state is none of Shopify's (enabled, disabled, invited, declined): read as no account yet, no sign-up bonus from it",
    );
  }
  const hasAccount = account.kind === "account";
  // An update saying "no account" adds nothing to what the app knows.
  if (!created && !hasAccount) return "no_account";
  const settings = await getProgramSettings(db, input.shop);
  const bonusOn = settings.enabled && settings.signupBonus > 0;
  const sourceKey = sourceKeys.signup(gid);
  // Decided by an earlier delivery: paid then, or not (the program gave none then).
  const decidedBefore = async (): Promise<"duplicate" | "none"> =>
    (await db.pointsTransaction.findUnique({ where: { shop_sourceKey: { shop: input.shop, sourceKey } }, select: { id: true } })) ? "duplicate" : "none";
  let knownId: string | undefined;
  if (!created) {
    const known = await db.customer.findUnique({ where: { shop_shopifyCustomerId: { shop: input.shop, shopifyCustomerId: gid } }, select: { id: true, signupAccountAt: true } });
    // The account is known already: this update (Shopify sends one for changes to the customer —
    // profile edits, tags, consent) adds nothing to decide — no lock, no write.
    if (known?.signupAccountAt) return decidedBefore();
    // Unknown: its row only while the bonus is on (its customers/create may still be on its way).
    if (!known && !bonusOn) return "none";
    knownId = known?.id;
  }
  const customerId = knownId ?? (await ensureCustomer(db, { shop: input.shop, customerGid: gid, ...customerDisplay(input.payload), now: input.receivedAt })).id;
  // Whether the pair was complete before this delivery, is completed by it, or is not yet (set in the transaction).
  const pair: { decided: "before" | "now" | "not_yet" } = { decided: "not_yet" };
  const write = await inLedgerTransaction(db, input.shop, sourceKey, async (tx) => {
    // The row lock (an update, as lockCustomer) first: two deliveries of one customer decide in turn.
    const before = await tx.customer.update({
      where: { id: customerId },
      data: { pointsShortfall: { increment: 0 } },
      select: { signupCreatedAt: true, signupAccountAt: true },
    });
    const knewCreated = before.signupCreatedAt !== null;
    const knewAccount = before.signupAccountAt !== null;
    pair.decided = knewCreated && knewAccount ? "before" : (knewCreated || created) && (knewAccount || hasAccount) ? "now" : "not_yet";
    const learned = { ...(created && !knewCreated ? { signupCreatedAt: input.receivedAt } : {}), ...(hasAccount && !knewAccount ? { signupAccountAt: input.receivedAt } : {}) };
    if (Object.keys(learned).length > 0) await tx.customer.update({ where: { id: customerId }, data: learned, select: { id: true } });
    if (pair.decided !== "now" || !bonusOn) return { type: "nothing" };
    return creditPointsInTx(tx, {
      shop: input.shop,
      customerId,
      points: settings.signupBonus,
      reason: "SIGNUP_BONUS",
      actor: "WEBHOOK",
      sourceKey,
      overLimit: "record",
      now: new Date(),
    });
  });
  if (write.type === "written") return "awarded";
  if (write.type === "duplicate") return "duplicate";
  if (write.type === "over_limit") return "over_limit";
  if (pair.decided === "before") return decidedBefore();
  if (pair.decided === "now") return "none";
  return hasAccount ? "not_created_here" : "no_account";
}

export { refundFacts };
