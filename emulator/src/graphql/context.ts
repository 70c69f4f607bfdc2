// Shared types of the GraphQL layer: the per-request context handed to resolvers, and the shape of
// the "view" objects resolvers return. A view is a plain object whose own properties are the
// emulated fields of a GraphQL type; functions are called with the field's arguments. Any field the
// view does not define is reported as "not emulated" (see execute.ts), never silently null.
import type { GraphQLResolveInfo } from "graphql";
import type { LoadedSchema } from "../schema";
import type { EmulatorStore, ShopRecord } from "../store";

/** Shopify's `extensions.search` entry for a search query that had problems. */
export interface SearchExtension {
  path: ReadonlyArray<string | number>;
  query: string;
  warnings: Array<{ field: string; message: string }>;
}

export interface ResolverContext {
  store: EmulatorStore;
  shop: ShopRecord;
  loaded: LoadedSchema;
  /**
   * When the request started (input validation uses it). Statuses read the store clock when they
   * resolve instead, so a mutation earlier in the same request is reflected.
   */
  now: Date;
  /** Collected search warnings, returned in the response's extensions.search. */
  searchWarnings: SearchExtension[];
  /** Every scope the app declares (required and optional): what a shop seeded without a scope list grants. */
  appScopes: string[];
}

export type FieldArgs = Record<string, unknown>;

/** A field implemented as a function of its arguments. */
export type FieldFunction = (args: FieldArgs, context: ResolverContext, info: GraphQLResolveInfo) => unknown;

/** An emulated GraphQL object. `__typename` drives abstract type resolution. */
export interface View {
  readonly __typename: string;
  readonly [field: string]: unknown;
}
