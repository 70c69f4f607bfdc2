// Bulk issue of one reward to many customers (docs/decisions/024): the job's states and the moves
// between them, the pasted email list's parsing, and the estimated finish from the shop's Admin API
// budget. Plain TypeScript: no Remix, Prisma or Shopify.
import { emailKey } from "./customer-email";
import { cutText } from "./text";

export const BULK_JOB_STATES = ["QUEUED", "RUNNING", "PAUSED", "DONE", "CANCELED"] as const;
export type BulkJobState = (typeof BULK_JOB_STATES)[number];

export const BULK_TARGET_TYPES = ["TIER", "SEARCH", "EMAILS"] as const;
export type BulkTargetType = (typeof BULK_TARGET_TYPES)[number];

/** WAITING → QUEUED (its reward saved Pending) → ISSUED | FAILED; SKIPPED when no reward could be saved. */
export const BULK_ITEM_STATES = ["WAITING", "QUEUED", "ISSUED", "FAILED", "SKIPPED"] as const;
export type BulkItemState = (typeof BULK_ITEM_STATES)[number];

export type BulkJobAction = "pause" | "resume" | "cancel";

/** The states a merchant's action may start from, and where it leads. */
export const BULK_JOB_MOVES: Readonly<Record<BulkJobAction, { from: readonly BulkJobState[]; to: BulkJobState }>> = {
  pause: { from: ["QUEUED", "RUNNING"], to: "PAUSED" },
  resume: { from: ["PAUSED"], to: "RUNNING" },
  cancel: { from: ["QUEUED", "RUNNING", "PAUSED"], to: "CANCELED" },
};

/** Why a job stopped when the app was uninstalled from its shop (BulkIssueJob.lastErrorCode): the merchant resumes it. */
export const APP_UNINSTALLED = "app_uninstalled";

/** States in which the runner saves further rewards. */
export const ISSUING_STATES: readonly BulkJobState[] = ["QUEUED", "RUNNING"];

export function isBulkJobState(value: unknown): value is BulkJobState {
  return typeof value === "string" && (BULK_JOB_STATES as readonly string[]).includes(value);
}

export function isBulkTargetType(value: unknown): value is BulkTargetType {
  return typeof value === "string" && (BULK_TARGET_TYPES as readonly string[]).includes(value);
}

export function canMove(state: string, action: BulkJobAction): boolean {
  return (BULK_JOB_MOVES[action].from as readonly string[]).includes(state);
}

/** Whether the job will still change by itself (the admin keeps its page fresh while it does). */
export function isBulkJobMoving(job: { state: string; inFlight: number }): boolean {
  return job.state === "QUEUED" || job.state === "RUNNING" || job.inFlight > 0;
}

// ---- pasted emails ---------------------------------------------------------------------------

/** At most this many emails in one pasted list. */
export const MAX_PASTED_EMAILS = 1_000;
/** At most this many characters pasted (1,000 long addresses and separators). */
export const MAX_PASTED_CHARS = 100_000;

/** A practical address check (one @, something before, a dotted domain, no spaces): Shopify has the final word. */
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:".]{2,}$/;

export type EmailListProblem =
  | { code: "empty"; message: string }
  | { code: "too_long"; message: string }
  | { code: "too_many"; message: string };

export type ParsedEmailList =
  | { ok: true; emails: string[]; invalid: string[]; duplicates: number }
  | { ok: false; error: EmailListProblem };

/**
 * Splits a pasted list (newlines, commas, semicolons or spaces) into unique emails keyed by `emailKey` and the
 * entries that are not emails (kept as typed, to be reported back; never dropped silently).
 */
export function parseEmailList(text: string): ParsedEmailList {
  if (text.length > MAX_PASTED_CHARS) {
    return { ok: false, error: { code: "too_long", message: `The pasted list is too long (at most ${MAX_PASTED_CHARS.toLocaleString("en-US")} characters). Split it into several jobs.` } };
  }
  const entries = text
    .split(/[\s,;]+/)
    .map((e) => e.trim().replace(/^<|>$/g, ""))
    .filter(Boolean);
  if (entries.length === 0) return { ok: false, error: { code: "empty", message: "Paste at least one email address." } };
  if (entries.length > MAX_PASTED_EMAILS) {
    return { ok: false, error: { code: "too_many", message: `The list has ${entries.length} entries; at most ${MAX_PASTED_EMAILS} per job. Split it into several jobs.` } };
  }
  const seen = new Set<string>();
  const emails: string[] = [];
  const invalid: string[] = [];
  let duplicates = 0;
  for (const entry of entries) {
    if (!EMAIL.test(entry) || entry.length > 254) {
      invalid.push(cutText(entry, 100));
      continue;
    }
    const key = emailKey(entry);
    if (seen.has(key)) duplicates++;
    else {
      seen.add(key);
      emails.push(key);
    }
  }
  return { ok: true, emails, invalid, duplicates };
}

// ---- estimated finish --------------------------------------------------------------------------

/**
 * Shopify's documented Admin GraphQL budget of a Standard plan shop (100 points restored per second)
 * and the cost of one mutation (10 points), used until the worker has seen the shop's own figures
 * (https://shopify.dev/docs/api/usage/rate-limits#graphql-admin-api-rate-limits).
 */
export const DEFAULT_RESTORE_RATE = 100;
export const DEFAULT_COST_PER_REWARD = 10;

export interface FinishEstimateInput {
  /** Rewards still to be generated: waiting plus in flight. */
  remaining: number;
  /** Points Shopify restores per second for the shop (null: not seen yet). */
  restoreRate: number | null;
  /** Requested cost of generating one reward, in points (null: not seen yet). */
  costPerReward: number | null;
  now: Date;
}

export interface FinishEstimate {
  seconds: number;
  at: Date;
  /** Whether the shop's own budget was used (false: Shopify's documented defaults). */
  observed: boolean;
  rewardsPerSecond: number;
}

/**
 * When the job should be done if the shop's API budget is the limit: once the bucket is drained, the
 * worker spends exactly what Shopify restores (app/jobs/pacing.server.ts), so the remaining rewards
 * take remaining × cost ÷ restore rate seconds. The bucket's spare points only make it sooner.
 */
export function estimateFinish(input: FinishEstimateInput): FinishEstimate {
  const observed = Boolean(input.restoreRate && input.restoreRate > 0 && input.costPerReward && input.costPerReward > 0);
  const rate = observed ? input.restoreRate! : DEFAULT_RESTORE_RATE;
  const cost = observed ? input.costPerReward! : DEFAULT_COST_PER_REWARD;
  const remaining = Math.max(0, Math.floor(input.remaining));
  const seconds = Math.ceil((remaining * cost) / rate);
  return { seconds, at: new Date(input.now.getTime() + seconds * 1000), observed, rewardsPerSecond: rate / cost };
}
