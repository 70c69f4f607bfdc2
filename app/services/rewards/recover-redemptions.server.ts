// The redemption recovery sweep: finishes redemptions (app/services/rewards/redeem-points.server.ts)
// whose process died or gave up half-way. Run periodically by the worker (app/jobs/tasks.server.ts).
import type { Redemption, RewardTemplate } from "@prisma/client";
import { failureForLog, isRewardKind, kindTraits, REWARD_KINDS, type RedemptionState, type RewardKind } from "~/domain/rewards";
import type { RewardDeps } from "./deps.server";
import { LATE_LANDING_MS, lookupExisting, lookupLagMs, removeOnce, type RewardTarget, type ShopifyAccess } from "./generate.server";
import { claimedShopifyIds, settingsFromTemplate } from "./repository.server";
import { DEFAULT_REDEMPTION_LEASE_MS } from "./redeem-points.server";
import { abandonRedemption, recordTakeBack, renewRedemptionLease, takeOverRedemption, withdrawTakeBack } from "./redemption-log.server";

const DEFAULTS = { leaseMs: DEFAULT_REDEMPTION_LEASE_MS };

export interface RecoverOptions {
  /** Only redemptions whose lease ended at least this long ago (default LATE_LANDING_MS, 10 min: no create of theirs can still land). */
  olderThanMs?: number;
  limit?: number;
  leaseMs?: number;
  shopifyTimeoutMs?: number;
}

export interface RecoverSummary {
  examined: number;
  abandoned: number;
  deferred: number;
}

/**
 * Finishes redemptions whose process died or gave up: the customer was told it failed (or never
 * heard back) and nothing was spent, so any code made in Shopify is removed and the redemption is
 * marked ABANDONED. Safe with several workers (each row is claimed by a lease compare-and-set).
 */
export async function recoverAbandonedRedemptions(deps: RewardDeps, options: RecoverOptions = {}): Promise<RecoverSummary> {
  const { db, now, logger } = deps;
  const olderThanMs = options.olderThanMs ?? LATE_LANDING_MS;
  const leaseMs = options.leaseMs ?? DEFAULTS.leaseMs;
  const candidates = await db.redemption.findMany({
    where: { state: "IN_PROGRESS" satisfies RedemptionState, leaseUntil: { lt: new Date(now().getTime() - olderThanMs) } },
    // Least recently looked at first (a look that defers touches the row): one that keeps deferring
    // goes behind the others instead of taking the whole batch on every sweep.
    orderBy: [{ updatedAt: "asc" }, { id: "asc" }],
    take: options.limit ?? 20,
  });
  const summary: RecoverSummary = { examined: 0, abandoned: 0, deferred: 0 };
  for (const candidate of candidates) {
    const lease = new Date(now().getTime() + leaseMs);
    if (!(await takeOverRedemption(db, candidate, lease))) continue;
    summary.examined++;
    const mine = { ...candidate, leaseUntil: lease };
    const log = logger.child({ shop: candidate.shop, redemptionId: candidate.id });
    try {
      const outcome = await recoverOne(deps, mine, candidate.leaseUntil, options);
      if (outcome === "abandoned") summary.abandoned++;
      else summary.deferred++;
    } catch (error) {
      log.error({ err: error }, "redemption recovery failed; will retry");
      summary.deferred++;
      // Hand it back as it was: examined again on a later sweep.
      await renewRedemptionLease(db, mine, candidate.leaseUntil).catch(() => undefined);
    }
  }
  return summary;
}

/** `leftAt`: when the redemption was left (its lease's end) — the clock no deferral moves. */
async function recoverOne(deps: RewardDeps, redemption: Redemption, leftAt: Date, options: RecoverOptions): Promise<"abandoned" | "deferred"> {
  const { db, now, logger } = deps;
  const log = logger.child({ shop: redemption.shop, redemptionId: redemption.id });
  const markAbandoned = async () => {
    await abandonRedemption(db, redemption);
  };
  const defer = async () => {
    // Handed back as it was left: the clock starts when its create was given up on and never moves,
    // so it is looked at again on the next sweep (never "another olderThan period from now": a
    // look that keeps deferring would push that moment back for ever).
    await renewRedemptionLease(db, redemption, leftAt);
    return "deferred" as const;
  };

  const shop = await db.shop.findUnique({ where: { domain: redemption.shop } });
  if (shop?.uninstalledAt) {
    // The token is dead; nothing can be removed and nothing was spent.
    await markAbandoned();
    return "abandoned";
  }
  let access: ShopifyAccess;
  try {
    access = { graphql: await deps.adminFor(redemption.shop), options: { timeoutMs: options.shopifyTimeoutMs ?? 15_000, ...(deps.runOptions?.(redemption.shop) ?? {}) } };
  } catch (error) {
    log.warn({ err: error }, "no Admin API access; recovery deferred");
    return defer();
  }
  const template = await db.rewardTemplate.findUnique({ where: { id: redemption.templateId } });
  const targets = await recoveryTargets(deps, redemption, template);
  for (const target of targets) {
    const found = await lookupExisting(access, target);
    if (!found.ok) {
      log.warn({ failure: failureForLog(found.error.failure) }, "recovery lookup failed; deferred");
      return defer();
    }
    if (!found.found && now().getTime() - redemption.createdAt.getTime() < lookupLagMs(target.kind)) {
      // The lookup is a search that may not see a card made moments ago: a miss now proves
      // nothing. Look again later rather than abandon and leave a usable card nobody knows of.
      log.info({ kind: target.kind }, "recovery lookup found nothing yet, but it may lag behind creation; deferred");
      return defer();
    }
    if (!found.found || !found.found.ours) continue;
    // Store credit is debited at most once per redemption, across crashes and sweeps (removeOnce;
    // the record is the redemption's row: recordTakeBack).
    const removed = await removeOnce(access, { ...target, shopifyId: found.found.id }, "delete", {
      first: () => recordTakeBack(db, redemption),
      withdraw: () => withdrawTakeBack(db, redemption),
    });
    if (!removed.ok) {
      log.warn({ failure: failureForLog(removed.error.failure) }, "recovery could not remove the code; deferred");
      return defer();
    }
    if (removed.outcome === "refused") {
      // Store credit the customer already spent cannot be taken back; nothing was charged in points.
      // By reason: the message quotes the customer's store credit balance (their account, out of customers/redact's reach here).
      log.warn({ shopifyId: found.found.id, reason: removed.reason }, "recovery could not take back what an abandoned redemption made");
      continue;
    }
    log.info({ shopifyId: found.found.id }, "removed the code of an abandoned redemption");
  }
  await markAbandoned();
  return "abandoned";
}

/**
 * What to look for in Shopify for an abandoned redemption: the template's kind (with what a
 * marker-less kind needs to recognise its object), or — without the template — every kind that has
 * a code to look up, once per code namespace.
 */
async function recoveryTargets(deps: RewardDeps, redemption: Redemption, template: RewardTemplate | null): Promise<RewardTarget[]> {
  const base = { rewardId: redemption.id, code: redemption.code, notBefore: redemption.createdAt };
  if (template && isRewardKind(template.kind)) {
    const kind = template.kind;
    const [customer, shop] = await Promise.all([
      deps.db.customer.findUnique({ where: { id: redemption.customerId }, select: { shopifyCustomerId: true } }),
      deps.db.shop.findUnique({ where: { domain: redemption.shop }, select: { currency: true } }),
    ]);
    let settings;
    try {
      settings = settingsFromTemplate(template, redemption.points);
    } catch {
      settings = undefined;
    }
    return [
      {
        ...base,
        kind,
        ...(customer ? { customerGid: customer.shopifyCustomerId } : {}),
        ...(shop ? { currency: shop.currency } : {}),
        ...(settings ? { settings } : {}),
        claimedIds: await claimedShopifyIds(deps.db, { shop: redemption.shop, customerId: redemption.customerId, kind, exceptRewardId: redemption.id }),
      },
    ];
  }
  // One lookup per code namespace (all discount kinds share Shopify's discount codes).
  const byFormat = new Map<string, RewardKind>();
  for (const kind of REWARD_KINDS) {
    const format = kindTraits(kind).codeFormat;
    if (format !== "reference" && !byFormat.has(format)) byFormat.set(format, kind);
  }
  return [...byFormat.values()].map((kind) => ({ ...base, kind }));
}
