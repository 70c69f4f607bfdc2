// The merchant's words and looks in the admin, looked up from codes: status labels, meanings and
// badge tones, kind labels, reward values, and what a failure reason means and what to do about it.
// One place, so it can be translated later; the rules behind them stay in app/domain/rewards.
// Pure (no Polaris, no server imports): the admin's browser bundle imports it too.
import {
  isPermanentFailureReason,
  parseFailureReason,
  kindTraits,
  type FailureReason,
  type RewardKind,
  type RewardSource,
  type RewardStatus,
} from "~/domain/rewards";

export const REWARD_STATUS_LABELS: Readonly<Record<RewardStatus, string>> = {
  PENDING: "Pending",
  FAILED: "Failed",
  ISSUED: "Issued",
  CANCELED: "Canceled",
  USED: "Used",
};

/** One line per status, for admin help text. Mirrors the specification. */
export const REWARD_STATUS_MEANINGS: Readonly<Record<RewardStatus, string>> = {
  PENDING: "Being generated in Shopify. Hidden from the customer until it's ready.",
  FAILED: "Could not be generated, so it was never available. Hidden from the customer.",
  ISSUED:
    "The code is available and visible to the customer. Applying it at checkout doesn't change this; only a completed order marks it Used (gift cards always stay Issued, and so does store credit once it is credited).",
  CANCELED: "Manually canceled by the merchant. Hidden from the customer.",
  USED: "Used on a completed order. Still visible to the customer as history.",
};

/**
 * Polaris 13 `Badge` tone per status (a subset of Polaris' `Tone` union, so the value can be
 * passed straight to `<Badge tone={…}>`; this module does not import Polaris so it stays light).
 * Each status gets a different look, and the label text always carries the meaning too:
 * - PENDING  "attention": yellow, "not finished yet" — the tone Shopify uses for in-progress states
 *            such as "Payment pending"/"Unfulfilled". No action is normally needed, but a reward
 *            stuck in Pending is worth a look, which is what attention signals.
 * - FAILED   "critical": red, the reward never reached the customer; the merchant should act.
 * - ISSUED   "success": green, the customer has a working code.
 * - CANCELED undefined (Polaris' default neutral grey): an inactive, merchant-chosen end state,
 *            like "Archived"/"Draft" elsewhere in the admin. Not "new" — that tone means
 *            "recently added", which would mislead.
 * - USED     "info": blue, a normal completed outcome that is informational, kept distinct from
 *            the green of a still-usable Issued code.
 */
export type RewardStatusBadgeTone = "attention" | "critical" | "success" | "info";

export const REWARD_STATUS_BADGE_TONES: Readonly<Record<RewardStatus, RewardStatusBadgeTone | undefined>> = {
  PENDING: "attention",
  FAILED: "critical",
  ISSUED: "success",
  CANCELED: undefined,
  USED: "info",
};

export function statusBadgeTone(status: RewardStatus): RewardStatusBadgeTone | undefined {
  return REWARD_STATUS_BADGE_TONES[status];
}

export const REWARD_KIND_LABELS: Readonly<Record<RewardKind, string>> = {
  FIXED_AMOUNT: "Amount off",
  PERCENTAGE: "Percentage off",
  FREE_SHIPPING: "Free shipping",
  FREE_PRODUCT: "Free product",
  GIFT_CARD: "Gift card",
  STORE_CREDIT: "Store credit",
};

export const REWARD_SOURCE_LABELS: Readonly<Record<RewardSource, string>> = {
  POINTS_REDEMPTION: "Points redemption",
  REFERRAL: "Referral",
  VIP_TIER_ENTRY: "VIP tier entry",
  MANUAL: "Issued by merchant",
};


/** "$5.00 off", "15% off", "Free shipping", "Free product", "$10.00 gift card", "$10.00 store credit". */
export function formatRewardValue(kind: RewardKind, value: string, currency: string): string {
  const traits = kindTraits(kind);
  if (traits.value === "none") return REWARD_KIND_LABELS[kind];
  if (traits.value === "percentage") return `${Number(value)}% off`;
  let amount: string;
  try {
    amount = new Intl.NumberFormat("en-US", { style: "currency", currency }).format(Number(value));
  } catch {
    amount = `${value} ${currency}`;
  }
  if (traits.shopifyObject === "discount") return `${amount} off`;
  return `${amount} ${REWARD_KIND_LABELS[kind].toLowerCase()}`;
}

/** What a reward is called in Shopify's admin ("View discount", "View gift card", …). */
export const SHOPIFY_OBJECT_LINK_LABELS: Readonly<Record<ReturnType<typeof kindTraits>["shopifyObject"], string>> = {
  discount: "View discount",
  gift_card: "View gift card",
  store_credit: "View customer's store credit",
};

/** Cancel refused because Shopify cannot take the reward back any more (store credit already spent). */
export function cancelRefusedMessage(detail: string): string {
  return `Shopify can't take back store credit the customer has already spent. ${detail} The reward stays Issued.`;
}

/**
 * Cancel of a reward Shopify has no marker for (store credit) whose take-back went unanswered: the
 * merchant must look before retrying, since a retry would take it back a second time.
 */
export const UNCONFIRMED_TAKE_BACK =
  "Shopify didn't confirm whether the store credit was taken back. The reward is still Issued. Check the customer's store credit in Shopify before trying again: if the amount was already taken back, trying again would take it a second time.";

/** What canceling an Issued reward does in Shopify, per kind of Shopify object. */
export function cancelEffect(kind: RewardKind, code: string): string {
  switch (kindTraits(kind).shopifyObject) {
    case "gift_card":
      return `The gift card ${code} is deactivated in Shopify right away: its balance can no longer be spent.`;
    case "store_credit":
      return "The credited amount is taken back from the customer's store credit balance in Shopify, if the balance still covers it. If the customer already spent it, Shopify can't take it back and the reward stays Issued.";
    case "discount":
      return `The discount code ${code} is deactivated in Shopify right away and stops working at checkout.`;
  }
}

export interface MerchantExplanation {
  /** What happened, in plain language. */
  summary: string;
  /** What the merchant can do about it. */
  action: string;
}

const REISSUE = "Issue the reward again from the customer's page";
const AFTER_RETRIES = "Shopify kept failing for about a day of automatic retries";

const MERCHANT_EXPLANATIONS: Record<FailureReason, MerchantExplanation> = {
  throttled: {
    summary: `${AFTER_RETRIES}: it was too busy (rate limited) to create the code.`,
    action: `${REISSUE}. If this keeps happening, other apps may be using up the shop's API limit.`,
  },
  shopify_unavailable: {
    summary: `${AFTER_RETRIES}: Shopify's servers were unavailable.`,
    action: `Check shopifystatus.com, then ${REISSUE.toLowerCase()}.`,
  },
  shopify_internal_error: {
    summary: `${AFTER_RETRIES}: Shopify reported an internal error while creating the code.`,
    action: `${REISSUE}. If it fails again, contact app support.`,
  },
  network_error: {
    summary: "The app could not reach Shopify for about a day of automatic retries.",
    action: `${REISSUE}. If it fails again, contact app support.`,
  },
  timeout: {
    summary: `${AFTER_RETRIES}: Shopify did not answer in time.`,
    action: `${REISSUE}. If it fails again, contact app support.`,
  },
  code_taken: {
    summary: "Shopify said the reward's code was already in use by another discount or gift card.",
    action: `${REISSUE}; it will get a new code.`,
  },
  missing_access: {
    summary: "The app doesn't have permission to create this kind of reward in your shop.",
    action: "Open the app from your Shopify admin and approve the requested permissions, then issue the reward again.",
  },
  app_not_authorized: {
    summary: "Shopify no longer accepts the app's access to your shop (it may have been uninstalled or its access revoked).",
    action: "Open the app from your Shopify admin to reconnect it, then issue the reward again.",
  },
  shop_unavailable: {
    summary: "Shopify refused the request because the shop is unavailable (paused, frozen or closed).",
    action: "Check your Shopify plan and billing, then issue the reward again.",
  },
  gift_cards_unavailable: {
    summary: "Gift cards aren't available in this shop, so the gift card reward could not be created.",
    action:
      "Gift cards need a Shopify plan and country that support them. Enable gift cards, or change the reward to a discount code and issue it again.",
  },
  currency_not_supported: {
    summary: "Shopify doesn't support store credit in this currency for the customer's account.",
    action: "Change the reward to another kind, or check the shop's currency settings, then issue the reward again.",
  },
  gift_card_limit_exceeded: {
    summary: "The gift card's value is higher than Shopify allows for this shop.",
    action: "Lower the gift card value in the reward settings, then issue the reward again.",
  },
  customer_not_found: {
    summary: "Shopify couldn't find the customer this reward was for; the customer may have been deleted.",
    action: "Check that the customer still exists in Shopify. If they do, issue the reward again.",
  },
  invalid_reward_settings: {
    summary: "Shopify rejected the reward's settings (for example its value, minimum purchase or expiry).",
    action: "Review the reward's settings, correct them, then issue the reward again.",
  },
  rejected_by_shopify: {
    summary: "Shopify rejected the request to create the reward.",
    action: `${REISSUE}. If it fails again, contact app support.`,
  },
  api_error: {
    summary: "The app sent Shopify a request it could not process. This is a problem in the app, not in your settings.",
    action: "Contact app support. You can issue the reward again once it's fixed.",
  },
  unknown: {
    summary: "The reward could not be created for a reason the app didn't recognise.",
    action: `${REISSUE}. If it fails again, contact app support.`,
  },
};

/**
 * Plain-language explanation of a Failed reward for the admin: what happened and what to do.
 * `code` is the stored Reward.failureCode; anything unrecognised (null, a code from a newer
 * version) gets the generic explanation, never echoed back raw.
 */
export function merchantExplanation(code: string | null | undefined): MerchantExplanation {
  return MERCHANT_EXPLANATIONS[parseFailureReason(code)];
}

/** One failed attempt (not yet the reward's end), by retryable reason: what Shopify did this time. */
const ATTEMPT_SUMMARIES: Partial<Record<FailureReason, string>> = {
  throttled: "Shopify was too busy (rate limited) to create the code.",
  shopify_unavailable: "Shopify's servers were unavailable.",
  shopify_internal_error: "Shopify reported an internal error while creating the code.",
  network_error: "The app could not reach Shopify.",
  timeout: "Shopify did not answer in time.",
  code_taken: "Shopify said the code was already in use; the app checks whether it was its own.",
  unknown: "The attempt failed for a reason the app didn't recognise.",
};

/**
 * The history line of an ATTEMPT_FAILED event. A permanent reason is said as such from the first
 * moment (the worker writes the attempt a moment before the change to Failed, and a page loaded in
 * between must not promise a retry); a retryable one "will retry" unless the reward then failed.
 */
export function attemptFailedLabel(reasonCode: string | null | undefined, thenFailed: boolean): string {
  if (isPermanentFailureReason(reasonCode)) return "Attempt failed (permanent: no retry)";
  return thenFailed ? "Attempt failed (retries used up)" : "Attempt failed (will retry)";
}

/** What one failed attempt means: for a permanent reason the full explanation, otherwise this attempt only. */
export function attemptFailureSummary(reasonCode: string | null | undefined): string {
  const reason = parseFailureReason(reasonCode);
  if (isPermanentFailureReason(reason)) return merchantExplanation(reason).summary;
  return ATTEMPT_SUMMARIES[reason] ?? merchantExplanation(reason).summary;
}

/** History line of an audited reveal of a masked (gift card) code. */
export const CODE_REVEALED_REASON = "Full gift card code revealed in the admin by the merchant";
/** History line of a Failed reward the merchant marked resolved (hidden from "Failed recently"). */
export const FAILURE_RESOLVED_REASON = "Failure marked resolved by the merchant";
/** The explicit, audited way to see a masked gift card code in full. */
export const CODE_REVEAL_LABEL = {
  button: "Reveal",
  accessibility: "Reveal the full gift card code (recorded in the reward's history)",
} as const;

/** The shop-wide Rewards page. */
export const REWARDS_PAGE = {
  title: "Rewards",
  searchPlaceholder: "Search by code, or customer name or email",
  allTab: "All",
  kindFilter: "Type",
  sourceFilter: "Source",
  dateFilter: "Created",
  from: "From",
  to: "To",
  bulkCancel: "Cancel rewards",
  bulkCancelTitle: (n: number) => `Cancel ${n} reward${n === 1 ? "" : "s"}?`,
  bulkCancelBody:
    "Each Pending or Issued reward is canceled as if you canceled it on its own: its code is deactivated in Shopify, the customer no longer sees it, and points spent on it are given back if your shop refunds them. Rewards that are already Failed, Used or Canceled are left as they are. This can't be undone.",
  keep: "Keep rewards",
  emptyHeading: "No rewards match",
  emptyBody: "No reward has this status, type, source or date, or matches your search. Clear the filters to see every reward.",
  noneHeading: "No rewards yet",
  noneBody: "Rewards customers redeem with points, get for referrals or VIP tiers, or that you issue by hand will be listed here with their status.",
  pager: { label: "Rewards pages", previous: "Newer rewards", next: "Older rewards" },
} as const;

/** "Failed recently" on the home page. */
export const FAILED_RECENTLY = {
  viewAll: "View all failed rewards",
  resolve: "Mark resolved",
  resolveHelp: "Hides it from this list; it stays Failed and its history keeps the note.",
  reissue: "Issue again",
} as const;

/** Filters of the customer index. */
export const CUSTOMERS_PAGE = {
  tierFilter: "VIP tier",
  anyTier: "Any tier",
  noTier: "No tier",
  issuedFilter: "Has Issued rewards",
  noMatchHeading: "No customers match these filters",
  noMatchBody: "Nobody in the program is in this VIP tier or has a reward they can use now. Change or clear the filters.",
} as const;
