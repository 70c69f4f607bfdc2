// GET /apps/loyalty/program on the storefront → app proxy → here.
// Public program information: what a customer can redeem points for. The customer is known only
// from the signed `logged_in_customer_id` (never from anything the browser sends).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import db from "~/db.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await authenticate.public.appProxy(request);
  const url = new URL(request.url);
  const shop = url.searchParams.get("shop") ?? "";
  const loggedInCustomerId = url.searchParams.get("logged_in_customer_id") || null;
  const templates = await db.rewardTemplate.findMany({
    where: { shop, purpose: "POINTS_REDEMPTION", active: true },
    orderBy: [{ pointsCost: "asc" }, { id: "asc" }],
    select: { id: true, name: true, kind: true, value: true, pointsCost: true, minimumSubtotal: true, expiryDays: true },
  });
  return json(
    { shop, loggedIn: loggedInCustomerId !== null, redemptionOptions: templates },
    { headers: { "Cache-Control": "no-store" } },
  );
}
