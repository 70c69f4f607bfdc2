// The merchant cancels a reward.
//
// ISSUED: the code is deactivated in Shopify FIRST; only then is the reward Canceled. If Shopify
//   fails, the reward stays Issued (the customer can still use the code, and the admin says so).
// PENDING: the reward is flipped to Canceled in the database FIRST (so the worker can no longer
//   issue it: its final PENDING→ISSUED compare-and-set fails and it deactivates what it just made),
//   then anything the code already has in Shopify is deactivated. Until that is confirmed the row
//   carries a cleanup marker (`nextAttemptAt` on a CANCELED reward) that the worker sweeps, so a
//   process dying mid-way cannot leave a usable code behind.
// Points of a canceled, unused points redemption are refunded when the shop's option is on.
import type { Prisma, Reward } from "@prisma/client";
import { cancelCleanupMessage, cancelRefusedMessage, codeRemovalGaveUpReason, UNCONFIRMED_TAKE_BACK } from "~/copy/admin";
import { CHANGED_IN_SHOPIFY_CODE, failureForLog, kindTraits, parseRewardKind, type FailureReason } from "~/domain/rewards";
import type { Problem, Result } from "~/domain/result";
import type { RewardDeps } from "./deps.server";
import { recordEvent, shopifyMessage, transitionReward } from "./events.server";
import { LATE_LANDING_MS, removeFromShopifyOnce, type RewardTarget, type ShopifyAccess, type ShopifyProblem } from "./generate.server";
import { isRejectedToken, markAccessRevoked } from "~/services/lifecycle/lifecycle.server";
import { sourceKeys } from "~/domain/points";
import { creditPointsInTx } from "~/services/points/ledger.server";
import { claimedShopifyIds, parseSettings, toRewardView, type DbClient, type RewardView } from "./repository.server";

/** Everything any kind needs to find and remove a reward's object (store credit has no marker to search by). */
async function removalTarget(db: DbClient, reward: Reward): Promise<RewardTarget & { shopifyId: string | null; shop: string }> {
  const kind = parseRewardKind(reward.kind);
  return {
    rewardId: reward.id,
    shop: reward.shop,
    kind,
    code: reward.code,
    shopifyId: reward.shopifyId,
    customerGid: reward.customerGid,
    currency: reward.currency,
    settings: parseSettings(reward),
    notBefore: reward.createdAt,
    claimedIds: await claimedShopifyIds(db, { shop: reward.shop, customerId: reward.customerId, kind, exceptRewardId: reward.id }),
  };
}

export interface CancelRewardInput {
  shop: string;
  rewardId: string;
  /** Why, in the merchant's words (kept in the reward's history). */
  reason?: string | null;
}

export type CancelErrorCode = "not_found" | "not_cancelable" | "shopify_error";

export interface CancelError extends Problem<CancelErrorCode> {
  /** Plain language for the merchant: what happened, the reward's state now, what to do. */
  message: string;
  reason?: FailureReason;
}

/** What is left in Shopify after the cancel. */
export type ShopifyCleanup =
  /** The code was deactivated (or never existed / was already gone). */
  | "done"
  /** A worker is generating the reward right now; it deactivates what it makes, and the sweep re-checks. */
  | "worker_will_remove"
  /** Shopify could not be reached; the worker keeps trying in the background. */
  | "retrying"
  /**
   * The removal kept failing for CODE_REMOVAL_RETRY_DAYS (or failed again when the merchant retried
   * it after that): the app no longer tries, and the code may still work in Shopify.
   */
  | "gave_up";

export type CancelResult = Result<
  { reward: RewardView; alreadyCanceled: boolean; pointsRefunded: number; shopify: ShopifyCleanup; message: string },
  CancelError
>;

const SHOPIFY_TIMEOUT_MS = 15_000;

async function accessFor(deps: RewardDeps, shop: string): Promise<ShopifyAccess> {
  return { graphql: await deps.adminFor(shop), options: { timeoutMs: SHOPIFY_TIMEOUT_MS, ...(deps.runOptions?.(shop) ?? {}) } };
}

function shopifyRefusal(problem: ShopifyProblem, stillStatus: string): CancelError {
  const { category, reason } = problem.classification;
  const state = `The reward is still ${stillStatus} and the customer can still use the code.`;
  if (reason === "missing_access" || reason === "app_not_authorized") {
    return { code: "shopify_error", reason, message: `The app isn't allowed to change discounts in your shop right now, so the code couldn't be deactivated. ${state} Open the app from your Shopify admin to reconnect it, then try again.` };
  }
  if (category === "permanent") {
    return { code: "shopify_error", reason, message: `Shopify refused to deactivate the code ("${shopifyMessage(problem.failure)}"). ${state}` };
  }
  if (category === "uncertain") {
    // The request reached Shopify and its answer was lost or partial: the deactivation may have run.
    return {
      code: "shopify_error",
      reason,
      message: `Shopify didn't respond properly while deactivating the code, so the code may already be deactivated. The reward is still ${stillStatus} until Shopify confirms it: please try again in a minute.`,
    };
  }
  return { code: "shopify_error", reason, message: `Shopify didn't respond properly while deactivating the code. ${state} Please try again in a minute.` };
}

/** Gives back the points of a canceled, unused redemption when the shop's option is on. */
async function refundPoints(tx: Prisma.TransactionClient, reward: Reward, note: string, now: Date): Promise<number> {
  if (reward.pointsSpent <= 0) return 0;
  const shop = await tx.shop.findUnique({ where: { domain: reward.shop } });
  if (shop && !shop.refundPointsOnCancel) return 0;
  // Through the ledger (the only writer of balances), once per reward.
  const credit = await creditPointsInTx(tx, {
    shop: reward.shop,
    customerId: reward.customerId,
    points: reward.pointsSpent,
    reason: "REDEMPTION_REFUND",
    actor: "MERCHANT",
    rewardId: reward.id,
    sourceKey: sourceKeys.redemptionRefund(reward.id),
    note,
    // A customer topped up to the limit since the redemption: the cancel stands, the points are not
    // given back, and the history says why (a PointsLimitError here rolled the cancel back after
    // Shopify had already deactivated the code).
    overLimit: "record",
    now,
  });
  return credit.type === "written" ? reward.pointsSpent : 0;
}


/**
 * The merchant cancels a reward (Issued or Pending). The code stops working in Shopify; a canceled,
 * unused points redemption gets its points back when the shop's option is on. Canceling twice is
 * not an error (`alreadyCanceled: true`). `message` / `error.message` is written for the merchant.
 *
 * @example
 *   const result = await cancelReward(deps, { shop: "example.myshopify.com", rewardId: reward.id, reason: "Sent by mistake" });
 *   if (!result.ok) toast(result.error.message); // e.g. code "not_cancelable" for a Used reward
 *   else toast(result.message); // result.shopify: "done" | "worker_will_remove" | "retrying" | "gave_up"
 */
export async function cancelReward(deps: RewardDeps, input: CancelRewardInput): Promise<CancelResult> {
  const { db, now, logger } = deps;
  // The merchant's words go to the event's note (erased with the customer by customers/redact), never
  // into the app-authored reason or the points ledger.
  const reasonText = "Canceled by the merchant";
  const merchantNote = input.reason?.trim() ? input.reason.trim() : null;

  // A few rounds: the reward can change under us (the worker issues it, a webhook marks it Used).
  for (let round = 0; round < 3; round++) {
    const reward = await db.reward.findFirst({ where: { id: input.rewardId, shop: input.shop } });
    if (!reward) return { ok: false, error: { code: "not_found", message: "This reward doesn't exist (it may have been deleted)." } };
    let refunded = 0;
    const also = async (tx: Prisma.TransactionClient) => {
      refunded = await refundPoints(tx, reward, reasonText, now());
    };

    if (reward.status === "ISSUED") {
      let access: ShopifyAccess;
      try {
        access = await accessFor(deps, reward.shop);
      } catch (error) {
        logger.warn({ err: error, shop: reward.shop }, "cancel: no Admin API access");
        return {
          ok: false,
          error: { code: "shopify_error", reason: "app_not_authorized", message: "The app can't reach your shop right now, so the code couldn't be deactivated. The reward is still Issued. Open the app from your Shopify admin, then try again." },
        };
      }
      // Say "this change is ours" before making it: Shopify sends discounts/update for the app's own
      // deactivation too, and that echo can be applied before the commit below
      // (docs/decisions/018). Only while the reward is still Issued.
      const marked = await db.reward.updateMany({ where: { id: reward.id, status: "ISSUED" }, data: { cancelRequestedAt: now() } });
      if (marked.count !== 1) continue;
      const callStartedAt = deps.now();
      const removed = await removeFromShopifyOnce(db, access, await removalTarget(db, reward), "deactivate");
      if (!removed.ok || removed.outcome === "refused") {
        // Nothing changed in Shopify for sure: the mark goes. An uncertain outcome keeps it, since
        // the deactivation may have happened and its webhook is then still the app's own.
        const certain = removed.ok || removed.error.classification.category !== "uncertain";
        if (certain) await db.reward.updateMany({ where: { id: reward.id, status: "ISSUED" }, data: { cancelRequestedAt: null } });
      }
      if (!removed.ok) {
        if (isRejectedToken(removed.error.failure)) await markAccessRevoked(db, { shop: reward.shop, since: callStartedAt, now: deps.now(), logger });
        logger.warn({ shop: reward.shop, rewardId: reward.id, failure: failureForLog(removed.error.failure) }, "cancel: Shopify refused the deactivation");
        // A marker-less kind (store credit) can't be looked up to see whether an unanswered take-back
        // happened: the merchant must check before retrying (docs/decisions/012).
        if (removed.error.classification.category === "uncertain" && kindTraits(parseRewardKind(reward.kind)).codeFormat === "reference") {
          return { ok: false, error: { code: "shopify_error", reason: removed.error.classification.reason, message: UNCONFIRMED_TAKE_BACK } };
        }
        return { ok: false, error: shopifyRefusal(removed.error, "Issued") };
      }
      if (removed.outcome === "refused") {
        // Store credit the customer already spent (Shopify: INSUFFICIENT_FUNDS): the reward stays Issued.
        return { ok: false, error: { code: "not_cancelable", message: cancelRefusedMessage(removed.message) } };
      }
      const result = await transitionReward(db, logger, {
        reward,
        to: "CANCELED",
        trigger: "MERCHANT_CANCELED",
        actor: "MERCHANT",
        reason: reasonText,
        note: merchantNote,
        dedupeKey: merchantCancelKey(reward.id),
        data: { canceledAt: now(), nextAttemptAt: null },
        also,
      });
      if (result.type === "conflict") continue;
      if (result.type === "rejected") return notCancelable(reward);
      const fresh = await db.reward.findUniqueOrThrow({ where: { id: reward.id } });
      return { ok: true, reward: toRewardView(fresh), alreadyCanceled: false, pointsRefunded: refunded, shopify: "done", message: cancelCleanupMessage("done") };
    }

    if (reward.status === "PENDING") {
      const result = await transitionReward(db, logger, {
        reward,
        to: "CANCELED",
        trigger: "MERCHANT_CANCELED",
        actor: "MERCHANT",
        reason: reasonText,
        note: merchantNote,
        // The cleanup marker: due now; cleared once Shopify is confirmed clean. A failure of its
        // attempts (kept in its history) is no longer why anything waits: while the marker stands,
        // failureCode says why the removal is retried (cleanupRewardCode), never an old attempt's reason.
        data: { canceledAt: now(), nextAttemptAt: now(), failureCode: null, failureMessage: null, failureDetail: null },
        also,
      });
      if (result.type === "conflict") continue;
      if (result.type === "rejected") return notCancelable(reward);
      const canceled = await db.reward.findUniqueOrThrow({ where: { id: reward.id } });
      const shopify = await cleanupRewardCode(deps, canceled);
      const fresh = await db.reward.findUniqueOrThrow({ where: { id: reward.id } });
      return { ok: true, reward: toRewardView(fresh), alreadyCanceled: false, pointsRefunded: refunded, shopify, message: cancelCleanupMessage(shopify, fresh.failureCode, parseRewardKind(fresh.kind)) };
    }

    if (reward.status === "CANCELED") {
      // Repeating a cancel is a no-op, except that it retries an unfinished Shopify cleanup now —
      // also one the app stopped retrying (codeRemovalGaveUpAt): the merchant's way to try again
      // once the cause is fixed. That retry is one call: if it fails, the reward stays given up.
      const shopify = reward.nextAttemptAt || reward.codeRemovalGaveUpAt ? await cleanupRewardCode(deps, reward) : "done";
      const fresh = await db.reward.findUniqueOrThrow({ where: { id: reward.id } });
      return { ok: true, reward: toRewardView(fresh), alreadyCanceled: true, pointsRefunded: 0, shopify, message: cancelCleanupMessage(shopify, fresh.failureCode, parseRewardKind(fresh.kind)) };
    }

    // USED or FAILED: record the rejected request in the history, explain why.
    await transitionReward(db, logger, { reward, to: "CANCELED", trigger: "MERCHANT_CANCELED", actor: "MERCHANT", reason: reasonText, note: merchantNote });
    return notCancelable(reward);
  }
  return {
    ok: false,
    error: { code: "shopify_error", message: "The reward kept changing while it was being canceled. Reload the page to see its current status, then try again." },
  };
}

/** The merchant's cancel of an Issued reward is recorded once, whoever commits it (the cancel or its completion). */
const merchantCancelKey = (rewardId: string) => `merchant-cancel:${rewardId}`;

/**
 * How long a cancel may be between "deactivate in Shopify" and its commit. Within it, a webhook for
 * the reward's discount is the cancel's own echo and waits for the cancel; after it, the cancel is
 * taken to have stopped half-way (process died) and is completed by `completeInterruptedCancel`.
 */
export const CANCEL_IN_FLIGHT_MS = 2 * SHOPIFY_TIMEOUT_MS + 30_000;

/** Whether a reward's own cancel is deactivating it in Shopify right now (see CANCEL_IN_FLIGHT_MS). */
export function cancelInFlight(reward: Pick<Reward, "status" | "cancelRequestedAt">, now: Date): boolean {
  return reward.status === "ISSUED" && reward.cancelRequestedAt !== null && now.getTime() - reward.cancelRequestedAt.getTime() < CANCEL_IN_FLIGHT_MS;
}

/**
 * A merchant's cancel that deactivated the code in Shopify but never committed (the process died,
 * or Shopify's answer was lost): Shopify now reports the code deactivated or deleted. The reward
 * becomes Canceled with the merchant as actor and the merchant's reason — never "changed in
 * Shopify" — and its points are refunded as the cancel would have (docs/decisions/018).
 */
export async function completeInterruptedCancel(
  deps: Pick<RewardDeps, "db" | "logger">,
  input: { rewardId: string; now: Date; actorDetail: "webhook" | "reconciliation" },
): Promise<"canceled" | "unchanged"> {
  const { db, logger } = deps;
  const reward = await db.reward.findUnique({ where: { id: input.rewardId } });
  if (!reward || reward.status !== "ISSUED" || !reward.cancelRequestedAt) return "unchanged";
  const result = await transitionReward(db, logger, {
    reward,
    to: "CANCELED",
    trigger: "MERCHANT_CANCELED",
    actor: "MERCHANT",
    reason: `Canceled by the merchant (the code was deactivated in Shopify; the cancel was completed from the ${input.actorDetail === "webhook" ? "webhook Shopify sent for it" : "periodic check"})`,
    dedupeKey: merchantCancelKey(reward.id),
    data: { canceledAt: input.now, nextAttemptAt: null },
    also: async (tx) => {
      await refundPoints(tx, reward, "Canceled by the merchant", input.now);
    },
  });
  return result.type === "applied" ? "canceled" : "unchanged";
}

function notCancelable(reward: Reward): CancelResult {
  const message =
    reward.status === "USED"
      ? "This reward was already used on a completed order, so it can't be canceled."
      : reward.status === "FAILED"
        ? "This reward was never created in Shopify (it failed), so there is nothing to cancel. The customer never saw it."
        : "This reward can't be canceled in its current state.";
  return { ok: false, error: { code: "not_cancelable", message } };
}

/**
 * How long the app keeps retrying a failed removal of a Canceled (or Failed) reward's code, counted
 * from the cancel (a Failed reward: from when it failed). 7 days: Shopify's outages and rate limits
 * pass within hours, so what is still failing after a week is a cause only the merchant can fix —
 * access taken away, the app to reconnect (ACCESS_FAILURE_REASONS) or a refusal Shopify repeats —
 * and a week leaves a merchant who opens the app weekly time to see "Removing the code" and fix it
 * while the app still retries. At the 6-hour cap of cleanupRetryAt that is about 30 tries; more
 * would not change the outcome, and until the app stops the merchant is never told the code may
 * stay live for good. After it, the reward's note says the code may still work and to deactivate it
 * in Shopify's admin (rewardStatusNote); a repeated cancel tries once more.
 */
export const CODE_REMOVAL_RETRY_DAYS = 7;
const CODE_REMOVAL_RETRY_MS = CODE_REMOVAL_RETRY_DAYS * 24 * 3_600_000;

/** When the removal of a reward's code started to be needed: its cancel, or the moment it failed. */
async function removalNeededSince(db: DbClient, reward: Reward): Promise<Date> {
  if (reward.status === "CANCELED" && reward.canceledAt) return reward.canceledAt;
  const failed = await db.rewardEvent.findFirst({
    where: { rewardId: reward.id, type: "STATUS_CHANGED", toStatus: "FAILED" },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { createdAt: true },
  });
  return failed?.createdAt ?? reward.canceledAt ?? reward.createdAt;
}

/** When to look again after a failed cleanup: half the time since the cancel (or creation), between 1 min and 6 h. */
export function cleanupRetryAt(reward: Pick<Reward, "canceledAt" | "createdAt">, now: Date): Date {
  const since = now.getTime() - (reward.canceledAt ?? reward.createdAt).getTime();
  return new Date(now.getTime() + Math.min(6 * 3_600_000, Math.max(60_000, since / 2)));
}

/**
 * Deactivates whatever a CANCELED (or FAILED) reward's code has in Shopify and settles the cleanup
 * marker (`nextAttemptAt` on a reward that is no longer Pending means "Shopify not confirmed clean
 * yet"; the worker sweeps those). `claimedBy`: the worker calling this while holding the reward's
 * claim (its own claim is not "a worker still generating it").
 */
export async function cleanupRewardCode(deps: RewardDeps, reward: Reward, options: { claimedBy?: string } = {}): Promise<ShopifyCleanup> {
  const { db, now, logger } = deps;
  const log = logger.child({ shop: reward.shop, rewardId: reward.id });
  // `failed`: why the removal of a Canceled reward's code is being retried, kept as its failureCode:
  // the Status column says it under the badge while the marker stands (rewardStatusNote). A Failed
  // reward keeps the reason it failed for, and one changed in Shopify says so.
  const noteWhy = reward.status === "CANCELED" && reward.failureCode !== CHANGED_IN_SHOPIFY_CODE;
  // `gaveUp`: the removal is no longer retried (CODE_REMOVAL_RETRY_DAYS); any other settle either
  // keeps retrying or is clean, and clears it (a repeated cancel's retry that succeeded).
  const settle = (nextAttemptAt: Date | null, failed?: FailureReason, gaveUp: Date | null = null) =>
    db.reward.updateMany({
      where: { id: reward.id, status: { in: ["CANCELED", "FAILED"] } },
      data: {
        nextAttemptAt,
        codeRemovalGaveUpAt: gaveUp,
        ...(failed && noteWhy ? { failureCode: failed, failureMessage: null, failureDetail: null } : {}),
        ...(options.claimedBy ? { claimedBy: null, claimedUntil: null } : {}),
      },
    });

  // Nothing was ever sent to Shopify for it: the worker counts an attempt before each create, in an
  // update fenced on the reward being Pending and held by it (generate-pending.server.ts), and this
  // reward (read after it left Pending) is no longer Pending, so no attempt can start any more. No
  // call then: a Pending reward canceled before its first attempt is clean even while Shopify is out
  // of reach or the shop's access to its kind was taken away (app/scopes_update), where the look
  // could only fail, again and again in the background.
  if (reward.attempts === 0 && (reward.status === "CANCELED" || reward.status === "FAILED")) {
    await settle(null);
    return "done";
  }

  let removed;
  try {
    const access = await accessFor(deps, reward.shop);
    removed = await removeFromShopifyOnce(deps.db, access, await removalTarget(deps.db, reward), "deactivate");
  } catch (error) {
    log.warn({ err: error }, "cleanup of a reward's code: no Admin API access");
    removed = null;
  }
  if (!removed || !removed.ok) {
    const reason: FailureReason = removed ? removed.error.classification.reason : "app_not_authorized";
    // Stop after CODE_REMOVAL_RETRY_DAYS, or at once when the app had already stopped (the
    // merchant's repeated cancel is one more try, not a new week of retries).
    const since = await removalNeededSince(db, reward);
    if (reward.codeRemovalGaveUpAt || now().getTime() - since.getTime() >= CODE_REMOVAL_RETRY_MS) {
      log.warn({ failure: removed ? failureForLog(removed.error.failure) : null, reason }, "cleanup of a reward's code kept failing; the app stops retrying");
      const stopped = await settle(null, reason, now());
      if (stopped.count === 1) {
        // The history says when and why, with the removal's own reason as data (a Failed reward's
        // failureCode stays the reason it failed for).
        await recordEvent(db, {
          rewardId: reward.id,
          shop: reward.shop,
          type: "NOTE",
          // The worker's retry, or the merchant's (a repeated cancel: no claim).
          actor: options.claimedBy ? "WORKER" : "MERCHANT",
          reason: codeRemovalGaveUpReason(reason, parseRewardKind(reward.kind)),
          reasonCode: reason,
          shopifyError: removed ? { failure: removed.error.failure, detail: removed.error.detail } : null,
        });
      }
      return "gave_up";
    }
    if (removed) log.warn({ failure: failureForLog(removed.error.failure) }, "cleanup of a reward's code failed; will retry");
    await settle(cleanupRetryAt(reward, now()), reason);
    return "retrying";
  }

  // A worker that claimed the reward before the cancel may still be creating the code. It
  // deactivates what it creates, but if it died in between only a later look can tell: keep the
  // marker until its lease has run out.
  const current = await db.reward.findUnique({ where: { id: reward.id }, select: { claimedBy: true, claimedUntil: true } });
  const workerBusy =
    current?.claimedBy && current.claimedBy !== options.claimedBy && current.claimedUntil && current.claimedUntil.getTime() > now().getTime();
  if (workerBusy) {
    await settle(current.claimedUntil);
    return "worker_will_remove";
  }
  // Nothing found, but an attempt gave up on its create (a timeout, a lost answer) less than
  // LATE_LANDING_MS ago: that create may still land after this look. Keep the marker until it can't.
  if (removed.outcome === "not_found") {
    const lastAttempt = await db.rewardEvent.findFirst({
      where: { rewardId: reward.id, type: "ATTEMPT_FAILED" },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { createdAt: true },
    });
    const landedBy = lastAttempt ? new Date(lastAttempt.createdAt.getTime() + LATE_LANDING_MS) : null;
    if (landedBy && landedBy.getTime() > now().getTime()) {
      await settle(landedBy);
      return "worker_will_remove";
    }
  }
  await settle(null);
  if (removed.outcome === "removed") log.info({ status: reward.status }, "deactivated the code of a reward that is no longer usable");
  return "done";
}
