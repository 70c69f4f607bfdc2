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
import { shopCurrencyCode, shopUpdateReadAt } from "~/domain/currency";
import { field } from "~/domain/json-fields";
import type { Logger } from "~/logger.server";
import type { Problem, Result } from "~/domain/result";
import type { RewardKind } from "~/domain/rewards";
import { adapterFor } from "~/shopify/kinds/index.server";
import { scopeGranted } from "~/shopify/kinds/scope-denied.server";
import type { RewardDeps } from "~/services/rewards/deps.server";
import { getShopInfo } from "~/shopify/shop.server";
import type { AdminGraphql } from "~/shopify/graphql.server";
import { heldOrdersDue } from "./amount-currency.server";
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

/**
 * Stores the shop's currency as Shopify said it at `readAt`, by the one rule of what a shop's currency is
 * (shopCurrencyCode, app/domain/currency.ts): a value that is no such code keeps the stored one. Readings
 * arrive out of order (a shop/update body is applied minutes or hours after it was sent, and Shopify does
 * not order deliveries: https://shopify.dev/docs/apps/build/webhooks), so the row keeps when its currency
 * was read (`currencyReadAt`) and an older reading never overwrites a later one. Returns whether it stored.
 */
export async function storeShopCurrency(db: Pick<Db, "shop">, shop: string, value: unknown, readAt: Date): Promise<boolean> {
  const currency = shopCurrencyCode(value);
  if (currency === null) return false;
  const notOlder = { domain: shop, OR: [{ currencyReadAt: null }, { currencyReadAt: { lte: readAt } }] };
  // A few rounds at most: each round's two statements either store, or meet a row that moved between them.
  for (let round = 0; round < 3; round++) {
    // Another currency than the one stored: a review of amounts may end here (the shop back in the
    // currency they were typed in: docs/decisions/015, addendum of 3 December 2026), so the orders held
    // for it are due — marked in the same statement, whichever way the currency came (shop/update, a
    // token exchange, the worker's read), and this process's worker woken.
    const moved = await db.shop.updateMany({ where: { ...notOlder, currency: { not: currency } }, data: { currency, currencyReadAt: readAt, heldOrdersDueAt: new Date() } });
    if (moved.count > 0) {
      heldOrdersDue();
      await answerCurrencyCheck(db, shop, readAt);
      return true;
    }
    const same = await db.shop.updateMany({ where: { ...notOlder, currency }, data: { currencyReadAt: readAt } });
    if (same.count > 0) {
      await answerCurrencyCheck(db, shop, readAt);
      return true;
    }
    // Neither: no row, or a later reading stored — or another reading changed the row in between: look again.
    const row = await db.shop.findUnique({ where: { domain: shop }, select: { currencyReadAt: true } });
    if (!row || (row.currencyReadAt !== null && row.currencyReadAt.getTime() > readAt.getTime())) return false;
  }
  return false;
}

/**
 * A reading of the shop's currency as of `readAt` answers the question an order in another currency
 * asked (askShopCurrency, amount-currency.server.ts) when it is not older than the question: the mark
 * is cleared and the orders held for their currency are due (decided by the worker's "held orders"
 * task: earned once the amounts are confirmed in the order's currency, or decided without points when
 * the shop still sells in the stored one — docs/decisions/019, addendum of 3 December 2026).
 */
async function answerCurrencyCheck(db: Pick<Db, "shop">, shop: string, readAt: Date): Promise<void> {
  const answered = await db.shop.updateMany({ where: { domain: shop, currencyCheckDueAt: { lte: readAt } }, data: { currencyCheckDueAt: null, heldOrdersDueAt: new Date() } });
  if (answered.count > 0) heldOrdersDue();
}

/**
 * Asks Shopify about the shop and keeps what the app relies on: the scopes it granted (on the offline
 * session) and its currency (`Shop.currencyCode`, "The three letter code for the currency that the
 * shop sells in", 2026-10 schema) on the Shop row — the currency every amount the app shows, stores
 * and sends (amount-off values, store credit, gift cards, VIP thresholds) is in. Called after every
 * token exchange (afterAuth, app/shopify.server.ts), after the merchant granted access, and once by the
 * worker for a shop whose currency was never read (readUnreadShopCurrencies). A value that is not a
 * currency code keeps the stored one (storeShopCurrency).
 */
export async function refreshShopFacts(deps: Pick<RewardDeps, "db" | "adminFor">, shop: string): Promise<ScopesResult> {
  const admin = await deps.adminFor(shop);
  // Dated when the question is sent, not when the answer came: Shopify's answer is true as of some
  // moment in between, and a change made while the question was in flight (its shop/update dated
  // after this) must win over it. An answer dated too early only ever loses to a reading that is
  // later anyway; one dated too late would keep an older currency over that change.
  const askedAt = new Date();
  const info = await getShopInfo(admin);
  if (!info.ok) return { ok: false, error: { code: "shopify_error", message: "Shopify didn't say which access the app has. Reload the page to try again." } };
  await storeShopCurrency(deps.db, shop, info.data.currencyCode, askedAt);
  return { ok: true, granted: await storeGrantedScopes(deps.db, shop, info.data.grantedScopes) };
}

/**
 * shop/update (app/services/webhooks/effects.server.ts): the currency the body carries, as of
 * shopUpdateReadAt — both checked by its body shape (shopUpdateBody, app/services/webhooks/bodies.ts).
 */
export async function shopUpdated(db: Pick<Db, "shop">, delivery: { shop: string; payload: unknown; triggeredAt: Date | null }): Promise<boolean> {
  const asOf = shopUpdateReadAt(field(delivery.payload, "updated_at"), delivery.triggeredAt);
  if (asOf === null) return false;
  return storeShopCurrency(db, delivery.shop, field(delivery.payload, "currency"), asOf);
}

/** Shops whose currency is read per pass of readUnreadShopCurrencies. */
const CURRENCY_READS_PER_PASS = 20;

/**
 * The worker's "shop currencies" pass (app/jobs/tasks.server.ts): a shop whose currency was never read
 * from Shopify (`currencyReadAt` null — installed before the currency was read at token exchange, and
 * not exchanged a token since, which expiring offline tokens make rare) has it read once
 * (refreshShopFacts), a few shops per pass — and so does a shop asked about by an order that came in
 * another currency (`currencyCheckDueAt`: askShopCurrency, amount-currency.server.ts), until a reading
 * answers it. Installed shops only (not uninstalled, token not refused).
 * A shop Shopify doesn't answer for stays unread and is tried again when the pass comes round: each pass
 * starts after the last shop the previous one looked at (`after`), so shops that keep failing never hold
 * the others back. Returns where the next pass starts (null: from the beginning).
 */
export async function readUnreadShopCurrencies(
  deps: Pick<RewardDeps, "db" | "adminFor"> & { logger: Pick<Logger, "info"> },
  after: string | null,
): Promise<{ read: number; failed: number; next: string | null }> {
  const shops = await deps.db.shop.findMany({
    where: { OR: [{ currencyReadAt: null }, { currencyCheckDueAt: { not: null } }], uninstalledAt: null, accessRevokedAt: null, ...(after === null ? {} : { domain: { gt: after } }) },
    select: { domain: true },
    orderBy: { domain: "asc" },
    take: CURRENCY_READS_PER_PASS,
  });
  let [read, failed] = [0, 0];
  for (const { domain } of shops) {
    const facts = await refreshShopFacts(deps, domain).catch((error: unknown) => ({ ok: false as const, error: { message: error instanceof Error ? error.message : String(error) } }));
    if (facts.ok) read++;
    else {
      failed++;
      deps.logger.info({ shop: domain, problem: facts.error.message }, "the shop's currency could not be read from Shopify; tried again on a later pass");
    }
  }
  return { read, failed, next: shops.length === CURRENCY_READS_PER_PASS ? shops[shops.length - 1]!.domain : null };
}

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
    deps.logger.info({ shop, err: error }, "the stored offline token could not be tried");
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

/**
 * Reward kinds whose access is optional (shopify.app.toml `optional_scopes`): granted at run time,
 * and ended by an uninstall ("The granted scopes remain active until the merchant uninstalls the app
 * or revokes them": https://shopify.dev/docs/api/admin-graphql/2026-10/objects/AccessScope).
 */
const OPTIONAL_ACCESS_KINDS: readonly RewardKind[] = ["GIFT_CARD", "STORE_CREDIT"];

/** Whether `granted` holds any of the optional access (a gift card or store credit scope). */
export function holdsOptionalAccess(granted: readonly string[]): boolean {
  return OPTIONAL_ACCESS_KINDS.some((kind) => adapterFor(kind).scopes.some((scope) => scopeGranted(granted, scope)));
}

/**
 * The admin was opened from Shopify (a document load: install, reinstall, or the merchant opening the
 * app) while the stored grant holds optional access: asks Shopify which scopes the app has now
 * (refreshShopFacts). The stored grant can outlive the installation that made it — an uninstall
 * whose app/uninstalled is applied only after the reinstall leaves the old session, its token dead
 * and its grant listing gift card and store credit scopes the reinstall did not give back
 * (docs/decisions/015, addendum of 3 December 2026). The library exchanges a token only for a missing
 * or expired session (token-exchange strategy: `session.isActive(undefined, …)`), so nothing else
 * would notice before a call fails. A refused token
 * is the library's to answer (its client invalidates the token and sends the document to the bounce
 * page, whose reload exchanges a new token; afterAuth then stores the reinstall's grant): `graphql`
 * is the library's admin client, and the thrown answer is handed back for the loader to throw.
 * Nothing is asked when the stored grant holds no optional access (it cannot claim too much of it).
 * Best effort otherwise: an answer that is not a refused token leaves the stored grant as it was.
 */
export async function recheckOptionalAccess(
  deps: Pick<RewardDeps, "db">,
  shop: string,
  graphql: AdminGraphql,
): Promise<{ asked: boolean; reauthenticate: Response | null }> {
  const granted = await grantedScopesOf(deps.db, shop);
  if (granted === null || !holdsOptionalAccess(granted)) return { asked: false, reauthenticate: null };
  let reauthenticate: Response | null = null;
  const watched: AdminGraphql = async (query, options) => {
    try {
      return await graphql(query, options);
    } catch (error) {
      // The library's re-authentication (a redirect to its bounce page, or 401 for a fetch) after
      // Shopify refused the token; any other thrown answer is an HTTP error, read by runAdmin.
      if (error instanceof Response && (isRedirect(error.status) || error.status === 401)) reauthenticate = error;
      throw error;
    }
  };
  await refreshShopFacts({ db: deps.db, adminFor: async () => watched }, shop).catch(() => null);
  return { asked: true, reauthenticate };
}

function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
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
