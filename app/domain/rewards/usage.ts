// Reading an orders/create webhook payload: which discount codes the order carries, and the facts
// about the order that the Used transition records. Webhook bodies are untrusted input: every
// function here accepts `unknown`, tolerates missing, null or malformed fields, and never throws.

import { shopifyGidOf } from "../shopify-ids";
import { deliveredEventTime, parseShopifyTime } from "../shopify-time";
import { hasControlCharacters, removeBidiControls } from "../text";
import { codeKey, MAX_DISCOUNT_CODE_LENGTH } from "./codes";
import type { RewardKind, RewardStatus } from "./statuses";
import { usageOutcome, type UsageOutcome } from "./transitions";
import { field } from "../json-fields";

/** More codes than any real order carries; bounds the work (and the DB lookup) for a hostile payload. */
export const MAX_ORDER_CODES = 100;


/**
 * The order's discount codes as unique case-insensitive keys (trimmed, upper-cased, see `codeKey`),
 * in order of appearance: `discount_codes[].code`, then the `code` of each `discount_applications[]`
 * entry of type "discount_code" (https://shopify.dev/docs/api/admin-rest/latest/resources/order:
 * an application's type is automatic, discount_code, manual or script; DiscountCodeApplication's
 * `code` is "the string identifying the discount code that was used at the time of application",
 * https://shopify.dev/docs/api/admin-graphql/latest/objects/DiscountCodeApplication). Both lists name
 * the codes the order used; an order whose `discount_codes` left one of them out (it held only the
 * first of several combined codes) kept that reward Issued (docs/decisions/007, addendum of
 * 3 December 2026). Entries that are not objects with a non-empty string `code` are skipped; so is
 * anything longer than Shopify's 255-character limit. At most MAX_ORDER_CODES entries of each list
 * are read, and at most MAX_ORDER_CODES keys kept.
 */
export function extractOrderCodes(payload: unknown): string[] {
  const keys: string[] = [];
  const seen = new Set<string>();
  const add = (code: unknown) => {
    if (typeof code !== "string" || keys.length >= MAX_ORDER_CODES) return;
    const key = codeKey(code);
    if (key === "" || key.length > MAX_DISCOUNT_CODE_LENGTH || seen.has(key)) return;
    seen.add(key);
    keys.push(key);
  };
  const codes = field(payload, "discount_codes");
  if (Array.isArray(codes)) {
    for (let i = 0; i < codes.length && i < MAX_ORDER_CODES; i++) {
      const entry: unknown = codes[i];
      add(typeof entry === "string" ? entry : field(entry, "code"));
    }
  }
  const applications = field(payload, "discount_applications");
  if (Array.isArray(applications)) {
    for (let i = 0; i < applications.length && i < MAX_ORDER_CODES; i++) {
      const entry: unknown = applications[i];
      if (field(entry, "type") === "discount_code") add(field(entry, "code"));
    }
  }
  return keys;
}

export interface OrderFacts {
  /** gid://shopify/Order/…, from admin_graphql_api_id. Never built from the numeric `id`, which JSON.parse may have rounded. */
  orderGid: string | null;
  /** The merchant-facing name, e.g. "#1001". */
  orderName: string | null;
  /** gid://shopify/Customer/…, or null for a guest checkout. */
  customerGid: string | null;
  test: boolean;
  /** "web", "pos", "shopify_draft_order", an app id, … */
  sourceName: string | null;
  cancelled: boolean;
  /**
   * `financial_status` is "refunded" or "voided" (https://shopify.dev/docs/api/admin-rest/latest/resources/order):
   * the shop kept none of the order's money. Such an orders/create (an order imported through the
   * Admin API with its final status) has no refunds/create to follow, so it earns nothing and counts
   * nothing as spent; its codes were used all the same.
   */
  moneyReturned: boolean;
  /**
   * `created_at`: when the order was placed (null when absent or unreadable), never later than the
   * delivery's arrival when that is given (deliveredEventTime): no order is placed after it is delivered.
   */
  createdAt: Date | null;
}

/**
 * Longest order name or source the app keeps: Shopify's are a few characters ("#1001", "web", an
 * app id); one longer is no order's, and would be copied into every history entry about the order.
 */
const MAX_ORDER_TEXT_LENGTH = 255;

/**
 * A trimmed, non-empty string of at most MAX_ORDER_TEXT_LENGTH; null for anything else, or text the
 * app cannot store (a control character). Without Unicode's invisible text-direction characters
 * (removeBidiControls, app/domain/text.ts): the name is quoted in histories the merchant reads, and the
 * admin shows customers' names from the same bodies without them (shownCustomerText, app/copy/admin.ts).
 */
function nonEmptyString(value: unknown): string | null {
  if (typeof value !== "string" || hasControlCharacters(value)) return null;
  const s = removeBidiControls(value).trim();
  return s === "" || s.length > MAX_ORDER_TEXT_LENGTH ? null : s;
}

/**
 * The facts of an order body. `receivedAt` (when the delivery was recorded) bounds `createdAt`: a
 * created_at after it (9999-12-31 is a time the app stores) counted the order towards VIP amount
 * spent in a period that never comes, and read as after any cancel of a reward whose code it used.
 */
/** The `financial_status` values of an order whose money the shop did not keep. */
const MONEY_RETURNED: ReadonlySet<string> = new Set(["refunded", "voided"]);

export function orderFacts(payload: unknown, receivedAt?: Date): OrderFacts {
  const cancelledAt = field(payload, "cancelled_at");
  const createdAt = parseShopifyTime(field(payload, "created_at"));
  return {
    orderGid: shopifyGidOf(field(payload, "admin_graphql_api_id"), "Order"),
    orderName: nonEmptyString(field(payload, "name")),
    customerGid: shopifyGidOf(field(field(payload, "customer"), "admin_graphql_api_id"), "Customer"),
    test: field(payload, "test") === true,
    sourceName: nonEmptyString(field(payload, "source_name")),
    // `cancelled_at` is "the date and time when the order was canceled", null when it isn't
    // (https://shopify.dev/docs/api/admin-rest/latest/resources/order): only a time says canceled —
    // never 0, true, "" or any other value no Shopify order carries.
    cancelled: parseShopifyTime(cancelledAt) !== null,
    moneyReturned: MONEY_RETURNED.has(String(field(payload, "financial_status"))),
    // Unknown stays unknown (decision 014: such an order keeps decision 007's rule for a Canceled reward).
    createdAt: createdAt === null ? null : deliveredEventTime({ triggeredAt: createdAt, receivedAt: receivedAt ?? null }),
  };
}

/** The rewards whose code the order carries (compared by case-insensitive key). */
export function matchRewardsToOrder<R extends { codeKey: string }>(orderCodeKeys: readonly string[], rewards: readonly R[]): R[] {
  const wanted = new Set(orderCodeKeys.map(codeKey));
  return rewards.filter((r) => wanted.has(codeKey(r.codeKey)));
}

/** For each reward matched by the order's codes, what to do (see `usageOutcome`). */
export function planOrderUsage<R extends { codeKey: string; status: RewardStatus; kind: RewardKind }>(
  payload: unknown,
  rewards: readonly R[],
): { reward: R; outcome: UsageOutcome }[] {
  return matchRewardsToOrder(extractOrderCodes(payload), rewards).map((reward) => ({
    reward,
    outcome: usageOutcome(reward.status, reward.kind),
  }));
}
