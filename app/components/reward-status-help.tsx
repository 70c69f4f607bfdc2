// "What the statuses mean": the five statuses with their meaning and whether the customer sees the
// reward, from the domain's vocabulary (the same words as the README and the specification).
import { Fragment, useId, useState } from "react";
import { BlockStack, Box, Button, Collapsible, InlineStack, Text } from "@shopify/polaris";
import { isVisibleToCustomer, type RewardStatus } from "~/domain/rewards";
import { REWARD_STATUS_MEANINGS } from "~/copy/admin";
import { RewardStatusBadge } from "./reward-status-badge";

/** Lifecycle order, the order a merchant reads them in. */
const ORDER: RewardStatus[] = ["PENDING", "FAILED", "ISSUED", "CANCELED", "USED"];

export function RewardStatusList() {
  return (
    <BlockStack gap="300">
      <dl
        style={{
          margin: 0,
          display: "grid",
          gridTemplateColumns: "max-content 1fr",
          gap: "var(--p-space-200) var(--p-space-300)",
          alignItems: "start",
        }}
      >
        {ORDER.map((status) => (
          <Fragment key={status}>
            <dt>
              <RewardStatusBadge status={status} />
            </dt>
            <dd style={{ margin: 0 }}>
              <Text as="span">{REWARD_STATUS_MEANINGS[status]} </Text>
              <Text as="span" tone="subdued">
                {isVisibleToCustomer(status) ? "The customer sees it." : "The customer doesn't see it."}
              </Text>
            </dd>
          </Fragment>
        ))}
      </dl>
      <Text as="p">
        Applying a code at checkout does not make it Used: only a completed order that carries the code (Shopify's order notification) does.
        Gift cards are never marked Used; they stay Issued while they have a balance.
      </Text>
    </BlockStack>
  );
}

export function RewardStatusHelp({ defaultOpen = false }: { defaultOpen?: boolean }) {
  const [open, setOpen] = useState(defaultOpen);
  const id = useId();
  return (
    <BlockStack gap="200">
      <Text as="p" tone="subdued">
        Customers only see Issued and Used rewards. A code becomes Used only when a completed order carries it, not when it's applied at
        checkout; gift cards are never marked Used.
      </Text>
      <InlineStack>
        <Button variant="plain" disclosure={open ? "up" : "down"} onClick={() => setOpen((o) => !o)} ariaExpanded={open} ariaControls={id}>
          What the statuses mean
        </Button>
      </InlineStack>
      <Collapsible id={id} open={open} transition={{ duration: "150ms", timingFunction: "ease-in-out" }}>
        <Box paddingBlockStart="200">
          <RewardStatusList />
        </Box>
      </Collapsible>
    </BlockStack>
  );
}
