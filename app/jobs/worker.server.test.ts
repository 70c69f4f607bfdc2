// The worker loop against the real database and the Shopify emulator (through the real library):
// pacing, graceful shutdown, periodic tasks. What one reward's generation does is tested with its
// use-case: app/services/rewards/generate-pending.server.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { createManualClock } from "@loyalty/shopify-emulator";
import { installEmulatedShop, useShopifyEmulator } from "../../test/support/shopify";
import { TEST_APP } from "../../test/support/constants";
import { createCustomer, createTemplate } from "../../test/support/factories";
import { useRewardWorker } from "../../test/support/worker";
import { allowErrorLogs } from "../../test/support/error-logs";
import { Pacer } from "./pacing.server";
import type { PeriodicTask } from "./tasks.server";
import { runWorkerOnce, startWorker } from "./worker.server";
import { wakeWorkers } from "~/worker-wake.server";

// Shopify's time (the emulator's store and rate-limit buckets) only moves when the test moves it, so
// the rate-limit test does not depend on how fast this machine runs.
const shopifyTime = createManualClock(new Date());
const fixture = useShopifyEmulator({ clock: shopifyTime });
const { emulator } = fixture;
async function waitOnShopifyTime(ms: number): Promise<void> {
  shopifyTime.advance(ms);
  await new Promise((resolve) => setImmediate(resolve));
}
const SHOP: string = TEST_APP.shop;
const STANDARD = "standard-plan.myshopify.com";

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { planDisplayName: "Shopify Plus", giftCards: true, currencyCode: "USD" });
  await installEmulatedShop(emulator, STANDARD, { planDisplayName: "Basic", currencyCode: "USD" });
});

const { clock, deps, config, pending } = useRewardWorker(fixture, SHOP);

beforeAll(async () => {
  // Warm up: a process's first Admin API calls are slow (code loading, the emulator compiling its
  // validation), and the pacing test measures on the real clock, so it must not pay for that.
  clock.set(new Date());
  await pending();
  expect((await runWorkerOnce(deps(), config())).outcomes).toEqual({ issued: 1 });
});

/**
 * A pacer that knows the Standard shop's bucket is empty and the Plus shop's full, and whose waits
 * block until the test calls `open()` (then they move Shopify's clock): the Standard shop's calls
 * cannot go before the test says so, however fast or slow the machine is.
 */
function gatedPacer(): { pacer: Pacer; open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const pacer = new Pacer({
    now: () => shopifyTime.now().getTime(),
    sleep: async (ms) => {
      await gate;
      await waitOnShopifyTime(ms);
    },
  });
  pacer.observe(STANDARD, { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 0, restoreRate: 100 } });
  pacer.observe(SHOP, { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 20000, currentlyAvailable: 20000, restoreRate: 1000 } });
  return { pacer, open };
}

describe("worker: pacing and shutdown", () => {
  it("with pacing, a bulk run on a drained Standard bucket never hits THROTTLED; without it, it does", async () => {
    const who = await createCustomer(db, STANDARD, {}, emulator);
    const tpl = await createTemplate(db, STANDARD, { purpose: "REFERRAL", pointsCost: null });
    const token = emulator.store.getShop(STANDARD)!.accessToken;
    const realClock = { now: () => new Date() };

    for (let i = 0; i < 12; i++) await pending(STANDARD, who, tpl);
    emulator.admin.throttle.setAvailable(token, STANDARD, 0);
    // The pacer waits on Shopify's time: each wait moves the emulator's clock, so the bucket refills
    // by exactly what the pacer waited for, however slow the machine is.
    const pacer = new Pacer({ now: () => shopifyTime.now().getTime(), sleep: waitOnShopifyTime });
    // Teach the pacer the bucket (a real worker learns it from its first call).
    pacer.observe(STANDARD, { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 0, restoreRate: 100 } });
    const paced = await runWorkerOnce({ ...deps(realClock), pacer }, config({ batchSize: 12, perShopConcurrency: 3 }));
    expect(paced.outcomes).toEqual({ issued: 12 });
    expect(emulator.inspect.countCalls(undefined, { shop: STANDARD, outcome: "throttled" })).toBe(0);
    // It spent what Shopify restored: the bucket ends near empty, not refilled while we idled.
    const bucket = pacer.snapshot(STANDARD);
    expect(bucket.known).toBe(true);
    expect(bucket.available).toBeLessThan(5 * bucket.estimate);

    await db.reward.deleteMany();
    for (let i = 0; i < 12; i++) await pending(STANDARD, who, tpl);
    emulator.admin.throttle.setAvailable(token, STANDARD, 0);
    const unpaced = await runWorkerOnce(deps(realClock), config({ batchSize: 12, perShopConcurrency: 3 }));
    expect(unpaced.outcomes.retry_scheduled ?? 0).toBeGreaterThan(0);
    expect(emulator.inspect.countCalls(undefined, { shop: STANDARD, outcome: "throttled" })).toBeGreaterThan(0);
  });

  it("adaptive lanes: a shop waiting on a drained bucket does not hold up another shop's rewards (fairness)", async () => {
    const who = await createCustomer(db, STANDARD, {}, emulator);
    const tpl = await createTemplate(db, STANDARD, { purpose: "REFERRAL", pointsCost: null });
    const token = emulator.store.getShop(STANDARD)!.accessToken;
    // GIVEN 6 rewards of a Standard shop whose bucket is empty, and 6 of a shop with a full bucket.
    for (let i = 0; i < 6; i++) await pending(STANDARD, who, tpl);
    const others: string[] = [];
    for (let i = 0; i < 6; i++) others.push((await pending()).id);
    emulator.admin.throttle.setAvailable(token, STANDARD, 0);
    const { pacer, open } = gatedPacer();

    // WHEN one round claims all 12 with lanes sized per shop ("auto", the default).
    const round = runWorkerOnce({ ...deps({ now: () => new Date() }), pacer }, config({ batchSize: 12, perShopConcurrency: "auto" }));

    // THEN the other shop's 6 are issued while the Standard shop is still waiting for its budget.
    const issuedOthers = async () => db.reward.count({ where: { id: { in: others }, status: "ISSUED" } });
    for (let i = 0; i < 600 && (await issuedOthers()) < 6; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await issuedOthers()).toBe(6);
    expect(await db.reward.count({ where: { shop: STANDARD, status: "ISSUED" } })).toBe(0);
    expect(pacer.snapshot(SHOP).busyMs).not.toBeNull(); // the worker reported its time per reward

    // AND once Shopify restores the Standard bucket, its rewards follow, with no THROTTLED answer.
    open();
    const summary = await round;
    expect(summary.outcomes).toEqual({ issued: 12 });
    expect(emulator.inspect.countCalls(undefined, { shop: STANDARD, outcome: "throttled" })).toBe(0);
  });

  it("a big shop's backlog does not hold up other shops: while its batch waits for its budget, the round keeps serving the others, batch after batch", async () => {
    const who = await createCustomer(db, STANDARD, {}, emulator);
    const tpl = await createTemplate(db, STANDARD, { purpose: "REFERRAL", pointsCost: null });
    const token = emulator.store.getShop(STANDARD)!.accessToken;
    // GIVEN a backlog of 8 rewards of a drained Standard shop, OLDER than 15 rewards of another shop.
    for (let i = 0; i < 8; i++) await pending(STANDARD, who, tpl);
    const others: string[] = [];
    for (let i = 0; i < 15; i++) others.push((await pending()).id);
    const due = await db.reward.findFirstOrThrow({ where: { id: others[0] } });
    await db.reward.updateMany({ where: { shop: STANDARD, status: "PENDING" }, data: { nextAttemptAt: new Date(due.nextAttemptAt!.getTime() - 60_000) } });
    emulator.admin.throttle.setAvailable(token, STANDARD, 0);
    const { pacer, open } = gatedPacer();

    // WHEN one round runs with batches of 5 (the first batch is the Standard shop's oldest 5).
    const round = runWorkerOnce({ ...deps({ now: () => new Date() }), pacer }, config({ batchSize: 5, perShopConcurrency: "auto" }));

    // THEN all 15 of the other shop are issued — three batches — while the Standard batch still waits.
    const issuedOthers = async () => db.reward.count({ where: { id: { in: others }, status: "ISSUED" } });
    for (let i = 0; i < 600 && (await issuedOthers()) < 15; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await issuedOthers()).toBe(15);
    expect(await db.reward.count({ where: { shop: STANDARD, status: "ISSUED" } })).toBe(0);

    open();
    const summary = await round;
    expect(summary.claimed).toBe(20);
    expect(summary.outcomes).toEqual({ issued: 20 });
    // The Standard shop's other 3 are the next round's.
    expect(await db.reward.count({ where: { shop: STANDARD, status: "PENDING" } })).toBe(3);
  });

  it("graceful stop finishes the reward in progress and gives the other claimed rewards back", async () => {
    const rewards = [];
    for (let i = 0; i < 4; i++) rewards.push(await pending());
    emulator.faults.hang("discountCodeBasicCreate", 300, "forever");
    const worker = startWorker(deps(), { ...config({ batchSize: 4, perShopConcurrency: 1 }), pollMs: 50 });
    // Wait until the first reward's attempt has started (its create is then in flight), then stop.
    for (let i = 0; i < 100 && (await db.reward.count({ where: { attempts: { gt: 0 } } })) === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await worker.stop(5_000);

    const rows = await db.reward.findMany({ where: { id: { in: rewards.map((r) => r.id) } } });
    const issued = rows.filter((r) => r.status === "ISSUED");
    expect(issued).toHaveLength(1);
    expect(rows.filter((r) => r.status === "PENDING")).toHaveLength(3);
    for (const row of rows) expect(row.claimedBy).toBeNull();
    expect(rows.filter((r) => r.attempts > 0)).toHaveLength(1);
  });
});

/** Polls (10 ms steps, bounded) until `done` holds; the worker runs on real timers. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1_000 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!done()) throw new Error(`timed out waiting for ${what}`);
}

describe("worker: periodic tasks", () => {
  it("runs every task of its list, each at most as often as its interval says, a failing one not stopping the others", async () => {
    const logged = allowErrorLogs(); // the broken task's failure is logged, as it should be
    const runs = { often: 0, broken: 0, rare: 0 };
    const given = deps();
    const received: unknown[] = [];
    const tasks: PeriodicTask[] = [
      {
        name: "often",
        everyMs: 0,
        run: async (d) => {
          runs.often++;
          received.push(d);
        },
      },
      {
        name: "broken",
        everyMs: 0,
        run: async () => {
          runs.broken++;
          throw new Error("database unreachable");
        },
      },
      { name: "rare", everyMs: 3_600_000, run: async () => void runs.rare++ },
    ];
    const worker = startWorker(given, { ...config(), pollMs: 5, tasks });
    await until(() => runs.often >= 3 && runs.broken >= 3, "three rounds");
    await worker.stop(5_000);

    expect(runs.rare).toBe(1);
    expect(runs.broken).toBeGreaterThanOrEqual(3);
    // Each task gets the worker's own dependencies (database, Admin API access, clock, logger).
    expect(received.every((d) => d === given)).toBe(true);
    expect(logged.messages().filter((m) => m === "periodic task failed").length).toBeGreaterThanOrEqual(3);
  });
});

describe("worker: waking from the poll pause", () => {
  it("GIVEN a worker pausing for 10 minutes between rounds WHEN this process records new work (wakeWorkers) THEN the next round starts at once", async () => {
    let rounds = 0;
    const tasks: PeriodicTask[] = [{ name: "count rounds", everyMs: 0, onWake: true, run: async () => void rounds++ }];
    const worker = startWorker(deps(), { ...config(), pollMs: 600_000, tasks });
    try {
      await until(() => rounds === 1, "the first round");
      // Without the wake-up the second round would come 10 minutes later.
      wakeWorkers();
      await until(() => rounds === 2, "a round right after the wake-up");
      wakeWorkers();
      await until(() => rounds === 3, "another round after a second wake-up");
    } finally {
      await worker.stop(5_000);
    }
  });

  it("GIVEN new work recorded while the worker is in a round (not pausing) WHEN the round ends THEN its next pause ends at once (the wake-up is not lost)", async () => {
    let rounds = 0;
    const tasks: PeriodicTask[] = [
      {
        name: "count rounds",
        everyMs: 0,
        onWake: true,
        run: async () => {
          rounds++;
          // Work recorded while this round runs: nobody is pausing yet.
          if (rounds === 1) wakeWorkers();
        },
      },
    ];
    const worker = startWorker(deps(), { ...config(), pollMs: 600_000, tasks });
    try {
      await until(() => rounds === 2, "a second round right after the first, not 10 minutes later");
    } finally {
      await worker.stop(5_000);
    }
  });

  it("GIVEN a worker pausing for 10 minutes WHEN woken THEN only the tasks that apply recorded work (onWake) run; the reward claim and the other tasks wait for the poll interval", async () => {
    const runs = { onWake: 0, other: 0 };
    const tasks: PeriodicTask[] = [
      { name: "inbox-like", everyMs: 0, onWake: true, run: async () => void runs.onWake++ },
      { name: "other", everyMs: 0, run: async () => void runs.other++ },
    ];
    const worker = startWorker(deps(), { ...config(), pollMs: 600_000, tasks });
    try {
      await until(() => runs.onWake === 1, "the first round");
      // Due now, but a wake-up is about this process's webhook deliveries, not rewards.
      const reward = await pending();
      wakeWorkers();
      await until(() => runs.onWake === 2, "the woken pass");
      wakeWorkers();
      await until(() => runs.onWake === 3, "a second woken pass");
      expect(runs.other).toBe(1);
      // The woken passes ran no reward round (it runs before the tasks): the reward is still Pending.
      expect((await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).status).toBe("PENDING");
    } finally {
      await worker.stop(5_000);
    }
  });

  it("GIVEN a worker backing off after a failed round WHEN woken THEN it keeps backing off (a wake-up never hurries a failing database)", async () => {
    const logged = allowErrorLogs();
    let rounds = 0;
    const tasks: PeriodicTask[] = [
      {
        name: "failing",
        everyMs: 0,
        onWake: true,
        run: async () => {
          rounds++;
          throw new Error("database unreachable");
        },
      },
    ];
    const worker = startWorker(deps(), { ...config(), pollMs: 600_000, tasks });
    try {
      await until(() => rounds === 1, "the first (failing) round");
      await until(() => logged.messages().includes("periodic task failed"), "the failure logged");
      // A woken worker would start its next round within milliseconds; give it far longer. (This
      // cannot fail on a slow machine when the code is right: the backoff is 30 s.)
      for (let i = 0; i < 20; i++) {
        wakeWorkers();
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(rounds).toBe(1);
    } finally {
      await worker.stop(5_000);
    }
  });
});
