// Amounts saved in another currency (docs/decisions/015, "amounts saved in another currency"). A
// merchant's amounts (reward templates' amount off and minimum order, VIP tiers' thresholds,
// the referral minimum order, points per unit of currency) mean the shop's currency when they were
// saved, kept beside them as `amountCurrency`. After the shop changes its currency (shop/update, a
// token exchange: scopes.server.ts), rows whose amounts need review (amountsNeedReview,
// app/domain/currency.ts) are listed for the admin's banner, not offered or issued, until the
// merchant confirms them in the new currency here.
import type { Db } from "~/db.server";
import { amountCurrencyTitle, amountsNeedReview, shopCurrencyCode } from "~/domain/currency";
import type { Problem, Result } from "~/domain/result";
import { confirmVipThresholds, programBasis, vipThresholdsToReview } from "~/services/vip/threshold-review.server";
import { wakeWorkers } from "~/worker-wake.server";

/**
 * The currency of a shop the app has no Shop row for yet: the one a new row gets (Shop.currency's
 * `@default`, prisma/schema.prisma — the database cannot read a TypeScript constant, so a test pins
 * the two to the same value: amount-currency.server.test.ts).
 */
const CURRENCY_WITHOUT_SHOP_ROW = "USD";

/**
 * The currency the app uses for the shop's amounts, from its Shop row as already read (`null`: no row
 * yet). The one place that says what a shop without a row sells in; for callers that read the row for
 * other fields too. Without the row at hand: shopCurrencyOf.
 */
export function currencyOfShopRow(row: { currency: string } | null | undefined): string {
  return row?.currency ?? CURRENCY_WITHOUT_SHOP_ROW;
}

/** The currency the app uses for the shop's amounts: Shop.currency, or currencyOfShopRow's when the shop has no row yet. */
export async function shopCurrencyOf(db: Pick<Db, "shop">, shop: string): Promise<string> {
  return currencyOfShopRow(await db.shop.findUnique({ where: { domain: shop }, select: { currency: true } }));
}

/** A row's amounts while they need review: saved in one currency (its code), the shop sells in the other. */
export interface AmountsToReview {
  savedIn: string;
  shopCurrency: string;
}

/**
 * Whether amounts a rule runs on were saved in another currency than the shop sells in now
 * (`amountCurrency`, the row's, as read by the caller, who reads the row anyway; the one rule:
 * amountsNeedReview). Orders then are not measured with them, they wait until the merchant confirms
 * the amounts or saves the page again: the points program's earning rule (EARNING_HELD,
 * app/services/points/order-points.server.ts) and the referral minimum (ReferralHeldOrder,
 * app/services/referrals/referrals.server.ts). Null when they need no review (the shop's currency is
 * read only when they may).
 */
export async function amountsToReview(db: Pick<Db, "shop">, shop: string, amountCurrency: string | null): Promise<AmountsToReview | null> {
  if (amountCurrency === null) return null;
  const shopCurrency = await shopCurrencyOf(db, shop);
  return amountsNeedReview(amountCurrency, shopCurrency) ? { savedIn: amountCurrency, shopCurrency } : null;
}

/** An order placed in another shop currency than the one the app has for the shop (Shop.currency). */
export interface OrderInOtherCurrency {
  /** The order's shop currency (orders/create `currency`: orderCurrencyOf, app/domain/points). */
  orderCurrency: string;
  /** Shop.currency as stored. */
  shopCurrency: string;
}

/**
 * Whether an order's shop currency (`orderCurrency`, null: the body does not say) is not the one the
 * app has for the shop — a shop/update announcing a change is late or was lost, or the order is an odd
 * one (imported in another currency). Its amounts are then not measured with the shop's rules (the
 * earning rule, the referral minimum): it is held like an order waiting for a review of amounts, and
 * Shopify is asked for the shop's currency (askShopCurrency; docs/decisions/019 and 023, addenda of 3
 * December 2026). The stored currency is the batch's one read (batch-reads.server.ts): an order in
 * the stored currency costs no statement more.
 */
export async function orderInOtherCurrency(db: Pick<Db, "shop">, shop: string, orderCurrency: string | null): Promise<OrderInOtherCurrency | null> {
  if (orderCurrency === null) return null;
  const shopCurrency = await shopCurrencyOf(db, shop);
  return orderCurrency === shopCurrency ? null : { orderCurrency, shopCurrency };
}

/** The shop's currency as stored, and as of when Shopify said it (`Shop.currencyReadAt`; null: never read). */
export interface ShopCurrencyReading {
  currency: string;
  readAt: Date | null;
}

export async function shopCurrencyReading(db: Pick<Db, "shop">, shop: string): Promise<ShopCurrencyReading> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { currency: true, currencyReadAt: true } });
  return { currency: currencyOfShopRow(row), readAt: row?.currencyReadAt ?? null };
}

/**
 * What Shopify's answer makes of an order held for its currency (orderInOtherCurrency on arrival;
 * `heldSince`: its arrival) — the one decision for every effect that holds such orders (points:
 * releaseHeldEarnings; VIP amount spent: decideVipOrdersHeldForCurrency, app/services/vip/tiers.server.ts):
 *   in_shop_currency  — the shop sells in the order's currency now (it changed): the order is one in
 *                       the shop's currency, measured by rules that may be under review (decision 015);
 *   in_other_currency — the shop's currency was read at or after the order's arrival and is still
 *                       another one: an odd order (imported, or created through the API), not measured;
 *   waiting           — no reading since the order came: Shopify has not answered yet.
 * (docs/decisions/019 and 022, addenda of 3 December 2026.)
 */
export function heldOrderCurrencyDecision(orderCurrency: string, heldSince: Date, reading: ShopCurrencyReading): "in_shop_currency" | "in_other_currency" | "waiting" {
  if (orderCurrency === reading.currency) return "in_shop_currency";
  return reading.readAt !== null && reading.readAt.getTime() >= heldSince.getTime() ? "in_other_currency" : "waiting";
}

/**
 * Asks Shopify for the shop's currency, by the app's one read of it (refreshShopFacts, scopes.server.ts):
 * `Shop.currencyCheckDueAt` is set (a later time wins: every order held for its currency must be
 * older than the reading that answers it), and the worker's "shop currencies" pass
 * (readUnreadShopCurrencies) reads it; a reading at or after the mark clears it and marks the held
 * orders due (storeShopCurrency). A shop without a row gets one, as markHeldOrdersDue makes it.
 */
export function askShopCurrency(db: Pick<Db, "shop">, shop: string, now: Date) {
  return db.shop.upsert({ where: { domain: shop }, create: { domain: shop, currencyCheckDueAt: now }, update: { currencyCheckDueAt: now }, select: { domain: true } });
}

/**
 * The merchant ended a review of amounts (the confirm, a Program or a Referrals save): the orders held
 * for it (EARNING_HELD rows, ReferralHeldOrder) are due. One statement, meant for the transaction that
 * ends the review, so the mark is there exactly when the amounts are: the worker's "held orders" task
 * (app/services/lifecycle/held-orders.server.ts) finds it at its next round in any process — at once in
 * this one, woken by `heldOrdersDue` after the commit — decides what can be decided, and clears it.
 * (A review the shop's currency ends — back in the amounts' currency — is marked where the currency is
 * stored: storeShopCurrency, app/services/lifecycle/scopes.server.ts.)
 *
 * A shop the app has no Shop row for yet (its afterAuth never wrote one) gets one here, as afterAuth
 * makes it (resumeShop, lifecycle.server.ts: the schema's defaults, `installedAt` now — its callers
 * are the merchant's admin requests, which Shopify's session token shows come from the installed app), so the
 * mark has a row to live on; the row's currency is the one the app already used without it
 * (currencyOfShopRow).
 */
export function markHeldOrdersDue(db: Pick<Db, "shop">, shop: string, now: Date) {
  return db.shop.upsert({ where: { domain: shop }, create: { domain: shop, heldOrdersDueAt: now }, update: { heldOrdersDueAt: now }, select: { domain: true } });
}

let markedInThisProcess = false;

/** After the commit that marked them (markHeldOrdersDue): this process's worker decides them now, not at its next poll (app/worker-wake.server.ts). */
export function heldOrdersDue(): void {
  markedInThisProcess = true;
  wakeWorkers();
}

/**
 * Whether this process marked held orders due since the last call (heldOrdersDue), and forgets it: the
 * worker's wake-ups look in the database only then. A wake-up is mostly a webhook delivery recorded
 * here, and a look per delivery was a query per delivery for nothing; marks made by other processes
 * are found by every full round (at most WORKER_POLL_MS apart).
 */
export function takeHeldOrdersMarkedHere(): boolean {
  const marked = markedInThisProcess;
  markedInThisProcess = false;
  return marked;
}

/** The key of a held reward's NOTE (one per currency it waits for review in), by which the confirm finds it. */
export const amountReviewKey = (shopCurrency: string) => `amount-review:${shopCurrency}`;

/** The admin pages whose amounts can need review, each with its banner line. */
export type AmountArea = "waysToRedeem" | "vip" | "referrals" | "program" | "otherRewards";

const AREA_LABELS: Record<AmountArea, string> = {
  waysToRedeem: "Ways to redeem",
  vip: "VIP",
  referrals: "Referrals",
  program: "Program",
  otherRewards: "Other rewards",
};

const AREA_OF_PURPOSE: Record<string, AmountArea> = { POINTS_REDEMPTION: "waysToRedeem", VIP_TIER_ENTRY: "vip", REFERRAL: "referrals" };

/** At most this many names are listed per page in the banner (the rest are counted). */
const NAMES_SHOWN = 5;

export interface AmountReview {
  /** What the shop sells in now: the currency the confirm marks the amounts as (sent back as seen). */
  shopCurrency: string;
  /** The currencies the amounts were saved in ("points earned" / "amount spent" for VIP thresholds typed as the other basis: thresholdSavedIn, app/domain/vip). */
  savedIn: string[];
  /** "Amounts saved in USD; the shop now sells in EUR". */
  title: string;
  /** Per page: what needs review there (names of tiers and rewards as the merchant typed them). */
  areas: { area: AmountArea; label: string; count: number; names: string[] }[];
  /**
   * Orders waiting for the confirm: orders that earn points once the earning rule is confirmed
   * (EARNING_HELD rows still HELD), and referred friends' orders kept for the referral minimum
   * (ReferralHeldOrder). Decided at the worker's next round after the confirm (markHeldOrdersDue).
   */
  waiting: { ordersToEarn: number; referralOrders: number };
}

/**
 * What needs review in the shop, or null when nothing does. Every row whose `amountCurrency` differs
 * from the shop's currency by the one rule (amountsNeedReview), turned-off options included: turned
 * on again later they would offer the old amounts. VIP tiers only when their thresholds are amounts.
 */
export async function amountReview(db: Db, shop: string): Promise<AmountReview | null> {
  const currency = await shopCurrencyOf(db, shop);
  const other = { shop, amountCurrency: { not: currency } };
  const [templates, tiers, referral, program] = await Promise.all([
    db.rewardTemplate.findMany({ where: other, select: { name: true, purpose: true, amountCurrency: true }, orderBy: [{ purpose: "asc" }, { name: "asc" }] }),
    // VIP thresholds by their own rule (basis and currency): app/services/vip/threshold-review.server.ts.
    vipThresholdsToReview(db, shop, currency),
    db.referralSettings.findFirst({ where: other, select: { amountCurrency: true } }),
    db.programSettings.findFirst({ where: other, select: { amountCurrency: true } }),
  ]);
  const found: { area: AmountArea; name: string | null; savedIn: string }[] = [
    ...[
      ...templates.map((t) => ({ area: AREA_OF_PURPOSE[t.purpose] ?? ("otherRewards" as const), name: t.name, amountCurrency: t.amountCurrency })),
      ...(referral ? [{ area: "referrals" as const, name: "Minimum order", amountCurrency: referral.amountCurrency }] : []),
      ...(program ? [{ area: "program" as const, name: "Points per unit of currency", amountCurrency: program.amountCurrency }] : []),
    ]
      .filter((row) => amountsNeedReview(row.amountCurrency, currency))
      .map((row) => ({ area: row.area, name: row.name, savedIn: row.amountCurrency as string })),
    ...tiers.map((t) => ({ area: "vip" as const, name: `Tier ${t.name}`, savedIn: t.savedIn })),
  ];
  if (found.length === 0) return null;
  const savedIn = [...new Set(found.map((row) => row.savedIn))].sort();
  const areas = (Object.keys(AREA_LABELS) as AmountArea[])
    .map((area) => {
      const names = found.filter((row) => row.area === area).map((row) => row.name ?? "");
      return { area, label: AREA_LABELS[area], count: names.length, names: names.slice(0, NAMES_SHOWN) };
    })
    .filter((a) => a.count > 0);
  const [ordersToEarn, referralOrders] = await Promise.all([
    db.pointsTransaction.count({ where: { shop, status: "HELD", reason: "EARNING_HELD" } }),
    db.referralHeldOrder.count({ where: { shop } }),
  ]);
  return { shopCurrency: currency, savedIn, title: amountCurrencyTitle(savedIn, currency), areas, waiting: { ordersToEarn, referralOrders } };
}

/**
 * The currency an admin page showed its amounts in (`seen`, sent back with its form), checked against
 * the shop's currency now: the one check of every save that carries amounts and of the confirm.
 * Unreadable (no field: a page from before the field, a script) or another currency than the shop's
 * (the shop moved after the page was loaded): the app does not guess what the amounts meant.
 */
type ShownCurrency = { ok: true; currency: string } | { ok: false; code: "invalid" } | { ok: false; code: "currency_changed"; current: string; shown: string };

async function checkShownCurrency(db: Pick<Db, "shop">, shop: string, seen: unknown): Promise<ShownCurrency> {
  const shown = shopCurrencyCode(seen);
  if (shown === null) return { ok: false, code: "invalid" };
  const current = await shopCurrencyOf(db, shop);
  return current === shown ? { ok: true, currency: shown } : { ok: false, code: "currency_changed", current, shown };
}

/** Why a save carrying amounts was refused (nothing saved): its form is out of date (400), or the shop's currency changed since its page was loaded (409). */
export type AmountSaveRefusal = Problem<"form_out_of_date" | "currency_changed"> & { httpStatus: 400 | 409 };

/**
 * The currency a save's amounts are in: the one its page showed (`seen`, the form's
 * AMOUNT_CURRENCY_FIELD, app/domain/currency.ts) when it is still the shop's, else refused with a
 * sentence. The merchant typed "5" looking at "USD" labels; stamped with a currency the shop moved to after the page was loaded,
 * it would be taken as "5 EUR" and never reviewed (docs/decisions/015, "amounts saved in another
 * currency"). Every save path (ways to redeem, VIP tiers and entry rewards, referral settings, program
 * settings) stamps `amountCurrency` with the currency returned here — the one the page showed, not
 * one read again — so a change landing between this check and the write leaves the amounts to review.
 */
export async function amountCurrencyOfSave(db: Pick<Db, "shop">, shop: string, seen: unknown): Promise<Result<{ currency: string }, AmountSaveRefusal>> {
  const checked = await checkShownCurrency(db, shop, seen);
  if (checked.ok) return { ok: true, currency: checked.currency };
  if (checked.code === "invalid") {
    return { ok: false, error: { code: "form_out_of_date", httpStatus: 400, message: "This form is out of date (it does not say which currency its amounts are in). Nothing was saved. Reload the page and save again." } };
  }
  return {
    ok: false,
    error: {
      code: "currency_changed",
      httpStatus: 409,
      message: `The shop's currency changed to ${checked.current} after this page was loaded in ${checked.shown}; nothing was saved. Reload the page and enter the amounts in ${checked.current}.`,
    },
  };
}

export type ConfirmAmountsResult = Result<{ currency: string; reviewed: number; released: number; message: string }, Problem<"invalid" | "currency_changed"> & { httpStatus: 400 | 409 }>;

/**
 * The merchant confirms that the shop's amounts are right in the currency the page showed (`seen`):
 * every row saved in another currency is marked as saved in it, and the Pending rewards held for
 * review (generate-pending.server.ts, holdForAmountReview) are due at once. Refused (409, nothing
 * marked) when the shop's currency is no longer the one the page showed: the merchant reviewed
 * amounts for a currency the shop has left. The rows are stamped with `seen` itself, so a change
 * landing just after this check leaves them needing review again in the newer currency.
 */
export async function confirmAmountCurrency(deps: { db: Db; now: () => Date }, shop: string, seen: unknown): Promise<ConfirmAmountsResult> {
  const { db } = deps;
  const checked = await checkShownCurrency(db, shop, seen);
  if (!checked.ok && checked.code === "invalid") return { ok: false, error: { code: "invalid", httpStatus: 400, message: "This form is out of date. Reload the page and confirm the amounts again." } };
  if (!checked.ok) {
    return {
      ok: false,
      error: {
        code: "currency_changed",
        httpStatus: 409,
        message: `The shop's currency changed to ${checked.current} after this page was loaded in ${checked.shown}. Nothing was confirmed: reload the page, review the amounts in ${checked.current}, and confirm again.`,
      },
    };
  }
  const shown = checked.currency;
  const other = { shop, amountCurrency: { not: shown } };
  const data = { amountCurrency: shown };
  const vipBasis = await programBasis(db, shop);
  const [templates, tiers, referral, program] = await db.$transaction([
    db.rewardTemplate.updateMany({ where: other, data }),
    // VIP thresholds: marked as typed for the program's basis too (threshold-review.server.ts).
    confirmVipThresholds(db, shop, vipBasis, shown),
    db.referralSettings.updateMany({ where: other, data }),
    db.programSettings.updateMany({ where: other, data }),
    // Orders held for the earning rule or the referral minimum: decided at the worker's next round.
    markHeldOrdersDue(db, shop, deps.now()),
  ]);
  heldOrdersDue();
  // Rewards held for review in this currency (holdForAmountReview, their NOTE's key): due now. The
  // worker re-takes their amounts from their (now confirmed) reward, or fails them when it is gone.
  const released = await db.reward.updateMany({
    where: { shop, status: "PENDING", claimedBy: null, events: { some: { dedupeKey: amountReviewKey(shown) } } },
    data: { nextAttemptAt: deps.now() },
  });
  const reviewed = templates.count + tiers.count + referral.count + program.count;
  return { ok: true, currency: shown, reviewed, released: released.count, message: `Amounts confirmed in ${shown}.` };
}
