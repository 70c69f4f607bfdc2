// The app as one fetch handler: the browser assets of the build (build/client) and the Remix
// request handler for everything else. Production (server.mjs) and the tests serve this same handler.
// Webhook deliveries (POST /webhooks/…) go straight to their route's action — the webhook pipeline,
// app/services/webhooks/pipeline.server.ts — without Remix's router (bench/RESULTS.md). So do app
// proxy requests (/apps-proxy/…): their query is the storefront's, signed whole by Shopify, and
// Remix's router gives some of its names a meaning of its own (see `proxyRoutes`).
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib";
import { createRequestHandler } from "@remix-run/node";

/** @type {Record<string, string>} */
const TYPES = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * @param {import("@remix-run/node").ServerBuild} build
 * @param {{ clientDir: string; mode?: string }} options
 * @returns {(request: Request) => Promise<Response>}
 */
export function createAppHandler(build, options) {
  const handle = createRequestHandler(build, options.mode ?? "production");
  const clientDir = path.resolve(options.clientDir);
  const webhooks = webhookActions(build);
  const proxy = proxyRoutes(build);
  const entry = /** @type {{ refuseUnreadableUrl(request: Request): Response | null; methodRefusals(routes: import("@remix-run/node").ServerBuild["routes"]): (request: Request, isFile: () => boolean) => Response | null; withRefusalSentence(response: Response, request: Request): Response }} */ (
    /** @type {unknown} */ (build.entry.module)
  );
  const refuseMethod = entry.methodRefusals(build.routes);
  return async (request) => {
    // Before anything reads the URL: percent-escapes that are not UTF-8 are a 400 (app/entry.server.tsx).
    const unreadable = entry.refuseUnreadableUrl(request);
    if (unreadable) return unreadable;
    // A POST to a webhook route is what its rule takes (an action): straight to the pipeline, without
    // matching the route tree per delivery (the webhook hot path, bench/webhook-ingest.ts).
    if (request.method === "POST") {
      const action = webhooks.get(new URL(request.url).pathname);
      if (action) return callAction(action, request);
    }
    // Then the method: a path's loader takes GET and HEAD, its action POST, a browser asset GET and
    // HEAD, nothing takes anything else — a 405 before any signature or session is checked
    // (app/http-methods.server.ts). Files are looked for only on paths no route serves.
    const wrongMethod = refuseMethod(request, () => staticFile(clientDir, new URL(request.url).pathname) !== null);
    if (wrongMethod) return wrongMethod;
    const proxyRoute = proxy(new URL(request.url).pathname);
    if (proxyRoute) return callProxyRoute(proxyRoute, request);
    if (request.method === "GET" || request.method === "HEAD") {
      const { pathname } = new URL(request.url);
      const file = staticFile(clientDir, pathname);
      if (file) {
        // Vite fingerprints everything under /assets/: cache it for good.
        const cache = pathname.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "public, max-age=3600";
        const type = TYPES[path.extname(file)] ?? "application/octet-stream";
        const { body, encoding } = encoded(file, type, request.headers.get("accept-encoding"));
        const headers = { "content-type": type, "cache-control": cache, ...(COMPRESSIBLE.test(type) ? { vary: "Accept-Encoding" } : {}) };
        if (encoding) headers["content-encoding"] = encoding;
        return new Response(request.method === "HEAD" ? null : body, { headers });
      }
    }
    // Remix's own 4xx carry a sentence, not "Unexpected Server Error" (app/entry.server.tsx).
    return withLocalAppBridge(entry.withRefusalSentence(await handle(request), request));
  };
}

/**
 * The browser asset a path names (a file under build/client), or null.
 * @param {string} clientDir
 * @param {string} pathname
 * @returns {string | null}
 */
function staticFile(clientDir, pathname) {
  if (pathname === "/" || pathname.endsWith("/")) return null;
  const file = path.join(clientDir, path.normalize(decodeURIComponent(pathname)));
  return file.startsWith(clientDir + path.sep) && existsSync(file) && statSync(file).isFile() ? file : null;
}

/**
 * The webhook routes of the build (app/routes/webhooks.*: a top-level path without parameters and
 * an action), by path. Their actions are the pipeline itself and need nothing Remix's router adds
 * (no loaders, no layout, no session): `{ request, params: {}, context: {} }` is all they read.
 * @param {import("@remix-run/node").ServerBuild} build
 * @returns {Map<string, NonNullable<import("@remix-run/node").ServerBuild["routes"][string]["module"]["action"]>>}
 */
function webhookActions(build) {
  const actions = new Map();
  for (const route of Object.values(build.routes)) {
    if (!route || !route.id.startsWith("routes/webhooks.") || route.parentId !== "root") continue;
    if (!route.path || /[:*]/.test(route.path) || !route.module.action) continue;
    actions.set(`/${route.path}`, route.module.action);
  }
  return actions;
}

/**
 * The storefront's routes of the build (app/routes/apps-proxy.*), found by path as Remix's router
 * finds them (any case, a trailing slash; anything else under /apps-proxy is the catch-all,
 * apps-proxy.$.tsx). Remix's router is skipped for them: it reads `?_data=<route id>` as a data
 * request — answering a route id off the path, or a route without a loader, in its own error format
 * (`{"message":"Unexpected Server Error"}`, X-Remix-Error) before any signature check — and hands the
 * route a URL without `_data` and an empty `index`, whose signature then no longer matches what
 * Shopify signed (https://shopify.dev/docs/apps/build/online-store/display-dynamic-data#calculate-a-digital-signature:
 * every query parameter but `signature`). Here the route sees the request as Shopify sent it.
 * @param {import("@remix-run/node").ServerBuild} build
 * @returns {(pathname: string) => import("@remix-run/node").ServerBuild["routes"][string]["module"] | undefined}
 */
function proxyRoutes(build) {
  const byPath = new Map();
  let catchAll;
  for (const route of Object.values(build.routes)) {
    if (!route || !route.id.startsWith("routes/apps-proxy.") || route.parentId !== "root" || !route.path) continue;
    if (route.path === "apps-proxy/*") catchAll = route.module;
    else if (!/[:*]/.test(route.path)) byPath.set(`/${route.path.toLowerCase()}`, route.module);
  }
  return (pathname) => {
    let path;
    try {
      path = decodeURIComponent(pathname).toLowerCase();
    } catch {
      path = pathname.toLowerCase();
    }
    if (path !== "/apps-proxy" && !path.startsWith("/apps-proxy/")) return undefined;
    return byPath.get(path.length > 1 ? path.replace(/\/$/, "") : path) ?? catchAll;
  };
}

/**
 * A storefront route called as Remix calls a resource route: GET and HEAD (without a body) its
 * loader, POST its action. A method the route does not take was refused before (methodRefusals,
 * app/entry.server.tsx), so the handler is there.
 * @param {import("@remix-run/node").ServerBuild["routes"][string]["module"]} module
 * @param {Request} request
 * @returns {Promise<Response>}
 */
async function callProxyRoute(module, request) {
  const read = request.method === "GET" || request.method === "HEAD";
  const handler = read ? module.loader : module.action;
  if (!handler) throw new Error(`the app proxy route for ${new URL(request.url).pathname} has no ${read ? "loader" : "action"}`);
  const response = await callAction(handler, request);
  return request.method === "HEAD" ? new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers }) : response;
}

/**
 * Calls a route action as Remix would for a resource route: a returned or thrown Response is the
 * answer; anything else thrown is a 500 (logged by the server, server/fetch-server.mjs).
 * @param {NonNullable<import("@remix-run/node").ServerBuild["routes"][string]["module"]["action"]>} action
 * @param {Request} request
 * @returns {Promise<Response>}
 */
async function callAction(action, request) {
  try {
    const result = await action({ request, params: {}, context: {} });
    if (result instanceof Response) return result;
    throw new Error(`the route for ${new URL(request.url).pathname} did not return a Response`);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

// Text assets are sent compressed (quality 5: fast enough to do on first request on a busy CPU): brotli
// when the browser accepts it, else gzip. A file is compressed once, on its first request, and kept
// (build files never change while the server runs; the cache is bounded by the build's size).
const COMPRESSIBLE = /^(text\/|application\/json|image\/svg\+xml)/;
const MIN_COMPRESS_BYTES = 1024;
/** @type {Map<string, Buffer>} */
const compressedCache = new Map();

/**
 * @param {string} file
 * @param {string} type
 * @param {string | null} acceptEncoding
 * @returns {{ body: Buffer; encoding: "br" | "gzip" | null }}
 */
function encoded(file, type, acceptEncoding) {
  const raw = readFileSync(file);
  if (!COMPRESSIBLE.test(type) || raw.length < MIN_COMPRESS_BYTES) return { body: raw, encoding: null };
  const accepted = new Set((acceptEncoding ?? "").split(",").map((e) => e.split(";")[0].trim().toLowerCase()));
  /** @type {"br" | "gzip" | null} */
  const encoding = accepted.has("br") ? "br" : accepted.has("gzip") ? "gzip" : null;
  if (!encoding) return { body: raw, encoding: null };
  const key = `${encoding}:${file}`;
  let body = compressedCache.get(key);
  if (!body) {
    body =
      encoding === "br"
        ? brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } })
        : gzipSync(raw, { level: 9 });
    compressedCache.set(key, body);
  }
  return { body, encoding };
}

const CDN_APP_BRIDGE = "https://cdn.shopify.com/shopifycloud/app-bridge.js";

/**
 * The library preloads App Bridge from Shopify's CDN (a `Link` header on embedded documents and on
 * its bounce page). The offline demo loads the emulator's stand-in instead (APP_BRIDGE_URL), so the
 * preload points there too and the browser requests nothing it cannot reach.
 * @param {Response} response
 * @returns {Response}
 */
function withLocalAppBridge(response) {
  const local = process.env.APP_BRIDGE_URL;
  const link = response.headers.get("link");
  if (!local || !link || !link.includes(CDN_APP_BRIDGE)) return response;
  const headers = new Headers(response.headers);
  headers.set("link", link.replaceAll(CDN_APP_BRIDGE, local));
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
