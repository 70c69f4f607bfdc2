// GIVEN a shop with a customer whose manually issued reward is still Pending (not yet generated in
//       Shopify), a Failed reward and an Issued gift card, the app's production build, and the Shopify
//       emulator serving the admin host (stand-in App Bridge) and answering the app's Admin API calls
// WHEN the merchant keeps the customer's profile open with the Pending reward selected while the
//       worker generates it, then opens the shop-wide Rewards page, filters, searches, reveals a gift
//       card code and bulk-cancels
// THEN the table row and the detail card both turn Issued without a reload (the page revalidates
//      while something is Pending), the Rewards page shows what the filters ask for, gift card codes
//      are masked until revealed, and axe finds no serious or critical violation; screenshots are
//      saved under test-results/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";
import type { Customer, Reward } from "@prisma/client";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { maskGiftCardCode } from "~/domain/rewards";
import { runWorkerOnce, workerConfig, type WorkerDeps } from "~/jobs/worker.server";
import { issueRewardAsync } from "~/services/rewards/issue-async.server";
import { launchChromium, screenshot, type Browser } from "../support/browser";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { serveEmulator } from "@loyalty/shopify-emulator/server";
import type { RunningServer } from "@loyalty/shopify-emulator/node-http";
import { startApp } from "../support/app";
import { TEST_APP } from "../support/constants";
import { createCustomer, createReward, createTemplate } from "../support/factories";

const fixture = useShopifyEmulator();
const { emulator } = fixture;
const SHOP: string = TEST_APP.shop;
let app: RunningServer;
let emulatorServer: RunningServer;
let browser: Browser;
let page: Page;
let customer: Customer;
let pending: Reward;
let failed: Reward;
let gift: Reward;
const problems: string[] = [];

beforeAll(async () => {
  emulatorServer = await serveEmulator(emulator, { host: "127.0.0.1" });
  process.env.APP_BRIDGE_URL = `${emulatorServer.url}/admin-host/app-bridge.js`;
  app = await startApp();
  emulator.appUrl = app.url;
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
  customer = await createCustomer(db, SHOP, { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" }, emulator);
  const template = await createTemplate(db, SHOP, { purpose: "MANUAL", name: "$5 thank-you", value: "5.00" });
  failed = await createReward(db, customer, { status: "FAILED", title: "$10 off", createdAt: new Date(Date.now() - 3 * 86_400_000) });
  gift = await createReward(db, customer, { kind: "GIFT_CARD", status: "ISSUED", title: "$10 gift card", createdAt: new Date(Date.now() - 2 * 86_400_000) });
  // The real manual-issue path: saved Pending; nothing generates it until the worker runs below.
  const issued = await issueRewardAsync(
    { db, logger, adminFor: (shop) => fixture.adminGraphql(shop), now: () => new Date() },
    { shop: SHOP, customer: { id: customer.id }, templateId: template.id, source: "MANUAL", actor: "MERCHANT", reason: "Issued by the merchant" },
  );
  if (!issued.ok) throw new Error(issued.error.message);
  pending = await db.reward.findUniqueOrThrow({ where: { id: issued.reward.id } });
  browser = await launchChromium();
  page = browser.page;
  page.setDefaultTimeout(20_000);
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await emulatorServer?.close();
});

async function expectAccessible(context: string) {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const bad = result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${context}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  expect(bad).toEqual([]);
}

/** The status badge of a reward in the table (its row has the code) and in the detail card. */
function tableStatus(code: string) {
  return page.locator("tbody tr").filter({ hasText: code }).locator("[data-reward-status]").first();
}
function detailStatus() {
  // The heading's block holds the card's status badge (app/components/reward-detail-card.tsx).
  return page.locator("h2#reward-detail-heading").locator("..").locator("[data-reward-status]").first();
}

describe("statuses never go stale", () => {
  it("a Pending reward turns Issued in the table and the detail card without a reload", async () => {
    // The first page of the file also loads (and compresses, once) the admin's bundles: allow for a busy CI machine.
    await page.goto(emulator.embeddedAppUrl(SHOP, `/app/customers/${customer.id}/rewards/${pending.id}`), { waitUntil: "load", timeout: 60_000 });
    await page.getByRole("heading", { name: "Ada Lovelace" }).waitFor();
    await tableStatus(pending.code).waitFor();
    await detailStatus().waitFor();
    await expect(tableStatus(pending.code).getAttribute("data-reward-status")).resolves.toBe("PENDING");
    await expect(detailStatus().getAttribute("data-reward-status")).resolves.toBe("PENDING");
    await screenshot(page, "admin-revalidate-pending");
    let navigations = 0;
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });

    // WHEN the worker generates it in (emulated) Shopify
    const deps: WorkerDeps = { db, logger, adminFor: (shop) => fixture.adminGraphql(shop), now: () => new Date() };
    await runWorkerOnce(deps, workerConfig({ workerId: "browser-test-worker", leaseMs: 60_000, jitterRandom: () => 0, perShopConcurrency: 1 }));
    expect((await db.reward.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe("ISSUED");

    // THEN the page catches up on its own (interval revalidation), table and card together
    await page.locator(`tbody tr:has-text("${pending.code}") [data-reward-status="ISSUED"]`).waitFor();
    await expect(detailStatus().getAttribute("data-reward-status")).resolves.toBe("ISSUED");
    expect(navigations).toBe(0);
    await screenshot(page, "admin-revalidate-issued");
    await expectAccessible("profile after revalidation");
  }, 120_000);
});

describe("the shop-wide Rewards page", () => {
  it("filters by status from a home tile link, searches by code, masks and reveals a gift card code", async () => {
    await page.goto(emulator.embeddedAppUrl(SHOP, "/app/rewards?status=FAILED"), { waitUntil: "load" });
    await page.getByRole("heading", { name: "Rewards" }).first().waitFor();
    await page.locator("tbody tr").first().waitFor();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    await expect(page.locator("tbody tr").first().textContent()).resolves.toContain(failed.code);
    // A Failed code never worked: nothing offers to copy it.
    await expect(page.getByRole("button", { name: `Copy code ${failed.code}` }).count()).resolves.toBe(0);
    await screenshot(page, "admin-rewards-failed");
    await expectAccessible("rewards page, Failed");

    await page.getByRole("tab", { name: "All" }).click();
    await page.waitForURL((url) => !url.searchParams.has("status"));
    await expect.poll(() => page.locator("tbody tr").count()).toBe(3);
    await expect(page.locator("tbody").textContent()).resolves.toContain(maskGiftCardCode(gift.code));
    await expect(page.locator("tbody").textContent()).resolves.not.toContain(gift.code);
    await screenshot(page, "admin-rewards-all");
    await expectAccessible("rewards page, all");

    // IndexFilters keeps its search field behind the "Search and filter" button, as in Shopify's admin.
    await page.getByRole("button", { name: /Search and filter/ }).first().click();
    await page.getByPlaceholder(/Search by code/).fill(pending.code.toLowerCase());
    await page.waitForURL(/query=/);
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    await expect(page.locator("tbody tr").first().textContent()).resolves.toContain(pending.code);
    await screenshot(page, "admin-rewards-search");

    // The gift card's full code: only through Reveal on its detail card, and recorded.
    await page.goto(emulator.embeddedAppUrl(SHOP, `/app/customers/${customer.id}/rewards/${gift.id}`), { waitUntil: "load" });
    await page.locator("h2#reward-detail-heading").waitFor();
    await page.getByRole("button", { name: /Reveal the full gift card code/ }).click();
    await page.locator(`code:text-is("${gift.code}")`).waitFor();
    await expect.poll(() => db.rewardEvent.count({ where: { rewardId: gift.id, type: "NOTE", actor: "MERCHANT" } })).toBe(1);
    await screenshot(page, "admin-reward-revealed");
    await expectAccessible("gift card revealed");
  }, 120_000);

  it("bulk-cancels the selected rewards", async () => {
    await page.goto(emulator.embeddedAppUrl(SHOP, "/app/rewards?status=ISSUED"), { waitUntil: "load" });
    await page.locator("tbody tr").first().waitFor();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(2);
    await page.locator("tbody tr").filter({ hasText: pending.code }).getByRole("checkbox").check({ force: true });
    await page.getByRole("button", { name: "Cancel rewards" }).first().click();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel rewards" }).click();
    await expect.poll(async () => (await db.reward.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe("CANCELED");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    // The confirmation closes with a fade: check the page once it is gone, not half-transparent.
    await page.getByRole("dialog").waitFor({ state: "detached" });
    await screenshot(page, "admin-rewards-bulk-canceled");
    await expectAccessible("rewards page after bulk cancel");
    expect(problems).toEqual([]);
  }, 120_000);
});
