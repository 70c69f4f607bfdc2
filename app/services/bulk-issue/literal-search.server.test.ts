// Starting a bulk issue for a search with `%` or `_` in a large shop: LIKE matches more rows than the
// search literally does, and the app checks them in bounded batches. A search it could not check to
// the end must not be refused as "more than 10,000 customers match" when only a few do.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { createTemplate } from "../../../test/support/factories";
import { startBulkJob } from "./jobs.server";

describe("a bulk issue for a search with a LIKE wildcard in a large shop", () => {
  it("GIVEN 50,500 customers whose email matches 'a_b' only as a LIKE pattern and 3 that contain it literally THEN the refusal says the search can't be checked, never that over 10,000 match", async () => {
    const shop = `bulk-literal-${Date.now()}.myshopify.com`;
    await db.shop.create({ data: { domain: shop, currency: "USD" } });
    const template = await createTemplate(db, shop, { name: "Thank-you $3", purpose: "MANUAL", pointsCost: null, value: "3.00" });
    const rows = (from: number, n: number, email: (i: number) => string) =>
      Array.from({ length: n }, (_, k) => ({ shop, shopifyCustomerId: `gid://shopify/Customer/${from + k}`, email: email(from + k) }));
    for (let i = 0; i < 50_500; i += 2_000) {
      await db.customer.createMany({ data: rows(1_000_000 + i, Math.min(2_000, 50_500 - i), (n) => `axb${n}@example.com`) });
    }
    await db.customer.createMany({ data: rows(9_000_000, 3, (n) => `a_b${n}@example.com`) });
    const r = await startBulkJob(db, { shop, templateId: template.id, target: { type: "SEARCH", search: "a_b" } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).not.toMatch(/More than 10,000 customers match/);
    expect(r.error).toMatchObject({ code: "too_many_customers", field: "query", message: expect.stringContaining("could not be checked") });
    expect(await db.bulkIssueJob.count({ where: { shop } })).toBe(0);
  }, 120_000);
});
