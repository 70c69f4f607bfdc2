// GIVEN the production build on a real port and the emulator signing storefront requests as Shopify's
//       app proxy does (Shopify signs every query parameter of the storefront URL and forwards them)
// WHEN a storefront URL carries Remix's own query parameter `_data` — a shopper
//      or a crawler can add any query to https://{shop}/apps/loyalty/*
// THEN the app proxy answers as it does without them: the same signature check on the URL as sent,
//      the same endpoint, the storefront's JSON (`{error: {code, message}}` on failure) — never Remix's
//      data-request answers (`{"message":"Unexpected Server Error"}`, X-Remix-Error), and a correctly
//      signed request is never refused because Remix took a parameter out before the check.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";

const { emulator } = useShopifyEmulator();
const app = useRunningApp({ emulator });

beforeAll(async () => {
  await installEmulatedShop(emulator);
});
afterEach(() => vi.restoreAllMocks());

const INVALID_SIGNATURE = { error: { code: "invalid_signature", message: "This request didn't come through the shop's storefront. Please reload the page and try again." } };

function expectStorefrontJson(res: Response) {
  expect(res.headers.get("content-type")).toContain("application/json");
  expect(res.headers.get("cache-control")).toBe("private, no-store");
  expect([...res.headers.keys()].filter((name) => name.startsWith("x-remix"))).toEqual([]);
}

describe("Remix's query parameters on signed app-proxy requests", () => {
  it.each([
    ["/program?_data=root", null],
    ["/program?_data=routes/app", null],
    ["/program?_data=routes/apps-proxy.customer", null],
    ["/program?_data=", null],
    ["/program?_data=routes/apps-proxy.program", null],
    ["/program?index=1&_data=routes/apps-proxy.program", null],
    ["/PROGRAM?_data=root", null],
  ])("GIVEN a correctly signed GET %s THEN the public program, as without the parameter", async (path, customerId) => {
    const errors = vi.spyOn(console, "error");
    const res = await fetch(emulator.appProxyUrl(TEST_APP.shop, path, customerId), { headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(200);
    expectStorefrontJson(res);
    expect(await res.json()).toMatchObject({ shop: TEST_APP.shop, loggedIn: false });
    expect(errors).not.toHaveBeenCalled();
  });

  it.each(["/customer?_data=routes/app", "/customer?_data=", "/customer?_data=routes/apps-proxy.customer"])(
    "GIVEN a correctly signed GET %s for a signed-in customer THEN their points, as without the parameter",
    async (path) => {
      const res = await fetch(emulator.appProxyUrl(TEST_APP.shop, path, "7001"), { headers: { "User-Agent": BROWSER_UA } });
      expect(res.status).toBe(200);
      expectStorefrontJson(res);
      expect(await res.json()).toMatchObject({ pointsBalance: 0, rewards: [] });
    },
  );

  it("GIVEN a correctly signed POST /birthday?_data=routes/apps-proxy.program THEN the birthday endpoint answers as without them", async () => {
    const res = await fetch(emulator.appProxyUrl(TEST_APP.shop, "/birthday?_data=routes/apps-proxy.program", "7002"), {
      method: "POST",
      headers: { "User-Agent": BROWSER_UA, "Content-Type": "application/json" },
      body: "[]",
    });
    expect(res.status).toBe(400);
    expectStorefrontJson(res);
    expect(await res.json()).toMatchObject({ error: { code: "invalid_request" } });
  });

  it("GIVEN a signed GET of an unknown path with _data THEN the storefront's JSON 404", async () => {
    const res = await fetch(emulator.appProxyUrl(TEST_APP.shop, "/nope?_data=routes/apps-proxy.$", null), { headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(404);
    expectStorefrontJson(res);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
  });
});

describe("Remix's query parameters on unsigned app-proxy requests", () => {
  it.each([
    ["GET", "/apps-proxy/program?_data=root"],
    ["GET", "/apps-proxy/program?_data=routes/app"],
    ["GET", "/apps-proxy/customer?_data=routes/apps-proxy.customer"],
    ["POST", "/apps-proxy/redeem?_data=routes/apps-proxy.program"],
    ["POST", "/apps-proxy/birthday?_data=root"],
  ])("GIVEN an unsigned %s %s THEN 400 invalid_signature in the storefront's JSON", async (method, path) => {
    const errors = vi.spyOn(console, "error");
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { "User-Agent": BROWSER_UA, "Content-Type": "application/json" },
      ...(method === "POST" ? { body: "{}" } : {}),
    });
    expect(res.status).toBe(400);
    expectStorefrontJson(res);
    expect(await res.json()).toEqual(INVALID_SIGNATURE);
    expect(errors).not.toHaveBeenCalled();
  });
});

describe("what Remix's router did for these paths, kept", () => {
  it("GIVEN a signed HEAD /program THEN 200 without a body; a trailing slash is the same endpoint; another method is the storefront's 405", async () => {
    const head = await fetch(emulator.appProxyUrl(TEST_APP.shop, "/program", null), { method: "HEAD", headers: { "User-Agent": BROWSER_UA } });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const slash = await fetch(emulator.appProxyUrl(TEST_APP.shop, "/program/", null), { headers: { "User-Agent": BROWSER_UA } });
    expect(slash.status).toBe(200);
    expect(await slash.json()).toMatchObject({ shop: TEST_APP.shop });
    const del = await fetch(emulator.appProxyUrl(TEST_APP.shop, "/program", null), { method: "DELETE", headers: { "User-Agent": BROWSER_UA } });
    expect(del.status).toBe(405);
    expectStorefrontJson(del);
    expect(await del.json()).toMatchObject({ error: { code: "method_not_allowed" } });
  });

  it("GIVEN the proxy's root (/apps-proxy) THEN the storefront's JSON 404", async () => {
    const res = await fetch(`${app.url}/apps-proxy`, { headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(404);
    expectStorefrontJson(res);
  });
});
