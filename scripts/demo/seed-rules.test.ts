// The demo shows the rules it is meant to demonstrate, so every seeded record must be one the app
// could have produced (issue: "Seed data obeys the rules it demonstrates"). Checked against the
// seeded database and the emulated shop together:
//   - a points redemption is synchronous: never Pending or Failed, and it spent its points once;
//   - Issued, Used and Canceled rewards have their Shopify object, in the state their status says;
//     Used names a real order of that customer carrying the code;
//   - Failed rewards carry a reason that is true of this shop (no "gift cards unavailable" where
//     gift cards work); Pending ones are due again;
//   - a reward's history ends in its status and never predates it; a customer is in the program
//     before their first reward or points;
//   - a rewarded referral's steps are in order and its friend joined after following the link.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { useShopifyEmulator } from "../../test/support/shopify";
import { seedDemo } from "./seed";

const { emulator } = useShopifyEmulator();
const SHOP = "demo-rules.myshopify.com";

describe("the demo seed obeys the status rules", () => {
  it("every seeded reward, event and customer could have happened", async () => {
    await seedDemo(db, emulator, { shop: SHOP });
    const giftCardsWork = emulator.store.getShop(SHOP)!.features.giftCards;
    const rewards = await db.reward.findMany({ where: { shop: SHOP }, include: { events: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] }, customer: true } });
    expect(rewards.length).toBeGreaterThan(20);
    const problems: string[] = [];
    const problem = (r: { id: string; status: string; source: string }, what: string) => problems.push(`${r.source} ${r.status} ${r.id}: ${what}`);

    for (const r of rewards) {
      if (r.source === "POINTS_REDEMPTION") {
        if (r.status === "PENDING" || r.status === "FAILED") problem(r, "a points redemption is synchronous: it is never Pending or Failed");
        const spent = await db.pointsTransaction.findMany({ where: { shop: SHOP, rewardId: r.id, reason: "REDEMPTION" } });
        if (spent.length !== 1 || spent[0]!.delta !== -r.pointsSpent) problem(r, `spent its points ${spent.length} times (${spent.map((s) => s.delta).join(", ")})`);
      }
      if (["ISSUED", "USED", "CANCELED"].includes(r.status)) {
        if (!r.shopifyId) problem(r, "no Shopify object");
        else if (r.kind === "GIFT_CARD") {
          const card = emulator.store.getGiftCard(SHOP, r.shopifyId);
          if (!card) problem(r, "its gift card is not in the shop");
          else if ((r.status === "CANCELED") === card.enabled) problem(r, `gift card enabled=${card.enabled}`);
        } else {
          const discount = emulator.store.getDiscountByAnyId(SHOP, r.shopifyId);
          if (!discount) problem(r, "its discount is not in the shop");
          else {
            const status = emulator.store.discountStatus(discount);
            if (r.status === "ISSUED" && status !== "ACTIVE") problem(r, `Issued but its discount is ${status}`);
            if (r.status === "CANCELED" && status !== "EXPIRED") problem(r, `Canceled but its discount is ${status}`);
            if (emulator.store.findDiscountByCode(SHOP, r.code)?.discount.id !== discount.id) problem(r, "its code is not its discount's");
          }
        }
      }
      if (r.status === "USED") {
        const order = r.usedOrderGid ? emulator.store.getOrder(SHOP, r.usedOrderGid) : undefined;
        if (!order) problem(r, "Used without an order in the shop");
        else {
          if (order.customerId !== r.customerGid) problem(r, "Used on another customer's order");
          if (!order.discountCodes.some((d) => d.code.toUpperCase() === r.code.toUpperCase())) problem(r, "Used on an order that does not carry its code");
        }
        if (r.kind === "GIFT_CARD") problem(r, "gift cards are never marked Used");
      }
      if (r.status === "FAILED") {
        if (!r.failureCode) problem(r, "Failed without a reason");
        if (r.failureCode === "gift_cards_unavailable" && giftCardsWork) problem(r, "says gift cards are unavailable in a shop where they work");
        if (r.shopifyId) problem(r, "Failed but has a Shopify object");
      }
      if (r.status === "PENDING" && !r.nextAttemptAt) problem(r, "Pending with no next attempt");

      const transitions = r.events.filter((e) => e.toStatus !== null);
      if (transitions.at(-1)?.toStatus !== r.status) problem(r, `history ends in ${transitions.at(-1)?.toStatus ?? "nothing"}`);
      if (r.events.some((e) => e.createdAt < r.createdAt)) problem(r, "history starts before the reward");
      if (r.customer.createdAt > r.createdAt) problem(r, "the customer joined the program after this reward");
    }

    const customers = await db.customer.findMany({ where: { shop: SHOP } });
    for (const c of customers) {
      const first = await db.pointsTransaction.findFirst({ where: { customerId: c.id }, orderBy: { createdAt: "asc" } });
      if (first && first.createdAt < c.createdAt) problems.push(`customer ${c.displayName}: points before joining the program`);
    }
    // A rewarded referral went click → sign-up → qualifying order → hold → reward, in that order,
    // and its friend was not a customer before the click (that friend would have been rejected).
    for (const ref of await db.referral.findMany({ where: { shop: SHOP, state: "REWARDED" } })) {
      const steps = [ref.clickedAt, ref.signedUpAt, ref.qualifiedAt, ref.holdUntil, ref.rewardedAt];
      if (steps.some((d) => !d) || steps.some((d, k) => k > 0 && d! < steps[k - 1]!)) problems.push(`referral ${ref.id}: steps out of order`);
      const friend = ref.friendCustomerId ? await db.customer.findUnique({ where: { id: ref.friendCustomerId } }) : null;
      if (!friend || (ref.clickedAt && friend.createdAt < ref.clickedAt)) problems.push(`referral ${ref.id}: the friend was already a customer before the click`);
    }
    expect(problems).toEqual([]);
  });
});
