// Debian's Chromium through playwright-core: never a downloaded browser (there is no internet on CI,
// and `playwright install` would try). Each launch gets a fresh user-data directory, and a normal
// desktop User-Agent: shopify-app-remix answers 410 to bot-like ones such as "HeadlessChrome".
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { ROOT } from "../setup/databases";
import { afterAll, beforeAll, expect } from "vitest";
import AxeBuilder from "@axe-core/playwright";
import type { ShopifyEmulator } from "@loyalty/shopify-emulator";
import { serveEmulator } from "@loyalty/shopify-emulator/server";
import type { RunningServer } from "@loyalty/shopify-emulator/node-http";
import { serveStorefrontHost, type StorefrontHost, type StorefrontHostOptions } from "@loyalty/shopify-emulator/storefront-host";
import db from "~/db.server";
import { seedDemo, DEMO_SHOP } from "../../scripts/demo/seed";
import { BROWSER_UA, startApp } from "./app";
import { TEST_APP } from "./constants";
import { installEmulatedShop } from "./shopify";

export const SCREENSHOT_DIR = path.join(ROOT, "test-results", "screenshots");

const CANDIDATES = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];

export function chromiumPath(): string {
  const found = process.env.CHROMIUM_PATH ?? CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error("Chromium not found: run .ci/ensure-chromium (apt-get install -y chromium)");
  return found;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchChromium(options: { viewport?: { width: number; height: number } } = {}): Promise<Browser> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), "loyalty-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
    viewport: options.viewport ?? { width: 1280, height: 900 },
    userAgent: BROWSER_UA,
    locale: "en-US",
    timezoneId: "UTC",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? true });
  return file;
}

/** Same directory under its older name. */
export const SCREENSHOTS = SCREENSHOT_DIR;

/** A browser context (for tests that manage pages themselves). */
export async function launchBrowser(): Promise<BrowserContext> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return (await launchChromium()).context;
}

/**
 * The admin demo as the browser tests open it: the emulator served over HTTP (admin host, stand-in
 * App Bridge, session tokens), the app's production build pointed at that App Bridge, and the demo
 * shop seeded (scripts/demo/seed.ts). The app reads APP_BRIDGE_URL when its build is imported, so
 * it is set before the app starts.
 */
export async function startAdminDemo(emulator: ShopifyEmulator): Promise<{ app: RunningServer; emulatorServer: RunningServer; close(): Promise<void> }> {
  const emulatorServer = await serveEmulator(emulator, { host: "127.0.0.1" });
  process.env.APP_BRIDGE_URL = `${emulatorServer.url}/admin-host/app-bridge.js`;
  const app = await startApp();
  emulator.appUrl = app.url;
  await seedDemo(db, emulator, { shop: DEMO_SHOP });
  return {
    app,
    emulatorServer,
    async close() {
      await app.close();
      await emulatorServer.close();
    },
  };
}

/** A fixture's value, which its beforeAll sets: read before that (at module level), a clear error. */
function startedIn(fixture: string) {
  return <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${fixture}: the ${what} starts in beforeAll; use it inside a test`);
    return value;
  };
}

export type AdminDemo = Awaited<ReturnType<typeof startAdminDemo>>;

export interface AdminDemoBrowser {
  readonly demo: AdminDemo;
  readonly browser: Browser;
  readonly page: Page;
  /** Page errors and console errors seen so far (a test ends with `expect(problems).toEqual([])`). */
  readonly problems: string[];
}

/**
 * The preamble of the admin browser tests: before all, the admin demo (startAdminDemo) and Chromium
 * with one page (15 s default timeout, no favicon request, page errors and console errors collected
 * in `problems`); after all, both closed. `allowConsole` names the console errors a test causes on
 * purpose (e.g. /status of 400/ for a save refused with field errors). `afterStart` runs once the
 * demo is seeded, before the browser opens (e.g. to turn the program off).
 */
export function useAdminDemoBrowser(
  emulator: ShopifyEmulator,
  options: { allowConsole?: RegExp; afterStart?: (demo: AdminDemo) => Promise<void>; timeoutMs?: number } = {},
): AdminDemoBrowser {
  let demo: AdminDemo | undefined;
  let browser: Browser | undefined;
  const problems: string[] = [];
  beforeAll(async () => {
    demo = await startAdminDemo(emulator);
    await options.afterStart?.(demo);
    browser = await launchChromium();
    const page = browser.page;
    page.setDefaultTimeout(options.timeoutMs ?? 15_000);
    await page.route("**/favicon.ico", (route) => route.fulfill({ status: 204 }));
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && !options.allowConsole?.test(message.text())) problems.push(`console: ${message.text()}`);
    });
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });
  const ready = startedIn("useAdminDemoBrowser");
  return {
    get demo() {
      return ready(demo, "demo");
    },
    get browser() {
      return ready(browser, "browser");
    },
    get page() {
      return ready(browser, "browser").page;
    },
    problems,
  };
}

export interface StorefrontBrowser {
  readonly app: RunningServer;
  readonly storefront: RunningServer & { host: StorefrontHost };
  readonly browser: Browser;
  readonly page: Page;
  /** Page errors and console errors seen so far (a test ends with `expect(problems).toEqual([])`). */
  readonly problems: string[];
}

/**
 * The preamble of the storefront widget's browser tests: before all, the app's production build,
 * TEST_APP.shop installed in the emulator, `setUp` (the test's shop data; it names the customer who
 * can sign in and the blocks' settings), the local storefront host rendering the theme app extension
 * (extensions/loyalty-rewards) and proxying /apps/loyalty/* signed as Shopify signs, and Chromium
 * with one page (page errors and console errors collected in `problems`, except Chromium's own
 * "Failed to load resource" line for a 4xx/5xx answer to fetch(): that is the app answering); after
 * all, everything closed. `env` is set before the app starts and removed after; `clipboard` lets the
 * page read and write the clipboard (Copy buttons).
 */
export function useStorefrontBrowser(
  emulator: ShopifyEmulator,
  options: {
    setUp: () => Promise<Pick<StorefrontHostOptions, "customerId" | "blockSettings">>;
    clipboard?: boolean;
    env?: Record<string, string>;
  },
): StorefrontBrowser {
  let app: RunningServer | undefined;
  let storefront: (RunningServer & { host: StorefrontHost }) | undefined;
  let browser: Browser | undefined;
  const problems: string[] = [];
  beforeAll(async () => {
    Object.assign(process.env, options.env);
    app = await startApp();
    emulator.appUrl = app.url;
    await installEmulatedShop(emulator);
    const { customerId, blockSettings } = await options.setUp();
    storefront = await serveStorefrontHost({ app: app.url, emulator, extensionDir: path.join(ROOT, "extensions", "loyalty-rewards"), shop: TEST_APP.shop, customerId, blockSettings });
    browser = await launchChromium();
    if (options.clipboard) await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: storefront.url });
    browser.page.on("pageerror", (error) => problems.push(error.message));
    browser.page.on("console", (message) => {
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(message.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await storefront?.close();
    await app?.close();
    for (const name in options.env) delete process.env[name];
  });
  const ready = startedIn("useStorefrontBrowser");
  return {
    get app() {
      return ready(app, "app");
    },
    get storefront() {
      return ready(storefront, "storefront");
    },
    get browser() {
      return ready(browser, "browser");
    },
    get page() {
      return ready(browser, "browser").page;
    },
    problems,
  };
}

/** axe on the current page: no serious or critical WCAG 2.1 A/AA (or best-practice) violation. */
export async function expectAccessible(page: Page, context: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const bad = result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${context}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  expect(bad).toEqual([]);
}
