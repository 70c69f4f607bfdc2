// Privacy requests: the customers/data_request webhooks Shopify sent, for the merchant to hand the
// data over (Shopify asks apps to provide it to the merchant:
// https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance). Pending requests first;
// downloading one as JSON records when it was provided. Requests erased by a later customers/redact
// are not listed (their data is gone).
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData, useRevalidator } from "@remix-run/react";
import { Badge, BlockStack, Card, EmptyState, IndexTable, Layout, Page, Text } from "@shopify/polaris";
import db from "~/db.server";
import { authenticate } from "~/shopify.server";
import { listDataRequests } from "~/services/compliance/privacy.server";
import { CsvExportButton } from "~/components/csv-export-button";
import { formatDateTime } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Privacy requests · Loyalty rewards" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const rows = await listDataRequests(db, session.shop);
  return json({
    requests: rows.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString(), providedAt: r.providedAt?.toISOString() ?? null })),
    pending: rows.filter((r) => r.providedAt === null).length,
  });
}

export default function PrivacyRequests() {
  const { requests, pending } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  return (
    <Page title="Privacy requests" backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">
              When a customer asks your shop for their data, Shopify tells the app. Download what the loyalty program holds about
              them and send it to the customer with the rest of your answer. {pending === 0 ? "Nothing is waiting." : `${pending} waiting to be provided.`}
            </Text>
            <Card padding="0">
              {requests.length === 0 ? (
                <EmptyState heading="No data requests" image="">
                  <p>Customers' data requests appear here when Shopify sends them.</p>
                </EmptyState>
              ) : (
                <IndexTable
                  resourceName={{ singular: "data request", plural: "data requests" }}
                  itemCount={requests.length}
                  selectable={false}
                  headings={[{ title: "Received" }, { title: "Customer" }, { title: "Records found" }, { title: "Status" }, { title: "Data" }]}
                >
                  {requests.map((r, index) => (
                    <IndexTable.Row id={r.id} key={r.id} position={index}>
                      <IndexTable.Cell>{formatDateTime(r.receivedAt)}</IndexTable.Cell>
                      <IndexTable.Cell>{r.email ?? r.customerGid ?? "Unknown customer"}</IndexTable.Cell>
                      <IndexTable.Cell>{r.found}</IndexTable.Cell>
                      <IndexTable.Cell>
                        {r.providedAt ? (
                          <Badge tone="success">{`Provided ${formatDateTime(r.providedAt)}`}</Badge>
                        ) : (
                          <Badge tone="attention">Pending</Badge>
                        )}
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <CsvExportButton
                          url={`/app/privacy/requests/${r.id}.json`}
                          label="Download JSON"
                          fallbackName={`data-request-${r.id}.json`}
                          doneMessage="Customer data downloaded"
                          onDownloaded={() => revalidator.revalidate()}
                        />
                      </IndexTable.Cell>
                    </IndexTable.Row>
                  ))}
                </IndexTable>
              )}
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
