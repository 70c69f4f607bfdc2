// The redemption recovery sweep: finishes redemptions (app/services/rewards/redeem-points.server.ts)
// whose process died or gave up half-way. Run periodically by the worker (app/jobs/tasks.server.ts).
import type { Redemption } from "@prisma/client";
import type { RewardDeps } from "./deps.server";
import { lookupExisting, removeFromShopify, type ShopifyAccess } from "./generate.server";
import { DEFAULT_REDEMPTION_LEASE_MS } from "./redeem-points.server";

const DEFAULTS = { leaseMs: DEFAULT_REDEMPTION_LEASE_MS };

export interface RecoverOptions {
  /** Only redemptions whose lease ended at least this long ago (default 10 min). */
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
  const olderThanMs = options.olderThanMs ?? 10 * 60_000;
  const leaseMs = options.leaseMs ?? DEFAULTS.leaseMs;
  const candidates = await db.redemption.findMany({
    where: { state: "IN_PROGRESS", leaseUntil: { lt: new Date(now().getTime() - olderThanMs) } },
    orderBy: { leaseUntil: "asc" },
    take: options.limit ?? 20,
  });
  const summary: RecoverSummary = { examined: 0, abandoned: 0, deferred: 0 };
  for (const candidate of candidates) {
    const lease = new Date(now().getTime() + leaseMs);
    const claimed = await db.redemption.updateMany({
      where: { id: candidate.id, state: "IN_PROGRESS", leaseUntil: candidate.leaseUntil },
      data: { leaseUntil: lease },
    });
    if (claimed.count !== 1) continue;
    summary.examined++;
    const mine = { ...candidate, leaseUntil: lease };
    const log = logger.child({ shop: candidate.shop, redemptionId: candidate.id });
    try {
      const outcome = await recoverOne(deps, mine, options);
      if (outcome === "abandoned") summary.abandoned++;
      else summary.deferred++;
    } catch (error) {
      log.error({ err: error }, "redemption recovery failed; will retry");
      summary.deferred++;
      await db.redemption
        .updateMany({ where: { id: mine.id, state: "IN_PROGRESS", leaseUntil: lease }, data: { leaseUntil: candidate.leaseUntil } })
        .catch(() => undefined);
    }
  }
  return summary;
}

async function recoverOne(deps: RewardDeps, redemption: Redemption, options: RecoverOptions): Promise<"abandoned" | "deferred"> {
  const { db, now, logger } = deps;
  const log = logger.child({ shop: redemption.shop, redemptionId: redemption.id });
  const markAbandoned = async () => {
    await db.redemption.updateMany({
      where: { id: redemption.id, state: "IN_PROGRESS", leaseUntil: redemption.leaseUntil },
      data: { state: "ABANDONED", errorReason: redemption.errorReason ?? "abandoned" },
    });
    await db.customer.updateMany({
      where: { id: redemption.customerId, redemptionLockKey: redemption.idempotencyKey },
      data: { redemptionLockKey: null, redemptionLockUntil: null },
    });
  };
  const defer = async () => {
    // Back to "lease ended at now": examined again after another olderThan period.
    await db.redemption.updateMany({
      where: { id: redemption.id, state: "IN_PROGRESS", leaseUntil: redemption.leaseUntil },
      data: { leaseUntil: now() },
    });
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
  // Without the template we don't know which namespace the code lives in: check both.
  const kinds = template ? [template.kind === "GIFT_CARD" ? ("GIFT_CARD" as const) : ("FIXED_AMOUNT" as const)] : (["FIXED_AMOUNT", "GIFT_CARD"] as const);
  for (const kind of kinds) {
    const found = await lookupExisting(access, { rewardId: redemption.id, kind, code: redemption.code });
    if (!found.ok) {
      log.warn({ failure: found.failure }, "recovery lookup failed; deferred");
      return defer();
    }
    if (!found.found || !found.found.ours) continue;
    const removed = await removeFromShopify(access, { rewardId: redemption.id, kind, code: redemption.code, shopifyId: found.found.id }, "delete");
    if (!removed.ok) {
      log.warn({ failure: removed.failure }, "recovery could not remove the code; deferred");
      return defer();
    }
    log.info({ shopifyId: found.found.id }, "removed the code of an abandoned redemption");
  }
  await markAbandoned();
  return "abandoned";
}
