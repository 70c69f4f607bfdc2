// Vocabulary of the rewards domain: statuses, kinds, sources, actors and event types, as they are
// stored in string columns of the database (see prisma/schema.prisma: Reward, RewardEvent).
//
// The product rules this module encodes (the user's specification):
//   Rewards are discount codes (fixed amount, percentage, free shipping) or gift cards.
//   Pending  — being generated, hidden from the customer.
//   Failed   — never available, hidden.
//   Issued   — code available, visible.
//   Canceled — manually canceled by the merchant, hidden.
//   Used     — used on a completed order, visible.
//   Applying a code at checkout does NOT make it Used; only an orders/create webhook for a
//   completed order that carries the code does. Gift cards are never marked Used.
//   Synchronous generation (points redemption): success → Issued; failure → nothing saved.
//   Asynchronous (referral, VIP tier entry, merchant manual issue): saved Pending, the worker
//   generates → Issued or Failed with the reason.
//
// Pure module: no I/O, safe to import from server and browser code alike.

export const REWARD_STATUSES = ["PENDING", "FAILED", "ISSUED", "CANCELED", "USED"] as const;
export type RewardStatus = (typeof REWARD_STATUSES)[number];

export const REWARD_KINDS = ["FIXED_AMOUNT", "PERCENTAGE", "FREE_SHIPPING", "GIFT_CARD"] as const;
export type RewardKind = (typeof REWARD_KINDS)[number];

export const REWARD_SOURCES = ["POINTS_REDEMPTION", "REFERRAL", "VIP_TIER_ENTRY", "MANUAL"] as const;
export type RewardSource = (typeof REWARD_SOURCES)[number];

export const ACTORS = ["CUSTOMER", "MERCHANT", "WORKER", "WEBHOOK", "SYSTEM"] as const;
export type Actor = (typeof ACTORS)[number];

export const REWARD_EVENT_TYPES = [
  "CREATED",
  "STATUS_CHANGED",
  "ATTEMPT_FAILED",
  "USED_AFTER_FINAL",
  "TRANSITION_REJECTED",
  "NOTE",
] as const;
export type RewardEventType = (typeof REWARD_EVENT_TYPES)[number];

/** Thrown by the `parse*` functions when a stored value is not part of the vocabulary. */
export class UnknownValueError extends Error {
  readonly field: string;
  readonly value: unknown;
  constructor(field: string, value: unknown, allowed: readonly string[]) {
    super(`Unknown ${field} ${describe(value)}; expected one of ${allowed.join(", ")}.`);
    this.name = "UnknownValueError";
    this.field = field;
    this.value = value;
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return "null";
  return `(${typeof value})`;
}

function makeGuard<T extends string>(values: readonly T[]): (value: unknown) => value is T {
  const set: ReadonlySet<string> = new Set(values);
  return (value: unknown): value is T => typeof value === "string" && set.has(value);
}

function makeParser<T extends string>(field: string, values: readonly T[], guard: (v: unknown) => v is T) {
  return (value: unknown): T => {
    if (guard(value)) return value;
    throw new UnknownValueError(field, value, values);
  };
}

// Guards are exact (case-sensitive): the database stores the canonical upper-case spelling, and a
// value in another spelling means a bug somewhere else that should surface, not be papered over.
export const isRewardStatus = makeGuard(REWARD_STATUSES);
export const isRewardKind = makeGuard(REWARD_KINDS);
export const isRewardSource = makeGuard(REWARD_SOURCES);
export const isActor = makeGuard(ACTORS);
export const isRewardEventType = makeGuard(REWARD_EVENT_TYPES);

/** Parses a value read from the database; throws `UnknownValueError` for anything else. */
export const parseRewardStatus = makeParser("reward status", REWARD_STATUSES, isRewardStatus);
export const parseRewardKind = makeParser("reward kind", REWARD_KINDS, isRewardKind);
export const parseRewardSource = makeParser("reward source", REWARD_SOURCES, isRewardSource);
export const parseActor = makeParser("actor", ACTORS, isActor);
export const parseRewardEventType = makeParser("reward event type", REWARD_EVENT_TYPES, isRewardEventType);

/** Only Issued and Used rewards are shown to the customer (Used ones as history). */
export function isVisibleToCustomer(status: RewardStatus): boolean {
  return status === "ISSUED" || status === "USED";
}

/** Failed, Canceled and Used are final: no transition leaves them. */
export function isFinalStatus(status: RewardStatus): boolean {
  return status === "FAILED" || status === "CANCELED" || status === "USED";
}

export const REWARD_STATUS_LABELS: Readonly<Record<RewardStatus, string>> = {
  PENDING: "Pending",
  FAILED: "Failed",
  ISSUED: "Issued",
  CANCELED: "Canceled",
  USED: "Used",
};

/** One line per status, for admin help text. Mirrors the specification. */
export const REWARD_STATUS_MEANINGS: Readonly<Record<RewardStatus, string>> = {
  PENDING: "Being generated in Shopify. Hidden from the customer until it's ready.",
  FAILED: "Could not be generated, so it was never available. Hidden from the customer.",
  ISSUED:
    "The code is available and visible to the customer. Applying it at checkout doesn't change this; only a completed order marks it Used (gift cards always stay Issued).",
  CANCELED: "Manually canceled by the merchant. Hidden from the customer.",
  USED: "Used on a completed order. Still visible to the customer as history.",
};

/**
 * Polaris 13 `Badge` tone per status (a subset of Polaris' `Tone` union, so the value can be
 * passed straight to `<Badge tone={…}>`; this module does not import Polaris to stay pure).
 * Each status gets a different look, and the label text always carries the meaning too:
 * - PENDING  "attention": yellow, "not finished yet" — the tone Shopify uses for in-progress states
 *            such as "Payment pending"/"Unfulfilled". No action is normally needed, but a reward
 *            stuck in Pending is worth a look, which is what attention signals.
 * - FAILED   "critical": red, the reward never reached the customer; the merchant should act.
 * - ISSUED   "success": green, the customer has a working code.
 * - CANCELED undefined (Polaris' default neutral grey): an inactive, merchant-chosen end state,
 *            like "Archived"/"Draft" elsewhere in the admin. Not "new" — that tone means
 *            "recently added", which would mislead.
 * - USED     "info": blue, a normal completed outcome that is informational, kept distinct from
 *            the green of a still-usable Issued code.
 */
export type RewardStatusBadgeTone = "attention" | "critical" | "success" | "info";

export const REWARD_STATUS_BADGE_TONES: Readonly<Record<RewardStatus, RewardStatusBadgeTone | undefined>> = {
  PENDING: "attention",
  FAILED: "critical",
  ISSUED: "success",
  CANCELED: undefined,
  USED: "info",
};

export function statusBadgeTone(status: RewardStatus): RewardStatusBadgeTone | undefined {
  return REWARD_STATUS_BADGE_TONES[status];
}

export const REWARD_KIND_LABELS: Readonly<Record<RewardKind, string>> = {
  FIXED_AMOUNT: "Amount off",
  PERCENTAGE: "Percentage off",
  FREE_SHIPPING: "Free shipping",
  GIFT_CARD: "Gift card",
};

export const REWARD_SOURCE_LABELS: Readonly<Record<RewardSource, string>> = {
  POINTS_REDEMPTION: "Points redemption",
  REFERRAL: "Referral",
  VIP_TIER_ENTRY: "VIP tier entry",
  MANUAL: "Issued by merchant",
};

export type GenerationMode = "sync" | "async";

/**
 * Points redemptions are generated while the customer waits (success → saved Issued, failure →
 * nothing saved); every other source is saved Pending and generated by the worker.
 */
export function generationMode(source: RewardSource): GenerationMode {
  return source === "POINTS_REDEMPTION" ? "sync" : "async";
}

/** The status a reward is first saved with: Issued for sync sources (only after Shopify succeeded), Pending otherwise. */
export function initialStatus(source: RewardSource): RewardStatus {
  return generationMode(source) === "sync" ? "ISSUED" : "PENDING";
}

/** Discount codes are matched against orders; gift cards are a payment method and never become Used. */
export function isDiscountKind(kind: RewardKind): boolean {
  return kind !== "GIFT_CARD";
}
