// GIVEN the demo shop, the app's production build and the emulator's admin host (stand-in App Bridge
//       with toasts and <ui-save-bar>)
// WHEN a merchant opens Ways to redeem → New in Chromium, types a percentage of 150, saves from the
//       contextual save bar, reads the inline error, fixes it and saves again
// THEN the save bar appears only while there are unsaved changes, the field error sits under the field,
//      a success toast confirms, the option is stored, and axe finds no serious violation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";
import db from "~/db.server";
import { OPTION_ERROR_MESSAGES, OPTION_MESSAGES } from "~/copy/admin";
import { launchChromium, screenshot, type Browser } from "../support/browser";
import { useShopifyEmulator } from "../support/shopify";
import { serveEmulator } from "@loyalty/shopify-emulator/server";
import type { RunningServer } from "@loyalty/shopify-emulator/node-http";
import { startApp } from "../support/app";
import { seedDemo, DEMO_SHOP } from "../../scripts/demo/seed";

const { emulator } = useShopifyEmulator();
let app: RunningServer;
let emulatorServer: RunningServer;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  emulatorServer = await serveEmulator(emulator, { host: "127.0.0.1" });
  process.env.APP_BRIDGE_URL = `${emulatorServer.url}/admin-host/app-bridge.js`;
  app = await startApp();
  emulator.appUrl = app.url;
  await seedDemo(db, emulator, { shop: DEMO_SHOP });
  browser = await launchChromium();
  page = browser.page;
  page.setDefaultTimeout(15_000);
  await page.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // The first save is refused on purpose (400); any other console error is a defect.
    if (message.type() === "error" && !/status of 400/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await emulatorServer?.close();
});

describe("Ways to redeem form", () => {
  it("shows the save bar while dirty, the inline error, then the toast, and stores the option", async () => {
    await page.goto(emulator.embeddedAppUrl(DEMO_SHOP, "/app/ways-to-redeem/new"), { waitUntil: "networkidle" });
    await page.getByRole("heading", { name: "New way to redeem" }).waitFor();
    const saveBar = page.locator("ui-save-bar");
    expect(await saveBar.isVisible()).toBe(false);

    await page.getByRole("textbox", { name: "Name" }).fill("15% off everything");
    await page.getByRole("combobox", { name: "Reward" }).selectOption("PERCENTAGE");
    await page.getByRole("spinbutton", { name: "Points cost" }).fill("600");
    await page.getByRole("textbox", { name: "Value" }).fill("150");
    await saveBar.waitFor({ state: "visible" });
    await screenshot(page, "ways-to-redeem-dirty");

    await saveBar.getByRole("button", { name: "Save" }).click();
    const error = page.getByText(OPTION_ERROR_MESSAGES.percentage_range).first();
    await error.waitFor();
    // Polaris ties the error to the field: the Value input is described by it.
    const described = await page.getByRole("textbox", { name: "Value" }).getAttribute("aria-describedby");
    expect(described).toMatch(/Error/);
    expect(await db.rewardTemplate.count({ where: { shop: DEMO_SHOP, name: "15% off everything" } })).toBe(0);
    await screenshot(page, "ways-to-redeem-error");
    const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
    expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);

    await page.getByRole("textbox", { name: "Value" }).fill("15");
    await saveBar.getByRole("button", { name: "Save" }).click();
    await page.locator("[data-toast]").filter({ hasText: OPTION_MESSAGES.created }).waitFor();
    await page.waitForURL(/\/app\/ways-to-redeem\/(?!new)[^/?]+/);
    await expect.poll(() => saveBar.isVisible()).toBe(false);
    const stored = await db.rewardTemplate.findFirstOrThrow({ where: { shop: DEMO_SHOP, name: "15% off everything" } });
    expect(stored).toMatchObject({ purpose: "POINTS_REDEMPTION", kind: "PERCENTAGE", value: "15", pointsCost: 600, active: true });
    await screenshot(page, "ways-to-redeem-saved");
    expect(problems).toEqual([]);
  });
});
