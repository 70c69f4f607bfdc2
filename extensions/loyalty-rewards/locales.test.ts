// The strings the widget script uses reach it intact: every key the script reads is in the JSON
// the snippet renders, every one of those comes from the locale files, and none contains a
// character Shopify's `| t` would HTML-escape (the script shows text, not HTML).
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const EXTENSION = import.meta.dirname;
const ROOT = path.resolve(EXTENSION, "..", "..");
const read = (file: string) => readFileSync(file, "utf8");

// The core script and its deferred parts (loyalty-points.ts, loyalty-referral.ts) read the same strings.
const script = ["loyalty-widget.ts", "loyalty-points.ts", "loyalty-referral.ts"].map((file) => read(path.join(ROOT, "storefront", file))).join("\n");
const snippet = read(path.join(EXTENSION, "snippets", "loyalty-content.liquid"));
const i18nBlock = /<script type="application\/json" data-lr-i18n>([\s\S]*?)<\/script>/.exec(snippet)![1]!;
/** "name": {{ 'loyalty.widget.key' | t | json }} */
const rendered = new Map([...i18nBlock.matchAll(/"(\w+)": {{ '([\w.]+)' \| t \| json }}/g)].map((m) => [m[1]!, m[2]!]));

function widgetStrings(file: string): Record<string, string> {
  return (JSON.parse(read(path.join(EXTENSION, "locales", file))) as { loyalty: { widget: Record<string, string> } }).loyalty.widget;
}

describe("widget strings", () => {
  it("every key the script reads is rendered by the snippet", () => {
    const direct = [...script.matchAll(/\bt\.(\w+)/g)].map((m) => m[1]!);
    const plurals = [...script.matchAll(/plural\(v, "(\w+)"/g)].flatMap((m) => [`${m[1]}_one`, `${m[1]}_other`]);
    const used = new Set([...direct, ...plurals]);
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((key) => !rendered.has(key))).toEqual([]);
  });

  it("the snippet renders each key from loyalty.widget.<same key>, present in every locale", () => {
    for (const [name, key] of rendered) expect(key).toBe(`loyalty.widget.${name}`);
    for (const file of ["en.default.json", "fr.json"]) {
      const strings = widgetStrings(file);
      expect([...rendered.keys()].filter((name) => typeof strings[name] !== "string")).toEqual([]);
    }
  });

  it.each(["en.default.json", "fr.json"])("%s: no characters that `| t` would HTML-escape (use ’ for apostrophes)", (file) => {
    const offending = Object.entries(widgetStrings(file)).filter(([, text]) => /[<>&'"]/.test(text));
    expect(offending).toEqual([]);
  });

  it("strings that name points use the merchant's name ({pt}/{pts}); Liquid fills {pts} with the locale's word before the script runs", () => {
    const english = widgetStrings("en.default.json");
    const outside = snippet.replace(i18nBlock, "");
    const liquid = [...outside.matchAll(/'loyalty\.widget\.(\w+)' \| t([^}]*)}}/g)].map((m) => ({ key: m[1]!, filters: m[2]! }));
    expect(liquid.length).toBeGreaterThan(0);
    for (const { key, filters } of liquid) {
      if (/\{pts\}/.test(english[key]!)) expect(filters, key).toContain("| replace: '{pts}', points_word");
      expect(english[key], key).not.toMatch(/\{pt\}/);
    }
    const hardCoded = Object.entries(english).filter(([key, text]) => key !== "points_word" && /\bpoints?\b/i.test(text.replace(/\{\w+\}/g, "")));
    expect(hardCoded.map(([key]) => key)).toEqual([]);
  });

  it.each(["en.default.json", "fr.json"])("%s: placeholders match English", (file) => {
    const english = widgetStrings("en.default.json");
    const strings = widgetStrings(file);
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(english)) expect(placeholders(strings[key]!), key).toEqual(placeholders(english[key]!));
  });
});
