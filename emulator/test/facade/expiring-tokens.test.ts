// Expiring offline access tokens (emulator/src/oauth.ts): token exchange with expiring=1, the refresh
// grant and its rotation rules, 401 after expiry, the scaled clock. The old emulator ignored
// `expiring`, had no refresh grant and never expired a token: every test below failed against it.
import { describe, expect, it } from "vitest";
import { createScaledClock, createShopifyEmulator, parseAppConfig } from "../../src/index";

const KEY = "exp-key";
const SECRET = "exp-secret";
const HOUR = 3_600_000;

function setup(options: { rejectNonExpiringTokens?: boolean } = {}) {
  const clock = createScaledClock();
  const appConfig = parseAppConfig(`[webhooks]\napi_version = "2026-10"\n[[webhooks.subscriptions]]\ntopics = ["app/uninstalled"]\nuri = "/hooks"\n`);
  const emulator = createShopifyEmulator({ apiKey: KEY, apiSecret: SECRET, clock, appUrl: "http://127.0.0.1:9", appConfig, ...options });
  const shop = emulator.addShop({ domain: "exp.myshopify.com", scopes: ["read_discounts"] });
  const tokenEndpoint = (body: Record<string, string>) =>
    emulator.handle(
      new Request(`https://${shop.domain}/admin/oauth/access_token`, { method: "POST", body: JSON.stringify({ client_id: KEY, client_secret: SECRET, ...body }), headers: { "content-type": "application/json" } }),
    );
  const exchange = (expiring: "0" | "1") =>
    tokenEndpoint({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: emulator.sessionToken(shop.domain),
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      expiring,
    });
  const refresh = (refreshToken: string) => tokenEndpoint({ grant_type: "refresh_token", refresh_token: refreshToken });
  const admin = (token: string) =>
    emulator.handle(
      new Request(`https://${shop.domain}/admin/api/2026-10/graphql.json`, {
        method: "POST",
        body: JSON.stringify({ query: "{ shop { name } }" }),
        headers: { "content-type": "application/json", "x-shopify-access-token": token },
      }),
    );
  return { clock, emulator, shop, exchange, refresh, admin };
}

describe("expiring offline access tokens", () => {
  it("token exchange with expiring=1 returns expires_in 3600, a refresh token and its lifetime", async () => {
    const { exchange, shop } = setup();
    const body = await (await exchange("1")).json();
    expect(body).toMatchObject({ scope: "read_discounts", expires_in: 3600, refresh_token_expires_in: 90 * 24 * 3600 });
    expect(body.access_token).not.toBe(shop.accessToken);
    expect(body.refresh_token).toEqual(expect.any(String));
  });

  it("without expiring=1 hands out the non-expiring token, with no refresh token", async () => {
    const { exchange, shop } = setup();
    const body = await (await exchange("0")).json();
    expect(body).toEqual({ access_token: shop.accessToken, scope: "read_discounts" });
  });

  it("answers 401 to an expired access token, and the refresh grant gives a working one", async () => {
    const { exchange, refresh, admin, clock } = setup();
    const first = await (await exchange("1")).json();
    expect((await admin(first.access_token)).status).toBe(200);
    clock.advance(HOUR - 60_000);
    expect((await admin(first.access_token)).status).toBe(200);
    clock.advance(60_000);
    expect((await admin(first.access_token)).status).toBe(401);

    const res = await refresh(first.refresh_token);
    expect(res.status).toBe(200);
    const second = await res.json();
    expect(second).toMatchObject({ expires_in: 3600, scope: "read_discounts" });
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await admin(second.access_token)).status).toBe(200);
  });

  it("rotates: the used refresh token stays retryable until its replacement is used, then it is retired", async () => {
    const { exchange, refresh } = setup();
    const first = await (await exchange("1")).json();
    const second = await (await refresh(first.refresh_token)).json();
    // A lost answer: retrying the old token works, and only the newest replacement stays valid.
    const retried = await refresh(first.refresh_token);
    expect(retried.status).toBe(200);
    const third = await retried.json();
    const superseded = await refresh(second.refresh_token);
    expect(superseded.status).toBe(400);
    expect(await superseded.json()).toMatchObject({ error: "invalid_grant" });
    // Using the replacement retires its predecessor.
    expect((await refresh(third.refresh_token)).status).toBe(200);
    const retired = await refresh(first.refresh_token);
    expect(retired.status).toBe(400);
    expect(await retired.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("refuses an unknown, expired or revoked refresh token with 400 invalid_grant", async () => {
    const { exchange, refresh, clock, emulator, shop } = setup();
    expect((await refresh("shprt_unknown")).status).toBe(400);
    const a = await (await exchange("1")).json();
    clock.advance(91 * 24 * HOUR);
    expect(await (await refresh(a.refresh_token)).json()).toMatchObject({ error: "invalid_grant" });
    const b = await (await exchange("1")).json();
    await emulator.uninstall(shop.domain, { deliver: false });
    expect((await refresh(b.refresh_token)).status).toBe(400);
  });

  it("uninstall and token revocation kill expiring access tokens at once", async () => {
    const { exchange, admin, emulator, shop } = setup();
    const a = await (await exchange("1")).json();
    emulator.revokeAccessToken(shop.domain);
    expect((await admin(a.access_token)).status).toBe(401);
  });

  it("with rejectNonExpiringTokens, the non-expiring token gets 401 and expiring ones work", async () => {
    const { exchange, admin, shop } = setup({ rejectNonExpiringTokens: true });
    expect((await admin(shop.accessToken)).status).toBe(401);
    const a = await (await exchange("1")).json();
    expect((await admin(a.access_token)).status).toBe(200);
  });
});

describe("migrating a non-expiring offline token (token exchange with the offline token as subject)", () => {
  const migrateBody = (subject: string, expiring = "1") => ({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: subject,
    subject_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
    requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
    expiring,
  });
  function migrationSetup() {
    const base = setup();
    const tokenEndpoint = (body: Record<string, string>) =>
      base.emulator.handle(
        new Request(`https://${base.shop.domain}/admin/oauth/access_token`, {
          method: "POST",
          body: JSON.stringify({ client_id: KEY, client_secret: SECRET, ...body }),
          headers: { "content-type": "application/json" },
        }),
      );
    return { ...base, migrate: (subject: string, expiring = "1") => tokenEndpoint(migrateBody(subject, expiring)) };
  }

  it("returns an expiring pair, and the original token is refused by the Admin API from then on", async () => {
    const { migrate, admin, shop } = migrationSetup();
    expect((await admin(shop.accessToken)).status).toBe(200);
    const res = await migrate(shop.accessToken);
    expect(res.status).toBe(200);
    const pair = await res.json();
    expect(pair).toMatchObject({ expires_in: 3600, scope: "read_discounts", refresh_token_expires_in: 90 * 24 * 3600 });
    expect((await admin(pair.access_token)).status).toBe(200);
    expect((await admin(shop.accessToken)).status).toBe(401);
  });

  it("a retry with the original token within 7 days returns the same pair, its access expiry extended", async () => {
    const { migrate, admin, shop, clock } = migrationSetup();
    const first = await (await migrate(shop.accessToken)).json();
    clock.advance(2 * HOUR);
    expect((await admin(first.access_token)).status).toBe(401);
    const again = await migrate(shop.accessToken);
    expect(again.status).toBe(200);
    const second = await again.json();
    expect(second.access_token).toBe(first.access_token);
    expect(second.refresh_token).toBe(first.refresh_token);
    expect(second.expires_in).toBe(3600);
    // Not extended: what is left of the 90 days (the clock runs on in real time, so allow its seconds).
    expect(second.refresh_token_expires_in).toBeLessThanOrEqual(90 * 24 * 3600 - 2 * 3600);
    expect(second.refresh_token_expires_in).toBeGreaterThan(90 * 24 * 3600 - 2 * 3600 - 60);
    expect((await admin(first.access_token)).status).toBe(200);
  });

  it("recovery ends after 7 days, after a refresh of the pair, or when a later acquisition replaces it", async () => {
    const late = migrationSetup();
    await late.migrate(late.shop.accessToken);
    late.clock.advance(7 * 24 * HOUR + 1000);
    expect(await (await late.migrate(late.shop.accessToken)).json()).toMatchObject({ error: "invalid_subject_token" });

    const refreshed = migrationSetup();
    const pair = await (await refreshed.migrate(refreshed.shop.accessToken)).json();
    expect((await refreshed.refresh(pair.refresh_token)).status).toBe(200);
    expect((await refreshed.migrate(refreshed.shop.accessToken)).status).toBe(400);

    const replaced = migrationSetup();
    await replaced.migrate(replaced.shop.accessToken);
    expect((await replaced.exchange("1")).status).toBe(200);
    expect((await replaced.migrate(replaced.shop.accessToken)).status).toBe(400);
  });

  it("refuses an unknown token, a non-expiring request and an uninstalled shop", async () => {
    const { migrate, shop, emulator } = migrationSetup();
    expect(await (await migrate("shpat_unknown")).json()).toMatchObject({ error: "invalid_subject_token" });
    expect(await (await migrate(shop.accessToken, "0")).json()).toMatchObject({ error: "invalid_request" });
    await emulator.uninstall(shop.domain, { deliver: false });
    expect((await migrate(shop.accessToken)).status).toBe(400);
  });
});

describe("createScaledClock", () => {
  it("runs real time scaled, plus an offset that advance/set move", () => {
    let real = 1_000_000;
    const clock = createScaledClock({ scale: 60, offsetMs: 5, real: () => real });
    const start = clock.now().getTime();
    real += 1000;
    expect(clock.now().getTime() - start).toBe(60_000);
    clock.advance(HOUR);
    expect(clock.now().getTime() - start).toBe(60_000 + HOUR);
    clock.set(new Date(start));
    expect(clock.now().getTime()).toBe(start);
    expect(() => createScaledClock({ scale: 0 })).toThrow(/positive/);
  });
});

// A shop seeded without a scope list grants every scope the app declares (currentAppInstallation's
// accessScopes said so), but every token answer said `scope: ""`. The app stores the token answer's
// scope as the grant, so after a token migration or refresh it believed nothing was granted and
// offered no redemption options at all (the demo's storefront showed none).
describe("the granted scopes of a shop seeded without a scope list", () => {
  function unscopedSetup() {
    const clock = createScaledClock();
    const appConfig = parseAppConfig(
      `[access_scopes]\nscopes = "read_customers,write_discounts"\noptional_scopes = ["read_gift_cards", "write_gift_cards"]\n[webhooks]\napi_version = "2026-10"\n`,
    );
    const emulator = createShopifyEmulator({ apiKey: KEY, apiSecret: SECRET, clock, appUrl: "http://127.0.0.1:9", appConfig });
    const shop = emulator.addShop({ domain: "unscoped.myshopify.com" });
    const tokenEndpoint = async (body: Record<string, string>) => {
      const res = await emulator.handle(
        new Request(`https://${shop.domain}/admin/oauth/access_token`, { method: "POST", body: JSON.stringify({ client_id: KEY, client_secret: SECRET, ...body }), headers: { "content-type": "application/json" } }),
      );
      expect(res.status).toBe(200);
      return (await res.json()) as { scope: string; access_token: string; refresh_token?: string; associated_user_scope?: string };
    };
    const exchange = (requested: "offline" | "online", expiring: "0" | "1") =>
      tokenEndpoint({
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: emulator.sessionToken(shop.domain),
        subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
        requested_token_type: `urn:shopify:params:oauth:token-type:${requested}-access-token`,
        expiring,
      });
    const installationScopes = async () => {
      const res = await emulator.handle(
        new Request(`https://${shop.domain}/admin/api/2026-10/graphql.json`, {
          method: "POST",
          body: JSON.stringify({ query: "{ currentAppInstallation { accessScopes { handle } } }" }),
          headers: { "content-type": "application/json", "x-shopify-access-token": shop.accessToken },
        }),
      );
      const body = (await res.json()) as { data: { currentAppInstallation: { accessScopes: { handle: string }[] } } };
      return body.data.currentAppInstallation.accessScopes.map((s) => s.handle);
    };
    return { emulator, shop, tokenEndpoint, exchange, installationScopes };
  }
  const EVERY = "read_customers,write_discounts,read_gift_cards,write_gift_cards";

  it("every token answer names the scopes the installation has (token exchange, migration, refresh)", async () => {
    const { shop, tokenEndpoint, exchange, installationScopes } = unscopedSetup();
    expect((await installationScopes()).join(",")).toBe(EVERY);
    expect((await exchange("offline", "0")).scope).toBe(EVERY);
    const online = await exchange("online", "0");
    expect([online.scope, online.associated_user_scope]).toEqual([EVERY, EVERY]);
    const migrated = await tokenEndpoint({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: shop.accessToken,
      subject_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      expiring: "1",
    });
    expect(migrated.scope).toBe(EVERY);
    const refreshed = await tokenEndpoint({ grant_type: "refresh_token", refresh_token: migrated.refresh_token! });
    expect(refreshed.scope).toBe(EVERY);
    expect((await exchange("offline", "1")).scope).toBe(EVERY);
  });

  it("approving an optional scope it already has keeps the others (no scopes_update, nothing lost)", async () => {
    const { emulator, shop, installationScopes } = unscopedSetup();
    const outcome = await emulator.requestScopes(shop.domain, ["read_gift_cards"]);
    expect(outcome.webhook).toBeNull();
    expect((await installationScopes()).join(",")).toBe(EVERY);
  });
});
