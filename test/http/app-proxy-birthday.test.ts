// POST /apps/loyalty/birthday through the signed app proxy: the signed-in customer's birthday is
// validated and stored (month and day only); the storefront customer view shows it back; the
// program's expiry date is shown as a warning.
import { beforeAll, describe, expect, it } from "vitest";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { TEST_APP } from "../support/constants";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import db from "~/db.server";

const SHOP = TEST_APP.shop;
const { emulator } = useShopifyEmulator();
useRunningApp({ emulator });

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
  // A shop that gives a birthday bonus: the only kind that asks for (and keeps) a birthday.
  await db.programSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, enabled: true, birthdayBonus: 50 }, update: { enabled: true, birthdayBonus: 50 } });
});

async function call(path: string, customerNumericId: string | null, init: RequestInit = {}) {
  const res = await fetch(emulator.appProxyUrl(SHOP, path, customerNumericId), { ...init, headers: { "User-Agent": BROWSER_UA, Accept: "application/json", ...(init.headers ?? {}) } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const post = (path: string, id: string | null, body: string, type = "application/json") => call(path, id, { method: "POST", body, headers: { "Content-Type": type } });

describe("storefront birthday", () => {
  it("stores a valid birthday (no year) and refuses anything else, for the signed customer only", async () => {
    const shopper = emulator.addCustomer(SHOP, { firstName: "Hedy", lastName: "Lamarr", email: "hedy@example.com" });
    expect((await post("/birthday", shopper.legacyId, JSON.stringify({ birthday: "1914-11-09" }))).body).toMatchObject({ birthday: "11-09" });
    const row = await db.customer.findUniqueOrThrow({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: shopper.id } } });
    expect(row.birthday).toBe("11-09");

    for (const bad of ['{"birthday":"02-30"}', '{"birthday":"tomorrow"}', "{}", "not json"]) {
      const res = await post("/birthday", shopper.legacyId, bad);
      expect(res.status, bad).toBe(400);
      expect((res.body.error as { code: string }).code).toBe("invalid_request");
    }
    expect((await post("/birthday", shopper.legacyId, "birthday=11-09", "application/x-www-form-urlencoded")).status).toBe(415);
    expect((await post("/birthday", null, JSON.stringify({ birthday: "01-01" }))).status).toBe(401);
    expect((await db.customer.findUniqueOrThrow({ where: { id: row.id } })).birthday).toBe("11-09");
  });

  it("GIVEN a full date whose year is still to come (next year's 05-01) THEN 400 invalid_request and nothing stored: no one is born in the future (was saved as 05-01)", async () => {
    const shopper = emulator.addCustomer(SHOP, { firstName: "Future", lastName: "Born", email: "future@example.com" });
    const res = await post("/birthday", shopper.legacyId, JSON.stringify({ birthday: `${new Date().getUTCFullYear() + 1}-05-01` }));
    expect(res.status).toBe(400);
    expect((res.body.error as { code: string }).code).toBe("invalid_request");
    const row = await db.customer.findUnique({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: shopper.id } } });
    expect(row?.birthday ?? null).toBeNull();
  });

  it("GIVEN a full date later this year (three days from now) THEN 400 invalid_request and nothing stored: a date still to come is no one's birth date (was saved)", async () => {
    const shopper = emulator.addCustomer(SHOP, { firstName: "Soon", lastName: "Born", email: "soon@example.com" });
    const res = await post("/birthday", shopper.legacyId, JSON.stringify({ birthday: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10) }));
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: "invalid_request", message: expect.stringMatching(/real date/i) });
    const row = await db.customer.findUnique({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: shopper.id } } });
    expect(row?.birthday ?? null).toBeNull();
  });

  it("is set once: the same date again is accepted, another date is refused and nothing changes", async () => {
    // GIVEN a customer who already told the shop their birthday
    const shopper = emulator.addCustomer(SHOP, { firstName: "Grace", lastName: "Hopper", email: "grace@example.com" });
    expect((await post("/birthday", shopper.legacyId, JSON.stringify({ birthday: "12-09" }))).status).toBe(200);
    // WHEN the same date is sent again (a retry), THEN it is accepted
    expect((await post("/birthday", shopper.legacyId, JSON.stringify({ birthday: "12-09" }))).body).toMatchObject({ birthday: "12-09" });
    // WHEN another date is sent, THEN it is refused with a clear message and the first one is kept
    const changed = await post("/birthday", shopper.legacyId, JSON.stringify({ birthday: "01-01" }));
    expect(changed.status).toBe(409);
    expect(changed.body.error).toMatchObject({ code: "birthday_already_set", message: expect.stringContaining("already saved") });
    const row = await db.customer.findUniqueOrThrow({ where: { shop_shopifyCustomerId: { shop: SHOP, shopifyCustomerId: shopper.id } } });
    expect(row.birthday).toBe("12-09");
  });

  it("the customer view shows the birthday, pending points and the date points expire", async () => {
    const shopper = emulator.addCustomer(SHOP, { firstName: "Tim", lastName: "Berners-Lee", email: "tim@example.com" });
    await db.programSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, enabled: true, birthdayBonus: 50, expiryMonths: 6 }, update: { enabled: true, expiryMonths: 6 } });
    await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: shopper.id, pointsBalance: 10, lastActivityAt: new Date("2026-01-10T00:00:00Z"), birthday: "06-08" } });
    const view = await call("/customer", shopper.legacyId);
    expect(view.body).toMatchObject({ pointsBalance: 10, pendingPoints: 0, birthday: "06-08", pointsExpireAt: "2026-07-10T00:00:00.000Z" });
  });

  it.each([
    ["the points program is off (with a bonus amount kept from before)", { enabled: false, birthdayBonus: 50 }],
    ["the program is on without a birthday bonus", { enabled: true, birthdayBonus: 0 }],
  ])("GIVEN %s WHEN a customer sends a birthday (a stale page, or a direct call) THEN 409 birthday_bonus_off with a clear message, nothing stored, and the program tells the widget not to ask", async (_label, settings) => {
    const shop = `no-birthday-${settings.enabled ? "on" : "off"}.myshopify.com`;
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    await db.programSettings.create({ data: { shop, ...settings } });
    const shopper = emulator.addCustomer(shop, { firstName: "No", lastName: "Bonus", email: `nobonus-${settings.enabled}@example.com` });
    const res = await fetch(emulator.appProxyUrl(shop, "/birthday", shopper.legacyId), {
      method: "POST",
      headers: { "User-Agent": BROWSER_UA, Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ birthday: "05-01" }),
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: "birthday_bonus_off", message: expect.stringMatching(/doesn't give a birthday bonus/) } });
    const row = await db.customer.findUnique({ where: { shop_shopifyCustomerId: { shop, shopifyCustomerId: shopper.id } } });
    expect(row?.birthday ?? null).toBeNull();
    const program = await fetch(emulator.appProxyUrl(shop, "/program", shopper.legacyId), { headers: { "User-Agent": BROWSER_UA } });
    expect(((await program.json()) as { points: { birthdayBonus: number } }).points.birthdayBonus).toBe(0);
  });
});
