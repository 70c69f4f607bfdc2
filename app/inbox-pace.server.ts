// Keeping pace (docs/decisions/016): the webhook answers of this process wait for its in-process
// inbox when that inbox is falling behind them.
//
// Shopify is answered once a delivery is durable; its effects are applied afterwards by the worker
// (app/services/webhooks/inbox.server.ts). When deliveries arrive faster than the worker in this
// process applies them, answering at full speed only grows the inbox, and every status it holds
// stays wrong for longer: at saturation, delivery→Used reached 4–12 s. So once a delivery recorded
// now would wait PACE_AFTER_MS or more to be applied — the deliveries recorded here and not yet
// applied, times the time the inbox takes per delivery — new answers wait their turn and leave
// first come first served, one per the inbox's time per delivery measured over its recent applies:
// deliveries are then taken no faster than they are applied and the wait stops growing. The
// answers leave at the inbox's average rate, not at each apply: the inbox applies in batches, and
// between two batches (marking one applied, claiming the next) no apply comes for a while; an
// answer released only by an apply waited out that whole gap, which made the slowest answers ≈ 3×
// the median (bench/RESULTS.md, "2 December"). Shopify's queue holds the rest meanwhile; Shopify
// allows 5 s for an answer, and an answer never waits more than PACE_MAX_WAIT_MS.
//
// Only the in-process worker reports applies (apply.server.ts): a process whose worker runs
// elsewhere (WORKER_IN_PROCESS=false) is never behind and never waits. The count of deliveries not
// yet applied is an estimate (another process's worker may apply this one's deliveries, and the
// other way round): whenever a claim takes everything due, it is reset to what that claim took.
// An inbox that stopped applying (the database is down, say) is not "keeping up slowly": after
// PACE_AFTER_MS without an apply, answers stop waiting.

/** The wait before apply that makes answers wait: half of the 2 s within which a status must be true (issue 11). */
export const PACE_AFTER_MS = 1_000;
/** The longest an answer waits for its ticket. */
export const PACE_MAX_WAIT_MS = 1_000;
/** Time per delivery assumed until the inbox has been seen applying back to back. */
const DEFAULT_MS_PER_APPLY = 2;
/** Applies further apart than this are not back to back (the inbox was idle in between). */
const BACK_TO_BACK_MS = 100;
/** The waiting answers leave at the average rate of this many recent back-to-back applies (about one batch and its gap). */
const RATE_WINDOW = 128;
/** Fewer back-to-back applies than this seen: the answers leave at `msPerApply`. */
const MIN_RATE_SAMPLES = 8;

let notApplied = 0;
let msPerApply = DEFAULT_MS_PER_APPLY;
let lastAppliedAt = Number.NEGATIVE_INFINITY;
/** When the recent back-to-back applies happened (oldest first, at most RATE_WINDOW). */
const recentApplies: number[] = [];
const waiting: (() => void)[] = [];
/** When the next waiting answer is due to leave (a schedule: a late timer lets the overdue ones go together). */
let nextReleaseAt = Number.NEGATIVE_INFINITY;
let releaseTimer: ReturnType<typeof setTimeout> | undefined;

/** A delivery was recorded in this process. */
export function deliveryRecorded(): void {
  notApplied++;
}

/** The in-process inbox applied (or retried, or gave up on) a delivery. */
export function deliveryApplied(now = Date.now()): void {
  notApplied = Math.max(0, notApplied - 1);
  const gap = now - lastAppliedAt;
  if (gap < BACK_TO_BACK_MS) msPerApply = msPerApply * 0.9 + gap * 0.1;
  else recentApplies.length = 0;
  recentApplies.push(now);
  if (recentApplies.length > RATE_WINDOW) recentApplies.shift();
  lastAppliedAt = now;
  // Caught up: whoever waits goes now.
  if (waiting.length > 0 && expectedWaitMs(now) < PACE_AFTER_MS) releaseAll();
}

/** The time between two answers leaving while they wait: the inbox's average over its recent back-to-back applies, batch gaps included. */
export function releaseIntervalMs(): number {
  const n = recentApplies.length;
  if (n < MIN_RATE_SAMPLES) return msPerApply;
  return (recentApplies[n - 1] - recentApplies[0]) / (n - 1);
}

/** The in-process inbox claimed everything that was due, `claimed` deliveries: only those (and any recorded since) are waiting. */
export function inboxCaughtUp(claimed: number): void {
  notApplied = claimed;
}

/** How long a delivery recorded now would wait to be applied (an estimate), while the inbox is applying. */
export function expectedWaitMs(now = Date.now()): number {
  return now - lastAppliedAt < PACE_AFTER_MS ? notApplied * msPerApply : 0;
}

/** Resolves when this answer may go: at once while on time, else at its turn (at most PACE_MAX_WAIT_MS). */
export function keepPace(): Promise<void> {
  const now = Date.now();
  if (expectedWaitMs(now) < PACE_AFTER_MS) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const go = () => {
      clearTimeout(timer);
      const i = waiting.indexOf(go);
      if (i >= 0) waiting.splice(i, 1);
      resolve();
    };
    const timer = setTimeout(go, PACE_MAX_WAIT_MS);
    waiting.push(go);
    scheduleRelease(now);
  });
}

/** The next waiting answer leaves one interval after the previous one (or one interval from now, when none left lately). */
function scheduleRelease(now: number): void {
  if (releaseTimer !== undefined || waiting.length === 0) return;
  if (nextReleaseAt < now) nextReleaseAt = now + releaseIntervalMs();
  releaseTimer = setTimeout(release, nextReleaseAt - now);
}

function release(): void {
  releaseTimer = undefined;
  const now = Date.now();
  if (expectedWaitMs(now) < PACE_AFTER_MS) {
    releaseAll();
    return;
  }
  // Every answer whose turn has come: one, or more when this timer ran late (the event loop was busy).
  const interval = Math.max(releaseIntervalMs(), 0.01);
  while (waiting.length > 0 && nextReleaseAt <= now) {
    waiting[0]();
    nextReleaseAt += interval;
  }
  // No credit is banked for turns nobody waited for.
  if (nextReleaseAt < now) nextReleaseAt = now;
  scheduleRelease(now);
}

function releaseAll(): void {
  for (const go of [...waiting]) go();
}

/** What the pace rests on now (for tests and logs). */
export function paceSnapshot(): { notApplied: number; msPerApply: number; releaseIntervalMs: number; waiting: number } {
  return { notApplied, msPerApply, releaseIntervalMs: releaseIntervalMs(), waiting: waiting.length };
}

/** Tests: back to the state of a new process, every waiting answer released. */
export function resetPace(): void {
  notApplied = 0;
  msPerApply = DEFAULT_MS_PER_APPLY;
  lastAppliedAt = Number.NEGATIVE_INFINITY;
  recentApplies.length = 0;
  releaseAll();
  if (releaseTimer !== undefined) clearTimeout(releaseTimer);
  releaseTimer = undefined;
  nextReleaseAt = Number.NEGATIVE_INFINITY;
}
