// Database helpers shared by the reward use-cases: transactions, unique-violation detection, the
// per-reward settings snapshot taken from a template, and the shape rewards are returned in.
import type { Prisma, Reward, RewardTemplate } from "@prisma/client";
import type { Db } from "~/db.server";
import {
  generateCode,
  generateGiftCardCode,
  isRewardKind,
  parseRewardKind,
  parseRewardSource,
  parseRewardStatus,
  type RandomBytes,
  type RewardKind,
  type RewardSource,
  type RewardStatus,
} from "~/domain/rewards";

/** The database client or an interactive transaction on it. */
export type DbClient = Db | Prisma.TransactionClient;

/**
 * Interactive transaction with generous waits: on SQLite every transaction of the process queues
 * on one connection, so a burst of redemptions would otherwise hit Prisma's 2 s default maxWait.
 */
export function inTransaction<T>(db: Db, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return db.$transaction(fn, { maxWait: 20_000, timeout: 20_000 });
}

export { isUniqueViolation } from "~/db.server";

/** The tag (discounts) / note (gift cards) that marks a Shopify object as this reward's. */
export function ownershipTag(rewardId: string): string {
  return `loyalty-reward:${rewardId}`;
}

/**
 * What the reward is generated with, copied from its template when the reward is created, so a
 * later template edit does not change a reward that is already promised (Reward.settings).
 */
export interface RewardSettings {
  templateName: string;
  kind: RewardKind;
  /** Amount in shop currency, or a percentage 0–100 for PERCENTAGE. */
  value: string;
  minimumSubtotal: string | null;
  expiryDays: number | null;
  combinesWith: { orderDiscounts: boolean; productDiscounts: boolean; shippingDiscounts: boolean };
  codePrefix: string;
}

export class InvalidTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidTemplateError";
  }
}

const DECIMAL = /^\d+(\.\d+)?$/;

/** Snapshot of a template's generation settings; throws InvalidTemplateError for values Shopify would refuse. */
export function settingsFromTemplate(template: RewardTemplate): RewardSettings {
  if (!isRewardKind(template.kind)) throw new InvalidTemplateError(`unknown reward kind ${template.kind}`);
  const kind = template.kind;
  const value = template.value.trim();
  if (kind !== "FREE_SHIPPING") {
    if (!DECIMAL.test(value) || Number(value) <= 0) throw new InvalidTemplateError(`reward value must be a positive number, got "${template.value}"`);
    if (kind === "PERCENTAGE" && Number(value) > 100) throw new InvalidTemplateError("a percentage reward can be at most 100 %");
  }
  const minimumSubtotal = template.minimumSubtotal?.trim() || null;
  if (minimumSubtotal !== null && !DECIMAL.test(minimumSubtotal)) throw new InvalidTemplateError("minimum subtotal must be a number");
  if (template.expiryDays !== null && (!Number.isInteger(template.expiryDays) || template.expiryDays < 1)) {
    throw new InvalidTemplateError("expiry must be a whole number of days (at least 1)");
  }
  return {
    templateName: template.name,
    kind,
    value: kind === "FREE_SHIPPING" ? "0" : value,
    minimumSubtotal,
    expiryDays: template.expiryDays,
    combinesWith: {
      orderDiscounts: template.combinesWithOrder,
      productDiscounts: template.combinesWithProduct,
      shippingDiscounts: template.combinesWithShipping,
    },
    codePrefix: template.codePrefix,
  };
}

/** Reads Reward.settings; rewards stored before a field existed get that field from the row itself. */
export function parseSettings(reward: Pick<Reward, "settings" | "kind" | "value" | "title">): RewardSettings {
  let raw: Partial<RewardSettings> = {};
  try {
    const parsed: unknown = JSON.parse(reward.settings);
    if (parsed && typeof parsed === "object") raw = parsed as Partial<RewardSettings>;
  } catch {
    // An unreadable snapshot falls back to the row's own columns below.
  }
  return {
    templateName: raw.templateName ?? reward.title,
    kind: parseRewardKind(reward.kind),
    value: reward.value,
    minimumSubtotal: raw.minimumSubtotal ?? null,
    expiryDays: raw.expiryDays ?? null,
    combinesWith: raw.combinesWith ?? { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
    codePrefix: raw.codePrefix ?? "",
  };
}

/** A fresh code in the format Shopify accepts for the kind (gift cards: 8–20 letters/digits). */
export function chooseCode(kind: RewardKind, prefix: string, random?: RandomBytes): string {
  const options = { prefix, ...(random ? { random } : {}) };
  return kind === "GIFT_CARD" ? generateGiftCardCode(options) : generateCode(options);
}

/** The reward's title in Shopify and in the customer's list. */
export function rewardTitle(settings: RewardSettings): string {
  return settings.templateName.trim() || "Loyalty reward";
}

/** When a reward generated at `now` stops working (null: never). */
export function expiryFrom(now: Date, expiryDays: number | null): Date | null {
  return expiryDays ? new Date(now.getTime() + expiryDays * 86_400_000) : null;
}

/** A reward as the use-cases return it: typed vocabulary, no lease internals. */
export interface RewardView {
  id: string;
  shop: string;
  customerId: string;
  customerGid: string;
  source: RewardSource;
  kind: RewardKind;
  status: RewardStatus;
  value: string;
  currency: string;
  title: string;
  code: string;
  shopifyId: string | null;
  failureReason: string | null;
  attempts: number;
  expiresAt: Date | null;
  issuedAt: Date | null;
  canceledAt: Date | null;
  pointsSpent: number;
  createdAt: Date;
}

export function toRewardView(r: Reward): RewardView {
  return {
    id: r.id,
    shop: r.shop,
    customerId: r.customerId,
    customerGid: r.customerGid,
    source: parseRewardSource(r.source),
    kind: parseRewardKind(r.kind),
    status: parseRewardStatus(r.status),
    value: r.value,
    currency: r.currency,
    title: r.title,
    code: r.code,
    shopifyId: r.shopifyId,
    failureReason: r.failureReason,
    attempts: r.attempts,
    expiresAt: r.expiresAt,
    issuedAt: r.issuedAt,
    canceledAt: r.canceledAt,
    pointsSpent: r.pointsSpent,
    createdAt: r.createdAt,
  };
}
