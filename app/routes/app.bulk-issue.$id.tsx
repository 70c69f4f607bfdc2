// One bulk issue: live progress (done / total, issued, failed with reasons, the estimated finish
// from the shop's Admin API budget) and Pause / Resume / Cancel. The page re-reads itself while the
// job still moves (use-revalidate-while.ts). Use-cases: app/services/bulk-issue/jobs.server.ts.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useRouteError } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, IndexTable, InlineStack, Link, Page, ProgressBar, Text } from "@shopify/polaris";
import db from "~/db.server";
import { readAdminForm } from "~/request-input.server";
import { authenticate } from "~/shopify.server";
import { APP_UNINSTALLED, canMove, type BulkJobAction } from "~/domain/bulk-issue";
import { getBulkJob, moveBulkJob } from "~/services/bulk-issue/jobs.server";
import { formatRewardValue, merchantExplanation } from "~/copy/admin";
import { BULK_SKIP_REASONS, BULK_STATE_LABELS, BULK_STATE_TONES } from "~/components/bulk-issue";
import { formatDateTime, formatDuration, formatNumber } from "~/components/format";
import { RouteError } from "~/components/route-error";
import { useActionToast } from "~/components/use-action-toast";
import { useRevalidateWhile } from "~/components/use-revalidate-while";

export const meta: MetaFunction = () => [{ title: "Bulk issue · Loyalty rewards" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const found = await getBulkJob(db, session.shop, params.id ?? "");
  if (!found) throw json({ message: "This bulk issue doesn't exist." }, { status: 404 });
  return json(found);
}

const ACTIONS: readonly BulkJobAction[] = ["pause", "resume", "cancel"];
const DONE_MESSAGES: Record<BulkJobAction, string> = {
  pause: "Bulk issue paused",
  resume: "Bulk issue resumed",
  cancel: "Bulk issue canceled",
};

/** POST intent=pause|resume|cancel — { ok, message }, 409 when the job's state doesn't allow it, 404 for another shop's job. */
export async function action({ request, params }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const form = await readAdminForm(request);
  const intent = form.get("intent");
  if (typeof intent !== "string" || !(ACTIONS as readonly string[]).includes(intent)) {
    return json({ ok: false as const, message: "Unknown action." }, { status: 400 });
  }
  const action = intent as BulkJobAction;
  const result = await moveBulkJob(db, { shop: session.shop, jobId: params.id ?? "", action });
  if (!result.ok) return json({ ok: false as const, message: result.error.message }, { status: result.error.code === "not_found" ? 404 : 409 });
  return json({ ok: true as const, message: DONE_MESSAGES[action], state: result.job.state });
}

function reasonText(state: string, code: string | null): string {
  if (state === "SKIPPED") return BULK_SKIP_REASONS[code ?? ""] ?? "No reward was created for this customer.";
  return merchantExplanation(code).summary;
}

export default function BulkIssueJob() {
  const { job, failures, currency } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  useActionToast(fetcher.state, fetcher.data);
  useRevalidateWhile(job.moving);
  const busy = fetcher.state !== "idle";
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;
  const act = (intent: BulkJobAction) => fetcher.submit({ intent }, { method: "post" });
  const progress = job.total > 0 ? Math.round((job.done / job.total) * 100) : 100;

  return (
    <Page
      title={`Bulk issue: ${job.templateName}`}
      titleMetadata={<Badge tone={BULK_STATE_TONES[job.state]}>{BULK_STATE_LABELS[job.state] ?? job.state}</Badge>}
      subtitle={`${job.target} · started ${formatDateTime(job.createdAt)}`}
      backAction={{ content: "Bulk issue", url: "/app/bulk-issue" }}
    >
      <BlockStack gap="400">
        {answer && !answer.ok ? <Banner tone="critical">{answer.message}</Banner> : null}
        {job.lastError ? (
          <Banner tone="warning" title="The bulk issue stopped by itself">
            {job.lastError.message}
            {job.lastError.code === APP_UNINSTALLED ? null : " Then resume it."}
          </Banner>
        ) : null}
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Progress
            </Text>
            {job.reward ? (
              <Text as="p">
                Each customer gets: {formatRewardValue(job.reward.kind, job.reward.value, currency)}
                {job.reward.minimumSubtotal ? `, on orders from ${job.reward.minimumSubtotal} ${currency}` : ""}
                {job.reward.expiryDays ? `, valid ${formatNumber(job.reward.expiryDays)} days` : ""} — the reward as it was when this bulk issue started (later edits
                of it don't change this bulk issue).
              </Text>
            ) : null}
            <ProgressBar progress={progress} tone={job.failed > 0 ? "critical" : "primary"} ariaLabelledBy="bulk-progress-label" />
            <Text as="p" id="bulk-progress-label">
              {formatNumber(job.done)} of {formatNumber(job.total)} customers done
            </Text>
            <InlineStack gap="400">
              <Text as="span">Issued: {formatNumber(job.issued)}</Text>
              <Text as="span" tone={job.failed > 0 ? "critical" : undefined}>
                Failed: {formatNumber(job.failed)}
              </Text>
              <Text as="span">Being created: {formatNumber(job.inFlight)}</Text>
              {job.state !== "CANCELED" ? <Text as="span">Waiting: {formatNumber(job.waiting)}</Text> : null}
              {job.notIssued > 0 ? <Text as="span">Not issued (canceled): {formatNumber(job.notIssued)}</Text> : null}
              {job.skipped > 0 ? <Text as="span">No reward: {formatNumber(job.skipped)}</Text> : null}
            </InlineStack>
            {job.unmatched > 0 ? (
              <Text as="p" tone="subdued">
                {formatNumber(job.unmatched)} pasted {job.unmatched === 1 ? "entry" : "entries"} matched no customer and {job.unmatched === 1 ? "was" : "were"} left out.
              </Text>
            ) : null}
            {job.estimate ? (
              <Text as="p">
                Estimated finish: about {formatDuration(job.estimate.seconds * 1000)} from now ({formatDateTime(job.estimate.at)}), at{" "}
                {formatNumber(Math.floor(job.estimate.rewardsPerSecond * 60))} rewards per minute{" "}
                {job.estimate.observed ? "within your store's Shopify API budget" : "(Shopify's standard API budget, until the app has seen your store's)"}.
              </Text>
            ) : null}
            {job.state === "PAUSED" && job.inFlight > 0 ? (
              <Text as="p" tone="subdued">
                Paused: the {formatNumber(job.inFlight)} rewards already being created finish; no new ones start.
              </Text>
            ) : null}
            {job.finishedAt ? <Text as="p">Finished {formatDateTime(job.finishedAt)}.</Text> : null}
            <InlineStack gap="200">
              {canMove(job.state, "pause") ? (
                <Button onClick={() => act("pause")} loading={busy}>
                  Pause
                </Button>
              ) : null}
              {canMove(job.state, "resume") ? (
                <Button variant="primary" onClick={() => act("resume")} loading={busy}>
                  Resume
                </Button>
              ) : null}
              {canMove(job.state, "cancel") ? (
                <Button tone="critical" onClick={() => act("cancel")} loading={busy}>
                  Cancel
                </Button>
              ) : null}
            </InlineStack>
          </BlockStack>
        </Card>
        {failures.length > 0 && failures.length < job.failed + job.skipped ? (
          <Text as="p" tone="subdued">
            The {formatNumber(failures.length)} most recent of {formatNumber(job.failed + job.skipped)} customers without a reward:
          </Text>
        ) : null}
        {failures.length > 0 ? (
          <Card padding="0">
            <IndexTable
              resourceName={{ singular: "customer without a reward", plural: "customers without a reward" }}
              itemCount={failures.length}
              selectable={false}
              headings={[{ title: "Customer" }, { title: "Outcome" }, { title: "Reason" }]}
            >
              {failures.map((f, index) => (
                <IndexTable.Row id={f.itemId} key={f.itemId} position={index}>
                  <IndexTable.Cell>
                    <Link url={f.rewardId ? `/app/customers/${f.customerId}/rewards/${f.rewardId}` : `/app/customers/${f.customerId}`} removeUnderline>
                      {f.customerName}
                    </Link>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Badge tone={f.state === "FAILED" ? "critical" : undefined}>{f.state === "FAILED" ? "Failed" : "No reward"}</Badge>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <BlockStack gap="100">
                      <Text as="span">{reasonText(f.state, f.reasonCode)}</Text>
                      {f.detail ? (
                        <Text as="span" tone="subdued" variant="bodySm">
                          Shopify said: {f.detail}
                        </Text>
                      ) : null}
                    </BlockStack>
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          </Card>
        ) : null}
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError error={useRouteError()} notFound="This bulk issue doesn't exist." backUrl="/app/bulk-issue" backLabel="Bulk issue" />;
}
