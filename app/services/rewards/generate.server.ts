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
  type FailureClassification,
  type RewardKind,
  type ShopifyFailure,
} from "~/domain/rewards";
import {
  createRewardDiscount,
  deactivateCodeDiscount,
  deleteCodeDiscount,
  findCodeDiscountByCode,
  type RewardDiscountInput,
} from "~/shopify/discounts.server";
import { createRewardGiftCard, deactivateGiftCard, findGiftCardsByCode } from "~/shopify/gift-cards.server";
import type { AdminGraphql, AdminResult, RunOptions } from "~/shopify/graphql.server";
import { expiryFrom, ownershipTag, type RewardSettings } from "./repository.server";

/** A shop's Admin API as the generation code uses it. */
export interface ShopifyAccess {
  graphql: AdminGraphql;
  options?: RunOptions;
}

/** Everything needed to create (or find) one reward's code in Shopify. */
export interface RewardSpec {
  rewardId: string;
  kind: RewardKind;
  code: string;
  title: string;
  customerGid: string;
  currency: string;
  settings: RewardSettings;
}

export interface ShopifyProblem {
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

export type LookupResult = { ok: true; found: ExistingCode | null } | ({ ok: false } & ShopifyProblem);

function problem<T>(r: Extract<AdminResult<T>, { ok: false }>, kind: RewardKind, operation: "mutation" | "query"): ShopifyProblem {
  return { failure: r.failure, classification: classifyFailure(r.failure, { operation, rewardKind: kind }), detail: r.detail ?? null };
}

/** The code's current owner in Shopify, if any (discounts by code; gift cards by `code:` search). */
export async function lookupExisting(access: ShopifyAccess, spec: Pick<RewardSpec, "rewardId" | "kind" | "code">): Promise<LookupResult> {
  const tag = ownershipTag(spec.rewardId);
  if (spec.kind === "GIFT_CARD") {
    const r = await findGiftCardsByCode(access.graphql, spec.code, access.options);
    if (!r.ok) return { ok: false, ...problem(r, spec.kind, "query") };
    // Gift cards are found by Shopify's free-text search (there is no exact lookup by code) and only
    // the last characters can be compared, so a hit that isn't ours proves nothing about our code:
    // only a card carrying our note counts. (A real collision of 16 random characters does not
    // happen; if it did, the create answers TAKEN and the reward eventually fails as code_taken.)
    const card = r.data.find((c) => (c.note ?? "").includes(tag));
    if (!card) return { ok: true, found: null };
    return { ok: true, found: { id: card.id, ours: true, active: card.enabled, endsAt: null } };
  }
  const r = await findCodeDiscountByCode(access.graphql, spec.code, access.options);
  if (!r.ok) return { ok: false, ...problem(r, spec.kind, "query") };
  const d = r.data;
  if (!d) return { ok: true, found: null };
  return {
    ok: true,
    found: { id: d.id, ours: d.tags.includes(tag), active: d.status !== "EXPIRED", endsAt: d.endsAt ? new Date(d.endsAt) : null },
  };
}

export type GenerateOutcome =
  | { ok: true; shopifyId: string; adopted: boolean; expiresAt: Date | null }
  | ({
      ok: false;
      /**
       * True when a code of ours may exist in Shopify even though we could not confirm it (the
       * create's outcome is unknown and the lookup failed too). Synchronous callers must then leave
       * the redemption for recovery instead of declaring "nothing happened".
       */
      codeMayExist: boolean;
    } & ShopifyProblem);

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

function adopt(found: ExistingCode, now: Date, spec: RewardSpec): GenerateOutcome {
  return { ok: true, shopifyId: found.id, adopted: true, expiresAt: found.endsAt ?? expiryFrom(now, spec.settings.expiryDays) };
}

async function create(access: ShopifyAccess, spec: RewardSpec, now: Date): Promise<AdminResult<{ id: string; expiresAt: Date | null }>> {
  const endsAt = expiryFrom(now, spec.settings.expiryDays);
  const tag = ownershipTag(spec.rewardId);
  if (spec.kind === "GIFT_CARD") {
    const r = await createRewardGiftCard(
      access.graphql,
      {
        code: spec.code,
        amount: spec.settings.value,
        currencyCode: spec.currency,
        expiresOn: endsAt ? endsAt.toISOString().slice(0, 10) : null,
        note: tag,
      },
      access.options,
    );
    return r.ok ? { ok: true, data: { id: r.data.id, expiresAt: endsAt }, cost: r.cost } : r;
  }
  const value: RewardDiscountInput["value"] =
    spec.kind === "FREE_SHIPPING"
      ? { type: "FREE_SHIPPING" }
      : spec.kind === "PERCENTAGE"
        ? { type: "PERCENTAGE", percentage: Number(spec.settings.value) }
        : { type: "FIXED_AMOUNT", amount: spec.settings.value };
  const r = await createRewardDiscount(
    access.graphql,
    {
      code: spec.code,
      title: spec.title,
      customerGid: spec.customerGid,
      value,
      // A minute of slack: a startsAt a moment ahead of Shopify's clock would read SCHEDULED.
      startsAt: new Date(now.getTime() - 60_000),
      endsAt,
      minimumSubtotal: spec.settings.minimumSubtotal,
      combinesWith: spec.settings.combinesWith,
      tag,
    },
    access.options,
  );
  if (!r.ok) return r;
  return { ok: true, data: { id: r.data.id, expiresAt: r.data.endsAt ? new Date(r.data.endsAt) : endsAt }, cost: r.cost };
}

/**
 * Makes sure the reward's code exists in Shopify, creating it at most once.
 * `lookupFirst`: an earlier attempt may have created it (any retry, a takeover after a crash), so
 * look before creating. After an uncertain create failure the code is looked up again.
 */
export async function generateInShopify(
  access: ShopifyAccess,
  spec: RewardSpec,
  { now, lookupFirst }: { now: Date; lookupFirst: boolean },
): Promise<GenerateOutcome> {
  if (lookupFirst) {
    const before = await lookupExisting(access, spec);
    // Unknown whether it exists; creating now would at worst get TAKEN, but a failed read usually
    // means the create would fail the same way, so report and let the caller retry later.
    if (!before.ok) return { failure: before.failure, classification: before.classification, detail: before.detail, ok: false, codeMayExist: true };
    if (before.found) return before.found.ours ? adopt(before.found, now, spec) : { ok: false, codeMayExist: false, ...takenByOther() };
  }

  const created = await create(access, spec, now);
  if (created.ok) return { ok: true, shopifyId: created.data.id, adopted: false, expiresAt: created.data.expiresAt };

  const failed = problem(created, spec.kind, "mutation");
  if (!failed.classification.verifyFirst) return { ok: false, codeMayExist: false, ...failed };

  // Timeout, lost response, 5xx on the mutation or TAKEN on our own code: did it happen after all?
  const after = await lookupExisting(access, spec);
  if (!after.ok) return { ok: false, codeMayExist: true, ...failed };
  if (after.found?.ours) return adopt(after.found, now, spec);
  if (after.found) return { ok: false, codeMayExist: false, ...takenByOther() };
  // Not there. A TAKEN we cannot find may be a search index lagging behind (gift cards): keep the
  // possibility open so callers retry/recover instead of concluding nothing exists.
  return { ok: false, codeMayExist: failed.classification.reason === "code_taken", ...failed };
}

export type RemovalResult =
  | { ok: true; outcome: "removed" | "not_found" | "not_ours" }
  | ({ ok: false } & ShopifyProblem);

const NOT_FOUND = /does not exist|not found|couldn't find|could not find/i;

function isNotFound(failure: ShopifyFailure): boolean {
  return (
    failure.kind === "user_errors" &&
    failure.errors.length > 0 &&
    failure.errors.every((e) => (e.code ?? "").toUpperCase().endsWith("NOT_FOUND") || NOT_FOUND.test(e.message))
  );
}

/**
 * Makes whatever this reward has in Shopify unusable. `mode: "delete"` removes a discount for good
 * (compensation: it was never issued); "deactivate" keeps it visible as expired in the merchant's
 * admin (cancel). Gift cards can only be deactivated. Never touches a code that is not ours.
 */
export async function removeFromShopify(
  access: ShopifyAccess,
  target: { rewardId: string; kind: RewardKind; code: string; shopifyId: string | null },
  mode: "delete" | "deactivate",
): Promise<RemovalResult> {
  let id = target.shopifyId;
  if (!id) {
    const found = await lookupExisting(access, target);
    if (!found.ok) return found;
    if (!found.found) return { ok: true, outcome: "not_found" };
    if (!found.found.ours) return { ok: true, outcome: "not_ours" };
    id = found.found.id;
  }
  const r =
    target.kind === "GIFT_CARD"
      ? await deactivateGiftCard(access.graphql, id, access.options)
      : mode === "delete"
        ? await deleteCodeDiscount(access.graphql, id, access.options)
        : await deactivateCodeDiscount(access.graphql, id, access.options);
  if (r.ok) return { ok: true, outcome: "removed" };
  if (isNotFound(r.failure)) return { ok: true, outcome: "not_found" };
  return { ok: false, ...problem(r, target.kind, "mutation") };
}
