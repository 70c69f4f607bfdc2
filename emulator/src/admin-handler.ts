// The Admin GraphQL endpoint of the emulator as a WHATWG fetch handler:
//   POST https://{shop}/admin/api/{version}/graphql.json
// It follows Shopify's order of checks (shop, token, body, document, variables, cost, bucket),
// applies injected faults, executes against the real schema and records every call for tests.
// Adapters (MSW, node:http) wrap `handle`; they turn a thrown EmulatedNetworkError into a failed
// fetch / destroyed socket and a rejection with an AbortError into an aborted request.
import { acceptsAccessToken } from "./oauth";
import { randomUUID } from "node:crypto";
import { getNamedType, isAbstractType, isNonNullType, isObjectType, type GraphQLField, type GraphQLSchema } from "graphql";
import { actualQueryCost, MAX_QUERY_COST, requestedQueryCost, unsizedConnections } from "./cost";
import { EmulatedNetworkError, FaultInjector, hang, httpFaultResponse, type FaultAction, type FaultType, type InjectedUserError } from "./faults";
import {
  checkInputArraySizes,
  coerceVariables,
  executeOperation,
  notEmulated,
  parseDocument,
  selectOperation,
  usesDirective,
  validateDocument,
  type ShopifyGraphQLError,
} from "./graphql/index";
import { loadAdminSchema, resolveSchemaVersion } from "./schema";
import type { CodeDiscountRecord, CustomerRecord, EmulatorStore, GiftCardRecord, OrderRecord, ShopRecord } from "./store";
import { PLAN_LIMITS, ThrottleBuckets, throttledBody, type ThrottleStatus } from "./throttle";

export type CallOutcome =
  | "success"
  | "user_errors"
  | "graphql_errors"
  | "invalid"
  | "throttled"
  | "max_cost_exceeded"
  | "http_error"
  | "network_error"
  | "lost_response"
  | "aborted"
  | "unauthorized"
  | "not_found"
  | "bad_request";

export interface CallUserError {
  rootField: string;
  field: string[] | null;
  code: string | null;
  message: string;
}

/** One entry of the inspection log. */
export interface CallRecord {
  seq: number;
  /** Store clock time when the request arrived. */
  at: Date;
  shop: string;
  /** Version from the URL, and the version whose schema answered. */
  requestedVersion: string;
  servedVersion: string;
  operationName: string | null;
  operationType: "query" | "mutation" | "subscription" | null;
  rootFields: string[];
  variables: Record<string, unknown>;
  outcome: CallOutcome;
  /** HTTP status sent, or null when the caller got a network error / abort. */
  httpStatus: number | null;
  fault: FaultType | null;
  requestedQueryCost: number | null;
  actualQueryCost: number | null;
  errors: string[];
  userErrors: CallUserError[];
}

export interface CallFilter {
  shop?: string;
  rootField?: string;
  operationName?: string;
  outcome?: CallOutcome;
}

export interface AdminInspector {
  calls(filter?: CallFilter): CallRecord[];
  /** Number of calls selecting `rootField` (all calls when omitted), optionally filtered. */
  countCalls(rootField?: string, filter?: Omit<CallFilter, "rootField">): number;
  /** Calls per root field name. */
  callCounts(filter?: Omit<CallFilter, "rootField">): Record<string, number>;
  discounts(shop: string): CodeDiscountRecord[];
  deletedDiscounts(shop: string): CodeDiscountRecord[];
  giftCards(shop: string): GiftCardRecord[];
  orders(shop: string): OrderRecord[];
  customers(shop: string): CustomerRecord[];
  /** Clears the call log, disarms faults and refills throttle buckets (store data is kept). */
  reset(): void;
}

export interface AdminHandlerOptions {
  faults?: FaultInjector;
  throttle?: ThrottleBuckets;
  /** Single-query cost ceiling (Shopify: 1000). */
  maxQueryCost?: number;
  /** Which shop a request is for; defaults to the URL's host name. */
  shopFromRequest?: (request: Request) => string | undefined;
  /**
   * Whether the shop's non-expiring offline token is accepted (default: yes). Shopify: "Starting
   * January 1, 2027, public apps that make REST or GraphQL Admin API requests with non-expiring tokens
   * receive error responses" (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens).
   */
  acceptNonExpiringTokens?: () => boolean;
  /** Every scope the app declares (currentAppInstallation.accessScopes of a shop seeded without scopes). */
  appScopes?: () => string[];
}

export interface AdminHandler {
  handle(request: Request): Promise<Response>;
  readonly store: EmulatorStore;
  readonly faults: FaultInjector;
  readonly throttle: ThrottleBuckets;
  readonly inspect: AdminInspector;
}

const PATH = /^\/admin\/api\/([^/]+)\/graphql\.json$/;
const VERSION = /^(\d{4}-\d{2}|unstable)$/;
const INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)";

function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

function maxCostBody(cost: number, max: number) {
  return {
    errors: [
      {
        message:
          `Query cost is ${cost}, which exceeds the single query max cost limit (${max}).\n\n` +
          "See https://shopify.dev/docs/api/usage/rate-limits for more information on how the\n" +
          "cost of a query is calculated.\n\n" +
          "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n" +
          "See https://shopify.dev/docs/api/usage/bulk-operations/queries for usage details.\n",
        extensions: { code: "MAX_COST_EXCEEDED", cost, maxCost: max, documentation: "https://shopify.dev/api/usage/rate-limits" },
      },
    ],
  };
}

function collectUserErrors(data: Record<string, unknown> | null | undefined): CallUserError[] {
  const found: CallUserError[] = [];
  for (const [rootField, payload] of Object.entries(data ?? {})) {
    const list = payload !== null && typeof payload === "object" ? (payload as { userErrors?: unknown }).userErrors : undefined;
    if (!Array.isArray(list)) continue;
    for (const entry of list as Array<Partial<CallUserError>>) {
      found.push({ rootField, field: entry.field ?? null, code: entry.code ?? null, message: entry.message ?? "" });
    }
  }
  return found;
}

/**
 * A partial answer (faults.ts "partialAnswer"): the value at `path` becomes null — or, when that field
 * is non-null in the schema, its nearest nullable ancestor (or the whole `data`), as GraphQL's null
 * propagation does (https://spec.graphql.org/October2021/#sec-Handling-Field-Errors). Path elements
 * are field names from the root; they are resolved on the real schema.
 */
function nullAtPath(
  schema: GraphQLSchema,
  operationType: string,
  data: Record<string, unknown> | null | undefined,
  path: readonly string[],
): Record<string, unknown> | null {
  if (!data) return data ?? null;
  let type = getNamedType(operationType === "mutation" ? schema.getMutationType() ?? undefined : schema.getQueryType() ?? undefined);
  const steps: Array<{ container: Record<string, unknown>; key: string; nonNull: boolean }> = [];
  let container: Record<string, unknown> | null = data;
  for (const key of path) {
    const candidates = isObjectType(type) ? [type] : type && isAbstractType(type) ? schema.getPossibleTypes(type) : [];
    const field: GraphQLField<unknown, unknown> | undefined = candidates.map((t) => t.getFields()[key]).find((f) => f !== undefined);
    if (!field) throw new Error(`partialAnswer fault: "${path.join(".")}" does not name fields of the ${operationType} (no ${key} on ${type?.name ?? "a leaf"})`);
    if (container) steps.push({ container, key, nonNull: isNonNullType(field.type) });
    const value: unknown = container?.[key];
    container = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
    type = getNamedType(field.type);
  }
  if (steps.length < path.length) return data; // already null above the path: nothing left to null
  let index = steps.length - 1;
  while (index >= 0 && steps[index].nonNull) index -= 1;
  if (index < 0) return null;
  steps[index].container[steps[index].key] = null;
  return data;
}

function hasUserErrors(schema: GraphQLSchema, operationType: string, fieldName: string): boolean {
  const root = operationType === "mutation" ? schema.getMutationType() : schema.getQueryType();
  const type = root?.getFields()[fieldName] ? getNamedType(root.getFields()[fieldName].type) : undefined;
  return isObjectType(type) && "userErrors" in type.getFields();
}

export function createAdminHandler(store: EmulatorStore, options: AdminHandlerOptions = {}): AdminHandler {
  const faults = options.faults ?? new FaultInjector();
  const throttle =
    options.throttle ??
    new ThrottleBuckets({
      now: () => store.now(),
      limitsFor: (shop) => PLAN_LIMITS[store.getShop(shop)?.rateLimitPlan ?? "Standard"],
    });
  const maxQueryCost = options.maxQueryCost ?? MAX_QUERY_COST;
  const shopFromRequest = options.shopFromRequest ?? ((request: Request) => new URL(request.url).hostname);
  const log: CallRecord[] = [];
  let seq = 0;

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const at = store.now();
    const record = (entry: Partial<CallRecord> & Pick<CallRecord, "outcome" | "httpStatus">): void => {
      log.push({
        seq: ++seq,
        at,
        shop: entry.shop ?? shopFromRequest(request) ?? url.hostname,
        requestedVersion: entry.requestedVersion ?? "",
        servedVersion: entry.servedVersion ?? "",
        operationName: entry.operationName ?? null,
        operationType: entry.operationType ?? null,
        rootFields: entry.rootFields ?? [],
        variables: entry.variables ?? {},
        outcome: entry.outcome,
        httpStatus: entry.httpStatus,
        fault: entry.fault ?? null,
        requestedQueryCost: entry.requestedQueryCost ?? null,
        actualQueryCost: entry.actualQueryCost ?? null,
        errors: entry.errors ?? [],
        userErrors: entry.userErrors ?? [],
      });
    };

    // --- routing: unknown shop or path → 404, like Shopify
    const match = PATH.exec(url.pathname);
    const domain = (shopFromRequest(request) ?? "").toLowerCase();
    const shop: ShopRecord | undefined = store.getShop(domain);
    if (!match || !VERSION.test(match[1]) || !shop) {
      record({ shop: domain, outcome: "not_found", httpStatus: 404 });
      return json({ errors: "Not Found" }, 404);
    }
    const requestedVersion = match[1];
    const servedVersion = resolveSchemaVersion(requestedVersion);
    const base = { shop: shop.domain, requestedVersion, servedVersion };
    const headers = { "x-shopify-api-version": servedVersion, "x-request-id": randomUUID() };
    const respond = (body: unknown, status = 200) => json(body, status, headers);

    if (request.method !== "POST") {
      record({ ...base, outcome: "bad_request", httpStatus: 405 });
      return json({ errors: "Method Not Allowed" }, 405, headers);
    }

    // --- authentication: a missing, revoked (uninstall, rotation) or unknown token gets 401
    // Unauthorized — "The client doesn't have correct authentication credentials"
    // (https://shopify.dev/docs/api/usage/response-codes); only the shop's current token passes, or an
    // expiring offline token before its expiry (emulator/src/oauth.ts).
    const token = request.headers.get("x-shopify-access-token");
    if (!token || !acceptsAccessToken(store, shop.domain, token, { nonExpiring: options.acceptNonExpiringTokens?.() ?? true })) {
      record({ ...base, outcome: "unauthorized", httpStatus: 401 });
      return respond({ errors: INVALID_TOKEN }, 401);
    }

    // --- body
    let query: unknown;
    let rawVariables: unknown;
    let operationName: unknown;
    const contentType = request.headers.get("content-type") ?? "";
    const text = await request.text();
    if (contentType.includes("application/graphql")) {
      query = text;
    } else {
      try {
        const body = JSON.parse(text) as { query?: unknown; variables?: unknown; operationName?: unknown };
        ({ query, variables: rawVariables, operationName } = body ?? {});
      } catch {
        record({ ...base, outcome: "bad_request", httpStatus: 400 });
        return respond({ errors: { query: "Required parameter missing or invalid" } }, 400);
      }
    }
    // Some clients send variables as a JSON string.
    if (typeof rawVariables === "string") {
      try {
        rawVariables = JSON.parse(rawVariables);
      } catch {
        rawVariables = false; // rejected just below
      }
    }
    const badVariables = rawVariables != null && (typeof rawVariables !== "object" || Array.isArray(rawVariables));
    if (typeof query !== "string" || !query.trim() || badVariables) {
      record({ ...base, outcome: "bad_request", httpStatus: 400 });
      return respond({ errors: { query: "Required parameter missing or invalid" } }, 400);
    }
    const variables = (rawVariables ?? {}) as Record<string, unknown>;
    const opName = typeof operationName === "string" && operationName ? operationName : null;

    // --- document
    const loaded = loadAdminSchema(servedVersion);
    const invalid = (errors: ShopifyGraphQLError[], extra: Partial<CallRecord> = {}) => {
      record({ ...base, operationName: opName, variables, ...extra, outcome: "invalid", httpStatus: 200, errors: errors.map((e) => e.message) });
      return respond({ errors });
    };
    const parsed = parseDocument(query);
    if (!parsed.ok) return invalid(parsed.errors);
    const document = parsed.value;
    const selected = selectOperation(document, opName);
    if (!selected.ok) return invalid(selected.errors);
    const { operation, fragments, rootFields } = selected.value;
    const described = {
      ...base,
      operationName: operation.name?.value ?? opName,
      operationType: operation.operation,
      rootFields,
      variables,
    };
    const validationErrors = validateDocument(loaded.schema, document, query);
    if (validationErrors.length > 0) return invalid(validationErrors, described);
    if (usesDirective(document, "idempotent")) {
      const error = notEmulated("The @idempotent directive", "none of the emulated mutations document idempotency support");
      return invalid([{ message: error.message, extensions: { code: "NOT_EMULATED" } }], described);
    }
    const coerced = coerceVariables(loaded.schema, operation, variables);
    if (!coerced.ok) return invalid(coerced.errors, described);
    const oversized = checkInputArraySizes(loaded.schema, operation, fragments, coerced.value);
    if (oversized.length > 0) return invalid(oversized, described);

    // --- cost
    const costInput = { schema: loaded.schema, operation, fragments, variables: coerced.value };
    const requested = requestedQueryCost(costInput);
    if (requested > maxQueryCost) {
      const body = maxCostBody(requested, maxQueryCost);
      record({ ...described, outcome: "max_cost_exceeded", httpStatus: 200, requestedQueryCost: requested, errors: body.errors.map((e) => e.message) });
      return respond(body);
    }

    // The bucket is per (app, shop), the token standing for the app: an expiring token (and every
    // refresh of it) shares the bucket of the app's installation on the shop.
    const appKey = store.offlineTokens(shop.domain).access.has(token) ? shop.accessToken : token;

    // --- connections without first/last: refused before anything runs, the requested cost charged
    // (cost.ts unsizedConnections cites the answer).
    const unsized = unsizedConnections(costInput);
    if (unsized.length > 0) {
      const admitted = throttle.tryConsume(appKey, shop.domain, requested);
      if (!admitted.ok) {
        record({ ...described, outcome: "throttled", httpStatus: 200, requestedQueryCost: requested, errors: ["Throttled"] });
        return respond(throttledBody(requested, admitted.status));
      }
      const errors = unsized.map(({ node, path }) => ({
        message: "you must provide one of first or last",
        ...(node.loc ? { locations: [{ line: node.loc.startToken.line, column: node.loc.startToken.column }] } : {}),
        path,
      }));
      record({ ...described, outcome: "invalid", httpStatus: 200, requestedQueryCost: requested, actualQueryCost: requested, errors: errors.map((e) => e.message) });
      return respond({
        data: null,
        errors,
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: requested, throttleStatus: admitted.status } },
      });
    }

    // --- faults
    const taken = faults.take({ shop: shop.domain, operationName: described.operationName, rootFields });
    let injectedUserErrors: Map<string, readonly InjectedUserError[]> | undefined;
    let loseResponse = false;
    let partialAnswer: Extract<FaultAction, { type: "partialAnswer" }> | undefined;
    let partialRootField: string | undefined;
    if (taken) {
      const { action, fault } = taken;
      const withFault = { ...described, fault: action.type, requestedQueryCost: requested };
      switch (action.type) {
        case "http": {
          record({ ...withFault, outcome: "http_error", httpStatus: action.status });
          return httpFaultResponse(action);
        }
        case "networkError":
          record({ ...withFault, outcome: "network_error", httpStatus: null });
          throw new EmulatedNetworkError("connection_failed", `${rootFields.join(", ")} on ${shop.domain}`);
        case "throttled": {
          const body = throttledBody(requested, throttle.status(appKey, shop.domain));
          record({ ...withFault, outcome: "throttled", httpStatus: 200, errors: ["Throttled"] });
          return respond(body);
        }
        case "hang":
          if (action.until) {
            // Held until the test releases it (FaultInjector.hold), then run like the timed hang below.
            await action.until;
          } else if (action.ms === undefined) {
            // Held until the caller gives up, never run: a request that never got through.
            try {
              await hang(undefined, request.signal);
            } catch (reason) {
              record({ ...withFault, outcome: "aborted", httpStatus: null });
              throw reason;
            }
          } else {
            // Held for `ms`, then run — even if the caller stopped waiting meanwhile. A server that
            // has received a request is not told to stop when the client gives up, so a client that
            // timed out cannot know whether a non-idempotent request ran (RFC 9110 §9.2.2): an app
            // that timed out must assume its mutation can still land later.
            await hang(action.ms, undefined);
          }
          break;
        case "userErrors": {
          // Without a named root field, every selected field whose payload has userErrors gets them.
          const targets = fault.rule.rootField ? [fault.rule.rootField] : rootFields.filter((f) => hasUserErrors(loaded.schema, operation.operation, f));
          injectedUserErrors = new Map(targets.map((field) => [field, action.userErrors]));
          break;
        }
        case "lostResponse":
          loseResponse = true;
          break;
        case "partialAnswer":
          partialAnswer = action;
          partialRootField = fault.rule.rootField ?? rootFields[0];
          break;
      }
    }
    const faultType = taken?.action.type ?? null;

    // --- bucket
    const admitted = throttle.tryConsume(appKey, shop.domain, requested);
    if (!admitted.ok) {
      record({ ...described, fault: faultType, outcome: "throttled", httpStatus: 200, requestedQueryCost: requested, errors: ["Throttled"] });
      return respond(throttledBody(requested, admitted.status));
    }

    // --- execute
    const output = await executeOperation({
      loaded,
      store,
      shop,
      document,
      operation,
      variables,
      injectedUserErrors,
      appScopes: options.appScopes?.() ?? [],
    });
    if (partialAnswer) {
      // The operation has run (state changed); its answer loses a field to a failing resolver.
      const path = partialAnswer.path ?? [partialRootField ?? rootFields[0]];
      output.data = nullAtPath(loaded.schema, operation.operation, output.data, path);
      const code = partialAnswer.code === undefined ? "INTERNAL_SERVER_ERROR" : partialAnswer.code;
      const requestId = headers["x-request-id"];
      output.errors = [
        ...output.errors,
        {
          message: partialAnswer.message ?? "Internal error. Looks like something went wrong on our end.",
          path: [...path],
          ...(code === null ? {} : { extensions: code === "INTERNAL_SERVER_ERROR" ? { code, requestId } : { code } }),
        },
      ];
    }
    const actual = Math.min(requested, actualQueryCost(costInput, output.data));
    const status: ThrottleStatus = throttle.refund(appKey, shop.domain, requested - actual);
    const userErrors = collectUserErrors(output.data);
    const outcome: CallOutcome = output.errors.length > 0 ? "graphql_errors" : userErrors.length > 0 ? "user_errors" : "success";
    const logged = {
      ...described,
      fault: faultType,
      requestedQueryCost: requested,
      actualQueryCost: actual,
      errors: output.errors.map((e) => e.message),
      userErrors,
    };

    if (loseResponse) {
      record({ ...logged, outcome: "lost_response", httpStatus: null });
      throw new EmulatedNetworkError("lost_response", `${rootFields.join(", ")} on ${shop.domain}`);
    }
    record({ ...logged, outcome, httpStatus: 200 });

    const extensions: Record<string, unknown> = {
      cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: status },
    };
    if (output.searchWarnings.length > 0) extensions.search = output.searchWarnings;
    const body: Record<string, unknown> = {};
    if (output.errors.length > 0) body.errors = output.errors;
    body.data = output.data ?? null;
    body.extensions = extensions;
    return respond(body);
  }

  const matchesFilter = (call: CallRecord, filter: CallFilter = {}): boolean =>
    (filter.shop === undefined || call.shop === filter.shop.toLowerCase()) &&
    (filter.rootField === undefined || call.rootFields.includes(filter.rootField)) &&
    (filter.operationName === undefined || call.operationName === filter.operationName) &&
    (filter.outcome === undefined || call.outcome === filter.outcome);

  const inspect: AdminInspector = {
    calls: (filter) => log.filter((call) => matchesFilter(call, filter)),
    countCalls: (rootField, filter = {}) => log.filter((call) => matchesFilter(call, { ...filter, rootField })).length,
    callCounts: (filter = {}) => {
      const counts: Record<string, number> = {};
      for (const call of log) {
        if (!matchesFilter(call, filter)) continue;
        for (const field of call.rootFields) counts[field] = (counts[field] ?? 0) + 1;
      }
      return counts;
    },
    discounts: (shop) => store.listDiscounts(shop),
    deletedDiscounts: (shop) => store.listDeletedDiscounts(shop),
    giftCards: (shop) => store.listGiftCards(shop),
    orders: (shop) => store.listOrders(shop),
    customers: (shop) => store.listCustomers(shop),
    reset: () => {
      log.length = 0;
      faults.clear();
      throttle.reset({ keepLimits: true });
    },
  };

  return { handle, store, faults, throttle, inspect };
}
