// Home: how the shop's rewards stand, per status.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import db from "~/db.server";
import { authenticate } from "~/shopify.server";

const STATUSES = ["PENDING", "ISSUED", "USED", "FAILED", "CANCELED"] as const;
const LABELS: Record<(typeof STATUSES)[number], string> = {
  PENDING: "Pending",
  ISSUED: "Issued",
  USED: "Used",
  FAILED: "Failed",
  CANCELED: "Canceled",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const groups = await db.reward.groupBy({ by: ["status"], where: { shop: session.shop }, _count: { _all: true } });
  const counts = Object.fromEntries(STATUSES.map((s) => [s, groups.find((g) => g.status === s)?._count._all ?? 0]));
  const customers = await db.customer.count({ where: { shop: session.shop } });
  return json({ shop: session.shop, counts, customers });
}

export default function Home() {
  const { shop, counts, customers } = useLoaderData<typeof loader>();
  return (
    <Page title="Loyalty rewards">
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">
              {shop} · {customers} customers in the program
            </Text>
            <InlineGrid columns={{ xs: 2, md: 5 }} gap="400">
              {STATUSES.map((status) => (
                <Card key={status}>
                  <BlockStack gap="100">
                    <Text as="h2" variant="headingSm">
                      {LABELS[status]}
                    </Text>
                    <Text as="p" variant="heading2xl" data-testid={`count-${status}`}>
                      {counts[status]}
                    </Text>
                  </BlockStack>
                </Card>
              ))}
            </InlineGrid>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
