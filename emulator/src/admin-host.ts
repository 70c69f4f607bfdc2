// The local "admin host": what Shopify's admin gives an embedded app, for the offline demo and
// browser tests. Shopify's App Bridge (cdn.shopify.com) cannot load offline and only runs inside
// Shopify's admin, so this serves a small stand-in with the parts the app uses:
// `shopify.idToken()`, the fetch patch that adds `Authorization: Bearer <session token>` to the
// app's own requests, `shopify.toast.show()`, and a visible `<ui-nav-menu>`.
// Session tokens are minted here exactly as Shopify's admin would (signed with the app secret);
// the app verifies them with the real `authenticate.admin`.
import type { ShopifyEmulator } from "./index";

const APP_BRIDGE_STAND_IN = String.raw`(function () {
  "use strict";
  var script = document.currentScript;
  var apiKey = script && script.getAttribute("data-api-key");
  var hostOrigin = new URL(script.src).origin;
  var params = new URLSearchParams(location.search);
  var shop = params.get("shop") || sessionStorage.getItem("emulator:shop");
  var host = params.get("host") || sessionStorage.getItem("emulator:host");
  if (shop) sessionStorage.setItem("emulator:shop", shop);
  if (host) sessionStorage.setItem("emulator:host", host);
  var nativeFetch = window.fetch.bind(window);
  var cached = null;
  function idToken() {
    if (cached && cached.exp - 10 > Date.now() / 1000) return Promise.resolve(cached.token);
    return nativeFetch(hostOrigin + "/admin-host/session-token?shop=" + encodeURIComponent(shop || ""), { credentials: "omit" })
      .then(function (r) { if (!r.ok) throw new Error("session token: HTTP " + r.status); return r.json(); })
      .then(function (b) { cached = b; return b.token; });
  }
  window.fetch = function (input, init) {
    var url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.origin !== location.origin) return nativeFetch(input, init);
    return idToken().then(function (token) {
      var headers = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined));
      if (!headers.has("Authorization")) headers.set("Authorization", "Bearer " + token);
      return nativeFetch(input, Object.assign({}, init, { headers: headers }));
    });
  };
  function toast(message, options) {
    var box = document.getElementById("emulator-toasts");
    if (!box) {
      box = document.createElement("div");
      box.id = "emulator-toasts";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      box.style.cssText = "position:fixed;bottom:24px;left:50%;transform:translateX(-50%);z-index:1000;display:flex;flex-direction:column;gap:8px";
      document.body.appendChild(box);
    }
    var item = document.createElement("div");
    item.textContent = message;
    item.setAttribute("data-toast", options && options.isError ? "error" : "info");
    item.style.cssText = "padding:10px 16px;border-radius:8px;color:#fff;font:14px system-ui;background:" + (options && options.isError ? "#8e1f0b" : "#303030");
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, (options && options.duration) || 5000);
  }
  window.shopify = {
    config: { apiKey: apiKey, shop: shop, host: host },
    environment: { embedded: true, mobile: false, pos: false },
    idToken: idToken,
    toast: { show: toast, hide: function () {} },
    loading: function () {},
    origin: hostOrigin
  };
  var style = document.createElement("style");
  style.textContent = "ui-nav-menu{display:flex;gap:16px;padding:10px 20px;background:#1a1a1a;font:14px system-ui}ui-nav-menu a{color:#fff}ui-nav-menu a:focus-visible{outline:2px solid #fff;outline-offset:2px}";
  document.head.appendChild(style);
  if (window.customElements && !customElements.get("ui-nav-menu")) {
    customElements.define("ui-nav-menu", class extends HTMLElement {
      connectedCallback() {
        this.setAttribute("role", "navigation");
        this.setAttribute("aria-label", "App navigation");
      }
    });
  }
  if (window.customElements && !customElements.get("ui-title-bar")) {
    customElements.define("ui-title-bar", class extends HTMLElement {});
  }
})();
`;

function html(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8" } });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function adminHostRoutes(emulator: ShopifyEmulator) {
  const cors = { "access-control-allow-origin": "*", "cache-control": "no-store" };
  return async (request: Request): Promise<Response | undefined> => {
    const url = new URL(request.url);
    if (!url.pathname.startsWith("/admin-host")) return undefined;

    if (url.pathname === "/admin-host/app-bridge.js") {
      return new Response(APP_BRIDGE_STAND_IN, { headers: { "content-type": "text/javascript; charset=utf-8", ...cors } });
    }

    if (url.pathname === "/admin-host/session-token") {
      const shop = url.searchParams.get("shop") ?? "";
      if (!emulator.store.getShop(shop)) return Response.json({ error: `unknown shop ${shop}` }, { status: 404, headers: cors });
      const token = emulator.sessionToken(shop);
      const exp = Math.floor(emulator.store.now().getTime() / 1000) + 60;
      return Response.json({ token, exp }, { headers: cors });
    }

    // /admin-host/store/{shop}/apps/{handle}[/path] → open the embedded app as Shopify's admin would.
    const open = /^\/admin-host\/store\/([^/]+)\/apps\/[^/]+(\/.*)?$/.exec(url.pathname);
    if (open) {
      const shop = decodeURIComponent(open[1]);
      if (!emulator.store.getShop(shop)) return html(`<p>Unknown shop ${escapeHtml(shop)}</p>`, 404);
      const appPath = open[2] && open[2] !== "/" ? `/app${open[2]}` : "/app";
      return Response.redirect(emulator.embeddedAppUrl(shop, appPath), 302);
    }

    if (url.pathname === "/admin-host" || url.pathname === "/admin-host/") {
      const shops = emulator.store.listShops();
      const items = shops
        .map((s) => `<li><a href="/admin-host/store/${encodeURIComponent(s.domain)}/apps/loyalty-rewards">${escapeHtml(s.name)} (${escapeHtml(s.domain)})</a></li>`)
        .join("");
      return html(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local Shopify admin</title></head>` +
          `<body style="font:16px system-ui;margin:40px"><h1>Local Shopify admin (emulator)</h1>` +
          `<p>Open the Loyalty Rewards app as a merchant of:</p><ul>${items || "<li>No shops yet</li>"}</ul></body></html>`,
      );
    }
    return undefined;
  };
}
