// The per-shop pacer on a fake clock: it lets a call go only when Shopify's reported bucket
// (refilled at the restore rate, minus calls in flight) covers the call's requested cost.
import { describe, expect, it } from "vitest";
import type { AdminGraphql, QueryCost } from "~/services/rewards/deps.server";
import { Pacer } from "./pacing.server";

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

  it("wraps an Admin GraphQL function and learns from RunOptions.onCost", async () => {
    const time = fakeTime();
    const pacer = new Pacer({ now: time.now, sleep: time.sleep });
    const calls: number[] = [];
    const graphql: AdminGraphql = async () => {
      calls.push(time.now());
      return new Response("{}");
    };
    const paced = pacer.wrap("e.myshopify.com", graphql);
    const options = pacer.runOptions("e.myshopify.com");
    for (let i = 0; i < 3; i++) {
      await paced("query { shop { name } }");
      options.onCost!(cost(10)); // after each call Shopify says 10 left; each call costs 10 (+1 margin)
    }
    expect(calls).toHaveLength(3);
    expect(calls[1] - calls[0]).toBeGreaterThanOrEqual(10); // ~10 ms for the missing point
    expect(calls[2] - calls[1]).toBeGreaterThanOrEqual(10);
  });
});
