// Admin API: products, variants and collections, as far as a redemption option names them — does
// each id exist in the shop, what is it called, and does a variant belong to its product.
// `nodes(ids:)` answers null for an id the shop doesn't have (scope `read_products`).
import { runAdmin, type AdminGraphql, type AdminResult, type RunOptions } from "./graphql.server";

export const CATALOG_NODES = `#graphql
  query LoyaltyCatalogNodes($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      id
      ... on Product { title }
      ... on ProductVariant { title product { id } }
      ... on Collection { title }
    }
  }
`;

/** Largest list `nodes(ids:)` is asked for at once (Shopify accepts up to 250). */
export const MAX_CATALOG_IDS = 50;

export interface CatalogEntry {
  type: "Product" | "ProductVariant" | "Collection";
  title: string;
  /** ProductVariant: the product it belongs to. */
  productId?: string;
}

type RawNode = { __typename: string; id: string; title?: string; product?: { id: string } } | null;

/** Each id that exists in the shop as a product, variant or collection, with its title; unknown ids are absent. */
export async function lookupCatalog(
  graphql: AdminGraphql,
  ids: readonly string[],
  options?: RunOptions,
): Promise<AdminResult<Map<string, CatalogEntry>>> {
  const wanted = [...new Set(ids)].slice(0, MAX_CATALOG_IDS);
  if (wanted.length === 0) return { ok: true, data: new Map(), cost: null };
  const r = await runAdmin<{ nodes: RawNode[] }>(graphql, CATALOG_NODES, { ids: wanted }, options);
  if (!r.ok) return r;
  const found = new Map<string, CatalogEntry>();
  for (const node of r.data.nodes) {
    if (!node || !["Product", "ProductVariant", "Collection"].includes(node.__typename)) continue;
    found.set(node.id, {
      type: node.__typename as CatalogEntry["type"],
      title: node.title ?? "",
      ...(node.product ? { productId: node.product.id } : {}),
    });
  }
  return { ok: true, data: found, cost: r.cost };
}
