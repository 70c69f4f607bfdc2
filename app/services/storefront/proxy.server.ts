// What every storefront (app proxy) route shares: Shopify's signature check, who the customer is,
// per-customer rate limiting, and the JSON error shape `{ error: { code, message } }`.
//
// Trust rules (https://shopify.dev/docs/apps/build/online-store/app-proxies/authenticate-app-proxies):
//   - the customer is ONLY the signed `logged_in_customer_id` Shopify adds to the proxied URL;
//     any customer id the browser sends (query or body) is never read;
//   - a bad or missing signature, or a timestamp outside the library's 90 s window, is rejected by
//     `authenticate.public.appProxy` (400) before anything is read or written.
import { json } from "@remix-run/node";
import { InvalidShopError } from "@shopify/shopify-api";
import { authenticate } from "~/shopify.server";
import { env } from "~/env.server";
import { logger } from "~/logger.server";
import type { AdminGraphql } from "~/shopify/graphql.server";
import type { RedeemErrorCode } from "~/services/rewards/redeem-points.server";
import { parseNumericShopifyId, parseShopDomain } from "~/domain/shopify-ids";
import { SenderGoneError, URL_CONTROL_CHARACTERS_MESSAGE, urlHasControlCharacters } from "~/request-input.server";
import { createSlidingWindowLimiter } from "./rate-limit.server";

export interface StorefrontContext {
  shop: string;
  /** `gid://shopify/Customer/<n>` from the signed `logged_in_customer_id`; null when logged out. */
  customerGid: string | null;
  /** Admin API of the shop's offline session (a shop without one is refused: `not_installed`). */
  graphql: AdminGraphql;
}

/** Codes of the storefront API's errors: the proxy's own, and the redeem use-case's. */
export type ProxyErrorCode =
  | "invalid_signature"
  /** The query has a parameter name the signature library orders unlike Shopify: it can't be checked (libraryCanCheckSignature). */
  | "unverifiable_query"
  | "invalid_request"
  /** The signed `shop` is not a valid `*.myshopify.com` domain. */
  | "invalid_shop"
  | "unsupported_media_type"
  /** The body is over MAX_STOREFRONT_BODY_BYTES (counted on the bytes received). */
  | "payload_too_large"
  | "method_not_allowed"
  | "not_signed_in"
  /** No storefront endpoint at this path. */
  | "not_found"
  /** The app holds no session for the shop (uninstalled, or never installed): nothing is read or written. */
  | "not_installed"
  | "rate_limited"
  /** The redemption is still open (running, or to be resumed): retry with the SAME idempotency key. */
  | "redemption_pending"
  | "internal_error"
  /** A repeated redeem request whose reward the merchant has canceled since (redeem.server.ts). */
  | "reward_canceled"
  /** The customer's birthday is set once (birthday.server.ts). */
  | "birthday_already_set"
  /** The shop gives no birthday bonus now (program off, or no bonus): no birthday is asked or kept. */
  | "birthday_bonus_off"
  | RedeemErrorCode;

export interface ProxyErrorBody {
  error: { code: ProxyErrorCode; message: string };
}

const NO_STORE = { "Cache-Control": "private, no-store" };

/** A JSON response for the storefront. Never cached: every answer can be customer-specific. */
export function proxyJson(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  // Remix's json() works on any fetch globals (Response.json() is missing from Remix's polyfills).
  return json(body, { status: init.status ?? 200, headers: { ...NO_STORE, ...init.headers } });
}

export function proxyError(status: number, code: ProxyErrorCode, message: string, headers: Record<string, string> = {}): Response {
  const body: ProxyErrorBody = { error: { code, message } };
  return proxyJson(body, { status, headers });
}

export const MESSAGES = {
  invalidSignature: "This request didn't come through the shop's storefront. Please reload the page and try again.",
  unverifiableQuery: "This page's address has a parameter the loyalty program can't check. Remove the part after \"?\" from the address and try again.",
  notSignedIn: "Please sign in to your account to see your points and rewards.",
  rateLimited: "You're doing that too often. Please wait a moment and try again.",
  invalidShop: "This request names a shop that is not a valid myshopify.com domain.",
  internal: "Something went wrong on our side. Please reload the page and try again.",
  notFound: "This loyalty page doesn't exist. Please reload the page and try again.",
  invalidCustomer: "This request names a customer account that can't exist. Please sign in again and retry.",
  notInstalled: "The loyalty program isn't available in this shop right now.",
  incomplete: "This request ended before all of it was sent. Please reload the page and try again.",
} as const;

/** One limiter per process (see rate-limit.server.ts for why that is acceptable). */
export const customerRateLimiter = createSlidingWindowLimiter({
  limit: () => env().PROXY_RATE_LIMIT_PER_MINUTE,
  windowMs: 60_000,
});

/**
 * Authenticates a proxied storefront request and reads the signed customer. Throws a JSON
 * Response (400) for anything Shopify did not sign, and for signed values the app can't use: a
 * `shop` that is not a canonical `*.myshopify.com` domain, a `logged_in_customer_id` that is neither
 * empty (logged out) nor a Shopify id (the one rule of app/domain/shopify-ids.ts, shared with the
 * webhook pipeline), or control characters (`%00`) anywhere in the URL.
 */
export async function authenticateStorefront(request: Request): Promise<StorefrontContext> {
  if (urlHasControlCharacters(request.url)) throw proxyError(400, "invalid_request", URL_CONTROL_CHARACTERS_MESSAGE);
  if (!libraryCanCheckSignature(new URL(request.url).searchParams)) throw proxyError(400, "unverifiable_query", MESSAGES.unverifiableQuery);
  let admin: { graphql: unknown } | undefined;
  try {
    ({ admin } = await authenticate.public.appProxy(request));
  } catch (thrown) {
    if (thrown instanceof Response && thrown.status === 400) {
      throw proxyError(400, "invalid_signature", MESSAGES.invalidSignature);
    }
    // The library validates the signature, then the shop's domain (sanitizeShop): a signed request
    // naming `evil.example.com` is bad input, not a server error.
    if (thrown instanceof InvalidShopError) throw invalidShop(request);
    throw thrown;
  }
  const params = new URL(request.url).searchParams;
  // The library accepts more than Shopify sends (upper case, a trailing slash, admin URLs): the app
  // keys rows by this value, so only the canonical domain is used.
  const shop = parseShopDomain(params.get("shop"), env().SHOP_CUSTOM_DOMAIN);
  if (!shop) throw invalidShop(request);
  // Signed, but for a shop the app is not installed in (no offline session: uninstalled, and
  // perhaps already erased by shop/redact): nothing may be written for it — a row created now would
  // outlive the erasure, which Shopify sends once.
  if (!admin) throw proxyError(404, "not_installed", MESSAGES.notInstalled);
  // Shopify sends exactly one; two values would both be covered by the signature (joined with ","),
  // so refuse rather than guess which one is the customer.
  const customerValues = params.getAll("logged_in_customer_id");
  if (customerValues.length > 1) throw proxyError(400, "invalid_request", MESSAGES.invalidSignature);
  // Empty = logged out (https://shopify.dev/docs/apps/build/online-store/app-proxies/authenticate-app-proxies).
  const numericId = customerValues[0] ?? "";
  const customerId = numericId === "" ? null : parseNumericShopifyId(numericId);
  if (numericId !== "" && !customerId) {
    logger.warn({ shop }, "app proxy request with a signed customer id that is not a Shopify id");
    throw proxyError(400, "invalid_request", MESSAGES.invalidCustomer);
  }
  return {
    shop,
    customerGid: customerId ? `gid://shopify/Customer/${customerId}` : null,
    graphql: admin.graphql as AdminGraphql,
  };
}

/**
 * Whether `@shopify/shopify-api` (15.0.0, `validateHmac` with `signator: "appProxy"`) checks the same
 * text Shopify signed. Shopify signs every "key=value" of the query but `signature` (repeated values
 * joined with ","), the pairs sorted in byte order and concatenated
 * (https://shopify.dev/docs/apps/build/online-store/display-dynamic-data#calculate-a-digital-signature,
 * the Ruby reference: `.sort.join`). The library sorts the parameter names with `localeCompare`,
 * leaves `hmac` out, and (shopify-app-remix) drops an empty `index`: for a name that is not ASCII
 * (`étiquette` sorts before `logged_in_customer_id` for it, after `timestamp` in bytes), in upper case,
 * or starting another name then "-", "." or a digit, it checks another text and refuses a request
 * Shopify signed correctly. Such a request is answered as what it is — a query the app can't check —
 * rather than "not from the storefront"; nothing is read or written either way (decision 005).
 */
export function libraryCanCheckSignature(params: URLSearchParams): boolean {
  const joined = (keep: (key: string) => boolean) => {
    const values = new Map<string, string[]>();
    for (const [key, value] of params) if (keep(key)) values.set(key, [...(values.get(key) ?? []), value]);
    return [...values].map(([key, v]) => [key, `${key}=${v.join(",")}`] as const);
  };
  const shopify = joined((key) => key !== "signature")
    .map(([, pair]) => pair)
    .sort(byCodePoints)
    .join("");
  const dropIndex = !params.get("index");
  const library = joined((key) => key !== "signature" && key !== "hmac" && !(dropIndex && key === "index"))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, pair]) => pair)
    .join("");
  return shopify === library;
}

/** Code point order: UTF-8 byte order, as Ruby compares strings (UTF-16 units differ above U+FFFF). */
function byCodePoints(a: string, b: string): number {
  const x = Array.from(a, (ch) => ch.codePointAt(0)!);
  const y = Array.from(b, (ch) => ch.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function invalidShop(request: Request): Response {
  logger.warn({ shop: new URL(request.url).searchParams.get("shop")?.slice(0, 255) }, "app proxy request with an invalid shop domain");
  return proxyError(400, "invalid_shop", MESSAGES.invalidShop);
}

export interface ProxyHandlerOptions {
  /** Respond 401 to logged-out visitors instead of calling the handler. */
  requireCustomer?: boolean;
}

/**
 * Runs a storefront handler: authenticate, rate limit the customer, then the handler; any thrown
 * error becomes a JSON 500 with a message a customer can act on (details go to the log only).
 * Logged-out visitors are not rate limited here: they only ever get the shop's public program.
 */
export async function handleStorefrontRequest(
  request: Request,
  handler: (context: StorefrontContext & { customerGid: string | null }) => Promise<Response>,
  options: ProxyHandlerOptions = {},
): Promise<Response> {
  let context: StorefrontContext;
  try {
    context = await authenticateStorefront(request);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    logger.error({ err: thrown }, "app proxy authentication failed");
    return proxyError(500, "internal_error", MESSAGES.internal);
  }
  if (options.requireCustomer && !context.customerGid) {
    return proxyError(401, "not_signed_in", MESSAGES.notSignedIn);
  }
  if (context.customerGid) {
    const decision = customerRateLimiter.hit(`${context.shop}|${context.customerGid}`);
    if (!decision.allowed) {
      return proxyError(429, "rate_limited", MESSAGES.rateLimited, { "Retry-After": String(decision.retryAfterSeconds) });
    }
  }
  try {
    return await handler(context);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    // The shopper's browser closed the connection mid-body: nothing failed, and no one reads the answer.
    if (thrown instanceof SenderGoneError) {
      logger.info({ shop: context.shop, path: new URL(request.url).pathname }, "sender went away");
      return proxyError(400, "invalid_request", MESSAGES.incomplete);
    }
    logger.error({ err: thrown, shop: context.shop, path: new URL(request.url).pathname }, "storefront request failed");
    return proxyError(500, "internal_error", MESSAGES.internal);
  }
}
