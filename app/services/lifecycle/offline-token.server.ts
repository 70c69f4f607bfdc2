// Expiring offline access tokens: one refresher at a time per shop, across processes.
// Why: docs/decisions/017-expiring-offline-tokens.md.
//
// Shopify facts relied on:
//   - Expiring offline tokens last one hour; the refresh grant returns a new access token AND a new
//     refresh token, and the app must "store every refreshed token pair atomically"
//     (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens,
//     https://shopify.dev/changelog/more-resilient-refreshes-for-expiring-offline-access-tokens).
//   - The refresh token just used stays retryable only until its replacement is used; Shopify does not
//     say which of two answers to the same refresh token stays valid, so two processes refreshing at
//     once could each store a different pair and one of them be dead. Hence a lease on the session row.
//   - The Admin API answers 401 to an expired token (https://shopify.dev/docs/api/usage/response-codes);
//     a refused refresh is 400 invalid_grant.
//
// Protocol (the session row `offline_{shop}` is the single source of truth):
//   1. Read the row. Nothing to do when the token is not near expiry (proactive) or when the row
//      already holds a token other than the one Shopify rejected (reactive: someone refreshed).
//   2. Take the lease: UPDATE … WHERE refreshToken = <read> AND (no lease OR lease expired). Exactly
//      one process wins; the others wait and re-read (step 1) until the row changes.
//   3. The winner calls the refresh grant and writes the new pair WHERE refreshLeaseHolder = <me>
//      AND the row still holds the pair the refresh started from (compare-and-set), clearing the lease
//      in the same statement. A token exchange (afterAuth: install, reinstall, reconnect) stores its
//      pair through the session storage without looking at the lease; its pair is newer than the
//      refresh's, and Shopify may retire the older one, so a refresh never overwrites it (the row
//      keeps the exchange's pair and the refresher answers with it). A refused refresh
//      (invalid_grant) is the only outcome that means "access revoked"; anything else is transient.
//   4. The pair is dated (`storedAt`) when the refresh was asked for, not when its answer is stored:
//      an app/uninstalled triggered while the answer was on its way must not take the stored pair for
//      a reinstall's token (handleAppUninstalled, app/services/lifecycle/lifecycle.server.ts, keeps the
//      shop installed when a session is dated after the event). Dated early, it can only look older.
//      The same for a migration's pair.
//
// Migration of a non-expiring token (installs from before expiring tokens were turned on): the same
// lease, taken on the row's non-expiring access token, then token exchange with that token as the
// subject and `expiring=1` (`shopify.api.auth.migrateToExpiringToken`). Shopify answers a retry with
// the original token with the same pair for seven days, so a lost answer or a crash before the write
// is recovered by the next attempt; after migration the original token is refused by the Admin API
// (https://shopify.dev/docs/apps/build/authentication-authorization/migrate-to-expiring-offline-access-tokens,
// https://shopify.dev/changelog/more-resilient-token-exchanges-when-migrating-tokens-without-a-user-session).
// It runs when asked (the worker's periodic task, migrateNonExpiringOfflineTokens below) and when
// Shopify rejects the non-expiring token (from 2027-01-01 it rejects them all).
import { randomUUID } from "node:crypto";
import type { Db } from "~/db.server";
import type { Logger } from "~/logger.server";

/** Refresh this long before expiry (longer than the library's own 5-minute window, so it never races us). */
export const REFRESH_MARGIN_MS = 10 * 60 * 1000;
/** How long a refresher may hold the lease before another process may take over. */
export const REFRESH_LEASE_MS = 30 * 1000;

export interface RefreshedPair {
  accessToken: string;
  scope?: string | null;
  expires?: Date | null;
  refreshToken?: string | null;
  refreshTokenExpires?: Date | null;
}

export interface OfflineTokenDeps {
  db: Db;
  now: () => Date;
  logger?: Logger;
  /** The refresh grant (production: `shopify.api.auth.refreshToken`). Throws on refusal. */
  refresh: (shop: string, refreshToken: string) => Promise<RefreshedPair>;
  /**
   * Exchanges a non-expiring offline token for an expiring pair (production:
   * `shopify.api.auth.migrateToExpiringToken`). Throws on refusal. Without it, non-expiring tokens stay.
   */
  migrate?: (shop: string, nonExpiringToken: string) => Promise<RefreshedPair>;
  /** Waits between looks while another process holds the lease (default: real timers, growing). */
  pause?: (attempt: number) => Promise<void>;
  /** How many looks before giving up as "busy" (default 40, ≈ a lease and a half with the default pause). */
  maxLooks?: number;
}

export type FreshToken =
  | { ok: true; accessToken: string; refreshed: boolean }
  | { ok: false; reason: "no_session" | "not_refreshable" | "refresh_rejected" | "refresh_failed" | "busy"; detail?: string };

function defaultPause(attempt: number): Promise<void> {
  const ms = Math.min(50 * 2 ** Math.min(attempt, 5), 1000);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Did the token endpoint refuse the refresh token itself (400 invalid_grant / invalid_subject_token)? */
export function isRefusedRefresh(error: unknown): boolean {
  const response = (error as { response?: { code?: number; body?: { error?: string } } } | null)?.response;
  return response?.code === 400 && (response.body?.error === "invalid_grant" || response.body?.error === "invalid_subject_token");
}

/**
 * The shop's offline token, refreshed first when it expires within {@link REFRESH_MARGIN_MS} or when
 * it is `rejectedToken` (Shopify answered 401 to it). Safe to call from any number of processes at
 * once: one of them refreshes, the others wait for its result.
 */
export async function ensureFreshOfflineToken(
  deps: OfflineTokenDeps,
  shop: string,
  options: { rejectedToken?: string; migrate?: boolean } = {},
): Promise<FreshToken> {
  const { db, now, logger } = deps;
  const id = `offline_${shop}`;
  const pause = deps.pause ?? defaultPause;
  const maxLooks = deps.maxLooks ?? 40;
  for (let look = 0; look < maxLooks; look++) {
    const row = await db.session.findUnique({ where: { id } });
    if (!row || !row.accessToken) return { ok: false, reason: "no_session" };
    const at = now();
    const nonExpiring = !row.refreshToken && !row.expires;
    if (nonExpiring && deps.migrate && (options.migrate || options.rejectedToken === row.accessToken)) {
      const outcome = await migrateRow(deps, shop, row);
      if (outcome === "busy") {
        await pause(look);
        continue;
      }
      return outcome;
    }
    const due = options.rejectedToken !== undefined ? row.accessToken === options.rejectedToken : !!row.expires && row.expires.getTime() - at.getTime() < REFRESH_MARGIN_MS;
    if (!due) return { ok: true, accessToken: row.accessToken, refreshed: false };
    if (!row.refreshToken) return { ok: false, reason: "not_refreshable", detail: "the stored offline token has no refresh token" };
    if (row.refreshTokenExpires && row.refreshTokenExpires.getTime() <= at.getTime()) {
      return { ok: false, reason: "refresh_rejected", detail: "the refresh token expired" };
    }

    const holder = randomUUID();
    const claimed = await db.session.updateMany({
      where: { id, refreshToken: row.refreshToken, OR: [{ refreshLeaseUntil: null }, { refreshLeaseUntil: { lt: at } }] },
      // storedAt is kept (Prisma's @updatedAt would move it): it dates the token, not the lease.
      data: { refreshLeaseUntil: new Date(at.getTime() + REFRESH_LEASE_MS), refreshLeaseHolder: holder, storedAt: row.storedAt },
    });
    if (claimed.count === 0) {
      // Another process is refreshing (or just did): wait, then look at the row again.
      await pause(look);
      continue;
    }

    // The new pair is dated when it was asked for (protocol step 4 above), not when its answer is stored.
    const askedAt = now();
    let pair: RefreshedPair;
    try {
      pair = await deps.refresh(shop, row.refreshToken);
    } catch (error) {
      await releaseLease(db, id, holder);
      // A token exchange stored a newer pair meanwhile (Shopify may have retired ours for it): that
      // pair is the shop's access, so neither "revoked" nor "try later" is true.
      const newer = await newerStoredToken(db, id, row);
      if (newer) return { ok: true, accessToken: newer, refreshed: false };
      const detail = error instanceof Error ? error.message : String(error);
      if (isRefusedRefresh(error)) {
        logger?.warn({ shop }, "Shopify refused the offline token's refresh token");
        return { ok: false, reason: "refresh_rejected", detail };
      }
      logger?.warn({ shop, err: error }, "offline token refresh failed; will retry later");
      return { ok: false, reason: "refresh_failed", detail };
    }
    // Compare-and-set on the pair the refresh started from (protocol step 3 above).
    const written = await db.session.updateMany({
      where: { id, refreshLeaseHolder: holder, accessToken: row.accessToken, refreshToken: row.refreshToken },
      data: {
        accessToken: pair.accessToken,
        ...(pair.scope !== undefined ? { scope: pair.scope } : {}),
        expires: pair.expires ?? null,
        refreshToken: pair.refreshToken ?? null,
        refreshTokenExpires: pair.refreshTokenExpires ?? null,
        refreshLeaseUntil: null,
        refreshLeaseHolder: null,
        storedAt: askedAt,
      },
    });
    if (written.count === 0) return keptNewerPair(deps, shop, id, holder, pair.accessToken);
    logger?.info({ shop }, "offline access token refreshed");
    return { ok: true, accessToken: pair.accessToken, refreshed: true };
  }
  return { ok: false, reason: "busy", detail: "another process has been refreshing the token for too long" };
}

/** One migration attempt under the lease (see the top of this file); "busy" when another process holds it. */
async function migrateRow(
  deps: OfflineTokenDeps,
  shop: string,
  row: { id: string; accessToken: string; storedAt: Date },
): Promise<FreshToken | "busy"> {
  const { db, now, logger } = deps;
  const at = now();
  const holder = randomUUID();
  const claimed = await db.session.updateMany({
    where: { id: row.id, accessToken: row.accessToken, refreshToken: null, OR: [{ refreshLeaseUntil: null }, { refreshLeaseUntil: { lt: at } }] },
    data: { refreshLeaseUntil: new Date(at.getTime() + REFRESH_LEASE_MS), refreshLeaseHolder: holder, storedAt: row.storedAt },
  });
  if (claimed.count === 0) return "busy";
  const askedAt = now(); // the new pair's date (protocol step 4 above)
  let pair: RefreshedPair;
  try {
    pair = await deps.migrate!(shop, row.accessToken);
  } catch (error) {
    await releaseLease(db, row.id, holder);
    const newer = await newerStoredToken(db, row.id, { accessToken: row.accessToken, refreshToken: null });
    if (newer) return { ok: true, accessToken: newer, refreshed: false };
    const detail = error instanceof Error ? error.message : String(error);
    if (isRefusedRefresh(error)) {
      logger?.warn({ shop }, "Shopify refused to migrate the non-expiring offline token");
      return { ok: false, reason: "refresh_rejected", detail };
    }
    logger?.warn({ shop, err: error }, "offline token migration failed; will retry later");
    return { ok: false, reason: "refresh_failed", detail };
  }
  if (!pair.refreshToken || !pair.expires) {
    await releaseLease(db, row.id, holder);
    return { ok: false, reason: "refresh_failed", detail: "the migration answer has no expiry or refresh token" };
  }
  // Compare-and-set on the non-expiring token the migration started from (protocol step 3 above).
  const written = await db.session.updateMany({
    where: { id: row.id, refreshLeaseHolder: holder, accessToken: row.accessToken, refreshToken: null },
    data: {
      accessToken: pair.accessToken,
      ...(pair.scope !== undefined ? { scope: pair.scope } : {}),
      expires: pair.expires,
      refreshToken: pair.refreshToken,
      refreshTokenExpires: pair.refreshTokenExpires ?? null,
      refreshLeaseUntil: null,
      refreshLeaseHolder: null,
      storedAt: askedAt,
    },
  });
  if (written.count === 0) return keptNewerPair(deps, shop, row.id, holder, pair.accessToken);
  logger?.info({ shop }, "non-expiring offline token migrated to an expiring one");
  return { ok: true, accessToken: pair.accessToken, refreshed: true };
}

/**
 * Clears this refresher's lease, if it still holds it, without touching the token or its date. The row
 * is read first because a token exchange may have stored a newer pair (dated when stored) meanwhile:
 * the lease update must keep that date (Prisma's @updatedAt would move it), not the date read before.
 */
async function releaseLease(db: Db, id: string, holder: string): Promise<void> {
  const current = await db.session.findUnique({ where: { id }, select: { refreshLeaseHolder: true, storedAt: true } });
  if (!current || current.refreshLeaseHolder !== holder) return;
  await db.session.updateMany({ where: { id, refreshLeaseHolder: holder, storedAt: current.storedAt }, data: { refreshLeaseUntil: null, refreshLeaseHolder: null, storedAt: current.storedAt } });
}

/** The row's access token when it no longer holds the pair a refresh (or migration) started from, else null. */
async function newerStoredToken(db: Db, id: string, from: { accessToken: string; refreshToken: string | null }): Promise<string | null> {
  const current = await db.session.findUnique({ where: { id }, select: { accessToken: true, refreshToken: true } });
  if (!current?.accessToken) return null;
  return current.accessToken !== from.accessToken || current.refreshToken !== from.refreshToken ? current.accessToken : null;
}

/**
 * The compare-and-set found another pair in the row: a token exchange (install, reinstall, reconnect)
 * or a refresher that took over after our lease ran out stored it while our grant was on its way. That
 * pair is newer; it stays, and the caller works with it (ours may already be retired by Shopify).
 */
async function keptNewerPair(deps: OfflineTokenDeps, shop: string, id: string, holder: string, ours: string): Promise<FreshToken> {
  await releaseLease(deps.db, id, holder);
  deps.logger?.warn({ shop }, "offline token refreshed while a newer pair was stored; the row keeps the newer pair");
  const stored = await deps.db.session.findUnique({ where: { id }, select: { accessToken: true } });
  return { ok: true, accessToken: stored?.accessToken || ours, refreshed: false };
}

export interface MigrationSummary {
  examined: number;
  migrated: number;
  failed: number;
}

/**
 * The worker's pass over installed shops whose offline token does not expire: each is exchanged for
 * an expiring pair (at most `limit` shops per pass), so shops nobody opens are ready before Shopify
 * stops accepting non-expiring tokens on 2027-01-01. Failures are left for the next pass.
 */
export async function migrateNonExpiringOfflineTokens(
  db: Db,
  migrateShop: (shop: string) => Promise<FreshToken>,
  options: { limit?: number } = {},
): Promise<MigrationSummary> {
  const summary: MigrationSummary = { examined: 0, migrated: 0, failed: 0 };
  const rows = await db.session.findMany({
    where: { isOnline: false, refreshToken: null, expires: null },
    select: { shop: true },
    orderBy: { storedAt: "asc" },
    take: options.limit ?? 50,
  });
  if (rows.length === 0) return summary;
  const installed = new Set(
    (await db.shop.findMany({ where: { domain: { in: rows.map((r) => r.shop) }, uninstalledAt: null, accessRevokedAt: null }, select: { domain: true } })).map((s) => s.domain),
  );
  for (const { shop } of rows) {
    if (!installed.has(shop)) continue;
    summary.examined++;
    const outcome = await migrateShop(shop);
    if (outcome.ok && outcome.refreshed) summary.migrated++;
    else if (!outcome.ok) summary.failed++;
  }
  return summary;
}

// ---- wiring into the Shopify library and the Admin API callers -----------------------------------

interface StoredSessionLike {
  id: string;
  isOnline: boolean;
  refreshToken?: string;
}

interface SessionStorageLike<S extends StoredSessionLike> {
  storeSession(session: S): Promise<boolean>;
  loadSession(id: string): Promise<S | undefined>;
  deleteSession(id: string): Promise<boolean>;
  deleteSessions(ids: string[]): Promise<boolean>;
  findSessionsByShop(shop: string): Promise<S[]>;
}

/**
 * The app's session storage: the Prisma one, except that loading a shop's offline session first
 * refreshes its token through {@link ensureFreshOfflineToken} when it is near expiry. Every path
 * through the library that uses the offline session (unauthenticated.admin, webhooks, app proxy)
 * therefore gets a fresh token from the one coordinated refresher, and the library's own uncoordinated
 * refresh (5 minutes before expiry) never finds anything to do. When the refresh token is refused the
 * session is returned without it, so the library does not try again on its own either.
 */
export function refreshingSessionStorage<S extends StoredSessionLike>(
  inner: SessionStorageLike<S>,
  ensure: (shop: string) => Promise<FreshToken>,
): SessionStorageLike<S> {
  return {
    storeSession: (session) => inner.storeSession(session),
    deleteSession: (id) => inner.deleteSession(id),
    deleteSessions: (ids) => inner.deleteSessions(ids),
    findSessionsByShop: (shop) => inner.findSessionsByShop(shop),
    async loadSession(id) {
      const shop = id.startsWith("offline_") ? id.slice("offline_".length) : null;
      const fresh = shop ? await ensure(shop) : null;
      const session = await inner.loadSession(id);
      if (session && fresh && !fresh.ok && fresh.reason === "refresh_rejected") delete session.refreshToken;
      return session;
    },
  };
}

type GraphqlFn = (query: string, options?: { variables?: Record<string, unknown>; signal?: AbortSignal; tries?: number }) => Promise<Response>;

function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof Response) return error.status;
  const code = (error as { response?: { code?: unknown } } | null)?.response?.code;
  return typeof code === "number" ? code : undefined;
}

/**
 * An Admin GraphQL function for background work that survives token expiry: when Shopify answers 401
 * to the token, it has the token refreshed (or waits for the process refreshing it) and sends the call
 * again, once. Only when the refresh itself is refused does the 401 reach the caller, which then
 * treats the access as revoked (lifecycle.server.ts `markAccessRevoked`). A refresh that could not be
 * done for another reason (Shopify unreachable, another process still busy) surfaces as 503, a
 * transient failure. A 401 means the call was not executed, so sending it again is safe.
 */
export function refreshingAdminGraphql(
  shop: string,
  initial: { graphql: GraphqlFn; accessToken: string },
  load: () => Promise<{ graphql: GraphqlFn; accessToken: string }>,
  ensure: (shop: string, options: { rejectedToken?: string }) => Promise<FreshToken>,
): GraphqlFn {
  let current: Promise<{ graphql: GraphqlFn; accessToken: string }> = Promise.resolve(initial);
  return async (query, options) => {
    const client = await current;
    try {
      return await client.graphql(query, options);
    } catch (error) {
      if (httpStatusOf(error) !== 401) throw error;
      const fresh = await ensure(shop, { rejectedToken: client.accessToken });
      if (!fresh.ok) {
        if (fresh.reason === "refresh_failed" || fresh.reason === "busy") {
          throw new Response(`the shop's access token could not be refreshed now (${fresh.reason})`, { status: 503 });
        }
        throw error;
      }
      current = load();
      return (await current).graphql(query, options);
    }
  };
}
