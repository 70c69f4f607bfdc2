// GIVEN the production build on a real port and the emulator signing Shopify's webhooks
// WHEN a signed orders/create, refunds/create, orders/cancelled or customers/create carries field
//      values Shopify's samples do not show (control characters in a code, odd ids, amounts, dates)
// THEN the effects act correctly on what is readable, or leave it aside, on SQLite and PostgreSQL
//      alike — a value one database cannot store never blocks the rest of the delivery.
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

/** Delivers `body` as orders/create, then lets the worker apply it; returns the delivery's row. */
async function deliverOrder(body: string) {
  const sent = await emulator.sendWebhook("orders/create", SHOP, body);
  expect(sent.results[0].finalStatus).toBe(200);
  await applyWebhooks();
  return db.webhookDelivery.findFirstOrThrow({ where: { webhookId: sent.signed.webhookId } });
}

describe("orders/create: discount codes with control characters", () => {
  it("a code holding a NUL (which PostgreSQL cannot compare) is left aside; the order's real code is Used and its points earned", async () => {
    const customer = await programCustomer(emulator, SHOP, "Nils Nul");
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const { order } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code], subtotal: "40.00" }, { deliver: false });
    // A second code whose tail looks like one of the app's (so it is looked up), with a NUL in front.
    const body = emulator.orderWebhookBody(order).replace('"discount_codes":[', `"discount_codes":[{"code":"X\\u0000${reward.code.slice(-12)}","amount":"1.00","type":"fixed_amount"},`);
    expect(body).toContain("\\u0000");

    const delivery = await deliverOrder(body);

    expect(delivery).toMatchObject({ lastError: null });
    expect(delivery.appliedAt).not.toBeNull();
    expect((await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).status).toBe("USED");
    expect(await db.pointsTransaction.findFirst({ where: { shop: SHOP, orderGid: order.id, reason: "EARNED" } })).toMatchObject({ delta: 35, amount: "35.00" }); // 40.00 less the $5 reward
  });
});

describe("orders/create: names with control characters", () => {
  it("an order name holding a NUL is left aside: the reward is Used and the points earned", async () => {
    const customer = await programCustomer(emulator, SHOP, "Otto Name");
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const { order } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code], subtotal: "20.00" }, { deliver: false });
    const body = emulator.orderWebhookBody(order).replace(`"name":"${order.name}"`, `"name":"${order.name}\\u0000"`);
    expect(body).toContain(`${order.name}\\u0000`);

    const delivery = await deliverOrder(body);

    expect(delivery).toMatchObject({ lastError: null });
    expect(delivery.appliedAt).not.toBeNull();
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "USED", usedOrderGid: order.id, usedOrderName: null });
    expect(await db.pointsTransaction.findFirst({ where: { shop: SHOP, orderGid: order.id, reason: "EARNED" } })).toMatchObject({ delta: 15, orderName: null });
  });

  it("an order name holding text-direction characters is kept without them: the Used reward, its history and the ledger row quote it as it displays (fifth session)", async () => {
    const customer = await programCustomer(emulator, SHOP, "Rita Ltr");
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const { order } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code], subtotal: "20.00" }, { deliver: false });
    const body = emulator.orderWebhookBody(order).replace(`"name":"${order.name}"`, `"name":"${order.name}\u202Eyxe"`);
    expect(body).toContain(`${order.name}\u202Eyxe`);

    const delivery = await deliverOrder(body);

    expect(delivery).toMatchObject({ lastError: null });
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "USED", usedOrderName: `${order.name}yxe` });
    expect(await db.pointsTransaction.findFirst({ where: { shop: SHOP, orderGid: order.id, reason: "EARNED" } })).toMatchObject({ orderName: `${order.name}yxe` });
    const reasons = (await db.rewardEvent.findMany({ where: { rewardId: reward.id } })).map((e) => e.reason ?? "");
    expect(reasons.some((r) => r.includes(`${order.name}yxe`))).toBe(true);
    expect(reasons.filter((r) => r.includes("\u202E"))).toEqual([]);
  });

  it("a customer's first name holding a NUL is left aside: the customer is created with the rest, and earns", async () => {
    const shopify = emulator.addCustomer(SHOP, { firstName: "Nora", lastName: "Nul", email: "nora.nul@example.com" });
    const { order } = await emulator.placeOrder(SHOP, { customerId: shopify.id, codes: [], subtotal: "20.00" }, { deliver: false });
    const body = emulator.orderWebhookBody(order).replaceAll('"first_name":"Nora"', '"first_name":"No\\u0000ra"');
    expect(body).toContain("No\\u0000ra");

    const delivery = await deliverOrder(body);

    expect(delivery).toMatchObject({ lastError: null });
    const created = await db.customer.findUniqueOrThrow({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: shopify.id } } });
    expect(created).toMatchObject({ displayName: "Nul", email: "nora.nul@example.com" });
    expect(await db.pointsTransaction.findFirst({ where: { shop: SHOP, orderGid: order.id, reason: "EARNED" } })).toMatchObject({ delta: 20 });
  });
});

describe("orders/create: a customer's long name (audit, 2 December)", () => {
  it("a first name over 100 characters is cut between characters, never inside one: no half of an emoji is stored", async () => {
    // customerDisplay cut each name at 100 UTF-16 code units: an emoji (two of them) at the cut
    // left its first half, which no database stores as it is — both wrote U+FFFD ("\uFFFD"), shown
    // in the admin as a broken character after the name.
    const longName = `A${"\u{1F600}".repeat(120)}`;
    const shopify = emulator.addCustomer(SHOP, { firstName: "Lenny", lastName: "Long", email: "lenny.long@example.com" });
    const { order } = await emulator.placeOrder(SHOP, { customerId: shopify.id, codes: [], subtotal: "20.00" }, { deliver: false });
    const body = emulator.orderWebhookBody(order).replaceAll('"first_name":"Lenny"', `"first_name":${JSON.stringify(longName)}`);
    expect(body).toContain(longName);

    const delivery = await deliverOrder(body);

    expect(delivery).toMatchObject({ lastError: null });
    const created = await db.customer.findUniqueOrThrow({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: shopify.id } } });
    expect(created.displayName).not.toContain("\uFFFD");
    // 100 characters of the first name (the A and 99 emoji), then the last name.
    expect(created.displayName).toBe(`A${"\u{1F600}".repeat(99)} Long`);
  });
});

describe("orders/create: absurd amounts", () => {
  it("an order whose points would take the balance past what the ledger can hold is refused with the reason, on its ledger row; the balance stays as it was", async () => {
    const shopify = emulator.addCustomer(SHOP, { firstName: "Rich", lastName: "Enough", email: "rich.enough@example.com" });
    const rich = await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: shopify.id, displayName: "Rich Enough", email: "rich.enough@example.com" } });
    // Two orders of a billion each (the per-order cap of pointsForAmount) fit; a third cannot.
    const deliveries = [];
    for (let i = 0; i < 3; i++) {
      const { order } = await emulator.placeOrder(SHOP, { customerId: shopify.id, codes: [], subtotal: "1000000000.00" }, { deliver: false });
      deliveries.push(await deliverOrder(emulator.orderWebhookBody(order)));
    }
    // The third is applied (no retries for ~3 h, then a dead letter, taking the order's VIP and
    // referral effects with it): its ledger row credits nothing and says why (docs/decisions/019).
    expect(deliveries.map((d) => [d.appliedAt !== null, d.lastError])).toEqual([
      [true, null],
      [true, null],
      [true, null],
    ]);
    const after = await db.customer.findUniqueOrThrow({ where: { id: rich.id } });
    expect(after.pointsBalance).toBe(2_000_000_000);
    const rows = await db.pointsTransaction.findMany({ where: { customerId: rich.id }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => [r.reason, r.delta])).toEqual([
      ["EARNED", 1_000_000_000],
      ["EARNED", 1_000_000_000],
      ["EARNED", 0],
    ]);
    expect(rows[2]!.note).toContain("2,147,483,647");
  });
});

describe("orders/create: negative amounts (2 December audit)", () => {
  // Shopify's order amounts are never negative. A negative tax inside a tax-inclusive subtotal was
  // subtracted from it, so a $10 order with a tax of −$500 earned 510 points and counted $510 spent.
  it.each([
    ["a negative tax inside a tax-inclusive subtotal", (body: string) => body.replace('"taxes_included":false', '"taxes_included":true').replace(/"total_tax_set":\{"shop_money":\{"amount":"0\.00"/, '"total_tax_set":{"shop_money":{"amount":"-500.00"')],
    ["a negative subtotal", (body: string) => body.replace(/"subtotal_price_set":\{"shop_money":\{"amount":"10\.00"/, '"subtotal_price_set":{"shop_money":{"amount":"-10.00"')],
  ])("%s makes the order unreadable: nothing earned, nothing counted towards VIP, and the delivery is a dead letter naming the field", async (_label, edit) => {
    const logged = allowErrorLogs(); // a dead letter is logged at error level, by design
    const shopify = emulator.addCustomer(SHOP, { firstName: "Nega", lastName: "Tax", email: `nega.tax.${Math.random()}@example.com` });
    const { order } = await emulator.placeOrder(SHOP, { customerId: shopify.id, codes: [], subtotal: "10.00" }, { deliver: false });
    const body = edit(emulator.orderWebhookBody(order));
    expect(body).toContain("-");
    expect(body).not.toBe(emulator.orderWebhookBody(order));

    const delivery = await deliverOrder(body);

    // Since the 2 December (fifth session) amendment of decision 019: not applied in silence, a dead
    // letter with the field named (as a refund the app cannot read), after the order's other effects ran.
    expect(delivery).toMatchObject({ appliedAt: null, deadAt: expect.any(Date), attempts: 1 });
    expect(delivery.lastError).toMatch(/the orders\/create body has a negative (total_tax_set|subtotal_price_set)/);
    expect(logged.messages()).toEqual(["webhook effect failed for good; delivery dead-lettered"]);
    expect(await db.pointsTransaction.findMany({ where: { shop: SHOP, orderGid: order.id } })).toEqual([]);
    expect(await db.vipOrder.findMany({ where: { shop: SHOP, orderGid: order.id } })).toEqual([]);
  });
});

describe("orders/create: an amount that is no decimal (fifth session)", () => {
  // A refund whose tax set holds no decimal is a dead letter (decision 019, REFUND_UNREADABLE); the
  // same set in an order was read as no tax at all: a tax-inclusive order earned on its tax too, in silence.
  it("a tax-inclusive order whose total_tax_set reads \"20,00\" earns nothing and is dead-lettered naming total_tax_set; its reward code is still Used", async () => {
    const logged = allowErrorLogs(); // a dead letter is logged at error level, by design
    const customer = await programCustomer(emulator, SHOP, "Tia Comma");
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const { order } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code], subtotal: "120.00" }, { deliver: false });
    const body = emulator
      .orderWebhookBody(order)
      .replace('"taxes_included":false', '"taxes_included":true')
      .replace(/"total_tax_set":\{"shop_money":\{"amount":"0\.00"/, '"total_tax_set":{"shop_money":{"amount":"20,00"');
    expect(body).toContain('"amount":"20,00"');
    expect(body).toContain('"taxes_included":true');

    const delivery = await deliverOrder(body);

    expect(delivery).toMatchObject({ appliedAt: null, deadAt: expect.any(Date), attempts: 1 });
    expect(delivery.lastError).toContain("the orders/create body has a total_tax_set without a decimal shop-currency amount");
    expect(logged.messages()).toEqual(["webhook effect failed for good; delivery dead-lettered"]);
    // What does not depend on the amounts happened: the code was used on this order.
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "USED", usedOrderGid: order.id });
    expect(await db.pointsTransaction.findMany({ where: { shop: SHOP, orderGid: order.id } })).toEqual([]);
    expect(await db.vipOrder.findMany({ where: { shop: SHOP, orderGid: order.id } })).toEqual([]);
  });
});

describe("orders/create and refunds/create: decimals with zeros past the third place (3 December 2026)", () => {
  // "40.0000" is a decimal, exactly 40 (parseShopifyAmount): it was read as no decimal at all — the
  // order earned nothing and was dead-lettered, its refund dead-lettered too.
  it("an order whose subtotal reads \"40.0000\" earns 40; its refund of a line reading \"10.0000\" takes 10 back", async () => {
    const customer = await programCustomer(emulator, SHOP, "Zed Zeros");
    const { order } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [], subtotal: "40.00" }, { deliver: false });
    const body = emulator.orderWebhookBody(order).replace(/"subtotal_price_set":\{"shop_money":\{"amount":"40\.00"/, '"subtotal_price_set":{"shop_money":{"amount":"40.0000"');
    expect(body).toContain('"amount":"40.0000"');

    const delivery = await deliverOrder(body);

    expect(delivery).toMatchObject({ lastError: null, deadAt: null });
    expect(await db.pointsTransaction.findFirst({ where: { shop: SHOP, orderGid: order.id, reason: "EARNED" } })).toMatchObject({ delta: 40, amount: "40.00" });

    const refund = await emulator.refundOrder(SHOP, order.id, { amount: "10.00" }, { deliver: false });
    const refundBody = refund.signed.body.replace(/"subtotal_set":\{"shop_money":\{"amount":"10\.00"/, '"subtotal_set":{"shop_money":{"amount":"10.0000"');
    expect(refundBody).toContain('"amount":"10.0000"');
    const sent = await emulator.sendWebhook("refunds/create", SHOP, refundBody);
    await applyWebhooks();
    expect(await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: sent.signed.webhookId } })).toMatchObject({ lastError: null, deadAt: null });
    expect((await db.pointsTransaction.findMany({ where: { shop: SHOP, orderGid: order.id }, orderBy: { createdAt: "asc" } })).map((r) => [r.reason, r.delta])).toEqual([
      ["EARNED", 40],
      ["ORDER_REFUNDED", -10],
    ]);
  });
});

describe("orders/create of an order whose money is already gone (fifth session)", () => {
  // financial_status "refunded" or "voided" on orders/create: an order created that way (an import
  // through the Admin API, https://shopify.dev/docs/api/admin-rest/latest/resources/order — "financial_status")
  // has no refunds/create to follow; it earned in full and counted as spent for good.
  it.each(["refunded", "voided"])("financial_status %s: its code is Used, but it earns nothing and counts nothing towards VIP", async (status) => {
    const customer = await programCustomer(emulator, SHOP, `Vera Void ${status}`);
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const { order } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code], subtotal: "40.00" }, { deliver: false });
    const body = emulator.orderWebhookBody(order).replace('"financial_status":"paid"', `"financial_status":"${status}"`);
    expect(body).toContain(`"financial_status":"${status}"`);

    const delivery = await deliverOrder(body);

    expect(delivery).toMatchObject({ lastError: null });
    expect(delivery.appliedAt).not.toBeNull();
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "USED", usedOrderGid: order.id });
    expect(await db.pointsTransaction.findMany({ where: { shop: SHOP, orderGid: order.id } })).toEqual([]);
    expect(await db.vipOrder.findMany({ where: { shop: SHOP, orderGid: order.id } })).toEqual([]);
  });
});

describe("orders/create and refunds/create read an order's id by one rule", () => {
  it("an order id beyond Shopify's 64-bit ids is refused by both: the order earns nothing a refund could not take back", async () => {
    const shopify = emulator.addCustomer(SHOP, { firstName: "Ivo", lastName: "Id", email: "ivo.id@example.com" });
    const { order } = await emulator.placeOrder(SHOP, { customerId: shopify.id, codes: [], subtotal: "20.00" }, { deliver: false });
    const legacyId = order.id.split("/").pop()!;
    const huge = "12345678901234567890123456"; // 26 digits: no Shopify id is that long
    const orderBody = emulator.orderWebhookBody(order).replaceAll(legacyId, huge);
    // Shopify's bodies write "/" in strings as "\/" (emulator/src/order-payload.ts).
    expect(orderBody).toContain(`"admin_graphql_api_id":"gid:\\/\\/shopify\\/Order\\/${huge}"`);
    // The body's shape reads the order id by the same rule: no order, dead-lettered at once
    // (logged at error level by design) — none of the order's effects runs.
    const logged = allowErrorLogs();
    const dead = await deliverOrder(orderBody);
    expect(dead).toMatchObject({ appliedAt: null, deadAt: expect.any(Date) });
    expect(dead.lastError).toContain("the orders/create body is not an order");
    expect(logged.messages()).toEqual(["webhook effect failed for good; delivery dead-lettered"]);

    const refund = await emulator.refundOrder(SHOP, order.id, { amount: "20.00" }, { deliver: false });
    const refundBody = refund.signed.body.toString().replaceAll(legacyId, huge);
    expect(refundBody).toContain(`"order_id":${huge}`);
    const sent = await emulator.sendWebhook("refunds/create", SHOP, refundBody);
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();

    const customer = await db.customer.findUnique({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: shopify.id } } });
    const rows = customer ? await db.pointsTransaction.findMany({ where: { customerId: customer.id } }) : [];
    expect(rows.reduce((sum, r) => sum + r.delta, 0)).toBe(0);
  });
});

describe("orders/create: a created_at no order can have", () => {
  it("a date before PostgreSQL's range is unknown, not stored: the order is counted for VIP at its arrival and every effect runs", async () => {
    const shopify = emulator.addCustomer(SHOP, { firstName: "Tess", lastName: "Time", email: "tess.time@example.com" });
    const { order } = await emulator.placeOrder(SHOP, { customerId: shopify.id, codes: [], subtotal: "20.00" }, { deliver: false });
    const body = emulator.orderWebhookBody(order).replace(/"created_at":"[^"]+"/, '"created_at":"-271821-04-20T00:00:00.000Z"');
    expect(body).toContain('"created_at":"-271821-04-20T00:00:00.000Z"');

    const delivery = await deliverOrder(body);

    expect(delivery).toMatchObject({ lastError: null });
    expect(delivery.appliedAt).not.toBeNull();
    const counted = await db.vipOrder.findFirstOrThrow({ where: { shop: SHOP, orderGid: order.id } });
    expect(counted.orderedAt.getTime()).toBe(delivery.receivedAt.getTime());
  });

  it("a date after the delivery arrived (9999-12-31) is not taken: the order counts for VIP at its arrival, not in a period that never comes", async () => {
    const shopify = emulator.addCustomer(SHOP, { firstName: "Fay", lastName: "Future", email: "fay.future@example.com" });
    const { order } = await emulator.placeOrder(SHOP, { customerId: shopify.id, codes: [], subtotal: "20.00" }, { deliver: false });
    const body = emulator.orderWebhookBody(order).replace(/"created_at":"[^"]+"/, '"created_at":"9999-12-31T23:59:59Z"');
    expect(body).toContain('"created_at":"9999-12-31T23:59:59Z"');

    const delivery = await deliverOrder(body);

    expect(delivery).toMatchObject({ lastError: null });
    const counted = await db.vipOrder.findFirstOrThrow({ where: { shop: SHOP, orderGid: order.id } });
    expect(counted.orderedAt.getTime()).toBe(delivery.receivedAt.getTime());
  });
});

describe("X-Shopify-Triggered-At no event can have", () => {
  it("is unknown (null): the delivery is recorded and applied, never a 500 that Shopify would retry with the same header", async () => {
    for (const at of ["-271821-04-20T00:00:00Z", "+275760-09-13T00:00:00Z"]) {
      const sent = await emulator.sendWebhook("app/scopes_update", SHOP, JSON.stringify({ current: ["read_products"] }), { deliver: false });
      const res = await fetch(sent.url, { method: "POST", headers: { ...sent.signed.headers, "X-Shopify-Triggered-At": at }, body: sent.signed.body });
      expect(res.status, at).toBe(200);
      const row = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: sent.signed.webhookId } });
      expect(row.triggeredAt, at).toBeNull();
    }
  });
});

describe("orders/cancelled whose body is an order that is not canceled", () => {
  // X-Shopify-Topic is not covered by the HMAC (only the body is), and Shopify's orders/cancelled
  // body is the order with `cancelled_at` set. A signed orders/create body under the orders/cancelled
  // topic contradicts itself, as a privacy body naming another shop does (docs/decisions/014).
  it("is dead-lettered at once with the reason; the order's points stay earned", async () => {
    const logged = allowErrorLogs(); // a dead letter is logged at error level, by design
    const who = await programCustomer(emulator, SHOP, "Carl Uncanceled");
    const { order, webhook } = await emulator.placeOrder(SHOP, { customerId: who.gid, codes: [], subtotal: "80.00" });
    expect(webhook.results[0].finalStatus).toBe(200);
    await applyWebhooks();
    expect((await db.customer.findUniqueOrThrow({ where: { id: who.id } })).pointsBalance).toBe(1080);

    const sent = await emulator.sendWebhook("orders/cancelled", SHOP, emulator.orderWebhookBody(order));
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();

    expect((await db.customer.findUniqueOrThrow({ where: { id: who.id } })).pointsBalance).toBe(1080);
    expect(await db.pointsTransaction.count({ where: { shop: SHOP, orderGid: order.id, reason: "ORDER_CANCELED" } })).toBe(0);
    const row = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: sent.signed.webhookId } });
    expect(row).toMatchObject({ appliedAt: null, deadAt: expect.any(Date) });
    expect(row.lastError).toContain("cancelled_at");
    expect(logged.messages()).toEqual(["webhook effect failed for good; delivery dead-lettered"]);
  });
});

describe("values kept from a body are bounded, never cut (2 December audit)", () => {
  it("an email longer than any address (400 characters) is left aside, not stored as its first 320 characters (another address)", async () => {
    const gid = `gid://shopify/Customer/${9_800_000 + Math.floor(Math.random() * 1000)}`;
    const email = `${"a".repeat(400)}@example.com`;
    const sent = await emulator.sendWebhook("customers/create", SHOP, JSON.stringify({ id: 1, admin_graphql_api_id: gid, first_name: "Lon", last_name: "Gmail", email }));
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();
    expect(await db.customer.findUniqueOrThrow({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: gid } } })).toMatchObject({ displayName: "Lon Gmail", email: null });
  });

  it("an order name of 100 000 characters is left aside: the reward is Used and the points earned, with no name copied into the history", async () => {
    const customer = await programCustomer(emulator, SHOP, "Nat Longname");
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const { order } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code], subtotal: "20.00" }, { deliver: false });
    const body = emulator.orderWebhookBody(order).replace(`"name":"${order.name}"`, `"name":"#${"9".repeat(100_000)}"`);
    expect(body.length).toBeGreaterThan(100_000);

    const delivery = await deliverOrder(body);

    expect(delivery.appliedAt).not.toBeNull();
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "USED", usedOrderGid: order.id, usedOrderName: null });
    expect(await db.pointsTransaction.findFirst({ where: { shop: SHOP, orderGid: order.id, reason: "EARNED" } })).toMatchObject({ delta: 15, orderName: null });
    const longest = Math.max(...(await db.rewardEvent.findMany({ where: { rewardId: reward.id } })).map((e) => (e.reason ?? "").length));
    expect(longest).toBeLessThan(1_000);
  });
});

describe("orders/create of an order imported already partially refunded (hooks audit)", () => {
  // An order created with its refunds (the REST Order resource's `refunds`, financial_status
  // partially_refunded) has no refunds/create to follow for them: it earned on its whole subtotal.
  it("the refunds its body carries are taken back once: 100.00 with 25.00 refunded earns 100 and gives back 25; the same refund's own refunds/create and a redelivery take nothing more", async () => {
    const customer = await programCustomer(emulator, SHOP, "Ida Import");
    const { order } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [], subtotal: "100.00" }, { deliver: false });
    const refund = await emulator.refundOrder(SHOP, order.id, { amount: "25.00" }, { deliver: false });
    // The emulator's order body carries the refunds the order has (REST Order `refunds`) and the
    // financial status after them, as Shopify's does.
    const body = emulator.orderWebhookBody(order);
    expect(body).toContain(`"refunds":[${refund.signed.body}]`);
    expect(body).toContain('"financial_status":"partially_refunded"');
    expect(body).toContain('"refund_line_items":[{');

    const delivery = await deliverOrder(body);
    expect(delivery).toMatchObject({ lastError: null, deadAt: null });
    const balance = async () => (await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance;
    const rows = () => db.pointsTransaction.findMany({ where: { shop: SHOP, orderGid: order.id }, orderBy: { createdAt: "asc" }, select: { reason: true, delta: true } });
    expect(await rows()).toEqual([
      { reason: "EARNED", delta: 100 },
      { reason: "ORDER_REFUNDED", delta: -25 },
    ]);
    expect(await balance()).toBe(1075); // 1,000 to start (programCustomer)
    expect(await db.vipOrder.findFirstOrThrow({ where: { shop: SHOP, orderGid: order.id } })).toMatchObject({ amount: "100.00", refunded: "25.00" });

    // The same refund arrives as refunds/create after all, and the order is delivered again.
    expect((await fetch(refund.url, { method: "POST", headers: refund.signed.headers, body: refund.signed.body })).status).toBe(200);
    expect((await deliverOrder(body)).appliedAt).not.toBeNull();
    await applyWebhooks();
    expect(await rows()).toHaveLength(2);
    expect(await balance()).toBe(1075); // 1,000 to start (programCustomer)
    expect(await db.vipOrder.findFirstOrThrow({ where: { shop: SHOP, orderGid: order.id } })).toMatchObject({ refunded: "25.00" });
  });

  it("a carried refund the app cannot read is a dead letter naming the field; the order still earns, and its readable refunds count", async () => {
    const logged = allowErrorLogs(); // a dead letter is logged at error level, by design
    const customer = await programCustomer(emulator, SHOP, "Ivo Import");
    const { order } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [], subtotal: "100.00" }, { deliver: false });
    const good = await emulator.refundOrder(SHOP, order.id, { amount: "10.00", seq: 1 }, { deliver: false });
    const sent = (await emulator.refundOrder(SHOP, order.id, { amount: "20.00", seq: 2 }, { deliver: false })).signed.body;
    const bad = sent.replace(/"subtotal_set":\{"shop_money":\{"amount":"20\.00"/, '"subtotal_set":{"shop_money":{"amount":"20,00"');
    expect(bad).toContain('"amount":"20,00"');
    // The order's body carries both refunds (REST Order `refunds`); the second is made unreadable there.
    const carried = emulator.orderWebhookBody(order);
    expect(carried).toContain(`"refunds":[${good.signed.body},${sent}]`);
    const body = carried.replace(sent, bad);

    const delivery = await deliverOrder(body);

    expect(delivery).toMatchObject({ appliedAt: null, deadAt: expect.any(Date), attempts: 1 });
    expect(delivery.lastError).toContain("the orders/create body has refunds[1], which has a refund_line_items[0].subtotal_set without a decimal shop-currency amount");
    expect(logged.messages()).toEqual(["webhook effect failed for good; delivery dead-lettered"]);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).pointsBalance).toBe(1090); // 1,000 to start, +100, −10
  });
});
