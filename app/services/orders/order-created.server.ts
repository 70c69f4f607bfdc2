// orders/create: the payload is parsed once into an OrderContext, then every effect registered here
// runs on it. Marking rewards Used is the first; points earned on orders and referral completion
// (the points-program issue) plug in as further effects without a second parse.
import type { Db } from "~/db.server";
import { extractOrderCodes, orderFacts, type OrderFacts } from "~/domain/rewards";
import { earnPointsForOrder } from "~/services/points/order-points.server";
import { referralOrderEffect } from "~/services/referrals/effects.server";
import { countVipOrder, vipDeps, vipTierAfterOrder } from "~/services/vip/tiers.server";
import { forgetGiftCardBalancesAfterOrder } from "~/services/rewards/gift-card-balances.server";
import { markRewardsUsed } from "./mark-used.server";
import { applyRefundsCarriedByOrder, applyRefundsKeptForOrder } from "~/services/points/waiting-refunds.server";
import { carriedRefundsOfDelivery } from "~/domain/points";
import { logger } from "~/logger.server";

export interface OrderContext {
  shop: string;
  /** The whole payload, as Shopify sent it. */
  payload: unknown;
  facts: OrderFacts;
  /** Discount codes on the order, case-insensitive keys, unique. */
  codeKeys: string[];
  receivedAt: Date;
  /** The body exactly as received, for ids JSON.parse rounds (carriedRefundsOfDelivery). */
  rawPayload?: string;
}

export type OrderEffect = (db: Db, order: OrderContext) => Promise<void>;

/**
 * The effects of a completed order, in order: rewards Used, then the points the order earns (at the
 * multiplier of the VIP tier held when the order arrives), then the order's VIP row, referrals,
 * the refunds already known for the order, and last the VIP tier the order may reach
 * (docs/decisions/022, 023).
 */
export const ORDER_CREATED_EFFECTS: OrderEffect[] = [
  markRewardsUsed,
  async (db, order) => void (await earnPointsForOrder(db, order)),
  // The order's VIP row now; the tier it may reach is decided last, after the refunds below count.
  async (db, order) => void (await countVipOrder(vipDeps(db), order)),
  referralOrderEffect,
  // Refunds the body already carries (`refunds`: an order imported partially refunded, for which no
  // refunds/create may ever come) count now, as their refunds/create would, once per refund GID —
  // after the points, the VIP row and the referral, which they take back (docs/decisions/019).
  async (db, order) => void (await applyRefundsCarriedByOrder(db, { shop: order.shop, refunds: carriedRefundsOfDelivery(order).refunds, receivedAt: order.receivedAt, logger })),
  // Refunds applied before the order (kept for it: waiting-refunds.server.ts) count now, once — after
  // the points, the VIP row and the referral this order may qualify, which they take back.
  async (db, order) => void (order.facts.orderGid && (await applyRefundsKeptForOrder(db, { shop: order.shop, orderGid: order.facts.orderGid, receivedAt: order.receivedAt, logger }))),
  // Moves the customer up if the order, net of those refunds, takes them into a tier (decision 022).
  async (db, order) => void (await vipTierAfterOrder(vipDeps(db), order)),
  // A gift card that paid part of the order has a new balance in Shopify: ask again on the next view.
  async (db, order) => void (await forgetGiftCardBalancesAfterOrder(db, { shop: order.shop, payload: order.payload, customerGid: order.facts.customerGid })),
];

export function orderContext(shop: string, payload: unknown, receivedAt: Date, rawPayload?: string): OrderContext {
  return { shop, payload, facts: orderFacts(payload, receivedAt), codeKeys: extractOrderCodes(payload), receivedAt, ...(rawPayload === undefined ? {} : { rawPayload }) };
}

export async function handleOrderCreated(db: Db, order: OrderContext, effects: OrderEffect[] = ORDER_CREATED_EFFECTS): Promise<void> {
  for (const effect of effects) await effect(db, order);
}
