// The merchant's words and looks in the admin, looked up from codes: status labels, meanings and
// badge tones, kind labels, reward values, and what a failure reason means and what to do about it.
// One place, so it can be translated later; the rules behind them stay in app/domain/rewards.
// Pure (no Polaris, no server imports): the admin's browser bundle imports it too.
import {
  CHANGED_IN_SHOPIFY_CODE,
  isAccessFailureReason,
  isPermanentFailureReason,
  MAX_APPLIES_TO_IDS,
  MAX_EXPIRY_DAYS,
  MAX_OPTION_NAME,
  MAX_REWARD_AMOUNT,
  STORE_CREDIT_LIMIT,
  type OptionErrorCode,
  type OptionField,
  parseFailureReason,
  kindTraits,
  type FailureReason,
  type RewardKind,
  type RewardSource,
  type RewardStatus,
} from "~/domain/rewards";
import { formatMilli, MAX_POINTS, parseShopifyAmount } from "~/domain/points";
import { removeBidiControls } from "~/domain/text";

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

/**
 * A gift card's balance as Shopify last reported it: "$6.40 left", "Spent" (nothing left). Formatted
 * from the parsed amount (parseShopifyAmount, the one reader of Shopify's amounts), never from the
 * text as stored; null when that text holds no amount (nothing is shown rather than "$NaN left").
 */
export function formatGiftCardBalance(balance: string, currency: string): string | null {
  const milli = parseShopifyAmount(balance);
  if (milli === null) return null;
  if (milli <= 0n) return "Spent";
  const amount = Number(milli) / 1000;
  try {
    return `${new Intl.NumberFormat("en-US", { style: "currency", currency }).format(amount)} left`;
  } catch {
    return `${formatMilli(milli)} ${currency} left`;
  }
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

/**
 * What a cancel (or a repeated cancel) tells the merchant about the reward's code in Shopify:
 * `cleanup` is the outcome of its removal (cancel.server.ts ShopifyCleanup), `failureCode` the
 * reward's stored reason the removal is retried for (cleanupRewardCode). Access taken away
 * (isAccessFailureReason) is said as such, with what to do; any other permanent refusal names it;
 * only the rest is "couldn't be reached".
 */
export function cancelCleanupMessage(cleanup: "done" | "worker_will_remove" | "retrying" | "gave_up", failureCode?: string | null, kind?: RewardKind): string {
  if (cleanup === "done") return "Reward canceled. Its code no longer works in your shop.";
  if (cleanup === "worker_will_remove") return "Reward canceled. It was being created in Shopify at that moment; the app removes the code as soon as that finishes.";
  const reason = parseFailureReason(failureCode);
  if (cleanup === "gave_up") {
    const left = LEFT_IN_SHOPIFY[kind ? kindTraits(kind).shopifyObject : "discount"];
    return `Reward canceled, but ${left.what} still couldn't be removed in Shopify (${FAILURE_SHORT_LABELS[reason]}), and the app has stopped trying. ${left.still}: ${left.action}.`;
  }
  if (failureCode && isAccessFailureReason(reason)) {
    return `Reward canceled, but the app isn't allowed to deactivate its code in Shopify right now (${FAILURE_SHORT_LABELS[reason]}), so the code may still work at checkout. ${CLEANUP_ACCESS_ACTIONS[reason] ?? CLEANUP_ACCESS_ACTIONS.missing_access} The app keeps trying in the background.`;
  }
  if (failureCode && isPermanentFailureReason(reason)) {
    return `Reward canceled, but Shopify refused to deactivate its code (${FAILURE_SHORT_LABELS[reason]}), so the code may still work at checkout. The app keeps trying in the background.`;
  }
  return "Reward canceled. Shopify couldn't be reached to deactivate the code yet; the app keeps trying in the background.";
}

/**
 * What is left in Shopify when the app stopped removing a reward's code (codeRemovalGaveUpAt,
 * cancel.server.ts CODE_REMOVAL_RETRY_DAYS), per kind of Shopify object: what it is, that it may
 * still be used, and where in Shopify's admin the merchant removes it themselves.
 */
const LEFT_IN_SHOPIFY: Readonly<Record<ReturnType<typeof kindTraits>["shopifyObject"], { what: string; still: string; action: string }>> = {
  discount: { what: "the code", still: "It may still work at checkout", action: "deactivate it in Shopify admin → Discounts" },
  gift_card: { what: "the gift card", still: "It may still be spent", action: "deactivate it in Shopify admin → Gift cards" },
  store_credit: { what: "the store credit", still: "The customer may still spend it", action: "take it back in Shopify admin → Customers → the customer's store credit" },
};

/** The history line of a reward whose code's removal the app stopped retrying (no code, no personal data). */
export function codeRemovalGaveUpReason(reason: FailureReason, kind: RewardKind): string {
  const left = LEFT_IN_SHOPIFY[kindTraits(kind).shopifyObject];
  return `The app stopped trying to remove ${left.what} in Shopify (last reason: ${FAILURE_SHORT_LABELS[reason]}). ${left.still}: ${left.action}.`;
}

/** What the merchant does so a canceled reward's code can be removed, per access reason (ACCESS_FAILURE_REASONS). */
const CLEANUP_ACCESS_ACTIONS: Partial<Record<FailureReason, string>> = {
  missing_access: "Open the app from your Shopify admin and approve the requested permissions; the code is removed once the app has them.",
  scope_not_granted: "Open a customer in Loyalty rewards, choose Issue reward and then “Grant access”; the code is removed once access is granted.",
  app_not_authorized: "Open the app from your Shopify admin to reconnect it; the code is removed once it is connected.",
};

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
  scope_not_granted: {
    summary: "The app hasn't been granted access to gift cards or store credit in this shop, so the reward could not be created.",
    action:
      "Open a customer in Loyalty rewards, choose Issue reward and then “Grant access”, and issue the reward again. Until access is granted, use a discount code reward instead.",
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
  amount_in_other_currency: {
    summary:
      "The reward's amounts were saved in another currency than your shop sells in now, and the reward it came from was deleted or changed to another kind before you confirmed its amounts, so it was not created.",
    action: "Issue the customer a reward by hand from their page (Issue reward): it is made with the amounts you confirmed. Issuing this one again repeats its old amounts.",
  },
  gift_card_limit_exceeded: {
    summary: "The gift card's value is higher than Shopify allows for this shop.",
    action: "Lower the gift card value in the reward settings, then issue the reward again.",
  },
  store_credit_limit_exceeded: {
    summary:
      "Shopify refused the store credit because the customer's store credit balance would reach Shopify's limit (one customer's account must stay below 15,000 in your store's currency, about $15,000 USD). The reward's settings are not the cause.",
    action: "Issue this customer a different kind of reward (such as a discount code), or issue the store credit again once they have spent some of their balance.",
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

/**
 * Where a customer's name would be but Shopify sent none: without Level 2 protected customer data
 * access, Shopify redacts names, emails, phones and addresses
 * (https://shopify.dev/docs/apps/launch/protected-customer-data), and the program still works by id.
 */
export const CUSTOMER_NAME_HIDDEN = "Name hidden by Shopify";

/**
 * A name or email from Shopify as the admin shows it: trimmed, and without Unicode's invisible
 * text-direction characters (app/domain/text.ts). Shopify's customer data is not typed in the app, so
 * it is not refused at the input boundary; shown as is, a name ending in U+202E reversed the text
 * after it on the same line ("… for <name> Nov 30" on Home). The stored value is unchanged.
 */
export function shownCustomerText(text: string | null | undefined): string | null {
  return (text ? removeBidiControls(text).trim() : "") || null;
}

/** The customer's name for the admin: their name, else their email, else {@link CUSTOMER_NAME_HIDDEN}. */
export function customerLabel(displayName: string | null | undefined, email?: string | null): string {
  return shownCustomerText(displayName) ?? shownCustomerText(email) ?? CUSTOMER_NAME_HIDDEN;
}

/** The issue form, for a reward kind whose optional access scopes (gift cards, store credit) the shop has not granted. */
export const OPTIONAL_ACCESS_EXPLANATION = {
  title: "This reward needs access Shopify hasn't granted yet",
  body: "Gift card and store credit rewards need the shop's permission for the app to create gift cards or credit customers' store credit. Until it is granted, these rewards can't be issued — discount code rewards work as usual.",
  action: "Grant access",
  declined: "Access was not granted, so this reward still can't be issued.",
} as const;

// ---------------------------------------------------------------------------------------------
// The points program (docs/decisions/019)

/** What each points ledger row is, for the Points history tab. */
export const POINTS_LEDGER_LABELS: Readonly<Record<string, string>> = {
  EARNED: "Earned on an order",
  ORDER_REFUNDED: "Taken back: order refunded",
  ORDER_CANCELED: "Taken back: order canceled",
  REDEMPTION: "Redeemed for a reward",
  REDEMPTION_REFUND: "Refund of a canceled reward",
  REFUND_REVERSED: "Refund taken back: the reward was used before it was canceled",
  ADJUSTMENT: "Adjustment by the shop",
  SIGNUP_BONUS: "Sign-up bonus",
  BIRTHDAY_BONUS: "Birthday bonus",
  EXPIRED: "Expired (no activity)",
  EARNING_HELD: "Order waiting for the earning rule to be confirmed",
};

/** The words of the Program settings page's field errors (codes from app/domain/points/settings.ts). */
export function programSettingsError(field: string, code: string): string {
  const limits: Record<string, string> = {
    pointsPerCurrencyUnit: "Enter a number greater than 0 and at most 1,000.",
    pendingDays: "Enter a whole number of days from 0 to 365.",
    expiryMonths: "Enter a whole number of months from 1 to 120, or leave it empty so points never expire.",
    signupBonus: "Enter a whole number of points from 0 to 1,000,000.",
    birthdayBonus: "Enter a whole number of points from 0 to 1,000,000.",
  };
  switch (code) {
    case "required":
      return field.startsWith("pointsName") ? "Enter a name for your points." : "This field is required.";
    case "too_long":
      return "Use 30 characters or fewer.";
    case "too_many_decimals":
      return "Use at most 2 decimals.";
    case "invalid_choice":
      return "Choose one of the options.";
    default:
      return limits[field] ?? "Enter a valid value.";
  }
}

export const PROGRAM_SAVED = "Program settings saved";

export const ADJUSTMENT_MESSAGES = {
  added: (points: number) => `Added ${points.toLocaleString("en-US")} points`,
  removed: (points: number) => `Removed ${points.toLocaleString("en-US")} points`,
  invalid: "Some fields need fixing.",
  resent: "This form was already sent with other values, and only the first was done. Reload the page to make another adjustment.",
  insufficient: (balance: number) =>
    `The customer has only ${balance.toLocaleString("en-US")} spendable points; you can't remove more than that.`,
  limit: `That would give the customer more points than a balance can hold (${MAX_POINTS.toLocaleString("en-US")}, pending points included). Nothing was added.`,
  fields: {
    points: "Enter a whole number of points from 1 to 1,000,000.",
    reason: "Enter a reason (up to 200 characters). It is kept in the customer's points history.",
    direction: "Choose add or remove.",
  },
} as const;

// ---- Ways to redeem (redemption options) -------------------------------------------------------

/** What each field of the "Ways to redeem" form is called (labels and error summaries). */
export const OPTION_FIELD_LABELS: Readonly<Record<OptionField, string>> = {
  name: "Name",
  kind: "Reward",
  pointsCost: "Points cost",
  value: "Value",
  minimumSubtotal: "Minimum order amount",
  expiryDays: "Code expires after (days)",
  productId: "Product",
  variantId: "Variant",
  appliesTo: "Applies to",
  appliesToIds: "Products or collections",
  pointsMin: "Fewest points per redemption",
  pointsMax: "Most points per redemption",
  pointsStep: "Step",
};

/** A reward's value outside the one rule (checkRewardValue), as the Referrals and VIP forms say it. */
export const REWARD_VALUE_OUT_OF_RANGE = `Enter an amount above 0 and up to ${MAX_REWARD_AMOUNT.toLocaleString("en-US")}, or a percentage from 1 to 100.`;

/** One plain sentence per validation outcome of the form (codes: app/domain/rewards/options.ts). */
export const OPTION_ERROR_MESSAGES: Readonly<Record<OptionErrorCode, string>> = {
  required: "This field is required.",
  too_long: `Keep it under ${MAX_OPTION_NAME} characters.`,
  unknown_kind: "Choose one of the reward types in the list.",
  whole_number: "Enter a whole number.",
  positive_whole_number: "Enter a whole number greater than 0.",
  too_large: "That number is too large.",
  positive_amount: "Enter an amount greater than 0.",
  amount_format: "Enter an amount like 5 or 4.99.",
  percentage_range: "Enter a percentage from 1 to 100.",
  product_required: "A free product reward needs a product.",
  product_id_format: "Enter a product ID like gid://shopify/Product/123.",
  variant_id_format: "Enter a variant ID like gid://shopify/ProductVariant/123, or leave it empty.",
  product_not_found: "No product with this ID was found in your store.",
  variant_not_in_product: "This variant doesn't belong to the chosen product.",
  restriction_not_for_kind: "Only amount-off and percentage-off rewards can be limited to products or collections.",
  restriction_ids_required: "Enter at least one product or collection ID.",
  restriction_id_format: "Enter IDs like gid://shopify/Product/123 or gid://shopify/Collection/123, separated by commas.",
  restriction_too_many: `Enter at most ${MAX_APPLIES_TO_IDS} products or collections.`,
  collection_not_found: "One or more of these aren't in your store.",
  variable_not_for_kind: "Only rewards worth an amount (amount off, gift card, store credit) can let customers choose their points.",
  min_above_max: "The most points must be at least the fewest points.",
  step_not_dividing_range: "The step must divide the range evenly (most − fewest must be a multiple of the step).",
  value_too_small_for_min: "The fewest points would be worth less than one cent. Raise them or the value.",
  gift_cards_unavailable: "Your store can't issue gift cards (it depends on your Shopify plan and country).",
  store_credit_over_limit: `Shopify doesn't let a customer's store credit reach ${STORE_CREDIT_LIMIT.toLocaleString("en-US")} (about $15,000 USD, in your store's currency), so one store credit reward must be worth less than that. Lower the value, or the most points a customer can convert.`,
  gift_card_over_limit:
    "Shopify doesn't issue a gift card worth this much (its limit is about $2,000 USD in your store's currency). Lower the value, or the most points a customer can convert.",
};

export const OPTION_EXPIRY_HELP: string = `Leave empty for codes that never expire (at most ${MAX_EXPIRY_DAYS} days).`;

export const OPTION_MESSAGES = {
  created: "Redemption option created",
  saved: "Redemption option saved",
  enabled: "Redemption option enabled",
  disabled: "Redemption option disabled",
  invalid: "Fix the highlighted fields and save again.",
  notFound: "This redemption option doesn't exist (it may have been deleted).",
  shopifyUnavailable: "We couldn't check your products with Shopify just now. Try saving again in a moment.",
} as const;

/** The status badge of an option in the list. */
export function optionStatusLabel(active: boolean): string {
  return active ? "Enabled" : "Disabled";
}

/** One option's reward and conditions in a line, for the merchant's list ("$1.00 off for every 100 points · …"). */
export function describeRedemptionOption(
  option: {
    kind: RewardKind;
    value: string;
    pointsCost: number;
    variable: { min: number; max: number; step: number } | null;
    minimumSubtotal: string | null;
    expiryDays: number | null;
    appliesTo: string;
    appliesToIds: readonly string[];
    productId: string | null;
  },
  currency: string,
): string {
  const n = (x: number) => new Intl.NumberFormat("en-US").format(x);
  const count = (x: number, one: string, other: string) => `${n(x)} ${x === 1 ? one : other}`;
  const parts = [
    option.variable
      ? `${formatRewardValue(option.kind, option.value, currency)} for every ${n(option.pointsCost)} points; customers choose ${n(option.variable.min)}–${n(option.variable.max)} points in steps of ${n(option.variable.step)}`
      : formatRewardValue(option.kind, option.value, currency),
  ];
  if (option.appliesTo === "PRODUCTS") parts.push(`on ${count(option.appliesToIds.length, "product", "products")}`);
  if (option.appliesTo === "COLLECTIONS") parts.push(`on ${count(option.appliesToIds.length, "collection", "collections")}`);
  if (option.minimumSubtotal) parts.push(`minimum order ${formatRewardValue("FIXED_AMOUNT", option.minimumSubtotal, currency).replace(/ off$/, "")}`);
  parts.push(option.expiryDays ? `code expires after ${count(option.expiryDays, "day", "days")}` : "code never expires");
  return parts.join(" · ");
}

/** Help under the form's fields. */
export const OPTION_HELP = {
  pointsCostFixed: "What the customer spends for this reward.",
  pointsCostVariable: "Customers get the value below for every this many points (e.g. 100 points = $1.00).",
  variable: "Customers choose how many points to convert, within the range and steps below.",
  productId:
    "The product's ID from your Shopify admin (gid://shopify/Product/…). The app checks that it exists in your store. A product picker isn't available in this admin.",
  variantId: "Optional: limit it to one variant (gid://shopify/ProductVariant/…).",
  appliesToIds: "IDs separated by commas (gid://shopify/Product/… or gid://shopify/Collection/…). The app checks each one in your store.",
  minimumSubtotal: "Leave empty for no minimum.",
  expiryDays: OPTION_EXPIRY_HELP,
} as const;

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

/**
 * A failure reason in a few words, for the Status column of the rewards tables: enough to answer
 * "why didn't my customer get their reward?" at a glance. The reward's page has the full
 * explanation and what to do (merchantExplanation).
 */
const FAILURE_SHORT_LABELS: Record<FailureReason, string> = {
  throttled: "Rate limited by Shopify",
  shopify_unavailable: "Shopify unavailable",
  shopify_internal_error: "Shopify internal error",
  network_error: "Shopify unreachable",
  timeout: "Shopify timed out",
  code_taken: "Code already in use",
  unknown: "Unrecognised error",
  scope_not_granted: "Access not granted",
  gift_cards_unavailable: "Gift cards unavailable",
  gift_card_limit_exceeded: "Over Shopify's gift card limit",
  store_credit_limit_exceeded: "Store credit limit reached",
  currency_not_supported: "Currency not supported",
  amount_in_other_currency: "Amounts in another currency",
  customer_not_found: "Customer not in Shopify",
  missing_access: "Missing permission",
  app_not_authorized: "App access revoked",
  shop_unavailable: "Shop unavailable",
  invalid_reward_settings: "Settings rejected",
  rejected_by_shopify: "Rejected by Shopify",
  api_error: "Error in the app's request",
};

/**
 * The line under a reward's status badge in the rewards tables: why a Failed reward failed; why a
 * Pending one is waiting — an attempt already failed (it will be retried), or it is held until the
 * merchant confirms amounts saved in another currency (nothing is tried meanwhile: the worker's
 * holdForAmountReview, docs/decisions/015); and a Canceled one whose discount was changed in
 * Shopify's admin (not the merchant's cancel in the app), or one whose code is still being removed
 * in Shopify (`removingCode`: its cleanup marker stands; with why the last removal failed, if it did),
 * or whose removal the app stopped retrying (`removalGaveUp`: codeRemovalGaveUpAt; the code may still
 * work, and where the merchant deactivates it, per `kind`), Canceled or Failed (after its failure reason).
 * Null otherwise.
 */
export function rewardStatusNote(
  status: RewardStatus,
  failureCode: string | null | undefined,
  options: { removingCode?: boolean; removalGaveUp?: boolean; kind?: RewardKind } = {},
): string | null {
  // A Failed reward keeps the reason it failed for (cleanupRewardCode does not overwrite it), so its
  // pending removal is said without a reason of its own, after the failure's.
  if (status === "FAILED") {
    const failed = FAILURE_SHORT_LABELS[parseFailureReason(failureCode)];
    if (options.removalGaveUp) return `${failed}. ${removalGaveUpNote(null, options.kind)}`;
    return options.removingCode ? `${failed}. ${removingCodeNote(null)}` : failed;
  }
  if (status === "PENDING" && failureCode === "amount_in_other_currency") return AMOUNT_REVIEW_HOLD_NOTE;
  if (status === "PENDING" && failureCode) return `Retrying: ${FAILURE_SHORT_LABELS[parseFailureReason(failureCode)]}`;
  if (status === "CANCELED" && failureCode === CHANGED_IN_SHOPIFY_CODE) return "Changed in Shopify";
  if (status === "CANCELED" && options.removalGaveUp) return removalGaveUpNote(failureCode, options.kind);
  if (status === "CANCELED" && options.removingCode) return removingCodeNote(failureCode);
  return null;
}

/**
 * The note of a reward whose code's removal the app stopped retrying: it could not be removed, it
 * may still work, what the merchant does, and the last reason when it is the removal's own.
 */
function removalGaveUpNote(failureCode: string | null | undefined, kind: RewardKind | undefined): string {
  const left = LEFT_IN_SHOPIFY[kind ? kindTraits(kind).shopifyObject : "discount"];
  const why = failureCode ? ` (last reason: ${FAILURE_SHORT_LABELS[parseFailureReason(failureCode)]})` : "";
  return `Couldn't remove ${left.what} in Shopify${why}; the app stopped trying. ${left.still}: ${left.action}.`;
}

/** The note of a reward whose code is still being removed in Shopify, with why the last removal failed when it is known. */
function removingCodeNote(failureCode: string | null | undefined): string {
  return failureCode ? `${REMOVING_CODE_NOTE} (retrying: ${FAILURE_SHORT_LABELS[parseFailureReason(failureCode)]})` : `${REMOVING_CODE_NOTE} (retrying)`;
}

/**
 * A Canceled reward whose code is not yet confirmed gone from Shopify (its cleanup marker,
 * app/services/rewards/cancel.server.ts cleanupRewardCode): the code may still work at checkout
 * until the worker's removal succeeds.
 */
const REMOVING_CODE_NOTE = "Removing the code in Shopify";

/** A Pending reward held until the shop's amounts are confirmed in its currency (the banner on Home). */
const AMOUNT_REVIEW_HOLD_NOTE = "Waiting for you to confirm amounts";

/** The detail's retry of a code removal the app stopped (a repeated cancel, cancel.server.ts). */
export const REMOVE_CODE_AGAIN = {
  button: "Try removing it again",
  help: "Once you've fixed the reason, the app tries once more to deactivate it in Shopify.",
} as const;

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
  sortLabel: "Sort by",
  sorts: { activity: "Last activity (newest first)", points: "Points (highest first)", name: "Name (A–Z)" },
  badSort: "Unknown sort order.",
  noMatchHeading: "No customers match these filters",
  noMatchBody: "Nobody in the program is in this VIP tier or has a reward they can use now. Change or clear the filters.",
} as const;
