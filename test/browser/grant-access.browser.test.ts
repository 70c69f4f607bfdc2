// GIVEN the demo shop installed with only the required scopes (gift card access is an optional scope
//       in shopify.app.toml, not granted yet), the app's production build and the emulator's admin
//       host (stand-in App Bridge with the scopes API)
// WHEN a merchant opens a customer, chooses Issue reward and the $10 gift card, reads why it needs
//       access, presses "Grant access" (App Bridge shopify.scopes.request; the local admin approves as
//       the merchant would) and issues the reward
// THEN the banner and the disabled Issue button go away as soon as access is granted — without
//      waiting for the worker to apply app/scopes_update — the reward is queued Pending, and the
//      stored scopes include write_gift_cards; axe finds no serious violation in the modal.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { OPTIONAL_ACCESS_EXPLANATION } from "~/copy/admin";
import { expectAccessible, screenshot, useAdminDemoBrowser } from "../support/browser";
import { useShopifyEmulator } from "../support/shopify";
import { DEMO_SHOP } from "../../scripts/demo/seed";

const REQUIRED = ["read_customers", "read_discounts", "write_discounts", "read_orders", "write_app_proxy", "read_products"];
const { emulator } = useShopifyEmulator();
const ui = useAdminDemoBrowser(emulator, {
  afterStart: async () => {
    // An install that granted only the required scopes (what Shopify grants at install).
    emulator.store.updateShop(DEMO_SHOP, { scopes: REQUIRED });
    await db.session.update({ where: { id: `offline_${DEMO_SHOP}` }, data: { scope: REQUIRED.join(",") } });
  },
});

describe("Grant access to gift cards from the Issue reward modal", () => {
  it("asks for the optional scope, gets it, and issues the gift card", async () => {
    const customer = await db.customer.findFirstOrThrow({ where: { shop: DEMO_SHOP }, orderBy: { createdAt: "asc" } });
    const before = await db.reward.count({ where: { customerId: customer.id } });
    await ui.page.goto(emulator.embeddedAppUrl(DEMO_SHOP, `/app/customers/${customer.id}`), { waitUntil: "networkidle" });
    await ui.page.getByRole("button", { name: "Issue reward" }).first().click();
    const dialog = ui.page.getByRole("dialog");
    await dialog.waitFor();
    const giftCard = await dialog.getByRole("combobox", { name: "Reward" }).locator("option", { hasText: "$10 gift card" }).first().getAttribute("value");
    expect(giftCard).toBeTruthy();
    await dialog.getByRole("combobox", { name: "Reward" }).selectOption(giftCard!);

    const grant = dialog.getByRole("button", { name: OPTIONAL_ACCESS_EXPLANATION.action });
    await grant.waitFor();
    await dialog.getByText(OPTIONAL_ACCESS_EXPLANATION.title).waitFor();
    const issue = dialog.getByRole("button", { name: "Issue reward" });
    expect(await issue.isDisabled()).toBe(true);
    await screenshot(ui.page, "grant-access-needed");
    await expectAccessible(ui.page, "issue reward modal asking for access");

    await grant.click();
    // Gone as soon as Shopify reports the scope granted (POST /app/scopes, then the loaders revalidate).
    await grant.waitFor({ state: "detached" });
    expect(await issue.isDisabled()).toBe(false);
    expect((await db.session.findUniqueOrThrow({ where: { id: `offline_${DEMO_SHOP}` } })).scope?.split(",")).toContain("write_gift_cards");
    expect(emulator.store.getShop(DEMO_SHOP)?.scopes).toContain("write_gift_cards");

    await issue.click();
    await dialog.waitFor({ state: "detached" });
    const rewards = await db.reward.findMany({ where: { customerId: customer.id }, orderBy: { createdAt: "desc" } });
    expect(rewards).toHaveLength(before + 1);
    expect(rewards[0]).toMatchObject({ kind: "GIFT_CARD", status: "PENDING", source: "MANUAL" });
    await screenshot(ui.page, "grant-access-issued");
    expect(ui.problems).toEqual([]);
  });
});
