// The storefront's program read model: what a visitor may see of the program — nothing hidden.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { loadPointsInfo, loadProgramInfo } from "./program.server";

const SHOP = "read-models.myshopify.com";

describe("loadProgramInfo", () => {
  it("lists the shop's active points redemptions with a cost, cheapest first, in the shop currency", async () => {
    await db.shop.create({ data: { domain: SHOP, currency: "CAD" } });
    const make = (data: Record<string, unknown>) =>
      db.rewardTemplate.create({ data: { shop: SHOP, purpose: "POINTS_REDEMPTION", kind: "FIXED_AMOUNT", value: "5", name: "x", ...data } as never });
    await make({ name: "B", pointsCost: 800 });
    await make({ name: "A", pointsCost: 200, kind: "PERCENTAGE", value: "10", minimumSubtotal: "50" });
    await make({ name: "inactive", pointsCost: 100, active: false });
    await make({ name: "no cost", pointsCost: null });
    await make({ name: "zero cost", pointsCost: 0 });
    await make({ name: "referral", pointsCost: 100, purpose: "REFERRAL" });
    await make({ name: "unknown kind", pointsCost: 100, kind: "MYSTERY" });
    await make({ name: "other shop", pointsCost: 100, shop: "elsewhere.myshopify.com" });

    const info = await loadProgramInfo(db, SHOP);

    expect(info.currency).toBe("CAD");
    expect(info.redemptionOptions.map((o) => o.name)).toEqual(["A", "B"]);
    expect(info.redemptionOptions[0]).toEqual({
      id: expect.any(String), name: "A", kind: "PERCENTAGE", value: "10", pointsCost: 200, minimumSubtotal: "50", expiryDays: null,
      variable: null, appliesTo: { kind: "ALL", titles: [] }, productTitle: null,
    });
  });

  it("GIVEN options whose saved settings can't be redeemed (150 % off, a negative amount, a free product without a product) THEN they are not offered: redeeming them is always refused (were listed)", async () => {
    const shop = "unredeemable.myshopify.com";
    const make = (data: Record<string, unknown>) =>
      db.rewardTemplate.create({ data: { shop, purpose: "POINTS_REDEMPTION", kind: "FIXED_AMOUNT", value: "5", name: "x", pointsCost: 100, ...data } as never });
    await make({ name: "ok" });
    await make({ name: "150 %", kind: "PERCENTAGE", value: "150" });
    await make({ name: "negative", value: "-5" });
    await make({ name: "no product", kind: "FREE_PRODUCT", value: "0" });
    await make({ name: "bad minimum", minimumSubtotal: "fifty" });
    await make({ name: "over the amount limit", value: "2000000" });

    const info = await loadProgramInfo(db, shop);

    expect(info.redemptionOptions.map((o) => o.name)).toEqual(["ok"]);
  });

  it("words the program with the merchant's points name and promises earning only while it is on", async () => {
    // GIVEN a shop that never saved its settings: the program is off, default names, nothing promised
    expect(await loadPointsInfo(db, SHOP)).toEqual({ enabled: false, name: { one: "point", other: "points" }, pointsPerCurrencyUnit: null, signupBonus: 0, birthdayBonus: 0 });
    // WHEN the merchant names the points and sets bonuses but leaves the program off, THEN still nothing is promised
    const settings = { shop: SHOP, enabled: false, pointsNameSingular: "star", pointsNamePlural: "stars", pointsPerCurrencyUnit: "2", signupBonus: 50, birthdayBonus: 100 };
    await db.programSettings.create({ data: settings });
    expect(await loadPointsInfo(db, SHOP)).toEqual({ enabled: false, name: { one: "star", other: "stars" }, pointsPerCurrencyUnit: null, signupBonus: 0, birthdayBonus: 0 });
    // WHEN the program is turned on, THEN the real earning rule and bonuses are shown
    await db.programSettings.update({ where: { shop: SHOP }, data: { enabled: true } });
    expect((await loadProgramInfo(db, SHOP)).points).toEqual({ enabled: true, name: { one: "star", other: "stars" }, pointsPerCurrencyUnit: "2", signupBonus: 50, birthdayBonus: 100 });
  });

  it("offers a gift card or store credit option only once the shop has granted its optional scope", async () => {
    const shop = "scopes-storefront.myshopify.com";
    await db.shop.create({ data: { domain: shop, currency: "USD" } });
    const make = (name: string, kind: string, pointsCost: number) =>
      db.rewardTemplate.create({ data: { shop, purpose: "POINTS_REDEMPTION", kind, value: kind === "PERCENTAGE" ? "10" : "5.00", name, pointsCost } });
    await make("Ten percent", "PERCENTAGE", 100);
    await make("Gift card", "GIFT_CARD", 200);
    await make("Store credit", "STORE_CREDIT", 300);
    const names = async () => (await loadProgramInfo(db, shop)).redemptionOptions.map((o) => o.name);
    // No session yet (nothing known of the grant): every option is shown; the redemption itself says no if it must.
    expect(await names()).toEqual(["Ten percent", "Gift card", "Store credit"]);
    // Installed with the required scopes only: gift cards and store credit are not offered.
    await db.session.create({ data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: "t", scope: "read_customers,write_discounts,read_orders" } });
    expect(await names()).toEqual(["Ten percent"]);
    // The merchant grants gift card access (write implies read): the gift card option appears.
    await db.session.update({ where: { id: `offline_${shop}` }, data: { scope: "read_customers,write_discounts,read_orders,write_gift_cards" } });
    expect(await names()).toEqual(["Ten percent", "Gift card"]);
  });
});
