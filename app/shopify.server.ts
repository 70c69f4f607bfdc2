// The one configured Shopify SDK instance, re-exported as named helpers (authenticate, login, …).
import "@shopify/shopify-app-remix/server/adapters/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import db from "./db.server";
import { env } from "./env.server";
import { logger } from "./logger.server";
import { createAdminFetch } from "./shopify/admin-fetch.server";
import { resumeShop } from "./services/lifecycle/lifecycle.server";

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

const shopify = shopifyApp({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: ADMIN_API_VERSION,
  scopes: config.SCOPES.split(",").map((s) => s.trim()).filter(Boolean),
  appUrl: config.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new PrismaSessionStorage(db),
  distribution: AppDistribution.AppStore,
  logger: { level: libraryLogLevel(config.LOG_LEVEL) },
  future: {
    // Token exchange: embedded installs get their offline token from the session token, no redirects.
    unstable_newEmbeddedAuthStrategy: true,
  },
  hooks: {
    // Runs after every token exchange (install, reinstall, or a fresh token after a rejected one):
    // the shop is installed again and work deferred meanwhile is due at once.
    afterAuth: async ({ session }) => {
      await resumeShop(db, { shop: session.shop, now: new Date(), logger });
      logger.info({ shop: session.shop }, "app installed or re-authenticated");
    },
  },
  ...(config.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [config.SHOP_CUSTOM_DOMAIN] } : {}),
});

export default shopify;
export const apiVersion = ADMIN_API_VERSION;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
