// The app tried from outside as an outside tester would (the probe of the webhook pipeline and the
// storefront): signed deliveries and signed app-proxy requests with edge-case values, to the
// production build, checked in the database. One test per defect the probe found; what it tried
// that was already right is listed in docs/decisions/014 (addendum "Outside-in probe").
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { createTemplate } from "../support/factories";
import { applyWebhooks } from "../support/webhooks";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { programCustomer, rewardWithDiscount } from "../support/rewards";

const { emulator } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
useRunningApp({ emulator });
let customer: Awaited<ReturnType<typeof programCustomer>>;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
});
beforeEach(async () => {
  customer = await programCustomer(emulator, SHOP);
});

/** An orders/create of `customer` carrying exactly `codes`, delivered and applied. */
async function orderCarrying(codes: string[]) {
  const { order } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [] }, { deliver: false });
  const body = JSON.parse(emulator.orderWebhookBody(order)) as Record<string, unknown>;
  body.discount_codes = codes.map((code) => ({ code, amount: "5.00", type: "fixed_amount" }));
  const sent = await emulator.sendWebhook("orders/create", SHOP, JSON.stringify(body));
  expect(sent.results[0].finalStatus).toBe(200);
  await applyWebhooks();
  return order;
}

describe("orders/create: a code is the app's only when it is the same ASCII letters, any case", () => {
  // The app's codes are ASCII letters, digits, "-" and "_" (isValidDiscountCode); Shopify matches a
  // code case-insensitively. JavaScript's toUpperCase also folds letters that are not ASCII into
  // ASCII ones: "ſ" (long s) → "S", "ﬅ" (a ligature) → "ST", "ß" → "SS" — so an order
  // carrying the merchant's other code "teſt-…" was read as the app's "TEST-…" and marked it Used.
  it.each([
    ["a long s (ſ) for an s", (code: string) => code.toLowerCase().replace("s", "ſ")],
    ["a ligature ﬅ for st", (code: string) => code.toLowerCase().replace("st", "ﬅ")],
  ])("GIVEN an order carrying the reward's code with %s THEN the reward stays Issued", async (_label, variant) => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const code = variant(reward.code);
    expect(code).not.toBe(reward.code.toLowerCase());
    await orderCarrying([code]);
    expect((await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).status).toBe("ISSUED");
  });

  it("GIVEN the same code in lower case THEN the reward is Used (Shopify's own case-insensitivity)", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    await orderCarrying([` ${reward.code.toLowerCase()} `]);
    expect((await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).status).toBe("USED");
  });
});

describe("a referral link's code: the same ASCII letters, any case (parseReferralCode)", () => {
  // The same fold as the order's codes: "ſ" in a link was read as "S" and the click counted for the
  // member whose code has an S there.
  it("GIVEN a click on a member's code with a long s (ſ) for its S THEN 400 (not a code), nothing recorded; the lower-case code is the member's", async () => {
    const friendTemplate = (await createTemplate(db, SHOP, { name: "Welcome $5", purpose: "REFERRAL", value: "5.00", pointsCost: null })).id;
    const referrerTemplate = (await createTemplate(db, SHOP, { name: "Thanks $10", purpose: "REFERRAL", value: "10.00", pointsCost: null })).id;
    const data = { enabled: true, friendTemplateId: friendTemplate, referrerTemplateId: referrerTemplate, minimumOrderAmount: "50", pendingDays: 14, monthlyCapPerReferrer: null };
    await db.referralSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, ...data }, update: data });
    const member = await db.customer.findFirstOrThrow({ where: { shop: SHOP, shopifyCustomerId: customer.gid } });
    await db.referralCode.create({ data: { shop: SHOP, customerId: member.id, code: "SAVE2345" } });
    const click = async (code: string, visitor: string) => {
      const res = await fetch(emulator.appProxyUrl(SHOP, "/referral-click", null), {
        method: "POST",
        headers: { "User-Agent": BROWSER_UA, Accept: "application/json", "Content-Type": "application/json" },
        body: JSON.stringify({ code, visitor }),
      });
      return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
    };
    const folded = `visitor-${crypto.randomUUID()}`;
    expect(await click("ſave2345", folded)).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
    expect(await db.referral.count({ where: { shop: SHOP, visitorToken: folded } })).toBe(0);
    const plain = `visitor-${crypto.randomUUID()}`;
    expect((await click("save2345", plain)).status).toBe(200);
    expect(await db.referral.count({ where: { shop: SHOP, visitorToken: plain } })).toBe(1);
  });
});
