// Status changes go through decideTransition: applied as a compare-and-set with a STATUS_CHANGED
// event, repeats are no-ops, rejections are recorded as TRANSITION_REJECTED.
import { beforeAll, describe, expect, it } from "vitest";
import type { Customer } from "@prisma/client";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { createCustomer, createReward } from "../../../test/support/factories";
import { transitionReward } from "./events.server";

let customer: Customer;
beforeAll(async () => {
  customer = await createCustomer(db, "events.myshopify.com");
});

const events = (rewardId: string) => db.rewardEvent.findMany({ where: { rewardId, type: { not: "CREATED" } } });

describe("transitionReward", () => {
  it("applies an allowed change with its event, and only if the row still has the expected status", async () => {
    const reward = await createReward(db, customer, { status: "PENDING" });
    const applied = await transitionReward(db, logger, {
      reward,
      to: "ISSUED",
      trigger: "GENERATION_SUCCEEDED",
      actor: "WORKER",
      reason: "created",
      shopifyError: { note: "kept as JSON" },
    });
    expect(applied).toEqual({ type: "applied", from: "PENDING", to: "ISSUED" });
    expect(await events(reward.id)).toMatchObject([{ type: "STATUS_CHANGED", fromStatus: "PENDING", toStatus: "ISSUED", actor: "WORKER", shopifyError: '{"note":"kept as JSON"}' }]);
    // Same stale snapshot again: the row is no longer PENDING → conflict, nothing written.
    const stale = await transitionReward(db, logger, { reward, to: "CANCELED", trigger: "MERCHANT_CANCELED", actor: "MERCHANT" });
    expect(stale).toEqual({ type: "conflict" });
    expect(await events(reward.id)).toHaveLength(1);
  });

  it("treats a repeat as a no-op and records a rejected change", async () => {
    const reward = await createReward(db, customer, { status: "ISSUED", kind: "GIFT_CARD" });
    expect(await transitionReward(db, logger, { reward, to: "ISSUED", trigger: "GENERATION_SUCCEEDED", actor: "WORKER" })).toMatchObject({ type: "noop" });
    const rejected = await transitionReward(db, logger, { reward, to: "USED", trigger: "ORDER_COMPLETED", actor: "WEBHOOK", reason: "order #1001" });
    expect(rejected).toMatchObject({ type: "rejected", reason: "gift cards are never marked Used" });
    expect(await events(reward.id)).toMatchObject([
      { type: "TRANSITION_REJECTED", fromStatus: "ISSUED", toStatus: "USED", actor: "WEBHOOK", reason: "gift cards are never marked Used (requested: order #1001)" },
    ]);
    expect((await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).status).toBe("ISSUED");
  });

  it("rolls the change back when writes that must go with it fail", async () => {
    const reward = await createReward(db, customer, { status: "ISSUED" });
    await expect(
      transitionReward(db, logger, {
        reward,
        to: "CANCELED",
        trigger: "MERCHANT_CANCELED",
        actor: "MERCHANT",
        also: async () => {
          throw new Error("refund failed");
        },
      }),
    ).rejects.toThrow("refund failed");
    expect((await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).status).toBe("ISSUED");
    expect(await events(reward.id)).toHaveLength(0);
  });
});
