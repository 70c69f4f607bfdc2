// customers/redact for a customer with many rewards: every reward code is an identifier to hunt down
// in free text, and the search for them must fit in what each database accepts per statement
// (SQLite: an expression tree at most 1 000 deep, 32 766 parameters), however many there are.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { codeKey } from "~/domain/rewards";
import { createCustomer, createReward } from "../../../test/support/factories";
import { handleCustomersRedact, NEEDLES_PER_SEARCH } from "./privacy.server";

const SHOP = "redact-many.myshopify.com";

describe("customers/redact and a customer with 1 200 rewards", () => {
  it("GIVEN 1 200 reward codes (3 600 LIKEs joined by OR in one search) WHEN the customer is redacted THEN it succeeds and every copy in free text is cut out, the first and the last code alike", async () => {
    const customer = await createCustomer(db, SHOP, { firstName: "Many", lastName: "Rewards", email: "many.rewards@example.com" });
    const codes = Array.from({ length: 1_200 }, (_, i) => `MANY-${String(i).padStart(6, "0")}XYZ`);
    expect(codes.length * 3).toBeGreaterThan(1_000);
    for (let start = 0; start < codes.length; start += 1_000) {
      await db.reward.createMany({
        data: codes.slice(start, start + 1_000).map((code, i) => ({
          id: `many-${start + i}`,
          shop: SHOP,
          customerId: customer.id,
          customerGid: customer.shopifyCustomerId,
          source: "POINTS_REDEMPTION",
          kind: "FIXED_AMOUNT",
          value: "5.00",
          currency: "USD",
          title: "$5 off",
          code,
          codeKey: codeKey(code),
          status: "ISSUED",
          issuedAt: new Date(),
        })),
      });
    }
    // Free text naming the first code, the last one (in another slice of the search) and the email.
    const first = codes[0];
    const last = codes.at(-1)!;
    expect(codes.indexOf(last)).toBeGreaterThanOrEqual(NEEDLES_PER_SEARCH);
    // On ANOTHER customer's reward (the subject's own history is erased whole): a merchant's note.
    const other = await createCustomer(db, SHOP, { firstName: "Other", lastName: "Shopper" });
    const otherReward = await createReward(db, other);
    await db.rewardEvent.create({ data: { rewardId: otherReward.id, shop: SHOP, type: "NOTE", actor: "MERCHANT", note: `same as ${first} and ${last} of many.rewards@example.com` } });

    await handleCustomersRedact(db, { shop: SHOP, payload: { shop_domain: SHOP, customer: { id: Number(customer.shopifyCustomerId.split("/").at(-1)), email: "many.rewards@example.com" } } });

    const note = (await db.rewardEvent.findFirstOrThrow({ where: { rewardId: otherReward.id, type: "NOTE" } })).note!;
    expect(note).not.toContain(first);
    expect(note).not.toContain(last);
    expect(note).not.toContain("many.rewards@example.com");
    expect(note).toBe("same as [redacted] and [redacted] of [redacted]");
    expect(await db.customer.count({ where: { shop: SHOP, email: "many.rewards@example.com" } })).toBe(0);
  }, 120_000);
});
