import { describe, expect, it } from "vitest";
import { addMonths, birthdayReached, expiryCandidatesCutoff, latestBirthday, parseBirthday, pointsExpireAt, splitTakeBack } from "./ledger";
import { DEFAULT_PROGRAM_SETTINGS, settingsFromRow, validateProgramSettings } from "./settings";

const valid = { enabled: "on", pointsNameSingular: "star", pointsNamePlural: "stars", pointsPerCurrencyUnit: "1.5", rounding: "NEAREST", pendingDays: "14", expiryMonths: "", signupBonus: "50", birthdayBonus: "100" };

describe("program settings", () => {
  it("accepts a valid form", () => {
    const r = validateProgramSettings(valid);
    expect(r).toEqual({ ok: true, values: { ...DEFAULT_PROGRAM_SETTINGS, enabled: true, pointsNameSingular: "star", pointsNamePlural: "stars", pointsPerCurrencyUnit: "1.5", rounding: "NEAREST", pendingDays: 14, expiryMonths: null, signupBonus: 50, birthdayBonus: 100 } });
  });

  it("reports every field's problem at once", () => {
    const r = validateProgramSettings({ ...valid, pointsNamePlural: "", pointsPerCurrencyUnit: "1.234", pendingDays: "-1", expiryMonths: "0", signupBonus: "ten", rounding: "SIDEWAYS" });
    expect(r).toEqual({ ok: false, errors: { pointsNamePlural: "required", pointsPerCurrencyUnit: "too_many_decimals", pendingDays: "out_of_range", expiryMonths: "out_of_range", signupBonus: "not_a_number", rounding: "invalid_choice" } });
    expect(validateProgramSettings({ ...valid, pointsPerCurrencyUnit: "0" })).toMatchObject({ ok: false, errors: { pointsPerCurrencyUnit: "out_of_range" } });
  });

  it("a shop that never saved settings has the program off", () => {
    expect(settingsFromRow(null).enabled).toBe(false);
  });
});

describe("ledger rules", () => {
  it("splits a take-back between pending, available and shortfall", () => {
    expect(splitTakeBack(100, 40, 30)).toEqual({ pending: 40, available: 30, shortfall: 30 });
    expect(splitTakeBack(10, 0, 30)).toEqual({ pending: 0, available: 10, shortfall: 0 });
  });

  it("validates birthdays and knows when this year's is reached", () => {
    expect(parseBirthday("1992-02-29")).toBe("02-29");
    expect(parseBirthday("02-29")).toBe("02-29");
    // A full date must exist: 1990 was not a leap year.
    expect(parseBirthday("1990-02-29")).toBeNull();
    expect(parseBirthday("2023-02-30")).toBeNull();
    expect(parseBirthday("0000-05-01")).toBeNull();
    // A birth year still to come is no one's; this year's is (a newborn's).
    const now = new Date("2026-12-01T00:00:00Z");
    expect(parseBirthday("2027-05-01", now)).toBeNull();
    expect(parseBirthday("2099-05-01", now)).toBeNull();
    expect(parseBirthday("2026-05-01", now)).toBe("05-01");
    // Nor a date later this year: only up to the customer's today (UTC's tomorrow, east of UTC).
    expect(parseBirthday("2026-12-25", now)).toBeNull();
    expect(parseBirthday("2026-12-03", now)).toBeNull();
    expect(parseBirthday("2026-12-02", now)).toBe("12-02");
    expect(parseBirthday("2026-12-01", now)).toBe("12-01");
    expect(parseBirthday("12-25", now)).toBe("12-25");
    expect(parseBirthday("02-30")).toBeNull();
    expect(parseBirthday("13-01")).toBeNull();
    expect(parseBirthday(42)).toBeNull();
    expect(birthdayReached("02-29", new Date("2027-02-28T00:00:00Z"))).toBe(true);
    expect(birthdayReached("12-24", new Date("2027-12-23T23:59:59Z"))).toBe(false);
  });

  it("the latest birthday is last year's until this year's is reached (keyed by its own year)", () => {
    const at = (b: string, now: string) => {
      const r = latestBirthday(b, new Date(now));
      return [r.year, r.at.toISOString().slice(0, 10)];
    };
    expect(at("12-30", "2029-01-02T08:00:00Z")).toEqual([2028, "2028-12-30"]);
    expect(at("01-01", "2029-01-01T00:00:00Z")).toEqual([2029, "2029-01-01"]);
    expect(at("01-01", "2028-12-31T23:59:59Z")).toEqual([2028, "2028-01-01"]);
    expect(at("02-29", "2029-02-28T00:00:00Z")).toEqual([2029, "2029-02-28"]);
    expect(at("02-29", "2028-02-28T12:00:00Z")).toEqual([2027, "2027-02-28"]);
    expect(at("02-29", "2028-02-29T00:00:00Z")).toEqual([2028, "2028-02-29"]);
  });

  it("expiry is N calendar months after the last activity", () => {
    expect(pointsExpireAt(new Date("2026-01-31T12:00:00Z"), 1)?.toISOString()).toBe("2026-02-28T12:00:00.000Z");
    expect(pointsExpireAt(new Date("2026-01-31T12:00:00Z"), null)).toBeNull();
  });

  it("expiryCandidatesCutoff: every last activity whose points have expired is at or before it, and its own expiry has come", () => {
    expect(expiryCandidatesCutoff(new Date("2027-02-28T10:00:00Z"), 1).toISOString()).toBe("2027-01-31T10:00:00.000Z");
    expect(expiryCandidatesCutoff(new Date("2027-03-30T10:00:00Z"), 1).toISOString()).toBe("2027-02-28T23:59:59.999Z");
    expect(expiryCandidatesCutoff(new Date("2028-02-29T10:00:00Z"), 6).toISOString()).toBe("2027-08-31T10:00:00.000Z");
    expect(expiryCandidatesCutoff(new Date("2027-05-15T10:00:00Z"), 12).toISOString()).toBe("2026-05-15T10:00:00.000Z");
    const day = 86_400_000;
    const times = [0, 1, 9 * 3_600_000 + 59 * 60_000, 10 * 3_600_000, 10 * 3_600_000 + 1, day - 1];
    for (const months of [1, 2, 6, 12, 13]) {
      // Every day of two years (one a leap year), at a few times of day.
      for (let t = Date.UTC(2027, 0, 1); t < Date.UTC(2029, 0, 1); t += day) {
        for (const nowTime of [0, 10 * 3_600_000, day - 1]) {
          const now = new Date(t + nowTime);
          const cutoff = expiryCandidatesCutoff(now, months);
          expect(pointsExpireAt(cutoff, months)!.getTime()).toBeLessThanOrEqual(now.getTime());
          // Last activities around now − N months, before the clamp and after it.
          const around = addMonths(now, -months);
          const from = Date.UTC(around.getUTCFullYear(), around.getUTCMonth(), around.getUTCDate()) - 4 * day;
          for (let d = from; d <= from + 9 * day; d += day) {
            for (const lt of times) {
              const last = new Date(d + lt);
              if (pointsExpireAt(last, months)!.getTime() <= now.getTime() && last.getTime() > cutoff.getTime()) {
                expect.fail(`${last.toISOString()} + ${months} months has expired at ${now.toISOString()} but is after the cutoff ${cutoff.toISOString()}`);
              }
            }
          }
        }
      }
    }
  });
});
