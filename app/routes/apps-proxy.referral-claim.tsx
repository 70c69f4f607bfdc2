// POST https://{shop}/apps/loyalty/referral-claim → app proxy → here.   Body: {"code": "ABCD2345", "visitor": "<token>"}
// A signed-in friend with a remembered referral: the referral becomes theirs (once, ever), the
// fraud rules run and a clean one is SIGNED_UP with the friend's welcome reward queued. The friend
// is the signed `logged_in_customer_id`; a customer id in the body is never read.
import type { ActionFunctionArgs } from "@remix-run/node";
import { referralClaimAnswer } from "~/services/referrals/storefront.server";
import { defaultRewardDeps } from "~/services/rewards/deps.server";
import { handleStorefrontRequest, proxyJson } from "~/services/storefront/proxy.server";

export async function action({ request }: ActionFunctionArgs) {
  return handleStorefrontRequest(
    request,
    async ({ shop, customerGid, graphql }) => {
      const answer = await referralClaimAnswer(await defaultRewardDeps(), { shop, customerGid: customerGid!, graphql, request, now: new Date() });
      if (answer.ok) return proxyJson(answer.body);
      const headers: Record<string, string> = answer.retryAfterSeconds ? { "Retry-After": String(answer.retryAfterSeconds) } : {};
      return proxyJson({ error: { code: answer.code, message: answer.message } }, { status: answer.status, headers });
    },
    { requireCustomer: true },
  );
}
