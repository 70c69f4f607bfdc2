// The shop's currency when the app has no Shop row for it: one value, the one a new row gets.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { currencyOfShopRow, shopCurrencyOf } from "./amount-currency.server";

describe("the currency of a shop without a Shop row", () => {
  it("is the currency a new Shop row gets (Shop.currency's default in prisma/schema.prisma)", async () => {
    // GIVEN a shop the app has no row for
    const shop = "currency-without-row.myshopify.com";
    await db.shop.deleteMany({ where: { domain: shop } });
    // WHEN its currency is asked before and after a row is created without one (resumeShop's upsert)
    const before = await shopCurrencyOf(db, shop);
    const created = await db.shop.create({ data: { domain: shop } });
    // THEN both say the same: no page or job shows another currency than the row will hold
    expect(before).toBe(created.currency);
    expect(currencyOfShopRow(null)).toBe(created.currency);
    expect(await shopCurrencyOf(db, shop)).toBe(created.currency);
  });

  it("is the row's currency when there is a row", async () => {
    const shop = "currency-with-row.myshopify.com";
    await db.shop.upsert({ where: { domain: shop }, create: { domain: shop, currency: "JPY" }, update: { currency: "JPY" } });
    expect(await shopCurrencyOf(db, shop)).toBe("JPY");
    expect(currencyOfShopRow({ currency: "JPY" })).toBe("JPY");
  });
});
