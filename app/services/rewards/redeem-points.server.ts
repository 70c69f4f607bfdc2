// Synchronous generation: a customer spends points on a reward while they wait.
//
//   success → the code exists in Shopify, and ONE transaction debits the points, saves the reward
//             as Issued with its event and ledger row, and completes the redemption;
//   failure → no reward row, no points spent, a message the customer can understand.
//
// The Redemption row is the intent log, keyed by the client's idempotency key (its states and moves:
// app/domain/rewards/redemptions.ts; every write to it: redemption-log.server.ts):
//   1. look it up: COMPLETED → same reward again; FAILED/ABANDONED → same failure; IN_PROGRESS with a
//      live lease → wait briefly for its outcome; IN_PROGRESS with an expired lease → take it over
//      (compare-and-set on leaseUntil) and resume with the SAME code. None → insert one
//      (IN_PROGRESS, code chosen now, lease) — a unique violation means a twin request won: look again.
//   2. per-customer mutex (Customer.redemptionLockKey/Until): one redemption at a time per customer;
//   3. balance check; 4. create in Shopify (adopting our code after an uncertain outcome);
//   5. the commit transaction, fenced by the lease. If it fails after Shopify created the code, the
//      code is deleted (gift cards: deactivated) and the redemption is marked FAILED.
// A process that dies half-way leaves an IN_PROGRESS row; a repeat of the request resumes it, and
// `recoverAbandonedRedemptions` (recover-redemptions.server.ts, a periodic task of the worker) removes
// the orphaned code and marks it ABANDONED.
import { amountsNeedReview } from "~/domain/currency";
import { shopCurrencyOf } from "~/services/lifecycle/amount-currency.server";
import type { Customer, Prisma, Redemption, RewardTemplate } from "@prisma/client";
import { checkPointsChoice, failureForLog, codeKey, isRetryableForCustomer, variableOf, onRepeatedRequest, parseFailureReason, parseRedemptionState, type FailureReason } from "~/domain/rewards";
import { customerMessage, redemptionMessage, type RedemptionReason } from "~/copy/storefront";
import type { Problem, Result } from "~/domain/result";
import type { RewardDeps } from "./deps.server";
import { recordEvent } from "./events.server";
import { sourceKeys } from "~/domain/points";
import { debitPointsInTx, InsufficientPointsError } from "~/services/points/ledger.server";
import { isRejectedToken, markAccessRevoked } from "~/services/lifecycle/lifecycle.server";
import {
  completeRedemption,
  failRedemption,
  leaveRedemptionForRecovery,
  lockCustomerForRedemption,
  recordTakeBack,
  renewRedemptionLease,
  startRedemption,
  TAKE_BACK_STARTED,
  takeOverRedemption,
  withdrawTakeBack,
} from "./redemption-log.server";
import { checkAvailability, generateInShopify, removeOnce, takeBackDuplicate, type ShopifyAccess } from "./generate.server";
import {
  chooseCode,
  claimedShopifyIds,
  InvalidTemplateError,
  inTransaction,
  rewardTitle,
  settingsFromTemplate,
  toRewardView,
  type RewardSettings,
  type RewardView,
} from "./repository.server";

export interface RedeemPointsInput {
  shop: string;
  /** gid://shopify/Customer/… — from the app proxy's signed logged_in_customer_id. */
  customerGid: string;
  templateId: string;
  /** Chosen by the client per redemption attempt; repeating it returns the same outcome. */
  idempotencyKey: string;
  /**
   * Variable options only: how many points the customer chose to convert. Checked here against the
   * option (range and step, app/domain/rewards/options.ts); the reward's value is computed
   * from it, never taken from the client. Must be absent (or equal the cost) for a fixed option.
   */
  points?: number;
}

export interface RedeemOptions {
  /** How long one process owns an in-progress redemption (default 60 s). */
  leaseMs?: number;
  /** How long a twin request waits for the first one's outcome (default 10 s). */
  waitForConcurrentMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Timeout of each Admin API call (default 10 s; the customer is waiting). */
  shopifyTimeoutMs?: number;
  /**
   * Dependency injection into the commit transaction: runs after all of its writes, before it
   * commits. Throwing rolls the whole commit back (used to prove compensation).
   */
  inCommit?: (tx: Prisma.TransactionClient, context: { redemptionId: string; rewardId: string }) => Promise<void>;
}

export type RedeemErrorCode =
  | "invalid_request"
  | "invalid_points"
  | "customer_not_found"
  | "reward_unavailable"
  | "insufficient_points"
  | "redemption_in_progress"
  | "idempotency_key_reused"
  | "gift_cards_unavailable"
  /** The shop has not granted the app the access this kind of reward needs (an optional scope). */
  | "reward_kind_unavailable"
  /** The option's amounts were saved in another currency than the shop sells in now (docs/decisions/015). */
  | "amount_in_other_currency"
  | "shopify_error"
  | "save_failed"
  | "abandoned";

export interface RedeemError extends Problem<RedeemErrorCode> {
  /** One plain sentence for the customer. Never Shopify's raw text. */
  message: string;
  /** Stored reason code (a FailureReason for Shopify problems). */
  reason: string;
  /** Trying again (with a new idempotency key) may succeed. */
  retryable: boolean;
}

export interface RedeemedReward extends RewardView {
  /** The customer's balance now. */
  pointsBalance: number;
}

export type RedeemResult = Result<{ reward: RedeemedReward; replayed: boolean }, RedeemError>;

/** Reasons stored in Redemption.errorReason besides the Shopify ones in app/domain/rewards/failures.ts (words: app/copy/storefront.ts). */
type LocalReason = RedemptionReason;

const LOCAL: Record<LocalReason, { code: RedeemErrorCode; retryable: boolean }> = {
  invalid_request: { code: "invalid_request", retryable: false },
  invalid_points: { code: "invalid_points", retryable: false },
  reward_unavailable: { code: "reward_unavailable", retryable: false },
  insufficient_points: { code: "insufficient_points", retryable: false },
  redemption_in_progress: { code: "redemption_in_progress", retryable: true },
  idempotency_key_reused: { code: "idempotency_key_reused", retryable: false },
  save_failed: { code: "save_failed", retryable: true },
  abandoned: { code: "abandoned", retryable: true },
};

const STILL_RUNNING: RedeemError = {
  code: "redemption_in_progress",
  reason: "redemption_in_progress",
  message: "Your reward is still being created. Please wait a moment and refresh the page.",
  retryable: true,
};

function errorFor(reason: string): RedeemError {
  if (reason in LOCAL) return { ...LOCAL[reason as LocalReason], reason, message: redemptionMessage(reason as LocalReason) };
  const failureReason: FailureReason = parseFailureReason(reason);
  const code: RedeemErrorCode =
    failureReason === "gift_cards_unavailable"
      ? "gift_cards_unavailable"
      : failureReason === "scope_not_granted"
        ? "reward_kind_unavailable"
        : failureReason === "customer_not_found"
          ? "customer_not_found"
          : failureReason === "amount_in_other_currency"
            ? "amount_in_other_currency"
            : "shopify_error";
  return { code, reason: failureReason, message: customerMessage(failureReason), retryable: isRetryableForCustomer(failureReason) };
}

const fail = (reason: string): RedeemResult => ({ ok: false, error: errorFor(reason) });

const DEFAULTS = { leaseMs: 60_000, waitForConcurrentMs: 10_000, pollMs: 100, shopifyTimeoutMs: 10_000 };
/** How long one process owns an in-progress redemption unless told otherwise (also the recovery sweep's lease). */
export const DEFAULT_REDEMPTION_LEASE_MS = DEFAULTS.leaseMs;
const sleepReal = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Deps = RewardDeps & RedeemOptions;

interface Context {
  deps: Deps;
  input: RedeemPointsInput;
  leaseMs: number;
}

const KEY = /^[\x21-\x7e]{8,200}$/;

/**
 * A customer spends points on a reward and gets its code while they wait (storefront, app proxy).
 * Creates the code in Shopify, then debits the points and saves the Issued reward in one
 * transaction; on any failure nothing is spent and `error.message` is one sentence for the customer.
 * Repeating the same `idempotencyKey` returns the same outcome (`replayed: true`), never a second code.
 *
 * @example
 *   const deps = await defaultRewardDeps(); // app/services/rewards/deps.server.ts
 *   const result = await redeemPoints(deps, {
 *     shop: "example.myshopify.com",
 *     customerGid: "gid://shopify/Customer/1001",
 *     templateId: template.id,            // an active POINTS_REDEMPTION RewardTemplate
 *     idempotencyKey: crypto.randomUUID(), // one per attempt, chosen by the client
 *   });
 *   if (result.ok) show(result.reward.code, result.reward.pointsBalance);
 *   else show(result.error.message); // e.g. code "insufficient_points"
 */
export async function redeemPoints(deps: Deps, input: RedeemPointsInput): Promise<RedeemResult> {
  const { db, now } = deps;
  if (!KEY.test(input.idempotencyKey ?? "") || !input.templateId || !/^gid:\/\/shopify\/Customer\/\d+$/.test(input.customerGid ?? "")) {
    return fail("invalid_request");
  }
  const ctx: Context = { deps, input, leaseMs: deps.leaseMs ?? DEFAULTS.leaseMs };
  const pollMs = deps.pollMs ?? DEFAULTS.pollMs;
  // Bounded by poll count, not by the injected clock, so a frozen test clock cannot hang a request.
  let pollsLeft = Math.ceil((deps.waitForConcurrentMs ?? DEFAULTS.waitForConcurrentMs) / pollMs);
  const sleep = deps.sleep ?? sleepReal;

  // Each round either finishes or waits a poll; the cap only guards against a row that keeps
  // changing under us (takeovers racing each other).
  for (let round = 0; round < 200; round++) {
    const existing = await db.redemption.findUnique({ where: { shop_idempotencyKey: { shop: input.shop, idempotencyKey: input.idempotencyKey } } });
    if (!existing) {
      const started = await start(ctx);
      if (started === "twin_inserted") continue;
      return started;
    }

    const customer = await db.customer.findUnique({ where: { id: existing.customerId } });
    if (existing.templateId !== input.templateId || customer?.shopifyCustomerId !== input.customerGid || !samePoints(existing, input)) {
      return fail("idempotency_key_reused");
    }

    const outcome = onRepeatedRequest(parseRedemptionState(existing.state), existing.leaseUntil, now());
    if (outcome === "replay_reward") return replay(ctx, existing);
    if (outcome === "repeat_failure") return fail(existing.errorReason ?? "unknown");
    if (outcome === "wait") {
      if (pollsLeft-- <= 0) return { ok: false, error: STILL_RUNNING };
      await sleep(pollMs);
      continue;
    }
    // Its owner died or gave up waiting on Shopify: take it over, resuming with the same code.
    const lease = new Date(now().getTime() + ctx.leaseMs);
    if (!(await takeOverRedemption(db, existing, lease))) continue;
    deps.logger.info({ shop: input.shop, redemptionId: existing.id }, "resuming an interrupted redemption");
    // Left for recovery (a reason recorded) is left by an owner that stopped waiting, at its lease's
    // end: a create it sent may still land after that (generateInShopify, `unsettledSince`).
    return run(ctx, { ...existing, leaseUntil: lease }, true, existing.errorReason !== null ? existing.leaseUntil : null);
  }
  return { ok: false, error: STILL_RUNNING };
}

async function start(ctx: Context): Promise<RedeemResult | "twin_inserted"> {
  const { db, now } = ctx.deps;
  const { shop, customerGid, templateId, idempotencyKey } = ctx.input;
  const customer = await db.customer.findUnique({ where: { shop_shopifyCustomerId: { shop, shopifyCustomerId: customerGid } } });
  if (!customer) return fail("customer_not_found");
  const template = await db.rewardTemplate.findFirst({ where: { id: templateId, shop } });
  const checked = checkTemplate(template, ctx.input.points, await shopCurrencyOf(db, shop));
  if (!checked.ok) return fail(checked.reason);

  const redemption = await startRedemption(db, {
    shop,
    customerId: customer.id,
    idempotencyKey,
    templateId,
    points: checked.variable ? checked.cost : null,
    code: chooseCode(checked.settings.kind, checked.settings.codePrefix, ctx.deps.random),
    leaseUntil: new Date(now().getTime() + ctx.leaseMs),
  });
  if (redemption === "twin_inserted") return redemption;
  return run(ctx, redemption, false);
}

/** A repeat of a variable redemption must ask for the same points (a fixed one sends none, or the cost). */
function samePoints(existing: Redemption, input: RedeemPointsInput): boolean {
  return existing.points === null || existing.points === input.points;
}

/**
 * The option as it is now, and what this redemption costs: the option's cost, or — for a variable
 * option — the customer's points, checked against its range and step (the client's number is only
 * a request). Its settings carry the value those points buy.
 */
function checkTemplate(
  template: RewardTemplate | null,
  points: number | null | undefined,
  shopCurrency: string,
): { ok: true; template: RewardTemplate; settings: RewardSettings; cost: number; variable: boolean } | { ok: false; reason: "reward_unavailable" | "invalid_points" | "amount_in_other_currency" } {
  if (!template || !template.active || template.purpose !== "POINTS_REDEMPTION" || !template.pointsCost || template.pointsCost < 1) {
    return { ok: false, reason: "reward_unavailable" };
  }
  // Amounts saved in another currency than the shop sells in now (docs/decisions/015): "$5 off" is
  // not made "¥5 off"; refused before anything is spent until the merchant confirms them.
  if (amountsNeedReview(template.amountCurrency, shopCurrency)) return { ok: false, reason: "amount_in_other_currency" };
  const variable = variableOf(template);
  if (variable) {
    const choice = checkPointsChoice(variable, points);
    if (!choice.ok) return { ok: false, reason: "invalid_points" };
  } else if (points !== undefined && points !== null && points !== template.pointsCost) {
    return { ok: false, reason: "invalid_points" };
  }
  try {
    const cost = variable ? (points as number) : template.pointsCost;
    return { ok: true, template, settings: settingsFromTemplate(template, variable ? cost : null), cost, variable: variable !== null };
  } catch (error) {
    if (error instanceof InvalidTemplateError) return { ok: false, reason: "reward_unavailable" };
    throw error;
  }
}

async function replay(ctx: Context, redemption: Redemption): Promise<RedeemResult> {
  const reward = redemption.rewardId ? await ctx.deps.db.reward.findUnique({ where: { id: redemption.rewardId } }) : null;
  if (!reward) return fail("unknown");
  const customer = await ctx.deps.db.customer.findUnique({ where: { id: reward.customerId } });
  return { ok: true, replayed: true, reward: { ...toRewardView(reward), pointsBalance: customer?.pointsBalance ?? 0 } };
}

/** Ends a redemption as FAILED (fenced by our lease) and releases the customer's lock. */
async function finishFailed(ctx: Context, redemption: Redemption, reason: string): Promise<RedeemResult> {
  await failRedemption(ctx.deps.db, redemption, reason);
  return fail(reason);
}

class LostLease extends Error {}
class NotEnoughPoints extends Error {}

async function run(ctx: Context, redemption: Redemption, resumed: boolean, unsettledSince: Date | null = null): Promise<RedeemResult> {
  const { db, now, logger } = ctx.deps;
  const { shop } = ctx.input;
  const log = logger.child({ shop, redemptionId: redemption.id });
  // A resumed redemption given up before it sends a create is left as of when the earlier create was
  // given up on: a repeat of the request never moves the moment that create can no longer land.
  const leaveUnsent = (reason: string) => leaveForRecovery(ctx, redemption, reason, unsettledSince ?? now());

  if (resumed && redemption.errorReason === TAKE_BACK_STARTED) {
    // Its store credit was (or is being) debited back by a process that died before its commit:
    // adopting that credit would spend points on nothing. The recovery sweep finishes it.
    await leaveRedemptionForRecovery(db, redemption, TAKE_BACK_STARTED, unsettledSince ?? now());
    return fail("abandoned");
  }
  const template = await db.rewardTemplate.findFirst({ where: { id: redemption.templateId, shop } });
  // The points recorded when the redemption started (the option may have changed since: re-checked).
  // The shop's currency, read once: the option's amounts are checked in it, and the reward is made in
  // it unless the kind's adapter reports another (below).
  const shopCurrency = await shopCurrencyOf(db, shop);
  const checked = checkTemplate(template, redemption.points, shopCurrency);
  // A resumed redemption may have created the code already: let recovery clean that up.
  if (!checked.ok) return resumed ? leaveUnsent(checked.reason) : finishFailed(ctx, redemption, checked.reason);
  const { settings, cost } = checked;

  // (2) One redemption at a time per customer. Our own key may re-enter (a takeover).
  const lockUntil = new Date(now().getTime() + ctx.leaseMs);
  if (!(await lockCustomerForRedemption(db, redemption, now(), lockUntil))) {
    return resumed ? leaveUnsent("redemption_in_progress") : finishFailed(ctx, redemption, "redemption_in_progress");
  }

  // (3) Balance. The debit in the commit re-checks it atomically.
  const customer = (await db.customer.findUnique({ where: { id: redemption.customerId } })) as Customer;
  if (customer.pointsBalance < cost) {
    return resumed ? leaveUnsent("insufficient_points") : finishFailed(ctx, redemption, "insufficient_points");
  }

  let access: ShopifyAccess;
  try {
    access = {
      graphql: await ctx.deps.adminFor(shop),
      options: { timeoutMs: ctx.deps.shopifyTimeoutMs ?? DEFAULTS.shopifyTimeoutMs, ...(ctx.deps.runOptions?.(shop) ?? {}) },
    };
  } catch (error) {
    log.error({ err: error }, "no Admin API access for the shop");
    return resumed ? leaveUnsent("app_not_authorized") : finishFailed(ctx, redemption, "app_not_authorized");
  }

  // Only kinds the shop can have right now (e.g. gift cards need the plan/country feature); the
  // kind's adapter decides, and may report the shop's currency on the way.
  let currency = shopCurrency;
  const availability = await checkAvailability(access, settings.kind);
  if (!availability.ok) {
    log.warn({ failure: failureForLog(availability.error.failure) }, "could not read the shop's features");
    return resumed ? leaveUnsent("shop_unavailable") : finishFailed(ctx, redemption, "shop_unavailable");
  }
  if (!availability.data.available) return resumed ? leaveUnsent(availability.data.reason) : finishFailed(ctx, redemption, availability.data.reason);
  currency = availability.data.currency ?? currency;

  // (4) Shopify. The reward row will get the redemption's id, so the tag names the reward.
  const spec = {
    rewardId: redemption.id,
    kind: settings.kind,
    code: redemption.code,
    title: rewardTitle(settings),
    customerGid: customer.shopifyCustomerId,
    currency,
    settings,
    notBefore: redemption.createdAt,
    claimedIds: await claimedShopifyIds(db, { shop, customerId: customer.id, kind: settings.kind, exceptRewardId: redemption.id }),
  };
  const callStartedAt = now();
  const generated = await generateInShopify(access, spec, { now: now(), lookupFirst: resumed, unsettledSince });
  if (!generated.ok) {
    // A rejected token is the shop's problem, not this redemption's: mark it so the worker pauses
    // the shop and the next admin load exchanges a fresh one (app/services/lifecycle).
    if (isRejectedToken(generated.error.failure)) await markAccessRevoked(db, { shop, since: callStartedAt, now: now(), logger: log });
    log.warn({ failure: failureForLog(generated.error.failure), reason: generated.error.classification.reason }, "redemption: Shopify did not create the reward");
    // Left as of when the earlier create was given up on, when this attempt sent none: a repeat of
    // the request never moves the moment that create can no longer land.
    if (generated.error.codeMayExist) {
      const leftAt = generated.error.createSent === false && unsettledSince ? unsettledSince : now();
      return leaveForRecovery(ctx, redemption, generated.error.classification.reason, leftAt);
    }
    return finishFailed(ctx, redemption, generated.error.classification.reason);
  }

  // (5) Commit.
  const issuedAt = now();
  try {
    const balanceAfter = await inTransaction(db, async (tx) => {
      // Fence: only the current lease holder may complete (a slow owner whose lease expired and was
      // taken over must not commit a second time).
      if (!(await completeRedemption(tx, redemption, redemption.id))) throw new LostLease();
      // The debit goes through the ledger (the only writer of balances): all of the cost from the
      // available balance, re-checked under the customer's row lock, or nothing.
      let debit;
      try {
        debit = await debitPointsInTx(tx, {
          shop,
          customerId: customer.id,
          points: cost,
          mode: "require",
          reason: "REDEMPTION",
          actor: "CUSTOMER",
          rewardId: redemption.id,
          sourceKey: sourceKeys.redemption(redemption.id),
          note: spec.title,
          now: issuedAt,
          customerData: { redemptionLockKey: null, redemptionLockUntil: null },
        });
      } catch (error) {
        if (error instanceof InsufficientPointsError) throw new NotEnoughPoints();
        throw error;
      }
      if (debit.type !== "written") throw new Error("the redemption's points were already debited");
      const after = debit.entry.balanceAfter;
      await tx.reward.create({
        data: {
          id: redemption.id,
          shop,
          customerId: customer.id,
          customerGid: customer.shopifyCustomerId,
          customerName: customer.displayName || null,
          customerEmail: customer.email,
          source: "POINTS_REDEMPTION",
          kind: settings.kind,
          value: settings.value,
          currency,
          title: spec.title,
          code: redemption.code,
          codeKey: codeKey(redemption.code),
          shopifyId: generated.shopifyId,
          status: "ISSUED",
          attempts: 1,
          issuedAt,
          expiresAt: generated.expiresAt,
          pointsSpent: cost,
          templateId: redemption.templateId,
          settings: JSON.stringify(settings),
          idempotencyKey: redemption.idempotencyKey,
        },
      });
      await recordEvent(tx, {
        rewardId: redemption.id,
        shop,
        type: "CREATED",
        actor: "CUSTOMER",
        toStatus: "ISSUED",
        reason: `Redeemed ${cost} points; ${generated.adopted ? "adopted the code an interrupted attempt had created" : "created"} in Shopify`,
      });
      await ctx.deps.inCommit?.(tx, { redemptionId: redemption.id, rewardId: redemption.id });
      return after;
    });
    const reward = await db.reward.findUniqueOrThrow({ where: { id: redemption.id } });
    log.info({ rewardId: reward.id, cost, balanceAfter }, "points redeemed");
    return { ok: true, replayed: false, reward: { ...toRewardView(reward), pointsBalance: balanceAfter } };
  } catch (error) {
    if (error instanceof LostLease) {
      // Someone resumed this redemption after our lease ran out; they adopt the same code. Leave
      // Shopify alone and report whatever they end with — unless they committed another object:
      // store credit has no code Shopify could refuse, so a resumption whose lookup ran before our
      // credit landed credits again. Ours is then the duplicate (docs/decisions/010, addendum).
      log.warn("redemption lease lost before commit; another process finishes it");
      const current = await outcomeOf(ctx, redemption.id);
      const state = current ? parseRedemptionState(current.state) : "IN_PROGRESS";
      if (current && state === "COMPLETED") {
        const committed = await db.reward.findUnique({ where: { id: redemption.id }, select: { shopifyId: true } });
        if (committed && committed.shopifyId !== generated.shopifyId) {
          await takeBackDuplicate({ db, logger: log }, access, {
            reward: { id: redemption.id, shop, kind: settings.kind, code: redemption.code },
            generated,
            recorded: committed.shopifyId,
            who: "A redemption attempt outlived its lease and a repeat of the request completed it meanwhile",
            actor: "SYSTEM",
          });
        }
        return replay(ctx, current);
      }
      if (current && (state === "FAILED" || state === "ABANDONED")) return fail(current.errorReason ?? "unknown");
      return { ok: false, error: STILL_RUNNING };
    }
    const reason = error instanceof NotEnoughPoints ? "insufficient_points" : "save_failed";
    if (reason === "save_failed") log.error({ err: error }, "redemption commit failed after Shopify created the code; compensating");
    return compensate(ctx, redemption, access, { ...spec, shopifyId: generated.shopifyId }, reason);
  }
}

/**
 * The redemption as whoever took it over leaves it: re-read until it is no longer IN_PROGRESS, for
 * at most the time a twin request waits (`waitForConcurrentMs`), bounded by poll count as there.
 */
async function outcomeOf(ctx: Context, id: string): Promise<Redemption | null> {
  const pollMs = ctx.deps.pollMs ?? DEFAULTS.pollMs;
  const sleep = ctx.deps.sleep ?? sleepReal;
  let pollsLeft = Math.ceil((ctx.deps.waitForConcurrentMs ?? DEFAULTS.waitForConcurrentMs) / pollMs);
  for (;;) {
    const current = await ctx.deps.db.redemption.findUnique({ where: { id } });
    if (!current || parseRedemptionState(current.state) !== "IN_PROGRESS" || pollsLeft-- <= 0) return current;
    await sleep(pollMs);
  }
}

/**
 * Our code may exist in Shopify but we could not find out. The redemption stays IN_PROGRESS with its
 * lease ended: a repeat of the request resumes it (adopting the code), otherwise the recovery sweep
 * removes the code and marks it ABANDONED. Nothing was spent either way.
 */
async function leaveForRecovery(ctx: Context, redemption: Redemption, reason: string, leftAt: Date = ctx.deps.now()): Promise<RedeemResult> {
  await leaveRedemptionForRecovery(ctx.deps.db, redemption, reason, leftAt);
  return fail(reason);
}

/** The commit failed after Shopify made the code: remove it, then record the failure. */
async function compensate(
  ctx: Context,
  redemption: Redemption,
  access: ShopifyAccess,
  target: { rewardId: string; kind: RewardSettings["kind"]; code: string; shopifyId: string },
  reason: string,
): Promise<RedeemResult> {
  const { db, now, logger } = ctx.deps;
  const log = logger.child({ shop: redemption.shop, redemptionId: redemption.id });
  // Renew the lease first: if another process took the redemption over it may be adopting this
  // very code, and deleting it would pull the rug from under its commit.
  const renewed = { ...redemption, leaseUntil: new Date(now().getTime() + ctx.leaseMs) };
  let stillOurs = true;
  try {
    stillOurs = await renewRedemptionLease(db, redemption, renewed.leaseUntil);
  } catch (error) {
    // The database is failing (likely why the commit failed). Nobody can take the redemption over
    // without it either, and our lease is still running: remove the code, let recovery finish.
    log.error({ err: error }, "could not renew the redemption lease before compensating");
    renewed.leaseUntil = redemption.leaseUntil;
  }
  if (!stillOurs) return { ok: false, error: STILL_RUNNING };

  // Store credit is debited at most once per redemption (removeOnce, recorded on its row): a commit
  // of the failure that fails after the debit leaves the row for the sweep, which must not debit again.
  let removed: Awaited<ReturnType<typeof removeOnce>>;
  try {
    removed = await removeOnce(access, target, "delete", { first: () => recordTakeBack(db, renewed), withdraw: () => withdrawTakeBack(db, renewed) });
  } catch (error) {
    log.error({ err: error }, "could not record the take-back before compensating; the recovery sweep will remove the code");
    return fail(reason);
  }
  try {
    if (removed.ok) return await finishFailed(ctx, renewed, reason);
    log.error({ failure: failureForLog(removed.error.failure) }, "compensation failed; the recovery sweep will remove the code");
    return await leaveForRecovery(ctx, renewed, reason);
  } catch (error) {
    log.error({ err: error }, "could not record the failed redemption; the recovery sweep will finish it");
    return fail(reason);
  }
}
