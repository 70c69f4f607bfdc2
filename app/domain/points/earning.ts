// Points earned on an order and taken back by its refunds, from Shopify's webhook payloads.
// Amounts are the shop-currency ones Shopify sends (`*_set.shop_money`), so a multi-currency order
// earns on what the shop was paid in its own currency
// (https://shopify.dev/docs/api/admin-rest/latest/resources/order: "shop_money" vs "presentment_money").
// Webhook bodies are untrusted: every reader accepts `unknown`, tolerates missing or malformed fields
// and never throws. Money is handled as exact thousandths of a currency unit (bigint), never floats.
import { parseJsonKeepingBigIds, shopifyGidOf, shopifyIdOf } from "../shopify-ids";
import { rateHundredths, type ProgramSettingsValues, type Rounding } from "./settings";
import { field } from "../json-fields";
import { shopCurrencyCode } from "../currency";

/** Exact amount in thousandths of the shop currency's unit (3 decimals covers every ISO currency). */
export type Milli = bigint;


/** "12.34" / 12.34 → 12340n; null for anything else (more than 3 decimals, not a number). */
export function parseMilli(value: unknown): Milli | null {
  const text = typeof value === "number" && Number.isFinite(value) ? String(value) : typeof value === "string" ? value.trim() : null;
  if (text === null || text.length > 32) return null;
  const m = /^(-)?(\d+)(?:\.(\d{1,3}))?$/.exec(text);
  if (!m) return null;
  const milli = BigInt(m[2]!) * 1000n + BigInt((m[3] ?? "0").padEnd(3, "0"));
  return m[1] ? -milli : milli;
}

/** Longest amount text parseShopifyAmount reads: far more than any amount's digits, a bound on what is scanned. */
const MAX_AMOUNT_TEXT_LENGTH = 64;

/**
 * An amount as Shopify writes money — a webhook body's `amount` string (the REST resources'
 * `*_set.shop_money.amount`, a refund line's `subtotal`) or a GraphQL MoneyV2 `amount`, a Decimal
 * ("Decimal money amount", https://shopify.dev/docs/api/admin-graphql/latest/objects/MoneyV2) — by
 * parseMilli, after dropping zeros past the third decimal: "40.0000" is exactly 40, "40.1230" is
 * 40.123, while "40.1234" holds no exact thousandths and stays unreadable (null). The one reader of
 * Shopify's amounts: an order whose subtotal read "40.0000" was dead-lettered as "without a decimal
 * shop-currency amount" and earned nothing (docs/decisions/019, addendum of 3 December 2026).
 */
export function parseShopifyAmount(value: unknown): Milli | null {
  if (typeof value !== "string") return parseMilli(value);
  const text = value.trim();
  if (text.length > MAX_AMOUNT_TEXT_LENGTH) return null;
  return parseMilli(text.replace(/^(-?\d+\.\d{3})0+$/, "$1"));
}

export function formatMilli(milli: Milli): string {
  const negative = milli < 0n;
  const abs = negative ? -milli : milli;
  const fraction = (abs % 1000n).toString().padStart(3, "0").replace(/0$/, "");
  return `${negative ? "-" : ""}${abs / 1000n}.${fraction}`;
}

/**
 * An amount read by parseShopifyAmount, written back as Shopify writes a short Decimal: "10.0000"
 * and "10.00" are "10.0", "6.40" is "6.4", "6.125" stays. What the app stores and shows of an amount
 * it read from Shopify (a gift card's balance), so no answer's extra zeros ever reach a page.
 */
export function shopifyAmountText(milli: Milli): string {
  return formatMilli(milli).replace(/(\.\d)0$/, "$1");
}

function list(value: unknown, max = 1000): unknown[] {
  return Array.isArray(value) ? value.slice(0, max) : [];
}

function sum(values: Array<Milli | null>): Milli {
  return values.reduce<Milli>((total, v) => total + (v ?? 0n), 0n);
}

const max0 = (v: Milli) => (v < 0n ? 0n : v);

/** An order's amounts as orderEarningAmount reads them, or why they cannot be read. */
type OrderAmounts =
  | { problem: null; subtotal: Milli | null; tax: Milli; shipping: Milli[]; shippingTaxes: Milli[] }
  | { problem: string };

/**
 * Reads an order's money sets (`*_set.shop_money.amount`) by the rule a refund's are read by
 * (presentMoney): an absent set is no amount; a set that is there without a decimal of at most 3
 * places, or with a negative amount (an order's never are:
 * https://shopify.dev/docs/api/admin-rest/latest/resources/order), makes the order unreadable —
 * the problem names the field. Read leniently (a malformed tax or shipping set as none), a
 * tax-inclusive order whose `total_tax_set` read "20,00" earned on its tax too, in silence, while
 * a refund with the same set was a dead letter.
 */
function readOrderAmounts(payload: unknown): OrderAmounts {
  const { amount, problem } = amountReader();
  const subtotal = amount(field(payload, "subtotal_price_set"), "subtotal_price_set");
  const tax = amount(field(payload, "total_tax_set"), "total_tax_set") ?? 0n;
  const shippingLines = list(field(payload, "shipping_lines"));
  const shipping = shippingLines.map((l, i) => amount(field(l, "discounted_price_set"), `shipping_lines[${i}].discounted_price_set`) ?? 0n);
  // Shipping's own tax (`shipping_lines[].tax_lines[].price_set`): part of `total_tax`, inside the
  // shipping price when prices include tax. Only the merchandise's tax belongs with the subtotal.
  const shippingTaxes = shippingLines.flatMap((l, i) => list(field(l, "tax_lines")).map((t, j) => amount(field(t, "price_set"), `shipping_lines[${i}].tax_lines[${j}].price_set`) ?? 0n));
  // The currency those amounts are in (`currency`, "the shop currency" of the order: its shop_money
  // sets'; `presentment_currency` is the buyer's) — when the body says it, a currency a shop sells in
  // by the one rule (shopCurrencyCode), as shop/update's `currency` must be (bodies.ts shopUpdateBody).
  const currencyProblem = orderCurrencyOf(payload) === undefined ? "has a currency that is no three-letter currency code a shop sells in" : null;
  const found = problem() ?? currencyProblem;
  return found !== null ? { problem: found } : { problem: null, subtotal, tax, shipping, shippingTaxes };
}

/**
 * The order's shop currency: orders/create `currency`, "The three-letter code (ISO 4217 format) for
 * the shop currency" — the currency of its `*_set.shop_money` amounts, what the shop sold in when the
 * order was placed (`presentment_currency` is the buyer's:
 * https://shopify.dev/docs/api/admin-rest/latest/resources/order). Null when the body does not say
 * (absent or null: read as today, in the stored currency); undefined when it says something that is no
 * currency a shop sells in (shopCurrencyCode): the order's amounts are then unreadable (orderAmountsProblem).
 */
export function orderCurrencyOf(payload: unknown): string | null | undefined {
  const value = field(payload, "currency");
  if (value === undefined || value === null) return null;
  return shopCurrencyCode(value) ?? undefined;
}

/**
 * The one reader of a body's amounts for orders and refunds alike: `amount(set, name)` reads a money
 * set (presentMoney) — absent is null; present without a decimal of at most 3 places, or negative
 * (Shopify's order and refund amounts never are), is null too and the first such field is kept as the
 * problem, named ("has a negative total_tax_set", "has a refund_line_items[0].subtotal_set without a
 * decimal shop-currency amount") — ids and field names only, never a value from the body.
 * `plain(value, name)` reads a plain decimal (a refund line's `subtotal` without its set) by the same rules.
 */
function amountReader() {
  let problem: string | null = null;
  const judge = (read: Milli | null | undefined, name: string, what: string, wrongSign = "negative"): Milli | null => {
    if (read === undefined) problem ??= `has ${/^[aeiou]/.test(name) ? "an" : "a"} ${name} without ${what}`;
    else if (read !== null && read < 0n) problem ??= `has a ${wrongSign} ${name}`;
    return read === undefined || (read !== null && read < 0n) ? null : read;
  };
  return {
    amount: (set: unknown, name: string) => judge(presentMoney(set), name, "a decimal shop-currency amount"),
    /** A set Shopify writes negative (a shipping_refund adjustment's `amount_set`), read as its opposite. */
    negated: (set: unknown, name: string) => {
      const read = presentMoney(set);
      return judge(read === null || read === undefined ? read : -read, name, "a decimal shop-currency amount", "positive");
    },
    plain: (value: unknown, name: string) => judge(value == null ? null : (parseShopifyAmount(value) ?? undefined), name, "a decimal amount"),
    problem: () => problem,
  };
}

/**
 * Why an order's amounts cannot be read, completing "the orders/create body …" (it names the
 * field: "has a negative total_tax_set"); null when they can. The orders/create delivery is then
 * dead-lettered with it, after its other effects (app/services/webhooks/effects.server.ts).
 */
export function orderAmountsProblem(payload: unknown): string | null {
  return readOrderAmounts(payload).problem;
}

/**
 * The part of an order that earns points, in shop currency: the subtotal after discounts
 * (`subtotal_price_set`), plus shipping after its discounts (`shipping_lines[].discounted_price_set`)
 * and taxes (`total_tax_set`) when the merchant counts them — the merchandise's tax with the subtotal,
 * shipping's own tax (`shipping_lines[].tax_lines`) only with shipping. A shop whose prices include tax
 * (`taxes_included`) has the tax inside the subtotal and the shipping price: it is taken out unless
 * taxes count.
 * null when the payload has no shop-currency subtotal, or when any of these amounts cannot be read
 * (readOrderAmounts: not a decimal, or negative — a negative tax taken out of a tax-inclusive
 * subtotal raised it: $10 with −$500 tax earned 510).
 */
export function orderEarningAmount(payload: unknown, settings: Pick<ProgramSettingsValues, "includeShipping" | "includeTaxes">): Milli | null {
  const read = readOrderAmounts(payload);
  if (read.problem !== null || read.subtotal === null) return null;
  const { subtotal, tax } = read;
  const taxesIncluded = orderTaxesIncluded(payload);
  const shipping = sum(read.shipping);
  // Never more than the order's tax, which holds it (so the merchandise's tax is never negative).
  const shippingTaxRead = sum(read.shippingTaxes);
  const shippingTax = shippingTaxRead > tax ? tax : shippingTaxRead;
  const linesTax = tax - shippingTax;
  let amount = subtotal;
  if (taxesIncluded && !settings.includeTaxes) amount -= linesTax;
  if (!taxesIncluded && settings.includeTaxes) amount += linesTax;
  if (settings.includeShipping) {
    // Shipping as charged, its tax taken out (prices with tax) or added (prices without) as taxes count.
    amount += shipping;
    if (taxesIncluded && !settings.includeTaxes) amount -= shippingTax;
    if (!taxesIncluded && settings.includeTaxes) amount += shippingTax;
  }
  return max0(amount);
}

function divideRounded(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  const q = numerator / denominator;
  const r = numerator % denominator;
  if (r === 0n) return q;
  if (rounding === "UP") return q + 1n;
  if (rounding === "NEAREST") return r * 2n >= denominator ? q + 1n : q;
  return q;
}

/** Points for an amount at the merchant's rate and rounding (never negative; capped to a safe integer). */
export function pointsForAmount(amount: Milli, settings: Pick<ProgramSettingsValues, "pointsPerCurrencyUnit" | "rounding">): number {
  const rate = rateHundredths(settings.pointsPerCurrencyUnit);
  if (rate === null || amount <= 0n) return 0;
  const points = divideRounded(amount * BigInt(rate), 100_000n, settings.rounding);
  return Number(points > 1_000_000_000n ? 1_000_000_000n : points);
}

/** The refund facts points depend on (refunds/create). */
export interface RefundFacts {
  /**
   * gid://shopify/Refund/<id>, whichever of `admin_graphql_api_id` and `id` the body carries: one
   * refund has one key, so a delivery with only one of them can't count the same refund again.
   */
  refundId: string;
  /** gid://shopify/Order/…, built from the exact digits of `order_id`. */
  orderGid: string;
  /** Refunded line items after discounts (`refund_line_items[].subtotal_set`). */
  lines: Milli;
  /** Their taxes (`refund_line_items[].total_tax_set`). */
  taxes: Milli;
  /**
   * Refunded shipping: `refund_shipping_lines[].subtotal_amount_set` (API 2024-10 and later), else —
   * older versions — `order_adjustments[kind=shipping_refund]` (negative amounts in Shopify).
   */
  shipping: Milli;
  /**
   * Refunded shipping's own tax: `refund_shipping_lines[].tax_amount_set` (0 from an older version's
   * adjustments, whose tax is not read: a refund then takes back less, never more). Priced like the
   * refunded lines' tax — inside `shipping` when the order's prices include tax (docs/decisions/019).
   */
  shippingTax: Milli;
}

// The one reader of Shopify's numeric ids (app/domain/shopify-ids.ts); re-exported for the points callers.
export { parseJsonKeepingBigIds };

/**
 * A money set's shop-currency amount as an order or a refund carries it — the one reader of both:
 * null when the set is absent (it counts nothing), undefined when it is there without a decimal of
 * at most 3 places (parseShopifyAmount) — a body Shopify does not send, read as 0 it would silently take
 * nothing back (or, an order's tax, earn on the tax).
 */
function presentMoney(set: unknown): Milli | null | undefined {
  return set == null ? null : (parseShopifyAmount(field(field(set, "shop_money"), "amount")) ?? undefined);
}

/**
 * A refunds/create body read: its facts, or why it cannot be read — completing "the refunds/create
 * body …" and naming the field, as an order's amounts do (readOrderAmounts): "has a negative
 * refund_line_items[1].subtotal_set", "has no order_id (a Shopify id)". Ids and field names only.
 */
export type RefundRead = { problem: null; facts: RefundFacts } | { problem: string };

/** refunds/create payload (parsed with {@link parseJsonKeepingBigIds}) → its facts; null when unusable (readRefund says why). */
export function refundFacts(payload: unknown): RefundFacts | null {
  const read = readRefund(payload);
  return read.problem === null ? read.facts : null;
}

/** refunds/create payload (parsed with {@link parseJsonKeepingBigIds}) → its facts, or the field that makes it unusable. */
export function readRefund(payload: unknown): RefundRead {
  const { amount, negated, plain, problem } = amountReader();
  // The app's one reader of Shopify ids (app/domain/shopify-ids.ts), as orders/create reads its order's.
  const orderDigits = shopifyIdOf(field(payload, "order_id"));
  // The refund's key is always its GID (sourceKeys.refund, VipOrder.refundIds): the GID, or one built
  // from the numeric `id` (the REST resource's `id` and `admin_graphql_api_id` name the same refund,
  // https://shopify.dev/docs/api/admin-rest/latest/resources/refund). Both present and naming
  // different refunds: the body is not one refund, nothing is counted from it.
  const gid = shopifyGidOf(field(payload, "admin_graphql_api_id"), "Refund");
  const digits = shopifyIdOf(field(payload, "id"));
  const fromDigits = digits ? `gid://shopify/Refund/${digits}` : null;
  if (gid && fromDigits && gid !== fromDigits) return { problem: "has an id and an admin_graphql_api_id naming two different refunds" };
  const refundId = gid ?? fromDigits;
  if (!orderDigits) return { problem: "has no order_id (a Shopify id)" };
  if (!refundId) return { problem: "has no refund id (admin_graphql_api_id gid://shopify/Refund/<id>, or id)" };
  const items = list(field(payload, "refund_line_items"));
  // Since API 2024-10 refunded shipping is no order adjustment: it is in `refund_shipping_lines`
  // (https://shopify.dev/docs/api/admin-rest/2024-10/resources/refund, "order_adjustments": "As of the
  // 2024-10 Admin API version, refunded shipping costs are no longer considered order adjustments and
  // should be accessed through refund_shipping_lines"). A body with both says the same shipping twice:
  // the shipping lines win; the adjustments count only without them (older versions).
  const shippingLines = list(field(payload, "refund_shipping_lines"));
  const adjustments = list(field(payload, "order_adjustments"));
  // A refunded amount is never negative (a shipping_refund adjustment never positive): one that is
  // would cancel another line out inside the sum (−50 beside +50 took nothing back), so the body is
  // not a refund Shopify sends — unreadable, as an order with a negative amount is (orderEarningAmount).
  // Each refunded line's amount and its own tax (`subtotal_set` / `total_tax_set`, else the plain
  // `subtotal` / `total_tax`: https://shopify.dev/docs/api/admin-rest/latest/resources/refund) are
  // what a refund is measured by (refundedEarningAmount): one that is there but no decimal makes the
  // body unreadable too — read as 0 it would silently take nothing back.
  const lineMoney = (line: unknown, i: number, name: "subtotal" | "total_tax") => {
    const set = field(line, `${name}_set`);
    return set != null ? amount(set, `refund_line_items[${i}].${name}_set`) : plain(field(line, name), `refund_line_items[${i}].${name}`);
  };
  const lines = items.map((l, i) => lineMoney(l, i, "subtotal"));
  const taxes = items.map((l, i) => lineMoney(l, i, "total_tax"));
  const shippings = shippingLines.map((l, i) => amount(field(l, "subtotal_amount_set"), `refund_shipping_lines[${i}].subtotal_amount_set`));
  // Each refunded shipping line's own tax ("The tax amount of the refund shipping line",
  // https://shopify.dev/docs/api/admin-graphql/latest/objects/RefundShippingLine), read like a line's tax.
  const shippingTaxes = shippingLines.map((l, i) => amount(field(l, "tax_amount_set"), `refund_shipping_lines[${i}].tax_amount_set`));
  // A shipping_refund adjustment's amount is negative in Shopify: read as its opposite (a positive one is unreadable).
  const adjusted = adjustments.flatMap((a, i) => (field(a, "kind") === "shipping_refund" ? [negated(field(a, "amount_set"), `order_adjustments[${i}].amount_set`)] : []));
  const found = problem();
  if (found !== null) return { problem: found };
  const shipping = shippingLines.length > 0 ? sum(shippings) : sum(adjusted);
  return {
    problem: null,
    facts: {
      refundId,
      orderGid: `gid://shopify/Order/${orderDigits}`,
      lines: sum(lines),
      taxes: sum(taxes),
      shipping: max0(shipping),
      shippingTax: shippingLines.length > 0 ? sum(shippingTaxes) : 0n,
    },
  };
}

const roundedByJsonParse = (value: unknown) => typeof value === "number" && !Number.isSafeInteger(value);

/**
 * A refunds/create delivery's facts, read from its body as the inbox parsed it (once per batch:
 * applyClaimedDeliveries, app/services/webhooks/inbox.server.ts). The raw body is parsed again, with
 * the exact reader, only when an id refundFacts reads is a number JSON.parse rounded (beyond 2^53) —
 * as the erasure guard does (identifiersOf, app/services/compliance/privacy.server.ts).
 */
export function refundFactsOfDelivery(delivery: { payload: unknown; rawPayload?: string }): RefundRead {
  const { payload, rawPayload } = delivery;
  if (rawPayload !== undefined && (roundedByJsonParse(field(payload, "order_id")) || roundedByJsonParse(field(payload, "id")))) return readRefund(parseJsonKeepingBigIds(rawPayload));
  return readRefund(payload);
}

/** The refunds an orders/create body carries (carriedRefunds): those the app can read, and the first it cannot, named. */
export interface CarriedRefunds {
  refunds: RefundFacts[];
  problem: string | null;
}

/**
 * The refunds an orders/create body already carries: the REST Order resource's `refunds`, "A list of
 * refunds applied to the order" (https://shopify.dev/docs/api/admin-rest/latest/resources/order), each a
 * Refund resource (https://shopify.dev/docs/api/admin-rest/latest/resources/refund) read by the one
 * refund reader (readRefund) — an order created already refunded in part (an import through the Admin
 * API, `financial_status` partially_refunded) has no refunds/create to follow for them. A refund without
 * its own `order_id` is this order's; one naming another order, or that readRefund cannot read, is left
 * out and the first such is the problem, completing "the orders/create body …" and naming the field
 * ("has refunds[0], which has a negative refund_line_items[1].subtotal_set").
 */
export function carriedRefunds(payload: unknown): CarriedRefunds {
  const orderDigits = shopifyGidOf(field(payload, "admin_graphql_api_id"), "Order")?.split("/").pop() ?? null;
  const refunds: RefundFacts[] = [];
  let problem: string | null = null;
  list(field(payload, "refunds")).forEach((entry, i) => {
    const read = readRefund(field(entry, "order_id") == null && orderDigits !== null ? { ...(entry as object), order_id: orderDigits } : entry);
    if (read.problem !== null) problem ??= `has refunds[${i}], which ${read.problem}`;
    else if (read.facts.orderGid !== `gid://shopify/Order/${orderDigits}`) problem ??= `has refunds[${i}], whose order_id names another order`;
    else refunds.push(read.facts);
  });
  return { refunds, problem };
}

/**
 * An orders/create delivery's carried refunds (carriedRefunds), the raw body parsed again with the exact
 * reader only when a refund's id or order_id is a number JSON.parse rounded (beyond 2^53), as
 * refundFactsOfDelivery does.
 */
export function carriedRefundsOfDelivery(delivery: { payload: unknown; rawPayload?: string }): CarriedRefunds {
  const { payload, rawPayload } = delivery;
  const rounded = list(field(payload, "refunds")).some((r) => roundedByJsonParse(field(r, "order_id")) || roundedByJsonParse(field(r, "id")));
  return carriedRefunds(rounded && rawPayload !== undefined ? parseJsonKeepingBigIds(rawPayload) : payload);
}

/**
 * A refund of an order earned before its `taxes_included` was kept (the earned row's `taxesIncluded`
 * is null): that row's `amount` is the order's subtotal as its lines are priced (plus shipping when it
 * counted), so the refund is read in the same prices — its refunded lines, plus refunded shipping when
 * shipping counts; exact when the order's lines share one tax rate (docs/decisions/019).
 */
export function refundBasis(refund: RefundFacts, settings: Pick<ProgramSettingsValues, "includeShipping">): Milli {
  return refund.lines + (settings.includeShipping ? refund.shipping : 0n);
}

/** The order's `taxes_included`: its line prices (and so its refunds' lines) carry their tax inside. */
export function orderTaxesIncluded(payload: unknown): boolean {
  return field(payload, "taxes_included") === true;
}

/**
 * A refund in the terms of its order's orderEarningAmount — the one measure of a refund against what
 * its order counted (points: the earned row's `amount`; VIP "amount spent": the VipOrder's `amount`,
 * earned with taxes and shipping not counting). Line by line: each refunded line's own tax
 * (`refund_line_items[].total_tax_set`) is taken out of its `subtotal_set` when the order's prices
 * include tax (`taxesIncluded`, kept from the order: a refund does not say), and added when taxes
 * count; refunded shipping when shipping counts, its own tax (`refund_shipping_lines[].tax_amount_set`)
 * treated the same way — as orderEarningAmount treats the order's shipping tax. So a refund of an order
 * whose lines have different tax rates gives back exactly its own lines' share, and a full refund
 * exactly what the order earned (docs/decisions/019). Never negative.
 */
export function refundedEarningAmount(
  refund: RefundFacts,
  terms: Pick<ProgramSettingsValues, "includeShipping" | "includeTaxes"> & { taxesIncluded: boolean },
): Milli {
  const inTerms = (amount: Milli, tax: Milli) => max0(amount - (terms.taxesIncluded ? tax : 0n)) + (terms.includeTaxes ? tax : 0n);
  return inTerms(refund.lines, refund.taxes) + (terms.includeShipping ? inTerms(refund.shipping, refund.shippingTax) : 0n);
}

/**
 * Points a refund takes back: the order's earned points in proportion to the share of the order
 * refunded so far, this refund included (`(refundedBefore + refunded) / earnedOn`, both in the prices
 * of orderRefundBasis; rounded to nearest), less what was already taken back — never more than what
 * is left. Rounding the running total, not each refund on its own, makes an order refunded in parts
 * give back exactly what a refund of the whole would (three thirds of 10 points: 3, 4, 3 — not 3, 3, 3).
 */
export function pointsToTakeBack(input: { earned: number; earnedOn: Milli; refunded: Milli; alreadyTakenBack: number; refundedBefore?: Milli }): number {
  const left = Math.max(0, input.earned - input.alreadyTakenBack);
  if (left === 0 || input.refunded <= 0n) return 0;
  const total = (input.refundedBefore ?? 0n) + input.refunded;
  if (input.earnedOn <= 0n || total >= input.earnedOn) return left;
  const dueSoFar = Number(divideRounded(BigInt(input.earned) * total, input.earnedOn, "NEAREST"));
  return Math.min(left, Math.max(0, dueSoFar - input.alreadyTakenBack));
}
