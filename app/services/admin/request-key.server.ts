// A form's request key: made by an admin form when it is shown or opened and sent with it, so the
// same form posted twice — a double click, a resubmit, a request the browser or a proxy sent again —
// has one effect. One rule and one name (`requestKey`) for every admin form that carries one: the
// manual issue, the points adjustment, the bulk issue, a new way to redeem and a new VIP entry
// reward. A key that is not one is refused, never ignored: ignoring it made a second
// post a second effect. docs/decisions/026 (addendum: admin audit 3).
import { createHash } from "node:crypto";

/** What a request key looks like: letters, digits, `-` and `_`, 8 to 64 of them. */
export const REQUEST_KEY = /^[A-Za-z0-9_-]{8,64}$/;

/** The merchant's words for a key that isn't one (a form from an old page, or not the app's). */
export const REQUEST_KEY_REFUSED = "This form is out of date (its request key is not valid). Reload the page and try again.";

/**
 * A form field holding a request key: `key: null` when the form sent none (nothing makes the post
 * idempotent then), the key when it is one, else refused.
 */
export function parseRequestKey(value: unknown): { ok: true; key: string | null } | { ok: false; message: string } {
  if (value === undefined || value === null || value === "") return { ok: true, key: null };
  if (typeof value === "string" && REQUEST_KEY.test(value)) return { ok: true, key: value };
  return { ok: false, message: REQUEST_KEY_REFUSED };
}

/**
 * The id of the row a form's key creates (`prefix` names the table): derived from the shop and the
 * key, so two shops never collide and a twin post of the same form finds the row the first one made
 * (or fails on the primary key while the first one commits).
 */
export function idForRequestKey(prefix: string, shop: string, key: string): string {
  return `${prefix}${createHash("sha256").update(`${shop}\n${key}`).digest("hex").slice(0, 30)}`;
}
