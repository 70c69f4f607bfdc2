// The referral landing, and the member's own referral link in the panel (a part in the widget's "end"
// slot, storefront/loyalty-widget.ts `Ext`), separate from the widget so the widget stays under
// theme-check's 10,000-byte app-block script limit (docs/decisions/023-referrals.md). Built by scripts/build-storefront.mjs into
// extensions/loyalty-rewards/assets/loyalty-referral.js and loaded by snippets/loyalty-content.liquid.
//
// A visitor landing with ?ref=CODE is remembered for 30 days in a first-party cookie (the code and a
// random visitor token), the click is recorded through the app proxy, and the code goes into the
// cart's attributes (Ajax Cart API, https://shopify.dev/docs/api/ajax/reference/cart#post-locale-cart-update-js)
// so a guest order carries it in note_attributes. Once the visitor is signed in, the referral is
// claimed; a definite answer (signed up, rejected, unknown code) forgets the cookie.

import type { Account, Child, Ext, Program, Reward, Slot, View } from "./loyalty-widget";

const REF = /(?:^|; )lr_ref=(\w{8})\.([\w-]{16,64})/;

/** POST JSON; resolves to the response, or undefined when the network failed. */
const send = (url: string, body: object) =>
  fetch(url, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body) }).catch(() => undefined);

function referral(content: HTMLElement) {
  const base = (content.dataset.proxy ?? "/apps/loyalty").replace(/\/+$/, "");
  const code = new URLSearchParams(location.search).get("ref")?.toUpperCase();
  let m = document.cookie.match(REF);
  // The app checks the code strictly too; this only avoids remembering what can't be a code.
  if (code && /^[2-9A-HJ-NP-Z]{8}$/.test(code)) {
    const visitor = m?.[2] ?? crypto.randomUUID();
    document.cookie = `lr_ref=${code}.${visitor};path=/;max-age=2592000;samesite=lax`;
    void send(`${base}/referral-click`, { code, visitor });
    void send("/cart/update.js", { attributes: { _loyalty_referral: code, _loyalty_visitor: visitor } });
    m = document.cookie.match(REF);
  }
  if (content.dataset.signedIn !== "true") {
    try {
      sessionStorage.removeItem("lr_link");
    } catch {
      // Storage blocked: nothing kept.
    }
  }
  if (m && content.dataset.signedIn === "true")
    void send(`${base}/referral-claim`, { code: m[1], visitor: m[2] }).then((r) => {
      // 401 (the page was cached as signed in), 429 (the customer's rate limit: nothing was
      // decided), 5xx or offline: try again on the next page.
      if (r && r.status != 401 && r.status != 429 && r.status < 500) document.cookie = "lr_ref=;path=/;max-age=0";
    });
}

// Once per page, whatever the number of loyalty blocks on it.
const w = window as unknown as { lrReferral?: boolean };
const first = document.querySelector<HTMLElement>("[data-lr-content]");
if (first && !w.lrReferral) {
  w.lrReferral = true;
  referral(first);
}

/**
 * The member's referral link, asked for once per browser tab ("" = the shop has none), so it doesn't
 * cost every page a request of the customer's rate limit; signing out forgets it (see below). It is
 * kept with the customer it belongs to (the page's `customer.id`, never sent anywhere): another
 * customer signed in in another tab of the same browser must not be shown this one's link.
 */
let asked = false;
async function fetchLink(v: View) {
  const { api, renderAll } = ext.kit!;
  const s = v.shared;
  let store: Storage | undefined;
  try {
    store = sessionStorage;
  } catch {
    // Storage blocked: ask on every page.
  }
  const who = `${document.querySelector<HTMLElement>("[data-lr-content]")?.dataset.customer} `;
  const kept = store?.getItem("lr_link");
  let path = kept?.startsWith(who) ? kept.slice(who.length) : undefined;
  if (path == null) {
    const link = await api(s.base, "referral-link").catch(() => undefined);
    path = link?.status == 200 ? link.body.path : link?.status == 404 ? "" : undefined;
    if (path == null) return; // no definite answer: ask again on the next page
    store?.setItem("lr_link", who + path);
  }
  s.ref = path && location.origin + path;
  if (path) renderAll(s);
}

/** The member's link, copied like a reward code (same messages and keyboard fallback), and shared where the browser can. */
function memberLink(at: Slot, v: View, _p: Program, a?: Account): Child[] {
  if (at !== "end" || !a) return [];
  if (v.shared.ref === undefined && !asked) {
    asked = true;
    void fetchLink(v);
  }
  const url = v.shared.ref;
  if (!url) return [];
  const { h, button, copy } = ext.kit!;
  const t = v.t;
  return [
    h("h3", { class: "lr-sub" }, t.refer),
    h("p", { class: "lr-muted" }, t.refer_intro),
    h(
      "div",
      { class: "lr-item", "data-lr-reward": "ref" },
      h("code", { class: "lr-code lr-grow" }, url),
      button("c:ref", v.copied == "ref" ? t.copied! : t.copy!, () => copy(v, { id: "ref", code: url } as Reward, t.link_copied), { class: "lr-btn lr-ghost", "aria-label": v.copied == "ref" ? t.copied : t.copy_link }),
      // A share sheet the shopper closes rejects (AbortError): nothing to say, and no uncaught error.
      !!navigator.share && button("share", t.share!, () => void navigator.share({ url }).catch(() => undefined)),
    ),
  ];
}

// The snippet may be rendered twice (app embed + app block): register once.
const ext: Ext = ((window as unknown as { lrExt?: Ext }).lrExt ??= { parts: [] });
if (!(ext as { referral?: true }).referral) {
  (ext as { referral?: true }).referral = true;
  ext.parts.push(memberLink);
  ext.rerender?.();
}
