// The shop's referral program settings: read (defaults when never saved) and save (validated against
// the shop's active REFERRAL reward templates).
import type { Db } from "~/db.server";
import type { Result } from "~/domain/result";
import { referralSettingsFromRow, validateReferralSettings, type ReferralSettingsErrors, type ReferralSettingsValues } from "~/domain/referrals";

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

/** The shop's active rewards a referral can give (purpose REFERRAL), for the settings form. */
export async function referralTemplates(db: Db, shop: string) {
  return db.rewardTemplate.findMany({
    where: { shop, purpose: "REFERRAL", active: true },
    orderBy: { name: "asc" },
    take: 200,
    select: { id: true, name: true, kind: true, value: true },
  });
}

export type SaveReferralSettingsResult = Result<{ settings: ReferralSettingsValues }, { code: "invalid"; message: string; fields: ReferralSettingsErrors }>;

export async function saveReferralSettings(db: Db, shop: string, form: Record<string, string | undefined>): Promise<SaveReferralSettingsResult> {
  const templates = await referralTemplates(db, shop);
  const checked = validateReferralSettings(form, templates.map((t) => t.id));
  if (!checked.ok) return { ok: false, error: { code: "invalid", message: "Some settings need fixing.", fields: checked.errors } };
  await db.referralSettings.upsert({ where: { shop }, create: { shop, ...checked.values }, update: checked.values });
  return { ok: true, settings: checked.values };
}
