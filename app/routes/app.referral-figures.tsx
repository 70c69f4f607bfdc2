// GET /app/referral-figures: the home dashboard's referral figures as JSON, loaded by
// app/components/referral-dashboard-card.tsx (so the home page's loader stays as it is).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import db from "~/db.server";
import { authenticate } from "~/shopify.server";
import { referralDashboardFigures } from "~/services/referrals/referrals.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return json(await referralDashboardFigures(db, session.shop));
}
