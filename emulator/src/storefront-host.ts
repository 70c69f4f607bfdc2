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
import type { ShopifyEmulator } from "./index";
import { serveFetch, type RunningServer } from "./node-http";

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

  async function renderAccountPage(request: Request, locale: string, root: string): Promise<Response> {
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
      ? `<span data-testid="signed-in-as">${escapeHtml(customer.name)}</span> · <a href="${base}/account/logout">Sign out</a>`
      : `<a href="${base}/account/login">Sign in</a>`;
    const page = `<!doctype html>
<html lang="${escapeHtml(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Account – ${shopName}</title>
${[...styles].map((href) => `<link rel="stylesheet" href="${href}">`).join("\n")}
<style>
  body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #222; background: #fafafa; }
  header { display: flex; justify-content: space-between; padding: 16px 24px; background: #fff; border-bottom: 1px solid #e5e5e5; }
  header a { color: inherit; }
  main { max-width: 760px; margin: 0 auto; padding: 24px; }
  .placeholder { padding: 16px; border: 1px dashed #bbb; border-radius: 8px; background: #fff; }
</style>
</head>
<body>
<header><strong>${shopName}</strong><nav aria-label="Account">${who}</nav></header>
<main id="MainContent">
  <h1>My account</h1>
  <p class="placeholder">Order history (theme content above the app block)</p>
  ${sections.join("\n")}
  <p class="placeholder" id="below-block">Addresses (theme content below the app block)</p>
</main>
${embeds.join("\n")}
${[...scripts].map((src) => `<script src="${src}" defer></script>`).join("\n")}
</body>
</html>`;
    return new Response(page, { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
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
