// GIVEN the demo shop (a referral program; Ada referred friends: rewarded ones, one waiting, one
//       self-referral rejected), the app's production build and the emulator's admin host
// WHEN a merchant opens Referrals, saves a waiting period of 400 days, reads the inline error, fixes
//       it and saves; then opens Ada's profile → Referrals and the home page
// THEN the field error sits under its field and nothing is saved, a toast confirms the fix; the
//      profile lists who Ada referred with state, reason and reward links; the home page shows the
//      referral figures; axe finds no serious violation.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { expectAccessible, screenshot, useAdminDemoBrowser } from "../support/browser";
import { useShopifyEmulator } from "../support/shopify";
import { DEMO_SHOP } from "../../scripts/demo/seed";

const { emulator } = useShopifyEmulator();
// The first save is refused on purpose (400); any other console error is a defect.
const ui = useAdminDemoBrowser(emulator, { allowConsole: /status of 400/ });

describe("Referrals in the admin (Chromium)", () => {
  it("settings: the inline error on a bad field, nothing saved; fixed, a toast and the value stored", async () => {
    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, "/app/referrals"), { waitUntil: "networkidle" });
    await ui.page.getByRole("heading", { name: "Referrals" }).first().waitFor();
    expect(await ui.page.getByRole("combobox", { name: "Friend's welcome reward" }).inputValue()).toBe("PERCENTAGE");
    expect(await ui.page.getByRole("combobox", { name: "Referrer's reward" }).inputValue()).toBe("FIXED_AMOUNT");
    const days = ui.page.getByRole("spinbutton", { name: "Waiting period (days)" });
    await days.fill("400");
    const saveBar = ui.page.locator("ui-save-bar");
    await saveBar.waitFor({ state: "visible" });
    await saveBar.getByRole("button", { name: "Save" }).click();
    await ui.page.getByText("Enter a number of days from 0 to 365.").waitFor();
    expect(await days.getAttribute("aria-describedby")).toMatch(/Error/);
    expect((await db.referralSettings.findUniqueOrThrow({ where: { shop: DEMO_SHOP } })).pendingDays).toBe(14);
    await screenshot(ui.page, "admin-referrals-error");
    await expectAccessible(ui.page, "Referrals settings with an error");

    await days.fill("7");
    await saveBar.getByRole("button", { name: "Save" }).click();
    await ui.page.locator("[data-toast]").filter({ hasText: "Referral settings saved" }).waitFor();
    expect((await db.referralSettings.findUniqueOrThrow({ where: { shop: DEMO_SHOP } })).pendingDays).toBe(7);
  });

  it("Ada's profile → Referrals lists whom she referred, with states, the self-referral's reason and reward links", async () => {
    const ada = await db.customer.findFirstOrThrow({ where: { shop: DEMO_SHOP, displayName: "Ada Lovelace" } });
    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, `/app/customers/${ada.id}?tab=referrals`), { waitUntil: "networkidle" });
    const table = ui.page.locator("table").filter({ hasText: "This customer's reward" });
    await table.waitFor();
    const text = (await table.textContent())!;
    expect(text).toContain("Rewarded");
    expect(text).toContain("Qualified");
    expect(text).toContain("Self-referral: the friend is the referrer's own account");
    const rewarded = await db.referral.findFirstOrThrow({ where: { shop: DEMO_SHOP, state: "REWARDED" } });
    expect(await table.locator(`a[href*="/app/customers/${ada.id}/rewards/${rewarded.referrerRewardId}"]`).count()).toBe(1);
    await screenshot(ui.page, "admin-referrals-profile");
    await expectAccessible(ui.page, "Profile → Referrals");
  });

  it("the home page shows the referral figures", async () => {
    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, "/app"), { waitUntil: "networkidle" });
    const rewarded = ui.page.getByTestId("referrals-rewarded");
    await rewarded.waitFor();
    const expected = await db.referral.count({ where: { shop: DEMO_SHOP, state: "REWARDED" } });
    expect(await rewarded.textContent()).toBe(String(expected));
    await screenshot(ui.page, "admin-referrals-home");
    expect(ui.problems).toEqual([]);
  });
});
