// The access scopes the shop granted the app, kept on the offline session row (`Session.scope`),
// which the admin reads to tell which rewards need an optional scope first.
//
// Shopify facts relied on:
//   - Optional scopes are granted at run time through App Bridge's scopes API, and Shopify then sends
//     app/scopes_update with the previous and current scopes
//     (https://shopify.dev/docs/api/app-bridge-library/apis/scopes,
//     https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-app/scopes_update).
//   - `currentAppInstallation.accessScopes` lists what the shop granted, optional scopes included
//     (AppInstallation.accessScopes in the 2026-10 schema).
// Both ways in — the webhook, and the admin asking Shopify right after the merchant granted access
// (the webhook is applied by the worker later) — write through storeGrantedScopes.
import type { Db } from "~/db.server";
import type { Problem, Result } from "~/domain/result";
import type { RewardKind } from "~/domain/rewards";
import { adapterFor } from "~/shopify/kinds/index.server";
import { scopeGranted } from "~/shopify/kinds/scope-denied.server";
import type { RewardDeps } from "~/services/rewards/deps.server";
import { getShopInfo } from "~/shopify/shop.server";
import { isRejectedToken } from "./lifecycle.server";

/** At most this many scopes are kept from one answer (Shopify's whole list is a few dozen). */
const MAX_SCOPES = 200;
const SCOPE_HANDLE = /^[a-z_]{1,64}$/;

/** Writes the shop's granted scopes on its offline session; handles that are not scope handles are dropped. */
export async function storeGrantedScopes(db: Db, shop: string, scopes: readonly unknown[]): Promise<string[]> {
  const handles = [...new Set(scopes.filter((s): s is string => typeof s === "string" && SCOPE_HANDLE.test(s)))].slice(0, MAX_SCOPES);
  await db.session.updateMany({ where: { shop, isOnline: false }, data: { scope: handles.join(",") } });
  return handles;
}

export type ScopesResult = Result<{ granted: string[] }, Problem<"shopify_error">>;

/** An ISO 4217 code, as Shopify's CurrencyCode enum spells them (2026-10 schema). */
const CURRENCY_CODE = /^[A-Z]{3}$/;

/**
 * Asks Shopify about the shop and keeps what the app relies on: the scopes it granted (on the offline
 * session) and its currency (`Shop.currencyCode`, "The three letter code for the currency that the
 * shop sells in", 2026-10 schema) on the Shop row — the currency every amount the app shows, stores
 * and sends (amount-off values, store credit, gift cards, VIP thresholds) is in. Called after every
 * token exchange (afterAuth, app/shopify.server.ts) and after the merchant granted access. A value
 * that is not a currency code keeps the stored one.
 */
export async function refreshShopFacts(deps: Pick<RewardDeps, "db" | "adminFor">, shop: string): Promise<ScopesResult> {
  const info = await getShopInfo(await deps.adminFor(shop));
  if (!info.ok) return { ok: false, error: { code: "shopify_error", message: "Shopify didn't say which access the app has. Reload the page to try again." } };
  if (CURRENCY_CODE.test(info.data.currencyCode)) {
    await deps.db.shop.updateMany({ where: { domain: shop, NOT: { currency: info.data.currencyCode } }, data: { currency: info.data.currencyCode } });
  }
  return { ok: true, granted: await storeGrantedScopes(deps.db, shop, info.data.grantedScopes) };
}

/** Asks Shopify which scopes the shop granted and stores them (after the merchant granted access). */
export const refreshGrantedScopes = refreshShopFacts;

/**
 * What Shopify says of the shop's stored offline token, asked with one Admin API call — the one
 * test of "is the app still installed?" (Shopify revokes the token at uninstall:
 * https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens, and answers 401
 * to a token it does not accept: https://shopify.dev/docs/api/usage/response-codes).
 *   accepted   — the call succeeded: the app is installed;
 *   refused    — 401 (after the one refresh the Admin API client tries), or a token the app already
 *                emptied after such a 401 (markAccessRevoked): the token is dead;
 *   no_session — the app holds no offline session for the shop (app/uninstalled deleted it): nothing
 *                is asked;
 *   no_answer  — anything else (network, timeout, 5xx, throttled): nothing can be concluded.
 */
export type OfflineTokenAnswer = "accepted" | "refused" | "no_session" | "no_answer";

export async function offlineTokenAnswer(deps: Pick<RewardDeps, "db" | "adminFor" | "logger">, shop: string): Promise<OfflineTokenAnswer> {
  const session = await deps.db.session.findUnique({ where: { id: `offline_${shop}` }, select: { accessToken: true } });
  if (!session) return "no_session";
  // Emptied by markAccessRevoked (lifecycle.server.ts) after Shopify refused it: nothing to try.
  if (session.accessToken === "") return "refused";
  try {
    const info = await getShopInfo(await deps.adminFor(shop));
    if (info.ok) return "accepted";
    return isRejectedToken(info.error) ? "refused" : "no_answer";
  } catch (error) {
    deps.logger.info({ shop, error: error instanceof Error ? error.message : String(error) }, "the stored offline token could not be tried");
    return "no_answer";
  }
}

/**
 * Whether Shopify accepts the stored offline token (app/uninstalled's `tokenStillWorks`,
 * app/services/lifecycle/lifecycle.server.ts): only "accepted" keeps an uninstall from being applied.
 */
export async function offlineTokenAccepted(deps: Pick<RewardDeps, "db" | "adminFor" | "logger">, shop: string): Promise<boolean> {
  return (await offlineTokenAnswer(deps, shop)) === "accepted";
}

/** The scopes a reward kind still needs (its adapter's, app/shopify/kinds) given what the shop granted. */
export function missingScopesFor(kind: RewardKind, granted: readonly string[]): string[] {
  return adapterFor(kind).scopes.filter((scope) => !scopeGranted(granted, scope));
}

/** A session's comma-separated `scope` as a list of handles. */
export function parseScopes(scope: string | null | undefined): string[] {
  return (scope ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

/** What the shop granted, as stored on its offline session; null when the app has no session for it. */
export async function grantedScopesOf(db: Pick<Db, "session">, shop: string): Promise<string[] | null> {
  const row = await db.session.findUnique({ where: { id: `offline_${shop}` }, select: { scope: true } });
  if (!row) return null;
  return parseScopes(row.scope);
}
