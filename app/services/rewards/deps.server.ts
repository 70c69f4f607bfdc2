// What the reward use-cases need from the outside world, passed in explicitly so tests can use the
// per-file database, the emulator's Admin API (through the real library), a fake clock and fault
// hooks, while production gets the app's singletons.
import defaultDb, { type Db } from "~/db.server";
import type { RandomBytes } from "~/domain/rewards";
import { logger as defaultLogger, type Logger } from "~/logger.server";
import { refreshingAdminGraphql, type FreshToken } from "~/services/lifecycle/offline-token.server";
import { ensureOfflineToken, unauthenticated } from "~/shopify.server";
import type { AdminGraphql, RunOptions } from "~/shopify/graphql.server";

// The call types the reward use-cases take, re-exported so that the layers above the services
// (app/jobs) never import an app/shopify module themselves.
export type { AdminGraphql, QueryCost, RunOptions } from "~/shopify/graphql.server";

export type Clock = () => Date;

export interface RewardDeps {
  db: Db;
  /** The Admin GraphQL function of a shop's offline session (production: `unauthenticated.admin`). */
  adminFor: (shop: string) => Promise<AdminGraphql>;
  now: Clock;
  logger: Logger;
  /** Options for every Admin API call made for `shop` (timeouts, cost reports for pacing). */
  runOptions?: (shop: string) => RunOptions;
  /** Randomness for reward codes (cryptographic by default). */
  random?: RandomBytes;
  /**
   * Exchanges the shop's non-expiring offline token for an expiring one (production: the coordinated
   * migration in app/services/lifecycle/offline-token.server.ts). Absent: the worker migrates nothing.
   */
  migrateOfflineToken?: (shop: string) => Promise<FreshToken>;
}

/**
 * Production Admin API access: the shop's stored offline session via the Shopify library, its token
 * refreshed before expiry and again after a 401 (app/services/lifecycle/offline-token.server.ts).
 */
export async function unauthenticatedAdminFor(shop: string): Promise<AdminGraphql> {
  const load = async () => {
    const { admin, session } = await unauthenticated.admin(shop);
    return { graphql: admin.graphql as unknown as AdminGraphql, accessToken: session.accessToken ?? "" };
  };
  // The first load throws SessionNotFoundError at once, as before, when the shop has no session.
  return refreshingAdminGraphql(shop, await load(), load, ensureOfflineToken);
}

/** The app's own dependencies, with any of them replaced. */
export async function defaultRewardDeps(overrides: Partial<RewardDeps> = {}): Promise<RewardDeps> {
  return {
    db: overrides.db ?? defaultDb,
    logger: overrides.logger ?? defaultLogger,
    adminFor: overrides.adminFor ?? unauthenticatedAdminFor,
    now: overrides.now ?? (() => new Date()),
    ...(overrides.runOptions ? { runOptions: overrides.runOptions } : {}),
    ...(overrides.random ? { random: overrides.random } : {}),
    migrateOfflineToken: overrides.migrateOfflineToken ?? ((shop) => ensureOfflineToken(shop, { migrate: true })),
  };
}
