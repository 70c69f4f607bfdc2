// The one interface every reward kind implements towards Shopify (docs/decisions/012). The use-cases
// (generate, cancel, recovery, reconciliation) call these and never branch on a kind's name; what a
// kind IS (code format, Used state, value) is pure data in app/domain/rewards/kinds.ts.
import type { FailureReason, RewardKind, RewardSettings } from "~/domain/rewards";
import type { AdminGraphql, AdminResult, RunOptions } from "../graphql.server";

/** A shop's Admin API as the adapters use it. */
export interface KindAccess {
  graphql: AdminGraphql;
  options?: RunOptions;
}

/** Which reward an adapter is asked about; everything a kind may need to find its object again. */
export interface KindRewardRef {
  rewardId: string;
  kind: RewardKind;
  /** The reward's code (discounts, gift cards) or the app's own reference (store credit). */
  code: string;
  /** The ownership marker (discount tag / gift card note) derived from the reward id. */
  tag: string;
  /** gid://shopify/Customer/… — needed by kinds that live on the customer (store credit). */
  customerGid?: string;
  settings?: RewardSettings;
  currency?: string;
  /**
   * No Shopify object of this reward can be older than this (the reward's/redemption's creation).
   * Kinds without a marker field (store credit) use it to recognise their own object.
   */
  notBefore?: Date;
  /** Shopify ids other rewards already own (marker-less kinds must not adopt them). */
  claimedIds?: readonly string[];
}

export interface KindCreateInput extends KindRewardRef {
  title: string;
  customerGid: string;
  settings: RewardSettings;
  currency: string;
  notBefore: Date;
  startsAt: Date;
  endsAt: Date | null;
}

/** The reward's object as found in Shopify. */
export interface FoundObject {
  id: string;
  /** Carries this reward's marker (or, for marker-less kinds, matches it exactly; see the adapter). */
  ours: boolean;
  /** Still usable (not deactivated, expired or taken back). */
  active: boolean;
  endsAt: Date | null;
}

export type Availability = { available: true; currency?: string } | { available: false; reason: FailureReason };

/** Outcome of making a reward's object unusable. `refused`: Shopify cannot do it (e.g. store credit already spent). */
export type RemoveOutcome = { outcome: "removed" } | { outcome: "not_found" } | { outcome: "refused"; reason: "already_spent"; message: string };

/** What reconciliation reads back: null when the object no longer exists. */
export interface ObjectState {
  status: "ACTIVE" | "EXPIRED" | "SCHEDULED";
  endsAt: string | null;
}

export interface RewardKindAdapter {
  /** The kinds this adapter handles (one module may serve several discount variants). */
  readonly kinds: readonly RewardKind[];
  /** Access scopes the kind needs (requested in shopify.app.toml). */
  readonly scopes: readonly string[];
  /** Whether the shop can have this kind right now (plan/country features); the shop's currency when it was read. */
  available(access: KindAccess): Promise<AdminResult<Availability>>;
  /** Creates the object once; the caller guarantees one code/reference per reward. */
  create(access: KindAccess, input: KindCreateInput): Promise<AdminResult<{ id: string; expiresAt: Date | null }>>;
  /** Finds the reward's object (to adopt it after an uncertain create, or to remove it). */
  lookup(access: KindAccess, ref: KindRewardRef): Promise<AdminResult<FoundObject | null>>;
  /** Makes the object unusable: "delete" (compensation, never issued) or "deactivate" (cancel). */
  remove(access: KindAccess, ref: KindRewardRef & { id: string }, mode: "delete" | "deactivate"): Promise<AdminResult<RemoveOutcome>>;
  /**
   * Set when `lookup` is a search that may not see an object created moments ago (no read-after-write):
   * for this long after creation a miss proves nothing, so callers look again later instead of
   * concluding the object does not exist (docs/decisions/018).
   */
  readonly lookupLagMs?: number;
  /**
   * Set when `remove` is not idempotent: a second call for the same object takes again (store credit:
   * each debit takes money, and the credit still reads the same afterwards). Callers that may repeat
   * a removal then record it once per object before calling (app/services/rewards/generate.server.ts,
   * removeFromShopifyOnce).
   */
  readonly removalTakesAgain?: boolean;
  /** Current state for reconciliation; only kinds Shopify's admin can change on their own (discounts). */
  readState?(access: KindAccess, id: string): Promise<AdminResult<ObjectState | null>>;
}
