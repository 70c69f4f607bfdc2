// The reward use-cases' dependencies for a request from the embedded admin: the app's database,
// logger and clock, and the Admin API of the merchant's authenticated session.
import { defaultRewardDeps } from "~/services/rewards/deps.server";
import type { RewardDeps } from "~/services/rewards/deps.server";
import type { AdminGraphql } from "~/shopify/graphql.server";

export function adminRequestDeps(graphql: unknown): Promise<RewardDeps> {
  // authenticate.admin's `admin.graphql` is the library's typed client; the use-cases take the
  // plain (query, {variables}) → Response function it is.
  return defaultRewardDeps({ adminFor: async () => graphql as AdminGraphql });
}

/**
 * The staff member behind an admin request: the session token's `sub`, "the user that the session
 * token is intended for" (https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens#payload).
 * The app's sessions are offline (no `onlineAccessInfo`), so the token is the only place that says
 * who pressed the button. Every audited admin action (points adjustments, code reveals, resolved
 * failures) takes it from here.
 */
export function staffIdOf(context: { sessionToken?: { sub?: unknown } | null }): string | null {
  const sub = context.sessionToken?.sub;
  return typeof sub === "string" && sub !== "" ? sub : null;
}
