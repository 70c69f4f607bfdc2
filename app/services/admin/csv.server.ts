// CSV export of rewards (RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold a
// comma, quote or line break, quotes doubled). Safe to open in a spreadsheet: a text cell starting
// with = + - @ (or a tab / carriage return) would be run as a formula, so it gets a leading '.
import type { Db } from "~/db.server";
import { type RewardStatus } from "~/domain/rewards";
import { REWARD_STATUS_LABELS } from "~/copy/admin";
import { exportRewards, type ExportRow } from "./rewards.server";
import { storeHandleOf } from "./links.server";

const FORMULA_START = /^[=+\-@\t\r]/;

/** One text cell: formula-neutralised, then quoted if needed. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

const COLUMNS: { header: string; value: (r: ExportRow) => string | number | null }[] = [
  { header: "Created (UTC)", value: (r) => r.createdAt },
  { header: "Customer", value: (r) => r.customerName },
  { header: "Customer email", value: (r) => r.customerEmail },
  { header: "Reward", value: (r) => r.title },
  { header: "Code", value: (r) => r.code },
  { header: "Type", value: (r) => r.kindLabel },
  { header: "Value", value: (r) => r.valueLabel },
  { header: "Source", value: (r) => r.sourceLabel },
  { header: "Status", value: (r) => REWARD_STATUS_LABELS[r.status] },
  // The note under the badge in the Rewards table (rewardStatusNote), word for word: why a reward
  // waits or failed, and a Canceled reward's code removal ("Removing the code in Shopify…", or that
  // the app stopped trying and the code may still work). "Failure reason" stays the code of a
  // Failed reward only (docs/decisions/013, addendum of 3 December 2026).
  { header: "Status note", value: (r) => r.statusNote },
  { header: "Issued (UTC)", value: (r) => r.issuedAt },
  { header: "Used (UTC)", value: (r) => r.usedAt },
  { header: "Order", value: (r) => r.usedOrderName },
  { header: "Canceled (UTC)", value: (r) => r.canceledAt },
  { header: "Expires (UTC)", value: (r) => r.expiresAt },
  { header: "Failure reason", value: (r) => r.failureCode },
  { header: "What went wrong", value: (r) => r.failureExplanation },
  { header: "Points spent", value: (r) => r.pointsSpent },
  { header: "Reward ID", value: (r) => r.id },
];

export const CSV_HEADERS = COLUMNS.map((c) => c.header);

export interface RewardsCsvQuery {
  shop: string;
  customerId?: string | null;
  status?: RewardStatus | null;
}

/** `rewards-demo-loyalty-issued-2026-11-25.csv` (only safe characters, for Content-Disposition). */
export function rewardsCsvFilename(query: RewardsCsvQuery & { customerName?: string | null }, now: Date = new Date()): string {
  const parts = [
    "rewards",
    storeHandleOf(query.shop),
    query.customerName ?? null,
    query.status?.toLowerCase() ?? null,
    now.toISOString().slice(0, 10),
  ];
  return `${parts
    .filter((p): p is string => Boolean(p))
    .map((p) =>
      p
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "")
    )
    .filter(Boolean)
    .join("-")}.csv`;
}

/**
 * The export as a byte stream: a UTF-8 byte order mark (so spreadsheet apps read names with accents
 * correctly), the header line, then one line per reward, read in keyset batches as the stream is
 * consumed.
 */
export function rewardsCsvStream(db: Db, query: RewardsCsvQuery): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const rows = exportRewards(db, query);
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`\uFEFF${csvLine(CSV_HEADERS)}`));
        return;
      }
      // Several lines per chunk keeps the number of tiny writes down.
      let chunk = "";
      for (let i = 0; i < 200; i++) {
        const next = await rows.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += csvLine(COLUMNS.map((c) => c.value(next.value)));
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
}
