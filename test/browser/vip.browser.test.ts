// GIVEN the demo shop (VIP tiers Silver and Gold by amount spent, seeded from real orders), the app's
//       production build and the emulator's admin host (stand-in App Bridge with toasts and save bars)
// WHEN a merchant opens VIP tiers in Chromium, adds Platinum (creating its entry reward in place)
//       with Gold's threshold, reads the inline error, fixes it and saves; the worker's task then re-checks the customers
// THEN the error sits under its field, a toast confirms, the page follows the re-evaluation to its
//      end without a reload, the home page and Ada's profile show the VIP figures, and axe finds no
//      serious violation.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { runEvaluationJobs } from "~/services/vip/admin.server";
import { expectAccessible, screenshot, useAdminDemoBrowser } from "../support/browser";
import { useShopifyEmulator } from "../support/shopify";
import { DEMO_SHOP } from "../../scripts/demo/seed";

const { emulator } = useShopifyEmulator();
// The first save is refused on purpose (400); any other console error is a defect.
const ui = useAdminDemoBrowser(emulator, { allowConsole: /status of 400/ });

describe("VIP tiers page", () => {
  it("adds a tier with an inline error first, then follows the background re-evaluation", async () => {
    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, "/app/vip"), { waitUntil: "networkidle" });
    await ui.page.getByRole("heading", { name: "VIP tiers", exact: true }).waitFor();
    await ui.page.getByRole("table").getByText("Silver", { exact: true }).waitFor();
    await ui.page.getByRole("table").getByText("Gold", { exact: true }).waitFor();

    await ui.page.getByRole("button", { name: "Add tier" }).click();
    await ui.page.getByRole("textbox", { name: "Name" }).fill("Platinum");
    await ui.page.getByRole("textbox", { name: "Threshold" }).fill("450");
    await ui.page.getByRole("textbox", { name: "Points multiplier" }).fill("2");
    // A new entry reward, created in place and picked for the tier.
    await ui.page.getByRole("button", { name: "Create an entry reward" }).click();
    await ui.page.getByRole("combobox", { name: "Reward", exact: true }).selectOption("FIXED_AMOUNT");
    await ui.page.getByRole("textbox", { name: "Amount off" }).fill("25");
    await ui.page.getByRole("button", { name: "Create reward" }).click();
    await ui.page.locator("[data-toast]").filter({ hasText: "VIP entry: 25.00 USD off" }).waitFor();
    await expect.poll(() => ui.page.getByRole("combobox", { name: "Entry reward" }).locator("option:checked").textContent()).toBe("VIP entry: 25.00 USD off");
    const saveBar = ui.page.locator("ui-save-bar#vip-tier-save-bar");
    await saveBar.waitFor({ state: "visible" });
    await saveBar.getByRole("button", { name: "Save" }).click();
    await ui.page.getByText("Another tier already has this threshold").first().waitFor();
    expect(await ui.page.getByRole("textbox", { name: "Threshold" }).getAttribute("aria-describedby")).toMatch(/Error/);
    expect(await db.vipTier.count({ where: { shop: DEMO_SHOP, name: "Platinum" } })).toBe(0);
    await screenshot(ui.page, "vip-tier-error");
    await expectAccessible(ui.page, "VIP tier error");

    await ui.page.getByRole("textbox", { name: "Threshold" }).fill("900");
    await ui.page.getByRole("button", { name: "Add tier", exact: true }).last().click();
    await ui.page.locator("[data-toast]").filter({ hasText: "Tier saved" }).waitFor();
    await ui.page.getByRole("table").getByText("Platinum", { exact: true }).waitFor();
    const platinum = await db.vipTier.findFirstOrThrow({ where: { shop: DEMO_SHOP, name: "Platinum" } });
    expect(platinum).toMatchObject({ threshold: "900", pointsMultiplier: "2" });
    expect((await db.rewardTemplate.findUniqueOrThrow({ where: { id: platinum.entryRewardTemplateId! } })).name).toBe("VIP entry: 25.00 USD off");
    await ui.page.getByText("Placing customers in their tiers…").waitFor();

    // The worker's periodic task runs the re-evaluation; the page revalidates on its own.
    await runEvaluationJobs({ db, logger, adminFor: () => Promise.reject(new Error("no Shopify call expected")), now: () => new Date() }, { batchSize: 1000 });
    await ui.page.getByText("Customers are in their tiers").waitFor({ timeout: 20_000 });
    await ui.page.getByText(/20 of 20 customers checked/).waitFor();
    await screenshot(ui.page, "vip-tiers-done");
    await expectAccessible(ui.page, "VIP tiers");

    // Home: members per tier, entry rewards by status.
    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, "/app"), { waitUntil: "networkidle" });
    await ui.page.getByRole("heading", { name: "VIP tiers" }).waitFor();
    const gold = await db.customer.count({ where: { shop: DEMO_SHOP, vipTier: "Gold" } });
    expect(await ui.page.getByTestId("vip-members-Gold").textContent()).toBe(String(gold));
    await expectAccessible(ui.page, "home with VIP");

    // Ada's profile: her tier and its changes with their reasons.
    const ada = await db.customer.findFirstOrThrow({ where: { shop: DEMO_SHOP, displayName: "Ada Lovelace" } });
    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, `/app/customers/${ada.id}`), { waitUntil: "networkidle" });
    await ui.page.getByRole("heading", { name: "VIP tier history" }).waitFor();
    await ui.page.getByRole("list", { name: "Tier changes" }).getByText("Reached Gold: amount spent in total met its threshold").waitFor();
    await screenshot(ui.page, "vip-customer");
    await expectAccessible(ui.page, "customer with VIP");
    expect(ui.problems).toEqual([]);
  });
});
