// app/uninstalled — declared in shopify.app.toml.
// The access token is dead at once: delete the shop's sessions and stop its pending work (the worker
// skips shops with uninstalledAt). Business data stays until shop/redact (48 h later). A late delivery
// of an uninstall that happened before the current token was stored changes nothing
// (app/services/lifecycle/lifecycle.server.ts).
import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { handleAppUninstalled, parseTriggeredAt } from "~/services/lifecycle/lifecycle.server";
import { webhookGetNotAllowed } from "~/services/webhooks/http.server";
import { receiveWebhook } from "~/services/webhooks/receive.server";

export const loader = webhookGetNotAllowed;

export async function action({ request }: ActionFunctionArgs) {
  const { shop, webhookId, triggeredAt } = await receiveWebhook(request);
  // Idempotent, so duplicate deliveries are harmless.
  await handleAppUninstalled(db, { shop, webhookId, triggeredAt: parseTriggeredAt(triggeredAt) }, { now: () => new Date(), logger });
  return new Response(null, { status: 200 });
}
