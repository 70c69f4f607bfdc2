// A completed order carrying a reward's code makes the reward Used — the only thing that does.
// Idempotent per (reward, order): the event's dedupe key is the order, so duplicates, retries and
// concurrent copies of one delivery change the reward once and write one event.
//
// Concurrency: several orders carrying one code can be applied at the same moment (the inbox applies
// deliveries in parallel; PostgreSQL runs them truly concurrently). Each reward is decided on what
// it IS when the write lands: an order that loses the race to mark it Used re-reads it and records
// its "code seen again" note, so both databases end with 1 Used + one note per other order.
//
// A cancel does not hide a real use (docs/decisions/014): an order created BEFORE the reward was
// canceled makes it Used, and points refunded by that cancel are taken back (recorded).
import type { Prisma } from "@prisma/client";
import { directSql, type Db } from "~/db.server";
import { storedTime } from "~/direct-sql.server";
import { couldBeAppCode, usageOutcome, type RewardKind, type RewardStatus } from "~/domain/rewards";
import { logger } from "~/logger.server";
import { sourceKeys } from "~/domain/points";
import { debitPointsInTx } from "~/services/points/ledger.server";
import { recordEventOnce, transitionReward } from "../rewards/events.server";
import type { OrderContext } from "./order-created.server";

function describeOrder(order: OrderContext): string {
  const tags = [order.facts.test ? "test order" : null, order.facts.sourceName && order.facts.sourceName !== "web" ? `source ${order.facts.sourceName}` : null]
    .filter(Boolean)
    .join(", ");
  return `order ${order.facts.orderName ?? order.facts.orderGid ?? "(unnamed)"}${tags ? ` (${tags})` : ""}`;
}

const REWARD_FIELDS = { id: true, shop: true, status: true, kind: true, customerId: true, customerGid: true, usedOrderGid: true, canceledAt: true } as const;
type MatchedReward = Prisma.RewardGetPayload<{ select: typeof REWARD_FIELDS }>;

/**
 * Takes back the points a cancel refunded, once per reward (the reversal's ledger key is the reward).
 * If the customer spent them since, the balance stops at zero and the ledger records the shortfall
 * (shown to the merchant) — app/services/points/ledger.server.ts.
 */
async function reverseCancelRefund(tx: Prisma.TransactionClient, reward: MatchedReward, orderLabel: string, now: Date): Promise<void> {
  const refunds = await tx.pointsTransaction.findMany({ where: { shop: reward.shop, rewardId: reward.id, reason: { in: ["REDEMPTION_REFUND", "REFUND_REVERSED"] } } });
  const refunded = refunds.filter((t) => t.reason === "REDEMPTION_REFUND").reduce((sum, t) => sum + t.delta, 0);
  const reversed = refunds.filter((t) => t.reason === "REFUND_REVERSED").reduce((sum, t) => sum - t.delta + t.shortfall, 0);
  const owed = refunded - reversed;
  if (owed <= 0) return;
  const customer = await tx.customer.findUniqueOrThrow({ where: { id: reward.customerId }, select: { pointsBalance: true } });
  const missing = Math.max(0, owed - customer.pointsBalance);
  await debitPointsInTx(tx, {
    shop: reward.shop,
    customerId: reward.customerId,
    points: owed,
    mode: "clamp",
    reason: "REFUND_REVERSED",
    actor: "WEBHOOK",
    rewardId: reward.id,
    sourceKey: sourceKeys.redemptionRefundReversed(reward.id),
    note: `the reward's code was used on ${orderLabel}, placed before the reward was canceled${missing > 0 ? `; ${missing} points were already spent (shortfall)` : ""}`,
    now,
  });
}

async function applyOrderToReward(db: Db, order: OrderContext, first: MatchedReward, orderKey: string): Promise<void> {
  const rewardId = first.id;
  const mismatch = (reward: MatchedReward) =>
    order.facts.customerGid && order.facts.customerGid !== reward.customerGid
      ? `; the order's customer (${order.facts.customerGid}) is not the reward's customer`
      : !order.facts.customerGid
        ? "; guest checkout (no customer on the order)"
        : "";
  // Re-read and decide again when the reward changed under us (another order, the worker, a cancel).
  for (let round = 0; round < 5; round++) {
    const reward = round === 0 ? first : await db.reward.findUnique({ where: { id: rewardId }, select: REWARD_FIELDS });
    if (!reward) return;
    const outcome = usageOutcome(reward.status as RewardStatus, reward.kind as RewardKind, { orderCreatedAt: order.facts.createdAt, canceledAt: reward.canceledAt });
    switch (outcome.type) {
      case "mark_used":
      case "used_before_cancel": {
        const beforeCancel = outcome.type === "used_before_cancel";
        const result = await transitionReward(db, logger, {
          reward,
          to: "USED",
          trigger: beforeCancel ? "ORDER_BEFORE_CANCEL" : "ORDER_COMPLETED",
          actor: "WEBHOOK",
          reason: beforeCancel
            ? `used on ${describeOrder(order)}, placed before the reward was canceled: the code was used${mismatch(reward)}`
            : `used on ${describeOrder(order)}${mismatch(reward)}`,
          dedupeKey: orderKey,
          data: {
            usedAt: order.receivedAt,
            usedOrderGid: order.facts.orderGid,
            usedOrderName: order.facts.orderName,
            // A Pending reward proven by an order: the worker must not generate it again.
            ...(beforeCancel ? {} : { nextAttemptAt: null }),
          },
          ...(beforeCancel ? { also: (tx: Prisma.TransactionClient) => reverseCancelRefund(tx, reward, describeOrder(order), order.receivedAt) } : {}),
        });
        logger.info({ rewardId: reward.id, result: result.type, order: order.facts.orderGid }, "order carried a reward code");
        // Lost the race (another order or a status change got there first): decide again.
        if (result.type === "conflict") continue;
        return;
      }
      case "record_event":
        // Canceled/Failed stay as they are (a merchant's decision is not silently overturned), but
        // the merchant must know the code was used anyway.
        await recordEventOnce(db, {
          rewardId: reward.id,
          shop: reward.shop,
          type: outcome.eventType,
          fromStatus: reward.status as RewardStatus,
          toStatus: reward.status as RewardStatus,
          actor: "WEBHOOK",
          reason: `code used on ${describeOrder(order)} although the reward is ${reward.status.toLowerCase()}${mismatch(reward)}`,
          dedupeKey: orderKey,
        });
        return;
      case "noop":
        if (reward.usedOrderGid && order.facts.orderGid && reward.usedOrderGid !== order.facts.orderGid) {
          await recordEventOnce(db, {
            rewardId: reward.id,
            shop: reward.shop,
            type: "NOTE",
            actor: "WEBHOOK",
            reason: `code seen again on ${describeOrder(order)} (already used on another order)`,
            dedupeKey: orderKey,
          });
        }
        return;
      case "ignore":
        return;
    }
  }
  logger.warn({ rewardId, order: order.facts.orderGid }, "reward kept changing while an order was applied; the delivery is retried");
  throw new Error(`reward ${rewardId} kept changing while order ${order.facts.orderGid ?? "?"} was applied`);
}

export async function markRewardsUsed(db: Db, order: OrderContext): Promise<void> {
  // Codes that cannot be ours (a merchant's own "SUMMER10") are not even looked up; codes we did not
  // issue that pass this check simply match nothing.
  const candidates = order.codeKeys.filter(couldBeAppCode);
  if (candidates.length === 0) return;
  // Half of all orders carry a code: the lookup (by the unique key) goes straight to the driver
  // (app/direct-sql.server.ts, docs/decisions/016).
  const found = await directSql(db).query<Record<keyof MatchedReward, unknown>>(
    `SELECT ${Object.keys(REWARD_FIELDS).map((f) => `"${f}"`).join(", ")} FROM "Reward" WHERE "shop" = ? AND "codeKey" IN (${candidates.map(() => "?").join(", ")})`,
    [order.shop, ...candidates],
  );
  const rewards: MatchedReward[] = found.map((r) => ({
    id: String(r.id),
    shop: String(r.shop),
    status: String(r.status),
    kind: String(r.kind),
    customerId: String(r.customerId),
    customerGid: String(r.customerGid),
    usedOrderGid: r.usedOrderGid === null ? null : String(r.usedOrderGid),
    canceledAt: storedTime(r.canceledAt),
  }));
  const orderKey = `order:${order.facts.orderGid ?? order.facts.orderName ?? "unknown"}`;
  for (const reward of rewards) await applyOrderToReward(db, order, reward, orderKey);
}
