// A code discount entitled to products/variants (a free-product reward): the ids must name products
// and variants that exist in the shop; otherwise Shopify refuses the discount with a userError.
import { describe, expect, it } from "vitest";
import { createBasic, setup, SHOP } from "./helpers";

const freeItems = (products: Record<string, string[]>) => ({ customerGets: { value: { percentage: 1.0 }, items: { products } } });

describe("discountCodeBasicCreate entitled to products", () => {
  it("creates the discount for an existing product or variant", async () => {
    const { handler, store } = setup();
    const mug = store.addProduct(SHOP, { title: "Mug", variants: [{ title: "Blue" }, { title: "Red" }] });

    const byProduct = await createBasic(handler, { code: "FREE-MUG", ...freeItems({ productsToAdd: [mug.id] }) });
    const byVariant = await createBasic(handler, { code: "FREE-RED-MUG", ...freeItems({ productVariantsToAdd: [mug.variants[1].id] }) });

    expect(byProduct.userErrors).toEqual([]);
    expect(byVariant.userErrors).toEqual([]);
    expect(store.findDiscountByCode(SHOP, "FREE-MUG")!.discount.customerGets).toMatchObject({ value: { kind: "percentage", percentage: 1 }, items: { kind: "products", productIds: [mug.id], variantIds: [] } });
    expect(store.findDiscountByCode(SHOP, "FREE-RED-MUG")!.discount.customerGets!.items).toEqual({ kind: "products", productIds: [], variantIds: [mug.variants[1].id] });
  });

  it.each([
    [{ productsToAdd: ["gid://shopify/Product/424242"] }, "productsToAdd"],
    [{ productVariantsToAdd: ["gid://shopify/ProductVariant/424242"] }, "productVariantsToAdd"],
  ])("refuses unknown ids %j and creates nothing", async (products, field) => {
    const { handler, store } = setup();
    const r = await createBasic(handler, { code: "FREE-GHOST", ...freeItems(products) });
    expect(r.codeDiscountNode).toBeNull();
    expect(r.userErrors).toMatchObject([{ field: ["basicCodeDiscount", "customerGets", "items", "products", field], code: "INVALID" }]);
    expect(store.findDiscountByCode(SHOP, "FREE-GHOST")).toBeUndefined();
  });
});
