// Test (and demo seed) data in the app's database: shops, customers, reward templates and rewards.
// Plain functions over a Prisma client; no test framework imports, so the demo seed can reuse them.
// Pass the emulator (or anything with `addCustomer`) to `createCustomer` to make the customer exist
// in the emulated Shopify too, which discounts restricted to that customer require.
import type { Customer, Reward, RewardTemplate, Shop } from "@prisma/client";
import type { Db } from "~/db.server";
import {
  codeKey,
  generateCode,
  generateGiftCardCode,
  type RewardKind,
  type RewardSource,
  type RewardStatus,
} from "~/domain/rewards";

let sequence = 0;
const next = () => ++sequence;

export async function createShop(db: Db, domain: string, fields: Partial<Omit<Shop, "domain">> = {}): Promise<Shop> {
  return db.shop.upsert({ where: { domain }, create: { domain, ...fields }, update: fields });
}

/** Something that can create a customer in (emulated) Shopify and return its GID. */
export interface ShopifyCustomers {
  addCustomer(shop: string, seed: { firstName?: string | null; lastName?: string | null; email?: string | null }): { id: string };
}

export interface CustomerFields {
  pointsBalance?: number;
  firstName?: string;
  lastName?: string;
  email?: string | null;
  vipTier?: string | null;
  /** Use this GID instead of creating the customer in Shopify. */
  shopifyCustomerId?: string;
}

export async function createCustomer(
  db: Db,
  shop: string,
  fields: CustomerFields = {},
  shopify?: ShopifyCustomers,
): Promise<Customer> {
  const n = next();
  const firstName = fields.firstName ?? "Customer";
  const lastName = fields.lastName ?? String(n);
  const email = fields.email === undefined ? `customer${n}@example.com` : fields.email;
  const shopifyCustomerId =
    fields.shopifyCustomerId ?? (shopify ? shopify.addCustomer(shop, { firstName, lastName, email }).id : `gid://shopify/Customer/${900_000 + n}`);
  return db.customer.create({
    data: {
      shop,
      shopifyCustomerId,
      displayName: `${firstName} ${lastName}`,
      email,
      pointsBalance: fields.pointsBalance ?? 0,
      vipTier: fields.vipTier ?? null,
    },
  });
}

export type TemplateFields = Partial<
  Pick<
    RewardTemplate,
    | "name"
    | "purpose"
    | "kind"
    | "value"
    | "pointsCost"
    | "minimumSubtotal"
    | "expiryDays"
    | "combinesWithOrder"
    | "combinesWithProduct"
    | "combinesWithShipping"
    | "codePrefix"
    | "active"
    | "productId"
    | "variantId"
    | "amountCurrency"
  >
>;

/** Default: "$10 off" for 100 points, valid 30 days. */
export async function createTemplate(db: Db, shop: string, fields: TemplateFields = {}): Promise<RewardTemplate> {
  const kind = (fields.kind ?? "FIXED_AMOUNT") as RewardKind;
  const value = fields.value ?? (kind === "PERCENTAGE" ? "15" : kind === "FREE_SHIPPING" ? "0" : "10.00");
  const defaultName = kind === "PERCENTAGE" ? `${value}% off` : kind === "FREE_SHIPPING" ? "Free shipping" : kind === "GIFT_CARD" ? `$${value} gift card` : `$${value} off`;
  return db.rewardTemplate.create({
    data: {
      shop,
      name: fields.name ?? defaultName,
      purpose: fields.purpose ?? "POINTS_REDEMPTION",
      kind,
      value,
      pointsCost: fields.pointsCost === undefined ? 100 : fields.pointsCost,
      minimumSubtotal: fields.minimumSubtotal ?? null,
      expiryDays: fields.expiryDays === undefined ? 30 : fields.expiryDays,
      combinesWithOrder: fields.combinesWithOrder ?? false,
      combinesWithProduct: fields.combinesWithProduct ?? false,
      combinesWithShipping: fields.combinesWithShipping ?? true,
      codePrefix: fields.codePrefix ?? "",
      active: fields.active ?? true,
      productId: fields.productId ?? null,
      variantId: fields.variantId ?? null,
      amountCurrency: fields.amountCurrency ?? null,
    },
  });
}

export interface RewardFields {
  status?: RewardStatus;
  source?: RewardSource;
  kind?: RewardKind;
  value?: string;
  code?: string;
  title?: string;
  currency?: string;
  shopifyId?: string | null;
  pointsSpent?: number;
  attempts?: number;
  nextAttemptAt?: Date | null;
  issuedAt?: Date | null;
  createdAt?: Date;
  template?: RewardTemplate;
}

/**
 * A reward row in any status, with its CREATED event, straight in the database (no Shopify call).
 * For Pending rewards the worker then generates, prefer `issueRewardAsync`, which is the real path.
 */
export async function createReward(db: Db, customer: Customer, fields: RewardFields = {}): Promise<Reward> {
  const kind = fields.kind ?? ((fields.template?.kind as RewardKind | undefined) ?? "FIXED_AMOUNT");
  const status = fields.status ?? "ISSUED";
  const code = fields.code ?? (kind === "GIFT_CARD" ? generateGiftCardCode() : generateCode());
  const value = fields.value ?? fields.template?.value ?? "10.00";
  const title = fields.title ?? fields.template?.name ?? "$10 off";
  const reward = await db.reward.create({
    data: {
      shop: customer.shop,
      customerId: customer.id,
      customerGid: customer.shopifyCustomerId,
      customerName: customer.displayName,
      customerEmail: customer.email,
      source: fields.source ?? "MANUAL",
      kind,
      value,
      currency: fields.currency ?? "USD",
      title,
      code,
      codeKey: codeKey(code),
      shopifyId: fields.shopifyId ?? null,
      status,
      attempts: fields.attempts ?? (status === "PENDING" ? 0 : 1),
      nextAttemptAt: fields.nextAttemptAt === undefined ? (status === "PENDING" ? new Date() : null) : fields.nextAttemptAt,
      issuedAt: fields.issuedAt === undefined ? (status === "ISSUED" || status === "USED" ? new Date() : null) : fields.issuedAt,
      pointsSpent: fields.pointsSpent ?? 0,
      templateId: fields.template?.id ?? null,
      settings: JSON.stringify({
        templateName: title,
        kind,
        value,
        minimumSubtotal: fields.template?.minimumSubtotal ?? null,
        expiryDays: fields.template?.expiryDays ?? 30,
        combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
        codePrefix: fields.template?.codePrefix ?? "",
      }),
      ...(fields.createdAt ? { createdAt: fields.createdAt } : {}),
    },
  });
  await db.rewardEvent.create({
    data: { rewardId: reward.id, shop: reward.shop, type: "CREATED", actor: "SYSTEM", toStatus: status, reason: "factory" },
  });
  return reward;
}
