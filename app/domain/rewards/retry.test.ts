import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY_POLICY,
  backoffCeiling,
  decorrelatedJitterDelay,
  nextAttemptDelay,
  planRetry,
  shouldGiveUp,
  type BackoffOptions,
} from "./retry";

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Deterministic uniform [0, 1) source (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const ALMOST_ONE = 1 - 1e-12;
const WAITS = DEFAULT_RETRY_POLICY.maxAttempts - 1;

describe("default policy schedule", () => {
  it.each([
    [1, 1 * MIN],
    [2, 4 * MIN],
    [3, 16 * MIN],
    [4, 64 * MIN],
    [5, 256 * MIN],
    [6, 9 * HOUR],
    [7, 9 * HOUR],
    [50, 9 * HOUR],
    [10_000, 9 * HOUR],
  ])("ceiling after attempt %i is %i ms", (attempt, ceiling) => {
    expect(backoffCeiling(attempt, DEFAULT_RETRY_POLICY)).toBe(ceiling);
  });

  it("has 8 attempts, i.e. 7 waits whose ceilings add up to just under a day", () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(8);
    const total = Array.from({ length: WAITS }, (_, i) => backoffCeiling(i + 1, DEFAULT_RETRY_POLICY)).reduce((a, b) => a + b);
    expect(total).toBe((23 * 60 + 41) * MIN);
    expect(total).toBeLessThanOrEqual(24 * HOUR);
  });

  it.each([
    ["no jitter drawn (random → 0)", () => 0, (23 * 60 + 41) * MIN],
    ["maximum jitter drawn (random → 1)", () => ALMOST_ONE, Math.round(0.8 * (23 * 60 + 41) * MIN)],
  ])("%s: total wait %i ms", (_name, random, expected) => {
    let total = 0;
    for (let attempt = 1; attempt <= WAITS; attempt++) total += nextAttemptDelay(attempt, { ...DEFAULT_RETRY_POLICY, random });
    expect(Math.abs(total - expected)).toBeLessThanOrEqual(WAITS); // rounding to whole ms
  });

  it("1 000 random schedules all span 18–24 hours", () => {
    const random = seeded(42);
    for (let run = 0; run < 1000; run++) {
      let total = 0;
      for (let attempt = 1; attempt <= WAITS; attempt++) total += nextAttemptDelay(attempt, { ...DEFAULT_RETRY_POLICY, random });
      expect(total).toBeGreaterThanOrEqual(18 * HOUR);
      expect(total).toBeLessThanOrEqual(24 * HOUR);
    }
  });

  it("waits grow: the shortest wait after attempt n+1 is at least the longest after attempt n", () => {
    const random = seeded(7);
    const samples = (attempt: number) => Array.from({ length: 500 }, () => nextAttemptDelay(attempt, { ...DEFAULT_RETRY_POLICY, random }));
    for (let attempt = 1; attempt < WAITS; attempt++) {
      const now = samples(attempt);
      const next = samples(attempt + 1);
      if (attempt + 1 < 6) expect(Math.min(...next)).toBeGreaterThanOrEqual(Math.max(...now));
      else expect(Math.min(...next)).toBeGreaterThanOrEqual(0.8 * 9 * HOUR - 1);
    }
  });
});

describe("nextAttemptDelay: jitter is bounded", () => {
  const base: BackoffOptions = { baseMs: 1000, maxMs: 60_000 };
  it.each([
    ["full jitter", 1, 0],
    ["equal jitter", 0.5, 0.5],
    ["20 % jitter", 0.2, 0.8],
    ["no jitter", 0, 1],
  ])("%s keeps every wait within [%s-lower, ceiling]", (_name, jitter, lowerFraction) => {
    const random = seeded(1);
    for (let attempt = 1; attempt <= 10; attempt++) {
      const ceiling = Math.min(60_000, 1000 * 2 ** (attempt - 1));
      const delays = Array.from({ length: 300 }, () => nextAttemptDelay(attempt, { ...base, jitter, random }));
      for (const d of delays) {
        expect(d).toBeGreaterThanOrEqual(Math.floor(ceiling * lowerFraction));
        expect(d).toBeLessThanOrEqual(ceiling);
        expect(Number.isInteger(d)).toBe(true);
      }
      if (jitter > 0) expect(new Set(delays).size).toBeGreaterThan(50); // it really is random
    }
  });

  it.each([
    [0, 8000],
    [0.5, 4000],
    [0.25, 6000],
  ])("full jitter with random=%s after attempt 4 (ceiling 8 s) → %i ms", (r, expected) => {
    expect(nextAttemptDelay(4, { ...base, random: () => r })).toBe(expected);
  });

  it.each([[5], [-1], [Number.NaN], [1], [Infinity]])("a misbehaving random source (%s) cannot escape the bounds", (r) => {
    const d = nextAttemptDelay(3, { ...base, random: () => r });
    expect(d).toBeGreaterThanOrEqual(0);
    expect(d).toBeLessThanOrEqual(4000);
  });

  it("honours a minimum such as Retry-After, even above maxMs", () => {
    expect(nextAttemptDelay(1, { ...base, random: () => 0.99, minDelayMs: 2500 })).toBe(2500);
    expect(nextAttemptDelay(10, { ...base, random: () => 0, minDelayMs: 120_000 })).toBe(120_000);
    expect(nextAttemptDelay(4, { ...base, random: () => 0, minDelayMs: 10 })).toBe(8000);
  });

  it.each([
    ["attempt 0", 0, base],
    ["attempt -1", -1, base],
    ["attempt 1.5", 1.5, base],
    ["baseMs 0", 1, { baseMs: 0, maxMs: 10 }],
    ["maxMs below baseMs", 1, { baseMs: 100, maxMs: 10 }],
    ["factor below 1", 1, { ...base, factor: 0.5 }],
    ["jitter above 1", 1, { ...base, jitter: 1.5 }],
    ["jitter NaN", 1, { ...base, jitter: Number.NaN }],
  ] as const)("rejects %s", (_name, attempt, options) => {
    expect(() => nextAttemptDelay(attempt, options)).toThrow(RangeError);
  });
});

describe("decorrelatedJitterDelay", () => {
  const options = { baseMs: 1000, maxMs: 30_000 };
  it.each([
    [undefined, 1000, 3000],
    [1000, 1000, 3000],
    [4000, 1000, 12_000],
    [20_000, 1000, 30_000],
    [500, 1000, 3000], // a previous wait below base counts as base
  ])("after a previous wait of %s ms: within [%i, %i]", (previous, low, high) => {
    const random = seeded(3);
    const delays = Array.from({ length: 300 }, () => decorrelatedJitterDelay(previous, { ...options, random }));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(low);
    expect(Math.max(...delays)).toBeLessThanOrEqual(high);
    expect(new Set(delays).size).toBeGreaterThan(50);
  });

  it("a chain of waits stays within [baseMs, maxMs] and reaches the cap", () => {
    const random = seeded(9);
    let previous: number | undefined;
    const chain: number[] = [];
    for (let i = 0; i < 40; i++) chain.push((previous = decorrelatedJitterDelay(previous, { ...options, random })));
    for (const d of chain) {
      expect(d).toBeGreaterThanOrEqual(1000);
      expect(d).toBeLessThanOrEqual(30_000);
    }
    expect(Math.max(...chain)).toBeGreaterThan(20_000);
  });
});

describe("shouldGiveUp and planRetry", () => {
  it.each([
    [0, false],
    [1, false],
    [7, false],
    [8, true],
    [9, true],
  ])("after %i attempts with the default policy: give up = %s", (attempts, expected) => {
    expect(shouldGiveUp(attempts, DEFAULT_RETRY_POLICY)).toBe(expected);
  });

  const now = new Date("2025-06-01T12:00:00.000Z");

  it("plans the next attempt from the schedule", () => {
    expect(planRetry({ attempts: 2, now, random: () => 0 })).toEqual({
      type: "retry",
      delayMs: 4 * MIN,
      at: new Date("2025-06-01T12:04:00.000Z"),
    });
  });

  it("honours Retry-After when it is longer than the backoff", () => {
    const plan = planRetry({ attempts: 1, now, random: () => 0, retryAfterMs: 90_000 });
    expect(plan).toEqual({ type: "retry", delayMs: 90_000, at: new Date("2025-06-01T12:01:30.000Z") });
  });

  it("gives up after the last attempt", () => {
    expect(planRetry({ attempts: 8, now })).toEqual({ type: "give_up" });
  });

  it("uses a custom policy", () => {
    const policy = { maxAttempts: 3, baseMs: 1000, maxMs: 5000, jitter: 0 };
    expect(planRetry({ attempts: 2, now, policy })).toMatchObject({ type: "retry", delayMs: 2000 });
    expect(planRetry({ attempts: 3, now, policy })).toEqual({ type: "give_up" });
  });
});
