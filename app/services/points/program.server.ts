// The shop's points program settings: read (defaults when never saved) and save (validated).
import { amountCurrencyOfSave, heldOrdersDue, markHeldOrdersDue, type AmountSaveRefusal } from "~/services/lifecycle/amount-currency.server";
import type { Db } from "~/db.server";
import type { Result } from "~/domain/result";
import { settingsFromRow, validateProgramSettings, type ProgramSettingsValues, type SettingsErrors, type SettingsField } from "~/domain/points";
import type { Tx } from "./ledger.server";

export async function getProgramSettings(db: Db | Tx, shop: string): Promise<ProgramSettingsValues> {
  return settingsFromRow(await db.programSettings.findUnique({ where: { shop } }));
}

export type SaveSettingsResult = Result<{ settings: ProgramSettingsValues }, ({ code: "invalid"; httpStatus: 400 } | AmountSaveRefusal) & { message: string; fields: SettingsErrors }>;

/**
 * Validates the settings form and saves it; every field's error at once when invalid (nothing saved).
 * `shownCurrency`: the currency the page showed "points per 1 … spent" in (refused when the shop's
 * currency is another now: amountCurrencyOfSave).
 */
export async function saveProgramSettings(db: Db, shop: string, form: Partial<Record<SettingsField, string | undefined>>, shownCurrency: unknown): Promise<SaveSettingsResult> {
  // The currency "points per unit of currency" was typed in (docs/decisions/015, "amounts saved in another currency").
  const typedIn = await amountCurrencyOfSave(db, shop, shownCurrency);
  if (!typedIn.ok) return { ok: false, error: { ...typedIn.error, fields: {} } };
  const amountCurrency = typedIn.currency;
  const checked = validateProgramSettings(form);
  if (!checked.ok) return { ok: false, error: { code: "invalid", httpStatus: 400, message: "Some settings need fixing.", fields: checked.errors } };
  const values = checked.values;
  // Stamped with the page's currency, the earning rule is reviewed: orders held for it (or while the
  // program was off) are decided at the worker's next round (markHeldOrdersDue).
  await db.$transaction([
    db.programSettings.upsert({ where: { shop }, create: { shop, ...values, amountCurrency }, update: { ...values, amountCurrency } }),
    markHeldOrdersDue(db, shop, new Date()),
  ]);
  heldOrdersDue();
  return { ok: true, settings: values };
}
