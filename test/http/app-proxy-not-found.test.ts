// GIVEN the production build on a real port and the emulator signing storefront requests as Shopify's
//       app proxy does
// WHEN the storefront (a stale widget, a typo, a probe) asks for an /apps/loyalty/* path the app
//      does not serve
// THEN it gets the widget's JSON 404 — no HTML error page — and nothing is logged as an error.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import db from "~/db.server";

const { emulator } = useShopifyEmulator();
useRunningApp({ emulator });

beforeAll(async () => {
  await installEmulatedShop(emulator);
});
afterEach(() => vi.restoreAllMocks());

describe("unknown app-proxy paths", () => {
  it.each([
    ["GET", "/no-such-endpoint", "1"],
    ["GET", "/customer/extra/segments", null],
    ["POST", "/nope", "1"],
  ])("%s %s → JSON 404 not_found, no error logged", async (method, path, customerId) => {
    const errors = vi.spyOn(console, "error");
    const res = await fetch(emulator.appProxyUrl(TEST_APP.shop, path, customerId), {
      method,
      headers: { "User-Agent": BROWSER_UA, Accept: "application/json", ...(method === "POST" ? { "Content-Type": "application/json" } : {}) },
      ...(method === "POST" ? { body: "{}" } : {}),
    });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "This loyalty page doesn't exist. Please reload the page and try again." } });
    expect(errors).not.toHaveBeenCalled();
  });

  it("the known endpoints still answer (the catch-all does not shadow them)", async () => {
    const res = await fetch(emulator.appProxyUrl(TEST_APP.shop, "/program", null), { headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ shop: TEST_APP.shop, loggedIn: false });
  });
});

describe("a shop the app is not installed in", () => {
  it.each([
    ["GET", "/program", null],
    ["GET", "/customer", "4242"],
    ["POST", "/birthday", "4242"],
  ])("GIVEN a signed %s %s for a shop without a session THEN JSON 404 not_installed, and nothing is written for it", async (method, path, customerId) => {
    const shop = "never-installed.myshopify.com";
    const errors = vi.spyOn(console, "error");
    const res = await fetch(emulator.appProxyUrl(shop, path, customerId), {
      method,
      headers: { "User-Agent": BROWSER_UA, Accept: "application/json", ...(method === "POST" ? { "Content-Type": "application/json" } : {}) },
      ...(method === "POST" ? { body: JSON.stringify({ birthday: "05-01" }) } : {}),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_installed", message: "The loyalty program isn't available in this shop right now." } });
    expect(await db.customer.count({ where: { shop } })).toBe(0);
    expect(errors).not.toHaveBeenCalled();
  });
});
