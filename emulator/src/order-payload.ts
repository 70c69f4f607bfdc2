// Webhook payloads the emulator sends, shaped like Shopify's REST-style webhook JSON.
//
// orders/create: the same top-level keys, in the same order, as Shopify's published sample
// (the `orders/create` example of https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-orders/create,
// kept as emulator/test/fixtures/orders-create.sample.json and compared in the tests). The structure
// is written out here, not read from the fixture, so a changed fixture cannot change what the app
// receives. Other topics follow the samples on the same reference page (discounts/*,
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
 * A JSON string literal as Shopify's webhook bodies write it: "/" as `\/`, and "<", ">", "&" as
 * `\u003c`, `\u003e`, `\u0026` (all valid JSON escapes, RFC 8259 §7). Shopify does not document
 * its encoder; this follows the raw bodies developers have published, e.g. Shopify's own
 * shopify-express middleware (https://github.com/Shopify/shopify-express/pull/15, "Shopify escapes
 * forward slashes and replaces '&' with \u0026 when the HMAC is built") and captured orders/create
 * and products/update bodies (`"admin_graphql_api_id":"gid:\/\/shopify\/Order\/…"`,
 * `"order_status_url":"https:\/\/…"`, `"body_html":"\u003cp\u003e…\u003c\/p\u003e"`). An app that
 * searches or hashes the raw body must meet these bytes, not JSON.stringify's. Non-ASCII stays
 * as UTF-8 (captured bodies carry "’" unescaped).
 */
function webhookJsonString(value: string): string {
  return JSON.stringify(value).replace(/[/<>&]/g, (ch) => WEBHOOK_JSON_ESCAPES[ch]!);
}

const WEBHOOK_JSON_ESCAPES: Record<string, string> = { "/": "\\/", "<": "\\u003c", ">": "\\u003e", "&": "\\u0026" };

/**
 * Compact JSON (no whitespace, as Shopify sends it), strings escaped as {@link webhookJsonString}
 * describes. Bigints become bare integer digits.
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
      return webhookJsonString(value);
    case "boolean":
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) {
        return `[${value.map((item) => (item === undefined ? "null" : serializeWebhookJson(item))).join(",")}]`;
      }
      if (value instanceof Date) return webhookJsonString(value.toISOString());
      const parts: string[] = [];
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined || typeof item === "function") continue;
        parts.push(`${webhookJsonString(key)}:${serializeWebhookJson(item)}`);
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

/** An order's `confirmation_number` (GraphQL `confirmationNumber`), derived from its id. */
export function orderConfirmationNumber(orderId: IdInput): string {
  return deriveHex(`confirmation:${toShopifyId(orderId, "Order")}`, 9).toUpperCase();
}

/** An order's `order_status_url` (GraphQL `statusPageUrl`), derived from its shop and id. */
export function orderStatusUrl(shop: string, orderId: IdInput): string {
  const id = toShopifyId(orderId, "Order");
  return `https://${shop}/${deriveId(`shop:${shop}`, 10)}/orders/${deriveHex(`token:${id}`, 32)}/authenticate?key=${deriveHex(`key:${id}`, 32)}`;
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

/**
 * The share of `amount` that goes with `refunded` of `whole` (all in cents), rounded half up; all of
 * it once `refunded` covers `whole`. A line's discounts go with its refunded part this way
 * ("The total amount discounted on the order after returns and refunds", Order.currentTotalDiscountsSet,
 * 2026-10 schema; emulator/src/store.ts refundedLineDiscount). Safe integers only.
 */
export function refundedShare(amount: number, refunded: number, whole: number): number {
  if (whole <= 0 || amount <= 0 || refunded <= 0) return 0;
  if (refunded >= whole) return amount;
  // In bigints: amount × refunded exceeds 2^53 for large orders.
  return Number((2n * BigInt(amount) * BigInt(refunded) + BigInt(whole)) / (2n * BigInt(whole)));
}

/**
 * An order's financial status after its refunds paid back `paidBack` of the `total` paid at checkout:
 * REST `financial_status` "partially_refunded" / "refunded" (https://shopify.dev/docs/api/admin-rest/latest/resources/order),
 * GraphQL OrderDisplayFinancialStatus PARTIALLY_REFUNDED ("The amount refunded to a customer is less
 * than the full amount paid") / REFUNDED ("The full amount paid for an order was refunded").
 */
export function financialStatusAfterRefunds(paidBack: number, total: number): "paid" | "partially_refunded" | "refunded" {
  return paidBack <= 0 ? "paid" : paidBack >= total ? "refunded" : "partially_refunded";
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
 * Shopify's REST timestamps: shop-local time with an offset and no fraction, e.g.
 * "2021-12-31T19:00:00-05:00" in the sample. A string already in that form is kept as is (it carries
 * its own offset); anything else is written in UTC ("…+00:00"), as for a shop in UTC — the app
 * compares instants, never the shop's local time.
 */
export function formatShopTime(value: TimeInput): string {
  if (typeof value === "string" && SHOPIFY_TIME.test(value)) return value;
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new Error(`Not a timestamp: ${String(value)}`);
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

// ---------------------------------------------------------------------------------------------
// orders/create
//
// What the app reads (app/domain/rewards/usage.ts): `discount_codes[].code`, `admin_graphql_api_id`,
// `name`, `customer.admin_graphql_api_id`, `test`, `source_name`, `cancelled_at`, and the raw `id`
// digits (the >2^53 trap). Everything else is still sent, with the keys and nesting of Shopify's
// sample (emulator/test/fixtures/orders-create.sample.json, checked by
// emulator/test/signing/order-payload.test.ts), so the app parses bodies of a realistic shape and
// size; those fields carry plain fixed values instead of modelling behaviour nothing reads.

export type DiscountCodeType = "percentage" | "fixed_amount" | "shipping";

export interface EmulatedDiscountCode {
  /** As the buyer typed it / as it was applied (Shopify may not normalise casing). */
  code: string;
  type: DiscountCodeType;
  /** Money this code took off the order, in shop currency (Shopify's `discount_codes[].amount`). */
  amount: string | number;
}

export interface EmulatedCustomer {
  /** Numeric id, decimal string or `gid://shopify/Customer/…`. */
  id: IdInput;
  email?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  phone?: string | null;
}

/** A plain description of an order; {@link buildOrderPayload} fills in everything else. */
export interface EmulatedOrder {
  /** Order id (bigint or decimal string; a GID is accepted too). */
  id: IdInput;
  /** Shop domain, used for `order_status_url`. Default `emulated-shop.myshopify.com`. */
  shop?: string;
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
   * Line items total before discounts (`total_line_items_price`): one line carries it. With
   * `taxesIncluded` it includes the tax, as the shop's prices do.
   */
  subtotal: string | number;
  /**
   * Whether the shop's prices include tax (`taxes_included`, REST Order: "Whether taxes are included
   * in the order subtotal", https://shopify.dev/docs/api/admin-rest/latest/resources/order). Default false.
   */
  taxesIncluded?: boolean;
  /**
   * Tax on the line items after discounts (`total_tax`): added to `total_price`, or — with
   * `taxesIncluded` — the share of the subtotal that is tax. Default 0.
   */
  tax?: string | number;
  /**
   * The shipping's own tax, part of `tax` (`shipping_lines[].tax_lines`; inside the shipping price with
   * `taxesIncluded`, on top of it otherwise). Default 0: shipping untaxed.
   */
  shippingTax?: string | number;
  /** The rate behind `tax` as a proportion ("0.13"); with a non-zero rate the order has a tax line. Default none. */
  taxRate?: string;
  /** Shipping charged before shipping discounts. Default 0 (or the shipping code's amount). */
  shipping?: string | number;
  /** Shop currency. Default USD. */
  currency?: string;
  /**
   * Whether it is a test order. Default: true when the bogus gateway paid it (`gatewayNames`
   * includes "bogus"), false otherwise — orders placed with Shopify's Bogus Gateway are test orders
   * (https://help.shopify.com/en/manual/checkout-settings/test-orders/payments-test-mode,
   * REST Order `test`: "Whether this is a test order").
   */
  test?: boolean;
  /** `web`, `pos`, `shopify_draft_order`, or an app's id. Default `web`. */
  sourceName?: string;
  /** Default: `["bogus"]` for test orders, `["shopify_payments"]` otherwise. */
  gatewayNames?: string[];
  /** A gift card paid (part of) the order: adds "gift_card" to `payment_gateway_names`. */
  paidWithGiftCard?: boolean;
  /** Default: now. Formatted in UTC (`+00:00`); a string already in Shopify's form is kept. */
  createdAt?: TimeInput;
  /** A cancelled order (`cancelled_at`, which the app checks). Default null. */
  cancelledAt?: TimeInput | null;
  /**
   * Why it was cancelled (REST `cancel_reason`: customer, fraud, inventory, declined, other, staff),
   * with `cancelledAt`. Default "customer" when cancelled, null otherwise.
   */
  cancelReason?: string | null;
  /**
   * The refunds made on the order so far, oldest first, as refunds/create described them (without
   * their `orderId`, which is this order's). The body's `refunds` carries them as REST Refund objects
   * and its current_* totals and `financial_status` are after them. Default none.
   */
  refunds?: Array<Omit<EmulatedRefund, "orderId" | "currency">>;
  /**
   * The app lacks Level 2 protected customer data access: names, emails, phones and addresses are
   * null (https://shopify.dev/docs/apps/launch/protected-customer-data). Default false.
   */
  redactPersonalData?: boolean;
}

export type DiscountCodePayload = { code: string; amount: string; type: DiscountCodeType };

export type DiscountApplicationPayload = {
  target_type: "line_item" | "shipping_line";
  type: "discount_code";
  value: string;
  value_type: "percentage" | "fixed_amount";
  allocation_method: "across";
  target_selection: "all";
  code: string;
};

export type DiscountAllocationPayload = { amount: string; amount_set: MoneySet; discount_application_index: number };

/** The address every emulated order ships to (the app reads no address). */
const ADDRESS = {
  address1: "1 Emulator Way",
  address2: null,
  city: "Ottawa",
  province: "Ontario",
  province_code: "ON",
  country: "Canada",
  country_code: "CA",
  zip: "K1A 0A1",
  company: null,
} as const;

function addressPayload(customer: EmulatedCustomer | null) {
  const first = customer?.first_name ?? "Guest";
  const last = customer?.last_name ?? "Shopper";
  // Key order of the sample's billing_address / shipping_address.
  return {
    first_name: first,
    address1: ADDRESS.address1,
    phone: customer?.phone ?? null,
    city: ADDRESS.city,
    zip: ADDRESS.zip,
    province: ADDRESS.province,
    country: ADDRESS.country,
    last_name: last,
    address2: ADDRESS.address2,
    company: ADDRESS.company,
    latitude: null,
    longitude: null,
    name: `${first} ${last}`,
    country_code: ADDRESS.country_code,
    province_code: ADDRESS.province_code,
  };
}

/**
 * Builds the orders/create payload for an order. Serialise it with {@link serializeWebhookJson}
 * (or use {@link buildOrderWebhookBody}) so the big ids stay exact.
 */
export function buildOrderPayload(order: EmulatedOrder) {
  const currency = order.currency ?? "USD";
  const orderId = toShopifyId(order.id, "Order");
  const shop = order.shop ?? "emulated-shop.myshopify.com";
  const shopId = deriveId(`shop:${shop}`, 10);
  const orderNumber = order.orderNumber ?? 1001;
  const sourceName = order.sourceName ?? "web";
  const test = order.test ?? (order.gatewayNames?.includes("bogus") ?? false);
  const codes = (order.discountCodes ?? []).map((c, index) => ({ ...c, index, cents: toCents(c.amount) }));
  const money = (cents: Cents) => moneySet(cents, currency);

  const lineItemsTotal = toCents(order.subtotal);
  const productCodes = codes.filter((c) => c.type !== "shipping");
  const shippingCodes = codes.filter((c) => c.type === "shipping");
  const shippingDiscount = shippingCodes.reduce((sum, c) => sum + c.cents, 0n);
  const productDiscount = productCodes.reduce((sum, c) => sum + c.cents, 0n);
  const totalDiscount = productDiscount + shippingDiscount;
  const shippingPrice = order.shipping !== undefined ? toCents(order.shipping) : shippingDiscount;
  const subtotalAfterDiscounts = lineItemsTotal - productDiscount;
  const shippingAfterDiscounts = shippingPrice - shippingDiscount;
  // Taxes: "taxes_included: Whether taxes are included in the order subtotal"; total_price "includes
  // taxes" — added on top unless the subtotal already holds them
  // (https://shopify.dev/docs/api/admin-rest/latest/resources/order).
  const taxesIncluded = order.taxesIncluded ?? false;
  const totalTax = toCents(order.tax ?? 0);
  // "total_tax: The sum of all the taxes applied to the order" — the shipping's tax
  // (`shipping_lines[].tax_lines`) included (https://shopify.dev/docs/api/admin-rest/latest/resources/order).
  const shippingTax = toCents(order.shippingTax ?? 0);
  if (shippingTax < 0n || shippingTax > totalTax) throw new Error(`shipping tax ${formatCents(shippingTax)} is not part of the order's tax ${formatCents(totalTax)}`);
  const totalPrice = subtotalAfterDiscounts + shippingAfterDiscounts + (taxesIncluded ? 0n : totalTax);
  // One rate, in the REST Order's tax_lines shape: price, rate, title, price_set, channel_liable. The
  // order's tax_lines sum every tax line of the same rate and title (line item and shipping: "Tax line
  // prices represent the total price for all tax lines with the same rate and title", Order.taxLines,
  // 2026-10 schema); the line item's carry its own tax, the shipping line's the shipping's.
  const taxRate = order.taxRate !== undefined && Number(order.taxRate) > 0 ? Number(order.taxRate) : null;
  const taxLine = (cents: Cents) => ({ price: formatCents(cents), rate: taxRate, title: "Tax", price_set: money(cents), channel_liable: false });
  const taxLines = taxRate === null ? [] : [taxLine(totalTax)];
  const lineTaxLines = taxRate === null ? [] : [taxLine(totalTax - shippingTax)];
  const shippingTaxLines = taxRate === null || shippingTax === 0n ? [] : [taxLine(shippingTax)];

  // After refunds: REST Order "current_*" fields are the amounts "after returns"/refunds
  // (current_subtotal_price: "The current subtotal price of the order in the shop currency. The value of
  // this field reflects order edits, returns, and refunds"; likewise current_total_price,
  // current_total_tax, current_total_discounts — https://shopify.dev/docs/api/admin-rest/latest/resources/order),
  // and `refunds` is "A list of refunds applied to the order" (REST Refund objects, as refunds/create sends).
  const refunds = order.refunds ?? [];
  const refundedLines = refunds.reduce((sum, r) => sum + toCents(r.amount), 0n);
  const refundedShipping = refunds.reduce((sum, r) => sum + toCents(r.shipping ?? 0), 0n);
  const refundedTax = refunds.reduce((sum, r) => sum + toCents(r.tax ?? 0) + toCents(r.shippingTax ?? 0), 0n);
  const paidBack = refunds.reduce((sum, r) => sum + refundTransactionCents(r, taxesIncluded), 0n);
  const refundedDiscount = BigInt(refundedShare(Number(productDiscount), Number(refundedLines), Number(subtotalAfterDiscounts)));
  const cancelled = Boolean(order.cancelledAt);
  // "current_quantity: The line item's quantity, minus the removed quantity" — a refunded or
  // cancelled line is removed (REST Order line_items; Order.currentSubtotalLineItemsQuantity "after
  // returns, refunds, order edits, and cancellations", 2026-10 schema). The payload's one line has
  // quantity 1: removed once all of it is refunded, or the order is cancelled.
  const currentQuantity = cancelled || (refundedLines > 0n && refundedLines >= subtotalAfterDiscounts) ? 0 : 1;

  // Checkout codes: one "discount_code" application each, with its `code` (the sample's
  // discount_applications shape); free shipping is a 100 % shipping-line application.
  const discountApplications: DiscountApplicationPayload[] = codes.map((c) => {
    const percentage =
      c.type === "shipping" ? 100 : c.type === "percentage" ? (lineItemsTotal === 0n ? 0 : Math.round((Number(c.cents) / Number(lineItemsTotal)) * 10000) / 100) : null;
    return {
      target_type: c.type === "shipping" ? "shipping_line" : "line_item",
      type: "discount_code",
      value: formatDecimalValue(percentage ?? Number(c.cents) / 100),
      value_type: percentage !== null ? "percentage" : "fixed_amount",
      allocation_method: "across",
      target_selection: "all",
      code: c.code,
    };
  });
  const allocation = (c: (typeof codes)[number]): DiscountAllocationPayload => ({
    amount: formatCents(c.cents),
    amount_set: money(c.cents),
    discount_application_index: c.index,
  });

  const lineId = deriveId(`line:${orderId}`);
  const lineItem = {
    id: lineId,
    admin_graphql_api_id: gid("LineItem", lineId),
    attributed_staffs: [],
    current_quantity: currentQuantity,
    fulfillable_quantity: currentQuantity,
    fulfillment_service: "manual",
    fulfillment_status: null,
    gift_card: false,
    grams: 0,
    name: "Emulated product",
    price: formatCents(lineItemsTotal),
    price_set: money(lineItemsTotal),
    product_exists: true,
    product_id: deriveId("product:Emulated product"),
    properties: [],
    quantity: 1,
    requires_shipping: true,
    sales_line_item_group_id: null,
    sku: null,
    taxable: true,
    title: "Emulated product",
    // Shopify reports order-level code discounts through discount_allocations and leaves the
    // legacy per-line total_discount at zero.
    total_discount: "0.00",
    total_discount_set: money(0n),
    variant_id: null,
    variant_inventory_management: null,
    variant_title: null,
    vendor: null,
    tax_lines: lineTaxLines,
    duties: [],
    discount_allocations: productCodes.map(allocation),
  };

  const shippingLines =
    shippingPrice > 0n || shippingCodes.length > 0
      ? [
          {
            id: deriveId(`shipping:${orderId}`),
            carrier_identifier: null,
            code: "Standard",
            current_discounted_price_set: money(shippingAfterDiscounts),
            discounted_price: formatCents(shippingAfterDiscounts),
            discounted_price_set: money(shippingAfterDiscounts),
            is_removed: false,
            phone: null,
            price: formatCents(shippingPrice),
            price_set: money(shippingPrice),
            requested_fulfillment_service_id: null,
            source: "shopify",
            title: "Standard",
            tax_lines: shippingTaxLines,
            discount_allocations: shippingCodes.map(allocation),
          },
        ]
      : [];

  const createdAt = formatShopTime(order.createdAt ?? new Date());
  const customer = order.customer;
  const customerId = customer ? toShopifyId(customer.id, "Customer") : null;
  const email = order.email !== undefined ? order.email : (customer?.email ?? null);
  const address = addressPayload(customer);

  const customerPayload =
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
          // The sample's default_address: the order address keys in another order, plus ids.
          default_address: {
            id: deriveId(`address:${customerId}`),
            customer_id: customerId,
            first_name: address.first_name,
            last_name: address.last_name,
            company: address.company,
            address1: address.address1,
            address2: address.address2,
            city: address.city,
            province: address.province,
            country: address.country,
            zip: address.zip,
            phone: address.phone,
            name: address.name,
            province_code: address.province_code,
            country_code: address.country_code,
            country_name: address.country,
            default: true,
          },
        }
      : null;

  const gateways = [...(order.gatewayNames ?? (test ? ["bogus"] : ["shopify_payments"]))];
  if (order.paidWithGiftCard && !gateways.includes("gift_card")) gateways.unshift("gift_card");

  const token = deriveHex(`token:${orderId}`, 32);
  const zero = money(0n);

  return {
    id: orderId,
    admin_graphql_api_id: gid("Order", orderId),
    app_id: null,
    browser_ip: null,
    buyer_accepts_marketing: false,
    cancel_reason: order.cancelledAt ? (order.cancelReason ?? "customer") : null,
    cancelled_at: order.cancelledAt ? formatShopTime(order.cancelledAt) : null,
    cart_token: sourceName === "web" ? deriveHex(`cart:${orderId}`, 32) : null,
    checkout_token: sourceName === "web" ? deriveHex(`checkout:${orderId}`, 32) : null,
    client_details: null,
    // "closed_at: The date and time (ISO 8601 format) when the order was closed" (REST Order): an
    // emulated order is paid at checkout and never fulfilled, so canceling it closes it (Order.closed,
    // "all its line items have been fulfilled or canceled, and all financial transactions are complete").
    closed_at: order.cancelledAt ? formatShopTime(order.cancelledAt) : null,
    confirmation_number: orderConfirmationNumber(orderId),
    confirmed: true,
    contact_email: email,
    created_at: createdAt,
    currency,
    current_shipping_price_set: money(shippingAfterDiscounts - refundedShipping),
    current_subtotal_price: formatCents(subtotalAfterDiscounts - refundedLines),
    current_subtotal_price_set: money(subtotalAfterDiscounts - refundedLines),
    current_total_additional_fees_set: null,
    current_total_discounts: formatCents(totalDiscount - refundedDiscount),
    current_total_discounts_set: money(totalDiscount - refundedDiscount),
    current_total_duties_set: null,
    current_total_price: formatCents(totalPrice - paidBack),
    current_total_price_set: money(totalPrice - paidBack),
    current_total_tax: formatCents(totalTax - refundedTax),
    current_total_tax_set: money(totalTax - refundedTax),
    customer_locale: "en",
    device_id: null,
    discount_codes: codes.map((c) => ({ code: c.code, amount: formatCents(c.cents), type: c.type })),
    duties_included: false,
    email,
    estimated_taxes: false,
    financial_status: financialStatusAfterRefunds(Number(paidBack), Number(totalPrice)),
    fulfillment_status: null,
    landing_site: null,
    landing_site_ref: null,
    location_id: null,
    merchant_business_entity_id: Buffer.from(shopId.toString()).toString("base64").replace(/=+$/, ""),
    merchant_of_record_app_id: null,
    name: order.name ?? `#${orderNumber}`,
    note: null,
    note_attributes: [],
    number: orderNumber - 1000,
    order_number: orderNumber,
    order_status_url: orderStatusUrl(shop, orderId),
    original_total_additional_fees_set: null,
    original_total_duties_set: null,
    payment_gateway_names: gateways,
    phone: null,
    po_number: null,
    presentment_currency: currency,
    processed_at: createdAt,
    reference: null,
    referring_site: null,
    source_identifier: null,
    source_name: sourceName,
    source_url: null,
    subtotal_price: formatCents(subtotalAfterDiscounts),
    subtotal_price_set: money(subtotalAfterDiscounts),
    tags: "",
    tax_exempt: false,
    tax_lines: taxLines,
    taxes_included: taxesIncluded,
    test,
    token,
    total_cash_rounding_payment_adjustment_set: zero,
    total_cash_rounding_refund_adjustment_set: zero,
    total_discounts: formatCents(totalDiscount),
    total_discounts_set: money(totalDiscount),
    total_line_items_price: formatCents(lineItemsTotal),
    total_line_items_price_set: money(lineItemsTotal),
    total_outstanding: "0.00",
    total_price: formatCents(totalPrice),
    total_price_set: money(totalPrice),
    total_shipping_price_set: money(shippingPrice),
    total_tax: formatCents(totalTax),
    total_tax_set: money(totalTax),
    total_tip_received: "0.00",
    total_weight: 0,
    // "updated_at: The date and time … when the order was last modified": its last refund or its cancellation.
    updated_at: lastModified(createdAt, [...refunds.map((r) => r.createdAt), order.cancelledAt]),
    user_id: null,
    billing_address: address,
    customer: customerPayload,
    discount_applications: discountApplications,
    fulfillments: [],
    line_items: [lineItem],
    payment_terms: null,
    refunds: refunds.map((r) => buildRefundPayload({ ...r, orderId, currency, taxesIncluded })),
    shipping_address: shippingLines.length > 0 ? address : null,
    shipping_lines: shippingLines,
    returns: [],
    line_item_groups: [],
  };
}

/** `createdAt` (Shopify's form), or the latest of `changes` when one is later, in Shopify's form. */
function lastModified(createdAt: string, changes: Array<TimeInput | null | undefined>): string {
  let latest = createdAt;
  for (const change of changes) {
    if (change === null || change === undefined) continue;
    const at = formatShopTime(change);
    if (new Date(at).getTime() > new Date(latest).getTime()) latest = at;
  }
  return latest;
}

/** The orders/create payload, keys in the order Shopify sends them (see the sample). */
export type OrderWebhookPayload = ReturnType<typeof buildOrderPayload>;

/** `buildOrderPayload` + `serializeWebhookJson`: the raw body to sign and send. */
export function buildOrderWebhookBody(order: EmulatedOrder): string {
  const payload = buildOrderPayload(order);
  return serializeWebhookJson(order.redactPersonalData ? redactOrderPayload(payload) : payload);
}

/** The orders/create payload as an app without protected customer data Level 2 receives it. */
export function redactOrderPayload(payload: OrderWebhookPayload): OrderWebhookPayload {
  const customer = payload.customer
    ? { ...payload.customer, first_name: null, last_name: null, email: null, phone: null, default_address: null }
    : null;
  return {
    ...payload,
    email: null,
    contact_email: null,
    phone: null,
    billing_address: null,
    shipping_address: null,
    customer,
  } as unknown as OrderWebhookPayload;
}

/**
 * The customers/create (and customers/update) payload as an app without protected customer data Level 2 receives it: name,
 * email, phone and addresses withheld (https://shopify.dev/docs/apps/launch/protected-customer-data).
 */
export function redactCustomerPayload<T extends ReturnType<typeof buildCustomerPayload>>(payload: T): T {
  return { ...payload, email: null, first_name: null, last_name: null, phone: null, addresses: [], default_address: null };
}

// ---------------------------------------------------------------------------------------------
// discounts/*

/** The discount topics the app subscribes to (shopify.app.toml), plus create, which shares update's shape. */
export type DiscountWebhookTopic = "discounts/create" | "discounts/update" | "discounts/delete";

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
}

export type DiscountUpsertPayload = {
  admin_graphql_api_id: string;
  title: string;
  status: DiscountStatus;
  created_at: string;
  updated_at: string;
};
export type DiscountDeletePayload = { admin_graphql_api_id: string; deleted_at: string };

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
 * delete `{admin_graphql_api_id, deleted_at}`.
 */
export function buildDiscountPayload(topic: "discounts/create" | "discounts/update", discount: EmulatedDiscount): DiscountUpsertPayload;
export function buildDiscountPayload(topic: "discounts/delete", discount: EmulatedDiscount): DiscountDeletePayload;
export function buildDiscountPayload(topic: DiscountWebhookTopic, discount: EmulatedDiscount): DiscountUpsertPayload | DiscountDeletePayload {
  const now = new Date();
  const id = discountGid(discount);
  switch (topic) {
    case "discounts/create":
    case "discounts/update": {
      const createdAt = formatShopTime(discount.createdAt ?? now);
      return {
        admin_graphql_api_id: id,
        title: discount.title ?? "",
        status: discount.status ?? "ACTIVE",
        created_at: createdAt,
        updated_at: discount.updatedAt ? formatShopTime(discount.updatedAt) : createdAt,
      };
    }
    case "discounts/delete":
      return { admin_graphql_api_id: id, deleted_at: formatShopTime(discount.deletedAt ?? now) };
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
  planDisplayName?: string;
  /** `updated_at`: when the shop was last updated (default: the shop's creation, 2024-01-01). */
  updatedAt?: TimeInput;
}

export type ShopPayload = { id: bigint; myshopify_domain: string } & { [key: string]: WebhookJson };

/** The app/uninstalled and shop/update payload: the shop as the REST Shop resource (same keys as Shopify's sample). */
export function buildShopPayload(shop: EmulatedShop): ShopPayload {
  const id = shop.id === undefined ? deriveId(`shop:${shop.domain}`, 10) : toShopifyId(shop.id, "Shop");
  const currency = shop.currency ?? "USD";
  const created = formatShopTime(new Date(Date.UTC(2024, 0, 1)));
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
    updated_at: shop.updatedAt === undefined ? created : formatShopTime(shop.updatedAt),
    country_code: "CA",
    country_name: "Canada",
    currency,
    customer_email: email,
    timezone: "(GMT+00:00) UTC",
    iana_timezone: "UTC",
    shop_owner: "Emulated Owner",
    money_format: "${{amount}}",
    money_with_currency_format: `\${{amount}} ${currency}`,
    weight_unit: "kg",
    province_code: "ON",
    taxes_included: false,
    auto_configure_tax_inclusivity: null,
    tax_shipping: null,
    county_taxes: true,
    plan_display_name: shop.planDisplayName ?? "Development",
    plan_name: "partner_test",
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

// ---------------------------------------------------------------------------------------------
// refunds/create, customers/create (orders/cancelled is the order payload with `cancelled_at` set)

/** A refund of an emulated order: part of its one line item, optionally shipping. */
export interface EmulatedRefund {
  id: IdInput;
  /** The refunded order's id (exact digits; written as a bare integer like Shopify's `order_id`). */
  orderId: IdInput;
  /**
   * Refunded line amount after discounts, shop currency (the refund line's `subtotal`; tax included
   * when the order's prices include tax).
   */
  amount: string | number;
  /**
   * The tax on the refunded line amount (the refund line's `total_tax`). Default 0. Paid back on top
   * of `amount` unless `taxesIncluded`.
   */
  tax?: string | number;
  /** The order's prices include tax: the tax is inside `amount`, not added to the transaction. Default false. */
  taxesIncluded?: boolean;
  /** The gateway that paid the order, which the refund goes back through. Default `shopify_payments`. */
  gateway?: string;
  /** The refunded order is a test order: its transactions are tests too. Default false. */
  test?: boolean;
  /** Refunded shipping, shop currency, priced like the order's shipping (tax inside with `taxesIncluded`). Default 0 (none). */
  shipping?: string | number;
  /** The tax on the refunded shipping (the refund shipping line's `tax_amount_set`). Default 0. */
  shippingTax?: string | number;
  currency?: string;
  createdAt?: TimeInput;
}

/** What a refund pays back to the buyer: the line and the shipping, plus their taxes when prices exclude them. */
function refundTransactionCents(refund: Pick<EmulatedRefund, "amount" | "tax" | "shipping" | "shippingTax">, taxesIncluded: boolean): Cents {
  const lines = toCents(refund.amount) + toCents(refund.shipping ?? 0);
  return lines + (taxesIncluded ? 0n : toCents(refund.tax ?? 0) + toCents(refund.shippingTax ?? 0));
}

/**
 * The refunds/create payload: the REST Refund resource
 * (https://shopify.dev/docs/api/admin-rest/latest/resources/refund — `order_id`, `refund_line_items[]`
 * with `subtotal_set` / `total_tax_set`, `transactions[]`, `order_adjustments[]`, and
 * `refund_shipping_lines[]` for refunded shipping: "As of the 2024-10 Admin API version, refunded
 * shipping costs are no longer considered order adjustments and should be accessed through
 * refund_shipping_lines", https://shopify.dev/docs/api/admin-rest/2024-10/resources/refund; each line
 * names its order's shipping line and has `subtotal_amount_set` / `tax_amount_set`, as
 * https://shopify.dev/docs/api/admin-graphql/latest/objects/RefundShippingLine). It names its order
 * only by the numeric `order_id`, written here as exact digits (bigint) as Shopify does.
 */
export function buildRefundPayload(refund: EmulatedRefund) {
  const currency = refund.currency ?? "USD";
  const refundId = toShopifyId(refund.id, "Refund");
  const orderId = toShopifyId(refund.orderId, "Order");
  const amount = toCents(refund.amount);
  const tax = toCents(refund.tax ?? 0);
  const shipping = toCents(refund.shipping ?? 0);
  const shippingTax = toCents(refund.shippingTax ?? 0);
  const refunded = refundTransactionCents(refund, refund.taxesIncluded ?? false);
  const createdAt = formatShopTime(refund.createdAt ?? new Date());
  const lineId = deriveId(`line:${orderId}`);
  const money = (cents: Cents) => moneySet(cents, currency);
  return {
    id: refundId,
    admin_graphql_api_id: gid("Refund", refundId),
    created_at: createdAt,
    note: null,
    order_id: orderId,
    processed_at: createdAt,
    restock: false,
    total_duties_set: money(0n),
    user_id: null,
    order_adjustments: [],
    refund_shipping_lines:
      shipping > 0n
        ? [
            {
              id: deriveId(`refund-shipping:${refundId}`),
              shipping_line_id: deriveId(`shipping:${orderId}`),
              // "The subtotal amount of the refund shipping line" / "The tax amount of the refund
              // shipping line" (https://shopify.dev/docs/api/admin-graphql/latest/objects/RefundShippingLine).
              // Whether the subtotal holds the tax in a tax-inclusive shop is not documented; it is
              // priced here as the refunded lines' subtotal_set is — tax inside (docs/decisions/019).
              subtotal_amount_set: money(shipping),
              tax_amount_set: money(shippingTax),
            },
          ]
        : [],
    transactions: [
      {
        id: deriveId(`transaction:${refundId}`),
        admin_graphql_api_id: gid("OrderTransaction", deriveId(`transaction:${refundId}`)),
        amount: formatCents(refunded),
        currency,
        gateway: refund.gateway ?? "shopify_payments",
        kind: "refund",
        order_id: orderId,
        status: "success",
        test: refund.test ?? false,
        created_at: createdAt,
        processed_at: createdAt,
      },
    ],
    refund_line_items:
      amount > 0n
        ? [
            {
              id: deriveId(`refund-line:${refundId}`),
              line_item_id: lineId,
              location_id: null,
              quantity: 1,
              restock_type: "no_restock",
              // "subtotal: The subtotal of the refund line item", "total_tax: The total tax on the
              // refund line item" (https://shopify.dev/docs/api/admin-rest/latest/resources/refund).
              subtotal: Number(amount) / 100,
              subtotal_set: money(amount),
              total_tax: Number(tax) / 100,
              total_tax_set: money(tax),
            },
          ]
        : [],
    duties: [],
  };
}

/**
 * The customers/create and customers/update payload: the REST Customer resource
 * (https://shopify.dev/docs/api/admin-rest/latest/resources/customer). `state` defaults to "disabled",
 * as in Shopify's customers/create sample; `updatedAt` to `createdAt`.
 */
export function buildCustomerPayload(customer: EmulatedCustomer & { createdAt?: TimeInput; updatedAt?: TimeInput; currency?: string; state?: "disabled" | "invited" | "enabled" | "declined" }) {
  const id = toShopifyId(customer.id, "Customer");
  const createdAt = formatShopTime(customer.createdAt ?? new Date());
  return {
    id,
    email: customer.email ?? null,
    created_at: createdAt,
    updated_at: customer.updatedAt === undefined ? createdAt : formatShopTime(customer.updatedAt),
    first_name: customer.first_name ?? null,
    last_name: customer.last_name ?? null,
    state: customer.state ?? "disabled",
    note: null,
    verified_email: true,
    multipass_identifier: null,
    tax_exempt: false,
    phone: customer.phone ?? null,
    currency: customer.currency ?? "USD",
    addresses: [],
    tax_exemptions: [],
    admin_graphql_api_id: gid("Customer", id),
    default_address: null,
  };
}
