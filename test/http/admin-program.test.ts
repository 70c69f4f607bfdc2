// The Program settings page and the manual points adjustment through the production build over
// real HTTP, authenticated as App Bridge does it (Bearer session token, Remix data requests):
// field validation errors, saving, the points history rows and who made an adjustment.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { PROGRAM_SETTINGS_FORM, TEST_APP } from "../support/constants";
import { createCustomer } from "../support/factories";

const { emulator } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
const PROGRAM = "routes/app.program";
const PROFILE = "routes/app.customers.$id";
const app = useRunningApp({ emulator });

function request(path: string, route: string, init: RequestInit = {}) {
  const url = new URL(path, app.url);
  url.searchParams.set("_data", route);
  return fetch(url, { ...init, headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(SHOP)}`, ...(init.headers ?? {}) } });
}
const post = (path: string, route: string, form: Record<string, string>) => request(path, route, { method: "POST", body: new URLSearchParams(form) });

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
});

const valid = PROGRAM_SETTINGS_FORM;

describe("Program settings", () => {
  it("shows the defaults of a shop that never saved them: the program is off", async () => {
    await db.programSettings.deleteMany({ where: { shop: SHOP } });
    const res = await request("/app/program", PROGRAM);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { values: Record<string, string> };
    expect(body.values).toMatchObject({ enabled: "", pointsNamePlural: "points", pointsPerCurrencyUnit: "1", rounding: "DOWN", pendingDays: "0" });
  });

  it("refuses invalid fields with one message per field and saves nothing", async () => {
    const res = await post("/app/program", PROGRAM, { ...valid, pointsNamePlural: "", pointsPerCurrencyUnit: "-1", pendingDays: "400" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { ok: boolean; errors: Record<string, string> };
    expect(body.ok).toBe(false);
    expect(Object.keys(body.errors).sort()).toEqual(["pendingDays", "pointsNamePlural", "pointsPerCurrencyUnit"]);
    expect(body.errors.pendingDays).toContain("0 to 365");
    expect(await db.programSettings.findUnique({ where: { shop: SHOP } })).toBeNull();
  });

  it("saves valid settings and answers with the saved values (the toast's message)", async () => {
    const res = await post("/app/program", PROGRAM, valid);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, message: "Program settings saved" });
    expect(await db.programSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({
      enabled: true,
      pointsNamePlural: "stars",
      pointsPerCurrencyUnit: "2",
      includeShipping: false,
      includeTaxes: true,
      rounding: "NEAREST",
      pendingDays: 14,
      expiryMonths: null,
      signupBonus: 50,
      birthdayBonus: 100,
    });
    const reloaded = (await (await request("/app/program", PROGRAM)).json()) as { values: Record<string, string> };
    expect(reloaded.values).toMatchObject({ enabled: "on", pointsNamePlural: "stars", includeTaxes: "on", pendingDays: "14" });
  });

  it("GIVEN the form without its rounding field THEN 400 naming it and the stored rounding kept (it was saved as 'down', a choice the merchant never made)", async () => {
    const { rounding: _omitted, ...withoutRounding } = valid;
    expect((await post("/app/program", PROGRAM, valid)).status).toBe(200);
    const before = await db.programSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(before.rounding).toBe("NEAREST");
    const res = await post("/app/program", PROGRAM, withoutRounding);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Record<string, string> }).errors).toEqual({ rounding: "Choose one of the options." });
    expect(await db.programSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toEqual(before);
  });
});

describe("manual points adjustments", () => {
  it("adds and removes points with a reason, audited with the staff user, shown in the points history", async () => {
    const c = await createCustomer(db, SHOP, { pointsBalance: 0 });
    const added = await post(`/app/customers/${c.id}`, PROFILE, { intent: "adjust-points", direction: "add", points: "120", reason: "Goodwill for a late parcel", requestKey: "adjust-key-0001" });
    expect(added.status).toBe(200);
    expect(await added.json()).toMatchObject({ ok: true, message: "Added 120 points", pointsBalance: 120 });
    // A repeated submission (same key) adds nothing.
    await post(`/app/customers/${c.id}`, PROFILE, { intent: "adjust-points", direction: "add", points: "120", reason: "Goodwill for a late parcel", requestKey: "adjust-key-0001" });
    const removed = await post(`/app/customers/${c.id}`, PROFILE, { intent: "adjust-points", direction: "remove", points: "20", reason: "Duplicate goodwill" });
    expect(await removed.json()).toMatchObject({ ok: true, pointsBalance: 100 });

    const history = (await (await request(`/app/customers/${c.id}?tab=points`, PROFILE)).json()) as { points: { items: Array<Record<string, unknown>> } };
    expect(history.points.items.map((r) => [r.delta, r.reasonLabel, r.note, r.actor, r.actorId])).toEqual([
      [-20, "Adjustment by the shop", "Duplicate goodwill", "MERCHANT", "1"],
      [120, "Adjustment by the shop", "Goodwill for a late parcel", "MERCHANT", "1"],
    ]);
  });

  it("requires a reason and a positive whole number, and never removes more than the customer has", async () => {
    const c = await createCustomer(db, SHOP, { pointsBalance: 0 });
    const bad = await post(`/app/customers/${c.id}`, PROFILE, { intent: "adjust-points", direction: "add", points: "1.5", reason: " " });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { fields: Record<string, string> };
    expect(Object.keys(body.fields).sort()).toEqual(["points", "reason"]);
    const tooMuch = await post(`/app/customers/${c.id}`, PROFILE, { intent: "adjust-points", direction: "remove", points: "5", reason: "Oops" });
    expect(tooMuch.status).toBe(400);
    expect(((await tooMuch.json()) as { message: string }).message).toContain("only 0 spendable points");
    expect(await db.pointsTransaction.count({ where: { customerId: c.id } })).toBe(0);
  });

  it("GIVEN a customer near the most points a balance can hold WHEN points are added past it THEN 400 naming the limit (not a 500), nothing written", async () => {
    const c = await createCustomer(db, SHOP, { pointsBalance: 2_147_000_000 });
    const res = await post(`/app/customers/${c.id}`, PROFILE, { intent: "adjust-points", direction: "add", points: "1000000", reason: "Too generous" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string; fields: Record<string, string> };
    expect(body.message).toContain("2,147,483,647");
    expect(Object.keys(body.fields)).toEqual(["points"]);
    expect(await db.pointsTransaction.count({ where: { customerId: c.id } })).toBe(0);
    expect((await db.customer.findUniqueOrThrow({ where: { id: c.id } })).pointsBalance).toBe(2_147_000_000);
  });
});
