// Runs after `npm install`: generates both Prisma clients. The SQLite driver (libSQL) ships its
// native code prebuilt inside registry packages (@libsql/linux-x64-gnu, …), so nothing is compiled
// here — docs/decisions/021-sqlite-driver-for-a-fresh-machine.md. Scripts run under the project's
// Node 22 when it is installed (docs/decisions/001-node-22-from-npm.md).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");
const nodeBin = path.join(root, "node_modules", ".bin", "node");

// Both Prisma clients: SQLite (@prisma/client) and PostgreSQL (node_modules/.prisma/client-postgresql).
// Generating needs no database; the URL only selects the schema (docs/decisions/004).
for (const databaseUrl of ["file:./dev.sqlite", "postgresql://postgres@127.0.0.1:5432/postgres"]) {
  const gen = spawnSync(existsSync(nodeBin) ? nodeBin : process.execPath, [path.join(root, "scripts", "prisma.mjs"), "generate"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  if (gen.status !== 0) process.exit(gen.status ?? 1);
}
console.log("postinstall: Prisma clients generated for SQLite and PostgreSQL.");
