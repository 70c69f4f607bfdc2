// A create Shopify denied (ACCESS_DENIED) for a kind whose scopes are optional (shopify.app.toml
// `optional_scopes`): is it a scope the shop has not granted — never, or no longer after an
// app/scopes_update that took it away — which the merchant can grant from the app
// (https://shopify.dev/docs/api/app-bridge-library/apis/scopes), or something else (the shop's plan)?
// The answer is Shopify's list of granted scopes (https://shopify.dev/docs/api/usage/access-scopes).
import type { AdminResult } from "../graphql.server";
import { getShopInfo } from "../shop.server";
import type { KindAccess } from "./types.server";

/** A write_ scope implies its read_ scope (https://shopify.dev/docs/api/usage/access-scopes). */
export function scopeGranted(granted: readonly string[], scope: string): boolean {
  return granted.includes(scope) || (scope.startsWith("read_") && granted.includes(`write_${scope.slice("read_".length)}`));
}

/** Marks an ACCESS_DENIED failure `scopeNotGranted` when one of `scopes` is not granted; any other result as is. */
export async function explainAccessDenied<T>(access: KindAccess, result: AdminResult<T>, scopes: readonly string[]): Promise<AdminResult<T>> {
  if (result.ok || result.error.kind !== "access_denied") return result;
  const info = await getShopInfo(access.graphql, access.options);
  if (info.ok && scopes.some((scope) => !scopeGranted(info.data.grantedScopes, scope))) return { ...result, error: { ...result.error, scopeNotGranted: true } };
  return result;
}
