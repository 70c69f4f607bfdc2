// The local storefront renders the theme app extension as a shop's Online Store would, and proxies
// /apps/loyalty/* to the app signed exactly as Shopify does, with the customer from the storefront
// session only.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { verifyAppProxyUrl } from "../../src/app-proxy";
import { createShopifyEmulator } from "../../src/index";
import { createStorefrontHost } from "../../src/storefront-host";

const SECRET = "storefront-host-secret";
const SHOP = "host-test.myshopify.com";
// The app's theme app extension is what the storefront renders.
const EXTENSION = path.resolve(import.meta.dirname, "..", "..", "..", "extensions", "loyalty-rewards");
const ORIGIN = "http://storefront.test";

function setUp(options: { customerId?: string | null; signedIn?: boolean; locale?: string; webhookFetch?: typeof fetch } = {}) {
  const emulator = createShopifyEmulator({
    apiKey: "k",
    apiSecret: SECRET,
    appUrl: "https://app.example.test",
    appConfig: { webhookUris: { "orders/create": "/webhooks/orders/create" }, appProxy: { url: "/apps-proxy", prefix: "apps", subpath: "loyalty" }, apiVersion: "2026-10" },
    ...(options.webhookFetch ? { fetch: options.webhookFetch } : {}),
  });
  emulator.addShop({ domain: SHOP });
  const customer = emulator.addCustomer(SHOP, { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" });
  const seen: Request[] = [];
  const host = createStorefrontHost({
    app: async (request) => {
      seen.push(request);
      return Response.json({ echoed: new URL(request.url).pathname }, { headers: { "set-cookie": "app=1" } });
    },
    emulator,
    extensionDir: EXTENSION,
    shop: SHOP,
    customerId: options.customerId === undefined ? customer.legacyId : options.customerId,
    ...(options.signedIn !== undefined ? { signedIn: options.signedIn } : {}),
    ...(options.locale ? { locale: options.locale } : {}),
  });
  const get = (p: string, init?: RequestInit) => host.handle(new Request(`${ORIGIN}${p}`, init));
  return { emulator, host, customer, seen, get };
}

describe("storefront host: the account page", () => {
  it("GIVEN a signed-in customer THEN the app block and app embed render with Liquid, translations and assets", async () => {
    const { get, customer } = setUp();
    const res = await get("/account");
    expect(res.status).toBe(200);
    const html = await res.text();

    // The app block (section) and the app embed (body), each once.
    expect(html.match(/data-lr-mode="inline"/g)).toHaveLength(1);
    expect(html.match(/data-lr-mode="embed"/g)).toHaveLength(1);
    // The customer is known to the Liquid (UI only) and the proxy base comes from routes.root_url.
    expect(html).toContain('data-signed-in="true"');
    expect(html).toContain('data-proxy="/apps/loyalty"');
    expect(html).toContain('data-login-url="/account/login"');
    expect(html).toContain("Ada Lovelace");
    expect(html).not.toContain(customer.id);
    // `| t` resolved from locales/en.default.json; nothing missing.
    expect(html).toContain("Loading your rewards…");
    expect(html).toContain('"redeem": "Redeem"');
    expect(html).not.toContain("translation missing");
    // Schema defaults applied.
    expect(html).toContain("--lr-accent: #1f5e3b");
    expect(html).toContain("--lr-reserve: 480px");
    // Schema javascript/stylesheet injected once each, the script deferred.
    expect(html.match(/<script src="[^"]*loyalty-widget\.js" defer><\/script>/g)).toHaveLength(1);
    expect(html.match(/<link rel="stylesheet" href="[^"]*loyalty-widget\.css">/g)).toHaveLength(1);
    // Nothing of the Liquid leaks through.
    expect(html).not.toMatch(/{%|{{|endschema/);
  });

  it("GIVEN a logged-out visitor THEN the program intro and a sign-in link to routes.account_login_url", async () => {
    const { get } = setUp({ signedIn: false });
    const html = await (await get("/account")).text();
    expect(html).toContain('data-signed-in="false"');
    expect(html).toContain('<a class="lr-btn" href="/account/login">Sign in to see your points</a>');
    expect(html).toContain("Welcome to our rewards program.");
  });

  it("GIVEN /fr THEN French strings, lang=fr and a proxy base under the locale root", async () => {
    const { get } = setUp();
    const html = await (await get("/fr/account")).text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('data-proxy="/fr/apps/loyalty"');
    expect(html).toContain('data-locale="fr"');
    expect(html).toContain("Chargement de vos récompenses…");
    expect(html).toContain('"redeem": "Échanger"');
  });

  it("HTML-escapes translations as Shopify does (only *_html keys are raw)", async () => {
    const { get } = setUp();
    const html = await (await get("/account")).text();
    // The locale files use typographic apostrophes, so nothing needs escaping inside the JSON strings.
    expect(html).toContain("We couldn’t load your rewards.");
    expect(html).not.toContain("&#39;");
  });

  it("serves the extension's assets and nothing outside assets/", async () => {
    const { get } = setUp();
    const js = await get("/cdn/shop/extensions/loyalty-rewards/assets/loyalty-widget.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("javascript");
    expect((await get("/cdn/shop/extensions/loyalty-rewards/assets/..%2Fshopify.extension.toml")).status).toBe(404);
    expect((await get("/cdn/shop/extensions/other/assets/loyalty-widget.js")).status).toBe(404);
  });
});

describe("storefront host: the app proxy", () => {
  it("forwards /apps/loyalty/* to {appUrl}/apps-proxy/* signed like Shopify, with the session's customer", async () => {
    const { get, seen, customer } = setUp();
    const res = await get("/apps/loyalty/customer?x=1", { headers: { accept: "application/json", cookie: "_shopify_s=abc" } });
    expect(await res.json()).toEqual({ echoed: "/apps-proxy/customer" });
    expect(res.headers.get("set-cookie")).toBeNull();

    const forwarded = seen[0]!;
    const url = new URL(forwarded.url);
    expect(url.origin).toBe("https://app.example.test");
    expect(url.searchParams.get("x")).toBe("1");
    expect(url.searchParams.get("shop")).toBe(SHOP);
    expect(url.searchParams.get("logged_in_customer_id")).toBe(customer.legacyId);
    expect(url.searchParams.get("path_prefix")).toBe("/apps/loyalty");
    expect(verifyAppProxyUrl(url, SECRET)).toEqual({ ok: true });
    // Cookies stay on the storefront, as with Shopify's proxy.
    expect(forwarded.headers.get("cookie")).toBeNull();
    expect(forwarded.headers.get("accept")).toBe("application/json");
  });

  it("never lets the browser choose the customer: its logged_in_customer_id is replaced, and signing out empties it", async () => {
    const { get, seen, customer } = setUp();
    await get("/apps/loyalty/customer?logged_in_customer_id=999&customer_id=999");
    const first = new URL(seen[0]!.url).searchParams;
    expect(first.getAll("logged_in_customer_id")).toEqual([customer.legacyId]);

    const out = await get("/account/logout");
    const cookie = out.headers.get("set-cookie")!.split(";")[0]!;
    await get("/apps/loyalty/customer", { headers: { cookie } });
    expect(new URL(seen[1]!.url).searchParams.get("logged_in_customer_id")).toBe("");
  });

  it("forwards POST bodies and content types, also under a locale prefix", async () => {
    const { get, seen } = setUp();
    await get("/fr/apps/loyalty/redeem", { method: "POST", headers: { "content-type": "application/json" }, body: '{"templateId":"t"}' });
    expect(seen[0]!.method).toBe("POST");
    expect(new URL(seen[0]!.url).pathname).toBe("/apps-proxy/redeem");
    expect(seen[0]!.headers.get("content-type")).toBe("application/json");
    expect(await seen[0]!.text()).toBe('{"templateId":"t"}');
  });
});

describe("storefront host: cart and checkout", () => {
  /** A discount code for Ada only, usable once, and a cart session (its cookie kept by hand). */
  function withCode() {
    // The app's webhook endpoint: records each delivery and answers 200.
    const delivered: string[] = [];
    const ctx = setUp({
      webhookFetch: async (input) => {
        delivered.push(input instanceof Request ? input.url : String(input));
        return new Response(null, { status: 200 });
      },
    });
    const { emulator, customer } = ctx;
    emulator.store.createCodeDiscount(SHOP, {
      kind: "basic",
      title: "$5 off",
      codes: ["LOYAL5-CART"],
      startsAt: emulator.store.now(),
      usageLimit: 1,
      appliesOncePerCustomer: true,
      context: { kind: "customers", customerIds: [customer.id] },
      customerGets: { value: { kind: "amount", amount: 500, appliesOnEachItem: false }, items: { kind: "all" }, appliesOnOneTimePurchase: true, appliesOnSubscription: false },
    });
    let cookie = "";
    const post = async (fields: Record<string, string>) => {
      const res = await ctx.get("/cart", { method: "POST", body: new URLSearchParams(fields), headers: { cookie } });
      cookie = (res.headers.get("set-cookie") ?? cookie).split(";")[0]!;
      expect(res.status).toBe(303);
      return new URL(res.headers.get("location")!, ORIGIN).searchParams;
    };
    return { ...ctx, post, delivered };
  }

  it("checks an entered code without counting a use, refuses an unknown one, and counts it only when the order is completed", async () => {
    // GIVEN Ada's one-use code
    const { emulator, post } = withCode();
    const uses = () => emulator.store.findDiscountByCode(SHOP, "LOYAL5-CART")!.redeemCode.asyncUsageCount;

    // WHEN she enters an unknown code, then hers
    const unknown = await post({ action: "apply", code: "NOPE-123" });
    const applied = await post({ action: "apply", code: "LOYAL5-CART" });

    // THEN the unknown one is refused by name, hers is applied, and Shopify counted nothing yet
    expect(unknown.get("error")).toBe("Discount code NOPE-123 does not exist");
    expect(applied.get("done")).toBe("Discount code LOYAL5-CART applied");
    expect(uses()).toBe(0);
    expect(emulator.store.listOrders(SHOP)).toHaveLength(0);

    // WHEN she abandons the checkout THEN still nothing in Shopify
    expect((await post({ action: "abandon" })).get("done")).toMatch(/abandoned/);
    expect(uses()).toBe(0);
    expect(emulator.store.listOrders(SHOP)).toHaveLength(0);
  });

  it("completes the order with the code: the use is counted, orders/create is sent, and the code cannot be entered again", async () => {
    const { emulator, post, delivered } = withCode();
    await post({ action: "apply", code: "loyal5-cart" });

    const done = await post({ action: "complete" });

    expect(done.get("done")).toBe("Order #1001 placed; orders/create sent, the app answered 200");
    expect(delivered).toEqual(["https://app.example.test/webhooks/orders/create"]);
    const [order] = emulator.store.listOrders(SHOP);
    expect(order!.discountCodes.map((d) => [d.code, d.amount])).toEqual([["LOYAL5-CART", "5.00"]]);
    expect(emulator.store.findDiscountByCode(SHOP, "LOYAL5-CART")!.redeemCode.asyncUsageCount).toBe(1);
    expect((await post({ action: "apply", code: "LOYAL5-CART" })).get("error")).toBe("Discount code LOYAL5-CART reached its usage limit");
  });
});
