// Customer profile: who the customer is (points, VIP tier, link to Shopify's admin) and their
// Activity — Rewards (the diagnosis table, with the selected reward's history below it), Points
// history and Referrals. Manual issue is posted here; cancel / re-issue go to the reward's route.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Outlet, useLoaderData, useLocation, useMatches, useNavigate, useParams, useRouteError, useSearchParams } from "@remix-run/react";
import { Badge, BlockStack, Box, Card, InlineGrid, InlineStack, Link, Page, Select, Tabs, Text } from "@shopify/polaris";
import db from "~/db.server";
import { readAdminForm } from "~/request-input.server";
import { authenticate } from "~/shopify.server";
import { parseScopes } from "~/services/lifecycle/scopes.server";
import { REWARD_STATUSES } from "~/domain/rewards";
import { REWARD_STATUS_LABELS } from "~/copy/admin";
import { getCustomerProfile, listIssuableTemplates, listPointsTransactions } from "~/services/admin/customers.server";
import { InvalidCursorError } from "~/services/admin/keyset.server";
import { listRewards, parseStatusFilter } from "~/services/admin/rewards.server";
import { issueManualReward } from "~/services/admin/reward-actions.server";
import { adminRequestDeps, staffIdOf } from "~/services/admin/deps.server";
import { adjustPoints } from "~/services/points/adjust.server";
import { refreshGiftCardBalances } from "~/services/rewards/gift-card-balances.server";
import { CsvExportButton } from "~/components/csv-export-button";
import { CustomerReferralsTable } from "~/components/customer-referrals-table";
import { formatDate, formatDateTime, formatNumber } from "~/components/format";
import { IssueRewardButton } from "~/components/issue-reward-modal";
import { AdjustPointsButton } from "~/components/adjust-points-modal";
import { PointsHistoryTable } from "~/components/points-history-table";
import { RewardsTable } from "~/components/rewards-table";
import { RewardStatusHelp } from "~/components/reward-status-help";
import { RouteError } from "~/components/route-error";
import { pageLinks, pageNumberOf, withSearch } from "~/components/url";
import { useRevalidateWhile } from "~/components/use-revalidate-while";
import { VipCustomerCard } from "~/components/vip-customer-card";
import { customerVip } from "~/services/vip/admin.server";

const TABS = ["rewards", "points", "referrals"] as const;
type Tab = (typeof TABS)[number];
const PAGE_SIZE = 10;

function tabOf(value: string | null): Tab {
  return (TABS as readonly string[]).includes(value ?? "") ? (value as Tab) : "rewards";
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.customer.name ?? "Customer"} · Loyalty rewards` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session, admin } = await authenticate.admin(request);
  const shop = session.shop;
  const customer = await getCustomerProfile(db, shop, params.id ?? "");
  if (!customer) throw json({ message: "customer not found" }, { status: 404 });

  const url = new URL(request.url);
  const tab = tabOf(url.searchParams.get("tab"));
  const status = parseStatusFilter(url.searchParams.get("status"));
  if (status === "invalid") throw json({ message: "Unknown status filter." }, { status: 400 });
  const cursor = { after: url.searchParams.get("after"), before: url.searchParams.get("before"), pageSize: PAGE_SIZE };
  // Gift cards show what is left on them (asked of Shopify at most once a minute, bounded in time).
  if (tab === "rewards") await refreshGiftCardBalances(await adminRequestDeps(admin.graphql), shop, { customerId: customer.id });
  try {
    const [rewards, points, templates, vip] = await Promise.all([
      tab === "rewards" ? listRewards(db, { shop, customerId: customer.id, status, ...cursor }) : null,
      tab === "points" ? listPointsTransactions(db, { shop, customerId: customer.id, ...cursor }) : null,
      listIssuableTemplates(db, shop, parseScopes(session.scope)),
      customerVip(db, shop, customer.id),
    ]);
    return json({ customer, tab, status, rewards, points, templates, vip });
  } catch (error) {
    if (error instanceof InvalidCursorError) throw json({ message: error.message }, { status: 400 });
    throw error;
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const context = await authenticate.admin(request);
  const { session, admin } = context;
  const customer = await getCustomerProfile(db, session.shop, params.id ?? "");
  const form = await readAdminForm(request);
  const intent = form.get("intent") === "adjust-points" ? "adjust-points" : "issue";
  if (!customer)
    return json({ ok: false as const, intent, message: "This customer isn't in your shop's loyalty program." }, { status: 404 });
  if (intent === "adjust-points") {
    // Audited: the staff member is the session token's user (`sub`).
    const result = await adjustPoints(db, {
      shop: session.shop,
      customerId: customer.id,
      actorId: staffIdOf(context),
      now: new Date(),
      form: Object.fromEntries(form),
    });
    if (result.ok) return json({ ok: true as const, intent, message: result.message, pointsBalance: result.pointsBalance });
    return json(
      { ok: false as const, intent, message: result.error.message, fields: result.error.fields },
      { status: result.error.code === "not_found" ? 404 : 400 },
    );
  }
  const result = await issueManualReward(await adminRequestDeps(admin.graphql), { shop: session.shop, customerId: customer.id }, form);
  return json(result, { status: result.ok ? 200 : result.httpStatus });
}

export default function CustomerProfile() {
  const { customer, tab, status, rewards, points, templates, vip } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const { rewardId } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const base = `/app/customers/${customer.id}`;
  const pageNumber = pageNumberOf(params);
  // The table's state (tab, filter, page) travels with the URL, also to and from a selected reward.
  const tableSearch = new URLSearchParams(location.search);
  // The selected reward's detail card (child route) counts too: while anything shown is Pending,
  // both loaders are re-run together until it settles.
  const matches = useMatches();
  const detailStatus = (matches[matches.length - 1]?.data as { reward?: { status?: string } } | undefined)?.reward?.status;
  // And while tiers are being re-checked (the VIP card shows the result once it is done).
  useRevalidateWhile(Boolean(rewards?.items.some((r) => r.status === "PENDING")) || detailStatus === "PENDING" || vip.placement?.state === "rechecking");

  const tabs = TABS.map((t) => ({
    id: `activity-${t}`,
    content: t === "rewards" ? "Rewards" : t === "points" ? "Points history" : "Referrals",
    url: withSearch(base, "", { tab: t === "rewards" ? null : t }),
    panelID: `activity-${t}-panel`,
  }));

  const statusOptions = [
    { label: "All statuses", value: "" },
    ...REWARD_STATUSES.map((s) => ({ label: REWARD_STATUS_LABELS[s], value: s })),
  ];
  const csvUrl = withSearch("/app/rewards.csv", "", { customerId: customer.id, status });

  return (
    <Page
      backAction={{ content: "Customers", url: "/app/customers" }}
      title={customer.name}
      subtitle={customer.email ?? undefined}
      primaryAction={
        <InlineStack gap="200">
          <AdjustPointsButton customerName={customer.name} actionUrl={base} />
          <IssueRewardButton customerName={customer.name} templates={templates} actionUrl={base} />
        </InlineStack>
      }
    >
      <BlockStack gap="400">
        <Card>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
            <BlockStack gap="100">
              <Text as="h2" variant="headingSm">
                Points balance
              </Text>
              <Text as="p" variant="headingLg" numeric>
                {formatNumber(customer.pointsBalance)}
              </Text>
              {customer.pendingPoints !== 0 ? (
                <Text as="p" variant="bodySm" tone="subdued">
                  {`+ ${formatNumber(customer.pendingPoints)} pending (not spendable yet)`}
                </Text>
              ) : null}
              {customer.pointsShortfall > 0 ? (
                <Badge tone="critical">{`${formatNumber(customer.pointsShortfall)} points taken back were already spent`}</Badge>
              ) : null}
            </BlockStack>
            <BlockStack gap="100">
              <Text as="h2" variant="headingSm">
                VIP tier
              </Text>
              <div>
                {customer.vipTier ? (
                  <Badge tone="magic">{customer.vipTier}</Badge>
                ) : (
                  <Text as="span" tone="subdued">
                    No tier
                  </Text>
                )}
              </div>
            </BlockStack>
            <BlockStack gap="100">
              <Text as="h2" variant="headingSm">
                In the program since
              </Text>
              <Text as="p">{formatDate(customer.memberSince)}</Text>
              <Text as="p" variant="bodySm" tone="subdued">
                Last activity {formatDateTime(customer.lastActivityAt)}
              </Text>
            </BlockStack>
            <BlockStack gap="100">
              <Text as="h2" variant="headingSm">
                Shopify
              </Text>
              {customer.shopifyAdminUrl ? (
                <Link url={customer.shopifyAdminUrl} target="_blank">
                  View customer in Shopify admin
                </Link>
              ) : (
                <Text as="p" tone="subdued">
                  No Shopify customer record
                </Text>
              )}
            </BlockStack>
          </InlineGrid>
        </Card>
        <VipCustomerCard vip={vip} />

        <Card padding="0">
          <Box paddingBlockStart="300" paddingInline="300">
            <Text as="h2" variant="headingMd">
              Activity
            </Text>
          </Box>
          <Tabs tabs={tabs} selected={TABS.indexOf(tab)}>
            {tab === "rewards" && rewards ? (
              <BlockStack gap="0">
                <Box padding="300">
                  <BlockStack gap="300">
                    <InlineStack gap="300" align="space-between" blockAlign="end">
                      <Box minWidth="14rem">
                        <Select
                          label="Status"
                          options={statusOptions}
                          value={status ?? ""}
                          onChange={(value) =>
                            navigate(withSearch(base, tableSearch, { status: value || null, after: null, before: null, page: null }))
                          }
                        />
                      </Box>
                      <CsvExportButton
                        url={csvUrl}
                        label={status ? `Export ${REWARD_STATUS_LABELS[status]} rewards (CSV)` : "Export rewards (CSV)"}
                      />
                    </InlineStack>
                    <RewardStatusHelp />
                  </BlockStack>
                </Box>
                <RewardsTable
                  rows={rewards.items}
                  selectedId={rewardId ?? null}
                  rewardUrl={(row) => withSearch(`${base}/rewards/${row.id}`, tableSearch)}
                  pagination={{
                    ...pageLinks(rewardId ? `${base}/rewards/${rewardId}` : base, tableSearch, rewards, pageNumber),
                    label: `Page ${pageNumber}`,
                  }}
                  empty={
                    status
                      ? {
                          heading: `No ${REWARD_STATUS_LABELS[status]} rewards`,
                          body: "This customer has no rewards with this status. Choose “All statuses” to see every reward.",
                        }
                      : {
                          heading: "No rewards yet",
                          body: "Rewards this customer redeems with points, gets for referrals or VIP tiers, or that you issue by hand will be listed here with their status.",
                        }
                  }
                />
              </BlockStack>
            ) : null}
            {tab === "points" && points ? (
              <Box padding="300">
                <PointsHistoryTable
                  rows={points.items}
                  pagination={{ ...pageLinks(base, tableSearch, points, pageNumber), label: `Page ${pageNumber}` }}
                />
              </Box>
            ) : null}
            {tab === "referrals" ? (
              <Box padding="300">
                <CustomerReferralsTable customerId={customer.id} />
              </Box>
            ) : null}
          </Tabs>
        </Card>

        <Outlet />
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  return (
    <RouteError
      error={useRouteError()}
      notFound="This customer isn't in your shop's loyalty program."
      backUrl="/app/customers"
      backLabel="Customers"
    />
  );
}
