// Shopify's mandatory privacy webhooks (https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance)
// and the merchant's hand-over of data requests. What is erased and what stays, and why:
// docs/decisions/015-privacy-and-lifecycle.md.
//   customers/data_request → the customer's data, stored as a ComplianceRequest; the merchant sees it
//                            pending in the admin (Privacy requests), downloads it as JSON, and the
//                            download records `providedAt` (Shopify asks apps to give the data to the
//                            merchant, not to the customer).
//   customers/redact       → erase the customer's personal data everywhere: the Customer row, the
//                            copies on its rewards and redemptions, reward codes, merchant-typed notes,
//                            the stored result of earlier data requests, and any app text elsewhere
//                            in the shop that still names them. Anonymous aggregates stay.
//   shop/redact            → delete everything the app stores for the shop.
// Each effect takes the database and the delivery's context, so it runs the same from a route or
// from a webhook inbox.
import type { Prisma } from "@prisma/client";
import { createHash, randomUUID } from "node:crypto";
import { directSql, providerOf, type Db } from "~/db.server";
import { sourceKeys } from "~/domain/points";
import { err, type Err, type Problem } from "~/domain/result";
import { deliveredEventTime } from "~/domain/shopify-time";
import { isGidOfType, parseJsonKeepingBigIds, REDACTED_ID, shopifyGidOf, shopifyIdOf, shopifyIdOfGid } from "~/domain/shopify-ids";
import { emailKey } from "~/domain/customer-email";
import { recordedClickAt } from "~/domain/referrals";
import { hasDuplicateKeys } from "~/domain/json-fields";
import { hasControlCharacters } from "~/domain/text";
import { logger, type Logger } from "~/logger.server";
import type { OfflineTokenAnswer } from "~/services/lifecycle/scopes.server";
import { DeliveryWaits } from "~/services/webhooks/context";
import { UnappliableDelivery } from "~/services/webhooks/inbox.server";
import { equalsTextIgnoringCase } from "~/services/admin/customers.server";

export interface PrivacyEffectContext {
  shop: string;
  payload: unknown;
  /** The body exactly as received: customer ids beyond 2^53 are read from it exactly. */
  rawPayload?: string;
  /** X-Shopify-Triggered-At, when known. */
  triggeredAt?: Date | null;
  webhookId?: string;
}

type Tx = Prisma.TransactionClient;

export const DATA_REQUEST = "customers/data_request";
export const CUSTOMER_REDACT = "customers/redact";

const REDACTED = REDACTED_ID;

interface CustomerRef {
  gid: string | null;
  email: string | null;
}

/** The body with every id beyond 2^53 kept exact (as its digits), read from the raw body when there is one. */
function exactBody(ctx: Pick<PrivacyEffectContext, "payload" | "rawPayload">): unknown {
  return ctx.rawPayload !== undefined ? parseJsonKeepingBigIds(ctx.rawPayload) : ctx.payload;
}

/**
 * The customer a privacy webhook names. The id is read from the raw body with the app's one reader
 * of Shopify ids (app/domain/shopify-ids.ts): JSON.parse rounds an id beyond 2^53 to a neighbouring
 * one, which could be another customer of the shop.
 */
function customerRef(ctx: Pick<PrivacyEffectContext, "payload" | "rawPayload">): CustomerRef {
  const c = (exactBody(ctx) as { customer?: { id?: unknown; email?: unknown } } | null)?.customer;
  const id = shopifyIdOf(c?.id);
  // An email holding a control character is no one's (and a NUL cannot even be compared by PostgreSQL).
  const email = typeof c?.email === "string" && c.email && !hasControlCharacters(c.email) ? c.email : null;
  return { gid: id ? `gid://shopify/Customer/${id}` : null, email };
}

/**
 * Every privacy webhook's body names its shop (`shop_domain`,
 * https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance). A body naming another shop
 * than the delivery's X-Shopify-Shop-Domain is not applied to either: erasing (or exporting) this
 * shop's data on the word of a request about another shop cannot be undone. A body naming no shop is
 * no privacy request at all: the HMAC covers the body, not X-Shopify-Topic, so another of the shop's
 * signed bodies (an order, which names its customer) under a privacy topic would erase or export that
 * customer, or the whole shop (docs/decisions/014, addendum). Retrying changes nothing: the delivery
 * is dead-lettered at once with the reason in `lastError`, where the merchant sees it
 * (UnappliableDelivery).
 */
function requireSameShop(ctx: { shop: string; payload: unknown }): void {
  const named = ctx.payload !== null && typeof ctx.payload === "object" ? (ctx.payload as { shop_domain?: unknown }).shop_domain : undefined;
  if (named === ctx.shop) return;
  if (named === undefined || named === null) throw new UnappliableDelivery(`the body names no shop (shop_domain), so it is no privacy request of ${ctx.shop}: nothing was changed`);
  const shown = typeof named === "string" ? named.slice(0, 255) : JSON.stringify(named).slice(0, 255);
  throw new UnappliableDelivery(`the body names the shop ${shown}, not ${ctx.shop} that delivered it: nothing was changed`);
}

/**
 * By Shopify customer id; by email only when the body names no usable id. Every customer row holds its
 * Shopify id, so a row with the email but another id is another Shopify customer (an account made
 * later with the same email): a request about an id the app never stored names no one here.
 */
async function findCustomers(db: Db | Tx, shop: string, ref: CustomerRef) {
  if (ref.gid) return db.customer.findMany({ where: { shop, shopifyCustomerId: ref.gid } });
  if (!ref.email) return [];
  // Stored emails keep the case Shopify sent them in, and a request's may differ: compared ignoring
  // case, as the rest of the erasure keys an email (RedactedSubject holds it lowercased). The database
  // is asked for a superset (equalsTextIgnoringCase), the exact comparison is made here.
  const wanted = emailKey(ref.email);
  const rows = await db.customer.findMany({ where: { shop, email: equalsTextIgnoringCase(db as Db, ref.email) }, take: 100 });
  return rows.filter((c) => c.email != null && emailKey(c.email) === wanted);
}

/**
 * A referral as the data-request export states it: states and dates only. The landing click's time only
 * when the app recorded that click; a referral the friend's claim made says "not recorded" rather than
 * the claim's time (recordedClickAt; docs/decisions/023, addendum of 3 December 2026).
 */
function referralExported(r: { state: string; rejectionReason: string | null; clickedAt: Date; clickRecorded: boolean; signedUpAt: Date | null; qualifiedAt: Date | null; rewardedAt: Date | null }) {
  return {
    state: r.state,
    reason: r.rejectionReason,
    clickedAt: recordedClickAt(r) ?? ("not recorded" as const),
    signedUpAt: r.signedUpAt,
    qualifiedAt: r.qualifiedAt,
    rewardedAt: r.rewardedAt,
  };
}

/**
 * customers/data_request. Shopify's signature covers the body only, so a captured body can be sent
 * again under a new webhook id: a request already stored under the same Shopify data request id is
 * not stored twice (it would list the request as pending again after the merchant provided it). A
 * request about a customer that customers/redact erased (RedactedSubject) is stored as erased — no
 * identifier of theirs is written back, and its download answers that the data was erased.
 */
export async function handleCustomersDataRequest(db: Db, ctx: PrivacyEffectContext) {
  requireSameShop(ctx);
  const { shop } = ctx;
  const ref = customerRef(ctx);
  // Shopify's id of the request, exact (as digits) and only if it is an id: the merchant hands the
  // export over under it; a rounded id names another request, and anything else is not echoed.
  const dataRequestId = shopifyIdOf((exactBody(ctx) as { data_request?: { id?: unknown } } | null)?.data_request?.id);
  if (dataRequestId !== null) {
    const stored = await db.complianceRequest.findMany({ where: { shop, topic: DATA_REQUEST, result: { contains: `"dataRequestId":"${dataRequestId}"` } } });
    const same = stored.find((r) => (JSON.parse(r.result!) as { dataRequestId?: unknown }).dataRequestId === dataRequestId);
    if (same) return same;
  }
  const customers = await findCustomers(db, shop, ref);
  // Erased: by their id (asked about, or of a row found), or by the email when no row holds it.
  const aboutErased = async () => {
    const redacted = await redactedIn(db, shop, { gids: [...new Set([ref.gid, ...customers.map((c) => c.shopifyCustomerId)].filter((g): g is string => !!g))], emails: ref.email ? [emailKey(ref.email)] : [] });
    return redacted.gids.length > 0 || (redacted.emails.length > 0 && customers.length === 0);
  };
  const erased = { customerGid: null, result: null, erasedAt: new Date() };
  if (await aboutErased()) {
    logger.info({ shop, webhookId: ctx.webhookId }, "customers/data_request about a customer the app erased: stored as erased");
    return db.complianceRequest.create({ data: { shop, topic: DATA_REQUEST, ...erased } });
  }
  const data = await Promise.all(
    customers.map(async (c) => {
      const rewards = await db.reward.findMany({ where: { customerId: c.id }, orderBy: { createdAt: "asc" }, include: { events: { orderBy: { createdAt: "asc" } } } });
      return {
        customer: {
          shopifyCustomerId: c.shopifyCustomerId,
          name: c.displayName,
          email: c.email,
          pointsBalance: c.pointsBalance,
          pendingPoints: c.pendingPoints,
          pointsShortfall: c.pointsShortfall,
          vipTier: c.vipTier,
          vipTierSince: c.vipTierSince,
          birthday: c.birthday,
          firstSeenAt: c.createdAt,
          lastActivityAt: c.lastActivityAt,
        },
        rewards: rewards.map((r) => ({
          id: r.id,
          title: r.title,
          code: r.code,
          status: r.status,
          kind: r.kind,
          value: r.value,
          currency: r.currency,
          createdAt: r.createdAt,
          issuedAt: r.issuedAt,
          usedAt: r.usedAt,
          usedOrder: r.usedOrderName,
          usedOrderId: r.usedOrderGid,
          canceledAt: r.canceledAt,
          pointsSpent: r.pointsSpent,
          // The reward's history, with what the merchant wrote about it.
          history: r.events.map((e) => ({ at: e.createdAt, type: e.type, from: e.fromStatus, to: e.toStatus, by: e.actor, reason: e.reason, note: e.note })),
        })),
        // Referrals (docs/decisions/023): their own code, whom they referred (states only) and the referral that brought them.
        referrals: {
          code: (await db.referralCode.findUnique({ where: { shop_customerId: { shop, customerId: c.id } }, select: { code: true } }))?.code ?? null,
          referred: (await db.referral.findMany({ where: { shop, referrerCustomerId: c.id, friendCustomerId: { not: null } }, orderBy: { createdAt: "asc" }, take: 1000 })).map(referralExported),
          referredBy: await db.referral.findUnique({ where: { shop_friendCustomerId: { shop, friendCustomerId: c.id } } }).then((r) => (r ? referralExported(r) : null)),
        },
        // The orders the app keeps about them (ledger, VIP "amount spent"): id, name and amounts.
        pointsLedger: (await db.pointsTransaction.findMany({ where: { customerId: c.id }, orderBy: { createdAt: "asc" } })).map((t) => ({
          delta: t.delta,
          balanceAfter: t.balanceAfter,
          reason: t.reason,
          note: t.note,
          status: t.status,
          availableAt: t.availableAt,
          order: t.orderGid,
          orderName: t.orderName,
          refund: t.refundId,
          amount: t.amount,
          shortfall: t.shortfall,
          at: t.createdAt,
        })),
        vipOrders: (await db.vipOrder.findMany({ where: { shop, customerId: c.id }, orderBy: { orderedAt: "asc" } })).map((o) => ({
          order: o.orderGid,
          amount: o.amount,
          refunded: o.refunded,
          canceled: o.canceled,
          orderedAt: o.orderedAt,
        })),
        vipTierChanges: (await db.vipTierChange.findMany({ where: { shop, customerId: c.id }, orderBy: { createdAt: "asc" }, take: 1000 })).map((v) => ({
          from: v.fromTierName,
          to: v.toTierName,
          direction: v.direction,
          reason: v.reason,
          order: v.orderGid,
          at: v.createdAt,
        })),
        // Points redemptions from the storefront, whatever became of them (a failed one made no reward).
        redemptions: (await db.redemption.findMany({ where: { shop, customerId: c.id }, orderBy: { createdAt: "asc" } })).map((d) => ({
          code: d.code,
          state: d.state,
          points: d.points,
          reward: d.rewardId,
          failure: d.errorReason,
          at: d.createdAt,
        })),
      };
    }),
  );
  const stored = await db.complianceRequest.create({
    data: {
      shop,
      topic: DATA_REQUEST,
      customerGid: ref.gid ?? customers[0]?.shopifyCustomerId ?? null,
      result: JSON.stringify({ dataRequestId, requestedCustomer: ref, found: data.length, data }),
    },
  });
  // Their customers/redact, applied by another worker while this export was read, erased the data
  // requests stored before this one: it commits its record before reading them, so either it saw
  // this row, or this look sees its record (the rule of guardAgainstErasures).
  if (await aboutErased()) return db.complianceRequest.update({ where: { id: stored.id }, data: erased });
  return stored;
}

// ---- customers/redact --------------------------------------------------------------------------

/** Escapes a literal for a RegExp. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Identifiers shorter than this are not searched for in free text (they would match everywhere). */
const MIN_NEEDLE_LENGTH = 3;
const WORD_CHAR = /^[\p{L}\p{N}_]$/u;

/**
 * One pattern for all the needles (case-insensitive), each matched as a whole identifier: a needle
 * that starts (ends) with a letter or digit must not be preceded (followed) by one, so redacting
 * "ann@example.com", "Ann Lee" or "gid://shopify/Customer/123" leaves "joann@example.com",
 * "Joann Leeds" and "gid://shopify/Customer/1234" — another customer's — whole. null when no needle
 * is long enough to search for.
 */
function needlePattern(needles: readonly string[]): RegExp | null {
  // Built once per list: a redaction scrubs every string of every matched row and inbox body with
  // the same needles, which can be a customer's thousands of reward codes.
  if (patterns.has(needles)) return patterns.get(needles)!;
  const pattern = buildNeedlePattern(needles);
  patterns.set(needles, pattern);
  return pattern;
}

const patterns = new WeakMap<readonly string[], RegExp | null>();

function buildNeedlePattern(needles: readonly string[]): RegExp | null {
  const usable = [...new Set(needles)].filter((n) => n.trim().length >= MIN_NEEDLE_LENGTH).sort((a, b) => b.length - a.length);
  if (usable.length === 0) return null;
  const bounded = usable.map((n) => {
    const before = WORD_CHAR.test(n[0]!) ? "(?<![\\p{L}\\p{N}_])" : "";
    const after = WORD_CHAR.test(n.at(-1)!) ? "(?![\\p{L}\\p{N}_])" : "";
    return `${before}${literal(n)}${after}`;
  });
  return new RegExp(bounded.join("|"), "giu");
}

/** Does the text name any needle (by the rule of {@link needlePattern})? */
export function mentionsAny(text: string | null, needles: readonly string[]): boolean {
  const pattern = needlePattern(needles);
  return text !== null && pattern !== null && text.search(pattern) !== -1;
}

/** Replaces every occurrence of any needle (case-insensitive, whole identifiers) by "[redacted]". */
export function scrubText(text: string | null, needles: readonly string[]): string | null {
  const pattern = needlePattern(needles);
  if (text === null || pattern === null) return text;
  return text.replace(pattern, REDACTED);
}

/** Who is being redacted, as the bodies of Shopify's webhooks name a customer. */
export interface RedactionSubject {
  /** gid://shopify/Customer/… */
  gids: readonly string[];
  /** As keyed by `emailKey` (ASCII letters lower-cased). */
  emails: readonly string[];
  /**
   * Their orders, as numeric ids (exact digits): Shopify's `orders_to_redact` and the orders the app
   * credited to them. A body about one of them is theirs even when it names no customer — a refund
   * names its order only — or names them by nothing the app knows (a guest checkout under an older email).
   */
  orderIds?: readonly string[];
}

/**
 * What Shopify withholds from apps without access to protected customer data — names, emails, phones
 * and addresses (https://shopify.dev/docs/apps/launch/protected-customer-data) — plus the free text a
 * buyer types (notes, cart attributes, a line item's properties such as an engraving), the browser's
 * details, and the order status link (its key opens the order's page, address included): in an order
 * body, and in a customer object (an order's `customer`, or a customers/create body).
 */
const PERSONAL_ORDER_FIELDS = ["email", "contact_email", "phone", "billing_address", "shipping_address", "note", "note_attributes", "browser_ip", "client_details", "order_status_url", "payment_details"];
const PERSONAL_LINE_ITEM_FIELDS = ["properties"];
const PERSONAL_CUSTOMER_FIELDS = ["first_name", "last_name", "email", "phone", "note", "default_address", "addresses"];
/**
 * A refund (refunds/create, or an order's `refunds[]`): the note typed with it; its transactions'
 * card details (BIN, last digits, expiry, cardholder's name) and the gateway's receipt, which can
 * echo the payer (https://shopify.dev/docs/api/admin-rest/latest/resources/transaction); its line
 * items' buyer-typed properties (PERSONAL_LINE_ITEM_FIELDS).
 */
const PERSONAL_REFUND_FIELDS = ["note"];
const PERSONAL_TRANSACTION_FIELDS = ["payment_details", "receipt"];

const json = JSON as JSON & { rawJSON(text: string): object; isRawJSON(value: unknown): boolean };

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v) && !json.isRawJSON(v);
// GIDs are read by the effects' own rule (shopifyGidOf, app/domain/shopify-ids.ts): a prefix test of
// its own (no trim) let " gid://shopify/Customer/<id>" through the guard unrecognised while the
// effects created that customer again, name and email included.
const customerGidOf = (o: JsonObject) => shopifyGidOf(o.admin_graphql_api_id, "Customer");
const rawText = (v: unknown) => (json.isRawJSON(v) ? (v as { rawJSON: string }).rawJSON : v);

/** Is this customer object (or customers/create body) the subject: by gid, numeric id or email? */
function isSubjectCustomer(o: JsonObject, subject: RedactionSubject): boolean {
  const gid = customerGidOf(o);
  if (gid !== null) return subject.gids.includes(gid);
  const id = shopifyIdOf(rawText(o.id));
  if (id !== null && subject.gids.includes(`gid://shopify/Customer/${id}`)) return true;
  return typeof o.email === "string" && subject.emails.includes(emailKey(o.email));
}

/** A copy with each of these fields (when present) set to null. */
function withoutFields(o: JsonObject, fields: readonly string[]): JsonObject {
  const out: JsonObject = { ...o };
  for (const key of fields) if (key in out) out[key] = null;
  return out;
}

function forgetCustomer(o: JsonObject): JsonObject {
  const out = withoutFields(o, PERSONAL_CUSTOMER_FIELDS);
  if ("id" in out) out.id = REDACTED;
  if ("admin_graphql_api_id" in out) out.admin_graphql_api_id = REDACTED;
  return out;
}

/** Each object of the list through `forget`; anything else as it was. */
function eachObject(list: unknown, forget: (o: JsonObject) => JsonObject): unknown {
  return Array.isArray(list) ? list.map((item: unknown) => (isObject(item) ? forget(item) : item)) : list;
}

const forgetLineItem = (item: JsonObject) => withoutFields(item, PERSONAL_LINE_ITEM_FIELDS);

function forgetRefund(refund: JsonObject): JsonObject {
  const out = withoutFields(refund, PERSONAL_REFUND_FIELDS);
  if ("transactions" in out) out.transactions = eachObject(out.transactions, (t) => withoutFields(t, PERSONAL_TRANSACTION_FIELDS));
  if ("refund_line_items" in out) out.refund_line_items = eachObject(out.refund_line_items, (r) => (isObject(r.line_item) ? { ...r, line_item: forgetLineItem(r.line_item) } : r));
  return out;
}

/** An order body without its personal fields; its customer object too when `customer` says so. */
function forgetOrder(order: JsonObject, customer: boolean): JsonObject {
  const out = withoutFields(order, PERSONAL_ORDER_FIELDS);
  if ("line_items" in out) out.line_items = eachObject(out.line_items, forgetLineItem);
  if ("refunds" in out) out.refunds = eachObject(out.refunds, forgetRefund);
  if (customer && isObject(out.customer)) out.customer = forgetCustomer(out.customer);
  return out;
}

/** The numeric id (exact digits) a field holds, as a number, big-id digits or an Order gid. */
function orderIdIn(value: unknown): string | null {
  const v = rawText(value);
  if (isGidOfType(v, "Order")) return shopifyIdOfGid(v, "Order");
  return shopifyIdOf(typeof v === "number" ? v : typeof v === "string" ? v : null);
}

/**
 * A body about the subject loses every personal field, not only the strings that spell an
 * identifier: an address, a phone number or a first name alone would stay otherwise. About the
 * subject: their customers/create; an order whose customer (or checkout email) is them, or that is
 * one of their orders (`orderIds`); a refund of one of their orders. Other bodies are left to the needles.
 */
function forgetSubject(body: unknown, subject: RedactionSubject): unknown {
  if (!isObject(body)) return body;
  if (customerGidOf(body) !== null) return isSubjectCustomer(body, subject) ? forgetCustomer(body) : body;
  const orders = subject.orderIds ?? [];
  const refunded = orderIdIn(body.order_id);
  if (refunded !== null && orders.includes(refunded)) return forgetRefund(body);
  const gid = typeof body.admin_graphql_api_id === "string" ? body.admin_graphql_api_id : null;
  const theirOrder = (gid === null || isGidOfType(gid, "Order")) && orders.includes(orderIdIn(gid ?? body.id) ?? "");
  const customer = isObject(body.customer) && isSubjectCustomer(body.customer, subject);
  const email = [body.email, body.contact_email].some((e) => typeof e === "string" && subject.emails.includes(emailKey(e)));
  if (!theirOrder && !customer && !email) return body;
  return forgetOrder(body, theirOrder || customer);
}

/**
 * A JSON body with the subject cut out, still valid JSON (so a delivery waiting in the inbox can be
 * applied later): a body about the subject loses its personal fields (see `forgetSubject`); in any
 * body, strings are scrubbed and a number equal to a needle (a numeric Shopify id) becomes
 * "[redacted]". Text that is not JSON is scrubbed as text. A body that does not name the subject is
 * returned as it was, unless it names a key twice in one object (then it is rebuilt from its parse);
 * integers beyond 2^53 keep their exact digits (Shopify's order ids exceed it).
 */
export function scrubJson(text: string | null, needles: readonly string[], subject: RedactionSubject = { gids: [], emails: [] }): string | null {
  if (text === null) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
      typeof value === "number" && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source) ? json.rawJSON(context.source) : value,
    );
  } catch {
    return scrubText(text, needles);
  }
  const exact = new Set(needles.map((n) => n.toLowerCase()));
  const walk = (value: unknown): unknown => {
    if (typeof value === "string") return scrubText(value, needles);
    if (typeof value === "number") return exact.has(String(value)) ? REDACTED : value;
    if (json.isRawJSON(value)) return exact.has(String(rawText(value))) ? REDACTED : value;
    if (Array.isArray(value)) return value.map(walk);
    // Keys too: a body is whatever JSON was sent, and a key can hold what a value can.
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrubText(k, needles), walk(v)]));
    return value;
  };
  const scrubbed = JSON.stringify(walk(forgetSubject(parsed, subject)));
  // Unchanged unless it named the subject: the row keeps Shopify's bytes. Except when a key appears
  // twice in one object: JSON.parse kept only the last value, so the others (personal data too) were
  // never looked at — the body is replaced by what was parsed and scrubbed, which is all the app
  // reads of it when the delivery is applied.
  return scrubbed === JSON.stringify(parsed) && !hasDuplicateKeys(text) ? text : scrubbed;
}

/**
 * App text that can hold Shopify's or the merchant's words, by table. Everything the app writes
 * itself names rewards by id and holds no personal data; these columns are scrubbed anyway, because
 * Shopify's error payloads echo what they were sent and a merchant may type a customer's name into a
 * note on another customer's reward.
 */
const FREE_TEXT = {
  RewardEvent: ["reason", "note", "shopifyError"],
  Reward: ["failureMessage", "failureDetail"],
  PointsTransaction: ["note"],
  // Deliveries not applied yet (or dead-lettered) still hold Shopify's raw JSON body.
  WebhookDelivery: ["payload", "lastError"],
} as const;
type FreeTextTable = keyof typeof FREE_TEXT;

/**
 * Needles per search statement. A subject's needles grow with their rewards (every code is one), and
 * each is one `LIKE` per column, joined by OR: SQLite refuses an expression tree deeper than 1 000
 * ("Expression tree is too large", https://www.sqlite.org/limits.html, SQLITE_MAX_EXPR_DEPTH) and a
 * statement with more than 32 766 parameters; PostgreSQL more than 65 535 parameters. 250 × 3
 * spellings (columns, or a webhook body's two spellings plus its error) stays below all of them (a customer with ~330 rewards used to reach SQLite's depth limit,
 * and customers/redact then failed every time).
 */
export const NEEDLES_PER_SEARCH = 250;

async function scrubFreeText(tx: Tx, shop: string, allNeedles: readonly string[], subject: RedactionSubject) {
  const needles = allNeedles.filter((n) => n.trim().length >= MIN_NEEDLE_LENGTH);
  if (needles.length === 0) return;
  // Plain SQL with the provider's placeholders (`?` / `$n`): the identifiers are the constants above.
  const postgres = providerOf(process.env.DATABASE_URL ?? "") === "postgresql";
  // Searched a slice of the needles at a time; a row found is scrubbed of ALL of them at once, so a
  // later slice no longer finds it.
  for (let start = 0; start < needles.length; start += NEEDLES_PER_SEARCH) {
    await scrubFreeTextMatching(tx, shop, postgres, needles.slice(start, start + NEEDLES_PER_SEARCH), needles, subject);
  }
}

/**
 * The LIKE pattern that finds every text `scrubText` would change for this needle (it may find a few
 * more; scrubText then changes nothing there). LOWER is ASCII-only on SQLite (and on PostgreSQL in
 * the C locale), while scrubText ignores case in every script: a character beyond ASCII is matched
 * as any one character (`_`), as is a backslash (PostgreSQL's LIKE escape). Lower-casing the needle
 * whole found "Åsa Öberg" in no text (SQLite kept the text's "Å", the needle had "å").
 */
function likePattern(needle: string): string {
  return `%${[...needle].map((ch) => (ch > "\x7f" || ch === "\\" ? "_" : ch.toLowerCase())).join("")}%`;
}

/**
 * How a needle can be written in a column. A webhook body is kept as Shopify's bytes, and Shopify's
 * JSON escapes "/", "&", "<" and ">" in strings (`"gid:\/\/shopify\/Customer\/123"`, valid JSON:
 * RFC 8259 §7), so a needle is also searched for as escaped there; scrubJson reads the JSON, where
 * the escape is gone.
 */
function spellings(table: FreeTextTable, column: string, needle: string): string[] {
  if (table !== "WebhookDelivery" || column !== "payload") return [needle];
  const escaped = shopifyJsonSpelling(needle);
  return escaped !== needle ? [needle, escaped] : [needle];
}

/**
 * The needle as it appears inside a JSON string of a Shopify webhook body: JSON's own escapes, plus
 * "/" as `\/` and "&", "<", ">" as `\u0026`, `\u003c`, `\u003e` (Shopify's encoder; the emulator
 * writes bodies the same way, emulator/src/order-payload.ts), so an email such as `ben&jerry@…` is
 * found where the body spells it `ben\u0026jerry@…`.
 */
function shopifyJsonSpelling(needle: string): string {
  return JSON.stringify(needle)
    .slice(1, -1)
    .replaceAll("/", "\\/")
    .replaceAll("&", "\\u0026")
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e");
}

async function scrubFreeTextMatching(tx: Tx, shop: string, postgres: boolean, searched: readonly string[], needles: readonly string[], subject: RedactionSubject) {
  for (const table of Object.keys(FREE_TEXT) as FreeTextTable[]) {
    const columns: readonly string[] = FREE_TEXT[table];
    const values: string[] = [shop];
    const param = (value: string) => {
      values.push(value);
      return postgres ? `$${values.length}` : "?";
    };
    const conditions = columns.flatMap((column) =>
      searched.flatMap((needle) => spellings(table, column, needle).map((spelling) => `LOWER("${column}") LIKE ${param(likePattern(spelling))}`)),
    );
    const sql = `SELECT "id", ${columns.map((c) => `"${c}"`).join(", ")} FROM "${table}" WHERE "shop" = ${postgres ? "$1" : "?"} AND (${conditions.join(" OR ")})`;
    const rows = await tx.$queryRawUnsafe<Record<string, string | null>[]>(sql, ...values);
    for (const row of rows) {
      const data: Record<string, string | null> = {};
      for (const column of columns) {
        const scrubbed = table === "WebhookDelivery" && column === "payload" ? scrubJson(row[column] ?? null, needles, subject) : scrubText(row[column] ?? null, needles);
        if (scrubbed !== (row[column] ?? null)) data[column] = scrubbed;
      }
      if (Object.keys(data).length === 0) continue;
      const id = row.id as string;
      if (table === "RewardEvent") await tx.rewardEvent.update({ where: { id }, data });
      else if (table === "Reward") await tx.reward.update({ where: { id }, data });
      else if (table === "WebhookDelivery") await tx.webhookDelivery.update({ where: { id }, data });
      else await tx.pointsTransaction.update({ where: { id }, data });
    }
  }
}

/**
 * Inbox bodies (pending or dead-lettered) about the subject's orders: found by the order's digits (a
 * refund names its order only by `order_id`), then decided exactly by scrubJson, which also takes out
 * the needles. A body that names the digits otherwise (a price, another id) comes back unchanged.
 */
async function forgetOrdersInInbox(tx: Tx, shop: string, needles: readonly string[], subject: RedactionSubject) {
  const orderIds = subject.orderIds ?? [];
  for (let start = 0; start < orderIds.length; start += NEEDLES_PER_SEARCH) {
    const ids = orderIds.slice(start, start + NEEDLES_PER_SEARCH);
    const rows = await tx.webhookDelivery.findMany({ where: { shop, appliedAt: null, OR: ids.map((id) => ({ payload: { contains: id } })) }, select: { id: true, payload: true } });
    for (const row of rows) {
      const scrubbed = scrubJson(row.payload, needles, subject);
      if (scrubbed !== row.payload) await tx.webhookDelivery.update({ where: { id: row.id }, data: { payload: scrubbed } });
    }
  }
}

/**
 * An order's name ("#1001", or the shop's own format) is only a label for people: the app keeps the
 * order's id where its idempotence needs it (the ledger's keys, the reward's used order and its
 * history's dedupe key), not the name. The names of the subject's orders go from the columns that
 * hold them (whoever's row it is: another customer's reward used on their order) and, as needles,
 * from the history and ledger text that quotes them ("used on order #1001"); so does the name of
 * the order a reward of theirs was used on, from that reward.
 */
async function forgetOrderNames(tx: Tx, shop: string, orderGids: readonly string[], needles: Set<string>) {
  for (let start = 0; start < orderGids.length; start += NEEDLES_PER_SEARCH) {
    const gids = orderGids.slice(start, start + NEEDLES_PER_SEARCH);
    const names = [
      ...(await tx.pointsTransaction.findMany({ where: { shop, orderGid: { in: gids }, orderName: { not: null } }, select: { orderName: true }, distinct: ["orderName"] })).map((t) => t.orderName),
      ...(await tx.reward.findMany({ where: { shop, usedOrderGid: { in: gids }, usedOrderName: { not: null } }, select: { usedOrderName: true }, distinct: ["usedOrderName"] })).map((r) => r.usedOrderName),
    ];
    for (const name of names) addOrderName(needles, name);
    await tx.pointsTransaction.updateMany({ where: { shop, orderGid: { in: gids }, orderName: { not: null } }, data: { orderName: null } });
    await tx.reward.updateMany({ where: { shop, usedOrderGid: { in: gids }, usedOrderName: { not: null } }, data: { usedOrderName: null } });
  }
}

/** A name of digits only is no needle: it would cut the same number out of unrelated text and webhook bodies. */
function addOrderName(needles: Set<string>, name: string | null) {
  const trimmed = name?.trim() ?? "";
  if (trimmed.length >= MIN_NEEDLE_LENGTH && !/^\d+$/.test(trimmed)) needles.add(trimmed);
}

/** Shopify's `orders_to_redact`: numeric order ids, read from the raw body so ids beyond 2^53 stay exact. */
function ordersToRedact(ctx: Pick<PrivacyEffectContext, "payload" | "rawPayload">): string[] {
  const listed = (exactBody(ctx) as { orders_to_redact?: unknown } | null)?.orders_to_redact;
  return Array.isArray(listed) ? listed.map(orderIdIn).filter((id): id is string => id !== null) : [];
}

/**
 * A stored data request about the subject: by its customer id (the one asked about, or found), by
 * the email asked about only when it names no id — the rule of `findCustomers`.
 */
function isSubjectsRequest(request: { customerGid: string | null; result: string | null }, subject: RedactionSubject): boolean {
  if (request.customerGid) return subject.gids.includes(request.customerGid);
  const email = parseResult(request.result)?.requestedCustomer?.email;
  return typeof email === "string" && subject.emails.includes(emailKey(email));
}

export async function handleCustomersRedact(db: Db, ctx: PrivacyEffectContext) {
  requireSameShop(ctx);
  const { shop } = ctx;
  const ref = customerRef(ctx);
  // Shopify names the orders to redact (https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance);
  // the orders the app credited to the customer are theirs too, listed or not.
  const listed = ordersToRedact(ctx);
  // The subject is recorded (committed) BEFORE anything is read for the erasure: a delivery of theirs
  // applied meanwhile by another worker either wrote before these reads (and is erased below) or
  // finds this record when it looks after its writes (and erases them itself): see guardAgainstErasures.
  await recordRedactedSubjects(db, shop, subjectKeys(shop, { gids: ref.gid ? [ref.gid] : [], emails: !ref.gid && ref.email ? [ref.email] : [], orderIds: listed }));
  const result = await eraseSubject(db, shop, ref, listed, { logRequest: true });
  // What the erasure found besides (the rows' ids, the orders credited to them), for later deliveries.
  await recordRedactedSubjects(db, shop, subjectKeys(shop, { gids: result.subject.gids, emails: [], orderIds: result.subject.orderIds ?? [] }));
  return { redacted: result.redacted, erasedDataRequests: result.erasedDataRequests };
}

/**
 * The erasure of one subject (customers/redact; again for a delivery of theirs applied after it:
 * guardAgainstErasures). `logRequest` records the redaction request itself (a ComplianceRequest row).
 */
async function eraseSubject(db: Db, shop: string, ref: CustomerRef, listedOrders: readonly string[], options: { logRequest: boolean }) {
  const now = new Date();
  const orderIds = new Set(listedOrders);
  const result = await db.$transaction(
    async (tx) => {
      const customers = await findCustomers(tx, shop, ref);
      // Everything that identifies the subject, to hunt down in free text below.
      const needles = new Set<string>();
      if (ref.gid) needles.add(ref.gid);
      if (ref.email) needles.add(ref.email);
      for (const c of customers) {
        needles.add(c.shopifyCustomerId);
        if (c.email) needles.add(c.email);
        if (c.displayName.trim().length >= 3) needles.add(c.displayName.trim());
        const rewards = await tx.reward.findMany({ where: { customerId: c.id }, select: { id: true, code: true, customerName: true, customerEmail: true, usedOrderName: true } });
        const redemptions = await tx.redemption.findMany({ where: { customerId: c.id }, select: { code: true } });
        for (const r of rewards) {
          if (r.code.length >= 3) needles.add(r.code);
          if (r.customerEmail) needles.add(r.customerEmail);
          if (r.customerName && r.customerName.trim().length >= 3) needles.add(r.customerName.trim());
        }
        for (const r of redemptions) if (r.code.length >= 3) needles.add(r.code);
        // Referrals (docs/decisions/023): the member's code names them in links; the address key and
        // the visitor token of the referrals where they are the friend are theirs. States and dates stay.
        const referralCode = await tx.referralCode.findUnique({ where: { shop_customerId: { shop, customerId: c.id } }, select: { id: true, code: true } });
        if (referralCode) {
          needles.add(referralCode.code);
          await tx.referralCode.update({ where: { id: referralCode.id }, data: { code: `REDACTED:${referralCode.id}` } });
        }
        await tx.referralAddressKey.deleteMany({ where: { shop, customerId: c.id } });
        await tx.referral.updateMany({ where: { shop, friendCustomerId: c.id }, data: { visitorToken: null } });
        for (const r of rewards) {
          await tx.reward.update({
            where: { id: r.id },
            // Codes identify the customer at checkout: replace them; keep status, kind, value, dates.
            data: { customerName: null, customerEmail: null, customerGid: "redacted", code: "REDACTED", codeKey: `REDACTED:${r.id}`, usedOrderName: null },
          });
        }
        // What the merchant typed about this customer's rewards and points goes with them.
        await tx.rewardEvent.updateMany({ where: { reward: { customerId: c.id } }, data: { note: null } });
        await tx.pointsTransaction.updateMany({ where: { customerId: c.id }, data: { note: null } });
        await tx.redemption.updateMany({ where: { customerId: c.id }, data: { code: "REDACTED" } });
        const credited = [
          ...(await tx.pointsTransaction.findMany({ where: { shop, customerId: c.id, orderGid: { not: null } }, select: { orderGid: true }, distinct: ["orderGid"] })),
          ...(await tx.vipOrder.findMany({ where: { shop, customerId: c.id }, select: { orderGid: true } })),
        ];
        for (const { orderGid } of credited) {
          const id = orderIdIn(orderGid);
          if (id !== null) orderIds.add(id);
        }
        // The order their reward was used on (a friend's, maybe) is named in the reward's history.
        for (const r of rewards) addOrderName(needles, r.usedOrderName);
        // VIP: tier changes hold only tier names, app-authored reasons and the order id; the order
        // ids (which Shopify ties to the customer) go, like the counted orders themselves.
        await tx.vipTierChange.updateMany({ where: { shop, customerId: c.id }, data: { orderGid: null } });
        await tx.vipOrder.deleteMany({ where: { shop, customerId: c.id } });
        const anonymousId = `redacted:${c.id}`;
        // The sign-up bonus is keyed by the Shopify id (once per customer): keyed by the anonymous
        // id from now on, like the row, so the ledger no longer names them.
        await tx.pointsTransaction.updateMany({ where: { shop, sourceKey: sourceKeys.signup(c.shopifyCustomerId) }, data: { sourceKey: sourceKeys.signup(anonymousId) } });
        await tx.customer.update({
          where: { id: c.id },
          // The birthday (month and day, from the storefront widget) is personal data too.
          data: { displayName: "Redacted customer", email: null, shopifyCustomerId: anonymousId, redemptionLockKey: null, birthday: null },
        });
      }
      const subject: RedactionSubject = {
        gids: [...new Set([ref.gid, ...customers.map((c) => c.shopifyCustomerId)].filter((g): g is string => !!g))],
        emails: [...new Set([ref.email, ...customers.map((c) => c.email)].filter((e): e is string => !!e && e.length >= MIN_NEEDLE_LENGTH).map(emailKey))],
        orderIds: [...orderIds],
      };
      const orderGids = [...orderIds].map((id) => `gid://shopify/Order/${id}`);
      // Refunds kept for an order not arrived yet (WaitingRefund: ids and amounts) go with their order.
      await tx.waitingRefund.deleteMany({ where: { shop, orderGid: { in: orderGids } } });
      // So do a referred friend's orders kept for the referral minimum's review (ReferralHeldOrder: ids and amounts).
      await tx.referralHeldOrder.deleteMany({ where: { shop, orderGid: { in: orderGids } } });
      await forgetOrderNames(tx, shop, orderGids, needles);
      const needleList = [...needles];
      await scrubFreeText(tx, shop, needleList, subject);
      await forgetOrdersInInbox(tx, shop, needleList, subject);

      // Earlier data requests for this customer held a copy of everything: erase it, keep the dates.
      // Another customer's request is theirs to be handed over (Shopify gives 30 days): it only loses
      // what names the subject (a merchant's note in its export), like any other free text.
      const requests = await tx.complianceRequest.findMany({ where: { shop, topic: DATA_REQUEST, erasedAt: null }, select: { id: true, customerGid: true, result: true } });
      const theirs = requests.filter((r) => isSubjectsRequest(r, subject));
      if (theirs.length > 0) {
        await tx.complianceRequest.updateMany({ where: { id: { in: theirs.map((r) => r.id) } }, data: { customerGid: null, result: null, erasedAt: now } });
      }
      for (const r of requests) {
        if (theirs.includes(r) || !mentionsAny(r.result, needleList)) continue;
        await tx.complianceRequest.update({ where: { id: r.id }, data: { result: scrubJson(r.result, needleList, subject) } });
      }
      if (options.logRequest) {
        await tx.complianceRequest.create({
          data: { shop, topic: CUSTOMER_REDACT, customerGid: null, result: JSON.stringify({ redactedCustomers: customers.length, erasedDataRequests: theirs.length }) },
        });
      }
      return { redacted: customers.length, erasedDataRequests: theirs.length, subject };
    },
    { maxWait: 20_000, timeout: 60_000 },
  );
  return result;
}

// ---- who was redacted ------------------------------------------------------------------------
//
// customers/redact erases what the app holds when it is applied; a delivery naming the subject that
// is applied after it would write their personal data again: an orders/create claimed by another
// worker before the erasure (its body read at claim time), Shopify's late redelivery, or a captured
// signed body sent again (the HMAC covers the body only). So the erased subject is recorded, as
// one-way keys — SHA-256 of the shop and "customer:<gid>" / "email:<address>" (only when the request
// named no id: the rule of findCustomers) / "order:<id>" — never the identifiers themselves, and
// every delivery that can carry a customer's personal data is applied through guardAgainstErasures.

function subjectKey(shop: string, kind: "customer" | "email" | "order" | "shop", value: string): string {
  return createHash("sha256").update(`${shop}\n${kind}:${kind === "email" ? emailKey(value) : value}`).digest("hex");
}

function subjectKeys(shop: string, subject: RedactionSubject): string[] {
  return [
    ...subject.gids.map((g) => subjectKey(shop, "customer", g)),
    ...subject.emails.map((e) => subjectKey(shop, "email", e)),
    ...(subject.orderIds ?? []).map((id) => subjectKey(shop, "order", id)),
  ];
}

/** Keys per statement (3 parameters each, far below either database's limit). */
const KEYS_PER_STATEMENT = 500;

async function recordRedactedSubjects(db: Db, shop: string, keys: readonly string[]): Promise<void> {
  const unique = [...new Set(keys)];
  const now = new Date();
  for (let start = 0; start < unique.length; start += KEYS_PER_STATEMENT) {
    const slice = unique.slice(start, start + KEYS_PER_STATEMENT);
    await directSql(db).query(
      `INSERT INTO "RedactedSubject" ("id", "shop", "keyHash", "redactedAt") VALUES ${slice.map(() => "(?, ?, ?, ?)").join(", ")} ON CONFLICT ("shop", "keyHash") DO NOTHING`,
      slice.flatMap((key) => [randomUUID(), shop, key, now]),
    );
  }
}

/**
 * The identifiers a webhook body names a customer or an order by: an order, a refund, a customer.
 * `null` when an id it reads is a JSON number JSON.parse rounded (beyond 2^53): the caller reads the
 * body again with the exact reader (identifiersOf), and that reading (`exact`) is taken as it is.
 */
function identifiersIn(body: unknown, exact = false): RedactionSubject | null {
  const gids = new Set<string>();
  const emails = new Set<string>();
  const orderIds = new Set<string>();
  if (!isObject(body)) return { gids: [], emails: [], orderIds: [] };
  let rounded = false;
  const read = (value: unknown) => {
    if (typeof value === "number" && !Number.isSafeInteger(value)) rounded = true;
    return value;
  };
  const addCustomer = (c: unknown) => {
    if (!isObject(c)) return;
    const gid = shopifyIdOfGid(c.admin_graphql_api_id, "Customer");
    const id = gid ?? shopifyIdOf(read(c.id));
    if (id !== null) gids.add(`gid://shopify/Customer/${id}`);
    if (typeof c.email === "string" && c.email) emails.add(emailKey(c.email));
  };
  const gid = typeof body.admin_graphql_api_id === "string" ? body.admin_graphql_api_id : null;
  if (isGidOfType(gid, "Customer")) addCustomer(body);
  else {
    const refunded = orderIdIn(read(body.order_id));
    if (refunded !== null) orderIds.add(refunded);
    else if (gid === null || isGidOfType(gid, "Order")) {
      const order = orderIdIn(gid ?? read(body.id));
      if (order !== null) orderIds.add(order);
    }
    addCustomer(body.customer);
    for (const e of [body.email, body.contact_email]) if (typeof e === "string" && e) emails.add(emailKey(e));
  }
  return rounded && !exact ? null : { gids: [...gids], emails: [...emails], orderIds: [...orderIds] };
}

/**
 * identifiersIn over the body as the inbox parsed it, and over the exact reading of its raw text
 * only when an id there was rounded: the exact reader (a reviver over every value) costs more than
 * the rest of an order's checks, and the ids of orders and customers are mostly read from their
 * `admin_graphql_api_id` strings, which JSON.parse keeps exact.
 */
function identifiersOf(delivery: RedactableDelivery): RedactionSubject {
  return identifiersIn(delivery.payload) ?? identifiersIn(exactBody(delivery), true)!;
}

/** Which of the body's identifiers belong to a redacted subject of the shop (empty lists: none). */
async function redactedIn(db: Db, shop: string, named: RedactionSubject): Promise<RedactionSubject> {
  return (await redactedAmong(db, [{ shop, named }], { shopMarks: false })).subjects[0];
}

const EMPTY_SUBJECT: RedactionSubject = Object.freeze({ gids: [], emails: [], orderIds: [] });

/**
 * For each body's identifiers, those that belong to a redacted subject of its shop — ONE statement
 * for a whole batch of deliveries (the keys name their shop: subjectKey) — and, with `shopMarks`,
 * which of their shops shop/redact erased (shopErasureKey).
 */
async function redactedAmong(
  db: Db,
  bodies: readonly { shop: string; named: RedactionSubject }[],
  options: { shopMarks: boolean },
): Promise<{ subjects: RedactionSubject[]; erasedShops: Set<string> }> {
  type Hit = { body: number; list: "gids" | "emails" | "orderIds"; value: string };
  const byShop = new Map<string, Map<string, Hit[]>>();
  bodies.forEach(({ shop, named }, body) => {
    let keys = byShop.get(shop);
    if (!keys) byShop.set(shop, (keys = new Map()));
    const add = (key: string, hit: Hit) => keys.set(key, [...(keys.get(key) ?? []), hit]);
    for (const g of named.gids) add(subjectKey(shop, "customer", g), { body, list: "gids", value: g });
    for (const e of named.emails) add(subjectKey(shop, "email", e), { body, list: "emails", value: e });
    for (const o of named.orderIds ?? []) add(subjectKey(shop, "order", o), { body, list: "orderIds", value: o });
  });
  const marks = options.shopMarks ? new Map([...byShop.keys()].map((shop) => [shopErasureKey(shop), shop])) : new Map<string, string>();
  const terms: string[] = [];
  const args: string[] = [];
  for (const [shop, keys] of byShop) {
    if (keys.size === 0) continue;
    terms.push(`("shop" = ? AND "keyHash" IN (${[...keys.keys()].map(() => "?").join(", ")}))`);
    args.push(shop, ...keys.keys());
  }
  if (marks.size > 0) {
    terms.push(`("shop" = ? AND "keyHash" IN (${[...marks.keys()].map(() => "?").join(", ")}))`);
    args.push(ERASED_SHOPS, ...marks.keys());
  }
  const found = bodies.map(() => ({ gids: [] as string[], emails: [] as string[], orderIds: [] as string[] }));
  const erasedShops = new Set<string>();
  if (terms.length === 0) return { subjects: found, erasedShops };
  const rows = await directSql(db).query<{ shop: string; keyHash: string }>(`SELECT "shop", "keyHash" FROM "RedactedSubject" WHERE ${terms.join(" OR ")}`, args);
  for (const { shop, keyHash } of rows) {
    if (shop === ERASED_SHOPS) {
      const erased = marks.get(keyHash);
      if (erased !== undefined) erasedShops.add(erased);
      continue;
    }
    for (const hit of byShop.get(shop)?.get(keyHash) ?? []) found[hit.body][hit.list].push(hit.value);
  }
  return { subjects: found, erasedShops };
}

const isEmpty = (s: RedactionSubject) => s.gids.length === 0 && s.emails.length === 0 && (s.orderIds ?? []).length === 0;

/** A claimed delivery whose effects can write a customer's personal data: orders, refunds, customers/create and customers/update. */
export interface GuardedDelivery {
  id: string;
  shop: string;
  /** The body as received (null: nothing to read). */
  payload: string | null;
  /** The body as the inbox parsed it (absent: not JSON). */
  parsed?: unknown;
}

export interface ErasureGuard {
  /** The body a delivery's effects are to read instead of its own (scrubbed of a redacted subject), or undefined. */
  payloadFor(id: string): string | undefined;
  /** After every effect of the batch, thrown or not: see guardAgainstErasures. */
  settle(): Promise<void>;
}

/**
 * The inbox applies a batch of deliveries that can carry a customer's personal data (orders,
 * refunds, customers/create and customers/update) under this guard, so that no erasure is undone by them:
 * - before: a body naming a redacted subject (customer id, email when that was all the request named,
 *   or one of their orders) is applied without their personal data (scrubJson: an order of theirs is
 *   applied as a guest order);
 * - after (`settle`): the record is read again. A redaction committed meanwhile (another worker
 *   applying customers/redact while these deliveries, claimed before it, were being applied) is
 *   repeated for what each body names, and a shop erased meanwhile by shop/redact is erased again.
 *   customers/redact and shop/redact commit their record before they read anything, so either they
 *   see these deliveries' writes, or this second look sees their record.
 * One statement before the batch and one after it, whatever its size: per delivery, the same two
 * looks were three statements on every order (bench/RESULTS.md, "2 December").
 */
export async function guardAgainstErasures(db: Db, deliveries: readonly GuardedDelivery[]): Promise<ErasureGuard> {
  const named = deliveries.map((d) => ({ shop: d.shop, named: d.payload === null || !("parsed" in d) ? EMPTY_SUBJECT : identifiersOf({ payload: d.parsed, rawPayload: d.payload }) }));
  const before = await redactedAmong(db, named, { shopMarks: false });
  const replacements = new Map<string, string>();
  deliveries.forEach((d, i) => {
    const theirs = before.subjects[i];
    if (d.payload !== null && !isEmpty(theirs)) replacements.set(d.id, scrubJson(d.payload, [...theirs.gids, ...theirs.emails], theirs) ?? d.payload);
  });
  return {
    payloadFor: (id) => replacements.get(id),
    settle: async () => {
      const after = await redactedAmong(db, named, { shopMarks: true });
      for (const shop of after.erasedShops) await eraseShop(db, shop);
      for (const [i, d] of deliveries.entries()) {
        const theirs = after.subjects[i];
        if (after.erasedShops.has(d.shop) || isEmpty(theirs)) continue;
        const gid = theirs.gids[0] ?? null;
        // The body's customer email goes with their id (it is theirs); alone, only when it was recorded.
        const email = theirs.emails[0] ?? (gid !== null ? (named[i].named.emails[0] ?? null) : null);
        await eraseSubject(db, d.shop, { gid, email }, theirs.orderIds ?? [], { logRequest: false });
      }
    },
  };
}

export interface RedactableDelivery {
  payload: unknown;
  rawPayload?: string;
}

/**
 * shop/redact's mark, committed before it deletes anything, so that a delivery of the shop applied
 * meanwhile by another worker (claimed before the erasure) erases what it wrote (guardAgainstErasures).
 * It names the shop only as a one-way key, under no shop (the shop's own rows are all deleted), and
 * goes when the shop installs the app again (forgetShopErasure, from afterAuth's resumeShop).
 */
const ERASED_SHOPS = "";

function shopErasureKey(shop: string): string {
  return subjectKey(ERASED_SHOPS, "shop", shop);
}

/** The shop installed the app again (token exchange → afterAuth): its new rows are not erased. */
export async function forgetShopErasure(db: Db, shop: string): Promise<void> {
  await directSql(db).query(`DELETE FROM "RedactedSubject" WHERE "shop" = ? AND "keyHash" = ?`, [ERASED_SHOPS, shopErasureKey(shop)]);
}

// ---- shop/redact -------------------------------------------------------------------------------

export type ShopRedactOutcome = "erased" | "installed" | "earlier_installation";

/**
 * Shopify sends shop/redact 48 hours after the app is uninstalled
 * (https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance): one triggered this long
 * after the app last got a token (which Shopify hands out only to an installed app) follows an
 * uninstall that came after that token.
 */
export const SHOP_REDACT_AFTER_UNINSTALL_MS = 48 * 3_600_000;

export interface ShopRedactDeps {
  /**
   * What Shopify says of the shop's stored offline token (`offlineTokenAnswer`,
   * app/services/lifecycle/scopes.server.ts — the same test app/uninstalled makes). Shopify sends
   * shop/redact 48 hours after the app is uninstalled
   * (https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance), when the token is long
   * revoked; but the HMAC covers the body only, not the webhook id, topic or time, so a shop/redact
   * body captured once and sent again after the merchant reinstalled the app would erase a working
   * shop. Absent (unit tests of the erasure itself): nothing is asked.
   */
  tokenAnswer?: (shop: string) => Promise<OfflineTokenAnswer>;
  /** This is the delivery's last attempt: a missing answer no longer holds the erasure back. */
  lastAttempt?: boolean;
  logger?: Logger;
}

/**
 * shop/redact: delete everything the app stores for the shop — unless it was triggered before the
 * app's last token exchange (an earlier installation's) or Shopify still accepts the app's token (the
 * app is installed: an old body sent again); either changes nothing and counts as applied. When
 * Shopify cannot be asked (no answer), the delivery is retried with the inbox's backoff; on its last
 * attempt the shop is erased anyway: Shopify's rule is to erase, and a replay
 * would need Shopify out of the app's reach for every attempt (docs/decisions/015, addendum "shop/redact
 * Shopify does not confirm").
 */
export async function handleShopRedact(
  db: Db,
  ctx: Pick<PrivacyEffectContext, "shop" | "payload" | "webhookId" | "triggeredAt"> & { receivedAt?: Date },
  deps: ShopRedactDeps = {},
): Promise<ShopRedactOutcome> {
  requireSameShop(ctx);
  const { shop } = ctx;
  const installation = await db.shop.findUnique({ where: { domain: shop }, select: { uninstalledAt: true, installedAt: true } });
  // `installedAt`: when the app last got a token by token exchange (lifecycle.server.ts,
  // lastTokenExchangeAt) — the app was installed then. A shop/redact triggered before it belongs to
  // an earlier installation (a late delivery, or an old body sent again with its own time):
  // nothing of the current one is erased, and it counts as applied.
  const happened = deliveredEventTime({ triggeredAt: ctx.triggeredAt ?? null, receivedAt: ctx.receivedAt ?? null });
  if (happened && installation && happened.getTime() < installation.installedAt.getTime()) {
    deps.logger?.info({ shop, webhookId: ctx.webhookId }, "shop/redact not applied: triggered before the app's last token exchange, so it belongs to an earlier installation");
    return "earlier_installation";
  }
  if (deps.tokenAnswer) {
    const answer = await deps.tokenAnswer(shop);
    if (answer === "accepted") {
      deps.logger?.info({ shop, webhookId: ctx.webhookId }, "shop/redact not applied: Shopify still accepts the app's token, so the app is installed");
      return "installed";
    }
    // A refused token alone does not say the app was uninstalled: an installed shop's token can be
    // refused too (a refused refresh, docs/decisions/017; the worker's 401 empties it until the next
    // admin load). Shopify sends shop/redact 48 hours after an uninstall, long after app/uninstalled
    // (retried for 4 hours, https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates) marked
    // the shop uninstalled. Without that mark, the uninstall is confirmed when the request was
    // triggered at least 48 hours after the app last got a token: the token Shopify refuses now was
    // the one it handed out then, and an uninstall 48 hours before this request came after it. The
    // uninstall and the erasure are then applied together (eraseShop deletes the sessions and the
    // shop's row in its one transaction; an app/uninstalled arriving later finds a shop the app
    // holds nothing for and is dropped). Otherwise the erasure waits — on every attempt, the last
    // one too (dead letter) — and app/uninstalled re-queues it when it is applied (handleAppUninstalled).
    if (answer === "refused" && installation?.uninstalledAt == null) {
      const confirmed = happened !== null && installation !== null && happened.getTime() - installation.installedAt.getTime() >= SHOP_REDACT_AFTER_UNINSTALL_MS;
      if (!confirmed) {
        if (deps.lastAttempt) deps.logger?.warn({ shop, webhookId: ctx.webhookId }, "shop/redact not applied: Shopify refused the app's token but no uninstall of the shop was recorded; it waits for app/uninstalled");
        throw new DeliveryWaits(SHOP_REDACT_WAITS_FOR_UNINSTALL);
      }
      deps.logger?.info({ shop, webhookId: ctx.webhookId }, "shop/redact: no uninstall was recorded, but Shopify refuses the app's token and the request came 48 hours or more after the app last got one; the uninstall and the erasure are applied");
    }
    if (answer === "no_answer") {
      if (!deps.lastAttempt) throw new DeliveryWaits("Shopify could not be asked whether the app is still installed in the shop; the erasure waits for its answer");
      deps.logger?.warn({ shop, webhookId: ctx.webhookId }, "shop/redact applied on its last attempt although Shopify never said whether the app is installed");
    }
  }
  await recordRedactedSubjects(db, ERASED_SHOPS, [shopErasureKey(shop)]);
  await eraseShop(db, shop);
  return "erased";
}

/** Why a shop/redact is not applied while the app has no uninstall of the shop on record (lastError). */
export const SHOP_REDACT_WAITS_FOR_UNINSTALL =
  "Shopify refused the app's token, but no uninstall of this shop was recorded: the app may still be installed (an old shop/redact sent again), so the erasure waits for app/uninstalled, which makes it due again";

/** Every row the app stores for the shop, deleted in one transaction. */
async function eraseShop(db: Db, shop: string): Promise<void> {
  await db.$transaction([
    db.rewardEvent.deleteMany({ where: { shop } }),
    db.bulkIssueItem.deleteMany({ where: { shop } }),
    db.bulkIssueJob.deleteMany({ where: { shop } }),
    db.redemption.deleteMany({ where: { shop } }),
    db.reward.deleteMany({ where: { shop } }),
    db.pointsTransaction.deleteMany({ where: { shop } }),
    db.customer.deleteMany({ where: { shop } }),
    db.vipTierChange.deleteMany({ where: { shop } }),
    db.vipOrder.deleteMany({ where: { shop } }),
    db.waitingRefund.deleteMany({ where: { shop } }),
    db.vipEvaluationJob.deleteMany({ where: { shop } }),
    db.vipTier.deleteMany({ where: { shop } }),
    db.vipProgram.deleteMany({ where: { shop } }),
    db.rewardTemplate.deleteMany({ where: { shop } }),
    db.referral.deleteMany({ where: { shop } }),
    db.referralHeldOrder.deleteMany({ where: { shop } }),
    db.referralCode.deleteMany({ where: { shop } }),
    db.referralAddressKey.deleteMany({ where: { shop } }),
    db.referralSettings.deleteMany({ where: { shop } }),
    db.programSettings.deleteMany({ where: { shop } }),
    db.webhookDelivery.deleteMany({ where: { shop } }),
    db.complianceRequest.deleteMany({ where: { shop } }),
    db.$executeRaw`DELETE FROM "RedactedSubject" WHERE "shop" = ${shop}`,
    db.session.deleteMany({ where: { shop } }),
    db.shop.deleteMany({ where: { domain: shop } }),
  ]);
}

// ---- the merchant's side of data requests ------------------------------------------------------

export interface DataRequestRow {
  id: string;
  receivedAt: Date;
  providedAt: Date | null;
  customerGid: string | null;
  /** The customer's email as Shopify sent it (for the merchant to recognise the request). */
  email: string | null;
  found: number;
}

function parseResult(result: string | null): { requestedCustomer?: CustomerRef; found?: number } | null {
  if (!result) return null;
  try {
    return JSON.parse(result) as { requestedCustomer?: CustomerRef; found?: number };
  } catch {
    return null;
  }
}

/** Data requests of the shop that still hold data, newest first: pending (not downloaded) first. */
export async function listDataRequests(db: Db, shop: string, options: { limit?: number } = {}): Promise<DataRequestRow[]> {
  const rows = await db.complianceRequest.findMany({
    where: { shop, topic: DATA_REQUEST, erasedAt: null },
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    take: options.limit ?? 100,
  });
  return rows
    .map((r) => {
      const parsed = parseResult(r.result);
      return { id: r.id, receivedAt: r.receivedAt, providedAt: r.providedAt, customerGid: r.customerGid, email: parsed?.requestedCustomer?.email ?? null, found: parsed?.found ?? 0 };
    })
    .sort((a, b) => Number(a.providedAt !== null) - Number(b.providedAt !== null));
}

export type DataRequestDownload =
  | { ok: true; fileName: string; json: string; providedAt: Date }
  | Err<Problem<"not_found" | "erased"> & { status: 404 | 410 }>;

/**
 * The stored data of one data request, for the merchant to hand over; records when it was first
 * provided (a second download keeps the first date).
 */
export async function provideDataRequest(db: Db, input: { shop: string; id: string; now: Date }): Promise<DataRequestDownload> {
  const row = await db.complianceRequest.findFirst({ where: { id: input.id, shop: input.shop, topic: DATA_REQUEST } });
  if (!row) return err({ code: "not_found", status: 404, message: "This data request doesn't exist in your shop." });
  if (row.erasedAt || !row.result) return err({ code: "erased", status: 410, message: "This customer's data was erased after a redaction request; there is nothing left to provide." });
  await db.complianceRequest.updateMany({ where: { id: row.id, providedAt: null }, data: { providedAt: input.now } });
  const fresh = await db.complianceRequest.findUniqueOrThrow({ where: { id: row.id } });
  const parsed = JSON.parse(row.result) as unknown;
  const json = JSON.stringify({ shop: row.shop, receivedAt: row.receivedAt, customer: parsed }, null, 2);
  return { ok: true, fileName: `data-request-${row.id}.json`, json, providedAt: fresh.providedAt ?? input.now };
}

/** Data requests still waiting for the merchant to provide them (for the home page's notice). */
export function countPendingDataRequests(db: Db, shop: string): Promise<number> {
  return db.complianceRequest.count({ where: { shop, topic: DATA_REQUEST, providedAt: null, erasedAt: null } });
}
