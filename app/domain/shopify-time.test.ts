// The app's one reader of Shopify's timestamps.
import { describe, expect, it } from "vitest";
import { isStoredTime, parseShopifyTime } from "./shopify-time";

describe("parseShopifyTime", () => {
  it.each([
    ["2025-03-11T20:54:30.516267807Z", "2025-03-11T20:54:30.516Z"],
    ["2026-11-30T10:00:00-05:00", "2026-11-30T15:00:00.000Z"],
    ["2026-11-30T10:00:00+05:30", "2026-11-30T04:30:00.000Z"],
    ["2026-11-30T10:00:00Z", "2026-11-30T10:00:00.000Z"],
    ["1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"],
    ["2028-02-29T12:00:00Z", "2028-02-29T12:00:00.000Z"],
  ])("reads %s", (text, iso) => expect(parseShopifyTime(text)?.toISOString()).toBe(iso));

  it.each([
    ["a bare number (Date reads '1' as 2001-01-01)", "1"],
    ["a month and day (Date reads a year for it)", "May 5"],
    ["a date without a time", "2026-11-30"],
    ["a time without a zone (whose local time?)", "2026-11-30T10:00:00"],
    ["an RFC 2822 date", "Mon, 30 Nov 2026 10:00:00 GMT"],
    ["year 0", "0000-01-01T00:00:00Z"],
    ["before 1970", "1969-07-20T20:17:00Z"],
    ["an impossible day", "2026-02-30T10:00:00Z"],
    ["nothing", ""],
    ["not text", 1_700_000_000_000],
    ["too long", `2026-11-30T10:00:00.${"1".repeat(60)}Z`],
  ])("refuses %s", (_label, value) => expect(parseShopifyTime(value)).toBeNull());

  it("isStoredTime bounds what is stored: 1970 to 9999", () => {
    expect(isStoredTime(new Date("9999-12-31T23:59:59.999Z"))).toBe(true);
    expect(isStoredTime(new Date(Date.UTC(10000, 0, 1)))).toBe(false);
    expect(isStoredTime(new Date(Number.NaN))).toBe(false);
  });
});
