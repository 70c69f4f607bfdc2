// Headless Chromium for browser tests: Debian's chromium driven by playwright-core (never a
// downloaded browser). A normal desktop User-Agent, because shopify-app-remix answers 410 to
// bot-like ones such as "HeadlessChrome".
import { mkdtempSync, mkdirSync } from "node:fs";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { BROWSER_UA } from "./app";
import { ROOT } from "../setup/databases";

export const SCREENSHOTS = path.join(ROOT, "test-results", "screenshots");

export function chromiumPath(): string {
  for (const p of ["/usr/lib/chromium/chromium", "/usr/bin/chromium"]) if (existsSync(p)) return p;
  throw new Error("Chromium is not installed: run `bash .ci/ensure-chromium` (Debian's chromium package).");
}

export async function launchBrowser(): Promise<BrowserContext> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launchPersistentContext(mkdtempSync(path.join(os.tmpdir(), "loyalty-chromium-")), {
    executablePath: chromiumPath(),
    headless: true,
    userAgent: BROWSER_UA,
    viewport: { width: 1280, height: 900 },
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
  });
}
