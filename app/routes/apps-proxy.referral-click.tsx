// POST https://{shop}/apps/loyalty/referral-click → app proxy → here.   Body: {"code": "ABCD2345", "visitor": "<token>"}
// A visitor landed with ?ref=CODE: the click is recorded once per code and visitor token. Open to
// logged-out visitors (the signature still proves the request came through the shop's storefront);
// rate limited per visitor token, and per shop for unknown codes.
import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { referralClickAnswer } from "~/services/referrals/storefront.server";
import { handleStorefrontRequest, proxyJson } from "~/services/storefront/proxy.server";

export async function action({ request }: ActionFunctionArgs) {
  return handleStorefrontRequest(request, async ({ shop }) => {
    const answer = await referralClickAnswer(db, { shop, request, now: new Date() });
    if (answer.ok) return proxyJson(answer.body);
    const headers: Record<string, string> = answer.retryAfterSeconds ? { "Retry-After": String(answer.retryAfterSeconds) } : {};
    return proxyJson({ error: { code: answer.code, message: answer.message } }, { status: answer.status, headers });
  });
}
