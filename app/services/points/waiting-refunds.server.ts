// A refund applied before its order's orders/create (docs/decisions/019, "A refund kept for its
// order"). Shopify does not order deliveries (https://shopify.dev/docs/apps/build/webhooks): the
// inbox retries such a refund while its order is on its way (takeBackForRefund), and when its last
// attempt still finds the order unknown — no earned row, no VipOrder row — the refund's facts are
// kept here (WaitingRefund: ids and amounts only, never the body) and applied when the order arrives.
//
// Exactly once, whatever two workers do at the same moment: each side writes first, then looks for
// the other — the refund's row is committed before the refund looks for its order, and the order's
// rows (earned, VipOrder) are committed before the order looks for kept refunds — so at least one of
// them sees the other and applies the refund; both may, and applying is idempotent (the ledger's
// `refund:<id>` key, VipOrder.refundIds).
import type { Db } from "~/db.server";
import { directSql } from "~/db.server";
import { formatMilli, parseMilli, sourceKeys, type RefundFacts } from "~/domain/points";
import type { Logger } from "~/logger.server";
import { vipRefundCreated } from "~/services/vip/tiers.server";
import { randomUUID } from "node:crypto";
import { referralRefundEffect } from "~/services/referrals/effects.server";
import { takeBackForRefund } from "./order-points.server";

/** How long a refund is kept for its order: far beyond Shopify's retries of an orders/create. */
export const KEPT_REFUND_DAYS = 7;
/** The most refunds of one order applied when it arrives (more wait for its next delivery's apply). */
const KEPT_REFUNDS_READ = 100;

/**
 * Points, then VIP amount spent, then the referral the order qualified (the refunds/create effects,
 * each idempotent). The referral's part needs the order's referral effect to have run first: the
 * order's worker applies kept refunds after it (ORDER_CREATED_EFFECTS), so a friend's first order
 * refunded before it arrived never rewards the referrer.
 */
async function applyRefund(db: Db, input: { shop: string; refund: RefundFacts; receivedAt: Date; logger: Logger }) {
  await takeBackForRefund(db, { ...input, lastAttempt: true });
  await vipRefundCreated(db, { shop: input.shop, refund: input.refund });
  await referralRefundEffect(db, { shop: input.shop, refund: input.refund });
}

/**
 * orders/create, after its points, VIP row and referral: the refunds its body already carries
 * (carriedRefunds, app/domain/points/earning.ts — an order imported partially refunded) are applied as
 * their refunds/create would be. Once per refund whatever comes later: the same refund's own
 * refunds/create, a redelivery of the order, or a kept refund of it all meet the ledger's
 * `refund:<gid>` key and VipOrder.refundIds, and take nothing more.
 */
export async function applyRefundsCarriedByOrder(db: Db, input: { shop: string; refunds: readonly RefundFacts[]; receivedAt: Date; logger: Logger }): Promise<number> {
  for (const refund of input.refunds) await applyRefund(db, { shop: input.shop, refund, receivedAt: input.receivedAt, logger: input.logger });
  return input.refunds.length;
}

/** Whether the order has been seen here: its earned row, its cancel marker or its VipOrder row. */
async function orderCounted(db: Db, shop: string, orderGid: string): Promise<{ known: boolean; vip: boolean }> {
  const vip = (await db.vipOrder.count({ where: { shop, orderGid } })) > 0;
  if (vip) return { known: true, vip };
  const ledger = await db.pointsTransaction.count({ where: { shop, orderGid, OR: [{ reason: "EARNED" }, { sourceKey: sourceKeys.orderCanceled(orderGid) }] } });
  return { known: ledger > 0, vip };
}

/**
 * refunds/create, when neither points nor VIP found its order: the refund's facts are kept (once per
 * shop, order and refund) for its order's orders/create, then — the order may have arrived meanwhile
 * (see the header) — applied at once if it has. Kept refunds older than KEPT_REFUND_DAYS are dropped
 * (orders that never arrive: placed before the app was installed, or guest orders).
 */
export async function keepRefundForItsOrder(db: Db, input: { shop: string; refund: RefundFacts; receivedAt: Date; logger: Logger }): Promise<"kept" | "applied"> {
  const { shop, refund } = input;
  await dropStaleKeptRefunds(db, input.receivedAt, shop);
  await directSql(db).execute(
    `INSERT INTO "WaitingRefund" ("id", "shop", "orderGid", "refundId", "lines", "taxes", "shipping", "shippingTax", "receivedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ` +
      `ON CONFLICT ("shop", "orderGid", "refundId") DO NOTHING`,
    [randomUUID(), shop, refund.orderGid, refund.refundId, formatMilli(refund.lines), formatMilli(refund.taxes), formatMilli(refund.shipping), formatMilli(refund.shippingTax), input.receivedAt],
  );
  const counted = await orderCounted(db, shop, refund.orderGid);
  if (!counted.known) {
    input.logger.info({ shop, order: refund.orderGid, refund: refund.refundId }, "refund kept for its order (its orders/create has not arrived)");
    return "kept";
  }
  await applyRefund(db, input);
  // The row stays for the order's worker, which may be between its VipOrder row and its referral
  // effect: it applies the row again (idempotent, and the referral's part only it can do) and drops
  // it; if it had already looked, the row goes with the kept refunds' sweep (KEPT_REFUND_DAYS).
  return "applied";
}

/**
 * The kept refunds' retention: rows kept longer than KEPT_REFUND_DAYS go (their order never came —
 * placed before the app was installed, a guest order — or it was applied before they were kept).
 * Run for one shop whenever it keeps a refund, and for every shop by the worker's hourly pass
 * (app/jobs/tasks.server.ts). Returns how many went.
 */
export async function dropStaleKeptRefunds(db: Db, now: Date, shop?: string): Promise<number> {
  const before = new Date(now.getTime() - KEPT_REFUND_DAYS * 86_400_000);
  return (await db.waitingRefund.deleteMany({ where: { ...(shop === undefined ? {} : { shop }), receivedAt: { lt: before } } })).count;
}

/**
 * orders/create, after its points and VIP row are written: the refunds kept for the order are applied
 * (points taken back, amount spent lowered) and dropped. A guest order's kept refunds are dropped too:
 * nothing of theirs will ever count.
 */
export async function applyRefundsKeptForOrder(db: Db, input: { shop: string; orderGid: string; receivedAt: Date; logger: Logger }): Promise<number> {
  // Every applied order looks, and almost none finds anything: the lookup (by the unique key's prefix)
  // goes straight to the driver, as the inbox's other per-order reads do (docs/decisions/016).
  const kept = await directSql(db).query<{ id: unknown; refundId: unknown; lines: unknown; taxes: unknown; shipping: unknown; shippingTax: unknown }>(
    `SELECT "id", "refundId", "lines", "taxes", "shipping", "shippingTax" FROM "WaitingRefund" WHERE "shop" = ? AND "orderGid" = ? ORDER BY "receivedAt" ASC LIMIT ${KEPT_REFUNDS_READ}`,
    [input.shop, input.orderGid],
  );
  for (const row of kept) {
    const [lines, taxes, shipping] = [parseMilli(String(row.lines)), parseMilli(String(row.taxes)), parseMilli(String(row.shipping))];
    // A row kept before refunded shipping's tax was read has none (null): read as no tax, never more.
    const shippingTax = row.shippingTax == null ? 0n : parseMilli(String(row.shippingTax));
    if (lines !== null && taxes !== null && shipping !== null && shippingTax !== null) {
      await applyRefund(db, { shop: input.shop, refund: { refundId: String(row.refundId), orderGid: input.orderGid, lines, taxes, shipping, shippingTax }, receivedAt: input.receivedAt, logger: input.logger });
    }
    await db.waitingRefund.deleteMany({ where: { id: String(row.id) } });
  }
  return kept.length;
}
