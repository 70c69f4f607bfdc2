// GIVEN the app's production build, the Shopify emulator and the local storefront rendering the theme
//       app extension for a signed-in customer with 1,000 points, and a way to redeem where the
//       customer chooses 100 to 1,000 points in steps of 100 ($1 per 100 points)
// WHEN the customer types into the points field what a shopper might: nothing, a negative number,
//      an off-step number, more than they have
// THEN the widget only ever offers (and asks to confirm) a number of points the option takes — the
//      fewest for nothing or less, a step down for an off-step one, the most they can for more — and
//      a redemption sends exactly that, so the customer never gets the developer's "Something was
//      wrong with this request … reload the page" for a typing slip.
import { describe, expect, it } from "vitest";
import { TEST_APP } from "../support/constants";
import { useShopifyEmulator } from "../support/shopify";
import { screenshot, useStorefrontBrowser } from "../support/browser";
import db from "~/db.server";

const SHOP = TEST_APP.shop;
const { emulator } = useShopifyEmulator();
const sent: unknown[] = [];
let customerId: string;

const web = useStorefrontBrowser(emulator, {
  async setUp() {
    await db.shop.update({ where: { domain: SHOP }, data: { currency: "USD" } });
    await db.programSettings.create({ data: { shop: SHOP, enabled: true } });
    await db.rewardTemplate.create({
      data: { shop: SHOP, purpose: "POINTS_REDEMPTION", name: "Points off", kind: "FIXED_AMOUNT", value: "1", pointsCost: 100, pointsMin: 100, pointsMax: 1000, pointsStep: 100, amountCurrency: "USD" },
    });
    const shopper = emulator.addCustomer(SHOP, { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" });
    customerId = (await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: shopper.id, displayName: "Ada Lovelace", pointsBalance: 1000 } })).id;
    return { customerId: shopper.legacyId };
  },
});

const inline = () => web.page.locator('[data-lr-mode="inline"]');

describe("storefront widget: choosing the points of a variable option (Chromium)", () => {
  it("GIVEN nothing, -100, 250 or 5000 typed THEN the Redeem button and the confirm ask for 100, 100, 200 and 1,000 points (was 'Spend 0 points' / 'Spend -100 points', then a request error); the redemption sends what was confirmed", async () => {
    web.page.on("request", (request) => {
      if (request.url().includes("/apps/loyalty/redeem")) sent.push(JSON.parse(request.postData() ?? "{}").points);
    });
    await web.page.goto(`${web.storefront.url}/account`);
    await inline().locator("[data-lr-option]").first().waitFor();
    const field = inline().getByRole("spinbutton", { name: "Number of points to use for Points off" });
    for (const [typed, offered] of [["", "100"], ["-100", "100"], ["250", "200"], ["5000", "1,000"]] as const) {
      await field.fill(typed);
      await field.blur();
      await inline().getByRole("button", { name: `Redeem ${offered} points for Points off` }).click();
      expect(await inline().locator(".lr-confirm").textContent(), typed).toContain(`Spend ${offered} points on Points off?`);
      await inline().getByRole("button", { name: "Cancel" }).click();
    }
    expect(sent).toEqual([]);

    await field.fill("250");
    await field.blur();
    await inline().getByRole("button", { name: "Redeem 200 points for Points off" }).click();
    await inline().getByRole("button", { name: "Yes, redeem" }).click();
    await expect.poll(() => inline().locator("[data-lr-live]").textContent()).toMatch(/Your reward is ready: .* You now have 800 points\./);
    expect(sent).toEqual([200]);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customerId } })).pointsBalance).toBe(800);
    await screenshot(web.page, "widget-variable-points");
    expect(web.problems).toEqual([]);
  });
});
