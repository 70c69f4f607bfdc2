// How every storefront (app proxy) endpoint reads a POST body: the app's one bounded reader
// (app/request-input.server.ts — the bytes actually received are counted, so a chunked body without
// Content-Length is cut off at the limit too), a JSON object, no control characters. Each endpoint
// keeps its own sentences for a body of the wrong type and for one it can't use.
import { MAX_JSON_DEPTH, readJsonObject, type InputProblem } from "~/request-input.server";

/** Largest storefront request body: every endpoint takes a couple of short strings and a number. */
export const MAX_STOREFRONT_BODY_BYTES = 2_048;

export const BODY_MESSAGES = {
  tooLarge: "This request is too large. Please reload the page and try again.",
  contentEncoding: "This request was sent compressed (Content-Encoding). Send it uncompressed, then try again.",
  controlCharacters: "This request contains characters that can't be used (control characters). Please reload the page and try again.",
  bidiControls: "This request contains invisible text-direction characters that can't be used. Please remove them and try again.",
  tooDeep: `This request is nested more than ${MAX_JSON_DEPTH} levels deep. Please reload the page and try again.`,
  notUtf8: "This request holds text that is not UTF-8 (a character that can't be read). Please reload the page and try again.",
  duplicateField: (field: string) => `This request gives the field "${field}" more than once. Send each field once, then try again.`,
} as const;

export type StorefrontBodyRead =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; status: 400 | 413 | 415; code: "invalid_request" | "unsupported_media_type" | "payload_too_large"; message: string };

/**
 * The JSON object body of a storefront POST. `words`: the endpoint's sentence for a body that is
 * not `application/json`, and for one that is not a JSON object.
 */
export async function readStorefrontJson(request: Request, words: { notJson: string; invalid: string }): Promise<StorefrontBodyRead> {
  const read = await readJsonObject(request, MAX_STOREFRONT_BODY_BYTES);
  if (read.ok) return read;
  const answers: Record<InputProblem, Omit<Extract<StorefrontBodyRead, { ok: false }>, "ok" | "status">> = {
    unsupported_media_type: { code: "unsupported_media_type", message: words.notJson },
    content_encoding: { code: "unsupported_media_type", message: BODY_MESSAGES.contentEncoding },
    too_large: { code: "payload_too_large", message: BODY_MESSAGES.tooLarge },
    malformed: { code: "invalid_request", message: words.invalid },
    control_characters: { code: "invalid_request", message: BODY_MESSAGES.controlCharacters },
    bidi_controls: { code: "invalid_request", message: BODY_MESSAGES.bidiControls },
    too_deep: { code: "invalid_request", message: BODY_MESSAGES.tooDeep },
    duplicate_field: { code: "invalid_request", message: BODY_MESSAGES.duplicateField(read.field ?? "") },
    not_utf8: { code: "invalid_request", message: BODY_MESSAGES.notUtf8 },
  };
  return { ok: false, status: read.status, ...answers[read.problem] };
}
