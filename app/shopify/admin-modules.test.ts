// The Admin API modules against the emulator, through the real library client
// (unauthenticated.admin → @shopify/shopify-api → fetch → MSW → emulator): typed results for
// success, userErrors, throttling, HTTP errors, lost responses and timeouts.
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulatedShop, useShopifyEmulator } from "../../test/support/shopify";
import { TEST_APP } from "../../test/support/constants";
import { createRewardDiscount, deactivateCodeDiscount, findCodeDiscountByCode, deleteCodeDiscount, type RewardDiscountInput } from "./discounts.server";
import { createRewardGiftCard, findGiftCardsByCode, deactivateGiftCard } from "./gift-cards.server";
import { getShopInfo } from "./shop.server";
import { getCustomer } from "./customers.server";
import type { AdminGraphql } from "./graphql.server";

const { emulator, adminGraphql } = useShopifyEmulator();
let graphql: AdminGraphql;
let customerGid: string;

beforeAll(async () => {
  await installEmulatedShop(emulator, TEST_APP.shop, { planDisplayName: "Shopify Plus", giftCards: true, currencyCode: "USD" });
  customerGid = emulator.addCustomer(TEST_APP.shop, { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" }).id;
  graphql = await adminGraphql();
});

const discount = (code: string, over: Partial<RewardDiscountInput> = {}): RewardDiscountInput => ({
  code,
  title: "$10 off",
  customerGid,
  value: { type: "FIXED_AMOUNT", amount: "10.00" },
  startsAt: new Date(Date.now() - 60_000),
  endsAt: null,
  combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
  tag: "loyalty-reward:r1",
  ...over,
});

describe("Admin API modules against the emulator", () => {
  it("reads the shop", async () => {
    const r = await getShopInfo(graphql);
    expect(r.ok && r.data).toMatchObject({ myshopifyDomain: TEST_APP.shop, giftCards: true });
    expect(r.cost?.throttleStatus.maximumAvailable).toBeGreaterThan(0);
  });

  it("reads a customer", async () => {
    const r = await getCustomer(graphql, customerGid);
    expect(r.ok && r.data).toMatchObject({ id: customerGid, email: "ada@example.com" });
  });

  it("creates a one-use, one-customer amount discount and finds it by code in any case", async () => {
    const r = await createRewardDiscount(graphql, discount("AMT-ABCDEFGHJK"));
    expect(r.ok).toBe(true);
    const stored = emulator.inspect.discounts(TEST_APP.shop).find((d) => d.codes[0]?.code === "AMT-ABCDEFGHJK");
    expect(stored).toMatchObject({ usageLimit: 1, appliesOncePerCustomer: true, context: { kind: "customers", customerIds: [customerGid] } });
    const found = await findCodeDiscountByCode(graphql, "amt-abcdefghjk");
    expect(found.ok && found.data?.tags).toEqual(["loyalty-reward:r1"]);
  });

  it("sends percentages as Shopify's 0..1 and free shipping as its own mutation", async () => {
    expect((await createRewardDiscount(graphql, discount("PCT-ABCDEFGHJK", { value: { type: "PERCENTAGE", percentage: 15 } }))).ok).toBe(true);
    const pct = emulator.inspect.discounts(TEST_APP.shop).find((d) => d.codes[0]?.code === "PCT-ABCDEFGHJK");
    expect(pct?.customerGets?.value).toMatchObject({ percentage: 0.15 });
    expect((await createRewardDiscount(graphql, discount("SHIP-ABCDEFGHJK", { value: { type: "FREE_SHIPPING" } }))).ok).toBe(true);
    expect(emulator.inspect.countCalls("discountCodeFreeShippingCreate")).toBe(1);
  });

  it("GIVEN a free-shipping reward whose option combines with shipping (the default) THEN Shopify accepts it: a shipping discount never asks to combine with shipping discounts, the other classes are kept", async () => {
    const r = await createRewardDiscount(
      graphql,
      discount("SHIPC-ABCDEFGHJK", { value: { type: "FREE_SHIPPING" }, combinesWith: { orderDiscounts: true, productDiscounts: true, shippingDiscounts: true } }),
    );
    expect(r.ok).toBe(true);
    const stored = emulator.inspect.discounts(TEST_APP.shop).find((d) => d.codes[0]?.code === "SHIPC-ABCDEFGHJK");
    expect(stored?.combinesWith).toEqual({ orderDiscounts: true, productDiscounts: true, shippingDiscounts: false });
  });

  it("GIVEN an amount-off reward that combines with shipping THEN that setting is sent as is", async () => {
    expect((await createRewardDiscount(graphql, discount("AMTC-ABCDEFGHJK"))).ok).toBe(true);
    const stored = emulator.inspect.discounts(TEST_APP.shop).find((d) => d.codes[0]?.code === "AMTC-ABCDEFGHJK");
    expect(stored?.combinesWith).toMatchObject({ shippingDiscounts: true });
  });

  it("reports a duplicate code as a TAKEN userError", async () => {
    await createRewardDiscount(graphql, discount("DUP-ABCDEFGHJK"));
    const r = await createRewardDiscount(graphql, discount("dup-abcdefghjk"));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatchObject({ kind: "user_errors", errors: [{ code: "TAKEN" }] });
  });

  it("maps THROTTLED to a throttled failure with a wait", async () => {
    emulator.faults.throttle("discountCodeBasicCreate");
    const r = await createRewardDiscount(graphql, discount("THR-ABCDEFGHJK"));
    expect(!r.ok && r.error.kind).toBe("throttled");
  });

  it("maps a 503 to an http failure", async () => {
    emulator.faults.httpError("discountCodeBasicCreate", 503);
    const r = await createRewardDiscount(graphql, discount("ERR-ABCDEFGHJK"));
    expect(!r.ok && r.error).toEqual({ kind: "http", status: 503 });
  });

  it("maps a lost response to a network failure although the discount exists", async () => {
    emulator.faults.inject({ rootField: "discountCodeBasicCreate", action: { type: "lostResponse" } });
    const r = await createRewardDiscount(graphql, discount("LOST-ABCDEFGHJK"));
    expect(!r.ok && r.error.kind).toBe("network");
    const found = await findCodeDiscountByCode(graphql, "LOST-ABCDEFGHJK");
    expect(found.ok && found.data?.code).toBe("LOST-ABCDEFGHJK");
  });

  it("maps a hang to a timeout", async () => {
    emulator.faults.hang("codeDiscountNodeByCode", 5_000);
    const r = await findCodeDiscountByCode(graphql, "NOPE", { timeoutMs: 200 });
    expect(!r.ok && r.error.kind).toBe("timeout");
  });

  it("deactivates and deletes discounts", async () => {
    const created = await createRewardDiscount(graphql, discount("DEL-ABCDEFGHJK"));
    if (!created.ok) throw new Error("create failed");
    const deactivated = await deactivateCodeDiscount(graphql, created.data.id);
    expect(deactivated.ok && deactivated.data.status).toBe("EXPIRED");
    expect((await deleteCodeDiscount(graphql, created.data.id)).ok).toBe(true);
    const found = await findCodeDiscountByCode(graphql, "DEL-ABCDEFGHJK");
    expect(found.ok && found.data).toBeNull();
  });

  it("creates a gift card (code returned once), finds it by code and deactivates it", async () => {
    const r = await createRewardGiftCard(graphql, { code: "GIFTABCDEFGH2345", amount: "25.00", currencyCode: "USD", expiresOn: null, note: "loyalty-reward:g1" });
    expect(r.ok && r.data.code).toBe("GIFTABCDEFGH2345");
    const found = await findGiftCardsByCode(graphql, "giftabcdefgh2345");
    expect(found.ok && found.data.map((g) => g.note)).toEqual(["loyalty-reward:g1"]);
    if (!r.ok) return;
    expect((await deactivateGiftCard(graphql, r.data.id)).ok).toBe(true);
  });
});
