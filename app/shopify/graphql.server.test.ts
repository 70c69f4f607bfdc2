// runAdmin reads Shopify's cost report (extensions.cost, https://shopify.dev/docs/api/usage/rate-limits)
// before anyone paces calls or stores figures from it: every number it hands on is a finite,
// non-negative number, or there is no report.
import { describe, expect, it } from "vitest";
import { runAdmin, type AdminGraphql, type QueryCost } from "./graphql.server";

function answering(cost: unknown): AdminGraphql {
  return async () => new Response(JSON.stringify({ data: { shop: { name: "x" } }, extensions: { cost } }), { headers: { "Content-Type": "application/json" } });
}

const GOOD = { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 } };

describe("runAdmin: Shopify's cost report", () => {
  it("hands on a report whose figures are numbers", async () => {
    const seen: QueryCost[] = [];
    const r = await runAdmin(answering(GOOD), "query Q { shop { name } }", {}, { onCost: (c) => seen.push(c) });
    expect(r.cost).toEqual(GOOD);
    expect(seen).toEqual([GOOD]);
  });

  it.each([
    ["no restoreRate", { ...GOOD, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990 } }],
    ["a restoreRate in words", { ...GOOD, throttleStatus: { ...GOOD.throttleStatus, restoreRate: "fast" } }],
    ["a negative maximum", { ...GOOD, throttleStatus: { ...GOOD.throttleStatus, maximumAvailable: -1 } }],
    ["a requested cost that is no number", { ...GOOD, requestedQueryCost: "10" }],
    ["an actual cost that is no number", { ...GOOD, actualQueryCost: "ten" }],
  ])("treats a report with %s as no report (nothing paced or stored from it)", async (_label, cost) => {
    // It was handed on as it came: the pacer's bucket took `restoreRate: undefined` and its refill
    // made the available budget NaN, so the shop's calls waited for ever in 10 ms steps; the bulk issue
    // stored Math.round(undefined) (NaN) in an Int column, and its pass failed.
    const seen: QueryCost[] = [];
    const r = await runAdmin(answering(cost), "query Q { shop { name } }", {}, { onCost: (c) => seen.push(c) });
    expect(r.ok).toBe(true);
    expect(r.cost).toBeNull();
    expect(seen).toEqual([]);
  });
});
