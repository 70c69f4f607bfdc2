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
              <RewardTitle row={row} url={rewardUrl(row)} underline={row.id === selectedId} hiddenSuffix={` (${row.code}): show history`} />
            </IndexTable.Cell>
            <IndexTable.Cell>
              <RewardCode row={row} />
            </IndexTable.Cell>
            <IndexTable.Cell>{row.sourceLabel}</IndexTable.Cell>
            <IndexTable.Cell>
              <RewardStatusCell row={row} />
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
 * The Status column: the badge and, for a Failed reward, a Pending one whose last attempt failed or a
 * Canceled one whose code is still being removed in Shopify,
 * why in a few words (RewardRow.statusNote). Shared by Activity → Rewards and the Rewards page.
 */
export function RewardStatusCell({ row }: { row: Pick<RewardRow, "status" | "statusNote"> }) {
  if (!row.statusNote) return <RewardStatusBadge status={row.status} />;
  return (
    <BlockStack gap="100" inlineAlign="start">
      <RewardStatusBadge status={row.status} />
      <Text as="span" variant="bodySm" tone="subdued">
        {row.statusNote}
      </Text>
    </BlockStack>
  );
}

/**
 * A reward's name in a table (a link to its history), with its kind when the name doesn't say it and,
 * for an Issued gift card, what is left on it. Shared by Activity → Rewards and the Rewards page.
 */
export function RewardTitle({
  row,
  url,
  underline = false,
  primary = false,
  hiddenSuffix,
}: {
  row: RewardRow;
  url: string;
  underline?: boolean;
  /** The row's primary link (IndexTable: clicking the row follows it). */
  primary?: boolean;
  /** Read by screen readers after the name. */
  hiddenSuffix?: string;
}) {
  return (
    <BlockStack gap="050">
      <Link url={url} removeUnderline={!underline} {...(primary ? { dataPrimaryLink: true } : {})}>
        <Text as="span" fontWeight="semibold">
          {row.title}
        </Text>
        {hiddenSuffix ? (
          <Text as="span" visuallyHidden>
            {hiddenSuffix}
          </Text>
        ) : null}
      </Link>
      {row.kindLabel !== row.title ? (
        <Text as="span" variant="bodySm" tone="subdued">
          {row.kindLabel}
        </Text>
      ) : null}
      {row.balanceLabel ? (
        <Text as="span" variant="bodySm" tone="subdued">
          {row.balanceLabel}
        </Text>
      ) : null}
    </BlockStack>
  );
}

/** The code as the admin may show it (gift cards masked), with Copy when it can be used. */
export function RewardCode({ row }: { row: RewardRow }) {
  return (
    <InlineStack gap="100" blockAlign="center" wrap={false}>
      <Text as="span" fontWeight="medium">
        <code>{row.code}</code>
      </Text>
      {row.copyable ? <CopyCodeButton code={row.code} /> : null}
    </InlineStack>
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
