// The one configured Shopify SDK instance, re-exported as named helpers (authenticate, login, …).
import "@shopify/shopify-app-remix/server/adapters/node";
import { AsyncLocalStorage } from "node:async_hooks";
import { shopifyApi, type Session } from "@shopify/shopify-api";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { json } from "@remix-run/node";
import db from "./db.server";
import { env } from "./env.server";
import { logger } from "./logger.server";
import { URL_CONTROL_CHARACTERS_MESSAGE, repeatedQueryParameter, urlHasControlCharacters } from "./request-input.server";
import { createAdminFetch } from "./shopify/admin-fetch.server";
import { isReadableHostParam, shopFromSessionTokenDest } from "./domain/shopify-ids";
import { libraryShopDomains } from "./shopify/shop-domains.server";
import { resumeShop } from "./services/lifecycle/lifecycle.server";
import { refreshShopFacts } from "./services/lifecycle/scopes.server";
import type { AdminGraphql } from "./shopify/graphql.server";
import { ensureFreshOfflineToken, refreshingSessionStorage, type FreshToken } from "./services/lifecycle/offline-token.server";

const config = env();

// Must run after the node adapter import above, which installs the fetch captured at import time.
setAbstractFetchFunc(createAdminFetch(config.SHOPIFY_ADMIN_API_ORIGIN));

/** The Admin API version every GraphQL document in app/shopify is validated against. */
export const ADMIN_API_VERSION = ApiVersion.October26;

/** The library has its own logger; keep it in step with LOG_LEVEL. */
function libraryLogLevel(level: string): LogSeverity {
  if (level === "debug" || level === "trace") return LogSeverity.Debug;
  if (level === "info") return LogSeverity.Info;
  if (level === "warn") return LogSeverity.Warning;
  return LogSeverity.Error;
}

const scopes = config.SCOPES.split(",").map((s) => s.trim()).filter(Boolean);

// The refresh grant for expiring offline tokens. shopifyApp() does not expose its API object, so the
// app keeps its own, configured the same way (the refresh call needs only key, secret and shop).
const oauthApi = shopifyApi({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: ADMIN_API_VERSION,
  scopes,
  hostName: new URL(config.SHOPIFY_APP_URL).host,
  hostScheme: new URL(config.SHOPIFY_APP_URL).protocol === "http:" ? "http" : "https",
  isEmbeddedApp: true,
  logger: { level: libraryLogLevel(config.LOG_LEVEL) },
  ...libraryShopDomains(config.SHOP_CUSTOM_DOMAIN),
});

/** What a refresh or a migration hands back, as offline-token.server.ts stores it. */
function tokenOf(session: Session) {
  return {
    accessToken: session.accessToken ?? "",
    scope: session.scope ?? null,
    expires: session.expires ?? null,
    refreshToken: session.refreshToken ?? null,
    refreshTokenExpires: session.refreshTokenExpires ?? null,
  };
}

/**
 * The shop's offline token, refreshed first if it is near expiry or is `rejectedToken` — one refresher
 * per shop across processes (app/services/lifecycle/offline-token.server.ts).
 */
export function ensureOfflineToken(shop: string, options: { rejectedToken?: string; migrate?: boolean } = {}): Promise<FreshToken> {
  return ensureFreshOfflineToken(
    {
      db,
      now: () => new Date(),
      logger,
      refresh: async (shopDomain, refreshToken) => {
        const { session } = await oauthApi.auth.refreshToken({ shop: shopDomain, refreshToken });
        return tokenOf(session);
      },
      // Installs from before expiring tokens: token exchange of the non-expiring token (offline-token.server.ts).
      migrate: async (shopDomain, nonExpiringOfflineAccessToken) => {
        const { session } = await oauthApi.auth.migrateToExpiringToken({ shop: shopDomain, nonExpiringOfflineAccessToken });
        return tokenOf(session);
      },
    },
    shop,
    options,
  );
}

/**
 * The admin requests whose authenticate.admin exchanged a token (afterAuth ran for them): their
 * session and the shop's granted scopes were just stored from Shopify's answers, so the admin does
 * not ask again on the same load (tokenExchangedFor; app/routes/app.tsx).
 */
const authenticating = new AsyncLocalStorage<Request>();
const exchangedRequests = new WeakSet<Request>();

/** Whether authenticate.admin exchanged a token for this request (the install, reinstall or reconnect). */
export function tokenExchangedFor(request: Request): boolean {
  return exchangedRequests.has(request);
}

const shopify = shopifyApp({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: ADMIN_API_VERSION,
  scopes,
  appUrl: config.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: refreshingSessionStorage(new PrismaSessionStorage(db), (shop) => ensureOfflineToken(shop)),
  distribution: AppDistribution.AppStore,
  logger: { level: libraryLogLevel(config.LOG_LEVEL) },
  future: {
    // Token exchange: embedded installs get their offline token from the session token, no redirects.
    unstable_newEmbeddedAuthStrategy: true,
    // Offline tokens expire after an hour and come with a refresh token; Shopify requires them of
    // public apps from 2027-01-01 (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens).
    // Refreshes go through ensureOfflineToken above (the session storage calls it on load).
    expiringOfflineAccessTokens: true,
  },
  hooks: {
    // Runs after every token exchange (install, reinstall, or a fresh token after a rejected one):
    // the shop is installed again and work deferred meanwhile is due at once.
    afterAuth: async ({ session, admin }) => {
      const request = authenticating.getStore();
      if (request) exchangedRequests.add(request);
      await resumeShop(db, { shop: session.shop, now: new Date(), logger });
      // The shop's currency and granted scopes, from Shopify. Best effort: the install never fails for
      // it (the stored values stay; the next token exchange or access grant asks again).
      const facts = await refreshShopFacts({ db, adminFor: async () => admin.graphql as unknown as AdminGraphql }, session.shop).catch((error: unknown) => ({
        ok: false as const,
        error: { message: error instanceof Error ? error.message : String(error) },
      }));
      if (!facts.ok) logger.warn({ shop: session.shop, problem: facts.error.message }, "could not read the shop's currency and scopes after token exchange");
      logger.info({ shop: session.shop }, "app installed or re-authenticated");
    },
  },
  ...libraryShopDomains(config.SHOP_CUSTOM_DOMAIN),
});

export default shopify;
export const apiVersion = ADMIN_API_VERSION;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
/**
 * The library's authenticate, with the admin's URL checked first (every admin loader and action
 * starts here): an id or search holding a control character (`%00`) names nothing in the app, and a
 * NUL reaching a PostgreSQL query is a server error; a query parameter given twice is ambiguous
 * (every admin filter, sort and cursor takes one value); a `host` parameter that decodes to no host
 * makes the library throw (isReadableHostParam, app/domain/shopify-ids.ts), and so does a session
 * token whose `dest` names no shop (shopFromSessionTokenDest). All are answered 400
 * before anything is looked up (app/request-input.server.ts). The storefront's check is in authenticateStorefront.
 */
const UNREADABLE_HOST_MESSAGE =
  "The host parameter of this address is not the Shopify admin's address in base64, so the app can't tell which admin opened it. Open the app from your Shopify admin.";

const TOKEN_WITHOUT_SHOP_MESSAGE = "This request's session token does not name a shop (its destination is not a myshopify.com address). Open the app from your Shopify admin.";

/**
 * The claims of the request's session token — where the library looks for it: the Authorization
 * header's bearer token, else the `id_token` parameter — read WITHOUT checking its signature (the
 * library does that next), or null when there is no token or it is not a JWT whose payload is a
 * JSON object (the library refuses those itself, 401).
 */
function sessionTokenClaims(request: Request): Record<string, unknown> | null {
  const token = request.headers.get("authorization")?.replace("Bearer ", "") || new URL(request.url).searchParams.get("id_token");
  const payload = token?.split(".")[1];
  if (!payload || payload.length > 8_192) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return claims !== null && typeof claims === "object" && !Array.isArray(claims) ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export const authenticate: typeof shopify.authenticate = {
  ...shopify.authenticate,
  admin: async (request) => {
    if (urlHasControlCharacters(request.url)) throw json({ ok: false, message: URL_CONTROL_CHARACTERS_MESSAGE }, { status: 400 });
    const repeated = repeatedQueryParameter(request.url);
    if (repeated) throw json({ ok: false, message: `The parameter "${repeated.slice(0, 50)}" appears more than once in this address; give it once.` }, { status: 400 });
    // The library decodes `host` without catching what it throws (isReadableHostParam): a 500.
    const host = new URL(request.url).searchParams.get("host");
    if (host !== null && !isReadableHostParam(host)) throw json({ ok: false, message: UNREADABLE_HOST_MESSAGE }, { status: 400 });
    // The library reads the token's `dest` without catching what it throws (shopFromSessionTokenDest).
    const claims = sessionTokenClaims(request);
    if (claims && shopFromSessionTokenDest(claims.dest, config.SHOP_CUSTOM_DOMAIN) === null) throw json({ ok: false, message: TOKEN_WITHOUT_SHOP_MESSAGE }, { status: 400 });
    return authenticating.run(request, () => shopify.authenticate.admin(request));
  },
};
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
