// Keeping pace: while a delivery recorded now would wait PACE_AFTER_MS or more to be applied,
// answers wait their turn and leave one per the inbox's recent time per delivery (batch gaps
// included); never while the inbox is on time, idle or stalled; never past PACE_MAX_WAIT_MS. The clock is Vitest's: nothing here depends on how fast the machine runs.
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

  it("GIVEN an inbox applying every 4 ms WHEN 200 deliveries wait (0.8 s) THEN answers go at once; at 260 (1 s+) they leave one per 4 ms, first come first served", async () => {
    applyBackToBack(60, 4);
    expect(paceSnapshot().msPerApply).toBeGreaterThan(3.9);
    expect(paceSnapshot().releaseIntervalMs).toBeCloseTo(4, 5);
    for (let i = 0; i < 200; i++) deliveryRecorded();
    expect(expectedWaitMs()).toBeLessThan(PACE_AFTER_MS);
    expect(await settled(keepPace())).toBe(true);

    for (let i = 0; i < 60; i++) deliveryRecorded();
    expect(expectedWaitMs()).toBeGreaterThanOrEqual(PACE_AFTER_MS);
    const order: string[] = [];
    const first = keepPace().then(() => order.push("first"));
    const second = keepPace().then(() => order.push("second"));
    const third = keepPace().then(() => order.push("third"));
    vi.advanceTimersByTime(3);
    expect(await settled(first)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe(false);
    vi.advanceTimersByTime(4);
    expect(await settled(second)).toBe(true);
    expect(await settled(third)).toBe(false);
    vi.advanceTimersByTime(4);
    expect(await settled(third)).toBe(true);
    expect(order).toEqual(["first", "second", "third"]);
    expect(paceSnapshot().waiting).toBe(0);
  });

  it("GIVEN an inbox applying in batches (10 applies 1 ms apart, then 31 ms for the next claim) WHEN answers wait THEN they leave at its average rate, one per 4 ms, not bunched at the applies", async () => {
    // 8 batches: each 10 applies 1 ms apart, then a 31 ms gap before the next batch's first apply.
    for (let batch = 0; batch < 8; batch++) {
      vi.advanceTimersByTime(batch === 0 ? 1 : 31);
      deliveryApplied();
      applyBackToBack(9, 1);
    }
    // Over the window: 79 intervals, 7 of 31 ms and 72 of 1 ms → 4 ms on average.
    expect(paceSnapshot().releaseIntervalMs).toBeCloseTo((7 * 31 + 72) / 79, 5);
    for (let i = 0; i < 400; i++) deliveryRecorded();
    expect(expectedWaitMs()).toBeGreaterThanOrEqual(PACE_AFTER_MS);
    const interval = paceSnapshot().releaseIntervalMs;
    // 20 answers wait through a batch gap (no apply comes): they leave steadily, never bunched.
    const answers = Array.from({ length: 20 }, () => keepPace());
    const leftPerMs: number[] = [];
    let left = 0;
    for (let ms = 1; ms <= 40; ms++) {
      vi.advanceTimersByTime(1);
      const now = (await Promise.all(answers.map(settled))).filter(Boolean).length;
      leftPerMs.push(now - left);
      left = now;
    }
    expect(left).toBeGreaterThanOrEqual(Math.floor(40 / interval));
    expect(left).toBeLessThanOrEqual(Math.ceil(40 / interval));
    expect(Math.max(...leftPerMs)).toBe(1);
  });

  it("GIVEN answers waiting WHEN the release runs late (the event loop was busy) THEN every answer whose turn has come leaves at once, and the rest keep the schedule", async () => {
    applyBackToBack(60, 4);
    for (let i = 0; i < 400; i++) deliveryRecorded();
    const answers = Array.from({ length: 6 }, () => keepPace());
    // The release timer is due at +4 ms, but the process only gets to it at +14 ms: turns at 4, 8 and 12 ms have come.
    const clock = Date.now;
    const late = vi.spyOn(Date, "now").mockImplementation(() => clock() + 10);
    vi.advanceTimersByTime(4);
    late.mockRestore();
    expect(await Promise.all(answers.slice(0, 3).map(settled))).toEqual([true, true, true]);
    expect(await settled(answers[3])).toBe(false);
    // The fourth's turn is 16 ms: 2 ms after the late release (at 14 ms).
    vi.advanceTimersByTime(11);
    expect(await settled(answers[3])).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settled(answers[3])).toBe(true);
    expect(await settled(answers[4])).toBe(false);
  });

  it("GIVEN answers waiting WHEN the inbox catches up (the wait falls under PACE_AFTER_MS) THEN they all go at once", async () => {
    applyBackToBack(60, 4);
    for (let i = 0; i < 251; i++) deliveryRecorded();
    const answers = Array.from({ length: 4 }, () => keepPace());
    expect(await settled(answers[0])).toBe(false);
    inboxCaughtUp(100);
    deliveryApplied();
    expect(await Promise.all(answers.map(settled))).toEqual([true, true, true, true]);
    expect(paceSnapshot().waiting).toBe(0);
  });

  it("GIVEN more answers waiting than leave within PACE_MAX_WAIT_MS THEN the last goes after PACE_MAX_WAIT_MS, not at its turn", async () => {
    applyBackToBack(60, 4);
    for (let i = 0; i < 400; i++) deliveryRecorded();
    // 300 answers one per 4 ms: the last one's turn would be at 1.2 s.
    const answers = Array.from({ length: 300 }, () => keepPace());
    vi.advanceTimersByTime(PACE_MAX_WAIT_MS - 1);
    expect(await settled(answers[299])).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settled(answers[299])).toBe(true);
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
