// A customer's email as Shopify hands it over — a webhook body's `email` or the Admin API's
// `defaultEmailAddress.emailAddress` — read by one rule before the app keeps it.
import { asciiLowerCase, hasControlCharacters } from "./text";

/** The longest email address there is (64-character local part, @, 255-character domain). */
export const MAX_EMAIL_LENGTH = 320;

/**
 * The email, trimmed; null for anything else: no string, empty, a control character (a NUL cannot even
 * be stored by PostgreSQL) or longer than MAX_EMAIL_LENGTH. Kept whole or not at all: an email cut
 * short is another address.
 */
export function customerEmailOf(value: unknown): string | null {
  if (typeof value !== "string" || hasControlCharacters(value)) return null;
  const email = value.trim();
  return email !== "" && email.length <= MAX_EMAIL_LENGTH ? email : null;
}

/**
 * The one rule two emails are compared by: the same address when equal with their ASCII letters in
 * any case, every other character as written (`asciiLowerCase`; `toLowerCase` made "\u212Aate@…",
 * with the Kelvin sign, the address "kate@…"). Stored emails keep Shopify's case; compare and key
 * them (sets, maps, erasure hashes) through this.
 */
export function emailKey(email: string): string {
  return asciiLowerCase(email);
}
