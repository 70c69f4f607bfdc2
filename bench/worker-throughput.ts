// Worker throughput against Shopify's rate limit (not a test: it prints figures).
//
//   npx tsx bench/worker-throughput.ts [--rewards 800] [--concurrency 2] [--batch 20] [--no-pacing]
//
// Starts the standalone Shopify emulator over HTTP (emulator/src/server.ts), points the app's real
// Admin API client at it (SHOPIFY_ADMIN_API_ORIGIN), creates a Standard-plan shop (bucket 2000
// points, restoring 100/s) and N Pending rewards in a scratch SQLite database, then runs the worker
// (claims, pacing, Shopify calls, commits) until every reward is settled. It reports:
//   - budget share: points Shopify charged / points the shop had (full bucket at the start + restore
//     rate × run time). The bucket starts full, so on short runs the first burst dominates;
//   - steady share: from the moment the initial bucket is drained to the end, points charged /
//     points Shopify made available in that window (restored + what was left at its start), i.e.
//     how much of the restore rate the paced worker really uses (target ≥ 95 %);
//   - THROTTLED answers (target 0) and the bucket level at the end.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const ROOT = path.resolve(import.meta.dirname, "..");
const { values: args } = parseArgs({
  options: {
    rewards: { type: "string", default: "800" },
    concurrency: { type: "string", default: "2" },
    batch: { type: "string", default: "20" },
    "no-pacing": { type: "boolean", default: false },
  },
});
const N = Number(args.rewards);
const SHOP = "bench-standard.myshopify.com";
const API_KEY = "bench-api-key";
const API_SECRET = "bench-api-secret";

// ---- a scratch database, migrated like production --------------------------------------------------
const dir = mkdtempSync(path.join(tmpdir(), "loyalty-bench-"));
const DATABASE_URL = `file:${path.join(dir, "bench.sqlite")}`;
const migrated = spawnSync(process.execPath, [path.join(ROOT, "scripts", "prisma.mjs"), "migrate", "deploy"], {
  cwd: ROOT,
  env: { ...process.env, DATABASE_URL },
  encoding: "utf8",
});
if (migrated.status !== 0) throw new Error(`migrate deploy failed:\n${migrated.stdout}\n${migrated.stderr}`);

// ---- the emulator over HTTP ---------------------------------------------------------------------------
const { createShopifyEmulator, readAppConfig } = await import("@loyalty/shopify-emulator");
const { serveEmulator } = await import("@loyalty/shopify-emulator/server");
const emulator = createShopifyEmulator({ apiKey: API_KEY, apiSecret: API_SECRET, appConfig: readAppConfig(path.join(ROOT, "shopify.app.toml")) });
const server = await serveEmulator(emulator);

// The app's configuration must be in place before its modules load (they validate it on import).
Object.assign(process.env, {
  NODE_ENV: "production",
  DATABASE_URL,
  SHOPIFY_API_KEY: API_KEY,
  SHOPIFY_API_SECRET: API_SECRET,
  SHOPIFY_APP_URL: "http://127.0.0.1:9",
  SHOPIFY_ADMIN_API_ORIGIN: server.url,
  WORKER_IN_PROCESS: "false",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
});
const { default: db } = await import("~/db.server");
const { logger } = await import("~/logger.server");
const { unauthenticatedAdminFor } = await import("~/services/rewards/deps.server");
const { issueRewardAsync } = await import("~/services/rewards/issue-async.server");
const { Pacer } = await import("~/jobs/pacing.server");
const { runWorkerOnce, workerConfig } = await import("~/jobs/worker.server");

// ---- a Standard shop with the app installed, customers, N pending rewards ------------------------------
const shop = emulator.addShop({ domain: SHOP, planDisplayName: "Basic", currencyCode: "USD" });
await db.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, scope: "write_discounts,read_discounts", accessToken: shop.accessToken } });
await db.shop.create({ data: { domain: SHOP, currency: "USD" } });
const customers = [];
for (let i = 0; i < 50; i++) {
  const c = emulator.addCustomer(SHOP, { firstName: "Bench", lastName: String(i), email: `bench${i}@example.com` });
  customers.push(await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: c.id, displayName: `Bench ${i}`, email: `bench${i}@example.com` } }));
}
const template = await db.rewardTemplate.create({ data: { shop: SHOP, name: "$5 off", purpose: "REFERRAL", kind: "FIXED_AMOUNT", value: "5.00", expiryDays: 30 } });
/** Every cost report the worker received: when, and the bucket level Shopify reported. */
const samples: { at: number; available: number; charged: number }[] = [];
const deps = {
  db,
  logger,
  adminFor: unauthenticatedAdminFor,
  now: () => new Date(),
  runOptions: () => ({
    onCost: (cost: { actualQueryCost: number | null; throttleStatus: { currentlyAvailable: number } }) =>
      samples.push({ at: Date.now(), available: cost.throttleStatus.currentlyAvailable, charged: cost.actualQueryCost ?? 0 }),
  }),
};
for (let i = 0; i < N; i++) {
  const r = await issueRewardAsync(deps, { shop: SHOP, customer: { id: customers[i % customers.length].id }, templateId: template.id, source: "REFERRAL" });
  if (!r.ok) throw new Error(r.error.message);
}

// ---- run the worker until everything is settled ----------------------------------------------------
const pacer = args["no-pacing"] ? undefined : new Pacer();
const config = workerConfig({ workerId: "bench", batchSize: Number(args.batch), perShopConcurrency: Number(args.concurrency) });
const limits = emulator.admin.throttle.limits(SHOP);
const startLevel = emulator.admin.throttle.status(shop.accessToken, SHOP).currentlyAvailable;
emulator.inspect.reset();
const started = Date.now();
let lastProgress = started;
for (;;) {
  const summary = await runWorkerOnce({ ...deps, ...(pacer ? { pacer } : {}) }, config);
  const left = await db.reward.count({ where: { status: "PENDING", nextAttemptAt: { lte: new Date() } } });
  if (Date.now() - lastProgress > 10_000) {
    lastProgress = Date.now();
    const issued = await db.reward.count({ where: { status: "ISSUED" } });
    console.log(`  … ${issued}/${N} issued after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  if (summary.claimed === 0 && left === 0) break;
}
const elapsedS = (Date.now() - started) / 1000;

// ---- figures ---------------------------------------------------------------------------------------------
const calls = emulator.inspect.calls({ shop: SHOP });
const charged = calls.reduce((sum, c) => sum + (c.outcome === "throttled" || c.actualQueryCost === null ? 0 : c.actualQueryCost), 0);
const throttled = calls.filter((c) => c.outcome === "throttled").length;
const endLevel = emulator.admin.throttle.status(shop.accessToken, SHOP).currentlyAvailable;
const budget = startLevel + limits.restoreRate * elapsedS;
const ended = Date.now();
const drained = samples.findIndex((x) => x.available < 100);
let steady = NaN;
let steadySeconds = 0;
if (drained >= 0) {
  const window = samples.slice(drained + 1);
  steadySeconds = (ended - samples[drained].at) / 1000;
  const available = samples[drained].available + limits.restoreRate * steadySeconds - endLevel;
  steady = window.reduce((sum, x) => sum + x.charged, 0) / (available + endLevel);
}
const statuses = await db.reward.groupBy({ by: ["status"], _count: true });
const creates = emulator.inspect.countCalls("discountCodeBasicCreate", { shop: SHOP });

console.log(`Worker throughput — Standard shop (bucket ${limits.maximumAvailable}, restore ${limits.restoreRate}/s), ${N} rewards, pacing ${pacer ? "on" : "off"}, batch ${config.batchSize}, ${config.perShopConcurrency} calls in flight per shop`);
console.log(`  run time           ${elapsedS.toFixed(1)} s  (${(N / elapsedS).toFixed(1)} rewards/s)`);
console.log(`  rewards            ${statuses.map((s) => `${s.status} ${s._count}`).join(", ")}; create calls ${creates}, discounts in Shopify ${emulator.inspect.discounts(SHOP).length} (Pending = waiting for a retry after THROTTLED)`);
console.log(`  points charged     ${charged} of ${budget.toFixed(0)} available  → budget share ${((100 * charged) / budget).toFixed(1)} %`);
console.log(`  steady share       ${(100 * steady).toFixed(1)} % of the points available over the last ${steadySeconds.toFixed(1)} s (after the initial bucket was drained)`);
console.log(`  THROTTLED answers  ${throttled}`);
console.log(`  bucket at the end  ${endLevel} / ${limits.maximumAvailable}`);

await db.$disconnect();
await server.close();
rmSync(dir, { recursive: true, force: true });
