// Each topic's body shape against every subscribed topic's real body (the emulator's builders, which
// follow Shopify's samples): a body fits its own topic — so no real delivery is dead-lettered — and
// no other topic whose effects could do harm with it.
import { describe, expect, it } from "vitest";
import {
  buildCustomerPayload,
  buildCustomersDataRequestPayload,
  buildCustomersRedactPayload,
  buildDiscountPayload,
  buildOrderWebhookBody,
  buildRefundPayload,
  buildShopPayload,
  buildShopRedactPayload,
  serializeWebhookJson,
} from "../../../emulator/src/order-payload";
import type { WebhookTopic } from "./context";
import { WEBHOOK_EFFECTS } from "./effects.server";
import { UnappliableDelivery } from "./inbox.server";
import {
  canceledOrderBody,
  customerBody,
  customerRedactBody,
  customerUpdateBody,
  dataRequestBody,
  discountDeleteBody,
  discountUpdateBody,
  orderBody,
  refundBody,
  scopesUpdateBody,
  shopRedactBody,
  shopUpdateBody,
  uninstalledShopBody,
  type BodyShape,
} from "./bodies";

const SHOP = "bodies.myshopify.com";
const json = (value: unknown) => JSON.parse(serializeWebhookJson(value)) as unknown;
const order = { id: "820982911946154508", shop: SHOP, customer: { id: "115310627314723954", email: "john@example.com" }, subtotal: "10.00" };

const REAL: Record<WebhookTopic, unknown> = {
  "orders/create": JSON.parse(buildOrderWebhookBody(order)),
  "orders/cancelled": JSON.parse(buildOrderWebhookBody({ ...order, cancelledAt: "2026-01-02T10:00:00-05:00" })),
  "refunds/create": json(buildRefundPayload({ id: "509562969", orderId: order.id, amount: "5.00" })),
  "customers/create": json(buildCustomerPayload({ id: "706405506930370084", email: "bob@example.com" })),
  "customers/update": json(buildCustomerPayload({ id: "706405506930370084", email: "bob@example.com", state: "enabled", createdAt: "2026-01-02T10:00:00-05:00", updatedAt: "2026-01-03T10:00:00-05:00" })),
  "discounts/update": json(buildDiscountPayload("discounts/update", { id: "1", status: "ACTIVE" })),
  "discounts/delete": json(buildDiscountPayload("discounts/delete", { id: "1" })),
  "app/uninstalled": json(buildShopPayload({ domain: SHOP })),
  "app/scopes_update": { id: 1, previous: ["read_orders"], current: ["read_orders", "read_gift_cards"], updated_at: "2026-01-02T15:00:00.000Z", shop_id: 1 },
  "customers/data_request": json(buildCustomersDataRequestPayload({ shopId: "954889", shopDomain: SHOP, customer: { id: "191167", email: "john@example.com" }, ordersRequested: ["299938"], dataRequestId: "9999" })),
  "customers/redact": json(buildCustomersRedactPayload({ shopId: "954889", shopDomain: SHOP, customer: { id: "191167", email: "john@example.com" }, ordersToRedact: ["299938"] })),
  "shop/redact": json(buildShopRedactPayload({ shopId: "954889", shopDomain: SHOP })),
  "shop/update": json(buildShopPayload({ domain: SHOP, currency: "EUR", updatedAt: "2026-01-02T10:00:00-05:00" })),
};

const SHAPES: Record<WebhookTopic, BodyShape> = {
  "orders/create": orderBody,
  "orders/cancelled": canceledOrderBody,
  "refunds/create": refundBody,
  "customers/create": customerBody,
  "customers/update": customerUpdateBody,
  "discounts/update": discountUpdateBody,
  "discounts/delete": discountDeleteBody,
  "app/uninstalled": uninstalledShopBody,
  "app/scopes_update": scopesUpdateBody,
  "customers/data_request": dataRequestBody,
  "customers/redact": customerRedactBody,
  "shop/redact": shopRedactBody,
  "shop/update": shopUpdateBody,
};

/**
 * Other topics' bodies a shape lets through, each harmless there: the privacy shapes leave a body
 * naming no shop to their handler (requireSameShop refuses it), and a canceled order is an order
 * (Shopify's own orders/create sample is canceled; it earns nothing). app/uninstalled and shop/update
 * carry the same resource, the Shop: a shop/update body under app/uninstalled is not applied while
 * Shopify accepts the app's token (handleAppUninstalled), and an app/uninstalled body under shop/update
 * stores the currency it carries as of its own updated_at, never over a later reading (storeShopCurrency).
 * customers/create and customers/update carry the same resource, the Customer: either under the other
 * adds at most what the sign-up bonus's once-per-customer pair allows (awardSignupBonus; the one case
 * that pays is named at customerUpdateBody).
 */
const LET_THROUGH: Partial<Record<WebhookTopic, WebhookTopic[]>> = {
  "orders/create": ["orders/cancelled"],
  "app/uninstalled": ["shop/update"],
  "shop/update": ["app/uninstalled"],
  "customers/create": ["customers/update"],
  "customers/update": ["customers/create"],
  "customers/data_request": ["orders/create", "orders/cancelled", "refunds/create", "customers/create", "customers/update", "discounts/update", "discounts/delete", "app/uninstalled", "app/scopes_update", "shop/redact", "shop/update"],
  "customers/redact": ["orders/create", "orders/cancelled", "refunds/create", "customers/create", "customers/update", "discounts/update", "discounts/delete", "app/uninstalled", "app/scopes_update", "shop/redact", "shop/update"],
  "shop/redact": ["refunds/create", "customers/create", "customers/update", "discounts/update", "discounts/delete", "app/uninstalled", "app/scopes_update", "shop/update"],
};

const topics = Object.keys(SHAPES) as WebhookTopic[];

describe("each topic's body shape against every topic's real body", () => {
  it.each(topics)("%s: its own body fits; another topic's fits only where listed as harmless", (topic) => {
    const fits = topics.filter((bodyOf) => SHAPES[topic]({ shop: SHOP, payload: REAL[bodyOf] }) === null);
    expect(fits.sort()).toEqual([topic, ...(LET_THROUGH[topic] ?? [])].sort());
  });

  it("every registered topic runs its shape first: a body that is not the topic's throws UnappliableDelivery before any effect", async () => {
    for (const topic of topics) {
      const wrong = topic === "orders/create" ? REAL["refunds/create"] : REAL["orders/create"];
      const guard = WEBHOOK_EFFECTS[topic][0];
      const outcome = SHAPES[topic]({ shop: SHOP, payload: wrong }) === null ? "fits" : "refused";
      const run = guard({} as never, { shop: SHOP, topic, webhookId: "w", triggeredAt: null, apiVersion: "2026-10", payload: wrong, receivedAt: new Date(), attempt: 1 });
      if (outcome === "refused") await expect(run, topic).rejects.toBeInstanceOf(UnappliableDelivery);
      else await expect(run, topic).resolves.toBeUndefined();
    }
  });
});

describe("orders/cancelled: cancelled_at is a time or null (REST Order resource)", () => {
  it.each([0, 1, true, "", "yes", "2026-13-01T00:00:00Z", null])("cancelled_at %j is no cancel", (value) => {
    expect(canceledOrderBody({ shop: SHOP, payload: { ...(REAL["orders/create"] as object), cancelled_at: value } })).toContain("cancelled_at");
  });
});

describe("app/uninstalled: the Shop resource of the delivering shop", () => {
  it("a Shop body of another shop is refused, naming both", () => {
    expect(uninstalledShopBody({ shop: "mine.myshopify.com", payload: REAL["app/uninstalled"] })).toBe(`names the shop ${SHOP}, not mine.myshopify.com that delivered it`);
  });
});

describe("shop/update: the Shop resource of the delivering shop, with a currency a shop sells in and its updated_at", () => {
  const body = REAL["shop/update"] as object;
  it("names the field it cannot read", () => {
    expect(shopUpdateBody({ shop: "mine.myshopify.com", payload: body })).toBe(`names the shop ${SHOP}, not mine.myshopify.com that delivered it`);
    for (const currency of ["XXX", "USDC", "eur", "ZZZ", null, 978]) {
      expect(shopUpdateBody({ shop: SHOP, payload: { ...body, currency } })).toBe("has no currency a shop sells in (currency: a three-letter code of Shopify's CurrencyCode)");
    }
    const { currency: _dropped, ...withoutCurrency } = body as { currency: unknown };
    expect(shopUpdateBody({ shop: SHOP, payload: withoutCurrency })).toContain("has no currency");
    for (const updatedAt of [null, "yesterday", 0]) expect(shopUpdateBody({ shop: SHOP, payload: { ...body, updated_at: updatedAt } })).toBe("has no updated_at (a time)");
    expect(shopUpdateBody({ shop: SHOP, payload: body })).toBeNull();
  });
});
