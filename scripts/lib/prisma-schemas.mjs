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
    'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}',
  );
  if (replaced === withOutput) throw new Error("prisma/schema.prisma has no `datasource db { … }` block");
  return HEADER + replaced;
}

export function syncPostgresSchema(root) {
  const source = readFileSync(path.join(root, "prisma", "schema.prisma"), "utf8");
  const target = path.join(root, "prisma", "postgresql", "schema.prisma");
  const wanted = postgresSchemaFrom(source);
  if (!existsSync(target) || readFileSync(target, "utf8") !== wanted) {
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, wanted);
  }
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
