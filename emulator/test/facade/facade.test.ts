// The emulator facade: what the app's shopify.app.toml declares, OAuth token exchange, the local
// admin host, and the HTTP adapter (path-form Admin API, dropped connections).
import { describe, expect, it, afterAll } from "vitest";
import { parseAppConfig, readAppConfig } from "../../src/app-config";
import { createManualClock, createShopifyEmulator } from "../../src/index";
import { serveEmulator } from "../../src/server";
import { verifySessionToken } from "../../src/session-token";
import path from "node:path";

const KEY = "facade-key";
const SECRET = "facade-secret";

describe("app config (shopify.app.toml)", () => {
  it("reads every webhook subscription of the repo's TOML, including compliance topics, and the app proxy", () => {
    const config = readAppConfig(path.resolve(import.meta.dirname, "../../../shopify.app.toml"));
    expect(config.webhookUris).toMatchObject({
      "orders/create": "/webhooks/orders/create",
      "app/uninstalled": "/webhooks/app/uninstalled",
      "discounts/update": "/webhooks/discounts/update",
      "discounts/delete": "/webhooks/discounts/delete",
      "customers/data_request": "/webhooks/compliance",
      "customers/redact": "/webhooks/compliance",
      "shop/redact": "/webhooks/compliance",
    });
    expect(config.appProxy).toEqual({ url: "/apps-proxy", prefix: "apps", subpath: "loyalty" });
    expect(config.apiVersion).toBe("2026-10");
  });

  it("ignores comments and handles several topics per subscription", () => {
    const config = parseAppConfig(`
[webhooks]
api_version = "2026-07"
  # a comment with "quotes"
  [[webhooks.subscriptions]]
  topics = ["orders/create", "orders/updated"] # trailing comment
  uri = "/hooks"
`);
    expect(config.webhookUris).toEqual({ "orders/create": "/hooks", "orders/updated": "/hooks" });
    expect(config.apiVersion).toBe("2026-07");
    expect(config.appProxy).toBeNull();
  });
});

describe("OAuth token exchange", () => {
  const emulator = createShopifyEmulator({ apiKey: KEY, apiSecret: SECRET });
  const shop = emulator.addShop({ domain: "tx.myshopify.com", scopes: ["read_discounts"] });
  const exchange = (body: Record<string, string>) =>
    emulator.handle(new Request(`https://${shop.domain}/admin/oauth/access_token`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } }));
  const valid = () => ({
    client_id: KEY,
    client_secret: SECRET,
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: emulator.sessionToken(shop.domain),
    subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
    requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
  });

  it("hands out the shop's offline token for a valid session token", async () => {
    const res = await exchange(valid());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ access_token: shop.accessToken, scope: "read_discounts" });
  });

  it("refuses a wrong client secret (401) and a forged session token (400)", async () => {
    expect((await exchange({ ...valid(), client_secret: "nope" })).status).toBe(401);
    expect((await exchange({ ...valid(), subject_token: emulator.sessionToken(shop.domain, { tamper: "wrong-secret" }) })).status).toBe(400);
  });

  it("refuses a session token minted for another shop", async () => {
    emulator.addShop({ domain: "other.myshopify.com" });
    expect((await exchange({ ...valid(), subject_token: emulator.sessionToken("other.myshopify.com") })).status).toBe(400);
  });
});

describe("uninstall, reinstall and revoked tokens", () => {
  // The app declares its app/uninstalled subscription (as every app's shopify.app.toml does).
  const emulator = createShopifyEmulator({
    apiKey: KEY,
    apiSecret: SECRET,
    appUrl: "http://127.0.0.1:9",
    appConfig: { webhookUris: { "app/uninstalled": "/webhooks/app/uninstalled" }, appProxy: null, apiVersion: "2026-10" },
  });
  const domain = "life.myshopify.com";
  emulator.addShop({ domain, scopes: ["read_discounts"] });
  const exchange = () =>
    emulator.handle(
      new Request(`https://${domain}/admin/oauth/access_token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          client_id: KEY,
          client_secret: SECRET,
          grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
          subject_token: emulator.sessionToken(domain),
          subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
          requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
        }),
      }),
    );
  const shopQuery = (token: string) =>
    emulator.handle(
      new Request(`https://${domain}/admin/api/2026-10/graphql.json`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-shopify-access-token": token },
        body: JSON.stringify({ query: "{ shop { name } }" }),
      }),
    );

  it("an uninstall kills the token (401) and refuses token exchange; a reinstall grants a new token", async () => {
    const before = emulator.store.getShop(domain)!.accessToken;
    const sent = await emulator.uninstall(domain, { deliver: false });
    expect(sent.signed.headers["X-Shopify-Topic"]).toBe("app/uninstalled");
    expect((await shopQuery(before)).status).toBe(401);
    const refused = await exchange();
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: "invalid_subject_token" });

    const after = emulator.reinstall(domain).accessToken;
    expect(after).not.toBe(before);
    expect(await (await exchange()).json()).toMatchObject({ access_token: after });
    expect((await shopQuery(after)).status).toBe(200);
    expect((await shopQuery(before)).status).toBe(401);
  });

  it("a revoked token gets 401 while the app stays installed; token exchange hands out the working one", async () => {
    const revoked = emulator.revokeAccessToken(domain);
    expect((await shopQuery(revoked)).status).toBe(401);
    const current = emulator.store.getShop(domain)!.accessToken;
    expect(current).not.toBe(revoked);
    expect(await (await exchange()).json()).toMatchObject({ access_token: current });
    expect((await shopQuery(current)).status).toBe(200);
  });
});

describe("the merchant changes the shop's currency", () => {
  const emulator = createShopifyEmulator({
    apiKey: KEY,
    apiSecret: SECRET,
    appUrl: "http://127.0.0.1:9",
    appConfig: { webhookUris: { "shop/update": "/webhooks/shop/update" }, appProxy: null, apiVersion: "2026-10" },
  });
  const domain = "money.myshopify.com";
  emulator.addShop({ domain, scopes: ["read_discounts"], currencyCode: "EUR" });

  it("Shop.currencyCode answers the new code, and shop/update carries it with the change's updated_at", async () => {
    const token = emulator.store.getShop(domain)!.accessToken;
    const sent = await emulator.changeShopCurrency(domain, "GBP", { deliver: false });
    expect(sent.signed.headers["X-Shopify-Topic"]).toBe("shop/update");
    expect(sent.url).toBe("http://127.0.0.1:9/webhooks/shop/update");
    const body = JSON.parse(sent.signed.body) as { currency: string; myshopify_domain: string; updated_at: string };
    expect(body).toMatchObject({ currency: "GBP", myshopify_domain: domain });
    expect(Math.abs(new Date(body.updated_at).getTime() - Date.now())).toBeLessThan(5_000);
    const answer = await emulator.handle(
      new Request(`https://${domain}/admin/api/2026-10/graphql.json`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-shopify-access-token": token },
        body: JSON.stringify({ query: "{ shop { currencyCode } }" }),
      }),
    );
    expect(await answer.json()).toMatchObject({ data: { shop: { currencyCode: "GBP" } } });
  });
});

describe("a customer's account: customers/create, then customers/update when its state changes (REST Customer `state`)", () => {
  const clock = createManualClock("2026-11-01T12:00:00Z");
  const emulator = createShopifyEmulator({
    apiKey: KEY,
    apiSecret: SECRET,
    appUrl: "http://127.0.0.1:9",
    clock,
    appConfig: readAppConfig(path.resolve(import.meta.dirname, "../../../shopify.app.toml")),
  });
  const domain = "accounts.myshopify.com";
  emulator.addShop({ domain, scopes: ["read_customers"] });
  const graphqlState = async (id: string) => {
    const answer = await emulator.handle(
      new Request(`https://${domain}/admin/api/2026-10/graphql.json`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-shopify-access-token": emulator.store.getShop(domain)!.accessToken },
        body: JSON.stringify({ query: `{ customer(id: "${id}") { state } }` }),
      }),
    );
    return ((await answer.json()) as { data: { customer: { state: string } } }).data.customer.state;
  };

  it("GIVEN a guest checkout's customer (state disabled) WHEN they activate an account THEN customers/update goes to the app's subscription with state enabled and a later updated_at; the Admin API agrees", async () => {
    const { customer, webhook: created } = await emulator.createCustomer(domain, { firstName: "Gia", email: "gia@example.com", state: "disabled" }, { deliver: false });
    expect(created.url).toBe("http://127.0.0.1:9/webhooks/customers/create");
    expect(JSON.parse(created.signed.body)).toMatchObject({ admin_graphql_api_id: customer.id, state: "disabled", created_at: "2026-11-01T12:00:00+00:00", updated_at: "2026-11-01T12:00:00+00:00" });
    expect(await graphqlState(customer.id)).toBe("DISABLED");

    clock.advance(60_000);
    const { webhook: updated } = await emulator.setCustomerState(domain, customer.id, "enabled", { deliver: false });
    expect(updated.signed.headers["X-Shopify-Topic"]).toBe("customers/update");
    expect(updated.url).toBe("http://127.0.0.1:9/webhooks/customers/update");
    expect(JSON.parse(updated.signed.body)).toMatchObject({
      admin_graphql_api_id: customer.id,
      email: "gia@example.com",
      first_name: "Gia",
      state: "enabled",
      created_at: "2026-11-01T12:00:00+00:00",
      updated_at: "2026-11-01T12:01:00+00:00",
    });
    expect(await graphqlState(customer.id)).toBe("ENABLED");
  });

  it("a customer created without a state signed up (enabled), as createCustomer always made them; an unknown customer's state change is refused", async () => {
    const { customer, webhook } = await emulator.createCustomer(domain, {}, { deliver: false });
    expect(JSON.parse(webhook.signed.body)).toMatchObject({ state: "enabled" });
    expect(await graphqlState(customer.id)).toBe("ENABLED");
    await expect(emulator.setCustomerState(domain, "gid://shopify/Customer/999999", "enabled", { deliver: false })).rejects.toThrow(/no customer/);
  });
});

describe("local admin host and HTTP adapter", async () => {
  const emulator = createShopifyEmulator({ apiKey: KEY, apiSecret: SECRET, appUrl: "http://localhost:9999" });
  const shop = emulator.addShop({ domain: "host.myshopify.com", name: "Host Shop" });
  const server = await serveEmulator(emulator);
  afterAll(() => server.close());

  it("serves the stand-in App Bridge script and fresh session tokens", async () => {
    const script = await fetch(`${server.url}/admin-host/app-bridge.js`);
    expect(script.headers.get("content-type")).toContain("javascript");
    expect(await script.text()).toContain("idToken");
    const res = await fetch(`${server.url}/admin-host/session-token?shop=${shop.domain}`);
    const { token } = (await res.json()) as { token: string };
    expect(verifySessionToken(token, { apiKey: KEY, apiSecret: SECRET }).ok).toBe(true);
    expect((await fetch(`${server.url}/admin-host/session-token?shop=unknown.myshopify.com`)).status).toBe(404);
  });

  it("opens the embedded app the way Shopify's admin does", async () => {
    const res = await fetch(`${server.url}/admin-host/store/${shop.domain}/apps/loyalty-rewards`, { redirect: "manual" });
    expect(res.status).toBe(302);
    const target = new URL(res.headers.get("location")!);
    expect(target.origin + target.pathname).toBe("http://localhost:9999/app");
    expect(target.searchParams.get("embedded")).toBe("1");
    expect(target.searchParams.get("shop")).toBe(shop.domain);
    expect(Buffer.from(target.searchParams.get("host")!, "base64url").toString()).toBe("admin.shopify.com/store/host");
    expect(verifySessionToken(target.searchParams.get("id_token")!, { apiKey: KEY, apiSecret: SECRET }).ok).toBe(true);
    expect(await (await fetch(`${server.url}/admin-host/`)).text()).toContain("Host Shop");
  });

  it("answers the Admin API in path form (/{shop}/admin/api/…) and drops the connection on a lost response", async () => {
    const post = (query: string) =>
      fetch(`${server.url}/${shop.domain}/admin/api/2026-10/graphql.json`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-shopify-access-token": shop.accessToken },
        body: JSON.stringify({ query }),
      });
    const ok = await post("{ shop { name } }");
    expect(await ok.json()).toMatchObject({ data: { shop: { name: "Host Shop" } } });
    emulator.faults.loseResponse("shop");
    await expect(post("{ shop { name } }")).rejects.toThrow();
  });
});
