// The failure table that both the rule (failures.test.ts) and the customer's words
// (app/copy/storefront.test.ts) are checked against: one Shopify answer per row, with its classification.
import type { FailureContext, ShopifyFailure } from "./failures";
export type Expected = { category: "transient" | "uncertain" | "permanent"; reason: string; retryAfterMs?: number };
const T = (reason: string, retryAfterMs?: number): Expected => ({ category: "transient", reason, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
const U = (reason: string): Expected => ({ category: "uncertain", reason });
const P = (reason: string): Expected => ({ category: "permanent", reason });

const codeTaken = { field: ["basicCodeDiscount", "code"], code: "TAKEN", message: "Code must be unique. Please try a different code." };
const giftCodeTaken = { field: ["input", "code"], code: "TAKEN", message: "Code has already been taken" };

export const FAILURE_CASES: [string, ShopifyFailure, FailureContext, Expected][] = [
  // throttling
  ["throttled", { kind: "throttled" }, {}, T("throttled")],
  ["throttled with Retry-After", { kind: "throttled", retryAfterMs: 2000 }, {}, T("throttled", 2000)],
  ["throttled with a bad Retry-After", { kind: "throttled", retryAfterMs: -5 }, {}, T("throttled")],
  ["HTTP 429", { kind: "http", status: 429 }, {}, T("throttled")],
  // server errors: the create may have happened
  ["HTTP 500 on the create", { kind: "http", status: 500 }, {}, U("shopify_unavailable")],
  ["HTTP 503 on the create", { kind: "http", status: 503 }, { operation: "mutation" }, U("shopify_unavailable")],
  ["HTTP 502 on a lookup", { kind: "http", status: 502 }, { operation: "query" }, T("shopify_unavailable")],
  // network and timeouts
  ["network error before sending", { kind: "network", requestSent: false }, {}, T("network_error")],
  ["network error after sending", { kind: "network", requestSent: true }, {}, U("network_error")],
  ["network error, unknown whether sent", { kind: "network" }, {}, U("network_error")],
  ["network error on a lookup", { kind: "network" }, { operation: "query" }, T("network_error")],
  ["timeout on the create", { kind: "timeout" }, {}, U("timeout")],
  ["timeout on a lookup", { kind: "timeout" }, { operation: "query" }, T("timeout")],
  ["HTTP 408", { kind: "http", status: 408 }, {}, T("timeout")],
  // other HTTP statuses
  ["HTTP 401", { kind: "http", status: 401 }, {}, P("app_not_authorized")],
  ["HTTP 403", { kind: "http", status: 403 }, {}, P("missing_access")],
  ["HTTP 402", { kind: "http", status: 402 }, {}, P("shop_unavailable")],
  ["HTTP 404", { kind: "http", status: 404 }, {}, P("shop_unavailable")],
  ["HTTP 423", { kind: "http", status: 423 }, {}, P("shop_unavailable")],
  ["HTTP 400", { kind: "http", status: 400 }, {}, P("rejected_by_shopify")],
  ["HTTP 422", { kind: "http", status: 422 }, {}, P("rejected_by_shopify")],
  ["HTTP 200 reported as failure", { kind: "http", status: 200 }, {}, U("unknown")],
  // userErrors
  ["TAKEN on our discount code", { kind: "user_errors", errors: [codeTaken] }, {}, U("code_taken")],
  ["TAKEN on our gift card code", { kind: "user_errors", errors: [giftCodeTaken] }, { rewardKind: "GIFT_CARD" }, U("code_taken")],
  ["TAKEN without a field, message about the code", { kind: "user_errors", errors: [{ code: "TAKEN", message: "Code is already taken" }] }, {}, U("code_taken")],
  ["TAKEN on another field", { kind: "user_errors", errors: [{ field: ["basicCodeDiscount", "title"], code: "TAKEN", message: "Title taken" }] }, {}, P("invalid_reward_settings")],
  ["TAKEN on the code plus an invalid value", { kind: "user_errors", errors: [codeTaken, { field: ["basicCodeDiscount", "customerGets", "value"], code: "GREATER_THAN", message: "Value must be greater than 0" }] }, {}, P("invalid_reward_settings")],
  ["invalid value", { kind: "user_errors", errors: [{ field: ["basicCodeDiscount", "customerGets"], code: "INVALID", message: "Percentage must be between 0 and 1" }] }, {}, P("invalid_reward_settings")],
  ["userError with null field and code", { kind: "user_errors", errors: [{ field: null, code: null, message: "Something is wrong with the input" }] }, {}, P("invalid_reward_settings")],
  ["INTERNAL_ERROR userError on the create", { kind: "user_errors", errors: [{ code: "INTERNAL_ERROR", message: "Unexpected internal error happened." }] }, {}, U("shopify_internal_error")],
  ["INTERNAL_ERROR userError on a lookup", { kind: "user_errors", errors: [{ code: "INTERNAL_ERROR", message: "Unexpected internal error happened." }] }, { operation: "query" }, T("shopify_internal_error")],
  ["CUSTOMER_NOT_FOUND", { kind: "user_errors", errors: [{ field: ["input", "customerId"], code: "CUSTOMER_NOT_FOUND", message: "Customer not found" }] }, { rewardKind: "GIFT_CARD" }, P("customer_not_found")],
  ["GIFT_CARD_LIMIT_EXCEEDED", { kind: "user_errors", errors: [{ field: ["input", "initialValue"], code: "GIFT_CARD_LIMIT_EXCEEDED", message: "Value exceeds limit" }] }, { rewardKind: "GIFT_CARD" }, P("gift_card_limit_exceeded")],
  ["CREDIT_LIMIT_EXCEEDED (store credit)", { kind: "user_errors", errors: [{ field: ["creditInput", "creditAmount", "amount"], code: "CREDIT_LIMIT_EXCEEDED", message: "The operation would cause the account's credit limit to be exceeded." }] }, { rewardKind: "STORE_CREDIT" }, P("store_credit_limit_exceeded")],
  ["gift cards not enabled (userError)", { kind: "user_errors", errors: [{ code: "INVALID", message: "Gift cards are not available on your plan" }] }, { rewardKind: "GIFT_CARD" }, P("gift_cards_unavailable")],
  ["empty userErrors on the create", { kind: "user_errors", errors: [] }, {}, U("unknown")],
  ["malformed userErrors", { kind: "user_errors", errors: null as unknown as [] }, {}, U("unknown")],
  // access denied
  ["access denied for discounts", { kind: "access_denied", message: "Access denied for discountCodeBasicCreate field. Required access: `write_discounts` access scope." }, { rewardKind: "PERCENTAGE" }, P("missing_access")],
  ["access denied for a gift card reward", { kind: "access_denied", message: "Access denied for giftCardCreate field." }, { rewardKind: "GIFT_CARD" }, P("gift_cards_unavailable")],
  ["access denied mentioning gift cards, kind unknown", { kind: "access_denied", message: "Access denied for giftCardCreate field." }, {}, P("gift_cards_unavailable")],
  // top-level GraphQL errors
  ["GraphQL Throttled", { kind: "graphql", messages: ["Throttled"] }, {}, T("throttled")],
  ["GraphQL internal error on the create", { kind: "graphql", messages: ["Internal error. Looks like something went wrong on our end."] }, {}, U("shopify_internal_error")],
  ["GraphQL internal error on a lookup", { kind: "graphql", messages: ["Internal error. Looks like something went wrong on our end."] }, { operation: "query" }, T("shopify_internal_error")],
  ["GraphQL access denied", { kind: "graphql", messages: ["Access denied for discountNodes field."] }, {}, P("missing_access")],
  // Shopify's error codes decide, whatever the wording (https://shopify.dev/changelog/improved-graphql-errors).
  ["GraphQL INTERNAL_SERVER_ERROR, unfamiliar wording, on the create", { kind: "graphql", messages: ["Resolver failed"], codes: ["INTERNAL_SERVER_ERROR"] }, {}, U("shopify_internal_error")],
  ["GraphQL INTERNAL_SERVER_ERROR, unfamiliar wording, on a lookup", { kind: "graphql", messages: ["Resolver failed"], codes: ["INTERNAL_SERVER_ERROR"] }, { operation: "query" }, T("shopify_internal_error")],
  ["GraphQL THROTTLED code, other wording", { kind: "graphql", messages: ["Too many requests"], codes: ["THROTTLED"] }, {}, T("throttled")],
  ["GraphQL schema error", { kind: "graphql", messages: ["Field 'codeDiscountNodez' doesn't exist on type 'Mutation'"] }, {}, P("api_error")],
  ["GraphQL with no messages", { kind: "graphql", messages: [] }, {}, P("api_error")],
  // nonsense from the layer below
  ["unknown kind", { kind: "teapot" } as unknown as ShopifyFailure, {}, U("unknown")],
];
