// A completed order carrying a reward's code makes the reward Used — the only thing that does.
// Idempotent per (reward, order): the event's dedupe key is the order, so duplicates, retries and
// concurrent copies of one delivery change the reward once and write one event.
import type { Db } from "~/db.server";
import { usageOutcome, type RewardKind, type RewardStatus } from "~/domain/rewards";
import { logger } from "~/logger.server";
import { recordEventOnce, transitionRewardById } from "../rewards/events.server";
import type { OrderContext } from "./order-created.server";

function describeOrder(order: OrderContext): string {
  const tags = [order.facts.test ? "test order" : null, order.facts.sourceName && order.facts.sourceName !== "web" ? `source ${order.facts.sourceName}` : null]
    .filter(Boolean)
    .join(", ");
  return `order ${order.facts.orderName ?? order.facts.orderGid ?? "(unnamed)"}${tags ? ` (${tags})` : ""}`;
}

export async function markRewardsUsed(db: Db, order: OrderContext): Promise<void> {
  if (order.codeKeys.length === 0) return;
  // Codes we did not issue simply match nothing.
  const rewards = await db.reward.findMany({
    where: { shop: order.shop, codeKey: { in: order.codeKeys } },
    select: { id: true, shop: true, status: true, kind: true, customerGid: true, usedOrderGid: true },
  });
  const orderKey = `order:${order.facts.orderGid ?? order.facts.orderName ?? "unknown"}`;
  for (const reward of rewards) {
    const outcome = usageOutcome(reward.status as RewardStatus, reward.kind as RewardKind);
    const mismatch =
      order.facts.customerGid && order.facts.customerGid !== reward.customerGid
        ? `; the order's customer (${order.facts.customerGid}) is not the reward's customer`
        : !order.facts.customerGid
          ? "; guest checkout (no customer on the order)"
          : "";
    switch (outcome.type) {
      case "mark_used": {
        const result = await transitionRewardById(db, logger, {
          rewardId: reward.id,
          to: "USED",
          trigger: "ORDER_COMPLETED",
          actor: "WEBHOOK",
          reason: `used on ${describeOrder(order)}${mismatch}`,
          dedupeKey: orderKey,
          data: {
            usedAt: order.receivedAt,
            usedOrderGid: order.facts.orderGid,
            usedOrderName: order.facts.orderName,
            // A Pending reward proven by an order: the worker must not generate it again.
            nextAttemptAt: null,
          },
        });
        logger.info({ rewardId: reward.id, result: result.type, order: order.facts.orderGid }, "order carried a reward code");
        break;
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
          reason: `code used on ${describeOrder(order)} although the reward is ${reward.status.toLowerCase()}${mismatch}`,
          dedupeKey: orderKey,
        });
        break;
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
        break;
      case "ignore":
        break;
    }
  }
}
