// Admin API: the shop itself (currency for amounts, whether it can issue gift cards).
import { runAdmin, type AdminGraphql, type AdminResult, type RunOptions } from "./graphql.server";

export const SHOP_INFO = `#graphql
  query LoyaltyShopInfo {
    shop {
      name
      myshopifyDomain
      currencyCode
      plan { displayName shopifyPlus }
      features { giftCards }
    }
    currentAppInstallation { accessScopes { handle } }
  }
`;

export interface ShopInfo {
  name: string;
  myshopifyDomain: string;
  currencyCode: string;
  planName: string;
  giftCards: boolean;
  /** The access scopes the shop granted the app, optional ones included once approved (AppInstallation.accessScopes). */
  grantedScopes: string[];
}

export async function getShopInfo(graphql: AdminGraphql, options?: RunOptions): Promise<AdminResult<ShopInfo>> {
  const r = await runAdmin<{ shop: unknown; currentAppInstallation: unknown }>(graphql, SHOP_INFO, {}, options);
  if (!r.ok) return r;
  // Read before anyone acts on it (Shop: name, myshopifyDomain, currencyCode, plan and features are
  // non-null in the 2026-10 schema; AppInstallation.accessScopes a list of AccessScope { handle }).
  // A shop without its plan or features was a TypeError thrown out of every caller (the gift card
  // adapter's availability check, refreshShopFacts); the currency and scopes are checked further
  // by their one rule each (storeShopCurrency, storeGrantedScopes, app/services/lifecycle/scopes.server.ts).
  const s = r.data.shop as { name?: unknown; myshopifyDomain?: unknown; currencyCode?: unknown; plan?: { displayName?: unknown } | null; features?: { giftCards?: unknown } | null } | null;
  const scopes = (r.data.currentAppInstallation as { accessScopes?: unknown } | null)?.accessScopes;
  if (
    !s ||
    typeof s.name !== "string" ||
    typeof s.myshopifyDomain !== "string" ||
    typeof s.currencyCode !== "string" ||
    typeof s.plan?.displayName !== "string" ||
    typeof s.features?.giftCards !== "boolean" ||
    !(scopes === undefined || Array.isArray(scopes))
  ) {
    return { ok: false, error: { kind: "graphql", messages: ["Shopify answered the shop's facts without a field the app reads"] }, cost: r.cost };
  }
  const grantedScopes = (Array.isArray(scopes) ? scopes : []).flatMap((a: unknown) => {
    const handle = (a as { handle?: unknown } | null)?.handle;
    return typeof handle === "string" ? [handle] : [];
  });
  return {
    ok: true,
    data: { name: s.name, myshopifyDomain: s.myshopifyDomain, currencyCode: s.currencyCode, planName: s.plan.displayName, giftCards: s.features.giftCards, grantedScopes },
    cost: r.cost,
  };
}
