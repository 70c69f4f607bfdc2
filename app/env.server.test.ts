// The scopes the app asks for by default are the required scopes the app declares to Shopify
// (shopify.app.toml `[access_scopes] scopes`); optional scopes (gift cards, store credit) are asked
// for later and must not be required at install.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "./env.server";

const toml = readFileSync(path.join(import.meta.dirname, "..", "shopify.app.toml"), "utf8");
const section = toml.slice(toml.indexOf("[access_scopes]"));
const required = /^scopes\s*=\s*"([^"]*)"/m.exec(section)?.[1] ?? "";
const optional = /^optional_scopes\s*=\s*\[([^\]]*)\]/m.exec(section)?.[1] ?? "";
const list = (s: string) => s.split(",").map((x) => x.trim().replace(/^"|"$/g, "")).filter(Boolean).sort();

describe("default SCOPES", () => {
  const parsed = parseEnv({ SHOPIFY_API_KEY: "key", SHOPIFY_API_SECRET: "secret", SHOPIFY_APP_URL: "https://app.example.com" });

  it("are exactly the required scopes of shopify.app.toml", () => {
    expect(list(required).length).toBeGreaterThan(0);
    expect(list(parsed.SCOPES)).toEqual(list(required));
  });

  it("ask for none of the optional scopes", () => {
    expect(list(optional)).toEqual(expect.arrayContaining(["read_gift_cards", "write_gift_cards"]));
    for (const scope of list(optional)) expect(list(parsed.SCOPES)).not.toContain(scope);
  });
});

describe("SHOP_CUSTOM_DOMAIN", () => {
  const base = { SHOPIFY_API_KEY: "key", SHOPIFY_API_SECRET: "secret", SHOPIFY_APP_URL: "https://app.example.com" };

  it.each([
    ["shop.dev", "shop.dev"],
    [" My.Shop.Dev ", "my.shop.dev"],
    ["", undefined],
    [undefined, undefined],
  ])("GIVEN %j THEN it is read as %j", (value, expected) => {
    expect(parseEnv({ ...base, SHOP_CUSTOM_DOMAIN: value }).SHOP_CUSTOM_DOMAIN).toBe(expected);
  });

  it.each(["https://shop.dev", "*.shop.dev", "shop.dev/", "shop.dev:443", "localhost", "shop..dev", "-shop.dev", "shop.dev."])(
    "GIVEN %j THEN the app refuses to start, naming the variable",
    (value) => {
      expect(() => parseEnv({ ...base, SHOP_CUSTOM_DOMAIN: value })).toThrow(/SHOP_CUSTOM_DOMAIN.*bare host name/);
    },
  );
});
