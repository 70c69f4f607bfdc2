// "The object is gone" as Shopify reports it in userErrors (…_NOT_FOUND codes or "does not exist").
import type { ShopifyFailure } from "~/domain/rewards";

const NOT_FOUND = /does not exist|not found|couldn't find|could not find/i;

export function isNotFoundFailure(failure: ShopifyFailure): boolean {
  return (
    failure.kind === "user_errors" &&
    failure.errors.length > 0 &&
    failure.errors.every((e) => (e.code ?? "").toUpperCase().endsWith("NOT_FOUND") || NOT_FOUND.test(e.message))
  );
}
