// customers/redact and the subject's rewards still Pending: once the customer is erased, the worker
// must not generate what was promised to them — a gift card needs no customer, and the redaction
// has replaced its code by the same "REDACTED" on every reward, so Shopify would get a spendable
// card under a code anyone can guess.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { runWorkerOnce } from "~/jobs/worker.server";
import { issueRewardAsync } from "~/services/rewards/issue-async.server";
import { installEmulatedShop, useShopifyEmulator } from "../../../test/support/shopify";
import { TEST_APP } from "../../../test/support/constants";
import { createCustomer, createTemplate } from "../../../test/support/factories";
import { useRewardWorker } from "../../../test/support/worker";
import { handleCustomersRedact } from "./privacy.server";

const fixture = useShopifyEmulator();
const { emulator } = fixture;
const SHOP: string = TEST_APP.shop;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { planDisplayName: "Shopify Plus", giftCards: true, currencyCode: "USD" });
});

const worker = useRewardWorker(fixture, SHOP);
const { deps, config } = worker;

describe("customers/redact and the subject's Pending rewards", () => {
  it("GIVEN a Pending gift card and a Pending discount of a customer WHEN the customer is redacted THEN the worker makes nothing in Shopify and neither reward stays Pending", async () => {
    const subject = await createCustomer(db, SHOP, { firstName: "Penny", lastName: "Pending", email: "penny.pending@example.com" }, emulator);
    const gift = await createTemplate(db, SHOP, { purpose: "VIP_TIER_ENTRY", kind: "GIFT_CARD", value: "30.00", pointsCost: null });
    const card = await issueRewardAsync(deps(), { shop: SHOP, customer: { id: subject.id }, templateId: gift.id, source: "VIP_TIER_ENTRY" });
    const discount = await issueRewardAsync(deps(), { shop: SHOP, customer: { id: subject.id }, templateId: worker.template.id, source: "REFERRAL" });
    if (!card.ok || !discount.ok) throw new Error("not queued");
    const cardsBefore = emulator.inspect.giftCards(SHOP).length;
    const discountsBefore = emulator.inspect.discounts(SHOP).length;

    await handleCustomersRedact(db, { shop: SHOP, payload: { shop_domain: SHOP, customer: { id: Number(subject.shopifyCustomerId.split("/").pop()), email: "penny.pending@example.com" } } });
    await runWorkerOnce(deps(), config());

    expect(emulator.inspect.giftCards(SHOP).length).toBe(cardsBefore);
    expect(emulator.inspect.discounts(SHOP).length).toBe(discountsBefore);
    const rows = await db.reward.findMany({ where: { id: { in: [card.reward.id, discount.reward.id] } }, select: { status: true, failureCode: true, nextAttemptAt: true } });
    expect(rows).toEqual([
      { status: "FAILED", failureCode: "customer_not_found", nextAttemptAt: null },
      { status: "FAILED", failureCode: "customer_not_found", nextAttemptAt: null },
    ]);
  });
});
