// Read model: the shop's loyalty program as a storefront visitor may see it — the active points
// redemption options (from RewardTemplate rows) and the shop currency. Public data only.
import type { Db } from "~/db.server";
import { isRewardKind, type RewardKind } from "~/domain/rewards";

export interface RedemptionOption {
  id: string;
  /** The merchant's name for the reward, e.g. "$5 off". */
  name: string;
  kind: RewardKind;
  /** Amount in shop currency, or a percentage 0–100 for PERCENTAGE (decimal as text). */
  value: string;
  pointsCost: number;
  minimumSubtotal: string | null;
  expiryDays: number | null;
}

export interface ProgramInfo {
  currency: string;
  redemptionOptions: RedemptionOption[];
}

/** At most this many options are shown; a storefront panel is not a catalogue. */
export const MAX_REDEMPTION_OPTIONS = 50;

export async function loadProgramInfo(db: Pick<Db, "rewardTemplate" | "shop">, shop: string): Promise<ProgramInfo> {
  const [shopRow, templates] = await Promise.all([
    db.shop.findUnique({ where: { domain: shop }, select: { currency: true } }),
    db.rewardTemplate.findMany({
      // A redemption option without a positive cost cannot be redeemed; don't advertise it.
      where: { shop, purpose: "POINTS_REDEMPTION", active: true, pointsCost: { gt: 0 } },
      orderBy: [{ pointsCost: "asc" }, { id: "asc" }],
      take: MAX_REDEMPTION_OPTIONS,
      select: { id: true, name: true, kind: true, value: true, pointsCost: true, minimumSubtotal: true, expiryDays: true },
    }),
  ]);
  return {
    currency: shopRow?.currency ?? "USD",
    redemptionOptions: templates
      .filter((t) => isRewardKind(t.kind))
      .map((t) => ({
        id: t.id,
        name: t.name,
        kind: t.kind as RewardKind,
        value: t.value,
        pointsCost: t.pointsCost ?? 0,
        minimumSubtotal: t.minimumSubtotal,
        expiryDays: t.expiryDays,
      })),
  };
}
