// The gift card search's answer is read before the lookup decides anything: a card it cannot read
// is a failed call (retried), never a TypeError out of the lookup or an active card taken for a
// deactivated one.
import { describe, expect, it } from "vitest";
import type { AdminGraphql } from "./graphql.server";
import { findGiftCardsByCode } from "./gift-cards.server";

const CODE = "GIFTQWERTY23WXYZ";

function answering(nodes: unknown): AdminGraphql {
  return async () => new Response(JSON.stringify({ data: { giftCards: { nodes } } }), { headers: { "Content-Type": "application/json" } });
}

const card = { id: "gid://shopify/GiftCard/1", lastCharacters: "wxyz", enabled: true, note: "loyalty-r1", deactivatedAt: null };

describe("findGiftCardsByCode", () => {
  it("keeps the cards whose last characters are the code's", async () => {
    const r = await findGiftCardsByCode(answering([card, { ...card, id: "gid://shopify/GiftCard/2", lastCharacters: "abcd" }]), CODE);
    expect(r.ok && r.data.map((c) => c.id)).toEqual(["gid://shopify/GiftCard/1"]);
  });

  it.each([
    ["no lastCharacters", { ...card, lastCharacters: undefined }],
    ["no enabled", { ...card, enabled: undefined }],
    ["a numeric id", { ...card, id: 1 }],
    ["a note that is no text", { ...card, note: { text: "loyalty-r1" } }],
    ["a null node", null],
  ])("a card with %s is an answer the app cannot read: a failed call", async (_label, node) => {
    // Before: a TypeError thrown out of the lookup ("Cannot read properties of undefined"), or a card
    // without `enabled` read as deactivated.
    const r = await findGiftCardsByCode(answering([node]), CODE);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.kind).toBe("graphql");
  });
});
