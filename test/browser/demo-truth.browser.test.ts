// GIVEN the demo shop (scripts/demo/seed.ts), the app's production build, the Shopify emulator over
//       HTTP (admin host, Shopify admin actions) with MSW answering the app's Admin API calls, and
//       the emulator's storefront host (theme extension, app proxy, cart and checkout)
// WHEN a customer applies a reward code at checkout, removes it, abandons the checkout, completes an
//      order, and pays with a gift card reward; a merchant deep-links into the admin, reloads it, and
//      deactivates a discount and injects a fault in the "Shopify admin"
// THEN the reward stays Issued until an order is completed (Shopify's orders/create → Used), the gift
//      card's balance goes down (the widget says what is left) while its reward is never Used, reloads and deep links land on the
//      page asked for, the app reconciles the deactivated discount, every page is axe clean, a
//      screenshot of each step is saved, and the browser sees no failed request or console error.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import db from "~/db.server";
import { expectAccessible, launchChromium, screenshot, startAdminDemo, type Browser } from "../support/browser";
import { useShopifyEmulator } from "../support/shopify";
import { serveStorefrontHost, type StorefrontHost } from "@loyalty/shopify-emulator/storefront-host";
import type { RunningServer } from "@loyalty/shopify-emulator/node-http";
import { applyWebhooks } from "../support/webhooks";
import { ROOT } from "../setup/databases";
import { DEMO_SHOP } from "../../scripts/demo/seed";

const { emulator } = useShopifyEmulator();
let app: RunningServer;
let emulatorServer: RunningServer;
let demo: Awaited<ReturnType<typeof startAdminDemo>> | undefined;
let storefront: RunningServer & { host: StorefrontHost };
let browser: Browser;
let page: Page;
let ada: { gid: string };
const problems: string[] = [];

beforeAll(async () => {
  // This walkthrough loads Ada's storefront pages far faster than a shopper would (30 a minute is the
  // default per customer); the limit itself has its own tests (app-proxy-rate-limit).
  process.env.PROXY_RATE_LIMIT_PER_MINUTE = "120";
  // The browser loads App Bridge and its session tokens from the emulator over HTTP.
  demo = await startAdminDemo(emulator);
  ({ app, emulatorServer } = demo);
  const first = emulator.store.listCustomers(DEMO_SHOP)[0]!;
  ada = { gid: first.id };
  storefront = await serveStorefrontHost(
    { app: app.url, emulator, extensionDir: path.join(ROOT, "extensions", "loyalty-rewards"), shop: DEMO_SHOP, customerId: first.id },
    { host: "127.0.0.1" },
  );
  browser = await launchChromium();
  page = browser.page;
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()} at ${message.location().url} on ${page.url()}`);
  });
  page.on("requestfailed", (request) => {
    // A Remix data request or route-discovery request (`/__manifest`, fetched for the links on the
    // page) still in flight when the page reloads or navigates (e.g. the profile's periodic
    // revalidation while a reward is Pending) is aborted by the browser, not failed: an answer the
    // page no longer needs. Any other failure, and every HTTP error, is a defect.
    const url = new URL(request.url());
    if (request.failure()?.errorText === "net::ERR_ABORTED" && (url.searchParams.has("_data") || url.pathname === "/__manifest")) return;
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText}) on ${request.frame().url()}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await storefront?.close();
  await demo?.close();
});

async function statusOf(rewardId: string) {
  return (await db.reward.findUniqueOrThrow({ where: { id: rewardId } })).status;
}

async function applyCode(code: string) {
  await page.getByLabel("Discount code or gift card").fill(code);
  await page.getByRole("button", { name: "Apply" }).click();
  await page.waitForLoadState("networkidle");
}

/** The widget's badge for a reward on the current storefront page. */
function badge(rewardId: string) {
  return page.locator(`[data-lr-reward="${rewardId}"] .lr-badge`).first();
}

describe("orders in the demo: a reward stays Issued until an order is completed", () => {
  it("applies, removes, abandons and completes with a discount code", async () => {
    const reward = await db.reward.findFirstOrThrow({ where: { shop: DEMO_SHOP, customerGid: ada.gid, status: "ISSUED", kind: "FIXED_AMOUNT" } });
    const ordersBefore = emulator.store.listOrders(DEMO_SHOP).length;

    // Applied: the total drops by $5, the reward is still Issued (the widget says Ready to use)
    await page.goto(`${storefront.url}/cart`, { waitUntil: "networkidle" });
    await applyCode(reward.code);
    await expect(page.getByRole("status").textContent()).resolves.toContain(`Discount code ${reward.code} applied`);
    await expect(page.getByTestId("cart-total").textContent()).resolves.toBe("$16.00"); // $16 mug − $5 + $5 shipping
    await expect(badge(reward.id).textContent()).resolves.toBe("Ready to use");
    expect(await statusOf(reward.id)).toBe("ISSUED");
    expect(emulator.store.findDiscountByCode(DEMO_SHOP, reward.code)!.redeemCode.asyncUsageCount).toBe(0);
    await screenshot(page, "demo-cart-code-applied");
    await expectAccessible(page, "cart with a code");

    // Removed: still Issued
    await page.getByRole("button", { name: `Remove ${reward.code}` }).click();
    await page.waitForLoadState("networkidle");
    await expect(page.getByTestId("cart-total").textContent()).resolves.toBe("$21.00");
    expect(await statusOf(reward.id)).toBe("ISSUED");

    // Abandoned with the code applied: no order, still Issued
    await applyCode(reward.code);
    await page.getByRole("button", { name: "Abandon checkout" }).click();
    await page.waitForLoadState("networkidle");
    await expect(page.getByRole("status").textContent()).resolves.toContain("Checkout abandoned");
    expect(emulator.store.listOrders(DEMO_SHOP)).toHaveLength(ordersBefore);
    expect(await statusOf(reward.id)).toBe("ISSUED");
    await screenshot(page, "demo-cart-abandoned");

    // Completed: Shopify sends orders/create and the app marks the reward Used
    await applyCode(reward.code);
    await page.getByRole("button", { name: "Complete order" }).click();
    await page.waitForLoadState("networkidle");
    await expect(page.getByRole("status").textContent()).resolves.toMatch(/Order #\d+ placed; orders\/create sent, the app answered 200/);
    expect(emulator.store.listOrders(DEMO_SHOP)).toHaveLength(ordersBefore + 1);
    await expect.poll(async () => (await applyWebhooks(), statusOf(reward.id)), { timeout: 15_000 }).toBe("USED");
    await page.reload({ waitUntil: "networkidle" });
    await expect(badge(reward.id).textContent()).resolves.toBe("Used");
    await screenshot(page, "demo-cart-order-completed");
    await expectAccessible(page, "cart after the order");

    // The same code cannot be used twice: checkout refuses it when it is entered
    await applyCode(reward.code);
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/usage limit|once per customer|expired|deactivated/);
  });

  it("pays with a gift card reward: its balance goes down, the reward is never Used", async () => {
    // GIVEN Ada redeems her points for the $10 gift card in the storefront widget
    await page.goto(`${storefront.url}/account`, { waitUntil: "networkidle" });
    await page.getByRole("button", { name: /\$10 gift card/ }).first().click();
    await page.getByRole("button", { name: "Yes, redeem" }).first().click();
    await expect.poll(() => db.reward.count({ where: { shop: DEMO_SHOP, customerGid: ada.gid, kind: "GIFT_CARD", status: "ISSUED" } }), { timeout: 15_000 }).toBe(1);
    const reward = await db.reward.findFirstOrThrow({ where: { shop: DEMO_SHOP, customerGid: ada.gid, kind: "GIFT_CARD", status: "ISSUED" } });
    const card = emulator.store.findGiftCardByCode(DEMO_SHOP, reward.code)!;
    expect(card.balance).toBe(1000);

    // WHEN she buys the $3.60 sticker sheet (+ $5 shipping) paying with it
    await page.goto(`${storefront.url}/cart`, { waitUntil: "networkidle" });
    await page.getByLabel("Product").selectOption("sticker");
    await page.getByRole("button", { name: "Update" }).click();
    await page.waitForLoadState("networkidle");
    await applyCode(reward.code);
    await expect(page.getByRole("status").textContent()).resolves.toContain("Gift card applied");
    await screenshot(page, "demo-cart-gift-card");
    await expectAccessible(page, "cart with a gift card");
    await page.getByRole("button", { name: "Complete order" }).click();
    await page.waitForLoadState("networkidle");
    await expect(page.getByRole("status").textContent()).resolves.toMatch(/the app answered 200/);

    // THEN $8.60 came off the card, and the reward is still Issued (a gift card is not "used" by an order)
    expect(emulator.store.findGiftCardByCode(DEMO_SHOP, reward.code)!.balance).toBe(140);
    const order = emulator.store.listOrders(DEMO_SHOP).at(-1)!;
    expect(order.giftCardPayments).toEqual([{ giftCardId: card.id, amount: 860 }]);
    // The webhook was answered 200 synchronously; give any asynchronous processing the same chance
    // as the Used case above before asserting it never happened.
    const usedCount = () => db.reward.count({ where: { shop: DEMO_SHOP, usedOrderGid: order.id } });
    await expect.poll(async () => (await applyWebhooks(), usedCount()), { timeout: 3_000 }).toBe(0);
    expect(await statusOf(reward.id)).toBe("ISSUED");

    // AND the widget says what is left on the card, as Shopify reports it, still ready to use
    await page.goto(`${storefront.url}/account`, { waitUntil: "networkidle" });
    const item = page.locator(`[data-lr-reward="${reward.id}"]`).first();
    await item.getByText("$1.40 left").waitFor();
    await expect(item.locator(".lr-badge").textContent()).resolves.toBe("Ready to use");
    await screenshot(page, "demo-gift-card-balance");
    await expectAccessible(page, "storefront with a gift card balance");
  });
});

describe("the admin host: deep links and reloads", () => {
  it("opens a deep link, keeps its place on reload after client-side navigation, and never shows the login page", async () => {
    // Deep link from the admin host into a page of the app, with its query
    await page.goto(`${emulatorServer.url}/admin-host/store/${DEMO_SHOP}/apps/loyalty-rewards/customers?query=lovelace`, { waitUntil: "networkidle" });
    await page.getByRole("link", { name: "Ada Lovelace", exact: true }).waitFor();
    expect(new URL(page.url()).searchParams.get("query")).toBe("lovelace");
    expect(new URL(page.url()).searchParams.has("id_token")).toBe(false);

    // Client-side navigation, then F5
    await page.getByRole("link", { name: "Ada Lovelace", exact: true }).click();
    await page.waitForURL(/\/app\/customers\/[^/?]+\?/);
    await page.getByRole("heading", { name: "Ada Lovelace" }).waitFor();
    const profileUrl = new URL(page.url());
    expect(profileUrl.searchParams.get("shop")).toBe(DEMO_SHOP);
    await page.reload({ waitUntil: "networkidle" });
    await page.getByRole("heading", { name: "Ada Lovelace" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(profileUrl.pathname);
    await expect(page.getByText("Log in").count()).resolves.toBe(0);
    await screenshot(page, "demo-admin-reloaded-profile");

    // The address bar's URL opened in a new tab works too (a link someone shared)
    const other = await browser.context.newPage();
    try {
      await other.goto(profileUrl.toString(), { waitUntil: "networkidle" });
      await other.getByRole("heading", { name: "Ada Lovelace" }).waitFor();
      expect(new URL(other.url()).pathname).toBe(profileUrl.pathname);
    } finally {
      await other.close();
    }
  });
});

describe("Shopify admin actions", () => {
  it("deactivates a discount (the app reconciles its reward) and arms a fault for the next calls", async () => {
    const reward = await db.reward.findFirstOrThrow({ where: { shop: DEMO_SHOP, status: "ISSUED", kind: { not: "GIFT_CARD" } }, orderBy: { createdAt: "asc" } });
    await page.goto(`${emulatorServer.url}/admin-host/store/${DEMO_SHOP}/admin`, { waitUntil: "networkidle" });
    await expectAccessible(page, "Shopify admin actions");
    await page.getByRole("button", { name: `Deactivate ${reward.code}` }).click();
    await page.waitForLoadState("networkidle");
    await expect(page.getByRole("status").textContent()).resolves.toBe("Discount deactivated; discounts/update sent, the app answered 200");
    expect(emulator.store.findDiscountByCode(DEMO_SHOP, reward.code)!.discount.deactivatedAt).not.toBeNull();
    await expect.poll(async () => (await applyWebhooks(), statusOf(reward.id)), { timeout: 15_000 }).toBe("CANCELED");

    await page.getByLabel("Call", { exact: true }).selectOption("discountCodeBasicCreate");
    await page.getByLabel("Fault", { exact: true }).selectOption("throttle");
    await page.getByLabel("Number of calls").fill("2");
    await page.getByRole("button", { name: "Inject fault" }).click();
    await page.waitForLoadState("networkidle");
    await expect(page.getByRole("status").textContent()).resolves.toContain("The next 2 discountCodeBasicCreate call(s) will fail");
    const armed = emulator.faults.list();
    expect(armed).toHaveLength(1);
    expect(armed[0]!.rule).toMatchObject({ rootField: "discountCodeBasicCreate", shop: DEMO_SHOP, action: { type: "throttled" } });
    expect(armed[0]!.remaining).toBe(2);
    await screenshot(page, "demo-shopify-admin-actions");
    await expectAccessible(page, "Shopify admin actions after a fault");
    emulator.faults.clear();
  });

  it("uninstalls the app (app/uninstalled) and reinstalls it (a new token by token exchange on opening)", async () => {
    // GIVEN the installed app with its offline session
    const before = await db.session.findUniqueOrThrow({ where: { id: `offline_${DEMO_SHOP}` } });
    await page.goto(`${emulatorServer.url}/admin-host/store/${DEMO_SHOP}/admin`, { waitUntil: "networkidle" });

    // WHEN the merchant uninstalls it
    await page.getByRole("button", { name: "Uninstall Loyalty Rewards" }).click();
    await page.waitForLoadState("networkidle");

    // THEN the old token is dead and the app recorded the uninstall
    await expect(page.getByRole("status").textContent()).resolves.toBe("App uninstalled; app/uninstalled sent, the app answered 200");
    expect(emulator.store.getShop(DEMO_SHOP)!.accessToken).not.toBe(before.accessToken);
    await applyWebhooks(); // what the worker does with the recorded app/uninstalled
    expect((await db.shop.findUniqueOrThrow({ where: { domain: DEMO_SHOP } })).uninstalledAt).not.toBeNull();
    expect(await db.session.count({ where: { shop: DEMO_SHOP } })).toBe(0);

    // WHEN they reinstall it: the app opens and exchanges a session token for the new access token
    await page.getByRole("button", { name: "Reinstall and open Loyalty Rewards" }).click();
    await page.getByRole("heading", { name: "Loyalty rewards" }).first().waitFor();
    await page.waitForLoadState("networkidle");

    // THEN the app works again with the new token token exchange handed out (an expiring one, with
    // its refresh token), which Shopify accepts
    const session = await db.session.findUniqueOrThrow({ where: { id: `offline_${DEMO_SHOP}` } });
    expect(session.refreshToken).toBeTruthy();
    expect(emulator.acceptsToken(DEMO_SHOP, session.accessToken)).toBe(true);
    expect(emulator.acceptsToken(DEMO_SHOP, before.accessToken)).toBe(false);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: DEMO_SHOP } })).uninstalledAt).toBeNull();
    await screenshot(page, "demo-reinstalled-admin-home");
  });

  it("saw no failed request, HTTP error or console error in the browser", () => {
    expect(problems).toEqual([]);
  });
});
