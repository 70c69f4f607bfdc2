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
// One template per test run (globalSetup names it and passes it to the workers through the
// environment), so two PostgreSQL runs on one server never drop each other's template.
function pgTemplate(): string {
  process.env.LOYALTY_PG_TEMPLATE ??= `loyalty_tpl_${process.pid}_${Date.now().toString(36)}`;
  return process.env.LOYALTY_PG_TEMPLATE;
}

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
    // Templates of runs that died without their teardown.
    const stale = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'loyalty\\_tpl\\_%'`);
    const mine = pgTemplate();
    for (const { datname } of stale.rows as { datname: string }[]) {
      if (datname !== mine && (await isAbandoned(admin, datname))) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
    await admin.query(`DROP DATABASE IF EXISTS ${mine} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${mine}`);
  } finally {
    await admin.end();
  }
  migrate(withDatabase(process.env.TEST_DATABASE_URL!, pgTemplate()));
  await waitUntilUnused(pgTemplate());
}

/** A template left by a run that died: nobody connected and its name stamp over two hours old. */
async function isAbandoned(admin: pg.Client, datname: string): Promise<boolean> {
  const stamp = parseInt(datname.split("_").pop() ?? "", 36);
  if (!Number.isFinite(stamp) || Date.now() - stamp < 2 * 3_600_000) return false;
  const r = await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [datname]);
  return (r.rows[0] as { n: number }).n === 0;
}

/** `prisma migrate deploy` can leave its connection open for a few seconds after it exits. */
async function waitUntilUnused(datname: string) {
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const r = await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [datname]);
      if ((r.rows[0] as { n: number }).n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.end();
  }
}

/** Runs after the whole test run (globalSetup teardown). */
export async function dropTemplate(): Promise<void> {
  if (testDatabaseProvider() !== "postgresql") return;
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    const copies = await admin.query("SELECT datname FROM pg_database WHERE datname LIKE $1", [
      `${pgTemplate().replace(/^loyalty_tpl_/, "loyalty_test_").replace(/_/g, "\\_")}\\_%`,
    ]);
    for (const { datname } of copies.rows as { datname: string }[]) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS ${pgTemplate()} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
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
  // Named after the run's template, so the run's teardown can drop any copy a file left behind
  // (vitest skips a fully skipped file's hooks, including the drop in test/setup/per-file.ts).
  const name = `${pgTemplate().replace(/^loyalty_tpl_/, "loyalty_test_")}_${id}`;
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    // CREATE DATABASE … TEMPLATE fails while any session is connected to the template (another
    // worker's CREATE at the same moment): retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${pgTemplate()}`);
        break;
      } catch (error) {
        if (attempt >= 50 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
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
