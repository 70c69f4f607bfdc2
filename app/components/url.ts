// Building in-app URLs from the current search parameters (filters, cursors, tabs).

/** `path` with the current search parameters, some changed or removed (null). */
export function withSearch(
  path: string,
  current: URLSearchParams | string,
  changes: Record<string, string | number | null | undefined> = {}
): string {
  const params = new URLSearchParams(current);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === "") params.delete(key);
    else params.set(key, String(value));
  }
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/** Next/previous page links for keyset cursors; `page` is only the number shown to the merchant. */
export function pageLinks(
  path: string,
  current: URLSearchParams,
  page: { nextCursor: string | null; previousCursor: string | null },
  pageNumber: number
): { nextUrl: string | null; previousUrl: string | null } {
  return {
    nextUrl: page.nextCursor ? withSearch(path, current, { after: page.nextCursor, before: null, page: pageNumber + 1 }) : null,
    previousUrl: page.previousCursor
      ? pageNumber <= 2
        ? withSearch(path, current, { after: null, before: null, page: null })
        : withSearch(path, current, { before: page.previousCursor, after: null, page: pageNumber - 1 })
      : null,
  };
}

/** The page number in `?page=` (display only; the cursor decides what is shown). */
export function pageNumberOf(search: URLSearchParams): number {
  const n = Number(search.get("page"));
  return Number.isSafeInteger(n) && n >= 1 && n <= 1_000_000 ? n : 1;
}
