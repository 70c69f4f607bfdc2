// GET https://{shop}/apps/loyalty/referral-link → app proxy → here.
// The signed-in member's referral code and link (created on first request). Members only: the
// customer is the signed `logged_in_customer_id`.
import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { referralLinkAnswer } from "~/services/referrals/storefront.server";
import { handleStorefrontRequest, proxyJson } from "~/services/storefront/proxy.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return handleStorefrontRequest(
    request,
    async ({ shop, customerGid }) => {
      const answer = await referralLinkAnswer(db, { shop, customerGid: customerGid!, now: new Date() });
      return answer.ok ? proxyJson(answer.body) : proxyJson({ error: { code: answer.code, message: answer.message } }, { status: answer.status });
    },
    { requireCustomer: true },
  );
}
