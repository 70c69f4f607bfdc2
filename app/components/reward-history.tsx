// A reward's history (RewardEvent rows), oldest first: what happened, who did it, why, and
// Shopify's raw error payload folded away for support.
import { BlockStack, Box, InlineStack, Text } from "@shopify/polaris";
import type { RewardEventView } from "~/services/admin/rewards.server";
import { formatDateTime } from "./format";
import { RewardStatusBadge } from "./reward-status-badge";

export function RewardHistory({ events }: { events: RewardEventView[] }) {
  if (events.length === 0) {
    return (
      <Text as="p" tone="subdued">
        No history was recorded for this reward.
      </Text>
    );
  }
  return (
    <ol aria-label="Reward history" style={{ listStyle: "none", margin: 0, padding: 0 }}>
      {events.map((e) => (
        <li
          key={e.id}
          data-event-type={e.type}
          style={{
            borderInlineStart: "2px solid var(--p-color-border)",
            paddingInlineStart: "var(--p-space-300)",
            paddingBlockEnd: "var(--p-space-300)",
          }}
        >
          <BlockStack gap="100">
            <InlineStack gap="200" blockAlign="center">
              <Text as="span" fontWeight="semibold">
                {e.typeLabel}
              </Text>
              {e.fromStatus || e.toStatus ? (
                <InlineStack gap="100" blockAlign="center">
                  {e.fromStatus ? <RewardStatusBadge status={e.fromStatus} /> : null}
                  {e.fromStatus && e.toStatus ? (
                    <Text as="span" tone="subdued">
                      <span aria-hidden="true">→</span>
                      <Text as="span" visuallyHidden>
                        to
                      </Text>
                    </Text>
                  ) : null}
                  {e.toStatus ? <RewardStatusBadge status={e.toStatus} /> : null}
                </InlineStack>
              ) : null}
            </InlineStack>
            <Text as="p" variant="bodySm" tone="subdued">
              <time dateTime={e.createdAt}>{formatDateTime(e.createdAt)}</time> · {e.actorLabel}
            </Text>
            {e.reason ? (
              <Text as="p">
                {e.reason}
                {e.reasonCode ? (
                  <Text as="span" tone="subdued">
                    {" "}
                    (<code>{e.reasonCode}</code>)
                  </Text>
                ) : null}
              </Text>
            ) : null}
            {e.note ? (
              <Text as="p" tone="subdued">
                Merchant's note: {e.note}
              </Text>
            ) : null}
            {e.shopifyError ? (
              <details>
                <summary style={{ cursor: "pointer" }}>
                  <Text as="span" variant="bodySm">
                    Shopify's error response
                  </Text>
                </summary>
                <Box padding="200" background="bg-surface-secondary" borderRadius="200">
                  <pre style={{ margin: 0, whiteSpace: "pre-wrap", wordBreak: "break-word", fontSize: "12px" }}>{e.shopifyError}</pre>
                </Box>
              </details>
            ) : null}
          </BlockStack>
        </li>
      ))}
    </ol>
  );
}
