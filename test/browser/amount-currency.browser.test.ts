// GIVEN the demo shop whose amounts (ways to redeem, VIP tiers and entry rewards, referrals, the
//       program) were saved in USD, and the shop now selling in EUR (Shopify's shop/update applied),
//       the app's production build and the emulator's admin host, in Chromium
// WHEN the merchant opens Home and Ways to redeem
// THEN a banner names what needs review: "Amounts saved in USD; the shop now sells in EUR"
// AND WHEN the shop moves on to GBP before the merchant confirms what the page showed (EUR)
// THEN the confirm is refused with a sentence in the banner and nothing is marked
// AND WHEN the merchant reloads and confirms in GBP THEN the banner goes away and the amounts are GBP.
// AND WHEN a page that saves amounts (Program, a way to redeem, a VIP tier, Referrals, the VIP program) is loaded, the
//      shop moves to another currency, and the merchant saves what they typed
// THEN the page sent the currency it showed: the save is refused with a sentence on the page and
//      nothing is saved; reloaded (the amounts now labelled in the new currency), the save goes
//      through, stamped with that currency.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { expectAccessible, screenshot, useAdminDemoBrowser } from "../support/browser";
import { useShopifyEmulator } from "../support/shopify";
import { DEMO_SHOP } from "../../scripts/demo/seed";

const { emulator } = useShopifyEmulator();

/** The merchant changed the shop's currency in Shopify, and its shop/update was applied. */
async function shopNowSellsIn(currency: string) {
  await emulator.changeShopCurrency(DEMO_SHOP, currency, { deliver: false });
  await db.shop.update({ where: { domain: DEMO_SHOP }, data: { currency, currencyReadAt: new Date() } });
}

// The confirm refused on purpose answers 409; any other console error is a defect.
const ui = useAdminDemoBrowser(emulator, {
  allowConsole: /status of 409/,
  afterStart: async () => {
    const usd = { where: { shop: DEMO_SHOP }, data: { amountCurrency: "USD" } };
    await Promise.all([db.rewardTemplate.updateMany(usd), db.vipTier.updateMany(usd), db.referralSettings.updateMany(usd), db.programSettings.updateMany(usd)]);
    await shopNowSellsIn("EUR");
  },
});

describe("amounts saved in another currency (Chromium)", () => {
  it("names what needs review on Home and on Ways to redeem; a confirm for a currency the shop has left is refused in the banner; confirmed in the shop's currency, the banner goes away", async () => {
    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, "/app"), { waitUntil: "networkidle" });
    const title = "Amounts saved in USD; the shop now sells in EUR";
    await ui.page.getByText(title).first().waitFor();
    for (const page of ["Ways to redeem", "VIP", "Referrals", "Program"]) expect(await ui.page.getByRole("listitem").filter({ hasText: `${page}:` }).count()).toBe(1);
    await expectAccessible(ui.page, "Home with the amounts banner");
    await screenshot(ui.page, "amount-currency-home");

    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, "/app/ways-to-redeem"), { waitUntil: "networkidle" });
    await ui.page.getByText(title).first().waitFor();
    // The page's own line first.
    expect(await ui.page.getByRole("listitem").first().textContent()).toMatch(/^Ways to redeem: /);

    // The shop moves on to GBP while the page still shows EUR: the confirm is refused, nothing marked.
    await shopNowSellsIn("GBP");
    await ui.page.getByRole("button", { name: "Confirm amounts are in EUR" }).click();
    // The banner (Polaris: role alert) carries the sentence.
    await ui.page.getByRole("alert").getByText("The shop's currency changed to GBP after this page was loaded in EUR.", { exact: false }).waitFor();
    expect(await db.rewardTemplate.count({ where: { shop: DEMO_SHOP, amountCurrency: "USD" } })).toBeGreaterThan(0);
    await expectAccessible(ui.page, "Ways to redeem with a refused confirm");

    await ui.page.reload({ waitUntil: "networkidle" });
    await ui.page.getByText("Amounts saved in USD; the shop now sells in GBP").first().waitFor();
    await ui.page.getByRole("button", { name: "Confirm amounts are in GBP" }).click();
    await expect.poll(() => ui.page.getByText("the shop now sells in").count()).toBe(0);
    expect(await db.rewardTemplate.count({ where: { shop: DEMO_SHOP, amountCurrency: { not: "GBP" } } })).toBe(0);
    expect(await db.vipTier.count({ where: { shop: DEMO_SHOP, amountCurrency: { not: "GBP" } } })).toBe(0);
    await screenshot(ui.page, "amount-currency-confirmed");
    expect(ui.problems).toEqual([]);
  });

  it("every form that saves amounts sends the currency its page showed: saved after the shop moved on, it is refused on the page and nothing is saved; reloaded, it saves in the new currency", async () => {
    const saveBar = ui.page.locator("ui-save-bar");
    const refused = (from: string, to: string) => ui.page.getByText(`The shop's currency changed to ${to} after this page was loaded in ${from}; nothing was saved.`, { exact: false }).first();

    // Program: the rate is labelled in GBP when the page loads; the shop moves to JPY before Save.
    await shopNowSellsIn("GBP");
    const programBefore = await db.programSettings.findUniqueOrThrow({ where: { shop: DEMO_SHOP } });
    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, "/app/program"), { waitUntil: "networkidle" });
    await ui.page.getByRole("textbox", { name: /per 1 GBP spent/ }).fill("7");
    await shopNowSellsIn("JPY");
    await saveBar.getByRole("button", { name: "Save" }).click();
    await refused("GBP", "JPY").waitFor();
    expect(await db.programSettings.findUniqueOrThrow({ where: { shop: DEMO_SHOP } })).toEqual(programBefore);
    await screenshot(ui.page, "amount-currency-save-refused");
    await expectAccessible(ui.page, "Program with a save refused after a currency change");
    // Reloaded: labelled in JPY, saved and stamped JPY.
    await ui.page.reload({ waitUntil: "networkidle" });
    await ui.page.getByRole("textbox", { name: /per 1 JPY spent/ }).fill("7");
    await saveBar.getByRole("button", { name: "Save" }).click();
    await ui.page.locator("[data-toast]").filter({ hasText: "Program settings saved" }).waitFor();
    expect(await db.programSettings.findUniqueOrThrow({ where: { shop: DEMO_SHOP } })).toMatchObject({ pointsPerCurrencyUnit: "7", amountCurrency: "JPY" });

    // A way to redeem (sent by a fetcher): loaded in JPY, saved after the move to CAD.
    const option = await db.rewardTemplate.findFirstOrThrow({ where: { shop: DEMO_SHOP, purpose: "POINTS_REDEMPTION", kind: "FIXED_AMOUNT" }, orderBy: { name: "asc" } });
    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, `/app/ways-to-redeem/${option.id}`), { waitUntil: "networkidle" });
    await ui.page.getByRole("textbox", { name: "Name" }).fill(`${option.name} (edited)`);
    await shopNowSellsIn("CAD");
    await saveBar.getByRole("button", { name: "Save" }).click();
    await refused("JPY", "CAD").waitFor();
    expect(await db.rewardTemplate.findUniqueOrThrow({ where: { id: option.id } })).toEqual(option);

    // A VIP tier's threshold: loaded in CAD, saved after the move to AUD.
    const tier = await db.vipTier.findFirstOrThrow({ where: { shop: DEMO_SHOP }, orderBy: { name: "asc" } });
    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, `/app/vip?tier=${tier.id}`), { waitUntil: "networkidle" });
    await ui.page.getByRole("textbox", { name: "Threshold" }).fill("12345");
    await shopNowSellsIn("AUD");
    await ui.page.locator("ui-save-bar#vip-tier-save-bar").getByRole("button", { name: "Save" }).click();
    await refused("CAD", "AUD").waitFor();
    expect(await db.vipTier.findUniqueOrThrow({ where: { id: tier.id } })).toEqual(tier);

    // Referrals: loaded in AUD, saved after the move to EUR.
    const referralBefore = await db.referralSettings.findUniqueOrThrow({ where: { shop: DEMO_SHOP } });
    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, "/app/referrals"), { waitUntil: "networkidle" });
    await ui.page.getByRole("spinbutton", { name: "Waiting period (days)" }).fill("9");
    await shopNowSellsIn("EUR");
    await saveBar.getByRole("button", { name: "Save" }).click();
    await refused("AUD", "EUR").waitFor();
    expect(await db.referralSettings.findUniqueOrThrow({ where: { shop: DEMO_SHOP } })).toEqual(referralBefore);

    // The VIP program (its basis decides whether thresholds are amounts): loaded in EUR, saved after the move to GBP.
    const vipBefore = await db.vipProgram.findUniqueOrThrow({ where: { shop: DEMO_SHOP } });
    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, "/app/vip"), { waitUntil: "networkidle" });
    await ui.page.getByRole("combobox", { name: "Counted over" }).selectOption(vipBefore.period === "LIFETIME" ? "CALENDAR_YEAR" : "LIFETIME");
    await shopNowSellsIn("GBP");
    await ui.page.locator("ui-save-bar#vip-program-save-bar").getByRole("button", { name: "Save" }).click();
    await refused("EUR", "GBP").waitFor();
    expect(await db.vipProgram.findUniqueOrThrow({ where: { shop: DEMO_SHOP } })).toEqual(vipBefore);
    expect(ui.problems).toEqual([]);
  });

  it("a customer's profile says VIP tier changes are on hold while the thresholds are under review, with the way to the confirm", async () => {
    await db.vipTier.updateMany({ where: { shop: DEMO_SHOP }, data: { thresholdBasis: "AMOUNT_SPENT", amountCurrency: "USD" } });
    await shopNowSellsIn("EUR");
    const grace = await db.customer.findFirstOrThrow({ where: { shop: DEMO_SHOP, displayName: { startsWith: "Grace" } } });
    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, `/app/customers/${grace.id}`), { waitUntil: "networkidle" });
    await ui.page.getByText("Tier changes are on hold until you confirm the amounts").waitFor();
    expect(await ui.page.getByText("Amounts saved in USD; the shop now sells in EUR. Until the VIP thresholds are confirmed", { exact: false }).count()).toBe(1);
    await expectAccessible(ui.page, "Customer profile with VIP tier changes on hold");
    await screenshot(ui.page, "amount-currency-customer-vip-hold");
    // The link opens the VIP page, whose banner confirms.
    await ui.page.getByRole("link", { name: "Review and confirm amounts" }).click();
    await ui.page.getByRole("button", { name: "Confirm amounts are in EUR" }).waitFor();
    expect(ui.problems).toEqual([]);
  });
});
