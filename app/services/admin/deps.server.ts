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
