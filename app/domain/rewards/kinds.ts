// What each reward kind IS, as pure rules: the format of its code, whether an order can make it
// Used, what its value means, which template settings it needs and how Shopify refuses it when the
// shop lacks the feature. How a kind is created/looked up/removed in Shopify lives in its adapter
// (app/shopify/kinds/*); its words for people live at the edge (app/copy/*). No I/O, no copy.
//
// Adding a kind: one entry here (its traits), one adapter module in app/shopify/kinds/ (registered
// in app/shopify/kinds/index.server.ts), its template settings, and its words in app/copy/*
// (docs/decisions/012-reward-kinds-as-adapters.md lists the exact files).
import type { FailureReason } from "./failures";

export interface RewardKindTraits {
  /**
   * How the reward's code is chosen before the first Shopify call:
   * - discount_code: prefix + random symbols, up to 255 characters (a discount code),
   * - gift_card_code: 8–20 letters/digits (Shopify's gift card code rule),
   * - reference: the app's own unique reference; nothing in Shopify carries it and the customer
   *   never types it (store credit has no code).
   */
  codeFormat: "discount_code" | "gift_card_code" | "reference";
  /** A completed order carrying the code marks it Used (discount codes). Gift cards and store credit are payment methods: never Used. */
  hasUsedState: boolean;
  /** The customer needs the code (shown and copyable on the storefront). */
  customerUsesCode: boolean;
  /** What `value` means: an amount in shop currency, a percentage 0–100, or nothing. */
  value: "amount" | "percentage" | "none";
  /** The template must name a product (and may name one of its variants). */
  needsProduct: boolean;
  /** The kind of Shopify object behind the reward (for admin links and reconciliation). */
  shopifyObject: "discount" | "gift_card" | "store_credit";
  /** The reason when Shopify denies access (ACCESS_DENIED) while handling this kind. */
  accessDeniedReason: FailureReason;
}

const DISCOUNT: Omit<RewardKindTraits, "value" | "needsProduct"> = {
  codeFormat: "discount_code",
  hasUsedState: true,
  customerUsesCode: true,
  shopifyObject: "discount",
  accessDeniedReason: "missing_access",
};

/** The kinds, in the order the admin lists them. The keys are the values stored in Reward.kind / RewardTemplate.kind. */
export const REWARD_KIND_TRAITS = {
  FIXED_AMOUNT: { ...DISCOUNT, value: "amount", needsProduct: false },
  PERCENTAGE: { ...DISCOUNT, value: "percentage", needsProduct: false },
  FREE_SHIPPING: { ...DISCOUNT, value: "none", needsProduct: false },
  /** A 100 %-off code for one chosen product (or one of its variants), one item. */
  FREE_PRODUCT: { ...DISCOUNT, value: "none", needsProduct: true },
  GIFT_CARD: {
    codeFormat: "gift_card_code",
    hasUsedState: false,
    customerUsesCode: true,
    value: "amount",
    needsProduct: false,
    shopifyObject: "gift_card",
    accessDeniedReason: "gift_cards_unavailable",
  },
  /** Shopify's native store credit, credited to the customer's account: Issued when credited, never Used. */
  STORE_CREDIT: {
    codeFormat: "reference",
    hasUsedState: false,
    customerUsesCode: false,
    value: "amount",
    needsProduct: false,
    shopifyObject: "store_credit",
    accessDeniedReason: "missing_access",
  },
} as const satisfies Record<string, RewardKindTraits>;

export type RewardKind = keyof typeof REWARD_KIND_TRAITS;
export const REWARD_KINDS = Object.keys(REWARD_KIND_TRAITS) as readonly RewardKind[];

export function kindTraits(kind: RewardKind): RewardKindTraits {
  return REWARD_KIND_TRAITS[kind];
}

/** Kinds an order can make Used (their code is matched against orders/create). */
export function hasUsedState(kind: RewardKind): boolean {
  return kindTraits(kind).hasUsedState;
}

/** Kinds whose rewards are discounts in Shopify (discount webhooks and reconciliation apply). */
export const DISCOUNT_KINDS: readonly RewardKind[] = REWARD_KINDS.filter((k) => kindTraits(k).shopifyObject === "discount");
