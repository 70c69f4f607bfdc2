// GIVEN the demo shop (Silver from $300 spent, Grace at $177.14 with no tier), the app's production
//       build and the emulator's admin host with its "Shopify admin" actions
// WHEN the merchant creates a paid $130 order for Grace in the Shopify admin (Shopify sends
//      orders/create), the worker applies it and later generates her entry reward
// THEN Grace's profile shows the move to Silver with its reason, and Activity → Rewards shows the
//      Silver entry reward Pending, then Issued without a reload; axe finds no serious violation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { runWorkerOnce, workerConfig } from "~/jobs/worker.server";
import { expectAccessible, launchChromium, screenshot, startAdminDemo, type Browser } from "../support/browser";
import { useShopifyEmulator } from "../support/shopify";
import { applyWebhooks } from "../support/webhooks";
import { DEMO_SHOP } from "../../scripts/demo/seed";

const { emulator, adminGraphql } = useShopifyEmulator();
let demo: Awaited<ReturnType<typeof startAdminDemo>> | undefined;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  demo = await startAdminDemo(emulator);
  browser = await launchChromium();
  page = browser.page;
  page.setDefaultTimeout(15_000);
  await page.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

describe("an order pushes a customer into a VIP tier", () => {
  it("Shopify admin order → Silver, entry reward Pending then Issued on Grace's profile", async () => {
    const grace = await db.customer.findFirstOrThrow({ where: { shop: DEMO_SHOP, displayName: "Grace Hopper" } });
    expect(grace.vipTier).toBeNull();

    await page.goto(`${demo!.emulatorServer.url}/admin-host/store/${DEMO_SHOP}/admin`, { waitUntil: "networkidle" });
    await page.getByLabel("Customer", { exact: true }).first().waitFor();
    await page.locator("#order-customer").selectOption({ label: "Grace Hopper" });
    await page.getByLabel("Amount").fill("130.00");
    await page.getByRole("button", { name: "Create paid order" }).click();
    await page.waitForLoadState("networkidle");
    await expect(page.getByRole("status").textContent()).resolves.toMatch(/^Order #\d+ created; orders\/create sent, the app answered 200$/);
    await expectAccessible(page, "Shopify admin with the order form");
    await applyWebhooks(); // the worker's inbox round

    expect(await db.customer.findUniqueOrThrow({ where: { id: grace.id } })).toMatchObject({ vipTier: "Silver" });
    const entry = await db.reward.findFirstOrThrow({ where: { customerId: grace.id, source: "VIP_TIER_ENTRY" } });
    expect(entry.status).toBe("PENDING");

    await page.goto(emulator.embeddedAppUrl(DEMO_SHOP, `/app/customers/${grace.id}`), { waitUntil: "networkidle" });
    await page.getByText("Silver").first().waitFor();
    const row = page.locator(`[data-reward-status]`).first();
    await expect.poll(() => row.getAttribute("data-reward-status")).toBe("PENDING");
    await screenshot(page, "vip-entry-pending");
    await expectAccessible(page, "profile with a Pending VIP entry reward");

    // The worker generates it in Shopify; the page, revalidating while a reward is Pending, shows Issued.
    const deps = { db, logger, adminFor: (s: string) => adminGraphql(s), now: () => new Date() };
    await runWorkerOnce(deps, workerConfig({ workerId: "vip-demo", leaseMs: 60_000, jitterRandom: () => 0, perShopConcurrency: 1, shopifyTimeoutMs: 5_000 }));
    expect((await db.reward.findUniqueOrThrow({ where: { id: entry.id } })).status).toBe("ISSUED");
    await expect.poll(() => row.getAttribute("data-reward-status"), { timeout: 45_000 }).toBe("ISSUED");
    await screenshot(page, "vip-entry-issued");
    expect(problems).toEqual([]);
  }, 120_000);
});
