// Parsing, validation and variable coercion with Shopify's error shapes. Shopify answers all of
// these with HTTP 200 and {"errors":[{message, locations, path, extensions:{code}}]}. Messages are
// graphql-js's; extensions.code follows the codes Shopify's GraphQL server (graphql-ruby) uses.
import {
  coerceInputValue,
  getArgumentValues,
  GraphQLError,
  isInputType,
  isNonNullType,
  Kind,
  parse,
  specifiedRules,
  typeFromAST,
  TypeInfo,
  validate,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SourceLocation,
  type ValidationRule,
} from "graphql";

export interface ShopifyGraphQLError {
  message: string;
  locations?: readonly SourceLocation[];
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

export type Result<T> = { ok: true; value: T } | { ok: false; errors: ShopifyGraphQLError[] };

// graphql-ruby's validation error codes, by the graphql-js rule that finds the same problem.
const RULE_CODES: Readonly<Record<string, string>> = {
  ExecutableDefinitionsRule: "definitionNotExecutable",
  UniqueOperationNamesRule: "uniquelyNamedOperations",
  LoneAnonymousOperationRule: "anonymousOperationNotAlone",
  SingleFieldSubscriptionsRule: "subscriptionFieldsNotSingle",
  KnownTypeNamesRule: "undefinedType",
  FragmentsOnCompositeTypesRule: "fragmentOnNonCompositeType",
  VariablesAreInputTypesRule: "variableRequiresValidType",
  ScalarLeafsRule: "selectionMismatch",
  FieldsOnCorrectTypeRule: "undefinedField",
  UniqueFragmentNamesRule: "fragmentNotUnique",
  KnownFragmentNamesRule: "undefinedFragment",
  NoUnusedFragmentsRule: "useAndDefineFragment",
  PossibleFragmentSpreadsRule: "cannotSpreadFragment",
  NoFragmentCyclesRule: "infiniteLoop",
  UniqueVariableNamesRule: "variableNotUnique",
  NoUndefinedVariablesRule: "variableNotDefined",
  NoUnusedVariablesRule: "variableNotUsed",
  KnownDirectivesRule: "undefinedDirective",
  UniqueDirectivesPerLocationRule: "directiveNotUniqueForLocation",
  KnownArgumentNamesRule: "argumentNotAccepted",
  UniqueArgumentNamesRule: "argumentNotUnique",
  ValuesOfCorrectTypeRule: "argumentLiteralsIncompatible",
  ProvidedRequiredArgumentsRule: "missingRequiredArguments",
  VariablesInAllowedPositionRule: "variableMismatch",
  OverlappingFieldsCanBeMergedRule: "fieldConflict",
  UniqueInputFieldNamesRule: "inputFieldNotUnique",
};

/** graphql-ruby style path to an AST node: ["query Name", "field", "subField"]. */
function pathTo(document: DocumentNode, target: ASTNode | undefined): string[] | undefined {
  if (!target) return undefined;
  let found: string[] | undefined;
  visit(document, {
    enter(node, _key, _parent, _path, ancestors) {
      if (found) return false;
      if (node !== target) return undefined;
      const chain = [...ancestors, node].filter((a): a is ASTNode => !Array.isArray(a) && typeof a === "object" && a !== null && "kind" in a);
      found = chain.flatMap((a): string[] => {
        switch (a.kind) {
          case Kind.OPERATION_DEFINITION:
            return [a.name ? `${a.operation} ${a.name.value}` : a.operation];
          case Kind.FRAGMENT_DEFINITION:
            return [`fragment ${a.name.value}`];
          case Kind.INLINE_FRAGMENT:
            return a.typeCondition ? [`... on ${a.typeCondition.name.value}`] : ["..."];
          case Kind.FIELD:
          case Kind.ARGUMENT:
          case Kind.OBJECT_FIELD:
            return [a.name.value];
          default:
            return [];
        }
      });
      return false;
    },
  });
  return found;
}

function shopifyError(error: GraphQLError, code: string, document?: DocumentNode): ShopifyGraphQLError {
  const extensions: Record<string, unknown> = { code };
  const undefinedField = /^Cannot query field "([^"]+)" on type "([^"]+)"/.exec(error.message);
  if (code === "undefinedField" && undefinedField) {
    extensions.typeName = undefinedField[2];
    extensions.fieldName = undefinedField[1];
  }
  const path = document ? pathTo(document, error.nodes?.[0]) : undefined;
  return {
    message: error.message,
    ...(error.locations ? { locations: error.locations } : {}),
    ...(path && path.length > 0 ? { path } : {}),
    extensions,
  };
}

export function parseDocument(query: string): Result<DocumentNode> {
  try {
    return { ok: true, value: parse(query) };
  } catch (error) {
    if (error instanceof GraphQLError) return { ok: false, errors: [shopifyError(error, "syntaxError")] };
    throw error;
  }
}

// Validation is pure per (schema, query text), and apps send the same documents over and over.
const validationCache = new WeakMap<GraphQLSchema, Map<string, ShopifyGraphQLError[]>>();
const VALIDATION_CACHE_LIMIT = 500;

/** Validates with graphql-js's standard rules; each error gets the code of the rule that found it. */
export function validateDocument(schema: GraphQLSchema, document: DocumentNode, cacheKey?: string): ShopifyGraphQLError[] {
  let cache = validationCache.get(schema);
  if (!cache) {
    cache = new Map();
    validationCache.set(schema, cache);
  }
  const cached = cacheKey !== undefined ? cache.get(cacheKey) : undefined;
  if (cached) return cached;

  let errors: ShopifyGraphQLError[] = [];
  if (validate(schema, document).length > 0) {
    // Slow path, only for invalid documents: run the rules one by one to know which rule fired.
    const seen = new Set<string>();
    for (const rule of specifiedRules as readonly ValidationRule[]) {
      for (const error of validate(schema, document, [rule])) {
        const key = `${error.message}@${JSON.stringify(error.locations ?? [])}`;
        if (seen.has(key)) continue;
        seen.add(key);
        errors.push(shopifyError(error, RULE_CODES[rule.name] ?? "GRAPHQL_VALIDATION_FAILED", document));
      }
    }
    if (errors.length === 0) errors = validate(schema, document).map((e) => shopifyError(e, "GRAPHQL_VALIDATION_FAILED", document));
  }
  if (cacheKey !== undefined) {
    if (cache.size >= VALIDATION_CACHE_LIMIT) cache.clear();
    cache.set(cacheKey, errors);
  }
  return errors;
}

export interface SelectedOperation {
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  /** Response names of the operation's root fields, in document order (fragments expanded). */
  rootFields: string[];
}

export function selectOperation(document: DocumentNode, operationName: string | null | undefined): Result<SelectedOperation> {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  let operation: OperationDefinitionNode | undefined;
  if (operationName) {
    operation = operations.find((o) => o.name?.value === operationName);
    if (!operation) return { ok: false, errors: [{ message: `Unknown operation named "${operationName}".`, extensions: { code: "operationNotFound" } }] };
  } else if (operations.length === 1) {
    operation = operations[0];
  } else {
    const message = operations.length === 0 ? "Must provide an operation." : "Must provide operation name if query contains multiple operations.";
    return { ok: false, errors: [{ message, extensions: { code: "operationNameRequired" } }] };
  }
  return { ok: true, value: { operation, fragments, rootFields: rootFieldNames(operation, fragments) } };
}

/** Root field names (not aliases) selected by an operation, following fragment spreads. */
function rootFieldNames(operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  const walk = (selections: OperationDefinitionNode["selectionSet"]["selections"]) => {
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) {
        if (!selection.name.value.startsWith("__") && !names.includes(selection.name.value)) names.push(selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet.selections);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments[selection.name.value];
        if (fragment) walk(fragment.selectionSet.selections);
      }
    }
  };
  walk(operation.selectionSet.selections);
  return names;
}

/**
 * Coerces request variables against the operation's variable definitions. Errors use Shopify's
 * INVALID_VARIABLE shape: "Variable $x of type T was provided invalid value" with problems[].
 */
export function coerceVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  inputs: Record<string, unknown>,
): Result<Record<string, unknown>> {
  const coerced: Record<string, unknown> = {};
  const errors: ShopifyGraphQLError[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type);
    if (!type || !isInputType(type)) continue; // validation already reported it
    const typeName = String(type);
    const locations = definition.loc ? [definition.loc.startToken].map((t) => ({ line: t.line, column: t.column })) : undefined;
    const fail = (value: unknown, problems: Array<{ path: Array<string | number>; explanation: string }>) => {
      const first = problems[0];
      const where = first && first.path.length > 0 ? ` for ${first.path.join(".")}` : "";
      errors.push({
        message: `Variable $${name} of type ${typeName} was provided invalid value${where}${first ? ` (${first.explanation})` : ""}`,
        ...(locations ? { locations } : {}),
        extensions: { code: "INVALID_VARIABLE", value: value ?? null, problems },
      });
    };
    if (!Object.prototype.hasOwnProperty.call(inputs, name) || inputs[name] === undefined) {
      if (definition.defaultValue) coerced[name] = valueFromAST(definition.defaultValue, type);
      else if (isNonNullType(type)) fail(null, [{ path: [], explanation: "Expected value to not be null" }]);
      continue;
    }
    const value = inputs[name];
    if (value === null && isNonNullType(type)) {
      fail(null, [{ path: [], explanation: "Expected value to not be null" }]);
      continue;
    }
    const problems: Array<{ path: Array<string | number>; explanation: string }> = [];
    const result = coerceInputValue(value, type, (path, _invalid, error) => {
      problems.push({ path: [...path], explanation: error.message });
    });
    if (problems.length > 0) fail(value, problems);
    else coerced[name] = result;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: coerced };
}

/** True when the document uses a directive the emulator cannot honour (e.g. @idempotent). */
export function usesDirective(document: DocumentNode, name: string): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value === name) found = true;
    },
  });
  return found;
}

/** Shopify's limit on any list given as input, at any depth of an argument. */
export const MAX_INPUT_ARRAY_SIZE = 250;

/**
 * "Input arguments that accept an array have a maximum size of 250 for all APIs. Requests return an
 * error if an input array exceeds 250 items" (https://shopify.dev/docs/api/usage/limits#input-limits;
 * https://shopify.dev/changelog/graphql-input-objects-limited-to-250-items). Checked on the argument
 * values after variables are substituted, so a list passed as a variable counts like a literal one.
 * The message and extensions.code are the emulator's wording of that documented error.
 */
export function checkInputArraySizes(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Readonly<Record<string, unknown>>,
): ShopifyGraphQLError[] {
  const errors: ShopifyGraphQLError[] = [];
  const scan = (value: unknown, path: Array<string | number>, locations: readonly SourceLocation[] | undefined): void => {
    if (Array.isArray(value)) {
      if (value.length > MAX_INPUT_ARRAY_SIZE) {
        errors.push({
          message: `The input array size of ${value.length} is greater than the maximum allowed of ${MAX_INPUT_ARRAY_SIZE}.`,
          ...(locations ? { locations } : {}),
          path,
          extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
        });
        return;
      }
      value.forEach((item, index) => scan(item, [...path, index], locations));
    } else if (value !== null && typeof value === "object" && !(value instanceof Date)) {
      for (const [key, item] of Object.entries(value)) scan(item, [...path, key], locations);
    }
  };
  const typeInfo = new TypeInfo(schema);
  const visitor = visitWithTypeInfo(typeInfo, {
    Field(node) {
      const field = typeInfo.getFieldDef();
      if (!field || !node.arguments?.length) return;
      let args: Record<string, unknown>;
      try {
        args = getArgumentValues(field, node, variables as Record<string, unknown>);
      } catch {
        return; // an invalid argument was already reported by validation or coercion
      }
      const location = node.loc ? [{ line: node.loc.startToken.line, column: node.loc.startToken.column }] : undefined;
      for (const [name, value] of Object.entries(args)) scan(value, [node.alias?.value ?? node.name.value, name], location);
    },
  });
  visit(operation, visitor);
  for (const fragment of Object.values(fragments)) visit(fragment, visitor);
  return errors;
}
