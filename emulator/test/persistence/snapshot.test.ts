// Store snapshots (serialize / restore): what the offline demo writes beside its database so a
// restart finds the same shop — the codes the app issued, their usage, gift card balances, and id
// counters that continue instead of starting over.
import { describe, expect, it } from "vitest";
import { createManualClock, EmulatorStore, OrderRejectedError } from "../../src/store";
import { createShopifyEmulator } from "../../src/index";
import { parseAppConfig } from "../../src/app-config";

const SHOP = "persist.myshopify.com";

function seeded() {
  const clock = createManualClock("2026-11-01T12:00:00Z");
  const store = new EmulatorStore({ now: clock.now });
  store.addShop({ domain: SHOP, accessToken: "shpat_persist", planDisplayName: "Shopify Plus", currencyCode: "USD" });
  const ada = store.addCustomer(SHOP, { firstName: "Ada", email: "ada@example.com" });
  const discount = store.createCodeDiscount(SHOP, {
    kind: "basic",
    title: "$5 off",
    codes: ["LOYAL5-AAAA"],
    startsAt: clock.now(),
    usageLimit: 1,
    appliesOncePerCustomer: true,
    context: { kind: "customers", customerIds: [ada.id] },
    customerGets: { value: { kind: "amount", amount: 500, appliesOnEachItem: false }, items: { kind: "all" }, appliesOnOneTimePurchase: true, appliesOnSubscription: false },
  });
  const { giftCard, code: giftCode } = store.createGiftCard(SHOP, { initialValue: 1000, customerId: ada.id });
  return { clock, store, ada, discount, giftCard, giftCode };
}

/** A restart: the snapshot goes through JSON text, as in the file. */
function restart(store: EmulatorStore, clock = createManualClock("2026-11-02T12:00:00Z")): EmulatorStore {
  const text = JSON.stringify(store.serialize());
  const next = new EmulatorStore({ now: clock.now });
  next.restore(JSON.parse(text));
  return next;
}

describe("store snapshot", () => {
  it("keeps shops, customers, codes, gift cards and orders across a restart", () => {
    // GIVEN a shop with a customer's discount code, a gift card, and one order paying with it
    const { store, ada, discount, giftCard, giftCode } = seeded();
    store.placeOrder(SHOP, { customerId: ada.id, codes: [], subtotal: "4.00", shippingPrice: "0", giftCardPayment: { code: giftCode } });

    // WHEN the store is saved and loaded into a new one
    const after = restart(store);

    // THEN everything is there, with its types (Dates, Sets, Maps) intact
    expect(after.getShop(SHOP)?.accessToken).toBe("shpat_persist");
    expect(after.getShop(SHOP)?.createdAt).toBeInstanceOf(Date);
    expect(after.getCustomer(SHOP, ada.id)?.email).toBe("ada@example.com");
    const found = after.findDiscountByCode(SHOP, "loyal5-aaaa");
    expect(found?.discount.id).toBe(discount.id);
    expect(found?.discount.startsAt).toBeInstanceOf(Date);
    expect(after.getGiftCard(SHOP, giftCard.id)?.balance).toBe(600);
    expect(after.findGiftCardByCode(SHOP, giftCode)?.id).toBe(giftCard.id);
    expect(after.listOrders(SHOP)).toHaveLength(1);
    expect(after.listOrders(SHOP)[0]!.createdAt).toBeInstanceOf(Date);
  });

  it("applies Shopify's checkout rules to restored codes and continues the id counters", () => {
    // GIVEN a code used once (usage limit 1) before the restart
    const { store, ada, discount } = seeded();
    store.placeOrder(SHOP, { customerId: ada.id, codes: ["LOYAL5-AAAA"] });
    const after = restart(store);

    // WHEN the same code is used again after the restart, and new records are created
    let rejection: unknown;
    try {
      after.placeOrder(SHOP, { customerId: ada.id, codes: ["LOYAL5-AAAA"] });
    } catch (error) {
      rejection = error;
    }
    const order = after.placeOrder(SHOP, { customerId: ada.id, codes: [] });
    const grace = after.addCustomer(SHOP, { firstName: "Grace" });

    // THEN the restored usage count refuses it, and new ids never collide with old ones
    expect(rejection).toBeInstanceOf(OrderRejectedError);
    expect((rejection as OrderRejectedError).reason).toBe("usage_limit_reached");
    expect(after.findDiscountByCode(SHOP, "LOYAL5-AAAA")?.redeemCode.usedBy.has(ada.id)).toBe(true);
    expect(order.name).toBe("#1002");
    expect(grace.id).not.toBe(ada.id);
    expect(after.getDiscount(SHOP, discount.id)?.codes[0]!.asyncUsageCount).toBe(1);
  });

  it("gives a restored shop every collection a new shop has, and refuses what is not a snapshot", () => {
    // GIVEN a snapshot whose shop state lacks a collection (written before it existed)
    const { store } = seeded();
    const snapshot = store.serialize() as { version: 1; counters: unknown; shops: { $map: Array<[string, Record<string, unknown>]> } };
    delete snapshot.shops.$map[0]![1].orders;

    // WHEN it is restored
    const after = new EmulatorStore();
    after.restore(JSON.parse(JSON.stringify(snapshot)));

    // THEN the missing collection is there, empty, and usable; garbage is refused loudly
    expect(after.listOrders(SHOP)).toEqual([]);
    expect(after.placeOrder(SHOP, { customerId: null, codes: [], email: "guest@example.com" }).name).toMatch(/^#10\d\d$/);
    expect(() => after.restore({ version: 2 } as never)).toThrow(/snapshot/);
  });
});

describe("refunds across a restart", () => {
  it("GIVEN an order refunded in part before the demo restarts WHEN it is refunded again after THEN only what was left can be, and the same refund is still the same", () => {
    const { store, ada } = seeded();
    const order = store.placeOrder(SHOP, { customerId: ada.id, codes: [], subtotal: "100.00", shippingPrice: "10.00" });
    const first = store.refundOrder(SHOP, order.id, { amount: 6000, shipping: 1000, seq: 1 });

    const after = restart(store);

    // Before: refunds were kept outside the store, so a restarted demo refunded the whole order again.
    expect(() => after.refundOrder(SHOP, order.id, { amount: 4001, shipping: 0, seq: 2 })).toThrow(/more than is left/);
    expect(() => after.refundOrder(SHOP, order.id, { amount: 0, shipping: 1, seq: 2 })).toThrow(/more than is left/);
    expect(() => after.refundOrder(SHOP, order.id, { amount: 100, shipping: 0, seq: 1 })).toThrow(/other amounts/);
    const again = after.refundOrder(SHOP, order.id, { amount: 6000, shipping: 1000, seq: 1 });
    expect(again).toMatchObject({ repeated: true, refund: { id: first.refund.id } });
    expect(again.refund.createdAt).toBeInstanceOf(Date);
    expect(after.refundOrder(SHOP, order.id, { amount: 4000, shipping: 0, seq: 2 }).repeated).toBe(false);
    expect(after.getOrder(SHOP, order.id)?.refunds?.map((r) => r.amount)).toEqual([6000, 4000]);
  });

  it("GIVEN a snapshot written before orders kept refunds THEN its orders read as never refunded", () => {
    const { store, ada } = seeded();
    const order = store.placeOrder(SHOP, { customerId: ada.id, codes: [], subtotal: "100.00", shippingPrice: "10.00" });
    const snapshot = JSON.parse(JSON.stringify(store.serialize()));
    // The old form: no `refunds`, no `shippingTax` on the order.
    const text = JSON.stringify(snapshot).replace(/,"refunds":\[\]/g, "").replace(/,"shippingTax":0/g, "");
    expect(text).not.toMatch(/"refunds"|"shippingTax"/);
    const next = new EmulatorStore({ now: createManualClock("2026-11-02T12:00:00Z").now });
    next.restore(JSON.parse(text));
    expect(() => next.refundOrder(SHOP, order.id, { amount: 10001, shipping: 0, seq: 1 })).toThrow(/more than is left/);
    expect(next.refundOrder(SHOP, order.id, { amount: 10000, shipping: 1000, seq: 1 }).refund).toMatchObject({ tax: 0, shippingTax: 0 });
  });
});

describe("the demo's emulator across a restart (serialize → restore, as scripts/demo/main.ts)", () => {
  it("GIVEN a full refund through refundOrder before the restart THEN the restarted emulator refuses any further refund of that order", async () => {
    const appConfig = parseAppConfig(`
[webhooks]
api_version = "2026-10"
  [[webhooks.subscriptions]]
  topics = ["orders/create", "refunds/create"]
  uri = "/webhooks"
`);
    const make = () => createShopifyEmulator({ apiKey: "k", apiSecret: "s", appUrl: "http://127.0.0.1:9", appConfig });
    const before = make();
    before.addShop({ domain: SHOP, taxRate: "0.10", taxShipping: true });
    const { order } = await before.placeOrder(SHOP, { customerId: null, codes: [], subtotal: "50.00", shippingPrice: "5.00" }, { deliver: false });
    await before.refundOrder(SHOP, order.id, { amount: "50.00", shipping: "5.00" }, { deliver: false });
    const restarted = make();
    restarted.store.restore(JSON.parse(JSON.stringify(before.store.serialize())));
    await expect(restarted.refundOrder(SHOP, order.id, { amount: "0.01", seq: 2 }, { deliver: false })).rejects.toThrow(/more than is left/);
    await expect(restarted.refundOrder(SHOP, order.id, { amount: "0", shipping: "0.01", seq: 2 }, { deliver: false })).rejects.toThrow(/more than is left/);
    const resent = JSON.parse((await restarted.refundOrder(SHOP, order.id, { amount: "50.00", shipping: "5.00" }, { deliver: false })).signed.body);
    expect(resent.refund_shipping_lines[0].tax_amount_set.shop_money.amount).toBe("0.50");
  });
});
