import { describe, expect, it } from "vitest";
import {
  alreadyCustomerReason,
  canMoveReferral,
  generateReferralCode,
  monthlyCapReason,
  monthOf,
  normalizeAddress,
  normalizeEmail,
  parseReferralCode,
  parseVisitorToken,
  referralFromNoteAttributes,
  referralHoldUntil,
  REFERRAL_STATES,
  selfReferralReason,
  validateReferralSettings,
} from "./index";

describe("referral codes", () => {
  it("are 8 symbols of the no-lookalike alphabet, from the given randomness", () => {
    const codes = new Set(Array.from({ length: 200 }, () => generateReferralCode()));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$/);
    expect(generateReferralCode(() => new Uint8Array(64))).toBe("22222222");
  });

  it.each([
    ["ABCD2345", "ABCD2345"],
    ["abcd2345", "ABCD2345"],
    ["ABCD234", null],
    ["ABCD23456", null],
    ["ABCD 345", null],
    ["ABCD-345", null],
    ["ABCDO345", null], // O is not in the alphabet
    ["ABCD1345", null], // nor 1
    [" ABCD2345", null],
    [12345678, null],
    [null, null],
  ])("parseReferralCode(%j) → %j", (raw, expected) => {
    expect(parseReferralCode(raw)).toBe(expected);
  });

  it.each([
    ["visitor-0123456789abcdef", true],
    [crypto.randomUUID(), true],
    ["short", false],
    ["has space in the token here", false],
    ["x".repeat(65), false],
    [42, false],
  ])("parseVisitorToken(%j) accepts: %s", (raw, ok) => {
    expect(parseVisitorToken(raw) !== null).toBe(ok);
  });

  it("reads the cart attributes of an order's note_attributes, strictly", () => {
    expect(referralFromNoteAttributes([{ name: "gift", value: "yes" }, { name: "_loyalty_referral", value: "abcd2345" }, { name: "_loyalty_visitor", value: "visitor-0123456789abcdef" }])).toEqual({
      code: "ABCD2345",
      visitor: "visitor-0123456789abcdef",
    });
    expect(referralFromNoteAttributes([{ name: "_loyalty_referral", value: "ABCD2345" }, { name: "_loyalty_visitor", value: "bad" }])).toEqual({ code: "ABCD2345", visitor: null });
    expect(referralFromNoteAttributes([{ name: "_loyalty_referral", value: "<script>" }])).toBeNull();
    expect(referralFromNoteAttributes("nope")).toBeNull();
    expect(referralFromNoteAttributes([])).toBeNull();
  });
});

describe("referral states", () => {
  it.each([
    ["CLICKED", "SIGNED_UP", true],
    ["CLICKED", "REJECTED", true],
    ["CLICKED", "QUALIFIED", false],
    ["SIGNED_UP", "QUALIFIED", true],
    ["QUALIFIED", "REWARDED", true],
    ["QUALIFIED", "REJECTED", true],
    ["REWARDED", "REJECTED", true],
    ["REWARDED", "QUALIFIED", false],
    ["REJECTED", "SIGNED_UP", false],
  ] as const)("%s → %s allowed: %s", (from, to, allowed) => {
    expect(canMoveReferral(from, to)).toBe(allowed);
  });

  it("nothing leaves REJECTED", () => {
    for (const to of REFERRAL_STATES) expect(canMoveReferral("REJECTED", to)).toBe(false);
  });

  it("holds the referrer's reward for the pending days (0 = at once)", () => {
    const at = new Date("2026-03-01T10:00:00Z");
    expect(referralHoldUntil(at, 14).toISOString()).toBe("2026-03-15T10:00:00.000Z");
    expect(referralHoldUntil(at, 0).getTime()).toBe(at.getTime());
  });
});

describe("fraud rules", () => {
  it.each([
    ["Ada@Example.com ", "ada@example.com"],
    ["ada+promo@example.com", "ada@example.com"],
    ["a.d.a@gmail.com", "ada@gmail.com"],
    ["ada@googlemail.com", "ada@gmail.com"],
    ["a.da@example.com", "a.da@example.com"],
    ["not-an-email", null],
    ["@example.com", null],
    ["+tag@example.com", null],
    // Only ASCII letters change case: the Kelvin sign (U+212A) is not "k", nor "İ" an "i".
    ["\u212Aate@Example.com", "\u212Aate@example.com"],
    ["\u0130da@example.com", "\u0130da@example.com"],
  ])("normalizeEmail(%j) → %j", (raw, expected) => {
    expect(normalizeEmail(raw)).toBe(expected);
  });

  it("normalizes an address to street, city, postal code and country — names and phone left out", () => {
    const a = { first_name: "Ada", address1: "12 Rue de l'Église", address2: "", city: "Montréal", zip: "H2X 1Y4", country_code: "CA", phone: "555" };
    const b = { first_name: "Bob", address1: "12 rue de l eglise", city: "MONTREAL", zip: "h2x1y4", country: "Canada", country_code: "ca", phone: "777" };
    expect(normalizeAddress(a)).toBe("12 rue de l eglise|montreal|h2x1y4|ca");
    expect(normalizeAddress(a)).toBe(normalizeAddress(b));
    expect(normalizeAddress({ ...b, address1: "14 rue de l'Église" })).not.toBe(normalizeAddress(a));
    expect(normalizeAddress({ address1: "12 Main St" })).toBeNull();
    expect(normalizeAddress(null)).toBeNull();
  });

  const referrer = { customerId: "c1", email: "ada@example.com", addressKey: "k1" };
  it.each([
    ["the same customer", { customerId: "c1", email: null, addressKey: null }, "self_referral_same_customer"],
    ["the same email", { customerId: "c2", email: "ADA+x@example.com", addressKey: null }, "self_referral_same_email"],
    ["the same address", { customerId: "c2", email: "bob@example.com", addressKey: "k1" }, "self_referral_same_address"],
    ["someone else", { customerId: "c2", email: "bob@example.com", addressKey: "k2" }, null],
    ["someone unknown", { customerId: "c2", email: null, addressKey: null }, null],
  ])("self-referral: %s → %s", (_name, friend, reason) => {
    expect(selfReferralReason(referrer, friend)).toBe(reason);
  });

  it("already a customer: created or ordered before the click (Shopify's whole seconds)", () => {
    const clickedAt = new Date("2026-03-01T10:00:00.700Z");
    expect(alreadyCustomerReason({ clickedAt, friendCreatedAt: new Date("2026-02-01T00:00:00Z"), firstOrderAt: null })).toBe("friend_already_customer");
    expect(alreadyCustomerReason({ clickedAt, friendCreatedAt: new Date("2026-03-01T10:00:00Z"), firstOrderAt: null })).toBeNull();
    expect(alreadyCustomerReason({ clickedAt, friendCreatedAt: new Date("2026-03-02T00:00:00Z"), firstOrderAt: new Date("2026-02-01T00:00:00Z") })).toBe("friend_already_customer");
    expect(alreadyCustomerReason({ clickedAt, friendCreatedAt: null, firstOrderAt: null })).toBeNull();
  });

  it("monthly cap: at the cap the next one is over; no cap never is", () => {
    expect(monthlyCapReason(2, 3)).toBeNull();
    expect(monthlyCapReason(3, 3)).toBe("referrer_monthly_cap");
    expect(monthlyCapReason(1000, null)).toBeNull();
    expect(monthOf(new Date("2026-12-31T23:59:59Z"))).toEqual({ start: new Date("2026-12-01T00:00:00Z"), end: new Date("2027-01-01T00:00:00Z") });
  });
});

describe("settings validation", () => {
  it("accepts a complete form", () => {
    expect(
      validateReferralSettings({
        enabled: "on",
        friendRewardKind: "PERCENTAGE",
        friendRewardValue: "15",
        referrerRewardKind: "FIXED_AMOUNT",
        referrerRewardValue: "10.50",
        minimumOrderAmount: "25.50",
        monthlyCapPerReferrer: "5",
        pendingDays: "14",
      }),
    ).toEqual({
      ok: true,
      values: {
        enabled: true,
        friendReward: { kind: "PERCENTAGE", value: "15" },
        referrerReward: { kind: "FIXED_AMOUNT", value: "10.50" },
        minimumOrderAmount: "25.50",
        monthlyCapPerReferrer: 5,
        pendingDays: 14,
      },
    });
    expect(validateReferralSettings({ enabled: "on", referrerRewardKind: "FREE_SHIPPING", referrerRewardValue: "junk", pendingDays: "0" })).toMatchObject({
      ok: true,
      values: { referrerReward: { kind: "FREE_SHIPPING", value: "0" }, friendReward: null },
    });
  });

  it("gives every field's error at once", () => {
    const r = validateReferralSettings({ enabled: "on", friendRewardKind: "GIFT_CARD", referrerRewardKind: "PERCENTAGE", referrerRewardValue: "150", minimumOrderAmount: "1.234", monthlyCapPerReferrer: "0", pendingDays: "-1" });
    expect(r).toEqual({
      ok: false,
      errors: { friendRewardKind: "invalid_choice", referrerRewardValue: "out_of_range", minimumOrderAmount: "too_many_decimals", monthlyCapPerReferrer: "out_of_range", pendingDays: "not_a_number" },
    });
    expect(validateReferralSettings({ enabled: "on", pendingDays: "3" })).toEqual({ ok: false, errors: { referrerRewardKind: "required" } });
    expect(validateReferralSettings({ friendRewardKind: "FIXED_AMOUNT", friendRewardValue: "0", pendingDays: "3" })).toEqual({ ok: false, errors: { friendRewardValue: "out_of_range" } });
    expect(validateReferralSettings({ friendRewardKind: "FIXED_AMOUNT", pendingDays: "3" })).toEqual({ ok: false, errors: { friendRewardValue: "required" } });
  });

  it.each([
    ["PERCENTAGE", "0.5", "out_of_range"],
    ["PERCENTAGE", "1", null],
    ["PERCENTAGE", "100", null],
    ["FIXED_AMOUNT", "1000000", null],
    ["FIXED_AMOUNT", "1000000.01", "out_of_range"],
    ["FIXED_AMOUNT", "4.999", "too_many_decimals"],
  ] as const)("a reward's value follows Ways to redeem's one rule: %s %s → %s", (kind, value, error) => {
    const r = validateReferralSettings({ friendRewardKind: kind, friendRewardValue: value, pendingDays: "3" });
    expect(r).toEqual(error ? { ok: false, errors: { friendRewardValue: error } } : { ok: true, values: expect.objectContaining({ friendReward: { kind, value } }) });
  });

  it.each([
    ["just over the limit", "1000000.01"],
    ["33 digits, more than a decimal the app reads (parseMilli: 32 characters)", `1${"0".repeat(32)}`],
    ["100 digits", "9".repeat(100)],
  ])("refuses a minimum order amount %s as out of range (it was saved, and then read as no minimum: every order qualified)", (_label, amount) => {
    expect(validateReferralSettings({ minimumOrderAmount: amount, pendingDays: "3" })).toEqual({ ok: false, errors: { minimumOrderAmount: "out_of_range" } });
  });

  it("an empty cap is no cap; a program that is off needs no reward yet", () => {
    const r = validateReferralSettings({ enabled: "", minimumOrderAmount: "", monthlyCapPerReferrer: "", pendingDays: "0" });
    expect(r).toMatchObject({ ok: true, values: { enabled: false, referrerReward: null, monthlyCapPerReferrer: null, minimumOrderAmount: "0", pendingDays: 0 } });
    expect(validateReferralSettings({ minimumOrderAmount: "abc", pendingDays: "" })).toMatchObject({ ok: false, errors: { minimumOrderAmount: "not_a_number", pendingDays: "required" } });
  });
});
