// A local "storefront": what a shop's Online Store does for the theme app extension, for the offline
// demo and browser tests.
//   - renders the extension's blocks (Liquid, with liquidjs) into a small account page: the app
//     block (target "section") inside the page, the app embed (target "body") before </body>, the
//     blocks' schema `stylesheet` in <head> and `javascript` as one deferred script, as Shopify does;
//   - provides the Liquid globals a theme has (`customer`, `routes`, `shop`, `request.locale`) and the
//     filters the extension uses: `t` (the extension's locales/*.json, HTML-escaped unless the key
//     ends in `_html`, "translation missing: …" when absent), `asset_url` (served from assets/ here);
//   - is the shop's app proxy: `/{prefix}/{subpath}/*` (from shopify.app.toml, also under a locale
//     prefix such as /fr) is forwarded to the app signed exactly as Shopify signs it
//     (`emulator.appProxyUrl`), with `logged_in_customer_id` from the storefront session — never from
//     anything the browser sends. Cookies are not forwarded, as on Shopify.
// Sign-in is a stand-in: `/account/login` signs in as the configured customer, `/account/logout`
// signs out (a cookie on this host).
import { readFileSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { Liquid } from "liquidjs";
import { randomUUID } from "node:crypto";
import type { ShopifyEmulator } from "./index";
import { serveFetch, type RunningServer } from "./node-http";
import { EmulatorStore, OrderRejectedError, type OrderRecord, type PlaceOrderInput } from "./store";

export interface StorefrontHostOptions {
  /** The app: its base URL (requests are sent with fetch) or a fetch handler (in-process). */
  app: string | ((request: Request) => Promise<Response>);
  emulator: ShopifyEmulator;
  /** Absolute path of the theme app extension (the folder with shopify.extension.toml). */
  extensionDir: string;
  /** `{name}.myshopify.com` */
  shop: string;
  /** The customer who can sign in (number or `gid://shopify/Customer/…`); null = nobody. */
  customerId: string | number | null;
  /** Start signed in (default true when there is a customer). */
  signedIn?: boolean;
  /** Default storefront language (default "en"); `/{locale}/…` paths switch per request. */
  locale?: string;
  /** Settings per block file name (e.g. "loyalty-rewards"), over the schema defaults. */
  blockSettings?: Record<string, Record<string, unknown>>;
  /** Omit the app embed or the app block from the account page. */
  include?: { embed?: boolean; block?: boolean };
}

export interface StorefrontHost {
  handle(request: Request): Promise<Response>;
  /** Changes who may sign in (and signs them in), or signs everybody out with null. */
  setCustomer(customerId: string | number | null): void;
}

interface BlockFile {
  name: string;
  source: string;
  schema: {
    name: string;
    target: "section" | "body" | string;
    javascript?: string;
    stylesheet?: string;
    settings?: Array<{ id?: string; type: string; default?: unknown }>;
  };
}

/** The cart: one product, the codes entered at checkout, a gift card paying (part of) it. */
interface Cart {
  product: string;
  codes: string[];
  giftCard: string | null;
}

/** The demo shop's catalogue (the emulator models no products: an order is a subtotal). */
const PRODUCTS = [
  { id: "mug", title: "Loyalty mug", price: "16.00" },
  { id: "sticker", title: "Sticker sheet", price: "3.60" },
  { id: "hoodie", title: "Hoodie", price: "60.00" },
];
const SHIPPING = "5.00";
const CART_COOKIE = "storefront_cart";
const CART_CSS = `
  .cart { background: #fff; border: 1px solid #e5e5e5; border-radius: 8px; padding: 8px 20px 16px; margin-bottom: 24px; }
  .cart-row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 12px 0; }
  .cart-inline { display: inline; }
  .cart button, .cart input, .cart select { font: inherit; padding: 6px 10px; }
  .cart-pay { background: #1a1a1a; color: #fff; border: 0; border-radius: 6px; }
  .cart-codes { list-style: none; padding: 0; display: flex; gap: 12px; flex-wrap: wrap; }
  .cart-codes li { display: flex; gap: 8px; align-items: center; }
  .cart-sum { display: grid; grid-template-columns: 1fr auto; gap: 4px 16px; max-width: 420px; }
  .cart-sum dd { margin: 0; text-align: right; }
  .cart-msg { padding: 10px 16px; border-radius: 8px; background: #cdfee1; }
  .cart-err { background: #fedad9; }
  .cart-note { color: #555; font-size: 14px; }`;

const ASSET_PREFIX = "/cdn/shop/extensions/";
const SESSION_COOKIE = "storefront_signed_out";
const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function numericId(id: string | number): string {
  const m = /(\d+)$/.exec(String(id));
  if (!m) throw new Error(`Not a customer id: ${id}`);
  return m[1]!;
}

function readBlocks(extensionDir: string): BlockFile[] {
  const dir = path.join(extensionDir, "blocks");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".liquid"))
    .sort()
    .map((file) => {
      const text = readFileSync(path.join(dir, file), "utf8");
      const match = /{%-?\s*schema\s*-?%}([\s\S]*?){%-?\s*endschema\s*-?%}/.exec(text);
      if (!match) throw new Error(`${file} has no {% schema %}`);
      return { name: file.replace(/\.liquid$/, ""), source: text.replace(match[0], ""), schema: JSON.parse(match[1]!) };
    });
}

function readLocale(extensionDir: string, locale: string): Record<string, unknown> {
  const dir = path.join(extensionDir, "locales");
  const candidates = [`${locale}.json`, `${locale}.default.json`];
  for (const file of candidates) {
    const p = path.join(dir, file);
    if (existsSync(p)) return JSON.parse(readFileSync(p, "utf8"));
  }
  return {};
}

function lookup(tree: unknown, key: string): unknown {
  return key.split(".").reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), tree);
}

export function createStorefrontHost(options: StorefrontHostOptions): StorefrontHost {
  const { emulator, shop, extensionDir } = options;
  const extensionName = path.basename(extensionDir);
  const defaultLocale = options.locale ?? "en";
  let customerId = options.customerId;
  let signedInByDefault = options.signedIn ?? customerId !== null;

  const appFetch = typeof options.app === "function" ? options.app : (request: Request) => fetch(request);
  if (typeof options.app === "string" && !emulator.appUrl) emulator.appUrl = options.app;

  const proxyConfig = emulator.config.appProxy ?? { url: "/apps-proxy", prefix: "apps", subpath: "loyalty" };
  const proxyPrefix = `/${proxyConfig.prefix}/${proxyConfig.subpath}`;

  // Shopify falls back to the extension's default locale (`*.default.json`) for missing keys.
  const defaultLocaleFile = readdirSync(path.join(extensionDir, "locales")).find((f) => /^[\w-]+\.default\.json$/.test(f));
  const defaultTranslations: unknown = defaultLocaleFile
    ? JSON.parse(readFileSync(path.join(extensionDir, "locales", defaultLocaleFile), "utf8"))
    : {};

  function liquidFor(locale: string): Liquid {
    const translations = readLocale(extensionDir, locale);
    const engine = new Liquid({ root: [path.join(extensionDir, "snippets")], extname: ".liquid", strictFilters: true });
    engine.registerFilter("t", (key: string, ...args: Array<[string, unknown]>) => {
      const found = lookup(translations, key) ?? lookup(defaultTranslations, key);
      if (typeof found !== "string") return `translation missing: ${locale}.${key}`;
      const vars = Object.fromEntries(args.filter(Array.isArray));
      const text = found.replace(/{{\s*(\w+)\s*}}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
      return key.endsWith("_html") ? text : escapeHtml(text);
    });
    engine.registerFilter("asset_url", (file: string) => `${ASSET_PREFIX}${extensionName}/assets/${file}`);
    return engine;
  }

  function blockObject(block: BlockFile, index: number) {
    const settings: Record<string, unknown> = {};
    for (const s of block.schema.settings ?? []) if (s.id) settings[s.id] = s.default ?? (s.type === "checkbox" ? false : "");
    Object.assign(settings, options.blockSettings?.[block.name]);
    return { id: `${block.name}-${index}`, type: `shopify://apps/loyalty-rewards/blocks/${block.name}`, settings, shopify_attributes: "" };
  }

  function customerObject(signedIn: boolean) {
    if (!signedIn || customerId === null) return null;
    const gid = `gid://shopify/Customer/${numericId(customerId)}`;
    let record: ReturnType<ShopifyEmulator["store"]["getCustomer"]>;
    try {
      record = emulator.store.getCustomer(shop, gid);
    } catch {
      record = undefined;
    }
    const firstName = record?.firstName ?? "Demo";
    const lastName = record?.lastName ?? "Customer";
    return { id: Number(numericId(customerId)), first_name: firstName, last_name: lastName, name: `${firstName} ${lastName}`, email: record?.email ?? null };
  }

  function isSignedIn(request: Request): boolean {
    if (customerId === null) return false;
    const cookie = request.headers.get("cookie") ?? "";
    if (new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=1`).test(cookie)) return false;
    if (new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=0`).test(cookie)) return true;
    return signedInByDefault;
  }

  /** Splits an optional locale prefix ("/fr/account" → fr, "/account"). */
  function localeOf(pathname: string): { locale: string; rest: string; root: string } {
    const m = /^\/([a-z]{2}(?:-[a-z]{2})?)(\/.*|$)/i.exec(pathname);
    if (m && m[1] !== defaultLocale && existsSync(path.join(extensionDir, "locales", `${m[1]}.json`))) {
      return { locale: m[1]!, rest: m[2] || "/", root: `/${m[1]}` };
    }
    return { locale: defaultLocale, rest: pathname, root: "/" };
  }

  async function renderAccountPage(
    request: Request,
    locale: string,
    root: string,
    page: { title: string; heading: string; above: string; below?: string } = {
      title: "Account",
      heading: "My account",
      above: `<p class="placeholder">Order history (theme content above the app block)</p>`,
      below: `<p class="placeholder" id="below-block">Addresses (theme content below the app block)</p>`,
    },
  ): Promise<Response> {
    const signedIn = isSignedIn(request);
    const engine = liquidFor(locale);
    const base = root === "/" ? "" : root;
    const customer = customerObject(signedIn);
    const globals = {
      customer,
      shop: { name: shop.replace(/\.myshopify\.com$/, ""), permanent_domain: shop },
      routes: {
        root_url: root,
        account_url: `${base}/account`,
        account_login_url: `${base}/account/login`,
        account_logout_url: `${base}/account/logout`,
      },
      request: { locale: { iso_code: locale }, path: new URL(request.url).pathname },
    };
    const blocks = readBlocks(extensionDir);
    const include = { embed: true, block: true, ...options.include };
    const sections: string[] = [];
    const embeds: string[] = [];
    const scripts = new Set<string>();
    const styles = new Set<string>();
    for (const [index, block] of blocks.entries()) {
      const isEmbed = block.schema.target === "body";
      if (isEmbed ? !include.embed : !include.block) continue;
      const html = await engine.parseAndRender(block.source, { block: blockObject(block, index) }, { globals });
      (isEmbed ? embeds : sections).push(`<div id="shopify-block-${block.name}" class="shopify-block shopify-app-block">${html}</div>`);
      if (block.schema.javascript) scripts.add(`${ASSET_PREFIX}${extensionName}/assets/${block.schema.javascript}`);
      if (block.schema.stylesheet) styles.add(`${ASSET_PREFIX}${extensionName}/assets/${block.schema.stylesheet}`);
    }
    const shopName = escapeHtml(globals.shop.name);
    const who = customer
      ? `<a href="${base}/account">Account</a> · <a href="${base}/cart">Cart</a> · <span data-testid="signed-in-as">${escapeHtml(customer.name)}</span> · <a href="${base}/account/logout">Sign out</a>`
      : `<a href="${base}/cart">Cart</a> · <a href="${base}/account/login">Sign in</a>`;
    const html = `<!doctype html>
<html lang="${escapeHtml(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} – ${shopName}</title>
${[...styles].map((href) => `<link rel="stylesheet" href="${href}">`).join("\n")}
<style>
  body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #222; background: #fafafa; }
  header { display: flex; justify-content: space-between; padding: 16px 24px; background: #fff; border-bottom: 1px solid #e5e5e5; }
  header a { color: inherit; }
  main { max-width: 760px; margin: 0 auto; padding: 24px; }
  .placeholder { padding: 16px; border: 1px dashed #bbb; border-radius: 8px; background: #fff; }
${CART_CSS}
</style>
</head>
<body>
<header><strong>${shopName}</strong><nav aria-label="Account">${who}</nav></header>
<main id="MainContent">
  <h1>${escapeHtml(page.heading)}</h1>
  ${page.above}
  ${sections.join("\n")}
  ${page.below ?? ""}
</main>
${embeds.join("\n")}
${[...scripts].map((src) => `<script src="${src}" defer></script>`).join("\n")}
</body>
</html>`;
    return new Response(html, { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
  }

  // ---- cart and checkout --------------------------------------------------------------------------

  const carts = new Map<string, Cart>();

  function cartOf(request: Request): { id: string; cart: Cart; isNew: boolean } {
    const m = new RegExp(`(?:^|;\\s*)${CART_COOKIE}=([\\w-]+)`).exec(request.headers.get("cookie") ?? "");
    const existing = m ? carts.get(m[1]!) : undefined;
    if (m && existing) return { id: m[1]!, cart: existing, isNew: false };
    const id = randomUUID();
    const cart: Cart = { product: PRODUCTS[0]!.id, codes: [], giftCard: null };
    carts.set(id, cart);
    return { id, cart, isNew: true };
  }

  function checkoutInput(cart: Cart, request: Request, codes = cart.codes, giftCard = cart.giftCard): PlaceOrderInput {
    const product = PRODUCTS.find((p) => p.id === cart.product) ?? PRODUCTS[0]!;
    const signedIn = isSignedIn(request) && customerId !== null;
    return {
      customerId: signedIn ? `gid://shopify/Customer/${numericId(customerId!)}` : null,
      email: signedIn ? undefined : "guest@example.com",
      codes,
      subtotal: product.price,
      shippingPrice: SHIPPING,
      ...(giftCard ? { giftCardPayment: { code: giftCard } } : {}),
    };
  }

  /**
   * Checkout checks a code when it is entered, with the same rules as when the order is placed; the
   * check runs on a copy of the shop, so entering a code changes nothing in Shopify (its usage is
   * only counted when an order is completed — DiscountRedeemCode.asyncUsageCount).
   * https://help.shopify.com/en/manual/checkout-settings/checkout-discounts
   */
  function tryCheckout(input: PlaceOrderInput): OrderRecord {
    const copy = new EmulatorStore({ now: () => emulator.store.now() });
    copy.restore(emulator.store.serialize());
    return copy.placeOrder(shop, input);
  }

  async function cartAction(request: Request, base: string): Promise<Response> {
    const { id, cart } = cartOf(request);
    const form = await request.formData();
    const action = String(form.get("action") ?? "");
    let message = "";
    let error = "";
    const entered = String(form.get("code") ?? "").trim();
    try {
      if (action === "product") {
        const product = PRODUCTS.find((p) => p.id === form.get("product"));
        if (!product) throw new Error("Choose a product");
        cart.product = product.id;
      } else if (action === "apply") {
        if (!entered) throw new Error("Enter a discount code or gift card");
        // One field for both, as in Shopify's checkout: a gift card code pays, a discount code discounts.
        if (emulator.store.findGiftCardByCode(shop, entered)) {
          tryCheckout(checkoutInput(cart, request, cart.codes, entered));
          cart.giftCard = entered;
          message = "Gift card applied";
        } else {
          if (cart.codes.some((c) => c.toLowerCase() === entered.toLowerCase())) throw new Error(`${entered} is already applied`);
          tryCheckout(checkoutInput(cart, request, [...cart.codes, entered]));
          cart.codes.push(entered);
          message = `Discount code ${entered} applied`;
        }
      } else if (action === "remove") {
        cart.codes = cart.codes.filter((c) => c !== entered);
        if (cart.giftCard === entered) cart.giftCard = null;
        message = `${entered} removed`;
      } else if (action === "abandon") {
        // Leaving checkout creates no order: Shopify sends the app nothing it subscribes to
        // (orders/create is sent when an order is created — https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-orders/create).
        carts.delete(id);
        message = "Checkout abandoned: no order, nothing sent to the app";
      } else if (action === "complete") {
        // The order is created and Shopify sends the signed orders/create webhook to the app.
        const { order, webhook } = await emulator.placeOrder(shop, checkoutInput(cart, request));
        carts.delete(id);
        const status = webhook.results[0]?.finalStatus;
        message = `Order ${order.name} placed; orders/create sent, the app answered ${status ?? "nothing"}`;
      } else {
        throw new Error("Unknown cart action");
      }
    } catch (e) {
      error = e instanceof OrderRejectedError ? e.message : e instanceof Error ? e.message : String(e);
    }
    const back = new URLSearchParams(error ? { error } : { done: message });
    return new Response(null, {
      status: 303,
      headers: { location: `${base}/cart?${back}`, "set-cookie": `${CART_COOKIE}=${id}; Path=/; SameSite=Lax; HttpOnly` },
    });
  }

  async function renderCart(request: Request, locale: string, root: string): Promise<Response> {
    const { id, cart } = cartOf(request);
    const url = new URL(request.url);
    const done = url.searchParams.get("done");
    const error = url.searchParams.get("error");
    const product = PRODUCTS.find((p) => p.id === cart.product) ?? PRODUCTS[0]!;
    let summary = "";
    try {
      const preview = tryCheckout(checkoutInput(cart, request));
      const paidByCard = preview.giftCardPayments[0]?.amount ?? 0;
      const card = cart.giftCard ? emulator.store.findGiftCardByCode(shop, cart.giftCard) : undefined;
      summary = `<dl class="cart-sum">
<dt>Subtotal</dt><dd>${money(preview.subtotal)}</dd>
${preview.discountCodes.map((d) => `<dt>Discount <code>${escapeHtml(d.code)}</code></dt><dd>−${money(Math.round(Number(d.amount) * 100))}</dd>`).join("")}
<dt>Shipping</dt><dd>${money(preview.shipping)}</dd>
<dt>Total</dt><dd><strong data-testid="cart-total">${money(preview.total)}</strong></dd>
${card ? `<dt>Gift card ••••${escapeHtml(card.code.slice(-4))} (balance ${money(card.balance)})</dt><dd>−${money(paidByCard)}</dd><dt>To pay</dt><dd><strong>${money(preview.total - paidByCard)}</strong></dd>` : ""}
</dl>`;
    } catch (e) {
      summary = `<p class="cart-msg cart-err" role="alert">${escapeHtml(e instanceof Error ? e.message : String(e))}</p>`;
    }
    const applied = [...cart.codes, ...(cart.giftCard ? [cart.giftCard] : [])];
    const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
    const above = `
${done ? `<p class="cart-msg" role="status">${escapeHtml(done)}</p>` : ""}${error ? `<p class="cart-msg cart-err" role="alert">${escapeHtml(error)}</p>` : ""}
<section class="cart" aria-labelledby="cart-h">
<h2 id="cart-h">Cart and checkout</h2>
<form method="post" class="cart-row">${hidden("action", "product")}
<label for="cart-product">Product</label>
<select id="cart-product" name="product">${PRODUCTS.map((p) => `<option value="${p.id}"${p.id === product.id ? " selected" : ""}>${escapeHtml(p.title)} — ${money(Math.round(Number(p.price) * 100))}</option>`).join("")}</select>
<button type="submit">Update</button></form>
<form method="post" class="cart-row">${hidden("action", "apply")}
<label for="cart-code">Discount code or gift card</label>
<input id="cart-code" name="code" autocomplete="off" spellcheck="false">
<button type="submit">Apply</button></form>
${applied.length ? `<ul class="cart-codes" aria-label="Applied codes">${applied.map((c) => `<li><code>${escapeHtml(c)}</code><form method="post" class="cart-inline">${hidden("action", "remove")}${hidden("code", c)}<button type="submit" aria-label="Remove ${escapeHtml(c)}">Remove</button></form></li>`).join("")}</ul>` : ""}
${summary}
<div class="cart-row">
<form method="post" class="cart-inline">${hidden("action", "complete")}<button type="submit" class="cart-pay">Complete order</button></form>
<form method="post" class="cart-inline">${hidden("action", "abandon")}<button type="submit">Abandon checkout</button></form>
</div>
<p class="cart-note">Applying a code changes nothing in Shopify: a reward stays <em>Ready to use</em> until an order is completed, then Shopify sends orders/create and the app marks it Used. A gift card pays part of the order: its balance goes down, the reward is never Used.</p>
</section>`;
    const response = await renderAccountPage(request, locale, root, { title: "Cart", heading: "Cart", above });
    const headers = new Headers(response.headers);
    headers.append("set-cookie", `${CART_COOKIE}=${id}; Path=/; SameSite=Lax; HttpOnly`);
    return new Response(response.body, { status: response.status, headers });
  }

  function money(cents: number): string {
    const currency = emulator.store.getShop(shop)?.currencyCode ?? "USD";
    return new Intl.NumberFormat("en", { style: "currency", currency }).format(cents / 100);
  }

  function serveAsset(pathname: string): Response {
    const rest = pathname.slice(ASSET_PREFIX.length);
    const m = /^([\w-]+)\/assets\/([\w.-]+)$/.exec(rest);
    if (!m || m[1] !== extensionName) return new Response("Not found", { status: 404 });
    const file = path.join(extensionDir, "assets", m[2]!);
    if (!existsSync(file)) return new Response("Not found", { status: 404 });
    const type = CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream";
    return new Response(readFileSync(file), { headers: { "content-type": type, "cache-control": "no-cache" } });
  }

  async function forwardToApp(request: Request, proxiedPath: string, search: string): Promise<Response> {
    const customer = isSignedIn(request) ? customerId : null;
    const signed = new URL(emulator.appProxyUrl(shop, `${proxiedPath}${search}`, customer === null ? null : String(customer)));
    if (typeof options.app === "string") {
      const target = new URL(options.app);
      signed.protocol = target.protocol;
      signed.host = target.host;
    }
    const headers = new Headers();
    for (const name of ["accept", "content-type", "user-agent", "accept-language"]) {
      const value = request.headers.get(name);
      if (value) headers.set(name, value);
    }
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    const response = await appFetch(
      new Request(signed, { method: request.method, headers, body: hasBody ? await request.arrayBuffer() : undefined, redirect: "manual" }),
    );
    const out = new Headers(response.headers);
    out.delete("set-cookie");
    // The body was already decoded by fetch; let node-http send it as it is.
    out.delete("content-encoding");
    out.delete("content-length");
    return new Response(response.body, { status: response.status, headers: out });
  }

  function signPage(locale: string, root: string): Response {
    const base = root === "/" ? "" : root;
    const name = customerObject(true)?.name ?? "nobody";
    const body = `<!doctype html><html lang="${escapeHtml(locale)}"><head><meta charset="utf-8"><title>Sign in</title></head>
<body style="font:16px system-ui;max-width:480px;margin:48px auto">
<h1>Sign in</h1>
<p>This local storefront signs you in as <strong>${escapeHtml(name)}</strong>.</p>
<form method="post" action="${base}/account/login"><button type="submit">Sign in</button></form>
</body></html>`;
    return new Response(body, { headers: { "content-type": "text/html; charset=utf-8" } });
  }

  return {
    setCustomer(id) {
      customerId = id;
      signedInByDefault = id !== null;
    },
    async handle(request) {
      const url = new URL(request.url);
      if (url.pathname.startsWith(ASSET_PREFIX)) return serveAsset(url.pathname);
      if (url.pathname === "/favicon.ico") return new Response(null, { status: 204 });
      const { locale, rest, root } = localeOf(url.pathname);
      const base = root === "/" ? "" : root;
      if (rest === proxyPrefix || rest.startsWith(`${proxyPrefix}/`)) {
        return forwardToApp(request, rest.slice(proxyPrefix.length), url.search);
      }
      if (rest === "/account/login") {
        if (request.method === "POST") {
          return new Response(null, { status: 303, headers: { location: `${base}/account`, "set-cookie": `${SESSION_COOKIE}=0; Path=/; SameSite=Lax` } });
        }
        return signPage(locale, root);
      }
      if (rest === "/account/logout") {
        return new Response(null, { status: 303, headers: { location: `${base}/account`, "set-cookie": `${SESSION_COOKIE}=1; Path=/; SameSite=Lax` } });
      }
      if (rest === "/" || rest === "/account" || rest === "/pages/rewards") return renderAccountPage(request, locale, root);
      if (rest === "/cart") return request.method === "POST" ? cartAction(request, base) : renderCart(request, locale, root);
      return new Response("Not found", { status: 404, headers: { "content-type": "text/plain" } });
    },
  };
}

/** The storefront host on a real port (demo, browser tests). */
export async function serveStorefrontHost(
  options: StorefrontHostOptions,
  listen: { port?: number; host?: string } = {},
): Promise<RunningServer & { host: StorefrontHost }> {
  const host = createStorefrontHost(options);
  const server = await serveFetch((request) => host.handle(request), listen);
  return { ...server, host };
}
