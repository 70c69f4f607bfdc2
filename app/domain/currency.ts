// The shop's currency: the one rule for what the app stores as `Shop.currency`, whoever read it
// (the Admin API's `Shop.currencyCode` after a token exchange or in the worker's pass, or a shop/update
// webhook's `currency`: app/services/lifecycle/scopes.server.ts).
//
// A shop's currency is one of Shopify's CurrencyCode values ("The three letter code for the currency
// that the shop sells in", Shop.currencyCode, 2026-10 Admin schema; the REST Shop resource's
// `currency`, "The three-letter code (ISO 4217 format) for the shop's default currency":
// https://shopify.dev/docs/api/admin-rest/latest/resources/shop). The enum also holds `XXX`
// ("Unrecognized currency") and a four-letter digital currency (`USDC`): neither is an ISO 4217
// currency a shop sells in, so neither is stored. The list is the 2026-10 schema's enum less those two;
// app/domain/currency.test.ts checks it against the schema the emulator is built on.
import { parseShopifyTime } from "./shopify-time";

/** Shopify's CurrencyCode values (2026-10) that are currencies: three letters, `XXX` left out. */
const SHOP_CURRENCY_CODES: ReadonlySet<string> = new Set([
  "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD",
  "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BYR", "BZD", "CAD", "CDF", "CHF", "CLP",
  "CNY", "COP", "CRC", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP",
  "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR", "ILS",
  "INR", "IQD", "IRR", "ISK", "JEP", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KID", "KMF", "KRW", "KWD",
  "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LTL", "LVL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK",
  "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD",
  "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD",
  "SCR", "SDG", "SEK", "SGD", "SHP", "SLL", "SOS", "SRD", "SSP", "STD", "STN", "SYP", "SZL", "THB", "TJS",
  "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VED", "VEF", "VES",
  "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW",
]);

/** The codes, for the test that holds them to Shopify's schema. */
export const shopCurrencyCodes = (): string[] => [...SHOP_CURRENCY_CODES];

/** `value` when it is a currency a shop can sell in (SHOP_CURRENCY_CODES, exactly as Shopify spells it), else null. */
export function shopCurrencyCode(value: unknown): string | null {
  return typeof value === "string" && SHOP_CURRENCY_CODES.has(value) ? value : null;
}

/**
 * When a shop/update body's currency was true (the `readAt` by which storeShopCurrency,
 * app/services/lifecycle/scopes.server.ts, orders readings):
 * its signed `updated_at`. Shopify's REST times are whole seconds ("2026-01-02T10:00:00-05:00"), and
 * the body was written after its update, within that second, so without more it is true as of the
 * second's end — a reading asked for earlier in that second (before the change) must not win over it.
 * Two changes inside one second (EUR at 10:00:00.2, GBP at 10:00:00.7) would then be dated alike, and
 * the one applied last would win even when it is the older. So a delivery's X-Shopify-Triggered-At (when Shopify
 * triggered the webhook, https://shopify.dev/docs/apps/build/webhooks; kept by the inbox,
 * app/services/webhooks/inbox.server.ts) orders them within the second — only when it falls inside
 * the signed second: the header is not signed, so a resent body can move only within the second
 * its signature already dates, never before or after it. Outside it, or absent, the second's end.
 * A time with fractions of a second is taken as written. Null when `updated_at` is no time.
 */
export function shopUpdateReadAt(updatedAt: unknown, triggeredAt: Date | null): Date | null {
  const at = parseShopifyTime(updatedAt);
  if (at === null) return null;
  if (typeof updatedAt === "string" && /:\d{2}\.\d/.test(updatedAt)) return at;
  const end = at.getTime() + 999;
  const triggered = triggeredAt?.getTime() ?? Number.NaN;
  return triggered >= at.getTime() && triggered <= end ? new Date(triggered) : new Date(end);
}


/**
 * Whether amounts a merchant typed (a reward's amount off or minimum order, a VIP threshold in amount
 * spent, a referral's minimum order, points per unit of currency) need review: they were saved in
 * another currency than the shop sells in now (`amountCurrency`, the shop's currency when they were
 * saved; docs/decisions/015, "amounts saved in another currency"). "$5 off" saved in USD is not "¥5
 * off" after the shop moved to JPY, and Shopify has no rate for the merchant's intent, so the app
 * does not convert: such amounts are not used until the merchant confirms them. Null (not known:
 * rows saved before the column, of a shop with no Shop row) reads as the shop's currency. The one rule.
 */
export function amountsNeedReview(amountCurrency: string | null, shopCurrency: string): boolean {
  return amountCurrency !== null && amountCurrency !== shopCurrency;
}

/**
 * The form field in which every admin form that saves amounts sends the currency its page showed them
 * in (the loader's `currency`); the save is refused when the shop sells in another one now
 * (amountCurrencyOfSave, app/services/lifecycle/amount-currency.server.ts).
 */
export const AMOUNT_CURRENCY_FIELD = "amountCurrency";

/** The banner's title: "Amounts saved in USD; the shop now sells in EUR" (several old currencies joined). */
export function amountCurrencyTitle(savedIn: readonly string[], shopCurrency: string): string {
  return `Amounts saved in ${savedIn.join(" and ")}; the shop now sells in ${shopCurrency}`;
}
