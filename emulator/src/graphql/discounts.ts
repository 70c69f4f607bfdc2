// Code discount mutations with Shopify's validation rules and DiscountUserError shapes
// (https://shopify.dev/docs/api/admin-graphql/latest/mutations/discountCodeBasicCreate). Input arrives already coerced by graphql-js against the real schema, so
// only the server-side rules are checked here.
import {
  StoreError,
  toCents,
  type CustomerGets,
  type DiscountContext,
  type DiscountItems,
  type DiscountKind,
  type DiscountValue,
  type FreeShippingSettings,
  type MinimumRequirement,
  type NewCodeDiscount,
} from "../store";
import type { FieldArgs, ResolverContext, View } from "./context";
import { notEmulated, parseGid } from "./errors";
import { discountCodeNodeView } from "./views";

interface IdsInput {
  add?: string[] | null;
  remove?: string[] | null;
}

/** DiscountCodeBasicInput and DiscountCodeFreeShippingInput, as coerced by graphql-js. */
export interface DiscountCodeInput {
  code?: string | null;
  title?: string | null;
  startsAt?: Date | null;
  endsAt?: Date | null;
  usageLimit?: number | null;
  appliesOncePerCustomer?: boolean | null;
  context?: { all?: string | null; customers?: IdsInput | null; customerSegments?: IdsInput | null; markets?: IdsInput | null } | null;
  customerSelection?: { all?: boolean | null; customers?: IdsInput | null; customerSegments?: IdsInput | null } | null;
  customerGets?: {
    value?: {
      percentage?: number | null;
      discountAmount?: { amount?: string | null; appliesOnEachItem?: boolean | null } | null;
      discountOnQuantity?: unknown;
    } | null;
    items?: {
      all?: boolean | null;
      products?: { productsToAdd?: string[] | null; productVariantsToAdd?: string[] | null } | null;
      collections?: IdsInput | null;
    } | null;
    appliesOnOneTimePurchase?: boolean | null;
    appliesOnSubscription?: boolean | null;
  } | null;
  minimumRequirement?: {
    subtotal?: { greaterThanOrEqualToSubtotal?: string | null } | null;
    quantity?: { greaterThanOrEqualToQuantity?: string | null } | null;
  } | null;
  combinesWith?: {
    orderDiscounts?: boolean | null;
    productDiscounts?: boolean | null;
    shippingDiscounts?: boolean | null;
    productDiscountsWithTagsOnSameCartLine?: unknown;
  } | null;
  recurringCycleLimit?: number | null;
  tags?: string[] | null;
  // free shipping only
  destination?: { all?: boolean | null; countries?: { add?: string[] | null; includeRestOfWorld?: boolean | null } | null } | null;
  maximumShippingPrice?: string | null;
  appliesOnOneTimePurchase?: boolean | null;
  appliesOnSubscription?: boolean | null;
}

export interface DiscountUserErrorView extends View {
  __typename: "DiscountUserError";
  field: string[] | null;
  code: string | null;
  message: string;
  extraInfo: string | null;
}

export function discountUserError(field: string[] | null, code: string | null, message: string): DiscountUserErrorView {
  return { __typename: "DiscountUserError", field, code, message, extraInfo: null };
}

const MAX_TAGS = 5;
const MAX_TEXT = 255;
export const CODE_TAKEN_MESSAGE = "Code must be unique. Please try a different code.";

function blank(value: string | null | undefined): boolean {
  return value === null || value === undefined || value.trim() === "";
}

function decimalCents(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  try {
    return toCents(value);
  } catch {
    return undefined;
  }
}

/** Checks a create input; returns either userErrors or the store input. */
export function validateCodeDiscountInput(
  kind: DiscountKind,
  argName: string,
  input: DiscountCodeInput,
  ctx: ResolverContext,
): { errors: DiscountUserErrorView[]; discount?: NewCodeDiscount } {
  const errors: DiscountUserErrorView[] = [];
  const err = (path: string[], code: string | null, message: string) => errors.push(discountUserError([argName, ...path], code, message));
  const shop = ctx.shop.domain;

  if (blank(input.title)) err(["title"], "BLANK", "Title can't be blank");
  else if ((input.title ?? "").length > MAX_TEXT) err(["title"], "TOO_LONG", `Title is too long (maximum is ${MAX_TEXT} characters)`);

  const code = input.code?.trim() ?? "";
  if (!code) err(["code"], "BLANK", "Code can't be blank");
  else if (code.length > MAX_TEXT) err(["code"], "TOO_LONG", `Code is too long (maximum is ${MAX_TEXT} characters)`);
  else if (/[\r\n]/.test(code)) err(["code"], "INVALID", "Code cannot contain newline characters.");
  else if (ctx.store.isDiscountCodeTaken(shop, code)) err(["code"], "TAKEN", CODE_TAKEN_MESSAGE);

  if (!input.startsAt) err(["startsAt"], "BLANK", "Starts at can't be blank");
  if (input.startsAt && input.endsAt && input.endsAt.getTime() <= input.startsAt.getTime()) {
    err(["endsAt"], "INVALID", "Ends at needs to be after starts_at");
  }

  if (input.usageLimit !== null && input.usageLimit !== undefined && input.usageLimit <= 0) {
    err(["usageLimit"], "GREATER_THAN", "Usage limit must be greater than 0");
  }
  if (input.recurringCycleLimit !== null && input.recurringCycleLimit !== undefined && input.recurringCycleLimit < 0) {
    err(["recurringCycleLimit"], "GREATER_THAN_OR_EQUAL_TO", "Recurring cycle limit must be greater than or equal to 0");
  }

  const tags = input.tags ?? [];
  if (tags.length > MAX_TAGS) err(["tags"], "TOO_MANY_TAGS", `A discount can have at most ${MAX_TAGS} tags`);
  tags.forEach((tag, index) => {
    if (tag.length > MAX_TEXT) err(["tags", String(index)], "INVALID_TAG_LENGTH", `Tags must be at most ${MAX_TEXT} characters`);
  });

  // --- who can use it
  let context: DiscountContext | undefined;
  if (input.context && input.customerSelection) {
    err(["context"], "INVALID", "Only one of context or customerSelection can be provided.");
  } else if (input.context) {
    if (input.context.customerSegments) throw notEmulated("DiscountContextInput.customerSegments");
    if (input.context.markets) throw notEmulated("DiscountContextInput.markets");
    if (input.context.all) context = { kind: "all" };
    else if (input.context.customers) context = customersContext(input.context.customers, ["context", "customers", "add"]);
  } else if (input.customerSelection) {
    if (input.customerSelection.customerSegments) throw notEmulated("DiscountCustomerSelectionInput.customerSegments");
    if (input.customerSelection.customers) {
      context = customersContext(input.customerSelection.customers, ["customerSelection", "customers", "add"]);
    } else if (input.customerSelection.all) context = { kind: "all" };
    else err(["customerSelection"], "INVALID", "Customer selection must select all customers or specific customers.");
  } else {
    err(["context"], "MISSING_ARGUMENT", "Context must be provided: all buyers or specific customers.");
  }

  function customersContext(ids: IdsInput, path: string[]): DiscountContext | undefined {
    const add = [...new Set(ids.add ?? [])];
    if (add.length === 0) {
      err(path, "BLANK", "Customers can't be blank");
      return undefined;
    }
    const unknown = add.filter((id) => !ctx.store.getCustomer(shop, id));
    if (unknown.length > 0) {
      err(path, "INVALID", `The following customers could not be found: ${unknown.join(", ")}`);
      return undefined;
    }
    return { kind: "customers", customerIds: add };
  }

  // --- minimum requirement
  let minimumRequirement: MinimumRequirement = null;
  const minimum = input.minimumRequirement;
  if (minimum?.subtotal && minimum.quantity) {
    err(["minimumRequirement"], "MINIMUM_SUBTOTAL_AND_QUANTITY_RANGE_BOTH_PRESENT", "Minimum subtotal and quantity can't both be present");
  } else if (minimum?.subtotal) {
    const cents = decimalCents(minimum.subtotal.greaterThanOrEqualToSubtotal);
    if (cents === undefined) err(["minimumRequirement", "subtotal", "greaterThanOrEqualToSubtotal"], "BLANK", "Minimum subtotal can't be blank");
    else if (cents < 0) err(["minimumRequirement", "subtotal", "greaterThanOrEqualToSubtotal"], "GREATER_THAN_OR_EQUAL_TO", "Minimum subtotal must be greater than or equal to 0");
    else minimumRequirement = { kind: "subtotal", amount: cents };
  } else if (minimum?.quantity) {
    const quantity = Number(minimum.quantity.greaterThanOrEqualToQuantity ?? NaN);
    if (!Number.isSafeInteger(quantity) || quantity <= 0) {
      err(["minimumRequirement", "quantity", "greaterThanOrEqualToQuantity"], "GREATER_THAN", "Minimum quantity must be greater than 0");
    } else minimumRequirement = { kind: "quantity", quantity };
  }

  if (input.combinesWith?.productDiscountsWithTagsOnSameCartLine) {
    throw notEmulated("DiscountCombinesWithInput.productDiscountsWithTagsOnSameCartLine");
  }
  // A free shipping discount is of the shipping class, and shipping discounts don't combine with each
  // other: the combinable classes are "order discounts with free shipping discounts, product
  // discounts … with free shipping discounts, product discounts with other product discounts"
  // (https://help.shopify.com/en/manual/discounts/combining-discounts). Asking for it anyway is
  // DiscountErrorCode.INVALID_COMBINES_WITH_FOR_DISCOUNT_CLASS ("The `combinesWith` settings are
  // invalid for the discount class", 2026-10 schema) and nothing is created.
  if (kind === "free_shipping" && input.combinesWith?.shippingDiscounts === true) {
    err(["combinesWith"], "INVALID_COMBINES_WITH_FOR_DISCOUNT_CLASS", "The combinesWith settings are not valid for the discount class.");
  }

  // --- what it gives
  let customerGets: CustomerGets | null = null;
  let freeShipping: FreeShippingSettings | null = null;
  if (kind === "basic") {
    customerGets = validateCustomerGets(input.customerGets, err, ctx) ?? null;
  } else {
    const cap = input.maximumShippingPrice === null || input.maximumShippingPrice === undefined ? null : decimalCents(input.maximumShippingPrice);
    if (cap !== null && (cap === undefined || cap < 0)) {
      err(["maximumShippingPrice"], "GREATER_THAN_OR_EQUAL_TO", "Maximum shipping price must be greater than or equal to 0");
    }
    const countries = input.destination?.countries;
    freeShipping = {
      destination: countries
        ? { kind: "countries", countryCodes: countries.add ?? [], includeRestOfWorld: countries.includeRestOfWorld ?? false }
        : { kind: "all" },
      maximumShippingPrice: cap ?? null,
      appliesOnOneTimePurchase: input.appliesOnOneTimePurchase ?? true,
      appliesOnSubscription: input.appliesOnSubscription ?? false,
    };
  }

  if (errors.length > 0 || !input.startsAt || !context) return { errors };
  return {
    errors,
    discount: {
      kind,
      title: (input.title ?? "").trim(),
      codes: [code],
      startsAt: input.startsAt,
      endsAt: input.endsAt ?? null,
      usageLimit: input.usageLimit ?? null,
      appliesOncePerCustomer: input.appliesOncePerCustomer ?? false,
      context,
      customerGets,
      freeShipping,
      minimumRequirement,
      combinesWith: {
        orderDiscounts: input.combinesWith?.orderDiscounts ?? false,
        productDiscounts: input.combinesWith?.productDiscounts ?? false,
        shippingDiscounts: input.combinesWith?.shippingDiscounts ?? false,
      },
      tags,
      recurringCycleLimit: input.recurringCycleLimit ?? null,
    },
  };
}

function validateCustomerGets(
  gets: DiscountCodeInput["customerGets"],
  err: (path: string[], code: string | null, message: string) => void,
  ctx: ResolverContext,
): CustomerGets | undefined {
  if (!gets) {
    err(["customerGets"], "BLANK", "Customer gets can't be blank");
    return undefined;
  }
  let value: DiscountValue | undefined;
  const v = gets.value;
  if (!v) err(["customerGets", "value"], "BLANK", "Value can't be blank");
  else {
    const given = [v.percentage !== null && v.percentage !== undefined, Boolean(v.discountAmount), Boolean(v.discountOnQuantity)].filter(Boolean).length;
    if (given > 1) err(["customerGets", "value"], "TOO_MANY_ARGUMENTS", "Only one of percentage, discountAmount or discountOnQuantity can be provided.");
    else if (v.discountOnQuantity) err(["customerGets", "value", "discountOnQuantity"], "INVALID", "discountOnQuantity is only valid for buy X get Y discounts.");
    else if (v.percentage !== null && v.percentage !== undefined) {
      if (v.percentage < 0 || v.percentage > 1) {
        err(["customerGets", "value", "percentage"], "VALUE_OUTSIDE_RANGE", "Value must be between 0.0 and 1.0");
      } else value = { kind: "percentage", percentage: v.percentage };
    } else if (v.discountAmount) {
      const cents = decimalCents(v.discountAmount.amount);
      if (cents === undefined) err(["customerGets", "value", "discountAmount", "amount"], "BLANK", "Amount can't be blank");
      else if (cents <= 0) err(["customerGets", "value", "discountAmount", "amount"], "GREATER_THAN", "Value must be greater than 0");
      else value = { kind: "amount", amount: cents, appliesOnEachItem: v.discountAmount.appliesOnEachItem ?? false };
    } else err(["customerGets", "value"], "BLANK", "Value can't be blank");
  }

  let items: DiscountItems | undefined;
  const i = gets.items;
  if (!i) err(["customerGets", "items"], "BLANK", "Items can't be blank");
  else if (i.all) items = { kind: "all" };
  else if (i.products) {
    const productIds = i.products.productsToAdd ?? [];
    const variantIds = i.products.productVariantsToAdd ?? [];
    // Entitled products/variants must exist in the shop. The schema names no dedicated code for an
    // unknown id; the emulator answers DiscountErrorCode INVALID on the list (the app treats any
    // userError here as "the reward's settings were rejected").
    const unknownProducts = productIds.filter((id) => !ctx.store.getProduct(ctx.shop.domain, id));
    const unknownVariants = variantIds.filter((id) => !ctx.store.findVariant(ctx.shop.domain, id));
    if (productIds.length + variantIds.length === 0) err(["customerGets", "items"], "APPLIES_ON_NOTHING", "Discount must apply to at least one product or variant");
    else if (unknownProducts.length > 0) err(["customerGets", "items", "products", "productsToAdd"], "INVALID", `Products not found: ${unknownProducts.join(", ")}`);
    else if (unknownVariants.length > 0) err(["customerGets", "items", "products", "productVariantsToAdd"], "INVALID", `Product variants not found: ${unknownVariants.join(", ")}`);
    else items = { kind: "products", productIds, variantIds };
  } else if (i.collections) {
    const collectionIds = i.collections.add ?? [];
    // Entitled collections must exist in the shop, like products above (DiscountCollectionsInput.add:
    // "The list of collection IDs to add to the discount"); same INVALID answer.
    const unknownCollections = collectionIds.filter((id) => !ctx.store.getCollection(ctx.shop.domain, id));
    if (collectionIds.length === 0) err(["customerGets", "items"], "APPLIES_ON_NOTHING", "Discount must apply to at least one collection");
    else if (unknownCollections.length > 0) err(["customerGets", "items", "collections", "add"], "INVALID", `Collections not found: ${unknownCollections.join(", ")}`);
    else items = { kind: "collections", collectionIds };
  } else err(["customerGets", "items"], "APPLIES_ON_NOTHING", "Discount must apply to all items, products or collections");

  if (!value || !items) return undefined;
  return {
    value,
    items,
    appliesOnOneTimePurchase: gets.appliesOnOneTimePurchase ?? true,
    appliesOnSubscription: gets.appliesOnSubscription ?? false,
  };
}

function createCodeDiscount(kind: DiscountKind, argName: string, payloadType: string, args: FieldArgs, ctx: ResolverContext): View {
  const input = (args[argName] ?? {}) as DiscountCodeInput;
  const { errors, discount } = validateCodeDiscountInput(kind, argName, input, ctx);
  if (!discount) return { __typename: payloadType, codeDiscountNode: null, userErrors: errors };
  try {
    const record = ctx.store.asApp(() => ctx.store.createCodeDiscount(ctx.shop.domain, discount));
    return { __typename: payloadType, codeDiscountNode: discountCodeNodeView(record), userErrors: [] };
  } catch (error) {
    // A concurrent create took the code between validation and insert.
    if (error instanceof StoreError) {
      return { __typename: payloadType, codeDiscountNode: null, userErrors: [discountUserError([argName, "code"], "TAKEN", CODE_TAKEN_MESSAGE)] };
    }
    throw error;
  }
}

export function discountCodeBasicCreate(args: FieldArgs, ctx: ResolverContext): View {
  return createCodeDiscount("basic", "basicCodeDiscount", "DiscountCodeBasicCreatePayload", args, ctx);
}

export function discountCodeFreeShippingCreate(args: FieldArgs, ctx: ResolverContext): View {
  return createCodeDiscount("free_shipping", "freeShippingCodeDiscount", "DiscountCodeFreeShippingCreatePayload", args, ctx);
}

const DOES_NOT_EXIST = () => discountUserError(["id"], null, "Discount does not exist");

/**
 * The `id` argument as a global id: a value that is not one (gid://shopify/Type/…) is refused with
 * the top-level "Invalid global id" error the emulator's queries give (errors.ts), not answered as a
 * missing discount — ids are Shopify's GIDs (https://shopify.dev/docs/api/usage/gids).
 */
function globalIdArg(args: FieldArgs): string {
  const id = String(args.id);
  parseGid(id);
  return id;
}

export function discountCodeDeactivate(args: FieldArgs, ctx: ResolverContext): View {
  const change = ctx.store.asApp(() => ctx.store.deactivateDiscount(ctx.shop.domain, globalIdArg(args)));
  if (!change) return { __typename: "DiscountCodeDeactivatePayload", codeDiscountNode: null, userErrors: [DOES_NOT_EXIST()] };
  return { __typename: "DiscountCodeDeactivatePayload", codeDiscountNode: discountCodeNodeView(change.after), userErrors: [] };
}

export function discountCodeActivate(args: FieldArgs, ctx: ResolverContext): View {
  const change = ctx.store.asApp(() => ctx.store.activateDiscount(ctx.shop.domain, globalIdArg(args)));
  if (!change) return { __typename: "DiscountCodeActivatePayload", codeDiscountNode: null, userErrors: [DOES_NOT_EXIST()] };
  return { __typename: "DiscountCodeActivatePayload", codeDiscountNode: discountCodeNodeView(change.after), userErrors: [] };
}

export function discountCodeDelete(args: FieldArgs, ctx: ResolverContext): View {
  const deleted = ctx.store.asApp(() => ctx.store.deleteDiscount(ctx.shop.domain, globalIdArg(args)));
  if (!deleted) return { __typename: "DiscountCodeDeletePayload", deletedCodeDiscountId: null, userErrors: [DOES_NOT_EXIST()] };
  return { __typename: "DiscountCodeDeletePayload", deletedCodeDiscountId: deleted.id, userErrors: [] };
}
