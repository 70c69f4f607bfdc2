// In-memory state of the emulated Shopify shops: customers, code discounts, gift cards and orders,
// plus the merchant/customer actions that happen outside the app (placing an order with a code,
// deactivating or deleting a discount in the admin). Everything time-dependent reads the injectable
// clock, so tests can move time instead of sleeping.
//
// The store enforces only invariants (unique codes, existing shop); Shopify's input validation and
// its userErrors live in the GraphQL layer (graphql/*), which calls these methods once input is valid.
import { randomInt } from "node:crypto";
import { deriveId, refundedShare } from "./order-payload";

// ------------------------------------------------------------------------------------------------
// Clock

export interface Clock {
  now(): Date;
}

/** A clock tests move by hand. */
export interface ManualClock extends Clock {
  set(time: Date | string): void;
  advance(ms: number): void;
}

export function createManualClock(start: Date | string = "2026-11-01T12:00:00Z"): ManualClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (time) => {
      current = new Date(time).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * Real time, shifted and/or sped up: `now = start + (elapsed real time × scale) + offset`. Lets a
 * running app and the emulator see an hour-long token expire without waiting (`advance(3_600_000)`
 * or `scale: 60`). `advance`/`set` move the offset, so it is also a {@link ManualClock}.
 */
export function createScaledClock(options: { scale?: number; offsetMs?: number; real?: () => number } = {}): ManualClock & { readonly scale: number } {
  const scale = options.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`time scale must be a positive number, got ${options.scale}`);
  const real = options.real ?? (() => Date.now());
  const startedAt = real();
  let offset = options.offsetMs ?? 0;
  const now = () => new Date(startedAt + (real() - startedAt) * scale + offset);
  return {
    scale,
    now,
    advance: (ms) => {
      offset += ms;
    },
    set: (time) => {
      offset += new Date(time).getTime() - now().getTime();
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Money: amounts are kept as integer minor units (cents) so sums and percentages don't drift.

export type Cents = number;

/**
 * Shopify's gift card limits: $2,000 USD issued, $10,000 USD purchased "or equivalent in global
 * currencies" (https://shopify.dev/changelog/update-new-maximum-value-for-gift-cards).
 */
export const DEFAULT_GIFT_CARD_LIMITS: { issue: Cents; purchase: Cents } = { issue: 200_000, purchase: 1_000_000 };

/** A shop's gift card limits (GiftCardConfiguration), in cents of its currency. */
export function giftCardLimits(shop: ShopRecord): { issue: Cents; purchase: Cents } {
  return shop.giftCardLimits ?? DEFAULT_GIFT_CARD_LIMITS;
}

/**
 * Store credit: "You can only issue store credit amounting to less than $15,000 USD on a single
 * customer account" (https://help.shopify.com/en/manual/customers/store-credit, considerations);
 * the Admin API's answer is StoreCreditAccountCreditUserErrorCode.CREDIT_LIMIT_EXCEEDED ("The
 * operation would cause the account's credit limit to be exceeded", 2026-10 schema). Taken as the
 * same number in any currency, like the gift card limits (no exchange rates).
 */
export const DEFAULT_STORE_CREDIT_LIMIT: Cents = 1_500_000;

/** The most a shop's store credit account may hold, in cents of the account's currency. */
export function storeCreditLimit(shop: ShopRecord): Cents {
  return shop.storeCreditLimit ?? DEFAULT_STORE_CREDIT_LIMIT;
}

const TAX_RATE = /^(?:0(?:\.\d{1,6})?|1(?:\.0{1,6})?)$/;

/** A tax rate ("0.13") in parts per million; throws unless it is a proportion from 0 to 1. */
export function taxRatePpm(rate: string): number {
  if (!TAX_RATE.test(rate)) throw new Error(`Not a tax rate (a proportion from 0 to 1, at most 6 decimals): ${JSON.stringify(rate)}`);
  const [whole, fraction = ""] = rate.split(".");
  return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, "0"));
}

/** A shop's tax setting: whether prices include tax, the rate (parts per million), and whether shipping is taxed. */
export function shopTaxes(shop: ShopRecord): { included: boolean; rate: string; ppm: number; shipping: boolean } {
  const rate = shop.taxRate ?? "0";
  return { included: shop.taxesIncluded ?? false, rate, ppm: taxRatePpm(rate), shipping: shop.taxShipping ?? false };
}

/** `numerator / denominator` rounded half up, in integers (both non-negative, product below 2^53). */
function divideRounded(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/**
 * The tax on a (discounted) merchandise amount: on top of it at `ppm`, or — when prices include tax —
 * the share of it that is tax, amount × rate / (1 + rate)
 * (https://help.shopify.com/en/manual/taxes/location#include-or-exclude-tax-in-product-prices).
 */
export function taxOn(amount: Cents, ppm: number, included: boolean): Cents {
  if (amount <= 0 || ppm === 0) return 0;
  return included ? divideRounded(amount * ppm, 1_000_000 + ppm) : divideRounded(amount * ppm, 1_000_000);
}

/**
 * A refunded part of an order's line amount (after discounts) carries its share of the line's tax
 * (REST Refund `refund_line_items[].total_tax`, https://shopify.dev/docs/api/admin-rest/latest/resources/refund),
 * and a refunded part of its shipping its share of the shipping's tax (`refund_shipping_lines[].tax_amount_set`,
 * "The tax amount of the refund shipping line": https://shopify.dev/docs/api/admin-graphql/latest/objects/RefundShippingLine).
 * `amount` is a running total of the order's refunds, so each refund's tax is a difference of two
 * shares and the refunds together never carry more tax than the order had.
 */
export function refundedTax(order: OrderRecord, amount: Cents, of: "lines" | "shipping" = "lines"): Cents {
  const base = of === "lines" ? orderLineNet(order) : order.shipping;
  const shippingTax = order.shippingTax ?? 0;
  const tax = of === "lines" ? (order.totalTax ?? 0) - shippingTax : shippingTax;
  return base <= 0 || tax === 0 ? 0 : divideRounded(tax * amount, base);
}

/** What the order's refunds took so far: line amounts, their tax, shipping, its tax and the money paid back. */
export function orderRefunded(order: OrderRecord): { lines: Cents; tax: Cents; shipping: Cents; shippingTax: Cents; paidBack: Cents } {
  const totals = { lines: 0, tax: 0, shipping: 0, shippingTax: 0, paidBack: 0 };
  for (const r of order.refunds ?? []) {
    totals.lines += r.amount;
    totals.tax += r.tax;
    totals.shipping += r.shipping;
    totals.shippingTax += r.shippingTax;
    totals.paidBack += refundPaidBack(order, r);
  }
  return totals;
}

/** The money a refund pays back: its line amount and shipping, plus their tax unless the prices included it. */
export function refundPaidBack(order: OrderRecord, refund: RefundRecord): Cents {
  return refund.amount + refund.shipping + (order.taxesIncluded ? 0 : refund.tax + refund.shippingTax);
}

/**
 * The gateway a refund of the order goes back through: the order's own payment (its last gateway, the
 * one that took what a gift card did not cover). A test order's refund is then a test on its gateway.
 */
export function refundGateway(order: OrderRecord): string {
  return order.paymentGatewayNames.at(-1) ?? "shopify_payments";
}

/** The shipping charged before shipping discount codes (`shipping` is after them). */
export function orderShippingBeforeDiscounts(order: OrderRecord): Cents {
  return order.shipping + order.discountCodes.filter((d) => d.type === "shipping").reduce((sum, d) => sum + toCents(d.amount), 0);
}

/** What the order's line items cost after the merchandise (non-shipping) discount codes. */
export function orderLineNet(order: OrderRecord): Cents {
  return order.subtotal - order.discountCodes.filter((d) => d.type !== "shipping").reduce((sum, d) => sum + toCents(d.amount), 0);
}

/**
 * The line's discount that went with its refunded part. "The total amount discounted on the order
 * after returns and refunds … This includes both order and line level discounts"
 * (Order.currentTotalDiscountsSet, 2026-10 schema): a refunded unit takes its discount allocation
 * with it (LineItem.discountAllocations is per line, spread over its units), so a refund of a share of
 * the line's amount after discounts takes the same share of its discounts, rounded half up. A shipping
 * code's discount stays (it is the shipping's). Exact for a refund of whole units of an evenly
 * allocated discount; the emulator refunds amounts, so a part of a unit is our reading.
 */
export function refundedLineDiscount(order: OrderRecord, refundedLines: Cents): Cents {
  const lineNet = orderLineNet(order);
  return refundedShare(order.subtotal - lineNet, refundedLines, lineNet);
}

/**
 * Units of the order's line still counted after its refunds: "The current sum of the quantities for
 * all line items that contribute to the order's subtotal price, after returns, refunds, order edits,
 * and cancellations" (Order.currentSubtotalLineItemsQuantity, 2026-10 schema). The emulator's refunds
 * are amounts of the line; a unit leaves the count once the refunds cover its whole price after
 * discounts (amount × quantity / line amount, rounded down) — our reading for a part of a unit — and
 * all of them once the order is cancelled.
 */
export function currentLineQuantity(order: OrderRecord, refundedLines: Cents): number {
  const quantity = order.quantity ?? 1;
  const lineNet = orderLineNet(order);
  // A cancelled order's line is cancelled: none of it counts.
  if (order.cancelledAt) return 0;
  if (refundedLines <= 0) return quantity;
  if (lineNet <= 0 || refundedLines >= lineNet) return 0;
  return quantity - Math.floor((refundedLines * quantity) / lineNet);
}

/** Parses a Shopify Decimal ("10", "10.5", 10.25) into cents, rounding half up. Throws on garbage. */
export function toCents(value: string | number): Cents {
  const text = typeof value === "number" ? String(value) : value.trim();
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`Not a decimal amount: ${JSON.stringify(value)}`);
  const [, sign, whole, fraction = ""] = match;
  const padded = (fraction + "000").slice(0, 3);
  let cents = Number(whole) * 100 + Math.floor(Number(padded) / 10);
  if (Number(padded[2]) >= 5) cents += 1;
  return sign === "-" ? -cents : cents;
}

/** Shopify's Decimal output format: "10.0", "10.5", "29.95" (at least one fractional digit). */
export function formatDecimal(cents: Cents): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const fraction = String(abs % 100).padStart(2, "0").replace(/0$/, "");
  return `${sign}${whole}.${fraction || "0"}`;
}

/** Two-decimal format used by REST-style webhook payloads: "29.10". */
export function formatAmount2(cents: Cents): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

// ------------------------------------------------------------------------------------------------
// Records

/** Shopify's rate-limit tiers (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits). */
export type RateLimitPlan = "Standard" | "Advanced" | "Plus" | "Enterprise";

export interface ShopRecord {
  id: string;
  /** The myshopify domain, also the host the app calls: "demo.myshopify.com". */
  domain: string;
  name: string;
  email: string;
  currencyCode: string;
  ianaTimezone: string;
  planDisplayName: string;
  shopifyPlus: boolean;
  partnerDevelopment: boolean;
  rateLimitPlan: RateLimitPlan;
  features: { giftCards: boolean };
  /**
   * GiftCardConfiguration.issueLimit / purchaseLimit, in cents of the shop's currency ("The issue
   * limit for gift cards in the default shop currency", 2026-10 schema). Shopify's limit is $2,000 USD
   * for issued cards and $10,000 USD for purchased ones, "or equivalent in global currencies"
   * (https://shopify.dev/changelog/update-new-maximum-value-for-gift-cards). Optional for snapshots
   * written before it existed: read it with `giftCardLimits(shop)`.
   */
  giftCardLimits?: { issue: Cents; purchase: Cents };
  /**
   * Store credit an account may hold (see DEFAULT_STORE_CREDIT_LIMIT); optional for snapshots written
   * before it existed: read it with `storeCreditLimit(shop)`.
   */
  storeCreditLimit?: Cents;
  /** The offline access token the app must present in X-Shopify-Access-Token. */
  accessToken: string;
  /** Granted access scopes; undefined means "every scope" (access checks off except features). */
  scopes: string[] | undefined;
  /** Set while the app is uninstalled from the shop (token exchange is refused, the token is dead). */
  uninstalledAt: Date | null;
  /** Set once `accessToken` was migrated to an expiring token: the Admin API refuses it from then on. */
  accessTokenMigratedAt?: Date | null;
  /**
   * Whether the app may read customers' names, emails, phones and addresses (protected customer data,
   * Level 2). "redacted": they come back null in Admin API answers and webhook payloads.
   */
  customerPersonalData: "full" | "redacted";
  /**
   * Whether the shop's product prices include tax (Shop.taxesIncluded: "Whether applicable taxes are
   * included in the shop's product prices", 2026-10 schema;
   * https://help.shopify.com/en/manual/taxes/location#include-or-exclude-tax-in-product-prices).
   * Optional for snapshots written before it existed: read it with `shopTaxes(shop)`.
   */
  taxesIncluded?: boolean;
  /**
   * The one tax rate charged on merchandise at the emulated shipping address, a proportion as
   * Shopify's TaxLine.rate ("0.13"; "0" = no tax). Shipping is taxed at it only with `taxShipping`.
   */
  taxRate?: string;
  /**
   * Shop.taxShipping: "Whether the shop charges taxes for shipping" (2026-10 schema); many shops do
   * (https://help.shopify.com/en/manual/taxes/shipping). Optional for older snapshots (false).
   */
  taxShipping?: boolean;
  createdAt: Date;
}

export interface ShopSeed {
  domain: string;
  accessToken: string;
  name?: string;
  email?: string;
  currencyCode?: string;
  ianaTimezone?: string;
  /** Shopify plan name, e.g. "Basic", "Shopify", "Advanced", "Shopify Plus", "Development". */
  planDisplayName?: string;
  /** Rate-limit tier; derived from planDisplayName when omitted. */
  rateLimitPlan?: RateLimitPlan;
  /**
   * ShopFeatures.giftCards (availability depends on the shop's plan and country). Default: true on
   * Shopify Plus only — a deliberately strict default; tests set it per shop.
   */
  giftCards?: boolean;
  /**
   * GiftCardConfiguration.issueLimit as a Decimal in the shop's currency (default "2000.00": $2,000
   * USD, taken as the same number in any currency — the emulator has no exchange rates; seed the
   * equivalent for a shop in another currency).
   */
  giftCardIssueLimit?: string;
  /** The store credit an account may hold, as a Decimal in the shop's currency (default "15000.00"). */
  storeCreditLimit?: string;
  scopes?: string[];
  /** "redacted": the app has no Level 2 protected customer data approval (default "full"). */
  customerPersonalData?: "full" | "redacted";
  /** The shop's prices include tax (default false: tax is added at checkout). */
  taxesIncluded?: boolean;
  /** The tax rate on merchandise, a proportion from "0" to "1" with up to 6 decimals ("0.13"). Default "0": no tax. */
  taxRate?: string;
  /** Shipping is taxed at the same rate (Shop.taxShipping). Default false. */
  taxShipping?: boolean;
}

/**
 * The customer's account with the shop, as the REST Customer resource spells it (`state`,
 * https://shopify.dev/docs/api/admin-rest/latest/resources/customer): "disabled" — no active account
 * (Shopify creates these for guest checkouts and imports); "invited" — an account invite was sent;
 * "enabled" — the customer has created an account; "declined" — the invite was declined. The Admin
 * GraphQL `Customer.state` is the same in capitals (https://shopify.dev/docs/api/admin-graphql/latest/enums/CustomerState).
 */
export type CustomerAccountState = "disabled" | "invited" | "enabled" | "declined";

export interface CustomerRecord {
  id: string;
  legacyId: string;
  shop: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  tags: string[];
  note: string | null;
  numberOfOrders: number;
  amountSpent: Cents;
  lastOrderId: string | null;
  /** Absent in snapshots saved before it existed: read as "enabled" (customerAccountState). */
  state?: CustomerAccountState;
  createdAt: Date;
  updatedAt: Date;
}

/** The customer's account state; a record from an older snapshot has none and was shown as enabled. */
export const customerAccountState = (customer: CustomerRecord): CustomerAccountState => customer.state ?? "enabled";

export interface CustomerSeed {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
  tags?: string[];
  note?: string | null;
  numberOfOrders?: number;
  createdAt?: Date;
  /**
   * The customer's account (default "enabled": the customer signed up). "disabled" is what Shopify
   * creates for a guest checkout or an import; "invited" after the merchant sends an account invite.
   */
  state?: CustomerAccountState;
}

export type DiscountKind = "basic" | "free_shipping";

export type DiscountContext = { kind: "all" } | { kind: "customers"; customerIds: string[] };

export type DiscountValue =
  | { kind: "percentage"; percentage: number }
  | { kind: "amount"; amount: Cents; appliesOnEachItem: boolean };

export type DiscountItems =
  | { kind: "all" }
  | { kind: "products"; productIds: string[]; variantIds: string[] }
  | { kind: "collections"; collectionIds: string[] };

export interface CustomerGets {
  value: DiscountValue;
  items: DiscountItems;
  appliesOnOneTimePurchase: boolean;
  appliesOnSubscription: boolean;
}

export interface FreeShippingSettings {
  destination: { kind: "all" } | { kind: "countries"; countryCodes: string[]; includeRestOfWorld: boolean };
  maximumShippingPrice: Cents | null;
  appliesOnOneTimePurchase: boolean;
  appliesOnSubscription: boolean;
}

export type MinimumRequirement = { kind: "subtotal"; amount: Cents } | { kind: "quantity"; quantity: number } | null;

export interface CombinesWith {
  orderDiscounts: boolean;
  productDiscounts: boolean;
  shippingDiscounts: boolean;
}

export interface RedeemCodeRecord {
  id: string;
  /** The code as the app created it; lookups compare case-insensitively. */
  code: string;
  /** The true number of uses (checkout enforces `usageLimit` with it). */
  asyncUsageCount: number;
  /**
   * Uses not yet reflected in what the Admin API reports (`consistency.asyncUsageCount` on):
   * "This value is updated asynchronously. As a result, it might be lower than the actual usage
   * count until the asynchronous process is completed" (DiscountCodeBasic.asyncUsageCount, 2026-10 schema).
   */
  unreportedUses?: number;
  /** Customer ids (or lower-cased guest emails) that used this code, for appliesOncePerCustomer. */
  usedBy: Set<string>;
}

export interface CodeDiscountRecord {
  id: string;
  numericId: number;
  shop: string;
  kind: DiscountKind;
  title: string;
  codes: RedeemCodeRecord[];
  startsAt: Date;
  endsAt: Date | null;
  usageLimit: number | null;
  appliesOncePerCustomer: boolean;
  context: DiscountContext;
  /** Basic discounts only. */
  customerGets: CustomerGets | null;
  /** Free-shipping discounts only. */
  freeShipping: FreeShippingSettings | null;
  minimumRequirement: MinimumRequirement;
  combinesWith: CombinesWith;
  tags: string[];
  recurringCycleLimit: number | null;
  /** Set by discountCodeDeactivate / the merchant; Shopify then reports status EXPIRED. */
  deactivatedAt: Date | null;
  totalSales: Cents;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewCodeDiscount {
  kind: DiscountKind;
  title: string;
  codes: string[];
  startsAt: Date;
  endsAt?: Date | null;
  usageLimit?: number | null;
  appliesOncePerCustomer?: boolean;
  context?: DiscountContext;
  customerGets?: CustomerGets | null;
  freeShipping?: FreeShippingSettings | null;
  minimumRequirement?: MinimumRequirement;
  combinesWith?: Partial<CombinesWith>;
  tags?: string[];
  recurringCycleLimit?: number | null;
}

export type DiscountStatus = "ACTIVE" | "EXPIRED" | "SCHEDULED";

export interface GiftCardTransactionRecord {
  id: string;
  kind: "debit" | "credit";
  /** Negative for debits, as Shopify reports them. */
  amount: Cents;
  processedAt: Date;
  note: string | null;
  orderId: string | null;
}

export interface GiftCardRecord {
  id: string;
  shop: string;
  /** Stored so orders can redeem it and uniqueness can be checked; never returned after creation. */
  code: string;
  initialValue: Cents;
  balance: Cents;
  currencyCode: string;
  customerId: string | null;
  expiresOn: string | null;
  note: string | null;
  templateSuffix: string | null;
  crossCurrencyRedemptionStrategy: "MARKET_FX" | "NONE" | "SPOT_FX";
  enabled: boolean;
  deactivatedAt: Date | null;
  transactions: GiftCardTransactionRecord[];
  createdAt: Date;
  updatedAt: Date;
}

export interface NewGiftCard {
  initialValue: Cents;
  /** Omit to let the store generate Shopify's random 16-character code. */
  code?: string;
  currencyCode?: string;
  customerId?: string | null;
  expiresOn?: string | null;
  note?: string | null;
  templateSuffix?: string | null;
  crossCurrencyRedemptionStrategy?: "MARKET_FX" | "NONE" | "SPOT_FX";
}

/** A product the shop sells; only what discounts need (existence of product and variant ids). */
export interface ProductRecord {
  id: string;
  shop: string;
  title: string;
  variants: Array<{ id: string; title: string; price: Cents }>;
  createdAt: Date;
}

/** A collection of products; only what discounts need (its id exists, its title). */
export interface CollectionRecord {
  id: string;
  shop: string;
  title: string;
  productIds: string[];
  createdAt: Date;
}

export interface ProductSeed {
  title?: string;
  /** Variant titles and prices (Decimal strings); one "Default Title" variant at 10.00 when omitted. */
  variants?: Array<{ title?: string; price?: string }>;
}

/**
 * A store credit transaction. StoreCreditSystemEvent (2026-10 schema): API credits and debits are
 * ADJUSTMENTs. Debits are reported with a negative amount, like gift card debits.
 */
export interface StoreCreditTransactionRecord {
  id: string;
  kind: "credit" | "debit";
  amount: Cents;
  balanceAfter: Cents;
  /** Credits only: what is left of this credit ("Debit transactions will always spend the soonest expiring credit first"). */
  remaining: Cents;
  expiresAt: Date | null;
  event: "ADJUSTMENT" | "ORDER_PAYMENT";
  createdAt: Date;
}

/** "Store credit accounts are currency-specific. A single owner can have multiple accounts" (storeCreditAccountCredit, 2026-10 schema). */
export interface StoreCreditAccountRecord {
  id: string;
  shop: string;
  /** gid://shopify/Customer/… */
  ownerId: string;
  currencyCode: string;
  balance: Cents;
  transactions: StoreCreditTransactionRecord[];
  createdAt: Date;
}

/** One entry of an order's discount_codes, in the REST/webhook shape. */
export interface AppliedDiscountCode {
  code: string;
  /** REST-style decimal string with two digits, e.g. "10.00". */
  amount: string;
  type: "percentage" | "fixed_amount" | "shipping";
  discountId: string;
}

export interface OrderRecord {
  id: string;
  /** Numeric REST id as a string: it exceeds 2^53 like Shopify's sample ids. */
  legacyId: string;
  shop: string;
  name: string;
  orderNumber: number;
  customerId: string | null;
  email: string | null;
  discountCodes: AppliedDiscountCode[];
  currencyCode: string;
  subtotal: Cents;
  shipping: Cents;
  totalDiscounts: Cents;
  /**
   * All the order's tax — the line items' (after discounts) and the shipping's (`shippingTax`): added
   * to `total`, or — `taxesIncluded` — already inside the line prices, `subtotal` and `shipping` (then
   * `total` = subtotal − discounts + shipping). Optional for snapshots written before taxes existed (no tax).
   */
  totalTax?: Cents;
  /**
   * The shipping's own tax, part of `totalTax` (REST `shipping_lines[].tax_lines`: "A list of tax line
   * objects, each of which details a tax applicable to this shipping line",
   * https://shopify.dev/docs/api/admin-rest/latest/resources/order). Optional for older snapshots (0).
   */
  shippingTax?: Cents;
  /** The shop's setting when the order was placed (Order.taxesIncluded); optional like `totalTax`. */
  taxesIncluded?: boolean;
  /** The rate charged ("0.13"), for the order's tax lines; optional like `totalTax`. */
  taxRate?: string;
  /** Items bought (Order.subtotalLineItemsQuantity); optional for older snapshots (1). */
  quantity?: number;
  total: Cents;
  giftCardPayments: Array<{ giftCardId: string; amount: Cents }>;
  paymentGatewayNames: string[];
  test: boolean;
  sourceName: string;
  financialStatus: "paid";
  createdAt: Date;
  /** The order's refunds (refundOrder), in the order made; optional for older snapshots (none). */
  refunds?: RefundRecord[];
  /** When the merchant canceled it (cancelOrder); null/absent while it is not canceled. */
  cancelledAt?: Date | null;
  /** Why (OrderCancelReason), set with `cancelledAt`. */
  cancelReason?: OrderCancelReason | null;
}

/** OrderCancelReason (2026-10 schema). */
export type OrderCancelReason = "CUSTOMER" | "DECLINED" | "FRAUD" | "INVENTORY" | "OTHER" | "STAFF";
export const ORDER_CANCEL_REASONS: readonly OrderCancelReason[] = ["CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF"];

/** A refund of part of an order's one line and/or its shipping (refunds/create, Order.refunds). */
export interface RefundRecord {
  /** gid://shopify/Refund/<legacyId> */
  id: string;
  legacyId: string;
  /** The caller's number for it: the same `seq` again is the same refund. */
  seq: number;
  /** Refunded line amount after discounts (tax inside when the order's prices include it). */
  amount: Cents;
  /** Its share of the line's tax. */
  tax: Cents;
  /** Refunded shipping, priced like the order's shipping (tax inside when the prices include it). */
  shipping: Cents;
  /** Its share of the shipping's tax. */
  shippingTax: Cents;
  createdAt: Date;
}

export interface PlaceOrderInput {
  customerId: string | null;
  codes: string[];
  /** Order subtotal before discounts, Decimal string (tax included when the shop's prices include tax). Default "100.00". */
  subtotal?: string;
  /** Shipping price, used for free-shipping codes. Default "10.00". */
  shippingPrice?: string;
  /** Total quantity of items, checked against quantity minimums. Default 1. */
  quantity?: number;
  /** Guest email; defaults to the customer's email. */
  email?: string | null;
  /**
   * Default false: a storefront order is a real order, paid with a real gateway (Shopify Payments);
   * true = paid with the Bogus Gateway, a test order (REST Order `test`: "Whether this is a test
   * order", https://shopify.dev/docs/api/admin-rest/latest/resources/order).
   */
  test?: boolean;
  sourceName?: string;
  /** Pay (part of) the order with a gift card, identified by its code. Amount defaults to the rest due. */
  giftCardPayment?: { code: string; amount?: string };
}

export type OrderRejectionReason =
  | "unknown_shop"
  | "unknown_customer"
  | "code_not_found"
  | "duplicate_code"
  | "discount_deactivated"
  | "discount_expired"
  | "discount_scheduled"
  | "usage_limit_reached"
  | "customer_not_eligible"
  | "already_used_by_customer"
  | "minimum_not_met"
  | "gift_card_currency_mismatch"
  | "gift_card_not_found"
  | "gift_card_disabled"
  | "gift_card_expired"
  | "gift_card_insufficient_balance";

/** Thrown by placeOrder when checkout would refuse the order (nothing is changed). */
export class OrderRejectedError extends Error {
  readonly reason: OrderRejectionReason;
  readonly code: string | undefined;
  constructor(reason: OrderRejectionReason, message: string, code?: string) {
    super(message);
    this.name = "OrderRejectedError";
    this.reason = reason;
    this.code = code;
  }
}

/** Thrown when a store invariant would break (unknown shop, duplicate code). */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreError";
  }
}

// Events let other parts of the emulator (webhook sender, UI) react without the store knowing them.
export type StoreEvent =
  | { type: "discount.created"; shop: string; discount: CodeDiscountRecord }
  | { type: "discount.updated"; shop: string; discount: CodeDiscountRecord; change: "deactivated" | "activated" | "usage" }
  | { type: "discount.deleted"; shop: string; discount: CodeDiscountRecord }
  | { type: "gift_card.created"; shop: string; giftCard: GiftCardRecord }
  | { type: "gift_card.updated"; shop: string; giftCard: GiftCardRecord; change: "deactivated" | "debited" }
  | { type: "customer.created"; shop: string; customer: CustomerRecord }
  | { type: "order.created"; shop: string; order: OrderRecord };

/**
 * Who made a change: `app` for the Admin API (the app's own mutations), undefined for everything
 * else (a merchant action in Shopify's admin, a checkout, a test seeding the store).
 */
export type ChangeOrigin = "app" | undefined;

export type StoreListener = (event: StoreEvent, origin: ChangeOrigin) => void;

/** What a merchant action changed, so the caller can emit webhooks. */
export interface DiscountChange {
  before: CodeDiscountRecord;
  after: CodeDiscountRecord;
  changed: boolean;
}

// ------------------------------------------------------------------------------------------------

interface ShopState {
  shop: ShopRecord;
  customers: Map<string, CustomerRecord>;
  discounts: Map<string, CodeDiscountRecord>;
  deletedDiscounts: CodeDiscountRecord[];
  giftCards: Map<string, GiftCardRecord>;
  orders: Map<string, OrderRecord>;
  products: Map<string, ProductRecord>;
  collections: Map<string, CollectionRecord>;
  storeCreditAccounts: Map<string, StoreCreditAccountRecord>;
  /** Expiring offline access tokens handed out (token exchange with expiring=1, refresh grant): emulator/src/oauth.ts. */
  expiringTokens: Map<string, ExpiringAccessTokenRecord>;
  /** Refresh tokens handed out with them, keyed by token. */
  refreshTokens: Map<string, RefreshTokenRecord>;
  /** Non-expiring tokens migrated to expiring ones, keyed by the original token: emulator/src/oauth.ts. */
  tokenMigrations: Map<string, TokenMigrationRecord>;
}

/** A non-expiring offline token exchanged for an expiring pair (retryable for 7 days; emulator/src/oauth.ts). */
export interface TokenMigrationRecord {
  at: Date;
  accessToken: string;
  refreshToken: string;
  /** A later token acquisition replaced the pair: a retry with the original token is refused. */
  superseded: boolean;
}

/** An expiring offline access token (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens). */
export interface ExpiringAccessTokenRecord {
  token: string;
  expiresAt: Date;
  scopes: string[] | undefined;
}

/** A refresh token of an expiring offline access token; see emulator/src/oauth.ts for its rotation rules. */
export interface RefreshTokenRecord {
  token: string;
  expiresAt: Date;
  /** The refresh token whose use issued this one (null: issued by token exchange). */
  parent: string | null;
  /** First time the app used it (the recovery window counts from here). */
  firstUsedAt: Date | null;
  /** The replacement its latest use issued; using that replacement retires this token. */
  replacement: string | null;
  retired: boolean;
}

export interface StoreOptions {
  /** Injectable clock; defaults to the system time. */
  now?: () => Date;
}

const ORDER_ID_BASE = 820982911946154508n;
const GIFT_CARD_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

function rateLimitPlanFor(planDisplayName: string): RateLimitPlan {
  const plan = planDisplayName.toLowerCase();
  if (plan.includes("enterprise") || plan.includes("commerce components")) return "Enterprise";
  if (plan.includes("plus")) return "Plus";
  if (plan.includes("advanced")) return "Advanced";
  return "Standard";
}

function cloneDiscount(discount: CodeDiscountRecord): CodeDiscountRecord {
  return structuredClone(discount);
}

/** Case-insensitive code key; Shopify treats "SAVE10" and "save10" as the same code. */
export function codeKey(code: string): string {
  return code.trim().toLowerCase();
}

export class EmulatorStore {
  private readonly shops = new Map<string, ShopState>();
  private readonly listeners = new Set<StoreListener>();
  private readonly clockFn: () => Date;
  // Shopify ids are global across shops, so the counters are too.
  private counters = { shop: 0, customer: 0, discount: 0, redeemCode: 0, giftCard: 0, giftCardTx: 0, order: 0, product: 0, variant: 0, storeCredit: 0, storeCreditTx: 0, collection: 0 };

  constructor(options: StoreOptions = {}) {
    this.clockFn = options.now ?? (() => new Date());
  }

  now(): Date {
    return new Date(this.clockFn().getTime());
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private origin: ChangeOrigin = undefined;

  /**
   * Eventual consistency, off by default; tests that exercise recovery turn it on. While on, a new
   * gift card is missing from `giftCards(query:)` and new uses are missing from `asyncUsageCount`
   * until `catchUp()` — Shopify's search index and usage counter are updated asynchronously and
   * promise no read-after-write (asyncUsageCount: "updated asynchronously … might be lower than the
   * actual usage count", 2026-10 schema). Reads by id (`giftCard(id:)`, `node`) are not affected.
   */
  readonly consistency = { giftCardSearch: false, asyncUsageCount: false };
  private readonly unindexedGiftCards = new Set<string>();

  /** Whether `giftCards(query:)` can see the card yet (see `consistency`). */
  isGiftCardSearchable(id: string): boolean {
    return !this.unindexedGiftCards.has(id);
  }

  /** The asynchronous processes finish: every card searchable, every use counted. */
  catchUp(): void {
    this.unindexedGiftCards.clear();
    for (const state of this.shops.values()) {
      for (const discount of state.discounts.values()) for (const code of discount.codes) code.unreportedUses = 0;
    }
  }

  /** Runs `change` (synchronously) as the app's own Admin API change; listeners are told so. */
  asApp<T>(change: () => T): T {
    const previous = this.origin;
    this.origin = "app";
    try {
      return change();
    } finally {
      this.origin = previous;
    }
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event, this.origin);
  }

  /** Forgets every shop and resets id counters. */
  reset(): void {
    this.shops.clear();
    this.counters = { shop: 0, customer: 0, discount: 0, redeemCode: 0, giftCard: 0, giftCardTx: 0, order: 0, product: 0, variant: 0, storeCredit: 0, storeCreditTx: 0, collection: 0 };
  }

  // ---- persistence (the offline demo keeps its shop across restarts) ------------------------------

  /**
   * Everything the store holds, as JSON-safe data: the id counters and every shop's collections,
   * walked generically (Maps, Sets, Dates and bigints are tagged), so a collection added to a shop's
   * state later is saved without changing this method. Listeners and the clock are not state.
   */
  serialize(): StoreSnapshot {
    return { version: 1, counters: encodeValue(this.counters), shops: encodeValue(this.shops) } as StoreSnapshot;
  }

  /**
   * Replaces the store's contents with a snapshot from {@link serialize}. A shop state missing a
   * collection (a snapshot from before that collection existed) gets it empty.
   */
  restore(snapshot: StoreSnapshot): void {
    if (!snapshot || snapshot.version !== 1) throw new StoreError("Not an emulator store snapshot (version 1)");
    const shops = decodeValue(snapshot.shops);
    if (!(shops instanceof Map)) throw new StoreError("Snapshot has no shops map");
    const template = new EmulatorStore();
    const fresh = () => {
      template.reset();
      template.addShop({ domain: "template.myshopify.com", accessToken: "template" });
      return template.shops.get("template.myshopify.com")!;
    };
    this.shops.clear();
    for (const [domain, state] of shops as Map<string, ShopState>) this.shops.set(domain, { ...fresh(), ...state });
    const initial = new EmulatorStore().counters;
    this.counters = { ...initial, ...(decodeValue(snapshot.counters) as Partial<typeof initial>) };
  }

  // ---- shops ------------------------------------------------------------------------------------

  addShop(seed: ShopSeed): ShopRecord {
    const domain = seed.domain.toLowerCase();
    if (this.shops.has(domain)) throw new StoreError(`Shop ${domain} already exists`);
    const planDisplayName = seed.planDisplayName ?? "Shopify";
    const shopifyPlus = /plus/i.test(planDisplayName);
    const shop: ShopRecord = {
      id: `gid://shopify/Shop/${++this.counters.shop}`,
      domain,
      name: seed.name ?? domain.replace(/\.myshopify\.com$/, ""),
      email: seed.email ?? `owner@${domain}`,
      currencyCode: seed.currencyCode ?? "EUR",
      ianaTimezone: seed.ianaTimezone ?? "Europe/Amsterdam",
      planDisplayName,
      shopifyPlus,
      partnerDevelopment: /development/i.test(planDisplayName),
      rateLimitPlan: seed.rateLimitPlan ?? rateLimitPlanFor(planDisplayName),
      features: { giftCards: seed.giftCards ?? shopifyPlus },
      giftCardLimits: { issue: toCents(seed.giftCardIssueLimit ?? "2000.00"), purchase: DEFAULT_GIFT_CARD_LIMITS.purchase },
      storeCreditLimit: seed.storeCreditLimit === undefined ? DEFAULT_STORE_CREDIT_LIMIT : toCents(seed.storeCreditLimit),
      accessToken: seed.accessToken,
      scopes: seed.scopes,
      uninstalledAt: null,
      customerPersonalData: seed.customerPersonalData ?? "full",
      taxesIncluded: seed.taxesIncluded ?? false,
      taxRate: seed.taxRate ?? "0",
      taxShipping: seed.taxShipping ?? false,
      createdAt: this.now(),
    };
    taxRatePpm(shop.taxRate!);
    this.shops.set(domain, {
      shop,
      customers: new Map(),
      discounts: new Map(),
      deletedDiscounts: [],
      giftCards: new Map(),
      orders: new Map(),
      products: new Map(),
      collections: new Map(),
      storeCreditAccounts: new Map(),
      expiringTokens: new Map(),
      refreshTokens: new Map(),
      tokenMigrations: new Map(),
    });
    return shop;
  }

  getShop(domain: string): ShopRecord | undefined {
    return this.shops.get(domain.toLowerCase())?.shop;
  }

  listShops(): ShopRecord[] {
    return [...this.shops.values()].map((state) => state.shop);
  }

  /** Change shop settings at runtime (e.g. turn gift cards off, rotate the token). */
  updateShop(domain: string, patch: Partial<Omit<ShopRecord, "id" | "domain">>): ShopRecord {
    const state = this.state(domain);
    Object.assign(state.shop, patch);
    return state.shop;
  }

  /** The shop's expiring offline tokens and refresh tokens (emulator/src/oauth.ts keeps their rules). */
  offlineTokens(domain: string): {
    access: Map<string, ExpiringAccessTokenRecord>;
    refresh: Map<string, RefreshTokenRecord>;
    migrations: Map<string, TokenMigrationRecord>;
  } {
    const state = this.state(domain);
    return { access: state.expiringTokens, refresh: state.refreshTokens, migrations: state.tokenMigrations };
  }

  private state(domain: string): ShopState {
    const state = this.shops.get(domain.toLowerCase());
    if (!state) throw new StoreError(`Unknown shop ${domain}`);
    return state;
  }

  // ---- customers --------------------------------------------------------------------------------

  addCustomer(shop: string, seed: CustomerSeed = {}): CustomerRecord {
    const state = this.state(shop);
    const n = ++this.counters.customer;
    const createdAt = seed.createdAt ?? this.now();
    const customer: CustomerRecord = {
      id: `gid://shopify/Customer/${n}`,
      legacyId: String(n),
      shop: state.shop.domain,
      firstName: seed.firstName ?? null,
      lastName: seed.lastName ?? null,
      email: seed.email ?? null,
      phone: seed.phone ?? null,
      tags: seed.tags ?? [],
      note: seed.note ?? null,
      numberOfOrders: seed.numberOfOrders ?? 0,
      amountSpent: 0,
      lastOrderId: null,
      state: seed.state ?? "enabled",
      createdAt,
      updatedAt: createdAt,
    };
    state.customers.set(customer.id, customer);
    this.emit({ type: "customer.created", shop: state.shop.domain, customer });
    return customer;
  }

  /**
   * The customer's account changes state (they activate an account, the merchant sends an invite or
   * disables it): `updatedAt` moves to now. Null when there is no such customer.
   */
  setCustomerState(shop: string, id: string, accountState: CustomerAccountState): CustomerRecord | null {
    const customer = this.state(shop).customers.get(id);
    if (!customer) return null;
    customer.state = accountState;
    customer.updatedAt = this.now();
    return customer;
  }

  getCustomer(shop: string, id: string): CustomerRecord | undefined {
    return this.state(shop).customers.get(id);
  }

  /** Customers in id order (Shopify's default sort). */
  listCustomers(shop: string): CustomerRecord[] {
    return [...this.state(shop).customers.values()];
  }

  // ---- discounts --------------------------------------------------------------------------------

  /**
   * Status as Shopify derives it: EXPIRED once endsAt has passed (or after deactivation, which sets
   * endsAt to the deactivation time), SCHEDULED before startsAt, otherwise ACTIVE.
   */
  discountStatus(discount: CodeDiscountRecord, at: Date = this.now()): DiscountStatus {
    if (discount.deactivatedAt) return "EXPIRED";
    if (discount.endsAt && discount.endsAt.getTime() <= at.getTime()) return "EXPIRED";
    if (discount.startsAt.getTime() > at.getTime()) return "SCHEDULED";
    return "ACTIVE";
  }

  /** True when a code discount of the shop already has `code` (case-insensitive). Gift card codes are a separate namespace. */
  isDiscountCodeTaken(shop: string, code: string): boolean {
    return this.findDiscountByCode(shop, code) !== undefined;
  }

  findDiscountByCode(shop: string, code: string): { discount: CodeDiscountRecord; redeemCode: RedeemCodeRecord } | undefined {
    const key = codeKey(code);
    for (const discount of this.state(shop).discounts.values()) {
      const redeemCode = discount.codes.find((c) => codeKey(c.code) === key);
      if (redeemCode) return { discount, redeemCode };
    }
    return undefined;
  }

  getDiscount(shop: string, id: string): CodeDiscountRecord | undefined {
    return this.state(shop).discounts.get(id);
  }

  /** Accepts DiscountCodeNode and DiscountNode GIDs (same number). */
  getDiscountByAnyId(shop: string, id: string): CodeDiscountRecord | undefined {
    const match = /^gid:\/\/shopify\/(?:DiscountCodeNode|DiscountNode)\/(\d+)$/.exec(id);
    return match ? this.getDiscount(shop, `gid://shopify/DiscountCodeNode/${match[1]}`) : undefined;
  }

  listDiscounts(shop: string): CodeDiscountRecord[] {
    return [...this.state(shop).discounts.values()];
  }

  listDeletedDiscounts(shop: string): CodeDiscountRecord[] {
    return [...this.state(shop).deletedDiscounts];
  }

  createCodeDiscount(shop: string, input: NewCodeDiscount): CodeDiscountRecord {
    const state = this.state(shop);
    const seen = new Set<string>();
    for (const code of input.codes) {
      const key = codeKey(code);
      if (!key) throw new StoreError("Discount codes must not be blank");
      if (seen.has(key) || this.isDiscountCodeTaken(shop, code)) throw new StoreError(`Code ${code} is already taken`);
      seen.add(key);
    }
    if (input.codes.length === 0) throw new StoreError("A code discount needs at least one code");
    const now = this.now();
    const numericId = ++this.counters.discount;
    const discount: CodeDiscountRecord = {
      id: `gid://shopify/DiscountCodeNode/${numericId}`,
      numericId,
      shop: state.shop.domain,
      kind: input.kind,
      title: input.title,
      codes: input.codes.map((code) => ({
        id: `gid://shopify/DiscountRedeemCode/${++this.counters.redeemCode}`,
        code: code.trim(),
        asyncUsageCount: 0,
        usedBy: new Set<string>(),
      })),
      startsAt: input.startsAt,
      endsAt: input.endsAt ?? null,
      usageLimit: input.usageLimit ?? null,
      appliesOncePerCustomer: input.appliesOncePerCustomer ?? false,
      context: input.context ?? { kind: "all" },
      customerGets: input.kind === "basic" ? (input.customerGets ?? null) : null,
      freeShipping:
        input.kind === "free_shipping"
          ? (input.freeShipping ?? {
              destination: { kind: "all" },
              maximumShippingPrice: null,
              appliesOnOneTimePurchase: true,
              appliesOnSubscription: false,
            })
          : null,
      minimumRequirement: input.minimumRequirement ?? null,
      combinesWith: {
        orderDiscounts: input.combinesWith?.orderDiscounts ?? false,
        productDiscounts: input.combinesWith?.productDiscounts ?? false,
        shippingDiscounts: input.combinesWith?.shippingDiscounts ?? false,
      },
      tags: input.tags ?? [],
      recurringCycleLimit: input.recurringCycleLimit ?? null,
      deactivatedAt: null,
      totalSales: 0,
      createdAt: now,
      updatedAt: now,
    };
    state.discounts.set(discount.id, discount);
    this.emit({ type: "discount.created", shop: state.shop.domain, discount });
    return discount;
  }

  /**
   * Deactivates like the admin's "Deactivate" button and discountCodeDeactivate: endsAt becomes now,
   * so the discount reads EXPIRED. Deactivating an already-expired discount changes nothing.
   */
  deactivateDiscount(shop: string, id: string): DiscountChange | undefined {
    const discount = this.getDiscountByAnyId(shop, id);
    if (!discount) return undefined;
    const before = cloneDiscount(discount);
    const now = this.now();
    if (this.discountStatus(discount, now) === "EXPIRED" && discount.deactivatedAt) {
      return { before, after: discount, changed: false };
    }
    discount.deactivatedAt = now;
    if (!discount.endsAt || discount.endsAt.getTime() > now.getTime()) discount.endsAt = now;
    discount.updatedAt = now;
    this.emit({ type: "discount.updated", shop: discount.shop, discount, change: "deactivated" });
    return { before, after: discount, changed: true };
  }

  /** discountCodeActivate: clears a past end date and starts a scheduled discount now. */
  activateDiscount(shop: string, id: string): DiscountChange | undefined {
    const discount = this.getDiscountByAnyId(shop, id);
    if (!discount) return undefined;
    const before = cloneDiscount(discount);
    const now = this.now();
    if (this.discountStatus(discount, now) === "ACTIVE") return { before, after: discount, changed: false };
    if (discount.endsAt && discount.endsAt.getTime() <= now.getTime()) discount.endsAt = null;
    if (discount.startsAt.getTime() > now.getTime()) discount.startsAt = now;
    discount.deactivatedAt = null;
    discount.updatedAt = now;
    this.emit({ type: "discount.updated", shop: discount.shop, discount, change: "activated" });
    return { before, after: discount, changed: true };
  }

  /** Permanently deletes; returns the deleted record (undefined if it did not exist). */
  deleteDiscount(shop: string, id: string): CodeDiscountRecord | undefined {
    const state = this.state(shop);
    const discount = this.getDiscountByAnyId(shop, id);
    if (!discount) return undefined;
    state.discounts.delete(discount.id);
    state.deletedDiscounts.push(discount);
    this.emit({ type: "discount.deleted", shop: state.shop.domain, discount });
    return discount;
  }

  // ---- gift cards -------------------------------------------------------------------------------

  isGiftCardCodeTaken(shop: string, code: string): boolean {
    return this.findGiftCardByCode(shop, code) !== undefined;
  }

  findGiftCardByCode(shop: string, code: string): GiftCardRecord | undefined {
    const key = codeKey(code);
    for (const card of this.state(shop).giftCards.values()) if (codeKey(card.code) === key) return card;
    return undefined;
  }

  getGiftCard(shop: string, id: string): GiftCardRecord | undefined {
    return this.state(shop).giftCards.get(id);
  }

  listGiftCards(shop: string): GiftCardRecord[] {
    return [...this.state(shop).giftCards.values()];
  }

  /** Shopify's generated codes: 16 random lower-case letters and digits. */
  generateGiftCardCode(shop: string): string {
    for (;;) {
      let code = "";
      for (let i = 0; i < 16; i++) code += GIFT_CARD_ALPHABET[randomInt(GIFT_CARD_ALPHABET.length)];
      if (!this.isGiftCardCodeTaken(shop, code)) return code;
    }
  }

  /** Creates a gift card; the returned `code` is the only time the full code leaves the store. */
  createGiftCard(shop: string, input: NewGiftCard): { giftCard: GiftCardRecord; code: string } {
    const state = this.state(shop);
    const code = input.code?.trim() || this.generateGiftCardCode(shop);
    if (this.isGiftCardCodeTaken(shop, code)) throw new StoreError(`Gift card code ${code} is already taken`);
    const now = this.now();
    const currencyCode = input.currencyCode ?? state.shop.currencyCode;
    const giftCard: GiftCardRecord = {
      id: `gid://shopify/GiftCard/${++this.counters.giftCard}`,
      shop: state.shop.domain,
      code,
      initialValue: input.initialValue,
      balance: input.initialValue,
      currencyCode,
      customerId: input.customerId ?? null,
      expiresOn: input.expiresOn ?? null,
      note: input.note ?? null,
      templateSuffix: input.templateSuffix ?? null,
      // GiftCardCreateInput.crossCurrencyRedemptionStrategy (2026-10 schema): "When not provided,
      // defaults to `MARKET_FX` for gift cards issued in the shop's currency, and `NONE` for gift
      // cards issued in a different currency."
      crossCurrencyRedemptionStrategy: input.crossCurrencyRedemptionStrategy ?? (currencyCode === state.shop.currencyCode ? "MARKET_FX" : "NONE"),
      enabled: true,
      deactivatedAt: null,
      transactions: [],
      createdAt: now,
      updatedAt: now,
    };
    state.giftCards.set(giftCard.id, giftCard);
    if (this.consistency.giftCardSearch) this.unindexedGiftCards.add(giftCard.id);
    this.emit({ type: "gift_card.created", shop: state.shop.domain, giftCard });
    return { giftCard, code };
  }

  /** Permanent, like Shopify ("A deactivated gift card cannot be re-enabled"). Idempotent. */
  deactivateGiftCard(shop: string, id: string): GiftCardRecord | undefined {
    const card = this.getGiftCard(shop, id);
    if (!card) return undefined;
    if (card.enabled) {
      const now = this.now();
      card.enabled = false;
      card.deactivatedAt = now;
      card.updatedAt = now;
      this.emit({ type: "gift_card.updated", shop: card.shop, giftCard: card, change: "deactivated" });
    }
    return card;
  }

  isGiftCardExpired(card: GiftCardRecord, at: Date = this.now()): boolean {
    // expiresOn is a date: the card works through that whole day (UTC in the emulator).
    return card.expiresOn !== null && at.toISOString().slice(0, 10) > card.expiresOn;
  }

  // ---- products ---------------------------------------------------------------------------------

  addProduct(shop: string, seed: ProductSeed = {}): ProductRecord {
    const state = this.state(shop);
    const variants = (seed.variants ?? [{}]).map((v) => ({
      id: `gid://shopify/ProductVariant/${++this.counters.variant}`,
      title: v.title ?? "Default Title",
      price: toCents(v.price ?? "10.00"),
    }));
    const product: ProductRecord = {
      id: `gid://shopify/Product/${++this.counters.product}`,
      shop: state.shop.domain,
      title: seed.title ?? `Product ${this.counters.product}`,
      variants,
      createdAt: this.now(),
    };
    state.products.set(product.id, product);
    return product;
  }

  getProduct(shop: string, id: string): ProductRecord | undefined {
    return this.state(shop).products.get(id);
  }

  addCollection(shop: string, seed: { title?: string; productIds?: string[] } = {}): CollectionRecord {
    const state = this.state(shop);
    const collection: CollectionRecord = {
      id: `gid://shopify/Collection/${++this.counters.collection}`,
      shop: state.shop.domain,
      title: seed.title ?? `Collection ${this.counters.collection}`,
      productIds: [...(seed.productIds ?? [])],
      createdAt: this.now(),
    };
    state.collections.set(collection.id, collection);
    return collection;
  }

  getCollection(shop: string, id: string): CollectionRecord | undefined {
    return this.state(shop).collections.get(id);
  }

  findVariant(shop: string, id: string): { product: ProductRecord; variant: ProductRecord["variants"][number] } | undefined {
    for (const product of this.state(shop).products.values()) {
      const variant = product.variants.find((v) => v.id === id);
      if (variant) return { product, variant };
    }
    return undefined;
  }

  // ---- store credit -----------------------------------------------------------------------------

  listStoreCreditAccounts(shop: string, ownerId: string): StoreCreditAccountRecord[] {
    return [...this.state(shop).storeCreditAccounts.values()].filter((a) => a.ownerId === ownerId);
  }

  getStoreCreditAccount(shop: string, id: string): StoreCreditAccountRecord | undefined {
    return this.state(shop).storeCreditAccounts.get(id);
  }

  findStoreCreditTransaction(shop: string, id: string): { account: StoreCreditAccountRecord; transaction: StoreCreditTransactionRecord } | undefined {
    for (const account of this.state(shop).storeCreditAccounts.values()) {
      const transaction = account.transactions.find((t) => t.id === id);
      if (transaction) return { account, transaction };
    }
    return undefined;
  }

  /**
   * Credits an owner's account in `currencyCode`, creating the account if needed ("it automatically
   * creates an account if one doesn't exist for the specified currency", storeCreditAccountCredit).
   */
  creditStoreCredit(shop: string, input: { ownerId: string; amount: Cents; currencyCode: string; expiresAt: Date | null }): StoreCreditTransactionRecord {
    const state = this.state(shop);
    let account = this.listStoreCreditAccounts(shop, input.ownerId).find((a) => a.currencyCode === input.currencyCode);
    if (!account) {
      account = {
        id: `gid://shopify/StoreCreditAccount/${++this.counters.storeCredit}`,
        shop: state.shop.domain,
        ownerId: input.ownerId,
        currencyCode: input.currencyCode,
        balance: 0,
        transactions: [],
        createdAt: this.now(),
      };
      state.storeCreditAccounts.set(account.id, account);
    }
    return this.creditAccount(account, input.amount, input.expiresAt);
  }

  creditAccount(account: StoreCreditAccountRecord, amount: Cents, expiresAt: Date | null): StoreCreditTransactionRecord {
    account.balance += amount;
    const transaction: StoreCreditTransactionRecord = {
      id: `gid://shopify/StoreCreditAccountCreditTransaction/${++this.counters.storeCreditTx}`,
      kind: "credit",
      amount,
      balanceAfter: account.balance,
      remaining: amount,
      expiresAt,
      event: "ADJUSTMENT",
      createdAt: this.now(),
    };
    account.transactions.push(transaction);
    return transaction;
  }

  /**
   * Debits an account; undefined when the balance doesn't cover it (Shopify: INSUFFICIENT_FUNDS).
   * "Debit transactions will always spend the soonest expiring credit first" (StoreCreditAccountCreditTransaction.expiresAt).
   */
  debitStoreCredit(shop: string, accountId: string, amount: Cents, event: "ADJUSTMENT" | "ORDER_PAYMENT" = "ADJUSTMENT"): StoreCreditTransactionRecord | undefined {
    const account = this.getStoreCreditAccount(shop, accountId);
    if (!account || account.balance < amount) return undefined;
    let left = amount;
    const credits = account.transactions
      .filter((t) => t.kind === "credit" && t.remaining > 0)
      .sort((a, b) => (a.expiresAt?.getTime() ?? Infinity) - (b.expiresAt?.getTime() ?? Infinity));
    for (const credit of credits) {
      const take = Math.min(credit.remaining, left);
      credit.remaining -= take;
      left -= take;
      if (left === 0) break;
    }
    account.balance -= amount;
    const transaction: StoreCreditTransactionRecord = {
      id: `gid://shopify/StoreCreditAccountDebitTransaction/${++this.counters.storeCreditTx}`,
      kind: "debit",
      amount: -amount,
      balanceAfter: account.balance,
      remaining: 0,
      expiresAt: null,
      event,
      createdAt: this.now(),
    };
    account.transactions.push(transaction);
    return transaction;
  }

  // ---- orders -----------------------------------------------------------------------------------

  getOrder(shop: string, id: string): OrderRecord | undefined {
    return this.state(shop).orders.get(id);
  }

  listOrders(shop: string): OrderRecord[] {
    return [...this.state(shop).orders.values()];
  }

  /**
   * A customer checks out with discount codes (and optionally a gift card). Checks every code first
   * and changes nothing when one is refused, like checkout rejecting the code before payment.
   */
  placeOrder(shop: string, input: PlaceOrderInput): OrderRecord {
    const state = this.shops.get(shop.toLowerCase());
    if (!state) throw new OrderRejectedError("unknown_shop", `Unknown shop ${shop}`);
    const now = this.now();
    const customer = input.customerId ? state.customers.get(input.customerId) : undefined;
    if (input.customerId && !customer) {
      throw new OrderRejectedError("unknown_customer", `Customer ${input.customerId} does not exist in ${shop}`);
    }
    const email = input.email ?? customer?.email ?? null;
    const buyerKey = customer?.id ?? (email ? `email:${email.toLowerCase()}` : null);
    const subtotal = toCents(input.subtotal ?? "100.00");
    const shippingPrice = toCents(input.shippingPrice ?? "10.00");
    const quantity = input.quantity ?? 1;

    const seen = new Set<string>();
    const applications: Array<{ discount: CodeDiscountRecord; redeemCode: RedeemCodeRecord }> = [];
    for (const entered of input.codes) {
      const key = codeKey(entered);
      if (seen.has(key)) throw new OrderRejectedError("duplicate_code", `Code ${entered} entered twice`, entered);
      seen.add(key);
      const found = this.findDiscountByCode(shop, entered);
      if (!found) throw new OrderRejectedError("code_not_found", `Discount code ${entered} does not exist`, entered);
      const { discount, redeemCode } = found;
      const status = this.discountStatus(discount, now);
      if (discount.deactivatedAt && status === "EXPIRED") {
        throw new OrderRejectedError("discount_deactivated", `Discount code ${entered} was deactivated`, entered);
      }
      if (status === "EXPIRED") throw new OrderRejectedError("discount_expired", `Discount code ${entered} has expired`, entered);
      if (status === "SCHEDULED") {
        throw new OrderRejectedError("discount_scheduled", `Discount code ${entered} is not active yet`, entered);
      }
      // Uses are counted per redeem code (the schema's `DiscountRedeemCode.asyncUsageCount`) against
      // the discount's `usageLimit` and `appliesOncePerCustomer`.
      if (discount.usageLimit !== null && redeemCode.asyncUsageCount >= discount.usageLimit) {
        throw new OrderRejectedError("usage_limit_reached", `Discount code ${entered} reached its usage limit`, entered);
      }
      if (discount.context.kind === "customers" && (!customer || !discount.context.customerIds.includes(customer.id))) {
        throw new OrderRejectedError(
          "customer_not_eligible",
          `Discount code ${entered} is restricted to specific customers`,
          entered,
        );
      }
      if (discount.appliesOncePerCustomer && buyerKey && redeemCode.usedBy.has(buyerKey)) {
        throw new OrderRejectedError(
          "already_used_by_customer",
          `Discount code ${entered} can be used once per customer`,
          entered,
        );
      }
      const minimum = discount.minimumRequirement;
      if (
        (minimum?.kind === "subtotal" && subtotal < minimum.amount) ||
        (minimum?.kind === "quantity" && quantity < minimum.quantity)
      ) {
        throw new OrderRejectedError("minimum_not_met", `Order does not meet the minimum for ${entered}`, entered);
      }
      applications.push(found);
    }

    // Amounts: merchandise discounts apply in entry order to what is left; shipping codes zero shipping.
    let remaining = subtotal;
    let shipping = shippingPrice;
    const discountCodes: AppliedDiscountCode[] = applications.map(({ discount, redeemCode }) => {
      let amount: Cents;
      let type: AppliedDiscountCode["type"];
      if (discount.kind === "free_shipping") {
        const cap = discount.freeShipping?.maximumShippingPrice;
        amount = cap !== null && cap !== undefined && shipping > cap ? 0 : shipping;
        shipping -= amount;
        type = "shipping";
      } else {
        const value = discount.customerGets?.value ?? { kind: "percentage", percentage: 0 };
        if (value.kind === "percentage") {
          amount = Math.min(remaining, Math.round(subtotal * value.percentage));
          type = "percentage";
        } else {
          amount = Math.min(remaining, value.amount * (value.appliesOnEachItem ? quantity : 1));
          type = "fixed_amount";
        }
        remaining -= amount;
      }
      return { code: redeemCode.code, amount: formatAmount2(amount), type, discountId: discount.id };
    });
    const totalDiscounts = discountCodes.reduce((sum, d) => sum + toCents(d.amount), 0);
    // Taxes on the discounted merchandise, and on the discounted shipping when the shop taxes shipping
    // (Shop.taxShipping; https://help.shopify.com/en/manual/taxes/shipping). A shop whose prices
    // include tax has it inside `remaining` and `shipping`; otherwise it is added to the total.
    const taxes = shopTaxes(state.shop);
    const shippingTax = taxes.shipping ? taxOn(shipping, taxes.ppm, taxes.included) : 0;
    const totalTax = taxOn(remaining, taxes.ppm, taxes.included) + shippingTax;
    const total = remaining + shipping + (taxes.included ? 0 : totalTax);

    let giftCard: GiftCardRecord | undefined;
    let giftCardAmount = 0;
    if (input.giftCardPayment) {
      giftCard = this.findGiftCardByCode(shop, input.giftCardPayment.code);
      if (!giftCard) throw new OrderRejectedError("gift_card_not_found", "Gift card does not exist");
      if (!giftCard.enabled) throw new OrderRejectedError("gift_card_disabled", "Gift card is deactivated");
      if (this.isGiftCardExpired(giftCard, now)) throw new OrderRejectedError("gift_card_expired", "Gift card has expired");
      // Orders here are in the shop's currency. A card issued in another currency converts only by
      // its strategy: NONE "can only be redeemed in the currency it was issued in"; SPOT_FX needs
      // exchange rates, which are not emulated (GiftCardCrossCurrencyRedemptionStrategy, 2026-10 schema).
      if (giftCard.currencyCode !== state.shop.currencyCode) {
        if (giftCard.crossCurrencyRedemptionStrategy === "NONE") {
          throw new OrderRejectedError("gift_card_currency_mismatch", `Gift card is in ${giftCard.currencyCode} and can only be redeemed in that currency`);
        }
        throw new Error(`redeeming a ${giftCard.currencyCode} gift card with ${giftCard.crossCurrencyRedemptionStrategy} in ${state.shop.currencyCode} is not emulated`);
      }
      giftCardAmount =
        input.giftCardPayment.amount !== undefined ? toCents(input.giftCardPayment.amount) : Math.min(total, giftCard.balance);
      if (giftCardAmount > giftCard.balance || giftCardAmount > total) {
        throw new OrderRejectedError("gift_card_insufficient_balance", "Gift card balance is too low for that amount");
      }
    }

    // Everything checked: commit.
    const test = input.test ?? false;
    const cardGateways = giftCard ? ["gift_card"] : [];
    const rest = test ? "bogus" : "shopify_payments";
    const gateways = giftCard && giftCardAmount >= total ? cardGateways : [...cardGateways, rest];
    const n = ++this.counters.order;
    const order: OrderRecord = {
      id: `gid://shopify/Order/${ORDER_ID_BASE + BigInt(n)}`,
      legacyId: String(ORDER_ID_BASE + BigInt(n)),
      shop: state.shop.domain,
      name: `#${1000 + n}`,
      orderNumber: 1000 + n,
      customerId: customer?.id ?? null,
      email,
      discountCodes,
      currencyCode: state.shop.currencyCode,
      subtotal,
      shipping,
      totalDiscounts,
      quantity,
      totalTax,
      shippingTax,
      taxesIncluded: taxes.included,
      taxRate: taxes.rate,
      total,
      giftCardPayments: giftCard ? [{ giftCardId: giftCard.id, amount: giftCardAmount }] : [],
      paymentGatewayNames: gateways,
      // A storefront order is a real order unless it was placed with a test payment gateway (REST
      // Order `test`, https://shopify.dev/docs/api/admin-rest/latest/resources/order): by default
      // the emulated checkout pays with a real gateway (Shopify Payments); `test: true` pays with
      // Shopify's Bogus Gateway, whose orders are test orders
      // (https://help.shopify.com/en/manual/checkout-settings/test-orders/payments-test-mode).
      test,
      sourceName: input.sourceName ?? "web",
      financialStatus: "paid",
      createdAt: now,
      refunds: [],
    };
    for (const [index, { discount, redeemCode }] of applications.entries()) {
      redeemCode.asyncUsageCount += 1;
      if (this.consistency.asyncUsageCount) redeemCode.unreportedUses = (redeemCode.unreportedUses ?? 0) + 1;
      if (buyerKey) redeemCode.usedBy.add(buyerKey);
      discount.totalSales += Math.max(0, subtotal - toCents(discountCodes[index].amount));
      discount.updatedAt = now;
    }
    if (giftCard && giftCardAmount > 0) {
      giftCard.balance -= giftCardAmount;
      giftCard.updatedAt = now;
      giftCard.transactions.push({
        id: `gid://shopify/GiftCardDebitTransaction/${++this.counters.giftCardTx}`,
        kind: "debit",
        amount: -giftCardAmount,
        processedAt: now,
        note: null,
        orderId: order.id,
      });
    }
    if (customer) {
      customer.numberOfOrders += 1;
      customer.amountSpent += total;
      customer.lastOrderId = order.id;
      customer.updatedAt = now;
    }
    state.orders.set(order.id, order);
    for (const { discount } of applications) {
      this.emit({ type: "discount.updated", shop: state.shop.domain, discount, change: "usage" });
    }
    if (giftCard && giftCardAmount > 0) {
      this.emit({ type: "gift_card.updated", shop: state.shop.domain, giftCard, change: "debited" });
    }
    this.emit({ type: "order.created", shop: state.shop.domain, order });
    return order;
  }

  /**
   * The merchant refunds part of an order's line (its amount after discounts) and/or its shipping.
   * Shopify refunds at most what is left: over all of an order's refunds, the line's amount after
   * discounts and the shipping charged ("The total monetary value available to refund",
   * SuggestedRefund.maximumRefundableSet; "The maximum amount of shipping fees currently refundable",
   * ShippingRefund.maximumRefundableSet — 2026-10 schema). The same `seq` again is
   * the same refund (`repeated`), refused if its amounts differ. Kept on the order, so it is in the
   * saved state (`serialize`) and Order.refunds / the current* totals read it.
   */
  refundOrder(shop: string, orderId: string, input: { amount: Cents; shipping: Cents; seq: number }): { order: OrderRecord; refund: RefundRecord; repeated: boolean } {
    const order = this.getOrder(shop, orderId);
    if (!order) throw new StoreError(`no order ${orderId} in ${shop}`);
    const refunds = (order.refunds ??= []);
    const same = refunds.find((r) => r.seq === input.seq);
    if (same) {
      if (same.amount !== input.amount || same.shipping !== input.shipping) {
        throw new StoreError(`refund ${input.seq} of order ${order.name} was already made with other amounts`);
      }
      return { order, refund: same, repeated: true };
    }
    const before = orderRefunded(order);
    const { amount, shipping } = input;
    if (!Number.isSafeInteger(amount) || !Number.isSafeInteger(shipping) || amount < 0 || shipping < 0 || before.lines + amount > orderLineNet(order) || before.shipping + shipping > order.shipping) {
      throw new StoreError(`cannot refund ${formatDecimal(amount)} (shipping ${formatDecimal(shipping)}) of order ${order.name}: more than is left to refund`);
    }
    const legacyId = String(deriveId(`refund:${order.legacyId}:${input.seq}`));
    const refund: RefundRecord = {
      id: `gid://shopify/Refund/${legacyId}`,
      legacyId,
      seq: input.seq,
      amount,
      tax: refundedTax(order, before.lines + amount) - refundedTax(order, before.lines),
      shipping,
      shippingTax: refundedTax(order, before.shipping + shipping, "shipping") - refundedTax(order, before.shipping, "shipping"),
      createdAt: this.now(),
    };
    refunds.push(refund);
    // Customer.amountSpent: "The total amount that the customer has spent on orders in their lifetime"
    // (2026-10 schema). Money a refund pays back was not spent: it leaves the amount (our reading of
    // "spent"; placeOrder added the order's total, paid in full at checkout).
    const customer = order.customerId ? this.getCustomer(shop, order.customerId) : undefined;
    if (customer) {
      customer.amountSpent -= refundPaidBack(order, refund);
      customer.updatedAt = refund.createdAt;
    }
    return { order, refund, repeated: false };
  }

  /**
   * The merchant cancels an order (orderCancel, https://shopify.dev/docs/api/admin-graphql/latest/mutations/orderCancel):
   * `cancelledAt` "when an order was canceled" and `cancelReason` are set. "An order can only be
   * cancelled if … The order hasn't already been cancelled" (orderCancel, 2026-10 schema): a second
   * cancel is refused (StoreError) and changes nothing. Order cancellation "is irreversible".
   * Refunding on cancel is the caller's (ShopifyEmulator.cancelOrder refunds what is left first).
   */
  cancelOrder(shop: string, orderId: string, input: { reason: OrderCancelReason }): OrderRecord {
    const order = this.getOrder(shop, orderId);
    if (!order) throw new StoreError(`no order ${orderId} in ${shop}`);
    if (order.cancelledAt) throw new StoreError(`order ${order.name} has already been cancelled`);
    if (!ORDER_CANCEL_REASONS.includes(input.reason)) throw new StoreError(`${String(input.reason)} is not an OrderCancelReason`);
    order.cancelledAt = this.now();
    order.cancelReason = input.reason;
    return order;
  }
}

// ------------------------------------------------------------------------------------------------
// Snapshot encoding: plain JSON with tagged Map / Set / Date / bigint values.

export interface StoreSnapshot {
  version: 1;
  counters: unknown;
  shops: unknown;
}

function encodeValue(value: unknown): unknown {
  if (value instanceof Date) return { $date: value.toISOString() };
  if (typeof value === "bigint") return { $bigint: value.toString() };
  if (value instanceof Map) return { $map: [...value.entries()].map(([k, v]) => [encodeValue(k), encodeValue(v)]) };
  if (value instanceof Set) return { $set: [...value].map(encodeValue) };
  if (Array.isArray(value)) return value.map(encodeValue);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, encodeValue(v)]));
  }
  return value;
}

function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.$date === "string") return new Date(o.$date);
    if (typeof o.$bigint === "string") return BigInt(o.$bigint);
    if (Array.isArray(o.$map)) return new Map((o.$map as Array<[unknown, unknown]>).map(([k, v]) => [decodeValue(k), decodeValue(v)]));
    if (Array.isArray(o.$set)) return new Set((o.$set as unknown[]).map(decodeValue));
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decodeValue(v)]));
  }
  return value;
}
