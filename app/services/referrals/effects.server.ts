// The referral program's webhook effects and periodic task, wired in
// app/services/orders/order-created.server.ts (orders/create), app/services/webhooks/effects.server.ts
// (refunds/create, orders/cancelled) and app/jobs/tasks.server.ts. Each is idempotent.
import type { Db } from "~/db.server";
import { orderFacts } from "~/domain/rewards";
import type { RefundFacts } from "~/domain/points";
import type { RewardDeps, defaultRewardDeps as defaultRewardDepsType } from "~/services/rewards/deps.server";
import type { OrderContext } from "~/services/orders/order-created.server";
import { issueDueReferrerRewards, qualifyReferralFromOrder, rejectForOrderReversal } from "./referrals.server";

/**
 * The app's reward dependencies, imported when first needed: deps.server imports shopify.server,
 * which (through the lifecycle and webhook modules) imports this module — a static import would
 * make an import cycle that changes the order the server's modules start in.
 */
let depsModule: Promise<{ defaultRewardDeps: typeof defaultRewardDepsType }> | undefined;
async function rewardDeps(db: Db): Promise<RewardDeps> {
  // Imported once: every orders/create runs this, and a dynamic import() goes through the module
  // loader (and any loader hooks) on each call even when the module is already loaded.
  depsModule ??= import("~/services/rewards/deps.server").catch((error: unknown) => {
    depsModule = undefined;
    throw error;
  });
  const { defaultRewardDeps } = await depsModule;
  return defaultRewardDeps({ db });
}

/** orders/create: the friend's sign-up from a guest order's cart attributes, and the qualifying order. */
export async function referralOrderEffect(db: Db, order: OrderContext): Promise<void> {
  await qualifyReferralFromOrder(await rewardDeps(db), order);
}

/** refunds/create: a refund of a qualifying order within the hold rejects the referral. */
export async function referralRefundEffect(db: Db, input: { shop: string; refund: RefundFacts | null }): Promise<void> {
  if (!input.refund) return;
  await rejectForOrderReversal(await rewardDeps(db), { shop: input.shop, orderGid: input.refund.orderGid, reason: "order_refunded", now: new Date() });
}

/** orders/cancelled: a canceled qualifying order rejects the referral. */
export async function referralCancelEffect(db: Db, input: { shop: string; payload: unknown }): Promise<void> {
  const { orderGid } = orderFacts(input.payload);
  if (!orderGid) return;
  await rejectForOrderReversal(await rewardDeps(db), { shop: input.shop, orderGid, reason: "order_canceled", now: new Date() });
}

/** The worker's periodic pass: referrer rewards whose hold has ended. */
export async function runReferralTasks(deps: RewardDeps): Promise<{ rewarded: number; failed: number }> {
  return issueDueReferrerRewards(deps);
}
