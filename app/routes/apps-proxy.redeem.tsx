// POST https://{shop}/apps/loyalty/redeem → app proxy → here.   Body: {"templateId","idempotencyKey"}
// Synchronous redemption for the signed-in customer: success answers with the new code and the
// new balance at once; failure answers `{error: {code, message}}` and nothing was spent.
// The customer is the signed `logged_in_customer_id`; a customer id in the body or query is ignored.
import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { handleStorefrontRequest, proxyError, proxyJson } from "~/services/storefront/proxy.server";
import { parseRedeemBody, redeemForStorefront } from "~/services/storefront/redeem.server";

export async function action({ request }: ActionFunctionArgs) {
  return handleStorefrontRequest(
    request,
    async ({ shop, customerGid, graphql }) => {
      const parsed = await parseRedeemBody(request);
      if (!parsed.ok) return proxyError(parsed.error.status, parsed.error.code, parsed.error.message);
      const outcome = await redeemForStorefront(db, { shop, customerGid: customerGid!, graphql, ...parsed.body });
      if (!outcome.ok) return proxyError(outcome.error.status, outcome.error.code, outcome.error.message);
      return proxyJson({ reward: outcome.reward, pointsBalance: outcome.pointsBalance, replayed: outcome.replayed });
    },
    { requireCustomer: true },
  );
}
