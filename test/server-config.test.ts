// server.mjs (`npm start`) reads its own settings before it loads the build: a bad value stops it
// with a clear message instead of being ignored, and the V8 options it needs at launch
// (server/node-flags.mjs) are the ones `npm start` passes.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { missingServerNodeFlags, SERVER_NODE_FLAGS } from "../server/node-flags.mjs";

const root = path.resolve(import.meta.dirname, "..");
const scratch = mkdtempSync(path.join(tmpdir(), "server-config-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("npm start's own settings", () => {
  it.each(["abc", "-5", "12.5", "5000"])("GIVEN NODE_HEAP_GROWING_PERCENT=%s WHEN the server starts THEN it stops at once with a clear message", (value) => {
    const run = spawnSync(process.execPath, [path.join(root, "server.mjs")], { cwd: root, env: { ...process.env, NODE_HEAP_GROWING_PERCENT: value, PORT: "0" }, encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`NODE_HEAP_GROWING_PERCENT must be a whole number from 0 to 1000 (got "${value}")`);
  });

  it("GIVEN package.json WHEN `npm start` runs THEN it passes exactly the server's launch flags", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(`node ${SERVER_NODE_FLAGS.join(" ")} server.mjs`);
  });

  it("GIVEN the launch flags on the command line or in NODE_OPTIONS THEN none is missing; otherwise each missing one is named", () => {
    expect(missingServerNodeFlags({ execArgv: [...SERVER_NODE_FLAGS], nodeOptions: "" })).toEqual([]);
    expect(missingServerNodeFlags({ execArgv: [], nodeOptions: `--enable-source-maps ${SERVER_NODE_FLAGS.join(" ")}` })).toEqual([]);
    // V8 accepts underscores for dashes.
    expect(missingServerNodeFlags({ execArgv: SERVER_NODE_FLAGS.map((f) => f.replaceAll("-", "_").replace(/^__/, "--")) })).toEqual([]);
    expect(missingServerNodeFlags({ execArgv: ["--max-semi-space-size=16"], nodeOptions: "" })).toEqual(["--max-semi-space-size=4"]);
    expect(missingServerNodeFlags({})).toEqual([...SERVER_NODE_FLAGS]);
  });

  // Why the flag is given at launch and not set by server.mjs (which an earlier version did): V8 sizes
  // the young generation when the process starts. This checks the claim on the Node the app runs on.
  it("GIVEN a process churning short-lived objects THEN its new space stays small only when the flag was given at launch", () => {
    const churn = `
      if (process.argv[1] === "runtime") require("node:v8").setFlagsFromString("--max-semi-space-size=4");
      let keep = [];
      for (let i = 0; i < 1500000; i++) { keep.push({ i, s: "x" + i }); if (keep.length > 40000) keep = []; }
      const s = require("node:v8").getHeapSpaceStatistics().find((x) => x.space_name === "new_space");
      console.log(s.space_size);`;
    const newSpace = (flags: readonly string[], mode = "") => Number(spawnSync(process.execPath, [...flags, "-e", churn, mode], { encoding: "utf8", timeout: 60_000 }).stdout.trim());
    const capped = newSpace(SERVER_NODE_FLAGS);
    const setAtRuntime = newSpace([], "runtime");
    expect(capped).toBeGreaterThan(0);
    expect(capped).toBeLessThanOrEqual(10 * 1024 * 1024);
    expect(setAtRuntime).toBeGreaterThan(2 * capped);
  });

  it.each([
    { how: "as `npm start` runs it", flags: SERVER_NODE_FLAGS, warns: false },
    { how: "as plain `node server.mjs`", flags: [], warns: true },
  ])("GIVEN the server started $how THEN it warns about the missing flag only when it is missing", async ({ flags, warns }) => {
    const child = spawn(process.execPath, [...flags, path.join(root, "server.mjs")], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: "", PORT: "0", HOST: "127.0.0.1", NODE_ENV: "production", WORKER_IN_PROCESS: "false", DATABASE_URL: `file:${path.join(scratch, "db.sqlite")}`, SHOPIFY_API_KEY: "key", SHOPIFY_API_SECRET: "secret", SHOPIFY_APP_URL: "http://127.0.0.1:9" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const outcome = await new Promise<string>((resolve) => {
      child.stdout.on("data", (d: Buffer) => (/listening/.test(d.toString()) ? resolve("listening") : undefined));
      child.once("exit", (code) => resolve(`exited ${code}`));
    });
    child.kill("SIGTERM");
    expect(outcome).toBe("listening");
    if (warns) expect(stderr).toContain("started without --max-semi-space-size=4");
    else expect(stderr).not.toContain("started without");
  });
});
