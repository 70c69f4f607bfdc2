// The preamble of the points-redemption tests (app/services/rewards/redeem-points.server.test.ts and
// recover-redemptions.server.test.ts): the use-case's dependencies on the real database and the
// emulator, fresh idempotency keys, customers with a balance, and the discounts Shopify holds for one.
import db from "~/db.server";
import { logger } from "~/logger.server";
import type { RewardDeps } from "~/services/rewards/deps.server";
import type { RedeemOptions } from "~/services/rewards/redeem-points.server";
import { TEST_APP } from "./constants";
import { createCustomer } from "./factories";
import type { EmulatorFixture } from "./shopify";

export function redemptionHarness(fixture: Pick<EmulatorFixture, "emulator" | "adminGraphql">, keyPrefix: string) {
  let keys = 0;
  return {
    deps(over: Partial<RewardDeps & RedeemOptions> = {}): RewardDeps & RedeemOptions {
      return { db, logger, adminFor: (shop) => fixture.adminGraphql(shop), now: () => new Date(), pollMs: 20, ...over };
    },
    /** A new idempotency key, as the storefront sends one per redemption. */
    newKey: () => `${keyPrefix}-${Date.now()}-${++keys}`,
    customerWith: (points: number, shop: string = TEST_APP.shop) => createCustomer(db, shop, { pointsBalance: points }, fixture.emulator),
    /** The discounts in Shopify that only this customer can use. */
    discountsFor: (shop: string, customerGid: string) =>
      fixture.emulator.inspect.discounts(shop).filter((d) => d.context.kind === "customers" && d.context.customerIds.includes(customerGid)),
  };
}
