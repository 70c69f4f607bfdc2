// Shopify's mandatory privacy webhooks.
//   customers/data_request → the customer's data, stored as a ComplianceRequest for the merchant
//                            (Shopify asks apps to give it to the merchant, not to the customer).
//   customers/redact       → erase the customer's personal data (name, email, Shopify id, reward
//                            codes) but keep anonymous aggregates (reward counts, statuses, points).
//   shop/redact            → delete everything the app stores for the shop.
import type { Db } from "~/db.server";

interface CustomerRef {
  gid: string | null;
  email: string | null;
}

function customerRef(payload: unknown): CustomerRef {
  const c = (payload as { customer?: { id?: unknown; email?: unknown } } | null)?.customer;
  const id = typeof c?.id === "number" || (typeof c?.id === "string" && /^\d+$/.test(c.id)) ? String(c.id) : null;
  return { gid: id ? `gid://shopify/Customer/${id}` : null, email: typeof c?.email === "string" && c.email ? c.email : null };
}

/** By Shopify customer id; by email only when the id is unknown to us (e.g. never stored). */
async function findCustomers(db: Db, shop: string, ref: CustomerRef) {
  if (ref.gid) {
    const byId = await db.customer.findMany({ where: { shop, shopifyCustomerId: ref.gid } });
    if (byId.length > 0) return byId;
  }
  return ref.email ? db.customer.findMany({ where: { shop, email: ref.email } }) : [];
}

export async function handleCustomersDataRequest(db: Db, shop: string, payload: unknown) {
  const ref = customerRef(payload);
  const customers = await findCustomers(db, shop, ref);
  const data = await Promise.all(
    customers.map(async (c) => ({
      customer: { shopifyCustomerId: c.shopifyCustomerId, name: c.displayName, email: c.email, pointsBalance: c.pointsBalance, vipTier: c.vipTier },
      rewards: (await db.reward.findMany({ where: { customerId: c.id }, orderBy: { createdAt: "asc" } })).map((r) => ({
        title: r.title,
        code: r.code,
        status: r.status,
        kind: r.kind,
        value: r.value,
        currency: r.currency,
        createdAt: r.createdAt,
        issuedAt: r.issuedAt,
        usedAt: r.usedAt,
        usedOrder: r.usedOrderName,
      })),
      pointsLedger: (await db.pointsTransaction.findMany({ where: { customerId: c.id }, orderBy: { createdAt: "asc" } })).map((t) => ({
        delta: t.delta,
        balanceAfter: t.balanceAfter,
        reason: t.reason,
        at: t.createdAt,
      })),
    })),
  );
  const dataRequestId = (payload as { data_request?: { id?: unknown } } | null)?.data_request?.id ?? null;
  return db.complianceRequest.create({
    data: {
      shop,
      topic: "customers/data_request",
      customerGid: ref.gid,
      result: JSON.stringify({ dataRequestId, requestedCustomer: ref, found: data.length, data }),
    },
  });
}

export async function handleCustomersRedact(db: Db, shop: string, payload: unknown) {
  const ref = customerRef(payload);
  const customers = await findCustomers(db, shop, ref);
  await db.$transaction(async (tx) => {
    for (const c of customers) {
      const rewards = await tx.reward.findMany({ where: { customerId: c.id }, select: { id: true } });
      for (const r of rewards) {
        await tx.reward.update({
          where: { id: r.id },
          // Codes identify the customer at checkout: replace them; keep status, kind, value, dates.
          data: { customerName: null, customerEmail: null, customerGid: "redacted", code: "REDACTED", codeKey: `REDACTED:${r.id}`, usedOrderName: null },
        });
      }
      await tx.redemption.updateMany({ where: { customerId: c.id }, data: { code: "REDACTED" } });
      await tx.customer.update({
        where: { id: c.id },
        data: { displayName: "Redacted customer", email: null, shopifyCustomerId: `redacted:${c.id}`, redemptionLockKey: null },
      });
    }
    await tx.complianceRequest.create({ data: { shop, topic: "customers/redact", customerGid: null, result: JSON.stringify({ redactedCustomers: customers.length }) } });
  });
  return { redacted: customers.length };
}

export async function handleShopRedact(db: Db, shop: string) {
  await db.$transaction([
    db.rewardEvent.deleteMany({ where: { shop } }),
    db.redemption.deleteMany({ where: { shop } }),
    db.reward.deleteMany({ where: { shop } }),
    db.pointsTransaction.deleteMany({ where: { shop } }),
    db.customer.deleteMany({ where: { shop } }),
    db.rewardTemplate.deleteMany({ where: { shop } }),
    db.webhookDelivery.deleteMany({ where: { shop } }),
    db.complianceRequest.deleteMany({ where: { shop } }),
    db.session.deleteMany({ where: { shop } }),
    db.shop.deleteMany({ where: { domain: shop } }),
  ]);
}
