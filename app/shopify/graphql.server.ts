// Runs one Admin GraphQL document and turns every way it can end into a typed result.
// The Admin API modules (discounts, gift cards, shop, customers) build on this; nothing above them
// sees raw JSON, a thrown library error or a thrown Response.
import {
  GraphqlQueryError,
  HttpMaxRetriesError,
  HttpRequestError,
  HttpResponseError,
} from "@shopify/shopify-api";
import type { Err, Ok } from "~/domain/result";
import type { ShopifyFailure } from "~/domain/rewards/failures";

/** `admin.graphql` from authenticate.admin / unauthenticated.admin (and anything shaped like it). */
export type AdminGraphql = (
  query: string,
  options?: { variables?: Record<string, unknown>; signal?: AbortSignal; tries?: number },
) => Promise<Response>;

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

/**
 * What every Admin API module returns: the app's one result shape (app/domain/result.ts). The
 * `error` is Shopify's outcome as machine data (`ShopifyFailure`) that the use-case classifies into
 * its own words; `detail` is Shopify's raw payload (userErrors, GraphQL errors, HTTP body) for logs.
 */
export type AdminResult<T> =
  | Ok<{ data: T; cost: QueryCost | null }>
  | (Err<ShopifyFailure> & { cost: QueryCost | null; detail?: unknown });

export interface RunOptions {
  /** Abort the call after this long (default 15 s); reported as a timeout. */
  timeoutMs?: number;
  /** Told about every cost report, so a scheduler can pace calls per shop. */
  onCost?: (cost: QueryCost) => void;
  /**
   * Send a THROTTLED call again, up to this many times (default 0: return the failure). Safe for
   * mutations: Shopify rejects a throttled request before running it
   * (https://shopify.dev/docs/api/usage/rate-limits). Only worth it when `graphql` waits for the
   * budget itself (the worker's pacer, app/jobs/pacing.server.ts); otherwise `retryAfterMs` says when.
   */
  throttledRetries?: number;
  /**
   * Waits until the call may be sent (a rate-limit pacer, app/jobs/pacing.server.ts) and returns
   * what to call once it is answered. The timeout starts after this wait: a call queued behind the
   * shop's budget has not been sent, so it cannot have timed out.
   */
  pace?: () => Promise<() => void>;
}

const isAmount = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value) && value >= 0;

/**
 * Shopify's cost report (`extensions.cost`: requestedQueryCost, actualQueryCost — null when the call
 * was throttled — and throttleStatus { maximumAvailable, currentlyAvailable, restoreRate },
 * https://shopify.dev/docs/api/usage/rate-limits#graphql-admin-api-rate-limits), read whole before
 * anyone acts on it: a report holding anything but finite, non-negative numbers is no report. It was
 * handed on as it came, and the pacer (app/jobs/pacing.server.ts) and the bulk issue's estimate
 * computed with whatever it held.
 */
function readCost(extensions: unknown): QueryCost | null {
  const cost = (extensions as { cost?: unknown } | undefined)?.cost as Partial<Record<keyof QueryCost, unknown>> | undefined;
  if (!cost || typeof cost !== "object") return null;
  const t = cost.throttleStatus as Partial<Record<keyof ThrottleStatus, unknown>> | null | undefined;
  if (!t || typeof t !== "object" || !isAmount(t.maximumAvailable) || !isAmount(t.currentlyAvailable) || !isAmount(t.restoreRate)) return null;
  if (!isAmount(cost.requestedQueryCost) || !(cost.actualQueryCost === null || isAmount(cost.actualQueryCost))) return null;
  return {
    requestedQueryCost: cost.requestedQueryCost,
    actualQueryCost: cost.actualQueryCost,
    throttleStatus: { maximumAvailable: t.maximumAvailable, currentlyAvailable: t.currentlyAvailable, restoreRate: t.restoreRate },
  };
}

function graphqlErrorsOf(body: unknown): { message: string; extensions?: { code?: string } }[] {
  const errors = (body as { errors?: unknown })?.errors;
  // The library wraps them: { errors: { graphQLErrors: [...] } }; a raw body has { errors: [...] }.
  if (Array.isArray(errors)) return errors;
  const wrapped = (errors as { graphQLErrors?: unknown } | undefined)?.graphQLErrors;
  return Array.isArray(wrapped) ? wrapped : [];
}

/**
 * Whether an answer that lists errors shows the operation ran (a partial response): data came back
 * for some root field, or execution began (`data` is present: https://spec.graphql.org/October2021/#sec-Data)
 * and a field failed with Shopify's internal error — a resolver failing after a mutation may have
 * committed. The error is recognised by its code, not its message
 * (https://shopify.dev/changelog/improved-graphql-errors).
 */
function hasData(body: unknown): boolean {
  const data = (body as { data?: unknown } | undefined)?.data;
  if (typeof data !== "object" || data === null) return false;
  if (Object.values(data).some((v) => v !== null && v !== undefined)) return true;
  return graphqlErrorsOf(body).some((e) => {
    const path = (e as { path?: unknown }).path;
    return e.extensions?.code === "INTERNAL_SERVER_ERROR" && Array.isArray(path) && path.length > 0;
  });
}

function failureFromGraphqlErrors(errors: { message: string; extensions?: { code?: string } }[], cost: QueryCost | null, partial = false): ShopifyFailure {
  const codes = errors.map((e) => e.extensions?.code);
  // Data came back beside the errors: the operation ran. Whatever the errors say (even a field's
  // ACCESS_DENIED), the caller must know that first (app/domain/rewards/failures.ts).
  if (partial) {
    const errorCodes = codes.filter((c): c is string => typeof c === "string");
    return { kind: "graphql", messages: errors.map((e) => e.message), ...(errorCodes.length ? { codes: errorCodes } : {}), partial: true };
  }
  if (codes.includes("THROTTLED")) {
    const retryAfterMs =
      cost && cost.throttleStatus.restoreRate > 0
        ? Math.max(0, Math.ceil(((cost.requestedQueryCost - cost.throttleStatus.currentlyAvailable) / cost.throttleStatus.restoreRate) * 1000))
        : undefined;
    return { kind: "throttled", ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (codes.includes("ACCESS_DENIED")) {
    return { kind: "access_denied", message: errors.find((e) => e.extensions?.code === "ACCESS_DENIED")?.message ?? "Access denied" };
  }
  // Keep Shopify's error codes as data (e.g. NOT_FOUND / RESOURCE_NOT_FOUND) so callers never read the message text.
  const errorCodes = codes.filter((c): c is string => typeof c === "string");
  return { kind: "graphql", messages: errors.map((e) => e.message), ...(errorCodes.length ? { codes: errorCodes } : {}) };
}

function isAbort(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /abort|timeout|timed out/i.test(text);
}

export async function runAdmin<T>(
  graphql: AdminGraphql,
  document: string,
  variables: Record<string, unknown> = {},
  options: RunOptions = {},
): Promise<AdminResult<T>> {
  let result = await runAdminOnce<T>(graphql, document, variables, options);
  for (let retry = 0; retry < (options.throttledRetries ?? 0) && !result.ok && result.error.kind === "throttled"; retry++) {
    result = await runAdminOnce<T>(graphql, document, variables, options);
  }
  return result;
}

async function runAdminOnce<T>(graphql: AdminGraphql, document: string, variables: Record<string, unknown>, options: RunOptions): Promise<AdminResult<T>> {
  const answered = options.pace ? await options.pace() : null;
  const signal = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  let response: Response;
  try {
    response = await graphql(document, { variables, signal });
  } catch (error) {
    answered?.();
    return failureFromThrown(error, options);
  }
  answered?.();
  let body: { data?: T; errors?: unknown; extensions?: unknown };
  try {
    body = (await response.json()) as typeof body;
  } catch (error) {
    if (isAbort(error)) return { ok: false, error: { kind: "timeout" }, cost: null };
    return { ok: false, error: { kind: "http", status: response.status }, cost: null, detail: "response was not JSON" };
  }
  const cost = readCost(body.extensions);
  if (cost) options.onCost?.(cost);
  const errors = graphqlErrorsOf(body);
  if (errors.length > 0 || body.data === undefined || body.data === null) {
    return { ok: false, error: failureFromGraphqlErrors(errors, cost, errors.length > 0 && hasData(body)), cost, detail: errors };
  }
  return { ok: true, data: body.data, cost };
}

async function failureFromThrown(error: unknown, options: RunOptions): Promise<AdminResult<never>> {
  // GraphQL-level errors (THROTTLED, ACCESS_DENIED, invalid documents) arrive as HTTP 200.
  if (error instanceof GraphqlQueryError) {
    const body = error.body as { extensions?: unknown } | undefined;
    const cost = readCost(body?.extensions);
    if (cost) options.onCost?.(cost);
    const errors = graphqlErrorsOf(body);
    const list = errors.length ? errors : [{ message: error.message }];
    return { ok: false, error: failureFromGraphqlErrors(list, cost, hasData(body)), cost, detail: list };
  }
  // authenticate.admin's client converts HTTP errors into a thrown Response.
  if (error instanceof Response) {
    const detail = await error.text().catch(() => "");
    return { ok: false, error: { kind: "http", status: error.status }, cost: null, detail };
  }
  if (error instanceof HttpMaxRetriesError) return { ok: false, error: { kind: "http", status: 429 }, cost: null };
  if (error instanceof HttpResponseError) {
    return { ok: false, error: { kind: "http", status: error.response.code }, cost: null, detail: error.response.body };
  }
  if (isAbort(error)) return { ok: false, error: { kind: "timeout" }, cost: null };
  if (error instanceof HttpRequestError || error instanceof TypeError) {
    return { ok: false, error: { kind: "network" }, cost: null, detail: error.message };
  }
  return { ok: false, error: { kind: "network" }, cost: null, detail: error instanceof Error ? error.message : String(error) };
}

/** Maps a payload's `userErrors` (if any) to a failure. */
export function userErrorsFailure(userErrors: { field?: string[] | null; code?: string | null; message: string }[] | null | undefined): ShopifyFailure | null {
  if (!userErrors || userErrors.length === 0) return null;
  return { kind: "user_errors", errors: userErrors.map((e) => ({ field: e.field ?? null, code: e.code ?? null, message: e.message })) };
}
