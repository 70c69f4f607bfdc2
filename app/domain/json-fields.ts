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

const JSON_WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

/**
 * Whether JSON text names one key twice in an object (`{"email":"a@x","email":"b@y"}`). RFC 8259 §4
 * leaves such an object's meaning open and JSON.parse keeps the last value, so what was parsed is
 * not all the text holds. Keys are compared as decoded (`"\u0061"` is `"a"`). For text JSON.parse
 * accepted.
 */
export function hasDuplicateKeys(text: string): boolean {
  // One entry per open object (its keys so far) or array (null).
  const open: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "{") open.push(new Set());
    else if (ch === "[") open.push(null);
    else if (ch === "}" || ch === "]") open.pop();
    else if (ch === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === "\\") i++;
      let next = i + 1;
      while (JSON_WHITESPACE.has(text[next])) next++;
      const keys = open.at(-1);
      if (text[next] !== ":" || !keys) continue;
      const key = JSON.parse(text.slice(start, i + 1)) as string;
      if (keys.has(key)) return true;
      keys.add(key);
    }
  }
  return false;
}
