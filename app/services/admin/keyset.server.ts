// Keyset ("seek") pagination over (<sort key>, id), newest (or highest, or A→Z) first: a page is
// "the N rows just past (or before) this row", so the database walks the index from the cursor
// instead of counting and skipping rows as OFFSET would. Page 400 then costs what page 1 costs.
// The sort key is a timestamp (most lists), a number (customers by points) or text (by name).
//
// The cursor is opaque to the browser: base64url of "<ms>.<id>" for a timestamp, "n<int>.<id>" for a
// number, "s<sealed text>.<id>" for text. Anything that does not decode is refused (the route
// answers 400), never silently turned into "page 1".
// A text key is a customer's name (customers sorted by name): cursors end up in links, browser
// history and proxies' access logs, so the text is sealed (AES-256-GCM under a key derived from the
// app's secret) rather than merely base64-encoded — personal data never travels in a URL, and a
// forged text cursor does not open.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { env } from "~/env.server";
import { MAX_POINTS } from "~/domain/points";
import { isStoredTime } from "~/domain/shopify-time";

export type SortKey = Date | number | string;

export interface Cursor {
  key: SortKey;
  id: string;
}

/**
 * The longest text sort key a cursor carries whole. It must cover every stored name: a key cut
 * short sorts before its row, so the next page started at that row again (duplicates, and a
 * merchant stuck on one page). Names are stored at most 201 characters long — first and last name
 * cut at 100 each (`customerDisplay`, app/services/points/customers.server.ts) — which a limit of
 * 200 cut by one.
 */
const MAX_TEXT_KEY = 256;

let sealKey: Buffer | undefined;
const cursorKey = () => (sealKey ??= createHash("sha256").update(`keyset-cursor-text:${env().SHOPIFY_API_SECRET}`).digest());

/** base64url(iv ‖ tag ‖ ciphertext) of a text key. */
function seal(text: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", cursorKey(), iv);
  const sealed = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url");
}

function unseal(value: string): string | null {
  const bytes = Buffer.from(value, "base64url");
  if (bytes.length < 28) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", cursorKey(), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

export function encodeCursor(row: { key: SortKey; id: string }): string {
  const key =
    row.key instanceof Date
      ? String(row.key.getTime())
      : typeof row.key === "number"
        ? `n${Math.trunc(row.key)}`
        : `s${seal(row.key.slice(0, MAX_TEXT_KEY))}`;
  return Buffer.from(`${key}.${row.id}`, "utf8").toString("base64url");
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function decodeCursor(value: string): Cursor | null {
  // A sealed MAX_TEXT_KEY-character key (up to 1,024 UTF-8 bytes, 1,404 base64url characters with
  // its IV and tag) plus "s", "." and a 64-character id, base64url again: at most 1,960 characters.
  if (!/^[A-Za-z0-9_-]{1,1960}$/.test(value)) return null;
  const text = Buffer.from(value, "base64url").toString("utf8");
  const dot = text.lastIndexOf(".");
  if (dot <= 0) return null;
  const raw = text.slice(0, dot);
  const id = text.slice(dot + 1);
  if (!ID.test(id)) return null;
  if (raw.startsWith("s")) {
    const encoded = raw.slice(1);
    if (!/^[A-Za-z0-9_-]*$/.test(encoded)) return null;
    const key = unseal(encoded);
    return key !== null && key.length <= MAX_TEXT_KEY ? { key, id } : null;
  }
  if (raw.startsWith("n")) {
    const n = Number(raw.slice(1));
    // Number keys are points balances: `Int` columns, 32-bit on PostgreSQL, which refuses to compare
    // one with a larger number (a server error); no balance lies outside ±MAX_POINTS anyway.
    return /^n-?\d{1,10}$/.test(raw) && Math.abs(n) <= MAX_POINTS ? { key: n, id } : null;
  }
  const ms = Number(raw);
  if (!/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(ms)) return null;
  // 16 digits go past the last representable date (8.64e15 ms, ECMA-262 "Time Values"): an Invalid
  // Date would reach the query as a server error. No stored row is dated outside the app's range.
  const key = new Date(ms);
  return isStoredTime(key) ? { key, id } : null;
}

/** A page link naming both ends: which page it meant is not known (docs/decisions/008). */
export const BOTH_CURSORS = "This page link has both an \"after\" and a \"before\" cursor; a page has one. Go back to the first page.";

export class InvalidCursorError extends Error {
  constructor(message = "This page link is not valid any more. Go back to the first page.") {
    super(message);
    this.name = "InvalidCursorError";
  }
}

/** Where to start a page: the newest rows, or just after / just before a row the browser saw. */
export type PageRequest = { after?: string | null; before?: string | null; pageSize?: number };

export interface KeysetPage<T> {
  items: T[];
  /** Cursor for the next (older) page, when there is one. */
  nextCursor: string | null;
  /** Cursor for the previous (newer) page, when there is one. */
  previousCursor: string | null;
}

/**
 * Rows strictly before the cursor in (<field>, id) order — "older" for a timestamp. Written as
 * `field <= c AND (field < c OR id < c.id)` rather than a plain OR so that the first conjunct is a
 * range bound the database can seek to in the (…, field, id) index; the OR then only filters the
 * few rows that share the cursor's key.
 */
export function olderThan<const F extends string>(c: Cursor, field: F) {
  return { [field]: { lte: c.key }, OR: [{ [field]: { lt: c.key } }, { id: { lt: c.id } }] } as Record<F, { lte: never }> & {
    OR: [Record<F, { lt: never }>, { id: { lt: string } }];
  };
}

/** Rows strictly after the cursor (the mirror image of `olderThan`). */
export function newerThan<const F extends string>(c: Cursor, field: F) {
  return { [field]: { gte: c.key }, OR: [{ [field]: { gt: c.key } }, { id: { gt: c.id } }] } as Record<F, { gte: never }> & {
    OR: [Record<F, { gt: never }>, { id: { gt: string } }];
  };
}

export type Direction = "desc" | "asc";

export type KeyKind = "date" | "number" | "text";

export function keyKindOf(key: SortKey): KeyKind {
  return key instanceof Date ? "date" : typeof key === "number" ? "number" : "text";
}

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 100;

export function pageSizeOf(request: PageRequest): number {
  const size = request.pageSize ?? DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(size)));
}

export interface KeysetQuery<Row, Where> {
  /** The row's sort key (the cursor's first half). */
  at: (row: Row) => SortKey;
  /** The first page's end: "desc" (newest / highest first, the default) or "asc" (A→Z). */
  order?: Direction;
  /** What the sort key is (default "date"): a cursor holding another kind is refused. */
  keyKind?: KeyKind;
  older: (c: Cursor) => Where;
  newer: (c: Cursor) => Where;
  /** Reads rows matching `where` (none: from the first page's end) in `direction` of (key, id). */
  fetch: (args: { where: Where | undefined; direction: Direction; take: number }) => Promise<Row[]>;
}

/**
 * One page of a keyset query, newest first. It takes one row more than the page to learn whether
 * another page follows. Going back (`before`) reads the newer rows in ascending order and flips
 * them; when that reaches the newest row the result is simply the first page, so going back always
 * lands on full pages.
 */
export async function keysetPage<Row extends { id: string }, Where>(
  request: PageRequest,
  q: KeysetQuery<Row, Where>
): Promise<KeysetPage<Row>> {
  // Every list reads its cursors here: a link with both is refused, not read as one of them (it
  // silently used `before`, a page the merchant did not ask for).
  if (request.after && request.before) throw new InvalidCursorError(BOTH_CURSORS);
  const size = pageSizeOf(request);
  const order: Direction = q.order ?? "desc";
  const back: Direction = order === "desc" ? "asc" : "desc";
  // "Past" the cursor is where the next pages are; "before" it, the pages already seen.
  const past = (c: Cursor) => (order === "desc" ? q.older(c) : q.newer(c));
  const before = (c: Cursor) => (order === "desc" ? q.newer(c) : q.older(c));
  const cursorOf = (row: Row) => encodeCursor({ key: q.at(row), id: row.id });
  const decode = (value: string) => {
    const c = decodeCursor(value);
    // A cursor of another list order (e.g. a name cursor on the points order) is no cursor here.
    if (!c || keyKindOf(c.key) !== (q.keyKind ?? "date")) throw new InvalidCursorError();
    return c;
  };

  if (request.before) {
    const cursor = decode(request.before);
    const rows = await q.fetch({ where: before(cursor), direction: back, take: size + 1 });
    if (rows.length > size) {
      const items = rows.slice(0, size).reverse();
      return { items, previousCursor: cursorOf(items[0]), nextCursor: cursorOf(items[items.length - 1]) };
    }
    // Nothing newer beyond this page: it is the first page.
    return keysetPage({ pageSize: size }, q);
  }

  const cursor = request.after ? decode(request.after) : null;
  const rows = await q.fetch({ where: cursor ? past(cursor) : undefined, direction: order, take: size + 1 });
  const items = rows.slice(0, size);
  // The rows past the cursor are gone (deleted since): start over rather than show an empty page.
  if (cursor && items.length === 0) return keysetPage({ pageSize: size }, q);
  const hasNext = rows.length > size;
  return {
    items,
    nextCursor: hasNext ? cursorOf(items[items.length - 1]) : null,
    // Coming from a cursor means newer rows exist (the ones the merchant just paged past).
    previousCursor: cursor ? cursorOf(items[0]) : null,
  };
}
