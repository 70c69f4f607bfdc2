// Runs the Prisma CLI for the database that DATABASE_URL selects (see prisma.config.ts).
// - loads .env (Prisma does not when a config file exists);
// - keeps prisma/postgresql/schema.prisma generated from prisma/schema.prisma (the one source);
// - runs the CLI on the project's Node 22.
// Usage: node scripts/prisma.mjs <prisma args…>   e.g. `npm run prisma -- migrate deploy`
import { spawnSync } from "node:child_process";
import path from "node:path";
import { loadDotEnv, syncPostgresSchema } from "./lib/prisma-schemas.mjs";

const root = path.resolve(import.meta.dirname, "..");
loadDotEnv(root);
// The datasource reads env("DATABASE_URL"); without it the CLI falls back to downloading engines.
process.env.DATABASE_URL ??= "file:./dev.sqlite";
syncPostgresSchema(root);

const cli = path.join(root, "node_modules", "prisma", "build", "index.js");
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: process.env,
});
process.exit(result.status ?? 1);
