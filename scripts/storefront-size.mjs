// Prints the storefront widget's asset sizes (raw and gzip) and exits 1 over budget.
//   node scripts/storefront-size.mjs
// Budgets:
//   - JS + CSS together ≤ 10 KB gzipped (the widget loads on every storefront page with the embed);
//   - each script ≤ 10,000 bytes raw: theme-check's AssetSizeAppBlockJavaScript refuses app-block
//     JavaScript above that, and Shopify applies the same rule to theme app extensions.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ASSETS = path.join(ROOT, "extensions", "loyalty-rewards", "assets");

export const GZIP_BUDGET_BYTES = 10 * 1024;
export const JS_RAW_BUDGET_BYTES = 10_000;
export const FILES = ["loyalty-widget.js", "loyalty-points.js", "loyalty-referral.js", "loyalty-widget.css"];

/** @returns {Promise<{ files: Array<{ name: string; raw: number; gzip: number }>; totalRaw: number; totalGzip: number; problems: string[] }>} */
export async function measureStorefront(dir = ASSETS) {
  const files = [];
  for (const name of FILES) {
    const bytes = await readFile(path.join(dir, name));
    files.push({ name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  const totalRaw = files.reduce((n, f) => n + f.raw, 0);
  const totalGzip = files.reduce((n, f) => n + f.gzip, 0);
  const problems = [];
  if (totalGzip > GZIP_BUDGET_BYTES) problems.push(`JS + CSS are ${totalGzip} B gzipped; the budget is ${GZIP_BUDGET_BYTES} B.`);
  for (const js of files.filter((f) => f.name.endsWith(".js"))) {
    if (js.raw > JS_RAW_BUDGET_BYTES) problems.push(`${js.name} is ${js.raw} B; theme-check refuses app-block JavaScript over ${JS_RAW_BUDGET_BYTES} B.`);
  }
  return { files, totalRaw, totalGzip, problems };
}

async function main() {
  const { files, totalRaw, totalGzip, problems } = await measureStorefront();
  const row = (name, raw, gzip) => `${name.padEnd(22)} ${String(raw).padStart(7)} B raw ${String(gzip).padStart(7)} B gzip`;
  for (const f of files) console.log(row(f.name, f.raw, f.gzip));
  console.log(row("total", totalRaw, totalGzip));
  console.log(`budget: ${GZIP_BUDGET_BYTES} B gzip (JS + CSS), ${JS_RAW_BUDGET_BYTES} B raw JS`);
  if (problems.length) {
    for (const p of problems) console.error(`OVER BUDGET: ${p}`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
