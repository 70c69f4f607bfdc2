// The "Ways to redeem" use-cases against the real database and the emulated shop through the real
// library: create/update with the shop's checks, Shopify unreachable, enable/disable, tenant scope.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { OPTION_MESSAGES } from "~/copy/admin";
import { installEmulatedShop, useShopifyEmulator } from "../../../test/support/shopify";
import { TEST_APP } from "../../../test/support/constants";
import { listRedemptionOptions, saveRedemptionOption, setRedemptionOptionEnabled } from "./ways-to-redeem.server";

const { emulator, adminGraphql } = useShopifyEmulator();
const SHOP = TEST_APP.shop;
const OTHER = "other-ways.myshopify.com";

const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries({ variable: "false", appliesTo: "ALL", active: "true", amountCurrency: "USD", ...fields })) f.set(k, v);
  return f;
};

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD", giftCards: true });
  await installEmulatedShop(emulator, OTHER, { currencyCode: "USD" });
});

describe("saveRedemptionOption", () => {
  it("GIVEN a free product with a variant of it WHEN saved THEN stored with the product and the titles Shopify has for them", async () => {
    const lamp = emulator.addProduct(SHOP, { title: "Lamp", variants: [{ title: "Small" }, { title: "Large" }] });
    const r = await saveRedemptionOption(
      { db, graphql: await adminGraphql(SHOP) },
      { shop: SHOP, id: null },
      form({ name: "Free lamp", kind: "FREE_PRODUCT", pointsCost: "900", productId: lamp.id, variantId: lamp.variants[1]!.id }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const row = await db.rewardTemplate.findUniqueOrThrow({ where: { id: r.option.id } });
    expect(row).toMatchObject({ purpose: "POINTS_REDEMPTION", kind: "FREE_PRODUCT", value: "0", pointsCost: 900, productId: lamp.id, variantId: lamp.variants[1]!.id });
    expect(JSON.parse(row.catalogTitles)).toEqual({ [lamp.id]: "Lamp", [lamp.variants[1]!.id]: "Large" });
  });

  it("GIVEN Shopify answers 503 WHEN a restricted option is saved THEN shopify_unavailable (503) and nothing is written", async () => {
    const product = emulator.addProduct(SHOP, { title: "Cap" });
    const before = await db.rewardTemplate.count();
    const fault = emulator.faults.httpError("nodes", 503, { times: "forever" });
    try {
      const r = await saveRedemptionOption(
        { db, graphql: await adminGraphql(SHOP) },
        { shop: SHOP, id: null },
        form({ name: "$2 off caps", kind: "FIXED_AMOUNT", pointsCost: "200", value: "2", appliesTo: "PRODUCTS", appliesToIds: product.id }),
      );
      expect(r).toMatchObject({ ok: false, error: { code: "shopify_unavailable", httpStatus: 503, message: OPTION_MESSAGES.shopifyUnavailable } });
    } finally {
      fault.cancel();
    }
    expect(await db.rewardTemplate.count()).toBe(before);
  });

  it("GIVEN a points cost of 900, spaces past 4,000 characters and a 5 WHEN saved THEN the field's error and nothing written (it was cut at 4,000 characters and saved as 900)", async () => {
    const before = await db.rewardTemplate.count();
    const r = await saveRedemptionOption({ db, graphql: await adminGraphql(SHOP) }, { shop: SHOP, id: null }, form({ name: "Free shipping", kind: "FREE_SHIPPING", pointsCost: `900${" ".repeat(3_997)}5` }));
    expect(r).toMatchObject({ ok: false, error: { code: "invalid", httpStatus: 400, fieldErrors: { pointsCost: expect.anything() } } });
    expect(await db.rewardTemplate.count()).toBe(before);
  });

  it("GIVEN another shop's option id WHEN saved or toggled THEN not found, and the option is unchanged", async () => {
    const mine = await saveRedemptionOption({ db, graphql: await adminGraphql(SHOP) }, { shop: SHOP, id: null }, form({ name: "Mine", kind: "FREE_SHIPPING", pointsCost: "100" }));
    if (!mine.ok) throw new Error("setup");
    const stolen = await saveRedemptionOption({ db, graphql: await adminGraphql(OTHER) }, { shop: OTHER, id: mine.option.id }, form({ name: "Stolen", kind: "FREE_SHIPPING", pointsCost: "1" }));
    expect(stolen).toMatchObject({ ok: false, error: { code: "not_found", httpStatus: 404 } });
    expect(await setRedemptionOptionEnabled(db, { shop: OTHER, id: mine.option.id }, false)).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await db.rewardTemplate.findUniqueOrThrow({ where: { id: mine.option.id } })).toMatchObject({ name: "Mine", pointsCost: 100, active: true });
    expect((await listRedemptionOptions(db, OTHER)).map((o) => o.id)).not.toContain(mine.option.id);
  });
});
