// The one way the app reads what a request carries — its body and its URL — before acting on it:
//   - bodies are bounded on the bytes actually received (Content-Length may be absent — chunked —
//     or lie); over the limit the read stops at once and the caller answers 413;
//   - text that cannot be stored or compared is refused: a control character (U+0000 NUL above all,
//     which PostgreSQL's text type rejects — https://www.postgresql.org/docs/current/datatype-character.html —
//     so a NUL reaching a query is a server error there, and silently different data on SQLite);
//   - text whose display can differ from what is stored is refused: Unicode's bidirectional
//     formatting characters (app/domain/text.ts hasBidiControls), naming the field;
//   - forms and JSON objects are parsed here, malformed ones refused.
// Used by the webhook pipeline (docs/decisions/014), the storefront (app proxy) and the admin.
import { json } from "@remix-run/node";
import { env } from "~/env.server";
// The one rule for control characters, shared with the readers of webhook payloads.
import { hasBidiControls, hasControlCharacters, removeBidiControls } from "~/domain/text";

/** After a 413: how much more of the body is read (and dropped) before the connection is cut. */
const LINGER_BYTES = 16 * 1024 * 1024;

/**
 * "Lingering close": keep reading — and dropping — what the sender still has in flight for a
 * while, so the 413 reaches it instead of a connection reset (closing a socket with unread input
 * makes the kernel answer with RST, which can discard the response). A sender that keeps going past
 * LINGER_BYTES is cut off. Memory stays bounded: nothing read here is kept.
 */
function lingerThenCancel(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  void (async () => {
    let dropped = 0;
    try {
      while (dropped < LINGER_BYTES) {
        const { done, value } = await reader.read();
        if (done) return;
        dropped += value.byteLength;
      }
      await reader.cancel();
    } catch {
      // The sender went away: nothing to do.
    }
  })();
}

/**
 * `too_large`: over this body's limit; `busy`: over the budget of bodies being read at once (answer
 * 503); `encoded`: sent with a Content-Encoding (answer 415, nothing read).
 */
export type BodyBytes = { ok: true; bytes: Buffer } | { ok: false; problem: "too_large" | "busy" | "encoded" };

/**
 * Whether the body comes with a content coding (`Content-Encoding: gzip`, …) other than `identity`.
 * The app reads every body as it is sent — Shopify's webhooks come uncompressed
 * (https://shopify.dev/docs/apps/build/webhooks/subscribe/https), browsers never compress what they
 * send — so such a body would be read as bytes it is not (a webhook's HMAC checked over them, the
 * storefront's JSON or an admin form parsed from them) and refused for a reason that says nothing
 * of the cause. One rule for every surface: 415 before anything is read.
 */
export function hasContentCoding(request: Request): boolean {
  const coding = request.headers.get("content-encoding");
  return coding !== null && coding.trim().toLowerCase() !== "identity";
}

/**
 * Bytes of budgeted request bodies this process is reading right now, all requests together. Each
 * body is bounded by its own limit, but not their number: a webhook body (5 MB) is read whole before
 * its HMAC can be checked, so 200 unsigned uploads at once held a gigabyte. A reader that passes
 * `{ budgeted: true }` shares BODY_BYTES_IN_FLIGHT (app/env.server.ts); over it the read stops and
 * the request is refused as busy (503, Retry-After: Shopify retries a delivery). The other readers
 * (storefront 2 KB, login 4 KB, admin forms after the session check) hold too little to need it.
 */
let bodyBytesInFlight = 0;

/** Seconds a refused sender is asked to wait (Retry-After of a 503 `busy`). */
export const BUSY_RETRY_AFTER_SECONDS = 5;

/**
 * The sender closed its connection before its body was all sent (a shopper closing the tab while a
 * request is on its way, a client giving up): no failure of the app, and no one left to answer. A
 * read of the body that fails is nothing else — the body is the client's stream — so the one
 * reader (readBodyBytes) throws this for it, and a surface logs it at info ("sender went away"),
 * never at error with a stack. `code` stays the connection's (ECONNRESET, as Node reports an
 * aborted request), which the server (server/fetch-server.mjs, isClientGone) does not report either.
 */
export class SenderGoneError extends Error {
  readonly code: string;
  constructor(cause: unknown) {
    super("the sender went away before its body was complete", { cause });
    this.name = "SenderGoneError";
    const code = (cause as { code?: unknown } | null)?.code;
    this.code = typeof code === "string" ? code : "ECONNRESET";
  }
}

/**
 * Reads the body, counting the bytes actually received. A declared Content-Length over the limit
 * is refused before reading; otherwise at most `maxBytes` plus one chunk is ever held in memory, and
 * the bodies of all requests being read at once stay within the process's budget (above). A sender
 * that goes away mid-body is a thrown SenderGoneError.
 */
export async function readBodyBytes(request: Request, maxBytes: number, options: { budgeted?: boolean } = {}): Promise<BodyBytes> {
  if (hasContentCoding(request)) return { ok: false, problem: "encoded" };
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) return { ok: false, problem: "too_large" };
  if (!request.body) return { ok: true, bytes: Buffer.alloc(0) };
  const budget = options.budgeted ? env().BODY_BYTES_IN_FLIGHT : Infinity;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw new SenderGoneError(error);
      }
      const { done, value } = chunk;
      if (done) break;
      total += value.byteLength;
      if (options.budgeted) bodyBytesInFlight += value.byteLength;
      const problem = total > maxBytes ? "too_large" : bodyBytesInFlight > budget ? "busy" : null;
      if (problem) {
        chunks.length = 0;
        lingerThenCancel(reader);
        return { ok: false, problem };
      }
      chunks.push(value);
    }
    return { ok: true, bytes: Buffer.concat(chunks, total) };
  } finally {
    // Given back however the read ends: read, refused, or the sender gone mid-body.
    if (options.budgeted) bodyBytesInFlight -= total;
  }
}

/** Why a body was refused; each surface words it for its audience. */
export type InputProblem =
  /** Not the content type this endpoint reads. */
  | "unsupported_media_type"
  /** Sent with a Content-Encoding (hasContentCoding): the bytes are not the body's text. */
  | "content_encoding"
  /** More bytes than the endpoint's limit. */
  | "too_large"
  /** Not parseable as the expected format (or the wrong shape, e.g. a JSON array). */
  | "malformed"
  /** A value holds a control character (see CONTROL_CHARACTERS). */
  | "control_characters"
  /** A value holds a text-direction character (app/domain/text.ts hasBidiControls); `field` names it. */
  | "bidi_controls"
  /** JSON nested deeper than MAX_JSON_DEPTH. */
  | "too_deep"
  /** A JSON object names the same member twice; `field` names it. */
  | "duplicate_field"
  /** Bytes (or a form's %XX escapes) that are not UTF-8 text (utf8Text). */
  | "not_utf8";

export type InputRead<T> = ({ ok: true } & T) | { ok: false; status: 400 | 413 | 415; problem: InputProblem; field?: string };

const refuse = (status: 400 | 413 | 415, problem: InputProblem, field?: string) => ({ ok: false as const, status, problem, ...(field === undefined ? {} : { field }) });

/** A field's name as an error quotes it: bounded, and itself free of the characters it is refused for. */
const fieldName = (key: string) => removeBidiControls(key).slice(0, 50);

/**
 * How deeply a JSON body the app reads may nest. Shopify's deepest bodies (an order's
 * `line_items[].tax_lines[].price_set.shop_money`) nest well under 10 levels; storefront bodies are
 * flat. JSON.parse takes 100 000 levels, but JSON.stringify and any recursive walk of the result
 * (the privacy scrub of a webhook body, app/services/compliance/privacy.server.ts) overflow the stack
 * from a few thousand: a body nested deeper is refused where it is read.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON text nests objects and arrays deeper than `max`, by one pass over the text (no
 * recursion, whatever the depth). Meant for text JSON.parse has accepted: brackets inside strings
 * are skipped, escapes included.
 */
export function jsonNestedDeeperThan(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * `application/json`, with or without parameters — the media type itself, not a prefix: `\b` let
 * application/json-patch+json, /jsonp or /json5 through. One rule for the storefront's JSON and
 * Shopify's webhooks (https://shopify.dev/docs/apps/build/webhooks/subscribe/https: JSON deliveries).
 */
export function isJsonMediaType(contentType: string | null): boolean {
  return /^application\/json\s*(?:;|$)/i.test(contentType ?? "");
}

/**
 * The first member name that appears twice in one object of JSON text, if any — by one pass over the
 * text, like jsonNestedDeeperThan (meant for text JSON.parse has accepted). JSON.parse keeps the
 * last value of a repeated name silently, other readers the first (RFC 8259 §4: names SHOULD be
 * unique, and with duplicates "the behavior of software that receives such an object is
 * unpredictable"): `{"birthday":"13-45","birthday":"05-01"}` would be one request to one reader
 * and another to the next. Names are compared decoded (`"a"` and `"\u0061"` are one name).
 */
export function jsonDuplicateName(text: string): string | null {
  // One entry per open object or array: the names seen so far, or null for an array.
  const open: (Set<string> | null)[] = [];
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i;
      for (i++; text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      const names = open[open.length - 1];
      if (expectName && names) {
        const name = JSON.parse(text.slice(start, i + 1)) as string;
        if (names.has(name)) return name;
        names.add(name);
      }
      expectName = false;
    } else if (c === 0x7b) {
      open.push(new Set());
      expectName = true;
    } else if (c === 0x5b) {
      open.push(null);
      expectName = false;
    } else if (c === 0x7d || c === 0x5d) {
      open.pop();
      expectName = false;
    } else if (c === 0x2c) expectName = open[open.length - 1] != null;
  }
  return null;
}

// `fatal`: bytes that are not UTF-8 are an error, not U+FFFD; `ignoreBOM`: a byte order mark stays
// in the text (JSON.parse refuses it, as before).
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The body's bytes as UTF-8 text, or null when they are not UTF-8. Every reader of the app takes its
 * bodies as UTF-8 (JSON must be: RFC 8259 §8.1); a lossy decode would silently put U+FFFD in place
 * of the bytes it cannot read, and that replacement would be stored as if it had been sent.
 */
export function utf8Text(bytes: Uint8Array): string | null {
  try {
    return UTF8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Whether every run of %XX escapes in an urlencoded body decodes as UTF-8: URLSearchParams (the
 * platform's form parser) replaces a run that does not (`name=%FF`) with U+FFFD without a word.
 */
function percentEscapesAreUtf8(text: string): boolean {
  for (const run of text.matchAll(/(?:%[0-9A-Fa-f]{2})+/g)) {
    try {
      decodeURIComponent(run[0]);
    } catch {
      return false;
    }
  }
  return true;
}

/** Whether any string in a parsed JSON value (keys included) fails `test`. */
function jsonHasText(value: unknown, test: (text: string) => boolean, depth = 0): boolean {
  if (typeof value === "string") return test(value);
  if (value === null || typeof value !== "object") return false;
  // JSON.parse already bounds nesting by the body's size; this bounds the walk too.
  if (depth > MAX_JSON_DEPTH) return true;
  if (Array.isArray(value)) return value.some((v) => jsonHasText(v, test, depth + 1));
  return Object.entries(value).some(([k, v]) => test(k) || jsonHasText(v, test, depth + 1));
}

/**
 * A JSON object body of at most `maxBytes`: `Content-Type: application/json` (which a plain
 * cross-site form cannot send without a CORS preflight), parseable, an object (not an array, null
 * or a scalar), nested at most MAX_JSON_DEPTH levels (the webhook pipeline's rule), each member
 * named once per object, and free of control characters.
 */
export async function readJsonObject(request: Request, maxBytes: number): Promise<InputRead<{ body: Record<string, unknown> }>> {
  if (!isJsonMediaType(request.headers.get("content-type"))) return refuse(415, "unsupported_media_type");
  const read = await readBodyBytes(request, maxBytes);
  if (!read.ok) return read.problem === "encoded" ? refuse(415, "content_encoding") : refuse(413, "too_large");
  const text = utf8Text(read.bytes);
  if (text === null) return refuse(400, "not_utf8");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return refuse(400, "malformed");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) return refuse(400, "malformed");
  // Before the text checks below: their walk stops at this depth and would call it a control character.
  if (jsonNestedDeeperThan(text)) return refuse(400, "too_deep");
  if (jsonHasText(body, hasControlCharacters)) return refuse(400, "control_characters");
  // The storefront's fields are codes, ids and dates, each read by a strict pattern; this keeps
  // any text a shopper types from holding direction characters either.
  const bidi = Object.entries(body).find(([k, v]) => hasBidiControls(k) || jsonHasText(v, hasBidiControls));
  if (bidi) return refuse(400, "bidi_controls", fieldName(bidi[0]));
  const twice = jsonDuplicateName(text);
  if (twice !== null) return refuse(400, "duplicate_field", fieldName(twice));
  return { ok: true, body: body as Record<string, unknown> };
}

const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i;

/**
 * A web form body (urlencoded or multipart) of at most `maxBytes`, parsed by the platform's own
 * FormData parser, with text fields only (no field of the app is a file) and no control characters.
 */
export async function readForm(request: Request, maxBytes: number): Promise<InputRead<{ form: FormData }>> {
  const type = request.headers.get("content-type") ?? "";
  if (!FORM_TYPES.test(type)) return refuse(415, "unsupported_media_type");
  const read = await readBodyBytes(request, maxBytes);
  if (!read.ok) return read.problem === "encoded" ? refuse(415, "content_encoding") : refuse(413, "too_large");
  const text = utf8Text(read.bytes);
  if (text === null || (/^application\/x-www-form-urlencoded/i.test(type) && !percentEscapesAreUtf8(text))) return refuse(400, "not_utf8");
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(read.bytes), { headers: { "content-type": type } }).formData();
  } catch {
    return refuse(400, "malformed");
  }
  for (const [key, value] of form.entries()) {
    if (typeof value !== "string") return refuse(400, "malformed");
    if (hasControlCharacters(key) || hasControlCharacters(value)) return refuse(400, "control_characters");
    if (hasBidiControls(key) || hasBidiControls(value)) return refuse(400, "bidi_controls", fieldName(key));
  }
  return { ok: true, form };
}

/** Admin forms: the largest is a pasted list of 1,000 emails (about 50 KB encoded). */
export const MAX_ADMIN_FORM_BYTES = 256 * 1024;

const ADMIN_FORM_MESSAGES: Record<InputProblem, string> = {
  unsupported_media_type: "This form must be sent as a web form (application/x-www-form-urlencoded or multipart/form-data).",
  content_encoding: "This form was sent compressed (Content-Encoding); send it uncompressed.",
  too_large: `This form is too large (at most ${MAX_ADMIN_FORM_BYTES / 1024} KB).`,
  malformed: "This form couldn't be read. Reload the page and try again.",
  control_characters: "A field contains control characters (such as NUL) that can't be saved. Remove them and try again.",
  bidi_controls: "A field contains invisible text-direction characters. Remove them and try again.",
  // JSON problems: forms never have them.
  too_deep: "This form couldn't be read. Reload the page and try again.",
  duplicate_field: "A field was sent more than once; send it once.",
  not_utf8: "This form holds text that is not UTF-8 (a character that can't be read). Reload the page and try again.",
};

/** The admin's words for a field holding text-direction characters, naming it. */
function bidiMessage(field: string): string {
  return `The field "${field}" contains invisible text-direction characters (such as U+202E or U+200F, often pasted along with text): they can make it display differently than it is saved. Remove them and try again.`;
}

/**
 * The admin's form reader, for every admin action: the form, or a thrown JSON 4xx `{ ok: false,
 * message }` (the shape the admin's forms read) that Remix answers as is.
 */
export async function readAdminForm(
  request: Request,
  options: { maxBytes?: number; repeatable?: readonly string[] | ((form: FormData) => readonly string[]) } = {},
): Promise<FormData> {
  const read = await readForm(request, options.maxBytes ?? MAX_ADMIN_FORM_BYTES);
  if (!read.ok) {
    if (read.problem === "bidi_controls" && read.field !== undefined) throw json({ ok: false, message: bidiMessage(read.field), field: read.field }, { status: read.status });
    throw json({ ok: false, message: ADMIN_FORM_MESSAGES[read.problem] }, { status: read.status });
  }
  // A field the form sends once, sent twice, is ambiguous: some readers take the first value
  // (`form.get`), others the last (`Object.fromEntries`). Only the fields a form really repeats
  // (`repeatable`, e.g. the selected rows of a bulk action) may appear more than once — for a route
  // with several actions, only in the action that repeats it (a function of the form: its intent).
  const repeatable = typeof options.repeatable === "function" ? options.repeatable(read.form) : (options.repeatable ?? []);
  const seen = new Set<string>();
  for (const key of read.form.keys()) {
    if (seen.has(key) && !repeatable.includes(key)) {
      throw json({ ok: false, message: `The field "${key.slice(0, 50)}" was sent more than once; send it once.` }, { status: 400 });
    }
    seen.add(key);
  }
  return read.form;
}

/**
 * Whether a URL's path or query holds a control character once decoded (`%00` in an id or a
 * search). Such a URL names nothing the app has; it is refused before anything is looked up.
 */
export function urlHasControlCharacters(url: string | URL): boolean {
  const parsed = new URL(String(url));
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    // Not valid percent-encoding: not a path of the app either.
    return true;
  }
  if (hasControlCharacters(path)) return true;
  for (const [key, value] of parsed.searchParams) if (hasControlCharacters(key) || hasControlCharacters(value)) return true;
  return false;
}

/**
 * The first query parameter that appears more than once, if any. Every filter, sort and cursor of
 * the admin is single-valued: `?status=ISSUED&status=FAILED` would otherwise be read as its first
 * value and silently drop the second (a CSV export of half what was asked).
 */
export function repeatedQueryParameter(url: string | URL): string | null {
  const seen = new Set<string>();
  for (const key of new URL(String(url)).searchParams.keys()) {
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return null;
}

/**
 * Whether a URL's path or query holds a run of percent-escapes that is not UTF-8 (`/%FF`,
 * `/assets/%C0%AF.js`: an overlong `/`; `?shop=%FF`). Such a URL names nothing in the app, and every
 * reader of it fails in its own way: `decodeURIComponent` throws (the static file lookup's 500),
 * Remix's router logs a warning and answers 404, and URLSearchParams — what every route and the
 * library read the query with — puts U+FFFD in place of the bytes without a word (a search for
 * "\uFFFD", the library's shop check failing with a 500 on /auth/session-token). server/app-handler.mjs
 * asks this first, for every request (through app/entry.server.tsx, refuseUnreadableUrl), and answers 400.
 */
export function urlHasUnreadableEscapes(url: string | URL): boolean {
  const parsed = new URL(String(url));
  return !percentEscapesAreUtf8(parsed.pathname) || !percentEscapesAreUtf8(parsed.search);
}

export const UNREADABLE_URL_MESSAGE = "This address holds percent-escapes (such as %FF) that are not UTF-8 text, so it names nothing in this app.";

export const URL_CONTROL_CHARACTERS_MESSAGE = "This address contains control characters (such as %00) or broken percent-encoding, and names nothing in this app.";
