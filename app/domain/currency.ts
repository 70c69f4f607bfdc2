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
