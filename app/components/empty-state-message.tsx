// A plain empty state (heading, explanation, optional action) without Polaris EmptyState's
// illustration, which would come from Shopify's CDN and be missing offline.
import type { ReactNode } from "react";
import { BlockStack, Box, Text } from "@shopify/polaris";

export function EmptyStateMessage({ heading, children, action }: { heading: string; children: ReactNode; action?: ReactNode }) {
  return (
    <Box padding="800">
      <BlockStack gap="200" inlineAlign="center">
        <Text as="h3" variant="headingMd" alignment="center">
          {heading}
        </Text>
        <Box maxWidth="36rem">
          <Text as="p" tone="subdued" alignment="center">
            {children}
          </Text>
        </Box>
        {action}
      </BlockStack>
    </Box>
  );
}
