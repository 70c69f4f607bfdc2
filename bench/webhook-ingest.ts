// Webhook ingestion from outside (not a test: it prints figures; record them in bench/RESULTS.md).
//
//   npx tsx bench/webhook-ingest.ts [--rewards 100000] [--seconds 10] [--rounds 2] [--connections 10]
//                                   [--postgres[=postgresql://postgres@127.0.0.1:5432/postgres]] [--sqlite-rollback]
//                                   [--rate R] [--no-worker | --worker-process]
//
// Seeds N Issued rewards in a scratch database (SQLite file, or a fresh PostgreSQL database),
// starts the production server (server.mjs on the build, worker in-process as in production), a
// bare node:http server that only verifies the HMAC (bench/bare-hmac-server.mjs) and the same bare
// server verifying with Shopify's library (bench/library-hmac-server.mjs), and drives all three
// with the same load (autocannon, 10 connections): orders/create bodies of about 7 KB built like
// Shopify's (the emulator's payload builder), each signed with the app's secret and sent with a
// unique X-Shopify-Webhook-Id; half carry an Issued reward's code (each code once), half a
// merchant's own code. Legs alternate app/bare/library, app/bare/library. Prints req/s, the ratio, p50/p99, the app's peak RSS
// and, for the app, the delivery-to-status p99 (send → the reward's Used event, measured after
// the inbox has drained). Needs `npm run build` first.
// --rate R offers R requests/s in all (open loop, autocannon's overallRate) instead of as many as the
// connections can send: the delivery→status delay at a load the worker keeps up with. Each app leg
// also prints how fast the inbox was applied (deliveries recorded in the leg ÷ time until drained).
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon, { type RequestSpec } from "autocannon";
import { SERVER_NODE_FLAGS } from "../server/node-flags.mjs";
import { API_KEY, API_SECRET, ROOT, scratchDatabase, seedIssuedRewards } from "./lib/harness";
const { values: args } = parseArgs({
  // `--postgres` alone means the default server.
  args: process.argv.slice(2).map((a) => (a === "--postgres" ? "--postgres=" : a)),
  options: {
    rewards: { type: "string", default: "100000" },
    seconds: { type: "string", default: "10" },
    rounds: { type: "string", default: "2" },
    connections: { type: "string", default: "10" },
    postgres: { type: "string" },
    "sqlite-rollback": { type: "boolean", default: false },
    /** Requests per second offered in all (open loop); default: closed loop, as fast as answered. */
    rate: { type: "string" },
    /** Ingest only (no in-process worker): isolates the HTTP path; delivery→status is not measured. */
    "no-worker": { type: "boolean", default: false },
    /** The worker as its own process (`npm run worker`) beside an app with WORKER_IN_PROCESS=false. */
    "worker-process": { type: "boolean", default: false },
  },
});
const N = Number(args.rewards);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const CONNECTIONS = Number(args.connections);
const RATE = args.rate === undefined ? undefined : Number(args.rate);
const SHOP = "bench-ingest.myshopify.com";
const usePostgres = args.postgres !== undefined;

// ---- a scratch database, migrated like production ---------------------------------------------------
const scratch = await scratchDatabase(usePostgres ? args.postgres || "postgresql://postgres@127.0.0.1:5432/postgres" : undefined);
const DATABASE_URL = scratch.url;

const appEnv = {
  NODE_ENV: "production",
  DATABASE_URL,
  SHOPIFY_API_KEY: API_KEY,
  SHOPIFY_API_SECRET: API_SECRET,
  WORKER_IN_PROCESS: args["no-worker"] || args["worker-process"] ? "false" : "true",
  LOG_LEVEL: "warn",
  ...(args["sqlite-rollback"] ? { SQLITE_WAL: "false" } : {}),
};
Object.assign(process.env, { ...appEnv, SHOPIFY_APP_URL: "http://127.0.0.1:9" });
const { createDb } = await import("~/db.server");
const { buildOrderWebhookBody } = await import("../emulator/src/order-payload");
const db = createDb(DATABASE_URL);

// ---- N Issued rewards ----------------------------------------------------------------------------------
console.log(`seeding ${N} rewards (${usePostgres ? "PostgreSQL" : `SQLite${args["sqlite-rollback"] ? ", rollback journal" : ", WAL"}`}) …`);
const seedStarted = Date.now();
await db.shop.create({ data: { domain: SHOP, currency: "USD" } });
await db.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, scope: "read_orders", accessToken: "bench-token" } });
const customer = await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: "gid://shopify/Customer/1", displayName: "Bench", email: "bench@example.com" } });
const codes = await seedIssuedRewards(db, { shop: SHOP, customer, count: N, idPrefix: "bench-", codePrefix: "BENCH" });
const ids = codes.map((_, i) => `bench-${i}`);
console.log(`  seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);

// ---- the payloads: ~7 KB orders/create, signed per request ------------------------------------------------
// Shopify's shape; the order note (free text a buyer may type) pads it to the size of a typical order.
const template = JSON.stringify({
  ...(JSON.parse(buildOrderWebhookBody({
  id: "820982911946154500",
  shop: SHOP,
  orderNumber: 1001,
  customer: { id: "1", email: "bench@example.com", first_name: "Bench", last_name: "Customer" },
  discountCodes: [{ code: "@@CODE@@", type: "fixed_amount", amount: "5.00" }],
  subtotal: "100.00",
  })) as Record<string, unknown>),
  note: "x".repeat(1_000),
});
const parts = template.split("@@CODE@@");
const withOrderId = (body: string, n: number) => body.replaceAll("820982911946154500", String(820982911946154500n + BigInt(n)));
console.log(`  payload ≈ ${(Buffer.byteLength(template) / 1024).toFixed(1)} KB`);
let nextCode = 0;
let nextOrder = 0;
const sentAt = new Map<number, number>();
function request(trackCodes: boolean): RequestSpec {
  return {
    method: "POST",
    path: "/webhooks/orders/create",
    setupRequest(req: RequestSpec): RequestSpec {
      const n = nextOrder++;
      // Half the deliveries carry an Issued code (random, not by parity: autocannon may set up more
      // requests than it sends), half a merchant's own.
      // Only the app's legs use codes up (each Issued code can become Used once); the bare server's
      // legs send the same mix of bodies with codes drawn again, so both servers get the same load.
      const ours = Math.random() < 0.5 && (!trackCodes || nextCode < N);
      const index = !ours ? -1 : trackCodes ? nextCode++ : Math.floor(Math.random() * N);
      const body = withOrderId(parts.join(ours ? codes[index] : "SUMMER10"), n);
      if (ours && trackCodes) sentAt.set(index, Date.now());
      return {
        ...req,
        body,
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "Shopify-Captain-Hook",
          "X-Shopify-Topic": "orders/create",
          "X-Shopify-Hmac-Sha256": createHmac("sha256", API_SECRET).update(body).digest("base64"),
          "X-Shopify-Shop-Domain": SHOP,
          "X-Shopify-API-Version": "2026-10",
          "X-Shopify-Webhook-Id": randomUUID(),
          "X-Shopify-Triggered-At": new Date().toISOString(),
        },
      };
    },
  };
}

// ---- the two servers --------------------------------------------------------------------------------------
async function start(label: string, script: string, port: number, env: Record<string, string>, nodeFlags: readonly string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeFlags, script], { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" }, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => (/listening/.test(d.toString()) ? resolve() : undefined));
    child.once("exit", (code) => reject(new Error(`${label} exited (${code})`)));
  });
  return child;
}
const APP_PORT = 39_000 + (process.pid % 500);
const BARE_PORT = APP_PORT + 500;
const LIBRARY_PORT = APP_PORT + 1000;
// BENCH_APP_NODE_OPTIONS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the app only.
const app = await start("app", "server.mjs", APP_PORT, {
  ...appEnv,
  SHOPIFY_APP_URL: `http://127.0.0.1:${APP_PORT}`,
  ...(process.env.BENCH_APP_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_APP_NODE_OPTIONS } : {}),
}, SERVER_NODE_FLAGS); // as `npm start` runs it
const bare = await start("bare", "bench/bare-hmac-server.mjs", BARE_PORT, { SHOPIFY_API_SECRET: API_SECRET });
const library = await start("library", "bench/library-hmac-server.mjs", LIBRARY_PORT, { SHOPIFY_API_SECRET: API_SECRET });
// `npm run worker` (tsx app/jobs/worker-main.ts), on the same database.
const workerProcess: ChildProcess | undefined = args["worker-process"]
  ? spawn(process.execPath, [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "app/jobs/worker-main.ts"], {
      cwd: ROOT,
      env: { ...process.env, ...appEnv, SHOPIFY_APP_URL: `http://127.0.0.1:${APP_PORT}` } as NodeJS.ProcessEnv,
      stdio: ["ignore", "inherit", "inherit"],
    })
  : undefined;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The worst delivery→Used p99 over the legs that measured one (legs whose codes ran out measured none). */
function worstDelivery(legs: Leg[]): string {
  const measured = legs.filter((l) => l.deliveries && l.deliveryP99 !== undefined && Number.isFinite(l.deliveryP99));
  return measured.length ? `${Math.max(...measured.map((l) => l.deliveryP99!))} ms` : "not measured";
}

interface Leg {
  label: Label;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  rssPeak: number;
  deliveryP50?: number;
  deliveryP99?: number;
  deliveries?: number;
  /** Deliveries recorded in the leg ÷ seconds from the leg's start until the inbox was empty. */
  appliedPerSecond?: number;
}

type Label = "app" | "bare" | "library";
async function leg(label: Label): Promise<Leg> {
  const child = { app, bare, library }[label];
  const port = { app: APP_PORT, bare: BARE_PORT, library: LIBRARY_PORT }[label];
  let rssPeak = rssMb(child.pid!);
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(child.pid!))), 200);
  sentAt.clear();
  const firstCode = nextCode;
  const started = Date.now();
  const recordedBefore = label === "app" ? await db.webhookDelivery.count() : 0;
  const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: SECONDS, requests: [request(label === "app")], ...(RATE ? { overallRate: RATE } : {}) });
  const out: Leg = { label, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts, rssPeak };
  if (label === "app" && !args["no-worker"]) {
    // Let the worker drain the inbox, then: send → Used event, for every code sent in this leg.
    for (let i = 0; i < 600; i++) {
      if ((await db.webhookDelivery.count({ where: { nextAttemptAt: { not: null } } })) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    clearInterval(sampler);
    out.appliedPerSecond = ((await db.webhookDelivery.count()) - recordedBefore) / ((Date.now() - started) / 1000);
    const legIds = ids.slice(firstCode, nextCode);
    const used = [];
    // Chunks of 500: Prisma refuses more bound parameters than SQLite allows in one query.
    for (let i = 0; i < legIds.length; i += 500) {
      used.push(...(await db.rewardEvent.findMany({ where: { rewardId: { in: legIds.slice(i, i + 500) }, type: "STATUS_CHANGED", toStatus: "USED" }, select: { rewardId: true, createdAt: true } })));
    }
    const delays = used.map((e) => e.createdAt.getTime() - sentAt.get(Number(e.rewardId.slice(6)))!).sort((a, b) => a - b);
    out.deliveries = legIds.length;
    out.deliveryP50 = delays.length ? delays[Math.floor(delays.length * 0.5)] : NaN;
    out.deliveryP99 = delays.length ? delays[Math.min(delays.length - 1, Math.floor(delays.length * 0.99))] : NaN;
    if (used.length !== legIds.length) console.log(`  ! ${legIds.length - used.length} of ${legIds.length} codes sent were not Used after the drain`);
  } else {
    clearInterval(sampler);
  }
  return out;
}

const legs: Leg[] = [];
try {
  {
    const probe = request(false).setupRequest!({});
    const res = await fetch(`http://127.0.0.1:${APP_PORT}${probe.path ?? "/webhooks/orders/create"}`, { method: "POST", headers: probe.headers, body: probe.body });
    if (res.status !== 200) throw new Error(`the app answered a signed delivery with ${res.status}: ${await res.text()}`);
  }
  // A short warm-up of each (JIT, connection pools), not counted.
  await autocannon({ url: `http://127.0.0.1:${APP_PORT}`, connections: CONNECTIONS, duration: 2, requests: [request(false)] });
  await autocannon({ url: `http://127.0.0.1:${BARE_PORT}`, connections: CONNECTIONS, duration: 2, requests: [request(false)] });
  await autocannon({ url: `http://127.0.0.1:${LIBRARY_PORT}`, connections: CONNECTIONS, duration: 2, requests: [request(false)] });
  for (let round = 0; round < ROUNDS; round++) {
    for (const label of ["app", "bare", "library"] as const) {
      const r = await leg(label);
      legs.push(r);
      console.log(
        `  ${label.padEnd(7)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  RSS peak ${r.rssPeak.toFixed(0)} MB` +
          `${r.non2xx || r.errors ? `  non-2xx ${r.non2xx} errors ${r.errors}` : ""}` +
          `${r.deliveryP99 !== undefined ? `  delivery→Used p50 ${r.deliveryP50} / p99 ${r.deliveryP99} ms over ${r.deliveries} codes` : ""}` +
          `${r.appliedPerSecond !== undefined ? `  inbox applied ${r.appliedPerSecond.toFixed(0)}/s` : ""}`,
      );
    }
  }
} finally {
  app.kill("SIGTERM");
  bare.kill("SIGTERM");
  library.kill("SIGTERM");
  workerProcess?.kill("SIGTERM");
}

const appLegs = legs.filter((l) => l.label === "app");
const bareLegs = legs.filter((l) => l.label === "bare");
const libraryLegs = legs.filter((l) => l.label === "library");
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const appRps = mean(appLegs.map((l) => l.rps));
const bareRps = mean(bareLegs.map((l) => l.rps));
const libraryRps = mean(libraryLegs.map((l) => l.rps));
const statuses = await db.reward.groupBy({ by: ["status"], _count: true });
console.log(`
Webhook ingest${RATE ? ` at ${RATE} req/s offered (open loop)` : ""}${args["worker-process"] ? ", worker in its own process" : args["no-worker"] ? ", no worker" : ", worker in-process"} — ${usePostgres ? "PostgreSQL" : `SQLite (${args["sqlite-rollback"] ? "rollback journal" : "WAL, synchronous=NORMAL"})`}, ${N} rewards, ${CONNECTIONS} connections, ${ROUNDS}× app/bare/library legs of ${SECONDS} s
  app      ${appRps.toFixed(0)} req/s   p50 ${Math.max(...appLegs.map((l) => l.p50))} ms   p99 ${Math.max(...appLegs.map((l) => l.p99))} ms   RSS peak ${Math.max(...appLegs.map((l) => l.rssPeak)).toFixed(0)} MB   delivery→Used p99 ${worstDelivery(appLegs)}
  bare     ${bareRps.toFixed(0)} req/s   p50 ${Math.max(...bareLegs.map((l) => l.p50))} ms   p99 ${Math.max(...bareLegs.map((l) => l.p99))} ms
  library  ${libraryRps.toFixed(0)} req/s   p50 ${Math.max(...libraryLegs.map((l) => l.p50))} ms   p99 ${Math.max(...libraryLegs.map((l) => l.p99))} ms   RSS peak ${Math.max(...libraryLegs.map((l) => l.rssPeak)).toFixed(0)} MB
${
  RATE
    ? "  (no ratios: every server was offered the same rate; the ratios compare closed-loop legs)"
    : `  ratio app / bare = ${(appRps / bareRps).toFixed(3)}   (goal ≥ 0.5; p99 ≤ 50 ms; RSS ≤ 250 MB; delivery→status p99 ≤ 2 s)
  ratio library / bare = ${(libraryRps / bareRps).toFixed(3)}   (the ceiling of any app verifying with @shopify/shopify-api)   app / library = ${(appRps / libraryRps).toFixed(3)}`
}
  rewards now: ${statuses.map((s) => `${s.status} ${s._count}`).join(", ")}`);
await db.$disconnect();
await scratch.drop();
process.exit(0);
