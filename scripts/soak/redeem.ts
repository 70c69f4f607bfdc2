// Soak: concurrent point redemptions (not a CI test; prints one table).
//
//   npm run soak:redeem -- [--customers 200] [--concurrent 5] [--affordable 2] [--fault-rate 0.3]
//                          [--database-url postgresql://postgres@127.0.0.1:5432]  (default; SQLite: file:…)
//
// Each customer has points for --affordable rewards and fires --concurrent redemptions at once (each
// with its own idempotency key, the real redeemPoints use-case against the emulator over HTTP).
// Two rounds: Shopify healthy, then Shopify failing each request with probability --fault-rate (5xx,
// hangs past the timeout that still execute, THROTTLED, userErrors, lost responses). After both, the
// abandoned-redemption sweep runs (as the worker's periodic task would) and it checks per customer:
//   rewards created ≤ affordable; points debited = rewards × cost (the ledger agrees with the balance,
//   never negative); each reward has exactly 1 live discount; no live discount without a reward.
// Exits 1 when an invariant breaks.
import { parseArgs } from "node:util";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { API_KEY, API_SECRET, ROOT, appEnv, machine, scratchDatabase, serveWithFaults, table } from "../../bench/lib/harness";

const { values: args } = parseArgs({
  options: {
    customers: { type: "string", default: "200" },
    concurrent: { type: "string", default: "5" },
    affordable: { type: "string", default: "2" },
    "fault-rate": { type: "string", default: "0.3" },
    "database-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432" },
  },
});
const M = Number(args.customers);
const C = Number(args.concurrent);
const K = Number(args.affordable);
const RATE = Number(args["fault-rate"]);
const COST = 100;
const SHOP = "soak-redeem.myshopify.com";
const TIMEOUT_MS = 5_000;
const HANG_MS = TIMEOUT_MS * 2;

const database = await scratchDatabase(args["database-url"]);
const { createShopifyEmulator, readAppConfig } = await import("@loyalty/shopify-emulator");
const emulator = createShopifyEmulator({ apiKey: API_KEY, apiSecret: API_SECRET, appConfig: readAppConfig(path.join(ROOT, "shopify.app.toml")) });
let faultRate = 0;
const server = await serveWithFaults(emulator, { rate: () => faultRate, hangMs: HANG_MS });
Object.assign(process.env, appEnv(database.url, server.url));
const { default: db } = await import("~/db.server");
const { logger } = await import("~/logger.server");
const { unauthenticatedAdminFor } = await import("~/services/rewards/deps.server");
const { redeemPoints } = await import("~/services/rewards/redeem-points.server");
const { recoverAbandonedRedemptions } = await import("~/services/rewards/recover-redemptions.server");

const shop = emulator.addShop({ domain: SHOP, planDisplayName: "Shopify Plus", currencyCode: "USD" });
await db.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, scope: "write_discounts,read_discounts", accessToken: shop.accessToken } });
await db.shop.create({ data: { domain: SHOP, currency: "USD" } });
const template = await db.rewardTemplate.create({ data: { shop: SHOP, name: "$5 off", purpose: "POINTS_REDEMPTION", kind: "FIXED_AMOUNT", value: "5.00", pointsCost: COST, expiryDays: 30 } });
const deps = { db, logger, adminFor: unauthenticatedAdminFor, now: () => new Date(), shopifyTimeoutMs: TIMEOUT_MS };

interface Round {
  name: string;
  rate: number;
  customers: { id: string; gid: string }[];
  ok: number;
  refused: Map<string, number>;
  seconds: number;
}
async function round(name: string, rate: number): Promise<Round> {
  const customers = [];
  for (let i = 0; i < M; i++) {
    const c = emulator.addCustomer(SHOP, { firstName: "Soak", lastName: `${name}${i}`, email: `${name}${i}@example.com` });
    const row = await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: c.id, displayName: `Soak ${i}`, email: `${name}${i}@example.com`, pointsBalance: K * COST } });
    await db.pointsTransaction.create({ data: { shop: SHOP, customerId: row.id, delta: K * COST, balanceAfter: K * COST, reason: "ADJUSTMENT" } });
    customers.push({ id: row.id, gid: c.id });
  }
  faultRate = rate;
  const started = Date.now();
  const results = await Promise.all(
    customers.flatMap((c) => Array.from({ length: C }, () => redeemPoints(deps, { shop: SHOP, customerGid: c.gid, templateId: template.id, idempotencyKey: randomUUID() }))),
  );
  faultRate = 0;
  const refused = new Map<string, number>();
  for (const r of results) if (!r.ok) refused.set(r.error.reason ?? r.error.code ?? "error", (refused.get(r.error.reason ?? r.error.code ?? "error") ?? 0) + 1);
  return { name, rate, customers, ok: results.filter((r) => r.ok).length, refused, seconds: (Date.now() - started) / 1000 };
}

const rounds = [await round("healthy", 0), await round("failing", RATE)];
server.stopFaults();
// The worker's sweep runs only on redemptions whose lease ended 10 minutes ago (recover-redemptions),
// long after any request Shopify still held could land. The clock below pretends an hour passed, so
// real time must at least outlast the hangs still in flight (they execute after HANG_MS), or the
// sweep would look before a late create lands — something it never does in production.
await new Promise((resolve) => setTimeout(resolve, HANG_MS + 1_000));
// The worker's sweep for redemptions left in progress (its lease long over by then).
const later = { ...deps, now: () => new Date(Date.now() + 3_600_000) };
await recoverAbandonedRedemptions(later, { olderThanMs: 0, limit: 10_000 });

const live = new Map<string, number>();
for (const d of emulator.inspect.discounts(SHOP)) for (const c of d.codes) if (!d.deactivatedAt) live.set(c.code.toUpperCase(), (live.get(c.code.toUpperCase()) ?? 0) + 1);
const allRewards = await db.reward.findMany({ where: { shop: SHOP }, select: { code: true, customerId: true, status: true } });
const rewardCodes = new Set(allRewards.map((r) => r.code.toUpperCase()));
const orphans = [...live.keys()].filter((k) => !rewardCodes.has(k)).length;
let broken = orphans > 0;
const rows: [string, string | number][] = [];
for (const r of rounds) {
  const ids = new Set(r.customers.map((c) => c.id));
  const rewards = allRewards.filter((x) => ids.has(x.customerId));
  const perCustomer = new Map<string, number>();
  for (const x of rewards) perCustomer.set(x.customerId, (perCustomer.get(x.customerId) ?? 0) + 1);
  const over = [...perCustomer.values()].filter((n) => n > K).length;
  const ledger = await db.pointsTransaction.groupBy({ by: ["customerId"], where: { customerId: { in: [...ids] }, reason: { not: "ADJUSTMENT" } }, _sum: { delta: true } });
  const debited = -ledger.reduce((a, l) => a + (l._sum.delta ?? 0), 0);
  const balances = await db.customer.findMany({ where: { id: { in: [...ids] } }, select: { pointsBalance: true } });
  const balanceDebited = balances.reduce((a, b) => a + (K * COST - b.pointsBalance), 0);
  const negative = balances.filter((b) => b.pointsBalance < 0).length;
  const notOne = rewards.filter((x) => (live.get(x.code.toUpperCase()) ?? 0) !== 1).length;
  const inProgress = await db.redemption.count({ where: { customerId: { in: [...ids] }, state: "IN_PROGRESS" } });
  const bad = over > 0 || debited !== rewards.length * COST || balanceDebited !== debited || negative > 0 || notOne > 0 || inProgress > 0;
  broken ||= bad;
  rows.push(
    [`${r.name} (fault rate ${r.rate})`, `${M} customers × ${C} concurrent = ${M * C} redemptions in ${r.seconds.toFixed(1)} s`],
    ["  rewards created", `${rewards.length} (≤ ${M * K}); customers over their balance: ${over} (must be 0)`],
    ["  points debited", `${debited} by the ledger, ${balanceDebited} by the balances, rewards × ${COST} = ${rewards.length * COST} (all three equal); negative balances ${negative}`],
    ["  rewards without exactly 1 live discount", `${notOne} (must be 0); redemptions still in progress ${inProgress}`],
    ["  answers", `${r.ok} succeeded; refused: ${[...r.refused.entries()].map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`],
  );
}
rows.push(["orphan live discounts (both rounds)", `${orphans} (must be 0)`], ["faults injected", [...server.injected.entries()].map(([k, v]) => `${k} ${v}`).join(", ") || "none"]);
console.log(`soak:redeem — ${M} customers per round, ${C} concurrent redemptions each, balance for ${K} rewards of ${COST} points, ${database.provider}`);
console.log(`  machine: ${machine()}`);
console.log(table(rows));
if (broken) console.log("  INVARIANT BROKEN");
await db.$disconnect();
await server.close();
await database.drop();
process.exit(broken ? 1 : 0);
