// The shop's referral program settings: read (defaults when never saved) and save (validated against
// the shop's active REFERRAL reward templates).
import { amountCurrencyOfSave, heldOrdersDue, markHeldOrdersDue, type AmountSaveRefusal } from "~/services/lifecycle/amount-currency.server";
import { idForRequestKey } from "~/services/admin/request-key.server";
import type { Db } from "~/db.server";
import type { Result } from "~/domain/result";
import {
  REFERRAL_REWARD_KINDS,
  referralSettingsFromRow,
  validateReferralSettings,
  type ReferralReward,
  type ReferralSettingsErrors,
  type ReferralSettingsValues,
} from "~/domain/referrals";

export async function getReferralSettings(db: Db, shop: string): Promise<ReferralSettingsValues> {
  const row = await db.referralSettings.findUnique({ where: { shop } });
  return referralSettingsFromRow(
    row && {
      enabled: row.enabled,
      friendTemplateId: row.friendTemplateId,
      referrerTemplateId: row.referrerTemplateId,
      minimumOrderAmount: row.minimumOrderAmount,
      monthlyCapPerReferrer: row.monthlyCapPerReferrer,
      pendingDays: row.pendingDays,
    },
  );
}

/** The two rewards as the form shows them (kind and value of the REFERRAL templates the settings name). */
export async function referralRewardsOf(db: Db, shop: string, settings: ReferralSettingsValues): Promise<{ friend: ReferralReward | null; referrer: ReferralReward | null }> {
  const ids = [settings.friendTemplateId, settings.referrerTemplateId].filter((id): id is string => !!id);
  const rows = await db.rewardTemplate.findMany({ where: { shop, id: { in: ids }, purpose: "REFERRAL" }, select: { id: true, kind: true, value: true, active: true } });
  const of = (id: string | null): ReferralReward | null => {
    const row = rows.find((r) => r.id === id && r.active);
    return row && (REFERRAL_REWARD_KINDS as readonly string[]).includes(row.kind) ? { kind: row.kind as ReferralReward["kind"], value: row.value } : null;
  };
  return { friend: of(settings.friendTemplateId), referrer: of(settings.referrerTemplateId) };
}

export type SaveReferralSettingsResult = Result<{ settings: ReferralSettingsValues }, ({ code: "invalid"; httpStatus: 400 } | AmountSaveRefusal) & { message: string; fields: ReferralSettingsErrors }>;

const NAMES = { friend: "Referral: welcome reward for the friend", referrer: "Referral: thank-you reward for the referrer" } as const;

/**
 * Validates the Referrals form and saves it: each reward is a REFERRAL template of the shop, updated
 * in place (rewards already promised keep their own snapshot of the settings) or created; a reward
 * set to none leaves its template unused. `shownCurrency`: the currency the page showed the amounts in
 * (refused when the shop's currency is another now: amountCurrencyOfSave).
 */
export async function saveReferralSettings(db: Db, shop: string, form: Record<string, string | undefined>, shownCurrency: unknown): Promise<SaveReferralSettingsResult> {
  // The currency the merchant typed the amounts in (docs/decisions/015, "amounts saved in another currency").
  const typedIn = await amountCurrencyOfSave(db, shop, shownCurrency);
  if (!typedIn.ok) return { ok: false, error: { ...typedIn.error, fields: {} } };
  const amountCurrency = typedIn.currency;
  const checked = validateReferralSettings(form);
  if (!checked.ok) return { ok: false, error: { code: "invalid", httpStatus: 400, message: "Some settings need fixing.", fields: checked.errors } };
  const current = await getReferralSettings(db, shop);
  const { friendReward, referrerReward, ...rest } = checked.values;
  const values: ReferralSettingsValues = await db.$transaction(async (tx) => {
    const upsertTemplate = async (who: "friend" | "referrer", reward: ReferralReward | null, id: string | null): Promise<string | null> => {
      if (!reward) return null;
      const data = { name: NAMES[who], kind: reward.kind, value: reward.value, active: true, pointsCost: null, amountCurrency };
      const existing = id ? await tx.rewardTemplate.findFirst({ where: { id, shop, purpose: "REFERRAL" }, select: { id: true } }) : null;
      if (existing) return (await tx.rewardTemplate.update({ where: { id: existing.id }, data, select: { id: true } })).id;
      // The shop's first template for this reward has an id of its own (shop and role): saves sent
      // at once (a double click on the first save) each read "no template yet", and each created
      // one — orphans, never referenced, offered in the manual issue — on PostgreSQL. One upsert on
      // that id makes them one row.
      const ownId = idForRequestKey("rf", shop, `referral-${who}`);
      return (await tx.rewardTemplate.upsert({ where: { id: ownId }, create: { ...data, id: ownId, shop, purpose: "REFERRAL" }, update: data, select: { id: true } })).id;
    };
    const saved = {
      ...rest,
      friendTemplateId: await upsertTemplate("friend", friendReward, current.friendTemplateId),
      referrerTemplateId: await upsertTemplate("referrer", referrerReward, current.referrerTemplateId),
    };
    await tx.referralSettings.upsert({ where: { shop }, create: { shop, ...saved, amountCurrency }, update: { ...saved, amountCurrency } });
    // The minimum is reviewed (stamped with the page's currency): friends' orders held for it (or while
    // the program was off) are decided at the worker's next round (markHeldOrdersDue).
    await markHeldOrdersDue(tx, shop, new Date());
    return saved;
  });
  heldOrdersDue();
  return { ok: true, settings: values };
}
