// Ways to redeem: the shop's redemption options (what customers can spend points on), each with
// its reward, conditions and status; enable/disable in place, create and edit on their own page
// (app.ways-to-redeem.$id.tsx). Use-cases: app/services/admin/ways-to-redeem.server.ts.
import { AmountCurrencyBanner } from "~/components/amount-currency-banner";
import { amountReview, shopCurrencyOf } from "~/services/lifecycle/amount-currency.server";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useRouteError } from "@remix-run/react";
import { Badge, Box, Button, Card, IndexTable, Link, Page, Text } from "@shopify/polaris";
import db from "~/db.server";
import { readAdminForm } from "~/request-input.server";
import { authenticate } from "~/shopify.server";
import { listRedemptionOptions, setRedemptionOptionEnabled, type RedemptionOptionRow } from "~/services/admin/ways-to-redeem.server";
import { describeRedemptionOption, optionStatusLabel, REWARD_KIND_LABELS } from "~/copy/admin";
import { EmptyStateMessage } from "~/components/empty-state-message";
import { formatNumber } from "~/components/format";
import { RouteError } from "~/components/route-error";
import { useActionToast } from "~/components/use-action-toast";

export const meta: MetaFunction = () => [{ title: "Ways to redeem · Loyalty rewards" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const [options, currency, amounts] = await Promise.all([
    listRedemptionOptions(db, session.shop),
    shopCurrencyOf(db, session.shop),
    amountReview(db, session.shop),
  ]);
  return json({ options, currency, amountReview: amounts });
}

/** POST intent=enable|disable, id — answers { ok, message } (the toast) or 404. */
export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const form = await readAdminForm(request);
  const intent = form.get("intent");
  const id = form.get("id");
  if ((intent !== "enable" && intent !== "disable") || typeof id !== "string" || !id) {
    return json({ ok: false as const, message: "Unknown action." }, { status: 400 });
  }
  const result = await setRedemptionOptionEnabled(db, { shop: session.shop, id }, intent === "enable");
  if (!result.ok) return json({ ok: false as const, message: result.error.message }, { status: 404 });
  return json({ ok: true as const, message: result.message });
}

function ToggleButton({ option }: { option: RedemptionOptionRow }) {
  const fetcher = useFetcher<typeof action>();
  useActionToast(fetcher.state, fetcher.data);
  const busy = fetcher.state !== "idle";
  const enable = !option.active;
  return (
    <Button
      size="slim"
      loading={busy}
      accessibilityLabel={`${enable ? "Enable" : "Disable"} ${option.name}`}
      onClick={() => fetcher.submit({ intent: enable ? "enable" : "disable", id: option.id }, { method: "post" })}
    >
      {enable ? "Enable" : "Disable"}
    </Button>
  );
}

export default function WaysToRedeem() {
  const { options, currency, amountReview } = useLoaderData<typeof loader>();
  return (
    <Page
      title="Ways to redeem"
      subtitle="What customers can spend their points on. Only enabled options are shown on your storefront."
      backAction={{ content: "Home", url: "/app" }}
      primaryAction={{ content: "Add way to redeem", url: "/app/ways-to-redeem/new" }}
    >
      {amountReview ? (
        <Box paddingBlockEnd="400">
          <AmountCurrencyBanner review={amountReview} area="waysToRedeem" />
        </Box>
      ) : null}
      <Card padding="0">
        <IndexTable
          resourceName={{ singular: "way to redeem", plural: "ways to redeem" }}
          itemCount={options.length}
          selectable={false}
          emptyState={
            <EmptyStateMessage heading="No ways to redeem yet">
              Add one so customers can turn their points into a discount, free shipping, a free product, a gift card or store credit.
            </EmptyStateMessage>
          }
          headings={[{ title: "Name" }, { title: "Reward" }, { title: "Points", alignment: "end" }, { title: "Details" }, { title: "Status" }, { title: "Action" }]}
        >
          {options.map((o, index) => (
            <IndexTable.Row id={o.id} key={o.id} position={index}>
              <IndexTable.Cell>
                <Link url={`/app/ways-to-redeem/${o.id}`} removeUnderline>
                  <Text as="span" fontWeight="semibold">
                    {o.name}
                  </Text>
                </Link>
              </IndexTable.Cell>
              <IndexTable.Cell>{REWARD_KIND_LABELS[o.kind]}</IndexTable.Cell>
              <IndexTable.Cell>
                <Text as="span" alignment="end" numeric>
                  {o.variable ? `${formatNumber(o.variable.min)}–${formatNumber(o.variable.max)}` : formatNumber(o.pointsCost)}
                </Text>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Text as="span" variant="bodySm" tone="subdued" breakWord>
                  {describeRedemptionOption(o, currency)}
                </Text>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Badge tone={o.active ? "success" : undefined}>{optionStatusLabel(o.active)}</Badge>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <ToggleButton option={o} />
              </IndexTable.Cell>
            </IndexTable.Row>
          ))}
        </IndexTable>
      </Card>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError error={useRouteError()} notFound="This page doesn't exist." backUrl="/app" backLabel="Home" />;
}
