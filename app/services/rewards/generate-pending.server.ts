// The Pending → Issued/Failed use-case: generates one claimed Pending reward in Shopify, with
// retries, exactly once. The worker loop (app/jobs/worker.server.ts) claims due rewards
// (app/jobs/claim.server.ts) and calls `processClaimedReward` for each; nothing here knows about
// polling, batches or pacing beyond the `pacer` it may be handed.
//
// Per claimed reward:
//   - re-read it; it may have been canceled (→ make sure its code is dead) or used meanwhile;
//   - shop uninstalled or its token rejected → leave it Pending, look again later (no attempt counted;
//     a 401 from Shopify pauses the shop: app/services/lifecycle/lifecycle.server.ts);
//   - count the attempt BEFORE calling Shopify (a process that dies mid-call still used one, so a
//     crash loop ends in Failed instead of looping forever) and renew the lease;
//   - generate: every attempt after the first looks the code up first and adopts our own discount
//     (a crash or lost response after Shopify's success never leads to a second one);
//   - success → PENDING→ISSUED as a compare-and-set on (status PENDING, claimedBy me). If that fails
//     because the merchant canceled meanwhile, deactivate what we just made;
//   - failure → ATTEMPT_FAILED event with Shopify's payload; permanent → FAILED now; transient or
//     uncertain → next attempt per `planRetry` (exponential backoff, jitter), FAILED after the
//     last allowed attempt.
// See docs/decisions/006-exactly-once-generation.md and 010-reward-row-as-job-queue.md.
import type { Reward, Shop } from "@prisma/client";
import { isUniqueViolation } from "~/db.server";
import { shopifyGidOf } from "~/domain/shopify-ids";
import {
  DEFAULT_RETRY_POLICY,
  failureForLog,
  kindTraits,
  parseRewardKind,
  planRetry,
  type FailureClassification,
  type FailureReason,
  type RandomFloat,
  type RetryPolicy,
  type ShopifyFailure,
} from "~/domain/rewards";
import { cleanupRewardCode } from "./cancel.server";
import type { RewardDeps, RunOptions } from "./deps.server";
import { recordEvent, recordEventOnce, shopifyErrorJson, shopifyMessage, transitionReward } from "./events.server";
import { isRejectedToken, markAccessRevoked, PAUSE_REASONS, pauseEventKey, shopWorkPause, type WorkPause } from "~/services/lifecycle/lifecycle.server";
import { createAgainFrom, generateInShopify, LATE_LANDING_MS, removeFromShopifyOnce, takeBackDuplicate, type ShopifyAccess, type ShopifyProblem } from "./generate.server";
import { claimedShopifyIds, InvalidTemplateError, parseSettings, rewardTitle, settingsFromTemplate, type RewardSettings } from "./repository.server";
import { amountsNeedReview } from "~/domain/currency";
import { amountReviewKey } from "~/services/lifecycle/amount-currency.server";
import { entryRewardThresholdsUnderReview } from "~/services/vip/threshold-review.server";

/** What one generation attempt needs to know about the process running it. */
export interface GeneratePendingConfig {
  /** The claim owner: only rows with `claimedBy` = this id are touched. */
  workerId: string;
  /** How long a claim lasts without renewal; must cover one reward's Shopify calls comfortably. */
  leaseMs: number;
  retryPolicy: RetryPolicy;
  /** Jitter source for the backoff (tests make it deterministic). */
  jitterRandom?: RandomFloat;
  /** When a shop is uninstalled, look again after this long. */
  uninstalledRetryMs: number;
  shopifyTimeoutMs: number;
}

export const DEFAULT_GENERATE_PENDING_CONFIG: Omit<GeneratePendingConfig, "workerId"> = {
  leaseMs: 5 * 60_000,
  retryPolicy: DEFAULT_RETRY_POLICY,
  uninstalledRetryMs: 6 * 3_600_000,
  shopifyTimeoutMs: 15_000,
};

/** Keeps a shop's Admin API calls within its rate-limit budget (app/jobs/pacing.server.ts's Pacer). */
export interface CallPacer {
  /** RunOptions whose `pace` waits for the shop's budget before each call. */
  runOptions(shop: string, base?: RunOptions): RunOptions;
}

export interface GeneratePendingDeps extends RewardDeps {
  pacer?: CallPacer;
  /**
   * Dependency injection at the most dangerous moment: Shopify has the code, the database does not
   * know yet. Throwing here behaves like the process dying (the claim is left to expire).
   */
  beforeIssue?: (reward: Reward) => Promise<void>;
}

export type ProcessOutcome =
  | "issued"
  | "retry_scheduled"
  | "failed"
  | "deferred_uninstalled"
  | "deferred_access_revoked"
  | "canceled_meanwhile"
  /** Waits for an older reward of the same customer and marker-less kind (olderSiblingPending). */
  | "deferred_sibling"
  /** Its amounts (or its VIP tier's) were saved in another currency than the shop's: held until confirmed (holdForAmountReview). */
  | "deferred_amount_review"
  | "cleanup"
  | "skipped";

/** A failure that never reached Shopify (no session for the shop): retry later, like a transient one. */
function noAccessProblem(error: unknown): ShopifyProblem {
  const failure: ShopifyFailure = { kind: "network", requestSent: false };
  const classification: FailureClassification = { category: "transient", reason: "app_not_authorized", retryable: true, verifyFirst: false };
  return { failure, classification, detail: { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) } };
}

function erasedCustomerProblem(): ShopifyProblem {
  const failure: ShopifyFailure = { kind: "graphql", messages: ["The customer's data was erased (customers/redact): no reward is created for them"] };
  const classification: FailureClassification = { category: "permanent", reason: "customer_not_found", retryable: false, verifyFirst: false };
  return { failure, classification, detail: null };
}

function amountsGoneProblem(savedIn: string, shopCurrency: string): ShopifyProblem {
  const failure: ShopifyFailure = {
    kind: "graphql",
    messages: [`Its amounts were saved in ${savedIn} and the shop now sells in ${shopCurrency}; the reward it came from was deleted or changed kind before its amounts were confirmed`],
  };
  const classification: FailureClassification = { category: "permanent", reason: "amount_in_other_currency", retryable: false, verifyFirst: false };
  return { failure, classification, detail: null };
}

/**
 * Which amounts a Pending reward is made with, by the one rule (amountsNeedReview):
 *   as_saved — its own (saved in the shop's currency), and for a VIP entry reward no tier giving it
 *              has its threshold under review (typed as the other basis, or in another currency);
 *   hold     — its reward (template) or a VIP tier giving it still has amounts to review;
 *   settings — its amounts are in another currency but its reward's are confirmed: re-taken from it;
 *   gone     — its amounts are in another currency and its reward was deleted or changed kind.
 */
async function amountsToUse(deps: GeneratePendingDeps, reward: Reward, shopCurrency: string): Promise<"as_saved" | "hold" | "gone" | RewardSettings> {
  const { db } = deps;
  const own = amountsNeedReview(reward.currency, shopCurrency);
  if (!own && reward.source !== "VIP_TIER_ENTRY") return "as_saved";
  const template = reward.templateId ? await db.rewardTemplate.findFirst({ where: { id: reward.templateId, shop: reward.shop } }) : null;
  // A tier giving it whose threshold is under review (its basis or currency: app/domain/vip thresholdNeedsReview).
  const tierToReview = reward.source === "VIP_TIER_ENTRY" && template !== null && (await entryRewardThresholdsUnderReview(db, reward.shop, template.id, shopCurrency));
  if (!own) return tierToReview ? "hold" : "as_saved";
  if (!template || template.kind !== reward.kind) return "gone";
  if (tierToReview || amountsNeedReview(template.amountCurrency, shopCurrency)) return "hold";
  try {
    return settingsFromTemplate(template);
  } catch (error) {
    if (error instanceof InvalidTemplateError) return "gone";
    throw error;
  }
}

/** Leaves a reward Pending (no attempt counted), looked at again later and at once when the amounts are confirmed. */
async function holdForAmountReview(deps: GeneratePendingDeps, config: GeneratePendingConfig, reward: Reward, shopCurrency: string): Promise<ProcessOutcome> {
  const left = await leavePending(
    deps,
    config,
    reward,
    {
      reason: `Held: amounts it depends on were saved in another currency than the shop sells in now (${shopCurrency}). It is created once the amounts are confirmed (the banner on Home).`,
      dedupeKey: amountReviewKey(shopCurrency),
      // What the rewards tables' Status column says of it (rewardStatusNote); cleared when it is made.
      failureCode: "amount_in_other_currency",
    },
    async () => (await amountsToUse(deps, reward, shopCurrency)) === "hold",
  );
  deps.logger.info(
    { shop: reward.shop, rewardId: reward.id },
    left === "waiting" ? "reward held until the shop's amounts are confirmed in its new currency" : "the shop's amounts were confirmed while the reward was being held; it is due now",
  );
  return "deferred_amount_review";
}

/**
 * The one way a claimed reward is put back Pending without an attempt counted (a paused shop, amounts
 * to review): unclaimed, looked at again after `uninstalledRetryMs` (or at once when what it waits
 * for is settled), and its history says why once per `dedupeKey`.
 *
 * What settles the wait makes due only the rewards no worker holds (resumeShop on a token exchange,
 * app/services/lifecycle/lifecycle.server.ts; the amounts' confirm, confirmAmountCurrency in
 * amount-currency.server.ts, which also needs this history entry). Settled between this worker's
 * look and the release below, it would skip this reward, which would then wait `uninstalledRetryMs`
 * for nothing. So once released and noted, `stillWaits` looks again; if the wait is over, the reward
 * is due at once. Both settle by writing first what they settle (the shop row; the amounts), then
 * making the rewards due: either this second look sees that write, or it began before that write
 * committed — after the release and the entry had — and their update sees this reward.
 */
async function leavePending(
  deps: GeneratePendingDeps,
  config: GeneratePendingConfig,
  reward: Reward,
  note: { reason: string; dedupeKey: string; failureCode?: FailureReason },
  stillWaits: () => Promise<boolean>,
): Promise<"waiting" | "due_now"> {
  const { db, now } = deps;
  await db.reward.updateMany({
    where: { id: reward.id, claimedBy: config.workerId, status: "PENDING" },
    data: {
      claimedBy: null,
      claimedUntil: null,
      nextAttemptAt: new Date(now().getTime() + config.uninstalledRetryMs),
      ...(note.failureCode ? { failureCode: note.failureCode, failureMessage: null, failureDetail: null } : {}),
    },
  });
  await recordEventOnce(db, { rewardId: reward.id, shop: reward.shop, type: "NOTE", actor: "WORKER", reason: note.reason, dedupeKey: note.dedupeKey });
  if (await stillWaits()) return "waiting";
  const at = now();
  await db.reward.updateMany({ where: { id: reward.id, status: "PENDING", claimedBy: null, nextAttemptAt: { gt: at } }, data: { nextAttemptAt: at } });
  return "due_now";
}

/** Gives a held reward its reward's confirmed amounts in the shop's currency (fenced by the claim). */
async function retakeConfirmedAmounts(deps: GeneratePendingDeps, config: GeneratePendingConfig, reward: Reward, shopCurrency: string, settings: RewardSettings): Promise<boolean> {
  const { db } = deps;
  const updated = await db.reward.updateMany({
    where: { id: reward.id, claimedBy: config.workerId, status: "PENDING", currency: reward.currency },
    data: { currency: shopCurrency, value: settings.value, title: rewardTitle(settings), settings: JSON.stringify(settings) },
  });
  if (updated.count !== 1) return false;
  await recordEvent(db, {
    rewardId: reward.id,
    shop: reward.shop,
    type: "NOTE",
    actor: "WORKER",
    reason: `Amounts confirmed in ${shopCurrency}: it is created with its reward's confirmed amounts (it was saved in ${reward.currency}).`,
  });
  return true;
}

async function accessFor(deps: GeneratePendingDeps, config: GeneratePendingConfig, shop: string): Promise<ShopifyAccess> {
  const graphql = await deps.adminFor(shop);
  const base = { timeoutMs: config.shopifyTimeoutMs, ...(deps.runOptions?.(shop) ?? {}) };
  if (!deps.pacer) return { graphql, options: base };
  return { graphql, options: deps.pacer.runOptions(shop, base) };
}

export async function processClaimedReward(deps: GeneratePendingDeps, config: GeneratePendingConfig, claimed: Pick<Reward, "id">): Promise<ProcessOutcome> {
  const { db, now, logger } = deps;
  const me = config.workerId;
  const reward = await db.reward.findUnique({ where: { id: claimed.id } });
  if (!reward || reward.claimedBy !== me) return "skipped";
  const log = logger.child({ shop: reward.shop, rewardId: reward.id, workerId: me });

  if (reward.status === "CANCELED" || reward.status === "FAILED") {
    // A cleanup marker: make sure nothing usable is left in Shopify for this code.
    await cleanupRewardCode(deps, reward, { claimedBy: me });
    return "cleanup";
  }
  if (reward.status !== "PENDING") {
    // Issued by someone else, or Used (an order carried the code): nothing to generate.
    await db.reward.updateMany({ where: { id: reward.id, claimedBy: me }, data: { claimedBy: null, claimedUntil: null, nextAttemptAt: null } });
    return "skipped";
  }

  const shop = await db.shop.findUnique({ where: { domain: reward.shop } });
  const pause = shopWorkPause(shop);
  if (shop && pause) return deferPausedReward(deps, config, reward, pause, shop);

  // Amounts saved in another currency than the shop sells in now (docs/decisions/015, "amounts saved
  // in another currency"): held, with no attempt counted, until the merchant confirms them; then made
  // with its reward's confirmed amounts, or failed when that reward is gone.
  const amounts = shop ? await amountsToUse(deps, reward, shop.currency) : "as_saved";
  if (amounts === "hold") return holdForAmountReview(deps, config, reward, shop!.currency);
  if (amounts !== "as_saved" && amounts !== "gone") {
    const retaken = await retakeConfirmedAmounts(deps, config, reward, shop!.currency, amounts);
    if (!retaken) return "skipped";
    return processClaimedReward(deps, config, reward);
  }

  if (await olderSiblingPending(deps, reward)) {
    // See olderSiblingPending: wait for it, with no attempt counted.
    await db.reward.updateMany({
      where: { id: reward.id, claimedBy: me, status: "PENDING" },
      data: { claimedBy: null, claimedUntil: null, nextAttemptAt: new Date(now().getTime() + SIBLING_WAIT_MS) },
    });
    log.info("an older reward of this customer and kind is still pending; waiting for it");
    return "deferred_sibling";
  }

  const attemptStartedAt = now();
  const attempt = reward.attempts + 1;
  const started = await db.reward.updateMany({
    where: { id: reward.id, claimedBy: me, status: "PENDING" },
    data: { attempts: attempt, claimedUntil: new Date(now().getTime() + config.leaseMs) },
  });
  if (started.count !== 1) return "skipped";
  // A customer erased by customers/redact (app/services/compliance/privacy.server.ts) has no Shopify id
  // any more: nothing can be made for them. A discount would be refused, but a gift card names no
  // customer, so Shopify would make a spendable card for no one under the code the erasure gave
  // every such reward ("REDACTED").
  if (!shopifyGidOf(reward.customerGid, "Customer")) return handleFailure(deps, config, reward, attempt, erasedCustomerProblem(), false);
  if (amounts === "gone") return handleFailure(deps, config, reward, attempt, amountsGoneProblem(reward.currency, shop!.currency), false);

  const settings = parseSettings(reward);
  const kind = parseRewardKind(reward.kind);
  const spec = {
    rewardId: reward.id,
    kind,
    code: reward.code,
    title: reward.title,
    customerGid: reward.customerGid,
    currency: reward.currency,
    settings,
    notBefore: reward.createdAt,
    claimedIds: await claimedShopifyIds(db, { shop: reward.shop, customerId: reward.customerId, kind, exceptRewardId: reward.id }),
  };

  let access: ShopifyAccess;
  try {
    access = await accessFor(deps, config, reward.shop);
  } catch (error) {
    // app/uninstalled applied after the pause check above deleted the session the call needed: not
    // the reward's fault — the attempt is given back and the reward waits like any paused one.
    const shopNow = await db.shop.findUnique({ where: { domain: reward.shop } });
    const pausedNow = shopWorkPause(shopNow);
    if (shopNow && pausedNow) {
      await db.reward.updateMany({ where: { id: reward.id, claimedBy: me, status: "PENDING" }, data: { attempts: reward.attempts } });
      return deferPausedReward(deps, config, reward, pausedNow, shopNow);
    }
    log.warn({ err: error }, "no Admin API access for the shop");
    return handleFailure(deps, config, reward, attempt, noAccessProblem(error), false);
  }

  const generated = await generateInShopify(access, spec, { now: now(), lookupFirst: reward.attempts > 0 });
  if (!generated.ok && isRejectedToken(generated.error.failure)) {
    // Not the reward's fault: the shop's token is dead. Give the attempt back and stop the shop.
    await markAccessRevoked(db, { shop: reward.shop, since: attemptStartedAt, now: now(), logger: log });
    await db.reward.updateMany({ where: { id: reward.id, claimedBy: me, status: "PENDING" }, data: { attempts: reward.attempts } });
    const paused = await db.shop.findUnique({ where: { domain: reward.shop } });
    const pausedBy = shopWorkPause(paused);
    if (paused && pausedBy) return deferPausedReward(deps, config, reward, pausedBy, paused);
    // A fresh token was stored while this call was in flight: try again at once with it.
    await db.reward.updateMany({ where: { id: reward.id, claimedBy: me, status: "PENDING" }, data: { claimedBy: null, claimedUntil: null, nextAttemptAt: now() } });
    return "retry_scheduled";
  }
  if (!generated.ok) return handleFailure(deps, config, reward, attempt, generated.error, generated.error.codeMayExist);

  await deps.beforeIssue?.(reward);
  const result = await transitionReward(db, logger, {
    reward,
    to: "ISSUED",
    trigger: "GENERATION_SUCCEEDED",
    actor: "WORKER",
    reason: generated.adopted
      ? `Attempt ${attempt}: adopted the code an earlier attempt had created in Shopify`
      : `Attempt ${attempt}: created in Shopify`,
    // Not fenced by our lease: what we made in Shopify is a fact whoever holds the claim now. If our
    // lease ran out mid-call and another worker took over, the first to commit wins and the other
    // removes its own object below (store credit has no code Shopify could refuse twice).
    data: {
      shopifyId: generated.shopifyId,
      issuedAt: now(),
      expiresAt: generated.expiresAt,
      failureCode: null,
      failureMessage: null,
      failureDetail: null,
      nextAttemptAt: null,
      claimedBy: null,
      claimedUntil: null,
    },
  });
  if (result.type === "applied") {
    log.info({ adopted: generated.adopted, attempt }, "reward issued");
    return "issued";
  }

  // The compare-and-set failed: find out why.
  const current = await db.reward.findUnique({ where: { id: reward.id } });
  if (current?.status === "ISSUED" && current.shopifyId !== generated.shopifyId) {
    // Another worker took the reward over after our lease ran out mid-call and issued it with an
    // object of its own first (store credit: a credit has no code Shopify could refuse twice).
    await db.reward.updateMany({ where: { id: reward.id, claimedBy: me }, data: { claimedBy: null, claimedUntil: null } });
    await takeBackDuplicate({ db, logger: log }, access, {
      reward: { id: reward.id, shop: reward.shop, kind: spec.kind, code: reward.code },
      generated,
      recorded: current.shopifyId,
      who: `Attempt ${attempt}: its call outlived the worker's lease and another worker issued the reward meanwhile`,
      actor: "WORKER",
    });
    return "skipped";
  }
  if (current?.status === "CANCELED" || current?.status === "FAILED") {
    // Canceled while we were creating it — or Failed by another worker that took the reward over
    // after our lease ran out (its attempt was refused, ours went through): what we just made must
    // not stay usable.
    const was = current.status;
    const removed = await removeFromShopifyOnce(db, access, { rewardId: reward.id, shop: reward.shop, kind: spec.kind, code: reward.code, shopifyId: generated.shopifyId }, "deactivate");
    if (removed.ok) {
      // A Failed reward keeps whatever cleanup marker its own attempt left (it may know of more).
      if (was === "CANCELED") await db.reward.updateMany({ where: { id: reward.id, status: was }, data: { nextAttemptAt: null } });
    } else {
      log.warn({ failure: failureForLog(removed.error.failure), status: was }, "could not deactivate the code of a reward canceled or failed meanwhile; the sweep retries");
      await db.reward.updateMany({ where: { id: reward.id, status: was }, data: { nextAttemptAt: now() } });
    }
    await db.reward.updateMany({ where: { id: reward.id, claimedBy: me }, data: { claimedBy: null, claimedUntil: null } });
    log.info({ status: was }, "reward canceled or failed while it was being generated; its code was deactivated");
    return was === "CANCELED" ? "canceled_meanwhile" : "cleanup";
  }
  if (current?.status === "USED") {
    // An order carried the code while we were creating it (the order proves our create reached
    // Shopify first). Keep the discount linked to the reward and say so in its history.
    const linked = await db.reward.updateMany({
      where: { id: reward.id, status: "USED", shopifyId: null },
      data: { shopifyId: generated.shopifyId, issuedAt: now(), expiresAt: generated.expiresAt, claimedBy: null, claimedUntil: null },
    });
    if (linked.count === 1) {
      await recordEvent(db, {
        rewardId: reward.id,
        shop: reward.shop,
        type: "NOTE",
        actor: "WORKER",
        fromStatus: "USED",
        toStatus: "USED",
        reason: `Attempt ${attempt}: the discount was ${generated.adopted ? "found" : "created"} in Shopify (${generated.shopifyId}) after an order had already used the code; linked to the reward`,
        dedupeKey: `linked:${generated.shopifyId}`,
      }).catch((error: unknown) => {
        if (!isUniqueViolation(error)) throw error;
      });
      log.info({ shopifyId: generated.shopifyId }, "reward used while it was being generated; its discount was linked");
    }
  }
  // Used meanwhile, or another worker took over after our lease ran out (it adopts the same code).
  // Nothing to undo.
  await db.reward.updateMany({ where: { id: reward.id, claimedBy: me }, data: { claimedBy: null, claimedUntil: null } });
  return "skipped";
}

/** How long a reward waits for an older sibling (olderSiblingPending) before it looks again. */
const SIBLING_WAIT_MS = 30_000;

/**
 * A kind without a marker (store credit: recognised by customer, amount and time — docs/decisions/012)
 * cannot tell its own object from a sibling's that is not committed yet: a retry of one reward
 * looked up, found the credit another reward of the same customer had just made, and adopted it —
 * two rewards Issued on one credit. So such rewards of one customer are generated one at a time, in
 * the order they were promised: a reward waits while an older one of the same customer and kind is
 * still Pending. The oldest never waits, so they all get their turn; the older one's lookups never
 * see a younger one's credit, since the younger one makes none until the older one is settled.
 */
async function olderSiblingPending(deps: GeneratePendingDeps, reward: Reward): Promise<boolean> {
  if (kindTraits(parseRewardKind(reward.kind)).codeFormat !== "reference") return false;
  const older = await deps.db.reward.findFirst({
    where: {
      shop: reward.shop,
      customerId: reward.customerId,
      kind: reward.kind,
      status: "PENDING",
      id: { not: reward.id },
      OR: [{ createdAt: { lt: reward.createdAt } }, { createdAt: reward.createdAt, id: { lt: reward.id } }],
    },
    select: { id: true },
  });
  return older !== null;
}

/**
 * The shop cannot be worked on (uninstalled, or its token rejected): the reward stays Pending with
 * no attempt counted, its history says why once per pause, and it is looked at again later — or at
 * once when the shop comes back (app/services/lifecycle/lifecycle.server.ts, resumeShop).
 */
async function deferPausedReward(
  deps: GeneratePendingDeps,
  config: GeneratePendingConfig,
  reward: Reward,
  pause: WorkPause,
  shop: Pick<Shop, "uninstalledAt" | "accessRevokedAt">,
): Promise<ProcessOutcome> {
  const left = await leavePending(deps, config, reward, { reason: PAUSE_REASONS[pause], dedupeKey: pauseEventKey(pause, shop) }, async () =>
    // The shop came back (a reinstall, a fresh token: resumeShop) while this worker held the reward?
    Boolean(shopWorkPause(await deps.db.shop.findUnique({ where: { domain: reward.shop }, select: { uninstalledAt: true, accessRevokedAt: true } }))),
  );
  deps.logger.info(
    { shop: reward.shop, rewardId: reward.id, pause },
    left === "waiting" ? "shop paused; reward left pending" : "the shop came back while its reward was being left pending; the reward is due now",
  );
  return pause === "uninstalled" ? "deferred_uninstalled" : "deferred_access_revoked";
}

async function handleFailure(
  deps: GeneratePendingDeps,
  config: GeneratePendingConfig,
  reward: Reward,
  attempt: number,
  problem: ShopifyProblem,
  codeMayExist: boolean,
): Promise<ProcessOutcome> {
  const { db, now, logger } = deps;
  const me = config.workerId;
  const { classification } = problem;
  const message = shopifyMessage(problem.failure);
  const log = logger.child({ shop: reward.shop, rewardId: reward.id, workerId: me });
  await recordEvent(db, {
    rewardId: reward.id,
    shop: reward.shop,
    type: "ATTEMPT_FAILED",
    actor: "WORKER",
    fromStatus: "PENDING",
    reason: `Attempt ${attempt}: ${classification.reason} (${classification.category}) — ${message}`,
    reasonCode: classification.reason,
    shopifyError: { failure: problem.failure, detail: problem.detail },
  });

  const plan = classification.retryable
    ? planRetry({
        attempts: attempt,
        now: now(),
        policy: config.retryPolicy,
        ...(classification.retryAfterMs !== undefined ? { retryAfterMs: classification.retryAfterMs } : {}),
        ...(config.jitterRandom ? { random: config.jitterRandom } : {}),
      })
    : ({ type: "give_up" } as const);

  if (plan.type === "retry") {
    // After a create whose outcome is unknown, store credit is not credited again until that create
    // can no longer land (createAgainFrom); the retry looks first and adopts it if it did.
    const notBefore = codeMayExist ? createAgainFrom(parseRewardKind(reward.kind), now()) : plan.at;
    const retryAt = notBefore > plan.at ? notBefore : plan.at;
    const rescheduled = await db.reward.updateMany({
      where: { id: reward.id, status: "PENDING", claimedBy: me },
      data: {
        nextAttemptAt: retryAt,
        claimedBy: null,
        claimedUntil: null,
        failureCode: classification.reason,
        failureMessage: message,
        failureDetail: shopifyErrorJson({ failure: problem.failure, detail: problem.detail }),
      },
    });
    log.info({ attempt, reason: classification.reason, retryAt }, rescheduled.count ? "attempt failed; retry scheduled" : "attempt failed; reward changed meanwhile");
    return "retry_scheduled";
  }

  // The code and Shopify's words are stored apart (docs/decisions/013); the event's reason is history prose.
  const failureMessage = classification.retryable ? `${message} (gave up after ${attempt} attempts)` : message;
  const why = `${classification.reason}: ${failureMessage}`;
  const result = await transitionReward(db, logger, {
    reward,
    to: "FAILED",
    trigger: "GENERATION_FAILED",
    actor: "WORKER",
    reason: why,
    reasonCode: classification.reason,
    shopifyError: { failure: problem.failure, detail: problem.detail },
    where: { claimedBy: me },
    data: {
      failureCode: classification.reason,
      failureMessage,
      failureDetail: shopifyErrorJson({ failure: problem.failure, detail: problem.detail }),
      // If an unconfirmed create may have left our code in Shopify, keep a cleanup marker so the
      // sweep makes sure a Failed reward has nothing usable behind it — looking once that create can
      // no longer land (LATE_LANDING_MS): a look before it finds nothing yet and clears the marker.
      nextAttemptAt: codeMayExist ? new Date(now().getTime() + LATE_LANDING_MS) : null,
      claimedBy: null,
      claimedUntil: null,
    },
  });
  if (result.type !== "applied") {
    await db.reward.updateMany({ where: { id: reward.id, claimedBy: me }, data: { claimedBy: null, claimedUntil: null } });
    return "skipped";
  }
  log.warn({ attempt, reason: classification.reason }, "reward generation failed");
  return "failed";
}
