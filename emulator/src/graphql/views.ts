// Store records rendered as GraphQL objects of the real Admin schema. Only the fields listed here are
// emulated; reading any other field of these types fails with a "not emulated" error.
import { deriveId, financialStatusAfterRefunds, orderConfirmationNumber, orderStatusUrl } from "../order-payload";
import { currentLineQuantity, formatDecimal, refundGateway, orderLineNet, orderRefunded, refundedLineDiscount, orderShippingBeforeDiscounts, refundPaidBack, shopTaxes, customerAccountState, type Cents, type RefundRecord, type CodeDiscountRecord, type CollectionRecord, type ProductRecord, type CustomerRecord, type GiftCardRecord, type OrderRecord, type ShopRecord } from "../store";
import { gidNumber, paginate, type PageArgs } from "./connection";
import type { FieldArgs, ResolverContext, View } from "./context";
import { customerStoreCreditAccounts } from "./store-credit";

export function money(cents: Cents, currencyCode: string): View {
  return { __typename: "MoneyV2", amount: formatDecimal(cents), currencyCode };
}

function moneyBag(cents: Cents, currencyCode: string): View {
  return { __typename: "MoneyBag", shopMoney: money(cents, currencyCode), presentmentMoney: money(cents, currencyCode) };
}

// ---- shop ---------------------------------------------------------------------------------------

export function shopView(shop: ShopRecord): View {
  const url = `https://${shop.domain}`;
  return {
    __typename: "Shop",
    id: shop.id,
    name: shop.name,
    email: shop.email,
    contactEmail: shop.email,
    myshopifyDomain: shop.domain,
    url,
    currencyCode: shop.currencyCode,
    enabledPresentmentCurrencies: [shop.currencyCode],
    ianaTimezone: shop.ianaTimezone,
    createdAt: shop.createdAt,
    primaryDomain: { __typename: "Domain", id: `gid://shopify/Domain/${gidNumber(shop.id)}`, host: shop.domain, url, sslEnabled: true },
    plan: {
      __typename: "ShopPlan",
      displayName: shop.planDisplayName,
      publicDisplayName: shop.planDisplayName,
      partnerDevelopment: shop.partnerDevelopment,
      shopifyPlus: shop.shopifyPlus,
    },
    features: { __typename: "ShopFeatures", giftCards: shop.features.giftCards, shopifyPlus: shop.shopifyPlus },
    // "Whether applicable taxes are included in the shop's product prices" / "Whether the shop charges
    // taxes for shipping" (2026-10 schema): the shop's seed.
    taxesIncluded: shopTaxes(shop).included,
    taxShipping: shopTaxes(shop).shipping,
  };
}

// ---- customers ----------------------------------------------------------------------------------

/**
 * Without Level 2 protected customer data access, Shopify redacts customers' names, emails, phones
 * and addresses in API responses and webhooks (https://shopify.dev/docs/apps/launch/protected-customer-data).
 * `displayName` is non-null in the schema; the emulator answers "" for it (an assumption: the docs do
 * not say what a redacted display name reads as — emulator/README.md, "Known divergences").
 */
export function personalDataRedacted(ctx: ResolverContext): boolean {
  return ctx.shop.customerPersonalData === "redacted";
}

export function customerView(customer: CustomerRecord): View {
  const displayName =
    [customer.firstName, customer.lastName].filter(Boolean).join(" ") || customer.email || customer.phone || "";
  const personal = <T>(value: T, redacted: T) => (_args: FieldArgs, ctx: ResolverContext) => (personalDataRedacted(ctx) ? redacted : value);
  return {
    __typename: "Customer",
    id: customer.id,
    legacyResourceId: customer.legacyId,
    firstName: personal(customer.firstName, null),
    lastName: personal(customer.lastName, null),
    displayName: personal(displayName, ""),
    email: personal(customer.email, null),
    phone: personal(customer.phone, null),
    defaultEmailAddress: personal(
      customer.email
        ? { __typename: "CustomerEmailAddress", emailAddress: customer.email, validFormat: /.+@.+\..+/.test(customer.email) }
        : null,
      null,
    ),
    verifiedEmail: customer.email !== null,
    validEmailAddress: customer.email !== null && /.+@.+\..+/.test(customer.email),
    numberOfOrders: String(customer.numberOfOrders),
    tags: customer.tags,
    note: customer.note,
    state: customerAccountState(customer).toUpperCase(),
    locale: "en",
    taxExempt: false,
    createdAt: customer.createdAt,
    updatedAt: customer.updatedAt,
    amountSpent: (_args: FieldArgs, ctx: ResolverContext) => money(customer.amountSpent, ctx.shop.currencyCode),
    storeCreditAccounts: customerStoreCreditAccounts(customer.id),
    lastOrder: (_args: FieldArgs, ctx: ResolverContext) => {
      const order = customer.lastOrderId ? ctx.store.getOrder(ctx.shop.domain, customer.lastOrderId) : undefined;
      return order ? orderView(order) : null;
    },
  };
}

function customerById(ctx: ResolverContext, id: string | null): View | null {
  const customer = id ? ctx.store.getCustomer(ctx.shop.domain, id) : undefined;
  return customer ? customerView(customer) : null;
}

// ---- discounts ----------------------------------------------------------------------------------

function discountClasses(discount: CodeDiscountRecord): string[] {
  if (discount.kind === "free_shipping") return ["SHIPPING"];
  return discount.customerGets?.items.kind === "all" ? ["ORDER"] : ["PRODUCT"];
}

function describeValue(discount: CodeDiscountRecord, currencyCode: string): string {
  if (discount.kind === "free_shipping") return "Free shipping on all products";
  const gets = discount.customerGets;
  if (!gets) return "";
  const what = gets.items.kind === "all" ? "entire order" : "specific products";
  if (gets.value.kind === "percentage") {
    return `${Math.round(gets.value.percentage * 10000) / 100}% off ${what}`;
  }
  return `${formatDecimal(gets.value.amount)} ${currencyCode} off ${what}`;
}

function summaryOf(discount: CodeDiscountRecord, currencyCode: string): string {
  const parts = [describeValue(discount, currencyCode)];
  const minimum = discount.minimumRequirement;
  if (minimum?.kind === "subtotal") parts.push(`Minimum purchase of ${formatDecimal(minimum.amount)} ${currencyCode}`);
  if (minimum?.kind === "quantity") parts.push(`Minimum quantity of ${minimum.quantity}`);
  if (discount.context.kind === "customers") {
    const n = discount.context.customerIds.length;
    parts.push(`For ${n} customer${n === 1 ? "" : "s"}`);
  }
  if (discount.usageLimit !== null) parts.push(`Limit of ${discount.usageLimit} use${discount.usageLimit === 1 ? "" : "s"}`);
  if (discount.appliesOncePerCustomer) parts.push("One use per customer");
  return parts.join(" • ");
}

function contextView(discount: CodeDiscountRecord, ctx: ResolverContext): View {
  if (discount.context.kind === "all") return { __typename: "DiscountBuyerSelectionAll", all: "ALL" };
  return {
    __typename: "DiscountCustomers",
    customers: discount.context.customerIds.flatMap((id) => {
      const view = customerById(ctx, id);
      return view ? [view] : [];
    }),
  };
}

function customerSelectionView(discount: CodeDiscountRecord, ctx: ResolverContext): View {
  if (discount.context.kind === "all") return { __typename: "DiscountCustomerAll", allCustomers: true };
  return contextView(discount, ctx);
}

function customerGetsView(discount: CodeDiscountRecord, currencyCode: string): View | null {
  const gets = discount.customerGets;
  if (!gets) return null;
  const value: View =
    gets.value.kind === "percentage"
      ? { __typename: "DiscountPercentage", percentage: gets.value.percentage }
      : { __typename: "DiscountAmount", amount: money(gets.value.amount, currencyCode), appliesOnEachItem: gets.value.appliesOnEachItem };
  // Product and collection lists are stored but their connections are not emulated: reading them fails loudly.
  const items: View =
    gets.items.kind === "all"
      ? { __typename: "AllDiscountItems", allItems: true }
      : { __typename: gets.items.kind === "products" ? "DiscountProducts" : "DiscountCollections" };
  return {
    __typename: "DiscountCustomerGets",
    value,
    items,
    appliesOnOneTimePurchase: gets.appliesOnOneTimePurchase,
    appliesOnSubscription: gets.appliesOnSubscription,
  };
}

function minimumRequirementView(discount: CodeDiscountRecord, currencyCode: string): View | null {
  const minimum = discount.minimumRequirement;
  if (!minimum) return null;
  return minimum.kind === "subtotal"
    ? { __typename: "DiscountMinimumSubtotal", greaterThanOrEqualToSubtotal: money(minimum.amount, currencyCode) }
    : { __typename: "DiscountMinimumQuantity", greaterThanOrEqualToQuantity: String(minimum.quantity) };
}

/** DiscountCodeBasic or DiscountCodeFreeShipping. */
export function codeDiscountView(discount: CodeDiscountRecord): View {
  const common = {
    title: discount.title,
    // Read the clock when the field resolves, not when the request started: a mutation earlier in
    // the same request (deactivate) may have set endsAt to a later instant.
    status: (_args: FieldArgs, ctx: ResolverContext) => ctx.store.discountStatus(discount),
    startsAt: discount.startsAt,
    endsAt: discount.endsAt,
    createdAt: discount.createdAt,
    updatedAt: discount.updatedAt,
    usageLimit: discount.usageLimit,
    appliesOncePerCustomer: discount.appliesOncePerCustomer,
    // Shopify counts per redeem code; the discount shows the total over its codes.
    asyncUsageCount: discount.codes.reduce((sum, code) => sum + code.asyncUsageCount - (code.unreportedUses ?? 0), 0),
    codes: (args: FieldArgs) =>
      paginate(discount.codes, args as PageArgs, {
        typeName: "DiscountRedeemCodeConnection",
        edgeTypeName: "DiscountRedeemCodeEdge",
        fieldName: "codes",
        keyOf: (code) => ({ value: gidNumber(code.id), id: gidNumber(code.id) }),
        toNode: (code) => ({
          __typename: "DiscountRedeemCode",
          id: code.id,
          code: code.code,
          asyncUsageCount: code.asyncUsageCount - (code.unreportedUses ?? 0),
          createdBy: null,
        }),
      }),
    codesCount: { __typename: "Count", count: discount.codes.length, precision: "EXACT" },
    context: (_args: FieldArgs, ctx: ResolverContext) => contextView(discount, ctx),
    customerSelection: (_args: FieldArgs, ctx: ResolverContext) => customerSelectionView(discount, ctx),
    minimumRequirement: (_args: FieldArgs, ctx: ResolverContext) => minimumRequirementView(discount, ctx.shop.currencyCode),
    combinesWith: {
      __typename: "DiscountCombinesWith",
      ...discount.combinesWith,
      productDiscountsWithTagsOnSameCartLine: null,
    },
    discountClasses: discountClasses(discount),
    tags: discount.tags,
    recurringCycleLimit: discount.recurringCycleLimit,
    hasTimelineComment: false,
    shareableUrls: [],
    summary: (_args: FieldArgs, ctx: ResolverContext) => summaryOf(discount, ctx.shop.currencyCode),
    shortSummary: (_args: FieldArgs, ctx: ResolverContext) => describeValue(discount, ctx.shop.currencyCode),
    totalSales: (_args: FieldArgs, ctx: ResolverContext) => money(discount.totalSales, ctx.shop.currencyCode),
  };
  if (discount.kind === "basic") {
    return {
      __typename: "DiscountCodeBasic",
      ...common,
      discountClass: discountClasses(discount)[0],
      customerGets: (_args: FieldArgs, ctx: ResolverContext) => customerGetsView(discount, ctx.shop.currencyCode),
    };
  }
  const shipping = discount.freeShipping;
  return {
    __typename: "DiscountCodeFreeShipping",
    ...common,
    discountClass: "SHIPPING",
    appliesOnOneTimePurchase: shipping?.appliesOnOneTimePurchase ?? true,
    appliesOnSubscription: shipping?.appliesOnSubscription ?? false,
    destinationSelection:
      !shipping || shipping.destination.kind === "all"
        ? { __typename: "DiscountCountryAll", allCountries: true }
        : {
            __typename: "DiscountCountries",
            countries: shipping.destination.countryCodes,
            includeRestOfWorld: shipping.destination.includeRestOfWorld,
          },
    maximumShippingPrice: (_args: FieldArgs, ctx: ResolverContext) =>
      shipping?.maximumShippingPrice != null ? money(shipping.maximumShippingPrice, ctx.shop.currencyCode) : null,
  };
}

export function discountCodeNodeView(discount: CodeDiscountRecord): View {
  return { __typename: "DiscountCodeNode", id: discount.id, codeDiscount: codeDiscountView(discount) };
}

/** DiscountNode shares the number of the DiscountCodeNode id. */
export function discountNodeView(discount: CodeDiscountRecord): View {
  return { __typename: "DiscountNode", id: `gid://shopify/DiscountNode/${discount.numericId}`, discount: codeDiscountView(discount) };
}

// ---- gift cards ---------------------------------------------------------------------------------

export function giftCardView(card: GiftCardRecord): View {
  const lastCharacters = card.code.slice(-4);
  return {
    __typename: "GiftCard",
    id: card.id,
    balance: money(card.balance, card.currencyCode),
    initialValue: money(card.initialValue, card.currencyCode),
    enabled: card.enabled,
    deactivatedAt: card.deactivatedAt,
    expiresOn: card.expiresOn,
    isRedeemable: (_args: FieldArgs, ctx: ResolverContext) =>
      card.enabled && card.balance > 0 && !ctx.store.isGiftCardExpired(card),
    lastCharacters,
    maskedCode: `•••• •••• •••• ${lastCharacters}`,
    note: card.note,
    templateSuffix: card.templateSuffix,
    crossCurrencyRedemptionStrategy: card.crossCurrencyRedemptionStrategy,
    createdAt: card.createdAt,
    updatedAt: card.updatedAt,
    customer: (_args: FieldArgs, ctx: ResolverContext) => customerById(ctx, card.customerId),
    order: null,
    lineItem: null,
    recipientAttributes: null,
    transactions: (args: FieldArgs) =>
      paginate(card.transactions, args as PageArgs, {
        typeName: "GiftCardTransactionConnection",
        edgeTypeName: "GiftCardTransactionEdge",
        fieldName: "transactions",
        keyOf: (tx) => ({ value: gidNumber(tx.id), id: gidNumber(tx.id) }),
        toNode: (tx) => ({
          __typename: tx.kind === "debit" ? "GiftCardDebitTransaction" : "GiftCardCreditTransaction",
          id: tx.id,
          amount: money(tx.amount, card.currencyCode),
          processedAt: tx.processedAt,
          note: tx.note,
          giftCard: () => giftCardView(card),
        }),
      }),
  };
}

// ---- orders -------------------------------------------------------------------------------------

export function orderView(order: OrderRecord): View {
  const codes = order.discountCodes.map((d) => d.code);
  const currency = order.currencyCode;
  const bag = (cents: Cents) => moneyBag(cents, currency);
  const lineNet = orderLineNet(order);
  const totalTax = order.totalTax ?? 0;
  // Read when a field resolves: a refund made earlier counts (the store keeps them on the order).
  const refunded = () => orderRefunded(order);
  return {
    __typename: "Order",
    id: order.id,
    legacyResourceId: order.legacyId,
    name: order.name,
    // "The order number used to generate the name" (Order.number, 2026-10 schema): #1001 → 1001.
    number: order.orderNumber,
    email: (_args: FieldArgs, ctx: ResolverContext) => (personalDataRedacted(ctx) ? null : order.email),
    createdAt: order.createdAt,
    processedAt: order.createdAt,
    // "when the order was last modified": its refunds and its cancellation modify it.
    updatedAt: () =>
      [...(order.refunds ?? []).map((r) => r.createdAt), ...(order.cancelledAt ? [order.cancelledAt] : [])].reduce(
        (latest, at) => (at > latest ? at : latest),
        order.createdAt,
      ),
    test: order.test,
    sourceName: order.sourceName,
    discountCodes: codes,
    discountCode: codes[0] ?? null,
    currencyCode: currency,
    // Orders are in the shop's currency (the emulator has no markets or exchange rates).
    presentmentCurrencyCode: currency,
    subtotalLineItemsQuantity: order.quantity ?? 1,
    // "The current sum of the quantities … after returns, refunds, order edits, and cancellations"
    // (Order.currentSubtotalLineItemsQuantity): store.ts currentLineQuantity.
    currentSubtotalLineItemsQuantity: () => currentLineQuantity(order, refunded().lines),
    // "The sum of the prices for all line items after discounts and before returns … If taxesIncluded
    // is true, then the subtotal also includes tax" (Order.subtotalPriceSet, 2026-10 schema), as
    // orders/create's subtotal_price.
    subtotalPriceSet: bag(lineNet),
    totalDiscountsSet: bag(order.totalDiscounts),
    // "The total shipping amount before discounts and returns" (Order.totalShippingPrice, 2026-10
    // schema), as orders/create's total_shipping_price_set; tax inside when the prices include it.
    totalShippingPriceSet: bag(orderShippingBeforeDiscounts(order)),
    totalPriceSet: bag(order.total),
    // Nothing edits an emulated order, and checkout takes the whole payment ("paid"): the original
    // total is the total, all of it received ("before returns"), nothing outstanding (a refund's
    // transaction settles what it pays back).
    originalTotalPriceSet: bag(order.total),
    totalReceivedSet: bag(order.total),
    totalOutstandingSet: bag(0),
    fullyPaid: true,
    unpaid: false,
    // As orders/create says (order-payload.ts): no exemption, taxes final, no duties, one line shipped.
    taxExempt: false,
    estimatedTaxes: false,
    dutiesIncluded: false,
    requiresShipping: true,
    customerLocale: "en",
    confirmationNumber: orderConfirmationNumber(order.legacyId),
    statusPageUrl: orderStatusUrl(order.shop, order.legacyId),
    // "Whether taxes are included in the subtotal price of the order" (Order.taxesIncluded, 2026-10
    // schema): the shop's setting when the order was placed; totalTaxSet is then the included share.
    taxesIncluded: order.taxesIncluded ?? false,
    // "The total tax amount before returns": the line item's and the shipping's.
    totalTaxSet: bag(totalTax),
    taxLines: taxLinesView(order, totalTax),
    paymentGatewayNames: order.paymentGatewayNames,
    // PARTIALLY_REFUNDED / REFUNDED once refunds paid back part or all of it (OrderDisplayFinancialStatus, 2026-10 schema).
    displayFinancialStatus: () => financialStatusAfterRefunds(refunded().paidBack, order.total).toUpperCase(),
    // "A summary of all shipping costs on the order" / "The shipping methods applied to the order": the
    // emulated order's one shipping line, as orders/create's shipping_lines[0] (null / none without shipping).
    shippingLine: () => shippingLineView(order),
    shippingLines: (args: FieldArgs) => {
      const line = shippingLineView(order);
      return paginate(line ? [line] : [], args as PageArgs, {
        typeName: "ShippingLineConnection",
        edgeTypeName: "ShippingLineEdge",
        fieldName: "shippingLines",
        keyOf: () => ({ value: 0, id: 0 }),
        toNode: (view) => view,
      });
    },
    // ---- after refunds: the store's refunds of the order (EmulatorStore.refundOrder) ----
    // "A list of refunds that have been applied to the order" (Order.refunds); `first`: "Truncate the
    // array result to this size".
    refunds: (args: FieldArgs) => {
      const first = typeof args.first === "number" ? args.first : undefined;
      return (order.refunds ?? []).slice(0, first === undefined ? undefined : Math.max(0, first)).map((r) => refundView(order, r));
    },
    // "The total amount that was refunded": what the refunds' transactions paid back.
    totalRefundedSet: () => bag(refunded().paidBack),
    // "The total amount of shipping that was refunded", priced like the order's shipping.
    totalRefundedShippingSet: () => bag(refunded().shipping),
    // "based on the total amount received minus the total amount refunded".
    netPaymentSet: () => bag(order.total - refunded().paidBack),
    // "The total price of the order, after returns and refunds … This includes taxes and discounts"
    // (Order.currentSubtotalPriceSet): read, as REST current_subtotal_price, as the subtotal (line
    // items after discounts, tax inside when the prices include it) less what refunds took of it.
    currentSubtotalPriceSet: () => bag(lineNet - refunded().lines),
    // "The current shipping price after applying refunds and discounts. If the parent
    // order.taxesIncluded field is true, then this price includes taxes" (Order.currentShippingPriceSet).
    currentShippingPriceSet: () => bag(order.shipping - refunded().shipping),
    // "The sum of the prices of all tax lines … after returns and refunds" (Order.currentTotalTaxSet):
    // the order's tax less what its refunds carried back (the lines' and the shipping's).
    currentTotalTaxSet: () => {
      const r = refunded();
      return bag(totalTax - r.tax - r.shippingTax);
    },
    currentTaxLines: () => {
      const r = refunded();
      return taxLinesView(order, totalTax - r.tax - r.shippingTax);
    },
    // "The total price of the order, after returns … This includes taxes and discounts" (Order.currentTotalPriceSet).
    currentTotalPriceSet: () => bag(order.total - refunded().paidBack),
    // "The total amount discounted on the order after returns and refunds … This includes both order
    // and line level discounts" (Order.currentTotalDiscountsSet): the refunded part of the line takes
    // its share of the line's discounts with it (store.ts refundedLineDiscount); a shipping code's stays.
    currentTotalDiscountsSet: () => bag(order.totalDiscounts - refundedLineDiscount(order, refunded().lines)),
    // "when an order was canceled. Returns `null` if the order hasn't been canceled" (Order.cancelledAt);
    // "The reason provided for an order cancellation … Returns `null` if the order hasn't been canceled"
    // (Order.cancelReason, an OrderCancelReason) — both set by cancelOrder.
    cancelledAt: order.cancelledAt ?? null,
    cancelReason: order.cancelReason ?? null,
    // "An order is considered closed if all its line items have been fulfilled or canceled, and all
    // financial transactions are complete" (Order.closed); "Shopify automatically records this
    // timestamp when all items have been fulfilled or canceled, and all financial transactions are
    // complete" (Order.closedAt). Emulated orders are paid in full at checkout and never fulfilled:
    // canceling them closes them.
    closed: Boolean(order.cancelledAt),
    closedAt: order.cancelledAt ?? null,
    confirmed: true,
    tags: [],
    note: null,
    customer: (_args: FieldArgs, ctx: ResolverContext) => customerById(ctx, order.customerId),
  };
}

/**
 * A refund as the Refund object (2026-10 schema): its line and shipping line with their taxes, the
 * money it paid back. Its transactions, order adjustments, return and staff member are not emulated.
 */
function refundView(order: OrderRecord, refund: RefundRecord): View {
  const bag = (cents: Cents) => moneyBag(cents, order.currencyCode);
  // The refund's one line and one shipping line (the emulated order has one of each).
  const one = <T>(items: T[], typeName: string, fieldName: string, toNode: (item: T) => View) => (args: FieldArgs) =>
    paginate(items, args as PageArgs, {
      typeName: `${typeName}Connection`,
      edgeTypeName: `${typeName}Edge`,
      fieldName,
      keyOf: () => ({ value: Number(refund.legacyId), id: Number(refund.legacyId) }),
      toNode,
    });
  return {
    __typename: "Refund",
    id: refund.id,
    legacyResourceId: refund.legacyId,
    createdAt: refund.createdAt,
    processedAt: refund.createdAt,
    updatedAt: refund.createdAt,
    note: null,
    order: () => orderView(order),
    // "The total amount across all transactions for the refund".
    totalRefundedSet: bag(refundPaidBack(order, refund)),
    // "The transactions associated with the refund" (Refund.transactions): the one REFUND transaction
    // refunds/create carries (same id, gateway, test flag and amount: order-payload.ts buildRefundPayload),
    // paid back through the order's gateway ("A partial or full return of captured funds to the
    // cardholder", OrderTransactionKind.REFUND).
    transactions: one([refund], "OrderTransaction", "transactions", (r) => refundTransactionView(order, r)),
    // "The subtotal price of a refunded line item" / "The total tax charged on a refunded line item" (RefundLineItem).
    refundLineItems: one(refund.amount > 0 ? [refund] : [], "RefundLineItem", "refundLineItems", (r) => ({
      __typename: "RefundLineItem",
      // The ids refunds/create gives them (order-payload.ts buildRefundPayload).
      id: `gid://shopify/RefundLineItem/${deriveId(`refund-line:${r.legacyId}`)}`,
      quantity: 1,
      restocked: false,
      restockType: "NO_RESTOCK",
      subtotalSet: bag(r.amount),
      totalTaxSet: bag(r.tax),
    })),
    // "The subtotal amount of the refund shipping line" / "The tax amount of the refund shipping line" (RefundShippingLine).
    refundShippingLines: one(refund.shipping > 0 ? [refund] : [], "RefundShippingLine", "refundShippingLines", (r) => ({
      __typename: "RefundShippingLine",
      id: `gid://shopify/RefundShippingLine/${deriveId(`refund-shipping:${r.legacyId}`)}`,
      subtotalAmountSet: bag(r.shipping),
      taxAmountSet: bag(r.shippingTax),
    })),
  };
}

/** A refund's transaction (OrderTransaction, 2026-10 schema), as refunds/create's `transactions[0]`. */
function refundTransactionView(order: OrderRecord, refund: RefundRecord): View {
  const gateway = refundGateway(order);
  return {
    __typename: "OrderTransaction",
    id: `gid://shopify/OrderTransaction/${deriveId(`transaction:${refund.legacyId}`)}`,
    kind: "REFUND",
    status: "SUCCESS",
    gateway,
    test: order.test,
    manualPaymentGateway: false,
    amountSet: moneyBag(refundPaidBack(order, refund), order.currencyCode),
    createdAt: refund.createdAt,
    processedAt: refund.createdAt,
    errorCode: null,
    order: () => orderView(order),
  };
}

/**
 * The order's shipping line (ShippingLine, 2026-10 schema), the same as orders/create's
 * shipping_lines[0]: prices "If the parent order.taxesIncluded field is true, then this price includes
 * taxes"; `taxLines` "The TaxLine objects connected to this shipping line" — the shipping's own tax.
 * Its discount allocations are not emulated.
 */
function shippingLineView(order: OrderRecord): View | null {
  const original = orderShippingBeforeDiscounts(order);
  const hasShippingCode = order.discountCodes.some((d) => d.type === "shipping");
  if (original <= 0 && !hasShippingCode) return null;
  const bag = (cents: Cents) => moneyBag(cents, order.currencyCode);
  const shippingTax = order.shippingTax ?? 0;
  return {
    __typename: "ShippingLine",
    id: `gid://shopify/ShippingLine/${deriveId(`shipping:${order.legacyId}`)}`,
    title: "Standard",
    code: "Standard",
    source: "shopify",
    carrierIdentifier: null,
    custom: false,
    isRemoved: false,
    deliveryCategory: null,
    originalPriceSet: bag(original),
    discountedPriceSet: bag(order.shipping),
    // "The current shipping price after applying refunds, after applying discounts".
    currentDiscountedPriceSet: () => bag(order.shipping - orderRefunded(order).shipping),
    taxLines: shippingTax > 0 ? taxLinesView(order, shippingTax) : [],
  };
}

/** The order's tax lines (one rate, on its merchandise and its taxed shipping), as the REST payload's tax_lines. */
function taxLinesView(order: OrderRecord, tax: Cents): View[] {
  const rate = Number(order.taxRate ?? "0");
  if (!(rate > 0)) return [];
  return [
    {
      __typename: "TaxLine",
      title: "Tax",
      rate,
      ratePercentage: Math.round(rate * 1_000_000) / 10_000,
      priceSet: moneyBag(tax, order.currencyCode),
      channelLiable: false,
    },
  ];
}

// ---- products and collections (ids and titles only: what the app checks a discount's items against) --

export function productView(product: ProductRecord): View {
  return { __typename: "Product", id: product.id, title: product.title };
}

export function variantView(product: ProductRecord, variant: ProductRecord["variants"][number]): View {
  return { __typename: "ProductVariant", id: variant.id, title: variant.title, product: productView(product) };
}

export function collectionView(collection: CollectionRecord): View {
  return { __typename: "Collection", id: collection.id, title: collection.title };
}
