import { describe, expect, it } from "vitest";
import { REWARD_KINDS, REWARD_STATUSES, type RewardKind, type RewardStatus } from "./statuses";
import {
  ALLOWED_TRANSITIONS,
  GIFT_CARD_NEVER_USED,
  STORE_CREDIT_NEVER_USED,
  TRANSITION_TRIGGERS,
  decideTransition,
  isTransitionTrigger,
  usageOutcome,
  type TransitionTrigger,
} from "./transitions";

// The specification, written out by hand (from→to:trigger). Everything not listed is rejected.
const APPLY_FOR_DISCOUNTS = new Set([
  "PENDING→ISSUED:GENERATION_SUCCEEDED",
  "PENDING→FAILED:GENERATION_FAILED",
  "PENDING→CANCELED:MERCHANT_CANCELED",
  "PENDING→USED:ORDER_COMPLETED",
  "ISSUED→USED:ORDER_COMPLETED",
  "ISSUED→CANCELED:MERCHANT_CANCELED",
  // docs/decisions/014: an order created before the cancel used the code.
  "CANCELED→USED:ORDER_BEFORE_CANCEL",
]);
const APPLY_FOR_GIFT_CARDS = new Set([
  "PENDING→ISSUED:GENERATION_SUCCEEDED",
  "PENDING→FAILED:GENERATION_FAILED",
  "PENDING→CANCELED:MERCHANT_CANCELED",
  "ISSUED→CANCELED:MERCHANT_CANCELED",
]);
// Repeating a transition that already happened.
const NOOP_FOR_DISCOUNTS = new Set([
  "ISSUED→ISSUED:GENERATION_SUCCEEDED",
  "FAILED→FAILED:GENERATION_FAILED",
  "CANCELED→CANCELED:MERCHANT_CANCELED",
  "USED→USED:ORDER_COMPLETED",
  "USED→USED:ORDER_BEFORE_CANCEL",
]);
const NOOP_FOR_GIFT_CARDS = new Set([
  "ISSUED→ISSUED:GENERATION_SUCCEEDED",
  "FAILED→FAILED:GENERATION_FAILED",
  "CANCELED→CANCELED:MERCHANT_CANCELED",
]);

const matrix: { from: RewardStatus; to: RewardStatus; trigger: TransitionTrigger; kind: RewardKind; expected: string }[] = [];
for (const kind of REWARD_KINDS)
  for (const from of REWARD_STATUSES)
    for (const to of REWARD_STATUSES)
      for (const trigger of TRANSITION_TRIGGERS) {
        const key = `${from}→${to}:${trigger}`;
        // Gift cards and store credit are payment methods: no Used state (app/domain/rewards/kinds.ts).
        const gift = kind === "GIFT_CARD" || kind === "STORE_CREDIT";
        const expected = (gift ? APPLY_FOR_GIFT_CARDS : APPLY_FOR_DISCOUNTS).has(key)
          ? "apply"
          : (gift ? NOOP_FOR_GIFT_CARDS : NOOP_FOR_DISCOUNTS).has(key)
            ? "noop"
            : "reject";
        matrix.push({ from, to, trigger, kind, expected });
      }

describe("decideTransition: every status pair × trigger × kind", () => {
  it("covers 5 × 5 × 6 × 5 combinations", () => {
    expect(matrix).toHaveLength(750);
    // seven transitions for each of the 4 discount kinds, four (no Used) for gift cards and store credit
    expect(matrix.filter((m) => m.expected === "apply")).toHaveLength(7 * 4 + 4 * 2);
  });

  it.each(matrix)("$kind $from → $to by $trigger: $expected", ({ from, to, trigger, kind, expected }) => {
    const decision = decideTransition({ from, to, kind, trigger });
    expect(decision.type).toBe(expected);
    if (decision.type !== "apply") expect(decision.reason.length).toBeGreaterThan(10);
  });
});

describe("decideTransition: reasons", () => {
  it.each([
    // gift cards
    [{ from: "ISSUED", to: "USED", kind: "GIFT_CARD", trigger: "ORDER_COMPLETED" }, GIFT_CARD_NEVER_USED],
    [{ from: "PENDING", to: "USED", kind: "GIFT_CARD", trigger: "ORDER_COMPLETED" }, GIFT_CARD_NEVER_USED],
    [{ from: "USED", to: "USED", kind: "GIFT_CARD", trigger: "ORDER_COMPLETED" }, GIFT_CARD_NEVER_USED],
    // store credit
    [{ from: "ISSUED", to: "USED", kind: "STORE_CREDIT", trigger: "ORDER_COMPLETED" }, STORE_CREDIT_NEVER_USED],
    [{ from: "PENDING", to: "USED", kind: "STORE_CREDIT", trigger: "ORDER_COMPLETED" }, STORE_CREDIT_NEVER_USED],
    // Used only through a completed order, never by e.g. applying the code at checkout
    [
      { from: "ISSUED", to: "USED", kind: "PERCENTAGE", trigger: "GENERATION_SUCCEEDED" },
      "GENERATION_SUCCEEDED can only move a reward to Issued, not to Used (only an orders/create webhook for a completed order carrying the code marks a reward Used; applying it at checkout does not)",
    ],
    [
      { from: "PENDING", to: "USED", kind: "FIXED_AMOUNT", trigger: "MERCHANT_CANCELED" },
      "MERCHANT_CANCELED can only move a reward to Canceled, not to Used (only an orders/create webhook for a completed order carrying the code marks a reward Used; applying it at checkout does not)",
    ],
    // trigger does not lead to the requested status
    [
      { from: "ISSUED", to: "CANCELED", kind: "FREE_SHIPPING", trigger: "ORDER_COMPLETED" },
      "ORDER_COMPLETED can only move a reward to Used, not to Canceled",
    ],
    // nothing goes back to Pending
    [
      { from: "FAILED", to: "PENDING", kind: "FIXED_AMOUNT", trigger: "GENERATION_FAILED" },
      "rewards are only created Pending; nothing moves a reward back to Pending",
    ],
    // final states
    [
      { from: "FAILED", to: "ISSUED", kind: "FIXED_AMOUNT", trigger: "GENERATION_SUCCEEDED" },
      "cannot move from Failed to Issued: a Failed reward is final: it was never available to the customer; issue a new reward instead",
    ],
    [
      { from: "CANCELED", to: "USED", kind: "PERCENTAGE", trigger: "ORDER_COMPLETED" },
      "cannot move from Canceled to Used: a Canceled reward is final: the merchant canceled it; issue a new reward instead",
    ],
    [
      { from: "CANCELED", to: "ISSUED", kind: "GIFT_CARD", trigger: "GENERATION_SUCCEEDED" },
      "cannot move from Canceled to Issued: a Canceled reward is final: the merchant canceled it; issue a new reward instead",
    ],
    [
      { from: "USED", to: "CANCELED", kind: "FIXED_AMOUNT", trigger: "MERCHANT_CANCELED" },
      "cannot move from Used to Canceled: a Used reward is final: it was already used on a completed order",
    ],
    [
      { from: "ISSUED", to: "FAILED", kind: "FIXED_AMOUNT", trigger: "GENERATION_FAILED" },
      "cannot move from Issued to Failed: the reward's code already exists in Shopify",
    ],
  ] as const)("%j is rejected: %s", (request, reason) => {
    expect(decideTransition(request)).toEqual({ type: "reject", reason });
  });

  it.each([
    [{ from: "USED", to: "USED", kind: "PERCENTAGE", trigger: "ORDER_COMPLETED" }, "the reward is already Used"],
    [{ from: "CANCELED", to: "CANCELED", kind: "GIFT_CARD", trigger: "MERCHANT_CANCELED" }, "the reward is already Canceled"],
    [{ from: "ISSUED", to: "ISSUED", kind: "FREE_SHIPPING", trigger: "GENERATION_SUCCEEDED" }, "the reward is already Issued"],
    [{ from: "FAILED", to: "FAILED", kind: "FIXED_AMOUNT", trigger: "GENERATION_FAILED" }, "the reward is already Failed"],
  ] as const)("%j is a noop: %s", (request, reason) => {
    expect(decideTransition(request)).toEqual({ type: "noop", reason });
  });

  it("ALLOWED_TRANSITIONS lists exactly the seven transitions of the specification", () => {
    expect(new Set(ALLOWED_TRANSITIONS.map((t) => `${t.from}→${t.to}:${t.trigger}`))).toEqual(APPLY_FOR_DISCOUNTS);
  });

  it.each([
    ["ORDER_COMPLETED", true],
    ["MERCHANT_CANCELED", true],
    ["CHECKOUT_APPLIED", false],
    ["order_completed", false],
    [undefined, false],
  ])("isTransitionTrigger(%j) = %s", (value, expected) => {
    expect(isTransitionTrigger(value)).toBe(expected);
  });
});

describe("usageOutcome: a completed order carries the reward's code", () => {
  const discountKinds = ["FIXED_AMOUNT", "PERCENTAGE", "FREE_SHIPPING", "FREE_PRODUCT"] as const;
  const cases = [
    ...discountKinds.flatMap((kind) => [
      { status: "ISSUED", kind, expected: { type: "mark_used" } },
      { status: "PENDING", kind, expected: { type: "mark_used" } },
      { status: "USED", kind, expected: { type: "noop", reason: "the reward is already Used" } },
      {
        status: "CANCELED",
        kind,
        expected: {
          type: "record_event",
          eventType: "USED_AFTER_FINAL",
          reason: "a completed order carried the code of a Canceled reward; its status stays Canceled",
        },
      },
      {
        status: "FAILED",
        kind,
        expected: {
          type: "record_event",
          eventType: "USED_AFTER_FINAL",
          reason: "a completed order carried the code of a Failed reward; its status stays Failed",
        },
      },
    ]),
    ...REWARD_STATUSES.map((status) => ({
      status,
      kind: "GIFT_CARD",
      expected: { type: "ignore", reason: "gift cards are never marked Used" },
    })),
    ...REWARD_STATUSES.map((status) => ({
      status,
      kind: "STORE_CREDIT",
      expected: { type: "ignore", reason: "store credit is never marked Used" },
    })),
  ] as { status: RewardStatus; kind: RewardKind; expected: unknown }[];

  it("covers every status × kind", () => {
    expect(cases).toHaveLength(REWARD_STATUSES.length * REWARD_KINDS.length);
  });

  it.each(cases)("$kind $status → $expected.type", ({ status, kind, expected }) => {
    expect(usageOutcome(status, kind)).toEqual(expected);
  });

  it.each(cases)("$kind $status agrees with decideTransition(ORDER_COMPLETED)", ({ status, kind }) => {
    const outcome = usageOutcome(status, kind).type;
    const decision = decideTransition({ from: status, to: "USED", kind, trigger: "ORDER_COMPLETED" }).type;
    expect(outcome === "mark_used").toBe(decision === "apply");
    expect(outcome === "noop").toBe(decision === "noop");
  });

  describe("a Canceled reward and an order created before the cancel (docs/decisions/014)", () => {
    const canceledAt = new Date("2026-11-20T12:00:00Z");
    it.each(discountKinds)("%s: the order came first → used_before_cancel, which decideTransition(ORDER_BEFORE_CANCEL) applies", (kind) => {
      expect(usageOutcome("CANCELED", kind, { orderCreatedAt: new Date("2026-11-20T11:59:59Z"), canceledAt })).toEqual({ type: "used_before_cancel" });
      expect(decideTransition({ from: "CANCELED", to: "USED", kind, trigger: "ORDER_BEFORE_CANCEL" })).toEqual({ type: "apply" });
    });
    it.each([
      ["created after the cancel", new Date("2026-11-20T12:00:01Z"), canceledAt],
      ["created at the same instant", canceledAt, canceledAt],
      ["without a creation time", null, canceledAt],
      ["canceled at an unknown time", new Date("2026-11-01T00:00:00Z"), null],
    ])("an order %s: the cancel stands (record_event)", (_label, orderCreatedAt, at) => {
      expect(usageOutcome("CANCELED", "FIXED_AMOUNT", { orderCreatedAt, canceledAt: at }).type).toBe("record_event");
    });
    it("a Failed reward stays Failed whatever the order's time; gift cards are ignored", () => {
      const timing = { orderCreatedAt: new Date("2026-11-01T00:00:00Z"), canceledAt };
      expect(usageOutcome("FAILED", "PERCENTAGE", timing).type).toBe("record_event");
      expect(usageOutcome("CANCELED", "GIFT_CARD", timing).type).toBe("ignore");
      expect(decideTransition({ from: "CANCELED", to: "USED", kind: "GIFT_CARD", trigger: "ORDER_BEFORE_CANCEL" }).type).toBe("reject");
      expect(decideTransition({ from: "FAILED", to: "USED", kind: "PERCENTAGE", trigger: "ORDER_BEFORE_CANCEL" }).type).toBe("reject");
    });
  });
});
