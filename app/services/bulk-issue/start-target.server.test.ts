// Starting a bulk issue to a customer search or a tier, with text longer than the customers list
// reads: the job never starts for a shorter text than the merchant typed (which matches more people).
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { MAX_SEARCH_LENGTH, MAX_TIER_LENGTH } from "~/services/admin/customers.server";
import { createCustomer, createTemplate } from "../../../test/support/factories";
import { startBulkJob } from "./jobs.server";

const SHOP = "bulk-long-target.myshopify.com";

describe("a bulk issue's search and tier are used whole", () => {
  it("GIVEN a search longer than the list reads, whose first 100 characters match a customer and the whole text no one THEN refused on the search field, no job (it was cut and issued to that customer)", async () => {
    await db.shop.create({ data: { domain: SHOP, currency: "USD" } });
    const template = await createTemplate(db, SHOP, { name: "Thank-you $3", purpose: "MANUAL", pointsCost: null, value: "3.00" });
    await createCustomer(db, SHOP, { email: `${"a".repeat(MAX_SEARCH_LENGTH)}@example.com` });
    const search = `${"a".repeat(MAX_SEARCH_LENGTH)}zzz`;
    const r = await startBulkJob(db, { shop: SHOP, templateId: template.id, target: { type: "SEARCH", search } });
    expect(r).toMatchObject({ ok: false, error: { code: "invalid_target", field: "query", message: expect.stringContaining(`${MAX_SEARCH_LENGTH} characters`) } });

    const tier = `${"G".repeat(MAX_TIER_LENGTH)}old`;
    await createCustomer(db, SHOP, { vipTier: "G".repeat(MAX_TIER_LENGTH) });
    const byTier = await startBulkJob(db, { shop: SHOP, templateId: template.id, target: { type: "SEARCH", vipTier: tier } });
    expect(byTier).toMatchObject({ ok: false, error: { code: "invalid_target", field: "searchTier" } });
    expect(await db.bulkIssueJob.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("GIVEN a search of 60 characters that NFC writes as 120 (U+0958 is क + nukta) THEN refused on the search field, no job (its length was checked before NFC, then the list's reader cut it to 100 and a customer matching only that part got the reward)", async () => {
    const shop = "bulk-nfc-target.myshopify.com";
    await db.shop.create({ data: { domain: shop, currency: "USD" } });
    const template = await createTemplate(db, shop, { name: "Thank-you $3", purpose: "MANUAL", pointsCost: null, value: "3.00" });
    // Stored as Shopify stores names (NFC): the first 100 characters of the normalized search.
    await createCustomer(db, shop, { firstName: "\u0958".repeat(50).normalize("NFC"), lastName: "Tester" });
    const r = await startBulkJob(db, { shop, templateId: template.id, target: { type: "SEARCH", search: "\u0958".repeat(60) } });
    expect(r).toMatchObject({ ok: false, error: { code: "invalid_target", field: "query", message: expect.stringContaining(`${MAX_SEARCH_LENGTH} characters`) } });
    expect(await db.bulkIssueJob.count({ where: { shop } })).toBe(0);
  });
});
