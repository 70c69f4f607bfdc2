// Customer profile: the VIP tier held and the tier changes, each with its reason (app-authored text).
// From `customerVip` (app/services/vip/admin.server.ts) in the profile's loader.
import { Badge, BlockStack, Box, Card, InlineStack, Text } from "@shopify/polaris";
import { VIP_REASON_LABELS } from "~/copy/vip";
import type { CustomerVipView } from "~/services/vip/admin.server";
import { formatDate, formatDateTime } from "./format";

export function VipCustomerCard({ vip }: { vip: CustomerVipView }) {
  if (!vip.enabled && vip.changes.length === 0) return null;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">
            VIP tier history
          </Text>
          <Badge tone={vip.tierName ? "success" : undefined}>{vip.tierName ?? "No tier"}</Badge>
          {vip.since ? (
            <Text as="span" tone="subdued">
              since {formatDate(vip.since)}
            </Text>
          ) : null}
        </InlineStack>
        {vip.changes.length === 0 ? (
          <Text as="p" tone="subdued">
            No tier changes yet.
          </Text>
        ) : (
          <ul aria-label="Tier changes" style={{ listStyle: "none", margin: 0, padding: 0 }}>
            {vip.changes.map((c) => (
              <li key={c.id}>
                <Box paddingBlock="200" borderBlockEndWidth="025" borderColor="border-secondary">
                  <BlockStack gap="050">
                    <InlineStack gap="200" blockAlign="center">
                      <Badge tone={c.direction === "UP" ? "success" : "attention"}>{c.direction === "UP" ? "Up" : "Down"}</Badge>
                      <Text as="span" fontWeight="semibold">
                        {c.fromTierName ?? "No tier"} → {c.toTierName ?? "No tier"}
                      </Text>
                      <Text as="span" tone="subdued">
                        {formatDateTime(c.createdAt)} · {VIP_REASON_LABELS[c.reasonCode] ?? c.reasonCode}
                      </Text>
                    </InlineStack>
                    <Text as="p">{c.reason}</Text>
                  </BlockStack>
                </Box>
              </li>
            ))}
          </ul>
        )}
      </BlockStack>
    </Card>
  );
}
