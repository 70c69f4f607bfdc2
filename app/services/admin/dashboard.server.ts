// Read model for the admin home page: how the shop's rewards stand, what failed recently and why,
// what the worker still has to do, and issued vs used per day.
import type { Db } from "~/db.server";
import { parseRewardKind, REWARD_STATUSES, type RewardStatus } from "~/domain/rewards";
import { merchantExplanation } from "~/copy/admin";
import { rewardCustomerLabel, shownCode } from "./rewards.server";
import { RESOLVED_DEDUPE_KEY } from "./reward-actions.server";
import { REISSUED_DEDUPE_KEY } from "~/services/rewards/issue-async.server";

export interface RecentFailure {
  id: string;
  customerId: string;
  customerName: string;
  title: string;
  code: string;
  /** When it became Failed (the row's last change). */
  failedAt: string;
  summary: string;
  action: string;
}

export interface PendingWork {
  total: number;
  /** Pending rewards whose next attempt time has come (the worker picks them up next). */
  due: number;
  /** Oldest Pending reward: since when a promise has been waiting. */
  oldest: { id: string; customerId: string; createdAt: string; ageMs: number } | null;
}

export interface DayBucket {
  /** YYYY-MM-DD (UTC). */
  day: string;
  issued: number;
  used: number;
}

export interface HomeStats {
  counts: Record<RewardStatus, number>;
  customers: number;
  recentFailures: RecentFailure[];
  pending: PendingWork;
  daily: DayBucket[];
}

const DAY_MS = 86_400_000;

/** Failures the merchant dealt with — marked resolved, or issued again — leave "Failed recently". */
const HANDLED_FAILURE_KEYS = [RESOLVED_DEDUPE_KEY, REISSUED_DEDUPE_KEY];
export const TREND_DAYS = 14;
export const RECENT_FAILURES = 5;

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export async function getHomeStats(db: Db, shop: string, now: Date = new Date()): Promise<HomeStats> {
  const todayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const since = new Date(todayStart - (TREND_DAYS - 1) * DAY_MS);

  const [groups, customers, failures, due, oldest, issued, used] = await Promise.all([
    db.reward.groupBy({ by: ["status"], where: { shop }, _count: { _all: true } }),
    db.customer.count({ where: { shop } }),
    db.reward.findMany({
      where: { shop, status: "FAILED", events: { none: { dedupeKey: { in: HANDLED_FAILURE_KEYS } } } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: RECENT_FAILURES,
      select: {
        id: true,
        customerId: true,
        title: true,
        code: true,
        kind: true,
        failureCode: true,
        updatedAt: true,
        // When it failed is its history's Failed transition (updatedAt moves with any later write).
        events: { where: { toStatus: "FAILED" }, orderBy: { createdAt: "desc" }, take: 1, select: { createdAt: true } },
        customerName: true,
        customerEmail: true,
        customer: { select: { displayName: true, email: true } },
      },
    }),
    db.reward.count({ where: { shop, status: "PENDING", OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] } }),
    db.reward.findFirst({
      where: { shop, status: "PENDING" },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true, customerId: true, createdAt: true },
    }),
    // Issued per day counts every reward that reached Issued that day, whatever it became later.
    db.reward.findMany({ where: { shop, issuedAt: { gte: since } }, select: { issuedAt: true } }),
    db.reward.findMany({ where: { shop, usedAt: { gte: since } }, select: { usedAt: true } }),
  ]);

  const counts = Object.fromEntries(REWARD_STATUSES.map((s) => [s, groups.find((g) => g.status === s)?._count._all ?? 0])) as Record<
    RewardStatus,
    number
  >;

  const daily: DayBucket[] = Array.from({ length: TREND_DAYS }, (_, i) => ({
    day: dayOf(new Date(since.getTime() + i * DAY_MS)),
    issued: 0,
    used: 0,
  }));
  const index = new Map(daily.map((b, i) => [b.day, i]));
  const bump = (date: Date | null, key: "issued" | "used") => {
    const i = date ? index.get(dayOf(date)) : undefined;
    if (i !== undefined) daily[i][key]++;
  };
  for (const r of issued) bump(r.issuedAt, "issued");
  for (const r of used) bump(r.usedAt, "used");

  return {
    counts,
    customers,
    recentFailures: failures.map((f) => {
      const explanation = merchantExplanation(f.failureCode);
      return {
        id: f.id,
        customerId: f.customerId,
        customerName: rewardCustomerLabel(f),
        title: f.title,
        // As every admin surface shows a code (shownCode): a gift card's masked, revealed only on request.
        code: shownCode(parseRewardKind(f.kind), "FAILED", f.code).code,
        failedAt: (f.events[0]?.createdAt ?? f.updatedAt).toISOString(),
        summary: explanation.summary,
        action: explanation.action,
      };
    }),
    pending: {
      total: counts.PENDING,
      due,
      oldest: oldest
        ? {
            id: oldest.id,
            customerId: oldest.customerId,
            createdAt: oldest.createdAt.toISOString(),
            ageMs: Math.max(0, now.getTime() - oldest.createdAt.getTime()),
          }
        : null,
    },
    daily,
  };
}
