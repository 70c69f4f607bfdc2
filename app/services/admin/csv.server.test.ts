// CSV cells: RFC 4180 quoting and spreadsheet formula neutralisation, table-driven.
import { describe, expect, it } from "vitest";
import { csvCell, csvLine, rewardsCsvFilename } from "./csv.server";

describe("csvCell", () => {
  it.each([
    ["plain text", "LOYAL-ABC123", "LOYAL-ABC123"],
    ["empty", "", ""],
    ["null", null, ""],
    ["a number stays a number (not neutralised)", -5, "-5"],
    ["a comma is quoted", "Smith, Jane", '"Smith, Jane"'],
    ["a quote is doubled and quoted", 'The "best" reward', '"The ""best"" reward"'],
    ["a line break is quoted", "line one\nline two", '"line one\nline two"'],
    ["a CRLF is quoted", "a\r\nb", '"a\r\nb"'],
    ["= starts a formula", "=1+1", "'=1+1"],
    ["+ starts a formula", "+33 612", "'+33 612"],
    ["- starts a formula", "-2+3", "'-2+3"],
    ["@ starts a formula", "@SUM(A1)", "'@SUM(A1)"],
    ["a tab in front is neutralised", "\t=1", "'\t=1"],
    ["a formula with a comma is neutralised, then quoted", '=HYPERLINK("http://x.test","click")', `"'=HYPERLINK(""http://x.test"",""click"")"`],
    ["= later in the text is harmless", "a=b", "a=b"],
  ])("%s", (_label, input, output) => {
    expect(csvCell(input)).toBe(output);
  });
});

describe("csvLine", () => {
  it("joins cells with commas and ends with CRLF", () => {
    expect(csvLine(["a", 1, null, "b,c"])).toBe('a,1,,"b,c"\r\n');
  });
});

describe("rewardsCsvFilename", () => {
  const now = new Date("2026-11-25T10:00:00Z");
  it("names the shop, the customer and the filter, with only safe characters", () => {
    expect(rewardsCsvFilename({ shop: "demo-loyalty.myshopify.com", status: "ISSUED", customerName: 'Zoë "Z" O\'Brien' }, now)).toBe(
      "rewards-demo-loyalty-zo-z-o-brien-issued-2026-11-25.csv",
    );
    expect(rewardsCsvFilename({ shop: "demo-loyalty.myshopify.com" }, now)).toBe("rewards-demo-loyalty-2026-11-25.csv");
  });
});
