// Admin API: customers (who a reward is for; their display name and email).
import { runAdmin, type AdminGraphql, type AdminResult, type RunOptions } from "./graphql.server";

export const CUSTOMER = `#graphql
  query LoyaltyCustomer($id: ID!) {
    customer(id: $id) { id displayName firstName lastName email: defaultEmailAddress { emailAddress } }
  }
`;

export const CUSTOMERS_SEARCH = `#graphql
  query LoyaltyCustomersSearch($query: String, $first: Int!, $after: String) {
    customers(first: $first, after: $after, query: $query) {
      nodes { id displayName defaultEmailAddress { emailAddress } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

export interface ShopifyCustomer {
  id: string;
  displayName: string;
  email: string | null;
}

type RawCustomer = { id: string; displayName: string; email?: { emailAddress: string | null } | null; defaultEmailAddress?: { emailAddress: string | null } | null };

const toCustomer = (c: RawCustomer): ShopifyCustomer => ({
  id: c.id,
  displayName: c.displayName,
  email: (c.email ?? c.defaultEmailAddress)?.emailAddress ?? null,
});

export async function getCustomer(graphql: AdminGraphql, id: string, options?: RunOptions): Promise<AdminResult<ShopifyCustomer | null>> {
  const r = await runAdmin<{ customer: RawCustomer | null }>(graphql, CUSTOMER, { id }, options);
  if (!r.ok) return r;
  return { ok: true, data: r.data.customer ? toCustomer(r.data.customer) : null, cost: r.cost };
}

export async function searchCustomers(
  graphql: AdminGraphql,
  params: { query?: string; first?: number; after?: string | null },
  options?: RunOptions,
): Promise<AdminResult<{ customers: ShopifyCustomer[]; nextCursor: string | null }>> {
  const r = await runAdmin<{ customers: { nodes: RawCustomer[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
    graphql,
    CUSTOMERS_SEARCH,
    { query: params.query ?? null, first: params.first ?? 25, after: params.after ?? null },
    options,
  );
  if (!r.ok) return r;
  return {
    ok: true,
    data: {
      customers: r.data.customers.nodes.map(toCustomer),
      nextCursor: r.data.customers.pageInfo.hasNextPage ? r.data.customers.pageInfo.endCursor : null,
    },
    cost: r.cost,
  };
}
