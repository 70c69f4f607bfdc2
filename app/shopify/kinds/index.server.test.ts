// Every reward kind of the domain has exactly one Shopify adapter, and every scope an adapter needs
// is requested by the app (shopify.app.toml), so a kind can't be added half-way.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REWARD_KINDS } from "~/domain/rewards";
import { adapterFor, REWARD_KIND_ADAPTERS } from "./index.server";

const toml = readFileSync(new URL("../../../shopify.app.toml", import.meta.url), "utf8");
const required = (/^scopes\s*=\s*"([^"]*)"/m.exec(toml)?.[1] ?? "").split(",").map((s) => s.trim());
// Optional scopes are requested at run time (App Bridge scopes API) when the merchant turns the kind on.
const optional = [...(/^optional_scopes\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? "").matchAll(/"([^"]*)"/g)].map((m) => m[1]);
const requested = [...required, ...optional];

describe("reward kind adapters", () => {
  it.each(REWARD_KINDS.map((k) => [k]))("%s has an adapter", (kind) => {
    expect(adapterFor(kind).kinds).toContain(kind);
  });

  it("no kind is claimed by two adapters, and no adapter claims an unknown kind", () => {
    const claimed = REWARD_KIND_ADAPTERS.flatMap((a) => a.kinds);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect([...claimed].sort()).toEqual([...REWARD_KINDS].sort());
  });

  it("gift card and store credit scopes are optional, never required (gift card access is restricted)", () => {
    expect(optional).toEqual(expect.arrayContaining(["write_gift_cards", "write_store_credit_account_transactions"]));
    expect(required.filter((s) => /gift_card|store_credit/.test(s))).toEqual([]);
  });

  it.each(REWARD_KIND_ADAPTERS.flatMap((a) => a.scopes.map((scope) => [a.kinds.join("/"), scope])))("%s needs %s: shopify.app.toml requests it", (_kinds, scope) => {
    // A write_ scope implies its read_ scope (Shopify's access scopes).
    const write = scope.startsWith("read_") ? `write_${scope.slice("read_".length)}` : scope;
    expect(requested.includes(scope) || requested.includes(write)).toBe(true);
  });
});
