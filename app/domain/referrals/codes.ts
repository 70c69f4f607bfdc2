// Referral codes: 8 symbols from the reward codes' no-lookalike alphabet (no 0/O, 1/I), drawn with
// the platform's cryptographic randomness — 32^8 ≈ 1.1e12 codes, so guessing one a shop uses takes
// far more tries than the storefront's rate limits allow.
import { CODE_ALPHABET, cryptoRandomBytes, randomString, type RandomBytes } from "~/domain/rewards/codes";
import { asciiUpperCase } from "~/domain/text";

export const REFERRAL_CODE_LENGTH = 8;

const CODE_PATTERN = new RegExp(`^[${CODE_ALPHABET}]{${REFERRAL_CODE_LENGTH}}$`);

export function generateReferralCode(random: RandomBytes = cryptoRandomBytes): string {
  return randomString(CODE_ALPHABET, REFERRAL_CODE_LENGTH, random);
}

/**
 * A referral code as typed in a link: exactly 8 symbols of the alphabet, any case (links get
 * lower-cased by some apps). Anything else — spaces, other symbols, another length — is null.
 */
export function parseReferralCode(raw: unknown): string | null {
  if (typeof raw !== "string" || raw.length !== REFERRAL_CODE_LENGTH) return null;
  const upper = asciiUpperCase(raw);
  return CODE_PATTERN.test(upper) ? upper : null;
}

/** The widget's random visitor token (a UUID or 16–64 URL-safe symbols); null when malformed. */
export function parseVisitorToken(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  return /^[A-Za-z0-9_-]{16,64}$/.test(raw) ? raw : null;
}

/** The cart attributes the widget sets so a guest order carries the referral (note_attributes). */
export const REFERRAL_CART_ATTRIBUTES = { code: "_loyalty_referral", visitor: "_loyalty_visitor" } as const;

/** The referral code and visitor token in an order's `note_attributes` (`[{ name, value }]`). */
export function referralFromNoteAttributes(noteAttributes: unknown): { code: string; visitor: string | null } | null {
  if (!Array.isArray(noteAttributes)) return null;
  let code: string | null = null;
  let visitor: string | null = null;
  for (const entry of noteAttributes.slice(0, 100)) {
    if (entry === null || typeof entry !== "object") continue;
    const { name, value } = entry as { name?: unknown; value?: unknown };
    if (name === REFERRAL_CART_ATTRIBUTES.code) code = parseReferralCode(value);
    if (name === REFERRAL_CART_ATTRIBUTES.visitor) visitor = parseVisitorToken(value);
  }
  return code ? { code, visitor } : null;
}
