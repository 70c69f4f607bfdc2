// The home dashboard's referral card: how many referrals were clicked, signed up, are waiting
// (qualified), rewarded and rejected. Loads its own figures (/app/referral-figures).
import { useFetcher } from "@remix-run/react";
import { BlockStack, Card, InlineGrid, InlineStack, Link, Text } from "@shopify/polaris";
import { useEffect } from "react";
import type { ReferralDashboardFigures } from "~/services/referrals/referrals.server";
import { formatNumber } from "./format";

const FIGURES: { key: keyof Omit<ReferralDashboardFigures, "enabled">; label: string }[] = [
  { key: "clicks", label: "Link visits" },
  { key: "signedUp", label: "Friends signed up" },
  { key: "qualified", label: "Waiting period" },
  { key: "rewarded", label: "Referrers rewarded" },
  { key: "rejected", label: "Rejected" },
];

export function ReferralDashboardCard() {
  const fetcher = useFetcher<ReferralDashboardFigures>();
  useEffect(() => {
    if (fetcher.state === "idle" && !fetcher.data) fetcher.load("/app/referral-figures");
  }, [fetcher]);
  const figures = fetcher.data;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Referrals
          </Text>
          <Link url="/app/referrals">{figures && !figures.enabled ? "Turn on referrals" : "Settings"}</Link>
        </InlineStack>
        {!figures ? (
          <Text as="p" tone="subdued">
            Loading referral figures…
          </Text>
        ) : (
          <InlineGrid columns={{ xs: 2, md: 5 }} gap="300">
            {FIGURES.map((f) => (
              <BlockStack key={f.key} gap="100">
                <Text as="h3" variant="headingSm" tone="subdued">
                  {f.label}
                </Text>
                <div data-testid={`referrals-${f.key}`}>
                  <Text as="p" variant="headingLg">
                    {formatNumber(figures[f.key])}
                  </Text>
                </div>
              </BlockStack>
            ))}
          </InlineGrid>
        )}
      </BlockStack>
    </Card>
  );
}
