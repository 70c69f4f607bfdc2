// GIVEN the demo shop with its program turned off, the app's production build and the emulator's
//       admin host (stand-in App Bridge with toasts and <ui-save-bar>)
// WHEN a merchant turns the program on, renames the points and types an invalid earning rate in
//       Chromium, saves from the contextual save bar, fixes the rate and saves again, then reloads
// THEN the save bar shows only while there are unsaved changes, the error sits under the field with
//      everything typed kept and nothing stored, a toast confirms the save, and the values are there
//      after the reload.
// AND WHEN the merchant adjusts a customer's points on the profile without a reason, then with one
// THEN the reason is required (field error, nothing written), and the adjustment lands in the ledger
//      and in the Points history with its reason. axe finds no serious violation on either page.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { ADJUSTMENT_MESSAGES, PROGRAM_SAVED, programSettingsError } from "~/copy/admin";
import { ledgerTotals } from "~/services/points/ledger.server";
import { expectAccessible, screenshot, useAdminDemoBrowser } from "../support/browser";
import { useShopifyEmulator } from "../support/shopify";
import { DEMO_SHOP } from "../../scripts/demo/seed";

const { emulator } = useShopifyEmulator();
// Saves refused on purpose answer 400; any other console error is a defect.
const ui = useAdminDemoBrowser(emulator, {
  allowConsole: /status of 400/,
  afterStart: async () => {
    // The merchant starts from a program that is off.
    await db.programSettings.update({ where: { shop: DEMO_SHOP }, data: { enabled: false } });
  },
});

describe("Program settings (Chromium)", () => {
  it("turns the program on with a new points name; an invalid rate is explained under its field, typed values kept; the save is toasted and survives a reload", async () => {
    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, "/app/program"), { waitUntil: "networkidle" });
    await ui.page.getByRole("heading", { name: "Program", exact: true }).first().waitFor();
    const saveBar = ui.page.locator("ui-save-bar");
    expect(await saveBar.isVisible()).toBe(false);
    const enabled = ui.page.getByRole("checkbox", { name: "Customers earn points" });
    expect(await enabled.isChecked()).toBe(false);

    // WHEN the merchant turns it on, names the points "star"/"stars" and types a rate that is no number
    await enabled.check();
    await saveBar.waitFor({ state: "visible" });
    await ui.page.getByRole("textbox", { name: "Points name (one)" }).fill("star");
    await ui.page.getByRole("textbox", { name: "Points name (many)" }).fill("stars");
    const rate = ui.page.getByRole("textbox", { name: "stars per 1 USD spent" });
    await rate.fill("two");
    await screenshot(ui.page, "program-dirty");
    await saveBar.getByRole("button", { name: "Save" }).click();

    // THEN the error is under the rate field, what was typed stays, and nothing is stored
    const message = programSettingsError("pointsPerCurrencyUnit", "not_a_number");
    await ui.page.getByText(message).first().waitFor();
    expect(await rate.getAttribute("aria-describedby")).toMatch(/Error/);
    expect(await rate.getAttribute("aria-invalid")).toBe("true");
    expect(await rate.inputValue()).toBe("two");
    expect(await ui.page.getByRole("textbox", { name: "Points name (many)" }).inputValue()).toBe("stars");
    expect(await enabled.isChecked()).toBe(true);
    expect(await saveBar.isVisible()).toBe(true);
    expect(await db.programSettings.findUniqueOrThrow({ where: { shop: DEMO_SHOP } })).toMatchObject({ enabled: false, pointsNamePlural: "points" });
    await expectAccessible(ui.page, "Program settings with an error");
    await screenshot(ui.page, "program-error");

    // WHEN the rate is fixed and saved
    await rate.fill("2.5");
    await saveBar.getByRole("button", { name: "Save" }).click();

    // THEN a toast confirms, the save bar closes and the settings are stored
    await ui.page.locator("[data-toast]").filter({ hasText: PROGRAM_SAVED }).waitFor();
    await expect.poll(() => saveBar.isVisible()).toBe(false);
    expect(await ui.page.getByText(message).count()).toBe(0);
    expect(await db.programSettings.findUniqueOrThrow({ where: { shop: DEMO_SHOP } })).toMatchObject({
      enabled: true,
      pointsNameSingular: "star",
      pointsNamePlural: "stars",
      pointsPerCurrencyUnit: "2.5",
    });

    // AND after a reload the form shows what was saved
    await ui.page.reload({ waitUntil: "networkidle" });
    await ui.page.getByRole("checkbox", { name: "Customers earn points" }).waitFor();
    expect(await ui.page.getByRole("checkbox", { name: "Customers earn points" }).isChecked()).toBe(true);
    expect(await ui.page.getByRole("textbox", { name: "Points name (one)" }).inputValue()).toBe("star");
    expect(await ui.page.getByRole("textbox", { name: "stars per 1 USD spent" }).inputValue()).toBe("2.5");
    expect(await saveBar.isVisible()).toBe(false);
    await screenshot(ui.page, "program-saved");
  });
});

describe("Manual points adjustment on the customer profile (Chromium)", () => {
  it("requires a reason, then adds the points with it to the ledger and the Points history", async () => {
    const ada = await db.customer.findFirstOrThrow({ where: { shop: DEMO_SHOP, displayName: "Ada Lovelace" } });
    const before = ada.pointsBalance;
    const rowsBefore = await db.pointsTransaction.count({ where: { customerId: ada.id } });
    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, `/app/customers/${ada.id}?tab=points`), { waitUntil: "networkidle" });
    await ui.page.getByRole("button", { name: "Adjust points" }).click();
    const dialog = ui.page.getByRole("dialog");
    await dialog.waitFor();

    // WHEN the merchant adds 50 points without a reason
    await dialog.getByRole("spinbutton", { name: "Points" }).fill("50");
    await dialog.getByRole("button", { name: "Add points" }).click();

    // THEN the reason field says it is required and nothing is written
    await dialog.getByText(ADJUSTMENT_MESSAGES.fields.reason).waitFor();
    expect(await dialog.getByRole("textbox", { name: "Reason" }).getAttribute("aria-invalid")).toBe("true");
    expect(await dialog.getByRole("spinbutton", { name: "Points" }).inputValue()).toBe("50");
    expect(await db.pointsTransaction.count({ where: { customerId: ada.id } })).toBe(rowsBefore);
    await expectAccessible(ui.page, "Adjust points with an error");
    await screenshot(ui.page, "adjust-points-error");

    // WHEN a reason is given
    await dialog.getByRole("textbox", { name: "Reason" }).fill("Goodwill for a late parcel");
    await dialog.getByRole("button", { name: "Add points" }).click();

    // THEN a toast confirms, the dialog closes, and the ledger and the Points history have the row
    await ui.page.locator("[data-toast]").filter({ hasText: ADJUSTMENT_MESSAGES.added(50) }).waitFor();
    await expect.poll(() => ui.page.getByRole("dialog").count()).toBe(0);
    const after = await db.customer.findUniqueOrThrow({ where: { id: ada.id } });
    expect(after.pointsBalance).toBe(before + 50);
    expect((await ledgerTotals(db, ada.id)).available).toBe(after.pointsBalance);
    const row = await db.pointsTransaction.findFirstOrThrow({ where: { customerId: ada.id, reason: "ADJUSTMENT" } });
    expect(row).toMatchObject({ delta: 50, actor: "MERCHANT", note: "Goodwill for a late parcel" });
    await ui.page.getByRole("cell", { name: "Goodwill for a late parcel" }).waitFor();
    await screenshot(ui.page, "adjust-points-saved");
  });

  it("raised no unexpected console errors", () => {
    expect(ui.problems).toEqual([]);
  });
});
