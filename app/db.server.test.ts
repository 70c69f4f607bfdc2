// createDb keeps Prisma's query compiler (WebAssembly) on V8's baseline compiler: set before the
// first client compiles the module, so every process that opens the database (server, worker,
// benches) gets it without a command-line flag (docs/decisions/025, "Memory").
import v8 from "node:v8";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createDb, PRISMA_WASM_V8_FLAG } from "./db.server";

const dir = mkdtempSync(path.join(tmpdir(), "db-server-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("createDb", () => {
  it("GIVEN a new client THEN V8 is told to keep WebAssembly on Liftoff before the client exists", async () => {
    const setFlags = vi.spyOn(v8, "setFlagsFromString");
    try {
      const db = createDb(`file:${path.join(dir, "flag.sqlite")}`);
      expect(PRISMA_WASM_V8_FLAG).toBe("--liftoff-only");
      expect(setFlags).toHaveBeenCalledWith(PRISMA_WASM_V8_FLAG);
      await db.$disconnect();
    } finally {
      setFlags.mockRestore();
    }
  });
});
