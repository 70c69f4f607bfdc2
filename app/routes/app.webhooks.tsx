// Webhook deliveries that could not be applied: the dead letters of the webhook inbox
// (docs/decisions/014, app/services/webhooks/dead-letters.server.ts). For each: topic, when Shopify
// delivered it, how many attempts were made and the last error; "Retry" re-queues it for the worker,
// or "Content deleted" when its body is gone after DEAD_LETTER_BODY_DAYS (nothing left to retry).
// Payloads are never shown (they can hold customers' personal data).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, EmptyState, IndexTable, Layout, Page, Text, Tooltip } from "@shopify/polaris";
import db from "~/db.server";
import { readAdminForm } from "~/request-input.server";
import { authenticate } from "~/shopify.server";
import { DEAD_LETTER_BODY_DAYS, DEAD_LETTER_PAGE, listDeadLetters, retryDeadLetter } from "~/services/webhooks/dead-letters.server";
import { formatDateTime, formatNumber } from "~/components/format";
import { useActionToast, type ActionAnswer } from "~/components/use-action-toast";

export const meta: MetaFunction = () => [{ title: "Webhook deliveries · Loyalty rewards" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const { deliveries, total } = await listDeadLetters(db, session.shop);
  return json({
    total,
    shown: DEAD_LETTER_PAGE,
    bodyDays: DEAD_LETTER_BODY_DAYS,
    deliveries: deliveries.map((d) => ({ ...d, receivedAt: d.receivedAt.toISOString(), deadAt: d.deadAt.toISOString() })),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const form = await readAdminForm(request);
  const intent = form.get("intent");
  const id = form.get("id");
  if (intent !== "retry" || typeof id !== "string" || id === "") {
    return json<ActionAnswer>({ ok: false, message: "Unknown action: expected intent=retry and the delivery's id." }, { status: 400 });
  }
  const outcome = await retryDeadLetter(db, session.shop, id, new Date());
  if (!outcome.ok && outcome.reason === "body_deleted") {
    return json<ActionAnswer>(
      { ok: false, message: `This delivery can't be applied any more: its content was deleted ${DEAD_LETTER_BODY_DAYS} days after it failed, as it can hold customers' personal data.` },
      { status: 410 },
    );
  }
  if (!outcome.ok) {
    return json<ActionAnswer>({ ok: false, message: "This delivery is not waiting for a retry (already retried, applied, or not one of your shop's)." }, { status: 404 });
  }
  return json<ActionAnswer>({ ok: true, message: "Delivery queued again" });
}

function RetryButton({ id }: { id: string }) {
  const fetcher = useFetcher<ActionAnswer>();
  useActionToast(fetcher.state, fetcher.data);
  return (
    <Button
      size="slim"
      loading={fetcher.state !== "idle"}
      onClick={() => fetcher.submit({ intent: "retry", id }, { method: "post" })}
      accessibilityLabel="Retry this delivery"
    >
      Retry
    </Button>
  );
}

export default function WebhookDeliveries() {
  const { deliveries, total, shown, bodyDays } = useLoaderData<typeof loader>();
  return (
    <Page title="Webhook deliveries" backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">
              Shopify tells the app about orders, discounts and privacy requests with webhooks. A delivery whose changes could not be
              applied after several attempts waits here. Fix the cause shown, then retry it. After {bodyDays} days the content
              of an order, refund, customer or privacy request delivery is deleted (it can hold customers&apos; personal data) and it can no
              longer be retried.{" "}
              {total > shown ? `The ${shown} most recent of ${formatNumber(total)} are shown.` : null}
            </Text>
            <Card padding="0">
              {deliveries.length === 0 ? (
                <EmptyState heading="No failed deliveries" image="">
                  <p>Every webhook Shopify sent has been applied.</p>
                </EmptyState>
              ) : (
                <IndexTable
                  resourceName={{ singular: "failed delivery", plural: "failed deliveries" }}
                  itemCount={deliveries.length}
                  selectable={false}
                  headings={[{ title: "Topic" }, { title: "Received" }, { title: "Gave up" }, { title: "Attempts" }, { title: "Last error" }, { title: "" }]}
                >
                  {deliveries.map((d, index) => (
                    <IndexTable.Row id={d.id} key={d.id} position={index}>
                      <IndexTable.Cell>{d.topic}</IndexTable.Cell>
                      <IndexTable.Cell>{formatDateTime(d.receivedAt)}</IndexTable.Cell>
                      <IndexTable.Cell>{formatDateTime(d.deadAt)}</IndexTable.Cell>
                      <IndexTable.Cell>{d.attempts}</IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" breakWord>
                          {d.lastError ?? "—"}
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        {d.bodyDeleted ? (
                          <Tooltip content={`Its content was deleted ${bodyDays} days after it failed (it can hold customers' personal data): it can't be retried.`}>
                            <Badge tone="info">Content deleted</Badge>
                          </Tooltip>
                        ) : (
                          <RetryButton id={d.id} />
                        )}
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
