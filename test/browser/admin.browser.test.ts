// GIVEN the demo shop (scripts/demo/seed.ts: 20 customers, 30 rewards in all five statuses), the
//       app's production build, and the Shopify emulator serving the local admin host over HTTP
//       (stand-in App Bridge: session tokens, the Bearer fetch patch, toasts) while MSW answers
//       the app's Admin API calls from the same emulator
// WHEN a merchant opens the app in Chromium as Shopify's admin would, finds a customer, opens the
//       profile's Activity → Rewards, pages with the arrows, filters by status, reads a Failed
//       reward's explanation and cancels an Issued reward
// THEN every step shows what it should, the canceled reward's badge becomes Canceled (and the code
//      is deactivated in the emulated Shopify), axe finds no serious or critical violation on any
//      page, and a screenshot of each page is saved under test-results/screenshots/.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import db from "~/db.server";
import { merchantExplanation } from "~/copy/admin";
import { expectAccessible, launchChromium, screenshot, startAdminDemo, type Browser } from "../support/browser";
import { useShopifyEmulator } from "../support/shopify";
import { DEMO_SHOP } from "../../scripts/demo/seed";

const { emulator } = useShopifyEmulator();
let demo: Awaited<ReturnType<typeof startAdminDemo>> | undefined;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  // The browser loads App Bridge and its session tokens from the emulator over HTTP.
  demo = await startAdminDemo(emulator);
  browser = await launchChromium();
  page = browser.page;
  page.setDefaultTimeout(15_000);
  // No favicon in the app: answer the browser's automatic request here instead of logging a 404.
  await page.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // Expected: the cancel that Shopify refuses answers 502. Any other error logged is a defect
    // (the App Bridge preload points at the emulator's stand-in, server/app-handler.mjs).
    if (message.type() === "error" && !/status of 502/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

async function shot(name: string) {
  await screenshot(page, name);
}

/** The rows of the Activity → Rewards table: code and status, in order. */
async function rewardRows(): Promise<{ code: string; status: string }[]> {
  const table = page.locator("table").filter({ has: page.getByRole("columnheader", { name: "Status" }) }).first();
  await table.waitFor();
  return table.locator("tbody tr").evaluateAll((trs) =>
    trs.map((tr) => ({
      code: tr.querySelector("code")?.textContent ?? "",
      status: tr.querySelector("[data-reward-status]")?.getAttribute("data-reward-status") ?? "",
    })),
  );
}

async function settle() {
  await page.waitForLoadState("networkidle");
}

describe("merchant diagnoses and cancels a reward in the embedded admin", () => {
  it("walks from the home page to a canceled reward", async () => {
    // Home
    await page.goto(emulator.embeddedAppUrl(DEMO_SHOP), { waitUntil: "networkidle" });
    await page.getByRole("heading", { name: "Loyalty rewards" }).first().waitFor();
    await page.getByText("Failed recently").waitFor();
    await page.getByRole("img", { name: /Rewards issued and used per day/ }).waitFor();
    await shot("admin-home");
    await expectAccessible(page, "home");

    // Customers: search by name
    await page.getByRole("link", { name: "Customers", exact: true }).click();
    await page.waitForURL(/\/app\/customers(\?|$)/);
    await settle();
    await page.getByRole("link", { name: "Grace Hopper" }).waitFor();
    await shot("admin-customers");
    await expectAccessible(page, "customers");
    await page.getByRole("textbox", { name: "Search customers" }).fill("lovelace");
    await page.waitForURL(/query=lovelace/);
    await settle();
    await expect.poll(() => page.getByRole("link", { name: "Grace Hopper" }).count()).toBe(0);
    await page.getByText("Loading customers").first().waitFor({ state: "hidden" });
    await shot("admin-customers-search");

    // Profile → Activity → Rewards
    await page.getByRole("link", { name: "Ada Lovelace", exact: true }).click();
    await page.waitForURL(/\/app\/customers\/[^/?]+(\?|$)/);
    await settle();
    await page.getByRole("heading", { name: "Ada Lovelace" }).waitFor();
    await expect(page.getByRole("tab", { name: "Rewards" }).getAttribute("aria-selected")).resolves.toBe("true");
    const page1 = await rewardRows();
    expect(page1).toHaveLength(10);
    await shot("admin-customer-profile");
    await expectAccessible(page, "customer profile");

    // Arrows: older, older (last page), newer
    await page.getByRole("link", { name: "Older rewards" }).click();
    await page.waitForURL(/after=/);
    await settle();
    // (Remix updates the URL as it commits the new data; poll until the table shows it.)
    await expect.poll(async () => (await rewardRows()).map((r) => r.code).includes(page1[0].code)).toBe(false);
    const page2 = await rewardRows();
    expect(page2).toHaveLength(10);
    await shot("admin-rewards-page-2");
    await page.getByRole("link", { name: "Older rewards" }).click();
    await page.waitForURL(/page=3/);
    await settle();
    await expect.poll(async () => (await rewardRows()).length).toBe(4); // 24 rewards for Ada in the demo
    await expect(page.getByRole("button", { name: "Older rewards" }).isDisabled()).resolves.toBe(true);
    await page.getByRole("link", { name: "Newer rewards" }).click();
    await page.waitForURL(/page=2/);
    await settle();
    await expect.poll(async () => (await rewardRows()).map((r) => r.code)).toEqual(page2.map((r) => r.code));

    // Filter: Failed → the reason in plain language
    await page.getByRole("combobox", { name: "Status" }).selectOption("FAILED");
    await page.waitForURL(/status=FAILED/);
    await settle();
    await expect.poll(async () => [...new Set((await rewardRows()).map((r) => r.status))]).toEqual(["FAILED"]);
    // The Status column says why, in a few words, without opening the reward.
    const statusCell = page.locator("tbody tr").first().locator("td", { has: page.locator("[data-reward-status]") });
    await expect(statusCell.textContent()).resolves.toMatch(/Failed\s*Settings rejected$/);
    await page.locator("tbody tr").first().getByRole("link").first().click();
    await page.waitForURL(/\/rewards\//);
    await settle();
    const why = page.getByRole("status").filter({ hasText: "Why this reward failed" }).or(page.locator(".Polaris-Banner").filter({ hasText: "Why this reward failed" }));
    await expect(why.first().textContent()).resolves.toContain(merchantExplanation("invalid_reward_settings").summary);
    await page.getByText("Shopify's error response").first().click();
    await page.getByText('"Value is invalid"').first().waitFor();
    await shot("admin-reward-failed");
    await expectAccessible(page, "failed reward");

    // Filter: Issued → select one → cancel
    await page.getByRole("combobox", { name: "Status" }).selectOption("ISSUED");
    await page.waitForURL(/status=ISSUED/);
    await settle();
    await expect.poll(async () => [...new Set((await rewardRows()).map((r) => r.status))]).toEqual(["ISSUED"]);
    const issued = await rewardRows();
    await shot("admin-rewards-filter-issued");
    // Export: fetched with the session token (a plain link would be a document request without
    // one), handed to the browser as a download; the status filter applies.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export Issued rewards (CSV)" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^rewards-demo-loyalty-ada-lovelace-issued-\d{4}-\d{2}-\d{2}\.csv$/);
    const exported = readFileSync((await download.path())!, "utf8").replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(exported[0]).toContain("Status");
    expect(exported.slice(1).map((line) => line.split(",")[8])).toEqual(issued.map(() => "Issued"));
    const target = issued[0].code;
    await page.locator("tbody tr").first().getByRole("link").first().click();
    await page.waitForURL(/\/rewards\/.*status=ISSUED/);
    await settle();
    await expect(page.locator("#reward-detail-heading").evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await shot("admin-reward-detail");
    await expectAccessible(page, "reward detail");

    await page.getByRole("button", { name: "Cancel reward" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain(`The discount code ${target} is deactivated in Shopify`);
    await expect(dialog.textContent()).resolves.toContain("given back to their balance");
    await dialog.getByRole("textbox", { name: /Reason/ }).fill("Customer asked to cancel");
    await shot("admin-cancel-modal");
    await expectAccessible(page, "cancel modal");
    await dialog.getByRole("button", { name: "Cancel reward" }).click();

    await page.locator("[data-toast]").filter({ hasText: "Reward canceled" }).waitFor();
    const detailBadge = page.locator("#reward-detail-heading").locator("xpath=..").locator("[data-reward-status]").first();
    await expect.poll(() => detailBadge.getAttribute("data-reward-status")).toBe("CANCELED");
    await page.getByText("Customer asked to cancel").first().waitFor();

    // The table, with every status again, shows the reward's badge as Canceled.
    await page.getByRole("combobox", { name: "Status" }).selectOption("");
    await page.waitForURL((url) => !url.searchParams.has("status"));
    await settle();
    await expect.poll(async () => (await rewardRows()).find((r) => r.code === target)?.status).toBe("CANCELED");
    await page.locator("tbody tr").filter({ hasText: target }).getByText("Canceled").waitFor();
    await shot("admin-reward-canceled");

    // …and so does the truth: the database and the emulated Shopify.
    const reward = await db.reward.findFirstOrThrow({ where: { shop: DEMO_SHOP, code: target } });
    expect(reward.status).toBe("CANCELED");
    expect(emulator.store.discountStatus(emulator.store.getDiscount(DEMO_SHOP, reward.shopifyId!)!)).toBe("EXPIRED");

    // Shopify refuses to deactivate the next one: a clear error, and it stays Issued.
    await page.getByRole("combobox", { name: "Status" }).selectOption("ISSUED");
    await page.waitForURL(/status=ISSUED/);
    await expect.poll(async () => (await rewardRows()).map((r) => r.code).includes(target)).toBe(false);
    const second = (await rewardRows())[0].code;
    await page.locator("tbody tr").first().getByRole("link").first().click();
    await page.waitForURL(/\/rewards\//);
    await settle();
    emulator.faults.userErrors("discountCodeDeactivate", [{ field: ["id"], code: "INVALID", message: "Discount is locked by another app" }]);
    await page.getByRole("button", { name: "Cancel reward" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel reward" }).click();
    const refused = page.locator(".Polaris-Banner").filter({ hasText: "The reward couldn't be canceled" });
    await refused.waitFor();
    await expect(refused.textContent()).resolves.toContain("Discount is locked by another app");
    await expect(refused.textContent()).resolves.toContain("still Issued");
    await expect(detailBadge.getAttribute("data-reward-status")).resolves.toBe("ISSUED");
    expect((await db.reward.findFirstOrThrow({ where: { shop: DEMO_SHOP, code: second } })).status).toBe("ISSUED");
    await shot("admin-cancel-refused");
    await expectAccessible(page, "cancel refused");

    // Issue a reward by hand: queued as Pending at the top of the table.
    await page.getByRole("combobox", { name: "Status" }).selectOption("");
    await page.waitForURL((url) => !url.searchParams.has("status"));
    await page.getByRole("button", { name: "Issue reward" }).click();
    const issueDialog = page.getByRole("dialog");
    await issueDialog.getByRole("combobox", { name: "Reward" }).selectOption({ label: "Free shipping (redemption option)" });
    await issueDialog.getByRole("textbox", { name: /Note/ }).fill("Sorry about the late parcel");
    await shot("admin-issue-modal");
    await expectAccessible(page, "issue modal");
    await issueDialog.getByRole("button", { name: "Issue reward" }).click();
    await page.locator("[data-toast]").filter({ hasText: "queued" }).waitFor();
    await expect.poll(async () => (await rewardRows())[0]?.status).toBe("PENDING");
    // The one just issued: the newest manual reward (the demo also seeds a few merchant-issued ones).
    const manual = await db.reward.findFirstOrThrow({ where: { shop: DEMO_SHOP, source: "MANUAL" }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    expect(manual).toMatchObject({ status: "PENDING", title: "Free shipping" });
    expect((await rewardRows())[0].code).toBe(manual.code);
    await shot("admin-issued-manually");

    expect(problems).toEqual([]);
  }, 120_000);
});
