// One reward, for diagnosis: what it is, its status and — when Failed — why in plain language and
// what to do; its full history; and the merchant's actions (cancel, issue again).
import { useCallback, useEffect, useRef, useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, Divider, InlineGrid, InlineStack, Link, Modal, Text, TextField } from "@shopify/polaris";
import { cancelEffect, REMOVE_CODE_AGAIN, SHOPIFY_OBJECT_LINK_LABELS } from "~/copy/admin";
import { kindTraits } from "~/domain/rewards";
import type { RewardDetail } from "~/services/admin/rewards.server";
import { RewardCode } from "./reward-code";
import { formatDateTime, formatPoints } from "./format";
import { RewardHistory } from "./reward-history";
import { RewardStatusBadge } from "./reward-status-badge";
import { useActionToast, type ActionAnswer } from "./use-action-toast";

export interface RewardDetailCardProps {
  reward: RewardDetail;
  /** Where cancel / re-issue are posted. */
  actionUrl: string;
  closeUrl: string;
  rewardUrl: (rewardId: string) => string;
}

type Answer = ActionAnswer & { intent?: string; rewardId?: string };

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <BlockStack gap="050">
      <Text as="span" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <div>{children}</div>
    </BlockStack>
  );
}

export function cancelConsequences(reward: Pick<RewardDetail, "status" | "kind" | "code" | "refundOnCancel" | "pointsSpent">): string[] {
  const lines: string[] = [];
  if (reward.status === "PENDING") {
    lines.push(
      "The reward is still being created in Shopify. It won't be issued, and if its code was already created there, the app deactivates it."
    );
  } else {
    lines.push(cancelEffect(reward.kind, reward.code));
  }
  lines.push("The customer no longer sees the reward.");
  if (reward.refundOnCancel > 0) {
    lines.push(`The ${formatPoints(reward.refundOnCancel)} the customer spent on it are given back to their balance.`);
  } else if (reward.pointsSpent > 0) {
    lines.push(
      `The ${formatPoints(
        reward.pointsSpent
      )} the customer spent on it are not given back (refunding points on cancel is turned off for your shop).`
    );
  } else {
    lines.push("No points are given back: this reward wasn't bought with points.");
  }
  lines.push("This can't be undone.");
  return lines;
}

export function RewardDetailCard({ reward, actionUrl, closeUrl, rewardUrl }: RewardDetailCardProps) {
  const fetcher = useFetcher<Answer>();
  const [cancelOpen, setCancelOpen] = useState(false);
  const [reason, setReason] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);
  const busy = fetcher.state !== "idle";
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;

  // Selecting a reward moves focus to its details, so keyboard and screen-reader users land there.
  useEffect(() => {
    heading.current?.focus();
  }, [reward.id]);

  const onSuccess = useCallback(() => {
    setCancelOpen(false);
    setReason("");
  }, []);
  useActionToast(fetcher.state, fetcher.data, onSuccess);

  const submitCancel = () => {
    fetcher.submit({ intent: "cancel", reason }, { method: "post", action: actionUrl });
    setCancelOpen(false);
  };

  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="start" gap="200">
          <BlockStack gap="100">
            <h2 ref={heading} tabIndex={-1} style={{ outline: "none" }} id="reward-detail-heading">
              <Text as="span" variant="headingMd">
                {reward.title}
              </Text>
            </h2>
            <InlineStack gap="200" blockAlign="center">
              <RewardStatusBadge status={reward.status} />
              <Text as="span" tone="subdued">
                {reward.valueLabel} · {reward.sourceLabel}
                {reward.balanceLabel ? ` · ${reward.balanceLabel}` : ""}
              </Text>
            </InlineStack>
          </BlockStack>
          <Button url={closeUrl} variant="tertiary" accessibilityLabel="Close reward details">
            Close
          </Button>
        </InlineStack>

        {answer && !answer.ok ? (
          <Banner
            tone="critical"
            title={answer.intent === "reissue" ? "The reward couldn't be issued again" : "The reward couldn't be canceled"}
          >
            <p>{answer.message}</p>
          </Banner>
        ) : null}

        {reward.status === "FAILED" && reward.failure ? (
          <Banner tone="critical" title="Why this reward failed">
            <BlockStack gap="200">
              <p>{reward.failure.summary}</p>
              <p>
                <strong>What you can do: </strong>
                {reward.failure.action}
              </p>
              <p>The customer never saw this reward and no code works for it.</p>
            </BlockStack>
          </Banner>
        ) : null}

        {reward.codeRemovalStopped && reward.statusNote ? (
          <Banner tone="warning" title="Its code may still work in Shopify">
            <BlockStack gap="200">
              <p>{reward.statusNote}</p>
              {reward.codeRemovalStopped.retry ? (
                <fetcher.Form method="post" action={actionUrl}>
                  <input type="hidden" name="intent" value="cancel" />
                  <InlineStack gap="200" blockAlign="center">
                    <Button submit loading={busy && fetcher.formData?.get("intent") === "cancel"} disabled={busy}>
                      {REMOVE_CODE_AGAIN.button}
                    </Button>
                    <Text as="span" tone="subdued">
                      {REMOVE_CODE_AGAIN.help}
                    </Text>
                  </InlineStack>
                </fetcher.Form>
              ) : null}
            </BlockStack>
          </Banner>
        ) : null}

        {reward.status === "PENDING" ? (
          <Banner tone="warning" title="Being created in Shopify">
            <p>
              The customer doesn't see this reward yet.{" "}
              {reward.attempts > 0 ? `${reward.attempts} attempt${reward.attempts === 1 ? "" : "s"} so far. ` : ""}
              {reward.nextAttemptAt ? `Next attempt: ${formatDateTime(reward.nextAttemptAt)}.` : ""}
            </p>
          </Banner>
        ) : null}

        <InlineGrid columns={{ xs: 1, sm: 2, md: 3 }} gap="300">
          <Field label="Customer">{reward.customerName}</Field>
          <Field label="Code">
            <RewardCode reward={reward} actionUrl={actionUrl} />
          </Field>
          <Field label="Type">{reward.kindLabel}</Field>
          <Field label="Created">{formatDateTime(reward.createdAt)}</Field>
          {reward.issuedAt ? <Field label="Issued">{formatDateTime(reward.issuedAt)}</Field> : null}
          {reward.status === "USED" ? (
            <Field label="Used">
              {formatDateTime(reward.usedAt)}
              {reward.usedOrderName ? " on " : ""}
              {reward.usedOrderUrl ? (
                <Link url={reward.usedOrderUrl} target="_blank">
                  {reward.usedOrderName ?? "the order"}
                </Link>
              ) : (
                reward.usedOrderName ?? ""
              )}
            </Field>
          ) : null}
          {reward.canceledAt ? <Field label="Canceled">{formatDateTime(reward.canceledAt)}</Field> : null}
          {reward.expiresAt ? <Field label="Expires">{formatDateTime(reward.expiresAt)}</Field> : null}
          {reward.pointsSpent > 0 ? <Field label="Points spent">{formatPoints(reward.pointsSpent)}</Field> : null}
          {reward.shopifyAdminUrl ? (
            <Field label="In Shopify">
              <Link url={reward.shopifyAdminUrl} target="_blank">
                {SHOPIFY_OBJECT_LINK_LABELS[kindTraits(reward.kind).shopifyObject]}
              </Link>
            </Field>
          ) : null}
        </InlineGrid>

        {reward.cancelable || reward.reissue || reward.reissuedAs ? (
          <BlockStack gap="200">
            <Divider />
            {reward.cancelable ? (
              <InlineStack gap="200" blockAlign="center">
                <Button
                  tone="critical"
                  onClick={() => setCancelOpen(true)}
                  loading={busy && fetcher.formData?.get("intent") === "cancel"}
                  disabled={busy}
                >
                  Cancel reward
                </Button>
                <Text as="span" tone="subdued">
                  Deactivates the code in Shopify.
                </Text>
              </InlineStack>
            ) : null}
            {reward.reissuedAs ? (
              <InlineStack gap="200" blockAlign="center">
                <Text as="span">Issued again as</Text>
                <Link url={rewardUrl(reward.reissuedAs.id)}>{reward.reissuedAs.code}</Link>
                <RewardStatusBadge status={reward.reissuedAs.status} />
              </InlineStack>
            ) : reward.reissue?.possible ? (
              <fetcher.Form method="post" action={actionUrl}>
                <input type="hidden" name="intent" value="reissue" />
                <InlineStack gap="200" blockAlign="center">
                  <Button submit loading={busy && fetcher.formData?.get("intent") === "reissue"} disabled={busy}>
                    Issue again as a new reward
                  </Button>
                  <Text as="span" tone="subdued">
                    Uses the current settings of “{reward.reissue.templateName}”. This reward stays Failed.
                  </Text>
                </InlineStack>
              </fetcher.Form>
            ) : reward.reissue ? (
              <Text as="p" tone="subdued">
                {reward.reissue.why}
              </Text>
            ) : null}
            {answer?.ok && answer.intent === "reissue" && answer.rewardId && !reward.reissuedAs ? (
              <Link url={rewardUrl(answer.rewardId)}>View the new reward</Link>
            ) : null}
          </BlockStack>
        ) : null}

        <Divider />
        <BlockStack gap="200">
          <Text as="h3" variant="headingSm">
            History
          </Text>
          <RewardHistory events={reward.events} />
        </BlockStack>
      </BlockStack>

      <Modal
        open={cancelOpen}
        onClose={() => setCancelOpen(false)}
        title={`Cancel reward ${reward.code}?`}
        primaryAction={{ content: "Cancel reward", destructive: true, onAction: submitCancel, loading: busy }}
        secondaryActions={[{ content: "Keep reward", onAction: () => setCancelOpen(false) }]}
      >
        <Modal.Section>
          <BlockStack gap="300">
            <Box as="div">
              <ul style={{ margin: 0, paddingInlineStart: "1.25rem" }}>
                {cancelConsequences(reward).map((line) => (
                  <li key={line}>
                    <Text as="span">{line}</Text>
                  </li>
                ))}
              </ul>
            </Box>
            <TextField
              label="Reason (optional, kept in the reward's history)"
              value={reason}
              onChange={setReason}
              autoComplete="off"
              maxLength={500}
            />
          </BlockStack>
        </Modal.Section>
      </Modal>
    </Card>
  );
}
