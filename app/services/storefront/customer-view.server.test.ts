// The storefront's customer read model: what a signed-in customer may see of their own account —
// nothing of anybody else's.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { loadCustomerView } from "./customer-view.server";

const SHOP = "read-models.myshopify.com";

describe("loadCustomerView", () => {
  it("shows only the customer's own Issued and Used rewards, ready ones first", async () => {
    const me = await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: "gid://shopify/Customer/1", pointsBalance: 420 } });
    const other = await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: "gid://shopify/Customer/2", pointsBalance: 9 } });
    const sameIdOtherShop = await db.customer.create({ data: { shop: "elsewhere.myshopify.com", shopifyCustomerId: "gid://shopify/Customer/1", pointsBalance: 7 } });
    let n = 0;
    const reward = (customer: { id: string; shop: string; shopifyCustomerId: string }, status: string, minutesAgo: number) =>
      db.reward.create({
        data: {
          shop: customer.shop, customerId: customer.id, customerGid: customer.shopifyCustomerId, source: "POINTS_REDEMPTION",
          kind: "FIXED_AMOUNT", value: "5", currency: "USD", title: status, code: `C${++n}-${status}`, codeKey: `c${n}`, status,
          createdAt: new Date(Date.now() - minutesAgo * 60_000),
        },
      });
    await reward(me, "USED", 1);
    await reward(me, "ISSUED", 10);
    await reward(me, "ISSUED", 5);
    await reward(me, "PENDING", 0);
    await reward(me, "FAILED", 0);
    await reward(me, "CANCELED", 0);
    await reward(other, "ISSUED", 0);
    await reward(sameIdOtherShop, "ISSUED", 0);

    const view = await loadCustomerView(db, SHOP, "gid://shopify/Customer/1");

    expect(view.pointsBalance).toBe(420);
    expect(view.rewards.map((r) => r.code)).toEqual(["C3-ISSUED", "C2-ISSUED", "C1-USED"]);
    expect(Object.keys(view.rewards[0]!).sort()).toEqual(["balance", "code", "currency", "expiresAt", "id", "issuedAt", "kind", "spent", "status", "title", "usedAt", "usesCode", "value"]);
  });

  it("GIVEN a shopper not in the program THEN zero points and no rewards", async () => {
    expect(await loadCustomerView(db, SHOP, "gid://shopify/Customer/404")).toEqual({ pointsBalance: 0, pendingPoints: 0, pendingAvailableAt: null, pointsExpireAt: null, birthday: null, rewards: [] });
  });
});
