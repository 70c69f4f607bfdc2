// What the webhook pipeline hands every effect: one verified, recorded delivery.
// Plain types (no Remix, Prisma or Shopify imports) so effects and tests can share them.

/** Shopify's topics, in the slash form Shopify sends in `X-Shopify-Topic`. */
export type WebhookTopic =
  | "orders/create"
  | "orders/cancelled"
  | "refunds/create"
  | "customers/create"
  | "customers/update"
  | "discounts/update"
  | "discounts/delete"
  | "app/uninstalled"
  | "app/scopes_update"
  | "shop/update"
  | "customers/data_request"
  | "customers/redact"
  | "shop/redact";

export interface WebhookDeliveryContext {
  /** A validated `*.myshopify.com` domain (the library's `sanitizeShop`). */
  shop: string;
  topic: WebhookTopic;
  /** X-Shopify-Webhook-Id: the same on Shopify's retries of one delivery. */
  webhookId: string;
  /** X-Shopify-Triggered-At: when Shopify triggered the event; null when absent or unreadable. */
  triggeredAt: Date | null;
  /** X-Shopify-API-Version of the subscription. */
  apiVersion: string;
  /** The body, already parsed JSON (any JSON value: effects validate every field they act on). */
  payload: unknown;
  /** The body exactly as received, for readers that need what JSON.parse loses (ids beyond 2^53). */
  rawPayload?: string;
  /** When the app recorded the delivery. */
  receivedAt: Date;
  /** Which attempt at applying this delivery this is (1 = the first). */
  attempt: number;
}

/**
 * Thrown by an effect that cannot be applied YET because something it needs has not arrived (a
 * refund before its order, a shop/redact before the shop's uninstall): not a failure. The inbox
 * retries it on its usual schedule and logs the wait at info, without a stack; on the last attempt
 * it is what the effect makes of it (the effect decides, or the delivery is dead-lettered as any
 * failure would be). One class for every such wait, so the log's warnings stay for real failures.
 */
export class DeliveryWaits extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeliveryWaits";
  }
}
