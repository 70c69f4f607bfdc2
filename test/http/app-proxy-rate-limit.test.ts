// GIVEN the app started with PROXY_RATE_LIMIT_PER_MINUTE=3
// WHEN one signed-in customer keeps calling the storefront endpoints
// THEN the 4th call within the minute gets 429 with a JSON message and Retry-After, without touching
// anything; other customers and logged-out visitors are not affected.
import { beforeAll, describe, expect, it } from "vitest";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { TEST_APP } from "../support/constants";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import db from "~/db.server";

const SHOP = TEST_APP.shop;
const { emulator } = useShopifyEmulator();
// The emulator sends the signed storefront requests to the app; the limit is read by app/env.server.ts
// when the build is imported.
useRunningApp({ emulator, env: { PROXY_RATE_LIMIT_PER_MINUTE: "3" } });
let template: string;
const customers: Record<string, { id: string; numericId: string }> = {};

beforeAll(async () => {
  await installEmulatedShop(emulator);
  for (const name of ["Ada", "Bob"]) {
    const c = emulator.addCustomer(SHOP, { firstName: name });
    const row = await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: c.id, pointsBalance: 5000 } });
    customers[name] = { id: row.id, numericId: c.legacyId };
  }
  template = (
    await db.rewardTemplate.create({
      data: { shop: SHOP, name: "Free shipping", purpose: "POINTS_REDEMPTION", kind: "FREE_SHIPPING", value: "0", pointsCost: 100 },
    })
  ).id;
});

function get(path: string, customer: string | null) {
  return fetch(emulator.appProxyUrl(SHOP, path, customer), { headers: { "User-Agent": BROWSER_UA } });
}

describe("per-customer rate limit on the app proxy", () => {
  it("GIVEN Ada used her 3 requests THEN her 4th is 429 (also for redeem, which then changes nothing); Bob and guests still pass", async () => {
    const ada = customers.Ada!.numericId;
    expect((await get("/program", ada)).status).toBe(200);
    expect((await get("/customer", ada)).status).toBe(200);
    expect((await get("/customer", ada)).status).toBe(200);

    const limited = await get("/customer", ada);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(await limited.json()).toEqual({ error: { code: "rate_limited", message: expect.stringMatching(/wait a moment/i) } });

    const redeem = await fetch(emulator.appProxyUrl(SHOP, "/redeem", ada), {
      method: "POST",
      headers: { "User-Agent": BROWSER_UA, "Content-Type": "application/json" },
      body: JSON.stringify({ templateId: template, idempotencyKey: "rate-limit-test-key-0001" }),
    });
    expect(redeem.status).toBe(429);
    expect(await db.redemption.count()).toBe(0);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customers.Ada!.id } })).pointsBalance).toBe(5000);
    expect(emulator.store.listDiscounts(SHOP)).toHaveLength(0);

    // Another customer has their own window; guests only see public data and aren't counted.
    expect((await get("/customer", customers.Bob!.numericId)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await get("/program", null)).status).toBe(200);
  });

  it("GIVEN a request with a bad signature THEN it is refused (400) before it counts against anybody", async () => {
    const bob = customers.Bob!.numericId;
    for (let i = 0; i < 5; i++) {
      const res = await fetch(emulator.appProxyUrl(SHOP, "/customer", bob, { kind: "wrong-secret" }), { headers: { "User-Agent": BROWSER_UA } });
      expect(res.status).toBe(400);
    }
    // Bob made 1 request in the previous test: 2 left.
    expect((await get("/customer", bob)).status).toBe(200);
    expect((await get("/customer", bob)).status).toBe(200);
    expect((await get("/customer", bob)).status).toBe(429);
  });
});
