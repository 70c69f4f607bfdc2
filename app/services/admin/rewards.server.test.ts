// The rewards read models against a real database: a customer is named the same way in the rewards
// table, the reward's detail and a bulk issue's failures as in the customers list (customerLabel).
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { CUSTOMER_NAME_HIDDEN } from "~/copy/admin";
import { getBulkJob } from "~/services/bulk-issue/jobs.server";
import { getHomeStats } from "./dashboard.server";
import { createCustomer, createReward, createTemplate } from "../../../test/support/factories";
import { InvalidCursorError } from "./keyset.server";
import { listCustomers } from "./customers.server";
import { getRewardDetail, listRewards } from "./rewards.server";

const SHOP = "reward-names.myshopify.com";

describe("the customer's name on a reward", () => {
  it.each([
    ["no name but an email (Shopify sent none, or the customer has none)", { email: "ada@example.com" }, "ada@example.com"],
    ["neither name nor email (protected customer data withheld)", { email: null }, CUSTOMER_NAME_HIDDEN],
  ])("GIVEN a customer with %s THEN the rewards table, the reward, the bulk issue's failures and Home's failed recently name them as the customers list does", async (_label, fields, expected) => {
    const customer = await createCustomer(db, SHOP, fields);
    await db.customer.update({ where: { id: customer.id }, data: { displayName: "" } });
    const reward = await createReward(db, { ...customer, displayName: "" }, { status: "FAILED" });
    const template = await createTemplate(db, SHOP, {});
    const job = await db.bulkIssueJob.create({ data: { shop: SHOP, templateId: template.id, templateName: template.name, targetType: "TIER", target: "VIP tier Gold", total: 1, state: "DONE" } });
    await db.bulkIssueItem.create({ data: { jobId: job.id, shop: SHOP, customerId: customer.id, state: "FAILED", rewardId: reward.id, reasonCode: "code_taken" } });

    const listed = (await listCustomers(db, { shop: SHOP })).items.find((c) => c.id === customer.id);
    expect(listed?.name).toBe(expected);
    expect((await listRewards(db, { shop: SHOP, customerId: customer.id })).items.map((r) => r.customerName)).toEqual([expected]);
    expect((await getRewardDetail(db, SHOP, reward.id))?.customerName).toBe(expected);
    expect((await getBulkJob(db, SHOP, job.id))?.failures.map((f) => f.customerName)).toEqual([expected]);
    expect((await getHomeStats(db, SHOP)).recentFailures.find((f) => f.id === reward.id)?.customerName).toBe(expected);
  });
});

describe("Activity → Rewards paged with the arrows", () => {
  it.each([
    ["no search", null, 23],
    ["a search that matches every other customer (pages read on past the rows that don't match)", "öz", 46],
  ] as const)("GIVEN rewards created on three milliseconds only (ties ordered by id) and %s WHEN paged forward to the last page and back to the first THEN 23 rewards show once each, pages come back the same, and the ends have no arrow", async (_label, search, count) => {
    const shop = `paging-${search ? "search" : "all"}.myshopify.com`;
    const at = new Date("2026-11-30T10:00:00.000Z").getTime();
    const expected: string[] = [];
    for (let i = 0; i < count; i++) {
      const matching = !search || i % 2 === 0;
      const customer = await createCustomer(db, shop, { firstName: matching ? "Ayşe" : "Other", lastName: matching ? `Öz ${i}` : `${i}`, email: null });
      const reward = await createReward(db, customer, {});
      await db.reward.update({ where: { id: reward.id }, data: { createdAt: new Date(at + (i % 3)) } });
      if (matching) expected.push(reward.id);
    }

    let page = await listRewards(db, { shop, search, pageSize: 10 });
    expect(page.previousCursor).toBeNull();
    const pages = [page.items.map((r) => r.id)];
    while (page.nextCursor) {
      page = await listRewards(db, { shop, search, pageSize: 10, after: page.nextCursor });
      pages.push(page.items.map((r) => r.id));
    }
    expect(pages.map((p) => p.length)).toEqual([10, 10, 3]);
    expect([...pages.flat()].sort()).toEqual([...expected].sort());

    const back: string[][] = [];
    while (page.previousCursor) {
      page = await listRewards(db, { shop, search, pageSize: 10, before: page.previousCursor });
      back.push(page.items.map((r) => r.id));
    }
    expect(back).toEqual([pages[1], pages[0]]);
  });

  it.each([
    ["not base64url", "%%%"],
    ["no id", "bm9wZQ"],
    ["a points key on a date list", "bjk5OTk5OTk5OTk5LmFiYw"],
    ["a text key that is not sealed by the app", "c2FiYy5hYmM"],
    ["2 000 characters", "A".repeat(2000)],
  ])("GIVEN a tampered cursor (%s) THEN the list refuses it (InvalidCursorError, a 400 on the page)", async (_label, cursor) => {
    await expect(listRewards(db, { shop: SHOP, pageSize: 10, after: cursor })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(listRewards(db, { shop: SHOP, pageSize: 10, before: cursor })).rejects.toBeInstanceOf(InvalidCursorError);
  });
});

describe("the Status column says why at a glance", () => {
  it("GIVEN a Failed reward, a Pending one whose last attempt failed, a fresh Pending one and an Issued one THEN the rows carry the reason in a few words only where there is one", async () => {
    const shop = "status-notes.myshopify.com";
    const customer = await createCustomer(db, shop, {});
    const failed = await createReward(db, customer, { status: "FAILED", title: "failed" });
    await db.reward.update({ where: { id: failed.id }, data: { failureCode: "invalid_reward_settings" } });
    const retrying = await createReward(db, customer, { status: "PENDING", title: "retrying" });
    await db.reward.update({ where: { id: retrying.id }, data: { failureCode: "throttled", attempts: 1 } });
    const unknownReason = await createReward(db, customer, { status: "FAILED", title: "unknown reason" });
    await db.reward.update({ where: { id: unknownReason.id }, data: { failureCode: "a_code_from_a_newer_version" } });
    await createReward(db, customer, { status: "PENDING", title: "fresh" });
    await createReward(db, customer, { status: "ISSUED", title: "issued" });

    const notes = Object.fromEntries((await listRewards(db, { shop, customerId: customer.id })).items.map((r) => [r.title, r.statusNote]));
    expect(notes).toEqual({
      failed: "Settings rejected",
      retrying: "Retrying: Rate limited by Shopify",
      "unknown reason": "Unrecognised error",
      fresh: null,
      issued: null,
    });
    // The shop-wide Rewards page reads the same rows.
    expect((await listRewards(db, { shop, status: "FAILED" })).items.map((r) => r.statusNote).sort()).toEqual(["Settings rejected", "Unrecognised error"]);
  });
});

describe("a name from Shopify holding text-direction characters", () => {
  it("GIVEN a customer whose name ends in U+202E (right-to-left override) THEN the customers list, the rewards table, the reward and Home show it without them, and the stored name is unchanged", async () => {
    const shop = "bidi-names.myshopify.com";
    const customer = await createCustomer(db, shop, { firstName: "Eve", lastName: "\u202Eevil\u2066", email: "eve@example.com" });
    const reward = await createReward(db, customer, { status: "FAILED" });
    const shown = "Eve evil";
    expect((await listCustomers(db, { shop })).items.map((c) => c.name)).toEqual([shown]);
    expect((await listRewards(db, { shop, customerId: customer.id })).items.map((r) => r.customerName)).toEqual([shown]);
    expect((await getRewardDetail(db, shop, reward.id))?.customerName).toBe(shown);
    expect((await getHomeStats(db, shop)).recentFailures.find((f) => f.id === reward.id)?.customerName).toBe(shown);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).displayName).toBe("Eve \u202Eevil\u2066");
  });
});
