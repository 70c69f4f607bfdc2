// Public surface of the emulator's GraphQL layer.
export type { ResolverContext, SearchExtension, View } from "./context";
export { checkInputArraySizes, coerceVariables, parseDocument, selectOperation, usesDirective, validateDocument } from "./document";
export type { Result, SelectedOperation, ShopifyGraphQLError } from "./document";
export { accessDenied, NOT_EMULATED, notEmulated } from "./errors";
export { executeOperation } from "./execute";
export type { ExecuteInput, ExecuteOutput } from "./execute";
export { mutationRootFields, queryRootFields } from "./root";
export { CODE_TAKEN_MESSAGE } from "./discounts";
