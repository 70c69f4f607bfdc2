// Pace credits: one per delivery recorded in this process, capped, spent one at a time.
import { describe, expect, it } from "vitest";
import { deliveryRecorded, MAX_PACE_CREDIT, takePaceCredit } from "./worker-wake.server";

describe("pace credit", () => {
  it("GIVEN deliveries recorded here THEN there is one credit each, at most MAX_PACE_CREDIT, each spent once", () => {
    while (takePaceCredit()) {
      // spend what earlier tests in this process left
    }
    expect(takePaceCredit()).toBe(false);
    deliveryRecorded();
    deliveryRecorded();
    expect(takePaceCredit()).toBe(true);
    expect(takePaceCredit()).toBe(true);
    expect(takePaceCredit()).toBe(false);
    for (let i = 0; i < MAX_PACE_CREDIT + 10; i++) deliveryRecorded();
    let spent = 0;
    while (takePaceCredit()) spent++;
    expect(spent).toBe(MAX_PACE_CREDIT);
  });
});
