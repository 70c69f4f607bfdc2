// GET /app/rewards.csv?status=…&customerId=…&kind=…&source=…&from=…&to=…&query=… — the shop's (or one customer's) rewards as a CSV
// download, newest first, with the same status filter as the table.
import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { authenticate } from "~/shopify.server";
import { parseRewardFilters } from "~/services/admin/rewards.server";
import { rewardsCsvFilename, rewardsCsvStream } from "~/services/admin/csv.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  // The same filters as the Rewards page (status, type, source, dates, search).
  const parsed = parseRewardFilters(url.searchParams);
  if (!parsed.ok) return new Response(parsed.message, { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
  const status = parsed.query.status ?? null;

  const customerId = url.searchParams.get("customerId") || null;
  let customerName: string | null = null;
  if (customerId) {
    const customer = await db.customer.findFirst({ where: { id: customerId, shop: session.shop }, select: { displayName: true } });
    if (!customer) return new Response("Customer not found.", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
    customerName = customer.displayName || "customer";
  }

  const query = { ...parsed.query, shop: session.shop, customerId, status };
  return new Response(rewardsCsvStream(db, query), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${rewardsCsvFilename({ ...query, customerName })}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
