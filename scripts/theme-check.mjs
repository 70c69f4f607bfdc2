// Runs Shopify's theme-check on the theme app extension and fails on errors.
//   node scripts/theme-check.mjs [extension folder]     (default extensions/loyalty-rewards)
//   --strict   also fail on warnings
// @shopify/theme-check-node has no CLI of its own; `themeCheckRun` is what `shopify theme check`
// uses. It recognises a theme app extension by its shopify.extension.toml and applies the
// theme-app-extension rules (app-block tags, 10 KB app-block JavaScript, schema translations, …).
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Severity, themeCheckRun } from "@shopify/theme-check-node";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const EXTENSION_DIR = path.join(ROOT, "extensions", "loyalty-rewards");

const LABEL = { [Severity.ERROR]: "error", [Severity.WARNING]: "warning", [Severity.INFO]: "info" };

/**
 * @param {string} dir absolute path of the extension
 * @returns {Promise<{ files: string[]; offenses: Array<{ severity: string; check: string; file: string; line: number; message: string }> }>}
 */
export async function checkExtension(dir = EXTENSION_DIR) {
  const { theme, offenses } = await themeCheckRun(path.resolve(dir), undefined, () => {});
  const relative = (uri) => path.relative(ROOT, fileURLToPath(uri));
  return {
    files: theme.map((f) => relative(f.uri)),
    offenses: offenses.map((o) => ({
      severity: LABEL[o.severity] ?? String(o.severity),
      check: o.check,
      file: relative(o.uri),
      line: o.start.line,
      message: o.message,
    })),
  };
}

async function main() {
  const args = process.argv.slice(2);
  const strict = args.includes("--strict");
  const dir = path.resolve(args.find((a) => !a.startsWith("--")) ?? EXTENSION_DIR);
  const { files, offenses } = await checkExtension(dir);
  for (const o of offenses) console.log(`${o.severity.padEnd(7)} ${o.file}:${o.line} ${o.check}: ${o.message}`);
  const errors = offenses.filter((o) => o.severity === "error").length;
  const warnings = offenses.filter((o) => o.severity === "warning").length;
  console.log(`theme-check: ${files.length} files, ${errors} errors, ${warnings} warnings (${path.relative(ROOT, dir)})`);
  if (errors > 0 || (strict && warnings > 0)) process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
