// Per-shop pacing of Admin API calls against Shopify's leaky bucket
// (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits).
//
// Every response reports `throttleStatus` (maximumAvailable, currentlyAvailable, restoreRate). The
// pacer keeps, per shop, an estimate of the bucket: the last reported level, refilled at the
// restore rate since, minus what calls in flight have reserved. A call may start only when the
// estimate covers its requested cost, so a bulk run drains the bucket and then spends exactly what
// Shopify restores — the bucket stays near empty and THROTTLED does not happen. Shopify admits a
// call when its *requested* cost fits, so that is what we reserve (the largest requested cost seen
// for the shop; lookups cost less than creates, so this errs on the safe side).
//
// In memory, per process. Several worker processes pacing one shop each see the others' spending
// only in Shopify's next report, one round trip late, so each keeps a *reserve* in the bucket: it
// spends down to the reserve, never to zero. The reserve starts at `margin` and doubles on every
// THROTTLED answer (another process spent what we counted on), up to a quarter of the bucket, and
// decays slowly while answers arrive unthrottled. Keeping points in the bucket costs nothing in
// rate (the bucket refills at the same speed at any level below its maximum) — only the reserve
// itself, once, at the end of a run — so every process still spends at the shop's full restore rate.
// A THROTTLED call did not run (https://shopify.dev/docs/api/usage/rate-limits: the request is
// rejected before execution), so `runOptions` asks runAdmin to send it again after this pacer's
// wait instead of failing the unit of work.
import type { QueryCost, RunOptions } from "~/services/rewards/deps.server";

export interface PacerOptions {
  /** Milliseconds clock (default Date.now). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Points kept in reserve above the requested cost (default 1: Shopify reports whole points). */
  margin?: number;
  /** Longest single wait before re-checking (default 2 s). */
  maxWaitMs?: number;
  /** Times a THROTTLED call is sent again by runAdmin (default 10; each waits for the budget first). */
  throttledRetries?: number;
}

interface Bucket {
  /** Whether Shopify has reported this shop's bucket yet. */
  known: boolean;
  available: number;
  maximum: number;
  restoreRate: number;
  atMs: number;
  /** Points reserved by calls sent and not yet answered. */
  reserved: number;
  /** Calls sent and not yet answered. */
  inflight: number;
  /** Largest requested cost seen. */
  estimate: number;
  throttledSeen: number;
  /**
   * Points this process leaves in the bucket (at least `margin`): doubled on each THROTTLED answer
   * (at least twice the call's cost, at most a quarter of the bucket), shrunk by 1 % of a call's
   * cost per unthrottled answer. See the header: other processes' calls in flight are invisible
   * until Shopify reports them, and the reserve absorbs them.
   */
  reserve: number;
  /** Smoothed round trip of this shop's calls (ms), null until one was answered. */
  latencyMs: number | null;
  /** Smoothed time a unit of work holds its lane, waits for the budget excluded (ms), as reported by the worker. */
  busyMs: number | null;
  /** Settles when the last caller in line has been let through: callers wait for the budget one by one, in order. */
  line: Promise<void>;
}

export interface BucketSnapshot {
  known: boolean;
  available: number;
  maximum: number;
  restoreRate: number;
  reserved: number;
  estimate: number;
  throttledSeen: number;
  reserve: number;
  latencyMs: number | null;
  busyMs: number | null;
}

/** What the concurrency rule needs to know about a shop (see {@link shopConcurrency}). */
export interface ConcurrencyInput {
  /** Whether Shopify has reported the bucket yet. */
  known: boolean;
  /** Points available now, net of calls in flight. */
  spare: number;
  restoreRate: number;
  /** Requested cost of one call (the largest seen). */
  estimate: number;
  /** How long one unit of work holds its lane (a reward: database work plus its calls), in ms. */
  busyMs: number | null;
}

export interface ConcurrencyLimits {
  /** Lanes before anything is known (default 2). */
  initial?: number;
  /** Never more lanes than this (default 32: database connections and memory are finite). */
  max?: number;
  /** Safety factor on the steady-state need (default 1.5: latency varies). */
  headroom?: number;
}

/**
 * How many units of work for one shop to keep in flight so the lanes never limit the rate Shopify
 * allows (the pacer then decides when each call goes). Little's law: to sustain the restore rate
 * (restoreRate ÷ cost calls per second) while each unit holds its lane `busyMs`, we need
 * rate × busy lanes; while the bucket still has spare points, as many more lanes as it can pay for
 * at once. So a slow Shopify (or a slow database) gets more lanes, a fast one fewer; a constant
 * would cap the rate at lanes ÷ round trip.
 */
export function shopConcurrency(input: ConcurrencyInput, limits: ConcurrencyLimits = {}): number {
  const initial = limits.initial ?? 2;
  const max = Math.max(1, limits.max ?? 32);
  const headroom = limits.headroom ?? 1.5;
  if (!input.known || !(input.estimate > 0) || input.busyMs === null || !Number.isFinite(input.busyMs)) return Math.min(max, initial);
  const steadyPerSecond = input.restoreRate / input.estimate;
  const steady = Math.ceil(steadyPerSecond * (Math.max(0, input.busyMs) / 1000) * headroom) + 1;
  const burst = Math.max(0, Math.floor(input.spare / input.estimate));
  return Math.max(1, Math.min(max, Math.max(steady, burst)));
}

export class Pacer {
  private readonly buckets = new Map<string, Bucket>();
  private readonly nowMs: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly margin: number;
  private readonly maxWaitMs: number;
  private readonly throttledRetries: number;

  constructor(options: PacerOptions = {}) {
    this.nowMs = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.margin = options.margin ?? 1;
    this.maxWaitMs = options.maxWaitMs ?? 2_000;
    this.throttledRetries = Math.max(0, Math.floor(options.throttledRetries ?? 10));
  }

  private bucket(shop: string): Bucket {
    const key = shop.toLowerCase();
    let b = this.buckets.get(key);
    if (!b) {
      b = { known: false, available: 0, maximum: 0, restoreRate: 0, atMs: this.nowMs(), reserved: 0, inflight: 0, estimate: 0, throttledSeen: 0, reserve: this.margin, latencyMs: null, busyMs: null, line: Promise.resolve() };
      this.buckets.set(key, b);
    }
    return b;
  }

  private refill(b: Bucket): void {
    const now = this.nowMs();
    if (b.known) b.available = Math.min(b.maximum, b.available + (Math.max(0, now - b.atMs) / 1000) * b.restoreRate);
    b.atMs = now;
  }

  /** Feed a cost report (RunOptions.onCost). Shopify's figure replaces our estimate. */
  observe(shop: string, cost: QueryCost): void {
    const b = this.bucket(shop);
    const t = cost.throttleStatus;
    if (!t || !Number.isFinite(t.currentlyAvailable)) return;
    b.known = true;
    b.available = t.currentlyAvailable;
    b.maximum = t.maximumAvailable;
    b.restoreRate = t.restoreRate;
    b.atMs = this.nowMs();
    if (Number.isFinite(cost.requestedQueryCost)) b.estimate = Math.max(b.estimate, cost.requestedQueryCost);
    const ceiling = Math.max(this.margin, b.maximum / 4);
    if (cost.actualQueryCost === null) {
      b.throttledSeen++;
      b.reserve = Math.min(ceiling, Math.max(2 * b.estimate, 2 * b.reserve));
    } else {
      b.reserve = Math.max(this.margin, Math.min(ceiling, b.reserve - b.estimate / 100));
    }
  }

  /**
   * Waits until the shop's bucket can take another call; returns the release for when it is
   * answered. First come, first served: a caller waits for the ones before it to be let through, so
   * no call is starved by luckier wake-ups.
   */
  async acquire(shop: string): Promise<() => void> {
    const b = this.bucket(shop);
    const before = b.line;
    let through!: () => void;
    b.line = new Promise<void>((resolve) => (through = resolve));
    await before;
    try {
      return await this.waitForBudget(b);
    } finally {
      through();
    }
  }

  private async waitForBudget(b: Bucket): Promise<() => void> {
    for (;;) {
      this.refill(b);
      let reserve: number | null = null;
      if (!b.known) {
        // Nothing reported yet: one call at a time until the first answer tells us the bucket.
        if (b.inflight === 0) reserve = 0;
      } else if (b.available - b.reserved >= b.estimate + b.reserve) {
        reserve = b.estimate;
      }
      if (reserve !== null) {
        const points = reserve;
        b.reserved += points;
        b.inflight++;
        let released = false;
        return () => {
          if (released) return;
          released = true;
          b.reserved -= points;
          b.inflight--;
          // Assume it was spent until Shopify's report (which follows at once) says otherwise.
          b.available -= points;
        };
      }
      const missing = b.known ? b.estimate + b.reserve - (b.available - b.reserved) : 0;
      const waitMs = b.known && b.restoreRate > 0 ? (missing / b.restoreRate) * 1000 : 10;
      await this.sleep(Math.min(this.maxWaitMs, Math.max(1, Math.ceil(waitMs))));
    }
  }

  /**
   * RunOptions for one shop's calls: wait for the budget before each call (`pace`; the call's
   * timeout starts after it), report every cost to the pacer (chained with `base.onCost`), and let
   * runAdmin send a THROTTLED call again (it did not run; the new send waits for the budget too).
   * `onWait` hears how long each call waited.
   */
  runOptions(shop: string, base: RunOptions = {}, onWait?: (ms: number) => void): RunOptions {
    return {
      throttledRetries: this.throttledRetries,
      ...base,
      pace: async () => {
        const asked = this.nowMs();
        const release = await this.acquire(shop);
        const sent = this.nowMs();
        onWait?.(sent - asked);
        return () => {
          release();
          this.recordLatency(shop, this.nowMs() - sent);
        };
      },
      onCost: (cost) => {
        this.observe(shop, cost);
        base.onCost?.(cost);
      },
    };
  }

  /** The pacer's clock (ms): the one bucket refills and latencies are measured on. */
  clockMs(): number {
    return this.nowMs();
  }

  /** Smooths a call's round trip into the shop's latency (exponential moving average, weight 0.2). */
  recordLatency(shop: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const b = this.bucket(shop);
    b.latencyMs = b.latencyMs === null ? ms : b.latencyMs * 0.8 + ms * 0.2;
  }

  /** Smooths how long a unit of work held its lane, budget waits excluded (same weighting). */
  recordBusy(shop: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const b = this.bucket(shop);
    b.busyMs = b.busyMs === null ? ms : b.busyMs * 0.8 + ms * 0.2;
  }

  /**
   * Lanes for this shop now ({@link shopConcurrency}), from its bucket and how long a unit of work
   * has been taking (reported with `recordBusy`; until then, the calls' own round trip).
   */
  concurrency(shop: string, limits: ConcurrencyLimits = {}): number {
    const b = this.bucket(shop);
    this.refill(b);
    return shopConcurrency(
      { known: b.known, spare: b.available - b.reserved, restoreRate: b.restoreRate, estimate: b.estimate, busyMs: b.busyMs ?? b.latencyMs },
      limits,
    );
  }

  snapshot(shop: string): BucketSnapshot {
    const b = this.bucket(shop);
    this.refill(b);
    return {
      known: b.known,
      available: b.available,
      maximum: b.maximum,
      restoreRate: b.restoreRate,
      reserved: b.reserved,
      estimate: b.estimate,
      throttledSeen: b.throttledSeen,
      reserve: b.reserve,
      latencyMs: b.latencyMs,
      busyMs: b.busyMs,
    };
  }
}
