import { describe, expect, it } from "vitest";
import { buildOrderWebhookBody, serializeWebhookJson, buildShopPayload } from "../../src/order-payload";
import { hmacSha256Base64, verifyWebhookHmac } from "../../src/signing";
import { signWebhook, toWebhookRequest, SHOPIFY_WEBHOOK_USER_AGENT } from "../../src/webhooks";
import { API_SECRET, APP_URL, SHOP, buildTestApp, offlineSession, thrownResponse } from "./test-app";

const WEBHOOK_URL = `${APP_URL}/webhooks/orders/create`;

function orderBody() {
  return buildOrderWebhookBody({
    id: "820982911946154508",
    shop: SHOP,
    orderNumber: 1071,
    customer: { id: "gid://shopify/Customer/115310627314723954", email: "jon@example.com", first_name: "Jon", last_name: "Doe" },
    discountCodes: [{ code: "LOYAL-7KQ2", type: "fixed_amount", amount: "5.00" }],
    subtotal: "50.00",
    createdAt: new Date("2026-10-02T12:00:00Z"),
  });
}

describe("signWebhook against authenticate.webhook", () => {
  it("GIVEN a signed orders/create WHEN the library authenticates it THEN it accepts and normalises the topic", async () => {
    const { shopify } = buildTestApp();
    const body = orderBody();
    const signed = signWebhook({ topic: "orders/create", shop: SHOP, body, secret: API_SECRET });

    const context = await shopify.authenticate.webhook(toWebhookRequest(WEBHOOK_URL, signed));

    expect(context.topic).toBe("ORDERS_CREATE");
    expect(context.shop).toBe(SHOP);
    expect(context.apiVersion).toBe("2026-10");
    expect(context.webhookId).toBe(signed.webhookId);
    expect(context.eventId).toBe(signed.eventId);
    expect(context.triggeredAt).toBe(signed.triggeredAt);
    const payload = context.payload as { admin_graphql_api_id: string; discount_codes: unknown[] };
    expect(payload.admin_graphql_api_id).toBe("gid://shopify/Order/820982911946154508");
    expect(payload.discount_codes).toEqual([{ code: "LOYAL-7KQ2", amount: "5.00", type: "fixed_amount" }]);
    // No offline session stored: the library hands back no admin client.
    expect(context.session).toBeUndefined();
  });

  it("GIVEN an installed shop WHEN a signed webhook arrives THEN the context carries its offline session", async () => {
    const { shopify, storage } = buildTestApp();
    await storage.storeSession(offlineSession());
    const signed = signWebhook({ topic: "app/uninstalled", shop: SHOP, body: serializeWebhookJson(buildShopPayload({ domain: SHOP })), secret: API_SECRET });

    const context = await shopify.authenticate.webhook(toWebhookRequest(`${APP_URL}/webhooks/app/uninstalled`, signed));

    expect(context.topic).toBe("APP_UNINSTALLED");
    expect(context.session?.id).toBe(`offline_${SHOP}`);
  });

  it("sends exactly Shopify's header set", () => {
    const signed = signWebhook({
      topic: "orders/create",
      shop: SHOP,
      body: "{}",
      secret: API_SECRET,
      webhookId: "545ebdd4-b7be-4d3d-b14e-54aa78e0e0f9",
      eventId: "59d6d79c-595f-4e7e-bc6f-72f5c3d0c66f",
      triggeredAt: new Date("2025-07-10T16:15:47.123Z"),
    });
    expect(signed.headers).toEqual({
      "Content-Type": "application/json",
      "User-Agent": SHOPIFY_WEBHOOK_USER_AGENT,
      "X-Shopify-Topic": "orders/create",
      "X-Shopify-Hmac-Sha256": hmacSha256Base64(API_SECRET, "{}"),
      "X-Shopify-Shop-Domain": SHOP,
      "X-Shopify-API-Version": "2026-10",
      "X-Shopify-Webhook-Id": "545ebdd4-b7be-4d3d-b14e-54aa78e0e0f9",
      "X-Shopify-Event-Id": "59d6d79c-595f-4e7e-bc6f-72f5c3d0c66f",
      "X-Shopify-Triggered-At": "2025-07-10T16:15:47.123000000Z",
    });
    expect(verifyWebhookHmac(API_SECRET, "{}", signed.headers["X-Shopify-Hmac-Sha256"])).toBe(true);
  });

  it("signs the UTF-8 bytes of the body (non-ASCII names survive)", async () => {
    const { shopify } = buildTestApp();
    const body = buildOrderWebhookBody({
      id: 1001n,
      customer: { id: 7, email: "zoë@example.com", first_name: "Zoë", last_name: "Ångström" },
      subtotal: "10.00",
    });
    const signed = signWebhook({ topic: "orders/create", shop: SHOP, body, secret: API_SECRET });
    const context = await shopify.authenticate.webhook(toWebhookRequest(WEBHOOK_URL, signed));
    expect((context.payload as { customer: { first_name: string } }).customer.first_name).toBe("Zoë");
  });

  it("GIVEN a body changed after signing THEN the library answers 401", async () => {
    const { shopify } = buildTestApp();
    const body = orderBody();
    const signed = signWebhook({
      topic: "orders/create",
      shop: SHOP,
      body,
      secret: API_SECRET,
      tamper: { kind: "modify-body", body: body.replace('"LOYAL-7KQ2"', '"LOYAL-XXXX"') },
    });
    const response = await thrownResponse(shopify.authenticate.webhook(toWebhookRequest(WEBHOOK_URL, signed)));
    expect(response.status).toBe(401);
  });

  it("GIVEN a webhook signed with another secret THEN the library answers 401", async () => {
    const { shopify } = buildTestApp();
    const signed = signWebhook({ topic: "orders/create", shop: SHOP, body: orderBody(), secret: API_SECRET, tamper: { kind: "wrong-secret" } });
    const response = await thrownResponse(shopify.authenticate.webhook(toWebhookRequest(WEBHOOK_URL, signed)));
    expect(response.status).toBe(401);
  });

  it.each(["X-Shopify-Webhook-Id", "X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-API-Version", "X-Shopify-Hmac-Sha256"])(
    "GIVEN the %s header is missing THEN the library answers 400",
    async (header) => {
      const { shopify } = buildTestApp();
      const signed = signWebhook({
        topic: "orders/create",
        shop: SHOP,
        body: orderBody(),
        secret: API_SECRET,
        tamper: { kind: "omit-headers", headers: [header] },
      });
      expect(Object.keys(signed.headers)).not.toContain(header);
      const response = await thrownResponse(shopify.authenticate.webhook(toWebhookRequest(WEBHOOK_URL, signed)));
      expect(response.status).toBe(400);
    },
  );

  it("GIVEN a GET THEN the library answers 405", async () => {
    const { shopify } = buildTestApp();
    const signed = signWebhook({ topic: "orders/create", shop: SHOP, body: "{}", secret: API_SECRET });
    const response = await thrownResponse(shopify.authenticate.webhook(new Request(WEBHOOK_URL, { method: "GET", headers: signed.headers })));
    expect(response.status).toBe(405);
  });
});
