// `npm run demo` — from a fresh clone: install, migrate a SQLite file, build, seed, start the
// Shopify emulator and the app, print the URL to open. See README "Run the demo".
import path from "node:path";
import { ensureClients, ensureInstalled, ensureNode22, run, NODE22, ROOT } from "./lib/bootstrap.mjs";
import { demoStatePaths, needsReset, resetDemoFiles } from "./lib/demo-state.mjs";

ensureInstalled();
ensureNode22(import.meta.url);

const databaseUrl = process.env.DATABASE_URL ?? "file:./dev.sqlite";
ensureClients();
// The database and the emulated shop's state (beside it) are kept across restarts and reset together.
const statePaths = demoStatePaths(databaseUrl);
const reset = process.argv.includes("--reset");
if (reset || needsReset(statePaths)) {
  console.log(reset ? "Resetting the demo: database and emulated shop are reseeded." : `The database and the emulator state (${statePaths.stateFile}) must exist together: reseeding both.`);
  resetDemoFiles(statePaths);
  if (!statePaths.sqliteFile) {
    run(NODE22, [path.join(ROOT, "scripts", "prisma.mjs"), "migrate", "reset", "--force", "--skip-seed"], { env: { DATABASE_URL: databaseUrl }, stdio: ["ignore", "ignore", "inherit"] });
  }
}
run(NODE22, [path.join(ROOT, "scripts", "prisma.mjs"), "migrate", "deploy"], { env: { DATABASE_URL: databaseUrl }, stdio: ["ignore", "ignore", "inherit"] });
if (!process.argv.includes("--no-build")) {
  run(NODE22, [path.join(ROOT, "node_modules", "@remix-run", "dev", "dist", "cli.js"), "vite:build", "--logLevel", "warn"]);
}
run(NODE22, [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), path.join(ROOT, "scripts", "demo", "main.ts")], {
  env: { DATABASE_URL: databaseUrl, DEMO_EMULATOR_STATE: statePaths.stateFile },
});
