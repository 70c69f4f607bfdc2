// The committed storefront assets are exactly what scripts/build-storefront.mjs builds from
// storefront/ (so they cannot go stale), and they stay within the size budgets.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ASSETS_DIR, ROOT, buildStorefront } from "./build-storefront.mjs";
import { GZIP_BUDGET_BYTES, JS_RAW_BUDGET_BYTES, measureStorefront } from "./storefront-size.mjs";

describe("storefront assets", () => {
  it("the committed assets equal a fresh build (run `node scripts/build-storefront.mjs` after editing storefront/)", async () => {
    const built = await buildStorefront();
    expect(built.map((f) => f.file).sort()).toEqual(
      [
        "extensions/loyalty-rewards/assets/loyalty-points.js",
        "extensions/loyalty-rewards/assets/loyalty-referral.js",
        "extensions/loyalty-rewards/assets/loyalty-widget.css",
        "extensions/loyalty-rewards/assets/loyalty-widget.js",
      ].map((f) =>
        path.normalize(f),
      ),
    );
    // Compared by hash: a diff of two minified one-liners says nothing useful.
    const sha = (text: string) => createHash("sha256").update(text).digest("hex");
    for (const { file, contents } of built) {
      const committed = await readFile(path.join(ROOT, file), "utf8");
      expect(sha(committed), `${file} is stale: run node scripts/build-storefront.mjs`).toBe(sha(contents));
    }
  });

  it.each(["loyalty-widget.js", "loyalty-points.js", "loyalty-referral.js"])("%s is one self-contained IIFE: no imports, no source maps, no process.env", async (name) => {
    const js = await readFile(path.join(ASSETS_DIR, name), "utf8");
    expect(js).toMatch(/^\/\*[^\n]*\*\/\n"use strict";\(\(\)=>\{/);
    expect(js).not.toMatch(/\bimport\s*[({"']|\brequire\(|sourceMappingURL|process\.env/);
    // Talks only to the app proxy (and the Ajax Cart API), relative to the page's origin: no hard-coded hosts.
    expect(js).not.toMatch(/https?:\/\//);
  });

  it("stays within budget: JS + CSS ≤ 10 KB gzipped, JS ≤ 10,000 bytes raw (theme-check's app-block limit)", async () => {
    const { files, totalGzip, problems } = await measureStorefront();
    expect(problems).toEqual([]);
    expect(totalGzip).toBeLessThanOrEqual(GZIP_BUDGET_BYTES);
    const scripts = files.filter((f) => f.name.endsWith(".js"));
    expect(scripts.map((f) => f.name)).toEqual(["loyalty-widget.js", "loyalty-points.js", "loyalty-referral.js"]);
    for (const js of scripts) expect(js.raw, js.name).toBeLessThanOrEqual(JS_RAW_BUDGET_BYTES);
  });
});
