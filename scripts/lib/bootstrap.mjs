// Makes `npm test` / `npm run demo` work on a fresh clone with nothing else run first:
// installs dependencies when they are missing or stale, then re-runs the calling script on the
// project's Node 22 (the `node` devDependency) if it was started on another Node.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const NODE22 = path.join(ROOT, "node_modules", ".bin", "node");

function installIsCurrent() {
  const marker = path.join(ROOT, "node_modules", ".package-lock.json");
  if (!existsSync(marker) || !existsSync(NODE22)) return false;
  return statSync(marker).mtimeMs >= statSync(path.join(ROOT, "package-lock.json")).mtimeMs - 1000;
}

export function ensureInstalled() {
  if (installIsCurrent()) return;
  console.log("Installing dependencies (npm ci)…");
  const olderNode = Number(process.versions.node.split(".")[0]) < 22;
  if (!olderNode) {
    const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: ROOT, stdio: "inherit" });
    if (r.status !== 0) process.exit(r.status ?? 1);
    return;
  }
  // On an older system Node, npm warns that some packages want Node 22 (EBADENGINE). The project
  // installs its own Node 22 (the `node` devDependency, docs/decisions/001) and runs everything on
  // it, so those warnings are expected: say so once instead of printing a wall of them.
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: ROOT, stdio: ["inherit", "inherit", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  const stderr = (r.stderr ?? Buffer.alloc(0)).toString("utf8");
  const kept = stderr.split("\n").filter((line) => !/^npm warn EBADENGINE/.test(line));
  if (kept.join("").trim()) process.stderr.write(kept.join("\n"));
  if (kept.length !== stderr.split("\n").length) {
    console.log(`(System Node ${process.versions.node}: npm's "requires Node 22" notices are expected — the project runs on its own Node 22 from node_modules.)`);
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Re-runs this script under Node 22 unless already on it. Returns only when on Node 22. */
export function ensureNode22(scriptUrl) {
  if (process.versions.node.split(".")[0] === "22") return;
  const r = spawnSync(NODE22, [new URL(scriptUrl).pathname, ...process.argv.slice(2)], {
    cwd: process.cwd(),
    stdio: "inherit",
    env: { ...process.env, PATH: `${path.dirname(NODE22)}${path.delimiter}${process.env.PATH}` },
  });
  process.exit(r.status ?? 1);
}

/** Runs a command with node_modules/.bin first on PATH; exits the process if it fails. */
export function run(command, args, options = {}) {
  const r = spawnSync(command, args, {
    cwd: ROOT,
    stdio: "inherit",
    ...options,
    env: { ...process.env, ...options.env, PATH: `${path.dirname(NODE22)}${path.delimiter}${process.env.PATH}` },
  });
  if (r.status !== 0) {
    if (options.allowFailure) return r.status ?? 1;
    process.exit(r.status ?? 1);
  }
  return 0;
}

/** Generates the Prisma clients (both providers) when they are missing, e.g. after a schema edit. */
export function ensureClients() {
  const sqlite = path.join(ROOT, "node_modules", ".prisma", "client", "index.js");
  const postgres = path.join(ROOT, "node_modules", ".prisma", "client-postgresql", "index.js");
  const schema = path.join(ROOT, "prisma", "schema.prisma");
  const stale = (f) => !existsSync(f) || statSync(f).mtimeMs < statSync(schema).mtimeMs;
  if (stale(sqlite)) run(NODE22, [path.join(ROOT, "scripts", "prisma.mjs"), "generate"], { env: { DATABASE_URL: "file:./dev.sqlite" } });
  if (stale(postgres)) {
    run(NODE22, [path.join(ROOT, "scripts", "prisma.mjs"), "generate"], { env: { DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/postgres" } });
  }
}
