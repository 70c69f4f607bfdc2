// `npm test` — the whole test suite, from a fresh clone.
//   npm test                       SQLite (default)
//   npm test -- --postgres[=URL]   PostgreSQL (default URL postgresql://postgres@127.0.0.1:5432/test)
//   npm test -- <vitest args>      e.g. a file filter
// Installs dependencies if needed, builds the app (HTTP tests run the production build on a real
// port), makes sure the Prisma clients are generated, then runs vitest.
import { ensureClients, ensureInstalled, ensureNode22, run, NODE22, ROOT } from "./lib/bootstrap.mjs";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

ensureInstalled();
ensureNode22(import.meta.url);

const args = process.argv.slice(2);
const pgArg = args.find((a) => a === "--postgres" || a.startsWith("--postgres="));
const vitestArgs = args.filter((a) => a !== pgArg);
const env = { NODE_ENV: "test" };
if (pgArg) {
  env.TEST_DATABASE_URL = pgArg.includes("=") ? pgArg.slice(pgArg.indexOf("=") + 1) : "postgresql://postgres@127.0.0.1:5432/test";
} else if (/^postgres/.test(process.env.TEST_DATABASE_URL ?? "")) {
  env.TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
}

ensureClients();
run(NODE22, [path.join(ROOT, "node_modules", "@remix-run", "dev", "dist", "cli.js"), "vite:build", "--logLevel", "warn"]);
// A JSON report beside the usual output, for the one-line summary below (and CI's total).
const label = args.includes("--config") ? "browser" : env.TEST_DATABASE_URL ? "postgresql" : "sqlite";
const report = path.join(ROOT, "test-results", `vitest-${label}.json`);
rmSync(report, { force: true });
const status = run(
  NODE22,
  [path.join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...vitestArgs],
  { env, allowFailure: true },
);
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, "utf8"));
  console.log(`${label}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
}
process.exit(status);
