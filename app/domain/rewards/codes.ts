// Reward codes: generation (cryptographically random, unbiased), normalization and validation.
//
// Randomness comes from a `RandomBytes` source passed in by the caller, so tests can be
// deterministic. The default is the Web Crypto CSPRNG (`globalThis.crypto.getRandomValues`),
// which in Node 22 is the same generator as `node:crypto` but needs no import, so this module
// stays importable from browser bundles (Vite refuses named imports from `node:crypto` there).
import { asciiUpperCase } from "../text";

/** Returns `size` random bytes. Must be cryptographically secure outside tests. */
export type RandomBytes = (size: number) => Uint8Array;

export const cryptoRandomBytes: RandomBytes = (size) => globalThis.crypto.getRandomValues(new Uint8Array(size));

/**
 * Upper-case letters and digits 2–9 without the look-alikes 0/O and 1/I: 24 letters + 8 digits
 * = 32 symbols, 5 bits each. Customers copy these codes by hand from emails and screens.
 */
export const CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/** At least 10 random symbols (50 bits): guessing a live code is hopeless even across millions of codes. */
export const MIN_RANDOM_CHARS = 10;
export const MAX_RANDOM_CHARS = 64;
export const DEFAULT_CODE_LENGTH = 12;
export const MAX_PREFIX_LENGTH = 20;
/** Shopify's limit for a discount code. */
export const MAX_DISCOUNT_CODE_LENGTH = 255;
/** Shopify's rule for gift card codes: 8–20 letters or digits. */
export const GIFT_CARD_CODE_MIN_LENGTH = 8;
export const GIFT_CARD_CODE_MAX_LENGTH = 20;
export const DEFAULT_GIFT_CARD_CODE_LENGTH = 16;

/** A code request that cannot be honoured; the message is fit to show a merchant next to a form field. */
export class CodeFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CodeFormatError";
  }
}

/**
 * `length` symbols drawn uniformly from `alphabet`, by rejection sampling: a byte is used only if
 * it is below the largest multiple of the alphabet size that fits in 256, so every symbol is
 * equally likely (a plain `byte % size` would favour the first `256 % size` symbols).
 */
export function randomString(alphabet: string, length: number, random: RandomBytes = cryptoRandomBytes): string {
  const symbols = Array.from(alphabet);
  const size = symbols.length;
  if (size < 2 || size > 256 || new Set(symbols).size !== size) {
    throw new RangeError("alphabet must have 2 to 256 distinct symbols");
  }
  if (!Number.isInteger(length) || length < 0) throw new RangeError("length must be a non-negative integer");
  const limit = 256 - (256 % size);
  let out = "";
  // Each round requests a few more bytes than still needed; a source that keeps returning only
  // unusable bytes is broken, so give up instead of looping forever.
  for (let round = 0; out.length < length; round++) {
    if (round >= 1000) throw new Error("random source returned no usable bytes");
    const missing = length - out.length;
    const bytes = random(missing + 8);
    for (const byte of bytes) {
      if (byte < limit) {
        out += symbols[byte % size];
        if (out.length === length) break;
      }
    }
  }
  return out;
}

export type PrefixValidation = { ok: true; prefix: string } | { ok: false; error: string };

/**
 * Sanitizes a merchant-entered code prefix (trims, upper-cases) and validates it: letters A–Z,
 * digits and dashes, starting with a letter or digit, at most 20 characters. Empty is fine.
 */
export function validateCodePrefix(raw: string | null | undefined): PrefixValidation {
  const prefix = (raw ?? "").trim().toUpperCase();
  if (prefix === "") return { ok: true, prefix };
  if (prefix.length > MAX_PREFIX_LENGTH) {
    return { ok: false, error: `Code prefix can be at most ${MAX_PREFIX_LENGTH} characters.` };
  }
  if (!/^[A-Z0-9-]+$/.test(prefix)) {
    return { ok: false, error: "Code prefix can only contain letters A–Z, numbers and dashes." };
  }
  if (prefix.startsWith("-")) return { ok: false, error: "Code prefix must start with a letter or number." };
  return { ok: true, prefix };
}

function checkRandomLength(length: number, max: number = MAX_RANDOM_CHARS): void {
  if (!Number.isInteger(length) || length < MIN_RANDOM_CHARS || length > max) {
    throw new CodeFormatError(
      `A code needs between ${MIN_RANDOM_CHARS} and ${max} random characters (got ${String(length)}).`,
    );
  }
}

export interface GenerateCodeOptions {
  /** Merchant prefix, e.g. "VIP". Joined with a dash: "VIP-7KQ2M9XH4RTA". */
  prefix?: string | null;
  /** Number of random characters after the prefix (10–64). */
  length?: number;
  random?: RandomBytes;
}

const APP_CODE_TAIL = new RegExp(`[${CODE_ALPHABET}]{${MIN_RANDOM_CHARS}}$`);

/**
 * A cheap reject before any database lookup: every code the app generates (discount or gift card)
 * ends with at least MIN_RANDOM_CHARS characters of CODE_ALPHABET, so a case-insensitive key that
 * does not (a merchant's "SUMMER10", "WELCOME-2026") cannot be ours.
 */
export function couldBeAppCode(key: string): boolean {
  // Only the characters of a code the app issues or accepts (isValidDiscountCode): a code holding a
  // control character or a space (a NUL cannot even be compared by PostgreSQL) is not looked up.
  return key.length >= MIN_RANDOM_CHARS && isValidDiscountCode(key) && APP_CODE_TAIL.test(asciiUpperCase(key));
}

/** A discount code: optional prefix, a dash, then `length` random characters from `CODE_ALPHABET`. */
export function generateCode({ prefix, length = DEFAULT_CODE_LENGTH, random = cryptoRandomBytes }: GenerateCodeOptions = {}): string {
  const checked = validateCodePrefix(prefix);
  if (!checked.ok) throw new CodeFormatError(checked.error);
  checkRandomLength(length);
  const body = randomString(CODE_ALPHABET, length, random);
  if (checked.prefix === "") return body;
  return checked.prefix.endsWith("-") ? `${checked.prefix}${body}` : `${checked.prefix}-${body}`;
}

export interface GenerateGiftCardCodeOptions {
  /** Same prefix setting as for discount codes; dashes are dropped (Shopify allows letters and digits only). */
  prefix?: string | null;
  /** Random characters; defaults to as many as fit (up to 16) in Shopify's 20-character limit. */
  length?: number;
  random?: RandomBytes;
}

/** A gift card code: 8–20 letters/digits, no dash (Shopify's rule), at least 10 of them random. */
export function generateGiftCardCode({ prefix, length, random = cryptoRandomBytes }: GenerateGiftCardCodeOptions = {}): string {
  const checked = validateCodePrefix(prefix);
  if (!checked.ok) throw new CodeFormatError(checked.error);
  const cleanPrefix = checked.prefix.replaceAll("-", "");
  const room = GIFT_CARD_CODE_MAX_LENGTH - cleanPrefix.length;
  if (room < MIN_RANDOM_CHARS) {
    throw new CodeFormatError(
      `Gift card codes are at most ${GIFT_CARD_CODE_MAX_LENGTH} characters, so the prefix can be at most ${GIFT_CARD_CODE_MAX_LENGTH - MIN_RANDOM_CHARS} letters or numbers.`,
    );
  }
  const randomLength = length ?? Math.min(DEFAULT_GIFT_CARD_CODE_LENGTH, room);
  checkRandomLength(randomLength, room);
  return cleanPrefix + randomString(CODE_ALPHABET, randomLength, random);
}

/**
 * Case-insensitive key for a code (Shopify matches codes case-insensitively): trimmed, its ASCII
 * letters upper-cased. Only ASCII: every code the app issues or accepts is ASCII
 * (isValidDiscountCode), and toUpperCase also turns letters that are not into ASCII ones ("ſ" → "S",
 * "ﬅ" → "ST", "ß" → "SS"), which read an order's other code "teſt-…" as the app's "TEST-…" and
 * marked it Used. A key holding any other character is no app code (couldBeAppCode).
 */
export function codeKey(code: string): string {
  return asciiUpperCase(code.trim());
}

/**
 * The shape of a discount code this app issues or accepts from a merchant: 1–255 characters,
 * letters, digits, dashes and underscores, no surrounding or inner whitespace.
 */
export function isValidDiscountCode(code: unknown): code is string {
  return typeof code === "string" && code.length <= MAX_DISCOUNT_CODE_LENGTH && /^[A-Za-z0-9_-]+$/.test(code);
}

/** Shopify's gift card code rule: 8–20 letters or digits. */
export function isValidGiftCardCode(code: unknown): code is string {
  return typeof code === "string" && /^[A-Za-z0-9]{8,20}$/.test(code);
}

/**
 * The app's own reference for a reward nothing in Shopify carries a code for (store credit):
 * "SC-" + 16 random symbols. Unique per shop like a code (Reward.codeKey), never typed by anyone.
 */
export function generateReference(prefix: string, random: RandomBytes = cryptoRandomBytes): string {
  return `${prefix}-${randomString(CODE_ALPHABET, 16, random)}`;
}

/** How many of a gift card code's last characters the admin shows (Shopify shows the last four). */
export const GIFT_CARD_VISIBLE_CHARS = 4;

/**
 * A gift card code as Shopify's admin shows it: only its last four characters ("•••• 7XQ2"). The
 * full code is a bearer credential, so the admin and its CSV show this; the full code only through
 * an explicit, audited reveal.
 */
export function maskGiftCardCode(code: string): string {
  const trimmed = code.trim();
  return `•••• ${trimmed.slice(-GIFT_CARD_VISIBLE_CHARS)}`;
}

/**
 * Whether the admin offers a status's code for copying: only a code that exists in Shopify and
 * was handed to the customer (Issued, or Used as a record). Pending and Failed codes never worked,
 * a Canceled one no longer does.
 */
export function isCodeOfferedForCopy(status: "PENDING" | "FAILED" | "ISSUED" | "CANCELED" | "USED"): boolean {
  return status === "ISSUED" || status === "USED";
}
