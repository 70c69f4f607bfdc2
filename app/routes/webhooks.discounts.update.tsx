// discounts/update — declared in shopify.app.toml. A reward's discount deactivated in Shopify's
// admin turns the reward Canceled ("changed in Shopify"); see app/services/reconcile.
import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { claimDelivery } from "~/services/webhooks/deliveries.server";
import { webhookGetNotAllowed } from "~/services/webhooks/http.server";
import { receiveWebhook } from "~/services/webhooks/receive.server";
import { handleDiscountUpdated } from "~/services/reconcile/discounts.server";

export const loader = webhookGetNotAllowed;

export async function action({ request }: ActionFunctionArgs) {
  const { shop, topic, webhookId, payload } = await receiveWebhook(request);
  if ((await claimDelivery(db, { shop, webhookId, topic })) === "new") await handleDiscountUpdated(db, shop, payload, new Date());
  return new Response(null, { status: 200 });
}
