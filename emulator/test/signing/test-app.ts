// A real `shopifyApp()` from @shopify/shopify-app-remix, configured like the loyalty app, so the
// signers are judged by the library's own verification rather than by our reading of it.
import "@shopify/shopify-app-remix/server/adapters/node";
import { ApiVersion, LogSeverity, Session, shopifyApp } from "@shopify/shopify-app-remix/server";

export const API_KEY = "emulator-test-api-key";
export const API_SECRET = "emulator-test-api-secret-0123456789";
export const APP_URL = "https://app.example.test";
export const SHOP = "loyalty-emulator.myshopify.com";
export const SCOPES = ["read_orders", "write_discounts", "read_customers", "write_app_proxy"];

// isbot treats curl/node user agents as bots and the library answers 410 to them.
export const BROWSER_USER_AGENT =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";

/** Minimal SessionStorage: enough for the library to look up `offline_{shop}`. */
export class MemorySessionStorage {
  readonly sessions = new Map<string, Session>();

  async storeSession(session: Session): Promise<boolean> {
    this.sessions.set(session.id, session);
    return true;
  }

  async loadSession(id: string): Promise<Session | undefined> {
    return this.sessions.get(id);
  }

  async deleteSession(id: string): Promise<boolean> {
    this.sessions.delete(id);
    return true;
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    for (const id of ids) this.sessions.delete(id);
    return true;
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    return [...this.sessions.values()].filter((s) => s.shop === shop);
  }
}

export function buildTestApp(storage = new MemorySessionStorage()) {
  const shopify = shopifyApp({
    apiKey: API_KEY,
    apiSecretKey: API_SECRET,
    appUrl: APP_URL,
    apiVersion: ApiVersion.October26,
    scopes: SCOPES,
    sessionStorage: storage,
    // Keep test output quiet; failures surface as thrown Responses, not logs.
    logger: { level: LogSeverity.Error },
  });
  return { shopify, storage };
}

/** The offline session the library looks up for a shop after install. */
export function offlineSession(shop = SHOP, scopes = SCOPES): Session {
  return new Session({
    id: `offline_${shop}`,
    shop,
    state: "installed",
    isOnline: false,
    scope: scopes.join(","),
    accessToken: "shpat_emulator_test_token",
  });
}

/** Awaits something expected to throw a Response (the library's way of rejecting a request). */
export async function thrownResponse(promise: Promise<unknown>): Promise<Response> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  throw new Error("Expected the library to throw a Response, but the request was accepted");
}
