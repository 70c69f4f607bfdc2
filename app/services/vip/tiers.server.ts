// VIP tiers: the use-cases (docs/decisions/022). Progress (points earned or amount spent over the
// merchant's period) decides the tier; a move is one VipTierChange row written under the customer's
// row lock, and the entry rewards it owes are handed to issueRewardAsync afterwards with the key
// `vip:<customerId>:<tierId>:<periodKey>` — the Reward table's unique (shop, idempotencyKey) makes
// "never twice" hold whatever the concurrency, retries or re-evaluations. The change row is also the
// outbox: `rewardsQueuedAt` stays null until the rewards were queued, so a crash in between is
// finished by the periodic task (queueOwedEntryRewards).
import type { VipTier, VipTierChange } from "@prisma/client";
import { randomUUID } from "node:crypto";
import type { Db } from "~/db.server";
import { directSql } from "~/db.server";
import { formatMilli, orderCurrencyOf, orderEarningAmount, orderTaxesIncluded, parseMilli, refundedEarningAmount, sourceKeys, type Milli, type RefundFacts } from "~/domain/points";
import { orderFacts } from "~/domain/rewards";
import {
  applyMultiplier,
  changeReasonText,
  decideChange,
  enteredTiers,
  entryRewardKey,
  entryRewardsStillOwed,
  orderTiers,
  periodKey,
  progressWindows,
  storedThreshold,
  thresholdNeedsReview,
  tierIndexFor,
  vipProgramFromRow,
  type EarlierEntryReward,
  type TypedThreshold,
  type VipBasis,
  type EvaluationMode,
  type VipChangeReason,
  type VipProgramValues,
} from "~/domain/vip";
import { logger } from "~/logger.server";
import { customerDisplay, ensureCustomer } from "~/services/points/customers.server";
import { lockCustomer, type Tx } from "~/services/points/ledger.server";
import type { RewardDeps } from "~/services/rewards/deps.server";
import { issueRewardAsync } from "~/services/rewards/issue-async.server";
import { field } from "~/domain/json-fields";
import { askShopCurrency, heldOrderCurrencyDecision, orderInOtherCurrency, shopCurrencyOf, shopCurrencyReading } from "~/services/lifecycle/amount-currency.server";

export type OrderedTier = VipTier & { thresholdMilli: Milli };

/**
 * What the VIP use-cases need to promise entry rewards: saving a Pending reward never calls Shopify
 * (the worker generates it with its own Admin API access), so no Admin API access is given here —
 * and the webhook effects' module graph stays free of the Shopify app configuration.
 */
export function vipDeps(db: Db): RewardDeps {
  return { db, logger, now: () => new Date(), adminFor: () => Promise.reject(new Error("VIP use-cases never call Shopify: the worker generates entry rewards")) };
}

/** How many of a customer's counted orders one progress read sums at most (bounds what is read). */
const MAX_ORDERS_READ = 10_000;

export async function getVipProgram(db: Db | Tx, shop: string): Promise<VipProgramValues & { lastPeriodKey: string | null }> {
  const row = await db.vipProgram.findUnique({ where: { shop } });
  return { ...vipProgramFromRow(row), lastPeriodKey: row?.lastPeriodKey ?? null };
}

/** The shop's tiers, lowest threshold first. */
export async function listTiers(db: Db | Tx, shop: string): Promise<OrderedTier[]> {
  const rows = await db.vipTier.findMany({ where: { shop }, take: 100 });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return orderTiers(rows.map((r) => ({ id: r.id, name: r.name, threshold: storedThreshold(r.threshold) }))).map((rule) => ({ ...byId.get(rule.id)!, thresholdMilli: rule.threshold }));
}

function tierRules(tiers: OrderedTier[]) {
  return tiers.map((t) => ({ id: t.id, name: t.name, threshold: t.thresholdMilli }));
}

/**
 * Whether any of the shop's tiers has its threshold under review (app/domain/vip thresholdNeedsReview):
 * then no customer is placed by amount or points until it is confirmed — the tiers are one ladder, and a
 * threshold in the old currency (or the other basis) would move people into or out of tiers. The shop's
 * currency is read only when it matters (amount spent).
 */
export async function thresholdsUnderReview(db: Db | Tx, shop: string, basis: VipBasis, tiers: readonly TypedThreshold[]): Promise<boolean> {
  if (tiers.length === 0) return false;
  const currency = basis === "AMOUNT_SPENT" ? await shopCurrencyOf(db, shop) : null;
  return tiers.some((t) => thresholdNeedsReview(t, basis, currency ?? ""));
}

/** Progress of a customer: the best of the period's windows (app/domain/vip progressWindows), in thousandths. */
export async function customerProgress(db: Db | Tx, shop: string, customerId: string, program: VipProgramValues, now: Date): Promise<Milli> {
  let best = 0n;
  for (const w of progressWindows(program.period, now)) {
    let value = 0n;
    if (program.basis === "POINTS_EARNED") {
      // Points earned on the orders earned in the window, net of what refunds and cancels took back
      // from those same orders (taken = -delta + shortfall) whenever that happened: a December order
      // returned in January no longer counts for December's year, and does not eat into January's
      // (as "amount spent" counts a refund on its order's row).
      const earned = await earnedInWindow(db, shop, customerId, w);
      let points = earned.reduce((sum, r) => sum + r.delta, 0);
      const orderGids = earned.map((r) => r.orderGid).filter((g): g is string => g !== null);
      if (orderGids.length > 0) {
        const taken = await db.pointsTransaction.aggregate({
          where: { shop, customerId, reason: { in: ["ORDER_REFUNDED", "ORDER_CANCELED"] }, orderGid: { in: orderGids } },
          _sum: { delta: true, shortfall: true },
        });
        points += (taken._sum.delta ?? 0) - (taken._sum.shortfall ?? 0);
      }
      value = BigInt(Math.max(0, points)) * 1000n;
    } else {
      const range = w.from || w.to ? { ...(w.from ? { gte: w.from } : {}), ...(w.to ? { lt: w.to } : {}) } : undefined;
      // Not an order waiting for Shopify's answer about the shop's currency, nor one Shopify's answer
      // showed to be in another currency than the shop's (decideVipOrdersHeldForCurrency).
      const orders = await db.vipOrder.findMany({
        where: { shop, customerId, canceled: false, currencyHeldAt: null, otherCurrency: false, ...(range ? { orderedAt: range } : {}) },
        select: { amount: true, refunded: true },
        take: MAX_ORDERS_READ,
      });
      for (const o of orders) {
        const net = (parseMilli(o.amount) ?? 0n) - (parseMilli(o.refunded) ?? 0n);
        if (net > 0n) value += net;
      }
    }
    if (value > best) best = value;
  }
  return best;
}

/**
 * The EARNED rows of orders placed in the window: an order is dated by its `created_at` (as Shopify
 * dates it, and as "amount spent" dates it: `VipOrder.orderedAt`), not by when its points were
 * written — an order of 31 December processed on 1 January counts in December on both bases. A row
 * whose order has no `VipOrder` (earned before orders were counted) keeps its own date. The order's
 * `created_at` is never after its delivery (orderFacts), so rows written before the window's start
 * are not read.
 */
async function earnedInWindow(db: Db | Tx, shop: string, customerId: string, w: { from: Date | null; to: Date | null }) {
  const earned = await db.pointsTransaction.findMany({
    where: { shop, customerId, reason: "EARNED", ...(w.from ? { createdAt: { gte: w.from } } : {}) },
    select: { orderGid: true, delta: true, createdAt: true },
    take: MAX_ORDERS_READ,
  });
  if (!w.from && !w.to) return earned;
  const orderGids = earned.map((r) => r.orderGid).filter((g): g is string => g !== null);
  const ordered = orderGids.length === 0 ? [] : await db.vipOrder.findMany({ where: { shop, orderGid: { in: orderGids } }, select: { orderGid: true, orderedAt: true } });
  const orderedAt = new Map(ordered.map((o) => [o.orderGid, o.orderedAt]));
  return earned.filter((r) => {
    const at = (r.orderGid ? orderedAt.get(r.orderGid) : undefined) ?? r.createdAt;
    return (!w.from || at >= w.from) && (!w.to || at < w.to);
  });
}

export interface EvaluateInput {
  shop: string;
  customerId: string;
  now: Date;
  mode: EvaluationMode;
  reason: VipChangeReason;
  orderGid?: string | null;
}

/** `held`: a tier's threshold is under review, so nobody moves until it is confirmed (thresholdsUnderReview). */
export type EvaluateOutcome = { type: "off" } | { type: "held" } | { type: "unchanged" } | { type: "changed"; change: VipTierChange; queued: number };

/**
 * Puts the customer in the tier their progress reaches: up at once, down only in UP_AND_DOWN mode
 * (a period end, a change of the tiers). Writes the change and the customer's tier under the
 * customer's row lock, then queues the entry rewards the change owes.
 */
export async function evaluateCustomerTier(deps: RewardDeps, input: EvaluateInput): Promise<EvaluateOutcome> {
  // Off: no lock taken for nothing (every orders/create comes here). Read again under the lock.
  if (!(await getVipProgram(deps.db, input.shop)).enabled) return { type: "off" };
  return evaluateUnderLock(deps, input);
}

/** evaluateCustomerTier once the caller has seen VIP on (vipTierAfterOrder reads the program once per order). */
async function evaluateUnderLock(deps: RewardDeps, input: EvaluateInput): Promise<EvaluateOutcome> {
  const { db } = deps;
  const change = await db.$transaction(
    async (tx) => {
      await lockCustomer(tx, input.customerId);
      // The program and its tiers are read under the lock: a threshold saved while this evaluation
      // waited starts a re-evaluation that takes this lock after us, and reads what we wrote; read
      // before the lock, a stale threshold could move the customer after that re-evaluation.
      const program = await getVipProgram(tx, input.shop);
      if (!program.enabled) return "off" as const;
      const tiers = await listTiers(tx, input.shop);
      // Under review: nobody moves into or out of a tier by it; the worker places the shop's customers
      // once it is confirmed (releaseHeldPlacements). Their orders keep counting meanwhile.
      if (await thresholdsUnderReview(tx, input.shop, program.basis, tiers)) return "held" as const;
      const rules = tierRules(tiers);
      const key = periodKey(program.period, input.now);
      const customer = await tx.customer.findUniqueOrThrow({ where: { id: input.customerId }, select: { shop: true, vipTierId: true, vipTier: true } });
      if (customer.shop !== input.shop) return null;
      const progress = await customerProgress(tx, input.shop, input.customerId, program, input.now);
      const target = tierIndexFor(rules, progress);
      const current = tiers.findIndex((t) => t.id === customer.vipTierId);
      // A tier the merchant deleted is no tier: it can only be left (downwards when re-evaluated).
      const staleTier = current === -1 && customer.vipTierId !== null;
      let direction = decideChange(current, target, input.mode);
      if (!direction && staleTier && input.mode === "UP_AND_DOWN") direction = "DOWN";
      if (!direction) {
        // Keep the name the filters use in step with a renamed tier.
        const held = current >= 0 ? tiers[current]! : null;
        if (held && held.name !== customer.vipTier) await tx.customer.update({ where: { id: input.customerId }, data: { vipTier: held.name } });
        return null;
      }
      const to = target >= 0 ? tiers[target]! : null;
      const owed = direction === "UP" ? enteredTiers(rules, current, target, program.skippedTierRewards).map((t) => t.id) : [];
      const withReward = owed.filter((id) => tiers.find((t) => t.id === id)?.entryRewardTemplateId);
      // Read under the same lock as the move: a twin evaluation waits, then sees this one's change.
      const owedWithReward = withReward.length === 0 ? [] : entryRewardsStillOwed(program.period, withReward, await earlierEntryRewards(tx, input.shop, input.customerId), input.now);
      await tx.customer.update({
        where: { id: input.customerId },
        data: { vipTierId: to?.id ?? null, vipTier: to?.name ?? null, vipTierSince: to ? input.now : null },
      });
      return tx.vipTierChange.create({
        data: {
          shop: input.shop,
          customerId: input.customerId,
          fromTierId: customer.vipTierId,
          fromTierName: current >= 0 ? tiers[current]!.name : customer.vipTier,
          toTierId: to?.id ?? null,
          toTierName: to?.name ?? null,
          direction,
          reasonCode: input.reason,
          reason: changeReasonText({ reason: input.reason, direction, toTierName: to?.name ?? null, basis: program.basis, period: program.period }),
          periodKey: key,
          orderGid: input.orderGid ?? null,
          rewardTierIds: JSON.stringify(owedWithReward),
          rewardsQueuedAt: owedWithReward.length === 0 ? input.now : null,
          createdAt: input.now,
        },
      });
    },
    { maxWait: 20_000, timeout: 60_000 },
  );
  if (change === "off") return { type: "off" };
  if (change === "held") {
    // Marked after the commit (not under the customer's lock: tier saves lock the program, then customers).
    await db.vipProgram.updateMany({ where: { shop: input.shop, placementHeldAt: null }, data: { placementHeldAt: input.now } });
    return { type: "held" };
  }
  if (!change) return { type: "unchanged" };
  const queued = await queueEntryRewards(deps, change);
  return { type: "changed", change, queued };
}

/** How many of a customer's earlier rewarded moves are read (newest first): a tier is rewarded once per period. */
const MAX_EARLIER_ENTRIES_READ = 500;

/** The entry rewards the customer's earlier moves owed (their change rows, the outbox of entry rewards). */
async function earlierEntryRewards(tx: Tx, shop: string, customerId: string): Promise<EarlierEntryReward[]> {
  const changes = await tx.vipTierChange.findMany({
    where: { shop, customerId, direction: "UP", NOT: { rewardTierIds: "[]" } },
    select: { rewardTierIds: true, createdAt: true },
    orderBy: { createdAt: "desc" },
    take: MAX_EARLIER_ENTRIES_READ,
  });
  return changes.flatMap((c) => tierIds(c.rewardTierIds).map((tierId) => ({ tierId, at: c.createdAt })));
}

function tierIds(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string").slice(0, 100) : [];
  } catch {
    return [];
  }
}

/** Hands a change's owed entry rewards to the asynchronous path (idempotent), then marks it done. */
export async function queueEntryRewards(deps: RewardDeps, change: VipTierChange): Promise<number> {
  if (change.rewardsQueuedAt) return 0;
  let created = 0;
  for (const tierId of tierIds(change.rewardTierIds)) {
    const tier = await deps.db.vipTier.findFirst({ where: { id: tierId, shop: change.shop } });
    if (!tier?.entryRewardTemplateId) continue;
    const result = await issueRewardAsync(deps, {
      shop: change.shop,
      customer: { id: change.customerId },
      templateId: tier.entryRewardTemplateId,
      source: "VIP_TIER_ENTRY",
      idempotencyKey: entryRewardKey(change.customerId, tier.id, change.periodKey),
      reason: `Entered the VIP tier ${tier.name}`,
    });
    if (!result.ok) deps.logger.warn({ shop: change.shop, tierId: tier.id, code: result.error.code }, "VIP entry reward not issued");
    else if (result.created) created++;
  }
  await deps.db.vipTierChange.updateMany({ where: { id: change.id, rewardsQueuedAt: null }, data: { rewardsQueuedAt: deps.now() } });
  return created;
}

/** Finishes changes whose entry rewards were not queued yet (a crash between the two steps). */
export async function queueOwedEntryRewards(deps: RewardDeps, limit = 100): Promise<number> {
  const owed = await deps.db.vipTierChange.findMany({ where: { rewardsQueuedAt: null }, orderBy: { createdAt: "asc" }, take: limit });
  let created = 0;
  for (const change of owed) created += await queueEntryRewards(deps, change);
  return created;
}

// ---- orders ------------------------------------------------------------------------------------------


/** `currency_held`: recorded, but in another shop currency than the stored one — not counted until Shopify says which the shop sells in. */
export type VipOrderOutcome = "unreadable" | "no_customer" | "canceled" | "money_returned" | "counted" | "currency_held" | "changed";

/**
 * The order's row, once per (shop, order): every orders/create writes one, so it goes straight to
 * the driver (app/direct-sql.server.ts, docs/decisions/016) — one INSERT that skips an order already
 * counted, instead of Prisma's create and its unique-violation error. The other columns take the
 * schema's defaults (nothing refunded); the id is a random UUID (the schema's cuid() is made by
 * Prisma's client). Tested to read back through Prisma as Prisma's own create.
 * Canceled already when the order's orders/cancelled was applied first (deliveries are not
 * ordered, docs/decisions/007): that delivery left the ledger's cancel marker
 * (`sourceKeys.orderCanceled`, written by the points effect whether or not the program is on) but
 * found no row to mark here. Read in the same statement, so a cancel applied at the same moment is
 * seen either here or by vipOrderCanceled's update.
 */
export async function recordVipOrder(
  db: Db,
  row: {
    shop: string;
    customerId: string;
    orderGid: string;
    amount: string;
    orderedAt: Date;
    taxesIncluded?: boolean | null;
    /** An order in another shop currency than the stored one: written waiting for Shopify's answer (its currency, its arrival). */
    heldForCurrency?: { currency: string; since: Date } | null;
  },
): Promise<boolean> {
  // A boolean is no driver argument here (SqlValue): written as the SQL literal both databases read.
  const taxesIncluded = row.taxesIncluded === true ? "TRUE" : row.taxesIncluded === false ? "FALSE" : "NULL";
  // The held columns only for an order held for its currency: the statement of every other order is unchanged.
  const held = row.heldForCurrency ?? null;
  const written = await directSql(db).query(
    `INSERT INTO "VipOrder" ("id", "shop", "customerId", "orderGid", "amount", "orderedAt", "taxesIncluded", ${held ? `"orderCurrency", "currencyHeldAt", ` : ""}"canceled") ` +
      `VALUES (?, ?, ?, ?, ?, ?, ${taxesIncluded}, ${held ? "?, ?, " : ""}EXISTS (SELECT 1 FROM "PointsTransaction" WHERE "shop" = ? AND "sourceKey" = ?)) ` +
      `ON CONFLICT ("shop", "orderGid") DO NOTHING RETURNING "id"`,
    [randomUUID(), row.shop, row.customerId, row.orderGid, row.amount, row.orderedAt, ...(held ? [held.currency, held.since] : []), row.shop, sourceKeys.orderCanceled(row.orderGid)],
  );
  return written.length === 1;
}

/**
 * orders/create: counts the order of a known customer towards "amount spent" (whether or not the
 * points program or VIP is on), then moves the customer up if the order took them into a tier. The
 * inbox does the two halves as separate effects (ORDER_CREATED_EFFECTS): `countVipOrder`, then the
 * refunds the order carries or that were kept for it, then `vipTierAfterOrder`.
 */
export async function vipOrderCreated(deps: RewardDeps, order: { shop: string; payload: unknown; receivedAt: Date }): Promise<VipOrderOutcome> {
  const counted = await countVipOrder(deps, order);
  if (counted !== "counted") return counted;
  return (await vipTierAfterOrder(deps, order)) === "changed" ? "changed" : "counted";
}

/** orders/create, first half: the order's `VipOrder` row (once per order), no tier decided yet. */
export async function countVipOrder(deps: RewardDeps, order: { shop: string; payload: unknown; receivedAt: Date }): Promise<Exclude<VipOrderOutcome, "changed">> {
  // created_at never later than the delivery's arrival (orderFacts): the order counts in a period that comes.
  const facts = orderFacts(order.payload, order.receivedAt);
  if (!facts.orderGid) return "unreadable";
  if (!facts.customerGid) return "no_customer";
  if (facts.cancelled) return "canceled";
  // Refunded or voided already (financial_status): nothing of it was spent, and no refund will say so.
  if (facts.moneyReturned) return "money_returned";
  // Amount spent: the subtotal (after discounts) without taxes or shipping, in shop currency
  // (`subtotal_price_set.shop_money`, https://shopify.dev/docs/api/admin-rest/latest/resources/order).
  const amount = orderEarningAmount(order.payload, { includeShipping: false, includeTaxes: false });
  if (amount === null) return "unreadable";
  // An order in another shop currency than the stored one (a shop/update announcing a change is late
  // or lost, or an odd order): its amount is not in the currency the thresholds are measured in. It is
  // recorded waiting for Shopify's answer — counted by nobody, moving nobody — and decided by it
  // (decideVipOrdersHeldForCurrency), by the rule the points earned on it follow (docs/decisions/019
  // and 022, addenda of 3 December 2026). The stored currency is the batch's one read
  // (app/services/webhooks/batch-reads.server.ts), as for points and the referral minimum.
  const otherCurrency = await orderInOtherCurrency(deps.db, order.shop, orderCurrencyOf(order.payload) ?? null);
  const customer = await ensureCustomer(deps.db, { shop: order.shop, customerGid: facts.customerGid, ...customerDisplay(field(order.payload, "customer")), now: order.receivedAt });
  // Its prices' taxes_included is kept with it: its refunds are read in the same terms (vipRefundCreated).
  await recordVipOrder(deps.db, {
    shop: order.shop,
    customerId: customer.id,
    orderGid: facts.orderGid,
    amount: formatMilli(amount),
    orderedAt: facts.createdAt ?? order.receivedAt,
    taxesIncluded: orderTaxesIncluded(order.payload),
    heldForCurrency: otherCurrency ? { currency: otherCurrency.orderCurrency, since: order.receivedAt } : null,
  });
  if (!otherCurrency) return "counted";
  // Asked after the row is written (and again on a redelivery): any reading that answers the question
  // is dated after it, so the held-orders task it marks due finds the row (answerCurrencyCheck).
  await askShopCurrency(deps.db, order.shop, deps.now());
  return "currency_held";
}

/**
 * orders/create, second half: moves the customer of a counted order up if their progress reaches a
 * tier — run after the refunds known when the order arrived (carried by its body, or kept for it)
 * are counted, so a tier and its entry reward are never given on money already returned. Before,
 * an order imported with most of it refunded moved its customer up on its whole subtotal.
 */
export async function vipTierAfterOrder(deps: RewardDeps, order: { shop: string; payload: unknown; receivedAt: Date }): Promise<"not_counted" | "counted" | "changed"> {
  const facts = orderFacts(order.payload, order.receivedAt);
  // A guest order has no row: no read for it.
  if (!facts.orderGid || !facts.customerGid) return "not_counted";
  // Off (most shops): no read of the order's row for nothing — evaluateCustomerTier would answer "off"
  // after it (every orders/create comes here; bench/inbox-apply.ts).
  if (!(await getVipProgram(deps.db, order.shop)).enabled) return "counted";
  const row = await deps.db.vipOrder.findUnique({ where: { shop_orderGid: { shop: order.shop, orderGid: facts.orderGid } }, select: { customerId: true, currencyHeldAt: true, otherCurrency: true } });
  // Not counted (yet): its currency waits for Shopify's answer, or was another one than the shop's.
  if (!row || row.currencyHeldAt !== null || row.otherCurrency) return "not_counted";
  // The program was read just above: the evaluation reads it once more, under the customer's lock only.
  const outcome = await evaluateUnderLock(deps, { shop: order.shop, customerId: row.customerId, now: deps.now(), mode: "UP_ONLY", reason: "THRESHOLD_REACHED", orderGid: facts.orderGid });
  return outcome.type === "changed" ? "changed" : "counted";
}

/** At most this many orders held for their currency are decided per pass (decideVipOrdersHeldForCurrency). */
export const CURRENCY_HELD_VIP_ORDERS_PER_PASS = 200;

/**
 * Orders recorded while their shop currency was not the stored one (countVipOrder: `currencyHeldAt`)
 * decided once Shopify has said which currency the shop sells in — the decision points make of the
 * same order (heldOrderCurrencyDecision, app/services/lifecycle/amount-currency.server.ts):
 *   - the shop sells in the order's currency now: the order counts, as an order in the shop's currency,
 *     and its customer is evaluated (UP_ONLY) — held while the thresholds typed in the old currency are
 *     under review (evaluateCustomerTier: placementHeldAt, then releaseHeldPlacements once confirmed);
 *   - Shopify read the shop's currency at or after the order came and it is still another one (an odd
 *     order): it never counts (`otherCurrency`), which the customer's VIP card shows (customerVip);
 *   - not answered yet: left held.
 * Run by the worker's "held orders" task for the shops a reading marked due (answerCurrencyCheck,
 * storeShopCurrency: app/services/lifecycle/scopes.server.ts). Each row is decided once (a
 * compare-and-set on `currencyHeldAt`), so passes in several processes may overlap. Returns how many
 * were looked at (a full batch: more may be left).
 */
export async function decideVipOrdersHeldForCurrency(deps: RewardDeps, only: { shop: string }): Promise<number> {
  const { db } = deps;
  const { shop } = only;
  const reading = await shopCurrencyReading(db, shop);
  const held = await db.vipOrder.findMany({
    where: { shop, currencyHeldAt: { not: null }, OR: [{ orderCurrency: reading.currency }, ...(reading.readAt ? [{ currencyHeldAt: { lte: reading.readAt } }] : [])] },
    select: { id: true, customerId: true, orderGid: true, orderCurrency: true, currencyHeldAt: true },
    orderBy: { currencyHeldAt: "asc" },
    take: CURRENCY_HELD_VIP_ORDERS_PER_PASS,
  });
  for (const h of held) {
    const decision = heldOrderCurrencyDecision(h.orderCurrency ?? reading.currency, h.currencyHeldAt!, reading);
    if (decision === "waiting") continue;
    const decided = await db.vipOrder.updateMany({ where: { id: h.id, currencyHeldAt: { not: null } }, data: { currencyHeldAt: null, otherCurrency: decision === "in_other_currency" } });
    // Counted now: the customer may reach a tier by it (or is held with everyone while thresholds are under review).
    if (decided.count === 1 && decision === "in_shop_currency") {
      await evaluateCustomerTier(deps, { shop, customerId: h.customerId, now: deps.now(), mode: "UP_ONLY", reason: "THRESHOLD_REACHED", orderGid: h.orderGid });
    }
  }
  return held.length;
}

/**
 * The refund ids a counted order has recorded — all of them: a refund missing from this list is
 * counted again when it is delivered again. The list only grows with refunds that changed what the
 * order counts (see vipRefundCreated), so its length is bounded by the order's own amount.
 */
function recordedRefundIds(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

/**
 * refunds/create (payload: https://shopify.dev/docs/api/admin-rest/latest/resources/refund): the
 * refunded line amounts after discounts stop counting (once per refund). Downgrades wait for the
 * period end, so nothing else moves now. A refund of an order not counted (yet) changes nothing.
 * A refund that changes nothing the order counts — no line amount, or an order already refunded in
 * full (progress counts `amount − refunded` only while positive) — is not recorded: whatever its
 * repeats, it can change nothing either.
 */
export async function vipRefundCreated(db: Db, input: { shop: string; refund: RefundFacts | null }): Promise<"unreadable" | "not_counted" | "duplicate" | "counted"> {
  const refund = input.refund;
  if (!refund) return "unreadable";
  // Optimistic: a concurrent refund of the same order (or the same refund applied by the order's
  // worker: applyKeptRefunds) changes refundIds first → read again; a few rounds, then the inbox retries.
  for (let round = 0; round < 5; round++) {
    const row = await db.vipOrder.findUnique({ where: { shop_orderGid: { shop: input.shop, orderGid: refund.orderGid } } });
    if (!row) return "not_counted";
    const seen = recordedRefundIds(row.refundIds);
    if (seen.includes(refund.refundId)) return "duplicate";
    const before = parseMilli(row.refunded) ?? 0n;
    // In the terms of the row's amount (the subtotal without taxes): each refunded line's own tax taken
    // out when the order's prices include it (refundedEarningAmount, as points read a refund). A row
    // counted before taxes_included was kept reads the lines as they are (its old behaviour).
    const amount = refundedEarningAmount(refund, { includeShipping: false, includeTaxes: false, taxesIncluded: row.taxesIncluded ?? false });
    if (amount <= 0n || before >= (parseMilli(row.amount) ?? 0n)) return "counted";
    const updated = await db.vipOrder.updateMany({
      where: { id: row.id, refundIds: row.refundIds },
      data: { refunded: formatMilli(before + amount), refundIds: JSON.stringify([...seen, refund.refundId]) },
    });
    if (updated.count === 1) return "counted";
  }
  throw new Error("the counted order kept changing while recording its refund: retry");
}

/** orders/cancelled: the order stops counting. */
export async function vipOrderCanceled(db: Db, input: { shop: string; payload: unknown }): Promise<"unreadable" | "counted"> {
  const facts = orderFacts(input.payload);
  if (!facts.orderGid) return "unreadable";
  await db.vipOrder.updateMany({ where: { shop: input.shop, orderGid: facts.orderGid }, data: { canceled: true } });
  return "counted";
}

/** The multiplier of the tier a customer holds now (inside the earning transaction); null when none applies. */
export async function vipMultiplierInTx(tx: Tx, shop: string, customerId: string): Promise<{ tierName: string; multiplier: string } | null> {
  const program = await tx.vipProgram.findUnique({ where: { shop }, select: { enabled: true } });
  if (!program?.enabled) return null;
  const customer = await tx.customer.findUnique({ where: { id: customerId }, select: { vipTierId: true } });
  if (!customer?.vipTierId) return null;
  const tier = await tx.vipTier.findFirst({ where: { id: customer.vipTierId, shop }, select: { name: true, pointsMultiplier: true } });
  if (!tier || applyMultiplier(1000, tier.pointsMultiplier) === 1000) return null;
  return { tierName: tier.name, multiplier: tier.pointsMultiplier };
}
