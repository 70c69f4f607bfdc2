// Mandatory privacy webhooks — declared in shopify.app.toml (compliance_topics):
// customers/data_request, customers/redact, shop/redact. 401 on a bad HMAC (the library), as
// Shopify requires. See app/services/compliance/privacy.server.ts for what each one does.
import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { claimDelivery } from "~/services/webhooks/deliveries.server";
import { webhookGetNotAllowed } from "~/services/webhooks/http.server";
import { receiveWebhook } from "~/services/webhooks/receive.server";
import { handleCustomersDataRequest, handleCustomersRedact, handleShopRedact } from "~/services/compliance/privacy.server";

export const loader = webhookGetNotAllowed;

export async function action({ request }: ActionFunctionArgs) {
  const { shop, topic, webhookId, payload } = await receiveWebhook(request);
  if ((await claimDelivery(db, { shop, webhookId, topic })) === "duplicate") return new Response(null, { status: 200 });
  switch (topic) {
    case "CUSTOMERS_DATA_REQUEST":
      await handleCustomersDataRequest(db, { shop, webhookId, payload });
      break;
    case "CUSTOMERS_REDACT":
      await handleCustomersRedact(db, { shop, webhookId, payload });
      break;
    case "SHOP_REDACT":
      await handleShopRedact(db, { shop });
      break;
    default:
      return new Response(`Unexpected topic ${topic}`, { status: 400 });
  }
  return new Response(null, { status: 200 });
}
