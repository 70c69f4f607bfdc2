// Offline access tokens that expire, and their refresh tokens, as Shopify documents them:
//
//   - Token exchange (and the authorization-code grant) with `expiring=1` returns an access token with
//     `expires_in` (3600 s) and a `refresh_token` with `refresh_token_expires_in`
//     (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens,
//     https://shopify.dev/changelog/offline-access-tokens-now-support-expiry-and-refresh).
//   - The refresh grant (`grant_type=refresh_token`, POST /admin/oauth/access_token) returns a new
//     access token and a NEW refresh token: "Shopify replaces its refresh token every time your app uses
//     it" (https://shopify.dev/docs/apps/build/security/credentials-and-data/use-expiring-offline-access-tokens).
//   - Refresh tokens live 90 days. The refresh token just used stays usable "until [the app] starts
//     using the replacement refresh token", for at most 30 days after its first use; "When an app uses
//     the replacement refresh token, the preceding refresh token is retired"
//     (https://shopify.dev/changelog/more-resilient-refreshes-for-expiring-offline-access-tokens).
//   - A refused refresh is 400 `invalid_grant` (the OAuth 2.0 error for a bad refresh token, RFC 6749
//     §5.2; the code apps report from Shopify's token endpoint).
//   - An expired access token gets 401 from the Admin API like any other token it does not accept
//     (https://shopify.dev/docs/api/usage/response-codes).
//   - Migration of a non-expiring offline token: token exchange with the non-expiring token as
//     `subject_token` (`subject_token_type` = offline-access-token) and `expiring=1` returns an expiring
//     pair, and "the original non-expiring token remains invalid for GraphQL Admin API requests after
//     migration". A retry with the same original token "returns the same access-token and
//     refresh-token pair", extending the access token's expiry but not the refresh token's, until
//     seven days have passed, the app refreshed the pair, or a later token acquisition replaced it
//     (https://shopify.dev/changelog/more-resilient-token-exchanges-when-migrating-tokens-without-a-user-session,
//     https://shopify.dev/docs/apps/build/authentication-authorization/migrate-to-expiring-offline-access-tokens).
//
// Where the docs are silent the emulator takes the stricter reading (emulator/README.md, "Known
// divergences"): retrying an already-used refresh token issues a new pair and the replacement handed
// out earlier is retired (only the latest answer stays valid), and a refresh leaves earlier access
// tokens valid only until their own expiry.
import { randomBytes } from "node:crypto";
import type { EmulatorStore } from "./store";

export const ACCESS_TOKEN_TTL_SECONDS = 3_600;
export const REFRESH_TOKEN_TTL_SECONDS = 90 * 24 * 3_600;
export const REFRESH_RETRY_WINDOW_MS = 30 * 24 * 3_600 * 1_000;
export const MIGRATION_RETRY_WINDOW_MS = 7 * 24 * 3_600 * 1_000;

export interface ExpiringTokenPair {
  access_token: string;
  scope: string;
  expires_in: number;
  refresh_token: string;
  refresh_token_expires_in: number;
}

export type RefreshOutcome = { ok: true; pair: ExpiringTokenPair } | { ok: false; description: string };

function secondsUntil(at: Date, now: Date): number {
  return Math.max(0, Math.floor((at.getTime() - now.getTime()) / 1000));
}

/**
 * The scopes the app's installation on the shop has: its grant, or — for a shop seeded without a
 * scope list — every scope the app declares. The one answer for token responses (Shopify's token
 * endpoint returns the granted scopes: https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/token-exchange,
 * "scope" in the response), `currentAppInstallation.accessScopes` and App Bridge's scopes API.
 */
export function grantedScopes(record: { scopes?: string[] | undefined }, appScopes: readonly string[]): string[] {
  return [...(record.scopes ?? appScopes)];
}

/**
 * The grant an install leaves the shop with: the app's required scopes (`[access_scopes] scopes`),
 * nothing optional — optional scopes are granted only when the merchant approves a request for them
 * (https://shopify.dev/docs/apps/build/authentication-authorization/app-installation/manage-access-scopes).
 * An uninstall ends the grant of optional scopes: "The granted scopes remain active until the
 * merchant uninstalls the app or revokes them" (AccessScope,
 * https://shopify.dev/docs/api/admin-graphql/2026-10/objects/AccessScope), so a reinstall starts
 * from this grant again. When the emulator was given no required scopes (no shopify.app.toml), the
 * grant it had minus the declared optional scopes stands in for them; a shop seeded without a scope
 * list then keeps "every declared scope" only if the app declares no optional ones.
 */
export function installGrant(record: { scopes?: string[] | undefined }, config: { requiredScopes?: readonly string[]; optionalScopes?: readonly string[] }): string[] | undefined {
  const required = config.requiredScopes ?? [];
  const optional = config.optionalScopes ?? [];
  if (required.length > 0) return [...required];
  if (record.scopes) return record.scopes.filter((s) => !optional.includes(s));
  return optional.length > 0 ? [] : undefined;
}

/** Hands out a new expiring offline access token and a new refresh token for `shop`; `scope` is its grant (grantedScopes). */
export function issueExpiringPair(store: EmulatorStore, shop: string, scope: string, parent: string | null = null): ExpiringTokenPair {
  const record = store.getShop(shop);
  if (!record) throw new Error(`unknown shop ${shop}`);
  const now = store.now();
  const tokens = store.offlineTokens(shop);
  // Any new acquisition (not a refresh) replaces a migrated pair: its recovery by retry ends.
  if (parent === null) for (const migration of tokens.migrations.values()) migration.superseded = true;
  const access = { token: `shpat_x${randomBytes(16).toString("hex")}`, expiresAt: new Date(now.getTime() + ACCESS_TOKEN_TTL_SECONDS * 1000), scopes: record.scopes };
  const refresh = {
    token: `shprt_${randomBytes(20).toString("hex")}`,
    expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000),
    parent,
    firstUsedAt: null,
    replacement: null,
    retired: false,
  };
  tokens.access.set(access.token, access);
  tokens.refresh.set(refresh.token, refresh);
  return {
    access_token: access.token,
    scope,
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    refresh_token: refresh.token,
    refresh_token_expires_in: secondsUntil(refresh.expiresAt, now),
  };
}

export type MigrationOutcome = { ok: true; pair: ExpiringTokenPair; retried: boolean } | { ok: false; description: string };

/** Token exchange of the shop's non-expiring offline token for an expiring pair (top of this file). */
export function migrateNonExpiringToken(store: EmulatorStore, shop: string, subjectToken: string, scope: string): MigrationOutcome {
  const record = store.getShop(shop);
  if (!record || record.uninstalledAt) return { ok: false, description: "The app is not installed on this shop" };
  const tokens = store.offlineTokens(shop);
  const now = store.now();
  const earlier = tokens.migrations.get(subjectToken);
  if (earlier) {
    const refresh = tokens.refresh.get(earlier.refreshToken);
    const access = tokens.access.get(earlier.accessToken);
    const eligible =
      !earlier.superseded &&
      now.getTime() - earlier.at.getTime() <= MIGRATION_RETRY_WINDOW_MS &&
      !!refresh &&
      !refresh.retired &&
      refresh.firstUsedAt === null &&
      refresh.expiresAt > now &&
      !!access;
    if (!eligible) return { ok: false, description: "The offline access token was already migrated" };
    access.expiresAt = new Date(now.getTime() + ACCESS_TOKEN_TTL_SECONDS * 1000);
    return {
      ok: true,
      retried: true,
      pair: {
        access_token: access.token,
        scope,
        expires_in: ACCESS_TOKEN_TTL_SECONDS,
        refresh_token: refresh.token,
        refresh_token_expires_in: secondsUntil(refresh.expiresAt, now),
      },
    };
  }
  if (subjectToken !== record.accessToken || record.accessTokenMigratedAt) return { ok: false, description: "The offline access token is invalid" };
  const pair = issueExpiringPair(store, shop, scope);
  tokens.migrations.set(subjectToken, { at: now, accessToken: pair.access_token, refreshToken: pair.refresh_token, superseded: false });
  store.updateShop(shop, { accessTokenMigratedAt: now });
  return { ok: true, pair, retried: false };
}

/** The refresh grant: rotation and retirement as described at the top of this file. */
export function refreshExpiringToken(store: EmulatorStore, shop: string, refreshToken: string, scope: string): RefreshOutcome {
  const record = store.getShop(shop);
  if (!record || record.uninstalledAt) return { ok: false, description: "The app is not installed on this shop" };
  const tokens = store.offlineTokens(shop);
  const current = tokens.refresh.get(refreshToken);
  const now = store.now();
  if (!current || current.retired) return { ok: false, description: "The refresh token has been revoked or was already replaced" };
  if (current.expiresAt <= now) return { ok: false, description: "The refresh token has expired" };
  if (current.firstUsedAt && now.getTime() - current.firstUsedAt.getTime() > REFRESH_RETRY_WINDOW_MS) {
    current.retired = true;
    return { ok: false, description: "The refresh token was used more than 30 days ago" };
  }
  // Using a replacement retires the token it replaced.
  if (current.parent) {
    const parent = tokens.refresh.get(current.parent);
    if (parent) parent.retired = true;
  }
  // A retry of a used token: the replacement handed out before is superseded (stricter reading).
  if (current.replacement) {
    const earlier = tokens.refresh.get(current.replacement);
    if (earlier) earlier.retired = true;
  }
  current.firstUsedAt ??= now;
  const pair = issueExpiringPair(store, shop, scope, current.token);
  current.replacement = pair.refresh_token;
  return { ok: true, pair };
}

/** Does the Admin API accept `token` for `shop` now? The shop's non-expiring token, or an unexpired expiring one. */
export function acceptsAccessToken(store: EmulatorStore, shop: string, token: string, options: { nonExpiring: boolean }): boolean {
  const record = store.getShop(shop);
  if (!record || record.uninstalledAt) return false;
  if (token === record.accessToken) return options.nonExpiring && !record.accessTokenMigratedAt;
  const expiring = store.offlineTokens(shop).access.get(token);
  return !!expiring && expiring.expiresAt > store.now();
}

/** Every expiring token and refresh token of the shop stops working (uninstall, revocation). */
export function revokeExpiringTokens(store: EmulatorStore, shop: string): void {
  const tokens = store.offlineTokens(shop);
  tokens.access.clear();
  for (const refresh of tokens.refresh.values()) refresh.retired = true;
  for (const migration of tokens.migrations.values()) migration.superseded = true;
}
