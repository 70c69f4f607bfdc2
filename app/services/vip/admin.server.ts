// VIP tiers: the merchant's settings, the background re-evaluation of all the shop's customers,
// the period-end task and the figures the admin shows (docs/decisions/022).
import { amountCurrencyOfSave, shopCurrencyOf, type AmountSaveRefusal } from "~/services/lifecycle/amount-currency.server";
import { isUniqueViolation, type Db } from "~/db.server";
import { idForRequestKey, parseRequestKey } from "~/services/admin/request-key.server";
import type { Result } from "~/domain/result";
import {
  formatProgress,
  nextTier,
  periodEndDue,
  periodKey,
  typedThreshold,
  validateEntryReward,
  validateTier,
  validateVipProgram,
  vipProgramFromRow,
  VIP_LIMITS,
  type EntryRewardField,
  type TierField,
  type TierForm,
  type VipChangeReason,
  type VipFieldErrorCode,
  type VipProgramValues,
} from "~/domain/vip";
import type { RewardDeps } from "~/services/rewards/deps.server";
import { isRetryableConflict, type Tx } from "~/services/points/ledger.server";
import { VIP_TIER_LIMIT } from "~/copy/vip";
import { customerProgress, evaluateCustomerTier, getVipProgram, listTiers, queueOwedEntryRewards, thresholdsUnderReview } from "./tiers.server";
import { vipThresholdsToReview } from "./threshold-review.server";
import { amountCurrencyTitle } from "~/domain/currency";

export type JobReason = Extract<VipChangeReason, "TIERS_CHANGED" | "PERIOD_ENDED">;

export interface EvaluationJobView {
  id: string;
  status: string;
  reasonCode: string;
  total: number;
  done: number;
  createdAt: string;
  finishedAt: string | null;
}

/** Starts re-evaluating all the shop's customers in the background; a running job is superseded. */
export async function startEvaluationJob(db: Db, shop: string, reasonCode: JobReason, now: Date): Promise<string> {
  return db.$transaction(async (tx) => {
    await tx.vipEvaluationJob.updateMany({ where: { shop, status: "RUNNING" }, data: { status: "SUPERSEDED", finishedAt: now } });
    const total = await tx.customer.count({ where: { shop } });
    const job = await tx.vipEvaluationJob.create({ data: { shop, reasonCode, total, createdAt: now } });
    return job.id;
  });
}

export async function latestEvaluationJob(db: Db, shop: string): Promise<EvaluationJobView | null> {
  // The running one (at most one per shop), else the last finished.
  const job =
    (await db.vipEvaluationJob.findFirst({ where: { shop, status: "RUNNING" } })) ??
    (await db.vipEvaluationJob.findFirst({ where: { shop, status: "DONE" }, orderBy: [{ updatedAt: "desc" }, { id: "desc" }] }));
  if (!job) return null;
  return { id: job.id, status: job.status, reasonCode: job.reasonCode, total: job.total, done: Math.min(job.done, job.total), createdAt: job.createdAt.toISOString(), finishedAt: job.finishedAt?.toISOString() ?? null };
}

/**
 * One batch of each running job (customers in id order after the saved cursor). The cursor is saved
 * after every batch, so a crash repeats at most one batch — harmless: evaluating is idempotent and
 * entry rewards are keyed per customer, tier and period.
 */
export async function runEvaluationJobs(deps: RewardDeps, options: { batchSize?: number; maxJobs?: number } = {}): Promise<{ evaluated: number; finished: number }> {
  const batchSize = options.batchSize ?? 200;
  const jobs = await deps.db.vipEvaluationJob.findMany({ where: { status: "RUNNING" }, orderBy: { updatedAt: "asc" }, take: options.maxJobs ?? 5 });
  let evaluated = 0;
  let finished = 0;
  for (const job of jobs) {
    const customers = await deps.db.customer.findMany({
      where: { shop: job.shop, ...(job.cursor ? { id: { gt: job.cursor } } : {}) },
      orderBy: { id: "asc" },
      select: { id: true },
      take: batchSize,
    });
    for (const c of customers) {
      await evaluateCustomerTier(deps, { shop: job.shop, customerId: c.id, now: deps.now(), mode: "UP_AND_DOWN", reason: job.reasonCode as JobReason });
      evaluated++;
    }
    const last = customers.at(-1)?.id ?? job.cursor;
    const done = customers.length < batchSize;
    // Guarded by the cursor read: a second worker on the same batch does not count it twice.
    const moved = await deps.db.vipEvaluationJob.updateMany({
      where: { id: job.id, status: "RUNNING", cursor: job.cursor },
      data: { cursor: last, done: job.done + customers.length, ...(done ? { status: "DONE", finishedAt: deps.now() } : {}) },
    });
    if (moved.count > 0 && done) finished++;
  }
  return { evaluated, finished };
}

/** Starts the period-end re-evaluation of every shop whose period turned (one job per period, once). */
export async function startDuePeriodEnds(db: Db, now: Date, limit = 50): Promise<number> {
  // Only shops whose period key is not the current one: bounded, and never the same 50 forever.
  const programs = await db.vipProgram.findMany({
    where: {
      enabled: true,
      lastPeriodKey: { not: null },
      OR: [
        { period: "CALENDAR_YEAR", NOT: { lastPeriodKey: periodKey("CALENDAR_YEAR", now) } },
        { period: "ROLLING_12_MONTHS", NOT: { lastPeriodKey: periodKey("ROLLING_12_MONTHS", now) } },
      ],
    },
    take: limit,
    orderBy: { updatedAt: "asc" },
  });
  let started = 0;
  for (const p of programs) {
    const program = await getVipProgram(db, p.shop);
    if (!periodEndDue(program.period, program.lastPeriodKey, now)) continue;
    // The compare-and-set on lastPeriodKey makes one worker (of several) start the job.
    const claimed = await db.vipProgram.updateMany({ where: { shop: p.shop, lastPeriodKey: program.lastPeriodKey }, data: { lastPeriodKey: periodKey(program.period, now) } });
    if (claimed.count === 0) continue;
    await startEvaluationJob(db, p.shop, "PERIOD_ENDED", now);
    started++;
  }
  return started;
}

/**
 * Places, once, the customers of shops whose evaluations were held while a tier's threshold was under
 * review (evaluateCustomerTier, `VipProgram.placementHeldAt`) and whose thresholds are all confirmed
 * now — by the merchant's confirm, by saving each tier again, or by the shop selling in the tiers'
 * currency again: one re-evaluation of every customer (up and down), so what was counted meanwhile
 * moves them and nothing is lost. The compare-and-set on `placementHeldAt` makes one worker start it.
 * A shop still under review goes to the back of the list (its mark is renewed), so it never hides others.
 */
export async function releaseHeldPlacements(db: Db, now: Date, limit = 50): Promise<number> {
  const held = await db.vipProgram.findMany({ where: { placementHeldAt: { not: null } }, orderBy: { placementHeldAt: "asc" }, take: limit });
  let started = 0;
  for (const row of held) {
    const program = vipProgramFromRow(row);
    const tiers = await db.vipTier.findMany({ where: { shop: row.shop }, select: { thresholdBasis: true, amountCurrency: true }, take: 100 });
    const stillHeld = program.enabled && (await thresholdsUnderReview(db, row.shop, program.basis, tiers));
    const claimed = await db.vipProgram.updateMany({ where: { shop: row.shop, placementHeldAt: row.placementHeldAt }, data: { placementHeldAt: stillHeld ? now : null } });
    // Turned off meanwhile: nothing to place (turning it on re-evaluates everyone).
    if (claimed.count === 0 || stillHeld || !program.enabled) continue;
    await startEvaluationJob(db, row.shop, "TIERS_CHANGED", now);
    started++;
  }
  return started;
}

/** The worker's periodic VIP pass: period ends, placements held for review, a batch of each re-evaluation, owed entry rewards. */
export async function runVipTasks(deps: RewardDeps, options: { batchSize?: number } = {}) {
  const periodEnds = await startDuePeriodEnds(deps.db, deps.now());
  const releasedPlacements = await releaseHeldPlacements(deps.db, deps.now());
  const jobs = await runEvaluationJobs(deps, options);
  const owedRewards = await queueOwedEntryRewards(deps);
  return { periodEnds, releasedPlacements, ...jobs, owedRewards };
}

// ---- the settings page --------------------------------------------------------------------------

export interface TierView {
  id: string;
  name: string;
  threshold: string;
  pointsMultiplier: string;
  perkText: string | null;
  entryRewardTemplateId: string | null;
  entryRewardName: string | null;
  members: number;
}

export async function vipSettingsPage(db: Db, shop: string) {
  const [program, tiers, templates, job] = await Promise.all([
    getVipProgram(db, shop),
    listTiers(db, shop),
    db.rewardTemplate.findMany({ where: { shop, purpose: "VIP_TIER_ENTRY" }, orderBy: { name: "asc" }, take: 200, select: { id: true, name: true, active: true } }),
    latestEvaluationJob(db, shop),
  ]);
  const members = await db.customer.groupBy({ by: ["vipTierId"], where: { shop, vipTierId: { not: null } }, _count: { _all: true } });
  const currency = await shopCurrencyOf(db, shop);
  const tierViews: TierView[] = tiers.map((t) => ({
    id: t.id,
    name: t.name,
    threshold: t.threshold,
    pointsMultiplier: t.pointsMultiplier,
    perkText: t.perkText,
    entryRewardTemplateId: t.entryRewardTemplateId,
    entryRewardName: templates.find((x) => x.id === t.entryRewardTemplateId)?.name ?? null,
    members: members.find((m) => m.vipTierId === t.id)?._count._all ?? 0,
  }));
  return { program: { enabled: program.enabled, basis: program.basis, period: program.period, skippedTierRewards: program.skippedTierRewards }, tiers: tierViews, templates, job, currency };
}

export type VipSaveResult<F extends string> = Result<
  { evaluationJobId: string | null },
  { code: "invalid" | "not_found" | AmountSaveRefusal["code"]; message: string; fields: Partial<Record<F, VipFieldErrorCode | "not_found" | "wrong_purpose">> }
>;

/**
 * Saves the program settings; a change that can move customers starts a re-evaluation. The basis
 * decides whether the tiers' thresholds are amounts, so the form names the currency its page showed
 * and is refused like every form that saves amounts (amountCurrencyOfSave). Each tier keeps what its
 * threshold was typed as (`thresholdBasis`), so a switch of the basis, either way, puts the thresholds
 * under review by the one rule (app/domain/vip thresholdNeedsReview) until the merchant confirms them
 * or saves each tier again (docs/decisions/015, "a switch of the VIP basis"; 022). Tiers saved before
 * the basis was kept are stamped with the basis they were typed for, under the program's lock with
 * the program write.
 */
export async function saveVipProgram(db: Db, shop: string, form: Partial<Record<keyof VipProgramValues, string | undefined>>, shownCurrency: unknown, now: Date): Promise<VipSaveResult<keyof VipProgramValues>> {
  const typedIn = await amountCurrencyOfSave(db, shop, shownCurrency);
  if (!typedIn.ok) return { ok: false, error: { code: typedIn.error.code, message: typedIn.error.message, fields: {} } };
  const checked = validateVipProgram(form);
  if (!checked.ok) return { ok: false, error: { code: "invalid", message: "Some settings need fixing.", fields: checked.errors } };
  const values = checked.values;
  const before = await underProgramLock(db, shop, async (tx) => {
    const before = await getVipProgram(tx, shop);
    const lastPeriodKey = before.lastPeriodKey && before.period === values.period ? before.lastPeriodKey : periodKey(values.period, now);
    await tx.vipProgram.update({ where: { shop }, data: { ...values, lastPeriodKey } });
    if (before.basis !== values.basis) await tx.vipTier.updateMany({ where: { shop, thresholdBasis: null }, data: { thresholdBasis: before.basis } });
    return before;
  });
  const moves = values.enabled && (!before.enabled || before.basis !== values.basis || before.period !== values.period || before.skippedTierRewards !== values.skippedTierRewards);
  return { ok: true, evaluationJobId: moves ? await startEvaluationJob(db, shop, "TIERS_CHANGED", now) : null };
}

/**
 * Locks the shop's VipProgram row for the rest of the transaction — the pattern of `lockCustomer`
 * (app/services/points/ledger.server.ts): a write first, a row lock on PostgreSQL, the write lock on
 * SQLite — so saves of the shop's tiers are serialized and each sees the others' committed tiers. A
 * shop without the row gets it with the defaults, which read exactly as no row (`getVipProgram`).
 */
async function lockVipProgram(tx: Tx, shop: string): Promise<void> {
  await tx.vipProgram.upsert({ where: { shop }, create: { shop }, update: { shop } });
}

/**
 * Runs `fn` in a transaction under the program's lock; two first writes of a shop both creating its
 * program row (one fails on the key), or PostgreSQL aborting one of two transactions, are run again
 * (then under the lock). Every write of a shop's tiers goes through here.
 */
async function underProgramLock<T>(db: Db, shop: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.$transaction(
        async (tx) => {
          await lockVipProgram(tx, shop);
          return fn(tx);
        },
        { maxWait: 20_000, timeout: 20_000 },
      );
    } catch (error) {
      if (attempt < 3 && (isUniqueViolation(error) || isRetryableConflict(error))) continue;
      throw error;
    }
  }
}

type TierSaved = VipSaveResult<TierField> | { ok: true; program: VipProgramValues; thresholdMoved: boolean };

/**
 * Creates (no id) or edits a tier; a tier change re-evaluates every customer in the background.
 * The tier count (VIP_LIMITS.maxTiers), the names and the thresholds are checked and the tier written
 * in one transaction under the program's lock: checked outside it, concurrent creates of different
 * tiers each counted the same tiers and the program ended up with more than the limit.
 */
export async function saveTier(db: Db, shop: string, input: { id?: string | null; form: TierForm; shownCurrency: unknown }, now: Date): Promise<VipSaveResult<TierField>> {
  // The currency the page showed the threshold in (docs/decisions/015, "amounts saved in another
  // currency"): refused when the shop sells in another one now; else the tier is stamped with it.
  const typedIn = await amountCurrencyOfSave(db, shop, input.shownCurrency);
  if (!typedIn.ok) return { ok: false, error: { code: typedIn.error.code, message: typedIn.error.message, fields: {} } };
  let saved: TierSaved;
  try {
    saved = await underProgramLock(db, shop, (tx) => saveTierLocked(tx, shop, input, typedIn.currency));
  } catch (error) {
    // A twin save with the same name got there first.
    if (isUniqueViolation(error)) return { ok: false, error: { code: "invalid", message: "This tier needs fixing.", fields: { name: "duplicate" } } };
    throw error;
  }
  if (!saved.ok || !("program" in saved)) return saved;
  const job = saved.program.enabled && saved.thresholdMoved ? await startEvaluationJob(db, shop, "TIERS_CHANGED", now) : null;
  return { ok: true, evaluationJobId: job };
}

async function saveTierLocked(tx: Tx, shop: string, input: { id?: string | null; form: TierForm }, amountCurrency: string): Promise<TierSaved> {
  const program = await getVipProgram(tx, shop);
  const tiers = await listTiers(tx, shop);
  const existing = input.id ? tiers.find((t) => t.id === input.id) : null;
  if (input.id && !existing) return { ok: false, error: { code: "not_found", message: "This tier doesn't exist (it may have been deleted).", fields: {} } };
  if (!existing && tiers.length >= VIP_LIMITS.maxTiers) return { ok: false, error: { code: "invalid", message: VIP_TIER_LIMIT, fields: { name: "out_of_range" } } };
  const others = tiers.filter((t) => t.id !== input.id).map((t) => ({ name: t.name, threshold: t.thresholdMilli }));
  const checked = validateTier(input.form, program.basis, others);
  const fields: Partial<Record<TierField, VipFieldErrorCode | "not_found" | "wrong_purpose">> = checked.ok ? {} : { ...checked.errors };
  const templateId = (input.form.entryRewardTemplateId ?? "").trim();
  if (templateId) {
    const template = await tx.rewardTemplate.findFirst({ where: { id: templateId, shop }, select: { purpose: true } });
    if (!template) fields.entryRewardTemplateId = "not_found";
    else if (template.purpose !== "VIP_TIER_ENTRY") fields.entryRewardTemplateId = "wrong_purpose";
  }
  if (!checked.ok || Object.keys(fields).length > 0) return { ok: false, error: { code: "invalid", message: "This tier needs fixing.", fields } };
  // What the threshold was typed as: the basis, and the currency for an amount (docs/decisions/015, "amounts
  // saved in another currency"); saved again, a threshold under review is confirmed.
  const values = { ...checked.values, ...typedThreshold(program.basis, amountCurrency) };
  if (existing) {
    await tx.vipTier.update({ where: { id: existing.id }, data: values });
    if (existing.name !== values.name) await tx.customer.updateMany({ where: { shop, vipTierId: existing.id }, data: { vipTier: values.name } });
  } else {
    await tx.vipTier.create({ data: { shop, ...values } });
  }
  return { ok: true, program, thresholdMoved: !existing || existing.threshold !== values.threshold };
}

export async function deleteTier(db: Db, shop: string, id: string, now: Date): Promise<VipSaveResult<TierField>> {
  // Under the program's lock, as saves are: a delete between an edit's read and its update made the
  // update fail (a server error on PostgreSQL).
  const deleted = await underProgramLock(db, shop, (tx) => tx.vipTier.deleteMany({ where: { id, shop } }));
  if (deleted.count === 0) return { ok: false, error: { code: "not_found", message: "This tier doesn't exist (it may have been deleted).", fields: {} } };
  const program = await getVipProgram(db, shop);
  return { ok: true, evaluationJobId: program.enabled ? await startEvaluationJob(db, shop, "TIERS_CHANGED", now) : null };
}

/**
 * Creates a VIP_TIER_ENTRY reward (amount off, percentage off or free shipping) from the VIP page,
 * so a merchant can give tiers an entry reward without leaving it. Returns the new template's id.
 */
export async function createEntryReward(
  db: Db,
  shop: string,
  form: Partial<Record<EntryRewardField | "requestKey", string>>,
  shownCurrency: unknown,
): Promise<Result<{ templateId: string; name: string }, { code: "invalid" | AmountSaveRefusal["code"]; message: string; fields: Partial<Record<EntryRewardField, VipFieldErrorCode>> }>> {
  // The form's key (app/services/admin/request-key.server.ts): the same form sent twice creates one
  // reward, whose id is the key's; the twin post is answered with it.
  const key = parseRequestKey(form.requestKey);
  if (!key.ok) return { ok: false, error: { code: "invalid", message: key.message, fields: {} } };
  const id = key.key === null ? null : idForRequestKey("ve", shop, key.key);
  const createdBefore = async () => {
    const row = id ? await db.rewardTemplate.findFirst({ where: { id, shop, purpose: "VIP_TIER_ENTRY" }, select: { id: true, name: true } }) : null;
    return row ? { ok: true as const, templateId: row.id, name: row.name } : null;
  };
  const twin = await createdBefore();
  if (twin) return twin;
  // The currency the page showed the amount in (docs/decisions/015, "amounts saved in another currency").
  const typedIn = await amountCurrencyOfSave(db, shop, shownCurrency);
  if (!typedIn.ok) return { ok: false, error: { code: typedIn.error.code, message: typedIn.error.message, fields: {} } };
  const currency = typedIn.currency;
  const checked = validateEntryReward(form);
  if (!checked.ok) return { ok: false, error: { code: "invalid", message: "This reward needs fixing.", fields: checked.errors } };
  const { kind, value, expiryDays } = checked.values;
  const name = kind === "FREE_SHIPPING" ? "VIP entry: free shipping" : kind === "PERCENTAGE" ? `VIP entry: ${value}% off` : `VIP entry: ${value} ${currency} off`;
  try {
    const template = await db.rewardTemplate.create({
      data: { ...(id ? { id } : {}), shop, purpose: "VIP_TIER_ENTRY", name, kind, value, pointsCost: null, expiryDays, codePrefix: "VIP", combinesWithShipping: true, amountCurrency: currency },
    });
    return { ok: true, templateId: template.id, name };
  } catch (error) {
    // The twin post committed first (same id): its reward is this form's.
    const first = isUniqueViolation(error) ? await createdBefore() : null;
    if (first) return first;
    throw error;
  }
}

// ---- figures, the customer profile, the storefront ----------------------------------------------

export interface VipDashboardFigures {
  enabled: boolean;
  tiers: { id: string; name: string; members: number }[];
  entryRewards: { PENDING: number; ISSUED: number; FAILED: number };
}

/** Members per tier and the entry rewards by status, for the home page. */
export async function vipDashboardFigures(db: Db, shop: string): Promise<VipDashboardFigures> {
  const [program, tiers, members, rewards] = await Promise.all([
    getVipProgram(db, shop),
    listTiers(db, shop),
    db.customer.groupBy({ by: ["vipTierId"], where: { shop, vipTierId: { not: null } }, _count: { _all: true } }),
    db.reward.groupBy({ by: ["status"], where: { shop, source: "VIP_TIER_ENTRY", status: { in: ["PENDING", "ISSUED", "FAILED"] } }, _count: { _all: true } }),
  ]);
  const count = (status: string) => rewards.find((r) => r.status === status)?._count._all ?? 0;
  return {
    enabled: program.enabled,
    tiers: tiers.map((t) => ({ id: t.id, name: t.name, members: members.find((m) => m.vipTierId === t.id)?._count._all ?? 0 })),
    entryRewards: { PENDING: count("PENDING"), ISSUED: count("ISSUED"), FAILED: count("FAILED") },
  };
}

export interface CustomerVipView {
  enabled: boolean;
  tierName: string | null;
  since: string | null;
  changes: { id: string; direction: string; fromTierName: string | null; toTierName: string | null; reasonCode: string; reason: string; periodKey: string; orderGid: string | null; createdAt: string }[];
  /**
   * Why the tier shown may not be what the customer's orders reach (docs/decisions/022, addendum of
   * 3 December 2026), derived from the shop's state — the same for every customer, nothing stored per
   * customer: `held` while a tier's threshold is under review (evaluateCustomerTier moves nobody;
   * `title` is the review banner's, amountCurrencyTitle); `rechecking` once no threshold is, until the
   * re-evaluation that places everyone (releaseHeldPlacements, or any running one) is done; null
   * otherwise, and when VIP is off.
   */
  placement: { state: "held"; title: string } | { state: "rechecking"; done: number; total: number } | null;
  /**
   * The customer's orders placed in another shop currency than the one the app had for the shop
   * (countVipOrder; docs/decisions/022, addendum "an order in another shop currency"), newest first:
   * `waiting` for Shopify to say which currency the shop sells in (not counted meanwhile), or
   * `not_counted` — Shopify said the shop sells in `shopCurrency`, so the order never counts towards
   * amount spent. Order ids and currency codes only. Null when there is none.
   */
  otherCurrencyOrders: { shopCurrency: string; orders: { orderGid: string; orderCurrency: string; state: "waiting" | "not_counted" }[] } | null;
}

/** How many of a customer's orders in another currency the profile lists. */
const OTHER_CURRENCY_ORDERS_SHOWN = 20;

async function otherCurrencyOrders(db: Db, shop: string, customerId: string): Promise<CustomerVipView["otherCurrencyOrders"]> {
  const rows = await db.vipOrder.findMany({
    where: { shop, customerId, OR: [{ currencyHeldAt: { not: null } }, { otherCurrency: true }] },
    select: { orderGid: true, orderCurrency: true, currencyHeldAt: true },
    orderBy: { orderedAt: "desc" },
    take: OTHER_CURRENCY_ORDERS_SHOWN,
  });
  if (rows.length === 0) return null;
  return {
    shopCurrency: await shopCurrencyOf(db, shop),
    orders: rows.map((r) => ({ orderGid: r.orderGid, orderCurrency: r.orderCurrency ?? "", state: r.currencyHeldAt !== null ? ("waiting" as const) : ("not_counted" as const) })),
  };
}

/** What the profile says about tier changes now (CustomerVipView.placement). */
async function placementState(db: Db, shop: string): Promise<CustomerVipView["placement"]> {
  const currency = await shopCurrencyOf(db, shop);
  const underReview = await vipThresholdsToReview(db, shop, currency);
  if (underReview.length > 0) return { state: "held", title: amountCurrencyTitle([...new Set(underReview.map((t) => t.savedIn))].sort(), currency) };
  const [held, job] = await Promise.all([db.vipProgram.findUnique({ where: { shop }, select: { placementHeldAt: true } }), db.vipEvaluationJob.findFirst({ where: { shop, status: "RUNNING" } })]);
  // Confirmed, and the worker's VIP pass (every few seconds) has not started the re-evaluation yet, or it runs.
  if (job) return { state: "rechecking", done: Math.min(job.done, job.total), total: job.total };
  return held?.placementHeldAt ? { state: "rechecking", done: 0, total: 0 } : null;
}

/** The customer profile's VIP card: the tier held, the latest changes with their reasons, and whether tier changes are on hold. */
export async function customerVip(db: Db, shop: string, customerId: string, limit = 20): Promise<CustomerVipView> {
  const [program, customer, changes, otherCurrency] = await Promise.all([
    getVipProgram(db, shop),
    db.customer.findFirst({ where: { id: customerId, shop }, select: { vipTier: true, vipTierSince: true } }),
    db.vipTierChange.findMany({ where: { shop, customerId }, orderBy: { createdAt: "desc" }, take: limit }),
    otherCurrencyOrders(db, shop, customerId),
  ]);
  return {
    enabled: program.enabled,
    placement: program.enabled ? await placementState(db, shop) : null,
    otherCurrencyOrders: otherCurrency,
    tierName: customer?.vipTier ?? null,
    since: customer?.vipTierSince?.toISOString() ?? null,
    changes: changes.map((c) => ({
      id: c.id,
      direction: c.direction,
      fromTierName: c.fromTierName,
      toTierName: c.toTierName,
      reasonCode: c.reasonCode,
      reason: c.reason,
      periodKey: c.periodKey,
      orderGid: c.orderGid,
      createdAt: c.createdAt.toISOString(),
    })),
  };
}

export interface StorefrontVip {
  tier: string | null;
  perk: string | null;
  /**
   * The next tier and what is left to reach it; `remaining` is null while a tier's threshold is under
   * review (typed as the other basis, or in another currency than the shop sells in now:
   * thresholdNeedsReview, docs/decisions/015 and 022): the next tier is then the one above the tier
   * held, named only, until the thresholds are confirmed.
   */
  next: { tier: string; remaining: string | null } | null;
  basis: "POINTS_EARNED" | "AMOUNT_SPENT";
}

/** What the storefront shows: the tier, its perk and what is left to the next one (null when VIP is off). */
export async function storefrontVip(db: Db, shop: string, customerId: string | null, now: Date): Promise<StorefrontVip | null> {
  const program = await getVipProgram(db, shop);
  if (!program.enabled) return null;
  const tiers = await listTiers(db, shop);
  if (tiers.length === 0) return null;
  const customer = customerId ? await db.customer.findFirst({ where: { id: customerId, shop }, select: { vipTierId: true } }) : null;
  const held = tiers.find((t) => t.id === customer?.vipTierId) ?? null;
  const above = tiers.filter((t) => !held || t.thresholdMilli > held.thresholdMilli);
  const rules = above.map((t) => ({ id: t.id, name: t.name, threshold: t.thresholdMilli }));
  // Thresholds under review: placement waits (evaluateCustomerTier), so the next tier is the one above
  // the tier held, named without the amount or points left to it — neither is compared with progress.
  if (await thresholdsUnderReview(db, shop, program.basis, tiers)) {
    return { tier: held?.name ?? null, perk: held?.perkText ?? null, next: rules[0] ? { tier: rules[0].name, remaining: null } : null, basis: program.basis };
  }
  // A shopper not in the program yet has spent and earned nothing we know of.
  const progress = customerId ? await customerProgress(db, shop, customerId, program, now) : 0n;
  const next = nextTier(rules, progress) ?? (rules[0] ? { tier: rules[0], remaining: 0n } : null);
  return {
    tier: held?.name ?? null,
    perk: held?.perkText ?? null,
    next: next ? { tier: next.tier.name, remaining: formatProgress(next.remaining, program.basis) } : null,
    basis: program.basis,
  };
}
