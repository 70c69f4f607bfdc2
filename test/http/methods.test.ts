// GIVEN the production build on a real port (server/app-handler.mjs) and the Shopify emulator
// WHEN a request uses a method its path does not take — anything but GET/HEAD on a loader, anything
//      but POST on an action (Remix would run an action for PUT, PATCH and DELETE too)
// THEN 405 with `Allow` and a sentence, before any session, signature or customer check: the
//      storefront's `{ error: { code, message } }` on the app proxy's paths, the admin's
//      `{ ok: false, message }` anywhere else, and nothing is read or written
//      (the rule: app/http-methods.server.ts; the answer: app/entry.server.tsx methodRefusals).
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { PROGRAM_SETTINGS_FORM, TEST_APP } from "../support/constants";

const { emulator } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
const app = useRunningApp({ emulator });

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
});

const admin = () => ({ "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(SHOP)}` });
const FORM = { "Content-Type": "application/x-www-form-urlencoded" };

async function expectAdminRefusal(res: Response, method: string, allow: string) {
  expect(res.status).toBe(405);
  expect(res.headers.get("allow")).toBe(allow);
  expect(await res.json()).toEqual({ ok: false, message: expect.stringContaining(`doesn't take a ${method} request`) });
}

async function expectStorefrontRefusal(res: Response, allow: string) {
  expect(res.status).toBe(405);
  expect(res.headers.get("allow")).toBe(allow);
  expect(res.headers.get("cache-control")).toBe("private, no-store");
  expect(await res.json()).toEqual({ error: { code: "method_not_allowed", message: expect.stringMatching(/doesn't take a \w+ request/) } });
}

describe("admin actions take POST only", () => {
  it("GIVEN PUT /app/program with a valid settings form and a valid session token THEN 405, the settings are not saved", async () => {
    await db.programSettings.deleteMany({ where: { shop: SHOP } });
    const res = await fetch(new URL("/app/program?_data=routes%2Fapp.program", app.url), {
      method: "PUT",
      headers: { ...admin(), ...FORM },
      body: new URLSearchParams({ ...PROGRAM_SETTINGS_FORM, pointsNameSingular: "comet" }),
    });
    await expectAdminRefusal(res, "PUT", "GET, HEAD, POST");
    expect(await db.programSettings.findUnique({ where: { shop: SHOP } })).toBeNull();
  });

  it("GIVEN PUT /app/program as a document request (no `_data`) THEN 405 too, nothing saved", async () => {
    await db.programSettings.deleteMany({ where: { shop: SHOP } });
    const res = await fetch(new URL("/app/program", app.url), { method: "PUT", headers: { ...admin(), ...FORM }, body: new URLSearchParams(PROGRAM_SETTINGS_FORM) });
    await expectAdminRefusal(res, "PUT", "GET, HEAD, POST");
    expect(await db.programSettings.findUnique({ where: { shop: SHOP } })).toBeNull();
  });

  it("GIVEN DELETE /app/rewards without an intent THEN 405, not a 404 saying the reward doesn't exist", async () => {
    const res = await fetch(new URL("/app/rewards?_data=routes%2Fapp.rewards", app.url), { method: "DELETE", headers: admin() });
    await expectAdminRefusal(res, "DELETE", "GET, HEAD, POST");
  });

  it("GIVEN PATCH /app/vip without any session token THEN 405 before authentication (not the login redirect)", async () => {
    const res = await fetch(new URL("/app/vip", app.url), { method: "PATCH", redirect: "manual", headers: { "User-Agent": BROWSER_UA, ...FORM }, body: "intent=program" });
    await expectAdminRefusal(res, "PATCH", "GET, HEAD, POST");
  });

  it.each([
    ["POST /app/scopes refreshes scopes; GET", "GET", "/app/scopes", "POST"],
    ["the rewards CSV is a download; POST", "POST", "/app/rewards.csv", "GET, HEAD"],
    ["a privacy request's JSON is a download; DELETE", "DELETE", "/app/privacy/requests/1.json", "GET, HEAD"],
    ["OPTIONS (no cross-origin caller needs a preflight)", "OPTIONS", "/app", "GET, HEAD"],
    ["PROPFIND", "PROPFIND", "/app/customers", "GET, HEAD"],
  ])("GIVEN %s THEN 405 with the methods the path takes", async (_name, method, path, allow) => {
    const res = await fetch(new URL(path, app.url), { method, redirect: "manual", headers: admin() });
    await expectAdminRefusal(res, method, allow);
  });

  it("GIVEN POST /app?index (an index page without an action) THEN 405; GET and HEAD of the page are not refused", async () => {
    const post = await fetch(new URL("/app?index&_data=routes%2Fapp._index", app.url), { method: "POST", headers: { ...admin(), ...FORM }, body: "a=1" });
    await expectAdminRefusal(post, "POST", "GET, HEAD");
    for (const method of ["GET", "HEAD"]) {
      const res = await fetch(new URL("/app?_data=routes%2Fapp._index", app.url), { method, headers: admin() });
      expect(res.status).toBe(200);
    }
  });
});

describe("the storefront (app proxy): a loader's path takes GET and HEAD, an action's POST", () => {
  it("GIVEN a signed DELETE /apps-proxy/redeem from a logged-out shopper THEN 405, not 401 'not signed in'", async () => {
    const res = await fetch(emulator.appProxyUrl(SHOP, "/redeem", null), { method: "DELETE", headers: { "User-Agent": BROWSER_UA } });
    await expectStorefrontRefusal(res, "POST");
  });

  it.each([
    ["PUT", "/birthday", "POST"],
    ["GET", "/referral-click", "POST"],
    ["PATCH", "/referral-claim", "POST"],
    ["POST", "/program", "GET, HEAD"],
    ["DELETE", "/customer", "GET, HEAD"],
    ["POST", "/referral-link", "GET, HEAD"],
  ])("GIVEN a signed %s %s THEN the storefront's 405 with Allow: %s", async (method, path, allow) => {
    const res = await fetch(emulator.appProxyUrl(SHOP, path, null), { method, headers: { "User-Agent": BROWSER_UA, "Content-Type": "application/json" }, body: method === "GET" ? undefined : "{}" });
    await expectStorefrontRefusal(res, allow);
  });

  it("GIVEN an unsigned DELETE /apps-proxy/redeem THEN 405 too: the method is checked before the signature", async () => {
    const res = await fetch(new URL("/apps-proxy/redeem?shop=test-shop.myshopify.com", app.url), { method: "DELETE", headers: { "User-Agent": BROWSER_UA } });
    await expectStorefrontRefusal(res, "POST");
  });

  it("GIVEN any method on a path no storefront route serves THEN still the storefront's 404", async () => {
    const res = await fetch(emulator.appProxyUrl(SHOP, "/no-such-page", null), { method: "DELETE", headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
  });
});

describe("webhooks take POST only; OAuth's paths GET and HEAD; the login page GET, HEAD and POST", () => {
  it.each([["GET"], ["HEAD"], ["PUT"], ["DELETE"]])("GIVEN %s /webhooks/orders/create THEN 405 with Allow: POST and a sentence", async (method) => {
    const res = await fetch(new URL("/webhooks/orders/create", app.url), { method, headers: { "User-Agent": BROWSER_UA, "Content-Type": "application/json" }, body: ["GET", "HEAD"].includes(method) ? undefined : "{}" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    if (method === "HEAD") return;
    expect(await res.json()).toEqual({ ok: false, message: expect.stringContaining(`doesn't take a ${method} request`) });
  });

  it.each([["POST", "/auth/session-token", "GET, HEAD"], ["PUT", "/auth/callback", "GET, HEAD"], ["PUT", "/auth/login", "GET, HEAD, POST"], ["DELETE", "/", "GET, HEAD"]])(
    "GIVEN %s %s THEN 405 with Allow: %s",
    async (method, path, allow) => {
      const res = await fetch(new URL(path, app.url), { method, redirect: "manual", headers: { "User-Agent": BROWSER_UA, ...FORM }, body: "shop=test-shop" });
      await expectAdminRefusal(res, method, allow);
    },
  );

  it("GIVEN DELETE on a path no route serves THEN still 404", async () => {
    const res = await fetch(new URL("/no-such-page", app.url), { method: "DELETE", headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(404);
  });

  it("GIVEN POST or DELETE on a browser asset THEN 405 with Allow: GET, HEAD (it was the 404 of a path naming nothing)", async () => {
    for (const method of ["POST", "DELETE"]) {
      const res = await fetch(new URL("/robots.txt", app.url), { method, headers: { "User-Agent": BROWSER_UA, ...FORM }, body: "a=1" });
      await expectAdminRefusal(res, method, "GET, HEAD");
    }
  });
});
