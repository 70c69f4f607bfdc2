// Admin API: the facts the referral fraud rules need about a friend who just signed in — when the
// customer was created in the shop (before the referral click means "already a customer") and the
// customer's email (the same-email rule). https://shopify.dev/docs/api/admin-graphql/latest/objects/Customer
import { customerEmailOf } from "~/domain/customer-email";
import { parseShopifyTime } from "~/domain/shopify-time";
import { runAdmin, type AdminGraphql, type AdminResult, type RunOptions } from "./graphql.server";

export const REFERRAL_CUSTOMER = `#graphql
  query LoyaltyReferralCustomer($id: ID!) {
    customer(id: $id) { id createdAt numberOfOrders defaultEmailAddress { emailAddress } }
  }
`;

export interface ReferralCustomerFacts {
  id: string;
  createdAt: Date | null;
  numberOfOrders: number;
  email: string | null;
}

type Raw = { id: string; createdAt?: string | null; numberOfOrders?: string | number | null; defaultEmailAddress?: { emailAddress: string | null } | null };

export async function getReferralCustomerFacts(graphql: AdminGraphql, id: string, options?: RunOptions): Promise<AdminResult<ReferralCustomerFacts | null>> {
  const r = await runAdmin<{ customer: Raw | null }>(graphql, REFERRAL_CUSTOMER, { id }, options);
  if (!r.ok) return r;
  const c = r.data.customer;
  if (!c) return { ok: true, data: null, cost: r.cost };
  return {
    ok: true,
    data: {
      id: c.id,
      createdAt: parseShopifyTime(c.createdAt),
      numberOfOrders: Number(c.numberOfOrders ?? 0) || 0,
      // The one rule for a customer's email (customerEmailOf), as webhooks' emails are read: the claim
      // stores it on the friend's row. It was kept as Shopify's answer held it (any type, length or
      // control character).
      email: customerEmailOf(c.defaultEmailAddress?.emailAddress),
    },
    cost: r.cost,
  };
}
