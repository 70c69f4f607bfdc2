// Worker throughput against Shopify's rate limit, under added latency (not a test: it prints figures).
//
//   npx tsx bench/worker-throughput.ts [--rewards 5000] [--latency-ms 150] [--shops 1] [--workers 2]
//        [--database-url postgresql://postgres@127.0.0.1:5432] [--time-scale 4] [--batch 20]
//        [--concurrency N (fixed lanes per shop instead of the adaptive rule)]
//
// Starts the Shopify emulator over HTTP (emulator/src/server.ts) with every Admin API call delayed by
// --latency-ms (real milliseconds, an armed "hang" fault), creates Standard-plan shops (bucket 2000,
// restoring 100 points/s) and N Pending rewards (issueRewardAsync) spread over the shops, in a
// scratch database (SQLite by default; with a PostgreSQL server URL a fresh database is created and
// dropped), then runs --workers worker processes (bench/lib/worker-process.ts: the app's real worker
// round) until every reward is settled.
//
// --time-scale S runs Shopify's clock S times faster than real time (bucket restores S × faster; the
// workers' pacers use the same clock) so a 5 000-reward run takes minutes, not eight; latency stays in
// real ms, so a scaled run is harder for the worker (it needs S × more rewards in flight).
//
// Figures (Shopify time): the ceiling is what the shops' buckets allowed — the initial buckets plus
// restore rate × run time — in points, and in codes (÷ the cost Shopify charged for one create).
// Share = charged ÷ ceiling. Duplicates are counted in the emulator: discounts per reward code.
import { parseArgs } from "node:util";
import path from "node:path";
import { API_KEY, API_SECRET, ROOT, appEnv, machine, pct, scaledClock, scratchDatabase, startProcess, table } from "./lib/harness";

const { values: args } = parseArgs({
  options: {
    rewards: { type: "string", default: "5000" },
    "latency-ms": { type: "string", default: "0" },
    shops: { type: "string", default: "1" },
    workers: { type: "string", default: "1" },
    "database-url": { type: "string" },
    "time-scale": { type: "string", default: "1" },
    batch: { type: "string", default: "20" },
    concurrency: { type: "string" },
    "big-share": { type: "string", default: "0.5" },
  },
});
const N = Number(args.rewards);
const LATENCY = Number(args["latency-ms"]);
const SHOPS = Math.max(1, Number(args.shops));
const WORKERS = Math.max(1, Number(args.workers));
const SCALE = Number(args["time-scale"]);
// With several shops, shop 0 is the big one: it gets --big-share of the rewards, the small shops split the rest.
const BIG_SHARE = Number(args["big-share"]);
for (const [name, v] of Object.entries({ rewards: N, "latency-ms": LATENCY, shops: SHOPS, workers: WORKERS, "time-scale": SCALE, "big-share": BIG_SHARE })) {
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
}
if (BIG_SHARE > 1) throw new Error("--big-share must be between 0 and 1");
const bigCount = SHOPS > 1 ? Math.round(N * BIG_SHARE) : N;
/** Which shop the i-th reward belongs to. */
const shopIndexOf = (i: number) => (SHOPS === 1 ? 0 : i < bigCount ? 0 : 1 + ((i - bigCount) % (SHOPS - 1)));

const database = await scratchDatabase(args["database-url"]);
const t0 = Date.now();
const shopify = scaledClock(t0, SCALE);
const { createShopifyEmulator, readAppConfig } = await import("@loyalty/shopify-emulator");
const { serveEmulator } = await import("@loyalty/shopify-emulator/server");
const emulator = createShopifyEmulator({ apiKey: API_KEY, apiSecret: API_SECRET, appConfig: readAppConfig(path.join(ROOT, "shopify.app.toml")), clock: shopify.clock });
const server = await serveEmulator(emulator);
const env = appEnv(database.url, server.url);
Object.assign(process.env, env);
const { default: db } = await import("~/db.server");
const { logger } = await import("~/logger.server");
const { unauthenticatedAdminFor } = await import("~/services/rewards/deps.server");
const { issueRewardAsync } = await import("~/services/rewards/issue-async.server");

// ---- shops with the app installed, customers, N pending rewards --------------------------------
const shops: { domain: string; token: string }[] = [];
const perShopRewards = new Map<string, number>();
for (let s = 0; s < SHOPS; s++) {
  const domain = `bench-standard-${s}.myshopify.com`;
  const shop = emulator.addShop({ domain, planDisplayName: "Basic", currencyCode: "USD" });
  shops.push({ domain, token: shop.accessToken });
  await db.session.create({ data: { id: `offline_${domain}`, shop: domain, state: "", isOnline: false, scope: "write_discounts,read_discounts", accessToken: shop.accessToken } });
  await db.shop.create({ data: { domain, currency: "USD" } });
}
const seedDeps = { db, logger, adminFor: unauthenticatedAdminFor, now: () => new Date() };
const customers = new Map<string, { id: string }[]>();
const templates = new Map<string, string>();
for (const { domain } of shops) {
  const list = [];
  for (let i = 0; i < 20; i++) {
    const c = emulator.addCustomer(domain, { firstName: "Bench", lastName: String(i), email: `bench${i}@example.com` });
    list.push(await db.customer.create({ data: { shop: domain, shopifyCustomerId: c.id, displayName: `Bench ${i}`, email: `bench${i}@example.com` } }));
  }
  customers.set(domain, list);
  const template = await db.rewardTemplate.create({ data: { shop: domain, name: "$5 off", purpose: "REFERRAL", kind: "FIXED_AMOUNT", value: "5.00", expiryDays: 30 } });
  templates.set(domain, template.id);
}
const seedStarted = Date.now();
for (let i = 0; i < N; i++) {
  const { domain } = shops[shopIndexOf(i)];
  const list = customers.get(domain)!;
  const r = await issueRewardAsync(seedDeps, { shop: domain, customer: { id: list[i % list.length].id }, templateId: templates.get(domain)!, source: "REFERRAL" });
  if (!r.ok) throw new Error(r.error.message);
  perShopRewards.set(domain, (perShopRewards.get(domain) ?? 0) + 1);
}
const seedS = (Date.now() - seedStarted) / 1000;

// ---- latency, then the workers ------------------------------------------------------------------
emulator.inspect.reset(); // full buckets, empty call log
if (LATENCY > 0) emulator.faults.inject({ action: { type: "hang", ms: LATENCY }, times: "forever" });
const limits = emulator.admin.throttle.limits(shops[0].domain);
const startLevels = shops.map((s) => emulator.admin.throttle.status(s.token, s.domain).currentlyAvailable);
const startedShopify = shopify.nowMs();
const startedReal = Date.now();
const workerEnv = {
  ...env,
  BENCH_T0: String(t0),
  BENCH_TIME_SCALE: String(SCALE),
  BENCH_BATCH: args.batch!,
  BENCH_SHOPS: shops.map((s) => s.domain).join(","),
  ...(args.concurrency ? { BENCH_CONCURRENCY: args.concurrency } : {}),
};
const reports: { throttledSeen: number; maxLanes: number; processed: number }[] = [];
await Promise.all(
  Array.from({ length: WORKERS }, () => {
    const child = startProcess("bench/lib/worker-process.ts", workerEnv);
    let out = "";
    child.stdout!.on("data", (chunk) => (out += chunk));
    return new Promise<void>((resolve, reject) =>
      child.on("exit", (code) => {
        if (code !== 0) return reject(new Error(`worker process exited with ${code}`));
        const line = out.trim().split("\n").pop() ?? "{}";
        reports.push(JSON.parse(line));
        resolve();
      }),
    );
  }),
);
// The run starts with the first Admin API call (process start-up is not Shopify's budget's fault)
// and ends when the last reward settled (the last worker saw nothing Pending).
const firstCallMs = emulator.inspect.calls({})[0]?.at.getTime() ?? startedShopify;
const elapsedShopifyS = (shopify.nowMs() - firstCallMs) / 1000;
const elapsedRealS = (Date.now() - startedReal) / 1000;
const startupRealS = (firstCallMs - startedShopify) / 1000 / SCALE;

// ---- figures ----------------------------------------------------------------------------------------
const calls = emulator.inspect.calls({});
const charged = calls.reduce((sum, c) => sum + (c.outcome === "throttled" || c.actualQueryCost == null ? 0 : c.actualQueryCost), 0);
const throttled = calls.filter((c) => c.outcome === "throttled").length;
const creates = calls.filter((c) => c.rootFields?.includes("discountCodeBasicCreate") && c.outcome === "success");
const createCost = creates.length > 0 ? Math.max(...creates.map((c) => c.actualQueryCost ?? 0)) : NaN;
const ceilingPoints = startLevels.reduce((a, b) => a + b, 0) + SHOPS * limits.restoreRate * elapsedShopifyS;
const ceilingCodes = createCost > 0 ? ceilingPoints / createCost : 0;

const rewards = await db.reward.findMany({ select: { code: true, status: true, shop: true, failureCode: true, issuedAt: true, createdAt: true, attempts: true } });

// Where the ceiling went: replay each shop's bucket from the call log (a call is charged when it
// arrives, i.e. after the added latency). Restore that met a full bucket is lost; so is what is left
// in the bucket at the end. The rest of the gap is points restored and spent late, never lost.
let overflowPoints = 0;
let endLevelPoints = 0;
const runEndMs = shopify.nowMs();
for (const { domain } of shops) {
  let level = startLevels[shops.findIndex((s) => s.domain === domain)];
  let at = firstCallMs;
  const charges = emulator.inspect
    .calls({ shop: domain })
    .filter((c) => c.outcome !== "throttled" && c.actualQueryCost != null)
    .map((c) => ({ at: c.at.getTime() + LATENCY * SCALE, cost: c.actualQueryCost! }))
    .sort((a, b) => a.at - b.at);
  for (const charge of [...charges, { at: runEndMs, cost: 0 }]) {
    const t = Math.max(at, charge.at);
    const refilled = level + ((t - at) / 1000) * limits.restoreRate;
    if (refilled > limits.maximumAvailable) overflowPoints += refilled - limits.maximumAvailable;
    level = Math.max(0, Math.min(limits.maximumAvailable, refilled) - charge.cost);
    at = t;
  }
  endLevelPoints += level;
}
const retried = rewards.filter((r) => r.attempts > 1).length;
const failedAttempts = await db.rewardEvent.groupBy({ by: ["reason"], where: { type: "ATTEMPT_FAILED" }, _count: { _all: true } });
const retryReasons = failedAttempts.map((g) => `${g.reason ?? "?"} ${g._count._all}`).join(", ") || "none";
const byStatus = new Map<string, number>();
for (const r of rewards) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
const discountsPerCode = new Map<string, number>();
for (const { domain } of shops) for (const d of emulator.inspect.discounts(domain)) for (const c of d.codes) discountsPerCode.set(`${domain}|${c.code.toUpperCase()}`, (discountsPerCode.get(`${domain}|${c.code.toUpperCase()}`) ?? 0) + 1);
let duplicates = 0;
let issuedWithoutDiscount = 0;
let unissuedWithDiscount = 0;
const rewardKeys = new Set<string>();
for (const r of rewards) {
  const key = `${r.shop}|${r.code.toUpperCase()}`;
  rewardKeys.add(key);
  const n = discountsPerCode.get(key) ?? 0;
  if (n > 1) duplicates++;
  if (r.status === "ISSUED" && n === 0) issuedWithoutDiscount++;
  if (r.status !== "ISSUED" && n > 0) unissuedWithDiscount++;
}
const orphans = [...discountsPerCode.keys()].filter((k) => !rewardKeys.has(k)).length;
const failedThrottled = rewards.filter((r) => r.status === "FAILED" && /throttl/i.test(r.failureCode ?? "")).length;
const issued = byStatus.get("ISSUED") ?? 0;

// Fairness: shop 0 is the big one (--big-share of the rewards); when did each small shop get its last code?
const perShopIssued = shops.map((s) => rewards.filter((r) => r.shop === s.domain && r.status === "ISSUED").length);
const perShopLastIssued = shops.map((s) => Math.max(0, ...rewards.filter((r) => r.shop === s.domain && r.issuedAt).map((r) => r.issuedAt!.getTime())));
const smallDone = perShopLastIssued.slice(1).map((t) => (t - startedReal) / 1000).sort((a, b) => a - b);
const bigDone = (perShopLastIssued[0] - startedReal) / 1000;
console.log(
  `Worker throughput — ${SHOPS} Standard shop(s) (bucket ${limits.maximumAvailable}, restore ${limits.restoreRate}/s each), ${N} rewards, ` +
    `${LATENCY} ms added to every Admin API call, ${WORKERS} worker process(es), ${database.provider}, batch ${args.batch}, ` +
    `lanes per shop ${args.concurrency ? `fixed ${args.concurrency}` : "adaptive (bucket + observed time per reward)"}`,
);
console.log(
  SCALE === 1
    ? "  Shopify's clock: real time"
    : `  Shopify's clock: TIME-SCALED ×${SCALE} (the bucket restores ${SCALE} × faster per real second; figures below are in Shopify time)`,
);
console.log(`  machine: ${machine()}; seeding took ${seedS.toFixed(1)} s`);
console.log(
  table([
    ["run time", `${elapsedShopifyS.toFixed(1)} s Shopify time from the first call (${elapsedRealS.toFixed(1)} s real, of which ${startupRealS.toFixed(1)} s process start-up)`],
    ["rewards", [...byStatus.entries()].map(([k, v]) => `${k} ${v}`).join(", ")],
    ["codes issued", `${issued} of a ceiling of ${ceilingCodes.toFixed(0)} codes (one create costs ${Number.isFinite(createCost) ? createCost : "n/a"} points)`],
    ["codes share", `${pct(issued, ceilingCodes)}${SHOPS > 1 ? " (of all shops' buckets over the whole run: small shops that finish early leave theirs unused; see fairness)" : ""}`],
    ["points share", `${pct(charged, ceilingPoints)} (${charged} of ${ceilingPoints.toFixed(0)} points charged, lookups included)`],
    ["THROTTLED answers", `${throttled} (pacers saw ${reports.reduce((a, r) => a + r.throttledSeen, 0)})`],
    ["ceiling not spent", `${(ceilingPoints - charged).toFixed(0)} points: ${overflowPoints.toFixed(0)} restored into a full bucket, ${endLevelPoints.toFixed(0)} left in the buckets at the end (replayed from the call log)`],
    ["rewards retried", `${retried} needed more than one attempt (failed attempts: ${retryReasons})`],
    ["failed by THROTTLED", failedThrottled],
    ["duplicate discounts", `${duplicates} rewards with more than one discount; ${orphans} discounts with no reward`],
    ["status truth", `${issuedWithoutDiscount} Issued without a discount, ${unissuedWithDiscount} not Issued with one`],
    ["lanes per shop", `up to ${Math.max(0, ...reports.map((r) => r.maxLanes))} (seen at round starts)`],
    ...(SHOPS > 1
      ? ([
          [
            "fairness",
            `big shop: ${perShopIssued[0]} codes (${pct(perShopIssued[0], (startLevels[0] + limits.restoreRate * elapsedShopifyS) / createCost)} of its own ceiling), last at ${bigDone.toFixed(1)} s real; ${SHOPS - 1} small shops: ${perShopIssued.slice(1).reduce((a, b) => a + b, 0)} codes, ` +
              `each shop's last code at median ${smallDone[Math.floor(smallDone.length / 2)].toFixed(1)} s, slowest ${smallDone[smallDone.length - 1].toFixed(1)} s real`,
          ],
        ] as [string, string][])
      : []),
  ]),
);
const ok = duplicates === 0 && orphans === 0 && failedThrottled === 0 && issuedWithoutDiscount === 0 && unissuedWithDiscount === 0 && issued === N;
await db.$disconnect();
await server.close();
await database.drop();
process.exit(ok ? 0 : 1);
