// Top-level GraphQL errors the emulator raises, in the shapes Shopify uses.
import { GraphQLError } from "graphql";

/** extensions.code of the error raised for anything the emulator does not implement. */
export const NOT_EMULATED = "NOT_EMULATED";

/**
 * A valid field (per the real schema) that the emulator has no behaviour for. Failing loudly keeps
 * tests honest: an app that starts reading a new field sees this instead of a made-up value.
 */
export function notEmulated(what: string, detail?: string): GraphQLError {
  return new GraphQLError(
    `${what} is not emulated by the Shopify Admin API emulator${detail ? ` (${detail})` : ""}. ` +
      "Add it to emulator/src/graphql if the app needs it.",
    { extensions: { code: NOT_EMULATED } },
  );
}

/** Shopify's answer when the app lacks a scope or the shop lacks the feature behind a field. */
export function accessDenied(fieldName: string, requiredAccess: string): GraphQLError {
  return new GraphQLError(`Access denied for ${fieldName} field. Required access: ${requiredAccess}`, {
    extensions: {
      code: "ACCESS_DENIED",
      documentation: "https://shopify.dev/api/usage/access-scopes",
      requiredAccess,
    },
  });
}

/** A malformed global id (not gid://shopify/Type/123) passed as an ID argument. */
export function invalidGlobalId(id: string): GraphQLError {
  return new GraphQLError(`Invalid global id '${id}'`, { extensions: { code: "argumentLiteralsIncompatible" } });
}

/** Errors a connection field raises for bad pagination arguments. */
export function paginationError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_REQUEST" } });
}

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/([^/?]+)(\?.*)?$/;

/** Parses a Shopify GID; throws invalidGlobalId for anything else. */
export function parseGid(id: string): { type: string; id: string } {
  const match = GID.exec(id);
  if (!match) throw invalidGlobalId(id);
  return { type: match[1], id: match[2] };
}
