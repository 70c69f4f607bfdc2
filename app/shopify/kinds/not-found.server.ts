// "The object is gone" as Shopify reports it, read from structured data only — error codes
// (`GIFT_CARD_NOT_FOUND`, top-level `extensions.code` NOT_FOUND / RESOURCE_NOT_FOUND), never the
// message text, which Shopify may word differently or translate.
//
// DiscountErrorCode (2026-10 schema) has no not-found code: a discount mutation given an id that no
// longer exists answers a userError on the `id` field. That is only a hint; the discount adapters
// confirm it by looking the discount up (`isIdUserError` + lookup) before calling it gone.
import type { ShopifyFailure } from "~/domain/rewards";

const NOT_FOUND_CODE = /(^|_)NOT_FOUND$/;

export function isNotFoundFailure(failure: ShopifyFailure): boolean {
  if (failure.kind === "user_errors") {
    return failure.errors.length > 0 && failure.errors.every((e) => NOT_FOUND_CODE.test((e.code ?? "").toUpperCase()));
  }
  if (failure.kind === "graphql") {
    return (failure.codes ?? []).length > 0 && failure.codes!.every((c) => NOT_FOUND_CODE.test(c.toUpperCase()));
  }
  return false;
}

/** Every userError points at the `id` argument (a discount mutation's answer for an unknown id). */
export function isIdUserError(failure: ShopifyFailure): boolean {
  return failure.kind === "user_errors" && failure.errors.length > 0 && failure.errors.every((e) => (e.field ?? []).at(-1) === "id");
}
