// The first half of the webhook pipeline, run while Shopify waits for the answer:
//   bounded read → HMAC with Shopify's library → topic and shop checks → JSON.
// Every kind of bad input becomes a clear 4xx, never a 500:
//   405 not POST · 415 a Content-Encoding (Shopify sends bodies as they are) · 413 body over the
//   limit (on the bytes actually read) · 503 too many bodies being read at once (Retry-After) · 401 bad HMAC · 400 missing headers, invalid shop domain,
//   topic not accepted here (exactly as Shopify writes it), a webhook id or API version that is not
//   one · 415 not labelled application/json · 400 body not JSON, not a JSON object, or nested
//   deeper than MAX_JSON_DEPTH.
import "@shopify/shopify-api/adapters/web-api";
import { LogSeverity, WebhookType, WebhookValidationErrorReason, shopifyApi } from "@shopify/shopify-api";
import { env } from "~/env.server";
import { ADMIN_API_VERSION } from "~/shopify.server";
import { logger } from "~/logger.server";
import { BUSY_RETRY_AFTER_SECONDS, isJsonMediaType, jsonNestedDeeperThan, MAX_JSON_DEPTH, readBodyBytes } from "~/request-input.server";
import { parseShopDomain } from "~/domain/shopify-ids";
import { parseShopifyTime } from "~/domain/shopify-time";
import type { WebhookTopic } from "./context";

const WEBHOOK_ID = /^[\x21-\x7e]{1,255}$/;
// Shopify's versions: one per quarter, named by its year and first month (2026-01, -04, -07, -10),
// or "unstable" (https://shopify.dev/docs/api/usage/versioning).
const API_VERSION = /^(\d{4}-(?:01|04|07|10)|unstable)$/;

/** Shopify's largest payloads (big orders) stay well under this. */
export const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

export interface VerifiedWebhook {
  shop: string;
  topic: WebhookTopic;
  webhookId: string;
  apiVersion: string;
  triggeredAt: Date | null;
  /** The raw body, exactly as signed. */
  rawBody: string;
  payload: unknown;
}

function answer(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}

function tooLarge(maxBytes: number): Response {
  // No "Connection: close": Node would then close the socket as soon as the answer is written,
  // with the sender's bytes still unread — the kernel answers that with a reset, which can discard
  // the 413 before the sender reads it. readBodyBytes() lingers, then ends the connection instead.
  return answer(413, `Payload Too Large: webhook bodies are limited to ${maxBytes} bytes`);
}

/**
 * Reads the body with the app's one bounded reader (app/request-input.server.ts: the bytes actually
 * received are counted; Content-Length may be absent — chunked — or lie). Over the limit: 413 at
 * once; at most `maxBytes` plus one chunk is ever held in memory.
 */
export async function readBoundedBody(request: Request, maxBytes = MAX_WEBHOOK_BYTES): Promise<string> {
  const read = await readBodyBytes(request, maxBytes, { budgeted: true });
  if (!read.ok && read.problem === "encoded") throw answer(415, "Unsupported Media Type: webhook bodies are taken without a Content-Encoding");
  if (!read.ok && read.problem === "busy") throw answer(503, "Service Unavailable: too many webhook bodies are being received at once; retry", { "Retry-After": String(BUSY_RETRY_AFTER_SECONDS) });
  if (!read.ok) throw tooLarge(maxBytes);
  return read.bytes.toString("utf8");
}

/**
 * Shopify's own library (`@shopify/shopify-api`) verifies the HMAC and the required headers (the
 * shop's domain is checked by the app's one rule, below). It is used directly rather than through `authenticate.webhook`, which
 * also loads (and may refresh) the shop's offline session on every delivery — the pipeline needs
 * neither, effects run later in the worker.
 */
function createVerifier() {
  const config = env();
  const appUrl = new URL(config.SHOPIFY_APP_URL);
  return shopifyApi({
    apiKey: config.SHOPIFY_API_KEY,
    apiSecretKey: config.SHOPIFY_API_SECRET,
    apiVersion: ADMIN_API_VERSION,
    hostName: appUrl.host,
    hostScheme: appUrl.protocol === "http:" ? "http" : "https",
    isEmbeddedApp: true,
    logger: { level: LogSeverity.Error },
  });
}

let verifier: ReturnType<typeof createVerifier> | undefined;

/**
 * The headers `webhooks.validate` reads for a webhook delivery (https://shopify.dev/docs/apps/build/webhooks/subscribe/https,
 * "Headers") that the pipeline uses — and nothing else. X-Shopify-Name and X-Shopify-Event-Id,
 * which the library also reads when present, are not used by the app.
 */
export const LIBRARY_WEBHOOK_HEADERS = [
  "x-shopify-hmac-sha256",
  "x-shopify-topic",
  "x-shopify-shop-domain",
  "x-shopify-api-version",
  "x-shopify-webhook-id",
  "x-shopify-triggered-at",
] as const;

/**
 * The request as the library needs to see it: its method, URL and the fixed list of headers above,
 * one value each. The library canonicalizes every header name on every lookup and on every
 * insertion, so its cost grows with the square of the header count — and it runs BEFORE the HMAC
 * is known to be good: passing every X-Shopify-* header let one unsigned request with ~1 000 of
 * them hold the event loop for over a second (bench/RESULTS.md). With this list the cost is fixed,
 * whatever the sender adds.
 */
export function libraryRequest(request: Request): Request {
  const headers = new Headers();
  for (const name of LIBRARY_WEBHOOK_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  return new Request(request.url, { method: request.method, headers });
}

/** The library's storage form of a topic ("orders/create" → "ORDERS_CREATE"), as `validate` returns it. */
export function storageTopic(topic: string): string {
  return topic.toUpperCase().replace(/\/|\./g, "_");
}

/** Reads and verifies one delivery for a route that accepts `topics`; throws a 4xx Response otherwise. */
export async function receiveWebhook(request: Request, topics: readonly WebhookTopic[], maxBytes = MAX_WEBHOOK_BYTES): Promise<VerifiedWebhook> {
  if (request.method !== "POST") throw answer(405, "Method Not Allowed", { Allow: "POST" });
  // Shopify sends the body as signed, uncompressed; a coded body would be verified (and stored) as
  // bytes it is not: the one reader refuses it before reading (hasContentCoding → 415).
  const rawBody = await readBoundedBody(request, maxBytes);
  verifier ??= createVerifier();
  const check = await verifier.webhooks.validate({ rawBody, rawRequest: libraryRequest(request) });
  if (!check.valid) {
    if (check.reason === WebhookValidationErrorReason.InvalidHmac) throw answer(401, "Unauthorized: the HMAC does not match");
    const missing = "missingHeaders" in check ? ` (${check.missingHeaders.join(", ")})` : "";
    throw answer(400, `Bad Request: ${check.reason}${missing}`);
  }
  if (check.webhookType !== WebhookType.Webhooks) throw answer(400, "Bad Request: not a webhook delivery");

  // The topic exactly as Shopify writes it in X-Shopify-Topic ("orders/create"). The library compares
  // its storage form (upper case, "/" and "." as "_"), so "ORDERS_CREATE" or "Orders.Create" passed
  // its check; the app takes Shopify's one spelling, as it does for the shop's domain.
  const sentTopic = request.headers.get("x-shopify-topic") ?? "";
  const topic = topics.find((t) => t === sentTopic && storageTopic(t) === check.topic);
  if (!topic) {
    const shown = sentTopic.slice(0, 100);
    logger.warn({ topic: shown, path: new URL(request.url).pathname, webhookId: check.webhookId.slice(0, 255) }, "webhook topic not accepted at this route; no effect");
    throw answer(400, `Bad Request: topic ${shown} is not accepted here (expected ${topics.join(", ")})`);
  }

  // One rule for the shop, shared with the storefront's signed `shop` (app/domain/shopify-ids.ts):
  // the canonical domain as Shopify writes it. It is stricter than the library's sanitizeShop (which
  // also lets through upper case, a trailing slash, other Shopify domains and admin URLs), so that
  // check would add nothing; rows are keyed by the shop.
  const shop = parseShopDomain(check.domain, env().SHOP_CUSTOM_DOMAIN);
  if (!shop) {
    logger.warn({ shopDomain: check.domain.slice(0, 255), webhookId: check.webhookId.slice(0, 255), topic }, "webhook with an invalid shop domain; no effect");
    throw answer(400, "Bad Request: X-Shopify-Shop-Domain is not a valid myshopify.com domain");
  }

  // The webhook id keys the durable record and the API version is stored with it: both are checked
  // before anything is written. Shopify sends a UUID and `YYYY-MM` (or `unstable`)
  // (https://shopify.dev/docs/apps/build/webhooks/subscribe/https, "Headers"); anything printable of
  // a sane length is kept, so an id format Shopify might change to is not refused.
  if (!WEBHOOK_ID.test(check.webhookId)) {
    logger.warn({ shop, topic }, "webhook with an unusable X-Shopify-Webhook-Id; no effect");
    throw answer(400, "Bad Request: X-Shopify-Webhook-Id must be 1 to 255 printable ASCII characters");
  }
  if (!API_VERSION.test(check.apiVersion)) {
    logger.warn({ shop, topic, webhookId: check.webhookId }, "webhook with an unusable X-Shopify-API-Version; no effect");
    throw answer(400, "Bad Request: X-Shopify-API-Version must look like 2026-10 (or unstable)");
  }

  // Every Shopify webhook body is a JSON object sent as application/json
  // (https://shopify.dev/docs/apps/build/webhooks/subscribe/https); the app's one rule for the media
  // type and for nesting (app/request-input.server.ts). A body nested deeper than any of Shopify's
  // could not be walked by the privacy scrub (it fell back to scrubbing identifier strings only).
  if (!isJsonMediaType(request.headers.get("content-type"))) throw answer(415, "Unsupported Media Type: webhook bodies must be application/json");
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody);
  } catch {
    throw answer(400, "Bad Request: the body is not JSON");
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) throw answer(400, "Bad Request: the body is not a JSON object");
  if (jsonNestedDeeperThan(rawBody)) throw answer(400, `Bad Request: the body is nested more than ${MAX_JSON_DEPTH} levels deep`);
  return {
    shop,
    topic,
    webhookId: check.webhookId,
    apiVersion: check.apiVersion,
    // Unreadable, or outside any event's life (PostgreSQL could not even store it: the INSERT failed,
    // a 500 Shopify retried with the same header): null.
    triggeredAt: parseShopifyTime(check.triggeredAt),
    rawBody,
    payload,
  };
}
