// POST /app/scopes: after the merchant granted an optional scope (App Bridge scopes API), the admin
// asks Shopify which scopes the app now has and stores them at once, instead of waiting for the
// worker to apply app/scopes_update (app/services/lifecycle/scopes.server.ts). Remix revalidates the
// page's loaders after this action, so "Grant access" banners go away as soon as access is granted.
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { adminRequestDeps } from "~/services/admin/deps.server";
import { refreshShopFacts } from "~/services/lifecycle/scopes.server";

export async function action({ request }: ActionFunctionArgs) {
  const { admin, session } = await authenticate.admin(request);
  const result = await refreshShopFacts(await adminRequestDeps(admin.graphql), session.shop);
  if (!result.ok) return json({ ok: false, message: result.error.message }, { status: 502 });
  return json({ ok: true, granted: result.granted });
}
