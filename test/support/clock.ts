// A clock tests move by hand, injected as `now()` into the reward services and the worker, so
// backoff schedules and leases are tested without sleeping.
export interface TestClock {
  now: () => Date;
  advance(ms: number): void;
  set(time: Date): void;
}

export function testClock(start: Date = new Date()): TestClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
    set: (time) => {
      t = time.getTime();
    },
  };
}
