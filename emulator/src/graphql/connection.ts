// Relay-style connections with Shopify's conventions: first/last are required (max 250), cursors
// are opaque base64 JSON ({"last_id":…,"last_value":…}) and point *between* records, so paging
// keeps working when records are added or removed.
import { paginationError } from "./errors";
import type { View } from "./context";

export const MAX_PAGE_SIZE = 250;

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  reverse?: boolean | null;
}

/** Position of a record in the sort order: sort value, then numeric id as tie-breaker. */
export interface SortKey {
  value: string | number;
  id: number;
}

interface CursorPayload {
  last_id: number;
  last_value: string | number;
}

export function encodeCursor(key: SortKey): string {
  const payload: CursorPayload = { last_id: key.id, last_value: key.value };
  return Buffer.from(JSON.stringify(payload), "utf8").toString("base64");
}

function decodeCursor(cursor: string, argument: "after" | "before"): SortKey {
  try {
    const payload = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as Partial<CursorPayload>;
    if (typeof payload.last_id === "number" && (typeof payload.last_value === "string" || typeof payload.last_value === "number")) {
      return { id: payload.last_id, value: payload.last_value };
    }
  } catch {
    // fall through to the error below
  }
  throw paginationError(`Invalid cursor for '${argument}': ${cursor}`);
}

function compareKeys(a: SortKey, b: SortKey): number {
  if (a.value !== b.value) {
    if (typeof a.value === "number" && typeof b.value === "number") return a.value - b.value;
    return String(a.value).localeCompare(String(b.value));
  }
  return a.id - b.id;
}

export interface ConnectionOptions<T> {
  typeName: string;
  edgeTypeName: string;
  keyOf: (item: T) => SortKey;
  toNode: (item: T) => unknown;
  fieldName: string;
}

/** Numeric part of a GID, used as the id tie-breaker of cursors. */
export function gidNumber(gid: string): number {
  const n = Number(gid.slice(gid.lastIndexOf("/") + 1));
  return Number.isFinite(n) ? n : 0;
}

/** Builds a connection view over `items` (in any order; they are sorted here by keyOf). */
export function paginate<T>(items: readonly T[], args: PageArgs, options: ConnectionOptions<T>): View {
  const { first, last, after, before, reverse } = args;
  if ((first === undefined || first === null) && (last === undefined || last === null)) {
    throw paginationError("you must provide one of first or last");
  }
  for (const [name, value] of [["first", first], ["last", last]] as const) {
    if (value !== undefined && value !== null && (value < 0 || value > MAX_PAGE_SIZE)) {
      throw paginationError(`The '${name}' argument of ${options.fieldName} must be between 0 and ${MAX_PAGE_SIZE}, got ${value}`);
    }
  }
  const direction = reverse ? -1 : 1;
  const keyed = items.map((item) => ({ item, key: options.keyOf(item) }));
  keyed.sort((a, b) => direction * compareKeys(a.key, b.key));

  let start = 0;
  let end = keyed.length;
  if (after) {
    const cursor = decodeCursor(after, "after");
    const index = keyed.findIndex((entry) => direction * compareKeys(entry.key, cursor) > 0);
    start = index === -1 ? keyed.length : index;
  }
  if (before) {
    const cursor = decodeCursor(before, "before");
    const index = keyed.findIndex((entry) => direction * compareKeys(entry.key, cursor) >= 0);
    end = index === -1 ? keyed.length : index;
  }
  end = Math.max(start, end);
  if (first !== undefined && first !== null) end = Math.min(end, start + first);
  if (last !== undefined && last !== null) start = Math.max(start, end - last);

  const page = keyed.slice(start, end);
  const edges: View[] = page.map(({ item, key }) => ({
    __typename: options.edgeTypeName,
    cursor: encodeCursor(key),
    node: options.toNode(item),
  }));
  return {
    __typename: options.typeName,
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      __typename: "PageInfo",
      hasNextPage: end < keyed.length,
      hasPreviousPage: start > 0,
      startCursor: edges.length > 0 ? edges[0].cursor : null,
      endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null,
    },
  };
}
