// The emulated root fields. Every other root field of the real schema is still valid GraphQL but
// answers with a "not emulated" error (execute.ts), so the app can't silently depend on it.
import type { GraphQLResolveInfo } from "graphql";
import { giftCardLimits, type CustomerRecord, type GiftCardRecord } from "../store";
import { gidNumber, paginate, type PageArgs } from "./connection";
import type { FieldArgs, FieldFunction, ResolverContext } from "./context";
import {
  discountCodeActivate,
  discountCodeBasicCreate,
  discountCodeDeactivate,
  discountCodeDelete,
  discountCodeFreeShippingCreate,
} from "./discounts";
import { accessDenied, notEmulated, parseGid } from "./errors";
import { giftCardCreate, giftCardDeactivate } from "./gift-cards";
import { storeCreditAccountCredit, storeCreditAccountDebit, storeCreditNode } from "./store-credit";
import { applySearch } from "./search";
import { grantedScopes } from "../oauth";
import { collectionView, customerView, discountCodeNodeView, discountNodeView, giftCardView, money, orderView, productView, shopView, variantView } from "./views";

export interface RootField {
  resolve: FieldFunction;
  /** A shop feature the field needs; without it Shopify answers ACCESS_DENIED. */
  feature?: "giftCards";
}

// ---- customers ----------------------------------------------------------------------------------

function customerSortValue(customer: CustomerRecord, sortKey: string): string | number {
  switch (sortKey) {
    case "CREATED_AT":
      return customer.createdAt.getTime();
    case "UPDATED_AT":
      return customer.updatedAt.getTime();
    case "NAME":
      return `${customer.firstName ?? ""} ${customer.lastName ?? ""}`.trim().toLowerCase();
    case "ID":
    case "RELEVANCE":
      return gidNumber(customer.id);
    default:
      throw notEmulated(`customers(sortKey: ${sortKey})`);
  }
}

function customersConnection(args: FieldArgs, ctx: ResolverContext, info: GraphQLResolveInfo) {
  const query = typeof args.query === "string" ? args.query : null;
  const warnings: Array<{ field: string; message: string }> = [];
  const matching = applySearch(
    ctx.store.listCustomers(ctx.shop.domain),
    query,
    {
      text: (c) => [c.firstName, c.lastName, `${c.firstName ?? ""} ${c.lastName ?? ""}`.trim(), c.email, c.phone],
      fields: {
        email: (c) => [c.email],
        first_name: (c) => [c.firstName],
        last_name: (c) => [c.lastName],
        phone: (c) => [c.phone],
        tag: (c) => c.tags,
        id: (c) => [c.legacyId, c.id],
        state: () => ["enabled"],
      },
    },
    (field, message) => warnings.push({ field, message }),
  );
  if (warnings.length > 0 && query) {
    ctx.searchWarnings.push({ path: pathOf(info), query, warnings });
  }
  const sortKey = typeof args.sortKey === "string" ? args.sortKey : "ID";
  return paginate(matching, args as PageArgs, {
    typeName: "CustomerConnection",
    edgeTypeName: "CustomerEdge",
    fieldName: "customers",
    keyOf: (c) => ({ value: customerSortValue(c, sortKey), id: gidNumber(c.id) }),
    toNode: customerView,
  });
}

// ---- gift cards ---------------------------------------------------------------------------------

function giftCardSortValue(card: GiftCardRecord, sortKey: string): string | number {
  switch (sortKey) {
    case "ID":
      return gidNumber(card.id);
    case "CREATED_AT":
      return card.createdAt.getTime();
    case "UPDATED_AT":
      return card.updatedAt.getTime();
    case "BALANCE":
      return card.balance;
    case "INITIAL_VALUE":
      return card.initialValue;
    default:
      throw notEmulated(`giftCards(sortKey: ${sortKey})`);
  }
}

/**
 * giftCards(query:) with the filters the 2026-10 docs list. Note there is no `code:` filter: Shopify
 * finds codes through the default (free-text) search, and ignores `code:` with a search warning.
 */
function giftCardsConnection(args: FieldArgs, ctx: ResolverContext, info: GraphQLResolveInfo) {
  const query = typeof args.query === "string" ? args.query : null;
  const warnings: Array<{ field: string; message: string }> = [];
  const customerOf = (card: GiftCardRecord) => (card.customerId ? ctx.store.getCustomer(ctx.shop.domain, card.customerId) : undefined);
  const matching = applySearch(
    // The search index lags behind creation when `store.consistency.giftCardSearch` is on.
    ctx.store.listGiftCards(ctx.shop.domain).filter((card) => ctx.store.isGiftCardSearchable(card.id)),
    query,
    {
      fieldName: "giftCards",
      text: (card) => {
        const customer = customerOf(card);
        return [card.code, card.note, customer?.firstName ?? null, customer?.lastName ?? null, customer?.email ?? null];
      },
      fields: {
        id: (card) => [String(gidNumber(card.id)), card.id],
        customer_id: (card) => (card.customerId ? [String(gidNumber(card.customerId)), card.customerId] : []),
        source: () => ["api_client"],
        status: (card) => {
          const expired = ctx.store.isGiftCardExpired(card);
          return [card.enabled ? "enabled" : "disabled", ...(expired ? ["expired"] : [])];
        },
        balance_status: (card) => {
          const status = card.balance <= 0 ? "empty" : card.balance >= card.initialValue ? "full" : "partial";
          return status === "empty" ? [status] : [status, "full_or_partial"];
        },
      },
      unsupported: ["created_at", "expires_on", "initial_value", "recipient_id"],
    },
    (field, message) => warnings.push({ field, message }),
  );
  if (warnings.length > 0 && query) ctx.searchWarnings.push({ path: pathOf(info), query, warnings });
  const sortKey = typeof args.sortKey === "string" ? args.sortKey : "ID";
  return paginate(matching, args as PageArgs, {
    typeName: "GiftCardConnection",
    edgeTypeName: "GiftCardEdge",
    fieldName: "giftCards",
    keyOf: (card) => ({ value: giftCardSortValue(card, sortKey), id: gidNumber(card.id) }),
    toNode: giftCardView,
  });
}

function pathOf(info: GraphQLResolveInfo): Array<string | number> {
  const path: Array<string | number> = [];
  for (let p: GraphQLResolveInfo["path"] | undefined = info.path; p; p = p.prev) path.unshift(p.key);
  return path;
}

// ---- lookups by id ------------------------------------------------------------------------------

/**
 * Throws ACCESS_DENIED unless the app holds one of the scopes the schema's access table names for a
 * type (e.g. Order: "`read_orders` access scope, `read_marketplace_orders` access scope or
 * `read_quick_sale` access scope", 2026-10 schema). Scopes are only checked for shops seeded with a
 * scope list, like checkRootAccess.
 */
function checkTypeAccess(typeName: string, fieldName: string, ctx: ResolverContext): void {
  const entry = ctx.loaded.access.get(typeName);
  const scopes = ctx.shop.scopes;
  if (scopes && entry && entry.offlineScopes.length > 0 && !entry.offlineScopes.some((scope) => scopeGranted(scopes, scope))) {
    throw accessDenied(fieldName, entry.requiredAccess);
  }
}

/** "You can only retrieve the last 60 days worth of orders from a store by default" (QueryRoot.order, 2026-10 schema). */
const RECENT_ORDERS_MS = 60 * 86_400_000;

/**
 * An order as the app may read it: the Order type's scopes are required, and an order older than 60
 * days needs `read_all_orders` (https://shopify.dev/docs/api/usage/access-scopes#orders-permissions);
 * without it the order is not found (null) — Shopify does not document the answer; null is the
 * least kind reading that is not an error.
 */
function readableOrder(id: string, fieldName: string, ctx: ResolverContext): unknown {
  checkTypeAccess("Order", fieldName, ctx);
  const order = ctx.store.getOrder(ctx.shop.domain, id);
  if (!order) return null;
  const scopes = ctx.shop.scopes;
  if (scopes && !scopeGranted(scopes, "read_all_orders") && ctx.now.getTime() - order.createdAt.getTime() > RECENT_ORDERS_MS) return null;
  return orderView(order);
}

function nodeById(id: string, ctx: ResolverContext): unknown {
  const { type } = parseGid(id);
  const shop = ctx.shop.domain;
  switch (type) {
    case "Customer": {
      const customer = ctx.store.getCustomer(shop, id);
      return customer ? customerView(customer) : null;
    }
    case "DiscountCodeNode":
    case "DiscountNode": {
      const discount = ctx.store.getDiscountByAnyId(shop, id);
      if (!discount) return null;
      return type === "DiscountNode" ? discountNodeView(discount) : discountCodeNodeView(discount);
    }
    case "GiftCard": {
      if (!ctx.shop.features.giftCards) throw accessDenied("node", "`read_gift_cards` access scope.");
      const card = ctx.store.getGiftCard(shop, id);
      return card ? giftCardView(card) : null;
    }
    case "StoreCreditAccount":
    case "StoreCreditAccountCreditTransaction":
    case "StoreCreditAccountDebitTransaction":
      return storeCreditNode(id, type, ctx);
    case "Order":
      return readableOrder(id, "node", ctx);
    case "Shop":
      return id === ctx.shop.id ? shopView(ctx.shop) : null;
    case "Product": {
      const product = ctx.store.getProduct(shop, id);
      return product ? productView(product) : null;
    }
    case "ProductVariant": {
      const found = ctx.store.findVariant(shop, id);
      return found ? variantView(found.product, found.variant) : null;
    }
    case "Collection": {
      const collection = ctx.store.getCollection(shop, id);
      return collection ? collectionView(collection) : null;
    }
    default:
      throw notEmulated(`node(id:) for ${type} ids`);
  }
}

// ---- the root maps ------------------------------------------------------------------------------

export const queryRootFields: Readonly<Record<string, RootField>> = {
  shop: { resolve: (_args, ctx) => shopView(ctx.shop) },
  // The app's installation on the shop: the access scopes the shop granted it ("The access scopes
  // granted to the application by a merchant during installation" — AppInstallation.accessScopes,
  // 2026-10 schema). Optional scopes appear once the merchant approved them.
  currentAppInstallation: {
    resolve: (_args, ctx) => ({
      __typename: "AppInstallation",
      id: `gid://shopify/AppInstallation/${ctx.shop.id.split("/").pop()}`,
      // A shop seeded without a scope list grants everything: every scope the app declares.
      accessScopes: grantedScopes(ctx.shop, ctx.appScopes).map((handle) => ({ __typename: "AccessScope", handle, description: handle })),
    }),
  },
  customer: {
    resolve: (args, ctx) => {
      const id = String(args.id);
      parseGid(id);
      const customer = ctx.store.getCustomer(ctx.shop.domain, id);
      return customer ? customerView(customer) : null;
    },
  },
  customers: { resolve: customersConnection },
  codeDiscountNodeByCode: {
    resolve: (args, ctx) => {
      const found = ctx.store.findDiscountByCode(ctx.shop.domain, String(args.code));
      return found ? discountCodeNodeView(found.discount) : null;
    },
  },
  // Each lookup takes the id form its documentation names — codeDiscountNode: "The ID of the
  // `DiscountCodeNode` to return"; discountNode: "The ID of the `DiscountNode` to return" (2026-10
  // schema, https://shopify.dev/docs/api/admin-graphql/latest/queries/discountNode). What Shopify does
  // with the other form is not documented; the emulator answers null, the least kind reading, so an
  // app that passes the wrong form sees "nothing" here first rather than in production.
  codeDiscountNode: {
    resolve: (args, ctx) => {
      const id = String(args.id);
      if (parseGid(id).type !== "DiscountCodeNode") return null;
      const discount = ctx.store.getDiscountByAnyId(ctx.shop.domain, id);
      return discount ? discountCodeNodeView(discount) : null;
    },
  },
  discountNode: {
    resolve: (args, ctx) => {
      const id = String(args.id);
      if (parseGid(id).type !== "DiscountNode") return null;
      const discount = ctx.store.getDiscountByAnyId(ctx.shop.domain, id);
      return discount ? discountNodeView(discount) : null;
    },
  },
  giftCard: {
    feature: "giftCards",
    resolve: (args, ctx) => {
      const id = String(args.id);
      parseGid(id);
      const card = ctx.store.getGiftCard(ctx.shop.domain, id);
      return card ? giftCardView(card) : null;
    },
  },
  giftCards: { feature: "giftCards", resolve: giftCardsConnection },
  // "The configuration for the shop's gift cards"; GiftCardConfiguration "Requires `read_gift_cards`
  // access scope" (https://shopify.dev/docs/api/admin-graphql/latest/objects/GiftCardConfiguration —
  // the schema's access table has no entry for it, so the scope is checked here). Limits are "in the
  // default shop currency" (2026-10 schema).
  giftCardConfiguration: {
    feature: "giftCards",
    resolve: (_args, ctx) => {
      const scopes = ctx.shop.scopes;
      if (scopes && !scopes.includes("read_gift_cards") && !scopes.includes("write_gift_cards")) {
        throw accessDenied("giftCardConfiguration", "`read_gift_cards` access scope.");
      }
      const limits = giftCardLimits(ctx.shop);
      return {
        __typename: "GiftCardConfiguration",
        issueLimit: money(limits.issue, ctx.shop.currencyCode),
        purchaseLimit: money(limits.purchase, ctx.shop.currencyCode),
        expirationConfiguration: () => {
          throw notEmulated("GiftCardConfiguration.expirationConfiguration");
        },
      };
    },
  },
  storeCreditAccount: {
    resolve: (args, ctx) => {
      const id = String(args.id);
      const { type } = parseGid(id);
      return type === "StoreCreditAccount" ? storeCreditNode(id, type, ctx) : null;
    },
  },
  // "The `order` query retrieves an order by its ID" (https://shopify.dev/docs/api/admin-graphql/latest/queries/order):
  // null for an id that names no order of the shop (or no order at all), within readableOrder's limits.
  order: {
    resolve: (args, ctx) => {
      const id = String(args.id);
      if (parseGid(id).type !== "Order") return null;
      return readableOrder(id, "order", ctx);
    },
  },
  product: {
    resolve: (args, ctx) => {
      const id = String(args.id);
      return parseGid(id).type === "Product" ? nodeById(id, ctx) : null;
    },
  },
  collection: {
    resolve: (args, ctx) => {
      const id = String(args.id);
      return parseGid(id).type === "Collection" ? nodeById(id, ctx) : null;
    },
  },
  node: { resolve: (args, ctx) => nodeById(String(args.id), ctx) },
  nodes: { resolve: (args, ctx) => (args.ids as string[]).map((id) => nodeById(id, ctx)) },
};

export const mutationRootFields: Readonly<Record<string, RootField>> = {
  discountCodeBasicCreate: { resolve: discountCodeBasicCreate },
  discountCodeFreeShippingCreate: { resolve: discountCodeFreeShippingCreate },
  discountCodeDeactivate: { resolve: discountCodeDeactivate },
  discountCodeActivate: { resolve: discountCodeActivate },
  discountCodeDelete: { resolve: discountCodeDelete },
  giftCardCreate: { feature: "giftCards", resolve: giftCardCreate },
  giftCardDeactivate: { feature: "giftCards", resolve: giftCardDeactivate },
  storeCreditAccountCredit: { resolve: storeCreditAccountCredit },
  storeCreditAccountDebit: { resolve: storeCreditAccountDebit },
};

/** Whether granted scopes cover one of the required ones (a write_ scope implies its read_). */
function scopeGranted(granted: readonly string[], required: string): boolean {
  if (granted.includes(required)) return true;
  return required.startsWith("read_") && granted.includes(`write_${required.slice("read_".length)}`);
}

/**
 * Throws Shopify's ACCESS_DENIED error when the shop lacks the feature or the app lacks the scope
 * behind a root field (scopes are only checked when the shop was seeded with a scope list).
 */
export function checkRootAccess(typeName: string, fieldName: string, spec: RootField | undefined, ctx: ResolverContext): void {
  const entry = ctx.loaded.access.get(`${typeName}.${fieldName}`);
  if (spec?.feature === "giftCards" && !ctx.shop.features.giftCards) {
    const fallback = typeName === "Mutation" ? "`write_gift_cards` access scope." : "`read_gift_cards` access scope.";
    throw accessDenied(fieldName, entry?.requiredAccess || fallback);
  }
  const scopes = ctx.shop.scopes;
  if (scopes && entry && entry.offlineScopes.length > 0 && !entry.offlineScopes.some((scope) => scopeGranted(scopes, scope))) {
    throw accessDenied(fieldName, entry.requiredAccess);
  }
}
