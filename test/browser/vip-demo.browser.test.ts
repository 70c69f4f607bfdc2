// GIVEN the demo shop (Silver from $300 spent, Grace at $177.14 with no tier), the app's production
//       build and the emulator's admin host with its "Shopify admin" actions
// WHEN the merchant creates a paid $130 order for Grace in the Shopify admin (Shopify sends
//      orders/create), the worker applies it and later generates her entry reward
// THEN Grace's profile shows the move to Silver with its reason, and Activity → Rewards shows the
//      Silver entry reward Pending, then Issued without a reload; axe finds no serious violation.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { runWorkerOnce, workerConfig } from "~/jobs/worker.server";
import { expectAccessible, screenshot, useAdminDemoBrowser } from "../support/browser";
import { useShopifyEmulator } from "../support/shopify";
import { applyWebhooks } from "../support/webhooks";
import { DEMO_SHOP } from "../../scripts/demo/seed";

const { emulator, adminGraphql } = useShopifyEmulator();
const ui = useAdminDemoBrowser(emulator, {});

describe("an order pushes a customer into a VIP tier", () => {
  it("Shopify admin order → Silver, entry reward Pending then Issued on Grace's profile", async () => {
    const grace = await db.customer.findFirstOrThrow({ where: { shop: DEMO_SHOP, displayName: "Grace Hopper" } });
    expect(grace.vipTier).toBeNull();

    await ui.page.goto(`${ui.demo.emulatorServer.url}/admin-host/store/${DEMO_SHOP}/admin`, { waitUntil: "networkidle" });
    await ui.page.getByLabel("Customer", { exact: true }).first().waitFor();
    await ui.page.locator("#order-customer").selectOption({ label: "Grace Hopper" });
    await ui.page.getByLabel("Amount").fill("130.00");
    await ui.page.getByRole("button", { name: "Create paid order" }).click();
    await ui.page.waitForLoadState("networkidle");
    await expect(ui.page.getByRole("status").textContent()).resolves.toMatch(/^Order #\d+ created; orders\/create sent, the app answered 200$/);
    await expectAccessible(ui.page, "Shopify admin with the order form");
    await applyWebhooks(); // the worker's inbox round

    expect(await db.customer.findUniqueOrThrow({ where: { id: grace.id } })).toMatchObject({ vipTier: "Silver" });
    const entry = await db.reward.findFirstOrThrow({ where: { customerId: grace.id, source: "VIP_TIER_ENTRY" } });
    expect(entry.status).toBe("PENDING");

    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, `/app/customers/${grace.id}`), { waitUntil: "networkidle" });
    await ui.page.getByText("Silver").first().waitFor();
    const row = ui.page.locator(`[data-reward-status]`).first();
    await expect.poll(() => row.getAttribute("data-reward-status")).toBe("PENDING");
    await screenshot(ui.page, "vip-entry-pending");
    await expectAccessible(ui.page, "profile with a Pending VIP entry reward");

    // The worker generates it in Shopify; the page, revalidating while a reward is Pending, shows Issued.
    const deps = { db, logger, adminFor: (s: string) => adminGraphql(s), now: () => new Date() };
    await runWorkerOnce(deps, workerConfig({ workerId: "vip-demo", leaseMs: 60_000, jitterRandom: () => 0, perShopConcurrency: 1, shopifyTimeoutMs: 5_000 }));
    expect((await db.reward.findUniqueOrThrow({ where: { id: entry.id } })).status).toBe("ISSUED");
    await expect.poll(() => row.getAttribute("data-reward-status"), { timeout: 45_000 }).toBe("ISSUED");
    await screenshot(ui.page, "vip-entry-issued");
    expect(ui.problems).toEqual([]);
  }, 120_000);
});
