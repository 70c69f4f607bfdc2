// GET https://{shop}/apps/loyalty/customer → app proxy → here.
// The signed-in customer's points balance and their visible rewards (Issued and Used only).
// The customer is the signed `logged_in_customer_id`; a `customer_id` in the query is never read.
import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { loadCustomerView } from "~/services/storefront/customer-view.server";
import { defaultRewardDeps } from "~/services/rewards/deps.server";
import { refreshGiftCardBalances } from "~/services/rewards/gift-card-balances.server";
import { handleStorefrontRequest, proxyJson } from "~/services/storefront/proxy.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return handleStorefrontRequest(
    request,
    async ({ shop, customerGid }) => {
      // Gift cards show what is left on them: asked of Shopify at most once a minute, bounded in time.
      await refreshGiftCardBalances(await defaultRewardDeps(), shop, { customerGid: customerGid! });
      return proxyJson(await loadCustomerView(db, shop, customerGid!));
    },
    { requireCustomer: true },
  );
}
