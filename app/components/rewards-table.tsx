// Activity → Rewards: one row per reward, newest first, with the Status column as badges, paged
// with arrow buttons (links, so they work with the keyboard and without JavaScript).
import { BlockStack, IndexTable, InlineStack, Link, Pagination, Text } from "@shopify/polaris";
import type { RewardRow } from "~/services/admin/rewards.server";
import { CopyCodeButton } from "./copy-code-button";
import { EmptyStateMessage } from "./empty-state-message";
import { formatDateTime } from "./format";
import { RewardStatusBadge } from "./reward-status-badge";

export interface TablePagination {
  previousUrl: string | null;
  nextUrl: string | null;
  label: string;
}

export interface RewardsTableProps {
  rows: RewardRow[];
  /** Where selecting a reward leads (its history). */
  rewardUrl: (row: RewardRow) => string;
  selectedId?: string | null;
  pagination: TablePagination;
  /** Shown when there are no rows (differs with and without a status filter). */
  empty: { heading: string; body: string };
}

export function RewardsTable({ rows, rewardUrl, selectedId, pagination, empty }: RewardsTableProps) {
  return (
    <>
      <IndexTable
        resourceName={{ singular: "reward", plural: "rewards" }}
        itemCount={rows.length}
        selectable={false}
        emptyState={<EmptyStateMessage heading={empty.heading}>{empty.body}</EmptyStateMessage>}
        headings={[
          { title: "Reward" },
          { title: "Code" },
          { title: "Source" },
          { title: "Status" },
          { title: "Created" },
          { title: "Order" },
        ]}
      >
        {rows.map((row, index) => (
          <IndexTable.Row id={row.id} key={row.id} position={index} selected={row.id === selectedId}>
            <IndexTable.Cell>
              <BlockStack gap="050">
                <Link url={rewardUrl(row)} removeUnderline={row.id !== selectedId}>
                  <Text as="span" fontWeight="semibold">
                    {row.title}
                  </Text>
                  <Text as="span" visuallyHidden>
                    {` (${row.code}): show history`}
                  </Text>
                </Link>
                {row.kindLabel !== row.title ? (
                  <Text as="span" variant="bodySm" tone="subdued">
                    {row.kindLabel}
                  </Text>
                ) : null}
              </BlockStack>
            </IndexTable.Cell>
            <IndexTable.Cell>
              <InlineStack gap="100" blockAlign="center" wrap={false}>
                <Text as="span" fontWeight="medium">
                  <code>{row.code}</code>
                </Text>
                {row.copyable ? <CopyCodeButton code={row.code} /> : null}
              </InlineStack>
            </IndexTable.Cell>
            <IndexTable.Cell>{row.sourceLabel}</IndexTable.Cell>
            <IndexTable.Cell>
              <RewardStatusBadge status={row.status} />
            </IndexTable.Cell>
            <IndexTable.Cell>{formatDateTime(row.createdAt)}</IndexTable.Cell>
            <IndexTable.Cell>
              {row.usedOrderUrl ? (
                <Link url={row.usedOrderUrl} target="_blank">
                  {row.usedOrderName ?? "Order"}
                  <Text as="span" visuallyHidden>
                    {" (opens Shopify admin in a new tab)"}
                  </Text>
                </Link>
              ) : row.usedOrderName ? (
                row.usedOrderName
              ) : (
                <Text as="span" tone="subdued">
                  —
                </Text>
              )}
            </IndexTable.Cell>
          </IndexTable.Row>
        ))}
      </IndexTable>
      <TablePager pagination={pagination} accessibilityLabel="Rewards pages" previous="Newer rewards" next="Older rewards" />
    </>
  );
}

/**
 * Arrow buttons under a table. (IndexTable's own `pagination` prop makes the bar sticky, which
 * covers rows when the table is taller than the window.)
 */
export function TablePager({
  pagination,
  accessibilityLabel,
  previous,
  next,
}: {
  pagination: TablePagination;
  accessibilityLabel: string;
  previous: string;
  next: string;
}) {
  if (!pagination.previousUrl && !pagination.nextUrl) return null;
  return (
    <Pagination
      type="table"
      hasPrevious={Boolean(pagination.previousUrl)}
      hasNext={Boolean(pagination.nextUrl)}
      {...(pagination.previousUrl ? { previousURL: pagination.previousUrl } : {})}
      {...(pagination.nextUrl ? { nextURL: pagination.nextUrl } : {})}
      label={pagination.label}
      accessibilityLabel={accessibilityLabel}
      accessibilityLabels={{ previous, next }}
    />
  );
}
