// How fast the worker applies recorded orders/create deliveries (not a test: it prints figures;
// record them in bench/RESULTS.md).
//
//   npx tsx bench/inbox-apply.ts [--deliveries 2000] [--postgres[=postgresql://postgres@127.0.0.1:5432/postgres]]
//                                [--cpu-profile FILE]
//
// Seeds one shop with as many Issued rewards as deliveries, records that many orders/create
// deliveries (the emulator's payload builder, ~4 KB each; every other one carries an Issued code, the
// others a merchant's `SUMMER10`) straight into the inbox, then times the worker's own use-case,
// drainWebhookInbox, until the inbox is empty. Prints deliveries/s and the time per delivery: the
// rate the in-process worker can keep up with (bench/webhook-ingest.ts measures it under HTTP load).
// The CPU time the process spent is printed too: on a machine shared with other work it moves less
// than the rate does.
// --cpu-profile FILE writes a V8 CPU profile (.cpuprofile, for Chrome DevTools) of the drain alone,
// seeding and migrations left out.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { parseArgs } from "node:util";
import { API_KEY, API_SECRET, scratchDatabase, seedIssuedRewards } from "./lib/harness";

const { values: args } = parseArgs({
  args: process.argv.slice(2).map((a) => (a === "--postgres" ? "--postgres=" : a)),
  options: { deliveries: { type: "string", default: "2000" }, postgres: { type: "string" }, "cpu-profile": { type: "string" } },
});
const N = Number(args.deliveries);
if (!Number.isInteger(N) || N < 1) throw new Error("--deliveries must be a positive whole number");

const scratch = await scratchDatabase(args.postgres === undefined ? undefined : args.postgres || "postgresql://postgres@127.0.0.1:5432/postgres");
const DATABASE_URL = scratch.url;
Object.assign(process.env, { DATABASE_URL, SHOPIFY_API_KEY: API_KEY, SHOPIFY_API_SECRET: API_SECRET, SHOPIFY_APP_URL: "http://127.0.0.1:9", LOG_LEVEL: "warn" });

const { createDb, directSql } = await import("~/db.server");
const { buildOrderWebhookBody } = await import("../emulator/src/order-payload");
const { recordDeliveries } = await import("~/services/webhooks/inbox.server");
const { drainWebhookInbox } = await import("~/services/webhooks/apply.server");
const { logger } = await import("~/logger.server");
const db = createDb(DATABASE_URL);
const SHOP = "bench-apply.myshopify.com";

await db.shop.create({ data: { domain: SHOP, currency: "USD" } });
const customer = await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: "gid://shopify/Customer/1", displayName: "Bench", email: "bench@example.com" } });
const codes = await seedIssuedRewards(db, { shop: SHOP, customer, count: N, idPrefix: "bench-", codePrefix: "BENCH" });
const deliveries = codes.map((code, i) => ({
  shop: SHOP,
  topic: "orders/create" as const,
  webhookId: `bench-apply-${i}`,
  apiVersion: "2026-10",
  triggeredAt: null,
  rawBody: buildOrderWebhookBody({
    id: String(820982911946154500n + BigInt(i)),
    shop: SHOP,
    orderNumber: 1001 + i,
    customer: { id: "1", email: "bench@example.com", first_name: "Bench", last_name: "Customer" },
    discountCodes: [{ code: i % 2 ? code : "SUMMER10", type: "fixed_amount", amount: "5.00" }],
    subtotal: "100.00",
  }),
  payload: null,
}));
for (let i = 0; i < N; i += 50) await recordDeliveries(directSql(db), deliveries.slice(i, i + 50), new Date(Date.now() - 1_000));

const profiler = args["cpu-profile"] ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post("Profiler.enable");
  await profiler.post("Profiler.start");
}
const started = performance.now();
const cpuBefore = process.cpuUsage();
const summary = await drainWebhookInbox({ db, now: () => new Date(), logger }, { budgetMs: 3_600_000 });
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000;
if (profiler) {
  const { profile } = await profiler.post("Profiler.stop");
  writeFileSync(args["cpu-profile"]!, JSON.stringify(profile));
  profiler.disconnect();
}
const used = await db.reward.count({ where: { status: "USED" } });
console.log(`
Inbox apply — ${args.postgres !== undefined ? "PostgreSQL" : "SQLite"}, ${N} orders/create deliveries (half carrying an Issued code)
  applied ${summary.applied} (retried ${summary.retried}, dead ${summary.dead}), rewards Used ${used}
  ${ms.toFixed(0)} ms → ${(summary.applied / (ms / 1000)).toFixed(0)} deliveries/s, ${(ms / Math.max(1, summary.applied)).toFixed(2)} ms each
  CPU ${cpuMs.toFixed(0)} ms of this process → ${(cpuMs / Math.max(1, summary.applied)).toFixed(2)} ms CPU per delivery (steadier than the rate on a busy machine)`);
await db.$disconnect();
await scratch.drop();
process.exit(0);
