// Creating a reward's code in Shopify exactly once, shared by the synchronous redemption, the
// worker, cancel and the recovery sweep.
//
// Exactly once rests on two facts: a reward keeps ONE code for its whole life (chosen before the
// first call), and Shopify refuses a second discount/gift card with the same code. So whenever an
// earlier call may have succeeded (a timeout, a lost response, a crash before our commit, TAKEN on
// our own code) we look the code up and adopt what we find if it carries our ownership tag
// (discounts: a tag; gift cards: the note) instead of creating again.
import {
  classifyFailure,
  kindTraits,
  type Actor,
  type FailureClassification,
  type RewardKind,
  type ShopifyFailure,
} from "~/domain/rewards";
import { err, type Err, type Ok } from "~/domain/result";
import type { AdminGraphql, AdminResult, RunOptions } from "~/shopify/graphql.server";
import { adapterFor, type Availability, type KindRewardRef } from "~/shopify/kinds/index.server";
import type { Db } from "~/db.server";
import type { Logger } from "~/logger.server";
import { recordEventOnce, shopifyMessage } from "./events.server";
import { expiryFrom, ownershipTag, type RewardSettings } from "./repository.server";

/** A shop's Admin API as the generation code uses it. */
export interface ShopifyAccess {
  graphql: AdminGraphql;
  options?: RunOptions;
}

/** Everything needed to create (or find) one reward's object in Shopify. */
export interface RewardSpec {
  rewardId: string;
  kind: RewardKind;
  code: string;
  title: string;
  customerGid: string;
  currency: string;
  settings: RewardSettings;
  /** When the reward (or its redemption) was created: no object of it in Shopify is older. */
  notBefore: Date;
  /** Shopify ids other rewards of this customer already own (kinds without a marker must not adopt them). */
  claimedIds?: readonly string[];
}

/** The `error` of the generation use-cases: Shopify's outcome, classified. */
export interface ShopifyProblem {
  /** Shopify's outcome as the Admin API module reported it (machine data, never shown as is). */
  failure: ShopifyFailure;
  classification: FailureClassification;
  /** Shopify's payload (userErrors, GraphQL errors, HTTP body) for the event log. */
  detail: unknown;
}

export interface ExistingCode {
  id: string;
  /** Carries this reward's ownership tag/note. */
  ours: boolean;
  /** Still usable at checkout (not deactivated or expired). */
  active: boolean;
  endsAt: Date | null;
}

export type LookupResult = Ok<{ found: ExistingCode | null }> | Err<ShopifyProblem>;

/** What lookup and removal need to know about a reward (the spec, or what recovery/cancel have). */
export type RewardTarget = Pick<RewardSpec, "rewardId" | "kind" | "code"> &
  Partial<Pick<RewardSpec, "customerGid" | "currency" | "settings" | "notBefore" | "claimedIds">>;

function problem<T>(r: Extract<AdminResult<T>, { ok: false }>, kind: RewardKind, operation: "mutation" | "query"): ShopifyProblem {
  return { failure: r.error, classification: classifyFailure(r.error, { operation, rewardKind: kind }), detail: r.detail ?? null };
}

function refOf(target: RewardTarget): KindRewardRef {
  return { ...target, tag: ownershipTag(target.rewardId) };
}

/** How long after creation a miss of this kind's lookup proves nothing (0: its lookup sees new objects at once). */
/**
 * How long after the app stopped waiting for a create whose outcome it does not know (a timeout, a
 * lost answer, a 5xx) that create may still run in Shopify: a server that received a request is not
 * told that its client gave up (RFC 9110 §9.2.2), so until then a miss in a lookup proves nothing.
 * The recovery sweep looks at a redemption only this long after it was left
 * (recover-redemptions.server.ts), the worker cleans a Failed reward up only this long after its
 * last attempt (generate-pending.server.ts), and a kind whose object carries no code Shopify refuses
 * a second time is not created again before it (createAgainFrom).
 */
export const LATE_LANDING_MS = 10 * 60_000;

/**
 * The earliest moment a reward of this kind may be created again after an attempt gave up, at
 * `gaveUpAt`, on a create whose outcome it does not know. A discount or gift card made again gets
 * TAKEN on its one code if the earlier create lands, and is then adopted: at once. Store credit has
 * no code (codeFormat "reference"): a credit made again and the earlier one landing later would both
 * credit the customer, so not before the earlier one can no longer land (LATE_LANDING_MS).
 */
export function createAgainFrom(kind: RewardKind, gaveUpAt: Date): Date {
  return kindTraits(kind).codeFormat === "reference" ? new Date(gaveUpAt.getTime() + LATE_LANDING_MS) : gaveUpAt;
}

export function lookupLagMs(kind: RewardKind): number {
  return adapterFor(kind).lookupLagMs ?? 0;
}

/** Whether the shop can have this kind now (e.g. gift cards need ShopFeatures.giftCards); the adapter decides. */
export async function checkAvailability(access: ShopifyAccess, kind: RewardKind): Promise<Ok<{ data: Availability }> | Err<ShopifyProblem>> {
  const r = await adapterFor(kind).available(access);
  return r.ok ? { ok: true, data: r.data } : err(problem(r, kind, "query"));
}

/** The reward's object in Shopify, if any (each kind finds it its own way: app/shopify/kinds/*). */
export async function lookupExisting(access: ShopifyAccess, target: RewardTarget): Promise<LookupResult> {
  const r = await adapterFor(target.kind).lookup(access, refOf(target));
  if (!r.ok) return err(problem(r, target.kind, "query"));
  return { ok: true, found: r.data };
}

export interface GenerateProblem extends ShopifyProblem {
  /**
   * True when a code of ours may exist in Shopify even though we could not confirm it (the
   * create's outcome is unknown and the lookup failed too). Synchronous callers must then leave
   * the redemption for recovery instead of declaring "nothing happened".
   */
  codeMayExist: boolean;
  /** false: this call sent no create (it only looked), so an earlier attempt's `unsettledSince` still stands. */
  createSent?: boolean;
}

export type GenerateOutcome = Ok<{ shopifyId: string; adopted: boolean; expiresAt: Date | null }> | Err<GenerateProblem>;

const CODE_TAKEN_BY_OTHER_ERRORS = [
  { field: ["code"], code: "TAKEN", message: "The code is already used by a discount or gift card this app did not create." },
];
const CODE_TAKEN_BY_OTHER: ShopifyFailure = { kind: "user_errors", errors: CODE_TAKEN_BY_OTHER_ERRORS };

/** A code owned by someone else can never become ours: retrying is pointless. */
function takenByOther(): ShopifyProblem {
  return {
    failure: CODE_TAKEN_BY_OTHER,
    classification: { category: "permanent", reason: "code_taken", retryable: false, verifyFirst: false },
    detail: CODE_TAKEN_BY_OTHER_ERRORS,
  };
}

/** An earlier create's outcome is still unknown (generateInShopify, `unsettledSince`): the same as the timeout it came from. */
function mayStillLand(): ShopifyProblem {
  const failure: ShopifyFailure = { kind: "timeout" };
  return { failure, classification: classifyFailure(failure, { operation: "mutation" }), detail: null };
}

function adopt(found: ExistingCode, now: Date, spec: RewardSpec): GenerateOutcome {
  return { ok: true, shopifyId: found.id, adopted: true, expiresAt: found.endsAt ?? expiryFrom(now, spec.settings.expiryDays) };
}

function create(access: ShopifyAccess, spec: RewardSpec, now: Date): Promise<AdminResult<{ id: string; expiresAt: Date | null }>> {
  return adapterFor(spec.kind).create(access, {
    ...refOf(spec),
    title: spec.title,
    customerGid: spec.customerGid,
    settings: spec.settings,
    currency: spec.currency,
    notBefore: spec.notBefore,
    // A minute of slack: a startsAt a moment ahead of Shopify's clock would read SCHEDULED.
    startsAt: new Date(now.getTime() - 60_000),
    endsAt: expiryFrom(now, spec.settings.expiryDays),
  });
}

/**
 * Makes sure the reward's code exists in Shopify, creating it at most once.
 * `lookupFirst`: an earlier attempt may have created it (any retry, a takeover after a crash), so
 * look before creating. After an uncertain create failure the code is looked up again.
 */
export async function generateInShopify(
  access: ShopifyAccess,
  spec: RewardSpec,
  {
    now,
    lookupFirst,
    unsettledSince = null,
  }: {
    now: Date;
    lookupFirst: boolean;
    /**
     * When an earlier attempt gave up on a create whose outcome it did not know (the redemption was
     * left for recovery): that create may still land until LATE_LANDING_MS after it.
     */
    unsettledSince?: Date | null;
  },
): Promise<GenerateOutcome> {
  if (lookupFirst) {
    const before = await lookupExisting(access, spec);
    // Unknown whether it exists; creating now would at worst get TAKEN, but a failed read usually
    // means the create would fail the same way, so report and let the caller retry later.
    if (!before.ok) return err({ ...before.error, codeMayExist: true, createSent: false });
    if (before.found) return before.found.ours ? adopt(before.found, now, spec) : err({ ...takenByOther(), codeMayExist: false });
    // Not found, but an earlier create may still land: for a kind that must not be created again yet
    // (createAgainFrom) the outcome stays open, as it was.
    if (unsettledSince && now.getTime() < createAgainFrom(spec.kind, unsettledSince).getTime()) {
      return err({ ...mayStillLand(), codeMayExist: true, createSent: false });
    }
  }

  const created = await create(access, spec, now);
  if (created.ok) return { ok: true, shopifyId: created.data.id, adopted: false, expiresAt: created.data.expiresAt };

  const failed = problem(created, spec.kind, "mutation");
  if (!failed.classification.verifyFirst) return err({ ...failed, codeMayExist: false });

  // Timeout, lost response, 5xx on the mutation or TAKEN on our own code: did it happen after all?
  const after = await lookupExisting(access, spec);
  if (!after.ok) return err({ ...failed, codeMayExist: true });
  if (after.found?.ours) return adopt(after.found, now, spec);
  if (after.found) return err({ ...takenByOther(), codeMayExist: false });
  // Not there — yet. A create that timed out, lost its answer or got a 5xx may still be queued or
  // running in Shopify and land after this lookup (`npm run soak:redeem` caught exactly that: a
  // redemption marked FAILED, then its code went live with nobody holding it), a TAKEN we cannot
  // find, or any miss by a lookup that lags creation (gift cards: a search index with no
  // read-after-write), proves nothing. So an uncertain failure never proves that nothing exists:
  // callers keep a cleanup marker (async rewards) or leave the redemption for the recovery sweep,
  // which looks again once no request can still be in flight (and, for a lagging lookup, the lag
  // has passed: the kind's `lookupLagMs`).
  return err({ ...failed, codeMayExist: true });
}

export type RemovalResult =
  | { ok: true; outcome: "removed" | "not_found" | "not_ours" }
  /** Shopify cannot make it unusable any more (store credit the customer already spent). */
  | { ok: true; outcome: "refused"; reason: "already_spent"; message: string }
  | Err<ShopifyProblem>;

/**
 * The Shopify object a removal acts on: the reward's stored id, else the one a lookup finds — or the
 * removal's result when there is nothing of ours to touch (not found, not ours, or the lookup failed).
 */
async function locateForRemoval(access: ShopifyAccess, target: RewardTarget & { shopifyId: string | null }): Promise<{ ok: true; id: string } | { ok: false; result: RemovalResult }> {
  if (target.shopifyId) return { ok: true, id: target.shopifyId };
  const found = await lookupExisting(access, target);
  if (!found.ok) return { ok: false, result: found };
  if (!found.found) return { ok: false, result: { ok: true, outcome: "not_found" } };
  if (!found.found.ours) return { ok: false, result: { ok: true, outcome: "not_ours" } };
  return { ok: true, id: found.found.id };
}

/**
 * Makes whatever this reward has in Shopify unusable. `mode: "delete"` removes a discount for good
 * (compensation: it was never issued); "deactivate" keeps it visible as expired in the merchant's
 * admin (cancel). Each kind does what Shopify allows (gift cards: deactivate; store credit: debit
 * while the balance covers it). Never touches an object that is not ours.
 */
export async function removeFromShopify(
  access: ShopifyAccess,
  target: RewardTarget & { shopifyId: string | null },
  mode: "delete" | "deactivate",
): Promise<RemovalResult> {
  const located = await locateForRemoval(access, target);
  if (!located.ok) return located.result;
  const id = located.id;
  const r = await adapterFor(target.kind).remove(access, { ...refOf(target), id }, mode);
  if (!r.ok) return err(problem(r, target.kind, "mutation"));
  return { ok: true, ...r.data };
}

/**
 * Where a take-back that must not be repeated is recorded before Shopify is asked, keyed by the
 * object taken back: the reward's history (a reward) or the redemption's row (a redemption that
 * never became a reward: app/services/rewards/redemption-log.server.ts, recordTakeBack).
 */
export interface TakeBackRecord {
  /** Records the take-back of `shopifyId`; false when it was recorded before (taken, or a process died taking it). */
  first(shopifyId: string): Promise<boolean>;
  /** Withdraws the record: the take-back certainly did not happen. */
  withdraw(shopifyId: string): Promise<void>;
}

/**
 * `removeFromShopify`, safe to repeat for every kind. Most kinds' removal is idempotent (a
 * deactivated discount or gift card stays deactivated). Store credit's is not: a debit leaves the
 * credit transaction looking the same, so every repeat (the cancel and the worker both removing, a
 * sweep looking again, a cancel retried after a conflict, a recovery sweep run again after it died
 * between the debit and its commit) debited the credited amount again from whatever else the customer
 * held. For such kinds the take-back is recorded (`record`) BEFORE Shopify is asked, so at most one
 * process ever takes an object back; the record is withdrawn when the take-back did not happen for
 * sure (a failure or Shopify's refusal). A process dying right after recording it leaves the amount
 * with the customer rather than taking it twice.
 */
export async function removeOnce(
  access: ShopifyAccess,
  target: RewardTarget & { shopifyId: string | null },
  mode: "delete" | "deactivate",
  record: TakeBackRecord,
): Promise<RemovalResult> {
  if (!adapterFor(target.kind).removalTakesAgain) return removeFromShopify(access, target, mode);
  const located = await locateForRemoval(access, target);
  if (!located.ok) return located.result;
  const id = located.id;
  if (!(await record.first(id))) return { ok: true, outcome: "removed" };
  const removed = await removeFromShopify(access, { ...target, shopifyId: id }, mode);
  if (!removed.ok || removed.outcome !== "removed") await record.withdraw(id);
  return removed;
}

/** removeOnce for a reward that has a row: the take-back is a NOTE in its history (dedupe key per object). */
export async function removeFromShopifyOnce(
  db: Db,
  access: ShopifyAccess,
  target: RewardTarget & { shopifyId: string | null; shop: string },
  mode: "delete" | "deactivate",
): Promise<RemovalResult> {
  return removeOnce(access, target, mode, {
    first: (id) => recordEventOnce(db, { rewardId: target.rewardId, shop: target.shop, type: "NOTE", actor: "SYSTEM", reason: `Taken back in Shopify (${id})`, dedupeKey: `take-back:${id}` }),
    withdraw: async (id) => void (await db.rewardEvent.deleteMany({ where: { rewardId: target.rewardId, dedupeKey: `take-back:${id}` } })),
  });
}

/**
 * A create of ours succeeded, but the reward was committed with ANOTHER object: a second attempt
 * took over after the first one's lease ran out while its call was in flight, and (its lookup
 * running before the first create landed) made its own. Codes make this impossible for discounts
 * and gift cards (the second create gets TAKEN and adopts the first); store credit has no code.
 * The object this attempt created is the duplicate: it is removed (store credit: debited back) and
 * the reward's history says so, or says that it could not be and the merchant should check it in
 * Shopify. An object the attempt only adopted by lookup is left alone: it did not make it, and for
 * a marker-less kind it may be the merchant's own (docs/decisions/012). docs/decisions/010, addendum.
 */
export async function takeBackDuplicate(
  deps: { db: Db; logger: Logger },
  access: ShopifyAccess,
  ctx: {
    reward: { id: string; shop: string; kind: RewardKind; code: string };
    generated: { shopifyId: string; adopted: boolean };
    /** The object the reward was committed with. */
    recorded: string | null;
    /** How the history names the attempt and what happened to it (no personal data). */
    who: string;
    actor: Actor;
  },
): Promise<void> {
  const { db, logger } = deps;
  const { reward, generated } = ctx;
  if (generated.adopted) {
    logger.warn({ found: generated.shopifyId, recorded: ctx.recorded }, "the reward was committed with another object; the one this attempt found is left alone");
    return;
  }
  const removed = await removeFromShopifyOnce(db, access, { rewardId: reward.id, shop: reward.shop, kind: reward.kind, code: reward.code, shopifyId: generated.shopifyId }, "delete");
  const outcome = !removed.ok
    ? `could not be taken back (${shopifyMessage(removed.error.failure)}); check it in Shopify`
    : removed.outcome === "refused"
      ? `could not be taken back: ${removed.message}`
      : "was taken back";
  if (!removed.ok || removed.outcome === "refused") logger.error({ duplicate: generated.shopifyId }, "a duplicate made by an attempt whose lease ran out could not be removed");
  else logger.warn({ duplicate: generated.shopifyId }, "a duplicate made by an attempt whose lease ran out was removed");
  await recordEventOnce(db, {
    rewardId: reward.id,
    shop: reward.shop,
    type: "NOTE",
    actor: ctx.actor,
    reason: `${ctx.who}; the second object it made in Shopify (${generated.shopifyId}) ${outcome}`,
    dedupeKey: `duplicate:${generated.shopifyId}`,
  });
}
