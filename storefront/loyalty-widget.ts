// The storefront loyalty widget: one deferred script for both the app embed (launcher + slide-out
// panel) and the app block (the same panel inline). Built by scripts/build-storefront.mjs into
// extensions/loyalty-rewards/assets/loyalty-widget.js — edit this file, not the asset.
//
// Constraints that shape this file:
//   - Shopify's theme-check refuses app-block JavaScript over 10,000 bytes (raw, minified), and the
//     whole widget (JS + CSS) must stay under 10 KB gzipped: no framework, no dependencies.
//   - It runs on any theme without App Bridge, and talks only to the app proxy
//     (`{root_url}apps/loyalty/…`, built by the Liquid from a block setting), so same-origin fetch.
//   - It never sends a customer id: Shopify adds the signed `logged_in_customer_id` itself.
//   - Proxy query keys stay lower-case (@shopify/shopify-api's app proxy check sorts the keys with
//     localeCompare before it computes the signature).
//   - All strings come from the theme's locale files through the Liquid (`| t`), as JSON.

export type Kind = "FIXED_AMOUNT" | "PERCENTAGE" | "FREE_SHIPPING" | "FREE_PRODUCT" | "GIFT_CARD" | "STORE_CREDIT";

export interface Option {
  id: string;
  name: string;
  kind: Kind;
  value: string;
  pointsCost: number;
  minimumSubtotal: string | null;
  expiryDays: number | null;
  /** Customer chooses min..max points in steps; pointsCost points buy `value`. */
  variable?: { min: number; max: number; step: number } | null;
  appliesTo?: { kind: "ALL" | "PRODUCTS" | "COLLECTIONS"; titles: string[] };
  productTitle?: string | null;
}

export interface Reward {
  id: string;
  title: string;
  code: string;
  /** False for store credit: credited to the account, no code to enter. */
  usesCode?: boolean;
  status: "ISSUED" | "USED";
  expiresAt: string | null;
  /** When a completed order used the code (Used rewards). */
  usedAt?: string | null;
  currency?: string;
  /** Gift cards: what is left on the card (Shopify's last answer); null when not known. */
  balance?: string | null;
  /** A gift card with nothing left (gift cards are never marked Used). */
  spent?: boolean;
}

export interface Program {
  currency: string;
  /** The merchant's points program: its name for points, earning rule (null while off), bonuses. */
  points: { name: { one: string; other: string }; pointsPerCurrencyUnit: string | null; birthdayBonus: number };
  redemptionOptions: Option[];
}

export interface Account {
  pointsBalance: number;
  pendingPoints: number;
  pendingAvailableAt: string | null;
  /** Orders whose points wait for the shop to confirm its amounts (earning rule saved in another currency). */
  waitingOrders?: number;
  pointsExpireAt: string | null;
  /** "MM-DD" once told. */
  birthday: string | null;
  rewards: Reward[];
  /** VIP tier and what is left to the next (amount spent in shop currency, or points earned). */
  vip?: { tier: string | null; next: { tier: string; remaining: string | null } | null; basis: string };
}

export interface Answer {
  status: number;
  body: {
    error?: { code: string; message: string };
    reward?: Reward;
    pointsBalance?: number;
    birthday?: string;
    /** referral-link: "/?ref=CODE". */
    path?: string;
  } & Partial<Program & Account>;
}

/** State shared by every widget on the page that talks to the same proxy (embed + block). */
export interface Shared {
  base: string;
  signedIn: boolean;
  program?: Program;
  account?: Account;
  failed?: boolean;
  loading?: Promise<void>;
  /** Option being redeemed: at most one redemption in flight per page. */
  busy?: string;
  /** Idempotency key per option (and chosen points), kept until the app gives a definite answer for that intent. */
  intents: Record<string, string>;
  /** Points chosen per variable option. */
  chosen: Record<string, number>;
  /** The option waiting for the customer's confirmation before points are spent. */
  confirm?: string;
  /** The signed-in member's referral link (storefront/loyalty-referral.ts): "" when the shop has none, undefined until known. */
  ref?: string;
  views: View[];
}

export interface View {
  id: string;
  body: HTMLElement;
  live: HTMLElement;
  t: Record<string, string>;
  locale: string;
  loginUrl: string;
  shared: Shared;
  msg?: [text: string, error: boolean];
  copied?: string;
  /** The birthday form as typed (month, day) and its field error, kept across re-renders (loyalty-points.ts). */
  bday?: [month: string, day: string, error?: string];
  /** The merchant's points name is filled into the strings once the program is known. */
  named?: boolean;
}

const groups: Record<string, Shared> = {};

/**
 * Sections that other scripts add to the panel (storefront/loyalty-points.ts, the member's referral
 * link in storefront/loyalty-referral.ts): the app-block
 * script must stay under Shopify's 10,000-byte limit, so features beyond the core live in their own
 * deferred assets. Either script may run first: parts register on `window.lrExt`, the core renders
 * them in two slots ("top": under the balance or intro, "end": after the rewards) and re-renders
 * when a part arrives late.
 */
export type Slot = "top" | "end";
export type Part = (slot: Slot, v: View, p: Program, a?: Account) => Child[];
export interface Ext {
  parts: Part[];
  kit?: {
    h: typeof h;
    fill: typeof fill;
    points: typeof points;
    date: typeof date;
    money: typeof money;
    plural: typeof plural;
    api: typeof api;
    renderAll: typeof renderAll;
    load: typeof load;
    button: typeof button;
    copy: typeof copy;
  };
  rerender?: () => void;
  /** What an option gives, in words (storefront/loyalty-points.ts); the option shows its name and cost until it is there. */
  describe?: (v: View, o: Option, currency: string) => string;
}
const ext: Ext = ((window as unknown as { lrExt?: Ext }).lrExt ??= { parts: [] });

function slot(at: Slot, v: View, p: Program, a?: Account): Child[] {
  return ext.parts.flatMap((part) => part(at, v, p, a));
}

export type Child = Node | string | false | null | undefined;

/** Tiny DOM builder; text always goes through text nodes, never innerHTML. */
function h(tag: string, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const name in attrs) {
    const value = attrs[name];
    if (value === true) el.setAttribute(name, "");
    else if (value !== false && value !== undefined) el.setAttribute(name, value);
  }
  for (const child of children) if (child) el.append(child);
  return el;
}

/** Fills `{name}` placeholders. */
function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** `{key}_one` or `{key}_other` by the locale's plural rules, with `{count}` filled in. */
function plural(v: View, key: string, n: number): string {
  const form = new Intl.PluralRules(v.locale).select(n) === "one" ? "_one" : "_other";
  return fill(v.t[key + form]!, { count: new Intl.NumberFormat(v.locale).format(n) });
}

function points(v: View, n: number): string {
  return plural(v, "points", n);
}

function money(v: View, amount: string, currency: string): string {
  try {
    return new Intl.NumberFormat(v.locale, { style: "currency", currency }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

function date(v: View, iso: string): string {
  return new Intl.DateTimeFormat(v.locale, { dateStyle: "medium" }).format(new Date(iso));
}

function newKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function api(base: string, path: string, init?: RequestInit): Promise<Answer> {
  const response = await fetch(`${base}/${path}`, {
    credentials: "same-origin",
    ...init,
    headers: { Accept: "application/json", ...init?.headers },
  });
  let body: Answer["body"] = {};
  try {
    body = await response.json();
  } catch {
    // Not our JSON (e.g. an HTML error page from a proxy): treated as "no definite answer".
  }
  return { status: response.status, body };
}

function load(s: Shared): Promise<void> {
  s.loading ??= (async () => {
    try {
      const [program, account] = await Promise.all([api(s.base, "program"), s.signedIn ? api(s.base, "customer") : undefined]);
      // 401: the page said "signed in" but Shopify's signed request says otherwise (a cached page, or
      // signed out in another tab): nothing of the customer's stays on screen.
      if (account?.status === 401) {
        s.signedIn = false;
        s.account = undefined;
        s.intents = {};
      } else if (account && account.status !== 200) throw 0;
      if (program.status !== 200) throw 0;
      s.program = program.body as Program;
      if (account && s.signedIn) s.account = account.body as Account;
      s.failed = false;
    } catch {
      // A failed refresh keeps what is on screen; only a first load shows the error and "Try again".
      s.failed = !s.program;
      s.loading = undefined;
    }
    renderAll(s);
  })();
  return s.loading;
}

/** Re-renders every view of the group; only the view the customer acted in may move focus. */
function renderAll(s: Shared, actor?: View, focus?: string) {
  // The theme editor replaces sections: forget views whose markup left the page.
  s.views = s.views.filter((v) => v.body.isConnected);
  for (const v of s.views) render(v, v === actor ? focus : undefined);
}

function render(v: View, focus?: string) {
  const s = v.shared;
  const t = v.t;
  const active = document.activeElement as HTMLElement | null;
  const inside = !!active && v.body.contains(active);
  const keep = focus ?? (inside ? active!.dataset.k : undefined);
  const program = s.program;
  const account = s.account;
  const nodes: Child[] = [];
  if (program && !v.named) {
    // "{pt}" / "{pts}" in the strings become the merchant's name for one point / several ("stars").
    v.named = true;
    const n = program.points.name;
    for (const k in t) t[k] = t[k]!.replace(/\{pts?\}/g, (m) => (m.length > 4 ? n.other : n.one));
  }

  const text = v.msg ? v.msg[0] : "";
  // Only a changed text is written, so screen readers announce each result once.
  if (v.live.textContent !== text) v.live.textContent = text;
  v.live.className = v.msg ? (v.msg[1] ? "lr-msg lr-err" : "lr-msg lr-ok") : "lr-msg";

  if (s.failed) {
    nodes.push(h("p", {}, t.load_failed), button("retry", t.retry!, () => load(s)));
  } else if (!program || (s.signedIn && !account)) {
    nodes.push(h("p", { class: "lr-muted" }, t.loading));
  } else {
    const options = program.redemptionOptions;
    if (account) {
      nodes.push(h("p", { class: "lr-balance" }, h("span", {}, t.balance), h("strong", { "data-lr-balance": true }, points(v, account.pointsBalance))));
    } else {
      nodes.push(h("p", {}, t.guest_intro));
    }
    nodes.push(...slot("top", v, program, account));
    nodes.push(h("h3", { class: "lr-sub" }, account ? t.redeem_heading : t.guest_options));
    if (!options.length) nodes.push(h("p", { class: "lr-muted" }, t.no_options));
    const list = h("ul", { class: "lr-list", role: "list" });
    for (const o of options) list.append(option(v, o, program.currency));
    nodes.push(list);
    if (account) {
      nodes.push(h("h3", { class: "lr-sub" }, t.rewards_heading));
      const rewards = h("ul", { class: "lr-list", role: "list", "data-lr-rewards": true });
      for (const r of account.rewards) rewards.append(reward(v, r));
      nodes.push(account.rewards.length ? rewards : h("p", { class: "lr-muted" }, t.no_rewards));
      nodes.push(...slot("end", v, program, account));
    } else {
      nodes.push(h("a", { class: "lr-btn", href: v.loginUrl }, t.sign_in));
    }
  }
  v.body.setAttribute("aria-busy", String(!program && !s.failed));
  v.body.replaceChildren(...(nodes.filter(Boolean) as Node[]));
  // Re-rendering replaces the buttons: put focus back where it was, or where the action moved it
  // — but never steal it from somewhere else on the page. When that control is gone (a saved
  // birthday, signed out meanwhile, "Try again" once loaded) focus goes to the message that says
  // why, or else to the panel's content, so it never falls out of the panel to the page.
  const target = keep && (v.body.querySelector<HTMLElement>(`[data-k="${CSS.escape(keep)}"]`) || (text ? v.live : v.body));
  if (target && (inside || (focus && (!active || active === document.body)))) target.focus();
}

function button(key: string, label: string, onClick: () => void, attrs: Record<string, string | boolean | undefined> = {}) {
  const b = h("button", { type: "button", class: "lr-btn", "data-k": key, ...attrs }, label);
  b.addEventListener("click", onClick);
  return b;
}

/** Points this option would spend now: its cost, or the customer's choice for a variable one. */
function cost(s: Shared, o: Option): number {
  return o.variable ? (s.chosen[o.id] ?? o.variable.min) : o.pointsCost;
}

function option(v: View, o: Option, currency: string): HTMLElement {
  const s = v.shared;
  const t = v.t;
  const account = s.account;
  const vr = o.variable;
  const n = cost(s, o);
  const missing = account ? (vr ? vr.min : n) - account.pointsBalance : 0;
  const hintId = `${v.id}-n-${o.id}`;
  const busy = s.busy === o.id;
  const asking = s.confirm === o.id;
  let input: HTMLInputElement | false = false;
  if (vr && account && missing <= 0) {
    const top = Math.min(vr.max, vr.min + Math.floor((account.pointsBalance - vr.min) / vr.step) * vr.step);
    input = h("input", { type: "number", class: "lr-num", min: String(vr.min), max: String(top), step: String(vr.step), value: String(Math.min(n, top)), "data-k": `p:${o.id}`, "aria-label": fill(t.choose_points!, { name: o.name }) }) as HTMLInputElement;
    s.chosen[o.id] = Math.min(n, top);
    input.addEventListener("change", () => {
      // Only what the option takes: the fewest for nothing (or less) typed, at most `top`, on a step
      // (the confirm then shows it; the app checks it again).
      const p = Math.max(vr.min, Math.min(top, Number(input && input.value) || 0));
      s.chosen[o.id] = p - ((p - vr.min) % vr.step);
      s.confirm = undefined;
      renderAll(s, v, `p:${o.id}`);
    });
  }
  const label = fill(t.redeem_label!, { name: o.name, points: points(v, cost(s, o)) });
  return h(
    "li",
    { class: "lr-item", "data-lr-option": o.id },
    h("div", { class: "lr-grow" }, h("strong", {}, o.name), h("span", { class: "lr-muted" }, ext.describe?.(v, o, currency))),
    input || h("span", { class: "lr-cost" }, points(v, vr ? vr.min : n)),
    account &&
      !asking &&
      // aria-disabled, not disabled: a disabled button drops the focus to the page (while a redeem
      // runs, or when it was refused for too few points), and a screen reader user could never
      // reach it to hear why it is unavailable.
      button(`r:${o.id}`, busy ? t.redeeming! : t.redeem!, () => s.busy || missing > 0 || ((s.confirm = o.id), renderAll(s, v, `y:${o.id}`)), {
        "aria-label": busy ? t.redeeming : label,
        "aria-describedby": missing > 0 ? hintId : undefined,
        "aria-busy": busy ? "true" : undefined,
        "aria-disabled": missing > 0 || !!s.busy ? "true" : undefined,
      }),
    asking &&
      h(
        "div",
        { class: "lr-full lr-confirm", role: "group", "aria-label": label },
        h("span", {}, fill(t.confirm_prompt!, { name: o.name, points: points(v, cost(s, o)) })),
        button(`y:${o.id}`, t.confirm!, () => redeem(v, o)),
        button(`n:${o.id}`, t.cancel!, () => ((s.confirm = undefined), renderAll(s, v, `r:${o.id}`)), { class: "lr-btn lr-ghost" }),
      ),
    missing > 0 && h("small", { id: hintId, class: "lr-muted lr-full" }, fill(t.need_more!, { points: points(v, missing) })),
  );
}

function reward(v: View, r: Reward): HTMLElement {
  const t = v.t;
  const expired = r.expiresAt && r.status === "ISSUED" && Date.parse(r.expiresAt) < Date.now();
  // A code that no longer works (Used, expired, a spent gift card) says so and offers no Copy: it would fail at checkout.
  const over = r.spent ? t.status_spent : expired ? t.status_expired : r.status === "USED" ? t.status_used : undefined;
  const copied = v.copied === r.id;
  return h(
    "li",
    { class: "lr-item", "data-lr-reward": r.id },
    h(
      "div",
      { class: "lr-grow" },
      h("strong", {}, r.title),
      h("span", { class: `lr-badge lr-${over ? "used" : "issued"}` }, over ?? t.status_issued),
      r.balance != null && !r.spent && r.currency ? h("span", { class: "lr-muted" }, fill(t.balance_left!, { amount: money(v, r.balance, r.currency) })) : null,
      h(
        "span",
        { class: "lr-muted" },
        // A Used code's expiry no longer matters: when it was used does.
        r.status === "USED" && r.usedAt
          ? fill(t.used_on!, { date: date(v, r.usedAt) })
          : r.expiresAt
            ? fill(expired ? t.expired! : t.expires!, { date: date(v, r.expiresAt) })
            : t.no_expiry,
      ),
    ),
    r.usesCode === false ? h("span", { class: "lr-muted" }, t.credit_added) : h("code", { class: "lr-code" }, r.code),
    r.usesCode === false || over
      ? null
      : button(`c:${r.id}`, copied ? t.copied! : t.copy!, () => copy(v, r), {
          "aria-label": copied ? t.copied : fill(t.copy_label!, { code: r.code }),
          class: "lr-btn lr-ghost",
        }),
  );
}

async function copy(v: View, r: Reward, done = v.t.copied_msg!) {
  try {
    await navigator.clipboard.writeText(r.code);
    v.copied = r.id;
    v.msg = [fill(done, { code: r.code }), false];
    setTimeout(() => {
      if (v.copied === r.id) {
        v.copied = undefined;
        render(v);
      }
    }, 2000);
    render(v, `c:${r.id}`);
  } catch {
    v.msg = [v.t.copy_failed!, true];
    render(v, `c:${r.id}`);
    // Leave the code selected so the customer can copy it with the keyboard.
    const code = v.body.querySelector(`[data-lr-reward="${CSS.escape(r.id)}"] code`);
    if (code) getSelection()?.selectAllChildren(code);
  }
}

async function redeem(v: View, o: Option) {
  const s = v.shared;
  // Checked and set before any await: a second click in the same tick cannot start another request.
  if (s.busy) return;
  s.busy = o.id;
  s.confirm = undefined;
  const n = cost(s, o);
  for (const view of s.views) view.msg = undefined;
  let focus = `r:${o.id}`;
  // Focus moves from "Yes, redeem" to the option's busy button: it stays in the panel.
  renderAll(s, v, focus);
  const intent = `${o.id}:${n}`;
  const key = (s.intents[intent] ??= newKey());
  try {
    const answer = await api(s.base, "redeem", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ templateId: o.id, idempotencyKey: key, ...(o.variable ? { points: n } : {}) }),
    });
    const { reward: got, error } = answer.body;
    if (got && s.account) {
      delete s.intents[intent];
      s.account.pointsBalance = answer.body.pointsBalance ?? s.account.pointsBalance;
      s.account.rewards = [got, ...s.account.rewards.filter((r) => r.id !== got.id)];
      v.msg = [fill(v.t[got.usesCode === false ? "redeemed_credit" : "redeemed"]!, { code: got.code, points: points(v, s.account.pointsBalance) }), false];
      // Store credit has no code to copy: focus stays on the option.
      if (got.usesCode !== false) focus = `c:${got.id}`;
    } else {
      // A JSON error is the app's final answer for this intent (nothing was spent): the next click
      // is a new intent with a new key. While the outcome is open ("redemption_pending", an
      // internal error, or no JSON at all) the key is kept, so a retry resumes it and cannot
      // redeem twice.
      const open = !error || /pending|internal/.test(error.code);
      if (!open) delete s.intents[intent];
      v.msg = [error?.message || v.t.unknown_error!, true];
      // The balance may have changed elsewhere, or the outcome is open: fetch the account again.
      // 401: signed out meanwhile (e.g. in another tab); the reload shows the signed-out widget.
      if (open || answer.status === 401 || /points/.test(error.code)) s.loading = undefined;
    }
  } catch {
    v.msg = [v.t.network_error!, true];
    s.loading = undefined;
  }
  s.busy = undefined;
  renderAll(s, v, focus);
  if (!s.loading) void load(s);
}

function setUpEmbed(root: HTMLElement, v: View) {
  const launcher = root.querySelector<HTMLElement>("[data-lr-launcher]")!;
  const panel = root.querySelector<HTMLElement>("[data-lr-panel]")!;
  panel.hidden = false;
  const isOpen = () => root.classList.contains("lr-open");
  const close = () => {
    root.classList.remove("lr-open");
    launcher.setAttribute("aria-expanded", "false");
    document.removeEventListener("keydown", onKey);
    launcher.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      close();
    } else if (e.key === "Tab") {
      // Focus trap: Tab and Shift+Tab cycle through the panel's controls.
      const focusable = [...panel.querySelectorAll<HTMLElement>("a[href],button:not([disabled]),[tabindex='0']")];
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      const active = document.activeElement;
      if (!first || !last) return e.preventDefault();
      if (e.shiftKey ? active === first || !panel.contains(active) : active === last || !panel.contains(active)) {
        e.preventDefault();
        (e.shiftKey ? last : first).focus();
      }
    }
  };
  launcher.addEventListener("click", () => {
    if (isOpen()) return close();
    root.classList.add("lr-open");
    launcher.setAttribute("aria-expanded", "true");
    document.addEventListener("keydown", onKey);
    root.querySelector<HTMLElement>("[data-lr-close]")!.focus();
    if (!v.shared.program && !v.shared.loading) void load(v.shared);
  });
  root.querySelector("[data-lr-close]")!.addEventListener("click", close);
  root.querySelector("[data-lr-overlay]")!.addEventListener("click", close);
}

let count = 0;

function mount(root: HTMLElement) {
  if (root.dataset.lrReady) return;
  root.dataset.lrReady = "1";
  const content = root.querySelector<HTMLElement>("[data-lr-content]")!;
  const config = content.dataset;
  const base = (config.proxy ?? "/apps/loyalty").replace(/\/+$/, "");
  const shared = (groups[base] ??= { base, signedIn: config.signedIn === "true", intents: {}, chosen: {}, views: [] });
  const view: View = {
    id: `lr${++count}`,
    body: content.querySelector<HTMLElement>("[data-lr-body]")!,
    live: content.querySelector<HTMLElement>("[data-lr-live]")!,
    t: JSON.parse(content.querySelector("[data-lr-i18n]")!.textContent!),
    locale: config.locale || document.documentElement.lang || "en",
    loginUrl: config.loginUrl ?? "/account/login",
    shared,
  };
  shared.views.push(view);
  if (root.dataset.lrMode === "embed") setUpEmbed(root, view);
  // The inline block loads at once; the embed waits until the panel is first opened.
  if (shared.program || shared.failed) render(view);
  else if (root.dataset.lrMode !== "embed") void load(shared);
}

function mountAll(scope: ParentNode = document) {
  scope.querySelectorAll<HTMLElement>("[data-lr-root]").forEach(mount);
}

ext.kit = { h, fill, points, plural, date, money, api, renderAll, load, button, copy };
ext.rerender = () => Object.values(groups).forEach((g) => renderAll(g));
mountAll();
// The theme editor re-renders sections without reloading the page.
document.addEventListener("shopify:section:load", (e) => mountAll(e.target as ParentNode));
