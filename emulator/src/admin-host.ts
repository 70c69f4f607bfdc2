// The local "admin host": what Shopify's admin gives an embedded app, for the offline demo and
// browser tests. Shopify's App Bridge (cdn.shopify.com) cannot load offline and only runs inside
// Shopify's admin, so this serves a small stand-in with the parts the app uses:
// `shopify.idToken()`, the fetch patch that adds `Authorization: Bearer <session token>` to the
// app's own requests, `shopify.toast.show()`, a visible `<ui-nav-menu>` and `<ui-save-bar>`.
// Session tokens are minted here exactly as Shopify's admin would (signed with the app secret);
// the app verifies them with the real `authenticate.admin`.
import type { ShopifyEmulator } from "./index";
import { adminActions } from "./admin-actions";
import { grantedScopes } from "./oauth";

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
  // Reload and deep links. Shopify's admin reopens the app with fresh "embedded", "shop", "host" and
  // "id_token" parameters on every load; here the app is the top-level page, so the stand-in keeps
  // the first three in the address bar across client-side navigations and drops the short-lived
  // id_token: a reload then goes through the library's bounce page (below) for a fresh token
  // instead of landing on the login page.
  // https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens
  function keepAdminParams(target) {
    if (target === undefined || target === null) return target;
    var u = new URL(String(target), location.href);
    if (u.origin !== location.origin) return target;
    if (shop && !u.searchParams.has("shop")) u.searchParams.set("shop", shop);
    if (host && !u.searchParams.has("host")) u.searchParams.set("host", host);
    if (!u.searchParams.has("embedded")) u.searchParams.set("embedded", "1");
    u.searchParams.delete("id_token");
    return u.pathname + u.search + u.hash;
  }
  var reloadTo = params.get("shopify-reload");
  if (!reloadTo && shop) {
    ["pushState", "replaceState"].forEach(function (name) {
      var native = history[name].bind(history);
      history[name] = function (state, title, target) { return native(state, title, keepAdminParams(target)); };
    });
    history.replaceState(history.state, "", location.href);
  }
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
  // The bounce page (authenticate.admin's session-token path) asks App Bridge for a session token and
  // reloads "shopify-reload" with it, as Shopify's App Bridge does.
  // https://shopify.dev/docs/apps/build/authentication-authorization/set-embedded-app-authorization
  // The bounce page is served by the app, so the path is reloaded on this origin (the configured
  // app URL can differ from where a test runs the app).
  if (reloadTo) {
    var requested = new URL(reloadTo, location.href);
    var target = new URL(requested.pathname + requested.search, location.origin);
    idToken().then(function (token) {
      target.searchParams.set("id_token", token);
      location.replace(target.toString());
    });
  }
  window.shopify = {
    config: { apiKey: apiKey, shop: shop, host: host },
    environment: { embedded: true, mobile: false, pos: false },
    idToken: idToken,
    toast: { show: toast, hide: function () {} },
    // App Bridge scopes API (https://shopify.dev/docs/api/app-bridge-library/apis/scopes): the local
    // admin approves every request for a declared optional scope, as a merchant clicking "Grant" would.
    scopes: {
      query: function () {
        return nativeFetch(hostOrigin + "/admin-host/scopes?shop=" + encodeURIComponent(shop || ""), { credentials: "omit" }).then(function (r) { return r.json(); });
      },
      request: function (scopes) {
        return nativeFetch(hostOrigin + "/admin-host/scopes/request?shop=" + encodeURIComponent(shop || ""), {
          method: "POST", credentials: "omit", headers: { "content-type": "application/json" }, body: JSON.stringify({ scopes: scopes })
        }).then(function (r) { return r.json().then(function (b) { if (!r.ok) throw new Error(b.error || ("HTTP " + r.status)); return b; }); });
      },
      revoke: function () { return Promise.reject(new Error("scopes.revoke is not emulated")); }
    },
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
  // <ui-save-bar>: the contextual save bar. Shopify's admin shows its buttons in the admin's top bar
  // while the app calls show(); here the element itself becomes a fixed bar at the top of the page.
  // https://shopify.dev/docs/api/app-bridge-library/web-components/ui-save-bar
  if (window.customElements && !customElements.get("ui-save-bar")) {
    customElements.define("ui-save-bar", class extends HTMLElement {
      connectedCallback() {
        this.setAttribute("role", "region");
        this.setAttribute("aria-label", "Unsaved changes");
        if (!this.showing) this.style.display = "none";
      }
      get showing() { return this.style.display === "flex"; }
      show() {
        if (this.showing) return Promise.resolve();
        this.style.cssText = "display:flex;position:fixed;top:0;left:0;right:0;z-index:999;gap:8px;justify-content:flex-end;align-items:center;padding:8px 20px;background:#1a1a1a;color:#fff;font:14px system-ui";
        this.dispatchEvent(new Event("show"));
        return Promise.resolve();
      }
      hide() {
        if (!this.showing) return Promise.resolve();
        this.style.display = "none";
        this.dispatchEvent(new Event("hide"));
        return Promise.resolve();
      }
      toggle() { return this.showing ? this.hide() : this.show(); }
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

    if (url.pathname === "/admin-host/scopes" || url.pathname === "/admin-host/scopes/request") {
      const shop = url.searchParams.get("shop") ?? "";
      const record = emulator.store.getShop(shop);
      if (!record) return Response.json({ error: `unknown shop ${shop}` }, { status: 404, headers: cors });
      if (url.pathname === "/admin-host/scopes") {
        // shopify.scopes.query(): { granted, required, optional }.
        const optional = emulator.config.optionalScopes ?? [];
        const granted = grantedScopes(record, emulator.declaredScopes());
        return Response.json({ granted, required: granted.filter((s) => !optional.includes(s)), optional }, { headers: cors });
      }
      if (request.method !== "POST") return Response.json({ error: "POST only" }, { status: 405, headers: cors });
      const body = (await request.json().catch(() => null)) as { scopes?: unknown } | null;
      const scopes = Array.isArray(body?.scopes) ? body.scopes.filter((s): s is string => typeof s === "string") : [];
      try {
        const { result, detail } = await emulator.requestScopes(shop, scopes);
        return Response.json({ result, detail }, { headers: cors });
      } catch (error) {
        return Response.json({ error: error instanceof Error ? error.message : String(error) }, { status: 400, headers: cors });
      }
    }

    // /admin-host/store/{shop}/admin → the merchant's and Shopify's actions (admin-actions.ts).
    const actions = /^\/admin-host\/store\/([^/]+)\/admin\/?$/.exec(url.pathname);
    if (actions) return adminActions(emulator, decodeURIComponent(actions[1]!), request, url.pathname);

    // /admin-host/store/{shop}/apps/{handle}[/path][?query] → open the embedded app as Shopify's admin
    // would: the app's path and query, with fresh embedded/shop/host/id_token parameters (a deep link
    // into the app, e.g. a customer's page, opens that page).
    const open = /^\/admin-host\/store\/([^/]+)\/apps\/[^/]+(\/.*)?$/.exec(url.pathname);
    if (open) {
      const shop = decodeURIComponent(open[1]);
      if (!emulator.store.getShop(shop)) return html(`<p>Unknown shop ${escapeHtml(shop)}</p>`, 404);
      const appPath = open[2] && open[2] !== "/" ? `/app${open[2]}` : "/app";
      const target = new URL(emulator.embeddedAppUrl(shop, appPath));
      for (const [key, value] of url.searchParams) {
        if (!["embedded", "shop", "host", "id_token"].includes(key)) target.searchParams.append(key, value);
      }
      return Response.redirect(target.toString(), 302);
    }

    if (url.pathname === "/admin-host" || url.pathname === "/admin-host/") {
      const shops = emulator.store.listShops();
      const items = shops
        .map(
          (s) =>
            `<li><a href="/admin-host/store/${encodeURIComponent(s.domain)}/apps/loyalty-rewards">${escapeHtml(s.name)} (${escapeHtml(s.domain)})</a>` +
            ` · <a href="/admin-host/store/${encodeURIComponent(s.domain)}/admin">Shopify admin actions</a></li>`,
        )
        .join("");
      return html(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local Shopify admin</title><link rel="icon" href="data:,"></head>` +
          `<body style="font:16px system-ui;margin:40px"><h1>Local Shopify admin (emulator)</h1>` +
          `<p>Open the Loyalty Rewards app as a merchant of:</p><ul>${items || "<li>No shops yet</li>"}</ul></body></html>`,
      );
    }
    return undefined;
  };
}
