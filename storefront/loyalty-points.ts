// The points program's part of the storefront widget: the earning rule, pending points, the expiry
// warning, the birthday form, and what each way to redeem gives, in words (the core shows each
// option's name, cost and Redeem button; this adds "$5.00 off your order · on orders of $50.00 or
// more" under the name). Built by scripts/build-storefront.mjs into
// extensions/loyalty-rewards/assets/loyalty-points.js and loaded (deferred) by the snippet next to
// the core script, which renders these sections in its slots (storefront/loyalty-widget.ts `Ext`).
// It lives apart because the core app-block script must stay under Shopify's 10,000-byte limit,
// which applies to each JavaScript file ("a single JavaScript file":
// https://shopify.dev/docs/storefronts/themes/tools/theme-check/checks/asset-size-app-block-javascript).
//
// Same constraints as the core: no dependencies, text through text nodes only, every word from the
// locale JSON the snippet renders (the core has already put the merchant's points name in them).
import type { Account, Child, Ext, Option, Program, Slot, View } from "./loyalty-widget";

const ext: Ext = ((window as unknown as { lrExt?: Ext }).lrExt ??= { parts: [] });

/**
 * The VIP tier and the way to the next ("Gold · $120.00 more to Platinum"; "Gold · next: Platinum" when that amount awaits review), the earning rule (only
 * while the program is on, and not while it awaits review: a program that is off promises nothing), pending points, orders whose points
 * wait for the shop's review, and the expiry warning.
 */
function pointsInfo(v: View, p: Program, a?: Account): Child[] {
  const { h, fill, points, date, money } = ext.kit!;
  const t = v.t;
  const rate = p.points.pointsPerCurrencyUnit;
  const vp = a?.vip;
  const nx = vp?.next;
  // No remaining amount: the next tier's threshold awaits the merchant's review (saved in another currency); its name only.
  const left = nx?.remaining;
  const amount = left == null ? "" : vp!.basis == "AMOUNT_SPENT" ? money(v, left, p.currency) : points(v, +left);
  const key = nx ? (vp!.tier ? "vip_next" : "vip_first") + (left == null ? "_tier" : "") : "vip_top";
  return [
    vp && (vp.tier || nx) && h("p", { class: "lr-vip", "data-lr-vip": true }, fill(t[key]!, { tier: vp.tier ?? "", next: nx?.tier ?? "", amount })),
    rate && h("p", { "data-lr-earn": true }, fill(t.earn_rule!, { points: points(v, Number(rate)), amount: money(v, "1", p.currency) })),
    !!a?.pendingPoints &&
      h("p", { class: "lr-muted", "data-lr-pending": true }, fill(t[a.pendingAvailableAt ? "pending" : "pending_nodate"]!, { points: points(v, a.pendingPoints), date: a.pendingAvailableAt ? date(v, a.pendingAvailableAt) : "" })),
    // Orders that earn once the shop confirms its amounts (the earning rule was typed in another currency).
    !!a?.waitingOrders && h("p", { class: "lr-muted", "data-lr-waiting": true }, ext.kit!.plural(v, "points_waiting", a.waitingOrders)),
    !!a?.pointsExpireAt && h("p", { class: "lr-muted", "data-lr-expiry": true }, fill(t.points_expire!, { date: date(v, a.pointsExpireAt) })),
  ];
}

/** Month and day → "MM-DD", or undefined when there is no such date (2000 is a leap year: Feb 29 is a birthday). Same rule as the app's parseBirthday. */
export function monthDay(month: string, day: string): string | undefined {
  const m = Number(month);
  const d = Number(day);
  if (!(m >= 1 && m <= 12 && Number.isInteger(d) && d >= 1 && d <= new Date(Date.UTC(2000, m, 0)).getUTCDate())) return;
  return `${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** Month (and day) of a date in 2000, in the visitor's language: "April 23", "23 avril". */
function monthName(v: View, m: number, d: number, o: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat(v.locale, { timeZone: "UTC", ...o }).format(Date.UTC(2000, m - 1, d));
}

/**
 * The birthday: shown once told (the app keeps it as first given), else a month/day form — only
 * when the shop gives a birthday bonus (no personal data is asked for nothing).
 */
function birthday(v: View, p: Program, a: Account): Child[] {
  const { h, fill, points } = ext.kit!;
  const t = v.t;
  const bonus = p.points.birthdayBonus;
  if (a.birthday) {
    const [m, d] = a.birthday.split("-").map(Number) as [number, number];
    return [h("p", { class: "lr-muted", "data-lr-birthday": true }, fill(t.birthday_set!, { date: monthName(v, m, d, { month: "long", day: "numeric" }) }))];
  }
  if (!bonus) return [];
  const [month, day, error] = (v.bday ??= ["", ""]);
  const errId = `${v.id}-bd`;
  const invalid = { "aria-invalid": error ? "true" : undefined, "aria-describedby": error ? errId : undefined };
  const sel = h("select", { "data-k": "bm", ...invalid }, h("option", { value: "" }, "—")) as HTMLSelectElement;
  for (let m = 1; m <= 12; m++) sel.append(h("option", { value: String(m), selected: String(m) === month }, monthName(v, m, 1, { month: "long" })));
  const num = h("input", { type: "number", class: "lr-num", min: "1", max: "31", inputmode: "numeric", value: day, "data-k": "bd", ...invalid }) as HTMLInputElement;
  const form = h(
    "form",
    { class: "lr-bday", "data-lr-birthday-form": true, "aria-labelledby": `${v.id}-bh`, novalidate: true },
    h("h3", { class: "lr-sub", id: `${v.id}-bh` }, t.birthday_heading),
    h("p", { class: "lr-muted" }, fill(t.birthday_intro!, { points: points(v, bonus) })),
    h("label", { class: "lr-field" }, t.birthday_month, sel),
    h("label", { class: "lr-field" }, t.birthday_day, num),
    h("button", { type: "submit", class: "lr-btn", "data-k": "bs" }, t.birthday_save),
    error && h("p", { id: errId, class: "lr-err" }, error),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void saveBirthday(v, sel.value, num.value);
  });
  return [form];
}

async function saveBirthday(v: View, month: string, day: string) {
  const { api, renderAll, load } = ext.kit!;
  const s = v.shared;
  const t = v.t;
  const value = monthDay(month, day);
  const state: NonNullable<View["bday"]> = (v.bday = [month, day, value ? undefined : t.birthday_invalid]);
  v.msg = undefined;
  if (value) {
    try {
      const answer = await api(s.base, "birthday", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ birthday: value }) });
      if (answer.body.birthday && s.account) {
        s.account.birthday = answer.body.birthday;
        v.msg = [t.birthday_saved!, false];
      } else {
        // 409: set already (e.g. in another tab) — reload to show what is kept. 400 is monthDay's rule.
        // 401: signed out meanwhile (e.g. in another tab) — the reload shows the signed-out widget.
        if (answer.status === 409 || answer.status === 401) s.loading = undefined;
        state[2] = answer.status === 400 ? t.birthday_invalid : answer.body.error?.message || t.unknown_error;
      }
    } catch {
      v.msg = [t.network_error!, true];
    }
  }
  renderAll(s, v, state[2] ? (value ? "bs" : "bd") : undefined);
  if (!s.loading) void load(s);
}

/** What the customer gets, in words: "$5.00 off your order · on orders of $50.00 or more". */
function describe(v: View, o: Option, currency: string): string {
  const { fill, points, plural, money } = ext.kit!;
  const t = v.t;
  const amount = money(v, o.value, currency);
  const vr = o.variable;
  const parts = [
    vr
      ? fill(t.variable_rate!, { amount, points: points(v, o.pointsCost) })
      : o.kind === "FREE_PRODUCT" && o.productTitle
        ? fill(t.free_named!, { product: o.productTitle })
        : o.kind === "PERCENTAGE"
          ? fill(t.percent_off!, { percent: new Intl.NumberFormat(v.locale, { maximumFractionDigits: 2 }).format(Number(o.value)) })
          : o.kind === "FREE_SHIPPING" || o.kind === "FREE_PRODUCT"
            ? t[o.kind === "FREE_SHIPPING" ? "free_shipping" : "free_product"]!
            : fill(t[o.kind === "GIFT_CARD" ? "gift_card" : o.kind === "STORE_CREDIT" ? "store_credit" : "amount_off"]!, { amount }),
  ];
  const a = o.appliesTo;
  if (a && a.kind !== "ALL") parts.push(fill(t[a.kind === "PRODUCTS" ? "on_products" : "on_collections"]!, { items: a.titles.join(", ") }));
  if (vr) parts.push(fill(t.variable_range!, { min: points(v, vr.min), max: points(v, vr.max), step: points(v, vr.step) }));
  if (o.minimumSubtotal) parts.push(fill(t.minimum!, { amount: money(v, o.minimumSubtotal, currency) }));
  if (o.expiryDays) parts.push(plural(v, "valid_days", o.expiryDays));
  return parts.join(" · ");
}

function part(at: Slot, v: View, p: Program, a?: Account): Child[] {
  return at === "top" ? pointsInfo(v, p, a) : a ? birthday(v, p, a) : [];
}

// The snippet may be rendered twice (app embed + app block): register once.
if (!(ext as { points?: true }).points) {
  (ext as { points?: true }).points = true;
  ext.parts.push(part);
  ext.describe = describe;
  ext.rerender?.();
}
