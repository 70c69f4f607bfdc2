import { describe, expect, it } from "vitest";
import {
  ACTORS,
  REWARD_EVENT_TYPES,
  REWARD_KINDS,
  REWARD_SOURCES,
  REWARD_STATUSES,
  UnknownValueError,
  generationMode,
  initialStatus,
  isActor,
  isDiscountKind,
  isFinalStatus,
  isRewardEventType,
  isRewardKind,
  isRewardSource,
  isRewardStatus,
  isVisibleToCustomer,
  parseActor,
  parseRewardEventType,
  parseRewardKind,
  parseRewardSource,
  parseRewardStatus,
  type RewardSource,
  type RewardStatus,
} from "./statuses";


describe("vocabularies match the database column comments", () => {
  it.each([
    ["statuses", REWARD_STATUSES, ["PENDING", "FAILED", "ISSUED", "CANCELED", "USED"]],
    ["kinds", REWARD_KINDS, ["FIXED_AMOUNT", "PERCENTAGE", "FREE_SHIPPING", "FREE_PRODUCT", "GIFT_CARD", "STORE_CREDIT"]],
    ["sources", REWARD_SOURCES, ["POINTS_REDEMPTION", "REFERRAL", "VIP_TIER_ENTRY", "MANUAL"]],
    ["actors", ACTORS, ["CUSTOMER", "MERCHANT", "WORKER", "WEBHOOK", "SYSTEM"]],
    ["event types", REWARD_EVENT_TYPES, ["CREATED", "STATUS_CHANGED", "ATTEMPT_FAILED", "USED_AFTER_FINAL", "TRANSITION_REJECTED", "NOTE"]],
  ] as const)("%s", (_name, actual, expected) => {
    expect([...actual]).toEqual(expected);
  });
});

const INVALID_INPUTS: unknown[] = ["", "issued", " ISSUED", "ISSUED ", "UNKNOWN", null, undefined, 1, {}, ["ISSUED"], true];

describe.each([
  { name: "status", values: REWARD_STATUSES, guard: isRewardStatus, parse: parseRewardStatus, field: "reward status" },
  { name: "kind", values: REWARD_KINDS, guard: isRewardKind, parse: parseRewardKind, field: "reward kind" },
  { name: "source", values: REWARD_SOURCES, guard: isRewardSource, parse: parseRewardSource, field: "reward source" },
  { name: "actor", values: ACTORS, guard: isActor, parse: parseActor, field: "actor" },
  { name: "event type", values: REWARD_EVENT_TYPES, guard: isRewardEventType, parse: parseRewardEventType, field: "reward event type" },
] as const)("guard and parse: $name", ({ values, guard, parse, field }) => {
  it.each([...values])("accepts %s", (value) => {
    expect(guard(value)).toBe(true);
    expect((parse as (v: unknown) => string)(value)).toBe(value);
  });

  it.each(INVALID_INPUTS.map((v) => [v]))("rejects %j", (value) => {
    expect(guard(value)).toBe(false);
    expect(() => (parse as (v: unknown) => string)(value)).toThrow(UnknownValueError);
    expect(() => (parse as (v: unknown) => string)(value)).toThrow(new RegExp(`^Unknown ${field} `));
  });

  it("does not accept a value of another vocabulary", () => {
    const others = [...REWARD_STATUSES, ...REWARD_KINDS, ...REWARD_SOURCES, ...ACTORS, ...REWARD_EVENT_TYPES].filter(
      (v) => !(values as readonly string[]).includes(v),
    );
    expect(others.filter((v) => guard(v))).toEqual([]);
  });
});

it("parse error names the bad value and lists the allowed ones", () => {
  expect(() => parseRewardStatus("ACTIVE")).toThrow('Unknown reward status "ACTIVE"; expected one of PENDING, FAILED, ISSUED, CANCELED, USED.');
  expect(() => parseRewardStatus(42)).toThrow("Unknown reward status (number)");
});

describe("customer visibility and finality", () => {
  it.each<[RewardStatus, boolean, boolean]>([
    ["PENDING", false, false],
    ["FAILED", false, true],
    ["ISSUED", true, false],
    ["CANCELED", false, true],
    ["USED", true, true],
  ])("%s: visible=%s final=%s", (status, visible, final) => {
    expect(isVisibleToCustomer(status)).toBe(visible);
    expect(isFinalStatus(status)).toBe(final);
  });
});

describe("generation mode by source", () => {
  it.each<[RewardSource, "sync" | "async", RewardStatus]>([
    ["POINTS_REDEMPTION", "sync", "ISSUED"],
    ["REFERRAL", "async", "PENDING"],
    ["VIP_TIER_ENTRY", "async", "PENDING"],
    ["MANUAL", "async", "PENDING"],
  ])("%s is %s and first saved %s", (source, mode, status) => {
    expect(generationMode(source)).toBe(mode);
    expect(initialStatus(source)).toBe(status);
  });

  it.each([
    ["FIXED_AMOUNT", true],
    ["PERCENTAGE", true],
    ["FREE_SHIPPING", true],
    ["FREE_PRODUCT", true],
    ["GIFT_CARD", false],
    ["STORE_CREDIT", false],
  ] as const)("isDiscountKind(%s) = %s", (kind, expected) => {
    expect(isDiscountKind(kind)).toBe(expected);
  });
});
