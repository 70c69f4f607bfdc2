// What each subscribed topic's body must look like before any of its effects runs. Shopify's HMAC
// covers the raw body only, not X-Shopify-Topic (docs/decisions/014, addendum): anyone holding one of
// a shop's signed bodies, of any topic, can resend it under another topic. Each shape below is the
// least that tells the topic's body apart from every other subscribed topic's body (their resources
// are listed beside each shape); a body that is not its topic's is dead-lettered at once with the
// reason (UnappliableDelivery), before anything is changed. Shapes name the KIND of body, not the
// validity of every field: effects still read each field strictly and leave aside what they cannot.
// Plain functions of the body (no server imports), so each is tested on its own.
import { shopCurrencyCode } from "~/domain/currency";
import { orderFacts } from "~/domain/rewards";
import { isGidOfType, REDACTED_ID, shopifyGidOf, type ShopifyGidType } from "~/domain/shopify-ids";
import { parseShopifyTime } from "~/domain/shopify-time";
import type { WebhookDeliveryContext } from "./context";
import { field } from "~/domain/json-fields";

/** Why the body is not the topic's (completing "the <topic> body …"), or null when it is. */
export type BodyShape = (delivery: Pick<WebhookDeliveryContext, "shop" | "payload">) => string | null;


const isObject = (value: unknown) => value !== null && typeof value === "object" && !Array.isArray(value);

/** Whether `admin_graphql_api_id` names a resource of one of `types` (`gid://shopify/<Type>/…`: isGidOfType). */
function names(payload: unknown, ...types: ShopifyGidType[]): boolean {
  const gid = field(payload, "admin_graphql_api_id");
  return types.some((type) => isGidOfType(gid, type));
}

/**
 * Whether `admin_graphql_api_id` is a GID of `type` by the app's one rule for Shopify's ids
 * (shopifyGidOf: digits within 64 bits) — the rule the effects read it by (orderFacts, the sign-up
 * bonus). A prefix check let `gid://shopify/Order/abc` pass as an order whose effects then found no
 * order id: its code was marked Used on no order.
 */
const isGidOf = (payload: unknown, type: "Order" | "Customer") => shopifyGidOf(field(payload, "admin_graphql_api_id"), type) !== null;

const NOT_AN_ORDER = "is not an order (its admin_graphql_api_id is no gid://shopify/Order/<id>)";

/**
 * orders/create: the REST Order resource (https://shopify.dev/docs/api/admin-rest/latest/resources/order).
 * A canceled order is still one: Shopify's own orders/create sample has `cancelled_at` set, and a
 * canceled order earns nothing (app/services/points/order-points.server.ts).
 */
export const orderBody: BodyShape = ({ payload }) => (isGidOf(payload, "Order") ? null : NOT_AN_ORDER);

/**
 * orders/cancelled: the order with `cancelled_at` set
 * (https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-orders/cancelled). An
 * orders/create body under this topic would take back the order's points, its VIP amount and its
 * referral, none of which can be undone.
 */
export const canceledOrderBody: BodyShape = ({ payload }) => {
  if (!isGidOf(payload, "Order")) return NOT_AN_ORDER;
  return orderFacts(payload).cancelled ? null : "is an order whose cancelled_at is not a time (the order is not canceled)";
};

/**
 * refunds/create: the REST Refund resource (https://shopify.dev/docs/api/admin-rest/latest/resources/refund):
 * a Refund GID, or — the numeric id being what refundFacts falls back to — at least its `order_id`.
 * No other subscribed topic's body has an `order_id` of its own.
 */
export const refundBody: BodyShape = ({ payload }) => {
  if (names(payload, "Refund")) return null;
  const gid = field(payload, "admin_graphql_api_id");
  return gid === undefined && field(payload, "order_id") != null ? null : "is not a refund (no gid://shopify/Refund/ id and no order_id)";
};

/**
 * customers/create: the REST Customer resource (https://shopify.dev/docs/api/admin-rest/latest/resources/customer),
 * or one the erasure guard applies without a redacted customer's data (its id REDACTED_ID: it names
 * nobody, and its effect writes nothing). That body was dead-lettered as "not a customer".
 */
export const customerBody: BodyShape = ({ payload }) =>
  isGidOf(payload, "Customer") || field(payload, "admin_graphql_api_id") === REDACTED_ID ? null : "is not a customer (its admin_graphql_api_id is no gid://shopify/Customer/<id>)";

/**
 * customers/update: the same REST Customer resource
 * (https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-customers/update), so the same
 * shape — and, like customers/create's, one the erasure guard applies without a redacted customer's
 * data. The two bodies cannot be told apart (the resource carries no topic); either under the other's
 * topic is harmless but for one case, accepted: a customers/update body saying "enabled", resent by
 * someone holding it under customers/create, pays that customer the sign-up bonus once, if Shopify
 * created them before the install (docs/decisions/019, addendum of 3 December 2026).
 */
export const customerUpdateBody: BodyShape = customerBody;

// discounts/*: create/update `{ admin_graphql_api_id, title, status, created_at, updated_at }`, delete
// `{ admin_graphql_api_id, deleted_at }` (https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-discounts/update).
const DISCOUNT_NODES: ShopifyGidType[] = ["DiscountCodeNode", "DiscountAutomaticNode", "DiscountNode"];
const NOT_A_DISCOUNT = "is not a discount (its admin_graphql_api_id names no discount node)";

/** discounts/update: a discount with its `status` (the delete body has none). */
export const discountUpdateBody: BodyShape = ({ payload }) => {
  if (!names(payload, ...DISCOUNT_NODES)) return NOT_A_DISCOUNT;
  return typeof field(payload, "status") === "string" ? null : "is a discount with no status";
};

/**
 * discounts/delete: a discount with `deleted_at` and no `status`. A discounts/update body (status
 * ACTIVE) under this topic canceled the reward as "deleted in Shopify".
 */
export const discountDeleteBody: BodyShape = ({ payload }) => {
  if (!names(payload, ...DISCOUNT_NODES)) return NOT_A_DISCOUNT;
  if (field(payload, "status") !== undefined) return "is a discount with a status (a discounts/create or discounts/update body), not a deleted one";
  // A time, by the one reader of Shopify's times (as orders/cancelled's cancelled_at): any non-empty
  // string ("yesterday", "0") passed, and the reward was canceled as deleted in Shopify.
  return parseShopifyTime(field(payload, "deleted_at")) !== null ? null : "is a discount with no deleted_at (a time)";
};

/**
 * app/uninstalled: the REST Shop resource (https://shopify.dev/docs/api/admin-rest/latest/resources/shop),
 * whose `myshopify_domain` is "the shop's .myshopify.com domain" — the delivering shop. Any other of
 * the shop's signed bodies under this topic deleted its sessions and paused its work.
 */
export const uninstalledShopBody: BodyShape = ({ shop, payload }) => {
  const named = field(payload, "myshopify_domain");
  if (named === shop) return null;
  if (named === undefined || named === null) return "names no shop (myshopify_domain): it is not the shop's Shop resource";
  const shown = typeof named === "string" ? named.slice(0, 255) : JSON.stringify(named).slice(0, 255);
  return `names the shop ${shown}, not ${shop} that delivered it`;
};

/**
 * shop/update: the REST Shop resource again (https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-shop/update,
 * "Occurs whenever a shop is updated"; https://shopify.dev/docs/api/admin-rest/latest/resources/shop),
 * of the delivering shop (as app/uninstalled's), with the two fields its effect reads: `currency` ("The
 * three-letter code (ISO 4217 format) for the shop's default currency") — a currency a shop sells in,
 * by the one rule (shopCurrencyCode, app/domain/currency.ts) — and `updated_at`, a time: when what the
 * body says was true, signed with it (X-Shopify-Triggered-At is not), so an older body never overwrites
 * a later reading (storeShopCurrency, app/services/lifecycle/scopes.server.ts).
 * app/uninstalled's body is the same resource and passes here: it stores the currency it carries as of
 * its own updated_at — true then, and never over a later reading. The other way round, a shop/update
 * body under app/uninstalled is not applied while Shopify still accepts the app's token
 * (handleAppUninstalled's tokenStillWorks).
 */
export const shopUpdateBody: BodyShape = (delivery) => {
  const notTheShop = uninstalledShopBody(delivery);
  if (notTheShop !== null) return notTheShop;
  if (shopCurrencyCode(field(delivery.payload, "currency")) === null) return "has no currency a shop sells in (currency: a three-letter code of Shopify's CurrencyCode)";
  return parseShopifyTime(field(delivery.payload, "updated_at")) !== null ? null : "has no updated_at (a time)";
};

/**
 * app/scopes_update: `{ id, previous, current, updated_at, shop_id }`
 * (https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-app/scopes_update). The
 * effect asks Shopify for the granted scopes rather than trusting the body, so `current` (a list) is
 * all that marks it.
 */
export const scopesUpdateBody: BodyShape = ({ payload }) => (Array.isArray(field(payload, "current")) ? null : "has no list of current scopes");

// Privacy topics (https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance):
// data_request `{ shop_id, shop_domain, orders_requested, customer, data_request }`, customers/redact
// `{ shop_id, shop_domain, customer, orders_to_redact }`, shop/redact `{ shop_id, shop_domain }`.
// That the body names the delivering shop (`shop_domain`) is checked by their handler
// (requireSameShop in app/services/compliance/privacy.server.ts); here, that it is not another privacy
// topic's body naming the same shop.

/** customers/data_request: a customer, and not a redaction's body (which would export what is to be erased). */
export const dataRequestBody: BodyShape = ({ payload }) =>
  field(payload, "orders_to_redact") === undefined ? null : "is a customers/redact body (orders_to_redact), not a data request";

/** customers/redact: not a data request's body (which would erase the customer who asked for their data). */
export const customerRedactBody: BodyShape = ({ payload }) =>
  field(payload, "data_request") === undefined ? null : "is a customers/data_request body (data_request), not a redaction";

/** shop/redact: names no customer — a customer's privacy body under this topic erased the whole shop. */
export const shopRedactBody: BodyShape = ({ payload }) =>
  isObject(field(payload, "customer")) ? "names a customer: it is a customer's privacy request, not the shop's redaction" : null;
