// Whether a customers/create or customers/update body says the customer has a customer account: the
// REST Customer resource's `state` (https://shopify.dev/docs/api/admin-rest/latest/resources/customer):
// "disabled" (no active account — Shopify creates these for guest checkouts and imports), "invited"
// (an account invite was sent), "enabled" (the customer has created an account), "declined" (the invite
// was declined). The sign-up bonus goes to customers with an account only (docs/decisions/019, addendum
// of 3 December 2026). Pure: no I/O.
import { field } from "~/domain/json-fields";

export type CustomerAccount =
  | { kind: "account" }
  | { kind: "no_account"; state: "disabled" | "invited" | "declined" }
  /**
   * `state` missing or not one of Shopify's four values. Shopify's docs list `state` as a property of
   * every Customer (no "optional", no fifth value), so this is no customer Shopify describes: it is read
   * as "no account yet" — no bonus from it — and logged. `shown` is safe to log: one of the values'
   * shape (lowercase letters and underscores, at most 32) or a word for what it is instead.
   */
  | { kind: "unknown"; shown: string };

const NO_ACCOUNT = new Set(["disabled", "invited", "declined"]);

export function customerAccountOf(body: unknown): CustomerAccount {
  const state = field(body, "state");
  if (state === "enabled") return { kind: "account" };
  if (typeof state === "string" && NO_ACCOUNT.has(state)) return { kind: "no_account", state: state as "disabled" | "invited" | "declined" };
  if (state === undefined) return { kind: "unknown", shown: "(missing)" };
  if (typeof state === "string") return { kind: "unknown", shown: /^[a-z_]{1,32}$/.test(state) ? state : "(a string of another shape)" };
  return { kind: "unknown", shown: state === null ? "(null)" : `(a ${Array.isArray(state) ? "list" : typeof state})` };
}
