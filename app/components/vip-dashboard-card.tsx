// Home page: VIP members per tier and the entry rewards' statuses (Pending / Issued / Failed), from
// `vipDashboardFigures` (app/services/vip/admin.server.ts) in the home page's loader.
import { BlockStack, Card, InlineStack, Link, Text } from "@shopify/polaris";
import type { VipDashboardFigures } from "~/services/vip/admin.server";
import { formatNumber } from "./format";
import { RewardStatusBadge } from "./reward-status-badge";

export function VipDashboardCard({ figures }: { figures: VipDashboardFigures }) {
  if (!figures.enabled && figures.tiers.length === 0) return null;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            VIP tiers {figures.enabled ? null : <Text as="span" tone="subdued">(off)</Text>}
          </Text>
          <Link url="/app/vip">Settings</Link>
        </InlineStack>
        <InlineStack gap="600" wrap>
          {figures.tiers.map((t) => (
            <BlockStack key={t.id} gap="100">
              <Text as="h3" variant="headingSm">
                {t.name}
              </Text>
              <Text as="p" variant="headingLg">
                <span data-testid={`vip-members-${t.name}`}>{formatNumber(t.members)}</span>
              </Text>
              <Text as="p" tone="subdued">
                members
              </Text>
            </BlockStack>
          ))}
        </InlineStack>
        <InlineStack gap="400" blockAlign="center">
          <Text as="span">Entry rewards:</Text>
          {(["PENDING", "ISSUED", "FAILED"] as const).map((s) => (
            <InlineStack key={s} gap="100" blockAlign="center">
              <RewardStatusBadge status={s} />
              <Text as="span">
                <span data-testid={`vip-entry-${s}`}>{formatNumber(figures.entryRewards[s])}</span>
              </Text>
            </InlineStack>
          ))}
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
