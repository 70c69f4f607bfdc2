// The storefront customer's words, looked up from codes (one place, so they can be translated).
// The rules behind them (which reason is retryable, …) stay in app/domain/rewards.
import { classifyFailure, type FailureContext, type FailureReason, type ShopifyFailure } from "~/domain/rewards/failures";

const NOT_SPENT = "your points were not spent";

const CUSTOMER_MESSAGES: Record<FailureReason, string> = {
  throttled: `Our rewards service is busy right now. Please try again in a minute — ${NOT_SPENT}.`,
  shopify_unavailable: `We couldn't create your reward just now. Please try again in a few minutes — ${NOT_SPENT}.`,
  shopify_internal_error: `We couldn't create your reward just now. Please try again in a few minutes — ${NOT_SPENT}.`,
  network_error: `We couldn't create your reward just now. Please try again in a few minutes — ${NOT_SPENT}.`,
  timeout: `We couldn't create your reward just now. Please try again in a few minutes — ${NOT_SPENT}.`,
  code_taken: `We couldn't create your reward just now. Please try again — ${NOT_SPENT}.`,
  unknown: `Something went wrong while creating your reward. Please try again in a few minutes — ${NOT_SPENT}.`,
  scope_not_granted: "This reward isn't available in this shop right now. Please choose another reward — your points were not spent.",
  gift_cards_unavailable: "Gift card rewards aren't available in this shop right now. Your points were not spent.",
  gift_card_limit_exceeded: "This gift card reward isn't available right now. Please choose another reward — your points were not spent.",
  store_credit_limit_exceeded: `Your store credit balance is already at the most Shopify allows, so this reward can't be added. Please choose another reward — ${NOT_SPENT}.`,
  currency_not_supported: `This reward isn't available in your currency right now. Please choose another reward — ${NOT_SPENT}.`,
  amount_in_other_currency: `This reward isn't available right now while the shop updates its prices. Please choose another reward — ${NOT_SPENT}.`,
  customer_not_found:
    "We couldn't find your customer account to attach this reward to. Please sign in again and retry — your points were not spent.",
  missing_access: `This reward isn't available right now. Please choose another reward or contact the shop — ${NOT_SPENT}.`,
  app_not_authorized: `Rewards aren't available right now. Please contact the shop — ${NOT_SPENT}.`,
  shop_unavailable: `Rewards aren't available right now. Please try again later — ${NOT_SPENT}.`,
  invalid_reward_settings: `This reward isn't available right now. Please choose another reward or contact the shop — ${NOT_SPENT}.`,
  rejected_by_shopify: `This reward isn't available right now. Please choose another reward or contact the shop — ${NOT_SPENT}.`,
  api_error: `Something went wrong while creating your reward. Please try again later — ${NOT_SPENT}.`,
};

/**
 * One plain sentence for a storefront customer whose points redemption failed (synchronous
 * generation saves nothing on failure, so the points were not spent). Never contains Shopify's
 * raw error text. Accepts a failure or an already classified reason.
 */
export function customerMessage(failure: ShopifyFailure | FailureReason, context: FailureContext = {}): string {
  const reason = typeof failure === "string" ? failure : classifyFailure(failure, context).reason;
  return CUSTOMER_MESSAGES[reason] ?? CUSTOMER_MESSAGES.unknown;
}

/** Redemption outcomes that are not Shopify failures (Redemption.errorReason; rules in redeem-points.server.ts). */
export type RedemptionReason =
  | "invalid_request"
  | "invalid_points"
  | "reward_unavailable"
  | "insufficient_points"
  | "redemption_in_progress"
  | "idempotency_key_reused"
  | "save_failed"
  | "abandoned";

const REDEMPTION_MESSAGES: Record<RedemptionReason, string> = {
  invalid_request: "Something was wrong with this request. Please reload the page and try again.",
  invalid_points: `That number of points can't be converted for this reward. Please choose an amount within its range and steps — ${NOT_SPENT}.`,
  reward_unavailable: `This reward isn't available any more. Please choose another reward — ${NOT_SPENT}.`,
  insufficient_points: `You don't have enough points for this reward yet — ${NOT_SPENT}.`,
  redemption_in_progress: `Another reward is being created for your account right now. Please wait a moment and try again — ${NOT_SPENT}.`,
  idempotency_key_reused: "This request doesn't match an earlier one. Please reload the page and try again.",
  save_failed: `We couldn't save your reward. Please try again in a few minutes — ${NOT_SPENT}.`,
  abandoned: `We couldn't finish creating your reward. Please try again — ${NOT_SPENT}.`,
};

/** A repeated redemption request whose reward the shop has canceled since (its code no longer works). */
export const REWARD_CANCELED_MESSAGE = "This reward was canceled by the shop, so its code no longer works. Please reload the page to see your points and rewards.";

/** One plain sentence for a redemption that ended for a reason of our own. */
export function redemptionMessage(reason: RedemptionReason): string {
  return REDEMPTION_MESSAGES[reason];
}

/** The birthday form of the storefront widget (apps-proxy.birthday). */
export const BIRTHDAY_MESSAGES = {
  saved: "Thanks! We'll send you a birthday bonus on your birthday.",
  invalid: "Please enter a real date as month and day (for example 04-23).",
  notJson: "Please send the birthday as JSON.",
  alreadySet: "Your birthday is already saved. Please contact the shop if it needs correcting.",
  bonusOff: "This shop doesn't give a birthday bonus at the moment, so your birthday isn't needed. Please reload the page.",
} as const;
