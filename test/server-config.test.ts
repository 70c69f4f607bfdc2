// server.mjs (`npm start`) reads NODE_HEAP_GROWING_PERCENT itself, before it loads the build: a bad
// value stops it with a clear message instead of being ignored.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

describe("npm start's own settings", () => {
  it.each(["abc", "-5", "12.5", "5000"])("GIVEN NODE_HEAP_GROWING_PERCENT=%s WHEN the server starts THEN it stops at once with a clear message", (value) => {
    const run = spawnSync(process.execPath, [path.join(root, "server.mjs")], { cwd: root, env: { ...process.env, NODE_HEAP_GROWING_PERCENT: value, PORT: "0" }, encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`NODE_HEAP_GROWING_PERCENT must be a whole number from 0 to 1000 (got "${value}")`);
  });
});
