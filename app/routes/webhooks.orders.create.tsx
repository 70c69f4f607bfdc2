// orders/create — declared in shopify.app.toml. A completed order carrying a reward code marks the
// reward Used (app/services/orders). Guarded per delivery by X-Shopify-Webhook-Id and idempotent per
// (reward, order), so Shopify's retries, duplicates and reordering are harmless.
import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { claimDelivery, releaseDelivery } from "~/services/webhooks/deliveries.server";
import { webhookGetNotAllowed } from "~/services/webhooks/http.server";
import { receiveWebhook } from "~/services/webhooks/receive.server";
import { handleOrderCreated, orderContext } from "~/services/orders/order-created.server";

export const loader = webhookGetNotAllowed;

export async function action({ request }: ActionFunctionArgs) {
  const { shop, topic, webhookId, payload } = await receiveWebhook(request);
  if ((await claimDelivery(db, { shop, webhookId, topic })) === "duplicate") return new Response(null, { status: 200 });
  try {
    await handleOrderCreated(db, orderContext(shop, payload, new Date()));
  } catch (error) {
    // Let Shopify retry: forget the delivery so the retry is processed (effects are idempotent).
    await releaseDelivery(db, shop, webhookId);
    throw error;
  }
  return new Response(null, { status: 200 });
}
