// The PostgreSQL schema is generated from the SQLite one, and each provider's migrations build
// exactly what the schema describes (no drift): the database made by replaying prisma/…/migrations
// is compared, table by table, column by column and index by index, with a database made directly
// from the schema (`prisma migrate diff --from-empty`). See docs/decisions/004-sqlite-and-postgresql.md.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createClient, type Client } from "@libsql/client";
import { describe, expect, it } from "vitest";
import { postgresSchemaFrom } from "../scripts/lib/prisma-schemas.mjs";
import { ROOT, testDatabaseProvider } from "./setup/databases";
import { withFreshPostgres } from "./support/migration-sql";

function schemaSql(schema: string, databaseUrl: string): string {
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, "scripts", "prisma.mjs"), "migrate", "diff", "--from-empty", "--to-schema-datamodel", schema, "--script"],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

function migrationsSql(folder: string): string[] {
  const dir = path.join(ROOT, folder);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => readFileSync(path.join(dir, name, "migration.sql"), "utf8"));
}

/** The rows of a statement as plain objects (column → value). */
async function all(db: Client, sql: string): Promise<Record<string, unknown>[]> {
  return (await db.execute(sql)).rows.map((row) => ({ ...row }));
}

async function describeSqlite(statements: string[]) {
  const db = createClient({ url: ":memory:" });
  try {
    for (const sql of statements) await db.executeMultiple(sql);
    const tables = (await all(db, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")) as { name: string }[];
    const shape = [];
    for (const { name } of tables) {
      // `seq` is only the order the indexes were created in (a later migration adds an index after
      // the unique ones); name, uniqueness, origin, partialness and columns are the schema.
      const indexes = [];
      for (const { seq: _seq, ...i } of (await all(db, `PRAGMA index_list("${name}")`)) as { name: string; unique: number; seq: number }[]) {
        indexes.push({ ...i, columns: await all(db, `PRAGMA index_xinfo("${i.name}")`) });
      }
      shape.push({
        table: name,
        columns: await all(db, `PRAGMA table_info("${name}")`),
        foreignKeys: await all(db, `PRAGMA foreign_key_list("${name}")`),
        indexes: indexes.sort((a, b) => a.name.localeCompare(b.name)),
      });
    }
    return shape;
  } finally {
    db.close();
  }
}

async function describePostgres(statements: string[]) {
  return withFreshPostgres("loyalty_drift", async (client) => {
    for (const sql of statements) await client.query(sql);
    const columns = await client.query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
       WHERE table_schema='public' ORDER BY table_name, column_name`,
    );
    const indexes = await client.query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname='public' ORDER BY indexname`);
    const constraints = await client.query(
      `SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE connamespace='public'::regnamespace ORDER BY conname`,
    );
    return { columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows };
  });
}

describe("database schema", () => {
  it("prisma/postgresql/schema.prisma is exactly the generated twin of prisma/schema.prisma", () => {
    const source = readFileSync(path.join(ROOT, "prisma", "schema.prisma"), "utf8");
    const committed = readFileSync(path.join(ROOT, "prisma", "postgresql", "schema.prisma"), "utf8");
    expect(committed).toBe(postgresSchemaFrom(source));
    expect(committed).toContain('provider = "postgresql"');
  });

  it("SQLite migrations build exactly the schema (no drift)", async () => {
    const fromMigrations = await describeSqlite(migrationsSql("prisma/migrations"));
    const fromSchema = await describeSqlite([schemaSql("prisma/schema.prisma", "file:./dev.sqlite")]);
    expect(fromMigrations.map((t) => t.table)).toContain("Reward");
    expect(fromMigrations).toEqual(fromSchema);
  });

  it.runIf(testDatabaseProvider() === "postgresql")("PostgreSQL migrations build exactly the schema (no drift)", async () => {
    const fromMigrations = await describePostgres(migrationsSql("prisma/postgresql/migrations"));
    const fromSchema = await describePostgres([schemaSql("prisma/postgresql/schema.prisma", process.env.TEST_DATABASE_URL!)]);
    expect(fromMigrations.columns.length).toBeGreaterThan(20);
    expect(fromMigrations).toEqual(fromSchema);
  });
});
