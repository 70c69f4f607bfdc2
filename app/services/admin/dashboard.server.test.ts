// The home page's read model against a real database: counts, recent failures in plain language,
// pending work and its age, issued/used per day — for the shop only.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { merchantExplanation } from "~/copy/admin";
import { createCustomer, createReward } from "../../../test/support/factories";
import { getHomeStats, RECENT_FAILURES, TREND_DAYS } from "./dashboard.server";

const SHOP = "home-shop.myshopify.com";
const OTHER = "elsewhere.myshopify.com";
const NOW = new Date("2026-03-15T12:00:00Z");
const hours = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

let failedIds: string[] = [];
let oldestPendingId = "";

beforeAll(async () => {
  const c = await createCustomer(db, SHOP, { firstName: "Ada", lastName: "Lovelace" });
  await createReward(db, c, { status: "ISSUED", createdAt: hours(30), issuedAt: new Date("2026-03-14T09:00:00Z") });
  await createReward(db, c, { status: "ISSUED", createdAt: hours(29), issuedAt: new Date("2026-03-14T23:59:59Z") });
  const used = await createReward(db, c, { status: "USED", createdAt: hours(200), issuedAt: new Date("2026-03-10T10:00:00Z") });
  await db.reward.update({ where: { id: used.id }, data: { usedAt: new Date("2026-03-15T08:00:00Z") } });
  // Issued before the 14-day window: counted as Issued, not in the chart.
  await createReward(db, c, { status: "ISSUED", createdAt: hours(24 * 20), issuedAt: hours(24 * 20) });
  const oldest = await createReward(db, c, { status: "PENDING", createdAt: hours(3), nextAttemptAt: hours(1) });
  oldestPendingId = oldest.id;
  await createReward(db, c, { status: "PENDING", createdAt: hours(1), nextAttemptAt: new Date(NOW.getTime() + 600_000) });
  const reasons = ["throttled", "gift_cards_unavailable", "customer_not_found", "code_taken", "missing_access", "invalid_reward_settings"];
  failedIds = [];
  for (const [i, reason] of reasons.entries()) {
    const r = await createReward(db, c, { status: "FAILED", createdAt: hours(100 - i) });
    await db.reward.update({ where: { id: r.id }, data: { failureCode: reason } });
    failedIds.push(r.id);
  }
  await createReward(db, c, { status: "CANCELED", createdAt: hours(50) });

  const o = await createCustomer(db, OTHER);
  for (const status of ["ISSUED", "FAILED", "PENDING", "USED"] as const) await createReward(db, o, { status, createdAt: hours(2), issuedAt: hours(2) });
});

describe("getHomeStats", () => {
  it("counts the shop's rewards per status and its customers, nothing of other shops", async () => {
    const stats = await getHomeStats(db, SHOP, NOW);
    expect(stats.counts).toEqual({ PENDING: 2, FAILED: 6, ISSUED: 3, CANCELED: 1, USED: 1 });
    expect(stats.customers).toBe(1);
  });

  it("lists the most recent failures with the plain-language reason and what to do", async () => {
    const { recentFailures } = await getHomeStats(db, SHOP, NOW);
    expect(recentFailures).toHaveLength(RECENT_FAILURES);
    expect(recentFailures.map((f) => f.id)).toEqual([...failedIds].reverse().slice(0, RECENT_FAILURES));
    expect(recentFailures[0]).toMatchObject({ customerName: "Ada Lovelace", ...merchantExplanation("invalid_reward_settings") });
    expect(recentFailures[4]).toMatchObject(merchantExplanation("gift_cards_unavailable"));
  });

  it("dates a failure by its history's Failed transition, not by the row's last write", async () => {
    const [latest] = failedIds.slice(-1);
    const failedAt = hours(90);
    await db.rewardEvent.deleteMany({ where: { rewardId: latest!, toStatus: "FAILED" } });
    await db.rewardEvent.create({ data: { rewardId: latest!, shop: SHOP, type: "STATUS_CHANGED", fromStatus: "PENDING", toStatus: "FAILED", actor: "WORKER", createdAt: failedAt } });
    await db.reward.update({ where: { id: latest! }, data: { customerName: "touched later" } }); // updatedAt is now
    const { recentFailures } = await getHomeStats(db, SHOP, NOW);
    expect(recentFailures.find((f) => f.id === latest)?.failedAt).toBe(failedAt.toISOString());
  });

  it("reports pending work: how many, how many are due, and the oldest one's age", async () => {
    const { pending } = await getHomeStats(db, SHOP, NOW);
    expect(pending).toEqual({ total: 2, due: 1, oldest: { id: oldestPendingId, customerId: expect.any(String), createdAt: hours(3).toISOString(), ageMs: 3 * 3_600_000 } });
  });

  it("buckets issued and used per UTC day over the last 14 days, today last", async () => {
    const { daily } = await getHomeStats(db, SHOP, NOW);
    expect(daily).toHaveLength(TREND_DAYS);
    expect(daily[0].day).toBe("2026-03-02");
    expect(daily[TREND_DAYS - 1].day).toBe("2026-03-15");
    const byDay = Object.fromEntries(daily.map((d) => [d.day, [d.issued, d.used]]));
    expect(byDay["2026-03-14"]).toEqual([2, 0]);
    expect(byDay["2026-03-10"]).toEqual([1, 0]);
    expect(byDay["2026-03-15"]).toEqual([0, 1]);
    expect(daily.reduce((n, d) => n + d.issued, 0)).toBe(3);
  });

  it("answers zeros for a shop without rewards", async () => {
    const stats = await getHomeStats(db, "new-shop.myshopify.com", NOW);
    expect(stats.counts).toEqual({ PENDING: 0, FAILED: 0, ISSUED: 0, CANCELED: 0, USED: 0 });
    expect(stats.recentFailures).toEqual([]);
    expect(stats.pending).toEqual({ total: 0, due: 0, oldest: null });
    expect(stats.daily.every((d) => d.issued === 0 && d.used === 0)).toBe(true);
  });
});
