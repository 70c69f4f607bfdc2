// Debian's Chromium through playwright-core: never a downloaded browser (there is no internet on CI,
// and `playwright install` would try). Each launch gets a fresh user-data directory, and a normal
// desktop User-Agent: shopify-app-remix answers 410 to bot-like ones such as "HeadlessChrome".
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { ROOT } from "../setup/databases";
import { BROWSER_UA } from "./app";

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
