// Keeping pace: answers wait, one per apply, while a delivery recorded now would wait PACE_AFTER_MS
// or more to be applied; never while the inbox is on time, idle or stalled; never past
// PACE_MAX_WAIT_MS. The clock is Vitest's: nothing here depends on how fast the machine runs.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { deliveryApplied, deliveryRecorded, expectedWaitMs, inboxCaughtUp, keepPace, PACE_AFTER_MS, PACE_MAX_WAIT_MS, paceSnapshot, resetPace } from "./inbox-pace.server";

/** Whether `promise` has settled once pending callbacks have run (without moving the fake clock). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
}

/** The inbox applying back to back, `ms` apart, `n` times (its time per delivery becomes ≈ ms). */
function applyBackToBack(n: number, ms: number): void {
  for (let i = 0; i < n; i++) {
    vi.advanceTimersByTime(ms);
    deliveryApplied();
  }
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2026-12-01T08:00:00Z"));
  resetPace();
});
afterEach(() => {
  resetPace();
  vi.useRealTimers();
});

describe("inbox pace", () => {
  it("GIVEN a new process (nothing applied yet) WHEN deliveries are recorded THEN answers never wait", async () => {
    for (let i = 0; i < 10_000; i++) deliveryRecorded();
    expect(expectedWaitMs()).toBe(0);
    expect(await settled(keepPace())).toBe(true);
  });

  it("GIVEN an inbox applying every 4 ms WHEN 200 deliveries wait (0.8 s) THEN answers go at once; at 260 (1 s+) each waits for one apply, first come first served", async () => {
    applyBackToBack(60, 4);
    expect(paceSnapshot().msPerApply).toBeGreaterThan(3.9);
    for (let i = 0; i < 200; i++) deliveryRecorded();
    expect(expectedWaitMs()).toBeLessThan(PACE_AFTER_MS);
    expect(await settled(keepPace())).toBe(true);

    for (let i = 0; i < 60; i++) deliveryRecorded();
    expect(expectedWaitMs()).toBeGreaterThanOrEqual(PACE_AFTER_MS);
    const order: string[] = [];
    const first = keepPace().then(() => order.push("first"));
    const second = keepPace().then(() => order.push("second"));
    expect(await settled(first)).toBe(false);
    applyBackToBack(1, 4);
    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe(false);
    applyBackToBack(1, 4);
    expect(await settled(second)).toBe(true);
    expect(order).toEqual(["first", "second"]);
  });

  it("GIVEN an answer waiting WHEN no apply comes THEN it goes after PACE_MAX_WAIT_MS", async () => {
    applyBackToBack(60, 4);
    for (let i = 0; i < 400; i++) deliveryRecorded();
    const answer = keepPace();
    vi.advanceTimersByTime(PACE_MAX_WAIT_MS - 1);
    expect(await settled(answer)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settled(answer)).toBe(true);
    expect(paceSnapshot().waiting).toBe(0);
  });

  it("GIVEN a backlog WHEN the inbox has not applied for PACE_AFTER_MS (stalled: the database is down, say) THEN answers stop waiting", async () => {
    applyBackToBack(60, 4);
    for (let i = 0; i < 400; i++) deliveryRecorded();
    expect(expectedWaitMs()).toBeGreaterThanOrEqual(PACE_AFTER_MS);
    vi.advanceTimersByTime(PACE_AFTER_MS);
    expect(expectedWaitMs()).toBe(0);
    expect(await settled(keepPace())).toBe(true);
  });

  it("GIVEN an estimate grown by deliveries another process applied WHEN the inbox claims all that is due THEN the count is what it claimed", () => {
    applyBackToBack(60, 4);
    for (let i = 0; i < 400; i++) deliveryRecorded();
    inboxCaughtUp(3);
    expect(paceSnapshot().notApplied).toBe(3);
    expect(expectedWaitMs()).toBeLessThan(PACE_AFTER_MS);
    deliveryApplied();
    deliveryApplied();
    deliveryApplied();
    deliveryApplied();
    expect(paceSnapshot().notApplied).toBe(0);
  });

  it("GIVEN applies far apart (an idle inbox) THEN they do not count as its time per delivery", () => {
    applyBackToBack(60, 4);
    applyBackToBack(5, 5_000);
    expect(paceSnapshot().msPerApply).toBeLessThan(4.1);
  });
});
