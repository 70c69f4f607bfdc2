// GIVEN the app's production build, the Shopify emulator, and the local storefront that renders the
// theme app extension (app embed + app block) for a signed-in customer, proxying /apps/loyalty/*
// signed as Shopify signs, on a phone (390×844)
// WHEN a shopper walks the slide-out panel with the keyboard only (Tab, Shift+Tab, Enter): redeem,
// copy a code and the referral link, the birthday form, and the errors (too few points, network
// failure, 429, signed out elsewhere)
// THEN focus never leaves the panel (it stays on the control acted on, or moves to the message that
// replaced it), every result is written to the live region, and every Copy button says what it copies.
// Screenshots: test-results/screenshots/keyboard-*.
import type { Route } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_APP } from "../support/constants";
import { useShopifyEmulator } from "../support/shopify";
import { expectAccessible, screenshot, useStorefrontBrowser } from "../support/browser";
import db from "~/db.server";

const SHOP = TEST_APP.shop;
const { emulator } = useShopifyEmulator();

let ada: { id: string; numericId: string };

const web = useStorefrontBrowser(emulator, {
  clipboard: true,
  env: { PROXY_RATE_LIMIT_PER_MINUTE: "600" },
  async setUp() {
    await db.shop.update({ where: { domain: SHOP }, data: { currency: "USD" } });
    await db.programSettings.create({ data: { shop: SHOP, enabled: true, pointsPerCurrencyUnit: "1", birthdayBonus: 50 } });
    await db.rewardTemplate.create({ data: { shop: SHOP, purpose: "POINTS_REDEMPTION", name: "$5 off", kind: "FIXED_AMOUNT", value: "5", pointsCost: 500 } });
    await db.rewardTemplate.create({ data: { shop: SHOP, purpose: "POINTS_REDEMPTION", name: "$50 off", kind: "FIXED_AMOUNT", value: "50", pointsCost: 5000 } });
    const welcome = await db.rewardTemplate.create({ data: { shop: SHOP, purpose: "REFERRAL", name: "Welcome", kind: "FIXED_AMOUNT", value: "5" } });
    await db.referralSettings.create({ data: { shop: SHOP, enabled: true, friendTemplateId: welcome.id, referrerTemplateId: welcome.id } });
    const shopper = emulator.addCustomer(SHOP, { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" });
    const row = await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: shopper.id, displayName: "Ada Lovelace", pointsBalance: 1600 } });
    ada = { id: row.id, numericId: shopper.legacyId };
    return { customerId: ada.numericId };
  },
});

const panel = () => web.page.locator('[data-lr-mode="embed"] [data-lr-panel]');
const live = () => panel().locator("[data-lr-live]");
const option = (name: string) => panel().locator("[data-lr-option]").filter({ has: web.page.locator("strong", { hasText: name }) });
/** What has focus: its accessible name (aria-label or text) and whether it is inside the panel. */
const focused = () =>
  web.page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { inPanel: !!el?.closest("[data-lr-panel]"), name: (el?.getAttribute("aria-label") ?? el?.textContent ?? "").trim(), tag: el?.tagName ?? "" };
  });

/** Tab (forward) until the focused control's name matches; fails after a full round. */
async function tabTo(name: RegExp) {
  for (let i = 0; i < 40; i++) {
    await web.page.keyboard.press("Tab");
    const f = await focused();
    expect(f.inPanel).toBe(true);
    if (name.test(f.name)) return;
  }
  throw new Error(`no control named ${name} reached with Tab`);
}

/** Each test starts from a known balance, whatever an earlier one left. */
const setBalance = (points: number) => db.customer.update({ where: { id: ada.id }, data: { pointsBalance: points } });

afterEach(async () => {
  await web.page.unrouteAll({ behavior: "ignoreErrors" });
});

async function openPanel(path = "/account") {
  await web.page.goto(`${web.storefront.url}${path}`);
  const launcher = web.page.locator("[data-lr-launcher]");
  await launcher.focus();
  await web.page.keyboard.press("Enter");
  await panel().locator("[data-lr-balance]").waitFor();
  await web.page.waitForTimeout(300); // the slide-in transition
}

/** Redeem with the keyboard: Tab to the option's Redeem, Enter, then Enter on "Yes, redeem". */
async function redeemWithKeyboard(name: string) {
  await tabTo(new RegExp(`^Redeem .* for ${name.replace("$", "\\$")}$`));
  await web.page.keyboard.press("Enter");
  expect((await focused()).name).toBe("Yes, redeem");
  await web.page.keyboard.press("Enter");
}

describe("keyboard-only shopper on a phone (Chromium, 390×844)", () => {
  it("every Copy button says what it copies (a reward's code, the referral link)", async () => {
    await web.page.setViewportSize({ width: 390, height: 844 });
    await db.reward.create({
      data: {
        shop: SHOP, customerId: ada.id, customerGid: `gid://shopify/Customer/${ada.numericId}`, source: "POINTS_REDEMPTION", kind: "FIXED_AMOUNT",
        value: "5", currency: "USD", title: "$5 off", code: "SAVE-KEYBOARD1", codeKey: "save-keyboard1", status: "ISSUED", issuedAt: new Date(),
      },
    });
    await openPanel();
    await panel().locator('[data-lr-reward="ref"]').waitFor();
    const names = await panel()
      .getByRole("button")
      .evaluateAll((buttons) => buttons.filter((b) => /copy/i.test(b.textContent ?? "")).map((b) => b.getAttribute("aria-label") ?? b.textContent));
    expect(names).toEqual(["Copy code SAVE-KEYBOARD1", "Copy referral link"]);

    // Copy the link with the keyboard: the clipboard has it, the live region says so, focus stays.
    await tabTo(/^Copy referral link$/);
    await web.page.keyboard.press("Enter");
    await live().filter({ hasText: "referral link is copied" }).waitFor();
    expect(await web.page.evaluate(() => navigator.clipboard.readText())).toMatch(/\/\?ref=\w{8}$/);
    expect(await focused()).toMatchObject({ inPanel: true, name: "Copied" });
    await screenshot(web.page, "keyboard-01-link-copied", { fullPage: false });
  });

  it("WHEN a redeem runs THEN focus stays in the panel on the busy Redeem button, Tab still cycles in the panel, and the result is announced in the live region", async () => {
    await setBalance(1600);
    await openPanel();
    const held: Route[] = [];
    await web.page.route("**/apps/loyalty/redeem", (route) => void held.push(route));
    await redeemWithKeyboard("$5 off");
    await expect.poll(() => held.length).toBe(1);
    // While the request runs: focus on the option's button, which says it is busy.
    const busy = option("$5 off").getByRole("button");
    expect(await focused()).toMatchObject({ inPanel: true, name: "Redeeming…" });
    expect(await busy.getAttribute("aria-busy")).toBe("true");
    expect(await busy.isDisabled()).toBe(true);
    // Enter on the busy button starts nothing.
    await web.page.keyboard.press("Enter");
    expect(await option("$5 off").getByRole("group").count()).toBe(0);
    await web.page.keyboard.press("Tab");
    expect((await focused()).inPanel).toBe(true);
    await web.page.keyboard.press("Shift+Tab");
    expect(await focused()).toMatchObject({ inPanel: true, name: "Redeeming…" });
    await screenshot(web.page, "keyboard-02-redeeming", { fullPage: false });
    await held[0]!.continue();
    await web.page.unroute("**/apps/loyalty/redeem");

    await live().filter({ hasText: "Your reward is ready" }).waitFor();
    expect(await live().getAttribute("role")).toBe("status");
    const code = /ready: ([A-Z0-9-]+)\./.exec((await live().textContent())!)![1]!;
    expect(await live().textContent()).toBe(`Your reward is ready: ${code}. You now have 1,100 points.`);
    expect(await focused()).toMatchObject({ inPanel: true, name: `Copy code ${code}` });
    await web.page.keyboard.press("Enter");
    await live().filter({ hasText: `Code ${code} copied.` }).waitFor();
    expect(await web.page.evaluate(() => navigator.clipboard.readText())).toBe(code);
  });

  it("WHEN the points were spent elsewhere and the redeem is refused THEN the message is announced and focus stays on the option's Redeem, now unavailable, with the reason", async () => {
    await setBalance(1100);
    await openPanel();
    await setBalance(100);
    await redeemWithKeyboard("$5 off");
    await live().filter({ hasText: "You don't have enough points for this reward yet" }).waitFor();
    await panel().locator("[data-lr-balance]").filter({ hasText: "100 points" }).waitFor();
    const f = await focused();
    expect(f).toMatchObject({ inPanel: true, name: "Redeem 500 points for $5 off" });
    const redeem = option("$5 off").getByRole("button");
    expect(await redeem.isDisabled()).toBe(true);
    expect(await web.page.locator(`[id="${await redeem.getAttribute("aria-describedby")}"]`).textContent()).toBe("400 points more to unlock");
    // Enter on an unavailable Redeem asks nothing.
    await web.page.keyboard.press("Enter");
    expect(await option("$5 off").getByRole("group").count()).toBe(0);
    await screenshot(web.page, "keyboard-03-too-few-points", { fullPage: false });
  });

  it("WHEN the network fails, or the rate limit answers 429 THEN the message is announced and focus stays on Redeem", async () => {
    await setBalance(1100);
    await openPanel();
    await web.page.route("**/apps/loyalty/redeem", (route) => route.abort("internetdisconnected"));
    await redeemWithKeyboard("$5 off");
    await live().filter({ hasText: "couldn’t reach the shop" }).waitFor();
    expect(await focused()).toMatchObject({ inPanel: true, name: "Redeem 500 points for $5 off" });
    await web.page.unroute("**/apps/loyalty/redeem");
    await web.page.route("**/apps/loyalty/redeem", (route) =>
      route.fulfill({ status: 429, contentType: "application/json", headers: { "Retry-After": "30" }, body: JSON.stringify({ error: { code: "rate_limited", message: "You're doing that too often. Please wait a moment and try again." } }) }),
    );
    await web.page.keyboard.press("Enter");
    expect((await focused()).name).toBe("Yes, redeem");
    await web.page.keyboard.press("Enter");
    await live().filter({ hasText: "too often" }).waitFor();
    expect(await focused()).toMatchObject({ inPanel: true, name: "Redeem 500 points for $5 off" });
    await web.page.unroute("**/apps/loyalty/redeem");
  });

  it("WHEN the birthday is saved with the keyboard THEN the form gives way to the saved date and focus goes to the announced message, in the panel", async () => {
    await openPanel();
    await tabTo(/^(—|Month)/);
    // The month select: type to choose, as a keyboard user does.
    await web.page.keyboard.type("May");
    await web.page.keyboard.press("Tab");
    await web.page.keyboard.type("1");
    await web.page.keyboard.press("Enter");
    await panel().locator("[data-lr-birthday]").waitFor();
    expect(await live().textContent()).toBe("Thanks! Your birthday is saved.");
    expect(await focused()).toMatchObject({ inPanel: true, name: "Thanks! Your birthday is saved." });
    expect((await db.customer.findUniqueOrThrow({ where: { id: ada.id } })).birthday).toBe("05-01");
    await web.page.keyboard.press("Tab");
    expect((await focused()).inPanel).toBe(true);
  });

  it("WHEN Ada was signed out in another tab and redeems THEN the signed-out panel, the message announced and focused, Tab still in the panel", async () => {
    await setBalance(1100);
    await openPanel();
    const other = await web.browser.context.newPage();
    await other.goto(`${web.storefront.url}/account/logout`);
    await other.close();
    await redeemWithKeyboard("$5 off");
    await panel().getByRole("link", { name: /Sign in/ }).waitFor();
    expect(await panel().locator("[data-lr-balance]").count()).toBe(0);
    const f = await focused();
    expect(f.inPanel).toBe(true);
    expect(f.name).toMatch(/sign in/i);
    await web.page.keyboard.press("Tab");
    expect((await focused()).inPanel).toBe(true);
    await expectAccessible(web.page, "signed-out panel on a phone");
    await screenshot(web.page, "keyboard-04-signed-out", { fullPage: false });
  });

  it("WHEN the panel could not load and the shopper presses Try again THEN the loaded panel keeps the focus (not dropped to the page)", async () => {
    await setBalance(1100);
    // Signed in again (the test before signed out), with the keyboard.
    web.storefront.host.setCustomer(ada.numericId);
    await web.page.goto(`${web.storefront.url}/account/login`);
    await web.page.getByRole("button", { name: "Sign in" }).focus();
    await web.page.keyboard.press("Enter");
    await web.page.waitForURL(/\/account$/);
    // The inline block on the page loads at once, for both views: it fails too.
    await web.page.route("**/apps/loyalty/program", (route) => route.abort("internetdisconnected"));
    await web.page.goto(`${web.storefront.url}/account`);
    await web.page.locator("[data-lr-launcher]").focus();
    await web.page.keyboard.press("Enter");
    const retry = panel().getByRole("button", { name: "Try again" });
    await retry.waitFor();
    await web.page.unroute("**/apps/loyalty/program");
    await tabTo(/^Try again$/);
    await web.page.keyboard.press("Enter");
    await panel().locator("[data-lr-balance]").waitFor();
    expect((await focused()).inPanel).toBe(true);
    await web.page.keyboard.press("Tab");
    expect((await focused()).inPanel).toBe(true);
  });

  it("raised no script errors", () => {
    expect(web.problems).toEqual([]);
  });
});
