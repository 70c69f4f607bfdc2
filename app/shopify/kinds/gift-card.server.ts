// Reward kind: a gift card. Shopify returns the full code only once, so we choose the code ourselves
// and mark the card with our note; gift cards can only be deactivated, never deleted.
import { createRewardGiftCard, deactivateGiftCard, findGiftCardsByCode } from "../gift-cards.server";
import { getShopInfo } from "../shop.server";
import { isNotFoundFailure } from "./not-found.server";
import { explainAccessDenied } from "./scope-denied.server";
import type { RewardKindAdapter } from "./types.server";

export const giftCardAdapter: RewardKindAdapter = {
  kinds: ["GIFT_CARD"],
  scopes: ["write_gift_cards"],
  // The lookup is the giftCards search, which runs on an index updated after the card is created:
  // a card made a moment ago may not be found yet (issue 17, point 5). Shopify publishes no bound;
  // fifteen minutes is far beyond the seconds such indexes usually take.
  lookupLagMs: 15 * 60_000,
  // Gift cards only where the shop can issue them: ShopFeatures.giftCards ("Whether a shop can create gift cards", 2026-10 schema).
  // The optional gift card scope (shopify.app.toml optional_scopes) is checked when Shopify denies the
  // create (ACCESS_DENIED: https://shopify.dev/docs/api/usage/access-scopes), below.
  async available(access) {
    const info = await getShopInfo(access.graphql, access.options);
    if (!info.ok) return info;
    const data = info.data.giftCards
      ? ({ available: true, currency: info.data.currencyCode } as const)
      : ({ available: false, reason: "gift_cards_unavailable" } as const);
    return { ok: true, data, cost: info.cost };
  },
  async create(access, input) {
    const r = await createRewardGiftCard(
      access.graphql,
      {
        code: input.code,
        amount: input.settings.value,
        currencyCode: input.currency,
        expiresOn: input.endsAt ? input.endsAt.toISOString().slice(0, 10) : null,
        note: input.tag,
      },
      access.options,
    );
    if (r.ok) return { ok: true, data: { id: r.data.id, expiresAt: input.endsAt }, cost: r.cost };
    // Denied: is it the optional scope not granted (the merchant can grant it) or the shop's plan?
    return explainAccessDenied(access, r, ["write_gift_cards"]);
  },
  async lookup(access, ref) {
    const r = await findGiftCardsByCode(access.graphql, ref.code, access.options);
    if (!r.ok) return r;
    // Found by Shopify's free-text search (no exact lookup by code) and only the last characters can
    // be compared, so a hit that isn't ours proves nothing about our code: only a card carrying our
    // note counts. (A real collision of 16 random characters does not happen; if it did, the create
    // answers TAKEN and the reward eventually fails as code_taken.)
    const card = r.data.find((c) => (c.note ?? "").includes(ref.tag));
    return { ok: true, data: card ? { id: card.id, ours: true, active: card.enabled, endsAt: null } : null, cost: r.cost };
  },
  async remove(access, ref) {
    const r = await deactivateGiftCard(access.graphql, ref.id, access.options);
    if (r.ok) return { ok: true, data: { outcome: "removed" }, cost: r.cost };
    if (isNotFoundFailure(r.error)) return { ok: true, data: { outcome: "not_found" }, cost: r.cost };
    return r;
  },
};
