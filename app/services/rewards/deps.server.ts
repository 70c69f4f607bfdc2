// What the reward use-cases need from the outside world, passed in explicitly so tests can use the
// per-file database, the emulator's Admin API (through the real library), a fake clock and fault
// hooks, while production gets the app's singletons.
import defaultDb, { type Db } from "~/db.server";
import type { RandomBytes } from "~/domain/rewards";
import { logger as defaultLogger, type Logger } from "~/logger.server";
import { unauthenticated } from "~/shopify.server";
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
}

/** Production Admin API access: the shop's stored offline session via the Shopify library. */
export async function unauthenticatedAdminFor(shop: string): Promise<AdminGraphql> {
  const { admin } = await unauthenticated.admin(shop);
  return admin.graphql as unknown as AdminGraphql;
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
  };
}
