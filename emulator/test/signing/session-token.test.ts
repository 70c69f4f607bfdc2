import { describe, expect, it } from "vitest";
import { decodeJwtUnverified, mintSessionToken, verifySessionToken, type SessionTokenTamper } from "../../src/session-token";
import { API_KEY, API_SECRET, APP_URL, BROWSER_USER_AGENT, SCOPES, SHOP, buildTestApp, offlineSession, thrownResponse } from "./test-app";

const APP_ROUTE = `${APP_URL}/app/rewards`;

function adminRequest(authorization: string, userAgent = BROWSER_USER_AGENT): Request {
  // A data request from the embedded admin: App Bridge's fetch adds the bearer token.
  return new Request(APP_ROUTE, { method: "GET", headers: { Authorization: authorization, "User-Agent": userAgent } });
}

describe("mintSessionToken", () => {
  it("carries the claims Shopify's admin puts in an embedded app's token", () => {
    const now = new Date("2026-10-02T12:00:00Z");
    const { token, claims } = mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, userId: 42, now });
    const decoded = decodeJwtUnverified(token);

    expect(decoded?.header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(decoded?.payload).toEqual(claims);
    expect(claims.iss).toBe(`https://${SHOP}/admin`);
    expect(claims.dest).toBe(`https://${SHOP}`);
    expect(claims.aud).toBe(API_KEY);
    expect(claims.sub).toBe("42");
    expect(claims.iat).toBe(now.getTime() / 1000);
    expect(claims.nbf).toBe(claims.iat);
    expect(claims.exp - claims.iat).toBe(60);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.sid).toBeTruthy();
    expect(mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET }).claims.jti).not.toBe(claims.jti);
  });
});

describe("mintSessionToken against authenticate.admin", () => {
  it("GIVEN an installed shop and a fresh token THEN the library authenticates the request", async () => {
    const { shopify, storage } = buildTestApp();
    await storage.storeSession(offlineSession());
    const { authorization } = mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, userId: 42 });

    const context = await shopify.authenticate.admin(adminRequest(authorization));

    expect(context.session.id).toBe(`offline_${SHOP}`);
    expect(context.session.shop).toBe(SHOP);
    expect(context.sessionToken?.dest).toBe(`https://${SHOP}`);
    expect(context.sessionToken?.sub).toBe("42");
  });

  const invalid: SessionTokenTamper[] = ["expired", "not-yet-valid", "wrong-secret", "wrong-audience", "bad-signature"];

  it.each(invalid)("GIVEN a %s token THEN the library answers 401 and asks App Bridge to retry", async (tamper) => {
    const { shopify, storage } = buildTestApp();
    await storage.storeSession(offlineSession());
    const { authorization } = mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, tamper });

    const response = await thrownResponse(shopify.authenticate.admin(adminRequest(authorization)));

    expect(response.status).toBe(401);
    expect(response.headers.get("X-Shopify-Retry-Invalid-Session-Request")).toBe("1");
  });

  it("GIVEN a token that expired 5 s ago THEN the library still accepts it (10 s clock tolerance)", async () => {
    const { shopify, storage } = buildTestApp();
    await storage.storeSession(offlineSession());
    const { authorization } = mintSessionToken({
      shop: SHOP,
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      now: Date.now() - 65_000,
    });
    await expect(shopify.authenticate.admin(adminRequest(authorization))).resolves.toBeDefined();
  });

  it("GIVEN a valid token but no stored session THEN the library sends App Bridge to re-auth (not a context)", async () => {
    const { shopify } = buildTestApp();
    const { authorization } = mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET });
    const response = await thrownResponse(shopify.authenticate.admin(adminRequest(authorization)));
    expect(response.status).toBe(401);
    expect(response.headers.get("X-Shopify-API-Request-Failure-Reauthorize-Url")).toContain(`shop=${SHOP}`);
  });

  it("GIVEN a stored session missing a configured scope THEN the library re-auths", async () => {
    const { shopify, storage } = buildTestApp();
    await storage.storeSession(offlineSession(SHOP, SCOPES.slice(1)));
    const { authorization } = mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET });
    const response = await thrownResponse(shopify.authenticate.admin(adminRequest(authorization)));
    expect(response.status).toBe(401);
  });

  it("GIVEN a bot-like User-Agent THEN the library answers 410 whatever the token", async () => {
    const { shopify, storage } = buildTestApp();
    await storage.storeSession(offlineSession());
    const { authorization } = mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET });
    const response = await thrownResponse(shopify.authenticate.admin(adminRequest(authorization, "curl/8.5.0")));
    expect(response.status).toBe(410);
  });
});

describe("verifySessionToken (the emulator's own check, e.g. for token exchange)", () => {
  it("agrees with the library on every variant", async () => {
    const { shopify, storage } = buildTestApp();
    await storage.storeSession(offlineSession());
    const variants: Array<SessionTokenTamper | undefined> = [undefined, "expired", "not-yet-valid", "wrong-secret", "wrong-audience", "bad-signature"];
    for (const tamper of variants) {
      const { token, authorization } = mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, tamper });
      const ours = verifySessionToken(token, { apiKey: API_KEY, apiSecret: API_SECRET });
      const library = await shopify.authenticate.admin(adminRequest(authorization)).then(
        () => true,
        () => false,
      );
      expect({ tamper, accepted: ours.ok }).toEqual({ tamper, accepted: library });
    }
    // A last character differing only in base64url padding bits decodes to the same signature
    // bytes; jose accepts it, so the emulator must too.
    const { token } = mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET });
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const lastValue = alphabet.indexOf(token.at(-1)!);
    const sameBytes = token.slice(0, -1) + alphabet[lastValue ^ 1];
    expect(verifySessionToken(sameBytes, { apiKey: API_KEY, apiSecret: API_SECRET }).ok).toBe(true);
    await expect(shopify.authenticate.admin(adminRequest(`Bearer ${sameBytes}`))).resolves.toBeDefined();

    const ok = verifySessionToken(mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET }).token, {
      apiKey: API_KEY,
      apiSecret: API_SECRET,
    });
    expect(ok).toMatchObject({ ok: true, shop: SHOP });
  });
});
