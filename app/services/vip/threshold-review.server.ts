// VIP thresholds under review (docs/decisions/015 "amounts saved in another currency", 022 "thresholds
// under review"): a tier's threshold is kept with what it was typed as — its basis (`thresholdBasis`)
// and, for an amount spent, the shop's currency (`amountCurrency`). The one rule that puts it under
// review is `thresholdNeedsReview` (app/domain/vip). These are the reads and the confirm the shop's
// amounts review (app/services/lifecycle/amount-currency.server.ts) and the entry rewards' hold
// (app/services/rewards/generate-pending.server.ts) use; they take the shop's currency as an argument.
import type { Db } from "~/db.server";
import { thresholdNeedsReview, thresholdSavedIn, typedThreshold, vipProgramFromRow, type VipBasis } from "~/domain/vip";

/** The basis the shop's VIP thresholds count now (the default when it has no program). */
export async function programBasis(db: Pick<Db, "vipProgram">, shop: string): Promise<VipBasis> {
  return vipProgramFromRow(await db.vipProgram.findUnique({ where: { shop }, select: { basis: true } })).basis;
}

/** The shop's tiers whose thresholds are under review, by name, each with what it was saved in (the review banner). */
export async function vipThresholdsToReview(db: Pick<Db, "vipProgram" | "vipTier">, shop: string, shopCurrency: string): Promise<{ name: string; savedIn: string }[]> {
  const [basis, tiers] = await Promise.all([
    programBasis(db, shop),
    db.vipTier.findMany({ where: { shop }, select: { name: true, thresholdBasis: true, amountCurrency: true }, orderBy: { name: "asc" }, take: 100 }),
  ]);
  return tiers.filter((t) => thresholdNeedsReview(t, basis, shopCurrency)).map((t) => ({ name: t.name, savedIn: thresholdSavedIn(t, basis) }));
}

/**
 * The merchant's confirm of the shop's amounts in `currency`: every threshold under review is marked
 * as typed for the program's `basis` (programBasis, read before) and in `currency` when that is an
 * amount spent. Not awaited here: it is one statement of the confirm's transaction. Customers held
 * meanwhile are placed by the worker afterwards (releaseHeldPlacements, app/services/vip/admin.server.ts).
 */
export function confirmVipThresholds(db: Pick<Db, "vipTier">, shop: string, basis: VipBasis, currency: string) {
  // `not` leaves null out (not known: read as the program's basis, and as the shop's currency).
  const underReview = [{ thresholdBasis: { not: basis } }, ...(basis === "AMOUNT_SPENT" ? [{ amountCurrency: { not: currency } }] : [])];
  return db.vipTier.updateMany({ where: { shop, OR: underReview }, data: typedThreshold(basis, currency) });
}

/** Whether a tier giving this entry reward has its threshold under review: the reward then waits (held). */
export async function entryRewardThresholdsUnderReview(db: Pick<Db, "vipProgram" | "vipTier">, shop: string, templateId: string, shopCurrency: string): Promise<boolean> {
  const [basis, tiers] = await Promise.all([
    programBasis(db, shop),
    db.vipTier.findMany({ where: { shop, entryRewardTemplateId: templateId }, select: { thresholdBasis: true, amountCurrency: true }, take: 100 }),
  ]);
  return tiers.some((t) => thresholdNeedsReview(t, basis, shopCurrency));
}
