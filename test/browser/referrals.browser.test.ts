// GIVEN the app's production build, the Shopify emulator, a referral program, and a local storefront
// that renders the theme app extension for a signed-in member and proxies /apps/loyalty/* to the app
// signed as Shopify signs
// WHEN the member opens the widget, and then a signed-out visitor lands with ?ref=CODE and later signs in
// THEN the member sees their link with Copy; the visitor's click is recorded and remembered in a
// first-party cookie; once signed in the widget claims it: the friend is SIGNED_UP with a welcome
// reward queued, and the cookie is gone. Screenshot: test-results/screenshots/.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { BROWSER_UA } from "../support/app";
import { TEST_APP } from "../support/constants";
import { useShopifyEmulator } from "../support/shopify";
import { screenshot, useStorefrontBrowser } from "../support/browser";

const SHOP = TEST_APP.shop;
const { emulator } = useShopifyEmulator();

const web = useStorefrontBrowser(emulator, {
  clipboard: true,
  async setUp() {
    const welcome = await db.rewardTemplate.create({ data: { shop: SHOP, purpose: "REFERRAL", name: "Welcome", kind: "FIXED_AMOUNT", value: "5" } });
    const thanks = await db.rewardTemplate.create({ data: { shop: SHOP, purpose: "REFERRAL", name: "Thanks", kind: "FIXED_AMOUNT", value: "10" } });
    await db.referralSettings.create({ data: { shop: SHOP, enabled: true, friendTemplateId: welcome.id, referrerTemplateId: thanks.id } });
    const shopifyMember = emulator.addCustomer(SHOP, { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" });
    await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: shopifyMember.id, displayName: "Ada Lovelace", email: "ada@example.com" } });
    return { customerId: shopifyMember.legacyId, blockSettings: { "loyalty-rewards": { reserved_height: 900 } } };
  },
});
const pageErrors = web.problems;

const inline = () => web.page.locator('[data-lr-mode="inline"]');
const refCookie = async () => (await web.browser.context.cookies(web.storefront.url)).find((c) => c.name === "lr_ref");

describe("referrals in the storefront widget (Chromium)", () => {
  let code = "";

  it("GIVEN Ada signed in THEN the widget shows her referral link with Copy; Copy puts the link on the clipboard", async () => {
    await web.page.goto(`${web.storefront.url}/account`);
    const link = inline().locator('[data-lr-reward="ref"] code');
    await link.waitFor();
    const url = (await link.textContent())!;
    expect(url).toMatch(new RegExp(`^${web.storefront.url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/\\?ref=[23456789A-HJ-NP-Z]{8}$`));
    code = url.slice(-8);
    expect(await inline().getByRole("heading", { name: "Refer a friend" }).count()).toBe(1);
    await inline().locator('[data-lr-reward="ref"]').getByRole("button", { name: "Copy" }).click();
    expect(await web.page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    expect(await inline().locator("[data-lr-live]").textContent()).toBe("Your referral link is copied.");
    await screenshot(web.page, "referrals-01-member-link");
  });

  it("WHEN a signed-out visitor lands with ?ref=CODE THEN the click is recorded and the code remembered for 30 days", async () => {
    web.storefront.host.setCustomer(null);
    await web.browser.context.clearCookies();
    await web.page.goto(`${web.storefront.url}/?ref=${code.toLowerCase()}`);
    await expect.poll(async () => db.referral.count({ where: { shop: SHOP, state: "CLICKED" } }), { timeout: 10_000 }).toBe(1);
    const cookie = await refCookie();
    expect(cookie?.value).toMatch(new RegExp(`^${code}\\.[\\w-]{16,64}$`));
    const days = (cookie!.expires * 1000 - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
    const visitor = cookie!.value.split(".")[1];
    expect((await db.referral.findFirstOrThrow({ where: { shop: SHOP, state: "CLICKED" } })).visitorToken).toBe(visitor);
  });

  it("WHEN the visitor later signs in THEN the widget claims it: SIGNED_UP with the welcome reward queued, the cookie forgotten", async () => {
    const friend = emulator.addCustomer(SHOP, { firstName: "Grace", lastName: "Hopper", email: "grace@example.com" });
    web.storefront.host.setCustomer(friend.legacyId);
    await web.page.goto(`${web.storefront.url}/account/login`);
    await web.page.getByRole("button", { name: "Sign in" }).click();
    await web.page.waitForURL(/\/account$/);
    await expect
      .poll(async () => (await db.referral.findFirst({ where: { shop: SHOP, state: "SIGNED_UP" } }))?.friendRewardId ?? null, { timeout: 10_000 })
      .not.toBeNull();
    const referral = await db.referral.findFirstOrThrow({ where: { shop: SHOP, state: "SIGNED_UP" } });
    const friendRow = await db.customer.findUniqueOrThrow({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: friend.id } } });
    expect(referral.friendCustomerId).toBe(friendRow.id);
    expect(await db.reward.findUniqueOrThrow({ where: { id: referral.friendRewardId! } })).toMatchObject({ source: "REFERRAL", status: "PENDING", customerId: friendRow.id });
    await expect.poll(async () => (await refCookie()) ?? null).toBeNull();
    expect(pageErrors).toEqual([]);
  });

  it("GIVEN a remembered referral WHEN the visitor signs in while their storefront rate limit is used up THEN the claim's 429 decides nothing: the cookie is kept for the next page (was forgotten, and the referral lost)", async () => {
    web.storefront.host.setCustomer(null);
    await web.browser.context.clearCookies();
    await web.page.goto(`${web.storefront.url}/?ref=${code}`);
    await expect.poll(async () => (await refCookie())?.value ?? "").toMatch(new RegExp(`^${code}\\.`));
    const friend = emulator.addCustomer(SHOP, { firstName: "Hal", lastName: "Abelson", email: "hal@example.com" });
    // The friend's per-customer limit (PROXY_RATE_LIMIT_PER_MINUTE) used up by requests of their own.
    let limited = false;
    for (let i = 0; i < 100 && !limited; i++) {
      const res = await fetch(emulator.appProxyUrl(SHOP, "/program", friend.legacyId), { headers: { "User-Agent": BROWSER_UA } });
      limited = res.status === 429;
    }
    expect(limited).toBe(true);
    web.storefront.host.setCustomer(friend.legacyId);
    const claim = web.page.waitForResponse((r) => r.url().includes("/apps/loyalty/referral-claim"));
    await web.page.goto(`${web.storefront.url}/account`);
    expect((await claim).status()).toBe(429);
    // The widget's .then runs after the response; give it a moment, then the cookie must still be there.
    await web.page.waitForTimeout(300);
    expect((await refCookie())?.value).toMatch(new RegExp(`^${code}\\.`));
    const friendRow = await db.customer.findUnique({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: friend.id } } });
    expect(friendRow ? await db.referral.count({ where: { shop: SHOP, friendCustomerId: friendRow.id } }) : 0).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
