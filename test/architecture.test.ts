// The layers of app/ (README "Architecture", docs/decisions/009-layering-and-result-types.md):
// imports point down — surfaces (routes, jobs) → use-cases (services) → Shopify adapters
// (app/shopify) → domain. This reads every non-test module's import specifiers and fails on an
// import that points the wrong way. (The domain's purity is checked in app/domain/rewards/index.test.ts too.)
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./setup/databases";
import { shopCurrencyCode } from "~/domain/currency";

const APP = path.join(ROOT, "app");

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Every module a file imports, as a path relative to the repository ("app/shopify/discounts.server") or a package name. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [
    ...[...text.matchAll(/^\s*(?:import|export)[^;]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]),
    ...[...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]),
  ];
  return specifiers.map((s) => {
    if (s.startsWith("~/")) return `app/${s.slice(2)}`;
    if (s.startsWith(".")) return path.relative(ROOT, path.resolve(path.dirname(file), s)).split(path.sep).join("/");
    return s;
  });
}

const RULES: { layer: string; forbidden: RegExp; why: string }[] = [
  { layer: "domain", forbidden: /^(?!app\/domain\/)/, why: "the domain is plain TypeScript: no database, Remix, Shopify or app module" },
  { layer: "shopify", forbidden: /^(app\/(services|jobs|routes|components|db\.server)|@prisma\/)/, why: "Admin API adapters know no use-case, surface or database" },
  { layer: "services", forbidden: /^app\/(jobs|routes|components)\//, why: "use-cases are called by surfaces, never the other way round" },
  { layer: "jobs", forbidden: /^app\/(shopify|routes|components)\//, why: "the worker reaches Shopify only through the use-cases in app/services" },
];

describe("layering: imports point down", () => {
  for (const rule of RULES) {
    const files = sourcesUnder(path.join(APP, rule.layer));
    it(`app/${rule.layer} has modules to check`, () => {
      expect(files.length).toBeGreaterThan(0);
    });
    it.each(files.map((f) => [path.relative(ROOT, f)]))(`%s: ${rule.why}`, (relative) => {
      const wrong = importsOf(path.join(ROOT, relative)).filter((target) => rule.forbidden.test(target));
      expect(wrong).toEqual([]);
    });
  }
});

// docs/decisions/026: request bodies are read in one place, bounded on the bytes received. A route or
// use-case that calls `request.formData()`/`.text()`/`.json()` reads an unbounded body again.
describe("one reader of request bodies", () => {
  const READER = "app/request-input.server.ts";
  const files = sourcesUnder(APP).map((f) => path.relative(ROOT, f).split(path.sep).join("/")).filter((f) => f !== READER);
  it.each(files.map((f) => [f]))("%s reads request bodies only through app/request-input.server.ts", (relative) => {
    const text = readFileSync(path.join(ROOT, relative), "utf8");
    const direct = [...text.matchAll(/\brequest\.(formData|text|json|arrayBuffer|blob|body)\b/g)].map((m) => m[0]);
    expect(direct).toEqual([]);
  });
});

describe("one default for the shop's currency", () => {
  // What a shop without a Shop row sells in is said once, by currencyOfShopRow / shopCurrencyOf
  // (docs/decisions/015): a second spelling ("?? 'USD'") is a second rule that can drift.
  const OWNER = "app/services/lifecycle/amount-currency.server.ts";
  const files = sourcesUnder(APP).map((f) => path.relative(ROOT, f).split(path.sep).join("/")).filter((f) => f !== OWNER);
  it.each(files.map((f) => [f]))("%s takes the shop's currency from shopCurrencyOf or currencyOfShopRow, never a default of its own", (relative) => {
    const text = readFileSync(path.join(ROOT, relative), "utf8");
    // "currency ?? 'USD'", "row?.currency || \"EUR\"": a currency read, then a code of its own.
    const defaults = [...text.matchAll(/currency\w*\)?\s*(?:\?\?|\|\|)\s*["'`]([A-Z]{3})["'`]/gi)].filter((m) => shopCurrencyCode(m[1]) !== null).map((m) => m[0]);
    expect(defaults).toEqual([]);
  });
});
