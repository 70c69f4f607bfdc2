// Activity → Points history: the customer's points ledger, newest first, paged like the rewards.
import { BlockStack, DataTable, Text } from "@shopify/polaris";
import type { PointsRow } from "~/services/admin/customers.server";
import { EmptyStateMessage } from "./empty-state-message";
import { formatDateTime, formatNumber } from "./format";
import { TablePager, type TablePagination } from "./rewards-table";

export function PointsHistoryTable({ rows, pagination }: { rows: PointsRow[]; pagination: TablePagination }) {
  if (rows.length === 0) {
    return (
      <EmptyStateMessage heading="No points activity yet">
        Points the customer earns, spends on rewards and gets back from canceled rewards will be listed here.
      </EmptyStateMessage>
    );
  }
  return (
    <BlockStack gap="200">
      <DataTable
        columnContentTypes={["text", "numeric", "numeric", "text", "text"]}
        headings={["Date", "Change", "Balance after", "Reason", "Note"]}
        rows={rows.map((r) => [
          formatDateTime(r.createdAt),
          <Text as="span" key="delta" tone={r.delta < 0 ? "critical" : "success"}>
            {r.delta > 0 ? "+" : r.delta < 0 ? "−" : ""}
            {formatNumber(Math.abs(r.delta))}
          </Text>,
          formatNumber(r.balanceAfter),
          r.reasonLabel,
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
