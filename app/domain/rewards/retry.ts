// Retry timing for asynchronous reward generation (the worker retrying a Pending reward after a
// transient or uncertain failure).
//
// Exponential backoff: the ceiling for the wait after attempt n is min(maxMs, baseMs × factor^(n−1)),
// and jitter spreads rewards that failed together (a Shopify outage, a throttled shop) so they do
// not all retry in the same second.
//
// Jitter is a fraction of the ceiling that is randomized:
//   jitter = 1   → "full jitter" (AWS): uniform in [0, ceiling]
//   jitter = 0.5 → "equal jitter": uniform in [ceiling/2, ceiling]
//   jitter = 0   → no jitter
// `decorrelatedJitterDelay` implements the other common scheme (AWS "decorrelated jitter"), which
// derives each wait from the previous one instead of the attempt number.
//
// DEFAULT_RETRY_POLICY — 8 attempts in total, so at most 7 waits (base 1 min, ×4, capped at 9 h):
//   after attempt:   1      2      3       4        5         6      7
//   ceiling:       1 min  4 min  16 min  1 h 04  4 h 16    9 h    9 h      (sum 23 h 41 min)
// With jitter 0.2 each wait is between 80 % and 100 % of its ceiling, so the last attempt comes
// 18 h 57 min – 23 h 41 min after the first: about a day, never more. Early retries are quick
// (throttling and blips clear in minutes); the long tail rides out a real Shopify outage.
// Full jitter was not chosen for the default: with a floor of 0 a burst of bad luck could burn all
// 8 attempts within minutes of an outage starting, and the reward would fail needlessly.

export type RandomFloat = () => number;

export interface BackoffOptions {
  /** Ceiling of the first wait (after attempt 1). */
  baseMs: number;
  /** No wait is longer than this (except to honour `minDelayMs`). */
  maxMs: number;
  /** Growth per attempt; default 2. */
  factor?: number;
  /** Randomized fraction of the ceiling, 0–1; default 1 (full jitter). */
  jitter?: number;
  /** Uniform in [0, 1). Default Math.random (jitter needs no cryptographic randomness). */
  random?: RandomFloat;
  /** Lower bound, e.g. Shopify's Retry-After for a throttled request. */
  minDelayMs?: number;
}

export interface RetryPolicy extends BackoffOptions {
  /** Attempts in total, the first one included. */
  maxAttempts: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 8,
  baseMs: MINUTE,
  factor: 4,
  maxMs: 9 * HOUR,
  jitter: 0.2,
});

function checkOptions({ baseMs, maxMs, factor = 2, jitter = 1 }: BackoffOptions): void {
  if (!(Number.isFinite(baseMs) && baseMs > 0)) throw new RangeError("baseMs must be a positive number");
  if (!(Number.isFinite(maxMs) && maxMs >= baseMs)) throw new RangeError("maxMs must be a number ≥ baseMs");
  if (!(Number.isFinite(factor) && factor >= 1)) throw new RangeError("factor must be a number ≥ 1");
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError("jitter must be between 0 and 1");
}

function checkAttempt(attempt: number): void {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError("attempt must be an integer ≥ 1");
}

/** A random source's value forced into [0, 1), so a misbehaving source cannot break the bounds. */
function unit(random: RandomFloat): number {
  const r = random();
  if (!(r > 0)) return 0; // also NaN
  return r >= 1 ? 1 - Number.EPSILON : r;
}

/** The wait's upper bound after `attempt` attempts (before jitter). */
export function backoffCeiling(attempt: number, options: BackoffOptions): number {
  checkAttempt(attempt);
  checkOptions(options);
  const { baseMs, maxMs, factor = 2 } = options;
  // factor^(attempt−1) may overflow to Infinity for huge attempts; min() still gives maxMs.
  return Math.min(maxMs, baseMs * factor ** (attempt - 1));
}

/** Milliseconds to wait after `attempt` failed attempts (attempt ≥ 1) before the next one. */
export function nextAttemptDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = backoffCeiling(attempt, options);
  const { jitter = 1, random = Math.random, minDelayMs = 0 } = options;
  const delay = Math.round(ceiling * (1 - jitter * unit(random)));
  return Math.max(delay, Math.ceil(Math.max(0, minDelayMs)));
}

/**
 * AWS "decorrelated jitter": uniform in [baseMs, 3 × previous], capped at maxMs. Pass the previous
 * wait (undefined for the first retry). Waits grow about ×2 on average but are not tied to the
 * attempt number, which de-synchronizes clients well.
 */
export function decorrelatedJitterDelay(
  previousDelayMs: number | undefined,
  { baseMs, maxMs, random = Math.random, minDelayMs = 0 }: Omit<BackoffOptions, "factor" | "jitter">,
): number {
  checkOptions({ baseMs, maxMs });
  const previous = previousDelayMs !== undefined && Number.isFinite(previousDelayMs) ? Math.max(previousDelayMs, baseMs) : baseMs;
  const high = Math.max(baseMs, previous * 3);
  const delay = Math.min(maxMs, Math.round(baseMs + (high - baseMs) * unit(random)));
  return Math.max(delay, Math.ceil(Math.max(0, minDelayMs)));
}

/** True once `attempts` attempts have been made and the policy allows no more. */
export function shouldGiveUp(attempts: number, policy: Pick<RetryPolicy, "maxAttempts">): boolean {
  return attempts >= policy.maxAttempts;
}

export type RetryPlan = { type: "give_up" } | { type: "retry"; delayMs: number; at: Date };

/**
 * After a retryable failure of attempt number `attempts` (1 = the first): give up, or when to try
 * again. `retryAfterMs` (from a throttled response) is honoured as a minimum.
 */
export function planRetry({
  attempts,
  now,
  policy = DEFAULT_RETRY_POLICY,
  retryAfterMs,
  random,
}: {
  attempts: number;
  now: Date;
  policy?: RetryPolicy;
  retryAfterMs?: number;
  random?: RandomFloat;
}): RetryPlan {
  if (shouldGiveUp(attempts, policy)) return { type: "give_up" };
  const delayMs = nextAttemptDelay(Math.max(1, attempts), {
    ...policy,
    ...(random ? { random } : {}),
    minDelayMs: Math.max(policy.minDelayMs ?? 0, retryAfterMs ?? 0),
  });
  return { type: "retry", delayMs, at: new Date(now.getTime() + delayMs) };
}
