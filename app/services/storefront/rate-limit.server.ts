// Per-customer rate limiting for the storefront app proxy: a sliding-window log kept in memory.
//
// The limit is PER PROCESS. With several app processes behind a load balancer a customer can make
// up to `limit × processes` requests a minute; that is acceptable for its purpose (stop one browser
// tab or script from hammering redemptions and the database), and it needs no shared store. Move
// the log to the database or Redis if a hard global limit is ever required.
//
// Only allowed requests are recorded, so a client that keeps retrying while limited recovers as
// soon as its oldest allowed request leaves the window.

export interface RateLimitDecision {
  allowed: boolean;
  /** Requests still allowed in the current window after this one. */
  remaining: number;
  /** When refused: whole seconds until the next request would be allowed (≥ 1). */
  retryAfterSeconds: number;
}

export interface SlidingWindowLimiter {
  /** Counts one request for `key` if it is allowed. */
  hit(key: string): RateLimitDecision;
  /** Forgets every key (tests). */
  reset(): void;
  /** Number of keys currently tracked (tests, diagnostics). */
  size(): number;
}

export interface SlidingWindowOptions {
  /** Requests allowed per window; read on every hit so a changed setting applies at once. */
  limit: number | (() => number);
  windowMs: number;
  now?: () => number;
}

export function createSlidingWindowLimiter(options: SlidingWindowOptions): SlidingWindowLimiter {
  const now = options.now ?? Date.now;
  const limitOf = typeof options.limit === "function" ? options.limit : () => options.limit as number;
  const log = new Map<string, number[]>();
  let lastSweep = now();

  // Drop keys whose requests all left the window, so memory follows active customers only.
  function sweep(at: number) {
    if (at - lastSweep < options.windowMs) return;
    lastSweep = at;
    for (const [key, times] of log) {
      if (times.length === 0 || times[times.length - 1]! <= at - options.windowMs) log.delete(key);
    }
  }

  return {
    hit(key) {
      const at = now();
      sweep(at);
      const limit = Math.max(1, Math.floor(limitOf()));
      const windowStart = at - options.windowMs;
      const times = (log.get(key) ?? []).filter((t) => t > windowStart);
      if (times.length >= limit) {
        log.set(key, times);
        const oldestRelevant = times[times.length - limit]!;
        const retryAfterMs = oldestRelevant + options.windowMs - at;
        return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
      }
      times.push(at);
      log.set(key, times);
      return { allowed: true, remaining: limit - times.length, retryAfterSeconds: 0 };
    },
    reset() {
      log.clear();
    },
    size() {
      return log.size;
    },
  };
}
