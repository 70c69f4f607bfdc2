// Database helpers shared by the reward use-cases: transactions, unique-violation detection, the
// per-reward settings snapshot taken from a template, and the shape rewards are returned in.
import type { Prisma, Reward, RewardTemplate } from "@prisma/client";
import type { Db } from "~/db.server";
import {
  amountOverLimit,
  checkPointsChoice,
  checkTemplateSettings,
  generateCode,
  generateGiftCardCode,
  generateReference,
  isRewardKind,
  kindTraits,
  parseRewardKind,
  parseRewardSource,
  parseRewardStatus,
  type RandomBytes,
  type RewardKind,
  type RewardSettings,
  type RewardSource,
  type RewardStatus,
  variableOf,
  variableValue,
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

export type { RewardSettings };

export class InvalidTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidTemplateError";
  }
}

/**
 * Snapshot of a template's generation settings (Reward.settings), so a later template edit does not
 * change a reward that is already promised; throws InvalidTemplateError for values Shopify would refuse.
 * The rules per kind are app/domain/rewards/settings.ts.
 */
export function settingsFromTemplate(template: RewardTemplate, points?: number | null): RewardSettings {
  if (!isRewardKind(template.kind)) throw new InvalidTemplateError(`unknown reward kind ${template.kind}`);
  const checked = checkTemplateSettings(template.kind, template);
  if (!checked.ok) throw new InvalidTemplateError(checked.error);
  // A variable option's value is what the chosen points buy (app/domain/rewards/options.ts);
  // the points were checked against the option before they got here.
  const variable = variableOf(template);
  // Its value per redemption comes from the customer's points: without them there is nothing to issue.
  if (variable && points == null) throw new InvalidTemplateError("a variable points option is only redeemed with the customer's chosen points");
  if (variable && points != null && template.pointsCost) {
    const choice = checkPointsChoice(variable, points);
    if (!choice.ok) throw new InvalidTemplateError(`points ${points} not allowed: ${choice.error}`);
    const value = variableValue({ pointsCost: template.pointsCost, value: checked.settings.value }, points);
    // What these points buy is held to the kind's limits like a fixed value (app/domain/rewards/settings.ts).
    if (amountOverLimit(checked.settings.kind, value)) throw new InvalidTemplateError(`points ${points} buy ${value}, over the ${checked.settings.kind} limit`);
    return { ...checked.settings, value };
  }
  return checked.settings;
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
    productId: typeof raw.productId === "string" ? raw.productId : null,
    variantId: typeof raw.variantId === "string" ? raw.variantId : null,
    appliesTo: raw.appliesTo && Array.isArray(raw.appliesTo.ids) ? raw.appliesTo : { kind: "ALL", ids: [] },
  };
}

/** A fresh code in the format the kind needs (app/domain/rewards/kinds.ts: codeFormat). */
export function chooseCode(kind: RewardKind, prefix: string, random?: RandomBytes): string {
  const options = { prefix, ...(random ? { random } : {}) };
  switch (kindTraits(kind).codeFormat) {
    case "gift_card_code":
      return generateGiftCardCode(options);
    case "reference":
      return generateReference("SC", random);
    case "discount_code":
      return generateCode(options);
  }
}

/**
 * Shopify ids the customer's other rewards of this kind already own. Only kinds without a marker in
 * Shopify (codeFormat "reference": store credit) need it, to never adopt another reward's object.
 */
export async function claimedShopifyIds(
  db: DbClient,
  where: { shop: string; customerId: string; kind: RewardKind; exceptRewardId: string },
): Promise<string[]> {
  if (kindTraits(where.kind).codeFormat !== "reference") return [];
  const rows = await db.reward.findMany({
    where: { shop: where.shop, customerId: where.customerId, kind: where.kind, shopifyId: { not: null }, id: { not: where.exceptRewardId } },
    select: { shopifyId: true },
  });
  return rows.flatMap((r) => (r.shopifyId ? [r.shopifyId] : []));
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
  failureCode: string | null;
  failureMessage: string | null;
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
    failureCode: r.failureCode,
    failureMessage: r.failureMessage,
    attempts: r.attempts,
    expiresAt: r.expiresAt,
    issuedAt: r.issuedAt,
    canceledAt: r.canceledAt,
    pointsSpent: r.pointsSpent,
    createdAt: r.createdAt,
  };
}
