// Where the offline demo keeps its world, and how `npm run demo -- --reset` wipes it: the app's
// database and the emulated Shopify's state (a JSON snapshot of the emulator's store) live side by
// side and are only ever reset together, so an Issued reward never points at a code the emulated
// shop does not have. Used by scripts/demo.mjs (reset before migrating) and scripts/demo/main.ts
// (load at start, save on change and at exit).
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

/**
 * The demo's files for a DATABASE_URL: the SQLite file (null for PostgreSQL) and the emulator's
 * state beside it (`prisma/dev.sqlite` → `prisma/dev.emulator.json`). DEMO_EMULATOR_STATE overrides.
 * @param {string} databaseUrl
 * @param {Record<string, string | undefined>} [env]
 * @returns {{ sqliteFile: string | null; stateFile: string }}
 */
export function demoStatePaths(databaseUrl, env = process.env) {
  const isPostgres = /^postgres(ql)?:\/\//.test(databaseUrl);
  let sqliteFile = null;
  if (!isPostgres) {
    const p = databaseUrl.replace(/^file:/, "").replace(/\?.*$/, "");
    // Relative to prisma/, as for the Prisma CLI (app/db.server.ts sqlitePath).
    sqliteFile = path.isAbsolute(p) ? p : path.join(ROOT, "prisma", p);
  }
  const stateFile =
    env.DEMO_EMULATOR_STATE ??
    (sqliteFile ? sqliteFile.replace(/(\.sqlite|\.db)?$/, ".emulator.json") : path.join(ROOT, "prisma", "demo-postgresql.emulator.json"));
  return { sqliteFile, stateFile };
}

/**
 * Deletes the SQLite database (with its journal files) and the emulator state. For PostgreSQL only
 * the state file is removed here; the caller resets the database (`prisma migrate reset`).
 * @param {{ sqliteFile: string | null; stateFile: string }} paths
 */
export function resetDemoFiles(paths) {
  if (paths.sqliteFile) for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(paths.sqliteFile + suffix, { force: true });
  rmSync(paths.stateFile, { force: true });
}

/**
 * True when only one of the two exists: a database without its emulator state (a demo from before
 * the state was kept, or a deleted state file) or a state without its database. They would
 * contradict each other, so the demo reseeds both.
 * @param {{ sqliteFile: string | null; stateFile: string }} paths
 */
export function needsReset(paths) {
  return paths.sqliteFile !== null && existsSync(paths.sqliteFile) !== existsSync(paths.stateFile);
}

/**
 * The saved snapshot, or null when there is none.
 * @param {string} stateFile
 * @returns {unknown}
 */
export function readDemoState(stateFile) {
  if (!existsSync(stateFile)) return null;
  return JSON.parse(readFileSync(stateFile, "utf8"));
}

/**
 * Writes the snapshot atomically (temporary file, then rename), so a crash never leaves half a file.
 * @param {string} stateFile
 * @param {unknown} snapshot
 */
export function writeDemoState(stateFile, snapshot) {
  const tmp = `${stateFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(snapshot));
  renameSync(tmp, stateFile);
}
