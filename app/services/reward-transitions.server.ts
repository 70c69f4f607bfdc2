// Applies a status change to a reward the only way statuses may change: decided by the pure rules
// (app/domain/rewards/transitions.ts), written with a compare-and-set on the current status, and
// recorded as an event in the same transaction. Used by webhook effects and reconciliation.
import type { Prisma } from "@prisma/client";
import type { Db } from "~/db.server";
import { decideTransition, type RewardKind, type RewardStatus, type TransitionTrigger, type Actor } from "~/domain/rewards";
import { logger } from "~/logger.server";

type Tx = Prisma.TransactionClient;

export interface TransitionInput {
  rewardId: string;
  to: RewardStatus;
  trigger: TransitionTrigger;
  actor: Actor;
  reason?: string | null;
  /** Makes the effect idempotent: a second call with the same key is a no-op. */
  dedupeKey?: string | null;
  /** Extra columns to set with the status (usedAt, usedOrderGid, canceledAt, …). */
  data?: Prisma.RewardUpdateManyMutationInput;
  shopifyError?: unknown;
}

export type TransitionResult =
  | { type: "applied"; from: RewardStatus }
  | { type: "noop"; reason: string }
  | { type: "rejected"; reason: string }
  | { type: "not_found" };

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}

class AlreadyRecorded extends Error {}

/**
 * Decide and apply `to`; retried once if the status changed under us between read and write.
 * Concurrent duplicates (ten copies of one webhook) end in one change and one event.
 */
export async function transitionReward(db: Db, input: TransitionInput): Promise<TransitionResult> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const reward = await db.reward.findUnique({ where: { id: input.rewardId }, select: { id: true, shop: true, status: true, kind: true } });
    if (!reward) return { type: "not_found" };
    const from = reward.status as RewardStatus;
    const decision = decideTransition({ from, to: input.to, kind: reward.kind as RewardKind, trigger: input.trigger });
    if (decision.type === "noop") return { type: "noop", reason: decision.reason };
    if (decision.type === "reject") {
      logger.warn({ rewardId: reward.id, from, to: input.to, trigger: input.trigger, reason: decision.reason }, "transition rejected");
      await recordEvent(db, {
        rewardId: reward.id,
        shop: reward.shop,
        type: "TRANSITION_REJECTED",
        fromStatus: from,
        toStatus: input.to,
        actor: input.actor,
        reason: `${input.reason ? `${input.reason} — ` : ""}${decision.reason}`,
        dedupeKey: input.dedupeKey ? `rejected:${input.dedupeKey}` : null,
      });
      return { type: "rejected", reason: decision.reason };
    }
    try {
      const applied = await db.$transaction(async (tx) => {
        if (input.dedupeKey) {
          // The event's unique (rewardId, dedupeKey) is the idempotency guard of the effect.
          const seen = await tx.rewardEvent.findUnique({ where: { rewardId_dedupeKey: { rewardId: reward.id, dedupeKey: input.dedupeKey } } });
          if (seen) throw new AlreadyRecorded();
        }
        const updated = await tx.reward.updateMany({ where: { id: reward.id, status: from }, data: { ...input.data, status: input.to } });
        if (updated.count === 0) return false;
        await tx.rewardEvent.create({
          data: {
            rewardId: reward.id,
            shop: reward.shop,
            type: "STATUS_CHANGED",
            fromStatus: from,
            toStatus: input.to,
            actor: input.actor,
            reason: input.reason ?? null,
            dedupeKey: input.dedupeKey ?? null,
            shopifyError: input.shopifyError === undefined ? null : JSON.stringify(input.shopifyError),
          },
        });
        return true;
      });
      if (applied) return { type: "applied", from };
    } catch (error) {
      if (error instanceof AlreadyRecorded || isUniqueViolation(error)) return { type: "noop", reason: "already recorded" };
      throw error;
    }
    // The status changed between our read and our write: decide again on the new status.
  }
  return { type: "noop", reason: "the reward kept changing; left as it is" };
}

/** Appends an event; with a dedupeKey, a second identical event is silently skipped. */
export async function recordEvent(
  db: Db | Tx,
  data: {
    rewardId: string;
    shop: string;
    type: string;
    actor: Actor;
    fromStatus?: string | null;
    toStatus?: string | null;
    reason?: string | null;
    dedupeKey?: string | null;
    shopifyError?: unknown;
  },
): Promise<boolean> {
  try {
    await db.rewardEvent.create({
      data: { ...data, shopifyError: data.shopifyError === undefined ? null : JSON.stringify(data.shopifyError) },
    });
    return true;
  } catch (error) {
    if (data.dedupeKey && isUniqueViolation(error)) return false;
    throw error;
  }
}
