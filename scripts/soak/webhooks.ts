// Soak: orders/create deliveries, duplicated and shuffled, to two app processes on one PostgreSQL
// database while PostgreSQL kills their connections (not a CI test; prints one table).
//
//   npm run soak:webhooks -- [--orders 1000] [--copies 3] [--connections 10] [--kill-every-ms 400]
//                            [--database-url postgresql://postgres@127.0.0.1:5432]
//
// Needs the production build (`npm run build`). Seeds one Issued reward per order in a scratch
// database, starts two production servers (server.mjs, worker in-process as `npm start` runs it) on
// that database, and sends every order --copies times, shuffled, each copy to one of the two servers
// at random, signed with the app's secret as Shopify signs. The first copies of an order share one
// X-Shopify-Webhook-Id (Shopify's retries of one delivery); the last copy has a new one (the same
// event delivered twice — https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates), so both
// the inbox's de-duplication and the effect's idempotency are exercised. A copy the app does not
// answer 200 is sent again later, as Shopify retries. Meanwhile a random PostgreSQL backend of the
// scratch database is terminated (pg_terminate_backend) about every --kill-every-ms.
// When the inbox has drained it checks:
//   every reward Used, with exactly one "→ Used" event; no delivery accepted (200) but never applied
//   (lost) and none dead-lettered; both servers still running.
// Exits 1 when an invariant breaks.
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { API_KEY, API_SECRET, ROOT, machine, scratchDatabase, seedIssuedRewards, table } from "../../bench/lib/harness";
import { SERVER_NODE_FLAGS } from "../../server/node-flags.mjs";

const { values: args } = parseArgs({
  options: {
    orders: { type: "string", default: "1000" },
    copies: { type: "string", default: "3" },
    connections: { type: "string", default: "10" },
    "kill-every-ms": { type: "string", default: "400" },
    "database-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432" },
    "timeout-s": { type: "string", default: "600" },
  },
});
const N = Number(args.orders);
const COPIES = Math.max(2, Number(args.copies));
const CONNECTIONS = Math.max(1, Number(args.connections));
const KILL_MS = Number(args["kill-every-ms"]);
const SHOP = "soak-webhooks.myshopify.com";
if (!args["database-url"].startsWith("postgres")) throw new Error("soak:webhooks runs on PostgreSQL (--database-url postgresql://…)");

const database = await scratchDatabase(args["database-url"]);
const dbName = new URL(database.url).pathname.slice(1);
const appEnv: Record<string, string> = {
  NODE_ENV: "production",
  DATABASE_URL: database.url,
  SHOPIFY_API_KEY: API_KEY,
  SHOPIFY_API_SECRET: API_SECRET,
  SHOPIFY_ADMIN_API_ORIGIN: "http://127.0.0.1:9",
  WORKER_IN_PROCESS: "true",
  WORKER_POLL_MS: "200",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
};
Object.assign(process.env, { ...appEnv, SHOPIFY_APP_URL: "http://127.0.0.1:9" });
const { createDb } = await import("~/db.server");
const { buildOrderWebhookBody } = await import("../../emulator/src/order-payload");
const db = createDb(database.url);

// ---- one Issued reward per order --------------------------------------------------------------------
await db.shop.create({ data: { domain: SHOP, currency: "USD" } });
await db.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, scope: "read_orders", accessToken: "soak-token" } });
const customer = await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: "gid://shopify/Customer/1", displayName: "Soak", email: "soak@example.com" } });
const codes = await seedIssuedRewards(db, { shop: SHOP, customer, count: N, idPrefix: "soak-", codePrefix: "SOAK" });
const rewards = codes.map((code, i) => ({ id: `soak-${i}`, code }));

// ---- N orders × COPIES deliveries, shuffled ------------------------------------------------------------
interface Delivery {
  body: string;
  webhookId: string;
  tries: number;
}
const deliveries: Delivery[] = [];
for (let i = 0; i < N; i++) {
  const body = buildOrderWebhookBody({
    id: String(5_000_000_000 + i),
    shop: SHOP,
    orderNumber: 1001 + i,
    customer: { id: "1", email: "soak@example.com", first_name: "Soak", last_name: "Customer" },
    discountCodes: [{ code: rewards[i].code, type: "fixed_amount", amount: "5.00" }],
    subtotal: "100.00",
  });
  const retried = randomUUID();
  for (let c = 0; c < COPIES; c++) deliveries.push({ body, webhookId: c < COPIES - 1 ? retried : randomUUID(), tries: 0 });
}
for (let i = deliveries.length - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1));
  [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
}

// ---- two production servers ------------------------------------------------------------------------------
const BASE_PORT = 41_000 + (process.pid % 1_000);
async function startServer(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, "server.mjs"], {
    cwd: ROOT,
    env: { ...process.env, ...appEnv, PORT: String(port), HOST: "127.0.0.1", SHOPIFY_APP_URL: `http://127.0.0.1:${port}` },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => (/listening/.test(d.toString()) ? resolve() : undefined));
    child.once("exit", (code) => reject(new Error(`server on ${port} exited (${code}) before listening`)));
  });
  return child;
}
const ports = [BASE_PORT, BASE_PORT + 1];
const servers = await Promise.all(ports.map(startServer));
const exited: string[] = [];
servers.forEach((s, i) => s.once("exit", (code, signal) => exited.push(`server ${i + 1} exited (${code ?? signal})`)));

// ---- chaos: terminate a random backend of the scratch database ---------------------------------------------
const admin = new pg.Client({ connectionString: new URL("/postgres", database.url).toString() });
await admin.connect();
let terminated = 0;
let chaos = true;
const chaosLoop = (async () => {
  while (chaos) {
    await new Promise((resolve) => setTimeout(resolve, KILL_MS * (0.5 + Math.random())));
    if (!chaos) break;
    const r = await admin.query(
      "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() ORDER BY random() LIMIT 1",
      [dbName],
    );
    if (r.rows[0]?.ok) terminated++;
  }
})();

// ---- send (Shopify retries what was not answered 200) ---------------------------------------------------------
const started = Date.now();
const accepted = new Set<string>();
let non200 = 0;
let networkErrors = 0;
const queue = [...deliveries];
async function send(d: Delivery): Promise<boolean> {
  const port = ports[Math.floor(Math.random() * ports.length)];
  try {
    const res = await fetch(`http://127.0.0.1:${port}/webhooks/orders/create`, {
      method: "POST",
      body: d.body,
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": createHmac("sha256", API_SECRET).update(d.body).digest("base64"),
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Webhook-Id": d.webhookId,
        "X-Shopify-Triggered-At": new Date().toISOString(),
      },
      signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
    if (res.status === 200) return true;
    non200++;
  } catch {
    networkErrors++;
  }
  return false;
}
await Promise.all(
  Array.from({ length: CONNECTIONS }, async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      d.tries++;
      if (await send(d)) accepted.add(d.webhookId);
      else if (d.tries < 20) {
        await new Promise((resolve) => setTimeout(resolve, 100 * d.tries));
        queue.push(d);
      }
    }
  }),
);
const sentIn = (Date.now() - started) / 1000;
chaos = false;
await chaosLoop;

// ---- drain, then check -------------------------------------------------------------------------------------
const deadline = Date.now() + Number(args["timeout-s"]) * 1000;
let pending = Infinity;
while (Date.now() < deadline) {
  pending = await db.webhookDelivery.count({ where: { nextAttemptAt: { not: null } } });
  if (pending === 0) break;
  await new Promise((resolve) => setTimeout(resolve, 500));
}
const settledIn = (Date.now() - started) / 1000;

const ids = rewards.map((r) => r.id);
const notUsed = await db.reward.count({ where: { id: { in: ids }, status: { not: "USED" } } });
const usedEvents = await db.rewardEvent.groupBy({ by: ["rewardId"], where: { rewardId: { in: ids }, type: "STATUS_CHANGED", toStatus: "USED" }, _count: true });
const usedTwice = usedEvents.filter((e) => e._count > 1).length;
const allEvents = await db.rewardEvent.groupBy({ by: ["rewardId"], where: { rewardId: { in: ids } }, _count: true });
const perReward = new Map<number, number>();
for (const e of allEvents) perReward.set(e._count, (perReward.get(e._count) ?? 0) + 1);
const recorded = await db.webhookDelivery.findMany({ where: { shop: SHOP }, select: { webhookId: true, appliedAt: true, deadAt: true, attempts: true } });
const byId = new Map(recorded.map((r) => [r.webhookId, r]));
const lost = [...accepted].filter((id) => !byId.get(id)?.appliedAt).length;
const dead = recorded.filter((r) => r.deadAt).length;
const retriedByWorker = recorded.filter((r) => r.attempts > 1).length;
const neverAccepted = new Set(deliveries.map((d) => d.webhookId)).size - accepted.size;

const broken = notUsed > 0 || usedTwice > 0 || usedEvents.length !== N || lost > 0 || dead > 0 || exited.length > 0 || pending > 0;
console.log(`soak:webhooks — ${N} orders × ${COPIES} deliveries (${deliveries.length}), 2 app processes, ${CONNECTIONS} connections, PostgreSQL, a backend terminated every ~${KILL_MS} ms`);
console.log(`  machine: ${machine()}`);
console.log(
  table([
    ["sent", `${deliveries.length} deliveries in ${sentIn.toFixed(1)} s; answered non-200 ${non200}, connection errors ${networkErrors} (each sent again, as Shopify retries)`],
    ["PostgreSQL backends terminated", terminated],
    ["rewards Used", `${N - notUsed} of ${N} (must be all); with more than one "→ Used" event: ${usedTwice} (must be 0)`],
    ["events per reward", [...perReward.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k} event(s): ${v} rewards`).join("; ")],
    ["deliveries lost", `${lost} (accepted with 200, never applied; must be 0); dead-lettered ${dead} (must be 0); never accepted after 20 tries ${neverAccepted}`],
    ["inbox", `${recorded.length} distinct deliveries recorded; ${retriedByWorker} needed more than one attempt; still pending ${pending}; settled in ${settledIn.toFixed(1)} s`],
    ["app processes", exited.length ? exited.join("; ") : "both still running"],
  ]),
);
if (broken) console.log("  INVARIANT BROKEN");

for (const s of servers) s.kill("SIGTERM");
await admin.end();
await db.$disconnect();
await database.drop();
process.exit(broken ? 1 : 0);
