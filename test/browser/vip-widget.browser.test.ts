// GIVEN the app's production build, the Shopify emulator, VIP tiers Silver ($100) and Gold ($300) by
//       amount spent, and a local storefront rendering the theme app extension for a signed-in customer
// WHEN the customer opens the widget (English, then French under /fr), orders, and opens it again
// THEN the widget shows how far the next tier is ("$40.00 more to reach Silver"), then the tier held
//      and the distance to the next ("Silver · $160.00 more to Gold"), in the storefront's language.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { runEvaluationJobs, saveTier, saveVipProgram } from "~/services/vip/admin.server";
import { vipOrderCreated } from "~/services/vip/tiers.server";
import { TEST_APP } from "../support/constants";
import { useShopifyEmulator } from "../support/shopify";
import { screenshot, useStorefrontBrowser } from "../support/browser";

const SHOP = TEST_APP.shop;
const { emulator } = useShopifyEmulator();
const deps = () => ({ db, logger, adminFor: () => Promise.reject(new Error("no Shopify call expected")), now: () => new Date() });

let who: { gid: string; numericId: string };

function order(amount: string, n: number) {
  return vipOrderCreated(deps(), {
    shop: SHOP,
    payload: { admin_graphql_api_id: `gid://shopify/Order/55${n}`, customer: { admin_graphql_api_id: who.gid }, subtotal_price_set: { shop_money: { amount, currency_code: "USD" } } },
    receivedAt: new Date(),
  });
}

const web = useStorefrontBrowser(emulator, {
  async setUp() {
    await db.shop.update({ where: { domain: SHOP }, data: { currency: "USD" } });
    const shopifyCustomer = emulator.addCustomer(SHOP, { firstName: "Vera", lastName: "Widget", email: "vera@example.com" });
    who = { gid: shopifyCustomer.id, numericId: shopifyCustomer.legacyId };
    const now = new Date();
    await saveVipProgram(db, SHOP, { enabled: "on", basis: "AMOUNT_SPENT", period: "LIFETIME", skippedTierRewards: "ALL" }, "USD", now);
    await saveTier(db, SHOP, { form: { name: "Silver", threshold: "100" }, shownCurrency: "USD" }, now);
    await saveTier(db, SHOP, { form: { name: "Gold", threshold: "300" }, shownCurrency: "USD" }, now);
    await runEvaluationJobs(deps());
    await order("60.00", 1);
    return { customerId: who.numericId, blockSettings: { "loyalty-rewards": { reserved_height: 800 } } };
  },
});
const pageErrors = web.problems;

const vipLine = () => web.page.locator('[data-lr-mode="inline"] [data-lr-vip]');

describe("storefront widget: VIP tier and progress", () => {
  it("shows what is left to the first tier, then the tier held and what is left to the next, in English and French", async () => {
    await web.page.goto(`${web.storefront.url}/account`);
    await vipLine().waitFor();
    expect(await vipLine().textContent()).toBe("$40.00 more to reach Silver");

    await order("80.00", 2);
    await web.page.goto(`${web.storefront.url}/account`);
    await vipLine().waitFor();
    expect(await vipLine().textContent()).toBe("Silver · $160.00 more to Gold");
    await screenshot(web.page, "widget-vip-en");

    await web.page.goto(`${web.storefront.url}/fr/account`);
    await vipLine().waitFor();
    expect(await vipLine().textContent()).toMatch(/^Silver · encore 160,00\s\$US pour Gold$/);
    await screenshot(web.page, "widget-vip-fr");
    expect(pageErrors).toEqual([]);
  });
});
