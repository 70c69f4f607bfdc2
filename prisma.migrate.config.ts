// Configuration of the Prisma 6.19 CLI (package alias `prisma-v6-migrate`) that runs the `migrate`
// and `db` commands: Prisma 7 dropped the JS schema engine, and its Rust binary cannot be downloaded
// here (docs/decisions/025-prisma-7.md). Prisma 7 itself (generate, the client) uses prisma.config.ts.
// The JS schema engine with a driver adapter avoids the Rust engine download — docs/decisions/002.
// DATABASE_URL selects the database: `postgresql://…` → PostgreSQL (prisma/postgresql/…),
// anything else (default `file:./dev.sqlite`) → SQLite (prisma/schema.prisma, prisma/migrations).
// The schemas are Prisma 6.19 copies (with the datasource `url` back) made by scripts/prisma.mjs.
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { PrismaConfig } from "prisma-v6-migrate";
import { PrismaLibSql } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

const url = process.env.DATABASE_URL ?? "file:./dev.sqlite";
const postgres = /^postgres(ql)?:\/\//.test(url);

function sqliteFile(fileUrl: string): string {
  const p = fileUrl.replace(/^file:/, "");
  // Relative paths are relative to the schema folder, as Prisma does it.
  return path.isAbsolute(p) ? p : path.join(import.meta.dirname, "prisma", p);
}

function postgresAdapter(connectionUrl: string) {
  // The JS schema engine cannot deserialize PostgreSQL's `name` (OID 19) and `"char"` (OID 18)
  // columns of the catalog queries it runs (prisma/orm#27403): report them as text (OID 25).
  // This only affects the CLI process (migrations), never the app.
  const Result = (pg as unknown as { Result: { prototype: { addFields(f: { dataTypeID: number }[]): void } } }).Result;
  const original = Result.prototype.addFields;
  if (!(original as { patched?: boolean }).patched) {
    const patched = function (this: unknown, fields: { dataTypeID: number }[]) {
      for (const f of fields) if (f.dataTypeID === 19 || f.dataTypeID === 18) f.dataTypeID = 25;
      return original.call(this, fields);
    };
    (patched as { patched?: boolean }).patched = true;
    Result.prototype.addFields = patched;
  }
  // Discrete fields, not a connectionString: with a connection string the shadow database of
  // `migrate dev` silently becomes the real one.
  const u = new URL(connectionUrl);
  return new PrismaPg({
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || "postgres"),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1) || "postgres"),
  });
}

export default {
  experimental: { adapter: true },
  engine: "js",
  // Prisma 6.19 copies of the schemas (with the datasource `url` Prisma 7 refuses), kept current by
  // scripts/prisma.mjs (scripts/lib/prisma-schemas.mjs).
  schema: postgres ? "node_modules/.prisma/migrate-v6/postgresql/schema.prisma" : "node_modules/.prisma/migrate-v6/sqlite/schema.prisma",
  migrations: { path: postgres ? "prisma/postgresql/migrations" : "prisma/migrations" },
  async adapter() {
    // libSQL takes a `file:` URL; built from the absolute path so spaces and the like are encoded.
    return postgres ? postgresAdapter(url) : new PrismaLibSql({ url: pathToFileURL(sqliteFile(url)).href });
  },
} satisfies PrismaConfig;
