// The program's customer rows, created when Shopify first tells us about a customer (an order,
// customers/create). Display data comes from Shopify's payload fields, never from free text.
import type { Db } from "~/db.server";
import { directSql, isUniqueViolation } from "~/db.server";
import { cutText, hasControlCharacters } from "~/domain/text";
import { field } from "~/domain/json-fields";
import { customerEmailOf } from "~/domain/customer-email";

export interface CustomerIdentity {
  shop: string;
  /** gid://shopify/Customer/… */
  customerGid: string;
  displayName?: string | null;
  email?: string | null;
  now: Date;
}

/** The customer's row, created if missing (a twin creating it at the same moment is fine). */
export async function ensureCustomer(db: Db, who: CustomerIdentity): Promise<{ id: string; created: boolean }> {
  const where = { shop_shopifyCustomerId: { shop: who.shop, shopifyCustomerId: who.customerGid } };
  // Every order's effects start here, so the lookup (by the unique key) goes straight to the driver
  // (app/direct-sql.server.ts, docs/decisions/016): a quarter of Prisma's cost for the same read.
  const [found] = await directSql(db).query<{ id: string }>(`SELECT "id" FROM "Customer" WHERE "shop" = ? AND "shopifyCustomerId" = ?`, [who.shop, who.customerGid]);
  if (found) return { id: found.id, created: false };
  try {
    const created = await db.customer.create({
      data: { shop: who.shop, shopifyCustomerId: who.customerGid, displayName: who.displayName ?? "", email: who.email ?? null, lastActivityAt: who.now },
      select: { id: true },
    });
    return { id: created.id, created: true };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const row = await db.customer.findUniqueOrThrow({ where, select: { id: true } });
    return { id: row.id, created: false };
  }
}

// A value holding a control character (which PostgreSQL cannot store, if a NUL) is left aside.
const text = (v: unknown) => (typeof v === "string" && v.trim() !== "" && !hasControlCharacters(v) ? v.trim() : null);

/** The name and email of a customer object in a webhook payload (orders/*, customers/create). */
export function customerDisplay(customer: unknown): { displayName: string | null; email: string | null } {
  // A name cut short still names them; an email cut short is another address (or none): it is kept
  // whole or not at all.
  const part = (key: string) => {
    const value = text(field(customer, key));
    return value === null ? null : cutText(value, 100);
  };
  const name = [part("first_name"), part("last_name")].filter(Boolean).join(" ");
  return { displayName: name || null, email: customerEmailOf(field(customer, "email")) };
}
