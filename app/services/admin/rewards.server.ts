// Read models for the merchant's view of rewards: the Activity → Rewards table (keyset-paged,
// newest first, optional status filter), one reward with its history, and the rows of a CSV export.
// Every query is scoped by `shop` first: a reward or customer id of another shop reads as "not found".
import type { Prisma, Reward, RewardEvent } from "@prisma/client";
import type { Db } from "~/db.server";
import { codeKey, GIFT_CARD_VISIBLE_CHARS, isCodeOfferedForCopy, isFailureReason, isRewardKind, isRewardSource, isRewardStatus, kindTraits, maskGiftCardCode, parseActor, parseRewardEventType, parseRewardKind, parseRewardSource, parseRewardStatus, type Actor, type RewardEventType, type RewardKind, type RewardSource, type RewardStatus } from "~/domain/rewards";
import { rewardStatusNote, attemptFailedLabel, attemptFailureSummary, formatGiftCardBalance, formatRewardValue, merchantExplanation, REWARD_KIND_LABELS, REWARD_SOURCE_LABELS, type MerchantExplanation, customerLabel, shownCustomerText } from "~/copy/admin";
import { keysetPage, newerThan, olderThan, type KeysetPage, type PageRequest } from "./keyset.server";
import { customerAdminUrl, orderAdminUrl, rewardObjectAdminUrl } from "./links.server";
import { customerTextWhere, matchesSearchLiterally, normalizeSearch, parseSearch, readMatching } from "./customers.server";
import { isStoredTime, STORED_TIME_RANGE_TEXT } from "~/domain/shopify-time";

/** `?status=` as the merchant picks it: one status, or everything. Anything else is refused. */
export function parseStatusFilter(value: string | null | undefined): RewardStatus | null | "invalid" {
  if (value === null || value === undefined || value === "" || value === "ALL") return null;
  const upper = value.toUpperCase();
  return isRewardStatus(upper) ? upper : "invalid";
}

export interface RewardRow {
  id: string;
  customerId: string;
  customerName: string;
  title: string;
  /** As the admin shows it: a gift card's code masked to its last four characters (`codeMasked`). */
  code: string;
  codeMasked: boolean;
  /** Whether the admin offers the code for copying (Issued or Used, and not masked). */
  copyable: boolean;
  kind: RewardKind;
  kindLabel: string;
  source: RewardSource;
  sourceLabel: string;
  status: RewardStatus;
  /** ISO 8601. */
  createdAt: string;
  usedOrderName: string | null;
  usedOrderUrl: string | null;
  /** Issued gift cards: "$6.40 left" / "Spent", as Shopify last reported; null when not known or not a card. */
  balanceLabel: string | null;
  /** Under the status badge: a Failed reward's reason, a retrying Pending one's last failure, a Canceled one whose code is still being removed in Shopify (rewardStatusNote). */
  statusNote: string | null;
}

const ROW_SELECT = {
  id: true,
  shop: true,
  customerId: true,
  title: true,
  code: true,
  kind: true,
  source: true,
  status: true,
  createdAt: true,
  usedOrderGid: true,
  usedOrderName: true,
  customerName: true,
  customerEmail: true,
  currency: true,
  giftCardBalance: true,
  failureCode: true,
  nextAttemptAt: true,
  codeRemovalGaveUpAt: true,
  codeKey: true,
  customer: { select: { displayName: true, email: true } },
} satisfies Prisma.RewardSelect;

type RowRecord = Prisma.RewardGetPayload<{ select: typeof ROW_SELECT }>;

/**
 * The customer of a reward as the admin names them everywhere (customerLabel, as the customers
 * list): the customer's name, else the name kept on the reward, else the email, else "hidden".
 */
export function rewardCustomerLabel(r: { customerName: string | null; customerEmail: string | null; customer: { displayName: string; email: string | null } }): string {
  return customerLabel(r.customer.displayName || r.customerName, r.customer.email ?? r.customerEmail);
}

/** The code as the admin may show it: gift cards masked (Shopify's own admin shows the last four). */
export function shownCode(kind: RewardKind, status: RewardStatus, code: string): Pick<RewardRow, "code" | "codeMasked" | "copyable"> {
  const masked = kindTraits(kind).shopifyObject === "gift_card";
  return { code: masked ? maskGiftCardCode(code) : code, codeMasked: masked, copyable: !masked && isCodeOfferedForCopy(status) };
}

function toRow(r: RowRecord): RewardRow {
  const kind = parseRewardKind(r.kind);
  const source = parseRewardSource(r.source);
  const status = parseRewardStatus(r.status);
  return {
    id: r.id,
    customerId: r.customerId,
    customerName: rewardCustomerLabel(r),
    title: r.title,
    ...shownCode(kind, status, r.code),
    kind,
    kindLabel: REWARD_KIND_LABELS[kind],
    source,
    sourceLabel: REWARD_SOURCE_LABELS[source],
    status,
    createdAt: r.createdAt.toISOString(),
    usedOrderName: status === "USED" ? r.usedOrderName ?? null : null,
    usedOrderUrl: status === "USED" ? orderAdminUrl(r.shop, r.usedOrderGid) : null,
    balanceLabel: kind === "GIFT_CARD" && status === "ISSUED" && r.giftCardBalance !== null ? formatGiftCardBalance(r.giftCardBalance, r.currency) : null,
    // A Canceled or Failed reward's cleanup marker: its code is not yet confirmed gone from Shopify;
    // or the app stopped retrying its removal (codeRemovalGaveUpAt): the code may still work there.
    statusNote: rewardStatusNote(status, r.failureCode, {
      removingCode: (status === "CANCELED" || status === "FAILED") && r.nextAttemptAt !== null,
      removalGaveUp: (status === "CANCELED" || status === "FAILED") && r.codeRemovalGaveUpAt !== null,
      kind,
    }),
  };
}

export interface RewardListQuery extends PageRequest {
  shop: string;
  /** One customer's rewards (Activity → Rewards), or the whole shop's. */
  customerId?: string | null;
  status?: RewardStatus | null;
  kind?: RewardKind | null;
  source?: RewardSource | null;
  /** Created on or after `createdFrom` and on or before `createdUntil` (both inclusive). */
  createdFrom?: Date | null;
  createdUntil?: Date | null;
  /** A code (or a gift card's last four characters), or part of the customer's name or email. */
  search?: string | null;
}

/** The shop-wide Rewards page's filters, read from the URL; anything unknown is refused with a message. */
export type RewardFilters = Pick<RewardListQuery, "status" | "kind" | "source" | "search"> & { from: string | null; to: string | null };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A filter's day (UTC midnight); "out_of_range" outside the dates the app stores (year 0000 was a 500 on PostgreSQL). */
function parseDay(value: string | null): Date | null | "invalid" | "out_of_range" {
  if (!value) return null;
  if (!DAY.test(value)) return "invalid";
  const date = new Date(`${value}T00:00:00.000Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) return "invalid";
  return isStoredTime(date) ? date : "out_of_range";
}

export function parseRewardFilters(params: URLSearchParams):
  | { ok: true; filters: RewardFilters; query: Omit<RewardListQuery, "shop" | keyof PageRequest> }
  | { ok: false; message: string } {
  const status = parseStatusFilter(params.get("status"));
  if (status === "invalid") return { ok: false, message: "Unknown status filter." };
  const kindRaw = params.get("kind");
  const kind = kindRaw ? (isRewardKind(kindRaw) ? kindRaw : "invalid") : null;
  if (kind === "invalid") return { ok: false, message: "Unknown reward type filter." };
  const sourceRaw = params.get("source");
  const source = sourceRaw ? (isRewardSource(sourceRaw) ? sourceRaw : "invalid") : null;
  if (source === "invalid") return { ok: false, message: "Unknown source filter." };
  const from = parseDay(params.get("from"));
  const to = parseDay(params.get("to"));
  if (from === "invalid" || to === "invalid") return { ok: false, message: "Dates must be written as YYYY-MM-DD." };
  if (from === "out_of_range" || to === "out_of_range") return { ok: false, message: `Dates must be from ${STORED_TIME_RANGE_TEXT}.` };
  if (from && to && to < from) return { ok: false, message: "The end date is before the start date." };
  const parsedSearch = parseSearch(params.get("query"));
  if (!parsedSearch.ok) return { ok: false, message: parsedSearch.message };
  const search = parsedSearch.search;
  return {
    ok: true,
    filters: { status, kind, source, search, from: params.get("from") || null, to: params.get("to") || null },
    query: {
      status,
      kind,
      source,
      search,
      createdFrom: from,
      // "to" is a whole day: up to its last millisecond (UTC). Not "before the next midnight": after
      // 9999-12-31 that is year 10000, which SQLite compares as text ("+010000-…") below every date.
      createdUntil: to ? new Date(to.getTime() + 86_400_000 - 1) : null,
    },
  };
}

/** The where clause of a reward list without its cursor. */
function rewardWhere(db: Db, query: Omit<RewardListQuery, keyof PageRequest>): Prisma.RewardWhereInput {
  const and: Prisma.RewardWhereInput[] = [{ shop: query.shop }];
  if (query.customerId) and.push({ customerId: query.customerId });
  if (query.status) and.push({ status: query.status });
  if (query.kind) and.push({ kind: query.kind });
  if (query.source) and.push({ source: query.source });
  if (query.createdFrom || query.createdUntil)
    and.push({ createdAt: { ...(query.createdFrom ? { gte: query.createdFrom } : {}), ...(query.createdUntil ? { lte: query.createdUntil } : {}) } });
  const search = normalizeSearch(query.search);
  if (search) and.push({ OR: searchClauses(db, search) });
  return and.length === 1 ? and[0] : { AND: and };
}

/** Text a code can start or end with (codes are letters, digits, "-" and "_"; codeKey upper-cases). */
const CODE_TEXT = /^[A-Z0-9_-]+$/;

/**
 * What a search matches: the code (whole, or the start of a discount code; a gift card only whole
 * or by its last four characters, as Shopify's admin finds gift cards, so a search can't be used
 * to guess a hidden code), or part of the customer's name or email.
 */
function searchClauses(db: Db, search: string): Prisma.RewardWhereInput[] {
  const key = codeKey(search);
  const clauses: Prisma.RewardWhereInput[] = [{ codeKey: key }];
  // A code is letters, digits, "-" and "_" (isValidDiscountCode): a prefix or suffix search for such
  // text. LIKE reads `_` as a wildcard, so the database answers a superset, narrowed on the row.
  if (CODE_TEXT.test(key)) {
    clauses.push({ kind: { not: "GIFT_CARD" }, codeKey: { startsWith: key } });
    if (key.length === GIFT_CARD_VISIBLE_CHARS) clauses.push({ kind: "GIFT_CARD", codeKey: { endsWith: key } });
  }
  // The name or email, for any text, `%` and `_` included: the database's answer is a superset
  // (LIKE reads them as wildcards) that `rewardMatchesSearch` narrows to the literal text, the
  // Customers list's one mechanism (customerTextWhere, matchesSearchLiterally). It used to leave a
  // search holding `%` or `_` (john_doe@example.com) to the codes only.
  clauses.push({ customer: customerTextWhere(db, search) });
  return clauses;
}

/**
 * What `searchClauses` asks the database, checked on the row: the database's answer for the name
 * or email part is a superset (customerTextWhere), the same rows on both databases only after this.
 */
function rewardMatchesSearch(r: { kind: string; codeKey: string | null; customer: { displayName: string; email: string | null } }, search: string): boolean {
  const key = codeKey(search);
  if (r.codeKey === key) return true;
  if (r.codeKey && CODE_TEXT.test(key)) {
    if (r.kind !== "GIFT_CARD" && r.codeKey.startsWith(key)) return true;
    if (r.kind === "GIFT_CARD" && key.length === GIFT_CARD_VISIBLE_CHARS && r.codeKey.endsWith(key)) return true;
  }
  return matchesSearchLiterally(r.customer, search);
}

/**
 * One page of rewards, newest first. Served by the index Reward(shop, customerId, createdAt desc,
 * id desc) for a customer and Reward(shop, status, createdAt desc, id desc) for a shop-wide status.
 */
export async function listRewards(db: Db, query: RewardListQuery): Promise<KeysetPage<RewardRow>> {
  const base = rewardWhere(db, query);
  const search = normalizeSearch(query.search);
  const read = (where: Prisma.RewardWhereInput | undefined, direction: "asc" | "desc", take: number) =>
    db.reward.findMany({
      // AND keeps the search's OR and the cursor's OR from overwriting each other.
      where: where ? { AND: [base, where] } : base,
      orderBy: [{ createdAt: direction }, { id: direction }],
      take,
      select: ROW_SELECT,
    });
  const page = await keysetPage<RowRecord, Prisma.RewardWhereInput>(query, {
    at: (r) => r.createdAt,
    older: (c) => olderThan(c, "createdAt"),
    newer: (c) => newerThan(c, "createdAt"),
    fetch: ({ where, direction, take }) =>
      search
        ? readMatching({
            read: (w, n) => read(w, direction, n),
            where,
            take,
            past: (r) => (direction === "desc" ? olderThan : newerThan)({ key: r.createdAt, id: r.id }, "createdAt"),
            matches: (r) => rewardMatchesSearch(r, search),
          })
        : read(where, direction, take),
  });
  return { ...page, items: page.items.map(toRow) };
}

export interface RewardEventView {
  id: string;
  type: RewardEventType;
  typeLabel: string;
  fromStatus: RewardStatus | null;
  toStatus: RewardStatus | null;
  actor: Actor;
  actorLabel: string;
  /** What was recorded, made readable: a failure code becomes the plain-language explanation. */
  reason: string | null;
  /** The stored failure code when `reason` was one (shown small, for support). */
  reasonCode: string | null;
  /** What the merchant typed (cancel reason, manual-issue note), if anything. */
  note: string | null;
  /** Shopify's error payload, pretty-printed JSON, when there was one. */
  shopifyError: string | null;
  createdAt: string;
}

export const EVENT_TYPE_LABELS: Readonly<Record<RewardEventType, string>> = {
  CREATED: "Created",
  STATUS_CHANGED: "Status changed",
  ATTEMPT_FAILED: "Attempt failed (will retry)",
  USED_AFTER_FINAL: "Used after it had ended",
  TRANSITION_REJECTED: "Change refused",
  NOTE: "Note",
};

export const ACTOR_LABELS: Readonly<Record<Actor, string>> = {
  CUSTOMER: "Customer",
  MERCHANT: "Merchant",
  WORKER: "Background worker",
  WEBHOOK: "Shopify webhook",
  SYSTEM: "Loyalty app",
};

function prettyJson(text: string | null): string | null {
  if (!text) return null;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** `later`: the events after this one (an attempt followed by the change to Failed was the last). */
function toEventView(e: RewardEvent, later: readonly RewardEvent[]): RewardEventView {
  const type = parseRewardEventType(e.type);
  const actor = parseActor(e.actor);
  const failureCode = isFailureReason(e.reasonCode) && (type === "ATTEMPT_FAILED" || e.toStatus === "FAILED") ? e.reasonCode : null;
  const attempt = type === "ATTEMPT_FAILED";
  return {
    id: e.id,
    type,
    typeLabel: attempt ? attemptFailedLabel(e.reasonCode, later.some((n) => n.toStatus === "FAILED")) : EVENT_TYPE_LABELS[type],
    fromStatus: e.fromStatus && isRewardStatus(e.fromStatus) ? e.fromStatus : null,
    toStatus: e.toStatus && isRewardStatus(e.toStatus) ? e.toStatus : null,
    actor,
    actorLabel: ACTOR_LABELS[actor],
    reason: failureCode ? (attempt ? attemptFailureSummary(failureCode) : merchantExplanation(failureCode).summary) : e.reason,
    reasonCode: failureCode,
    note: e.note,
    shopifyError: prettyJson(e.shopifyError),
    createdAt: e.createdAt.toISOString(),
  };
}

export interface RewardDetail extends RewardRow {
  customerName: string;
  customerAdminUrl: string | null;
  value: string;
  currency: string;
  /** "$5.00 off", "15% off", "Free shipping", "$10.00 gift card". */
  valueLabel: string;
  pointsSpent: number;
  attempts: number;
  issuedAt: string | null;
  usedAt: string | null;
  canceledAt: string | null;
  expiresAt: string | null;
  /** Pending: when the worker tries again. */
  nextAttemptAt: string | null;
  /** The discount / gift card in Shopify's admin. */
  shopifyAdminUrl: string | null;
  failureCode: string | null;
  /** Shopify's own words for the failure, for support. */
  failureMessage: string | null;
  /** Failed: what happened and what the merchant can do, in plain language. */
  failure: MerchantExplanation | null;
  /** Pending or Issued. */
  cancelable: boolean;
  /**
   * The app stopped retrying the removal of this Canceled or Failed reward's code in Shopify
   * (codeRemovalGaveUpAt): it may still work there. `retry`: a Canceled one's repeated cancel tries
   * once more (cancel.server.ts); a Failed one can't be canceled, so only Shopify's admin removes it.
   */
  codeRemovalStopped: { retry: boolean } | null;
  /** Points given back if the merchant cancels it now (0: none). */
  refundOnCancel: number;
  /** Failed rewards can be issued again as a new reward from the template they were made from. */
  reissue: { possible: true; templateName: string } | { possible: false; why: string } | null;
  /** Newer rewards issued as the re-issue of this one (by the re-issue idempotency key). */
  reissuedAs: { id: string; status: RewardStatus; code: string } | null;
  events: RewardEventView[];
}

export { formatRewardValue };

/** The idempotency key that makes "issue this failed reward again" happen once. */
import { reissueKey } from "~/services/rewards/issue-async.server";
export const reissueKeyOf = reissueKey;

/** Most events a reward has is a handful; the cap only guards the page against a runaway loop. */
const MAX_EVENTS = 200;

/**
 * One reward of the shop (and of the customer, when given) with its history, or null. Ids of
 * another shop or another customer are "not found".
 */
export async function getRewardDetail(
  db: Db,
  shop: string,
  rewardId: string,
  options: { customerId?: string } = {}
): Promise<RewardDetail | null> {
  const reward: (Reward & { customer: { displayName: string; email: string | null } }) | null = await db.reward.findFirst({
    where: { id: rewardId, shop, ...(options.customerId ? { customerId: options.customerId } : {}) },
    include: { customer: { select: { displayName: true, email: true } } },
  });
  if (!reward) return null;
  const [events, shopRow, template, reissued] = await Promise.all([
    db.rewardEvent.findMany({ where: { rewardId: reward.id, shop }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: MAX_EVENTS }),
    db.shop.findUnique({ where: { domain: shop }, select: { refundPointsOnCancel: true } }),
    reward.status === "FAILED" && reward.templateId
      ? db.rewardTemplate.findFirst({ where: { id: reward.templateId, shop } })
      : Promise.resolve(null),
    reward.status === "FAILED"
      ? db.reward.findUnique({
          where: { shop_idempotencyKey: { shop, idempotencyKey: reissueKeyOf(reward.id) } },
          select: { id: true, status: true, code: true, kind: true },
        })
      : Promise.resolve(null),
  ]);
  const row = toRow(reward);
  const cancelable = row.status === "PENDING" || row.status === "ISSUED";
  // Mirrors the cancel use-case: spent points come back unless the shop turned the refund off.
  const refundOnCancel = cancelable && reward.pointsSpent > 0 && shopRow?.refundPointsOnCancel !== false ? reward.pointsSpent : 0;

  let reissue: RewardDetail["reissue"] = null;
  if (row.status === "FAILED") {
    if (!reward.templateId || !template) {
      reissue = {
        possible: false,
        why: "This reward wasn't made from a reward template that still exists, so it can't be issued again automatically. Use “Issue reward” to give the customer a new one.",
      };
    } else if (!template.active) {
      reissue = { possible: false, why: `The reward template “${template.name}” is turned off. Turn it on to issue this reward again.` };
    } else {
      reissue = { possible: true, templateName: template.name };
    }
  }

  return {
    ...row,
    customerAdminUrl: customerAdminUrl(shop, reward.customerGid),
    value: reward.value,
    currency: reward.currency,
    valueLabel: formatRewardValue(row.kind, reward.value, reward.currency),
    pointsSpent: reward.pointsSpent,
    attempts: reward.attempts,
    issuedAt: reward.issuedAt?.toISOString() ?? null,
    usedAt: reward.usedAt?.toISOString() ?? null,
    canceledAt: reward.canceledAt?.toISOString() ?? null,
    expiresAt: reward.expiresAt?.toISOString() ?? null,
    nextAttemptAt: row.status === "PENDING" ? reward.nextAttemptAt?.toISOString() ?? null : null,
    shopifyAdminUrl: rewardObjectAdminUrl(shop, reward.shopifyId, reward.customerGid),
    failureCode: reward.failureCode,
    failureMessage: reward.failureMessage,
    failure: row.status === "FAILED" ? merchantExplanation(reward.failureCode) : null,
    cancelable,
    codeRemovalStopped: (row.status === "CANCELED" || row.status === "FAILED") && reward.codeRemovalGaveUpAt ? { retry: row.status === "CANCELED" } : null,
    refundOnCancel,
    reissue,
    reissuedAs: reissued
      ? { id: reissued.id, status: parseRewardStatus(reissued.status), code: shownCode(parseRewardKind(reissued.kind), parseRewardStatus(reissued.status), reissued.code).code }
      : null,
    events: events.map((e, i) => toEventView(e, events.slice(i + 1))),
  };
}

export interface ExportRow extends RewardRow {
  customerName: string;
  customerEmail: string;
  valueLabel: string;
  value: string;
  currency: string;
  pointsSpent: number;
  issuedAt: string | null;
  usedAt: string | null;
  canceledAt: string | null;
  expiresAt: string | null;
  failureCode: string | null;
  failureExplanation: string | null;
}

const EXPORT_SELECT = {
  ...ROW_SELECT,
  customerName: true,
  customerEmail: true,
  value: true,
  currency: true,
  pointsSpent: true,
  issuedAt: true,
  usedAt: true,
  canceledAt: true,
  expiresAt: true,
  failureCode: true,
  customer: { select: { displayName: true, email: true } },
} satisfies Prisma.RewardSelect;

/**
 * Every reward matching the filter, newest first, in keyset batches (constant memory, each batch
 * one index seek), for the CSV export.
 */
export async function* exportRewards(
  db: Db,
  query: Omit<RewardListQuery, "after" | "before" | "pageSize">,
  batchSize = 500
): AsyncGenerator<ExportRow> {
  const base = rewardWhere(db, query);
  const search = normalizeSearch(query.search);
  let cursor: { key: Date; id: string } | null = null;
  for (;;) {
    const where: Prisma.RewardWhereInput = cursor ? { AND: [base, olderThan(cursor, "createdAt")] } : base;
    const batch = await db.reward.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: batchSize,
      select: EXPORT_SELECT,
    });
    for (const r of batch) {
      if (search && !rewardMatchesSearch(r, search)) continue;
      const row = toRow(r);
      yield {
        ...row,
        // As the page names them (shownCustomerText, the rule of rewardCustomerLabel): without text-direction characters.
        customerName: shownCustomerText(r.customer.displayName || r.customerName) ?? "",
        customerEmail: shownCustomerText(r.customer.email ?? r.customerEmail) ?? "",
        valueLabel: formatRewardValue(row.kind, r.value, r.currency),
        value: r.value,
        currency: r.currency,
        pointsSpent: r.pointsSpent,
        issuedAt: r.issuedAt?.toISOString() ?? null,
        usedAt: r.usedAt?.toISOString() ?? null,
        canceledAt: r.canceledAt?.toISOString() ?? null,
        expiresAt: r.expiresAt?.toISOString() ?? null,
        failureCode: row.status === "FAILED" ? r.failureCode : null,
        failureExplanation: row.status === "FAILED" ? merchantExplanation(r.failureCode).summary : null,
      };
    }
    if (batch.length < batchSize) return;
    const last = batch[batch.length - 1];
    cursor = { key: last.createdAt, id: last.id };
  }
}
