// Keyset pagination of the admin's Activity → Rewards table (not a test: it prints figures).
//
//   npx tsx bench/admin-pagination.ts [--rewards 20000] [--others 20000] [--runs 200] [--page 400]
//
// Seeds a scratch SQLite database (migrated like production) with one customer holding --rewards
// rewards and --others rewards spread over 50 other customers of the same shop (statuses cycling
// through the five), then reads page 1 and page --page of that customer's rewards through the same
// read-model function the route uses (app/services/admin/rewards.server.ts `listRewards`), --runs
// times each, and prints the median and p95. For contrast it times OFFSET pagination of the same
// page, and prints SQLite's query plan for the SQL Prisma actually sent.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { InValue } from "@libsql/client";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";

const ROOT = path.resolve(import.meta.dirname, "..");
const { values: args } = parseArgs({
  options: {
    rewards: { type: "string", default: "20000" },
    others: { type: "string", default: "20000" },
    runs: { type: "string", default: "200" },
    page: { type: "string", default: "400" },
  },
});
const N = Number(args.rewards);
const OTHERS = Number(args.others);
const RUNS = Number(args.runs);
const PAGE = Number(args.page);
const PAGE_SIZE = 10;
const SHOP = "bench-admin.myshopify.com";
const STATUSES = ["ISSUED", "USED", "CANCELED", "FAILED", "PENDING"];

const dir = mkdtempSync(path.join(tmpdir(), "loyalty-bench-admin-"));
const file = path.join(dir, "bench.sqlite");
const DATABASE_URL = `file:${file}`;
const migrated = spawnSync(process.execPath, [path.join(ROOT, "scripts", "prisma.mjs"), "migrate", "deploy"], {
  cwd: ROOT,
  env: { ...process.env, DATABASE_URL },
  encoding: "utf8",
});
if (migrated.status !== 0) throw new Error(`migrate deploy failed:\n${migrated.stdout}\n${migrated.stderr}`);

// The client the app would build for this URL, with Prisma's query log on to capture the SQL.
process.env.DATABASE_URL = DATABASE_URL;
const { PrismaClient } = await import("@prisma/client");
const { PrismaLibSql } = await import("@prisma/adapter-libsql");
const db = new PrismaClient({ adapter: new PrismaLibSql({ url: pathToFileURL(file).href }), log: [{ emit: "event", level: "query" }] });
let lastQuery: { query: string; params: string } | null = null;
db.$on("query", (e) => {
  if (/FROM .*Reward/.test(e.query) && /ORDER BY/.test(e.query)) lastQuery = { query: e.query, params: e.params };
});
const { listRewards } = await import("../app/services/admin/rewards.server");

// ---- seed -----------------------------------------------------------------------------------------
const seedStart = performance.now();
await db.shop.create({ data: { domain: SHOP } });
const target = await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: "gid://shopify/Customer/1", displayName: "Bench Target" } });
const others: { id: string; shopifyCustomerId: string }[] = [];
for (let i = 0; i < 50; i++) {
  others.push(await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: `gid://shopify/Customer/${100 + i}`, displayName: `Other ${i}` } }));
}
const t0 = Date.UTC(2024, 0, 1);
async function seed(count: number, customerOf: (i: number) => { id: string; shopifyCustomerId: string }, prefix: string) {
  for (let from = 0; from < count; from += 1000) {
    await db.reward.createMany({
      data: Array.from({ length: Math.min(1000, count - from) }, (_, k) => {
        const i = from + k;
        const c = customerOf(i);
        return {
          shop: SHOP,
          customerId: c.id,
          customerGid: c.shopifyCustomerId,
          source: "POINTS_REDEMPTION",
          kind: "FIXED_AMOUNT",
          value: "5.00",
          currency: "USD",
          title: "$5 off",
          code: `${prefix}-${i}`,
          codeKey: `${prefix}-${i}`,
          status: STATUSES[i % STATUSES.length],
          // Every 7th pair of rows shares a timestamp, so the id tie-break is exercised.
          createdAt: new Date(t0 + Math.floor(i - (i % 7 === 1 ? 1 : 0)) * 60_000),
        };
      }),
    });
  }
}
await seed(N, () => target, "T");
await seed(OTHERS, (i) => others[i % others.length], "O");
// No ANALYZE: production databases don't run it either, so the planner works from the schema alone.
const seedMs = performance.now() - seedStart;

// ---- helpers ----------------------------------------------------------------------------------------
function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { median: q(0.5), p95: q(0.95) };
}
async function time(fn: () => Promise<unknown>): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < 10; i++) await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return stats(samples);
}
/** The `after` cursor of page `n` (1-based), found by walking the pages like a merchant would. */
async function cursorForPage(n: number, query: { customerId?: string; status?: "ISSUED" }) {
  let after: string | null = null;
  for (let p = 1; p < n; p++) {
    const page = await listRewards(db, { shop: SHOP, ...query, after, pageSize: PAGE_SIZE });
    if (!page.nextCursor) throw new Error(`only ${p} pages for ${JSON.stringify(query)}`);
    after = page.nextCursor;
  }
  return after;
}
const { createClient } = await import("@libsql/client");
// A second connection of its own (the bench only reads through it).
const raw = createClient({ url: pathToFileURL(file).href });
/** The SQL Prisma sent for the last page read, with its parameters, to time and explain on its own. */
function captured(): { sql: string; bind: InValue[] } {
  if (!lastQuery) throw new Error("no query captured");
  const { query, params } = lastQuery as { query: string; params: string };
  return { sql: query, bind: (JSON.parse(params) as InValue[]).map((p) => (typeof p === "boolean" ? Number(p) : p)) };
}
async function queryPlan(q: { sql: string; bind: InValue[] }): Promise<string[]> {
  return (await raw.execute({ sql: `EXPLAIN QUERY PLAN ${q.sql}`, args: q.bind })).rows.map((r) => String(r.detail));
}
/** The database's own time for a statement (no Prisma), in the same process (libSQL's client prepares it on each run). */
async function timeSql(q: { sql: string; bind: InValue[] }) {
  return time(() => raw.execute({ sql: q.sql, args: q.bind }));
}
const fmt = (ms: number) => `${ms.toFixed(3)} ms`.padStart(10);

// ---- measure ----------------------------------------------------------------------------------------
type Case = { label: string; query: { customerId?: string; status?: "ISSUED" } };
const cases: Case[] = [
  { label: `one customer (${N} rewards)`, query: { customerId: target.id } },
  { label: `one customer, status Issued (${Math.ceil(N / 5)} rewards)`, query: { customerId: target.id, status: "ISSUED" } },
  { label: `whole shop, status Issued (${Math.ceil((N + OTHERS) / 5)} rewards)`, query: { status: "ISSUED" } },
];

console.log(`Keyset pagination of Activity → Rewards, SQLite (${file})`);
console.log(`seeded ${N + OTHERS} rewards (${N} for the target customer) in ${(seedMs / 1000).toFixed(1)} s; page size ${PAGE_SIZE}; ${RUNS} runs per figure\n`);
const rows: string[][] = [];
for (const c of cases) {
  const pageN = Math.min(PAGE, Math.floor((c.query.status ? (c.query.customerId ? N : N + OTHERS) / 5 : N) / PAGE_SIZE));
  const cursor = await cursorForPage(pageN, c.query);
  const first = await time(() => listRewards(db, { shop: SHOP, ...c.query, pageSize: PAGE_SIZE }));
  const firstSql = await timeSql(captured());
  const deep = await time(() => listRewards(db, { shop: SHOP, ...c.query, after: cursor, pageSize: PAGE_SIZE }));
  const deepQuery = captured();
  const deepSql = await timeSql(deepQuery);
  const where = { shop: SHOP, ...(c.query.customerId ? { customerId: c.query.customerId } : {}), ...(c.query.status ? { status: c.query.status } : {}) };
  const offset = await time(() =>
    db.reward.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], skip: (pageN - 1) * PAGE_SIZE, take: PAGE_SIZE + 1, select: { id: true, shop: true, customerId: true, title: true, code: true, kind: true, source: true, status: true, createdAt: true, usedOrderGid: true, usedOrderName: true } }),
  );
  const offsetSql = await timeSql(captured());
  console.log(c.label);
  console.log(`                     listRewards (Prisma + SQLite)     SQL alone (libSQL client)`);
  console.log(`                     median      p95                   median      p95`);
  console.log(`  keyset page 1     ${fmt(first.median)} ${fmt(first.p95)}            ${fmt(firstSql.median)} ${fmt(firstSql.p95)}`);
  console.log(`  keyset page ${String(pageN).padEnd(5)} ${fmt(deep.median)} ${fmt(deep.p95)}            ${fmt(deepSql.median)} ${fmt(deepSql.p95)}`);
  console.log(`  OFFSET page ${String(pageN).padEnd(5)} ${fmt(offset.median)} ${fmt(offset.p95)}            ${fmt(offsetSql.median)} ${fmt(offsetSql.p95)}   (contrast only; the app never uses OFFSET)`);
  console.log(`  plan of the keyset query: ${(await queryPlan(deepQuery)).join(" | ")}\n`);
  rows.push([c.label, String(pageN), first.median.toFixed(3), deep.median.toFixed(3), firstSql.median.toFixed(3), deepSql.median.toFixed(3), offsetSql.median.toFixed(3)]);
}
console.log("summary (median ms): case | page | keyset p1 | keyset pN | SQL p1 | SQL pN | SQL OFFSET pN");
for (const r of rows) console.log(`  ${r.join(" | ")}`);

raw.close();
await db.$disconnect();
rmSync(dir, { recursive: true, force: true });
