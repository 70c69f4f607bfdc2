// The Shopify emulator wired into a test file: MSW answers the app's Admin API calls from it
// in-process; any other non-local request fails the test (tests never touch the network).
import { afterAll, afterEach, beforeAll } from "vitest";
import { setupServer } from "msw/node";
import path from "node:path";
import { createShopifyEmulator, readAppConfig, type ManualClock, type ShopifyEmulator } from "@loyalty/shopify-emulator";
import { mswHandlers } from "@loyalty/shopify-emulator/msw";
import { TEST_APP } from "./constants";
import { ROOT } from "../setup/databases";
import db from "~/db.server";
import type { AdminGraphql } from "~/shopify/graphql.server";
import type { RefreshedPair } from "~/services/lifecycle/offline-token.server";

export interface EmulatorFixture {
  emulator: ShopifyEmulator;
  /** The app's Admin GraphQL function for a shop, through the real library (`unauthenticated.admin`). */
  adminGraphql(shop?: string): Promise<AdminGraphql>;
}

function isLocal(url: URL) {
  return ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

/** Call at the top level of a test file. */
export function useShopifyEmulator(options: { appUrl?: string; /** The emulator's time (its store and rate-limit buckets); default: system time. */ clock?: ManualClock } = {}): EmulatorFixture {
  const emulator = createShopifyEmulator({
    apiKey: TEST_APP.apiKey,
    apiSecret: TEST_APP.apiSecret,
    appUrl: options.appUrl,
    clock: options.clock,
    // What Shopify knows of the app: its webhook subscriptions and app proxy.
    appConfig: readAppConfig(path.join(ROOT, "shopify.app.toml")),
  });
  const server = setupServer(...mswHandlers(emulator));
  beforeAll(() =>
    server.listen({
      onUnhandledRequest(request, print) {
        if (isLocal(new URL(request.url))) return;
        print.error();
      },
    }),
  );
  afterEach(() => emulator.inspect.reset());
  afterAll(() => server.close());
  return {
    emulator,
    async adminGraphql(shop = TEST_APP.shop) {
      const { unauthenticated } = await import("~/shopify.server");
      const { admin } = await unauthenticated.admin(shop);
      return admin.graphql as unknown as AdminGraphql;
    },
  };
}

/**
 * An emulated shop with the app installed, and the matching offline session in the app's database:
 * the shop's non-expiring token, or with `expiringToken` an expiring one and its refresh token, as
 * token exchange with `expiring=1` hands out (what the app gets since expiringOfflineAccessTokens).
 */
export async function installEmulatedShop(
  emulator: ShopifyEmulator,
  domain: string = TEST_APP.shop,
  seed: Record<string, unknown> = {},
  options: { expiringToken?: boolean } = {},
) {
  const shop = emulator.store.getShop(domain) ?? emulator.addShop({ domain, scopes: TEST_APP.scopes.split(","), ...seed });
  const pair = options.expiringToken ? emulator.issueExpiringToken(domain) : null;
  const at = Date.now();
  const token = pair
    ? {
        accessToken: pair.access_token,
        expires: new Date(at + pair.expires_in * 1000),
        refreshToken: pair.refresh_token,
        refreshTokenExpires: new Date(at + pair.refresh_token_expires_in * 1000),
      }
    : { accessToken: shop.accessToken, expires: null, refreshToken: null, refreshTokenExpires: null };
  await db.session.upsert({
    where: { id: `offline_${domain}` },
    create: { id: `offline_${domain}`, shop: domain, state: "", isOnline: false, scope: TEST_APP.scopes, ...token },
    update: { scope: TEST_APP.scopes, ...token },
  });
  await db.shop.upsert({ where: { domain }, create: { domain, currency: shop.currencyCode }, update: { uninstalledAt: null } });
  return shop;
}

/** A call to the emulated token endpoint (MSW), as the library sends it; a refusal throws like the library's error. */
async function tokenEndpoint(shop: string, grant: Record<string, string>): Promise<RefreshedPair> {
  const res = await fetch(`https://${shop}/admin/oauth/access_token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_id: TEST_APP.apiKey, client_secret: TEST_APP.apiSecret, ...grant }),
  });
  const body = (await res.json()) as Record<string, string | number>;
  if (!res.ok) throw Object.assign(new Error(`token endpoint refused: ${body.error}`), { response: { code: res.status, body } });
  const at = Date.now();
  return {
    accessToken: String(body.access_token),
    scope: String(body.scope),
    expires: new Date(at + Number(body.expires_in) * 1000),
    refreshToken: String(body.refresh_token),
    refreshTokenExpires: new Date(at + Number(body.refresh_token_expires_in) * 1000),
  };
}

/** The refresh grant. */
export const refreshGrant = (shop: string, refreshToken: string) => tokenEndpoint(shop, { grant_type: "refresh_token", refresh_token: refreshToken });

/** Token exchange of a non-expiring offline token for an expiring pair (`auth.migrateToExpiringToken`). */
export const migrateGrant = (shop: string, token: string) =>
  tokenEndpoint(shop, {
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: token,
    subject_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
    requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
    expiring: "1",
  });
