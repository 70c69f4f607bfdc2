// The referral endpoints of the storefront (app proxy): the member's link, a visitor's click and the
// friend's claim after signing in. Request bodies are parsed and validated here; the routes stay thin.
import type { Db } from "~/db.server";
import { env } from "~/env.server";
import { REFERRAL_STOREFRONT_MESSAGES as M } from "~/copy/referrals";
import { parseReferralCode, parseVisitorToken } from "~/domain/referrals";
import { getReferralCustomerFacts } from "~/shopify/referral-customers.server";
import type { AdminGraphql } from "~/shopify/graphql.server";
import { createSlidingWindowLimiter } from "~/services/storefront/rate-limit.server";
import { readStorefrontJson } from "~/services/storefront/body.server";
import type { RewardDeps } from "~/services/rewards/deps.server";
import { claimReferral, recordReferralClick, referralLinkFor, type FriendFacts } from "./referrals.server";

/**
 * Logged-out visitors are not covered by the proxy's per-customer limiter, so clicks get their own:
 * per visitor token, and per shop for codes that do not exist (someone guessing codes gets 429s
 * long before finding one). Per process, like the customer limiter (rate-limit.server.ts).
 */
export const referralClickLimiter = createSlidingWindowLimiter({ limit: () => env().PROXY_RATE_LIMIT_PER_MINUTE, windowMs: 60_000 });
export const unknownCodeLimiter = createSlidingWindowLimiter({ limit: () => env().PROXY_RATE_LIMIT_PER_MINUTE, windowMs: 60_000 });
/**
 * The visitor token is the sender's choice: someone rotating tokens passes the per-visitor limit and
 * would record clicks without end. Per code, at most 10 × PROXY_RATE_LIMIT_PER_MINUTE clicks a
 * minute are recorded (300 by default: far above a shared link's real traffic).
 */
export const referralCodeClickLimiter = createSlidingWindowLimiter({ limit: () => 10 * env().PROXY_RATE_LIMIT_PER_MINUTE, windowMs: 60_000 });

export type ReferralErrorCode = "invalid_request" | "unsupported_media_type" | "payload_too_large" | "referrals_off" | "referral_not_found" | "rate_limited";

export type StorefrontAnswer =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; status: number; code: ReferralErrorCode; message: string; retryAfterSeconds?: number };

const fail = (status: number, code: ReferralErrorCode, message: string, retryAfterSeconds?: number): StorefrontAnswer => ({
  ok: false,
  status,
  code,
  message,
  ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
});

/** `{ code, visitor }` from a small JSON body; a clear error for anything else. */
async function readBody(request: Request, visitorRequired: boolean): Promise<{ ok: true; code: string; visitor: string | null } | { ok: false; answer: StorefrontAnswer }> {
  const read = await readStorefrontJson(request, { notJson: M.notJson, invalid: M.invalidCode });
  if (!read.ok) return { ok: false, answer: fail(read.status, read.code, read.message) };
  const fields = read.body;
  const code = parseReferralCode(fields.code);
  if (!code) return { ok: false, answer: fail(400, "invalid_request", M.invalidCode) };
  const visitor = fields.visitor === undefined || fields.visitor === null ? null : parseVisitorToken(fields.visitor);
  if ((visitorRequired || fields.visitor != null) && !visitor) return { ok: false, answer: fail(400, "invalid_request", M.invalidVisitor) };
  return { ok: true, code, visitor };
}

/** GET: the signed-in member's code (created on first request). */
export async function referralLinkAnswer(db: Db, input: { shop: string; customerGid: string; now: Date }): Promise<StorefrontAnswer> {
  const link = await referralLinkFor(db, input);
  if (!link.ok) return fail(404, "referrals_off", M.off);
  return { ok: true, body: { code: link.code, path: `/?ref=${link.code}`, url: `https://${input.shop}/?ref=${link.code}` } };
}

/** POST `{ code, visitor }`: a visitor followed a link. */
export async function referralClickAnswer(db: Db, input: { shop: string; request: Request; now: Date }): Promise<StorefrontAnswer> {
  const parsed = await readBody(input.request, true);
  if (!parsed.ok) return parsed.answer;
  const limited = referralClickLimiter.hit(`${input.shop}|${parsed.visitor}`);
  if (!limited.allowed) return fail(429, "rate_limited", M.tooMany, limited.retryAfterSeconds);
  const perCode = referralCodeClickLimiter.hit(`${input.shop}|${parsed.code}`);
  if (!perCode.allowed) return fail(429, "rate_limited", M.tooMany, perCode.retryAfterSeconds);
  const click = await recordReferralClick(db, { shop: input.shop, code: parsed.code, visitor: parsed.visitor!, now: input.now });
  if (!click.ok && click.code === "referrals_off") return fail(404, "referrals_off", M.off);
  if (!click.ok) {
    const guard = unknownCodeLimiter.hit(input.shop);
    if (!guard.allowed) return fail(429, "rate_limited", M.tooMany, guard.retryAfterSeconds);
    return fail(404, "referral_not_found", M.unknownCode);
  }
  return { ok: true, body: { recorded: true } };
}

/** POST `{ code, visitor }` by a signed-in customer: the friend's sign-up. */
export async function referralClaimAnswer(deps: RewardDeps, input: { shop: string; customerGid: string; graphql: AdminGraphql | undefined; request: Request; now: Date }): Promise<StorefrontAnswer> {
  const parsed = await readBody(input.request, false);
  if (!parsed.ok) return parsed.answer;
  const lookup = (gid: string) => customerFacts(deps, input.graphql, gid);
  const claimed = await claimReferral(deps, {
    shop: input.shop,
    code: parsed.code,
    visitor: parsed.visitor,
    friendGid: input.customerGid,
    // Asked only for a code that exists in a shop whose program is on (claimReferral).
    facts: () => lookup(input.customerGid),
    lookup,
    now: input.now,
  });
  if (!claimed.ok && claimed.code === "referrals_off") return fail(404, "referrals_off", M.off);
  if (!claimed.ok) {
    const guard = unknownCodeLimiter.hit(input.shop);
    if (!guard.allowed) return fail(429, "rate_limited", M.tooMany, guard.retryAfterSeconds);
    return fail(404, "referral_not_found", M.unknownCode);
  }
  const { referral } = claimed;
  // The friend is told the outcome, never the rule's details about the referrer: the reason code
  // ("self_referral_same_email" / "…_same_address") would confirm a guessed email or address of the
  // referrer to anyone holding their code. The merchant sees the reason (Customer → Referrals).
  return {
    ok: true,
    body: { state: referral.state, ...(referral.state === "REJECTED" ? { rejected: true, message: M.rejected } : { rejected: false, message: M.signedUp }) },
  };
}

/**
 * Shopify's facts about a customer (creation time, email). When the Admin API can't be reached the
 * claim still goes ahead on what the app knows (docs/decisions/023).
 */
async function customerFacts(deps: RewardDeps, graphql: AdminGraphql | undefined, customerGid: string): Promise<FriendFacts | null> {
  if (!graphql) return null;
  const r = await getReferralCustomerFacts(graphql, customerGid, { timeoutMs: 10_000 });
  if (!r.ok) {
    deps.logger.warn({ failure: r.error.kind }, "referral claim: customer facts unavailable");
    return null;
  }
  return r.data ? { createdAt: r.data.createdAt, email: r.data.email } : null;
}

