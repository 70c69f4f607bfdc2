// Orders held while the shop's amounts were under review (docs/decisions/015, "earning and the referral
// minimum wait for the confirm", and its addenda of 3 December 2026), decided promptly once the
// review ends: the confirm (confirmAmountCurrency), a Program save or a Referrals save marks the shop
// (`Shop.heldOrdersDueAt`, markHeldOrdersDue, in the transaction that ends the review), and so does the
// shop's currency moving (storeShopCurrency, scopes.server.ts: back to the amounts' currency ends a
// review without the merchant; decision 015's addendum "a review ended without the merchant"); each
// wakes this process's worker (app/worker-wake.server.ts, as a recorded webhook delivery does).
// The worker's "held orders" task (app/jobs/tasks.server.ts) runs on every round and every wake-up,
// so the decision follows the confirm at once here and within a poll interval in any other worker
// process; the mark is cleared only once nothing more can be decided, so a crash midway leaves it
// for the next round. The orders themselves are decided by the use-cases that already make each
// decision once — an order's `order:<gid>:earned` ledger key, a referral's compare-and-set on its
// state — so this task, the periodic passes and other processes may run at the same time.
import type { RewardDeps } from "~/services/rewards/deps.server";
import { HELD_EARNINGS_PER_PASS, releaseHeldEarnings } from "~/services/points/order-points.server";
import { decideHeldReferralOrders, HELD_ORDERS_PER_PASS } from "~/services/referrals/referrals.server";
import { CURRENCY_HELD_VIP_ORDERS_PER_PASS, decideVipOrdersHeldForCurrency } from "~/services/vip/tiers.server";

/** Shops looked at per round. */
const SHOPS_PER_ROUND = 20;

export interface DueHeldOrders {
  /** Shops whose mark was cleared (everything decidable decided). */
  shops: number;
  /** Held orders that earned (or were decided: canceled meanwhile). */
  earned: number;
  /** Friends' orders kept for the referral minimum, decided. */
  referralOrders: number;
  /** Orders VIP amount spent held for their currency, looked at (decideVipOrdersHeldForCurrency). */
  vipOrders: number;
}

/**
 * The shops marked due: their held orders are decided (the earning rule's and the referral minimum's,
 * each only if confirmed and its program on), a batch per round; the mark is cleared when a batch was
 * not full, with a compare-and-set on the mark read, so a review ended again meanwhile is not lost.
 */
export async function decideDueHeldOrders(deps: RewardDeps): Promise<DueHeldOrders> {
  const { db } = deps;
  const due = await db.shop.findMany({ where: { heldOrdersDueAt: { not: null } }, orderBy: { heldOrdersDueAt: "asc" }, take: SHOPS_PER_ROUND, select: { domain: true, heldOrdersDueAt: true } });
  const done: DueHeldOrders = { shops: 0, earned: 0, referralOrders: 0, vipOrders: 0 };
  for (const { domain: shop, heldOrdersDueAt } of due) {
    const earned = await releaseHeldEarnings(db, { shop });
    const referralOrders = await decideHeldReferralOrders(deps, { shop });
    // VIP amount spent's orders held for their currency (a reading of the shop's currency marks the shop due).
    const vipOrders = await decideVipOrdersHeldForCurrency(deps, { shop });
    done.earned += earned;
    done.referralOrders += referralOrders;
    done.vipOrders += vipOrders;
    // A full batch: more may be left; the mark stays and the next round goes on.
    if (earned >= HELD_EARNINGS_PER_PASS || referralOrders >= HELD_ORDERS_PER_PASS || vipOrders >= CURRENCY_HELD_VIP_ORDERS_PER_PASS) continue;
    const cleared = await db.shop.updateMany({ where: { domain: shop, heldOrdersDueAt }, data: { heldOrdersDueAt: null } });
    done.shops += cleared.count;
  }
  return done;
}
