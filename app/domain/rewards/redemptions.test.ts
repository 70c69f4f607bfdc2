import { describe, expect, it } from "vitest";
import {
  ALLOWED_REDEMPTION_MOVES,
  REDEMPTION_MOVES,
  REDEMPTION_STATES,
  RELEASES_CUSTOMER_LOCK,
  decideRedemptionMove,
  isFinalRedemptionState,
  isRedemptionState,
  onRepeatedRequest,
  parseRedemptionState,
  type RedemptionMove,
  type RedemptionState,
} from "./redemptions";

// The specification, written out by hand (from→to:move; "∅" = no row yet). Everything else is refused.
const APPLY = new Set([
  "∅→IN_PROGRESS:START",
  "IN_PROGRESS→IN_PROGRESS:TAKE_OVER",
  "IN_PROGRESS→IN_PROGRESS:RENEW",
  "IN_PROGRESS→IN_PROGRESS:LEAVE_FOR_RECOVERY",
  "IN_PROGRESS→COMPLETED:COMPLETE",
  "IN_PROGRESS→FAILED:FAIL",
  "IN_PROGRESS→ABANDONED:ABANDON",
]);

const FROM: (RedemptionState | null)[] = [null, ...REDEMPTION_STATES];
const matrix = FROM.flatMap((from) => REDEMPTION_MOVES.map((move) => ({ from, move })));

describe("decideRedemptionMove: every state × move", () => {
  it("covers 5 × 7 combinations, 7 of them allowed", () => {
    expect(matrix).toHaveLength(35);
    expect(matrix.filter(({ from, move }) => decideRedemptionMove(from, move).type === "apply")).toHaveLength(APPLY.size);
  });

  it.each(matrix)("$from by $move", ({ from, move }) => {
    const decision = decideRedemptionMove(from, move);
    const allowed = [...APPLY].find((key) => key.startsWith(`${from ?? "∅"}→`) && key.endsWith(`:${move}`));
    if (allowed) {
      expect(decision).toEqual({ type: "apply", to: allowed.split("→")[1].split(":")[0] });
    } else {
      expect(decision.type).toBe("reject");
      if (decision.type === "reject") expect(decision.reason.length).toBeGreaterThan(20);
    }
  });

  it("ALLOWED_REDEMPTION_MOVES lists exactly the moves of the specification", () => {
    const listed = Object.entries(ALLOWED_REDEMPTION_MOVES).map(([move, r]) => `${r.from ?? "∅"}→${r.to}:${move}`);
    expect(new Set(listed)).toEqual(APPLY);
  });

  it.each([
    ["COMPLETED", "COMPLETE", "a COMPLETED redemption is final; a new request (with a new idempotency key) starts a new one"],
    ["ABANDONED", "TAKE_OVER", "a ABANDONED redemption is final; a new request (with a new idempotency key) starts a new one"],
    ["IN_PROGRESS", "START", "the redemption already exists (IN_PROGRESS); a repeat of the request resumes it instead of starting it again"],
    [null, "COMPLETE", "COMPLETE needs an existing redemption; a redemption only begins with START"],
  ] as const)("%s by %s is refused: %s", (from, move, reason) => {
    expect(decideRedemptionMove(from, move)).toEqual({ type: "reject", reason });
  });
});

describe("redemption states", () => {
  it.each([
    ["IN_PROGRESS", false],
    ["COMPLETED", true],
    ["FAILED", true],
    ["ABANDONED", true],
  ] as const)("%s is final: %s", (state, final) => {
    expect(isFinalRedemptionState(state)).toBe(final);
  });

  it.each([
    ["IN_PROGRESS", true],
    ["ABANDONED", true],
    ["in_progress", false],
    ["PENDING", false],
    [null, false],
  ])("isRedemptionState(%j) = %s", (value, expected) => {
    expect(isRedemptionState(value)).toBe(expected);
  });

  it("parseRedemptionState accepts the four states and refuses anything else", () => {
    for (const state of REDEMPTION_STATES) expect(parseRedemptionState(state)).toBe(state);
    expect(() => parseRedemptionState("DONE")).toThrow(/redemption state/);
  });

  it.each(REDEMPTION_MOVES.map((m) => [m]))("%s releases the customer's lock exactly when it ends the owner's work", (move: RedemptionMove) => {
    const endsWork = ["COMPLETE", "FAIL", "LEAVE_FOR_RECOVERY", "ABANDON"].includes(move);
    expect(RELEASES_CUSTOMER_LOCK.has(move)).toBe(endsWork);
  });
});

describe("onRepeatedRequest: what a repeat of the same request gets", () => {
  const now = new Date("2026-01-01T12:00:00Z");
  const later = new Date(now.getTime() + 1);
  const earlier = new Date(now.getTime() - 1);
  it.each([
    ["COMPLETED", later, "replay_reward"],
    ["COMPLETED", earlier, "replay_reward"],
    ["FAILED", later, "repeat_failure"],
    ["ABANDONED", earlier, "repeat_failure"],
    ["IN_PROGRESS", later, "wait"],
    ["IN_PROGRESS", now, "take_over"],
    ["IN_PROGRESS", earlier, "take_over"],
  ] as const)("%s with its lease until %s → %s", (state, leaseUntil, expected) => {
    expect(onRepeatedRequest(state, leaseUntil, now)).toBe(expected);
  });
});
