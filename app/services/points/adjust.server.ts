// Manual points adjustments by the merchant: add or remove, with a required reason, recorded in the
// ledger with the staff member who did it (the session token's user id). Removing never takes the
// balance below zero: asking for more than the customer has is refused with a clear message.
import type { Db } from "~/db.server";
import type { Result } from "~/domain/result";
import { sourceKeys } from "~/domain/points";
import { ADJUSTMENT_MESSAGES } from "~/copy/admin";
import { parseRequestKey, REQUEST_KEY_REFUSED } from "~/services/admin/request-key.server";
import { creditPoints, debitPoints, InsufficientPointsError, PointsLimitError } from "./ledger.server";

export type AdjustField = "points" | "reason" | "direction";

export type AdjustResult = Result<
  { message: string; pointsBalance: number },
  { code: "invalid" | "not_found" | "insufficient_points" | "points_limit"; message: string; fields?: Partial<Record<AdjustField, string>> }
>;

/** The most points one adjustment adds or removes (a balance holds up to the domain's MAX_POINTS). */
const MAX_ADJUSTMENT_POINTS = 1_000_000;

export async function adjustPoints(
  db: Db,
  input: { shop: string; customerId: string; actorId: string | null; now: Date; form: { direction?: unknown; points?: unknown; reason?: unknown; requestKey?: unknown; idempotencyKey?: unknown } },
): Promise<AdjustResult> {
  const fields: Partial<Record<AdjustField, string>> = {};
  const direction = input.form.direction;
  if (direction !== "add" && direction !== "remove") fields.direction = ADJUSTMENT_MESSAGES.fields.direction;
  const pointsText = typeof input.form.points === "string" ? input.form.points.trim() : "";
  const points = /^\d{1,7}$/.test(pointsText) ? Number(pointsText) : NaN;
  if (!(points >= 1 && points <= MAX_ADJUSTMENT_POINTS)) fields.points = ADJUSTMENT_MESSAGES.fields.points;
  const reason = typeof input.form.reason === "string" ? input.form.reason.trim() : "";
  if (reason === "" || reason.length > 200) fields.reason = ADJUSTMENT_MESSAGES.fields.reason;
  if (Object.keys(fields).length > 0) return { ok: false, error: { code: "invalid", message: ADJUSTMENT_MESSAGES.invalid, fields } };
  // The form's key (the one rule of app/services/admin/request-key.server.ts), `requestKey` as in
  // every admin form: one that isn't a key is refused — ignored, it let the same post add the points
  // twice. The form's former name for it (`idempotencyKey`, a page loaded before the rename) is
  // refused as a form out of date, never read as a form without a key.
  if (input.form.idempotencyKey !== undefined) return { ok: false, error: { code: "invalid", message: REQUEST_KEY_REFUSED } };
  const requestKey = parseRequestKey(input.form.requestKey);
  if (!requestKey.ok) return { ok: false, error: { code: "invalid", message: requestKey.message } };

  const customer = await db.customer.findFirst({ where: { id: input.customerId, shop: input.shop }, select: { id: true } });
  if (!customer) return { ok: false, error: { code: "not_found", message: "This customer isn't in your shop's loyalty program." } };
  // The form's key makes a double submit one adjustment. It is the customer's: the same key sent for
  // another customer is another adjustment, not a duplicate of the first.
  const key = requestKey.key === null ? null : sourceKeys.adjustment(customer.id, requestKey.key);
  const source = {
    shop: input.shop,
    customerId: customer.id,
    points,
    reason: "ADJUSTMENT" as const,
    actor: "MERCHANT" as const,
    actorId: input.actorId,
    // The merchant's own words: kept as the row's note (erased by customers/redact).
    note: reason,
    sourceKey: key,
    now: input.now,
  };
  try {
    const write = direction === "add" ? await creditPoints(db, source) : await debitPoints(db, { ...source, mode: "require" });
    // The same form sent again with other values (another amount or direction): what it asks was not done.
    if (write.type === "duplicate" && write.entry.delta !== (direction === "add" ? points : -points)) {
      return { ok: false, error: { code: "invalid", message: ADJUSTMENT_MESSAGES.resent } };
    }
  } catch (error) {
    if (error instanceof PointsLimitError) {
      return { ok: false, error: { code: "points_limit", message: ADJUSTMENT_MESSAGES.limit, fields: { points: ADJUSTMENT_MESSAGES.limit } } };
    }
    if (!(error instanceof InsufficientPointsError)) throw error;
    const c = await db.customer.findUniqueOrThrow({ where: { id: customer.id }, select: { pointsBalance: true } });
    return { ok: false, error: { code: "insufficient_points", message: ADJUSTMENT_MESSAGES.insufficient(c.pointsBalance), fields: { points: ADJUSTMENT_MESSAGES.insufficient(c.pointsBalance) } } };
  }
  const after = await db.customer.findUniqueOrThrow({ where: { id: customer.id }, select: { pointsBalance: true } });
  return { ok: true, message: direction === "add" ? ADJUSTMENT_MESSAGES.added(points) : ADJUSTMENT_MESSAGES.removed(points), pointsBalance: after.pointsBalance };
}
