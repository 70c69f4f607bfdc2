/** The app identity used by every test (demo-safe values, not secrets). */
export const TEST_APP = {
  apiKey: "test-api-key",
  apiSecret: "test-api-secret",
  appUrl: "https://loyalty-app.test",
  scopes: "read_customers,read_discounts,write_discounts,read_gift_cards,write_gift_cards,read_orders,write_app_proxy,read_store_credit_accounts,write_store_credit_account_transactions,read_products",
  shop: "test-shop.myshopify.com",
} as const;

/** A valid Program settings form (app/routes/app.program.tsx), as the admin page posts it. */
export const PROGRAM_SETTINGS_FORM = {
  enabled: "on",
  pointsNameSingular: "star",
  pointsNamePlural: "stars",
  pointsPerCurrencyUnit: "2",
  includeShipping: "",
  includeTaxes: "on",
  rounding: "NEAREST",
  pendingDays: "14",
  expiryMonths: "",
  signupBonus: "50",
  birthdayBonus: "100",
  // The currency the page showed its amounts in (docs/decisions/015): the test shops sell in USD.
  amountCurrency: "USD",
} as const;
