// GIVEN the production build on a real port and the emulator signing Shopify's webhooks
// WHEN one of the shop's real signed bodies is resent under another topic (Shopify's HMAC covers the
//      body only, never X-Shopify-Topic: docs/decisions/014, addendum)
// THEN the delivery is dead-lettered at once with the reason and nothing is changed — the reward
//      stays Issued, the shop stays installed, its data stays — while the topic's own bodies apply.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { useRunningApp } from "../support/app";
import { applyWebhooks } from "../support/webhooks";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { programCustomer, rewardWithDiscount } from "../support/rewards";
import { allowErrorLogs } from "../support/error-logs";

const { emulator } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
useRunningApp({ emulator });

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
});
beforeEach(async () => {
  const values = { enabled: true, pendingDays: 0, signupBonus: 0, pointsPerCurrencyUnit: "1", includeShipping: false };
  await db.programSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, ...values }, update: values });
});

/** Sends `body` signed under `topic`, lets the worker apply it, and returns the delivery's row. */
async function deliver(topic: string, shop: string, body: string) {
  const sent = await emulator.sendWebhook(topic, shop, body);
  expect(sent.results[0].finalStatus).toBe(200);
  await applyWebhooks();
  return db.webhookDelivery.findFirstOrThrow({ where: { webhookId: sent.signed.webhookId } });
}

function expectDeadAtOnce(row: { appliedAt: Date | null; deadAt: Date | null; attempts: number; lastError: string | null }, reason: string) {
  expect(row).toMatchObject({ appliedAt: null, deadAt: expect.any(Date), attempts: 1 });
  expect(row.lastError).toContain("UnappliableDelivery");
  expect(row.lastError).toContain(reason);
}

describe("discounts/delete whose body is a discounts/update body", () => {
  it("a discount's signed update (status ACTIVE) under discounts/delete is dead-lettered: the reward stays Issued, not canceled as deleted in Shopify", async () => {
    const logged = allowErrorLogs(); // a dead letter is logged at error level, by design
    const reward = await rewardWithDiscount(emulator, SHOP, await programCustomer(emulator, SHOP, "Dee Active"));
    const updateBody = JSON.stringify({ admin_graphql_api_id: reward.shopifyId, title: "$5 off", status: "ACTIVE", created_at: "2026-01-02T10:00:00-05:00", updated_at: "2026-01-02T10:00:00-05:00" });

    const row = await deliver("discounts/delete", SHOP, updateBody);

    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "ISSUED", failureCode: null });
    expectDeadAtOnce(row, "the discounts/delete body is a discount with a status");
    expect(logged.messages()).toEqual(["webhook effect failed for good; delivery dead-lettered"]);
  });

  it("the discount's own delete body still cancels the reward as changed in Shopify", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, await programCustomer(emulator, SHOP, "Dan Deleted"));
    const sent = await emulator.merchantDeletesDiscount(SHOP, reward.shopifyId!);
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "CANCELED", failureCode: "changed_in_shopify" });
  });
});

describe("app/uninstalled whose body is not the shop's Shop resource", () => {
  it("the shop's signed order, customer or discount body under app/uninstalled is dead-lettered: its sessions stay and its work is not paused", async () => {
    const logged = allowErrorLogs();
    const shop = "still-installed.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const sessions = await db.session.count({ where: { shop } });
    expect(sessions).toBeGreaterThan(0);
    const order = emulator.store.placeOrder(shop, { customerId: null, codes: [] });
    const bodies = [
      emulator.orderWebhookBody(order),
      JSON.stringify({ id: 1, email: null, admin_graphql_api_id: "gid://shopify/Customer/1" }),
      JSON.stringify({ admin_graphql_api_id: "gid://shopify/DiscountCodeNode/1", deleted_at: "2026-01-02T10:00:00-05:00" }),
    ];
    for (const body of bodies) {
      const row = await deliver("app/uninstalled", shop, body);
      expectDeadAtOnce(row, "the app/uninstalled body names no shop (myshopify_domain)");
    }
    expect(await db.session.count({ where: { shop } })).toBe(sessions);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: shop } })).uninstalledAt).toBeNull();
    expect(logged.messages()).toHaveLength(bodies.length);
  });

  it("a Shop body naming another shop is dead-lettered the same way; the shop's own uninstall still applies", async () => {
    const logged = allowErrorLogs();
    const shop = "leaving-for-real.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const elsewhere = "leaving-elsewhere.myshopify.com";
    emulator.addShop({ domain: elsewhere, currencyCode: "USD" });
    const other = await emulator.uninstall(elsewhere, { deliver: false }); // another shop's signed Shop body…
    const row = await deliver("app/uninstalled", shop, other.signed.body.toString()); // …delivered as `shop`'s
    expectDeadAtOnce(row, `names the shop ${elsewhere}, not ${shop}`);
    expect(await db.session.count({ where: { shop } })).toBeGreaterThan(0);
    expect(logged.messages()).toHaveLength(1);

    const own = await emulator.uninstall(shop);
    expect(own.results[0].finalStatus).toBe(200);
    await applyWebhooks();
    expect(await db.session.count({ where: { shop } })).toBe(0);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: shop } })).uninstalledAt).toBeInstanceOf(Date);
  });
});

describe("privacy topics: another privacy body of the same shop", () => {
  it("a customers/redact body under shop/redact is dead-lettered: the shop's data stays", async () => {
    const logged = allowErrorLogs();
    const shop = "redact-one-not-all.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const kept = await db.customer.create({ data: { shop, shopifyCustomerId: "gid://shopify/Customer/5551001", displayName: "Una Kept", email: "una.kept@example.com" } });
    const body = JSON.stringify({ shop_id: 1, shop_domain: shop, customer: { id: 5551002, email: "gone@example.com", phone: null }, orders_to_redact: [] });

    const row = await deliver("shop/redact", shop, body);

    expectDeadAtOnce(row, "the shop/redact body names a customer");
    expect(await db.customer.findUnique({ where: { id: kept.id } })).not.toBeNull();
    expect(await db.session.count({ where: { shop } })).toBeGreaterThan(0);
    expect(logged.messages()).toHaveLength(1);
  });

  it("a customers/data_request body under customers/redact is dead-lettered: the customer who asked for their data is not erased", async () => {
    const logged = allowErrorLogs();
    const asker = await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: "gid://shopify/Customer/5551003", displayName: "Ada Asker", email: "ada.asker@example.com" } });
    const body = JSON.stringify({ shop_id: 1, shop_domain: SHOP, orders_requested: [], customer: { id: 5551003, email: "ada.asker@example.com", phone: null }, data_request: { id: 91 } });

    const row = await deliver("customers/redact", SHOP, body);

    expectDeadAtOnce(row, "the customers/redact body is a customers/data_request body");
    expect(await db.customer.findUniqueOrThrow({ where: { id: asker.id } })).toMatchObject({ displayName: "Ada Asker", email: "ada.asker@example.com" });
    expect(logged.messages()).toHaveLength(1);
  });
});

describe("every other topic refuses another topic's body", () => {
  it.each([
    ["orders/create", () => JSON.stringify({ id: 71, admin_graphql_api_id: "gid://shopify/Refund/71", order_id: 72, refund_line_items: [] }), "the orders/create body is not an order"],
    ["refunds/create", () => JSON.stringify({ id: 73, admin_graphql_api_id: "gid://shopify/Order/73", discount_codes: [] }), "the refunds/create body is not a refund"],
    ["customers/create", () => JSON.stringify({ id: 74, admin_graphql_api_id: "gid://shopify/Order/74", customer: null }), "the customers/create body is not a customer"],
    ["discounts/update", () => JSON.stringify({ admin_graphql_api_id: "gid://shopify/DiscountCodeNode/75", deleted_at: "2026-01-02T10:00:00-05:00" }), "the discounts/update body is a discount with no status"],
    ["app/scopes_update", () => JSON.stringify({ id: 76, admin_graphql_api_id: "gid://shopify/Order/76" }), "the app/scopes_update body has no list of current scopes"],
  ])("%s: dead-lettered at once with the reason", async (topic, body, reason) => {
    const logged = allowErrorLogs();
    expectDeadAtOnce(await deliver(topic, SHOP, body()), reason);
    expect(logged.messages()).toHaveLength(1);
  });
});

describe("cancelled_at is a time or nothing", () => {
  it("an orders/create body whose cancelled_at is 0 (no time) is not canceled: the order earns its points", async () => {
    const who = await programCustomer(emulator, SHOP, "Zed Zero");
    const { order } = await emulator.placeOrder(SHOP, { customerId: who.gid, codes: [], subtotal: "30.00" }, { deliver: false });
    const body = emulator.orderWebhookBody(order).replace('"cancelled_at":null', '"cancelled_at":0');
    expect(body).toContain('"cancelled_at":0');

    const row = await deliver("orders/create", SHOP, body);

    expect(row).toMatchObject({ lastError: null, appliedAt: expect.any(Date) });
    expect(await db.pointsTransaction.findFirst({ where: { shop: SHOP, orderGid: order.id, reason: "EARNED" } })).toMatchObject({ delta: 30 });
  });

  it("an orders/cancelled body whose cancelled_at is 0 is dead-lettered: the order's points stay", async () => {
    const logged = allowErrorLogs();
    const who = await programCustomer(emulator, SHOP, "Nia Notcanceled");
    const { order, webhook } = await emulator.placeOrder(SHOP, { customerId: who.gid, codes: [], subtotal: "20.00" });
    expect(webhook.results[0].finalStatus).toBe(200);
    await applyWebhooks();
    const earned = (await db.customer.findUniqueOrThrow({ where: { id: who.id } })).pointsBalance;

    const row = await deliver("orders/cancelled", SHOP, emulator.orderWebhookBody(order).replace('"cancelled_at":null', '"cancelled_at":0'));

    expectDeadAtOnce(row, "cancelled_at");
    expect((await db.customer.findUniqueOrThrow({ where: { id: who.id } })).pointsBalance).toBe(earned);
    expect(await db.pointsTransaction.count({ where: { shop: SHOP, orderGid: order.id, reason: "ORDER_CANCELED" } })).toBe(0);
    expect(logged.messages()).toHaveLength(1);
  });
});

describe("an Order or Customer id no Shopify resource can have (2 December audit)", () => {
  // The body's shape and the effects read the id by one rule (shopifyGidOf, app/domain/shopify-ids.ts):
  // the shape only looked at the "gid://shopify/Order/" prefix, so the body passed as an order while
  // its effects found no order id — the reward was marked Used on no order, keyed "order:<name>".
  it.each(["gid://shopify/Order/123456789012345678901234567890", "gid://shopify/Order/abc", "gid://shopify/Order/-5"])(
    "orders/create whose admin_graphql_api_id is %s carrying an Issued code is dead-lettered; the reward stays Issued",
    async (gid) => {
      const logged = allowErrorLogs(); // a dead letter is logged at error level, by design
      const customer = await programCustomer(emulator, SHOP, "Ora Nogid");
      const reward = await rewardWithDiscount(emulator, SHOP, customer);
      const body = JSON.stringify({ admin_graphql_api_id: gid, name: "#9501", discount_codes: [{ code: reward.code }], customer: { admin_graphql_api_id: customer.gid } });

      const row = await deliver("orders/create", SHOP, body);

      expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "ISSUED", usedOrderGid: null });
      expectDeadAtOnce(row, "the orders/create body is not an order");
      expect(logged.messages()).toEqual(["webhook effect failed for good; delivery dead-lettered"]);
    },
  );

  it("customers/create whose Customer id is beyond 64 bits is dead-lettered: no customer row", async () => {
    const logged = allowErrorLogs();
    const gid = "gid://shopify/Customer/99999999999999999999";
    const row = await deliver("customers/create", SHOP, JSON.stringify({ admin_graphql_api_id: gid, first_name: "Cy", email: "cy.big@example.com" }));
    expectDeadAtOnce(row, "the customers/create body is not a customer");
    expect(await db.customer.count({ where: { shop: SHOP, email: "cy.big@example.com" } })).toBe(0);
    expect(logged.messages()).toHaveLength(1);
  });
});

describe("deleted_at is a time, read by the one reader of Shopify's times (2 December audit)", () => {
  it.each(["yesterday", "0", "true"])("a discounts/delete body whose deleted_at is %j is dead-lettered: the reward stays Issued", async (deletedAt) => {
    const logged = allowErrorLogs(); // a dead letter is logged at error level, by design
    const reward = await rewardWithDiscount(emulator, SHOP, await programCustomer(emulator, SHOP, "Del Notime"));
    const row = await deliver("discounts/delete", SHOP, JSON.stringify({ admin_graphql_api_id: reward.shopifyId, deleted_at: deletedAt }));
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "ISSUED", failureCode: null });
    expectDeadAtOnce(row, "the discounts/delete body is a discount with no deleted_at");
    expect(logged.messages()).toHaveLength(1);
  });
});

describe("a refund the app cannot read is a dead letter, not a silent no-op (2 December, third session)", () => {
  const money = (amount: string) => ({ shop_money: { amount, currency_code: "USD" }, presentment_money: { amount, currency_code: "USD" } });
  it("a signed refunds/create whose lines are +50 and −50 is dead-lettered with the reason; the order's points stay; a real refund of it then takes its share back", async () => {
    const logged = allowErrorLogs(); // a dead letter is logged at error level, by design
    const customer = await programCustomer(emulator, SHOP, "Rhea Negline");
    const orderDigits = `${Date.now()}`;
    const orderBody = JSON.stringify({
      id: Number(orderDigits),
      admin_graphql_api_id: `gid://shopify/Order/${orderDigits}`,
      name: "#9601",
      subtotal_price_set: money("100.00"),
      total_tax_set: money("0.00"),
      discount_codes: [],
      customer: { id: Number(customer.gid.split("/").pop()), admin_graphql_api_id: customer.gid },
    });
    expect((await deliver("orders/create", SHOP, orderBody)).appliedAt).not.toBeNull();
    const balance = async () => (await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance;
    expect(await balance()).toBe(1100);

    const line = (amount: string) => ({ subtotal_set: money(amount), total_tax_set: money("0.00") });
    const refund = (id: number, ...amounts: string[]) =>
      JSON.stringify({ id, admin_graphql_api_id: `gid://shopify/Refund/${id}`, order_id: Number(orderDigits), refund_line_items: amounts.map(line) });
    const dead = await deliver("refunds/create", SHOP, refund(9601, "50.00", "-50.00"));
    expectDeadAtOnce(dead, "the refunds/create body is not a refund the app can read");
    expect(await balance()).toBe(1100);
    expect(logged.messages()).toEqual(["webhook effect failed for good; delivery dead-lettered"]);

    expect((await deliver("refunds/create", SHOP, refund(9602, "50.00"))).appliedAt).not.toBeNull();
    expect(await balance()).toBe(1050);
  });

  it("the dead letter names the field the app cannot read (refund_line_items[1].subtotal_set, total_tax_set, order_id), ids and field names only", async () => {
    const logged = allowErrorLogs(); // a dead letter is logged at error level, by design
    const line = (subtotal: string, tax = "0.00") => ({ subtotal_set: money(subtotal), total_tax_set: money(tax) });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ id: 9611, order_id: 9611, refund_line_items: [line("50.00"), line("-50.00")] }, "has a negative refund_line_items[1].subtotal_set"],
      [{ id: 9612, order_id: 9612, note: "Ada Lovelace, 12 Main St", refund_line_items: [line("50.00", "5,00")] }, "has a refund_line_items[0].total_tax_set without a decimal shop-currency amount"],
      [{ id: 9613, admin_graphql_api_id: "gid://shopify/Refund/9613", refund_line_items: [line("50.00")] }, "has no order_id (a Shopify id)"],
    ];
    for (const [body, field] of cases) {
      const dead = await deliver("refunds/create", SHOP, JSON.stringify(body));
      expectDeadAtOnce(dead, `the refunds/create body is not a refund the app can read: it ${field}; nothing was changed`);
      expect(dead.lastError).not.toMatch(/Ada|Main St|5,00/);
    }
    expect(logged.messages()).toEqual(cases.map(() => "webhook effect failed for good; delivery dead-lettered"));
  });
});
