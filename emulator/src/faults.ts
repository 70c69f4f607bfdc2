// Fault injection for the Admin API emulator. Tests arm a fault for a root field, an operation name
// and/or a shop; the next matching request(s) fail the chosen way instead of (or after) executing.
// This is how the app's retry, timeout and idempotency code gets exercised without a real outage.

/** A network-level failure: the adapters (MSW, HTTP server) turn it into a failed fetch / dropped socket. */
export class EmulatedNetworkError extends Error {
  /** "lost_response": the request was executed, only the answer was lost. */
  readonly kind: "lost_response" | "connection_failed";
  /** Whether the operation ran (and changed state) before the failure. */
  readonly executed: boolean;
  constructor(kind: "lost_response" | "connection_failed", detail: string) {
    super(
      kind === "lost_response"
        ? `Emulated network error: response lost after execution (${detail})`
        : `Emulated network error: connection failed before execution (${detail})`,
    );
    this.name = "EmulatedNetworkError";
    this.kind = kind;
    this.executed = kind === "lost_response";
  }
}

/** A userError to return in a mutation payload; __typename is filled from the payload type. */
export interface InjectedUserError {
  field?: string[] | null;
  message: string;
  code?: string | null;
  extraInfo?: string | null;
}

export type FaultAction =
  /** An HTTP error instead of a GraphQL answer. 429 gets a Retry-After header. */
  | { type: "http"; status: number; body?: string; headers?: Record<string, string>; retryAfterSeconds?: number }
  /**
   * Wait `ms`, then run the request and answer — even if the caller gave up meanwhile (a received
   * request is not cancelled by the client leaving). Without `ms` the request hangs until its
   * AbortSignal aborts and never runs.
   */
  | { type: "hang"; ms?: number; until?: Promise<void> }
  /** Shopify's THROTTLED answer regardless of the bucket level. */
  | { type: "throttled" }
  /** Return these userErrors in the payload of the matched mutation(s) without executing them. */
  | { type: "userErrors"; userErrors: InjectedUserError[] }
  /** Execute for real (state changes), then fail with EmulatedNetworkError. */
  | { type: "lostResponse" }
  /**
   * A partial answer: execute for real (state changes), then answer HTTP 200 with both `data` and a
   * top-level `errors` entry, as when a field resolver fails after the mutation has committed. The
   * value at `path` (response keys from the root, default: the matched root field) is null in `data`
   * — moved up to the nearest nullable field when it is non-null, as GraphQL's null propagation does
   * (https://spec.graphql.org/October2021/#sec-Handling-Field-Errors) — and the error carries that
   * path. Default error: Shopify's internal error ("Internal error. Looks like something went wrong
   * on our end." with `extensions: { code: "INTERNAL_SERVER_ERROR", requestId }`,
   * https://shopify.dev/changelog/improved-graphql-errors); a 200 with errors is described at
   * https://shopify.dev/docs/api/usage/response-codes, data beside errors at
   * https://spec.graphql.org/October2021/#sec-Response-Format.
   */
  | { type: "partialAnswer"; path?: readonly string[]; message?: string; code?: string | null }
  /** Fail with EmulatedNetworkError before anything executes. */
  | { type: "networkError" };

export type FaultType = FaultAction["type"];

export interface FaultMatcher {
  /** Matches when the operation selects this root field. */
  rootField?: string;
  /** Matches the operation's name. */
  operationName?: string;
  /** Matches the shop domain. */
  shop?: string;
}

export interface FaultRule extends FaultMatcher {
  action: FaultAction;
  /** How many matching requests fail; default 1. */
  times?: number | "forever";
}

/** What the handler knows about a request when asking for a fault. */
export interface FaultCall {
  shop: string;
  operationName: string | null;
  rootFields: readonly string[];
}

export interface ArmedFault {
  readonly id: number;
  readonly rule: Readonly<FaultRule>;
  /** Remaining firings ("forever" never runs out). */
  remaining: number | "forever";
  /** How many requests this fault has hit so far. */
  fired: number;
  cancel(): void;
}

export class FaultInjector {
  private readonly armed: ArmedFault[] = [];
  private nextId = 1;

  /** Arms a fault. Earlier-armed faults win when several match the same request. */
  inject(rule: FaultRule): ArmedFault {
    const times = rule.times ?? 1;
    if (times !== "forever" && (!Number.isInteger(times) || times < 1)) {
      throw new Error(`Fault "times" must be a positive integer or "forever", got ${String(times)}`);
    }
    const fault: ArmedFault = {
      id: this.nextId++,
      rule: { ...rule },
      remaining: times,
      fired: 0,
      cancel: () => {
        const index = this.armed.indexOf(fault);
        if (index >= 0) this.armed.splice(index, 1);
      },
    };
    this.armed.push(fault);
    return fault;
  }

  // Shortcuts for the common cases; `match` is a root field name or a full matcher.
  httpError(match: string | FaultMatcher, status: number, options: Omit<Extract<FaultAction, { type: "http" }>, "type" | "status"> & { times?: FaultRule["times"] } = {}): ArmedFault {
    const { times, ...rest } = options;
    return this.inject({ ...toMatcher(match), action: { type: "http", status, ...rest }, times });
  }

  hang(match: string | FaultMatcher, ms?: number, times?: FaultRule["times"]): ArmedFault {
    return this.inject({ ...toMatcher(match), action: { type: "hang", ms }, times });
  }

  /**
   * Holds the matching requests until `release()`, then runs and answers them — even if the caller
   * gave up meanwhile, like `hang` with `ms`. For tests where a request Shopify received must land
   * after the app stopped waiting: the test says when, instead of a timer racing the app's own
   * timeout on a busy machine.
   */
  hold(match: string | FaultMatcher, times?: FaultRule["times"]): ArmedFault & { release(): void } {
    let release!: () => void;
    const until = new Promise<void>((resolve) => (release = resolve));
    return Object.assign(this.inject({ ...toMatcher(match), action: { type: "hang", until }, times }), { release });
  }

  throttle(match: string | FaultMatcher, times?: FaultRule["times"]): ArmedFault {
    return this.inject({ ...toMatcher(match), action: { type: "throttled" }, times });
  }

  userErrors(match: string | FaultMatcher, userErrors: InjectedUserError[], times?: FaultRule["times"]): ArmedFault {
    return this.inject({ ...toMatcher(match), action: { type: "userErrors", userErrors }, times });
  }

  loseResponse(match: string | FaultMatcher, times?: FaultRule["times"]): ArmedFault {
    return this.inject({ ...toMatcher(match), action: { type: "lostResponse" }, times });
  }

  /** The matched request runs, and its answer holds `data` with a null at `path` plus an error for it. */
  partialAnswer(
    match: string | FaultMatcher,
    options: Omit<Extract<FaultAction, { type: "partialAnswer" }>, "type"> & { times?: FaultRule["times"] } = {},
  ): ArmedFault {
    const { times, ...rest } = options;
    return this.inject({ ...toMatcher(match), action: { type: "partialAnswer", ...rest }, times });
  }

  networkError(match: string | FaultMatcher, times?: FaultRule["times"]): ArmedFault {
    return this.inject({ ...toMatcher(match), action: { type: "networkError" }, times });
  }

  /** Faults still armed. */
  list(): readonly ArmedFault[] {
    return [...this.armed];
  }

  clear(): void {
    this.armed.length = 0;
  }

  /** Finds the first armed fault matching the call and uses up one of its firings. */
  take(call: FaultCall): { fault: ArmedFault; action: FaultAction } | undefined {
    const fault = this.armed.find((candidate) => matches(candidate.rule, call));
    if (!fault) return undefined;
    fault.fired += 1;
    if (fault.remaining !== "forever") {
      fault.remaining -= 1;
      if (fault.remaining <= 0) fault.cancel();
    }
    return { fault, action: fault.rule.action };
  }
}

function toMatcher(match: string | FaultMatcher): FaultMatcher {
  return typeof match === "string" ? { rootField: match } : match;
}

function matches(rule: FaultMatcher, call: FaultCall): boolean {
  if (rule.shop !== undefined && rule.shop.toLowerCase() !== call.shop.toLowerCase()) return false;
  if (rule.operationName !== undefined && rule.operationName !== call.operationName) return false;
  if (rule.rootField !== undefined && !call.rootFields.includes(rule.rootField)) return false;
  return true;
}

/** The HTTP response for an "http" fault, with Shopify-like default bodies. */
export function httpFaultResponse(action: Extract<FaultAction, { type: "http" }>): Response {
  const headers = new Headers(action.headers);
  let body = action.body;
  if (body === undefined) {
    switch (action.status) {
      case 429:
        body = JSON.stringify({
          errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.",
        });
        break;
      case 502:
        // 502s come from the edge, not the API: HTML, not JSON.
        body = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>";
        if (!headers.has("content-type")) headers.set("content-type", "text/html; charset=utf-8");
        break;
      case 503:
        body = JSON.stringify({ errors: "Service Unavailable" });
        break;
      default:
        body = JSON.stringify({ errors: "An unexpected error occurred" });
    }
  }
  if (!headers.has("content-type")) headers.set("content-type", "application/json; charset=utf-8");
  if (action.status === 429 && !headers.has("retry-after")) {
    // Shopify sends a decimal string, e.g. "2.0".
    headers.set("retry-after", (action.retryAfterSeconds ?? 2).toFixed(1));
  }
  return new Response(body, { status: action.status, headers });
}

/** Waits `ms` (or forever when undefined); rejects with the signal's reason if it aborts first. */
export function hang(ms: number | undefined, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      if (timer !== undefined) clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    if (ms !== undefined) {
      timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
    }
  });
}
