// Status changes go through decideTransition: applied as a compare-and-set with a STATUS_CHANGED
// event, repeats are no-ops, rejections are recorded as TRANSITION_REJECTED.
import { beforeAll, describe, expect, it } from "vitest";
import type { Customer, Reward } from "@prisma/client";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { createCustomer, createReward } from "../../../test/support/factories";
import { recordEvent, transitionReward } from "./events.server";

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

describe("transitionReward's two channels (driver transaction; Prisma's when `also` needs its client)", () => {
  // Both write the same values; this reads what each wrote back through Prisma, on the real database.
  const at = new Date("2026-12-01T10:11:12.345Z");
  const claimed = (reward: Reward, worker: string) => db.reward.update({ where: { id: reward.id }, data: { claimedBy: worker, claimedUntil: new Date(Date.now() + 60_000) } });
  const change = (worker: string) => ({
    to: "ISSUED" as const,
    trigger: "GENERATION_SUCCEEDED" as const,
    actor: "WORKER" as const,
    reason: "Attempt 1: created in Shopify",
    note: "  typed by nobody  ",
    shopifyError: { userErrors: [] },
    dedupeKey: "generation:1",
    where: { claimedBy: worker },
    data: { shopifyId: "gid://shopify/DiscountCodeNode/7", issuedAt: at, expiresAt: null, attempts: 2, claimedBy: null, claimedUntil: null },
  });

  it.each([
    ["the driver", undefined],
    ["Prisma", async () => {}],
  ])("GIVEN a Pending reward claimed by a worker WHEN it is issued through %s THEN the row and its event read back the same", async (_channel, also) => {
    const reward = await claimed(await createReward(db, customer, { status: "PENDING" }), "worker-1");
    const before = await db.reward.findUniqueOrThrow({ where: { id: reward.id } });
    expect(await transitionReward(db, logger, { reward, ...change("worker-1"), also })).toEqual({ type: "applied", from: "PENDING", to: "ISSUED" });
    const after = await db.reward.findUniqueOrThrow({ where: { id: reward.id } });
    expect(after).toMatchObject({ status: "ISSUED", shopifyId: "gid://shopify/DiscountCodeNode/7", issuedAt: at, expiresAt: null, attempts: 2, claimedBy: null, claimedUntil: null });
    expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());
    // Prisma's own equality filter matches the stored date exactly.
    expect(await db.reward.count({ where: { id: reward.id, issuedAt: at } })).toBe(1);
    expect(await events(reward.id)).toMatchObject([
      {
        type: "STATUS_CHANGED",
        fromStatus: "PENDING",
        toStatus: "ISSUED",
        actor: "WORKER",
        reason: "Attempt 1: created in Shopify",
        note: "typed by nobody",
        shopifyError: '{"userErrors":[]}',
        dedupeKey: "generation:1",
        reasonCode: null,
      },
    ]);
  });

  it.each([
    ["the driver", undefined],
    ["Prisma", async () => {}],
  ])("GIVEN the lease guard no longer holds (null guard included) WHEN the change is applied through %s THEN conflict, nothing written", async (_channel, also) => {
    const reward = await claimed(await createReward(db, customer, { status: "PENDING" }), "worker-2");
    expect(await transitionReward(db, logger, { reward, ...change("worker-1"), also })).toEqual({ type: "conflict" });
    // A null guard is IS NULL: the reward is claimed, so it does not match either.
    expect(await transitionReward(db, logger, { reward, ...change("worker-1"), where: { claimedBy: null }, also })).toEqual({ type: "conflict" });
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "PENDING", claimedBy: "worker-2", shopifyId: null });
    expect(await events(reward.id)).toEqual([]);
  });

  it("GIVEN an unclaimed reward WHEN guarded on claimedBy null THEN the guard matches", async () => {
    const reward = await createReward(db, customer, { status: "PENDING" });
    expect(await transitionReward(db, logger, { reward, ...change("x"), where: { claimedBy: null } })).toMatchObject({ type: "applied" });
  });

  it.each([
    ["the driver", undefined],
    ["Prisma", async () => {}],
  ])("GIVEN the dedupe key is already recorded for the reward WHEN a change with it is applied through %s THEN a no-op and the status change is undone", async (_channel, also) => {
    const reward = await createReward(db, customer, { status: "ISSUED" });
    await db.rewardEvent.create({ data: { rewardId: reward.id, shop: reward.shop, type: "NOTE", actor: "WEBHOOK", dedupeKey: "order:gid://shopify/Order/1" } });
    const result = await transitionReward(db, logger, { reward, to: "USED", trigger: "ORDER_COMPLETED", actor: "WEBHOOK", dedupeKey: "order:gid://shopify/Order/1", data: { usedOrderGid: "gid://shopify/Order/1" }, also });
    expect(result).toEqual({ type: "noop", reason: "already recorded" });
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "ISSUED", usedOrderGid: null });
    expect(await events(reward.id)).toMatchObject([{ type: "NOTE" }]);
  });

  it("GIVEN events written one after another within one millisecond WHEN the history lists them by time, then id THEN they are in the order written", async () => {
    const reward = await createReward(db, customer, { status: "PENDING" });
    await transitionReward(db, logger, { reward, to: "ISSUED", trigger: "GENERATION_SUCCEEDED", actor: "WORKER" });
    await recordEvent(db, { rewardId: reward.id, shop: reward.shop, type: "NOTE", actor: "SYSTEM", reason: "second" });
    await transitionReward(db, logger, { reward: { ...reward, status: "ISSUED" }, to: "USED", trigger: "ORDER_COMPLETED", actor: "WEBHOOK" });
    const listed = await db.rewardEvent.findMany({ where: { rewardId: reward.id, type: { not: "CREATED" } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    expect(listed.map((e) => e.toStatus ?? e.reason)).toEqual(["ISSUED", "second", "USED"]);
  });
});
