// Minimal database set-up for webhook/reconciliation tests: a program customer and a reward
// whose discount really exists in the emulated shop (as the generator would have made it).
import db from "~/db.server";
import { codeKey, generateCode } from "~/domain/rewards";
import type { ShopifyEmulator } from "@loyalty/shopify-emulator";

export async function programCustomer(emulator: ShopifyEmulator, shop: string, name = "Ada Lovelace") {
  const [firstName, lastName] = name.split(" ");
  const shopify = emulator.addCustomer(shop, { firstName, lastName, email: `${firstName.toLowerCase()}@example.com` });
  const row = await db.customer.create({
    data: { shop, shopifyCustomerId: shopify.id, displayName: name, email: shopify.email, pointsBalance: 1000 },
  });
  return { ...row, gid: shopify.id };
}

export async function rewardWithDiscount(
  emulator: ShopifyEmulator,
  shop: string,
  customer: { id: string; gid: string },
  options: { status?: string; kind?: string; inShopify?: boolean; expiresAt?: Date | null; issuedAt?: Date } = {},
) {
  const code = generateCode({ prefix: "TEST" });
  const kind = options.kind ?? "FIXED_AMOUNT";
  const discount =
    options.inShopify === false || kind === "GIFT_CARD"
      ? null
      : emulator.store.createCodeDiscount(shop, {
          kind: kind === "FREE_SHIPPING" ? "free_shipping" : "basic",
          title: "$5 off",
          codes: [code],
          startsAt: new Date(Date.now() - 60_000),
          endsAt: options.expiresAt ?? null,
          usageLimit: 1,
          appliesOncePerCustomer: true,
          context: { kind: "customers", customerIds: [customer.gid] },
          customerGets: { value: { kind: "amount", amount: 500, appliesOnEachItem: false }, items: { kind: "all" }, appliesOnOneTimePurchase: true, appliesOnSubscription: false },
        });
  return db.reward.create({
    data: {
      shop,
      customerId: customer.id,
      customerGid: customer.gid,
      source: "POINTS_REDEMPTION",
      kind,
      value: "5.00",
      currency: "USD",
      title: "$5 off",
      code,
      codeKey: codeKey(code),
      shopifyId: discount?.id ?? null,
      status: options.status ?? "ISSUED",
      issuedAt: options.issuedAt ?? new Date(),
      expiresAt: options.expiresAt ?? null,
    },
  });
}
