// Shopify's timestamps in webhooks (an order's `created_at`, X-Shopify-Triggered-At): the one reader.

/** Nothing Shopify reports happened before this or after the end of year 9999 (both databases store that range). */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The range above as words, for a person who typed a date outside it. */
export const STORED_TIME_RANGE_TEXT = "1970-01-01 to 9999-12-31";

/**
 * Whether a time is one the app stores and queries: within the range above. A date outside it is
 * no event's (and year 0 is not even a date PostgreSQL reads: a query holding one is a server error).
 */
export function isStoredTime(at: Date): boolean {
  const ms = at.getTime();
  return !Number.isNaN(ms) && ms >= EARLIEST && ms <= LATEST;
}

/**
 * Date, time to the second (fractions optional, any precision) and a zone (Z or ±hh:mm), as in
 * Shopify's payloads, headers and Admin API DateTimes. `Date` itself reads far more ("1" is
 * 2001-01-01, "May 5" a date in 2001): none of that is a Shopify timestamp.
 */
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Whether the timestamp's own date exists (`Date` turns 2026-02-30 into 2 March). */
function realDay(match: RegExpExecArray): boolean {
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * An ISO 8601 timestamp as Shopify writes it (e.g. 2025-03-11T20:54:30.516267807Z, or with an offset)
 * → a Date; null when absent, unreadable, or outside any event's life — such a date is unknown, never
 * stored (PostgreSQL refuses dates before 4713 BC; SQLite would keep one no period contains).
 */
export function parseShopifyTime(value: unknown): Date | null {
  if (typeof value !== "string" || value.length > 64) return null;
  const match = ISO_TIMESTAMP.exec(value);
  if (!match || !realDay(match)) return null;
  const at = new Date(value.replace(/(\.\d{3})\d+/, "$1"));
  return isStoredTime(at) ? at : null;
}

/**
 * When a delivered event happened, as far as the app can tell: X-Shopify-Triggered-At, which is not
 * signed (https://shopify.dev/docs/apps/build/webhooks/subscribe/https, "Headers"), is never taken as
 * later than the delivery's arrival (no event happens after it is delivered); without it, the
 * arrival. Null only when neither is known. The one rule for any time a delivery reports about its
 * event: an order's `created_at` too (orderFacts, app/domain/rewards/usage.ts).
 */
export function deliveredEventTime(input: { triggeredAt?: Date | null; receivedAt?: Date | null }): Date | null {
  const { triggeredAt, receivedAt } = input;
  if (!receivedAt) return triggeredAt ?? null;
  if (!triggeredAt || triggeredAt.getTime() > receivedAt.getTime()) return receivedAt;
  return triggeredAt;
}
