// GIVEN the app's production build, the Shopify emulator, and the local storefront that renders the
// theme app extension (app block + app embed) for a signed-in customer and proxies /apps/loyalty/*
// signed as Shopify signs
// WHEN a shopper walks the widget at a desktop (1280×900) and a phone (390×844) viewport, and things
// go wrong around them (signed out in another tab, another customer signs in in another tab)
// THEN what is on screen is only ever the signed-in customer's, and it fits the screen.
// Screenshots: test-results/screenshots/shopper-*.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { TEST_APP } from "../support/constants";
import { useShopifyEmulator } from "../support/shopify";
import { expectAccessible, screenshot, useStorefrontBrowser } from "../support/browser";
import db from "~/db.server";

const SHOP = TEST_APP.shop;
const { emulator } = useShopifyEmulator();

let ada: { id: string; gid: string; numericId: string };
let grace: { id: string; gid: string; numericId: string };

async function member(first: string, points: number) {
  const shopper = emulator.addCustomer(SHOP, { firstName: first, lastName: "Test", email: `${first.toLowerCase()}@example.com` });
  const row = await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: shopper.id, displayName: `${first} Test`, pointsBalance: points } });
  return { id: row.id, gid: shopper.id, numericId: shopper.legacyId };
}

const web = useStorefrontBrowser(emulator, {
  clipboard: true,
  // Many page loads by one customer within a minute: the per-customer limit is not what is tested here.
  env: { PROXY_RATE_LIMIT_PER_MINUTE: "600" },
  async setUp() {
    await db.shop.update({ where: { domain: SHOP }, data: { currency: "EUR" } });
    await db.programSettings.create({ data: { shop: SHOP, enabled: true, pointsPerCurrencyUnit: "1", birthdayBonus: 50, expiryMonths: 12 } });
    await db.rewardTemplate.create({ data: { shop: SHOP, purpose: "POINTS_REDEMPTION", name: "€5 off", kind: "FIXED_AMOUNT", value: "5", pointsCost: 500 } });
    await db.rewardTemplate.create({ data: { shop: SHOP, purpose: "POINTS_REDEMPTION", name: "Store credit", kind: "STORE_CREDIT", value: "2", pointsCost: 200 } });
    await db.rewardTemplate.create({ data: { shop: SHOP, purpose: "POINTS_REDEMPTION", name: "€1 000 off a very long named reward for loyal customers", kind: "FIXED_AMOUNT", value: "1000", pointsCost: 100000, minimumSubtotal: "2500" } });
    const welcome = await db.rewardTemplate.create({ data: { shop: SHOP, purpose: "REFERRAL", name: "Welcome", kind: "FIXED_AMOUNT", value: "5" } });
    await db.referralSettings.create({ data: { shop: SHOP, enabled: true, friendTemplateId: welcome.id, referrerTemplateId: welcome.id } });
    ada = await member("Ada", 1200);
    grace = await member("Grace", 50);
    await db.reward.create({
      data: {
        shop: SHOP, customerId: ada.id, customerGid: ada.gid, source: "POINTS_REDEMPTION", kind: "FIXED_AMOUNT", value: "5", currency: "EUR",
        title: "€5 off", code: "LOYALTY-ADA-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", codeKey: "loyalty-ada-abcdefghijklmnopqrstuvwxyz0123456789",
        status: "ISSUED", issuedAt: new Date(), expiresAt: new Date("2099-01-01T00:00:00Z"),
      },
    });
    await db.reward.create({
      data: {
        shop: SHOP, customerId: ada.id, customerGid: ada.gid, source: "POINTS_REDEMPTION", kind: "FIXED_AMOUNT", value: "5", currency: "EUR",
        title: "€5 off (old)", code: "OLD-EXPIRED-CODE", codeKey: "old-expired-code", status: "ISSUED", issuedAt: new Date("2026-01-01T00:00:00Z"),
        createdAt: new Date("2026-01-01T00:00:00Z"), expiresAt: new Date("2026-02-01T00:00:00Z"),
      },
    });
    return { customerId: ada.numericId, blockSettings: { "loyalty-rewards": { reserved_height: 1200 } } };
  },
});
const pageErrors = web.problems;

const inline = () => web.page.locator('[data-lr-mode="inline"]');

const optionNamed = (name: string) => inline().locator("[data-lr-option]").filter({ has: web.page.locator("strong", { hasText: name }) });
const live = () => inline().locator("[data-lr-live]");
const refLink = () => inline().locator('[data-lr-reward="ref"] code');
async function signedInAs(p: Page, id: string) {
  web.storefront.host.setCustomer(id);
  await p.goto(`${web.storefront.url}/account/login`);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.waitForURL(/\/account$/);
}

describe("shopper walk", () => {
  it("GIVEN Ada signed in THEN desktop and phone show everything within the screen (a long link or code wraps)", async () => {
    for (const [name, vp] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]] as const) {
      await web.page.setViewportSize(vp);
      // A real shop's domain is longer than 127.0.0.1: Chromium resolves *.localhost to this machine.
      await web.page.goto(web.storefront.url.replace("127.0.0.1", "thebeautifulclothingstoreforeveryone.localhost") + "/account");
      await inline().locator("[data-lr-balance]").waitFor();
      await refLink().waitFor();
      await screenshot(web.page, `shopper-${name}-signed-in`);
      expect(await web.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(vp.width);
      const sticking = await web.page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>("[data-lr-root] .lr-code")].filter((e) => e.getBoundingClientRect().right > e.closest("[data-lr-body]")!.getBoundingClientRect().right + 0.5).map((e) => e.textContent),
      );
      expect(sticking).toEqual([]);
    }
    await web.page.setViewportSize({ width: 1280, height: 900 });
  });

  it("GIVEN an Issued code past its expiry THEN it says Expired, not Ready to use, and offers no Copy", async () => {
    const old = inline().locator("[data-lr-rewards] li").filter({ hasText: "OLD-EXPIRED-CODE" });
    expect(await old.locator(".lr-badge").textContent()).toBe("Expired");
    expect(await old.textContent()).toContain("Expired Feb 1, 2026");
    expect(await old.getByRole("button").count()).toBe(0);
    const live = inline().locator("[data-lr-rewards] li").filter({ hasText: "LOYALTY-ADA" });
    expect(await live.locator(".lr-badge").textContent()).toBe("Ready to use");
    expect(await live.getByRole("button", { name: /Copy code/ }).count()).toBe(1);
  });

  it("WHEN Ada double-clicks Redeem THEN she is asked to confirm: nothing is spent", async () => {
    await web.page.goto(`${web.storefront.url}/account`);
    await inline().locator("[data-lr-balance]").waitFor();
    const posts: string[] = [];
    web.page.on("request", (r) => void (r.url().includes("/apps/loyalty/redeem") && posts.push(r.method())));
    await optionNamed("€5 off").getByRole("button", { name: /Redeem 500 points/ }).dblclick();
    await web.page.waitForTimeout(1000);
    expect(posts).toEqual([]);
    expect(await optionNamed("€5 off").getByRole("group").textContent()).toContain("Spend 500 points on €5 off?");
    expect((await db.customer.findUniqueOrThrow({ where: { id: ada.id } })).pointsBalance).toBe(1200);
    await optionNamed("€5 off").getByRole("button", { name: "Cancel" }).click();
  });

  it("WHEN Ada redeems store credit THEN focus stays on the option she redeemed (not lost to the page)", async () => {
    await optionNamed("Store credit").getByRole("button", { name: /Redeem 200 points/ }).click();
    await optionNamed("Store credit").getByRole("button", { name: "Yes, redeem" }).press("Enter");
    await live().filter({ hasText: "1,000 points" }).waitFor();
    expect(await web.page.evaluate(() => document.activeElement?.closest("[data-lr-option]")?.querySelector("strong")?.textContent ?? document.activeElement?.tagName)).toBe("Store credit");
  });

  it("WHEN Ada is signed out in another tab and then redeems THEN her points and codes leave the page and she is asked to sign in", async () => {
    await web.page.goto(`${web.storefront.url}/account`);
    await inline().locator("[data-lr-balance]").waitFor();
    const other = await web.browser.context.newPage();
    await other.goto(`${web.storefront.url}/account/logout`);
    await other.close();
    await optionNamed("€5 off").getByRole("button", { name: /Redeem 500 points/ }).click();
    await optionNamed("€5 off").getByRole("button", { name: "Yes, redeem" }).click();
    await live().filter({ hasText: "sign in" }).waitFor();
    await inline().getByRole("link", { name: /Sign in/ }).waitFor();
    expect(await inline().locator("[data-lr-balance]").count()).toBe(0);
    expect(await inline().textContent()).not.toContain("LOYALTY-ADA");
    expect(await inline().getByRole("button", { name: /Redeem/ }).count()).toBe(0);
    await screenshot(web.page, "shopper-signed-out-elsewhere");
    expect((await db.customer.findUniqueOrThrow({ where: { id: ada.id } })).pointsBalance).toBe(1000);
  });

  it("WHEN Grace signs in in another tab after Ada THEN this tab shows Grace her own referral link, never Ada's", async () => {
    await signedInAs(web.page, ada.numericId);
    await web.page.goto(`${web.storefront.url}/account`);
    await refLink().waitFor();
    const adaCode = (await db.referralCode.findFirstOrThrow({ where: { customerId: ada.id } })).code;
    expect(await refLink().textContent()).toContain(adaCode);
    const other = await web.browser.context.newPage();
    await other.goto(`${web.storefront.url}/account/logout`);
    await signedInAs(other, grace.numericId);
    await other.close();
    await web.page.reload();
    await inline().locator("[data-lr-balance]").filter({ hasText: "50 points" }).waitFor();
    await refLink().waitFor();
    await web.page.waitForTimeout(1000);
    const graceCode = (await db.referralCode.findFirst({ where: { customerId: grace.id } }))?.code;
    expect(await refLink().textContent()).not.toContain(adaCode);
    expect(graceCode).toBeDefined();
    expect(await refLink().textContent()).toContain(graceCode);
    await signedInAs(web.page, ada.numericId);
  });

  it("WHEN Ada is signed out in another tab and then saves her birthday THEN her points leave the page and she is asked to sign in", async () => {
    await web.page.goto(`${web.storefront.url}/account`);
    const form = inline().locator("[data-lr-birthday-form]");
    await form.waitFor();
    const other = await web.browser.context.newPage();
    await other.goto(`${web.storefront.url}/account/logout`);
    await other.close();
    await form.getByLabel("Month").selectOption("5");
    await form.getByLabel("Day").fill("1");
    await form.getByRole("button", { name: "Save my birthday" }).click();
    await inline().getByRole("link", { name: /Sign in/ }).waitFor();
    expect(await inline().locator("[data-lr-balance]").count()).toBe(0);
    expect(await inline().locator("[data-lr-birthday-form]").count()).toBe(0);
    expect(await inline().textContent()).not.toContain("LOYALTY-ADA");
    expect((await db.customer.findUniqueOrThrow({ where: { id: ada.id } })).birthday).toBeNull();
    await signedInAs(web.page, ada.numericId);
  });

  it("WHEN the network fails during a redeem THEN it says so and the retry resumes the same redemption (one reward)", async () => {
    await web.page.goto(`${web.storefront.url}/account`);
    await inline().locator("[data-lr-balance]").waitFor();
    const before = (await db.customer.findUniqueOrThrow({ where: { id: ada.id } })).pointsBalance;
    const keys: string[] = [];
    web.page.on("request", (r) => void (r.url().includes("/apps/loyalty/redeem") && keys.push(JSON.parse(r.postData()!).idempotencyKey)));
    await web.page.route("**/apps/loyalty/redeem", (route) => route.abort("internetdisconnected"));
    await optionNamed("€5 off").getByRole("button", { name: /Redeem 500 points/ }).click();
    await optionNamed("€5 off").getByRole("button", { name: "Yes, redeem" }).click();
    await live().filter({ hasText: "couldn’t reach the shop" }).waitFor();
    // Focus is back on the option's Redeem button, for the retry.
    expect(await web.page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Redeem 500 points for €5 off");
    await screenshot(web.page, "shopper-network-failed");
    await web.page.unroute("**/apps/loyalty/redeem");
    await optionNamed("€5 off").getByRole("button", { name: /Redeem 500 points/ }).click();
    await optionNamed("€5 off").getByRole("button", { name: "Yes, redeem" }).click();
    await live().filter({ hasText: "Your reward is ready" }).waitFor();
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect((await db.customer.findUniqueOrThrow({ where: { id: ada.id } })).pointsBalance).toBe(before - 500);
  });

  it("WHEN the rate limit answers 429 THEN its message, and Redeem works again", async () => {
    await web.page.route("**/apps/loyalty/redeem", (route) =>
      route.fulfill({ status: 429, contentType: "application/json", headers: { "Retry-After": "30" }, body: JSON.stringify({ error: { code: "rate_limited", message: "You're doing that too often. Please wait a moment and try again." } }) }),
    );
    await optionNamed("€5 off").getByRole("button", { name: /Redeem 500 points/ }).click();
    await optionNamed("€5 off").getByRole("button", { name: "Yes, redeem" }).click();
    await live().filter({ hasText: "too often" }).waitFor();
    await web.page.unroute("**/apps/loyalty/redeem");
    expect(await optionNamed("€5 off").getByRole("button", { name: /Redeem 500 points/ }).isEnabled()).toBe(true);
    await screenshot(web.page, "shopper-429");
  });

  it("GIVEN the French storefront of a EUR shop on a phone THEN amounts and points the French way, and the open panel is accessible", async () => {
    await web.page.setViewportSize({ width: 390, height: 844 });
    await web.page.goto(`${web.storefront.url}/fr/account`);
    await inline().locator("[data-lr-balance]").waitFor();
    const text = (await inline().textContent())!;
    expect(text).toMatch(/Gagnez 1 point pour chaque 1,00\s€ dépensé\./);
    expect(text).toMatch(/1\s000,00\s€ de réduction sur votre commande · dès 2\s500,00\s€ d’achat/);
    expect(text).toMatch(/Encore 99\s\d00 points pour débloquer/);
    await web.page.locator("[data-lr-launcher]").click();
    await web.page.waitForTimeout(400);
    await screenshot(web.page, "shopper-phone-fr-embed", { fullPage: false });
    await expectAccessible(web.page, "fr phone embed");
    await web.page.keyboard.press("Escape");
    await screenshot(web.page, "shopper-phone-fr");
    await web.page.setViewportSize({ width: 1280, height: 900 });
  });

  it("WHEN Ada opens Share on her referral link and cancels the share sheet THEN no script error", async () => {
    // Chromium on Linux has no share sheet: a stand-in that is canceled, as a shopper closing it does.
    await web.page.addInitScript(() => {
      Object.defineProperty(navigator, "share", { configurable: true, value: () => Promise.reject(new DOMException("Share canceled", "AbortError")) });
    });
    await web.page.goto(`${web.storefront.url}/account`);
    await refLink().waitFor();
    const errors = pageErrors.length;
    await inline().getByRole("button", { name: "Share" }).click();
    await web.page.waitForTimeout(500);
    expect(pageErrors.slice(errors)).toEqual([]);
  });

  it("raised no script errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
