// Builds the storefront widget (storefront/loyalty-widget.{ts,css}) into the theme app extension:
//   extensions/loyalty-rewards/assets/loyalty-widget.js   one minified, self-contained script (IIFE)
//   extensions/loyalty-rewards/assets/loyalty-widget.css
//   extensions/loyalty-rewards/assets/loyalty-referral.js  the referral landing (docs/decisions/023)
// The built files are committed (Shopify deploys the extension folder as it is); the test
// scripts/build-storefront.test.ts fails when they differ from a fresh build.
//
//   node scripts/build-storefront.mjs           write the assets
//   node scripts/build-storefront.mjs --check   exit 1 if the committed assets are stale
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ASSETS_DIR = path.join(ROOT, "extensions", "loyalty-rewards", "assets");

const BANNER = "/* Loyalty rewards widget. Generated from storefront/ by scripts/build-storefront.mjs; do not edit. */";

// What themes run on: evergreen browsers of the last few years (Shopify's own baseline).
const TARGET = ["es2020", "chrome100", "firefox100", "safari15", "edge100"];

/** @type {Array<{ entry: string; out: string; loader?: "ts" | "css" }>} */
export const OUTPUTS = [
  { entry: "storefront/loyalty-widget.ts", out: "loyalty-widget.js" },
  // The points program's sections (earning rule, pending, expiry, birthday) and what each way to
  // redeem gives, in words: their own deferred
  // asset, so the core app-block script stays under Shopify's 10,000-byte limit.
  { entry: "storefront/loyalty-points.ts", out: "loyalty-points.js" },
  // Referral landing (?ref=CODE → cookie, click, cart attributes, claim): its own small script.
  { entry: "storefront/loyalty-referral.ts", out: "loyalty-referral.js" },
  { entry: "storefront/loyalty-widget.css", out: "loyalty-widget.css" },
];

/**
 * Builds every output in memory. Returns `{ file, contents }` with `file` relative to the repo root.
 * @returns {Promise<Array<{ file: string; contents: string }>>}
 */
export async function buildStorefront() {
  const results = [];
  for (const { entry, out } of OUTPUTS) {
    const outfile = path.join(ASSETS_DIR, out);
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: [entry],
      outfile,
      bundle: true,
      minify: true,
      format: entry.endsWith(".ts") ? "iife" : undefined,
      target: TARGET,
      platform: "browser",
      charset: "utf8",
      legalComments: "none",
      banner: { [entry.endsWith(".ts") ? "js" : "css"]: BANNER },
      sourcemap: false,
      write: false,
      logLevel: "silent",
    });
    const file = result.outputFiles.find((f) => f.path === outfile);
    if (!file) throw new Error(`esbuild produced no ${out}`);
    results.push({ file: path.relative(ROOT, outfile), contents: file.text });
  }
  return results;
}

/** Files whose committed content differs from a fresh build (empty = up to date). */
export async function staleAssets() {
  const stale = [];
  for (const { file, contents } of await buildStorefront()) {
    const committed = await readFile(path.join(ROOT, file), "utf8").catch(() => null);
    if (committed !== contents) stale.push(file);
  }
  return stale;
}

async function main() {
  if (process.argv.includes("--check")) {
    const stale = await staleAssets();
    if (stale.length) {
      console.error(`Stale storefront assets (run node scripts/build-storefront.mjs): ${stale.join(", ")}`);
      process.exit(1);
    }
    console.log("Storefront assets are up to date.");
    return;
  }
  for (const { file, contents } of await buildStorefront()) {
    await writeFile(path.join(ROOT, file), contents);
    console.log(`wrote ${file} (${Buffer.byteLength(contents)} bytes)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
