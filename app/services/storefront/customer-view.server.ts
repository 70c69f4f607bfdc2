// Read model: what one signed-in storefront customer may see of their own loyalty account — the
// points balance and their Issued and Used rewards (never Pending, Failed or Canceled: those were
// never available to them, or no longer are). Every query is keyed by shop AND the signed customer.
import type { Db } from "~/db.server";
import { parseShopifyAmount, pointsExpireAt, shopifyAmountText } from "~/domain/points";
import { storefrontVip, type StorefrontVip } from "~/services/vip/admin.server";
import { isRewardKind, isRewardStatus, isVisibleToCustomer, kindTraits, REWARD_STATUSES, type RewardKind } from "~/domain/rewards";

export type VisibleRewardStatus = "ISSUED" | "USED";

export interface StorefrontReward {
  id: string;
  title: string;
  kind: RewardKind;
  value: string;
  currency: string;
  /** The code to enter at checkout; "" for kinds without one (store credit: the app's reference is never shown). */
  code: string;
  /** Whether the customer uses a code (app/domain/rewards/kinds.ts: customerUsesCode). */
  usesCode: boolean;
  status: VisibleRewardStatus;
  expiresAt: string | null;
  issuedAt: string | null;
  usedAt: string | null;
  /** Gift cards: what is left on the card as Shopify last reported it (decimal, `currency`); null = not known / not a card. */
  balance: string | null;
  /** A gift card with nothing left: shown as spent, not "ready to use" (gift cards are never marked Used). */
  spent: boolean;
}

export interface CustomerView {
  pointsBalance: number;
  /** Earned points on hold (shown, not spendable yet), and when the next of them become spendable. */
  pendingPoints: number;
  pendingAvailableAt: string | null;
  /**
   * Orders of the customer whose points wait for the shop to confirm its amounts (the earning rule was
   * saved in another currency: EARNING_HELD rows still HELD, docs/decisions/015); absent when none, and
   * while the program is off (they stay held, and earn once it is on again).
   */
  waitingOrders?: number;
  /** When the customer's points expire without new activity (the shop's expiry); null = never. */
  pointsExpireAt: string | null;
  /** "MM-DD" once the customer told us, for the birthday bonus. */
  birthday: string | null;
  rewards: StorefrontReward[];
  /** The VIP tier and what is left to the next one; absent while the shop's VIP tiers are off. */
  vip?: StorefrontVip;
}

/** Enough history for a storefront panel; older rewards stay in the customer's emails. */
export const MAX_VISIBLE_REWARDS = 50;

const VISIBLE_STATUSES = REWARD_STATUSES.filter(isVisibleToCustomer);

const REWARD_SELECT = {
  id: true,
  title: true,
  kind: true,
  value: true,
  currency: true,
  code: true,
  status: true,
  expiresAt: true,
  issuedAt: true,
  usedAt: true,
  giftCardBalance: true,
} as const;

type RewardRow = {
  id: string;
  title: string;
  kind: string;
  value: string;
  currency: string;
  code: string;
  status: string;
  expiresAt: Date | null;
  issuedAt: Date | null;
  usedAt: Date | null;
  giftCardBalance?: string | null;
};

/** The customer-facing shape of a reward row; null for anything a customer must not see. */
export function toStorefrontReward(row: RewardRow): StorefrontReward | null {
  if (!isRewardStatus(row.status) || !isVisibleToCustomer(row.status) || !isRewardKind(row.kind)) return null;
  // Written from the parsed amount (parseShopifyAmount), never the stored text as it is: the widget
  // formats what it gets, and an amount it can't read is no balance at all.
  const balanceMilli = row.kind === "GIFT_CARD" && row.giftCardBalance != null ? parseShopifyAmount(row.giftCardBalance) : null;
  const balance = balanceMilli === null ? null : shopifyAmountText(balanceMilli);
  return {
    id: row.id,
    title: row.title,
    kind: row.kind,
    value: row.value,
    currency: row.currency,
    code: kindTraits(row.kind).customerUsesCode ? row.code : "",
    usesCode: kindTraits(row.kind).customerUsesCode,
    status: row.status as VisibleRewardStatus,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    issuedAt: row.issuedAt?.toISOString() ?? null,
    usedAt: row.usedAt?.toISOString() ?? null,
    balance,
    spent: balanceMilli !== null && balanceMilli <= 0n,
  };
}

export async function loadCustomerView(db: Db, shop: string, customerGid: string): Promise<CustomerView> {
  const view = await loadPointsView(db, shop, customerGid);
  const customer = await db.customer.findUnique({ where: { shop_shopifyCustomerId: { shop, shopifyCustomerId: customerGid } }, select: { id: true } });
  const vip = await storefrontVip(db, shop, customer?.id ?? null, new Date());
  return vip ? { ...view, vip } : view;
}

async function loadPointsView(db: Pick<Db, "customer" | "reward" | "programSettings" | "pointsTransaction">, shop: string, customerGid: string): Promise<CustomerView> {
  const customer = await db.customer.findUnique({
    where: { shop_shopifyCustomerId: { shop, shopifyCustomerId: customerGid } },
    select: { id: true, pointsBalance: true, pendingPoints: true, lastActivityAt: true, birthday: true },
  });
  // A shopper who never earned points is not in the program yet: zero points, no rewards.
  if (!customer) return { pointsBalance: 0, pendingPoints: 0, pendingAvailableAt: null, pointsExpireAt: null, birthday: null, rewards: [] };
  const [settings, nextPending, waitingOrders] = await Promise.all([
    db.programSettings.findUnique({ where: { shop }, select: { expiryMonths: true, enabled: true } }),
    customer.pendingPoints > 0
      ? db.pointsTransaction.findFirst({ where: { customerId: customer.id, status: "PENDING", delta: { gt: 0 } }, orderBy: { availableAt: "asc" }, select: { availableAt: true } })
      : null,
    db.pointsTransaction.count({ where: { customerId: customer.id, status: "HELD", reason: "EARNING_HELD" } }),
  ]);
  const expiresAt = customer.pointsBalance > 0 ? pointsExpireAt(customer.lastActivityAt, settings?.expiryMonths ?? null) : null;
  const rows = await db.reward.findMany({
    where: { shop, customerId: customer.id, status: { in: [...VISIBLE_STATUSES] } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: MAX_VISIBLE_REWARDS,
    select: REWARD_SELECT,
  });
  const rewards = rows.map(toStorefrontReward).filter((r): r is StorefrontReward => r !== null);
  // Ready-to-use codes first, then history; newest first within each.
  rewards.sort((a, b) => Number(a.status === "USED") - Number(b.status === "USED"));
  return {
    pointsBalance: customer.pointsBalance,
    pendingPoints: customer.pendingPoints,
    pendingAvailableAt: nextPending?.availableAt?.toISOString() ?? null,
    // A program turned off promises nothing: its held orders wait unseen until it is on again (docs/decisions/015, 3 December 2026).
    ...(waitingOrders > 0 && settings?.enabled ? { waitingOrders } : {}),
    pointsExpireAt: expiresAt?.toISOString() ?? null,
    birthday: customer.birthday,
    rewards,
  };
}
