// Keeps rewards true when the merchant changes a reward's discount in Shopify's own admin:
// a deactivated (before its own expiry) or deleted discount means the code no longer works, so the
// reward becomes Canceled with the reason "changed in Shopify" instead of showing a dead code.
// Fed by discounts/update and discounts/delete webhooks, and by a periodic lookup of older Issued
// rewards (webhooks can be lost or arrive a day late).
import type { Db } from "~/db.server";
import { logger } from "~/logger.server";
import { CHANGED_IN_SHOPIFY_CODE, DISCOUNT_KINDS, parseRewardKind } from "~/domain/rewards";
import { adapterFor } from "~/shopify/kinds/index.server";
import type { AdminGraphql } from "~/shopify/graphql.server";
import { transitionRewardById } from "../rewards/events.server";
import { cancelInFlight, CANCEL_IN_FLIGHT_MS, completeInterruptedCancel } from "../rewards/cancel.server";
import { ownershipTag } from "../rewards/repository.server";
import { shopifyGidOf } from "~/domain/shopify-ids";

export const CHANGED_IN_SHOPIFY = "changed in Shopify";

type ShopifyChange = { kind: "deleted" } | { kind: "status"; status: string; endsAt?: string | null };

/**
 * The ids a discount of a discounts/* payload may be stored under. Shopify's payload samples carry a
 * `DiscountCodeNode` or `DiscountAutomaticNode` GID, the Admin API's `DiscountNode` shares the numeric
 * id (https://shopify.dev/docs/api/admin-graphql/latest/objects/DiscountNode); rewards store the
 * DiscountCodeNode GID that discountCode*Create returned. Either form finds the reward.
 */
export function discountIdsOf(value: unknown): string[] | null {
  // The app's one rule for Shopify's ids (app/domain/shopify-ids.ts: digits within 64 bits).
  const gid = shopifyGidOf(value, "DiscountCodeNode") ?? shopifyGidOf(value, "DiscountNode");
  if (!gid) return null;
  const digits = gid.slice(gid.lastIndexOf("/") + 1);
  return [`gid://shopify/DiscountCodeNode/${digits}`, `gid://shopify/DiscountNode/${digits}`];
}

/** Applies what Shopify says about one discount to the reward that owns it (if any). */
export async function applyShopifyDiscountChange(
  db: Db,
  input: { shop: string; discountGid: string | string[]; change: ShopifyChange; source: "webhook" | "reconciliation"; now: Date; dedupeKey?: string },
): Promise<"canceled" | "unchanged" | "not_ours"> {
  const ids = Array.isArray(input.discountGid) ? input.discountGid : [input.discountGid];
  const rewards = await db.reward.findMany({
    where: { shop: input.shop, shopifyId: { in: ids } },
    select: { id: true, status: true, expiresAt: true, cancelRequestedAt: true },
  });
  if (rewards.length === 0) return "not_ours";
  let canceled = false;
  for (const reward of rewards) {
    if (reward.status !== "ISSUED" && reward.status !== "PENDING") continue;
    // The app's own cancel deactivates in Shopify first and commits after; Shopify's webhook for
    // that deactivation (or a check in between) is the cancel's echo, not a change made in
    // Shopify's admin (docs/decisions/018).
    if (cancelInFlight(reward, input.now)) {
      logger.info({ shop: input.shop, rewardId: reward.id, source: input.source }, "discount change is the app's own cancel in flight; left to it");
      continue;
    }
    const codeIsDead = input.change.kind === "deleted" || input.change.status === "EXPIRED";
    if (reward.status === "ISSUED" && reward.cancelRequestedAt && codeIsDead) {
      // The merchant's cancel deactivated it but never committed: finish it as the merchant's.
      const done = await completeInterruptedCancel({ db, logger }, { rewardId: reward.id, now: input.now, actorDetail: input.source });
      if (done === "canceled") canceled = true;
      continue;
    }
    let detail: string | null = null;
    if (input.change.kind === "deleted") detail = "the discount was deleted in Shopify's admin";
    else if (input.change.status === "EXPIRED") {
      // Natural expiry is not a change: the reward's own expiry date says so.
      const naturallyExpired = reward.expiresAt !== null && reward.expiresAt.getTime() <= input.now.getTime();
      if (!naturallyExpired) detail = "the discount was deactivated in Shopify's admin";
    }
    if (!detail) continue;
    const result = await transitionRewardById(db, logger, {
      rewardId: reward.id,
      to: "CANCELED",
      trigger: "MERCHANT_CANCELED",
      actor: input.source === "webhook" ? "WEBHOOK" : "SYSTEM",
      reason: `${CHANGED_IN_SHOPIFY}: ${detail}`,
      dedupeKey: input.dedupeKey ?? `shopify-change:${ids[0]}`,
      data: { canceledAt: input.now, failureCode: CHANGED_IN_SHOPIFY_CODE, failureMessage: detail },
    });
    if (result.type === "applied") canceled = true;
  }
  return canceled ? "canceled" : "unchanged";
}

/** discounts/update payload: `{ admin_graphql_api_id, title, status, created_at, updated_at }`. */
export async function handleDiscountUpdated(db: Db, shop: string, payload: unknown, now: Date) {
  const p = (payload ?? {}) as { admin_graphql_api_id?: unknown; status?: unknown };
  const ids = discountIdsOf(p.admin_graphql_api_id);
  if (!ids || typeof p.status !== "string") return "not_ours" as const;
  return applyShopifyDiscountChange(db, { shop, discountGid: ids, change: { kind: "status", status: p.status }, source: "webhook", now, dedupeKey: `shopify-change:${ids[0]}` });
}

/** discounts/delete payload: `{ admin_graphql_api_id, deleted_at }`. */
export async function handleDiscountDeleted(db: Db, shop: string, payload: unknown, now: Date) {
  const ids = discountIdsOf((payload as { admin_graphql_api_id?: unknown } | null)?.admin_graphql_api_id);
  if (!ids) return "not_ours" as const;
  return applyShopifyDiscountChange(db, { shop, discountGid: ids, change: { kind: "deleted" }, source: "webhook", now, dedupeKey: `shopify-change:${ids[0]}` });
}

/**
 * The periodic pass: looks up Issued discount rewards older than `olderThanMs` that were not
 * checked in the last `olderThanMs`, a few at a time, oldest check first. Returns what it did.
 */
export async function reconcileIssuedRewards(input: {
  db: Db;
  adminFor: (shop: string) => Promise<AdminGraphql>;
  now: Date;
  olderThanMs: number;
  limit?: number;
}): Promise<{ checked: number; canceled: number; errors: number }> {
  const cutoff = new Date(input.now.getTime() - input.olderThanMs);
  const due = await input.db.reward.findMany({
    where: {
      status: "ISSUED",
      // Only kinds whose Shopify object the merchant can change on their own (discounts).
      kind: { in: [...DISCOUNT_KINDS] },
      shopifyId: { not: null },
      OR: [
        { issuedAt: { lte: cutoff }, OR: [{ reconciledAt: null }, { reconciledAt: { lte: cutoff } }] },
        // A merchant's cancel that stopped between Shopify and its commit: look soon, not in a day.
        {
          cancelRequestedAt: { lte: new Date(input.now.getTime() - CANCEL_IN_FLIGHT_MS) },
          OR: [{ reconciledAt: null }, { reconciledAt: { lt: input.db.reward.fields.cancelRequestedAt } }],
        },
      ],
    },
    orderBy: [{ reconciledAt: "asc" }, { issuedAt: "asc" }],
    take: input.limit ?? 50,
    select: { id: true, shop: true, shopifyId: true, kind: true, code: true },
  });
  const stats = { checked: 0, canceled: 0, errors: 0 };
  // Shops whose work is paused (uninstalled, or token rejected: app/services/lifecycle) are skipped.
  const uninstalled = new Set(
    (await input.db.shop.findMany({ where: { OR: [{ uninstalledAt: { not: null } }, { accessRevokedAt: { not: null } }] }, select: { domain: true } })).map((s) => s.domain),
  );
  for (const reward of due) {
    if (uninstalled.has(reward.shop)) continue;
    try {
      const graphql = await input.adminFor(reward.shop);
      const readState = adapterFor(parseRewardKind(reward.kind)).readState;
      if (!readState) continue;
      const kind = parseRewardKind(reward.kind);
      const r = await readState({ graphql }, reward.shopifyId!);
      if (!r.ok) {
        stats.errors++;
        continue;
      }
      let change: ShopifyChange | null = r.data === null ? null : { kind: "status", status: r.data.status, endsAt: r.data.endsAt };
      if (change === null) {
        // One null answer is not proof of a deletion (a wrong id form, a lagging read): confirm by
        // the code (codeDiscountNodeByCode) before canceling anything.
        const byCode = await adapterFor(kind).lookup({ graphql }, { rewardId: reward.id, kind, code: reward.code, tag: ownershipTag(reward.id) });
        if (!byCode.ok) {
          stats.errors++;
          continue;
        }
        const stored = discountIdsOf(reward.shopifyId) ?? [reward.shopifyId!];
        const same = byCode.data && (stored.includes(byCode.data.id) || byCode.data.ours) ? byCode.data : null;
        change = same ? { kind: "status", status: same.active ? "ACTIVE" : "EXPIRED", endsAt: same.endsAt?.toISOString() ?? null } : { kind: "deleted" };
      }
      stats.checked++;
      const outcome = await applyShopifyDiscountChange(input.db, {
        shop: reward.shop,
        discountGid: reward.shopifyId!,
        change,
        source: "reconciliation",
        now: input.now,
      });
      if (outcome === "canceled") stats.canceled++;
      await input.db.reward.update({ where: { id: reward.id }, data: { reconciledAt: input.now } });
    } catch (error) {
      stats.errors++;
      logger.warn({ err: error, rewardId: reward.id }, "reconciliation lookup failed");
    }
  }
  return stats;
}
