// The per-shop pacer on a fake clock: it lets a call go only when Shopify's reported bucket
// (refilled at the restore rate, minus calls in flight) covers the call's requested cost.
import { describe, expect, it } from "vitest";
import type { AdminGraphql, QueryCost } from "~/services/rewards/deps.server";
import { runAdmin } from "~/shopify/graphql.server";
import { Pacer, shopConcurrency, type ConcurrencyInput } from "./pacing.server";

function fakeTime() {
  let t = 0;
  const waits: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      waits.push(ms);
      t += ms;
    },
    advance: (ms: number) => (t += ms),
    waits,
  };
}

const cost = (available: number, requested = 10, actual: number | null = 10): QueryCost => ({
  requestedQueryCost: requested,
  actualQueryCost: actual,
  throttleStatus: { maximumAvailable: 2000, currentlyAvailable: available, restoreRate: 100 },
});

describe("Pacer", () => {
  it("sends the first call for an unknown shop alone, then paces by what Shopify reported", async () => {
    const time = fakeTime();
    const pacer = new Pacer({ now: time.now, sleep: time.sleep, margin: 1 });
    const release = await pacer.acquire("a.myshopify.com");
    let second = false;
    const pending = pacer.acquire("a.myshopify.com").then((r) => {
      second = true;
      return r;
    });
    await Promise.resolve();
    expect(second).toBe(false); // waits for the first answer
    release();
    pacer.observe("a.myshopify.com", cost(5)); // bucket almost empty: 5 left, a call costs 10
    const release2 = await pending;
    // Needed 11 (cost + margin) with 5 available at 100 points/s: about 60 ms of waiting.
    expect(time.now()).toBeGreaterThanOrEqual(60);
    expect(time.now()).toBeLessThan(100);
    release2();
  });

  it("counts calls in flight, so concurrent callers don't overspend the bucket", async () => {
    const time = fakeTime();
    const pacer = new Pacer({ now: time.now, sleep: time.sleep, margin: 0 });
    pacer.observe("b.myshopify.com", cost(30));
    const r1 = await pacer.acquire("b.myshopify.com");
    const r2 = await pacer.acquire("b.myshopify.com");
    const r3 = await pacer.acquire("b.myshopify.com");
    expect(time.now()).toBe(0); // 3 × 10 fit in 30
    const fourth = pacer.acquire("b.myshopify.com");
    const r4 = await fourth;
    expect(time.now()).toBeGreaterThanOrEqual(100); // had to wait for 10 points to restore
    [r1, r2, r3, r4].forEach((r) => r());
  });

  it("learns the largest requested cost and keeps shops apart", async () => {
    const time = fakeTime();
    const pacer = new Pacer({ now: time.now, sleep: time.sleep });
    pacer.observe("c.myshopify.com", cost(100, 50));
    pacer.observe("c.myshopify.com", cost(100, 12));
    expect(pacer.snapshot("c.myshopify.com")).toMatchObject({ known: true, estimate: 50, available: 100 });
    expect(pacer.snapshot("d.myshopify.com")).toMatchObject({ known: false });
    pacer.observe("c.myshopify.com", cost(3, 50, null)); // a THROTTLED answer carries the status too
    expect(pacer.snapshot("c.myshopify.com")).toMatchObject({ available: 3, throttledSeen: 1 });
  });

  it("paces runAdmin's calls through RunOptions.pace and learns from RunOptions.onCost", async () => {
    const time = fakeTime();
    const pacer = new Pacer({ now: time.now, sleep: time.sleep });
    const calls: number[] = [];
    // After each call Shopify says 10 left; each call costs 10 (+1 margin).
    const graphql: AdminGraphql = async () => {
      calls.push(time.now());
      return new Response(JSON.stringify({ data: { shop: { name: "e" } }, extensions: { cost: cost(10) } }));
    };
    const options = pacer.runOptions("e.myshopify.com");
    for (let i = 0; i < 3; i++) expect((await runAdmin(graphql, "query { shop { name } }", {}, options)).ok).toBe(true);
    expect(calls).toHaveLength(3);
    expect(calls[1] - calls[0]).toBeGreaterThanOrEqual(10); // ~10 ms for the missing point
    expect(calls[2] - calls[1]).toBeGreaterThanOrEqual(10);
  });

  it("keeps a drained shop's waits to that shop: another shop's calls go at once (fairness)", async () => {
    // Waits only end when the test lets them (then the clock moves by what was waited).
    let t = 0;
    const sleeping: (() => void)[] = [];
    const pacer = new Pacer({ now: () => t, sleep: (ms) => new Promise((resolve) => sleeping.push(() => ((t += ms), resolve()))), margin: 0 });
    pacer.observe("drained.myshopify.com", cost(0));
    pacer.observe("full.myshopify.com", cost(2000));
    let drainedGot = false;
    const drained = pacer.acquire("drained.myshopify.com").then((release) => ((drainedGot = true), release));
    const full = await pacer.acquire("full.myshopify.com");
    expect(drainedGot).toBe(false); // still waiting for 10 points…
    expect(sleeping).toHaveLength(1);
    expect(t).toBe(0); // …while the other shop's call was let through without any wait
    full();
    while (!drainedGot) {
      sleeping.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    (await drained)();
    expect(t).toBeGreaterThanOrEqual(100);
  });

  it("after THROTTLED (another process spent the points) it keeps a reserve in the bucket, then lets it shrink", async () => {
    const time = fakeTime();
    const pacer = new Pacer({ now: time.now, sleep: time.sleep, margin: 0 });
    pacer.observe("m.myshopify.com", cost(0, 10, null)); // THROTTLED: level 0
    expect(pacer.snapshot("m.myshopify.com").reserve).toBe(20); // twice a call's cost
    pacer.observe("m.myshopify.com", cost(0, 10, null));
    expect(pacer.snapshot("m.myshopify.com").reserve).toBe(40);
    (await pacer.acquire("m.myshopify.com"))();
    // 10 points for the call plus the 40 kept, at the full restore rate (100/s): 500 ms
    expect(time.now()).toBeGreaterThanOrEqual(500);
    expect(time.now()).toBeLessThan(600);
    for (let i = 0; i < 500; i++) pacer.observe("m.myshopify.com", cost(0));
    expect(pacer.snapshot("m.myshopify.com").reserve).toBe(0);
    for (let i = 0; i < 20; i++) pacer.observe("m.myshopify.com", cost(0, 10, null));
    expect(pacer.snapshot("m.myshopify.com").reserve).toBe(500); // never more than a quarter of the bucket
  });

  it("reports to the caller how long each call waited for the budget", async () => {
    const time = fakeTime();
    const pacer = new Pacer({ now: time.now, sleep: time.sleep, margin: 0 });
    pacer.observe("w.myshopify.com", cost(0));
    const waits: number[] = [];
    await runAdmin(async () => new Response("{}"), "query { shop { name } }", {}, pacer.runOptions("w.myshopify.com", {}, (ms) => waits.push(ms)));
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(100);
  });

  it("lets callers through in the order they came (no call starves behind luckier wake-ups)", async () => {
    const time = fakeTime();
    const pacer = new Pacer({ now: time.now, sleep: time.sleep, margin: 0 });
    pacer.observe("q.myshopify.com", cost(0)); // drained: each call waits 100 ms for its 10 points
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        pacer.acquire("q.myshopify.com").then((release) => {
          order.push(i);
          release();
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("starts a call's timeout after its wait for the budget, not before", async () => {
    const time = fakeTime();
    const pacer = new Pacer({ now: time.now, sleep: async (ms) => {
      time.advance(ms);
      await new Promise((resolve) => setTimeout(resolve, 30)); // the budget wait takes real time, longer than the timeout
    }, margin: 0 });
    pacer.observe("t.myshopify.com", cost(0));
    const graphql: AdminGraphql = async (_query, options) => {
      if (options?.signal?.aborted) throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
      return new Response(JSON.stringify({ data: { shop: { name: "t" } } }));
    };
    const result = await runAdmin(graphql, "query { shop { name } }", {}, pacer.runOptions("t.myshopify.com", { timeoutMs: 20 }));
    expect(result.ok).toBe(true);
  });
});

describe("shopConcurrency (lanes per shop)", () => {
  // A Standard shop: restores 100 points/s, a create costs 10 → 10 calls/s at most in the long run.
  const standard = (over: Partial<ConcurrencyInput> = {}): ConcurrencyInput => ({ known: true, spare: 0, restoreRate: 100, estimate: 10, busyMs: 100, ...over });

  it("starts small until Shopify has reported the bucket and a reward's time is known", () => {
    expect(shopConcurrency({ ...standard(), known: false })).toBe(2);
    expect(shopConcurrency(standard({ busyMs: null }))).toBe(2);
    expect(shopConcurrency({ ...standard(), known: false }, { initial: 1 })).toBe(1);
  });

  it("gives a slower round trip more lanes, enough for the restore rate (Little's law with headroom)", () => {
    // 10 calls/s × busy seconds × 1.5, rounded up, + 1.
    expect(shopConcurrency(standard({ busyMs: 0 }))).toBe(1);
    expect(shopConcurrency(standard({ busyMs: 35 }))).toBe(2);
    expect(shopConcurrency(standard({ busyMs: 185 }))).toBe(4);
    expect(shopConcurrency(standard({ busyMs: 435 }))).toBe(8);
    // Lanes × (1 / busy time) covers the restore rate at every latency.
    for (const busyMs of [10, 50, 150, 400, 1000]) {
      const lanes = shopConcurrency(standard({ busyMs }), { max: 1000 });
      expect(lanes / (busyMs / 1000)).toBeGreaterThanOrEqual(100 / 10);
    }
  });

  it("a bigger plan (faster restore) gets more lanes for the same latency", () => {
    const plus = shopConcurrency(standard({ restoreRate: 1000, busyMs: 400 }), { max: 1000 });
    expect(plus).toBeGreaterThan(shopConcurrency(standard({ busyMs: 400 })));
    expect(plus).toBe(Math.ceil(100 * 0.4 * 1.5) + 1);
  });

  it("uses spare points in the bucket at once, within the cap", () => {
    expect(shopConcurrency(standard({ spare: 150, busyMs: 10 }))).toBe(15);
    expect(shopConcurrency(standard({ spare: 2000, busyMs: 10 }))).toBe(32);
    expect(shopConcurrency(standard({ spare: 2000, busyMs: 10 }), { max: 8 })).toBe(8);
    expect(shopConcurrency(standard({ busyMs: 60_000 }), { max: 8 })).toBe(8);
  });

  it("Pacer.concurrency reads the shop's bucket and its reported time per reward", () => {
    const time = fakeTime();
    const pacer = new Pacer({ now: time.now, sleep: time.sleep });
    expect(pacer.concurrency("x.myshopify.com")).toBe(2); // nothing known yet
    pacer.observe("x.myshopify.com", cost(0));
    pacer.recordBusy("x.myshopify.com", 435);
    expect(pacer.concurrency("x.myshopify.com")).toBe(8);
    expect(pacer.snapshot("x.myshopify.com").busyMs).toBe(435);
    time.advance(2_000); // 200 points restored meanwhile: 20 calls can go at once
    expect(pacer.concurrency("x.myshopify.com")).toBe(20);
    expect(pacer.concurrency("y.myshopify.com")).toBe(2); // other shops are separate
  });
});

// A discrete-event run of the real pacer and runAdmin against a simulated Shopify bucket: calls
// are charged when they arrive, one round trip after they were sent (as the emulator's latency
// does), so a process sees another's calls only in a later report.
describe("several processes pacing one shop (simulated clock)", () => {
  function virtualClock() {
    let t = 0;
    let seq = 0;
    const timers: { at: number; seq: number; resolve: () => void }[] = [];
    return {
      now: () => t,
      sleep: (ms: number) => new Promise<void>((resolve) => timers.push({ at: t + Math.max(0, ms), seq: seq++, resolve })),
      async run(done: () => boolean) {
        for (;;) {
          await new Promise((resolve) => setImmediate(resolve));
          if (done()) return;
          timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
          const next = timers.shift();
          if (!next) throw new Error("nothing scheduled and not done");
          t = Math.max(t, next.at);
          next.resolve();
        }
      },
    };
  }

  async function simulate(processes: number, latencyMs: number, calls: number) {
    const clock = virtualClock();
    const bucket = { level: 2000, max: 2000, rate: 100, at: 0 };
    let charged = 0;
    let throttledAnswers = 0;
    const shopify: AdminGraphql = async () => {
      await clock.sleep(latencyMs);
      bucket.level = Math.min(bucket.max, bucket.level + ((clock.now() - bucket.at) / 1000) * bucket.rate);
      bucket.at = clock.now();
      const ok = bucket.level >= 10;
      if (ok) {
        bucket.level -= 10;
        charged += 10;
      } else throttledAnswers++;
      const throttleStatus = { maximumAvailable: bucket.max, currentlyAvailable: Math.floor(bucket.level), restoreRate: bucket.rate };
      const body = ok
        ? { data: { ok: true }, extensions: { cost: { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus } } }
        : { errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }], extensions: { cost: { requestedQueryCost: 10, actualQueryCost: null, throttleStatus } } };
      return new Response(JSON.stringify(body));
    };
    let started = 0;
    let succeeded = 0;
    let failed = 0;
    let finished = 0;
    const shop = "sim.myshopify.com";
    for (let p = 0; p < processes; p++) {
      const pacer = new Pacer({ now: clock.now, sleep: clock.sleep });
      const graphql = shopify;
      const lane = async (): Promise<void> => {
        while (started < calls) {
          started++;
          const result = await runAdmin(graphql, "mutation { ok }", {}, pacer.runOptions(shop));
          if (result.ok) succeeded++;
          else failed++;
        }
      };
      for (let l = 0; l < 16; l++) void lane().finally(() => finished++);
    }
    await clock.run(() => finished === processes * 16);
    const ceiling = 2000 + (clock.now() / 1000) * bucket.rate;
    return { share: charged / ceiling, succeeded, failed, throttledAnswers };
  }

  for (const [processes, latency] of [
    [1, 400],
    [2, 400],
    [2, 150],
    [3, 400],
  ] as const) {
    it(`${processes} process(es), ${latency} ms round trip: ≥ 95 % of the bucket's ceiling, no call failed by THROTTLED`, async () => {
      const result = await simulate(processes, latency, 3000);
      expect(result.failed).toBe(0);
      expect(result.succeeded).toBe(3000);
      expect(result.share).toBeGreaterThanOrEqual(0.95);
      if (processes === 1) expect(result.throttledAnswers).toBe(0);
    });
  }
});
