// The bulk issue's rules, table-driven: which moves each state allows, the pasted list's parsing and
// bounds, and the estimated finish from the shop's API budget.
import { describe, expect, it } from "vitest";
import { BULK_JOB_STATES, canMove, estimateFinish, isBulkJobMoving, MAX_PASTED_CHARS, MAX_PASTED_EMAILS, parseEmailList, type BulkJobAction } from "./bulk-issue";

describe("job moves", () => {
  const allowed: Record<string, BulkJobAction[]> = {
    QUEUED: ["pause", "cancel"],
    RUNNING: ["pause", "cancel"],
    PAUSED: ["resume", "cancel"],
    DONE: [],
    CANCELED: [],
  };
  it.each(BULK_JOB_STATES.map((s) => [s]))("%s allows exactly its moves", (state) => {
    const moves = (["pause", "resume", "cancel"] as const).filter((a) => canMove(state, a));
    expect(moves).toEqual(allowed[state]);
  });
  it("a job moves while it issues or has rewards in flight", () => {
    expect(isBulkJobMoving({ state: "RUNNING", inFlight: 0 })).toBe(true);
    expect(isBulkJobMoving({ state: "PAUSED", inFlight: 2 })).toBe(true);
    expect(isBulkJobMoving({ state: "PAUSED", inFlight: 0 })).toBe(false);
    expect(isBulkJobMoving({ state: "DONE", inFlight: 0 })).toBe(false);
  });
});

describe("parseEmailList", () => {
  it.each([
    ["a@example.com\nB@Example.com", ["a@example.com", "b@example.com"], [], 0],
    ["a@example.com, a@EXAMPLE.com; <c@shop.co.uk>", ["a@example.com", "c@shop.co.uk"], [], 1],
    ["x@y  not-an-email  @example.com  d@example.com", ["d@example.com"], ["x@y", "not-an-email", "@example.com"], 0],
    // Two addresses: the Kelvin sign (U+212A) lower-cases to "k" with toLowerCase, not by the email rule.
    ["Kate@example.com \u212Aate@example.com", ["kate@example.com", "\u212Aate@example.com"], [], 0],
  ])("%j → emails %j, invalid %j", (text, emails, invalid, duplicates) => {
    expect(parseEmailList(text)).toEqual({ ok: true, emails, invalid, duplicates });
  });
  it("quotes a long entry that is no email back cut between characters, never inside an emoji", () => {
    // It was cut at 100 UTF-16 code units: the 50th emoji's first half was sent to the merchant as a
    // lone surrogate (shown as a broken character).
    const entry = `a${"\u{1F600}".repeat(120)}`;
    const parsed = parseEmailList(entry);
    expect(parsed).toMatchObject({ ok: true, invalid: [`a${"\u{1F600}".repeat(99)}`] });
  });
  it("refuses an empty list, too many entries and too much text", () => {
    expect(parseEmailList(" \n, ")).toMatchObject({ ok: false, error: { code: "empty" } });
    expect(parseEmailList(Array.from({ length: MAX_PASTED_EMAILS + 1 }, (_, i) => `c${i}@e.com`).join(" "))).toMatchObject({ ok: false, error: { code: "too_many" } });
    expect(parseEmailList("a".repeat(MAX_PASTED_CHARS + 1))).toMatchObject({ ok: false, error: { code: "too_long" } });
    expect(parseEmailList(Array.from({ length: MAX_PASTED_EMAILS }, (_, i) => `c${i}@e.com`).join(" "))).toMatchObject({ ok: true });
  });
});

describe("estimateFinish", () => {
  const now = new Date("2026-12-01T10:00:00Z");
  it.each([
    // remaining, restoreRate, cost → seconds, observed
    [100, 100, 10, 10, true],
    [1000, 1000, 10, 10, true],
    [7, 50, 10, 2, true],
    [0, 100, 10, 0, true],
    [100, null, null, 10, false], // Shopify's Standard plan defaults: 100 points/s, 10 per mutation
    [100, 0, 10, 10, false],
  ])("%i rewards at %s points/s costing %s each → %i s", (remaining, rate, cost, seconds, observed) => {
    const e = estimateFinish({ remaining, restoreRate: rate, costPerReward: cost, now });
    expect(e).toMatchObject({ seconds, observed });
    expect(e.at.getTime()).toBe(now.getTime() + seconds * 1000);
  });
});
