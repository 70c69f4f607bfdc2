// Runs the Prisma CLI for the database that DATABASE_URL selects (see prisma.config.ts).
// - loads .env (Prisma does not when a config file exists);
// - keeps prisma/postgresql/schema.prisma generated from prisma/schema.prisma (the one source);
// - runs the CLI on the project's Node 22.
// Usage: node scripts/prisma.mjs <prisma args…>   e.g. `npm run prisma -- migrate deploy`
import { spawnSync } from "node:child_process";
import path from "node:path";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { loadDotEnv, migrateSchemaFrom, syncMigrateSchemas, syncPostgresSchema, writeIfChanged, MIGRATE_SCHEMA_DIR } from "./lib/prisma-schemas.mjs";

const root = path.resolve(import.meta.dirname, "..");
loadDotEnv(root);
// The datasource reads env("DATABASE_URL"); without it the CLI falls back to downloading engines.
process.env.DATABASE_URL ??= "file:./dev.sqlite";
syncPostgresSchema(root);

// Prisma 7 runs migrations only through its Rust schema engine, which it downloads (impossible here):
// `migrate` and `db` go to the Prisma 6.19 CLI with the JS schema engine (prisma.migrate.config.ts).
// Every other Prisma 7 command still checks that the binary exists; it never runs it, so a
// placeholder satisfies the check without a download.
const args = process.argv.slice(2);
const migrateCommand = ["migrate", "db"].includes(args.find((a) => !a.startsWith("-")) ?? "");
const cli = migrateCommand
  ? path.join(root, "node_modules", "prisma-v6-migrate", "build", "index.js")
  : path.join(root, "node_modules", "prisma", "build", "index.js");
if (migrateCommand) {
  syncMigrateSchemas(root);
  if (!args.some((a) => a === "--config" || a.startsWith("--config="))) args.push("--config", path.join(root, "prisma.migrate.config.ts"));
  // A schema file named on the command line (`migrate diff --to-schema-datamodel prisma/schema.prisma`,
  // `--from-schema-datamodel <previous schema>`, `--schema …`) is replaced by its Prisma 6.19 copy.
  const schemaFlags = new Set(["--schema", "--from-schema-datamodel", "--to-schema-datamodel", "--from-schema-datasource", "--to-schema-datasource"]);
  for (let i = 1; i < args.length; i++) {
    if (!schemaFlags.has(args[i - 1])) continue;
    const source = path.resolve(root, args[i]);
    if (!existsSync(source) || !source.endsWith(".prisma")) continue;
    const copy = path.join(root, MIGRATE_SCHEMA_DIR, "args", `${createHash("sha256").update(source).digest("hex").slice(0, 16)}.prisma`);
    writeIfChanged(copy, migrateSchemaFrom(readFileSync(source, "utf8")));
    args[i] = copy;
  }
}
if (!migrateCommand) process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.platform === "win32" ? process.execPath : "/bin/false";
const result = spawnSync(process.execPath, [cli, ...args], {
  cwd: root,
  stdio: "inherit",
  env: process.env,
});
process.exit(result.status ?? 1);
