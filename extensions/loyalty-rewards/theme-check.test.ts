// Shopify's theme-check (the rules `shopify theme check` applies to a theme app extension) finds
// nothing in the extension; and it does catch the mistakes we care about, so a pass means something.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXTENSION_DIR, checkExtension } from "../../scripts/theme-check.mjs";

const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

function brokenCopy(edit: (dir: string) => void): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), "theme-check-")), "loyalty-rewards");
  scratch.push(path.dirname(dir));
  cpSync(EXTENSION_DIR, dir, { recursive: true });
  edit(dir);
  return dir;
}

function replaceIn(file: string, from: string, to: string) {
  const text = readFileSync(file, "utf8");
  if (!text.includes(from)) throw new Error(`${from} not in ${file}`);
  writeFileSync(file, text.replace(from, to));
}

describe("theme-check on extensions/loyalty-rewards", () => {
  it("reports no offenses (errors or warnings) on the blocks, snippet and locales", async () => {
    const { files, offenses } = await checkExtension();
    expect(offenses).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        path.normalize("extensions/loyalty-rewards/blocks/loyalty-launcher.liquid"),
        path.normalize("extensions/loyalty-rewards/blocks/loyalty-rewards.liquid"),
        path.normalize("extensions/loyalty-rewards/snippets/loyalty-content.liquid"),
        path.normalize("extensions/loyalty-rewards/locales/fr.json"),
      ]),
    );
  });

  it("fails a copy with a missing translation, a French gap, a missing asset and a parser-blocking script", async () => {
    const dir = brokenCopy((d) => {
      replaceIn(path.join(d, "snippets/loyalty-content.liquid"), "'loyalty.widget.retry' | t", "'loyalty.widget.no_such_key' | t");
      replaceIn(path.join(d, "locales/fr.json"), '"retry": "Réessayer",', "");
      replaceIn(path.join(d, "blocks/loyalty-rewards.liquid"), '"javascript": "loyalty-widget.js"', '"javascript": "missing.js"');
      replaceIn(path.join(d, "blocks/loyalty-launcher.liquid"), "<div class=\"lr-overlay\"", '<script src="{{ \'x.js\' | asset_url }}"></script><div class="lr-overlay"');
    });
    const { offenses } = await checkExtension(dir);
    const errors = offenses.filter((o) => o.severity === "error").map((o) => o.check);
    expect(errors).toEqual(expect.arrayContaining(["TranslationKeyExists", "MatchingTranslations", "AssetSizeAppBlockJavaScript", "ParserBlockingScript"]));
  });

  it("fails a copy whose app-block script is over 10,000 bytes", async () => {
    const dir = brokenCopy((d) => writeFileSync(path.join(d, "assets/loyalty-widget.js"), "x".repeat(10_001)));
    const { offenses } = await checkExtension(dir);
    expect(offenses.map((o) => o.check)).toContain("AssetSizeAppBlockJavaScript");
  });
});
