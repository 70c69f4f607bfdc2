// The points ledger's vocabulary and its pure rules: reasons, states, the keys that make an entry
// happen once, how a take-back that exceeds the balance is split, birthdays and expiry dates.
// The only writer of the ledger is app/services/points/ledger.server.ts (docs/decisions/019).

export const LEDGER_REASONS = [
  "EARNED",
  "ORDER_REFUNDED",
  "ORDER_CANCELED",
  "REDEMPTION",
  "REDEMPTION_REFUND",
  "REFUND_REVERSED",
  "ADJUSTMENT",
  "SIGNUP_BONUS",
  "BIRTHDAY_BONUS",
  "EXPIRED",
  // An order that would earn while the earning rule waits for the merchant to confirm amounts
  // (docs/decisions/015): a row of no points, HELD until the rule is confirmed, then EARNED once.
  "EARNING_HELD",
] as const;
export type LedgerReason = (typeof LEDGER_REASONS)[number];

/** HELD: an EARNING_HELD row (no points) whose order has not earned yet; AVAILABLE once decided. */
export const LEDGER_STATUSES = ["AVAILABLE", "PENDING", "HELD"] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

export const LEDGER_ACTORS = ["CUSTOMER", "MERCHANT", "WEBHOOK", "WORKER", "SYSTEM"] as const;
export type LedgerActor = (typeof LEDGER_ACTORS)[number];

/**
 * The most points a customer can hold, pending included: the balances are `Int` columns, 32-bit on
 * PostgreSQL (https://www.postgresql.org/docs/current/datatype-numeric.html). A credit past it is
 * refused whole, never stored in part or wrapped.
 */
export const MAX_POINTS = 2_147_483_647;

/**
 * The note of a credit refused at MAX_POINTS by a webhook or the worker (the ledger keeps the row, with
 * no points, so it happens once and the merchant sees why in the customer's history).
 */
export function overLimitNote(points: number, held: number): string {
  const n = (v: number) => v.toLocaleString("en-US");
  return `Not credited: ${n(points)} points would take the customer's ${n(held)} (pending included) past ${n(MAX_POINTS)}, the most a balance can hold.`;
}

/**
 * The note of an order's EARNING_HELD row: the earning rule ("points per unit of the shop's currency")
 * was saved in another currency than the shop sells in now, so the order waits for the merchant
 * (docs/decisions/015). Currency codes only.
 */
export function heldEarningNote(savedIn: string, shopCurrency: string): string {
  return `Waiting for the shop to confirm its amounts: points per unit were set in ${savedIn}; the shop now sells in ${shopCurrency}. This order earns once they are confirmed.`;
}

/**
 * The note of an order's EARNING_HELD row when the order came in another shop currency than the one
 * the app has for the shop (orders/create `currency`): it waits until Shopify says which currency the
 * shop sells in (docs/decisions/019, addendum of 3 December 2026). Currency codes only.
 */
export function heldForOrderCurrencyNote(orderCurrency: string, shopCurrency: string): string {
  return `Waiting for the shop's currency: this order was placed in ${orderCurrency}, while points are earned on amounts in ${shopCurrency}. This order is decided once Shopify confirms which currency the shop sells in.`;
}

/**
 * The note of the EARNED row (no points) of an order held for its currency (heldForOrderCurrencyNote)
 * after Shopify said the shop still sells in `shopCurrency`: its amounts are in another currency than
 * the earning rule, and the app does not convert (docs/decisions/019, addendum of 3 December 2026).
 */
export function otherCurrencyOrderNote(orderCurrency: string, shopCurrency: string): string {
  return `No points: this order's amounts are in ${orderCurrency}, and the shop sells in ${shopCurrency}, the currency points are earned on.`;
}

/** The note of the EARNED row of an order that was held (heldEarningNote): earned with the confirmed rule. */
export const RELEASED_EARNING_NOTE = "Earned once the shop confirmed its amounts";

export function parseLedgerReason(value: string): LedgerReason | null {
  return (LEDGER_REASONS as readonly string[]).includes(value) ? (value as LedgerReason) : null;
}

/** Keys that make an entry happen once per source, whatever the deliveries (unique per shop). */
export const sourceKeys = {
  orderEarned: (orderGid: string) => `order:${orderGid}:earned`,
  orderCanceled: (orderGid: string) => `order:${orderGid}:canceled`,
  /** The order's EARNING_HELD row: it earns once the earning rule is confirmed (orderEarned then). */
  orderHeld: (orderGid: string) => `order:${orderGid}:held`,
  /** What the order's refunds recorded while it was held take back when it earns (one row). */
  orderHeldRefunds: (orderGid: string) => `order:${orderGid}:held-refunds`,
  refund: (refundId: string) => `refund:${refundId}`,
  redemption: (rewardId: string) => `reward:${rewardId}:redeemed`,
  redemptionRefund: (rewardId: string) => `reward:${rewardId}:refunded`,
  redemptionRefundReversed: (rewardId: string) => `reward:${rewardId}:refund-reversed`,
  signup: (customerGid: string) => `signup:${customerGid}`,
  birthday: (customerId: string, year: number) => `birthday:${customerId}:${year}`,
  /** `earlier`: expiries already recorded for this last activity (points released from hold after one expire too). */
  expiry: (customerId: string, lastActivityAt: Date, earlier = 0) => `expiry:${customerId}:${lastActivityAt.toISOString()}${earlier > 0 ? `:${earlier}` : ""}`,
  adjustment: (customerId: string, idempotencyKey: string) => `adjustment:${customerId}:${idempotencyKey}`,
};

/**
 * Taking `wanted` points from a customer: what is taken from the points still pending for the same
 * source, what from the available balance, and the shortfall the balance could not cover (the
 * balance never goes below zero; the shortfall is recorded and shown to the merchant).
 */
export function splitTakeBack(wanted: number, fromPending: number, available: number): { pending: number; available: number; shortfall: number } {
  const w = Math.max(0, Math.trunc(wanted));
  const pending = Math.min(w, Math.max(0, fromPending));
  const fromAvailable = Math.min(w - pending, Math.max(0, available));
  return { pending, available: fromAvailable, shortfall: w - pending - fromAvailable };
}

/** When pending points become spendable; null when there is no hold. */
export function availableAtFor(now: Date, pendingDays: number): Date | null {
  return pendingDays > 0 ? new Date(now.getTime() + pendingDays * 86_400_000) : null;
}

/** Adds calendar months (UTC), clamping the day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/** The date a customer's points expire after `expiryMonths` without activity; null = never. */
export function pointsExpireAt(lastActivityAt: Date, expiryMonths: number | null): Date | null {
  return expiryMonths && expiryMonths > 0 ? addMonths(lastActivityAt, expiryMonths) : null;
}

/**
 * The latest last activity whose points have expired at `now` after `expiryMonths`: every customer
 * with `pointsExpireAt(lastActivityAt) <= now` has `lastActivityAt <= expiryCandidatesCutoff(now)`, and
 * the cutoff's own expiry is not after `now` (tested over every day of several years). It is NOT
 * `addMonths(now, -expiryMonths)`: the clamped day makes the months uneven — 31 January + 1 month is
 * 28 February, so on 28 February `now − 1 month` (28 January) leaves out the 29, 30 and 31 January
 * customers whose date has come. Because the clamp keeps the time of day, a few customers at or
 * before the cutoff are not due yet (30 January 23:00 + 1 month = 28 February 23:00, while 31 January
 * 10:00 is due at 10:00): the caller checks each with `pointsExpireAt`.
 */
export function expiryCandidatesCutoff(now: Date, expiryMonths: number): Date {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() - expiryMonths; // Date.UTC carries it across years
  const day = now.getUTCDate();
  const timeOfDay = now.getTime() - Date.UTC(year, now.getUTCMonth(), day);
  const daysInTarget = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  // Today's day does not exist in that month (30 March − 1 month): all of it has expired — every day
  // of February, clamped or not, lands on or before 28 March.
  if (day > daysInTarget) return new Date(Date.UTC(year, month + 1, 1) - 1);
  // On the last day of this month every later day of that month is clamped to today, at its own time.
  const lastOfThisMonth = new Date(Date.UTC(year, now.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, day === lastOfThisMonth ? daysInTarget : day) + timeOfDay);
}

/** "MM-DD" (or a full "YYYY-MM-DD" from a date input; the year is dropped) → "MM-DD"; null when not a real date. */
export function parseBirthday(value: unknown, now: Date = new Date()): string | null {
  if (typeof value !== "string") return null;
  const m = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return null;
  // Without a year, 2000 (a leap year) makes Feb 29 a valid birthday; with one, the date must exist
  // in that year (1990-02-29 does not) and the year be a plausible birth year: from 1900, and not
  // one still to come (`now`'s year at the latest).
  const year = m[1] === undefined ? 2000 : Number(m[1]);
  if (year < 1900 || (m[1] !== undefined && year > now.getUTCFullYear())) return null;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  // A full date still to come is no one's birth date either (this year's 12-25 on 1 December). One
  // day of slack: east of UTC (up to UTC+14) the customer's today is already UTC's tomorrow.
  if (m[1] !== undefined && Date.UTC(year, month - 1, day) > Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)) return null;
  return `${m[2]}-${m[3]}`;
}

/** The "MM-DD" birthday's day in `year` (UTC midnight); Feb 29 falls on Feb 28 in other years. */
function birthdayIn(birthday: string, year: number): Date {
  const [month, day] = birthday.split("-").map(Number) as [number, number];
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return new Date(Date.UTC(year, month - 1, Math.min(day, last)));
}

/** Whether `now` (UTC) is on or after this year's birthday; Feb 29 counts on Feb 28 in other years. */
export function birthdayReached(birthday: string, now: Date): boolean {
  return now.getTime() >= birthdayIn(birthday, now.getUTCFullYear()).getTime();
}

/**
 * The customer's latest birthday on or before `now` (UTC): this year's once reached, else last
 * year's — so a bonus window that runs past 31 December still finds a late-December birthday in
 * early January. Its `year` keys the bonus (`sourceKeys.birthday`): once per birthday, whichever
 * year the pass runs in.
 */
export function latestBirthday(birthday: string, now: Date): { year: number; at: Date } {
  const year = now.getUTCFullYear();
  const thisYear = birthdayIn(birthday, year);
  return now.getTime() >= thisYear.getTime() ? { year, at: thisYear } : { year: year - 1, at: birthdayIn(birthday, year - 1) };
}
