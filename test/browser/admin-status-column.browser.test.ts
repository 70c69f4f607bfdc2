// GIVEN a customer with a Failed reward for every failure reason of app/domain/rewards/failures.ts,
//       a Pending one being retried, a Pending one held until the merchant confirms amounts saved in
//       another currency, one canceled in Shopify's admin, one canceled in the app, two canceled whose
//       code is still being removed in Shopify and a Used one,
//       the app's production build and the emulator's admin host
// WHEN the merchant reads Customer → Activity → Rewards, paging with the arrow buttons
// THEN every row's Status column says at a glance why the customer has no reward: each failure
//      reason in its own words, "Retrying: …", "Waiting for you to confirm amounts", "Changed in
//      Shopify", "Removing the code in Shopify (retrying…)" for a canceled one whose code may still
//      work; an Issued, Used or app-canceled reward (its code removed) has the badge alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { Customer, Reward } from "@prisma/client";
import db from "~/db.server";
import { FAILURE_REASONS } from "~/domain/rewards";
import { launchChromium, screenshot, type Browser } from "../support/browser";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { serveEmulator } from "@loyalty/shopify-emulator/server";
import type { RunningServer } from "@loyalty/shopify-emulator/node-http";
import { startApp } from "../support/app";
import { TEST_APP } from "../support/constants";
import { createCustomer, createReward } from "../support/factories";

const { emulator } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
let app: RunningServer;
let emulatorServer: RunningServer;
let browser: Browser;
let page: Page;
let customer: Customer;
const failedByReason = new Map<string, Reward>();
const others: Record<string, Reward> = {};

beforeAll(async () => {
  emulatorServer = await serveEmulator(emulator, { host: "127.0.0.1" });
  process.env.APP_BRIDGE_URL = `${emulatorServer.url}/admin-host/app-bridge.js`;
  app = await startApp();
  emulator.appUrl = app.url;
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
  customer = await createCustomer(db, SHOP, { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" }, emulator);
  let minute = 0;
  const at = () => new Date(Date.now() - 86_400_000 + ++minute * 60_000);
  for (const reason of FAILURE_REASONS) {
    const reward = await createReward(db, customer, { status: "FAILED", title: `Failed ${reason}`, createdAt: at() });
    failedByReason.set(reason, await db.reward.update({ where: { id: reward.id }, data: { failureCode: reason } }));
  }
  const make = async (name: string, status: Reward["status"], data: Partial<Reward> = {}) => {
    const reward = await createReward(db, customer, { status: status as never, title: name, createdAt: at() });
    others[name] = await db.reward.update({ where: { id: reward.id }, data });
  };
  await make("Retrying", "PENDING", { failureCode: "throttled" });
  // As the worker leaves a reward it holds for the merchant's confirm (generate-pending holdForAmountReview).
  await make("Held", "PENDING", { failureCode: "amount_in_other_currency" });
  await make("Canceled in Shopify", "CANCELED", { canceledAt: new Date(), failureCode: "changed_in_shopify" });
  await make("Canceled in the app", "CANCELED", { canceledAt: new Date() });
  // As cancel.server.ts cleanupRewardCode leaves one whose code Shopify could not deactivate yet (the
  // marker a day ahead: the app's worker leaves it alone during the test), and one whose removal
  // waits without a failure (a worker still creating its code).
  const tomorrow = new Date(Date.now() + 86_400_000);
  await make("Canceled, removal failing", "CANCELED", { canceledAt: new Date(), nextAttemptAt: tomorrow, failureCode: "shopify_unavailable" });
  await make("Canceled, removal waiting", "CANCELED", { canceledAt: new Date(), nextAttemptAt: tomorrow });
  // As cleanupRewardCode leaves one whose removal kept failing for CODE_REMOVAL_RETRY_DAYS: no marker.
  await make("Canceled, removal stopped", "CANCELED", { canceledAt: new Date(), attempts: 1, failureCode: "missing_access", codeRemovalGaveUpAt: new Date() });
  await make("Used", "USED", { usedAt: new Date(), usedOrderName: "#1001" });
  await make("Issued", "ISSUED");
  browser = await launchChromium();
  page = browser.page;
  page.setDefaultTimeout(20_000);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await emulatorServer?.close();
});

/** Each row of the table on this page: its code and what its Status cell reads (the badge says "Status: …" to a screen reader too). */
async function statusCells(): Promise<Map<string, string>> {
  await page.locator("tbody tr [data-reward-status]").first().waitFor();
  const rows = await page.locator("tbody tr").evaluateAll((trs) =>
    trs.map((tr) => {
      const cells = tr.querySelectorAll("td");
      return [cells[1]?.textContent?.trim() ?? "", (cells[3] as HTMLElement | undefined)?.innerText.replace(/\s+/g, " ").trim() ?? ""] as const;
    }),
  );
  return new Map(rows);
}

describe("Activity → Rewards: the Status column", () => {
  it("says why for every reward the customer does not have, across the pages the arrow buttons lead to", async () => {
    await page.goto(emulator.embeddedAppUrl(SHOP, `/app/customers/${customer.id}`), { waitUntil: "load", timeout: 60_000 });
    await page.getByRole("heading", { name: "Ada Lovelace" }).waitFor();
    const seen = new Map<string, string>();
    for (let pageNumber = 1; ; pageNumber++) {
      for (const [code, status] of await statusCells()) seen.set(code, status);
      await screenshot(page, `admin-status-column-page-${pageNumber}`);
      const older = page.getByRole("link", { name: "Older rewards" });
      if ((await older.count()) === 0) break;
      const first = await page.locator("tbody tr").first().textContent();
      await older.click();
      await page.waitForFunction((before) => document.querySelector("tbody tr")?.textContent !== before, first);
    }
    expect(seen.size).toBe(FAILURE_REASONS.length + Object.keys(others).length);

    const failedNotes = [...failedByReason].map(([reason, reward]) => {
      const cell = seen.get(reward.code)!;
      expect(cell, reason).toMatch(/^Status: Failed \S/);
      return cell;
    });
    // Each reason in its own words: a merchant tells them apart at a glance.
    expect(new Set(failedNotes).size).toBe(FAILURE_REASONS.length);
    expect(seen.get(others.Retrying!.code)).toBe("Status: Pending Retrying: Rate limited by Shopify");
    expect(seen.get(others.Held!.code)).toBe("Status: Pending Waiting for you to confirm amounts");
    expect(seen.get(others["Canceled in Shopify"]!.code)).toBe("Status: Canceled Changed in Shopify");
    expect(seen.get(others["Canceled in the app"]!.code)).toBe("Status: Canceled");
    expect(seen.get(others["Canceled, removal failing"]!.code)).toBe("Status: Canceled Removing the code in Shopify (retrying: Shopify unavailable)");
    expect(seen.get(others["Canceled, removal waiting"]!.code)).toBe("Status: Canceled Removing the code in Shopify (retrying)");
    expect(seen.get(others["Canceled, removal stopped"]!.code)).toBe(
      "Status: Canceled Couldn't remove the code in Shopify (last reason: Missing permission); the app stopped trying. It may still work at checkout: deactivate it in Shopify admin → Discounts."
    );
    expect(seen.get(others.Used!.code)).toBe("Status: Used");
    expect(seen.get(others.Issued!.code)).toBe("Status: Issued");
  }, 180_000);

  it("GIVEN a Canceled reward whose code's removal the app stopped WHEN the merchant opens it THEN a banner says the code may still work and what to do; 'Try removing it again' retries the removal and, once Shopify confirms, the banner goes (there was no way to retry)", async () => {
    const reward = others["Canceled, removal stopped"]!;
    await page.goto(emulator.embeddedAppUrl(SHOP, `/app/customers/${customer.id}/rewards/${reward.id}`), { waitUntil: "load", timeout: 60_000 });
    const banner = page.getByText("Its code may still work in Shopify");
    await banner.waitFor();
    await page.getByText("deactivate it in Shopify admin → Discounts").first().waitFor();
    await screenshot(page, "admin-status-column-removal-stopped");
    await page.getByRole("button", { name: "Try removing it again" }).click();
    // The code was never made in Shopify (the lookup finds nothing of ours): the removal is confirmed.
    await banner.waitFor({ state: "detached", timeout: 30_000 });
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "CANCELED", codeRemovalGaveUpAt: null, nextAttemptAt: null });
  }, 120_000);
});
