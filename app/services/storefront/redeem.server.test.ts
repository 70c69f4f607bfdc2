// How the storefront answers what the redeem use-case returns (the use-case itself is injected):
// success → only customer-safe fields; a final failure → its code and message; a redemption that is
// still open → "redemption_pending", so the browser keeps its idempotency key and resumes it.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import type { RedeemResult } from "~/services/rewards/redeem-points.server";
import { parseRedeemBody, redeemForStorefront, type RedeemRunner } from "./redeem.server";

const SHOP = "redeem-adapter.myshopify.com";
const KEY = "0123456789abcdef0123456789abcdef";

async function customerWithRedemption(state: string | null) {
  const customer = await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: `gid://shopify/Customer/${Date.now()}${Math.random().toString().slice(2, 6)}` } });
  const key = `${KEY}-${customer.id}`;
  if (state) {
    await db.redemption.create({
      data: { shop: SHOP, customerId: customer.id, idempotencyKey: key, templateId: "t1", code: "CODE", state, leaseUntil: new Date() },
    });
  }
  return { customer, key };
}

const failing = (code: string, retryable = true): RedeemRunner => async () =>
  ({ ok: false, error: { code, message: `message for ${code}`, reason: code, retryable } }) as RedeemResult;

describe("redeemForStorefront", () => {
  it("GIVEN success THEN the reward in the storefront shape (no shop, customer or Shopify ids) and the new balance", async () => {
    const { customer, key } = await customerWithRedemption(null);
    const issuedAt = new Date("2026-11-01T00:00:00Z");
    const run: RedeemRunner = async (input) => ({
      ok: true,
      replayed: false,
      reward: {
        id: "r1",
        shop: input.shop,
        customerId: customer.id,
        customerGid: input.customerGid,
        source: "POINTS_REDEMPTION",
        kind: "PERCENTAGE",
        status: "ISSUED",
        value: "10",
        currency: "EUR",
        title: "10% off",
        code: "TENOFF-ABC",
        shopifyId: "gid://shopify/DiscountCodeNode/1",
        failureCode: null,
        failureMessage: null,
        attempts: 1,
        expiresAt: null,
        issuedAt,
        canceledAt: null,
        pointsSpent: 100,
        createdAt: issuedAt,
        pointsBalance: 50,
      },
    });
    const outcome = await redeemForStorefront(db, { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: "t1", idempotencyKey: key, graphql: undefined }, run);
    expect(outcome).toEqual({
      ok: true,
      pointsBalance: 50,
      replayed: false,
      reward: { id: "r1", title: "10% off", kind: "PERCENTAGE", value: "10", currency: "EUR", code: "TENOFF-ABC", usesCode: true, status: "ISSUED", expiresAt: null, issuedAt: issuedAt.toISOString(), usedAt: null, balance: null, spent: false },
    });
  });

  it.each([
    ["insufficient_points", true, 409],
    ["reward_unavailable", false, 404],
    ["shopify_error", true, 503],
    ["shopify_error", false, 422],
    ["gift_cards_unavailable", false, 422],
  ])("GIVEN a final %s (retryable %s) THEN HTTP %s with the use-case's code and message", async (code, retryable, status) => {
    const { customer, key } = await customerWithRedemption("FAILED");
    const outcome = await redeemForStorefront(db, { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: "t1", idempotencyKey: key, graphql: undefined }, failing(code, retryable));
    expect(outcome).toEqual({ ok: false, error: { status, code, message: `message for ${code}` } });
  });

  it("GIVEN the redemption is still IN_PROGRESS (running elsewhere, or left to resume) THEN redemption_pending: retry with the same key", async () => {
    const { customer, key } = await customerWithRedemption("IN_PROGRESS");
    const outcome = await redeemForStorefront(db, { shop: SHOP, customerGid: customer.shopifyCustomerId, templateId: "t1", idempotencyKey: key, graphql: undefined }, failing("shopify_error"));
    expect(outcome).toEqual({ ok: false, error: { status: 503, code: "redemption_pending", message: "message for shopify_error" } });
  });

  it("passes the signed customer and the body's option and key to the use-case, nothing else", async () => {
    const calls: unknown[] = [];
    const run: RedeemRunner = async (input) => {
      calls.push(input);
      return failing("reward_unavailable", false)(input, undefined);
    };
    await redeemForStorefront(db, { shop: SHOP, customerGid: "gid://shopify/Customer/7", templateId: "t9", idempotencyKey: KEY, graphql: undefined }, run);
    expect(calls).toEqual([{ shop: SHOP, customerGid: "gid://shopify/Customer/7", templateId: "t9", idempotencyKey: KEY }]);
  });
});

describe("parseRedeemBody", () => {
  const post = (body: string, type = "application/json") => new Request("https://app.test/apps-proxy/redeem", { method: "POST", headers: { "content-type": type }, body });

  it("keeps templateId and idempotencyKey and drops everything else (customer ids included)", async () => {
    const parsed = await parseRedeemBody(post(JSON.stringify({ templateId: " t1 ", idempotencyKey: KEY, customer_id: "42", customerGid: "gid://shopify/Customer/42" })));
    expect(parsed).toEqual({ ok: true, body: { templateId: "t1", idempotencyKey: KEY } });
  });

  it.each([
    ["a form post", "templateId=t1", "application/x-www-form-urlencoded", 415],
    ["text/plain (a simple cross-site request)", JSON.stringify({ templateId: "t1", idempotencyKey: KEY }), "text/plain", 415],
    ["broken JSON", "{", "application/json", 400],
    ["a missing key", JSON.stringify({ templateId: "t1" }), "application/json", 400],
    ["a key with spaces", JSON.stringify({ templateId: "t1", idempotencyKey: "has spaces in it, see" }), "application/json", 400],
    ["a huge body", JSON.stringify({ templateId: "t1", idempotencyKey: KEY, pad: "x".repeat(5000) }), "application/json", 413],
  ])("refuses %s", async (_label, body, type, status) => {
    const parsed = await parseRedeemBody(post(body, type));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.status).toBe(status);
  });
});
