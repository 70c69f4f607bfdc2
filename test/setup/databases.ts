// Test databases: one migrated template per run, one fresh copy per test file.
// SQLite by default; PostgreSQL when TEST_DATABASE_URL is a postgresql:// URL (the server's
// database in the URL is only used to connect; copies are created beside it).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, readdirSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const TMP = path.join(ROOT, "test", ".tmp");
const SQLITE_TEMPLATE = path.join(TMP, "template.sqlite");
const PG_TEMPLATE = "loyalty_test_template";

export function testDatabaseProvider(): "sqlite" | "postgresql" {
  return /^postgres(ql)?:\/\//.test(process.env.TEST_DATABASE_URL ?? "") ? "postgresql" : "sqlite";
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function migrate(databaseUrl: string) {
  const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "prisma.mjs"), "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`migrate deploy failed for ${databaseUrl}:\n${r.stdout}\n${r.stderr}`);
}

function newestMigration(): number {
  const dirs = [path.join(ROOT, "prisma", "migrations"), path.join(ROOT, "prisma", "postgresql", "migrations")];
  let newest = 0;
  for (const d of dirs) {
    for (const entry of readdirSync(d, { recursive: true })) newest = Math.max(newest, statSync(path.join(d, String(entry))).mtimeMs);
  }
  return newest;
}

/** Runs once per test run (vitest globalSetup). */
export async function prepareTemplate(): Promise<void> {
  mkdirSync(TMP, { recursive: true });
  if (testDatabaseProvider() === "sqlite") {
    if (!existsSync(SQLITE_TEMPLATE) || statSync(SQLITE_TEMPLATE).mtimeMs < newestMigration()) {
      rmSync(SQLITE_TEMPLATE, { force: true });
      migrate(`file:${SQLITE_TEMPLATE}`);
    }
    return;
  }
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${PG_TEMPLATE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${PG_TEMPLATE}`);
  } finally {
    await admin.end();
  }
  migrate(withDatabase(process.env.TEST_DATABASE_URL!, PG_TEMPLATE));
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const id = randomUUID().replace(/-/g, "").slice(0, 12);
  if (testDatabaseProvider() === "sqlite") {
    const file = path.join(TMP, `db-${id}.sqlite`);
    copyFileSync(SQLITE_TEMPLATE, file);
    return {
      url: `file:${file}`,
      drop: async () => {
        for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(file + suffix, { force: true });
      },
    };
  }
  const name = `loyalty_test_${id}`;
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${PG_TEMPLATE}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(process.env.TEST_DATABASE_URL!, name),
    drop: async () => {
      const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
