// Claiming work with several workers at once, each on its own database connection (as separate
// processes would be): no reward is ever claimed or processed twice, leases come back.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Customer } from "@prisma/client";
import db, { createDb, type Db } from "~/db.server";
import { logger } from "~/logger.server";
import { installEmulatedShop, useShopifyEmulator } from "../../test/support/shopify";
import { TEST_APP } from "../../test/support/constants";
import { createCustomer, createReward, createTemplate } from "../../test/support/factories";
import { testClock } from "../../test/support/clock";
import { ROOT } from "../../test/setup/databases";
import { issueRewardAsync } from "~/services/rewards/issue-async.server";
import { claimDueRewards, currentProvider } from "./claim.server";
import { runWorkerOnce, workerConfig } from "./worker.server";

const { emulator, adminGraphql } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
let customer: Customer;
/**
 * PostgreSQL only: more clients = more connections in this process. (With SQLite, the libSQL driver
 * waits for a lock synchronously, so two connections in ONE process can block each other until the
 * busy timeout; separate processes are what SQLite deployments run, see the child-process test.)
 */
const others: Db[] = [];

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { planDisplayName: "Shopify Plus", currencyCode: "USD" });
  customer = await createCustomer(db, SHOP, {}, emulator);
  if (currentProvider() === "postgresql") for (let i = 0; i < 4; i++) others.push(createDb(process.env.DATABASE_URL));
});

/**
 * A claiming process (test/support/claim-child.ts). `ready` resolves once it is connected; `go()`
 * starts its claims; `claimed` resolves with what it got. All children get `go()` only once every
 * one is ready, so no child's start-up time decides who claims (no start time to guess).
 */
function startChild(workerId: string, batch: number): { ready: Promise<void>; go: () => void; claimed: Promise<string[]> } {
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), path.join(ROOT, "test", "support", "claim-child.ts"), workerId, String(batch)], {
    cwd: ROOT,
    env: { ...process.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.startsWith("ready\n")) markReady();
  });
  child.stderr.on("data", (d) => (err += d));
  const claimed = new Promise<string[]>((resolve, reject) =>
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.slice("ready\n".length)) as string[]) : reject(new Error(`claim child ${workerId} exited ${code}: ${err}`)))),
  );
  // A child that dies before it is ready fails the test through `claimed` instead of hanging it.
  claimed.catch(() => markReady());
  return { ready, go: () => child.stdin.end("go\n"), claimed };
}

afterAll(async () => {
  await Promise.all(others.map((c) => c.$disconnect()));
});

beforeEach(async () => {
  await db.reward.deleteMany();
});

async function duePending(n: number, at: Date) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await createReward(db, customer, { status: "PENDING", nextAttemptAt: at })).id);
  return ids;
}

describe("claimDueRewards", () => {
  it(`four worker processes claiming at once never take the same reward (${currentProvider()})`, async () => {
    // Enough work (40 claims of 3) that all four are still claiming when the last one wakes up.
    const ids = await duePending(120, new Date(Date.now() - 1000));
    const children = ["p0", "p1", "p2", "p3"].map((id) => startChild(id, 3));
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.go();
    const claimed = await Promise.all(children.map((c) => c.claimed));
    const all = claimed.flat();
    expect(new Set(all).size).toBe(all.length); // no reward claimed twice
    expect(new Set(all)).toEqual(new Set(ids)); // none left behind
    expect(claimed.filter((list) => list.length > 0).length).toBeGreaterThan(1); // they really competed
    const rows = await db.reward.findMany({ where: { id: { in: ids } } });
    for (const row of rows) expect(row.claimedBy).toBe(`p${claimed.findIndex((list) => list.includes(row.id))}`);
  }, 60_000);

  it("concurrent claims inside one process (interleaved awaits) never take the same reward either", async () => {
    const now = new Date();
    const ids = await duePending(40, new Date(now.getTime() - 1000));
    // On PostgreSQL each claimer gets its own connection; SQLite shares the process's one connection.
    const clients = currentProvider() === "postgresql" ? [db, ...others] : [db, db, db, db, db];
    const claimed: string[][] = clients.map(() => []);
    for (let round = 0; round < 20; round++) {
      const batches = await Promise.all(clients.map((client, i) => claimDueRewards(client, { workerId: `w${i}`, now, limit: 3, leaseMs: 60_000 })));
      batches.forEach((batch, i) => claimed[i].push(...batch.map((r) => r.id)));
      if (batches.every((b) => b.length === 0)) break;
    }
    const all = claimed.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(ids));
    const row = await db.reward.findUniqueOrThrow({ where: { id: ids[0] } });
    expect(row.claimedUntil!.getTime()).toBe(now.getTime() + 60_000);
  });

  it("claims only due, unclaimed work: not future rewards, not live leases, not issued rewards; an expired lease comes back", async () => {
    const clock = testClock();
    const [due] = await duePending(1, clock.now());
    await duePending(1, new Date(clock.now().getTime() + 20_000)); // not yet due
    await createReward(db, customer, { status: "ISSUED", nextAttemptAt: clock.now() }); // never claimed
    await createReward(db, customer, { status: "CANCELED", nextAttemptAt: null }); // no cleanup pending

    const first = await claimDueRewards(db, { workerId: "a", now: clock.now(), limit: 10, leaseMs: 30_000 });
    expect(first.map((r) => r.id)).toEqual([due]);
    expect(await claimDueRewards(db, { workerId: "b", now: clock.now(), limit: 10, leaseMs: 30_000 })).toEqual([]);
    clock.advance(30_001);
    const again = await claimDueRewards(db, { workerId: "b", now: clock.now(), limit: 10, leaseMs: 30_000 });
    // The dead worker's reward is back, and the other one has become due meanwhile.
    expect(again.map((r) => r.id)).toContain(due);
    expect(again).toHaveLength(2);
    expect(again.every((r) => r.claimedBy === "b")).toBe(true);
  });

  it("takes the longest-waiting work first", async () => {
    const base = Date.now() - 10_000;
    const late = await createReward(db, customer, { status: "PENDING", nextAttemptAt: new Date(base + 5_000) });
    const early = await createReward(db, customer, { status: "PENDING", nextAttemptAt: new Date(base) });
    const claimed = await claimDueRewards(db, { workerId: "a", now: new Date(), limit: 1, leaseMs: 1_000 });
    expect(claimed.map((r) => r.id)).toEqual([early.id]);
    expect(late.id).not.toBe(early.id);
  });

  it("a claim can leave some shops' rewards alone (how a round serves the other shops while a big one's batch runs)", async () => {
    const small = ["fair-small-1.myshopify.com", "fair-small-2.myshopify.com"];
    const smallCustomers = await Promise.all(small.map((shop) => createCustomer(db, shop, {})));
    const base = Date.now() - 60_000;
    // GIVEN a bulk of 30 rewards of one shop, all older than one reward of each small shop.
    for (let i = 0; i < 30; i++) await createReward(db, customer, { status: "PENDING", nextAttemptAt: new Date(base + i) });
    const smallIds = [];
    for (const c of smallCustomers) smallIds.push((await createReward(db, c, { status: "PENDING", nextAttemptAt: new Date(base + 10_000) })).id);
    // Plain longest-waiting-first gives a batch of the big shop only.
    const fifo = await claimDueRewards(db, { workerId: "fifo", now: new Date(), limit: 10, leaseMs: 60_000 });
    expect(new Set(fifo.map((r) => r.shop))).toEqual(new Set([SHOP]));
    // Excluding it, the small shops' rewards come at once.
    const others = await claimDueRewards(db, { workerId: "others", now: new Date(), limit: 10, leaseMs: 60_000, excludeShops: [SHOP] });
    expect(others.map((r) => r.id).sort()).toEqual([...smallIds].sort());
  });
});

describe("two workers at once", () => {
  it("process every reward exactly once: one create per reward, no lookups, all Issued", async () => {
    const template = await createTemplate(db, SHOP, { purpose: "REFERRAL", pointsCost: null });
    const deps = (client: Db) => ({ db: client, logger, adminFor: (shop: string) => adminGraphql(shop), now: () => new Date() });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await issueRewardAsync(deps(db), { shop: SHOP, customer: { id: customer.id }, templateId: template.id, source: "REFERRAL" });
      if (r.ok) ids.push(r.reward.id);
    }
    const a = workerConfig({ workerId: "worker-a", batchSize: 4, perShopConcurrency: 2 });
    const b = workerConfig({ workerId: "worker-b", batchSize: 4, perShopConcurrency: 2 });
    const processed = { a: 0, b: 0 };
    for (let round = 0; round < 20; round++) {
      const [ra, rb] = await Promise.all([runWorkerOnce(deps(db), a), runWorkerOnce(deps(others[0] ?? db), b)]);
      processed.a += ra.outcomes.issued ?? 0;
      processed.b += rb.outcomes.issued ?? 0;
      expect(ra.errors + rb.errors).toBe(0);
      if (ra.claimed + rb.claimed === 0) break;
    }
    expect(processed.a + processed.b).toBe(30);
    expect(processed.a).toBeGreaterThan(0);
    expect(processed.b).toBeGreaterThan(0);
    expect(emulator.inspect.countCalls("discountCodeBasicCreate")).toBe(30);
    expect(emulator.inspect.countCalls("codeDiscountNodeByCode")).toBe(0);
    const rows = await db.reward.findMany({ where: { id: { in: ids } } });
    expect(rows.every((r) => r.status === "ISSUED" && r.attempts === 1 && r.claimedBy === null)).toBe(true);
    const issuedEvents = await db.rewardEvent.count({ where: { rewardId: { in: ids }, type: "STATUS_CHANGED", toStatus: "ISSUED" } });
    expect(issuedEvents).toBe(30);
    const codes = new Set(rows.map((r) => r.code));
    expect(emulator.inspect.discounts(SHOP).filter((d) => codes.has(d.codes[0].code))).toHaveLength(30);
  });
});
