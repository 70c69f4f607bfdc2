// The friend's email from the Admin API is read by the one rule for a customer's email
// (customerEmailOf), as a webhook's is: the referral claim stores it on the friend's row.
import { describe, expect, it } from "vitest";
import type { AdminGraphql } from "./graphql.server";
import { getReferralCustomerFacts } from "./referral-customers.server";
import { customerDisplay } from "~/services/points/customers.server";

function answering(emailAddress: unknown): AdminGraphql {
  const customer = { id: "gid://shopify/Customer/5", createdAt: "2026-11-30T10:00:00Z", numberOfOrders: "0", defaultEmailAddress: { emailAddress } };
  return async () => new Response(JSON.stringify({ data: { customer } }), { headers: { "Content-Type": "application/json" } });
}

describe("getReferralCustomerFacts: the friend's email", () => {
  it.each([
    ["  ada@example.com ", "ada@example.com"],
    ["ada\u0000@example.com", null],
    [`${"a".repeat(400)}@example.com`, null],
    [42, null],
    ["   ", null],
  ])("%j → %j, as a webhook body's email is read", async (raw, expected) => {
    // It was kept as Shopify's answer held it: a NUL (which PostgreSQL cannot store), 400 characters,
    // a number, spaces — while the same email in a customers/create body was refused.
    const r = await getReferralCustomerFacts(answering(raw), "gid://shopify/Customer/5");
    expect(r.ok && r.data?.email).toBe(expected);
    expect(customerDisplay({ email: raw }).email).toBe(expected);
  });
});
