// The one result shape of the app's boundaries: the Admin API modules (app/shopify/*) and the
// use-cases (app/services/*) return a value discriminated by `ok`, never throw for an outcome the
// caller must handle, and never hand raw JSON or a thrown string upwards.
// docs/decisions/009-layering-and-result-types.md.
//
//   success: { ok: true, ...the values }           e.g. { ok: true, reward, replayed }
//   failure: { ok: false, error: { code, message, … } }   a use-case's decided outcome: a stable code
//                                                          (for branching, tests, logs) and one plain
//                                                          sentence for its audience
//
// Every boundary uses this same shape; only what the `error` holds differs by layer:
//   Admin API modules (`AdminResult<T>`, app/shopify/graphql.server.ts): `{ ok: true, data, cost }`
//     or `{ ok: false, error: ShopifyFailure, cost, detail? }` — Shopify's outcome as machine data
//     that the use-case classifies (`classifyFailure`); it is never shown to anyone as is.
//   Use-cases: `{ ok: false, error: Problem }` (or a richer problem, e.g. `ShopifyProblem` in
//     app/services/rewards/generate.server.ts, which keeps Shopify's failure beside its classification).
// So a caller always writes `if (!r.ok) … r.error …`, whatever it called.
// Thrown errors are left for bugs and infrastructure failures (the database is down), which the
// surface turns into a 500 or the worker into a retry.

/** A success and its values. */
export type Ok<T extends object = Record<never, never>> = { ok: true } & T;

/** A failure and why. */
export type Err<E> = { ok: false; error: E };

/** What a boundary returns: `if (!result.ok) … result.error …` else the values. */
export type Result<T extends object, E> = Ok<T> | Err<E>;

/** The `error` of a use-case: a stable code plus one plain sentence for its audience. */
export interface Problem<Code extends string = string> {
  code: Code;
  message: string;
}

/**
 * @example
 *   return ok({ reward, created: true });
 */
export function ok<T extends object>(values: T): Ok<T> {
  return { ok: true, ...values };
}

/**
 * @example
 *   return err({ code: "not_found", message: "This reward doesn't exist in this shop." });
 */
export function err<E>(error: E): Err<E> {
  return { ok: false, error };
}
