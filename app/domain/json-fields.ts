// The one reader of a field of a parsed JSON body (webhook payloads, Shopify's answers): every effect
// and body shape reads fields through it, so they agree on what "the body has this field" means.
// Plain TypeScript, no imports.

/**
 * `value[key]` when `value` is a JSON object (not null, not an array) that has `key` as its own
 * property; otherwise undefined. Never throws (not even on a getter that does), never reads the prototype (`field({}, "constructor")`
 * is undefined).
 */
export function field(value: unknown, key: string): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  try {
    return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  } catch {
    // A getter that throws (no JSON.parse result has one; a caller's object might).
    return undefined;
  }
}
