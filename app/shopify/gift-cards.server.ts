// Admin API: gift cards for gift-card rewards. Shopify returns the full code only once, in the
// create payload; afterwards only the last characters. We choose the code ourselves so a retry after
// an uncertain outcome can find the card again (`giftCards(query: "code:…")`) instead of making a second one.
import { parseShopifyAmount, shopifyAmountText } from "~/domain/points";
import { runAdmin, userErrorsFailure, type AdminGraphql, type AdminResult, type RunOptions } from "./graphql.server";

export const GIFT_CARD_CREATE = `#graphql
  mutation LoyaltyGiftCardCreate($input: GiftCardCreateInput!) {
    giftCardCreate(input: $input) {
      giftCard { id lastCharacters enabled expiresOn note initialValue { amount currencyCode } }
      giftCardCode
      userErrors { field code message }
    }
  }
`;

export const GIFT_CARD_DEACTIVATE = `#graphql
  mutation LoyaltyGiftCardDeactivate($id: ID!) {
    giftCardDeactivate(id: $id) {
      giftCard { id enabled deactivatedAt }
      userErrors { field code message }
    }
  }
`;

export const GIFT_CARDS_BY_CODE = `#graphql
  query LoyaltyGiftCardsByCode($query: String!) {
    giftCards(first: 5, query: $query) {
      nodes { id lastCharacters enabled note deactivatedAt }
    }
  }
`;

export const GIFT_CARD = `#graphql
  query LoyaltyGiftCard($id: ID!) {
    giftCard(id: $id) { id enabled deactivatedAt expiresOn lastCharacters balance { amount currencyCode } }
  }
`;

export interface GiftCardSummary {
  id: string;
  lastCharacters: string;
  enabled: boolean;
  note: string | null;
}

export interface RewardGiftCardInput {
  code: string;
  amount: string;
  currencyCode: string;
  /** YYYY-MM-DD or null for no expiry. */
  expiresOn: string | null;
  /** Marks the card as ours (reward id) so it can be recognised later. Not shown to customers. */
  note: string;
}

type UserErrors = { field?: string[] | null; code?: string | null; message: string }[];

export async function createRewardGiftCard(
  graphql: AdminGraphql,
  input: RewardGiftCardInput,
  options?: RunOptions,
): Promise<AdminResult<GiftCardSummary & { code: string }>> {
  const r = await runAdmin<{
    giftCardCreate: { giftCard: (GiftCardSummary & { note: string | null }) | null; giftCardCode: string | null; userErrors: UserErrors };
  }>(
    graphql,
    GIFT_CARD_CREATE,
    {
      input: {
        code: input.code,
        initialAmount: { amount: input.amount, currencyCode: input.currencyCode },
        ...(input.expiresOn ? { expiresOn: input.expiresOn } : {}),
        note: input.note,
      },
    },
    options,
  );
  if (!r.ok) return r;
  const payload = r.data.giftCardCreate;
  const failure = userErrorsFailure(payload.userErrors);
  if (failure) return { ok: false, error: failure, cost: r.cost, detail: payload.userErrors };
  if (!payload.giftCard) return { ok: false, error: { kind: "graphql", messages: ["no gift card returned"] }, cost: r.cost };
  return {
    ok: true,
    data: { ...payload.giftCard, code: payload.giftCardCode ?? input.code },
    cost: r.cost,
  };
}

/**
 * Gift cards found by their code. The giftCards search has no `code:` filter; a plain free-text
 * query matches the code. Callers must still check `lastCharacters`/`note` before trusting a hit.
 */
export async function findGiftCardsByCode(graphql: AdminGraphql, code: string, options?: RunOptions): Promise<AdminResult<GiftCardSummary[]>> {
  const r = await runAdmin<{ giftCards: { nodes: Partial<Record<keyof GiftCardSummary, unknown>>[] } | null }>(graphql, GIFT_CARDS_BY_CODE, { query: code }, options);
  if (!r.ok) return r;
  const nodes = r.data.giftCards?.nodes;
  // Read before anyone decides on a hit (GiftCard: id: ID!, lastCharacters: String!, enabled: Boolean!,
  // note: String — 2026-10 schema): a card without them was a TypeError thrown out of the lookup, or
  // (enabled missing) an active card read as deactivated.
  const readable = Array.isArray(nodes) && nodes.every((g) => g !== null && typeof g === "object" && typeof g.id === "string" && typeof g.lastCharacters === "string" && typeof g.enabled === "boolean" && (g.note === null || g.note === undefined || typeof g.note === "string"));
  if (!readable) return { ok: false, error: { kind: "graphql", messages: ["Shopify answered the gift card search with a card the app cannot read"] }, cost: r.cost };
  const last4 = code.slice(-4).toLowerCase();
  const cards = (nodes as GiftCardSummary[]).filter((g) => g.lastCharacters.toLowerCase() === last4);
  return { ok: true, data: cards, cost: r.cost };
}

export async function deactivateGiftCard(graphql: AdminGraphql, id: string, options?: RunOptions): Promise<AdminResult<{ id: string }>> {
  const r = await runAdmin<{ giftCardDeactivate: { giftCard: { id: string } | null; userErrors: UserErrors } }>(
    graphql,
    GIFT_CARD_DEACTIVATE,
    { id },
    options,
  );
  if (!r.ok) return r;
  const failure = userErrorsFailure(r.data.giftCardDeactivate.userErrors);
  if (failure) return { ok: false, error: failure, cost: r.cost, detail: r.data.giftCardDeactivate.userErrors };
  return { ok: true, data: { id: r.data.giftCardDeactivate.giftCard?.id ?? id }, cost: r.cost };
}

// GiftCardConfiguration "Requires `read_gift_cards` access scope"
// (https://shopify.dev/docs/api/admin-graphql/latest/objects/GiftCardConfiguration).
export const GIFT_CARD_CONFIGURATION = `#graphql
  query LoyaltyGiftCardConfiguration {
    giftCardConfiguration { issueLimit { amount currencyCode } }
  }
`;

/**
 * The most one gift card the app issues may be worth: GiftCardConfiguration.issueLimit ("The issue
 * limit for gift cards in the default shop currency", 2026-10 schema). Shopify refuses issued cards
 * above it — $2,000 USD or equivalent since May 2024 — with GIFT_CARD_LIMIT_EXCEEDED
 * (https://shopify.dev/changelog/update-new-maximum-value-for-gift-cards).
 */
export async function getGiftCardIssueLimit(graphql: AdminGraphql, options?: RunOptions): Promise<AdminResult<{ amount: string; cents: number; currencyCode: string }>> {
  const r = await runAdmin<{ giftCardConfiguration: { issueLimit: { amount?: unknown; currencyCode?: unknown } | null } | null }>(graphql, GIFT_CARD_CONFIGURATION, {}, options);
  if (!r.ok) return r;
  const limit = r.data.giftCardConfiguration?.issueLimit;
  const amount = limit?.amount;
  const milli = typeof amount === "string" ? parseShopifyAmount(amount) : null;
  if (typeof amount !== "string" || milli === null || milli < 0n || typeof limit?.currencyCode !== "string") {
    return { ok: false, error: { kind: "graphql", messages: ["GiftCardConfiguration.issueLimit is not a decimal amount"] }, cost: r.cost };
  }
  // Whole cents, rounded down: the limit is a bound, never rounded up.
  return { ok: true, data: { amount, cents: Number(milli / 10n), currencyCode: limit.currencyCode }, cost: r.cost };
}

export const GIFT_CARD_BALANCES = `#graphql
  query LoyaltyGiftCardBalances($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on GiftCard { id balance { amount currencyCode } }
    }
  }
`;

export interface GiftCardBalance {
  id: string;
  /** Written from the parsed amount (shopifyAmountText: "6.4", "10.0", "6.125"), whatever zeros Shopify's answer carried. */
  amount: string;
  currencyCode: string;
}

/**
 * The current balance of each gift card (GiftCard.balance, "The gift card's remaining balance"),
 * in one call. Cards Shopify no longer knows are absent from the answer.
 */
export async function getGiftCardBalances(graphql: AdminGraphql, ids: readonly string[], options?: RunOptions): Promise<AdminResult<GiftCardBalance[]>> {
  const r = await runAdmin<{ nodes: ({ id?: string; balance?: { amount: string; currencyCode: string } } | null)[] }>(graphql, GIFT_CARD_BALANCES, { ids: [...ids] }, options);
  if (!r.ok) return r;
  const answered = r.data.nodes.flatMap((n) => (n?.id && n.balance ? [{ id: n.id, amount: n.balance.amount as unknown, currencyCode: n.balance.currencyCode as unknown }] : []));
  // Checked before anyone stores or shows it: a MoneyV2 is a Decimal amount and an ISO 4217 code
  // (https://shopify.dev/docs/api/admin-graphql/latest/objects/MoneyV2), read by the one reader of
  // Shopify's amounts (parseShopifyAmount: "10.0000" is 10). Anything else is an answer the app
  // can't use — a failure, so the last known balances stay — never "$NaN left".
  const balances: GiftCardBalance[] = [];
  for (const b of answered) {
    const milli = parseShopifyAmount(b.amount);
    if (milli === null || typeof b.currencyCode !== "string" || !/^[A-Z]{3}$/.test(b.currencyCode)) {
      return { ok: false, error: { kind: "graphql", messages: ["GiftCard.balance is not a decimal amount with a currency code"] }, cost: r.cost, detail: { id: b.id } };
    }
    balances.push({ id: b.id, amount: shopifyAmountText(milli), currencyCode: b.currencyCode });
  }
  return { ok: true, data: balances, cost: r.cost };
}
