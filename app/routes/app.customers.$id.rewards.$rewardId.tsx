// One reward of one customer, shown under the customer's Activity → Rewards table: its details,
// why it failed (in plain language) and its history; cancel and re-issue are posted here.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData, useLocation, useRouteError } from "@remix-run/react";
import db from "~/db.server";
import { readAdminForm } from "~/request-input.server";
import { authenticate } from "~/shopify.server";
import { getRewardDetail } from "~/services/admin/rewards.server";
import { handleRewardAction } from "~/services/admin/reward-actions.server";
import { adminRequestDeps, staffIdOf } from "~/services/admin/deps.server";
import { RewardDetailCard } from "~/components/reward-detail-card";
import { RouteError } from "~/components/route-error";
import { withSearch } from "~/components/url";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const reward = await getRewardDetail(db, session.shop, params.rewardId ?? "", { customerId: params.id ?? "" });
  if (!reward) throw json({ message: "reward not found" }, { status: 404 });
  return json({ reward });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const context = await authenticate.admin(request);
  const { session, admin } = context;
  const result = await handleRewardAction(
    await adminRequestDeps(admin.graphql),
    { shop: session.shop, customerId: params.id ?? "", rewardId: params.rewardId ?? "" },
    await readAdminForm(request),
    { staffId: staffIdOf(context) }
  );
  return json(result, { status: result.ok ? 200 : result.httpStatus });
}

export default function RewardDetailRoute() {
  const { reward } = useLoaderData<typeof loader>();
  const location = useLocation();
  const customerUrl = `/app/customers/${reward.customerId}`;
  return (
    <RewardDetailCard
      reward={reward}
      actionUrl={`${customerUrl}/rewards/${reward.id}`}
      closeUrl={withSearch(customerUrl, location.search)}
      rewardUrl={(id) => withSearch(`${customerUrl}/rewards/${id}`, location.search)}
    />
  );
}

export function ErrorBoundary() {
  return (
    <RouteError
      error={useRouteError()}
      notFound="This reward doesn't exist for this customer in your shop."
      backUrl="/app/customers"
      backLabel="Customers"
    />
  );
}
