// One customer's VIP tier and tier changes, loaded by app/components/vip-customer-card.tsx on the
// customer profile.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import db from "~/db.server";
import { customerVip } from "~/services/vip/admin.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const customer = await db.customer.findFirst({ where: { id: params.id ?? "", shop: session.shop }, select: { id: true } });
  if (!customer) throw json({ message: "customer not found" }, { status: 404 });
  return json(await customerVip(db, session.shop, customer.id));
}
