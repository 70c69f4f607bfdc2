// GET https://{shop}/apps/loyalty/program → app proxy → here.
// Public program information: what points can be redeemed for. Answers logged-out visitors too;
// `loggedIn` comes only from the signed `logged_in_customer_id` (never from anything the browser sends).
import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { loadProgramInfo } from "~/services/storefront/program.server";
import { handleStorefrontRequest, proxyJson } from "~/services/storefront/proxy.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return handleStorefrontRequest(request, async ({ shop, customerGid }) => {
    const program = await loadProgramInfo(db, shop);
    return proxyJson({ shop, loggedIn: customerGid !== null, ...program });
  });
}
