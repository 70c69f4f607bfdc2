// Formatting shared by the admin pages. Times are shown in UTC (and say so): the server renders
// them and the browser hydrates the same text, so the page never flickers between time zones.
const DATE_TIME = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const DATE = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });
const DAY = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const NUMBER = new Intl.NumberFormat("en-US");

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? `${DATE_TIME.format(new Date(iso))} UTC` : "—";
}

export function formatDate(iso: string | null | undefined): string {
  return iso ? DATE.format(new Date(iso)) : "—";
}

/** "2026-11-25" → "Nov 25". */
export function formatDay(day: string): string {
  return DAY.format(new Date(`${day}T00:00:00Z`));
}

export function formatNumber(n: number): string {
  return NUMBER.format(n);
}

export function formatPoints(n: number): string {
  return `${NUMBER.format(n)} ${Math.abs(n) === 1 ? "point" : "points"}`;
}

/** A duration in words, to the largest whole unit: "3 days", "5 hours", "less than a minute". */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
  ];
  for (const [size, name] of units) {
    const n = Math.floor(ms / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? "" : "s"}`;
  }
  return "less than a minute";
}
