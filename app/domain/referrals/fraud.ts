// The referral fraud rules, as pure functions of what the app knows. Each rule answers with a reason
// code that is stored on the referral and shown to the merchant (words in app/copy/referrals.ts).
// Addresses and emails are compared normalized; only a keyed hash of an address is ever stored.
import { emailKey } from "~/domain/customer-email";

export const REJECTION_REASONS = [
  /** The friend is the referrer's own account. */
  "self_referral_same_customer",
  /** The friend's email is the referrer's (case, dots and "+tags" of the local part ignored). */
  "self_referral_same_email",
  /** The friend's default address is the referrer's. */
  "self_referral_same_address",
  /** The friend was already the shop's customer before following the link. */
  "friend_already_customer",
  /** The referrer already had the merchant's monthly number of qualified referrals. */
  "referrer_monthly_cap",
  /** The qualifying order was refunded within the hold. */
  "order_refunded",
  /** The qualifying order was canceled within the hold. */
  "order_canceled",
  /** The referrer was erased (customers/redact) before their reward was due: nobody to reward. */
  "referrer_erased",
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export function parseRejectionReason(value: unknown): RejectionReason | null {
  return typeof value === "string" && (REJECTION_REASONS as readonly string[]).includes(value) ? (value as RejectionReason) : null;
}

/**
 * An email reduced to what identifies the mailbox: trimmed, ASCII letters in lower case (`emailKey`), without a "+tag", and for
 * Gmail without the dots Gmail ignores. null for something that is not an email.
 */
export function normalizeEmail(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const text = emailKey(raw.trim());
  const at = text.lastIndexOf("@");
  if (at <= 0 || at === text.length - 1 || text.length > 320) return null;
  let local = text.slice(0, at).replace(/\+.*$/, "");
  let domain = text.slice(at + 1);
  if (domain === "googlemail.com") domain = "gmail.com";
  if (domain === "gmail.com") local = local.replaceAll(".", "");
  return local ? `${local}@${domain}` : null;
}

function part(value: unknown, max = 200): string {
  if (typeof value !== "string") return "";
  return value
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
    .slice(0, max);
}

/**
 * A default address (Shopify's `default_address` object) reduced to the fields that locate it —
 * street lines, city, postal code, country — accents, case and punctuation dropped; names and phone
 * are left out (a household shares an address, not a name). null without street and postal code.
 * The result is hashed before it is stored.
 */
export function normalizeAddress(address: unknown): string | null {
  if (address === null || typeof address !== "object") return null;
  const a = address as Record<string, unknown>;
  const street = [part(a.address1), part(a.address2)].filter(Boolean).join(" ");
  const zip = part(a.zip).replaceAll(" ", "");
  if (!street || !zip) return null;
  const country = part(a.country_code) || part(a.country);
  return [street, part(a.city), zip, country].join("|");
}

export interface PartyFacts {
  customerId: string;
  email: string | null;
  /** The keyed hash of the normalized default address, when known. */
  addressKey: string | null;
}

/** The self-referral rules, first match wins: same customer, same email, same default address. */
export function selfReferralReason(referrer: PartyFacts, friend: PartyFacts): RejectionReason | null {
  if (referrer.customerId === friend.customerId) return "self_referral_same_customer";
  const a = normalizeEmail(referrer.email);
  if (a !== null && a === normalizeEmail(friend.email)) return "self_referral_same_email";
  if (referrer.addressKey && referrer.addressKey === friend.addressKey) return "self_referral_same_address";
  return null;
}

/**
 * "Already a customer": the friend existed in the shop before following the link, or had an order
 * before it. Shopify creates a customer for every order with an email (guest checkouts too), so a
 * customer created after the click had no earlier order under that identity.
 */
export function alreadyCustomerReason(input: { clickedAt: Date; friendCreatedAt: Date | null; firstOrderAt: Date | null; landedNotBefore?: Date }): RejectionReason | null {
  // When the click was never recorded (the landing's request failed or got 429, and the cookie kept
  // the code), clickedAt is when the app first heard of the referral — the claim, after the friend
  // made their account. The landing was no earlier than `landedNotBefore` (the cookie's lifetime, the
  // code's creation): the account is compared with that; orders, which the app saw, with clickedAt.
  const landed = input.landedNotBefore ?? input.clickedAt;
  // Shopify's DateTime has whole seconds: an account created in the click's second counts as after it.
  const clickSecond = Math.floor(landed.getTime() / 1000) * 1000;
  if (input.friendCreatedAt && input.friendCreatedAt.getTime() < clickSecond) return "friend_already_customer";
  if (input.firstOrderAt && input.firstOrderAt.getTime() < input.clickedAt.getTime()) return "friend_already_customer";
  return null;
}

/** How long the storefront keeps a followed referral link (the `lr_ref` cookie's max-age, storefront/loyalty-referral.ts). */
export const REFERRAL_COOKIE_DAYS = 30;

/**
 * The earliest moment a friend whose click the app never saw can have followed the link: the code
 * existed, and the cookie that carried it lives REFERRAL_COOKIE_DAYS. So an account older than both is
 * "already a customer" even without a click, and no claim can reach further back.
 */
export function earliestLanding(input: { codeCreatedAt: Date; claimedAt: Date }): Date {
  const cookieBorn = input.claimedAt.getTime() - REFERRAL_COOKIE_DAYS * 86_400_000;
  return new Date(Math.max(cookieBorn, input.codeCreatedAt.getTime()));
}

/** Over the cap when the referrer already has `cap` referrals qualified this month (null cap = none). */
export function monthlyCapReason(qualifiedThisMonth: number, cap: number | null): RejectionReason | null {
  return cap !== null && qualifiedThisMonth >= cap ? "referrer_monthly_cap" : null;
}

/** The calendar month (UTC) `at` falls in: [start, end). */
export function monthOf(at: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return { start, end };
}
