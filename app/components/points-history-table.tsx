// Activity → Points history: the customer's points ledger, newest first, paged like the rewards.
// Each row says where it came from (an order in Shopify's admin, a reward in this app, the shop's
// adjustment) and whether its points are pending or taken with a shortfall.
import { Badge, BlockStack, DataTable, InlineStack, Link, Text } from "@shopify/polaris";
import type { PointsRow } from "~/services/admin/customers.server";
import { EmptyStateMessage } from "./empty-state-message";
import { formatDate, formatDateTime, formatNumber } from "./format";
import { TablePager, type TablePagination } from "./rewards-table";

function Source({ row }: { row: PointsRow }) {
  const parts = [];
  if (row.orderName || row.orderUrl) {
    const label = `Order ${row.orderName ?? ""}`.trim();
    parts.push(
      row.orderUrl ? (
        <Link key="order" url={row.orderUrl} target="_blank">
          {label}
        </Link>
      ) : (
        <Text key="order" as="span">
          {label}
        </Text>
      ),
    );
  }
  if (row.rewardUrl) {
    parts.push(
      <Link key="reward" url={row.rewardUrl}>
        Reward
      </Link>,
    );
  }
  if (row.actor === "MERCHANT" && row.reason === "ADJUSTMENT") {
    parts.push(
      <Text key="by" as="span" tone="subdued">
        {row.actorId ? `By staff ${row.actorId}` : "By the shop"}
      </Text>,
    );
  }
  return parts.length > 0 ? <InlineStack gap="200">{parts}</InlineStack> : <Text as="span">—</Text>;
}

export function PointsHistoryTable({ rows, pagination }: { rows: PointsRow[]; pagination: TablePagination }) {
  if (rows.length === 0) {
    return (
      <EmptyStateMessage heading="No points activity yet">
        Points the customer earns on orders and bonuses, spends on rewards, gets back from canceled rewards, and any adjustment you make
        will be listed here.
      </EmptyStateMessage>
    );
  }
  return (
    <BlockStack gap="200">
      <DataTable
        columnContentTypes={["text", "numeric", "numeric", "text", "text", "text"]}
        headings={["Date", "Change", "Balance after", "Reason", "Source", "Note"]}
        rows={rows.map((r) => [
          formatDateTime(r.createdAt),
          <BlockStack key="delta" gap="050" inlineAlign="end">
            <Text as="span" tone={r.delta < 0 ? "critical" : r.delta > 0 ? "success" : undefined}>
              {r.delta > 0 ? "+" : r.delta < 0 ? "−" : ""}
              {formatNumber(Math.abs(r.delta))}
            </Text>
            {r.status === "PENDING" ? (
              <Badge tone="attention">{r.availableAt ? `Pending until ${formatDate(r.availableAt)}` : "Pending"}</Badge>
            ) : null}
            {r.heldFor ? <Badge tone="attention">{r.heldFor === "program_on" ? "Waiting: the points program is off" : "Waiting for you to confirm amounts"}</Badge> : null}
            {r.shortfall > 0 ? <Badge tone="critical">{`${formatNumber(r.shortfall)} already spent (shortfall)`}</Badge> : null}
          </BlockStack>,
          r.status === "PENDING" || r.status === "HELD" ? "—" : formatNumber(r.balanceAfter),
          r.reasonLabel,
          <Source key="source" row={r} />,
          r.note ?? "—",
        ])}
      />
      <TablePager
        pagination={pagination}
        accessibilityLabel="Points history pages"
        previous="Newer points activity"
        next="Older points activity"
      />
    </BlockStack>
  );
}
