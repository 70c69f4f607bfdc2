// Bulk issue, the merchant's side (docs/decisions/024): start a job for a VIP tier, the customers
// list's search result or a pasted list of emails; pause, resume or cancel it; read its progress.
// The job is saved with one item per customer (customer ids only: no email or name is stored) and
// the periodic runner (run.server.ts) turns items into Pending rewards a bounded window at a time.
import { amountsNeedReview } from "~/domain/currency";
import { shopCurrencyOf } from "~/services/lifecycle/amount-currency.server";
import type { BulkIssueJob, Prisma } from "@prisma/client";
import { isUniqueViolation, type Db } from "~/db.server";
import {
  BULK_JOB_MOVES,
  estimateFinish,
  isBulkJobMoving,
  parseEmailList,
  type BulkJobAction,
  type BulkTargetType,
  type FinishEstimate,
} from "~/domain/bulk-issue";
import { emailKey } from "~/domain/customer-email";
import type { Problem, Result } from "~/domain/result";
import { readSettingsSnapshot, type RewardKind, type RewardSettings } from "~/domain/rewards";
import { customerLabel } from "~/copy/admin";
import { customerFilterWhere, equalsTextIgnoringCase, matchesSearchLiterally, parseSearch, parseTierFilter, readMatchingRows } from "~/services/admin/customers.server";
import { idForRequestKey, parseRequestKey } from "~/services/admin/request-key.server";
import { purposeAllowed } from "~/services/rewards/issue-async.server";
import { InvalidTemplateError, settingsFromTemplate } from "~/services/rewards/repository.server";

/** At most this many customers in one job (a larger tier or search: split it, e.g. by tier). */
export const MAX_BULK_CUSTOMERS = 10_000;
/** Items written per statement when the job is saved. */
const INSERT_CHUNK = 500;
/** Emails looked up per query. */
const EMAIL_LOOKUP_CHUNK = 100;
/** Customer rows read per query of an email lookup. */
const EMAIL_LOOKUP_BATCH = 1_000;

export type BulkTarget =
  | { type: "TIER"; tier: string }
  | { type: "SEARCH"; search?: string | null; vipTier?: string | null; hasIssuedRewards?: boolean }
  /** `skipUnmatched`: the merchant saw the entries that match no customer and chose to go on without them. */
  | { type: "EMAILS"; text: string; skipUnmatched?: boolean };

export interface StartBulkJobInput {
  shop: string;
  templateId: string;
  target: BulkTarget;
  /**
   * Made by the start form when it is shown (like the single issue's requestKey): the same form
   * posted twice — a double click, a resubmit, a retried request — starts one job, not two.
   */
  requestKey?: string | null;
}

/** The id of the job a form's key starts: derived from the shop and the key, so shops can't collide. */
export function bulkJobIdFor(shop: string, requestKey: string): string {
  return idForRequestKey("bk", shop, requestKey);
}

export type StartBulkJobErrorCode =
  | "template_not_found"
  | "template_inactive"
  | "template_not_issuable"
  | "amount_in_other_currency"
  | "invalid_target"
  | "invalid_request"
  | "no_customers"
  | "too_many_customers"
  | "unmatched_emails";

export interface Unmatched {
  /** Entries of the pasted list that are not email addresses (as typed). */
  invalid: string[];
  /** Emails that are no customer of the program. */
  unknown: string[];
}

/** The form field a refusal is about. */
export type BulkFormField = "templateId" | "tier" | "emails" | "query" | "searchTier" | "requestKey";

export type StartBulkJobResult = Result<
  { job: BulkIssueJob; unmatched: Unmatched; duplicates: number },
  Problem<StartBulkJobErrorCode> & { field?: BulkFormField; unmatched?: Unmatched; matched?: number }
>;

function fail(code: StartBulkJobErrorCode, message: string, extra: { field?: BulkFormField; unmatched?: Unmatched; matched?: number } = {}): StartBulkJobResult {
  return { ok: false, error: { code, message, ...extra } };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

interface Recipients {
  customerIds: string[];
  target: string;
  unmatched: Unmatched;
  duplicates: number;
}

/**
 * Customers customers/redact erased keep their row, under an id that is no Shopify id
 * (app/services/compliance/privacy.server.ts): they are no one to issue a reward to.
 */
const NOT_ERASED: Prisma.CustomerWhereInput = { shopifyCustomerId: { startsWith: "gid://shopify/Customer/" } };

/** Rows a search reads (in batches) to find its literal matches. */
const MAX_LITERAL_ROWS = 50_000;

/**
 * Customer ids matching a condition (erased customers left out), bounded: "too_many" when more than
 * MAX_BULK_CUSTOMERS match, "unchecked" when a search matched more rows in the database (a superset)
 * than are read to find its literal matches (how many of those match is then unknown).
 */
async function idsWhere(db: Db, condition: Prisma.CustomerWhereInput, literal?: string): Promise<string[] | "too_many" | "unchecked"> {
  const where: Prisma.CustomerWhereInput = { AND: [condition, NOT_ERASED] };
  if (!literal) {
    const rows = await db.customer.findMany({ where, select: { id: true }, orderBy: { id: "asc" }, take: MAX_BULK_CUSTOMERS + 1 });
    return rows.length > MAX_BULK_CUSTOMERS ? "too_many" : rows.map((r) => r.id);
  }
  // A search: the database matches more than asked (customerTextWhere), so read on in id order and
  // keep the literal matches (readMatchingRows, the admin lists' reader), in larger batches.
  const { rows, complete } = await readMatchingRows({
    read: (w, take) => db.customer.findMany({ where: w ?? where, select: { id: true, displayName: true, email: true }, orderBy: { id: "asc" }, take }),
    where,
    take: MAX_BULK_CUSTOMERS + 1,
    past: (c): Prisma.CustomerWhereInput => ({ AND: [where, { id: { gt: c.id } }] }),
    matches: (c) => matchesSearchLiterally(c, literal),
    batch: 1_000,
    rounds: MAX_LITERAL_ROWS / 1_000,
  });
  if (rows.length > MAX_BULK_CUSTOMERS) return "too_many";
  return complete ? rows.map((c) => c.id) : "unchecked";
}

async function resolveRecipients(db: Db, shop: string, target: BulkTarget): Promise<Recipients | StartBulkJobResult> {
  const none: Unmatched = { invalid: [], unknown: [] };
  const tooMany = () => fail("too_many_customers", `More than ${MAX_BULK_CUSTOMERS.toLocaleString("en-US")} customers match. Narrow the selection (e.g. by tier) and start several jobs.`);
  switch (target.type) {
    case "TIER": {
      const tier = (target.tier ?? "").trim();
      if (!tier) return fail("invalid_target", "Choose a VIP tier.", { field: "tier" });
      const checkedTier = parseTierFilter(tier);
      if (!checkedTier.ok) return fail("invalid_target", checkedTier.message, { field: "tier" });
      const ids = await idsWhere(db, { shop, vipTier: tier });
      if (!Array.isArray(ids)) return tooMany();
      return { customerIds: ids, target: `VIP tier ${tier}`, unmatched: none, duplicates: 0 };
    }
    case "SEARCH": {
      // The lists' one rule for a search's and a tier's length (parseSearch, parseTierFilter): a job
      // must not start for a shorter text than the merchant typed, which matches more customers.
      const checkedSearch = parseSearch(target.search);
      if (!checkedSearch.ok) return fail("invalid_target", checkedSearch.message, { field: "query" });
      const checkedTier = parseTierFilter(target.vipTier);
      if (!checkedTier.ok) return fail("invalid_target", checkedTier.message, { field: "searchTier" });
      const { where, search } = customerFilterWhere(db, { shop, search: checkedSearch.search, vipTier: checkedTier.tier, hasIssuedRewards: target.hasIssuedRewards });
      const ids = await idsWhere(db, where, search || undefined);
      if (ids === "unchecked") {
        // Said as it is: how many customers contain the text is unknown, not "more than 10,000". The
        // database is asked for more than the search (LIKE's `%`/`_`, every case spelling of its
        // letters: customerTextWhere), and its rows are checked one by one (matchesSearchLiterally).
        return fail(
          "too_many_customers",
          `This search could not be checked: more than ${MAX_LITERAL_ROWS.toLocaleString("en-US")} customers would have to be read to find the ones it matches exactly. Add a VIP tier to the search, or search for a longer text (without % and _).`,
          { field: "query" },
        );
      }
      if (ids === "too_many") return tooMany();
      // The search text may be a name or an email: it is described, never stored.
      const parts = [search ? "matching a search" : null, target.vipTier ? (target.vipTier === "none" ? "without a VIP tier" : `VIP tier ${target.vipTier}`) : null, target.hasIssuedRewards ? "with issued rewards" : null].filter(Boolean);
      return { customerIds: ids, target: parts.length ? `Customers ${parts.join(", ")}` : "All customers in the program", unmatched: none, duplicates: 0 };
    }
    case "EMAILS": {
      const parsed = parseEmailList(target.text ?? "");
      if (!parsed.ok) return fail("invalid_target", parsed.error.message, { field: "emails" });
      const found = new Map<string, string[]>();
      for (let i = 0; i < parsed.emails.length; i += EMAIL_LOOKUP_CHUNK) {
        const chunk = parsed.emails.slice(i, i + EMAIL_LOOKUP_CHUNK);
        // Case-insensitive on both databases (stored emails keep Shopify's case); LIKE's `_` wildcard
        // may match more, so only exact (case-folded) equality counts. Read in id order to the end:
        // a cap on the rows read dropped real matches once more rows matched than it allowed.
        let after: string | undefined;
        for (;;) {
          const where: Prisma.CustomerWhereInput = { shop, OR: chunk.map((email) => ({ email: equalsTextIgnoringCase(db, email) })) };
          const rows = await db.customer.findMany({
            where: after ? { AND: [where, { id: { gt: after } }] } : where,
            select: { id: true, email: true },
            orderBy: { id: "asc" },
            take: EMAIL_LOOKUP_BATCH,
          });
          for (const row of rows) {
            const key = emailKey(row.email ?? "");
            if (!chunk.includes(key)) continue;
            found.set(key, [...(found.get(key) ?? []), row.id]);
          }
          if (rows.length < EMAIL_LOOKUP_BATCH) break;
          after = rows[rows.length - 1].id;
        }
      }
      const unmatched: Unmatched = { invalid: parsed.invalid, unknown: parsed.emails.filter((e) => !found.has(e)) };
      const customerIds = [...new Set([...found.values()].flat())];
      const missing = unmatched.invalid.length + unmatched.unknown.length;
      if (customerIds.length === 0) {
        return fail("no_customers", `None of the ${plural(parsed.emails.length + parsed.invalid.length, "entry", "entries")} is the email of a customer in the program.`, { field: "emails", unmatched, matched: 0 });
      }
      if (missing > 0 && !target.skipUnmatched) {
        return fail(
          "unmatched_emails",
          `${plural(missing, "entry", "entries")} of the list ${missing === 1 ? "matches" : "match"} no customer in the program (listed below). Fix the list, or confirm to issue to the ${plural(customerIds.length, "customer")} found.`,
          { field: "emails", unmatched, matched: customerIds.length },
        );
      }
      if (customerIds.length > MAX_BULK_CUSTOMERS) return tooMany();
      return { customerIds, target: `Pasted list of ${plural(parsed.emails.length + parsed.invalid.length, "entry", "entries")}`, unmatched, duplicates: parsed.duplicates };
    }
    default:
      return fail("invalid_target", "Choose who receives the reward: a VIP tier, a customer search or a list of emails.");
  }
}

/**
 * Saves a bulk job (QUEUED) with one item per chosen customer; the worker's periodic task issues the
 * rewards. Pasted entries that match no customer are returned (and only counted on the job), never
 * dropped silently: unless `skipUnmatched`, they stop the job from starting.
 *
 * @example
 *   const r = await startBulkJob(db, { shop, templateId, target: { type: "TIER", tier: "Gold" } });
 *   if (!r.ok) r.error.code; // e.g. "no_customers"
 *   else r.job.total; // customers who will get the reward
 */
export async function startBulkJob(db: Db, input: StartBulkJobInput, now: Date = new Date()): Promise<StartBulkJobResult> {
  const { shop } = input;
  const none: Unmatched = { invalid: [], unknown: [] };
  let jobId: string | undefined;
  if (input.requestKey) {
    if (!parseRequestKey(input.requestKey).ok) return fail("invalid_request", "This form is out of date. Reload the page and start the bulk issue again.", { field: "requestKey" });
    jobId = bulkJobIdFor(shop, input.requestKey);
    // The same form again: the job it started is the answer (never a second job).
    const started = await db.bulkIssueJob.findFirst({ where: { id: jobId, shop } });
    if (started) return { ok: true, job: started, unmatched: none, duplicates: 0 };
  }
  const template = input.templateId ? await db.rewardTemplate.findFirst({ where: { id: input.templateId, shop } }) : null;
  if (!template) return fail("template_not_found", "Choose a reward to issue.", { field: "templateId" });
  if (!template.active) return fail("template_inactive", `The reward "${template.name}" is turned off. Turn it on before issuing it.`, { field: "templateId" });
  // Variable "points for amount off" options have no value of their own (docs/decisions/020).
  if (!purposeAllowed("MANUAL", template.purpose) || template.pointsStep !== null) {
    return fail("template_not_issuable", `The reward "${template.name}" can't be issued by hand.`, { field: "templateId" });
  }
  // Its amounts were saved in another currency than the shop sells in now (docs/decisions/015): not
  // started (a job started before the change pauses at its next customer: run.server.ts).
  const shopCurrency = await shopCurrencyOf(db, shop);
  if (amountsNeedReview(template.amountCurrency, shopCurrency)) {
    return fail(
      "amount_in_other_currency",
      `The reward "${template.name}" has amounts saved in ${template.amountCurrency}, and the shop now sells in ${shopCurrency}. Review its amounts, confirm them (the banner on Home), then start the bulk issue.`,
      { field: "templateId" },
    );
  }
  // What every customer of the job gets, fixed now: an edit of the reward while the job runs must
  // not give the customers after it something else than those before (docs/decisions/024).
  let settings: RewardSettings;
  try {
    settings = settingsFromTemplate(template);
  } catch (error) {
    if (!(error instanceof InvalidTemplateError)) throw error;
    return fail("template_not_issuable", `The reward "${template.name}" has invalid settings: ${error.message}. Fix it before issuing it.`, { field: "templateId" });
  }
  const recipients = await resolveRecipients(db, shop, input.target);
  if ("ok" in recipients) return recipients;
  if (recipients.customerIds.length === 0) return fail("no_customers", "No customer matches this selection: nobody would receive the reward.");

  const unmatchedCount = recipients.unmatched.invalid.length + recipients.unmatched.unknown.length;
  const save = () =>
    db.$transaction(
      async (tx) => {
        const created = await tx.bulkIssueJob.create({
          data: {
            ...(jobId ? { id: jobId } : {}),
            shop,
            templateId: template.id,
            templateName: template.name,
            rewardSettings: JSON.stringify(settings),
            targetType: input.target.type satisfies BulkTargetType,
            target: recipients.target,
            total: recipients.customerIds.length,
            unmatched: unmatchedCount,
            createdAt: now,
          },
        });
        for (let i = 0; i < recipients.customerIds.length; i += INSERT_CHUNK) {
          await tx.bulkIssueItem.createMany({
            data: recipients.customerIds.slice(i, i + INSERT_CHUNK).map((customerId) => ({ jobId: created.id, shop, customerId, createdAt: now })),
          });
        }
        return created;
      },
      { maxWait: 20_000, timeout: 60_000 },
    );
  let job: BulkIssueJob;
  try {
    job = await save();
  } catch (error) {
    // A twin post of the same form saved its job first (the id is the key's): answer with that job.
    if (!jobId || !isUniqueViolation(error)) throw error;
    const twin = await db.bulkIssueJob.findFirst({ where: { id: jobId, shop } });
    if (!twin) throw error;
    return { ok: true, job: twin, unmatched: none, duplicates: 0 };
  }
  return { ok: true, job, unmatched: recipients.unmatched, duplicates: recipients.duplicates };
}

export type MoveBulkJobResult = Result<{ job: BulkIssueJob }, Problem<"not_found" | "not_allowed"> & { state?: string }>;

const ACTION_WORDS: Record<BulkJobAction, string> = { pause: "paused", resume: "resumed", cancel: "canceled" };

/**
 * Pause, resume or cancel: a conditional update from the states the move allows, so two clicks or
 * a runner finishing at the same moment can't both win. Rewards already saved stay (a pause or a
 * cancel stops the job from saving more; the few in flight are still generated).
 */
export async function moveBulkJob(db: Db, input: { shop: string; jobId: string; action: BulkJobAction }, now: Date = new Date()): Promise<MoveBulkJobResult> {
  const move = BULK_JOB_MOVES[input.action];
  const stamp = input.action === "pause" ? { pausedAt: now } : input.action === "cancel" ? { canceledAt: now, finishedAt: now } : { pausedAt: null, lastErrorCode: null, lastErrorMessage: null };
  const moved = await db.bulkIssueJob.updateMany({
    where: { id: input.jobId, shop: input.shop, state: { in: [...move.from] } },
    data: { state: move.to, ...stamp },
  });
  const job = await db.bulkIssueJob.findFirst({ where: { id: input.jobId, shop: input.shop } });
  if (!job) return { ok: false, error: { code: "not_found", message: "This bulk issue doesn't exist in this shop." } };
  if (moved.count === 0) {
    return { ok: false, error: { code: "not_allowed", state: job.state, message: `This bulk issue is ${job.state.toLowerCase()}: it can't be ${ACTION_WORDS[input.action]}.` } };
  }
  return { ok: true, job };
}

// ---- read models ----------------------------------------------------------------------------

export interface BulkJobView {
  id: string;
  templateId: string;
  templateName: string;
  /** What each customer of the job gets: the reward as it was when the job started (null: not read yet, or unreadable). */
  reward: { name: string; kind: RewardKind; value: string; minimumSubtotal: string | null; expiryDays: number | null } | null;
  targetType: string;
  target: string;
  state: string;
  total: number;
  /** Items with an outcome: issued, failed or skipped. */
  done: number;
  inFlight: number;
  /** Items still to be issued (0 once the job is canceled). */
  waiting: number;
  /** Items a cancel left without a reward (they will never be issued). */
  notIssued: number;
  issued: number;
  failed: number;
  skipped: number;
  unmatched: number;
  lastError: { code: string; message: string } | null;
  /** ISO 8601. */
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  moving: boolean;
  estimate: (Omit<FinishEstimate, "at"> & { at: string }) | null;
}

export function toBulkJobView(job: BulkIssueJob, now: Date): BulkJobView {
  const done = job.issued + job.failed + job.skipped;
  // issued + failed + skipped + inFlight + waiting + notIssued = total: what a cancel left behind
  // is no longer "waiting".
  const left = Math.max(0, job.total - done - job.inFlight);
  const waiting = job.state === "CANCELED" ? 0 : left;
  const notIssued = left - waiting;
  const moving = isBulkJobMoving(job);
  const remaining = job.state === "QUEUED" || job.state === "RUNNING" ? waiting + job.inFlight : job.inFlight;
  const snapshot = job.rewardSettings ? readSettingsSnapshot(job.rewardSettings) : null;
  const reward = snapshot?.ok
    ? { name: snapshot.settings.templateName, kind: snapshot.settings.kind, value: snapshot.settings.value, minimumSubtotal: snapshot.settings.minimumSubtotal, expiryDays: snapshot.settings.expiryDays }
    : null;
  const estimate = moving && remaining > 0 ? estimateFinish({ remaining, restoreRate: job.apiRestoreRate, costPerReward: job.apiCostPerReward, now }) : null;
  return {
    id: job.id,
    templateId: job.templateId,
    templateName: job.templateName,
    reward,
    targetType: job.targetType,
    target: job.target,
    state: job.state,
    total: job.total,
    done,
    inFlight: job.inFlight,
    waiting,
    notIssued,
    issued: job.issued,
    failed: job.failed,
    skipped: job.skipped,
    unmatched: job.unmatched,
    lastError: job.lastErrorCode ? { code: job.lastErrorCode, message: job.lastErrorMessage ?? job.lastErrorCode } : null,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    moving,
    estimate: estimate ? { ...estimate, at: estimate.at.toISOString() } : null,
  };
}

/** The shop's bulk jobs, newest first (bounded). */
export async function listBulkJobs(db: Db, shop: string, now: Date = new Date(), take = 50): Promise<BulkJobView[]> {
  const jobs = await db.bulkIssueJob.findMany({ where: { shop }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take });
  return jobs.map((j) => toBulkJobView(j, now));
}

export interface BulkFailureRow {
  itemId: string;
  customerId: string;
  customerName: string;
  rewardId: string | null;
  state: string;
  /** A code of app/domain/rewards/failures.ts (FAILED) or why no reward was saved (SKIPPED). */
  reasonCode: string | null;
  /** Shopify's own words, for support (failed rewards only). */
  detail: string | null;
}

/** One job with its failed and skipped customers (at most `take`), or null if it isn't the shop's. */
export async function getBulkJob(db: Db, shop: string, jobId: string, now: Date = new Date(), take = 100): Promise<{ job: BulkJobView; failures: BulkFailureRow[]; currency: string } | null> {
  const job = await db.bulkIssueJob.findFirst({ where: { id: jobId, shop } });
  if (!job) return null;
  const items = await db.bulkIssueItem.findMany({
    where: { jobId, state: { in: ["FAILED", "SKIPPED"] } },
    orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
    take,
  });
  const [customers, rewards, currency] = await Promise.all([
    db.customer.findMany({ where: { shop, id: { in: items.map((i) => i.customerId) } }, select: { id: true, displayName: true, email: true } }),
    db.reward.findMany({ where: { shop, id: { in: items.flatMap((i) => (i.rewardId ? [i.rewardId] : [])) } }, select: { id: true, failureMessage: true } }),
    shopCurrencyOf(db, shop),
  ]);
  const nameOf = new Map(customers.map((c) => [c.id, customerLabel(c.displayName, c.email)]));
  const detailOf = new Map(rewards.map((r) => [r.id, r.failureMessage]));
  return {
    job: toBulkJobView(job, now),
    currency,
    failures: items.map((i) => ({
      itemId: i.id,
      customerId: i.customerId,
      customerName: nameOf.get(i.customerId) ?? "Customer no longer in the program",
      rewardId: i.rewardId,
      state: i.state,
      reasonCode: i.reasonCode,
      detail: i.rewardId ? (detailOf.get(i.rewardId) ?? null) : null,
    })),
  };
}
