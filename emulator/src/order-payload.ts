// Webhook payloads the emulator sends, shaped like Shopify's REST-style webhook JSON.
//
// orders/create: the same top-level keys, in the same order, as Shopify's published sample
// (the `orders/create` example of https://shopify.dev/docs/api/webhooks). The emulator never reads
// that file; the structure is written out here so a missing or changed fixture cannot change what
// the app receives. Other topics follow the samples on the same reference page (discounts/*,
// app/uninstalled) and Shopify's compliance-webhook docs (customers/data_request, customers/redact,
// shop/redact).
//
// Ids: Shopify's numeric ids may exceed 2^53 (the sample order id 820982911946154508 becomes
// 820982911946154500 through JSON.parse). Payload objects therefore hold ids as `bigint`, and
// {@link serializeWebhookJson} writes them as their exact digits, so the raw body an app receives
// carries the true id just as Shopify's does. Whatever precision the app loses after that is the
// app's own behaviour, which is what the tests are meant to see.
import { createHash } from "node:crypto";

// ---------------------------------------------------------------------------------------------
// JSON with exact integers

/** A JSON value whose integers may be bigints (written as exact digits). */
export type WebhookJson = null | boolean | number | string | bigint | WebhookJson[] | { [key: string]: WebhookJson };

/**
 * Compact JSON (no whitespace, as Shopify sends it). Bigints become bare integer digits.
 * Object keys keep insertion order; `undefined` properties are skipped like JSON.stringify does.
 */
export function serializeWebhookJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "bigint":
      return value.toString();
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`Cannot serialise ${value} as JSON`);
      return JSON.stringify(value);
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) {
        return `[${value.map((item) => (item === undefined ? "null" : serializeWebhookJson(item))).join(",")}]`;
      }
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const parts: string[] = [];
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined || typeof item === "function") continue;
        parts.push(`${JSON.stringify(key)}:${serializeWebhookJson(item)}`);
      }
      return `{${parts.join(",")}}`;
    }
    default:
      throw new TypeError(`Cannot serialise a ${typeof value} as JSON`);
  }
}

// ---------------------------------------------------------------------------------------------
// Ids, money, time

/** A Shopify numeric id as callers may have it: bigint, decimal string, GID, or a safe integer. */
export type IdInput = bigint | string | number;

/** Normalises an id to a bigint. Rejects unsafe JS numbers: their digits are already wrong. */
export function toShopifyId(value: IdInput, resource?: string): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`Id ${value} is not a safe integer; pass it as a bigint or a string`);
    }
    return BigInt(value);
  }
  const match = /^(?:gid:\/\/shopify\/([A-Za-z]+)\/)?(\d+)$/.exec(value.trim());
  if (!match) throw new Error(`Not a Shopify id: ${value}`);
  if (resource && match[1] && match[1] !== resource) {
    throw new Error(`Expected a ${resource} id, got ${value}`);
  }
  return BigInt(match[2]!);
}

export function gid(resource: string, id: IdInput): string {
  return `gid://shopify/${resource}/${toShopifyId(id).toString()}`;
}

/** A stable pseudo-random id derived from a seed: deterministic payloads, ids of a realistic size. */
export function deriveId(seed: string, digits = 14): bigint {
  const hex = createHash("sha256").update(seed).digest("hex").slice(0, 15);
  const n = BigInt(`0x${hex}`);
  const low = 10n ** BigInt(digits - 1);
  return low + (n % (9n * low));
}

function deriveHex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** Money as integer minor units, so sums and allocations never drift. */
type Cents = bigint;

/** Parses "12", "12.3", "12.34" (or a number) into cents. More than 2 decimals is an input error. */
function toCents(amount: string | number): Cents {
  const text = typeof amount === "number" ? amount.toFixed(2) : amount.trim();
  const match = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new Error(`Not a money amount with at most 2 decimals: ${amount}`);
  const cents = BigInt(match[2]!) * 100n + BigInt((match[3] ?? "0").padEnd(2, "0"));
  return match[1] ? -cents : cents;
}

function formatCents(cents: Cents): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? "-" : ""}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}

/** Shopify writes discount application values like "10.0" and "5.5". */
function formatDecimalValue(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

export type MoneySet = {
  shop_money: { amount: string; currency_code: string };
  presentment_money: { amount: string; currency_code: string };
};

function moneySet(cents: Cents, currency: string): MoneySet {
  const amount = formatCents(cents);
  return {
    shop_money: { amount, currency_code: currency },
    presentment_money: { amount, currency_code: currency },
  };
}

/** Timestamp as an ISO-8601 instant or something Date can parse; Dates are formatted for you. */
export type TimeInput = Date | string;

const SHOPIFY_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

/**
 * Shopify's REST timestamps: shop-local time with an offset and no fraction,
 * e.g. "2021-12-31T19:00:00-05:00". A string already in that form is kept as is (it carries its
 * own offset); any other parseable string (e.g. toISOString output) is reformatted.
 */
export function formatShopTime(value: TimeInput, offsetMinutes = 0): string {
  if (typeof value === "string" && SHOPIFY_TIME.test(value)) return value;
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new Error(`Not a timestamp: ${String(value)}`);
  const shifted = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${shifted.toISOString().slice(0, 19)}${sign}${hh}:${mm}`;
}

// ---------------------------------------------------------------------------------------------
// orders/create

export type DiscountCodeType = "percentage" | "fixed_amount" | "shipping";

export type FinancialStatus =
  | "pending"
  | "authorized"
  | "partially_paid"
  | "paid"
  | "partially_refunded"
  | "refunded"
  | "voided";

export interface EmulatedDiscountCode {
  /** As the buyer typed it / as it was applied (Shopify may not normalise casing). */
  code: string;
  type: DiscountCodeType;
  /** Money this code took off the order, in shop currency (Shopify's `discount_codes[].amount`). */
  amount: string | number;
  /**
   * For `percentage` codes, the percentage (10 for 10 %), written to `discount_applications[].value`.
   * Default: derived from amount / subtotal. Ignored for other types.
   */
  percentage?: number;
}

export interface EmulatedCustomer {
  /** Numeric id, decimal string or `gid://shopify/Customer/…`. */
  id: IdInput;
  email?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  phone?: string | null;
}

export interface EmulatedLineItem {
  id?: IdInput;
  title: string;
  /** Unit price in shop currency. */
  price: string | number;
  quantity?: number;
  sku?: string | null;
  variantTitle?: string | null;
  vendor?: string | null;
  productId?: IdInput | null;
  variantId?: IdInput | null;
  /** A gift card product line (`line_items[].gift_card`). */
  giftCard?: boolean;
  grams?: number;
}

export interface EmulatedAddress {
  first_name?: string | null;
  last_name?: string | null;
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  province?: string | null;
  province_code?: string | null;
  country?: string | null;
  country_code?: string | null;
  zip?: string | null;
  phone?: string | null;
  company?: string | null;
}

/** A plain description of an order; {@link buildOrderPayload} fills in everything else. */
export interface EmulatedOrder {
  /** Order id (bigint or decimal string; a GID is accepted too). */
  id: IdInput;
  /** Shop domain, used for `order_status_url`. Default `emulated-shop.myshopify.com`. */
  shop?: string;
  /** Numeric shop id, used in `order_status_url`. Derived from the shop when absent. */
  shopId?: IdInput;
  /** `order_number`, e.g. 1001. Default 1001. */
  orderNumber?: number;
  /** Default `#{orderNumber}`. */
  name?: string;
  /** Checkout email. Default: the customer's email, or null. */
  email?: string | null;
  /** `null` for a guest checkout. */
  customer: EmulatedCustomer | null;
  discountCodes?: EmulatedDiscountCode[];
  /**
   * Line items total before discounts (Shopify's `total_line_items_price`). Required unless
   * `lineItems` is given; if both are given they must agree.
   */
  subtotal?: string | number;
  lineItems?: EmulatedLineItem[];
  /** Shipping charged before shipping discounts. Default 0 (or the shipping code's amount). */
  shipping?: string | number;
  tax?: string | number;
  /** Shop currency. Default USD. */
  currency?: string;
  /** `test: true` for the bogus gateway / test mode. Default false. */
  test?: boolean;
  /** `web`, `pos`, `shopify_draft_order`, or an app's id. Default `web`. */
  sourceName?: string;
  /** Default: `["bogus"]` for test orders, `["shopify_payments"]` otherwise. */
  gatewayNames?: string[];
  /** A gift card paid (part of) the order: adds "gift_card" to `payment_gateway_names`. */
  paidWithGiftCard?: boolean;
  /** Default `paid`. */
  financialStatus?: FinancialStatus;
  createdAt?: TimeInput;
  updatedAt?: TimeInput;
  processedAt?: TimeInput;
  cancelledAt?: TimeInput | null;
  cancelReason?: "customer" | "fraud" | "inventory" | "declined" | "other" | null;
  note?: string | null;
  tags?: string[];
  /** Shop time zone offset used when formatting Date inputs. Default 0 (UTC). */
  timezoneOffsetMinutes?: number;
  /** Default: an address from the customer's name; null for guest POS sales. */
  billingAddress?: EmulatedAddress | null;
  /** Default: the billing address when something ships, else null. */
  shippingAddress?: EmulatedAddress | null;
}

export type DiscountCodePayload = { code: string; amount: string; type: DiscountCodeType };

export type DiscountApplicationPayload = {
  target_type: "line_item" | "shipping_line";
  type: "discount_code" | "manual";
  value: string;
  value_type: "percentage" | "fixed_amount";
  allocation_method: "across";
  target_selection: "all";
  code?: string;
  title?: string;
  description?: string;
};

export type DiscountAllocationPayload = { amount: string; amount_set: MoneySet; discount_application_index: number };

export type AddressPayload = {
  first_name: string | null;
  address1: string | null;
  phone: string | null;
  city: string | null;
  zip: string | null;
  province: string | null;
  country: string | null;
  last_name: string | null;
  address2: string | null;
  company: string | null;
  latitude: number | null;
  longitude: number | null;
  name: string;
  country_code: string | null;
  province_code: string | null;
};

export type OrderCustomerPayload = {
  id: bigint;
  created_at: string | null;
  updated_at: string | null;
  first_name: string | null;
  last_name: string | null;
  state: "disabled" | "invited" | "enabled" | "declined";
  note: string | null;
  verified_email: boolean;
  multipass_identifier: string | null;
  tax_exempt: boolean;
  email: string | null;
  phone: string | null;
  currency: string;
  tax_exemptions: string[];
  admin_graphql_api_id: string;
  default_address: WebhookJson;
};

export type LineItemPayload = {
  id: bigint;
  admin_graphql_api_id: string;
  attributed_staffs: WebhookJson[];
  current_quantity: number;
  fulfillable_quantity: number;
  fulfillment_service: string;
  fulfillment_status: string | null;
  gift_card: boolean;
  grams: number;
  name: string;
  price: string;
  price_set: MoneySet;
  product_exists: boolean;
  product_id: bigint | null;
  properties: WebhookJson[];
  quantity: number;
  requires_shipping: boolean;
  sales_line_item_group_id: bigint | null;
  sku: string | null;
  taxable: boolean;
  title: string;
  total_discount: string;
  total_discount_set: MoneySet;
  variant_id: bigint | null;
  variant_inventory_management: string | null;
  variant_title: string | null;
  vendor: string | null;
  tax_lines: WebhookJson[];
  duties: WebhookJson[];
  discount_allocations: DiscountAllocationPayload[];
};

export type ShippingLinePayload = {
  id: bigint;
  carrier_identifier: string | null;
  code: string | null;
  current_discounted_price_set: MoneySet;
  discounted_price: string;
  discounted_price_set: MoneySet;
  is_removed: boolean;
  phone: string | null;
  price: string;
  price_set: MoneySet;
  requested_fulfillment_service_id: string | null;
  source: string;
  title: string;
  tax_lines: WebhookJson[];
  discount_allocations: DiscountAllocationPayload[];
};

/** The orders/create (and orders/updated, orders/paid…) payload, key order as Shopify sends it. */
export type OrderWebhookPayload = {
  id: bigint;
  admin_graphql_api_id: string;
  app_id: number | null;
  browser_ip: string | null;
  buyer_accepts_marketing: boolean;
  cancel_reason: string | null;
  cancelled_at: string | null;
  cart_token: string | null;
  checkout_token: string | null;
  client_details: WebhookJson;
  closed_at: string | null;
  confirmation_number: string | null;
  confirmed: boolean;
  contact_email: string | null;
  created_at: string;
  currency: string;
  current_shipping_price_set: MoneySet;
  current_subtotal_price: string;
  current_subtotal_price_set: MoneySet;
  current_total_additional_fees_set: MoneySet | null;
  current_total_discounts: string;
  current_total_discounts_set: MoneySet;
  current_total_duties_set: MoneySet | null;
  current_total_price: string;
  current_total_price_set: MoneySet;
  current_total_tax: string;
  current_total_tax_set: MoneySet;
  customer_locale: string | null;
  device_id: number | null;
  discount_codes: DiscountCodePayload[];
  duties_included: boolean;
  email: string | null;
  estimated_taxes: boolean;
  financial_status: FinancialStatus;
  fulfillment_status: string | null;
  landing_site: string | null;
  landing_site_ref: string | null;
  location_id: bigint | null;
  merchant_business_entity_id: string;
  merchant_of_record_app_id: number | null;
  name: string;
  note: string | null;
  note_attributes: WebhookJson[];
  number: number;
  order_number: number;
  order_status_url: string;
  original_total_additional_fees_set: MoneySet | null;
  original_total_duties_set: MoneySet | null;
  payment_gateway_names: string[];
  phone: string | null;
  po_number: string | null;
  presentment_currency: string;
  processed_at: string;
  reference: string | null;
  referring_site: string | null;
  source_identifier: string | null;
  source_name: string;
  source_url: string | null;
  subtotal_price: string;
  subtotal_price_set: MoneySet;
  tags: string;
  tax_exempt: boolean;
  tax_lines: WebhookJson[];
  taxes_included: boolean;
  test: boolean;
  token: string;
  total_cash_rounding_payment_adjustment_set: MoneySet;
  total_cash_rounding_refund_adjustment_set: MoneySet;
  total_discounts: string;
  total_discounts_set: MoneySet;
  total_line_items_price: string;
  total_line_items_price_set: MoneySet;
  total_outstanding: string;
  total_price: string;
  total_price_set: MoneySet;
  total_shipping_price_set: MoneySet;
  total_tax: string;
  total_tax_set: MoneySet;
  total_tip_received: string;
  total_weight: number;
  updated_at: string;
  user_id: bigint | null;
  billing_address: AddressPayload | null;
  customer: OrderCustomerPayload | null;
  discount_applications: DiscountApplicationPayload[];
  fulfillments: WebhookJson[];
  line_items: LineItemPayload[];
  payment_terms: WebhookJson;
  refunds: WebhookJson[];
  shipping_address: AddressPayload | null;
  shipping_lines: ShippingLinePayload[];
  returns: WebhookJson[];
  line_item_groups: WebhookJson[];
};

/**
 * `app_id` of Shopify's own sales channels as they appear in real order payloads
 * ([infer] long-standing community knowledge, not verified here). Unknown sources get null.
 */
const CHANNEL_APP_IDS: Record<string, number> = {
  web: 580111,
  pos: 129785,
  shopify_draft_order: 1354745,
};

function addressPayload(address: EmulatedAddress): AddressPayload {
  const first = address.first_name ?? null;
  const last = address.last_name ?? null;
  return {
    first_name: first,
    address1: address.address1 ?? null,
    phone: address.phone ?? null,
    city: address.city ?? null,
    zip: address.zip ?? null,
    province: address.province ?? null,
    country: address.country ?? null,
    last_name: last,
    address2: address.address2 ?? null,
    company: address.company ?? null,
    latitude: null,
    longitude: null,
    name: [first, last].filter(Boolean).join(" "),
    country_code: address.country_code ?? null,
    province_code: address.province_code ?? null,
  };
}

function defaultAddress(customer: EmulatedCustomer | null): EmulatedAddress {
  return {
    first_name: customer?.first_name ?? "Guest",
    last_name: customer?.last_name ?? "Shopper",
    address1: "1 Emulator Way",
    city: "Ottawa",
    province: "Ontario",
    province_code: "ON",
    country: "Canada",
    country_code: "CA",
    zip: "K1A 0A1",
    phone: customer?.phone ?? null,
  };
}

/** Splits `total` over `weights` proportionally; the last share takes the rounding remainder. */
function allocate(total: Cents, weights: Cents[]): Cents[] {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (weights.length === 0) return [];
  if (sum === 0n) return weights.map((_, i) => (i === weights.length - 1 ? total : 0n));
  const shares = weights.map((w) => (total * w) / sum);
  const given = shares.reduce((a, b) => a + b, 0n);
  shares[shares.length - 1] = shares[shares.length - 1]! + (total - given);
  return shares;
}

/**
 * Builds the orders/create payload for an order. Serialise it with {@link serializeWebhookJson}
 * (or use {@link buildOrderWebhookBody}) so the big ids stay exact.
 */
export function buildOrderPayload(order: EmulatedOrder): OrderWebhookPayload {
  const currency = order.currency ?? "USD";
  const offset = order.timezoneOffsetMinutes ?? 0;
  const orderId = toShopifyId(order.id, "Order");
  const shop = order.shop ?? "emulated-shop.myshopify.com";
  const shopId = order.shopId === undefined ? deriveId(`shop:${shop}`, 10) : toShopifyId(order.shopId);
  const orderNumber = order.orderNumber ?? 1001;
  const sourceName = order.sourceName ?? "web";
  const isDraft = sourceName === "shopify_draft_order";
  const test = order.test ?? false;
  const codes = order.discountCodes ?? [];

  // Line items: either given, or one line carrying the subtotal.
  const lineInputs: EmulatedLineItem[] =
    order.lineItems && order.lineItems.length > 0
      ? order.lineItems
      : [{ title: "Emulated product", price: order.subtotal ?? "0.00", quantity: 1 }];
  const lineTotals = lineInputs.map((li) => toCents(li.price) * BigInt(li.quantity ?? 1));
  const lineItemsTotal = lineTotals.reduce((a, b) => a + b, 0n);
  if (order.subtotal !== undefined && toCents(order.subtotal) !== lineItemsTotal) {
    throw new Error(
      `subtotal ${order.subtotal} does not match the line items (${formatCents(lineItemsTotal)}); give one or make them agree`,
    );
  }

  const productCodes = codes.map((c, index) => ({ ...c, index })).filter((c) => c.type !== "shipping");
  const shippingCodes = codes.map((c, index) => ({ ...c, index })).filter((c) => c.type === "shipping");
  const shippingDiscount = shippingCodes.reduce((sum, c) => sum + toCents(c.amount), 0n);
  const productDiscount = productCodes.reduce((sum, c) => sum + toCents(c.amount), 0n);
  const totalDiscount = productDiscount + shippingDiscount;

  const shippingPrice =
    order.shipping !== undefined ? toCents(order.shipping) : shippingCodes.length > 0 ? shippingDiscount : 0n;
  const tax = order.tax !== undefined ? toCents(order.tax) : 0n;
  const subtotalAfterDiscounts = lineItemsTotal - productDiscount;
  const shippingAfterDiscounts = shippingPrice - shippingDiscount;
  const totalPrice = subtotalAfterDiscounts + shippingAfterDiscounts + tax;
  const financialStatus = order.financialStatus ?? "paid";
  const outstanding = financialStatus === "paid" || financialStatus === "partially_refunded" || financialStatus === "refunded" ? 0n : totalPrice;

  // Draft orders carry the code as a "manual" application titled with the code (seen in a real
  // captured draft-order payload, SHOPIFY.md 4.1); checkout codes are "discount_code" with `code`.
  const discountApplications: DiscountApplicationPayload[] = codes.map((c) => {
    const isShipping = c.type === "shipping";
    const percentage =
      c.type === "percentage"
        ? (c.percentage ??
          (lineItemsTotal === 0n ? 0 : Math.round((Number(toCents(c.amount)) / Number(lineItemsTotal)) * 10000) / 100))
        : isShipping
          ? 100
          : null;
    const value = percentage !== null ? formatDecimalValue(percentage) : formatDecimalValue(Number(toCents(c.amount)) / 100);
    const base = {
      target_type: isShipping ? ("shipping_line" as const) : ("line_item" as const),
      type: isDraft ? ("manual" as const) : ("discount_code" as const),
      value,
      value_type: percentage !== null ? ("percentage" as const) : ("fixed_amount" as const),
      allocation_method: "across" as const,
      target_selection: "all" as const,
    };
    return isDraft ? { ...base, title: c.code, description: c.code } : { ...base, code: c.code };
  });

  // Each product code is spread over the lines in proportion to their totals.
  const allocationsPerLine: DiscountAllocationPayload[][] = lineInputs.map(() => []);
  for (const c of productCodes) {
    allocate(toCents(c.amount), lineTotals).forEach((share, lineIndex) => {
      if (share === 0n) return;
      allocationsPerLine[lineIndex]!.push({
        amount: formatCents(share),
        amount_set: moneySet(share, currency),
        discount_application_index: c.index,
      });
    });
  }

  const lineItems: LineItemPayload[] = lineInputs.map((li, i) => {
    const id = li.id !== undefined ? toShopifyId(li.id, "LineItem") : deriveId(`line:${orderId}:${i}`);
    const quantity = li.quantity ?? 1;
    const price = toCents(li.price);
    const variantTitle = li.variantTitle ?? null;
    return {
      id,
      admin_graphql_api_id: gid("LineItem", id),
      attributed_staffs: [],
      current_quantity: quantity,
      fulfillable_quantity: quantity,
      fulfillment_service: "manual",
      fulfillment_status: null,
      gift_card: li.giftCard ?? false,
      grams: li.grams ?? 0,
      name: variantTitle ? `${li.title} - ${variantTitle}` : li.title,
      price: formatCents(price),
      price_set: moneySet(price, currency),
      product_exists: true,
      product_id: li.productId === undefined ? deriveId(`product:${li.title}`) : li.productId === null ? null : toShopifyId(li.productId),
      properties: [],
      quantity,
      requires_shipping: !(li.giftCard ?? false),
      sales_line_item_group_id: null,
      sku: li.sku ?? null,
      taxable: !(li.giftCard ?? false),
      title: li.title,
      // Shopify reports order-level code discounts through discount_allocations and leaves the
      // legacy per-line total_discount at zero.
      total_discount: "0.00",
      total_discount_set: moneySet(0n, currency),
      variant_id: li.variantId === undefined || li.variantId === null ? null : toShopifyId(li.variantId),
      variant_inventory_management: null,
      variant_title: variantTitle,
      vendor: li.vendor ?? null,
      tax_lines: [],
      duties: [],
      discount_allocations: allocationsPerLine[i]!,
    };
  });

  const shippingLines: ShippingLinePayload[] =
    shippingPrice > 0n || shippingCodes.length > 0
      ? [
          {
            id: deriveId(`shipping:${orderId}`),
            carrier_identifier: null,
            code: "Standard",
            current_discounted_price_set: moneySet(shippingAfterDiscounts, currency),
            discounted_price: formatCents(shippingAfterDiscounts),
            discounted_price_set: moneySet(shippingAfterDiscounts, currency),
            is_removed: false,
            phone: null,
            price: formatCents(shippingPrice),
            price_set: moneySet(shippingPrice, currency),
            requested_fulfillment_service_id: null,
            source: "shopify",
            title: "Standard",
            tax_lines: [],
            discount_allocations: shippingCodes.map((c) => ({
              amount: formatCents(toCents(c.amount)),
              amount_set: moneySet(toCents(c.amount), currency),
              discount_application_index: c.index,
            })),
          },
        ]
      : [];

  const createdAt = formatShopTime(order.createdAt ?? new Date(), offset);
  const customer = order.customer;
  const customerId = customer ? toShopifyId(customer.id, "Customer") : null;
  const email = order.email !== undefined ? order.email : (customer?.email ?? null);

  const billing =
    order.billingAddress !== undefined
      ? order.billingAddress
      : sourceName === "pos" && !customer
        ? null
        : defaultAddress(customer);
  const shipping =
    order.shippingAddress !== undefined ? order.shippingAddress : shippingLines.length > 0 ? (billing ?? defaultAddress(customer)) : null;

  const customerPayload: OrderCustomerPayload | null =
    customer && customerId !== null
      ? {
          id: customerId,
          created_at: createdAt,
          updated_at: createdAt,
          first_name: customer.first_name ?? null,
          last_name: customer.last_name ?? null,
          state: "enabled",
          note: null,
          verified_email: true,
          multipass_identifier: null,
          tax_exempt: false,
          email: customer.email ?? null,
          phone: customer.phone ?? null,
          currency,
          tax_exemptions: [],
          admin_graphql_api_id: gid("Customer", customerId),
          default_address: billing
            ? {
                id: deriveId(`address:${customerId}`),
                customer_id: customerId,
                ...addressPayloadForCustomer(billing),
                default: true,
              }
            : null,
        }
      : null;

  const gateways = [...(order.gatewayNames ?? (test ? ["bogus"] : ["shopify_payments"]))];
  if (order.paidWithGiftCard && !gateways.includes("gift_card")) gateways.unshift("gift_card");

  const token = deriveHex(`token:${orderId}`, 32);
  const zero = moneySet(0n, currency);

  return {
    id: orderId,
    admin_graphql_api_id: gid("Order", orderId),
    app_id: CHANNEL_APP_IDS[sourceName] ?? null,
    browser_ip: null,
    buyer_accepts_marketing: false,
    cancel_reason: order.cancelReason ?? null,
    cancelled_at: order.cancelledAt ? formatShopTime(order.cancelledAt, offset) : null,
    cart_token: sourceName === "web" ? deriveHex(`cart:${orderId}`, 32) : null,
    checkout_token: sourceName === "web" ? deriveHex(`checkout:${orderId}`, 32) : null,
    client_details: null,
    closed_at: null,
    confirmation_number: confirmationNumber(orderId),
    confirmed: true,
    contact_email: email,
    created_at: createdAt,
    currency,
    current_shipping_price_set: moneySet(shippingAfterDiscounts, currency),
    current_subtotal_price: formatCents(subtotalAfterDiscounts),
    current_subtotal_price_set: moneySet(subtotalAfterDiscounts, currency),
    current_total_additional_fees_set: null,
    current_total_discounts: formatCents(totalDiscount),
    current_total_discounts_set: moneySet(totalDiscount, currency),
    current_total_duties_set: null,
    current_total_price: formatCents(totalPrice),
    current_total_price_set: moneySet(totalPrice, currency),
    current_total_tax: formatCents(tax),
    current_total_tax_set: moneySet(tax, currency),
    customer_locale: "en",
    device_id: null,
    discount_codes: codes.map((c) => ({ code: c.code, amount: formatCents(toCents(c.amount)), type: c.type })),
    duties_included: false,
    email,
    estimated_taxes: false,
    financial_status: financialStatus,
    fulfillment_status: null,
    landing_site: null,
    landing_site_ref: null,
    location_id: null,
    merchant_business_entity_id: Buffer.from(shopId.toString()).toString("base64").replace(/=+$/, ""),
    merchant_of_record_app_id: null,
    name: order.name ?? `#${orderNumber}`,
    note: order.note ?? null,
    note_attributes: [],
    number: orderNumber - 1000,
    order_number: orderNumber,
    order_status_url: `https://${shop}/${shopId}/orders/${token}/authenticate?key=${deriveHex(`key:${orderId}`, 32)}`,
    original_total_additional_fees_set: null,
    original_total_duties_set: null,
    payment_gateway_names: gateways,
    phone: null,
    po_number: null,
    presentment_currency: currency,
    processed_at: order.processedAt ? formatShopTime(order.processedAt, offset) : createdAt,
    reference: null,
    referring_site: null,
    source_identifier: null,
    source_name: sourceName,
    source_url: null,
    subtotal_price: formatCents(subtotalAfterDiscounts),
    subtotal_price_set: moneySet(subtotalAfterDiscounts, currency),
    tags: (order.tags ?? []).join(", "),
    tax_exempt: false,
    tax_lines: [],
    taxes_included: false,
    test,
    token,
    total_cash_rounding_payment_adjustment_set: zero,
    total_cash_rounding_refund_adjustment_set: zero,
    total_discounts: formatCents(totalDiscount),
    total_discounts_set: moneySet(totalDiscount, currency),
    total_line_items_price: formatCents(lineItemsTotal),
    total_line_items_price_set: moneySet(lineItemsTotal, currency),
    total_outstanding: formatCents(outstanding),
    total_price: formatCents(totalPrice),
    total_price_set: moneySet(totalPrice, currency),
    total_shipping_price_set: moneySet(shippingPrice, currency),
    total_tax: formatCents(tax),
    total_tax_set: moneySet(tax, currency),
    total_tip_received: "0.00",
    total_weight: lineInputs.reduce((sum, li) => sum + (li.grams ?? 0) * (li.quantity ?? 1), 0),
    updated_at: order.updatedAt ? formatShopTime(order.updatedAt, offset) : createdAt,
    user_id: null,
    billing_address: billing ? addressPayload(billing) : null,
    customer: customerPayload,
    discount_applications: discountApplications,
    fulfillments: [],
    line_items: lineItems,
    payment_terms: null,
    refunds: [],
    shipping_address: shipping ? addressPayload(shipping) : null,
    shipping_lines: shippingLines,
    returns: [],
    line_item_groups: [],
  };
}

/** The customer's default_address uses a slightly different key set than order addresses. */
function addressPayloadForCustomer(address: EmulatedAddress): { [key: string]: WebhookJson } {
  const first = address.first_name ?? null;
  const last = address.last_name ?? null;
  return {
    first_name: first,
    last_name: last,
    company: address.company ?? null,
    address1: address.address1 ?? null,
    address2: address.address2 ?? null,
    city: address.city ?? null,
    province: address.province ?? null,
    country: address.country ?? null,
    zip: address.zip ?? null,
    phone: address.phone ?? null,
    name: [first, last].filter(Boolean).join(" "),
    province_code: address.province_code ?? null,
    country_code: address.country_code ?? null,
    country_name: address.country ?? null,
  };
}

/** Shopify's order confirmation numbers are 9 upper-case letters/digits. */
function confirmationNumber(orderId: bigint): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = createHash("sha256").update(`confirmation:${orderId}`).digest();
  let out = "";
  for (let i = 0; i < 9; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

/** `buildOrderPayload` + `serializeWebhookJson`: the raw body to sign and send. */
export function buildOrderWebhookBody(order: EmulatedOrder): string {
  return serializeWebhookJson(buildOrderPayload(order));
}

// ---------------------------------------------------------------------------------------------
// discounts/*

export type DiscountWebhookTopic =
  | "discounts/create"
  | "discounts/update"
  | "discounts/delete"
  | "discounts/redeemcode_added"
  | "discounts/redeemcode_removed";

/** Node type in the discount's GID: code discounts vs automatic discounts. */
export type DiscountNodeType = "DiscountCodeNode" | "DiscountAutomaticNode";

/** Admin API `DiscountStatus`. A deactivated code (endsAt set to now) reports EXPIRED. */
export type DiscountStatus = "ACTIVE" | "EXPIRED" | "SCHEDULED";

export interface EmulatedDiscount {
  /** Numeric id or a GID; a GID's node type wins over `nodeType`. */
  id: IdInput;
  /** Default `DiscountCodeNode`. */
  nodeType?: DiscountNodeType;
  title?: string;
  status?: DiscountStatus;
  createdAt?: TimeInput;
  updatedAt?: TimeInput;
  deletedAt?: TimeInput;
  /** For redeemcode_added/removed. */
  redeemCode?: { id: IdInput; code: string };
  timezoneOffsetMinutes?: number;
}

export type DiscountUpsertPayload = {
  admin_graphql_api_id: string;
  title: string;
  status: DiscountStatus;
  created_at: string;
  updated_at: string;
};
export type DiscountDeletePayload = { admin_graphql_api_id: string; deleted_at: string };
export type DiscountRedeemCodePayload = {
  admin_graphql_api_id: string;
  redeem_code: { id: string; code: string };
  updated_at: string;
};

function discountGid(discount: EmulatedDiscount): string {
  if (typeof discount.id === "string") {
    const match = /^gid:\/\/shopify\/(DiscountCodeNode|DiscountAutomaticNode)\/(\d+)$/.exec(discount.id.trim());
    if (match) return `gid://shopify/${match[1]}/${match[2]}`;
  }
  return gid(discount.nodeType ?? "DiscountCodeNode", discount.id);
}

/**
 * Payloads of the discounts topics, as in Shopify's samples:
 * create/update `{admin_graphql_api_id, title, status, created_at, updated_at}`,
 * delete `{admin_graphql_api_id, deleted_at}`,
 * redeemcode_added/removed `{admin_graphql_api_id, redeem_code: {id, code}, updated_at}` (UTC with
 * milliseconds in the sample, unlike the offset timestamps of the other three).
 */
export function buildDiscountPayload(topic: "discounts/create" | "discounts/update", discount: EmulatedDiscount): DiscountUpsertPayload;
export function buildDiscountPayload(topic: "discounts/delete", discount: EmulatedDiscount): DiscountDeletePayload;
export function buildDiscountPayload(
  topic: "discounts/redeemcode_added" | "discounts/redeemcode_removed",
  discount: EmulatedDiscount,
): DiscountRedeemCodePayload;
export function buildDiscountPayload(
  topic: DiscountWebhookTopic,
  discount: EmulatedDiscount,
): DiscountUpsertPayload | DiscountDeletePayload | DiscountRedeemCodePayload;
export function buildDiscountPayload(
  topic: DiscountWebhookTopic,
  discount: EmulatedDiscount,
): DiscountUpsertPayload | DiscountDeletePayload | DiscountRedeemCodePayload {
  const offset = discount.timezoneOffsetMinutes ?? 0;
  const now = new Date();
  const id = discountGid(discount);
  switch (topic) {
    case "discounts/create":
    case "discounts/update": {
      const createdAt = formatShopTime(discount.createdAt ?? now, offset);
      return {
        admin_graphql_api_id: id,
        title: discount.title ?? "",
        status: discount.status ?? "ACTIVE",
        created_at: createdAt,
        updated_at: discount.updatedAt ? formatShopTime(discount.updatedAt, offset) : createdAt,
      };
    }
    case "discounts/delete":
      return { admin_graphql_api_id: id, deleted_at: formatShopTime(discount.deletedAt ?? now, offset) };
    case "discounts/redeemcode_added":
    case "discounts/redeemcode_removed": {
      if (!discount.redeemCode) throw new Error(`${topic} needs discount.redeemCode`);
      const updated = discount.updatedAt ?? now;
      return {
        admin_graphql_api_id: id,
        redeem_code: { id: gid("DiscountRedeemCode", discount.redeemCode.id), code: discount.redeemCode.code },
        updated_at: typeof updated === "string" ? updated : updated.toISOString(),
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// app/uninstalled (the REST Shop object)

export interface EmulatedShop {
  /** `{name}.myshopify.com` */
  domain: string;
  id?: IdInput;
  name?: string;
  email?: string;
  currency?: string;
  shopOwner?: string;
  planName?: string;
  planDisplayName?: string;
  ianaTimezone?: string;
  createdAt?: TimeInput;
  updatedAt?: TimeInput;
  timezoneOffsetMinutes?: number;
}

export type ShopPayload = { id: bigint; myshopify_domain: string } & { [key: string]: WebhookJson };

/** The app/uninstalled payload: the shop as the REST Shop resource (same keys as Shopify's sample). */
export function buildShopPayload(shop: EmulatedShop): ShopPayload {
  const id = shop.id === undefined ? deriveId(`shop:${shop.domain}`, 10) : toShopifyId(shop.id, "Shop");
  const currency = shop.currency ?? "USD";
  const offset = shop.timezoneOffsetMinutes ?? 0;
  const created = formatShopTime(shop.createdAt ?? new Date(Date.UTC(2024, 0, 1)), offset);
  const email = shop.email ?? `owner@${shop.domain}`;
  return {
    id,
    name: shop.name ?? shop.domain.replace(/\.myshopify\.com$/, ""),
    email,
    domain: shop.domain,
    province: "Ontario",
    country: "CA",
    address1: "1 Emulator Way",
    zip: "K1A 0A1",
    city: "Ottawa",
    source: null,
    phone: null,
    latitude: null,
    longitude: null,
    primary_locale: "en",
    address2: null,
    created_at: created,
    updated_at: shop.updatedAt ? formatShopTime(shop.updatedAt, offset) : created,
    country_code: "CA",
    country_name: "Canada",
    currency,
    customer_email: email,
    timezone: "(GMT+00:00) UTC",
    iana_timezone: shop.ianaTimezone ?? "UTC",
    shop_owner: shop.shopOwner ?? "Emulated Owner",
    money_format: "${{amount}}",
    money_with_currency_format: `\${{amount}} ${currency}`,
    weight_unit: "kg",
    province_code: "ON",
    taxes_included: false,
    auto_configure_tax_inclusivity: null,
    tax_shipping: null,
    county_taxes: true,
    plan_display_name: shop.planDisplayName ?? "Development",
    plan_name: shop.planName ?? "partner_test",
    has_discounts: true,
    has_gift_cards: true,
    myshopify_domain: shop.domain,
    google_apps_domain: null,
    google_apps_login_enabled: null,
    money_in_emails_format: "${{amount}}",
    money_with_currency_in_emails_format: `\${{amount}} ${currency}`,
    eligible_for_payments: true,
    requires_extra_payments_agreement: false,
    password_enabled: true,
    has_storefront: true,
    finances: true,
    primary_location_id: deriveId(`location:${shop.domain}`, 11),
    checkout_api_supported: true,
    multi_location_enabled: true,
    setup_required: false,
    pre_launch_enabled: false,
    enabled_presentment_currencies: [currency],
    marketing_sms_consent_enabled_at_checkout: false,
    transactional_sms_disabled: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Compliance topics (https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance)

export interface ComplianceShop {
  shopId: IdInput;
  shopDomain: string;
}

export interface ComplianceCustomer {
  id: IdInput;
  email?: string | null;
  phone?: string | null;
}

export type ComplianceCustomerPayload = { id: bigint; email: string | null; phone: string | null };

export type CustomersDataRequestPayload = {
  shop_id: bigint;
  shop_domain: string;
  orders_requested: bigint[];
  customer: ComplianceCustomerPayload;
  data_request: { id: bigint };
};

export type CustomersRedactPayload = {
  shop_id: bigint;
  shop_domain: string;
  customer: ComplianceCustomerPayload;
  orders_to_redact: bigint[];
};

export type ShopRedactPayload = { shop_id: bigint; shop_domain: string };

function complianceCustomer(customer: ComplianceCustomer): ComplianceCustomerPayload {
  return { id: toShopifyId(customer.id, "Customer"), email: customer.email ?? null, phone: customer.phone ?? null };
}

export function buildCustomersDataRequestPayload(
  input: ComplianceShop & { customer: ComplianceCustomer; ordersRequested?: IdInput[]; dataRequestId: IdInput },
): CustomersDataRequestPayload {
  return {
    shop_id: toShopifyId(input.shopId, "Shop"),
    shop_domain: input.shopDomain,
    orders_requested: (input.ordersRequested ?? []).map((id) => toShopifyId(id, "Order")),
    customer: complianceCustomer(input.customer),
    data_request: { id: toShopifyId(input.dataRequestId) },
  };
}

export function buildCustomersRedactPayload(
  input: ComplianceShop & { customer: ComplianceCustomer; ordersToRedact?: IdInput[] },
): CustomersRedactPayload {
  return {
    shop_id: toShopifyId(input.shopId, "Shop"),
    shop_domain: input.shopDomain,
    customer: complianceCustomer(input.customer),
    orders_to_redact: (input.ordersToRedact ?? []).map((id) => toShopifyId(id, "Order")),
  };
}

export function buildShopRedactPayload(input: ComplianceShop): ShopRedactPayload {
  return { shop_id: toShopifyId(input.shopId, "Shop"), shop_domain: input.shopDomain };
}
