// App proxy requests as Shopify forwards them from the storefront to the app.
//
// `https://{shop}/apps/loyalty/x?y=1` reaches the app as
// `{appUrl}/apps-proxy/x?y=1&shop=…&logged_in_customer_id=…&path_prefix=%2Fapps%2Floyalty&timestamp=…&signature=…`.
//
// Signature (shopify.dev "Authenticate app proxies", Ruby reference):
//   parse the query, drop `signature`, turn each key into "key=value" (repeated keys' values joined
//   with ","), sort those strings, concatenate them with no separator, hex HMAC-SHA256 with the
//   client secret. Values are the decoded values, not their URL encoding.
// `@shopify/shopify-api` 15 (`stringifyQueryForAppProxy` + `validateHmac`) checks the same message,
// additionally rejecting a `timestamp` more than 90 s from its clock and duplicated
// `shop`/`signature`/`timestamp`/`hmac` params.
//
// One detail differs on purpose: Ruby sorts the "key=value" strings by bytes, the library sorts
// keys with `localeCompare`. They agree for the lower-case, underscore-separated keys Shopify and
// apps use; for e.g. an upper-case query key they can disagree, and then the real app would reject
// the real Shopify request too. The emulator follows Shopify.
import { hmacSha256Hex, timingSafeEqualString } from "./signing";

/** Query parameters Shopify adds (and therefore owns) on a proxied request, in the order it appends them. */
export const APP_PROXY_PARAMS = ["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"] as const;

/** Library tolerance for the `timestamp` parameter (seconds). */
export const APP_PROXY_TIMESTAMP_TOLERANCE_SECONDS = 90;

export const DEFAULT_PATH_PREFIX = "/apps/loyalty";
export const DEFAULT_PROXY_PATH = "/apps-proxy";

/** Ways to break a signed proxy URL for negative tests. */
export type AppProxyTamper =
  /** Sign correctly, then change (or add) one query parameter. */
  | { kind: "modify-param"; key: string; value: string }
  /** Sign with a different secret. */
  | { kind: "wrong-secret"; secret?: string }
  /** Timestamp older than the library's 90 s window (default 120 s old). */
  | { kind: "stale-timestamp"; ageSeconds?: number }
  /** Timestamp ahead of the server clock (default 120 s ahead). */
  | { kind: "future-timestamp"; aheadSeconds?: number }
  /** Leave the `signature` parameter out. */
  | { kind: "drop-signature" };

export interface SignAppProxyOptions {
  /** The app's client secret. */
  secret: string;
  /** `{name}.myshopify.com` */
  shop: string;
  /**
   * The logged-in customer's numeric id (a `gid://shopify/Customer/…` is reduced to its number,
   * as Shopify sends numbers). `null`/absent = logged out, sent as an empty value.
   */
  loggedInCustomerId?: string | number | bigint | null;
  /** Storefront prefix the request came through. Default `/apps/loyalty`. */
  pathPrefix?: string;
  /** Signing time in seconds since the epoch (or a Date). Default: now. */
  timestamp?: number | Date;
  tamper?: AppProxyTamper;
}

function epochSeconds(value: number | Date | undefined): number {
  if (value === undefined) return Math.floor(Date.now() / 1000);
  return value instanceof Date ? Math.floor(value.getTime() / 1000) : Math.floor(value);
}

/** Reduces a customer id (number, decimal string or GID) to the bare number Shopify puts in the URL. */
export function numericCustomerId(id: string | number | bigint): string {
  const text = String(id).trim();
  const match = /^(?:gid:\/\/shopify\/Customer\/)?(\d+)$/.exec(text);
  if (!match) throw new Error(`Not a Shopify customer id: ${text}`);
  return match[1]!;
}

/**
 * The exact string Shopify signs for a set of query parameters (everything but `signature`).
 * Exposed so tests can assert on it and so the emulator can verify its own URLs.
 */
export function appProxySignatureMessage(params: URLSearchParams): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params) {
    if (key === "signature") continue;
    const values = grouped.get(key);
    if (values) values.push(value);
    else grouped.set(key, [value]);
  }
  const pairs = [...grouped].map(([key, values]) => `${key}=${values.join(",")}`);
  // Byte order of the UTF-8 text, as Ruby's String#<=> compares (the documented `.sort.join`):
  // code point order. The default sort compares UTF-16 code units, which puts a character above
  // U+FFFF (a surrogate pair, 0xD800…) before U+E000–U+FFFF, where its bytes sort after them.
  pairs.sort(byCodePoints);
  return pairs.join("");
}

function byCodePoints(a: string, b: string): number {
  const x = Array.from(a, (ch) => ch.codePointAt(0)!);
  const y = Array.from(b, (ch) => ch.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** hex HMAC-SHA256 of {@link appProxySignatureMessage}. */
export function computeAppProxySignature(params: URLSearchParams, secret: string): string {
  return hmacSha256Hex(secret, appProxySignatureMessage(params));
}

/**
 * Adds Shopify's proxy parameters and signature to a URL that already points at the app.
 * The app's own query string is kept byte-for-byte (Shopify forwards it untouched) and Shopify's
 * parameters are appended after it. A `shop`/`logged_in_customer_id`/`path_prefix`/`timestamp`/
 * `signature` already present is removed first (our reading, not documented: Shopify owns those
 * names, and a shopper-supplied copy would otherwise reach the app as a duplicate).
 */
export function signAppProxyRequest(url: string | URL, options: SignAppProxyOptions): URL {
  const target = new URL(String(url));
  const tamper = options.tamper;

  let timestamp = epochSeconds(options.timestamp);
  if (tamper?.kind === "stale-timestamp") timestamp -= tamper.ageSeconds ?? 120;
  if (tamper?.kind === "future-timestamp") timestamp += tamper.aheadSeconds ?? 120;

  const customer =
    options.loggedInCustomerId === null || options.loggedInCustomerId === undefined
      ? ""
      : numericCustomerId(options.loggedInCustomerId);

  let appQuery = target.search.replace(/^\?/, "");
  const appParams = new URLSearchParams(appQuery);
  if (APP_PROXY_PARAMS.some((key) => appParams.has(key))) {
    for (const key of APP_PROXY_PARAMS) appParams.delete(key);
    appQuery = appParams.toString();
  }

  const added = new URLSearchParams();
  added.append("shop", options.shop);
  added.append("logged_in_customer_id", customer);
  added.append("path_prefix", options.pathPrefix ?? DEFAULT_PATH_PREFIX);
  added.append("timestamp", String(timestamp));
  let query = appQuery ? `${appQuery}&${added.toString()}` : added.toString();

  const secret = tamper?.kind === "wrong-secret" ? (tamper.secret ?? `${options.secret}-wrong`) : options.secret;
  const signature = computeAppProxySignature(new URLSearchParams(query), secret);
  if (tamper?.kind !== "drop-signature") query += `&${new URLSearchParams({ signature }).toString()}`;
  if (tamper?.kind === "modify-param") {
    const params = new URLSearchParams(query);
    params.set(tamper.key, tamper.value);
    query = params.toString();
  }

  target.search = query;
  return target;
}

export interface ProxyStorefrontOptions extends Omit<SignAppProxyOptions, "shop"> {
  /** The app's `application_url`, e.g. `https://app.example.test`. */
  appUrl: string;
  /** `[app_proxy] url` from shopify.app.toml, relative to appUrl (or absolute). Default `/apps-proxy`. */
  proxyUrl?: string;
  /** Override the shop; default is the storefront URL's host. */
  shop?: string;
}

/**
 * Turns a storefront URL under the proxy prefix into the signed URL the app receives:
 * `https://{shop}/apps/loyalty/x?y=1` → `{appUrl}/apps-proxy/x?y=1&shop=…&…&signature=…`.
 * Throws when the storefront path is not under `pathPrefix` (Shopify would not proxy it).
 */
export function proxyStorefrontUrl(storefrontUrl: string | URL, options: ProxyStorefrontOptions): URL {
  const source = new URL(String(storefrontUrl));
  const prefix = (options.pathPrefix ?? DEFAULT_PATH_PREFIX).replace(/\/+$/, "");
  const path = source.pathname;
  if (path !== prefix && !path.startsWith(`${prefix}/`)) {
    throw new Error(`${source.href} is not under the app proxy prefix ${prefix}`);
  }
  const rest = path.slice(prefix.length); // "" or "/x/y"

  const base = new URL(options.proxyUrl ?? DEFAULT_PROXY_PATH, options.appUrl);
  const target = new URL(base.href);
  target.pathname = `${base.pathname.replace(/\/+$/, "")}${rest}`;
  target.search = source.search;

  return signAppProxyRequest(target, { ...options, shop: options.shop ?? source.hostname, pathPrefix: prefix });
}

export type AppProxyVerification =
  | { ok: true }
  | { ok: false; reason: "missing_signature" | "bad_timestamp" | "stale_timestamp" | "duplicate_param" | "bad_signature" };

/**
 * Verifies a proxied URL the way the library does (signature, 90 s window, single-valued params).
 * The emulator uses it to self-check; app tests should go through `authenticate.public.appProxy`.
 */
export function verifyAppProxyUrl(
  url: string | URL,
  secret: string,
  { now, toleranceSeconds = APP_PROXY_TIMESTAMP_TOLERANCE_SECONDS }: { now?: number | Date; toleranceSeconds?: number } = {},
): AppProxyVerification {
  const params = new URL(String(url)).searchParams;
  for (const key of ["shop", "signature", "timestamp", "hmac"]) {
    if (params.getAll(key).length > 1) return { ok: false, reason: "duplicate_param" };
  }
  const signature = params.get("signature");
  if (!signature) return { ok: false, reason: "missing_signature" };
  const timestamp = Number(params.get("timestamp"));
  if (!params.has("timestamp") || !Number.isInteger(timestamp)) return { ok: false, reason: "bad_timestamp" };
  if (Math.abs(epochSeconds(now) - timestamp) > toleranceSeconds) return { ok: false, reason: "stale_timestamp" };
  const expected = computeAppProxySignature(params, secret);
  return timingSafeEqualString(expected, signature) ? { ok: true } : { ok: false, reason: "bad_signature" };
}
