// Keyset ("seek") pagination over (createdAt desc, id desc): a page is "the N rows just older (or
// newer) than this row", so the database walks the index from the cursor instead of counting and
// skipping rows as OFFSET would. Page 400 then costs what page 1 costs.
//
// The cursor is opaque to the browser: base64url of "<createdAt ms>.<id>". Anything that does not
// decode is refused (the route answers 400), never silently turned into "page 1".

export interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.getTime()}.${row.id}`, "utf8").toString("base64url");
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function decodeCursor(value: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) return null;
  const text = Buffer.from(value, "base64url").toString("utf8");
  const dot = text.indexOf(".");
  if (dot <= 0) return null;
  const ms = Number(text.slice(0, dot));
  const id = text.slice(dot + 1);
  if (!Number.isSafeInteger(ms) || ms < 0 || !ID.test(id)) return null;
  return { createdAt: new Date(ms), id };
}

export class InvalidCursorError extends Error {
  constructor() {
    super("This page link is not valid any more. Go back to the first page.");
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
 * Rows strictly older than the cursor in (<field> desc, id desc) order. Written as
 * `field <= c AND (field < c OR id < c.id)` rather than a plain OR so that the first conjunct is a
 * range bound the database can seek to in the (…, field, id) index; the OR then only filters the
 * few rows that share the cursor's timestamp.
 */
export function olderThan<const F extends string>(c: Cursor, field: F) {
  return { [field]: { lte: c.createdAt }, OR: [{ [field]: { lt: c.createdAt } }, { id: { lt: c.id } }] } as Record<F, { lte: Date }> & {
    OR: [Record<F, { lt: Date }>, { id: { lt: string } }];
  };
}

/** Rows strictly newer than the cursor (the mirror image of `olderThan`). */
export function newerThan<const F extends string>(c: Cursor, field: F) {
  return { [field]: { gte: c.createdAt }, OR: [{ [field]: { gt: c.createdAt } }, { id: { gt: c.id } }] } as Record<F, { gte: Date }> & {
    OR: [Record<F, { gt: Date }>, { id: { gt: string } }];
  };
}

export type Direction = "desc" | "asc";

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 100;

export function pageSizeOf(request: PageRequest): number {
  const size = request.pageSize ?? DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(size)));
}

export interface KeysetQuery<Row, Where> {
  /** The row's sort timestamp (the cursor's first half). */
  at: (row: Row) => Date;
  older: (c: Cursor) => Where;
  newer: (c: Cursor) => Where;
  /** Reads rows matching `where` (none: from the newest) in `direction` of (timestamp, id). */
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
  const size = pageSizeOf(request);
  const cursorOf = (row: Row) => encodeCursor({ createdAt: q.at(row), id: row.id });
  const decode = (value: string) => {
    const c = decodeCursor(value);
    if (!c) throw new InvalidCursorError();
    return c;
  };

  if (request.before) {
    const cursor = decode(request.before);
    const rows = await q.fetch({ where: q.newer(cursor), direction: "asc", take: size + 1 });
    if (rows.length > size) {
      const items = rows.slice(0, size).reverse();
      return { items, previousCursor: cursorOf(items[0]), nextCursor: cursorOf(items[items.length - 1]) };
    }
    // Nothing newer beyond this page: it is the first page.
    return keysetPage({ pageSize: size }, q);
  }

  const cursor = request.after ? decode(request.after) : null;
  const rows = await q.fetch({ where: cursor ? q.older(cursor) : undefined, direction: "desc", take: size + 1 });
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
