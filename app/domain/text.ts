// Text the app cannot store or compare: the one rule, shared by the request reader
// (app/request-input.server.ts) and the readers of webhook payloads.

/**
 * C0 control characters and DEL, except tab, line feed and carriage return (which a textarea can
 * send). No field, id, code or search of the app has a use for them, and U+0000 (NUL) cannot even be
 * stored by PostgreSQL's text type (https://www.postgresql.org/docs/current/datatype-character.html).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTERS.test(text);
}

const CONTROL_CHARACTERS_ALL = new RegExp(CONTROL_CHARACTERS.source, "g");

/**
 * The text with each of those characters written as a `\uXXXX` escape: for app-written text that
 * quotes what it was given (an error message echoing a payload), so it can always be stored.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS_ALL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Unicode's bidirectional formatting characters (Unicode Standard Annex #9): the embeddings and
 * overrides U+202A–U+202E, the isolates U+2066–U+2069 and the direction marks U+200E, U+200F and
 * U+061C. They are invisible and change how the text around them is displayed: "Gold\u202Eyxe" shows
 * as "Goldexy", so a tier or reward name, a reason or an amount could be shown differently than it
 * is stored ("Trojan Source", CVE-2021-42574). Right-to-left text itself (Hebrew, Arabic) needs none
 * of them. Refused in what merchants and shoppers type (app/request-input.server.ts).
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

export function hasBidiControls(text: string): boolean {
  return BIDI_CONTROLS.test(text);
}

const BIDI_CONTROLS_ALL = new RegExp(BIDI_CONTROLS.source, "g");

/** The text without those characters: for app-written text that quotes what it was given (an error naming a field). */
export function removeBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS_ALL, "");
}

/**
 * The text's first `max` characters (code points), never half of one: `String#slice` counts UTF-16
 * code units, so a cut after the first half of an emoji (two units) left a lone surrogate, which
 * neither database stores as it is (both wrote U+FFFD) and JSON sends as an escape no screen shows.
 * The one way the app shortens a text it keeps or shows (a customer's name from a webhook, an entry
 * quoted back to the merchant).
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  return Array.from(text).slice(0, max).join("");
}

/**
 * How many characters (code points) a text has: the measure of every length limit on what people
 * type, taken on the text as stored (composed, NFC). `String#length` counts UTF-16 code units: an
 * emoji is two, and so was an accent typed as a combining mark before NFC joined it to its letter.
 */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * `text` with a–z upper-cased and every other character as it is (no Unicode case mapping): the
 * case rule of reward and referral codes (app/domain/rewards/codes.ts `codeKey`).
 */
export function asciiUpperCase(text: string): string {
  return text.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

/**
 * `text` with A–Z lower-cased and every other character as it is: `toLowerCase` also maps letters
 * that are not ASCII onto ASCII ones (the Kelvin sign U+212A → "k", "İ" → "i̇"), so two different
 * addresses compared through it could be "the same". The case rule of emails (app/domain/customer-email.ts `emailKey`).
 */
export function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
