// The rewards read models against a real database: a customer is named the same way in the rewards
// table, the reward's detail and a bulk issue's failures as in the customers list (customerLabel).
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { CUSTOMER_NAME_HIDDEN } from "~/copy/admin";
import { getBulkJob } from "~/services/bulk-issue/jobs.server";
import { getHomeStats } from "./dashboard.server";
import { createCustomer, createReward, createTemplate } from "../../../test/support/factories";
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
