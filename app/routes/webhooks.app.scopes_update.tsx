// app/scopes_update — declared in shopify.app.toml: keep the stored session's scopes current.
import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { authenticate } from "~/shopify.server";
import { webhookGetNotAllowed } from "~/services/webhooks/http.server";

export const loader = webhookGetNotAllowed;

export async function action({ request }: ActionFunctionArgs) {
  const { payload, session } = await authenticate.webhook(request);
  const current = (payload as { current?: unknown }).current;
  if (session && Array.isArray(current)) {
    await db.session.update({ where: { id: session.id }, data: { scope: current.map(String).join(",") } });
  }
  return new Response(null, { status: 200 });
}
