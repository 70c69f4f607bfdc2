// `npm run demo` — from a fresh clone: install, migrate a SQLite file, build, seed, start the
// Shopify emulator and the app, print the URL to open. See README "Run the demo".
import path from "node:path";
import { ensureClients, ensureInstalled, ensureNode22, run, NODE22, ROOT } from "./lib/bootstrap.mjs";

ensureInstalled();
ensureNode22(import.meta.url);

const databaseUrl = process.env.DATABASE_URL ?? "file:./dev.sqlite";
ensureClients();
run(NODE22, [path.join(ROOT, "scripts", "prisma.mjs"), "migrate", "deploy"], { env: { DATABASE_URL: databaseUrl }, stdio: ["ignore", "ignore", "inherit"] });
if (!process.argv.includes("--no-build")) {
  run(NODE22, [path.join(ROOT, "node_modules", "@remix-run", "dev", "dist", "cli.js"), "vite:build", "--logLevel", "warn"]);
}
run(NODE22, [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), path.join(ROOT, "scripts", "demo", "main.ts")], {
  env: { DATABASE_URL: databaseUrl },
});
