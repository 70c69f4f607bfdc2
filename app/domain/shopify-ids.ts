// What the app accepts as a shop's domain and as a Shopify customer id when Shopify hands them over
// (a webhook's X-Shopify-Shop-Domain, an app proxy request's signed `shop` and
// `logged_in_customer_id`). One rule each, for every surface: a value that fails is bad input (400),
// never used as a key.

/**
 * A shop's permanent domain, `{handle}.myshopify.com`, exactly as Shopify writes it: lower case (the
 * library's character set — letters, digits, `-` and `_`), no scheme, path, port or trailing slash
 * (https://shopify.dev/docs/apps/build/online-store/app-proxies/authenticate-app-proxies,
 * https://shopify.dev/docs/apps/build/webhooks/subscribe/https — `X-Shopify-Shop-Domain`).
 * The library's `sanitizeShop` (used before this) also lets through upper case, a trailing slash,
 * `*.shopify.com` / `*.myshopify.io` / `*.shop.dev` and admin URLs; the app keys every row by the
 * domain, so it only takes the canonical form. `customDomain` (SHOP_CUSTOM_DOMAIN, for Shopify's own
 * test environments) adds one more accepted suffix.
 */
export function parseShopDomain(raw: unknown, customDomain?: string | null): string | null {
  if (typeof raw !== "string" || raw.length > 255) return null;
  if (/^[a-z0-9][a-z0-9_-]*\.myshopify\.com$/.test(raw)) return raw;
  if (customDomain) {
    const suffix = `.${customDomain.toLowerCase().replace(/^\.+/, "")}`;
    if (raw.endsWith(suffix) && /^[a-z0-9][a-z0-9_-]*$/.test(raw.slice(0, -suffix.length))) return raw;
  }
  return null;
}

/**
 * What a merchant types in the login form, as the canonical domain (parseShopDomain), or null.
 * Forgiving about what people type — surrounding spaces, capitals, `https://`, a trailing slash, the
 * bare handle (`my-shop`), the admin's URL (`admin.shopify.com/store/my-shop`) — and as strict as
 * every other surface about the rest: `evil.example.com` or `my-shop.myshopify.com.evil.com` is no
 * shop, and is refused before the library builds a redirect from it.
 */
export function shopFromLoginInput(raw: unknown, customDomain?: string | null): string | null {
  if (typeof raw !== "string" || raw.length > 255) return null;
  let text = raw.trim().toLowerCase().replace(/^https?:\/\//, "").replace(/\/+$/, "");
  const admin = /^admin\.shopify\.com\/store\/([a-z0-9][a-z0-9_-]*)$/.exec(text);
  if (admin) text = admin[1];
  if (/^[a-z0-9][a-z0-9_-]*$/.test(text)) text = `${text}.myshopify.com`;
  return parseShopDomain(text, customDomain);
}

/**
 * Whether the embedded admin's `host` query parameter can be read: the base64 (standard alphabet,
 * padding optional) of the admin's address — `admin.shopify.com/store/{handle}`, or
 * `{shop}.myshopify.com/admin` for older admins — a host name, an optional port and an optional path
 * of printable ASCII (https://shopify.dev/docs/apps/build/admin/embedded-app-home: the `host`
 * parameter App Bridge and the admin add to the app's URL). `@shopify/shopify-api`'s `sanitizeHost`
 * decodes it with `atob` and parses `https://<decoded>` without catching either: text that is not
 * base64 to `atob` (`a`) or that decodes to no host (control characters, a space, `[`) was thrown out
 * of `authenticate.admin` as a 500. Which hosts are Shopify's is the library's check, after this one.
 */
export function isReadableHostParam(raw: unknown): boolean {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 1_024) return false;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw) || raw.replace(/=+$/, "").length % 4 === 1) return false;
  let decoded: string;
  try {
    decoded = atob(raw);
  } catch {
    return false;
  }
  return /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?(?:\/[\x21-\x7e]*)?$/.test(decoded);
}

/**
 * The shop a session token is for: its `dest` claim, `https://{shop}` with the shop's permanent
 * domain (https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens#anatomy-of-a-session-token),
 * read by {@link parseShopDomain}; null for anything else. `@shopify/shopify-app-remix` takes
 * `new URL(dest).hostname` and then checks it with a throwing `sanitizeShop`: a token whose `dest` is
 * no URL, or names no shop, was a TypeError or an InvalidShopError out of `authenticate.admin` (500).
 */
export function shopFromSessionTokenDest(dest: unknown, customDomain?: string | null): string | null {
  if (typeof dest !== "string" || dest.length > 300) return null;
  const match = /^https:\/\/([^/?#]+)\/?$/.exec(dest);
  return match ? parseShopDomain(match[1], customDomain) : null;
}

/** Shopify's resource ids are positive 64-bit integers (an `ID` of `gid://shopify/Customer/<n>`). */
const MAX_ID = 9_223_372_036_854_775_807n;

/** A numeric Shopify id as Shopify writes it ("123", no sign, no leading zero), in range; else null. */
export function parseNumericShopifyId(raw: unknown): string | null {
  if (typeof raw !== "string" || !/^[1-9]\d{0,18}$/.test(raw)) return null;
  return BigInt(raw) <= MAX_ID ? raw : null;
}

/**
 * What the erasure guard writes over a redacted customer's ids (and other identifying strings) in a
 * body waiting in the inbox (app/services/compliance/privacy.server.ts, forgetCustomer): the body is
 * then applied as one naming nobody.
 */
export const REDACTED_ID = "[redacted]";

/** The resource types whose GIDs the app reads from Shopify's bodies. */
export type ShopifyGidType = "Order" | "Customer" | "Refund" | "DiscountCodeNode" | "DiscountNode" | "DiscountAutomaticNode" | "Product" | "ProductVariant" | "Collection" | "GiftCard";

/**
 * Whether `value` is written as a GID of `type` (`gid://shopify/<type>/…`, surrounding spaces
 * trimmed), whatever follows: what KIND of resource a body is about (webhooks' body shapes, the
 * privacy scrub). Whether it names one — its id — is {@link shopifyGidOf}.
 */
export function isGidOfType(value: unknown, type: ShopifyGidType): value is string {
  return typeof value === "string" && value.trim().startsWith(`gid://shopify/${type}/`);
}

/**
 * A GID of the given resource type as Shopify writes it (`gid://shopify/Customer/123`, surrounding
 * spaces trimmed), its numeric part by {@link parseNumericShopifyId}; null for another type, a query
 * string, or an id no Shopify resource can have (beyond 64 bits). The one reader of a GID: the
 * effects and the erasure guard (app/services/compliance/privacy.server.ts) must name the same
 * customer or order by it.
 */
export function shopifyGidOf(value: unknown, type: ShopifyGidType): string | null {
  if (!isGidOfType(value, type)) return null;
  const gid = value.trim();
  return parseNumericShopifyId(gid.slice(`gid://shopify/${type}/`.length)) !== null ? gid : null;
}

/**
 * Whether `value` is exactly a GID of `type` as Shopify writes it — {@link shopifyGidOf} with nothing
 * around it: for ids the app stores and sends back to Shopify (a way to redeem's product, variant or
 * collections: app/domain/rewards/options.ts, settings.ts).
 */
export function isShopifyGid(value: unknown, type: ShopifyGidType): value is string {
  return shopifyGidOf(value, type) === value;
}

/** The numeric id (its digits) of a GID of `type`, read by {@link shopifyGidOf}; null when it is none. */
export function shopifyIdOfGid(value: unknown, type: ShopifyGidType): string | null {
  const gid = shopifyGidOf(value, type);
  return gid === null ? null : gid.slice(`gid://shopify/${type}/`.length);
}

/**
 * A numeric Shopify id as it appears in a webhook body: a JSON integer (read with
 * {@link parseJsonKeepingBigIds}, so one beyond 2^53 arrives as its exact digits) or a string of
 * digits; checked by {@link parseNumericShopifyId}. A number JSON.parse rounded (not a safe integer),
 * a fraction, zero or a negative number is null — never a neighbouring id.
 */
export function shopifyIdOf(value: unknown): string | null {
  if (typeof value === "number") return Number.isSafeInteger(value) && value > 0 ? String(value) : null;
  return parseNumericShopifyId(value);
}

/**
 * JSON.parse that keeps integers beyond 2^53 as their exact digits (strings): Shopify's ids may
 * exceed it (the order id of the `orders/create` sample does), and JSON.parse would round them to a
 * neighbouring id. Uses the reviver's source text (Node ≥ 21, `context.source`).
 */
export function parseJsonKeepingBigIds(raw: string): unknown {
  return JSON.parse(raw, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && !Number.isSafeInteger(value) && context?.source && /^\d+$/.test(context.source) ? context.source : value,
  );
}
