// Gift card mutations (https://shopify.dev/docs/api/admin-graphql/latest/mutations/giftCardCreate and
// the schema's field descriptions). The feature/scope gate (ACCESS_DENIED) is applied by
// the root field wrapper in root.ts before these run.
import { formatDecimal, giftCardLimits, StoreError, toCents, type GiftCardRecord } from "../store";
import type { FieldArgs, ResolverContext, View } from "./context";
import { accessDenied, notEmulated, parseGid } from "./errors";
import { giftCardView } from "./views";

/** GiftCardCreateInput as coerced by graphql-js (2025-10 … 2026-10 field sets). */
export interface GiftCardCreateInput {
  code?: string | null;
  initialAmount?: { amount: string; currencyCode: string } | null;
  initialValue?: string | null;
  customerId?: string | null;
  expiresOn?: string | null;
  note?: string | null;
  templateSuffix?: string | null;
  recipientAttributes?: unknown;
  crossCurrencyRedemptionStrategy?: GiftCardRecord["crossCurrencyRedemptionStrategy"] | null;
  notify?: boolean | null;
}

function giftCardUserError(field: string[] | null, code: string | null, message: string): View {
  return { __typename: "GiftCardUserError", field, code, message };
}

const CODE_MIN = 8;
const CODE_MAX = 20;

export function giftCardCreate(args: FieldArgs, ctx: ResolverContext): View {
  const input = (args.input ?? {}) as GiftCardCreateInput;
  const errors: View[] = [];
  const err = (path: string[], code: string, message: string) => errors.push(giftCardUserError(["input", ...path], code, message));
  const shop = ctx.shop;

  if (input.recipientAttributes) throw notEmulated("GiftCardCreateInput.recipientAttributes");
  // GiftCardCreateInput.customerId: "Requires `write_customers` access_scope" (2026-10 schema) — on
  // top of the mutation's own `write_gift_cards`. Scopes are only checked for a shop seeded with a
  // scope list, like every other access check.
  if (input.customerId && shop.scopes && !shop.scopes.includes("write_customers")) {
    throw accessDenied("giftCardCreate", "`write_customers` access scope.");
  }

  // initialAmount (2026-07+) replaces the deprecated initialValue; exactly one is needed.
  let amount: number | undefined;
  let currencyCode = shop.currencyCode;
  const amountPath = input.initialAmount ? ["initialAmount", "amount"] : ["initialValue"];
  if (input.initialAmount && input.initialValue !== null && input.initialValue !== undefined) {
    err(["initialValue"], "INVALID", "Only one of initialAmount or initialValue can be provided.");
  } else if (input.initialAmount) {
    amount = safeCents(input.initialAmount.amount);
    // A gift card may be issued in a currency other than the shop's: the schema's
    // `crossCurrencyRedemptionStrategy` description speaks of "gift cards issued in a different currency".
    currencyCode = input.initialAmount.currencyCode;
  } else if (input.initialValue !== null && input.initialValue !== undefined) {
    amount = safeCents(input.initialValue);
  } else {
    err(["initialAmount"], "MISSING_ARGUMENT", "Initial amount is required.");
  }
  if (amount !== undefined && amount <= 0) err(amountPath, "GREATER_THAN", "Initial value must be greater than 0");
  // The issue limit: "a maximum value of $2,000USD (or equivalent in global currencies) has been
  // added to gift card issuance. All versions of the Gift Card API will respond with an error for
  // issued gift cards that exceed" it (https://shopify.dev/changelog/update-new-maximum-value-for-gift-cards);
  // the shop's limit is GiftCardConfiguration.issueLimit, and the 2026-10 GiftCardErrorCode for it is
  // GIFT_CARD_LIMIT_EXCEEDED ("The gift card's value exceeds the allowed limits"). A card in another
  // currency is compared with the same number (the emulator has no exchange rates).
  else if (amount !== undefined && amount > giftCardLimits(shop).issue) {
    err(amountPath, "GIFT_CARD_LIMIT_EXCEEDED", `Initial value exceeds the maximum of ${formatDecimal(giftCardLimits(shop).issue)} ${shop.currencyCode} for an issued gift card`);
  }

  // Codes: 8-20 letters and digits, unique per shop, case-insensitive.
  const code = input.code ?? undefined;
  if (code !== undefined) {
    if (code.length < CODE_MIN) err(["code"], "TOO_SHORT", `Code is too short (minimum is ${CODE_MIN} characters)`);
    else if (code.length > CODE_MAX) err(["code"], "TOO_LONG", `Code is too long (maximum is ${CODE_MAX} characters)`);
    else if (!/^[A-Za-z0-9]+$/.test(code)) err(["code"], "INVALID", "Code can only contain letters(a-z) and numbers(0-9)");
    else if (ctx.store.isGiftCardCodeTaken(shop.domain, code)) err(["code"], "TAKEN", "Code has already been taken");
  }

  // GiftCardCrossCurrencyRedemptionStrategy.MARKET_FX: "Only applicable for gift cards issued in the
  // shop currency" (2026-10 schema). Shopify's exact answer is not documented; refusing is the
  // strict reading.
  if (input.crossCurrencyRedemptionStrategy === "MARKET_FX" && currencyCode !== shop.currencyCode) {
    err(["crossCurrencyRedemptionStrategy"], "INVALID", "MARKET_FX is only applicable for gift cards issued in the shop currency.");
  }
  if (input.customerId && !ctx.store.getCustomer(shop.domain, input.customerId)) {
    err(["customerId"], "CUSTOMER_NOT_FOUND", "Customer does not exist");
  }
  if (input.expiresOn && input.expiresOn < ctx.now.toISOString().slice(0, 10)) {
    err(["expiresOn"], "INVALID", "Expires on must be in the future");
  }

  if (errors.length > 0 || amount === undefined) {
    return { __typename: "GiftCardCreatePayload", giftCard: null, giftCardCode: null, userErrors: errors };
  }
  try {
    const created = ctx.store.createGiftCard(shop.domain, {
      initialValue: amount,
      code,
      currencyCode,
      customerId: input.customerId ?? null,
      expiresOn: input.expiresOn ?? null,
      note: input.note ?? null,
      templateSuffix: input.templateSuffix ?? null,
      crossCurrencyRedemptionStrategy: input.crossCurrencyRedemptionStrategy ?? undefined,
    });
    // The only response that ever carries the full code.
    return { __typename: "GiftCardCreatePayload", giftCard: giftCardView(created.giftCard), giftCardCode: created.code, userErrors: [] };
  } catch (error) {
    if (error instanceof StoreError) {
      return {
        __typename: "GiftCardCreatePayload",
        giftCard: null,
        giftCardCode: null,
        userErrors: [giftCardUserError(["input", "code"], "TAKEN", "Code has already been taken")],
      };
    }
    throw error;
  }
}

function safeCents(value: string): number | undefined {
  try {
    return toCents(value);
  } catch {
    return undefined;
  }
}

export function giftCardDeactivate(args: FieldArgs, ctx: ResolverContext): View {
  // A value that is not a global id is refused like the queries refuse it (errors.ts parseGid).
  const id = String(args.id);
  parseGid(id);
  const card = ctx.store.deactivateGiftCard(ctx.shop.domain, id);
  if (!card) {
    return {
      __typename: "GiftCardDeactivatePayload",
      giftCard: null,
      userErrors: [{ __typename: "GiftCardDeactivateUserError", field: ["id"], code: "GIFT_CARD_NOT_FOUND", message: "Gift card not found." }],
    };
  }
  return { __typename: "GiftCardDeactivatePayload", giftCard: giftCardView(card), userErrors: [] };
}
