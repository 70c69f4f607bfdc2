// Read model: the shop's loyalty program as a storefront visitor may see it — the active points
// redemption options (from RewardTemplate rows) and the shop currency. Public data only.
import { amountsNeedReview } from "~/domain/currency";
import { shopCurrencyOf } from "~/services/lifecycle/amount-currency.server";
import type { Db } from "~/db.server";
import { settingsFromRow } from "~/domain/points";
import { grantedScopesOf, missingScopesFor } from "~/services/lifecycle/scopes.server";
import { canLimitToItems, checkTemplateSettings, isRewardKind, parseAppliesTo, variableOf, type RewardKind, type VariablePoints } from "~/domain/rewards";

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
  /**
   * Variable "points for amount off": the customer chooses min..max points in steps; `pointsCost`
   * points buy `value` (e.g. 100 points = 1.00). Null for a fixed-cost option.
   */
  variable: VariablePoints | null;
  /** Where the code applies: the whole order, or the named products / collections (titles as saved). */
  appliesTo: { kind: "ALL" | "PRODUCTS" | "COLLECTIONS"; titles: string[] };
  /** Free product: its title (and the variant's), as saved. */
  productTitle: string | null;
}

/**
 * The points program as the widget words it: the merchant's points name everywhere, the real
 * earning rule (only while the program is on: a program that is off promises nothing), and whether
 * the widget asks for a birthday (only when a birthday bonus is on offer: no personal data is
 * collected for nothing).
 */
export interface PointsInfo {
  enabled: boolean;
  name: { one: string; other: string };
  /** Points per 1 unit of the shop currency ("1", "0.5"); null while the program is off or the rule awaits review. */
  pointsPerCurrencyUnit: string | null;
  signupBonus: number;
  birthdayBonus: number;
}

export interface ProgramInfo {
  currency: string;
  points: PointsInfo;
  redemptionOptions: RedemptionOption[];
}

/** `shopCurrency`: the shop's currency when the caller has read it already (else read here only if needed). */
export async function loadPointsInfo(db: Pick<Db, "programSettings" | "shop">, shop: string, shopCurrency?: string): Promise<PointsInfo> {
  const row = await db.programSettings.findUnique({ where: { shop } });
  const s = settingsFromRow(row);
  // A rule saved in another currency than the shop sells in now is not promised ("1 point per $1"
  // shown as "per ¥1"): orders wait for the merchant's review (docs/decisions/015).
  const savedIn = row?.amountCurrency ?? null;
  const toReview = s.enabled && savedIn !== null && amountsNeedReview(savedIn, shopCurrency ?? (await shopCurrencyOf(db, shop)));
  return {
    enabled: s.enabled,
    name: { one: s.pointsNameSingular, other: s.pointsNamePlural },
    pointsPerCurrencyUnit: s.enabled && !toReview ? s.pointsPerCurrencyUnit : null,
    signupBonus: s.enabled ? s.signupBonus : 0,
    birthdayBonus: s.enabled ? s.birthdayBonus : 0,
  };
}

/** At most this many options are shown; a storefront panel is not a catalogue. */
export const MAX_REDEMPTION_OPTIONS = 50;

export async function loadProgramInfo(db: Pick<Db, "rewardTemplate" | "shop" | "programSettings" | "session">, shop: string): Promise<ProgramInfo> {
  const currency = await shopCurrencyOf(db, shop);
  const [points, templates, granted] = await Promise.all([
    loadPointsInfo(db, shop, currency),
    db.rewardTemplate.findMany({
      // A redemption option without a positive cost cannot be redeemed; don't advertise it.
      where: { shop, purpose: "POINTS_REDEMPTION", active: true, pointsCost: { gt: 0 } },
      orderBy: [{ pointsCost: "asc" }, { id: "asc" }],
      take: MAX_REDEMPTION_OPTIONS,
      select: {
        id: true,
        name: true,
        kind: true,
        value: true,
        pointsCost: true,
        minimumSubtotal: true,
        expiryDays: true,
        pointsMin: true,
        pointsMax: true,
        pointsStep: true,
        appliesTo: true,
        appliesToIds: true,
        catalogTitles: true,
        productId: true,
        variantId: true,
        combinesWithOrder: true,
        combinesWithProduct: true,
        combinesWithShipping: true,
        codePrefix: true,
        amountCurrency: true,
      },
    }),
    grantedScopesOf(db, shop),
  ]);
  return {
    currency,
    points,
    redemptionOptions: templates
      // An option whose saved settings can't be redeemed (a value beyond its kind's limits such as
      // 150 % off, a restriction that can't be read, a free product without a product): the redeem
      // use-case refuses it by the same rule (app/domain/rewards/settings.ts), so it is not shown.
      .filter((t) => isRewardKind(t.kind) && checkTemplateSettings(t.kind, t).ok)
      // Gift cards and store credit need optional scopes: not offered until the shop has granted them.
      .filter((t) => granted === null || missingScopesFor(t.kind as RewardKind, granted).length === 0)
      // Amounts saved in another currency than the shop sells in now: not offered until the merchant
      // confirms them (docs/decisions/015); the redeem use-case refuses them by the same rule.
      .filter((t) => !amountsNeedReview(t.amountCurrency, currency))
      .map((t) => {
        const kind = t.kind as RewardKind;
        const titles = readTitles(t.catalogTitles);
        const applies = (canLimitToItems(kind) ? parseAppliesTo(t.appliesTo, t.appliesToIds) : null) ?? { appliesTo: "ALL" as const, ids: [] };
        const product = t.productId ? titles[t.productId] : undefined;
        const variant = t.variantId ? titles[t.variantId] : undefined;
        return {
          id: t.id,
          name: t.name,
          kind,
          value: t.value,
          pointsCost: t.pointsCost ?? 0,
          minimumSubtotal: t.minimumSubtotal,
          expiryDays: t.expiryDays,
          variable: variableOf(t),
          appliesTo: { kind: applies.appliesTo, titles: applies.ids.map((id) => titles[id] ?? "").filter(Boolean) },
          productTitle: product ? (variant && variant !== "Default Title" ? `${product} (${variant})` : product) : null,
        };
      }),
  };
}

function readTitles(json: string): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === "string"));
    }
  } catch {
    // Titles are only words on the storefront: without them the conditions are still shown.
  }
  return {};
}
