import { describe, expect, it } from "vitest";
import {
  applyMultiplier,
  canonical,
  changeReasonText,
  decideChange,
  enteredTiers,
  entryRewardKey,
  entryRewardsStillOwed,
  formatProgress,
  nextTier,
  orderTiers,
  periodEndDue,
  periodKey,
  periodStart,
  progressWindows,
  tierIndexFor,
  validateEntryReward,
  validateTier,
  validateVipProgram,
  vipProgramFromRow,
  thresholdNeedsReview,
  thresholdSavedIn,
  typedThreshold,
} from "./index";

const m = (n: number) => BigInt(Math.round(n * 1000));
const TIERS = orderTiers([
  { id: "gold", name: "Gold", threshold: m(500) },
  { id: "silver", name: "Silver", threshold: m(100) },
  { id: "platinum", name: "Platinum", threshold: m(1000) },
]);

describe("tier for a progress value", () => {
  it("orders tiers by threshold", () => expect(TIERS.map((t) => t.id)).toEqual(["silver", "gold", "platinum"]));
  it.each([
    [0, -1],
    [99.999, -1],
    [100, 0],
    [499, 0],
    [500, 1],
    [999.99, 1],
    [1000, 2],
    [1e7, 2],
  ])("progress %s → tier index %s", (progress, index) => expect(tierIndexFor(TIERS, m(progress))).toBe(index));

  it("next tier and what is left to reach it; none at the top", () => {
    expect(nextTier(TIERS, m(120))).toEqual({ tier: TIERS[1], remaining: m(380) });
    expect(nextTier(TIERS, m(0))?.tier.id).toBe("silver");
    expect(nextTier(TIERS, m(1000))).toBeNull();
  });
});

describe("entry rewards owed by a move", () => {
  it.each([
    [-1, 0, "ALL", ["silver"]],
    [-1, 2, "ALL", ["silver", "gold", "platinum"]],
    [-1, 2, "HIGHEST", ["platinum"]],
    [0, 2, "ALL", ["gold", "platinum"]],
    [1, 1, "ALL", []],
    [2, 0, "ALL", []],
    [1, -1, "HIGHEST", []],
  ] as const)("from %s to %s (%s) → %j", (from, to, option, ids) => {
    expect(enteredTiers(TIERS, from, to, option).map((t) => t.id)).toEqual(ids);
  });

  it("orders only move up; period ends and rule changes move both ways", () => {
    expect(decideChange(0, 1, "UP_ONLY")).toBe("UP");
    expect(decideChange(1, 0, "UP_ONLY")).toBeNull();
    expect(decideChange(1, 0, "UP_AND_DOWN")).toBe("DOWN");
    expect(decideChange(1, -1, "UP_AND_DOWN")).toBe("DOWN");
    expect(decideChange(1, 1, "UP_AND_DOWN")).toBeNull();
  });

  it("the idempotency key names customer, tier and period", () => expect(entryRewardKey("c1", "gold", "2026")).toBe("vip:c1:gold:2026"));
});

describe("periods", () => {
  const at = new Date("2026-11-30T16:00:00Z");
  it("keys", () => {
    expect(periodKey("LIFETIME", at)).toBe("lifetime");
    expect(periodKey("CALENDAR_YEAR", at)).toBe("2026");
    expect(periodKey("ROLLING_12_MONTHS", at)).toBe("2026-11");
    expect(periodKey("ROLLING_12_MONTHS", new Date("2027-01-01T00:00:00Z"))).toBe("2027-01");
  });
  it("windows: lifetime unbounded, calendar year = last year and this year, rolling = last 12 months", () => {
    expect(progressWindows("LIFETIME", at)).toEqual([{ from: null, to: null }]);
    expect(progressWindows("CALENDAR_YEAR", at)).toEqual([
      { from: new Date("2025-01-01T00:00:00Z"), to: new Date("2026-01-01T00:00:00Z") },
      { from: new Date("2026-01-01T00:00:00Z"), to: null },
    ]);
    expect(progressWindows("ROLLING_12_MONTHS", at)).toEqual([{ from: new Date("2025-11-30T16:00:00Z"), to: null }]);
  });
  it("period starts and when a period-end re-check is due", () => {
    expect(periodStart("LIFETIME", at)).toBeNull();
    expect(periodStart("CALENDAR_YEAR", at)).toEqual(new Date("2026-01-01T00:00:00Z"));
    expect(periodStart("ROLLING_12_MONTHS", at)).toEqual(new Date("2026-11-01T00:00:00Z"));
    expect(periodEndDue("LIFETIME", "lifetime", at)).toBe(false);
    expect(periodEndDue("CALENDAR_YEAR", "2026", at)).toBe(false);
    expect(periodEndDue("CALENDAR_YEAR", "2025", at)).toBe(true);
    expect(periodEndDue("CALENDAR_YEAR", null, at)).toBe(false);
    expect(periodEndDue("ROLLING_12_MONTHS", "2026-10", at)).toBe(true);
  });
});

describe("multiplier", () => {
  it.each([
    [100, "1", 100],
    [100, "1.5", 150],
    [7, "1.5", 10],
    [33, "2.25", 74],
    [10, "10", 100],
    [10, "11", 10],
    [10, "0.5", 10],
    [10, "abc", 10],
    [10, null, 10],
  ] as const)("%s points × %s → %s", (points, multiplier, expected) => expect(applyMultiplier(points, multiplier)).toBe(expected));
});

describe("validation", () => {
  it("program choices", () => {
    expect(validateVipProgram({ enabled: "on", basis: "AMOUNT_SPENT", period: "CALENDAR_YEAR", skippedTierRewards: "HIGHEST" })).toEqual({
      ok: true,
      values: { enabled: true, basis: "AMOUNT_SPENT", period: "CALENDAR_YEAR", skippedTierRewards: "HIGHEST" },
    });
    expect(validateVipProgram({ basis: "x", period: "WEEKLY", skippedTierRewards: "" })).toEqual({
      ok: false,
      errors: { basis: "invalid_choice", period: "invalid_choice", skippedTierRewards: "invalid_choice" },
    });
    expect(vipProgramFromRow(null).enabled).toBe(false);
    expect(vipProgramFromRow({ enabled: true, basis: "nonsense" }).basis).toBe("POINTS_EARNED");
  });

  const others = [{ name: "Silver", threshold: m(100) }];
  it("a valid tier is canonicalised", () => {
    const r = validateTier({ name: " Gold ", threshold: "500.50", pointsMultiplier: "1.50", perkText: " Free gift ", entryRewardTemplateId: "t1" }, "AMOUNT_SPENT", others);
    expect(r).toEqual({ ok: true, threshold: m(500.5), values: { name: "Gold", threshold: "500.5", pointsMultiplier: "1.5", perkText: "Free gift", entryRewardTemplateId: "t1" } });
    const d = validateTier({ name: "Gold", threshold: "500" }, "POINTS_EARNED", others);
    expect(d.ok && d.values).toEqual({ name: "Gold", threshold: "500", pointsMultiplier: "1", perkText: null, entryRewardTemplateId: null });
  });
  it("a tier name is one text however its accents were typed: stored composed (NFC), measured and compared so", () => {
    // The name was stored as typed and measured in UTF-16 units: "Café" with a combining accent was
    // accepted beside "Café" (two tiers that look the same), and 40 accented letters typed that way
    // (80 units) were "too long" although the field takes 40 characters.
    const cafe = "Cafe\u0301";
    expect(validateTier({ name: cafe, threshold: "50" }, "POINTS_EARNED", [{ name: "Caf\u00E9", threshold: m(100) }])).toEqual({ ok: false, errors: { name: "duplicate" } });
    const r = validateTier({ name: "e\u0301".repeat(40), threshold: "50", perkText: "e\u0301".repeat(200) }, "POINTS_EARNED", others);
    expect(r.ok && [r.values.name, r.values.perkText]).toEqual(["\u00E9".repeat(40), "\u00E9".repeat(200)]);
  });
  it.each([
    [{ name: "", threshold: "5" }, "POINTS_EARNED", { name: "required" }],
    [{ name: "x".repeat(41), threshold: "5" }, "POINTS_EARNED", { name: "too_long" }],
    [{ name: "silver", threshold: "5" }, "POINTS_EARNED", { name: "duplicate" }],
    [{ name: "Gold", threshold: "" }, "POINTS_EARNED", { threshold: "required" }],
    [{ name: "Gold", threshold: "abc" }, "POINTS_EARNED", { threshold: "not_a_number" }],
    [{ name: "Gold", threshold: "10.5" }, "POINTS_EARNED", { threshold: "too_many_decimals" }],
    [{ name: "Gold", threshold: "10.555" }, "AMOUNT_SPENT", { threshold: "too_many_decimals" }],
    [{ name: "Gold", threshold: "0" }, "POINTS_EARNED", { threshold: "out_of_range" }],
    [{ name: "Gold", threshold: "100" }, "POINTS_EARNED", { threshold: "not_increasing" }],
    [{ name: "Gold", threshold: "200", pointsMultiplier: "0.5" }, "POINTS_EARNED", { pointsMultiplier: "out_of_range" }],
    [{ name: "Gold", threshold: "200", pointsMultiplier: "10.01" }, "POINTS_EARNED", { pointsMultiplier: "out_of_range" }],
    [{ name: "Gold", threshold: "200", pointsMultiplier: "x" }, "POINTS_EARNED", { pointsMultiplier: "not_a_number" }],
    [{ name: "Gold", threshold: "200", perkText: "p".repeat(201) }, "POINTS_EARNED", { perkText: "too_long" }],
  ] as const)("%j (%s) → %j", (form, basis, errors) => expect(validateTier(form, basis, others)).toEqual({ ok: false, errors }));
});

describe("words", () => {
  it("reasons name tiers and rules, nothing about the customer", () => {
    expect(changeReasonText({ reason: "THRESHOLD_REACHED", direction: "UP", toTierName: "Gold", basis: "AMOUNT_SPENT", period: "LIFETIME" })).toBe(
      "Reached Gold: amount spent in total met its threshold",
    );
    expect(changeReasonText({ reason: "PERIOD_ENDED", direction: "DOWN", toTierName: null, basis: "POINTS_EARNED", period: "CALENDAR_YEAR" })).toMatch(/no tier$/);
  });
  it("progress for people", () => {
    expect(formatProgress(m(120), "AMOUNT_SPENT")).toBe("120.00");
    expect(formatProgress(m(12.345), "AMOUNT_SPENT")).toBe("12.35");
    expect(formatProgress(m(380), "POINTS_EARNED")).toBe("380");
    expect(canonical(m(3))).toBe("3");
    expect(canonical(m(0.5))).toBe("0.5");
  });
});

describe("entry rewards typed on the VIP page", () => {
  it.each([
    [{ rewardKind: "FIXED_AMOUNT", rewardValue: "10", rewardExpiryDays: "30" }, { kind: "FIXED_AMOUNT", value: "10.00", expiryDays: 30 }],
    [{ rewardKind: "PERCENTAGE", rewardValue: "15", rewardExpiryDays: "" }, { kind: "PERCENTAGE", value: "15", expiryDays: null }],
    [{ rewardKind: "FREE_SHIPPING", rewardValue: "ignored" }, { kind: "FREE_SHIPPING", value: "0", expiryDays: null }],
    [{ rewardKind: "FIXED_AMOUNT", rewardValue: "1000000" }, { kind: "FIXED_AMOUNT", value: "1000000.00", expiryDays: null }],
    [{ rewardKind: "PERCENTAGE", rewardValue: "100" }, { kind: "PERCENTAGE", value: "100", expiryDays: null }],
  ] as const)("%j → %j", (form, values) => expect(validateEntryReward(form)).toEqual({ ok: true, values }));
  it.each([
    [{ rewardKind: "GIFT_CARD", rewardValue: "10" }, { rewardKind: "invalid_choice" }],
    [{ rewardKind: "PERCENTAGE", rewardValue: "150" }, { rewardValue: "out_of_range" }],
    [{ rewardKind: "FIXED_AMOUNT", rewardValue: "" }, { rewardValue: "required" }],
    [{ rewardKind: "FIXED_AMOUNT", rewardValue: "0" }, { rewardValue: "out_of_range" }],
    // One rule with Ways to redeem and Referrals: a percentage from 1 to 100, an amount up to 1,000,000.
    [{ rewardKind: "PERCENTAGE", rewardValue: "0.5" }, { rewardValue: "out_of_range" }],
    [{ rewardKind: "FIXED_AMOUNT", rewardValue: "1000000.01" }, { rewardValue: "out_of_range" }],
    [{ rewardKind: "FIXED_AMOUNT", rewardValue: "5", rewardExpiryDays: "0" }, { rewardExpiryDays: "out_of_range" }],
    [{ rewardKind: "FIXED_AMOUNT", rewardValue: "5", rewardExpiryDays: "soon" }, { rewardExpiryDays: "not_a_number" }],
  ] as const)("%j → %j", (form, errors) => expect(validateEntryReward(form)).toEqual({ ok: false, errors }));
});

describe("entryRewardsStillOwed: a tier's entry reward once per period", () => {
  const at = (iso: string) => new Date(iso);
  const earlier = [{ tierId: "silver", at: at("2026-01-15T10:00:00Z") }];
  it.each([
    // Lifetime: once ever.
    ["LIFETIME", "2030-06-01T00:00:00Z", []],
    // Calendar year: once per UTC year; the year after, again.
    ["CALENDAR_YEAR", "2026-12-31T23:59:59Z", []],
    ["CALENDAR_YEAR", "2027-01-01T00:00:00Z", ["silver"]],
    // Rolling 12 months: not within the 12 months after the last one (another month is no new period).
    ["ROLLING_12_MONTHS", "2026-03-10T10:00:00Z", []],
    ["ROLLING_12_MONTHS", "2027-01-15T09:59:59Z", []],
    ["ROLLING_12_MONTHS", "2027-01-15T10:00:00Z", ["silver"]],
  ] as const)("%s at %s → %j", (period, now, owed) => {
    expect(entryRewardsStillOwed(period, ["silver"], earlier, at(now))).toEqual(owed);
  });

  it("only the same tier's earlier reward counts; tiers keep their order", () => {
    expect(entryRewardsStillOwed("ROLLING_12_MONTHS", ["silver", "gold"], earlier, at("2026-02-01T00:00:00Z"))).toEqual(["gold"]);
    expect(entryRewardsStillOwed("LIFETIME", ["silver", "gold"], [], at("2026-02-01T00:00:00Z"))).toEqual(["silver", "gold"]);
  });
});

describe("thresholdNeedsReview: what a threshold was typed as against the program's basis and the shop's currency", () => {
  it.each([
    // [thresholdBasis, amountCurrency, program basis, shop currency, under review, saved in]
    ["AMOUNT_SPENT", "USD", "AMOUNT_SPENT", "USD", false, "USD"],
    ["AMOUNT_SPENT", "USD", "AMOUNT_SPENT", "EUR", true, "USD"],
    ["AMOUNT_SPENT", null, "AMOUNT_SPENT", "EUR", false, ""], // not known: the shop's currency
    ["POINTS_EARNED", null, "AMOUNT_SPENT", "USD", true, "points earned"],
    ["AMOUNT_SPENT", "USD", "POINTS_EARNED", "USD", true, "amount spent"],
    ["POINTS_EARNED", null, "POINTS_EARNED", "EUR", false, ""], // points are in no currency
    [null, "USD", "POINTS_EARNED", "EUR", false, "USD"], // not known: the program's basis
    [null, "USD", "AMOUNT_SPENT", "EUR", true, "USD"],
  ] as const)("typed as %s in %s, program on %s, shop in %s → under review %s (saved in %s)", (thresholdBasis, amountCurrency, basis, currency, review, savedIn) => {
    expect(thresholdNeedsReview({ thresholdBasis, amountCurrency }, basis, currency)).toBe(review);
    if (review) expect(thresholdSavedIn({ thresholdBasis, amountCurrency }, basis)).toBe(savedIn);
  });

  it("a threshold saved now is typed as the program's basis, with a currency only for an amount", () => {
    expect(typedThreshold("AMOUNT_SPENT", "EUR")).toEqual({ thresholdBasis: "AMOUNT_SPENT", amountCurrency: "EUR" });
    expect(typedThreshold("POINTS_EARNED", "EUR")).toEqual({ thresholdBasis: "POINTS_EARNED", amountCurrency: null });
  });
});
