// A store credit the customer's balance cannot take (Shopify: "You can only issue store credit
// amounting to less than $15,000 USD on a single customer account",
// https://help.shopify.com/en/manual/customers/store-credit) is the customer's balance's fault, not the
// reward's settings: the merchant must not be sent to review settings that are fine.
import { describe, expect, it } from "vitest";
import { useShopifyEmulator, installEmulatedShop } from "../../../test/support/shopify";
import { TEST_APP } from "../../../test/support/constants";
import { classifyFailure } from "~/domain/rewards/failures";
import { merchantExplanation } from "~/copy/admin";
import { customerMessage } from "~/copy/storefront";
import { storeCreditAdapter } from "./store-credit.server";

const { emulator, adminGraphql } = useShopifyEmulator();

function input(customerGid: string, value: string, currency: string) {
  return {
    rewardId: "r1",
    kind: "STORE_CREDIT" as const,
    code: "LOYALTY-R1",
    tag: "loyalty-r1",
    customerGid,
    settings: { value },
    currency,
    title: "Store credit",
    notBefore: new Date(),
    startsAt: new Date(),
    endsAt: null,
  } as Parameters<typeof storeCreditAdapter.create>[1];
}

describe("store credit over Shopify's account limit", () => {
  it("GIVEN a customer holding 14,990.00 WHEN the adapter credits 10.00 THEN it fails as store_credit_limit_exceeded, permanent, with words about the balance", async () => {
    const shop = await installEmulatedShop(emulator, TEST_APP.shop);
    const customer = emulator.addCustomer(TEST_APP.shop, { firstName: "Ada" });
    const graphql = await adminGraphql();
    const first = await storeCreditAdapter.create({ graphql }, input(customer.id, "14990.00", shop.currencyCode));
    expect(first.ok).toBe(true);

    const r = await storeCreditAdapter.create({ graphql }, input(customer.id, "10.00", shop.currencyCode));

    expect(r.ok).toBe(false);
    if (r.ok) return;
    const classified = classifyFailure(r.error, { rewardKind: "STORE_CREDIT" });
    expect(classified).toMatchObject({ category: "permanent", reason: "store_credit_limit_exceeded", retryable: false });
    expect(merchantExplanation(classified.reason).summary).toMatch(/balance/);
    expect(merchantExplanation(classified.reason).action).not.toMatch(/settings/);
    expect(customerMessage(classified.reason)).toMatch(/store credit balance/);
    // Nothing was credited by the refused call.
    expect(emulator.storeCreditBalance(TEST_APP.shop, customer.id)).toMatch(/^14990(\.0+)?$/);
  });
});
