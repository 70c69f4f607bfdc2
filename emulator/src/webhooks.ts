// Signing and delivering webhooks the way Shopify does.
//
// Headers: the set `@shopify/shopify-api` 15 reads (`ShopifyHeader`), with Shopify's values:
// topic in slash form ("orders/create"; the library normalises it to ORDERS_CREATE), base64
// HMAC-SHA256 of the raw body, the shop's myshopify domain, the subscription's API version, a
// per-delivery webhook id (kept on retries), an event id shared by every delivery of one event,
// and the trigger time. Shopify's deliveries identify themselves as "Shopify-Captain-Hook".
//
// Delivery semantics modelled: at-least-once (duplicates,
// https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates), no ordering guarantee, a 5 s
// response budget, and retries on anything but a 2xx (8 retries over 4 hours in production,
// https://shopify.dev/changelog/updates-to-webhook-retry-mechanism; off by default here so tests
// see exactly what they asked for). Redirects are not followed: a 3xx counts as a failed attempt.
import { randomUUID } from "node:crypto";
import { hmacSha256Base64 } from "./signing";

export const DEFAULT_WEBHOOK_API_VERSION = "2026-10";
export const SHOPIFY_WEBHOOK_USER_AGENT = "Shopify-Captain-Hook";

/** Ways to break a signed webhook for negative tests. */
export type WebhookTamper =
  /** Sign with another secret. */
  | { kind: "wrong-secret"; secret?: string }
  /** Sign the original body, then send this body instead. */
  | { kind: "modify-body"; body: string }
  /** Leave these headers out (names as in {@link SignedWebhook.headers}). */
  | { kind: "omit-headers"; headers: string[] };

export interface SignWebhookInput {
  /** Slash form, as Shopify sends it: "orders/create", "app/uninstalled", "customers/redact". */
  topic: string;
  /** `{name}.myshopify.com` */
  shop: string;
  /** The raw JSON body, exactly as it will go on the wire (see `serializeWebhookJson`). */
  body: string;
  /** The app's client secret. */
  secret: string;
  /** Subscription API version. Default 2026-10. */
  apiVersion?: string;
  /** Default: a random UUID. Reuse it to model a retry of the same delivery. */
  webhookId?: string;
  /** Default: a random UUID. Share it to model two deliveries of one event. */
  eventId?: string;
  /** Default: now. */
  triggeredAt?: Date | string;
  /** Subscription name, sent as `X-Shopify-Name` when set. */
  name?: string;
  /** Default "Shopify-Captain-Hook". */
  userAgent?: string;
  tamper?: WebhookTamper;
}

export interface SignedWebhook {
  topic: string;
  shop: string;
  webhookId: string;
  eventId: string;
  triggeredAt: string;
  /** Ready for `fetch`/`new Request`: header name → value. */
  headers: Record<string, string>;
  body: string;
}

/** Shopify sends the trigger time as UTC with nanoseconds, e.g. 2025-03-11T20:54:30.516267807Z. */
export function formatTriggeredAt(value: Date): string {
  return `${value.toISOString().slice(0, 23)}000000Z`;
}

/** Signs a webhook body and builds Shopify's headers. */
export function signWebhook(input: SignWebhookInput): SignedWebhook {
  const webhookId = input.webhookId ?? randomUUID();
  const eventId = input.eventId ?? randomUUID();
  const triggeredAt =
    typeof input.triggeredAt === "string" ? input.triggeredAt : formatTriggeredAt(input.triggeredAt ?? new Date());
  const tamper = input.tamper;
  const secret = tamper?.kind === "wrong-secret" ? (tamper.secret ?? `${input.secret}-wrong`) : input.secret;

  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": input.userAgent ?? SHOPIFY_WEBHOOK_USER_AGENT,
    "X-Shopify-Topic": input.topic,
    "X-Shopify-Hmac-Sha256": hmacSha256Base64(secret, input.body),
    "X-Shopify-Shop-Domain": input.shop,
    "X-Shopify-API-Version": input.apiVersion ?? DEFAULT_WEBHOOK_API_VERSION,
    "X-Shopify-Webhook-Id": webhookId,
    "X-Shopify-Event-Id": eventId,
    "X-Shopify-Triggered-At": triggeredAt,
  };
  if (input.name) headers["X-Shopify-Name"] = input.name;
  if (tamper?.kind === "omit-headers") {
    const omit = new Set(tamper.headers.map((h) => h.toLowerCase()));
    for (const key of Object.keys(headers)) if (omit.has(key.toLowerCase())) delete headers[key];
  }

  return {
    topic: input.topic,
    shop: input.shop,
    webhookId,
    eventId,
    triggeredAt,
    headers,
    body: tamper?.kind === "modify-body" ? tamper.body : input.body,
  };
}

/** A POST `Request` for calling a route's action directly (no HTTP). */
export function toWebhookRequest(url: string | URL, signed: SignedWebhook): Request {
  return new Request(String(url), { method: "POST", headers: signed.headers, body: signed.body });
}

/** The same delivery again, as a second subscription to the same event would produce it. */
export function redeliverAsNewWebhook(signed: SignedWebhook): SignedWebhook {
  const webhookId = randomUUID();
  return { ...signed, webhookId, headers: { ...signed.headers, "X-Shopify-Webhook-Id": webhookId } };
}

// ---------------------------------------------------------------------------------------------
// Delivery

export interface RetryPolicy {
  /** Retries after the first attempt. Shopify: 8. */
  retries: number;
  /** Wait before retry n (1-based). */
  delayMs: (retry: number) => number;
}

/**
 * Shopify's documented budget is "8 retries over 4 hours, exponential backoff"; the exact
 * schedule is not published, so this doubles from one minute (1, 2, 4 … 128 min ≈ 4.25 h).
 * Use it with fake timers or an injected `sleep`.
 */
export const SHOPIFY_RETRY_POLICY: RetryPolicy = {
  retries: 8,
  delayMs: (retry) => 60_000 * 2 ** (retry - 1),
};

/** Same shape as Shopify's schedule, scaled down for real-time tests. */
export function quickRetryPolicy(retries = 8, baseMs = 5): RetryPolicy {
  return { retries, delayMs: (retry) => baseMs * 2 ** (retry - 1) };
}

export interface DeliveryAttempt {
  /** Order in which attempts started, across the deliverer. */
  seq: number;
  /** Groups an original send and its retries. */
  deliveryId: number;
  /** 0 for the first copy, 1… for duplicates. */
  copy: number;
  /** 1 for the first try, 2 for the first retry… */
  attempt: number;
  url: string;
  topic: string;
  shop: string;
  webhookId: string;
  eventId: string;
  startedAt: Date;
  /** null while the attempt is still in flight. */
  finishedAt: Date | null;
  durationMs: number;
  /** HTTP status the app answered, or null when there was no response. */
  status: number | null;
  /** 2xx. */
  ok: boolean;
  /** Network error or timeout, when there was no response. */
  error: string | null;
  /** Start of the response body (for debugging failed deliveries). */
  responseBody: string | null;
}

export interface DeliveryResult {
  deliveryId: number;
  copy: number;
  webhookId: string;
  /** Eventually answered with a 2xx. */
  delivered: boolean;
  finalStatus: number | null;
  attempts: DeliveryAttempt[];
}

export interface WebhookDelivererOptions {
  /** Default: no retries. */
  retry?: RetryPolicy | false;
  /** Per-attempt budget; Shopify gives up after 5 s. */
  timeoutMs?: number;
  /** Injected for tests; default global fetch. */
  fetch?: typeof fetch;
  /** Default: setTimeout-based, so vitest fake timers control it. */
  sleep?: (ms: number) => Promise<void>;
  /** How much of each response body to keep. Default 2000 characters. */
  responseBodyLimit?: number;
}

export interface DeliverOptions {
  /** Extra identical copies after the first (same webhook id, like a retried delivery). */
  duplicates?: number;
  /** Wait before each copy is sent (models late delivery). */
  delayMs?: number;
  /** Send all copies at the same moment instead of one after another. */
  concurrent?: boolean;
  /** "same" (default): copies reuse the webhook id; "new": each copy gets its own, same event id. */
  duplicateWebhookId?: "same" | "new";
}

export type BatchOrder = "as-is" | "reverse" | "shuffle" | number[];

export interface DeliverBatchOptions {
  /** Default "as-is". "shuffle" uses `seed` for a reproducible order; a number[] is an explicit permutation. */
  order?: BatchOrder;
  seed?: number;
  /** Deliveries in flight at once. Default 1 (strictly sequential). */
  concurrency?: number;
  /** Wait before each delivery starts. */
  delayMs?: number;
}

const defaultSleep = (ms: number): Promise<void> =>
  ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));

/** Small deterministic PRNG (mulberry32) so shuffled batches can be replayed from a seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function orderBatch<T>(items: readonly T[], order: BatchOrder = "as-is", seed = 1): T[] {
  if (Array.isArray(order)) {
    const sorted = [...order].sort((a, b) => a - b);
    if (sorted.length !== items.length || sorted.some((v, i) => v !== i)) {
      throw new Error(`order must be a permutation of 0..${items.length - 1}`);
    }
    return order.map((i) => items[i]!);
  }
  if (order === "reverse") return [...items].reverse();
  if (order === "shuffle") {
    const random = seededRandom(seed);
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
  return [...items];
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as Error & { code?: string }).code;
      return code ? `${code}: ${cause.message}` : cause.message;
    }
    return error.message;
  }
  return String(error);
}

/**
 * Sends signed webhooks to the app over real HTTP and records every attempt. It never throws for
 * delivery failures: an unreachable app, a timeout or a 500 are outcomes a test inspects.
 */
export class WebhookDeliverer {
  /** Every attempt, in start order. */
  readonly attempts: DeliveryAttempt[] = [];
  private readonly retry: RetryPolicy | false;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly bodyLimit: number;
  private nextSeq = 1;
  private nextDeliveryId = 1;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(options: WebhookDelivererOptions = {}) {
    this.retry = options.retry ?? false;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.fetchImpl = options.fetch ?? fetch;
    this.sleep = options.sleep ?? defaultSleep;
    this.bodyLimit = options.responseBodyLimit ?? 2_000;
  }

  /** Delivers one webhook, plus `duplicates` copies. One result per copy, in copy order. */
  async deliver(url: string | URL, signed: SignedWebhook, options: DeliverOptions = {}): Promise<DeliveryResult[]> {
    const copies = 1 + Math.max(0, options.duplicates ?? 0);
    const delayMs = options.delayMs ?? 0;
    const variants = Array.from({ length: copies }, (_, copy) =>
      copy > 0 && options.duplicateWebhookId === "new" ? redeliverAsNewWebhook(signed) : signed,
    );
    if (options.concurrent) {
      await this.sleep(delayMs);
      return Promise.all(variants.map((variant, copy) => this.track(this.deliverWithRetries(String(url), variant, copy))));
    }
    const results: DeliveryResult[] = [];
    for (const [copy, variant] of variants.entries()) {
      await this.sleep(delayMs);
      results.push(await this.track(this.deliverWithRetries(String(url), variant, copy)));
    }
    return results;
  }

  /** Fires `copies` identical deliveries at the same moment (a race between duplicates). */
  deliverConcurrently(url: string | URL, signed: SignedWebhook, copies: number): Promise<DeliveryResult[]> {
    return this.deliver(url, signed, { duplicates: Math.max(0, copies - 1), concurrent: true });
  }

  /**
   * Delivers several webhooks, reordered as asked, with up to `concurrency` in flight.
   * Results are in delivery (not input) order.
   */
  async deliverBatch(url: string | URL, batch: readonly SignedWebhook[], options: DeliverBatchOptions = {}): Promise<DeliveryResult[]> {
    const ordered = orderBatch(batch, options.order, options.seed);
    const concurrency = Math.max(1, options.concurrency ?? 1);
    const results: DeliveryResult[] = new Array(ordered.length);
    let next = 0;
    const worker = async () => {
      while (next < ordered.length) {
        const index = next++;
        await this.sleep(options.delayMs ?? 0);
        results[index] = await this.track(this.deliverWithRetries(String(url), ordered[index]!, 0));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ordered.length) }, worker));
    return results;
  }

  /** Resolves when every delivery started so far has finished (including retries). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Statuses of all attempts in start order (null = no response). */
  statuses(): Array<number | null> {
    return this.attempts.map((a) => a.status);
  }

  attemptsFor(webhookId: string): DeliveryAttempt[] {
    return this.attempts.filter((a) => a.webhookId === webhookId);
  }

  clear(): void {
    this.attempts.length = 0;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
    return promise;
  }

  private async deliverWithRetries(url: string, signed: SignedWebhook, copy: number): Promise<DeliveryResult> {
    const deliveryId = this.nextDeliveryId++;
    const attempts: DeliveryAttempt[] = [];
    const maxAttempts = 1 + (this.retry ? this.retry.retries : 0);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1 && this.retry) await this.sleep(this.retry.delayMs(attempt - 1));
      const record = await this.attemptOnce(url, signed, deliveryId, copy, attempt);
      attempts.push(record);
      if (record.ok) break;
    }
    const last = attempts[attempts.length - 1]!;
    return { deliveryId, copy, webhookId: signed.webhookId, delivered: last.ok, finalStatus: last.status, attempts };
  }

  private async attemptOnce(
    url: string,
    signed: SignedWebhook,
    deliveryId: number,
    copy: number,
    attempt: number,
  ): Promise<DeliveryAttempt> {
    const record: DeliveryAttempt = {
      seq: this.nextSeq++,
      deliveryId,
      copy,
      attempt,
      url,
      topic: signed.topic,
      shop: signed.shop,
      webhookId: signed.webhookId,
      eventId: signed.eventId,
      startedAt: new Date(),
      finishedAt: null,
      durationMs: 0,
      status: null,
      ok: false,
      error: null,
      responseBody: null,
    };
    // Recorded before the request goes out so concurrent attempts appear in start order.
    this.attempts.push(record);
    const started = performance.now();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    try {
      const response = await this.fetchImpl(url, {
        method: "POST",
        headers: signed.headers,
        body: signed.body,
        redirect: "manual",
        signal: controller.signal,
      });
      record.status = response.status;
      record.ok = response.status >= 200 && response.status < 300;
      // Always drain the body so the connection is released.
      const text = await response.text();
      record.responseBody = text.slice(0, this.bodyLimit);
    } catch (error) {
      record.error = timedOut ? `timeout after ${this.timeoutMs} ms` : describeError(error);
      // A status that arrived before the body failed is kept for inspection, but like Shopify we
      // only count a complete response within the budget as delivered.
      record.ok = false;
    } finally {
      clearTimeout(timer);
      record.durationMs = performance.now() - started;
      record.finishedAt = new Date();
    }
    return record;
  }
}
