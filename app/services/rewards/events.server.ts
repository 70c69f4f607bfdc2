// Reward history and status changes. Every status change goes through `transitionReward`, which asks
// the domain's `decideTransition`, applies an allowed change as a compare-and-set on the current
// status (plus any lease guard the caller adds) and writes the STATUS_CHANGED event in the same
// transaction. A rejected change is recorded as TRANSITION_REJECTED and logged; a repeat is a no-op.
import type { Prisma, Reward } from "@prisma/client";
import { directSql, isUniqueViolation, type Db } from "~/db.server";
import type { SqlValue } from "~/direct-sql.server";
import {
  decideTransition,
  parseRewardKind,
  parseRewardStatus,
  type Actor,
  type RewardEventType,
  type RewardStatus,
  type ShopifyFailure,
  type TransitionTrigger,
} from "~/domain/rewards";
import type { Logger } from "~/logger.server";
import { inTransaction, type DbClient } from "./repository.server";

/** Shopify's payloads can be large; the event keeps enough to diagnose without bloating the table. */
const MAX_ERROR_JSON = 8_000;

export interface EventInput {
  rewardId: string;
  shop: string;
  type: RewardEventType;
  actor: Actor;
  fromStatus?: RewardStatus | null;
  toStatus?: RewardStatus | null;
  /** App-authored text only: no personal data, no reward codes (name other rewards by id). */
  reason?: string | null;
  /** The failure code (app/domain/rewards/failures.ts) this event is about, as data: never parsed from `reason`. */
  reasonCode?: string | null;
  /** Free text the merchant typed (cancel reason, manual-issue note); customers/redact erases it. */
  note?: string | null;
  shopifyError?: unknown;
  dedupeKey?: string | null;
}

export function shopifyErrorJson(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    text = JSON.stringify({ unserializable: String(value) });
  }
  return text.length > MAX_ERROR_JSON ? `${text.slice(0, MAX_ERROR_JSON)}…` : text;
}

let eventCounter = 0;

/**
 * A RewardEvent id. The history lists events by time and, within one millisecond, by id: these ids
 * begin with the time and a counter, so the events one process writes list in the order written
 * (the schema's cuid() default is made by Prisma's client, and the direct transition below has no
 * Prisma client to make it).
 */
export function newEventId(at: Date): string {
  eventCounter = (eventCounter + 1) % 36 ** 6;
  // The random tail only keeps two processes' ids apart within one millisecond: no secret.
  return `e${at.getTime().toString(36).padStart(9, "0")}${eventCounter.toString(36).padStart(6, "0")}${Math.random().toString(36).slice(2, 10).padEnd(8, "0")}`;
}

/** The RewardEvent row for an event, written at `at`: the one place its columns are filled in. */
function eventRow(event: EventInput, at: Date) {
  return {
    id: newEventId(at),
    rewardId: event.rewardId,
    shop: event.shop,
    type: event.type,
    actor: event.actor,
    fromStatus: event.fromStatus ?? null,
    toStatus: event.toStatus ?? null,
    reason: event.reason ?? null,
    reasonCode: event.reasonCode ?? null,
    note: event.note?.trim() ? event.note.trim() : null,
    shopifyError: shopifyErrorJson(event.shopifyError),
    dedupeKey: event.dedupeKey ?? null,
    createdAt: at,
  } satisfies Record<string, SqlValue>;
}

export async function recordEvent(client: DbClient, event: EventInput): Promise<void> {
  await client.rewardEvent.create({ data: eventRow(event, new Date()) });
}

/** Like recordEvent, but a second event with the same dedupeKey for the reward is skipped (false). */
export async function recordEventOnce(client: DbClient, event: EventInput & { dedupeKey: string }): Promise<boolean> {
  try {
    await recordEvent(client, event);
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/** Shopify's own words for a failure, for Reward.failureMessage and event reasons. */
export function shopifyMessage(failure: ShopifyFailure): string {
  switch (failure.kind) {
    case "throttled":
      return "Throttled by Shopify";
    case "http":
      return `Shopify answered HTTP ${failure.status}`;
    case "network":
      return "Network error talking to Shopify";
    case "timeout":
      return "Shopify did not answer in time";
    case "user_errors":
      return failure.errors.map((e) => (e.code ? `${e.message} (${e.code})` : e.message)).join("; ");
    case "access_denied":
      return failure.message;
    case "graphql":
      return failure.messages.join("; ");
  }
}

/** Reward columns a transition may set or guard on, as plain values. */
type RewardColumn = Exclude<keyof Reward, "id" | "status" | "createdAt" | "updatedAt">;
export type RewardValues = { [K in RewardColumn]?: Reward[K] };

export interface TransitionParams {
  reward: { id: string; shop: string; status: string; kind: string };
  to: RewardStatus;
  trigger: TransitionTrigger;
  actor: Actor;
  reason?: string | null;
  /** The failure code (app/domain/rewards/failures.ts) this event is about, as data: never parsed from `reason`. */
  reasonCode?: string | null;
  /** The merchant's own words, kept apart from `reason` (see EventInput.note). */
  note?: string | null;
  shopifyError?: unknown;
  /** Extra columns to set with the status. */
  data?: RewardValues;
  /** Extra guards for the compare-and-set, each column equal to its value (null: IS NULL), e.g. `{ claimedBy: workerId }`. */
  where?: RewardValues;
  /** More writes that must commit together with the change (e.g. a points refund). */
  also?: (tx: Prisma.TransactionClient) => Promise<void>;
  /**
   * Makes the effect idempotent (e.g. "order:<gid>" for a webhook): the STATUS_CHANGED event carries
   * it, and its unique (rewardId, dedupeKey) turns a concurrent second application into a no-op.
   */
  dedupeKey?: string | null;
}

export type TransitionResult =
  | { type: "applied"; from: RewardStatus; to: RewardStatus }
  | { type: "noop"; reason: string }
  | { type: "rejected"; reason: string }
  /** The row no longer matched (status changed or lease lost): nothing was written; re-read it. */
  | { type: "conflict" };

class TransitionConflict extends Error {}
class AlreadyRecorded extends Error {}

/** Column names come from the typed RewardValues / event row above; checked anyway, as they are spliced into SQL. */
function column(name: string): string {
  if (!/^[A-Za-z]+$/.test(name)) throw new Error(`not a column name: ${name}`);
  return `"${name}"`;
}

/** `UPDATE "Reward" SET … WHERE …`, each guard an equality (null: IS NULL). */
function compareAndSet(set: Record<string, SqlValue>, guard: Record<string, SqlValue>): [string, SqlValue[]] {
  const setKeys = Object.keys(set);
  const guardKeys = Object.keys(guard);
  const sql = `UPDATE "Reward" SET ${setKeys.map((k) => `${column(k)} = ?`).join(", ")} WHERE ${guardKeys.map((k) => (guard[k] === null ? `${column(k)} IS NULL` : `${column(k)} = ?`)).join(" AND ")}`;
  return [sql, [...setKeys.map((k) => set[k]), ...guardKeys.filter((k) => guard[k] !== null).map((k) => guard[k])]];
}

/** The event row, unless the reward already has an event with its dedupe key. */
function insertEventOnce(row: Record<string, SqlValue>): [string, SqlValue[]] {
  const keys = Object.keys(row);
  return [
    `INSERT INTO "RewardEvent" (${keys.map(column).join(", ")}) VALUES (${keys.map(() => "?").join(", ")}) ON CONFLICT ("rewardId", "dedupeKey") DO NOTHING`,
    keys.map((k) => row[k]),
  ];
}

export async function transitionReward(db: Db, logger: Logger, params: TransitionParams): Promise<TransitionResult> {
  const from = parseRewardStatus(params.reward.status);
  const kind = parseRewardKind(params.reward.kind);
  const decision = decideTransition({ from, to: params.to, kind, trigger: params.trigger });
  const { id, shop } = params.reward;

  if (decision.type === "noop") return { type: "noop", reason: decision.reason };
  if (decision.type === "reject") {
    logger.warn({ rewardId: id, shop, from, to: params.to, trigger: params.trigger, reason: decision.reason }, "reward transition rejected");
    await recordEvent(db, {
      rewardId: id,
      shop,
      type: "TRANSITION_REJECTED",
      actor: params.actor,
      fromStatus: from,
      toStatus: params.to,
      reason: params.reason ? `${decision.reason} (requested: ${params.reason})` : decision.reason,
      note: params.note ?? null,
      dedupeKey: params.dedupeKey ? `rejected:${params.dedupeKey}` : null,
    }).catch((error: unknown) => {
      if (!isUniqueViolation(error)) throw error;
    });
    return { type: "rejected", reason: decision.reason };
  }

  // One compare-and-set and one event row, written by the driver in one transaction; through
  // Prisma's interactive transaction only when `also` needs Prisma's client (it costs ≈ 3× as
  // much: bench/RESULTS.md). Both write exactly these values.
  const at = new Date();
  const set: Record<string, SqlValue> = { ...(params.data ?? {}), status: params.to, updatedAt: at };
  const guard: Record<string, SqlValue> = { ...(params.where ?? {}), id, status: from };
  const row = eventRow(
    {
      rewardId: id,
      shop,
      type: "STATUS_CHANGED",
      actor: params.actor,
      fromStatus: from,
      toStatus: params.to,
      reason: params.reason ?? null,
      reasonCode: params.reasonCode ?? null,
      note: params.note ?? null,
      shopifyError: params.shopifyError,
      dedupeKey: params.dedupeKey ?? null,
    },
    at,
  );
  try {
    if (params.also) {
      const also = params.also;
      await inTransaction(db, async (tx) => {
        const updated = await tx.reward.updateMany({ where: guard, data: set });
        if (updated.count !== 1) throw new TransitionConflict();
        await tx.rewardEvent.create({ data: row });
        await also(tx);
      });
    } else {
      await directSql(db).transaction(async (tx) => {
        if ((await tx.execute(...compareAndSet(set, guard))) !== 1) throw new TransitionConflict();
        // A dedupe key already recorded for the reward: nothing is inserted, and the update is undone.
        if ((await tx.execute(...insertEventOnce(row))) !== 1) throw new AlreadyRecorded();
      });
    }
  } catch (error) {
    if (error instanceof TransitionConflict) return { type: "conflict" };
    if (error instanceof AlreadyRecorded || (params.dedupeKey && isUniqueViolation(error))) return { type: "noop", reason: "already recorded" };
    throw error;
  }
  return { type: "applied", from, to: params.to };
}

/**
 * Reads the reward and applies the transition, re-reading when it changed under us (a webhook racing
 * the worker or the merchant). With a dedupeKey already recorded for the reward, nothing happens.
 */
export async function transitionRewardById(
  db: Db,
  logger: Logger,
  params: Omit<TransitionParams, "reward"> & { rewardId: string },
): Promise<TransitionResult | { type: "not_found" }> {
  const { rewardId, ...rest } = params;
  for (let attempt = 0; attempt < 3; attempt++) {
    const reward = await db.reward.findUnique({ where: { id: rewardId }, select: { id: true, shop: true, status: true, kind: true } });
    if (!reward) return { type: "not_found" };
    if (rest.dedupeKey && (await db.rewardEvent.findUnique({ where: { rewardId_dedupeKey: { rewardId, dedupeKey: rest.dedupeKey } } }))) {
      return { type: "noop", reason: "already recorded" };
    }
    const result = await transitionReward(db, logger, { ...rest, reward });
    if (result.type !== "conflict") return result;
  }
  return { type: "conflict" };
}
