// The production server's resident memory at rest (not a test: it prints figures; record them in
// bench/RESULTS.md).
//
//   npx tsx bench/idle-rss.ts [--seconds 25] [--runs 2] [--postgres[=postgresql://postgres@127.0.0.1:5432/postgres]]
//                             [--build DIR]
//
// Starts server.mjs as `npm start` does (its Node flags), with the reward worker in process, on a
// freshly migrated scratch database, waits --seconds with no request (the worker's passes run), and
// prints VmRSS from /proc. --build DIR serves another build folder (e.g. a copy of build/ with one
// change) through the same server.mjs, to compare two builds on the same machine minutes apart.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { SERVER_NODE_FLAGS } from "../server/node-flags.mjs";
import { API_KEY, API_SECRET, ROOT, machine, scratchDatabase } from "./lib/harness";

const { values: args } = parseArgs({
  args: process.argv.slice(2).map((a) => (a === "--postgres" ? "--postgres=" : a)),
  options: {
    seconds: { type: "string", default: "25" },
    runs: { type: "string", default: "2" },
    postgres: { type: "string" },
    build: { type: "string" },
  },
});
const seconds = Number(args.seconds);
const runs = Number(args.runs);
if (!(seconds > 0) || !Number.isInteger(runs) || runs < 1) throw new Error("--seconds must be positive and --runs a positive whole number");

// server.mjs loads build/ beside itself: another build is served from a folder holding server.mjs,
// server/, package.json and that build, with the project's node_modules linked in.
let root = ROOT;
let scratchRoot: string | undefined;
if (args.build) {
  scratchRoot = mkdtempSync(path.join(tmpdir(), "loyalty-idle-"));
  for (const entry of ["server.mjs", "server", "package.json"]) cpSync(path.join(ROOT, entry), path.join(scratchRoot, entry), { recursive: true });
  cpSync(path.resolve(args.build), path.join(scratchRoot, "build"), { recursive: true });
  symlinkSync(path.join(ROOT, "node_modules"), path.join(scratchRoot, "node_modules"));
  root = scratchRoot;
}

const scratch = await scratchDatabase(args.postgres === undefined ? undefined : args.postgres || "postgresql://postgres@127.0.0.1:5432/postgres");

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

const port = 38_000 + (process.pid % 500);
const figures: number[] = [];
try {
  for (let run = 0; run < runs; run++) {
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, "server.mjs"], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: "production",
        DATABASE_URL: scratch.url,
        SHOPIFY_API_KEY: API_KEY,
        SHOPIFY_API_SECRET: API_SECRET,
        SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
        WORKER_IN_PROCESS: "true",
        LOG_LEVEL: "warn",
        PORT: String(port),
        HOST: "127.0.0.1",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => (/listening/.test(d.toString()) ? resolve() : undefined));
      child.once("exit", (code) => reject(new Error(`server exited (${code})`)));
    });
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    figures.push(rssMb(child.pid!));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
} finally {
  await scratch.drop();
  if (scratchRoot) rmSync(scratchRoot, { recursive: true, force: true });
}

console.log(`\nIdle RSS — ${scratch.provider}, worker in process, ${seconds} s after listening, ${args.build ? `build ${args.build}` : "build/"}; ${machine()}`);
console.log(`  ${figures.map((mb) => `${mb.toFixed(0)} MB`).join(", ")}`);
