import { describe, expect, it } from "vitest";
import {
  appProxySignatureMessage,
  computeAppProxySignature,
  proxyStorefrontUrl,
  signAppProxyRequest,
  verifyAppProxyUrl,
  type AppProxyTamper,
} from "../../src/app-proxy";
import { API_SECRET, APP_URL, SHOP, buildTestApp, offlineSession, thrownResponse } from "./test-app";

const PROXY_URL = `${APP_URL}/apps-proxy/rewards?y=1`;

describe("app proxy signature algorithm", () => {
  it("reproduces the example in Shopify's 'Authenticate app proxies' docs (secret 'hush')", () => {
    const params = new URLSearchParams(
      "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555",
    );
    expect(appProxySignatureMessage(params)).toBe(
      "extra=1,2logged_in_customer_id=1path_prefix=/apps/awesome_reviewsshop=shop-name.myshopify.comtimestamp=1317327555",
    );
    // The docs show a signature beginning 4c68c8624d737112c91818c11017d24d334b.
    expect(computeAppProxySignature(params, "hush")).toBe("4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb");
  });

  it("sorts the pairs in the byte order of their UTF-8 text, as the documented Ruby `.sort` does, above U+FFFF too", () => {
    // U+FF21 (bytes EF BC A1) sorts before U+1F600 (F0 9F 98 80); in UTF-16 units 0xFF21 > 0xD83D.
    const params = new URLSearchParams("\u{1F600}=1&\uFF21=2&a=3&\u00E9=4");
    expect(appProxySignatureMessage(params)).toBe("a=3\u00E9=4\uFF21=2\u{1F600}=1");
  });

  it("adds Shopify's parameters in Shopify's order, with an empty customer id when logged out", () => {
    const url = signAppProxyRequest(PROXY_URL, { secret: API_SECRET, shop: SHOP, timestamp: 1_800_000_000 });
    expect([...url.searchParams.keys()]).toEqual(["y", "shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"]);
    expect(url.searchParams.get("logged_in_customer_id")).toBe("");
    expect(url.search).toContain("path_prefix=%2Fapps%2Floyalty");
    expect(verifyAppProxyUrl(url, API_SECRET, { now: 1_800_000_000 })).toEqual({ ok: true });
  });

  it("sends the numeric customer id even when given a GID", () => {
    const url = signAppProxyRequest(PROXY_URL, { secret: API_SECRET, shop: SHOP, loggedInCustomerId: "gid://shopify/Customer/7788" });
    expect(url.searchParams.get("logged_in_customer_id")).toBe("7788");
  });

  it("replaces shopper-supplied copies of Shopify's parameters", () => {
    const url = signAppProxyRequest(`${APP_URL}/apps-proxy/rewards?logged_in_customer_id=666&y=1`, {
      secret: API_SECRET,
      shop: SHOP,
      loggedInCustomerId: 42,
    });
    expect(url.searchParams.getAll("logged_in_customer_id")).toEqual(["42"]);
  });

  it("maps a storefront URL to the app's proxied URL", () => {
    const url = proxyStorefrontUrl(`https://${SHOP}/apps/loyalty/rewards/history?y=1&page=2`, {
      appUrl: APP_URL,
      secret: API_SECRET,
      loggedInCustomerId: 42,
    });
    expect(url.origin).toBe(APP_URL);
    expect(url.pathname).toBe("/apps-proxy/rewards/history");
    expect(url.searchParams.get("y")).toBe("1");
    expect(url.searchParams.get("page")).toBe("2");
    expect(url.searchParams.get("shop")).toBe(SHOP);
    expect(url.searchParams.get("path_prefix")).toBe("/apps/loyalty");
    expect(() => proxyStorefrontUrl(`https://${SHOP}/apps/other/x`, { appUrl: APP_URL, secret: API_SECRET })).toThrow(/not under/);
  });
});

describe("signAppProxyRequest against authenticate.public.appProxy", () => {
  it("GIVEN a signed request from a logged-in customer THEN the library accepts it", async () => {
    const { shopify } = buildTestApp();
    const url = signAppProxyRequest(PROXY_URL, { secret: API_SECRET, shop: SHOP, loggedInCustomerId: 42 });

    const context = await shopify.authenticate.public.appProxy(new Request(url));

    // No offline session stored: valid request, but no admin client.
    expect(context.session).toBeUndefined();
    expect(typeof context.liquid).toBe("function");
    expect(new URL(url).searchParams.get("logged_in_customer_id")).toBe("42");
  });

  it("GIVEN an installed shop THEN the context has the offline session", async () => {
    const { shopify, storage } = buildTestApp();
    await storage.storeSession(offlineSession());
    const url = proxyStorefrontUrl(`https://${SHOP}/apps/loyalty/rewards`, { appUrl: APP_URL, secret: API_SECRET, loggedInCustomerId: null });

    const context = await shopify.authenticate.public.appProxy(new Request(url));

    expect(context.session?.shop).toBe(SHOP);
  });

  it("accepts repeated query keys (values joined with ',') and encoded characters", async () => {
    const { shopify } = buildTestApp();
    const url = signAppProxyRequest(`${APP_URL}/apps-proxy/search?tag=a&tag=b&q=caf%C3%A9+au+lait`, {
      secret: API_SECRET,
      shop: SHOP,
      loggedInCustomerId: 42,
    });
    await expect(shopify.authenticate.public.appProxy(new Request(url))).resolves.toBeDefined();
  });

  const rejected: Array<[string, AppProxyTamper]> = [
    ["a customer id changed after signing", { kind: "modify-param", key: "logged_in_customer_id", value: "43" }],
    ["an app parameter changed after signing", { kind: "modify-param", key: "y", value: "2" }],
    ["a signature made with another secret", { kind: "wrong-secret" }],
    ["a timestamp 120 s old", { kind: "stale-timestamp", ageSeconds: 120 }],
    ["a timestamp 91 s old", { kind: "stale-timestamp", ageSeconds: 91 }],
    ["a timestamp 120 s in the future", { kind: "future-timestamp" }],
    ["no signature", { kind: "drop-signature" }],
  ];

  it.each(rejected)("GIVEN %s THEN the library answers 400", async (_label, tamper) => {
    const { shopify } = buildTestApp();
    const url = signAppProxyRequest(PROXY_URL, { secret: API_SECRET, shop: SHOP, loggedInCustomerId: 42, tamper });
    expect(verifyAppProxyUrl(url, API_SECRET).ok).toBe(false);
    const response = await thrownResponse(shopify.authenticate.public.appProxy(new Request(url)));
    expect(response.status).toBe(400);
  });

  it("GIVEN a timestamp 60 s old (inside the 90 s window) THEN it is still accepted", async () => {
    const { shopify } = buildTestApp();
    const url = signAppProxyRequest(PROXY_URL, { secret: API_SECRET, shop: SHOP, tamper: { kind: "stale-timestamp", ageSeconds: 60 } });
    await expect(shopify.authenticate.public.appProxy(new Request(url))).resolves.toBeDefined();
  });
});

describe("where Shopify's documented sort and the library's sort disagree", () => {
  it("upper-case query keys: Shopify sorts 'key=value' strings by bytes, the library uses localeCompare, so it rejects", async () => {
    // Shopify's reference (Ruby `.sort`) puts "Y=1" before "logged_in_customer_id=…" (byte order);
    // the library's localeCompare puts it after "timestamp". Storefront code should keep proxy
    // query keys lower-case, or real requests fail validation.
    const { shopify } = buildTestApp();
    const url = signAppProxyRequest(`${APP_URL}/apps-proxy/rewards?Y=1`, { secret: API_SECRET, shop: SHOP });
    expect(appProxySignatureMessage(url.searchParams).startsWith("Y=1")).toBe(true);
    const response = await thrownResponse(shopify.authenticate.public.appProxy(new Request(url)));
    expect(response.status).toBe(400);
  });

  it("camelCase keys in practice sort the same both ways and are accepted", async () => {
    const { shopify } = buildTestApp();
    const url = signAppProxyRequest(`${APP_URL}/apps-proxy/rewards?pageSize=10&sortBy=date`, { secret: API_SECRET, shop: SHOP });
    await expect(shopify.authenticate.public.appProxy(new Request(url))).resolves.toBeDefined();
  });
});
