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
  const r = await runAdmin<{
    shop: { name: string; myshopifyDomain: string; currencyCode: string; plan: { displayName: string }; features: { giftCards: boolean } };
    currentAppInstallation: { accessScopes: { handle: string }[] } | null;
  }>(graphql, SHOP_INFO, {}, options);
  if (!r.ok) return r;
  const s = r.data.shop;
  return {
    ok: true,
    data: { name: s.name, myshopifyDomain: s.myshopifyDomain, currencyCode: s.currencyCode, planName: s.plan.displayName, giftCards: s.features.giftCards, grantedScopes: (r.data.currentAppInstallation?.accessScopes ?? []).map((a) => a.handle) },
    cost: r.cost,
  };
}
