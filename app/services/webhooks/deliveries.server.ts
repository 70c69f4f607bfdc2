// Duplicate guard for webhook deliveries. Shopify delivers at least once and retries with the same
// X-Shopify-Webhook-Id, so that id (unique per shop) is the idempotency key of a delivery.
// Effects are additionally idempotent on their own keys (e.g. shop + order + code), so a delivery
// recorded here but whose effect failed half-way is still safe to process again.
import { isUniqueViolation, type Db } from "~/db.server";

export type DeliveryClaim = "new" | "duplicate";

/** Records a delivery; "duplicate" when this webhook id was already recorded for the shop. */
export async function claimDelivery(
  db: Pick<Db, "webhookDelivery">,
  delivery: { shop: string; webhookId: string; topic: string },
): Promise<DeliveryClaim> {
  try {
    await db.webhookDelivery.create({ data: delivery });
    return "new";
  } catch (error) {
    if (isUniqueViolation(error)) return "duplicate";
    throw error;
  }
}

/** Forgets a delivery so Shopify's retry is processed again (used when processing failed). */
export async function releaseDelivery(db: Pick<Db, "webhookDelivery">, shop: string, webhookId: string) {
  await db.webhookDelivery.deleteMany({ where: { shop, webhookId } });
}
