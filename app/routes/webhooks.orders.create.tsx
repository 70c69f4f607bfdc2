// orders/create — declared in shopify.app.toml.
// Foundation: authenticates (401 bad HMAC, 400 missing headers, 405 non-POST, all by the library)
// and records the delivery. Marking rewards Used is owned by the webhooks issue (#5).
import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { authenticate } from "~/shopify.server";
import { claimDelivery } from "~/services/webhooks/deliveries.server";
import { webhookGetNotAllowed } from "~/services/webhooks/http.server";

export const loader = webhookGetNotAllowed;

export async function action({ request }: ActionFunctionArgs) {
  const { shop, topic, webhookId } = await authenticate.webhook(request);
  await claimDelivery(db, { shop, webhookId, topic });
  return new Response(null, { status: 200 });
}
