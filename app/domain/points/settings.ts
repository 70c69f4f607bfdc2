// The points program's settings: what a merchant may set, its defaults and its validation.
// Pure rules (no words for people: field errors are codes, worded in app/copy/admin.ts).

export const ROUNDINGS = ["DOWN", "NEAREST", "UP"] as const;
export type Rounding = (typeof ROUNDINGS)[number];

export interface ProgramSettingsValues {
  enabled: boolean;
  pointsNameSingular: string;
  pointsNamePlural: string;
  /** Points per 1 unit of the shop's currency, decimal text with at most 2 decimals ("1", "0.5"). */
  pointsPerCurrencyUnit: string;
  includeShipping: boolean;
  includeTaxes: boolean;
  rounding: Rounding;
  /** 0 = earned points are spendable at once. */
  pendingDays: number;
  /** null = points never expire. */
  expiryMonths: number | null;
  signupBonus: number;
  birthdayBonus: number;
}

/** A shop that never saved its settings: the program is off (nothing is earned) until turned on. */
export const DEFAULT_PROGRAM_SETTINGS: ProgramSettingsValues = {
  enabled: false,
  pointsNameSingular: "point",
  pointsNamePlural: "points",
  pointsPerCurrencyUnit: "1",
  includeShipping: false,
  includeTaxes: false,
  rounding: "DOWN",
  pendingDays: 0,
  expiryMonths: null,
  signupBonus: 0,
  birthdayBonus: 0,
};

export const SETTINGS_LIMITS = {
  nameMaxLength: 30,
  maxRate: 1000,
  maxPendingDays: 365,
  maxExpiryMonths: 120,
  maxBonus: 1_000_000,
} as const;

export type SettingsField = keyof ProgramSettingsValues;
export type SettingsErrorCode = "required" | "too_long" | "not_a_number" | "out_of_range" | "too_many_decimals" | "invalid_choice";
export type SettingsErrors = Partial<Record<SettingsField, SettingsErrorCode>>;

export function parseRounding(value: unknown): Rounding {
  return ROUNDINGS.includes(value as Rounding) ? (value as Rounding) : "DOWN";
}

/** A stored row (or nothing) → the values the program runs with. */
export function settingsFromRow(row: Partial<Record<SettingsField, unknown>> | null | undefined): ProgramSettingsValues {
  if (!row) return { ...DEFAULT_PROGRAM_SETTINGS };
  return {
    enabled: row.enabled === true,
    pointsNameSingular: typeof row.pointsNameSingular === "string" ? row.pointsNameSingular : DEFAULT_PROGRAM_SETTINGS.pointsNameSingular,
    pointsNamePlural: typeof row.pointsNamePlural === "string" ? row.pointsNamePlural : DEFAULT_PROGRAM_SETTINGS.pointsNamePlural,
    pointsPerCurrencyUnit: rateHundredths(String(row.pointsPerCurrencyUnit ?? "")) === null ? "1" : String(row.pointsPerCurrencyUnit),
    includeShipping: row.includeShipping === true,
    includeTaxes: row.includeTaxes === true,
    rounding: parseRounding(row.rounding),
    pendingDays: typeof row.pendingDays === "number" ? row.pendingDays : 0,
    expiryMonths: typeof row.expiryMonths === "number" ? row.expiryMonths : null,
    signupBonus: typeof row.signupBonus === "number" ? row.signupBonus : 0,
    birthdayBonus: typeof row.birthdayBonus === "number" ? row.birthdayBonus : 0,
  };
}

/** "1.5" → 150 (hundredths of a point per currency unit); null when not a decimal with ≤ 2 decimals. */
export function rateHundredths(text: string): number | null {
  const m = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? "0").padEnd(2, "0"));
}

function wholeNumber(raw: string | undefined, min: number, max: number, optional: boolean): { value: number | null } | { error: SettingsErrorCode } {
  const text = (raw ?? "").trim();
  if (text === "") return optional ? { value: null } : { error: "required" };
  if (!/^-?\d+$/.test(text)) return { error: "not_a_number" };
  const n = Number(text);
  if (n < min || n > max) return { error: "out_of_range" };
  return { value: n };
}

/**
 * Validates the settings form (every field as text, checkboxes "on"/"true" or absent).
 * Returns every field's error at once, or the values to store.
 */
export function validateProgramSettings(
  form: Partial<Record<SettingsField, string | undefined>>,
): { ok: true; values: ProgramSettingsValues } | { ok: false; errors: SettingsErrors } {
  const errors: SettingsErrors = {};
  const flag = (v: string | undefined) => v === "on" || v === "true";
  const name = (field: "pointsNameSingular" | "pointsNamePlural") => {
    const v = (form[field] ?? "").trim();
    if (v === "") errors[field] = "required";
    else if (v.length > SETTINGS_LIMITS.nameMaxLength) errors[field] = "too_long";
    return v;
  };
  const singular = name("pointsNameSingular");
  const plural = name("pointsNamePlural");

  const rateText = (form.pointsPerCurrencyUnit ?? "").trim();
  const rate = rateHundredths(rateText);
  if (rateText === "") errors.pointsPerCurrencyUnit = "required";
  else if (rate === null) errors.pointsPerCurrencyUnit = /^\d+\.\d{3,}$/.test(rateText) ? "too_many_decimals" : "not_a_number";
  else if (rate <= 0 || rate > SETTINGS_LIMITS.maxRate * 100) errors.pointsPerCurrencyUnit = "out_of_range";

  // Asked, not assumed: a form without it saved "down", a choice the merchant never made (the
  // stored one was lost). The admin's form always sends its select.
  const rounding = form.rounding ?? "";
  if (!ROUNDINGS.includes(rounding as Rounding)) errors.rounding = "invalid_choice";

  const ints: Array<[SettingsField, number, number, boolean]> = [
    ["pendingDays", 0, SETTINGS_LIMITS.maxPendingDays, false],
    ["expiryMonths", 1, SETTINGS_LIMITS.maxExpiryMonths, true],
    ["signupBonus", 0, SETTINGS_LIMITS.maxBonus, false],
    ["birthdayBonus", 0, SETTINGS_LIMITS.maxBonus, false],
  ];
  const numbers: Partial<Record<SettingsField, number | null>> = {};
  for (const [field, min, max, optional] of ints) {
    const parsed = wholeNumber(form[field], min, max, optional);
    if ("error" in parsed) errors[field] = parsed.error;
    else numbers[field] = parsed.value;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    values: {
      enabled: flag(form.enabled),
      pointsNameSingular: singular,
      pointsNamePlural: plural,
      pointsPerCurrencyUnit: rateText.replace(/^0+(?=\d)/, ""),
      includeShipping: flag(form.includeShipping),
      includeTaxes: flag(form.includeTaxes),
      rounding: rounding as Rounding,
      pendingDays: numbers.pendingDays as number,
      expiryMonths: numbers.expiryMonths ?? null,
      signupBonus: numbers.signupBonus as number,
      birthdayBonus: numbers.birthdayBonus as number,
    },
  };
}
