import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  buildCustomersDataRequestPayload,
  buildCustomersRedactPayload,
  buildDiscountPayload,
  buildOrderPayload,
  buildOrderWebhookBody,
  buildShopPayload,
  buildShopRedactPayload,
  serializeWebhookJson,
  toShopifyId,
  type EmulatedOrder,
} from "../../src/order-payload";

// Shopify's orders/create sample payload (https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-orders/create),
// read only here, to check the emulator's hand-written structure against it.
const FIXTURE = path.join(import.meta.dirname, "..", "fixtures", "orders-create.sample.json");

const BIG_ORDER_ID = "820982911946154508";

const baseOrder: EmulatedOrder = {
  id: BIG_ORDER_ID,
  shop: "loyalty-emulator.myshopify.com",
  orderNumber: 1071,
  customer: { id: "gid://shopify/Customer/115310627314723954", email: "jon@example.com", first_name: "Jon", last_name: "Doe" },
  discountCodes: [{ code: "LOYAL-10PCT", type: "percentage", amount: "10.00" }],
  subtotal: "100.00",
  currency: "USD",
  createdAt: new Date("2026-10-02T12:00:00Z"),
};

describe("buildOrderPayload", () => {
  it("has the same top-level keys, in the same order, as Shopify's sample", () => {
    const sample = JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, unknown>;
    expect(Object.keys(buildOrderPayload(baseOrder))).toEqual(Object.keys(sample));
    expect(Object.keys(buildOrderPayload({ ...baseOrder, customer: null }))).toEqual(Object.keys(sample));
  });

  it("shapes customer, address, line item, shipping line and money objects like the sample", () => {
    const sample = JSON.parse(readFileSync(FIXTURE, "utf8")) as {
      customer: Record<string, unknown> & { default_address: Record<string, unknown> };
      billing_address: Record<string, unknown>;
      shipping_address: Record<string, unknown>;
      line_items: Array<Record<string, unknown>>;
      shipping_lines: Array<Record<string, unknown>>;
      total_price_set: Record<string, Record<string, unknown>>;
    };
    const payload = buildOrderPayload({ ...baseOrder, shipping: "10.00" });
    expect(Object.keys(payload.customer!)).toEqual(Object.keys(sample.customer));
    expect(Object.keys(payload.customer!.default_address as object)).toEqual(Object.keys(sample.customer.default_address));
    expect(Object.keys(payload.billing_address!)).toEqual(Object.keys(sample.billing_address));
    expect(Object.keys(payload.shipping_address!)).toEqual(Object.keys(sample.shipping_address));
    expect(Object.keys(payload.line_items[0]!)).toEqual(Object.keys(sample.line_items[0]!));
    expect(Object.keys(payload.shipping_lines[0]!)).toEqual(Object.keys(sample.shipping_lines[0]!));
    expect(Object.keys(payload.total_price_set.shop_money)).toEqual(Object.keys(sample.total_price_set.shop_money));
  });

  it("writes an id above 2^53 as its exact digits in the raw body", () => {
    const body = buildOrderWebhookBody(baseOrder);
    expect(body.startsWith(`{"id":${BIG_ORDER_ID},`)).toBe(true);
    expect(body).toContain(`"admin_graphql_api_id":"gid:\\/\\/shopify\\/Order\\/${BIG_ORDER_ID}"`);
    expect(body).toContain(`"customer":{"id":115310627314723954,`);
    // The trap the app must avoid: JSON.parse rounds the number, the GID stays exact.
    const parsed = JSON.parse(body) as { id: number; admin_graphql_api_id: string };
    expect(String(parsed.id)).not.toBe(BIG_ORDER_ID);
    expect(parsed.admin_graphql_api_id.split("/").pop()).toBe(BIG_ORDER_ID);
  });

  it("accepts the id as a bigint too", () => {
    expect(buildOrderPayload({ ...baseOrder, id: 820982911946154508n }).id).toBe(820982911946154508n);
    expect(() => buildOrderPayload({ ...baseOrder, id: Number(BIG_ORDER_ID) })).toThrow(/safe integer/);
  });

  it("guest checkout: customer is null, email comes from the checkout", () => {
    const payload = buildOrderPayload({ ...baseOrder, customer: null, email: "guest@example.com" });
    expect(payload.customer).toBeNull();
    expect(payload.email).toBe("guest@example.com");
    expect(payload.contact_email).toBe("guest@example.com");
    expect(serializeWebhookJson(payload)).toContain('"customer":null');
  });

  it("customer: numeric id from a GID, plus its admin_graphql_api_id", () => {
    const payload = buildOrderPayload(baseOrder);
    expect(payload.customer?.id).toBe(115310627314723954n);
    expect(payload.customer?.admin_graphql_api_id).toBe("gid://shopify/Customer/115310627314723954");
    expect(payload.email).toBe("jon@example.com");
  });

  it("checkout code: discount_codes, a discount_code application, allocations and totals agree", () => {
    const payload = buildOrderPayload({ ...baseOrder, shipping: "5.00" });
    expect(payload.discount_codes).toEqual([{ code: "LOYAL-10PCT", amount: "10.00", type: "percentage" }]);
    expect(payload.discount_applications).toEqual([
      {
        target_type: "line_item",
        type: "discount_code",
        value: "10.0",
        value_type: "percentage",
        allocation_method: "across",
        target_selection: "all",
        code: "LOYAL-10PCT",
      },
    ]);
    const allocated = payload.line_items
      .flatMap((li) => li.discount_allocations)
      .reduce((sum, a) => sum + Math.round(Number(a.amount) * 100), 0);
    expect(allocated).toBe(1000);
    expect(payload.line_items.every((li) => li.discount_allocations.every((a) => a.discount_application_index === 0))).toBe(true);
    expect(payload.total_line_items_price).toBe("100.00");
    expect(payload.total_discounts).toBe("10.00");
    expect(payload.subtotal_price).toBe("90.00");
    expect(payload.total_price).toBe("95.00");
    expect(payload.source_name).toBe("web");
    expect(payload.financial_status).toBe("paid");
  });

  it("fixed-amount code: a fixed_amount application of the amount", () => {
    const payload = buildOrderPayload({ ...baseOrder, discountCodes: [{ code: "LOYAL-5OFF", type: "fixed_amount", amount: "5" }] });
    expect(payload.discount_codes).toEqual([{ code: "LOYAL-5OFF", amount: "5.00", type: "fixed_amount" }]);
    expect(payload.discount_applications[0]).toMatchObject({ type: "discount_code", code: "LOYAL-5OFF", value: "5.0", value_type: "fixed_amount" });
    expect(payload.total_price).toBe("95.00");
  });

  it("a cancelled order carries cancelled_at (which the app checks)", () => {
    const payload = buildOrderPayload({ ...baseOrder, cancelledAt: new Date("2026-10-03T08:00:00Z") });
    expect(payload.cancelled_at).toBe("2026-10-03T08:00:00+00:00");
    expect(payload.cancel_reason).toBe("customer");
    expect(buildOrderPayload(baseOrder).cancelled_at).toBeNull();
  });

  it("free-shipping code: type shipping, allocated to the shipping line", () => {
    const payload = buildOrderPayload({ ...baseOrder, shipping: "8.00", discountCodes: [{ code: "SHIPFREE", type: "shipping", amount: "8.00" }] });
    expect(payload.discount_codes).toEqual([{ code: "SHIPFREE", amount: "8.00", type: "shipping" }]);
    expect(payload.discount_applications[0]).toMatchObject({ target_type: "shipping_line", value_type: "percentage", value: "100.0" });
    expect(payload.shipping_lines[0]?.discount_allocations[0]?.amount).toBe("8.00");
    expect(payload.shipping_lines[0]?.discounted_price).toBe("0.00");
    expect(payload.total_price).toBe("100.00");
  });

  it("GIVEN an order paid with the bogus gateway and no explicit test flag THEN test: true (Shopify's test orders)", () => {
    expect(buildOrderPayload({ ...baseOrder, gatewayNames: ["bogus"] }).test).toBe(true);
    expect(buildOrderPayload({ ...baseOrder, gatewayNames: ["gift_card", "bogus"] }).test).toBe(true);
    expect(buildOrderPayload({ ...baseOrder, gatewayNames: ["shopify_payments"] }).test).toBe(false);
  });

  it("gift card payment, POS or draft-order source and test order pass through", () => {
    const payload = buildOrderPayload({ ...baseOrder, sourceName: "pos", test: true, paidWithGiftCard: true, discountCodes: [] });
    expect(payload.payment_gateway_names).toEqual(["gift_card", "bogus"]);
    expect(payload.source_name).toBe("pos");
    expect(payload.test).toBe(true);
    expect(payload.financial_status).toBe("paid");
    expect(payload.total_outstanding).toBe("0.00");
    expect(buildOrderPayload({ ...baseOrder, sourceName: "shopify_draft_order" }).source_name).toBe("shopify_draft_order");
    expect(buildOrderPayload({ ...baseOrder, gatewayNames: ["manual"] }).payment_gateway_names).toEqual(["manual"]);
  });

  it("formats timestamps like Shopify (offset, no fraction) and names the order", () => {
    const payload = buildOrderPayload(baseOrder);
    expect(payload.created_at).toBe("2026-10-02T12:00:00+00:00");
    expect(buildOrderPayload({ ...baseOrder, createdAt: "2026-10-02T12:00:00.000Z" }).created_at).toBe("2026-10-02T12:00:00+00:00");
    expect(buildOrderPayload({ ...baseOrder, createdAt: "2021-12-31T19:00:00-05:00" }).created_at).toBe("2021-12-31T19:00:00-05:00");
    expect(payload.name).toBe("#1071");
    expect(payload.order_number).toBe(1071);
    expect(payload.number).toBe(71);
  });

  it("is deterministic for the same input", () => {
    expect(buildOrderWebhookBody(baseOrder)).toBe(buildOrderWebhookBody(baseOrder));
  });
});

describe("other topics", () => {
  it("discounts/create and discounts/update: {admin_graphql_api_id, title, status, created_at, updated_at}", () => {
    const payload = buildDiscountPayload("discounts/update", {
      id: "gid://shopify/DiscountCodeNode/1057371234",
      title: "Loyalty reward LOYAL-7KQ2",
      status: "EXPIRED",
      createdAt: new Date("2026-10-01T10:00:00Z"),
      updatedAt: new Date("2026-10-02T10:00:00Z"),
    });
    expect(payload).toEqual({
      admin_graphql_api_id: "gid://shopify/DiscountCodeNode/1057371234",
      title: "Loyalty reward LOYAL-7KQ2",
      status: "EXPIRED",
      created_at: "2026-10-01T10:00:00+00:00",
      updated_at: "2026-10-02T10:00:00+00:00",
    });
    expect(Object.keys(buildDiscountPayload("discounts/create", { id: 5, title: "x" }))).toEqual([
      "admin_graphql_api_id",
      "title",
      "status",
      "created_at",
      "updated_at",
    ]);
  });

  it("discounts/delete: {admin_graphql_api_id, deleted_at}", () => {
    expect(buildDiscountPayload("discounts/delete", { id: 1057371234, deletedAt: new Date("2026-10-03T00:00:00Z") })).toEqual({
      admin_graphql_api_id: "gid://shopify/DiscountCodeNode/1057371234",
      deleted_at: "2026-10-03T00:00:00+00:00",
    });
  });

  it("app/uninstalled: the shop object with the keys of Shopify's sample", () => {
    const payload = buildShopPayload({ domain: "loyalty-emulator.myshopify.com", id: 548380009 });
    // Keys of the app/uninstalled sample on shopify.dev/docs/api/webhooks.
    expect(Object.keys(payload)).toEqual(
      "id name email domain province country address1 zip city source phone latitude longitude primary_locale address2 created_at updated_at country_code country_name currency customer_email timezone iana_timezone shop_owner money_format money_with_currency_format weight_unit province_code taxes_included auto_configure_tax_inclusivity tax_shipping county_taxes plan_display_name plan_name has_discounts has_gift_cards myshopify_domain google_apps_domain google_apps_login_enabled money_in_emails_format money_with_currency_in_emails_format eligible_for_payments requires_extra_payments_agreement password_enabled has_storefront finances primary_location_id checkout_api_supported multi_location_enabled setup_required pre_launch_enabled enabled_presentment_currencies marketing_sms_consent_enabled_at_checkout transactional_sms_disabled".split(
        " ",
      ),
    );
    expect(payload.myshopify_domain).toBe("loyalty-emulator.myshopify.com");
    expect(serializeWebhookJson(payload)).toContain('"money_format":"${{amount}}"');
  });

  it("compliance topics serialise with exact ids", () => {
    const shop = { shopId: 954889, shopDomain: "loyalty-emulator.myshopify.com" };
    const customer = { id: "115310627314723954", email: "john@example.com", phone: "555-625-1199" };
    expect(
      serializeWebhookJson(buildCustomersDataRequestPayload({ ...shop, customer, ordersRequested: [BIG_ORDER_ID], dataRequestId: 9999 })),
    ).toBe(
      `{"shop_id":954889,"shop_domain":"loyalty-emulator.myshopify.com","orders_requested":[${BIG_ORDER_ID}],"customer":{"id":115310627314723954,"email":"john@example.com","phone":"555-625-1199"},"data_request":{"id":9999}}`,
    );
    expect(serializeWebhookJson(buildCustomersRedactPayload({ ...shop, customer, ordersToRedact: [299938n] }))).toBe(
      `{"shop_id":954889,"shop_domain":"loyalty-emulator.myshopify.com","customer":{"id":115310627314723954,"email":"john@example.com","phone":"555-625-1199"},"orders_to_redact":[299938]}`,
    );
    expect(serializeWebhookJson(buildShopRedactPayload(shop))).toBe(`{"shop_id":954889,"shop_domain":"loyalty-emulator.myshopify.com"}`);
  });
});

describe("serializeWebhookJson", () => {
  it("matches JSON.stringify for ordinary values and writes bigints as digits", () => {
    const plain = { a: 1, b: "x\"y\n", c: [true, null, 1.5], d: { e: undefined, f: "é" } };
    expect(serializeWebhookJson(plain)).toBe(JSON.stringify(plain));
    expect(serializeWebhookJson({ ids: [12345678901234567890n] })).toBe('{"ids":[12345678901234567890]}');
  });

  it("escapes \"/\", \"<\", \">\" and \"&\" in strings as Shopify's raw webhook bodies do, and the result parses back", () => {
    // GIVEN strings with a gid, a URL and HTML, in keys and values
    const value = { "a/b": "gid://shopify/Order/1", url: "https://x.myshopify.com/o?key=1&v=2", html: "<p>Tom & Jerry</p>", d: new Date("2026-01-02T03:04:05Z") };
    // WHEN serialised for a webhook body
    const body = serializeWebhookJson(value);
    // THEN the bytes are Shopify's spelling, and JSON readers see the same values
    expect(body).toBe(
      String.raw`{"a\/b":"gid:\/\/shopify\/Order\/1","url":"https:\/\/x.myshopify.com\/o?key=1\u0026v=2","html":"\u003cp\u003eTom \u0026 Jerry\u003c\/p\u003e","d":"2026-01-02T03:04:05.000Z"}`,
    );
    expect(JSON.parse(body)).toEqual({ ...value, d: "2026-01-02T03:04:05.000Z" });
    expect(serializeWebhookJson("a\\/")).toBe(String.raw`"a\\\/"`);
  });

  it("toShopifyId accepts GIDs of the right resource only", () => {
    expect(toShopifyId("gid://shopify/Order/5", "Order")).toBe(5n);
    expect(() => toShopifyId("gid://shopify/Customer/5", "Order")).toThrow(/Expected a Order id/);
  });
});
