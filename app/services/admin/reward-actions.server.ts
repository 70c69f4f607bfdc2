// What the merchant can do to rewards from the admin — cancel, issue one by hand, issue a failed one
// again — as thin adapters from a submitted form to the reward use-cases in app/services/rewards,
// which own every rule. Each answer is a plain message for the merchant plus an HTTP status.
import { z } from "zod";
import { cancelReward } from "~/services/rewards/cancel.server";
import { issueRewardAsync, reissueReward, type IssueErrorCode } from "~/services/rewards/issue-async.server";
import type { RewardDeps } from "~/services/rewards/deps.server";
import { kindTraits, parseRewardKind, parseRewardStatus, type RewardStatus } from "~/domain/rewards";
import { CODE_REVEALED_REASON, FAILURE_RESOLVED_REASON, REWARD_STATUS_LABELS } from "~/copy/admin";
import { recordEvent, recordEventOnce } from "~/services/rewards/events.server";
import { parseRequestKey } from "./request-key.server";

/**
 * The JSON answer of an admin form action (the body the admin UI reads, with the HTTP status): a
 * surface's response built from the use-cases' results, not a use-case result itself.
 */
export type AdminActionResult =
  | { ok: true; intent: string; message: string; rewardId: string; status: RewardStatus; code?: string }
  | { ok: false; intent: string; message: string; httpStatus: number };

const fail = (intent: string, httpStatus: number, message: string): AdminActionResult => ({ ok: false, intent, httpStatus, message });

const NOT_FOUND = "This reward doesn't exist in your shop (it may have been deleted).";

const cancelForm = z.object({
  intent: z.literal("cancel"),
  reason: z.string().trim().max(500).optional(),
});

const reissueForm = z.object({ intent: z.literal("reissue") });

/** Who pressed the button, as far as the session tells (a staff member's id on online sessions). */
export interface MerchantActor {
  staffId?: string | null;
}

// Every refusal names what to fix in the merchant's words (zod's own messages quoted the pattern).
const issueForm = z.object({
  intent: z.literal("issue", { error: "Unknown action." }),
  templateId: z.string({ error: "Choose a reward to issue." }).trim().min(1, "Choose a reward to issue.").max(100, "This reward doesn't exist in your shop. Choose a reward to issue."),
  note: z.string().trim().max(500, "The note is too long (500 characters at most).").optional(),
  /** Made by the form when it opens, so a double submit issues one reward (app/services/admin/request-key.server.ts). */
  requestKey: z.string().optional(),
});

function fields(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string") out[k] = v;
  return out;
}

/** Cancel (Pending/Issued) or re-issue (Failed) one reward of one customer of the shop. */
export async function handleRewardAction(
  deps: RewardDeps,
  target: { shop: string; customerId?: string | null; rewardId: string },
  form: FormData,
  actor: MerchantActor = {}
): Promise<AdminActionResult> {
  const data = fields(form);
  const owned = await deps.db.reward.findFirst({
    where: { id: target.rewardId, shop: target.shop, ...(target.customerId ? { customerId: target.customerId } : {}) },
    select: { id: true, customerId: true },
  });
  if (!owned) return fail(data.intent ?? "unknown", 404, NOT_FOUND);
  const scoped = { shop: target.shop, rewardId: target.rewardId, customerId: owned.customerId };
  if (data.intent === "reveal") return revealCode(deps, scoped, actor);
  if (data.intent === "resolve") return resolveFailure(deps, scoped, actor);

  if (data.intent === "cancel") {
    const parsed = cancelForm.safeParse(data);
    if (!parsed.success) return fail("cancel", 400, "The cancellation reason is too long (500 characters at most).");
    return cancelAsMerchant(deps, { shop: target.shop, rewardId: target.rewardId, reason: parsed.data.reason ?? null });
  }
  if (data.intent === "reissue") {
    if (!reissueForm.safeParse(data).success)
      return fail("reissue", 400, "Something was wrong with this request. Reload the page and try again.");
    return reissueFailed(deps, scoped);
  }
  return fail(data.intent ?? "unknown", 400, "Unknown action.");
}

async function cancelAsMerchant(
  deps: RewardDeps,
  input: { shop: string; rewardId: string; reason: string | null }
): Promise<AdminActionResult> {
  const result = await cancelReward(deps, input);
  if (!result.ok) {
    const status = result.error.code === "not_found" ? 404 : result.error.code === "not_cancelable" ? 409 : 502;
    return fail("cancel", status, result.error.message);
  }
  const refund = result.pointsRefunded > 0 ? ` ${result.pointsRefunded} points were given back to the customer.` : "";
  return { ok: true, intent: "cancel", message: `${result.message}${refund}`, rewardId: result.reward.id, status: result.reward.status };
}

const ISSUE_STATUS: Record<IssueErrorCode, number> = {
  customer_not_found: 404,
  template_not_found: 422,
  template_inactive: 422,
  template_not_for_source: 422,
  invalid_template: 422,
  amount_in_other_currency: 409,
};

async function reissueFailed(deps: RewardDeps, target: { shop: string; customerId: string; rewardId: string }): Promise<AdminActionResult> {
  const result = await reissueReward(deps, { shop: target.shop, rewardId: target.rewardId, customerId: target.customerId });
  if (!result.ok) {
    if (result.error.code === "not_found") return fail("reissue", 404, NOT_FOUND);
    const status = result.error.status as RewardStatus | undefined;
    return fail(
      "reissue",
      409,
      `Only failed rewards can be issued again; this one is ${(status && REWARD_STATUS_LABELS[status]) ?? status ?? "not failed"}.`,
    );
  }
  return {
    ok: true,
    intent: "reissue",
    message: result.created
      ? "A new reward was queued. It shows as Pending until Shopify has created its code; the failed one stays Failed."
      : "This reward was already issued again; showing the new one.",
    rewardId: result.reward.id,
    status: result.reward.status,
  };
}

/** Issue a reward by hand to a customer (saved Pending; the worker generates it in Shopify). */
export async function issueManualReward(
  deps: RewardDeps,
  target: { shop: string; customerId: string },
  form: FormData
): Promise<AdminActionResult> {
  const parsed = issueForm.safeParse(fields(form));
  if (!parsed.success) return fail("issue", 400, parsed.error.issues[0]?.message ?? "Something was wrong with this request.");
  const { templateId, note } = parsed.data;
  const key = parseRequestKey(parsed.data.requestKey);
  if (!key.ok) return fail("issue", 400, key.message);
  const requestKey = key.key;
  const result = await issueRewardAsync(deps, {
    shop: target.shop,
    customer: { id: target.customerId },
    templateId,
    source: "MANUAL",
    idempotencyKey: requestKey ? `manual:${target.customerId}:${requestKey}` : null,
    actor: "MERCHANT",
    reason: "Issued by the merchant",
    note: note ?? null,
  });
  if (!result.ok) return fail("issue", ISSUE_STATUS[result.error.code], result.error.message);
  return {
    ok: true,
    intent: "issue",
    message: result.created
      ? `Reward “${result.reward.title}” queued for the customer. It shows as Pending until Shopify has created its code.`
      : "This reward was already issued (the form was sent twice).",
    rewardId: result.reward.id,
    status: result.reward.status,
  };
}

function byWhom(actor: MerchantActor): string {
  return actor.staffId ? ` (staff member ${actor.staffId})` : "";
}

/**
 * The full code of a masked (gift card) reward, for a merchant who asked for it explicitly. Every
 * reveal is written to the reward's history with who asked — never with the code itself.
 */
async function revealCode(
  deps: RewardDeps,
  target: { shop: string; rewardId: string },
  actor: MerchantActor
): Promise<AdminActionResult> {
  const reward = await deps.db.reward.findFirst({
    where: { id: target.rewardId, shop: target.shop },
    select: { id: true, code: true, kind: true, status: true },
  });
  if (!reward) return fail("reveal", 404, NOT_FOUND);
  const kind = parseRewardKind(reward.kind);
  const status = parseRewardStatus(reward.status);
  if (kindTraits(kind).shopifyObject !== "gift_card") return fail("reveal", 409, "Only gift card codes are hidden; this code is shown in full.");
  await recordEvent(deps.db, {
    rewardId: reward.id,
    shop: target.shop,
    type: "NOTE",
    actor: "MERCHANT",
    reason: `${CODE_REVEALED_REASON}${byWhom(actor)}`,
  });
  return { ok: true, intent: "reveal", message: "Full gift card code shown. This was recorded in the reward's history.", rewardId: reward.id, status, code: reward.code };
}

/** The history event that hides a Failed reward from "Failed recently" (the merchant has dealt with it). */
export const RESOLVED_DEDUPE_KEY = "failure-resolved";

async function resolveFailure(
  deps: RewardDeps,
  target: { shop: string; rewardId: string },
  actor: MerchantActor
): Promise<AdminActionResult> {
  const reward = await deps.db.reward.findFirst({ where: { id: target.rewardId, shop: target.shop }, select: { id: true, status: true } });
  if (!reward) return fail("resolve", 404, NOT_FOUND);
  const status = parseRewardStatus(reward.status);
  if (status !== "FAILED") return fail("resolve", 409, `Only failed rewards can be marked resolved; this one is ${REWARD_STATUS_LABELS[status]}.`);
  const recorded = await recordEventOnce(deps.db, {
    rewardId: reward.id,
    shop: target.shop,
    type: "NOTE",
    actor: "MERCHANT",
    reason: `${FAILURE_RESOLVED_REASON}${byWhom(actor)}`,
    dedupeKey: RESOLVED_DEDUPE_KEY,
  });
  return {
    ok: true,
    intent: "resolve",
    message: recorded ? "Marked resolved. It no longer shows under Failed recently." : "This failure was already marked resolved.",
    rewardId: reward.id,
    status,
  };
}

/** The most rewards one bulk cancel acts on (a page of the Rewards table). */
export const MAX_BULK_CANCEL = 50;

const bulkCancelForm = z.object({
  intent: z.literal("bulk-cancel"),
  rewardIds: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)).min(1, "Select the rewards to cancel.").max(MAX_BULK_CANCEL, `Cancel at most ${MAX_BULK_CANCEL} rewards at once.`),
  reason: z.string().trim().max(500).optional(),
});

export type BulkCancelResult =
  | { ok: true; intent: "bulk-cancel"; message: string; canceled: number; failed: { rewardId: string; message: string }[] }
  | { ok: false; intent: "bulk-cancel"; message: string; httpStatus: number };

/**
 * Cancel several rewards of the shop, one by one through the cancel use-case (each its own
 * Shopify call and history; one refusal doesn't stop the others). Ids of another shop count as
 * failures ("doesn't exist"), never as canceled.
 */
export async function cancelRewardsInBulk(deps: RewardDeps, shop: string, form: FormData): Promise<BulkCancelResult> {
  const parsed = bulkCancelForm.safeParse({
    intent: form.get("intent"),
    rewardIds: form.getAll("rewardId").filter((v): v is string => typeof v === "string"),
    reason: typeof form.get("reason") === "string" ? form.get("reason") : undefined,
  });
  if (!parsed.success) return { ok: false, intent: "bulk-cancel", httpStatus: 400, message: parsed.error.issues[0]?.message ?? "Something was wrong with this request." };
  let canceled = 0;
  const failed: { rewardId: string; message: string }[] = [];
  for (const rewardId of new Set(parsed.data.rewardIds)) {
    const result = await cancelReward(deps, { shop, rewardId, reason: parsed.data.reason ?? null });
    if (result.ok && !result.alreadyCanceled) canceled++;
    else if (!result.ok) failed.push({ rewardId, message: result.error.message });
  }
  const message =
    failed.length === 0
      ? `${canceled} reward${canceled === 1 ? "" : "s"} canceled.`
      : `${canceled} reward${canceled === 1 ? "" : "s"} canceled; ${failed.length} could not be canceled.`;
  return { ok: true, intent: "bulk-cancel", message, canceled, failed };
}
