// app/uninstalled — declared in shopify.app.toml.
// The access token is dead at once: delete the shop's sessions and stop its pending work (the worker
// skips shops with uninstalledAt). Business data stays until shop/redact (48 h later).
import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { authenticate } from "~/shopify.server";
import { webhookGetNotAllowed } from "~/services/webhooks/http.server";

export const loader = webhookGetNotAllowed;

export async function action({ request }: ActionFunctionArgs) {
  const { shop } = await authenticate.webhook(request);
  // Both statements are idempotent, so duplicate deliveries are harmless.
  await db.session.deleteMany({ where: { shop } });
  await db.shop.updateMany({ where: { domain: shop, uninstalledAt: null }, data: { uninstalledAt: new Date() } });
  return new Response(null, { status: 200 });
}
