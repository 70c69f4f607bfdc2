// SHOP_CUSTOM_DOMAIN as the Shopify library takes it. Its shop check (`sanitizeShop`, which runs
// before the app's own parseShopDomain on the app proxy, at login and in authenticate.*) accepts
// `*.myshopify.com` and a few Shopify domains, plus the domains of its `domainTransformations`.
// `customShopDomains`, the option Shopify's app template used to pass, is no longer read by
// @shopify/shopify-api (15.x reads only `domainTransformations`, see its `ConfigParams`), so the
// custom domain is given as a transformation that maps each shop on it to itself.
import type { DomainTransformation } from "@shopify/shopify-api";

/** The library options that let shops on `customDomain` through its checks (none without one). */
export function libraryShopDomains(customDomain: string | undefined): { domainTransformations?: DomainTransformation[] } {
  if (!customDomain) return {};
  const escaped = customDomain.replaceAll(".", "\\.");
  // The handle's character set is the library's own (and parseShopDomain's, app/domain/shopify-ids.ts).
  return { domainTransformations: [{ match: new RegExp(`^([a-zA-Z0-9][a-zA-Z0-9-_]*)\\.${escaped}$`), transform: `$1.${customDomain}` }] };
}
