// Shared set-up for the benches and soak commands (not a test helper): a scratch database migrated
// like production (SQLite file, or a fresh database on a PostgreSQL server, dropped afterwards), the
// Shopify emulator over HTTP with an optional time-scaled clock, and the environment the app's
// modules read on import. Worker processes started by a bench get the same settings through env.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { ShopifyEmulator } from "@loyalty/shopify-emulator";
import type { Db } from "~/db.server";
import { codeKey, generateCode } from "~/domain/rewards";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const API_KEY = "bench-api-key";
export const API_SECRET = "bench-api-secret";

export interface ScratchDatabase {
  url: string;
  provider: "sqlite" | "postgresql";
  drop(): Promise<void>;
}

/**
 * `serverUrl` undefined → a SQLite file in a temporary folder; `postgresql://user@host:port[/db]` →
 * a new database `loyalty_bench_<random>` on that server (dropped by `drop()`).
 */
export async function scratchDatabase(serverUrl: string | undefined): Promise<ScratchDatabase> {
  let url: string;
  let drop: () => Promise<void>;
  if (!serverUrl || serverUrl.startsWith("file:")) {
    const dir = mkdtempSync(path.join(tmpdir(), "loyalty-bench-"));
    url = serverUrl ?? `file:${path.join(dir, "bench.sqlite")}`;
    drop = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const { default: pg } = await import("pg");
    const base = new URL(serverUrl);
    const name = `loyalty_bench_${randomBytes(4).toString("hex")}`;
    const admin = new URL(base);
    admin.pathname = "/postgres";
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    const target = new URL(base);
    target.pathname = `/${name}`;
    url = target.toString();
    drop = async () => {
      const c = new pg.Client({ connectionString: admin.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const migrated = spawnSync(process.execPath, [path.join(ROOT, "scripts", "prisma.mjs"), "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    encoding: "utf8",
  });
  if (migrated.status !== 0) throw new Error(`migrate deploy failed:\n${migrated.stdout}\n${migrated.stderr}`);
  return { url, provider: url.startsWith("file:") ? "sqlite" : "postgresql", drop };
}

/**
 * `count` Issued "$5 off" rewards of one customer, ids `${idPrefix}0…`, each with a fresh code (prefix
 * `codePrefix`); 1 000 rows per statement. Returns the codes, in id order.
 */
export async function seedIssuedRewards(
  db: Db,
  input: { shop: string; customer: { id: string; shopifyCustomerId: string }; count: number; idPrefix: string; codePrefix: string },
): Promise<string[]> {
  const codes = Array.from({ length: input.count }, () => generateCode({ prefix: input.codePrefix }));
  for (let start = 0; start < codes.length; start += 1_000) {
    await db.reward.createMany({
      data: codes.slice(start, start + 1_000).map((code, i) => ({
        id: `${input.idPrefix}${start + i}`,
        shop: input.shop,
        customerId: input.customer.id,
        customerGid: input.customer.shopifyCustomerId,
        source: "POINTS_REDEMPTION",
        kind: "FIXED_AMOUNT",
        value: "5.00",
        currency: "USD",
        title: "$5 off",
        code,
        codeKey: codeKey(code),
        status: "ISSUED",
        issuedAt: new Date(),
      })),
    });
  }
  return codes;
}

/**
 * Shopify's clock for a bench: real time, or real time sped up `scale` times from `t0` (so the
 * rate-limit bucket restores `scale` times faster per real second). Every process of a run must use
 * the same t0 and scale (passed as BENCH_T0 / BENCH_TIME_SCALE).
 */
export function scaledClock(t0: number, scale: number) {
  const nowMs = () => t0 + (Date.now() - t0) * scale;
  return {
    nowMs,
    clock: { now: () => new Date(nowMs()) },
    /** Sleep for `ms` of Shopify time. */
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms / scale)),
  };
}

/** The environment the app's modules validate on import. */
export function appEnv(databaseUrl: string, adminOrigin: string): Record<string, string> {
  return {
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1:9",
    SHOPIFY_ADMIN_API_ORIGIN: adminOrigin,
    WORKER_IN_PROCESS: "false",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
  };
}

/**
 * Starts `bench/<script>` in its own Node process with tsx as a loader (`node --import tsx`), so the
 * returned process IS the script: a SIGKILL to it kills the worker, not a wrapper that would leave
 * the worker running as an orphan.
 */
export function startProcess(script: string, env: Record<string, string>, args: string[] = []): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
}

export function machine(): string {
  const [one, five] = loadavg();
  return `${cpus().length} CPUs, load average ${one.toFixed(2)} (1 min) ${five.toFixed(2)} (5 min)`;
}

/** A ratio printed as a percentage, never NaN: "n/a" when the denominator is 0. */
export function pct(numerator: number, denominator: number): string {
  if (!(denominator > 0) || !Number.isFinite(numerator)) return "n/a";
  return `${((100 * numerator) / denominator).toFixed(1)} %`;
}

/** Prints rows as an aligned text table. */
export function table(rows: [string, string | number][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n");
}

export type SoakFault = "http5xx" | "hang" | "throttled" | "userErrors" | "lostResponse";
export const SOAK_FAULTS: readonly SoakFault[] = ["http5xx", "hang", "throttled", "userErrors", "lostResponse"];

/**
 * The emulator over HTTP where each Admin API request fails, with probability `rate`, one of the
 * chosen ways (armed as a one-shot fault for the request's shop just before it is handled; under
 * concurrency another request of the same shop may take it, which keeps the overall rate).
 * `hangMs` should exceed the app's Shopify timeout: the hang then executes the call after the app
 * gave up (Shopify may do the same).
 */
export async function serveWithFaults(
  emulator: ShopifyEmulator,
  options: { rate: number | (() => number); faults?: readonly SoakFault[]; hangMs: number; random?: () => number },
) {
  const { serveFetch, DropConnection } = await import("@loyalty/shopify-emulator/node-http");
  const { EmulatedNetworkError } = await import("@loyalty/shopify-emulator");
  const random = options.random ?? Math.random;
  const faults = options.faults ?? SOAK_FAULTS;
  const injected = new Map<SoakFault, number>();
  let enabled = true;
  const rate = typeof options.rate === "function" ? options.rate : () => options.rate as number;
  const server = await serveFetch(async (request) => {
    const shop = new URL(request.url).pathname.split("/")[1];
    if (enabled && shop && request.method === "POST" && random() < rate()) {
      const fault = faults[Math.floor(random() * faults.length)];
      injected.set(fault, (injected.get(fault) ?? 0) + 1);
      const f = emulator.faults;
      if (fault === "http5xx") f.httpError({ shop }, random() < 0.5 ? 502 : 503);
      else if (fault === "hang") f.hang({ shop }, options.hangMs);
      else if (fault === "throttled") f.throttle({ shop });
      else if (fault === "userErrors") f.userErrors({ shop }, [{ field: null, message: "Injected by the soak: something went wrong", code: "INTERNAL_ERROR" }]);
      else f.loseResponse({ shop });
    }
    try {
      return await emulator.handle(request);
    } catch (error) {
      if (error instanceof EmulatedNetworkError) throw new DropConnection();
      throw error;
    }
  });
  return {
    ...server,
    injected,
    /** Stops injecting (e.g. to let the run settle); armed faults not yet taken are cleared. */
    stopFaults() {
      enabled = false;
      emulator.faults.clear();
    },
  };
}
