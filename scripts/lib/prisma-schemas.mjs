// One Prisma schema source (prisma/schema.prisma, SQLite) and its PostgreSQL twin, generated from it.
// See docs/decisions/004-sqlite-and-postgresql.md.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";

export const HEADER =
  "// GENERATED from prisma/schema.prisma by scripts/lib/prisma-schemas.mjs — do not edit.\n" +
  "// Only the datasource provider and the client's output folder differ; `npm run prisma` regenerates it.\n";

/** Where the PostgreSQL client is generated (beside the default SQLite one), relative to the twin schema. */
export const POSTGRES_CLIENT_OUTPUT = "../../node_modules/.prisma/client-postgresql";

export function postgresSchemaFrom(sqliteSchema) {
  const withOutput = sqliteSchema.replace(/generator client \{([^}]*)\}/, (_m, body) => {
    return `generator client {${body.replace(/\s*$/, "")}\n  output     = "${POSTGRES_CLIENT_OUTPUT}"\n}`;
  });
  if (withOutput === sqliteSchema) throw new Error("prisma/schema.prisma has no `generator client { … }` block");
  const replaced = withOutput.replace(
    /datasource db \{[^}]*\}/,
    'datasource db {\n  provider = "postgresql"\n}',
  );
  if (replaced === withOutput) throw new Error("prisma/schema.prisma has no `datasource db { … }` block");
  return HEADER + replaced;
}

/**
 * Where the Prisma 6.19 CLI that runs `migrate`/`db` (scripts/prisma.mjs, prisma.migrate.config.ts)
 * finds its copies of the two schemas: Prisma 7 refuses `url` in a datasource, Prisma 6.19 requires it.
 */
export const MIGRATE_SCHEMA_DIR = path.join("node_modules", ".prisma", "migrate-v6");

/** The Prisma 6.19 copy of a Prisma 7 schema: the datasource gets back `url = env("DATABASE_URL")`. */
export function migrateSchemaFrom(schema) {
  const replaced = schema.replace(/datasource db \{([^}]*)\}/, (_m, body) =>
    /^\s*url\s*=/m.test(body) ? `datasource db {${body}}` : `datasource db {${body.replace(/\s*$/, "")}\n  url      = env("DATABASE_URL")\n}`,
  );
  if (!/datasource db \{[^}]*\}/.test(schema)) throw new Error("the schema has no `datasource db { … }` block");
  return replaced;
}

/** Writes `wanted` to `target` (making its folder) unless the file already holds exactly that. */
export function writeIfChanged(target, wanted) {
  if (!existsSync(target) || readFileSync(target, "utf8") !== wanted) {
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, wanted);
  }
}

/** Keeps the Prisma 6.19 copies (sqlite/schema.prisma, postgresql/schema.prisma) of both schemas current. */
export function syncMigrateSchemas(root) {
  const sqlite = readFileSync(path.join(root, "prisma", "schema.prisma"), "utf8");
  writeIfChanged(path.join(root, MIGRATE_SCHEMA_DIR, "sqlite", "schema.prisma"), migrateSchemaFrom(sqlite));
  writeIfChanged(path.join(root, MIGRATE_SCHEMA_DIR, "postgresql", "schema.prisma"), migrateSchemaFrom(postgresSchemaFrom(sqlite)));
}

export function syncPostgresSchema(root) {
  const source = readFileSync(path.join(root, "prisma", "schema.prisma"), "utf8");
  writeIfChanged(path.join(root, "prisma", "postgresql", "schema.prisma"), postgresSchemaFrom(source));
}

/** Minimal .env loader: KEY=VALUE lines, # comments, optional quotes; never overrides the environment. */
export function loadDotEnv(root, file = ".env") {
  const p = path.join(root, file);
  if (!existsSync(p)) return;
  for (const line of readFileSync(p, "utf8").split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith("#")) continue;
    let value = m[2];
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    if (process.env[m[1]] === undefined) process.env[m[1]] = value;
  }
}

export function isPostgresUrl(url) {
  return /^postgres(ql)?:\/\//.test(url ?? "");
}
