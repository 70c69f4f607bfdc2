// Runs one migration's SQL (each provider's own) on rows written by the migrations before it, in a
// throwaway database: SQLite in memory, or a fresh PostgreSQL database dropped afterwards.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { createClient } from "@libsql/client";
import pg from "pg";
import { ROOT } from "../setup/databases";

function migrations(folder: string, target: string): { before: string[]; target: string } {
  const dir = path.join(ROOT, folder);
  const names = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const read = (name: string) => readFileSync(path.join(dir, name, "migration.sql"), "utf8");
  return { before: names.filter((n) => n < target).map(read), target: read(target) };
}

/** The rows `read` returns after `target` ran on `oldRows` (SQLite). */
export async function migrateSqlite(target: string, oldRows: string[], read: string): Promise<Record<string, unknown>[]> {
  const sql = migrations("prisma/migrations", target);
  const db = createClient({ url: ":memory:" });
  try {
    for (const s of sql.before) await db.executeMultiple(s);
    for (const s of oldRows) await db.execute(s);
    await db.executeMultiple(sql.target);
    return (await db.execute(read)).rows.map((row) => ({ ...row }));
  } finally {
    db.close();
  }
}

/**
 * Runs `use` on a client of a fresh PostgreSQL database (on TEST_DATABASE_URL's server) named
 * `<prefix>_<random>`, dropped afterwards whatever happens.
 */
export async function withFreshPostgres<T>(prefix: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const base = process.env.TEST_DATABASE_URL!;
  const name = `${prefix}_${randomUUID().replace(/-/g, "").slice(0, 10)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    return await use(client);
  } finally {
    await client.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  }
}

/** The same on PostgreSQL (TEST_DATABASE_URL's server), in a database of its own. */
export async function migratePostgres(target: string, oldRows: string[], read: string): Promise<Record<string, unknown>[]> {
  const sql = migrations("prisma/postgresql/migrations", target);
  return withFreshPostgres("loyalty_migr", async (client) => {
    for (const s of sql.before) await client.query(s);
    for (const s of oldRows) await client.query(s);
    await client.query(sql.target);
    return (await client.query(read)).rows as Record<string, unknown>[];
  });
}
