// The home page's VIP figures (members per tier, entry rewards by status), loaded by
// app/components/vip-dashboard-card.tsx so the home page's own loader stays as it is.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import db from "~/db.server";
import { vipDashboardFigures } from "~/services/vip/admin.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return json(await vipDashboardFigures(db, session.shop));
}
