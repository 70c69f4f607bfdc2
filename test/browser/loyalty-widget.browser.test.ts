// GIVEN the app's production build, the Shopify emulator, and a local storefront that renders the
// theme app extension's Liquid (app block + app embed) for a signed-in customer and proxies
// /apps/loyalty/* to the app signed as Shopify signs
// WHEN a customer uses the widget in Chromium
// THEN they see their points, options and visible rewards; Redeem asks for confirmation; a redemption shows its code at once and
// lowers the balance (a double click redeems once); a Shopify failure explains itself and changes
// nothing; the slide-out panel traps focus and closes on Escape; guests see the program and a
// sign-in link. Screenshots: test-results/screenshots/.
import AxeBuilder from "@axe-core/playwright";
import type { Locator, Route } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_APP } from "../support/constants";
import { useShopifyEmulator } from "../support/shopify";
import { screenshot, useStorefrontBrowser } from "../support/browser";
import db from "~/db.server";

const SHOP = TEST_APP.shop;
const { emulator } = useShopifyEmulator();

let ada: { id: string; gid: string; numericId: string };
const options: Record<string, string> = {};
const redeemRequests: string[] = [];

const web = useStorefrontBrowser(emulator, {
  clipboard: true,
  async setUp() {
    await db.shop.update({ where: { domain: SHOP }, data: { currency: "USD" } });

    const shopifyCustomer = emulator.addCustomer(SHOP, { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" });
    const row = await db.customer.create({
      data: { shop: SHOP, shopifyCustomerId: shopifyCustomer.id, displayName: "Ada Lovelace", email: "ada@example.com", pointsBalance: 1200 },
    });
    ada = { id: row.id, gid: shopifyCustomer.id, numericId: shopifyCustomer.legacyId };

    for (const [key, data] of Object.entries({
      fiveOff: { name: "$5 off", kind: "FIXED_AMOUNT", value: "5", pointsCost: 500, expiryDays: 30 },
      shipping: { name: "Free shipping", kind: "FREE_SHIPPING", value: "0", pointsCost: 300, minimumSubtotal: "40" },
      fifty: { name: "$50 off", kind: "FIXED_AMOUNT", value: "50", pointsCost: 5000 },
    })) {
      options[key] = (await db.rewardTemplate.create({ data: { shop: SHOP, purpose: "POINTS_REDEMPTION", ...data } })).id;
    }
    const existing = (status: string, code: string, extra: Record<string, unknown> = {}) =>
      db.reward.create({
        data: {
          shop: SHOP,
          customerId: ada.id,
          customerGid: ada.gid,
          source: "POINTS_REDEMPTION",
          kind: "FIXED_AMOUNT",
          value: "5",
          currency: "USD",
          title: "$5 off",
          code,
          codeKey: code.toLowerCase(),
          status,
          createdAt: new Date(Date.now() - 86_400_000),
          ...extra,
        },
      });
    await existing("ISSUED", "WELCOME-ISSUED", { issuedAt: new Date(), expiresAt: new Date("2099-01-01T00:00:00Z") });
    await existing("USED", "SPRING-USED", { issuedAt: new Date(), usedAt: new Date("2026-11-20T12:00:00Z"), expiresAt: new Date("2099-01-01T00:00:00Z") });
    await existing("PENDING", "HIDDEN-PENDING");
    await existing("FAILED", "HIDDEN-FAILED", { failureCode: "shopify_unavailable" });
    await existing("CANCELED", "HIDDEN-CANCELED", { canceledAt: new Date() });

    // Enough reserved height for this page's content: nothing below the block may move.
    return { customerId: ada.numericId, blockSettings: { "loyalty-rewards": { reserved_height: 800 } } };
  },
});
const pageErrors = web.problems;

beforeAll(async () => {
  // Layout-shift score and where the content below the block was before the data arrived.
  await web.browser.context.addInitScript(() => {
    const w = window as unknown as { __cls: number; __belowTop: number | null };
    w.__cls = 0;
    w.__belowTop = null;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as Array<PerformanceEntry & { value: number; hadRecentInput: boolean }>) {
        if (!entry.hadRecentInput) w.__cls += entry.value;
      }
    }).observe({ type: "layout-shift", buffered: true });
    document.addEventListener("DOMContentLoaded", () => {
      w.__belowTop = document.getElementById("below-block")?.getBoundingClientRect().top ?? null;
    });
  });
  web.page.on("request", (request) => {
    if (request.url().includes("/apps/loyalty/redeem")) redeemRequests.push(request.method());
  });
});

const inline = () => web.page.locator('[data-lr-mode="inline"]');
const embed = () => web.page.locator('[data-lr-mode="embed"]');
const optionIn = (scope: Locator, key: string) => scope.locator(`[data-lr-option="${options[key]}"]`);
const live = (scope: Locator) => scope.locator("[data-lr-live]");
const balanceOf = (scope: Locator) => scope.locator("[data-lr-balance]").textContent();
const codesIn = (scope: Locator) => scope.locator("[data-lr-rewards] code").allTextContents();

async function dbBalance() {
  return (await db.customer.findUniqueOrThrow({ where: { id: ada.id } })).pointsBalance;
}

describe("storefront widget (Chromium)", () => {
  it("GIVEN Ada signed in THEN the app block shows her balance, the options and only her Issued and Used rewards, without moving the page", async () => {
    await web.page.goto(`${web.storefront.url}/account`);
    await inline().locator("[data-lr-balance]").waitFor();

    expect(await balanceOf(inline())).toBe("1,200 points");
    expect(await inline().locator("[data-lr-option] strong").allTextContents()).toEqual(["Free shipping", "$5 off", "$50 off"]);
    expect(await optionIn(inline(), "shipping").textContent()).toContain("Free shipping · on orders of $40.00 or more");
    expect(await optionIn(inline(), "fiveOff").textContent()).toContain("$5.00 off your order · valid for 30 days after redeeming");
    // Unaffordable: disabled, and the reason is tied to the button for screen readers.
    const fifty = optionIn(inline(), "fifty").getByRole("button");
    expect(await fifty.isDisabled()).toBe(true);
    expect(await optionIn(inline(), "fifty").textContent()).toContain("3,800 points more to unlock");
    const describedBy = await fifty.getAttribute("aria-describedby");
    expect(await web.page.locator(`[id="${describedBy}"]`).textContent()).toBe("3,800 points more to unlock");
    expect(await optionIn(inline(), "fiveOff").getByRole("button").getAttribute("aria-label")).toBe("Redeem 500 points for $5 off");
    expect(await optionIn(inline(), "fiveOff").getByRole("button").isEnabled()).toBe(true);

    expect(await codesIn(inline())).toEqual(["WELCOME-ISSUED", "SPRING-USED"]);
    const issued = inline().locator("[data-lr-rewards] li").first();
    expect(await issued.textContent()).toContain("Ready to use");
    expect(await issued.textContent()).toContain("Expires Jan 1, 2099");
    // A Used code says when it was used (its expiry no longer matters) and offers no copy: it would fail at checkout.
    const used = inline().locator("[data-lr-rewards] li").nth(1);
    expect(await used.textContent()).toContain("Used Nov 20, 2026");
    expect(await used.textContent()).not.toContain("Expires");
    expect(await used.getByRole("button").count()).toBe(0);
    expect(await issued.getByRole("button").getAttribute("aria-label")).toBe("Copy code WELCOME-ISSUED");
    const html = await web.page.content();
    expect(html).not.toMatch(/HIDDEN-(PENDING|FAILED|CANCELED)/);

    // No layout shift: the block reserved its space, the embed's launcher is fixed.
    const shift = await web.page.evaluate(() => {
      const w = window as unknown as { __cls: number; __belowTop: number | null };
      return { cls: w.__cls, before: w.__belowTop, after: document.getElementById("below-block")!.getBoundingClientRect().top };
    });
    expect(shift.before).not.toBeNull();
    expect(shift.after).toBe(shift.before);
    expect(shift.cls).toBe(0);
    expect(await embed().locator("[data-lr-launcher]").evaluate((el) => getComputedStyle(el).position)).toBe("fixed");

    await screenshot(web.page, "01-signed-in-account");
  });

  it("has no serious accessibility violations (axe)", async () => {
    const results = await new AxeBuilder({ page: web.page }).include('[data-lr-root]').analyze();
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  });

  it("WHEN Ada double-clicks Redeem on $5 off THEN one request, the button is disabled while in flight, the code appears at once and the balance drops", async () => {
    const rewardsBefore = await db.reward.count();
    const redemptionsBefore = await db.redemption.count();
    redeemRequests.length = 0;
    // Hold the request in the browser while we look at the in-flight state.
    const held: Route[] = [];
    await web.page.route("**/apps/loyalty/redeem", (route) => void held.push(route));

    // Redeem asks first: nothing is sent until Ada confirms.
    await optionIn(inline(), "fiveOff").getByRole("button", { name: "Redeem 500 points for $5 off" }).click();
    const prompt = optionIn(inline(), "fiveOff").getByRole("group");
    expect(await prompt.textContent()).toContain("Spend 500 points on $5 off?");
    expect(held).toHaveLength(0);
    const button = optionIn(inline(), "fiveOff").getByRole("button", { name: "Yes, redeem" });
    await button.dblclick();
    await expect.poll(() => held.length).toBe(1);
    const inFlight = optionIn(inline(), "fiveOff").getByRole("button");
    expect(await inFlight.isDisabled()).toBe(true);
    expect(await inFlight.textContent()).toBe("Redeeming…");
    expect(await inFlight.getAttribute("aria-busy")).toBe("true");
    // Every other Redeem button waits too (one redemption at a time).
    expect(await optionIn(inline(), "shipping").getByRole("button").isDisabled()).toBe(true);
    await screenshot(web.page, "02-redeeming");
    await web.page.waitForTimeout(200);
    expect(held).toHaveLength(1);
    await held[0]!.continue();
    await web.page.unroute("**/apps/loyalty/redeem");

    await live(inline()).filter({ hasText: "Your reward is ready" }).waitFor();
    const message = (await live(inline()).textContent())!;
    const code = /ready: ([A-Z0-9-]+)\./.exec(message)![1]!;
    expect(message).toBe(`Your reward is ready: ${code}. You now have 700 points.`);
    expect(await live(inline()).getAttribute("aria-live")).toBe("polite");
    expect(await balanceOf(inline())).toBe("700 points");
    expect((await codesIn(inline()))[0]).toBe(code);
    expect(await inline().locator("[data-lr-rewards] li").first().textContent()).toContain("Ready to use");
    // Focus moved to the new code's Copy button.
    expect(await web.page.evaluate(() => (document.activeElement as HTMLElement).getAttribute("aria-label"))).toBe(`Copy code ${code}`);

    // One click's worth of everything.
    expect(redeemRequests).toEqual(["POST"]);
    expect(await db.reward.count()).toBe(rewardsBefore + 1);
    expect(await db.redemption.count()).toBe(redemptionsBefore + 1);
    expect(await dbBalance()).toBe(700);
    expect(emulator.store.findDiscountByCode(SHOP, code)).toBeDefined();
    await screenshot(web.page, "03-redeemed");

    // Copy puts the code on the clipboard and says so.
    await inline().getByRole("button", { name: `Copy code ${code}` }).click();
    await live(inline()).filter({ hasText: "copied" }).waitFor();
    expect(await web.page.evaluate(() => navigator.clipboard.readText())).toBe(code);
    expect(await live(inline()).textContent()).toBe(`Code ${code} copied.`);
  });

  it("WHEN Shopify fails (503) THEN a clear message, the balance and the rewards stay as they were", async () => {
    const codesBefore = await codesIn(inline());
    const rewardsBefore = await db.reward.count();
    const fault = emulator.faults.httpError("discountCodeBasicCreate", 503, { times: "forever" });
    try {
      await optionIn(inline(), "fiveOff").getByRole("button").click();
      await optionIn(inline(), "fiveOff").getByRole("button", { name: "Yes, redeem" }).click();
      await live(inline()).filter({ hasText: "couldn't create your reward" }).waitFor();
    } finally {
      fault.cancel();
    }
    expect(await live(inline()).textContent()).toBe(
      "We couldn't create your reward just now. Please try again in a few minutes — your points were not spent.",
    );
    expect(await live(inline()).getAttribute("class")).toContain("lr-err");
    expect(await balanceOf(inline())).toBe("700 points");
    expect(await codesIn(inline())).toEqual(codesBefore);
    expect(await db.reward.count()).toBe(rewardsBefore);
    expect(await dbBalance()).toBe(700);
    // The button is usable again, for a new attempt.
    expect(await optionIn(inline(), "fiveOff").getByRole("button").isEnabled()).toBe(true);
    await screenshot(web.page, "04-redeem-failed");
  });

  it("the app embed: the launcher opens the slide-out panel (same data), focus is trapped, Escape closes it", async () => {
    const launcher = embed().locator("[data-lr-launcher]");
    const panel = embed().locator("[data-lr-panel]");
    expect(await launcher.getAttribute("aria-expanded")).toBe("false");
    expect(await panel.isVisible()).toBe(false);

    await launcher.click();
    await panel.locator("[data-lr-balance]").waitFor();
    expect(await launcher.getAttribute("aria-expanded")).toBe("true");
    expect(await panel.getAttribute("role")).toBe("dialog");
    expect(await panel.getAttribute("aria-modal")).toBe("true");
    expect(await web.page.evaluate(() => document.activeElement?.hasAttribute("data-lr-close"))).toBe(true);
    // Shared with the inline block: the redemption above is already here.
    expect(await balanceOf(panel)).toBe("700 points");
    expect(await codesIn(panel)).toEqual(await codesIn(inline()));
    await web.page.waitForTimeout(300); // let the slide-in transition finish for the screenshot
    await screenshot(web.page, "05-embed-panel-open", { fullPage: false });

    const focusable = await panel.locator("a[href], button:not([disabled])").count();
    for (let i = 0; i < focusable + 2; i++) {
      await web.page.keyboard.press("Tab");
      expect(await panel.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    }
    await panel.locator("[data-lr-close]").focus();
    await web.page.keyboard.press("Shift+Tab");
    const last = panel.locator("a[href], button:not([disabled])").last();
    expect(await last.evaluate((el) => el === document.activeElement)).toBe(true);

    await web.page.keyboard.press("Escape");
    expect(await launcher.getAttribute("aria-expanded")).toBe("false");
    expect(await launcher.evaluate((el) => el === document.activeElement)).toBe(true);
    await web.page.waitForFunction(() => getComputedStyle(document.querySelector("[data-lr-panel]")!).visibility === "hidden");
  });

  it("GIVEN a logged-out visitor THEN the program's options and a sign-in link, no Redeem buttons and no customer data", async () => {
    await web.page.goto(`${web.storefront.url}/account/logout`);
    await inline().locator("[data-lr-option]").first().waitFor();
    expect(await inline().locator("[data-lr-option] strong").allTextContents()).toEqual(["Free shipping", "$5 off", "$50 off"]);
    expect(await inline().getByRole("button", { name: /redeem/i }).count()).toBe(0);
    expect(await inline().locator("[data-lr-balance]").count()).toBe(0);
    const signIn = inline().getByRole("link", { name: "Sign in to see your points" });
    expect(await signIn.getAttribute("href")).toBe("/account/login");
    expect(await web.page.content()).not.toMatch(/WELCOME-ISSUED|700 points/);
    await screenshot(web.page, "06-logged-out");

    await web.page.goto(`${web.storefront.url}/fr/account`);
    await inline().locator("[data-lr-option]").first().waitFor();
    expect(await inline().textContent()).toContain("Ce que vos points vous offrent");
    expect(await inline().getByRole("link", { name: "Connectez-vous pour voir vos points" }).getAttribute("href")).toBe("/fr/account/login");
    await screenshot(web.page, "07-logged-out-fr");
  });

  it("raised no script errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
