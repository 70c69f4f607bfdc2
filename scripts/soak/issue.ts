// Soak: asynchronous issuance under faults and crashes (not a CI test; prints one table).
//
//   npm run soak:issue -- [--rewards 1000] [--workers 3] [--fault-rate 0.2] [--kill-every-ms 6000]
//                         [--database-url postgresql://postgres@127.0.0.1:5432]  (default; SQLite: file:…)
//
// N async rewards (issueRewardAsync) for a Plus shop in a scratch database; the Shopify emulator over
// HTTP fails each Admin API request with probability --fault-rate (5xx, a hang past the app's timeout
// that still executes, THROTTLED, userErrors, a lost response after executing); K worker processes
// (bench/lib/worker-process.ts, the app's real worker round) run while one of them, picked at random,
// is SIGKILLed about every --kill-every-ms and restarted. When every reward has settled it checks:
//   every reward Issued or Failed (none left Pending), Issued → exactly 1 live discount with its code,
//   Failed → 0 live discounts, no live discount without a reward (orphan).
// Exits 1 when an invariant breaks.
import { parseArgs } from "node:util";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { API_KEY, API_SECRET, ROOT, appEnv, machine, scratchDatabase, serveWithFaults, startProcess, table } from "../../bench/lib/harness";

const { values: args } = parseArgs({
  options: {
    rewards: { type: "string", default: "1000" },
    workers: { type: "string", default: "3" },
    "fault-rate": { type: "string", default: "0.2" },
    "kill-every-ms": { type: "string", default: "6000" },
    "database-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432" },
    "timeout-s": { type: "string", default: "1200" },
  },
});
const N = Number(args.rewards);
const K = Math.max(1, Number(args.workers));
const RATE = Number(args["fault-rate"]);
const KILL_MS = Number(args["kill-every-ms"]);
const SHOPIFY_TIMEOUT_MS = 5_000;
const SHOP = "soak-plus.myshopify.com";

const database = await scratchDatabase(args["database-url"]);
const { createShopifyEmulator, readAppConfig } = await import("@loyalty/shopify-emulator");
const emulator = createShopifyEmulator({ apiKey: API_KEY, apiSecret: API_SECRET, appConfig: readAppConfig(path.join(ROOT, "shopify.app.toml")) });
const server = await serveWithFaults(emulator, { rate: RATE, hangMs: SHOPIFY_TIMEOUT_MS * 2 });
const env = appEnv(database.url, server.url);
Object.assign(process.env, env);
const { default: db } = await import("~/db.server");
const { logger } = await import("~/logger.server");
const { unauthenticatedAdminFor } = await import("~/services/rewards/deps.server");
const { issueRewardAsync } = await import("~/services/rewards/issue-async.server");

const shop = emulator.addShop({ domain: SHOP, planDisplayName: "Shopify Plus", currencyCode: "USD" });
await db.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, scope: "write_discounts,read_discounts", accessToken: shop.accessToken } });
await db.shop.create({ data: { domain: SHOP, currency: "USD" } });
const customers = [];
for (let i = 0; i < 20; i++) {
  const c = emulator.addCustomer(SHOP, { firstName: "Soak", lastName: String(i), email: `soak${i}@example.com` });
  customers.push(await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: c.id, displayName: `Soak ${i}`, email: `soak${i}@example.com` } }));
}
const template = await db.rewardTemplate.create({ data: { shop: SHOP, name: "$5 off", purpose: "REFERRAL", kind: "FIXED_AMOUNT", value: "5.00", expiryDays: 30 } });
const deps = { db, logger, adminFor: unauthenticatedAdminFor, now: () => new Date() };
for (let i = 0; i < N; i++) {
  const r = await issueRewardAsync(deps, { shop: SHOP, customer: { id: customers[i % customers.length].id }, templateId: template.id, source: "REFERRAL" });
  if (!r.ok) throw new Error(r.error.message);
}

// ---- K workers, one SIGKILLed at random about every KILL_MS, restarted at once ----------------------
const workerEnv = { ...env, BENCH_SHOPS: SHOP, BENCH_BATCH: "20", BENCH_TIMEOUT_MS: String(SHOPIFY_TIMEOUT_MS), BENCH_LEASE_MS: "20000", BENCH_RETRY_BASE_MS: "1000" };
const started = Date.now();
let kills = 0;
let finished = false;
const running = new Set<ChildProcess>();
function launch(): Promise<void> {
  const child = startProcess("bench/lib/worker-process.ts", workerEnv);
  child.stdout!.resume();
  running.add(child);
  return new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      running.delete(child);
      // Killed by us: a new one takes its place (until everything has settled).
      if (signal === "SIGKILL" && !finished) return void launch().then(resolve);
      if (code !== 0 && !finished) return void launch().then(resolve);
      resolve();
    }),
  );
}
// Kills stop once nothing is left to do (otherwise restarts could be killed forever before they exit).
const leftToDo = () => db.reward.count({ where: { OR: [{ status: "PENDING" }, { status: { in: ["FAILED", "CANCELED"] }, nextAttemptAt: { not: null } }] } });
const killer = setInterval(() => {
  void leftToDo().then((left) => {
    const list = [...running];
    if (left === 0 || list.length === 0) return;
    const victim = list[Math.floor(Math.random() * list.length)];
    if (victim.kill("SIGKILL")) kills++;
  });
}, KILL_MS * (0.5 + Math.random()));
const deadline = setTimeout(() => {
  console.error(`soak:issue: not settled after ${args["timeout-s"]} s`);
  for (const c of running) c.kill("SIGKILL");
  process.exit(2);
}, Number(args["timeout-s"]) * 1000);
await Promise.all(Array.from({ length: K }, launch));
finished = true;
clearInterval(killer);
clearTimeout(deadline);
const settleS = (Date.now() - started) / 1000;
server.stopFaults();

// ---- invariants ---------------------------------------------------------------------------------------
const rewards = await db.reward.findMany({ select: { code: true, status: true, failureCode: true, failureMessage: true, attempts: true } });
const live = new Map<string, number>();
const any = new Map<string, number>();
for (const d of emulator.inspect.discounts(SHOP)) {
  for (const c of d.codes) {
    const key = c.code.toUpperCase();
    any.set(key, (any.get(key) ?? 0) + 1);
    if (!d.deactivatedAt) live.set(key, (live.get(key) ?? 0) + 1);
  }
}
const count = (s: string) => rewards.filter((r) => r.status === s).length;
const issued = rewards.filter((r) => r.status === "ISSUED");
const failed = rewards.filter((r) => r.status === "FAILED");
const issuedNotOne = issued.filter((r) => (live.get(r.code.toUpperCase()) ?? 0) !== 1).length;
const issuedMoreThanOneAny = issued.filter((r) => (any.get(r.code.toUpperCase()) ?? 0) > 1).length;
const failedWithLive = failed.filter((r) => (live.get(r.code.toUpperCase()) ?? 0) > 0).length;
const codes = new Set(rewards.map((r) => r.code.toUpperCase()));
const orphans = [...live.keys()].filter((k) => !codes.has(k)).length;
const notSettled = rewards.length - issued.length - failed.length;
const reasons = new Map<string, number>();
for (const r of failed) reasons.set(r.failureCode ?? "?", (reasons.get(r.failureCode ?? "?") ?? 0) + 1);
const calls = emulator.inspect.calls({ shop: SHOP });

console.log(`soak:issue — ${N} async rewards, ${K} worker processes (${kills} SIGKILLed and restarted), fault rate ${RATE} per Admin API request, ${database.provider}`);
console.log(`  machine: ${machine()}`);
console.log(
  table([
    ["Issued / Failed / other", `${issued.length} / ${failed.length} / ${notSettled}${count("PENDING") ? ` (${count("PENDING")} Pending)` : ""}`],
    ["Failed reasons", [...reasons.entries()].map(([k, v]) => `${k} ${v}`).join(", ") || "—"],
    ["Issued with ≠ 1 live discount", `${issuedNotOne} (must be 0)`],
    ["Issued with > 1 discount (any)", `${issuedMoreThanOneAny} (must be 0)`],
    ["Failed with a live discount", `${failedWithLive} (must be 0)`],
    ["orphan live discounts", `${orphans} (must be 0)`],
    ["faults injected", [...server.injected.entries()].map(([k, v]) => `${k} ${v}`).join(", ") + ` of ${calls.length} requests`],
    ["time to settle", `${settleS.toFixed(1)} s`],
  ]),
);
const ok = notSettled === 0 && issuedNotOne === 0 && issuedMoreThanOneAny === 0 && failedWithLive === 0 && orphans === 0;
if (!ok) console.log("  INVARIANT BROKEN");
await db.$disconnect();
await server.close();
await database.drop();
process.exit(ok ? 0 : 1);
