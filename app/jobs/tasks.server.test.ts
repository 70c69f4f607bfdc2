// The worker's list of periodic tasks (what runs between rounds, and how often).
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { heldOrdersDue, takeHeldOrdersMarkedHere } from "~/services/lifecycle/amount-currency.server";
import type { RewardDeps } from "~/services/rewards/deps.server";
import { periodicTasks } from "./tasks.server";

describe("periodicTasks", () => {
  it("applies the webhook inbox, decides orders held for an ended amounts review and advances bulk issues every round, always sweeps abandoned redemptions and runs the points program, the VIP tiers pass, the referrals pass, the dead letters' and the kept refunds' retention, and reads the currency of shops never read; reconciles only when it is turned on", () => {
    const off = periodicTasks({ recoveryEveryMs: 60_000, reconcileAfterMs: 0, reconcileEveryMs: 600_000 });
    expect(off.map((t) => [t.name, t.everyMs])).toEqual([
      ["webhook inbox", 0],
      ["held orders", 0],
      ["held orders marked here", 0],
      ["redemption recovery", 60_000],
      ["bulk issue", 0],
      ["points program", 60_000],
      ["vip tiers", 5_000],
      ["referrals", 60_000],
      ["dead letter bodies", 3_600_000],
      ["kept refunds", 3_600_000],
      ["shop currencies", 300_000],
    ]);

    const on = periodicTasks({ recoveryEveryMs: 30_000, reconcileAfterMs: 86_400_000, reconcileEveryMs: 600_000 });
    expect(on.map((t) => [t.name, t.everyMs])).toEqual([
      ["webhook inbox", 0],
      ["held orders", 0],
      ["held orders marked here", 0],
      ["redemption recovery", 30_000],
      ["bulk issue", 0],
      ["points program", 60_000],
      ["vip tiers", 5_000],
      ["referrals", 60_000],
      ["dead letter bodies", 3_600_000],
      ["kept refunds", 3_600_000],
      ["shop currencies", 300_000],
      ["reconciliation", 600_000],
    ]);
  });

  it("a wake-up (work recorded in this process) runs the webhook inbox and the held orders this process marked due, nothing else", () => {
    const tasks = periodicTasks({ recoveryEveryMs: 1, reconcileAfterMs: 1, reconcileEveryMs: 1, tokenMigrationEveryMs: 1 });
    expect(tasks.filter((t) => t.onWake).map((t) => t.name)).toEqual(["webhook inbox", "held orders marked here"]);
  });

  it("GIVEN wake-ups by webhook deliveries (nothing marked due here) THEN the held orders' wake-up task asks the database nothing; after this process marks held orders due, it looks once (was a Shop query on every wake-up: one per delivery under load)", async () => {
    const task = periodicTasks({ recoveryEveryMs: 1, reconcileAfterMs: 1, reconcileEveryMs: 1 }).find((t) => t.name === "held orders marked here")!;
    takeHeldOrdersMarkedHere();
    let shopReads = 0;
    const counted = new Proxy(db, {
      get(target, property) {
        if (property === "shop") return new Proxy(target.shop, { get: (shop, m) => (m === "findMany" ? (...a: unknown[]) => (shopReads++, (shop.findMany as (...x: unknown[]) => unknown)(...a)) : Reflect.get(shop, m, shop)) });
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const deps = { db: counted, logger, now: () => new Date(), adminFor: () => { throw new Error("no Shopify call expected"); } } as unknown as RewardDeps;
    for (let i = 0; i < 5; i++) await task.run(deps, logger);
    expect(shopReads).toBe(0);
    heldOrdersDue();
    await task.run(deps, logger);
    expect(shopReads).toBe(1);
    await task.run(deps, logger);
    expect(shopReads).toBe(1);
  });

  it("names are unique (they key each task's last run)", () => {
    const tasks = periodicTasks({ recoveryEveryMs: 1, reconcileAfterMs: 1, reconcileEveryMs: 1 });
    expect(new Set(tasks.map((t) => t.name)).size).toBe(tasks.length);
  });
});
