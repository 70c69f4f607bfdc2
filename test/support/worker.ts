// The preamble of tests that drive the reward worker against the real database and the emulator
// (app/jobs/worker.server.test.ts, app/services/rewards/generate-pending.server.test.ts): a customer
// and a referral template in `shop`, a hand-moved clock, the worker's dependencies and config, and
// `pending()` to queue a reward the worker will generate.
//
// Call it AFTER the test file's own `beforeAll` that installs `shop` in the emulator: hooks run in
// the order they are registered.
import { beforeAll, beforeEach } from "vitest";
import type { Customer, RewardTemplate } from "@prisma/client";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { workerConfig, type WorkerConfig, type WorkerDeps } from "~/jobs/worker.server";
import { issueRewardAsync } from "~/services/rewards/issue-async.server";
import { testClock, type TestClock } from "./clock";
import { createCustomer, createTemplate } from "./factories";
import type { EmulatorFixture } from "./shopify";

type QueuedReward = Extract<Awaited<ReturnType<typeof issueRewardAsync>>, { ok: true }>["reward"];

export interface RewardWorkerFixture {
  /** The services' and the worker's `now()`; back at the real time before every test. */
  readonly clock: TestClock;
  /** A customer of `shop` (created once per file). */
  readonly customer: Customer;
  /** A $5 referral template of `shop`, 14 days expiry, no points cost. */
  readonly template: RewardTemplate;
  deps(over?: Partial<WorkerDeps>): WorkerDeps;
  config(over?: Partial<WorkerConfig>): WorkerConfig;
  /** Queues a Pending referral reward (as `issueRewardAsync` does in production). */
  pending(shop?: string, who?: Customer, template?: RewardTemplate): Promise<QueuedReward>;
}

export function useRewardWorker(fixture: Pick<EmulatorFixture, "emulator" | "adminGraphql">, shop: string): RewardWorkerFixture {
  const clock = testClock();
  let customer: Customer | undefined;
  let template: RewardTemplate | undefined;
  const once = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useRewardWorker: the ${what} is created in beforeAll; use it inside a test or a later hook`);
    return value;
  };

  beforeAll(async () => {
    customer = await createCustomer(db, shop, {}, fixture.emulator);
    template = await createTemplate(db, shop, { purpose: "REFERRAL", kind: "FIXED_AMOUNT", value: "5.00", pointsCost: null, expiryDays: 14 });
  });
  beforeEach(async () => {
    // Work is claimed across shops, so every test starts with no rewards at all.
    await db.reward.deleteMany();
    clock.set(new Date());
  });

  const self: RewardWorkerFixture = {
    clock,
    get customer() {
      return once(customer, "customer");
    },
    get template() {
      return once(template, "template");
    },
    deps: (over = {}) => ({ db, logger, adminFor: (s) => fixture.adminGraphql(s), now: clock.now, ...over }),
    config: (over = {}) => workerConfig({ workerId: "worker-a", leaseMs: 60_000, jitterRandom: () => 0, perShopConcurrency: 1, shopifyTimeoutMs: 2_000, ...over }),
    async pending(forShop = shop, who = self.customer, tpl = self.template) {
      const r = await issueRewardAsync(self.deps(), { shop: forShop, customer: { id: who.id }, templateId: tpl.id, source: "REFERRAL", reason: "Referred a friend" });
      if (!r.ok) throw new Error(r.error.message);
      return r.reward;
    },
  };
  return self;
}
