// Runs a validated operation with graphql-js against the real schema. Values are "views" (see
// context.ts); the field resolver reads their own properties and refuses anything else, which is
// what makes un-emulated fields fail loudly instead of returning invented data.
import {
  execute,
  getNamedType,
  GraphQLError,
  isObjectType,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLFormattedError,
  type GraphQLResolveInfo,
  type GraphQLTypeResolver,
  type OperationDefinitionNode,
} from "graphql";
import type { InjectedUserError } from "../faults";
import type { LoadedSchema } from "../schema";
import type { EmulatorStore, ShopRecord } from "../store";
import type { FieldArgs, ResolverContext, SearchExtension } from "./context";
import { NOT_EMULATED, notEmulated } from "./errors";
import { checkRootAccess, mutationRootFields, queryRootFields } from "./root";

const fieldResolver: GraphQLFieldResolver<unknown, ResolverContext, FieldArgs> = (source, args, context, info) => {
  if (source !== null && typeof source === "object" && Object.prototype.hasOwnProperty.call(source, info.fieldName)) {
    const value = (source as Record<string, unknown>)[info.fieldName];
    return typeof value === "function" ? (value as (a: FieldArgs, c: ResolverContext, i: typeof info) => unknown)(args, context, info) : value;
  }
  throw notEmulated(`${info.parentType.name}.${info.fieldName}`);
};

const typeResolver: GraphQLTypeResolver<unknown, ResolverContext> = (value, _context, info, abstractType) => {
  const typename = value !== null && typeof value === "object" ? (value as { __typename?: unknown }).__typename : undefined;
  if (typeof typename === "string") return typename;
  throw new GraphQLError(`Emulator bug: value for ${abstractType.name} at ${info.fieldName} has no __typename`);
};

export interface ExecuteInput {
  appScopes?: string[];
  loaded: LoadedSchema;
  store: EmulatorStore;
  shop: ShopRecord;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** Raw (uncoerced) variables from the request; graphql-js coerces them again. */
  variables: Record<string, unknown>;
  /** Root fields whose payload is replaced by these userErrors (fault injection). */
  injectedUserErrors?: ReadonlyMap<string, readonly InjectedUserError[]>;
}

export interface ExecuteOutput {
  data: Record<string, unknown> | null | undefined;
  errors: GraphQLFormattedError[];
  searchWarnings: SearchExtension[];
}

/** A payload of the field's real type with every field null except the injected userErrors. */
function injectedPayload(loaded: LoadedSchema, rootTypeName: string, fieldName: string, userErrors: readonly InjectedUserError[]) {
  const rootType = loaded.schema.getType(rootTypeName);
  const field = isObjectType(rootType) ? rootType.getFields()[fieldName] : undefined;
  const payloadType = field ? getNamedType(field.type) : undefined;
  if (!isObjectType(payloadType) || !payloadType.getFields().userErrors) {
    throw new GraphQLError(`Cannot inject userErrors into ${fieldName}: its type has no userErrors field`);
  }
  const errorType = getNamedType(payloadType.getFields().userErrors.type);
  const errorFields = isObjectType(errorType) ? errorType.getFields() : {};
  const payload: Record<string, unknown> = { __typename: payloadType.name };
  for (const name of Object.keys(payloadType.getFields())) payload[name] = null;
  payload.userErrors = userErrors.map((e) => {
    const view: Record<string, unknown> = { __typename: errorType.name, field: e.field ?? null, message: e.message, code: e.code ?? null };
    if ("extraInfo" in errorFields) view.extraInfo = e.extraInfo ?? null;
    return view;
  });
  return payload;
}

/** Unexpected exceptions become Shopify's INTERNAL_SERVER_ERROR but keep their message for debugging. */
function formatError(error: GraphQLError): GraphQLFormattedError {
  const original = error.originalError;
  if (original && !(original instanceof GraphQLError)) {
    return {
      message: `Internal error. Looks like something went wrong on our end. (emulator: ${original.message})`,
      locations: error.locations,
      path: error.path,
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    };
  }
  return error.toJSON();
}

export async function executeOperation(input: ExecuteInput): Promise<ExecuteOutput> {
  const { loaded, operation } = input;
  const context: ResolverContext = {
    store: input.store,
    shop: input.shop,
    loaded,
    now: input.store.now(),
    searchWarnings: [],
    appScopes: input.appScopes ?? [],
  };
  if (operation.operation === "subscription") {
    const error = notEmulated("Subscriptions");
    return { data: null, errors: [{ message: error.message, extensions: { code: NOT_EMULATED } }], searchWarnings: [] };
  }
  const isMutation = operation.operation === "mutation";
  const rootTypeName = isMutation ? loaded.schema.getMutationType()?.name ?? "Mutation" : loaded.schema.getQueryType()?.name ?? "QueryRoot";
  const fields = isMutation ? mutationRootFields : queryRootFields;

  // Root value: one function per emulated root field. Missing fields hit fieldResolver's "not emulated".
  const rootValue: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(fields)) {
    rootValue[name] = (args: FieldArgs, ctx: ResolverContext, info: GraphQLResolveInfo) => {
      const injected = input.injectedUserErrors?.get(name);
      if (injected) return injectedPayload(loaded, rootTypeName, name, injected);
      checkRootAccess(rootTypeName, name, spec, ctx);
      return spec.resolve(args, ctx, info);
    };
  }
  // Faults may also target fields that are otherwise not emulated.
  for (const [name, injected] of input.injectedUserErrors ?? []) {
    if (!(name in rootValue)) rootValue[name] = () => injectedPayload(loaded, rootTypeName, name, injected);
  }

  const result: ExecutionResult = await execute({
    schema: loaded.schema,
    document: input.document,
    rootValue,
    contextValue: context,
    variableValues: input.variables,
    operationName: operation.name?.value,
    fieldResolver,
    typeResolver,
  });
  return {
    data: result.data as Record<string, unknown> | null | undefined,
    errors: (result.errors ?? []).map(formatError),
    searchWarnings: context.searchWarnings,
  };
}
