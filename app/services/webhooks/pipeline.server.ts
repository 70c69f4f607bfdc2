// The webhook pipeline: ONE path for every topic (docs/decisions/014).
//   bounded read → HMAC (Shopify's library) → topic and shop checks → durable record keyed by
//   X-Shopify-Webhook-Id (concurrent deliveries share one INSERT: createDeliveryRecorder) → 200
//   (409 when that id is recorded for another topic or with another body).
//   Effects are applied afterwards by the worker from the inbox (inbox.server.ts, effects
//   registered per topic in effects.server.ts).
// Routes stay as thin as Shopify's template: `export const action = webhookAction(["orders/create"])`.
import type { ActionFunctionArgs } from "@remix-run/node";
import db, { directSql } from "~/db.server";
import { wakeWorkers } from "~/worker-wake.server";
import { deliveryRecorded, keepPace } from "~/inbox-pace.server";
import { logger } from "~/logger.server";
import type { WebhookTopic } from "./context";
import { createDeliveryRecorder, webhookBodyHash, type RecordOutcome } from "./inbox.server";
import { receiveWebhook, type VerifiedWebhook } from "./receive.server";

let record: ((delivery: VerifiedWebhook) => Promise<RecordOutcome>) | undefined;

/** Receives one delivery of one of `topics`; see the file comment. Thrown Responses are the 4xx answers. */
export async function handleWebhook(request: Request, topics: readonly WebhookTopic[]): Promise<Response> {
  let delivery;
  try {
    delivery = await receiveWebhook(request, topics);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
  record ??= createDeliveryRecorder(directSql(db));
  const outcome = await record(delivery);
  // This process's worker applies it now rather than at its next poll (app/worker-wake.server.ts).
  if (outcome === "recorded") {
    deliveryRecorded();
    wakeWorkers();
    // Durable now; the answer waits while this process's inbox is falling behind (app/inbox-pace.server.ts).
    await keepPace();
  } else {
    const conflict = await notARetry(delivery);
    if (conflict) return conflict;
    logger.debug({ shop: delivery.shop, topic: delivery.topic, webhookId: delivery.webhookId }, "duplicate webhook delivery");
  }
  return new Response(null, { status: 200 });
}

/**
 * Shopify's retries of a delivery keep its webhook id, its topic and its body
 * (https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates). The same id under another topic,
 * or with another body, is another delivery, which the record keyed by (shop, id) would silently
 * drop: refused with 409 (Shopify retries, and shows the failures), never answered "done". A record
 * from before bodies were hashed (no bodyHash) is compared by its topic only. The log line names
 * ids and topics only, never the body.
 */
async function notARetry(delivery: VerifiedWebhook): Promise<Response | null> {
  const stored = await db.webhookDelivery.findUnique({ where: { shop_webhookId: { shop: delivery.shop, webhookId: delivery.webhookId } }, select: { topic: true, bodyHash: true } });
  if (!stored) return null;
  const conflict = (why: string, log: Record<string, unknown>, message: string) => {
    logger.warn({ shop: delivery.shop, topic: delivery.topic, webhookId: delivery.webhookId, ...log }, message);
    return new Response(`Conflict: X-Shopify-Webhook-Id ${delivery.webhookId} is already recorded ${why}`, { status: 409, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  };
  if (stored.topic !== delivery.topic) return conflict(`for another topic (${stored.topic})`, { recordedTopic: stored.topic }, "webhook id already recorded for another topic; not recorded");
  if (stored.bodyHash !== null && stored.bodyHash !== webhookBodyHash(delivery.rawBody)) {
    return conflict("with a different body: Shopify's retries carry the same body, so this is not one", {}, "webhook id already recorded with a different body; not recorded");
  }
  return null;
}

/** A Remix action for a webhook route that accepts `topics`. */
export function webhookAction(topics: readonly WebhookTopic[]) {
  return ({ request }: ActionFunctionArgs) => handleWebhook(request, topics);
}
