// The referral program's webhook effects and periodic task, wired in
// app/services/orders/order-created.server.ts (orders/create), app/services/webhooks/effects.server.ts
// (refunds/create, orders/cancelled) and app/jobs/tasks.server.ts. Each is idempotent.
import type { Db } from "~/db.server";
import { orderFacts } from "~/domain/rewards";
import type { RefundFacts } from "~/domain/points";
import type { RewardDeps } from "~/services/rewards/deps.server";
import type { OrderContext } from "~/services/orders/order-created.server";
import { effectDeps } from "~/services/webhooks/effect-deps.server";
import { decideHeldReferralOrders, issueDueReferrerRewards, qualifyReferralFromOrder, rejectForOrderReversal } from "./referrals.server";

/** orders/create: the friend's sign-up from a guest order's cart attributes, and the qualifying order. */
export async function referralOrderEffect(db: Db, order: OrderContext): Promise<void> {
  await qualifyReferralFromOrder(await effectDeps(db), order);
}

/** refunds/create: a refund of a qualifying order within the hold rejects the referral. */
export async function referralRefundEffect(db: Db, input: { shop: string; refund: RefundFacts | null }): Promise<void> {
  if (!input.refund) return;
  await rejectForOrderReversal(await effectDeps(db), { shop: input.shop, orderGid: input.refund.orderGid, reason: "order_refunded", now: new Date() });
}

/** orders/cancelled: a canceled qualifying order rejects the referral. */
export async function referralCancelEffect(db: Db, input: { shop: string; payload: unknown }): Promise<void> {
  const { orderGid } = orderFacts(input.payload);
  if (!orderGid) return;
  await rejectForOrderReversal(await effectDeps(db), { shop: input.shop, orderGid, reason: "order_canceled", now: new Date() });
}

/** The worker's periodic pass: friends' orders held for the minimum's review (once confirmed), then referrer rewards whose hold has ended. */
export async function runReferralTasks(deps: RewardDeps): Promise<{ heldDecided: number; rewarded: number; failed: number }> {
  const heldDecided = await decideHeldReferralOrders(deps);
  return { heldDecided, ...(await issueDueReferrerRewards(deps)) };
}
