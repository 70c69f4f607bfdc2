// An uninstall ends the grant of optional scopes: "The granted scopes remain active until the
// merchant uninstalls the app or revokes them" (AccessScope,
// https://shopify.dev/docs/api/admin-graphql/2026-10/objects/AccessScope). After a reinstall the
// installation has the required scopes only — token exchange's `scope`, currentAppInstallation's
// accessScopes, and ACCESS_DENIED for gift cards — until the app requests the optional ones again.
// The old emulator kept the optional scopes granted before the uninstall: every test here failed
// against it but the two that say what did not change (no app/scopes_update is sent; a reinstall of a
// shop that was not uninstalled keeps its grant).
import { describe, expect, it, vi } from "vitest";
import { createShopifyEmulator, parseAppConfig } from "../../src/index";

const KEY = "reinstall-key";
const SECRET = "reinstall-secret";
const REQUIRED = ["read_customers", "write_discounts"];
const GIFT_CARDS = ["read_gift_cards", "write_gift_cards"];
const TOML = `[access_scopes]
scopes = "${REQUIRED.join(",")}"
optional_scopes = ["read_gift_cards", "write_gift_cards", "read_store_credit_accounts"]
[webhooks]
api_version = "2026-10"
  [[webhooks.subscriptions]]
  topics = ["app/uninstalled"]
  uri = "/webhooks/app/uninstalled"
  [[webhooks.subscriptions]]
  topics = ["app/scopes_update"]
  uri = "/webhooks/app/scopes_update"
`;

function setup(seed: { scopes?: string[] } = { scopes: REQUIRED }, toml = TOML) {
  const emulator = createShopifyEmulator({ apiKey: KEY, apiSecret: SECRET, appUrl: "http://127.0.0.1:9", appConfig: parseAppConfig(toml) });
  const domain = "comeback.myshopify.com";
  emulator.addShop({ domain, giftCards: true, ...seed });
  const exchange = async (expiring: "0" | "1" = "0") => {
    const res = await emulator.handle(
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
          expiring,
        }),
      }),
    );
    return { status: res.status, body: (await res.json()) as { access_token: string; scope: string } };
  };
  const graphql = async (token: string, query: string) => {
    const res = await emulator.handle(
      new Request(`https://${domain}/admin/api/2026-10/graphql.json`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-shopify-access-token": token },
        body: JSON.stringify({ query }),
      }),
    );
    return (await res.json()) as { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
  };
  const accessScopes = async (token: string) =>
    ((await graphql(token, "{ currentAppInstallation { accessScopes { handle } } }")).data!.currentAppInstallation as { accessScopes: { handle: string }[] }).accessScopes.map((s) => s.handle);
  const giftCardCreate = (token: string) => graphql(token, `mutation { giftCardCreate(input: { initialValue: "5.00" }) { giftCard { id } userErrors { message } } }`);
  // Webhooks are signed and sent to 127.0.0.1:9 (nothing listens); the topics sent are what matter.
  const sent = vi.spyOn(emulator, "sendWebhook");
  const topics = () => sent.mock.calls.map(([topic]) => topic);
  return { emulator, domain, exchange, accessScopes, giftCardCreate, topics };
}

describe("uninstall ends the optional-scope grant; a reinstall grants the required scopes only", () => {
  it("GIVEN gift card scopes approved WHEN the merchant uninstalls and reinstalls THEN token exchange's scope and accessScopes name the required scopes only, and giftCardCreate is ACCESS_DENIED", async () => {
    const { emulator, domain, exchange, accessScopes, giftCardCreate } = setup();
    await emulator.requestScopes(domain, GIFT_CARDS, { webhook: { deliver: false } });
    const before = await exchange();
    expect(before.body.scope).toBe([...REQUIRED, ...GIFT_CARDS].join(","));
    expect((await giftCardCreate(before.body.access_token)).data).toMatchObject({ giftCardCreate: { giftCard: { id: expect.any(String) } } });

    await emulator.uninstall(domain, { deliver: false });
    expect(emulator.grantedScope(domain)).toBe(REQUIRED.join(","));
    emulator.reinstall(domain);

    const after = await exchange();
    expect(after.status).toBe(200);
    expect(after.body.scope).toBe(REQUIRED.join(","));
    expect((await exchange("1")).body.scope).toBe(REQUIRED.join(","));
    expect(await accessScopes(after.body.access_token)).toEqual(REQUIRED);
    const denied = await giftCardCreate(after.body.access_token);
    expect(denied.errors?.[0]?.extensions?.code).toBe("ACCESS_DENIED");
  });

  it("sends app/uninstalled and no app/scopes_update (Shopify documents none for an uninstall or a reinstall)", async () => {
    const { emulator, domain, topics } = setup();
    await emulator.requestScopes(domain, GIFT_CARDS, { webhook: { deliver: false } });
    expect(topics()).toEqual(["app/scopes_update"]);
    await emulator.uninstall(domain, { deliver: false });
    emulator.reinstall(domain);
    expect(topics()).toEqual(["app/scopes_update", "app/uninstalled"]);
  });

  it("the app requests the optional scopes again: app/scopes_update from the required scopes to them, and gift cards work again", async () => {
    const { emulator, domain, exchange, giftCardCreate } = setup();
    await emulator.requestScopes(domain, GIFT_CARDS, { webhook: { deliver: false } });
    await emulator.uninstall(domain, { deliver: false });
    emulator.reinstall(domain);
    const again = await emulator.requestScopes(domain, GIFT_CARDS, { webhook: { deliver: false } });
    expect(JSON.parse(again.webhook!.signed.body)).toMatchObject({ previous: REQUIRED, current: [...REQUIRED, ...GIFT_CARDS] });
    const token = (await exchange()).body.access_token;
    expect((await giftCardCreate(token)).data).toMatchObject({ giftCardCreate: { giftCard: { id: expect.any(String) } } });
  });

  it("a shop seeded without a scope list (every declared scope) has the required scopes only after a reinstall", async () => {
    const { emulator, domain, exchange, accessScopes } = setup({});
    expect((await exchange()).body.scope).toBe([...REQUIRED, ...GIFT_CARDS, "read_store_credit_accounts"].join(","));
    await emulator.uninstall(domain, { deliver: false });
    emulator.reinstall(domain);
    const after = await exchange();
    expect(after.body.scope).toBe(REQUIRED.join(","));
    expect(await accessScopes(after.body.access_token)).toEqual(REQUIRED);
  });

  it("an emulator told no required scopes keeps the grant minus the declared optional scopes", async () => {
    const toml = `[access_scopes]\noptional_scopes = ["write_gift_cards"]\n[webhooks]\napi_version = "2026-10"\n[[webhooks.subscriptions]]\ntopics = ["app/uninstalled"]\nuri = "/hooks"\n`;
    const { emulator, domain, exchange } = setup({ scopes: ["read_discounts", "write_gift_cards"] }, toml);
    await emulator.uninstall(domain, { deliver: false });
    emulator.reinstall(domain);
    expect((await exchange()).body.scope).toBe("read_discounts");
  });

  it("reinstall of a shop that was not uninstalled (a fresh token) keeps its grant", async () => {
    const { emulator, domain, exchange } = setup();
    await emulator.requestScopes(domain, GIFT_CARDS, { webhook: { deliver: false } });
    emulator.reinstall(domain);
    expect((await exchange()).body.scope).toBe([...REQUIRED, ...GIFT_CARDS].join(","));
  });
});
