// Gift card rewards show what is left on them: the balance Shopify reports for the card
// (GiftCard.balance, "The gift card's remaining balance"; https://shopify.dev/docs/api/admin-graphql/latest/objects/GiftCard).
// A gift card is never marked Used — a customer spends it over several orders — so the balance is
// what tells "$6.40 left" from "spent". The last answer is kept on the reward (giftCardBalance,
// giftCardBalanceAt) and asked again at most once a minute, for the few cards on screen, in one call.
// When Shopify can't be asked (no session, throttled, down), the last known balance stays shown.
import type { Prisma } from "@prisma/client";
import type { Db } from "~/db.server";
import { shopWorkPause } from "~/services/lifecycle/lifecycle.server";
import { getGiftCardBalances } from "~/shopify/gift-cards.server";
import type { RewardDeps } from "./deps.server";

/** A balance younger than this is shown as is. */
export const BALANCE_MAX_AGE_MS = 60_000;
/** At most this many cards are looked up per screen (one `nodes(ids:)` call). */
export const MAX_CARDS_PER_LOOKUP = 25;
/** A page waits at most this long for Shopify's answer before showing the last known balances. */
export const BALANCE_LOOKUP_TIMEOUT_MS = 3_000;

export interface BalanceRefresh {
  /** Cards whose balance was looked up in Shopify. */
  checked: number;
  /** True when Shopify could not be asked; the last known balances stay. */
  failed: boolean;
}

/**
 * Refreshes the balance of the shop's Issued gift card rewards in `scope` (one customer's, or the
 * given reward ids) whose last look is older than {@link BALANCE_MAX_AGE_MS}.
 */
export async function refreshGiftCardBalances(
  deps: Pick<RewardDeps, "db" | "adminFor" | "now" | "logger">,
  shop: string,
  scope: { customerId: string } | { customerGid: string } | { rewardIds: readonly string[] },
): Promise<BalanceRefresh> {
  const { db, logger } = deps;
  const now = deps.now();
  const where: Prisma.RewardWhereInput = {
    shop,
    kind: "GIFT_CARD",
    status: "ISSUED",
    shopifyId: { not: null },
    OR: [{ giftCardBalanceAt: null }, { giftCardBalanceAt: { lt: new Date(now.getTime() - BALANCE_MAX_AGE_MS) } }],
    ...("customerId" in scope
      ? { customerId: scope.customerId }
      : "customerGid" in scope
        ? { customerGid: scope.customerGid }
        : // Filtered first, then bounded by `take`: slicing the ids first dropped due cards behind ids
          // that are not due (fresh, not gift cards, another shop's), so fewer came back than asked.
          { id: { in: [...scope.rewardIds] } }),
  };
  const due = await db.reward.findMany({ where, select: { id: true, shopifyId: true }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: MAX_CARDS_PER_LOOKUP });
  if (due.length === 0) return { checked: 0, failed: false };
  if (shopWorkPause(await db.shop.findUnique({ where: { domain: shop } }))) return { checked: 0, failed: true };

  let answer;
  try {
    const graphql = await deps.adminFor(shop);
    answer = await getGiftCardBalances(
      graphql,
      due.map((r) => r.shopifyId!),
      { timeoutMs: BALANCE_LOOKUP_TIMEOUT_MS },
    );
  } catch (error) {
    logger.warn({ shop, err: error }, "gift card balances: no Admin API access");
    return { checked: 0, failed: true };
  }
  if (!answer.ok) {
    logger.warn({ shop, failure: answer.error.kind }, "gift card balances could not be looked up; showing the last known ones");
    return { checked: 0, failed: true };
  }
  const byId = new Map(answer.data.map((b) => [b.id, b]));
  for (const reward of due) {
    const balance = byId.get(reward.shopifyId!);
    if (!balance) continue; // not found now: reconciliation decides what that means, not a page view
    await db.reward.updateMany({ where: { id: reward.id, shop }, data: { giftCardBalance: balance.amount, giftCardBalanceAt: now } });
  }
  return { checked: due.length, failed: false };
}

/**
 * orders/create: an order paid (in part) with a gift card — Shopify lists "gift_card" in the REST
 * Order's `payment_gateway_names` (https://shopify.dev/docs/api/admin-rest/latest/resources/order) —
 * makes the customer's known gift card balances stale, so the next page asks Shopify again instead of
 * showing the balance from before the purchase for up to a minute. Idempotent.
 */
export async function forgetGiftCardBalancesAfterOrder(db: Pick<Db, "reward">, order: { shop: string; payload: unknown; customerGid: string | null }): Promise<number> {
  const gateways = (order.payload as { payment_gateway_names?: unknown } | null)?.payment_gateway_names;
  if (!order.customerGid || !Array.isArray(gateways) || !gateways.includes("gift_card")) return 0;
  const { count } = await db.reward.updateMany({
    where: { shop: order.shop, customerGid: order.customerGid, kind: "GIFT_CARD", status: "ISSUED", giftCardBalanceAt: { not: null } },
    data: { giftCardBalanceAt: null },
  });
  return count;
}
