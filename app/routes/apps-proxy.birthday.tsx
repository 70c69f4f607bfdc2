// POST https://{shop}/apps/loyalty/birthday → app proxy → here.   Body: {"birthday": "MM-DD"}
// The signed-in customer's birthday, for the yearly birthday bonus (month and day only).
// The customer is the signed `logged_in_customer_id`; a customer id in the body or query is ignored.
import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { setBirthday } from "~/services/storefront/birthday.server";
import { handleStorefrontRequest, proxyError, proxyJson } from "~/services/storefront/proxy.server";

export async function action({ request }: ActionFunctionArgs) {
  return handleStorefrontRequest(
    request,
    async ({ shop, customerGid }) => {
      const outcome = await setBirthday(db, { shop, customerGid: customerGid!, request, now: new Date() });
      if (!outcome.ok) return proxyError(outcome.status, outcome.code, outcome.message);
      return proxyJson({ birthday: outcome.birthday, message: outcome.message });
    },
    { requireCustomer: true },
  );
}
