// Home: how the shop's rewards stand — counts per status, what failed recently and why, the
// background work still to do and how old it is, and issued vs used per day.
import { AmountCurrencyBanner } from "~/components/amount-currency-banner";
import { amountReview } from "~/services/lifecycle/amount-currency.server";
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, InlineGrid, InlineStack, Layout, Link, Page, Text } from "@shopify/polaris";
import db from "~/db.server";
import { authenticate } from "~/shopify.server";
import { type RewardStatus } from "~/domain/rewards";
import { FAILED_RECENTLY, REWARD_STATUS_LABELS } from "~/copy/admin";
import { getHomeStats } from "~/services/admin/dashboard.server";
import { countPendingDataRequests } from "~/services/compliance/privacy.server";
import { countDeadLetters } from "~/services/webhooks/dead-letters.server";
import { BarChart } from "~/components/bar-chart";
import { CsvExportButton } from "~/components/csv-export-button";
import { formatDateTime, formatDay, formatDuration, formatNumber } from "~/components/format";
import { RewardStatusBadge } from "~/components/reward-status-badge";
import { ReferralDashboardCard } from "~/components/referral-dashboard-card";
import { RewardStatusList } from "~/components/reward-status-help";
import { useActionToast, type ActionAnswer } from "~/components/use-action-toast";
import type { RecentFailure } from "~/services/admin/dashboard.server";
import { VipDashboardCard } from "~/components/vip-dashboard-card";
import { vipDashboardFigures } from "~/services/vip/admin.server";

/** The order a merchant scans them in: what customers have, then what needs a look. */
const STATUS_ORDER: RewardStatus[] = ["ISSUED", "USED", "PENDING", "FAILED", "CANCELED"];
const ISSUED_COLOR = "#29845a";
const USED_COLOR = "#005bd3";

export const meta: MetaFunction = () => [{ title: "Loyalty rewards" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const [stats, pendingDataRequests, deadWebhooks, vip, amounts] = await Promise.all([
    getHomeStats(db, session.shop, new Date()),
    countPendingDataRequests(db, session.shop),
    countDeadLetters(db, session.shop),
    vipDashboardFigures(db, session.shop),
    amountReview(db, session.shop),
  ]);
  return json({ shop: session.shop, ...stats, pendingDataRequests, deadWebhooks, vip, amountReview: amounts });
}

export default function Home() {
  const { shop, counts, customers, recentFailures, pending, daily, pendingDataRequests, deadWebhooks, vip, amountReview } = useLoaderData<typeof loader>();
  const days = daily.length;
  const issuedTotal = daily.reduce((n, d) => n + d.issued, 0);
  const usedTotal = daily.reduce((n, d) => n + d.used, 0);

  return (
    <Page title="Loyalty rewards" primaryAction={<Button url="/app/customers">Find a customer</Button>}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <AmountCurrencyBanner review={amountReview} />
            {pendingDataRequests > 0 ? (
              <Banner tone="info" title="Customer data requests are waiting">
                <p>
                  {pendingDataRequests === 1 ? "A customer asked" : `${pendingDataRequests} customers asked`} for their data.{" "}
                  <Link url="/app/privacy">Download it in Privacy requests</Link> and send it to them.
                </p>
              </Banner>
            ) : null}
            {deadWebhooks > 0 ? (
              <Banner tone="warning" title="Some webhook deliveries could not be applied">
                <p>
                  {deadWebhooks === 1 ? "One delivery from Shopify" : `${formatNumber(deadWebhooks)} deliveries from Shopify`} failed after several
                  attempts. <Link url="/app/webhooks">Review them in Webhook deliveries</Link> and retry once the cause is fixed.
                </p>
              </Banner>
            ) : null}
            <Text as="p" tone="subdued">
              {shop} · {formatNumber(customers)} customers in the program
            </Text>
            <InlineGrid columns={{ xs: 2, md: 5 }} gap="400">
              {STATUS_ORDER.map((status) => (
                <Card key={status}>
                  <BlockStack gap="200">
                    <Text as="h2" variant="headingSm">
                      <RewardStatusBadge status={status} />
                      <Text as="span" visuallyHidden>
                        {" "}
                        rewards
                      </Text>
                    </Text>
                    <Text as="p" variant="heading2xl" data-testid={`count-${status}`}>
                      {formatNumber(counts[status])}
                    </Text>
                    <Link url={`/app/rewards?status=${status}`} removeUnderline>
                      View
                      <Text as="span" visuallyHidden>
                        {` ${REWARD_STATUS_LABELS[status]} rewards`}
                      </Text>
                    </Link>
                  </BlockStack>
                </Card>
              ))}
            </InlineGrid>
            <VipDashboardCard figures={vip} />
            <ReferralDashboardCard />
          </BlockStack>
        </Layout.Section>

        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  Failed recently
                </Text>
                <InlineStack gap="200" blockAlign="center">
                  <Text as="span" tone="subdued">
                    {formatNumber(counts.FAILED)} failed in total
                  </Text>
                  {counts.FAILED > 0 ? <Link url="/app/rewards?status=FAILED">{FAILED_RECENTLY.viewAll}</Link> : null}
                </InlineStack>
              </InlineStack>
              {recentFailures.length === 0 ? (
                <Text as="p" tone="subdued">
                  No reward has failed. Every reward the program promised was created in Shopify or is still being created.
                </Text>
              ) : (
                <ul aria-label="Recently failed rewards" style={{ listStyle: "none", margin: 0, padding: 0 }}>
                  {recentFailures.map((f) => (
                    <li key={f.id}>
                      <Box paddingBlock="200" borderBlockEndWidth="025" borderColor="border-secondary">
                        <BlockStack gap="100">
                          <InlineStack gap="200" blockAlign="center">
                            <Link url={`/app/customers/${f.customerId}/rewards/${f.id}`}>
                              {f.title} for {f.customerName}
                            </Link>
                            <Text as="span" variant="bodySm" tone="subdued">
                              {formatDateTime(f.failedAt)}
                            </Text>
                          </InlineStack>
                          <Text as="p">{f.summary}</Text>
                          <Text as="p" tone="subdued">
                            What you can do: {f.action}
                          </Text>
                          <FailureActions failure={f} />
                        </BlockStack>
                      </Box>
                    </li>
                  ))}
                </ul>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>

        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Being created
              </Text>
              <dl style={{ margin: 0, display: "grid", gridTemplateColumns: "1fr max-content", gap: "var(--p-space-200)" }}>
                <dt>Pending rewards</dt>
                <dd style={{ margin: 0 }} data-testid="pending-total">
                  {formatNumber(pending.total)}
                </dd>
                <dt>Due now</dt>
                <dd style={{ margin: 0 }} data-testid="pending-due">
                  {formatNumber(pending.due)}
                </dd>
                <dt>Oldest waiting for</dt>
                <dd style={{ margin: 0 }} data-testid="pending-oldest">
                  {pending.oldest ? formatDuration(pending.oldest.ageMs) : "—"}
                </dd>
              </dl>
              {pending.oldest && pending.oldest.ageMs > 3_600_000 ? (
                <Banner tone="warning">
                  <p>
                    A reward has been pending for {formatDuration(pending.oldest.ageMs)}. Shopify may be refusing or throttling the app;{" "}
                    <Link url={`/app/customers/${pending.oldest.customerId}/rewards/${pending.oldest.id}`}>see its history</Link>.
                  </p>
                </Banner>
              ) : (
                <Text as="p" tone="subdued">
                  Pending rewards are created in Shopify in the background and retried automatically; customers see them once they are
                  Issued.
                </Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>

        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Issued and used, last {days} days
              </Text>
              <BarChart
                title={`Rewards issued and used per day, last ${days} days`}
                summary={`${issuedTotal} rewards issued and ${usedTotal} used on completed orders in the last ${days} days.`}
                categories={daily.map((d) => formatDay(d.day))}
                series={[
                  { name: "Issued", color: ISSUED_COLOR, values: daily.map((d) => d.issued) },
                  { name: "Used", color: USED_COLOR, values: daily.map((d) => d.used) },
                ]}
                labelEvery={2}
              />
            </BlockStack>
          </Card>
        </Layout.Section>

        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Export
              </Text>
              <Text as="p" tone="subdued">
                All of the shop's rewards as a spreadsheet, newest first.
              </Text>
              <CsvExportButton url="/app/rewards.csv" label="Export all rewards (CSV)" />
              {(["FAILED", "PENDING"] as const).map((s) =>
                counts[s] > 0 ? (
                  <CsvExportButton key={s} url={`/app/rewards.csv?status=${s}`} label={`Export ${REWARD_STATUS_LABELS[s]} rewards`} />
                ) : null
              )}
            </BlockStack>
          </Card>
        </Layout.Section>

        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                What the statuses mean
              </Text>
              <RewardStatusList />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/** Deal with a failure from the home page: issue it again (a new Pending reward) or mark it resolved. */
function FailureActions({ failure }: { failure: RecentFailure }) {
  const fetcher = useFetcher<ActionAnswer & { intent?: string }>();
  useActionToast(fetcher.state, fetcher.data);
  const busy = fetcher.state !== "idle";
  const submit = (intent: "resolve" | "reissue") => fetcher.submit({ intent, rewardId: failure.id }, { method: "post", action: "/app/rewards" });
  return (
    <BlockStack gap="100">
      <InlineStack gap="200">
        <Button
          size="slim"
          onClick={() => submit("reissue")}
          loading={busy && fetcher.formData?.get("intent") === "reissue"}
          disabled={busy}
          accessibilityLabel={`${FAILED_RECENTLY.reissue}: ${failure.title} for ${failure.customerName}`}
        >
          {FAILED_RECENTLY.reissue}
        </Button>
        <Button
          size="slim"
          variant="tertiary"
          onClick={() => submit("resolve")}
          loading={busy && fetcher.formData?.get("intent") === "resolve"}
          disabled={busy}
          accessibilityLabel={`${FAILED_RECENTLY.resolve}: ${failure.title} for ${failure.customerName}`}
        >
          {FAILED_RECENTLY.resolve}
        </Button>
      </InlineStack>
      {fetcher.data && !fetcher.data.ok && fetcher.state === "idle" ? (
        <Text as="p" tone="critical">
          {fetcher.data.message}
        </Text>
      ) : null}
    </BlockStack>
  );
}
