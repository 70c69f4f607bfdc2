// GET /app/privacy/requests/:id.json — one data request's customer data as a JSON download for the
// merchant to hand over; the first download records `providedAt` (app/services/compliance/privacy.server.ts).
import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { authenticate } from "~/shopify.server";
import { provideDataRequest } from "~/services/compliance/privacy.server";

const TEXT = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const id = params.id ?? "";
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return new Response("Not a data request id.", { status: 400, headers: TEXT });
  const download = await provideDataRequest(db, { shop: session.shop, id, now: new Date() });
  if (!download.ok) return new Response(download.error.message, { status: download.error.status, headers: TEXT });
  return new Response(download.json, {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="${download.fileName}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
