// orders/create marks rewards Used — through real signed HTTP deliveries built by the emulator,
// to the app's production build, checked in the database.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { useRunningApp } from "../support/app";
import { applyWebhooks } from "../support/webhooks";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { programCustomer, rewardWithDiscount } from "../support/rewards";
import { allowErrorLogs } from "../support/error-logs";

const { emulator } = useShopifyEmulator();
const SHOP = TEST_APP.shop;
useRunningApp({ emulator });
let customer: Awaited<ReturnType<typeof programCustomer>>;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
});
beforeEach(async () => {
  customer = await programCustomer(emulator, SHOP);
});

const events = (rewardId: string) => db.rewardEvent.findMany({ where: { rewardId }, orderBy: { createdAt: "asc" } });
const reload = (id: string) => db.reward.findUniqueOrThrow({ where: { id } });

describe("orders/create → Used", () => {
  it("an Issued reward whose code is on a completed order becomes Used, with the order recorded", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    // The customer types the code in lower case at checkout.
    const { order, webhook } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code.toLowerCase()] });
    await applyWebhooks();
    expect(webhook.results[0].finalStatus).toBe(200);
    const after = await reload(reward.id);
    expect(after.status).toBe("USED");
    expect(after.usedOrderGid).toBe(order.id);
    expect(after.usedOrderName).toBe(order.name);
    expect(after.usedAt).toBeInstanceOf(Date);
    const used = (await events(reward.id)).filter((e) => e.toStatus === "USED");
    expect(used).toHaveLength(1);
    expect(used[0]).toMatchObject({ actor: "WEBHOOK", fromStatus: "ISSUED" });
    expect(used[0].reason).toContain(order.name);
  });

  it("ten copies of one delivery, concurrently, change the reward once and write one event", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const { webhook } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code] }, { deliver: false });
    const results = await emulator.deliverer.deliverConcurrently(webhook.url, webhook.signed, 10);
    await applyWebhooks();
    expect(results.map((r) => r.finalStatus)).toEqual(Array(10).fill(200));
    expect((await reload(reward.id)).status).toBe("USED");
    expect((await events(reward.id)).filter((e) => e.toStatus === "USED")).toHaveLength(1);
  });

  it("ten deliveries of one order with different webhook ids (two subscriptions), concurrently, still change it once", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const { webhook } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code] }, { deliver: false });
    const results = await emulator.deliverer.deliver(webhook.url, webhook.signed, { duplicates: 9, concurrent: true, duplicateWebhookId: "new" });
    await applyWebhooks();
    expect(results.every((r) => r.finalStatus === 200)).toBe(true);
    expect((await events(reward.id)).filter((e) => e.toStatus === "USED")).toHaveLength(1);
  });

  it("deliveries of two orders in reverse order each mark their own reward", async () => {
    const r1 = await rewardWithDiscount(emulator, SHOP, customer);
    const r2 = await rewardWithDiscount(emulator, SHOP, customer);
    const o1 = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [r1.code] }, { deliver: false });
    const o2 = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [r2.code] }, { deliver: false });
    await emulator.deliverer.deliverBatch(o1.webhook.url, [o1.webhook.signed, o2.webhook.signed], { order: "reverse" });
    await applyWebhooks();
    expect((await reload(r1.id)).usedOrderGid).toBe(o1.order.id);
    expect((await reload(r2.id)).usedOrderGid).toBe(o2.order.id);
  });

  it("two combined codes whose discount_codes names only the first: both rewards Used (the second read from discount_applications)", async () => {
    const first = await rewardWithDiscount(emulator, SHOP, customer);
    const second = await rewardWithDiscount(emulator, SHOP, customer);
    const order = emulator.store.placeOrder(SHOP, { customerId: customer.gid, codes: [first.code, second.code] });
    const full = emulator.orderWebhookBody(order);
    // The second code left out of discount_codes; its "discount_code" application stays.
    const body = full.replace(new RegExp(`,\\{"code":"${second.code}"[^}]*\\}`), "");
    expect(body).not.toBe(full);
    expect(body).toContain(`"code":"${second.code}"}`);
    await emulator.sendWebhook("orders/create", SHOP, body);
    await applyWebhooks();
    for (const reward of [first, second]) expect(await reload(reward.id)).toMatchObject({ status: "USED", usedOrderGid: order.id });
    expect((await events(second.id)).filter((e) => e.toStatus === "USED")).toHaveLength(1);
  });

  it("a Pending reward proven by an order becomes Used and is not generated again", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer, { status: "PENDING" });
    await db.reward.update({ where: { id: reward.id }, data: { nextAttemptAt: new Date() } });
    await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code] });
    await applyWebhooks();
    const after = await reload(reward.id);
    expect(after.status).toBe("USED");
    expect(after.nextAttemptAt).toBeNull();
  });

  it.each(["CANCELED", "FAILED"])("a %s reward is not resurrected; the use is recorded once", async (status) => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer, { status });
    const { webhook } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code] }, { duplicates: 2 });
    await applyWebhooks();
    expect(webhook.results.every((r) => r.finalStatus === 200)).toBe(true);
    expect((await reload(reward.id)).status).toBe(status);
    const anyway = (await events(reward.id)).filter((e) => e.type === "USED_AFTER_FINAL");
    expect(anyway).toHaveLength(1);
    expect(anyway[0].reason).toContain("although the reward is");
  });

  it("gift cards are never marked Used, even when the order was paid with a gift card", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer, { kind: "GIFT_CARD" });
    const body = JSON.stringify({
      admin_graphql_api_id: "gid://shopify/Order/9001",
      name: "#9001",
      payment_gateway_names: ["gift_card"],
      discount_codes: [{ code: reward.code, amount: "5.00", type: "fixed_amount" }],
      customer: { admin_graphql_api_id: customer.gid },
    });
    const sent = await emulator.sendWebhook("orders/create", SHOP, body);
    await applyWebhooks();
    expect(sent.results[0].finalStatus).toBe(200);
    expect((await reload(reward.id)).status).toBe("ISSUED");
  });

  it("codes the app did not issue are ignored", async () => {
    emulator.store.createCodeDiscount(SHOP, { kind: "basic", title: "Merchant's own", codes: ["SUMMER10"], startsAt: new Date(Date.now() - 1000) });
    const before = await db.rewardEvent.count();
    const { webhook } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: ["SUMMER10"] });
    await applyWebhooks();
    expect(webhook.results[0].finalStatus).toBe(200);
    expect(await db.rewardEvent.count()).toBe(before);
  });

  it("a guest checkout (customer: null) still marks the code Used and says so", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const body = emulator.orderWebhookBody(
      { ...emulator.store.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code] }) },
      { customer: null },
    );
    await emulator.sendWebhook("orders/create", SHOP, body);
    await applyWebhooks();
    expect((await reload(reward.id)).status).toBe("USED");
    expect((await events(reward.id)).find((e) => e.toStatus === "USED")?.reason).toContain("guest checkout");
  });

  it("an order by another customer marks it Used and records the mismatch", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const other = await programCustomer(emulator, SHOP, "Grace Hopper");
    const order = emulator.store.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code] });
    await emulator.sendWebhook("orders/create", SHOP, emulator.orderWebhookBody(order, { customer: { id: other.gid, email: other.email } }));
    await applyWebhooks();
    expect((await reload(reward.id)).status).toBe("USED");
    expect((await events(reward.id)).find((e) => e.toStatus === "USED")?.reason).toContain("is not the reward's customer");
  });

  it.each([
    ["a draft order", { sourceName: "shopify_draft_order" }, "source shopify_draft_order"],
    ["a POS order", { sourceName: "pos" }, "source pos"],
    ["a test order", { test: true }, "test order"],
  ] as const)("%s carrying the code marks it Used", async (_label, input, note) => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code], ...input });
    await applyWebhooks();
    expect((await reload(reward.id)).status).toBe("USED");
    expect((await events(reward.id)).find((e) => e.toStatus === "USED")?.reason).toContain(note);
  });
});

describe("orders/create: bad input never gets a 500", () => {
  it("a body that is not JSON (correctly signed) → 400, nothing recorded", async () => {
    const sent = await emulator.sendWebhook("orders/create", SHOP, "{not json");
    await applyWebhooks();
    expect(sent.results[0].finalStatus).toBe(400);
    expect(await db.webhookDelivery.count({ where: { webhookId: sent.signed.webhookId } })).toBe(0);
  });

  it("JSON that is not an object (correctly signed) → 400, nothing recorded", async () => {
    for (const body of ["null", "[]"]) {
      const sent = await emulator.sendWebhook("orders/create", SHOP, body);
      expect(sent.results[0].finalStatus, body).toBe(400);
      expect(await db.webhookDelivery.count({ where: { webhookId: sent.signed.webhookId } }), body).toBe(0);
    }
  });

  it("a JSON object that is not an order → 200 and nothing changes", async () => {
    // Dead-lettered at once, which is logged at error level by design: the body is not an order
    // (app/services/webhooks/bodies.ts), so none of the topic's effects runs.
    const logged = allowErrorLogs();
    const bodies = ['{"discount_codes":"nope"}', '{"discount_codes":[{"code":42},null]}'];
    for (const body of bodies) {
      const sent = await emulator.sendWebhook("orders/create", SHOP, body);
      await applyWebhooks();
      expect(sent.results[0].finalStatus).toBe(200);
      const row = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: sent.signed.webhookId } });
      expect(row, body).toMatchObject({ appliedAt: null, deadAt: expect.any(Date), attempts: 1 });
      expect(row.lastError, body).toContain("the orders/create body is not an order");
    }
    expect(logged.messages()).toHaveLength(bodies.length);
  });

  it("an oversized body → 413 before anything is parsed", async () => {
    const big = JSON.stringify({ note: "x".repeat(6 * 1024 * 1024) });
    const sent = await emulator.sendWebhook("orders/create", SHOP, big);
    await applyWebhooks();
    expect(sent.results[0].finalStatus).toBe(413);
  });

  it("a bad signature → 401 and nothing changes", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const body = JSON.stringify({ admin_graphql_api_id: "gid://shopify/Order/1", discount_codes: [{ code: reward.code }] });
    const sent = await emulator.sendWebhook("orders/create", SHOP, body, { tamper: { kind: "wrong-secret" } });
    await applyWebhooks();
    expect(sent.results[0].finalStatus).toBe(401);
    expect((await reload(reward.id)).status).toBe("ISSUED");
  });

  it("an unknown shop → 200, nothing to do", async () => {
    const sent = await emulator.sendWebhook("orders/create", "nobody.myshopify.com", JSON.stringify({ discount_codes: [{ code: "X" }] }));
    await applyWebhooks();
    expect(sent.results[0].finalStatus).toBe(200);
  });

  it("an uninstalled shop's order is still recorded (its data is kept until shop/redact)", async () => {
    const shop = "gone.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const c = await programCustomer(emulator, shop);
    const reward = await rewardWithDiscount(emulator, shop, c);
    const order = emulator.store.placeOrder(shop, { customerId: c.gid, codes: [reward.code] });
    await emulator.uninstall(shop);
    await applyWebhooks();
    await emulator.sendWebhook("orders/create", shop, emulator.orderWebhookBody(order));
    await applyWebhooks();
    expect((await reload(reward.id)).status).toBe("USED");
  });
});
