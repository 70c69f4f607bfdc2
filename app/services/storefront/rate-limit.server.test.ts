import { describe, expect, it } from "vitest";
import { createSlidingWindowLimiter } from "./rate-limit.server";

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("sliding-window rate limiter", () => {
  it("GIVEN a limit of 3 per minute WHEN a 4th request comes within the minute THEN it is refused with a retry time", () => {
    const c = clock();
    const limiter = createSlidingWindowLimiter({ limit: 3, windowMs: 60_000, now: c.now });

    expect(limiter.hit("a")).toEqual({ allowed: true, remaining: 2, retryAfterSeconds: 0 });
    c.advance(10_000);
    expect(limiter.hit("a").remaining).toBe(1);
    c.advance(10_000);
    expect(limiter.hit("a").remaining).toBe(0);
    c.advance(10_000);

    const refused = limiter.hit("a");
    expect(refused.allowed).toBe(false);
    // The first request (t=0) leaves the window at t=60 s; we are at t=30 s.
    expect(refused.retryAfterSeconds).toBe(30);
  });

  it("slides: a request is allowed again once the oldest one is a full window old", () => {
    const c = clock();
    const limiter = createSlidingWindowLimiter({ limit: 2, windowMs: 60_000, now: c.now });
    limiter.hit("a");
    c.advance(30_000);
    limiter.hit("a");
    c.advance(29_999);
    expect(limiter.hit("a").allowed).toBe(false);
    c.advance(1);
    expect(limiter.hit("a").allowed).toBe(true);
    // The second request (t=30 s) is still inside the window, so the next one is refused again.
    expect(limiter.hit("a").allowed).toBe(false);
  });

  it("does not record refused requests, so a client hammering while limited still recovers", () => {
    const c = clock();
    const limiter = createSlidingWindowLimiter({ limit: 1, windowMs: 1_000, now: c.now });
    limiter.hit("a");
    for (let i = 0; i < 50; i++) {
      c.advance(10);
      expect(limiter.hit("a").allowed).toBe(false);
    }
    c.advance(500);
    expect(limiter.hit("a").allowed).toBe(true);
  });

  it("keeps customers apart", () => {
    const limiter = createSlidingWindowLimiter({ limit: 1, windowMs: 60_000, now: clock().now });
    expect(limiter.hit("shop:1").allowed).toBe(true);
    expect(limiter.hit("shop:1").allowed).toBe(false);
    expect(limiter.hit("shop:2").allowed).toBe(true);
  });

  it("reads a limit given as a function on every hit", () => {
    let limit = 1;
    const limiter = createSlidingWindowLimiter({ limit: () => limit, windowMs: 60_000, now: clock().now });
    limiter.hit("a");
    expect(limiter.hit("a").allowed).toBe(false);
    limit = 3;
    expect(limiter.hit("a").allowed).toBe(true);
  });

  it("forgets idle keys after a window, so memory follows active customers", () => {
    const c = clock();
    const limiter = createSlidingWindowLimiter({ limit: 5, windowMs: 1_000, now: c.now });
    for (let i = 0; i < 100; i++) limiter.hit(`customer-${i}`);
    expect(limiter.size()).toBe(100);
    c.advance(1_001);
    limiter.hit("someone-new");
    expect(limiter.size()).toBe(1);
  });
});
