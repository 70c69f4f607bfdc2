// Asynchronous generation (referral rewards, VIP tier entry rewards, merchant manual/bulk issue):
// the reward is saved at once as Pending, with its code already chosen and `nextAttemptAt = now`,
// and the worker (app/jobs/worker.server.ts) has it generated in Shopify by generate-pending.server.ts.
// The row IS the job, so a promise made here survives any process dying afterwards.
import type { Customer, Reward } from "@prisma/client";
import { codeKey, initialStatus, type Actor, type RewardSource } from "~/domain/rewards";
import type { Problem, Result } from "~/domain/result";
import type { RewardDeps } from "./deps.server";
import { amountsNeedReview } from "~/domain/currency";
import { shopCurrencyOf } from "~/services/lifecycle/amount-currency.server";
import { recordEvent } from "./events.server";
import {
  chooseCode,
  InvalidTemplateError,
  inTransaction,
  isUniqueViolation,
  rewardTitle,
  parseSettings,
  settingsFromTemplate,
  toRewardView,
  type RewardSettings,
  type RewardView,
} from "./repository.server";

export type AsyncSource = Exclude<RewardSource, "POINTS_REDEMPTION">;

export interface IssueRewardAsyncInput {
  shop: string;
  /** Our Customer.id, or the customer's Shopify GID. */
  customer: { id: string } | { gid: string };
  templateId: string;
  source: AsyncSource;
  /**
   * Makes the issue repeatable without a second reward, e.g. `referral:<referralId>` or
   * `vip:<tier>:<customerId>` (a duplicate webhook or a double click then returns the first one).
   */
  idempotencyKey?: string | null;
  /** Default: MERCHANT for MANUAL, SYSTEM otherwise. */
  actor?: Actor;
  /** Why it was issued, for the reward's history (app-authored, e.g. "Referred a friend": no personal data). */
  reason?: string | null;
  /** Free text typed by the merchant; kept in the event's note, which customers/redact erases. */
  note?: string | null;
  /**
   * What to issue, taken from the template earlier (a bulk job's snapshot, docs/decisions/024):
   * the template must still exist, be on and fit the source, but its current settings are not
   * used — an edit made since then changes nothing. Without it, the template's current settings.
   */
  settings?: RewardSettings;
}

export type IssueErrorCode = "customer_not_found" | "template_not_found" | "template_inactive" | "template_not_for_source" | "invalid_template" | "amount_in_other_currency";

export type IssueResult = Result<{ reward: RewardView; created: boolean }, Problem<IssueErrorCode>>;

/** Which template purposes each source may use; the merchant may issue any of them by hand. */
const PURPOSES: Record<AsyncSource, readonly string[]> = {
  REFERRAL: ["REFERRAL"],
  VIP_TIER_ENTRY: ["VIP_TIER_ENTRY"],
  MANUAL: ["MANUAL", "REFERRAL", "VIP_TIER_ENTRY", "POINTS_REDEMPTION"],
};

/** Whether a template of `purpose` may be given as a `source` reward (the merchant's manual and bulk issue: MANUAL). */
export function purposeAllowed(source: AsyncSource, purpose: string): boolean {
  return PURPOSES[source].includes(purpose);
}

const issueError = (code: IssueErrorCode, message: string): IssueResult => ({ ok: false, error: { code, message } });

/**
 * Promises a reward now and has it generated in the background: saves it Pending (code chosen) in
 * one transaction; the worker creates it in Shopify (generate-pending.server.ts). Referral, VIP
 * tier entry and the merchant's manual issue come through here.
 *
 * @example
 *   const result = await issueRewardAsync(deps, {
 *     shop: "example.myshopify.com",
 *     customer: { gid: "gid://shopify/Customer/1001" },
 *     templateId: template.id, // a REFERRAL template
 *     source: "REFERRAL",
 *     idempotencyKey: `referral:${referral.id}`, // a repeat returns the same reward (created: false)
 *     reason: "Referred a friend",
 *   });
 *   if (!result.ok) log(result.error.code); // e.g. "template_inactive"
 *   else result.reward.status; // "PENDING" — Issued once the worker has created it
 */
export async function issueRewardAsync(deps: RewardDeps, input: IssueRewardAsyncInput): Promise<IssueResult> {
  const { db } = deps;
  const { shop } = input;

  if (input.idempotencyKey) {
    const existing = await db.reward.findUnique({ where: { shop_idempotencyKey: { shop, idempotencyKey: input.idempotencyKey } } });
    if (existing) return { ok: true, reward: toRewardView(existing), created: false };
  }

  const customer: Customer | null =
    "id" in input.customer
      ? await db.customer.findFirst({ where: { id: input.customer.id, shop } })
      : await db.customer.findUnique({ where: { shop_shopifyCustomerId: { shop, shopifyCustomerId: input.customer.gid } } });
  if (!customer) return issueError("customer_not_found", "This customer isn't in the loyalty program of this shop.");

  const template = await db.rewardTemplate.findFirst({ where: { id: input.templateId, shop } });
  if (!template) return issueError("template_not_found", "This reward doesn't exist (it may have been deleted).");
  if (!template.active) return issueError("template_inactive", `The reward "${template.name}" is turned off. Turn it on before issuing it.`);
  if (!PURPOSES[input.source].includes(template.purpose)) {
    return issueError("template_not_for_source", `The reward "${template.name}" can't be given as a ${input.source.toLowerCase().replaceAll("_", " ")} reward.`);
  }
  // Amounts saved in another currency than the shop sells in now (docs/decisions/015): the merchant
  // issuing by hand (and a bulk job, which then pauses) is told at once and nothing is saved; a
  // reward promised to a customer (referral, VIP entry) is saved Pending in the currency its amounts
  // are in, and the worker holds it until they are confirmed (generate-pending.server.ts).
  const shopCurrency = await shopCurrencyOf(db, shop);
  if (input.source === "MANUAL" && amountsNeedReview(template.amountCurrency, shopCurrency)) {
    return issueError(
      "amount_in_other_currency",
      `The reward "${template.name}" has amounts saved in ${template.amountCurrency}, and the shop now sells in ${shopCurrency}. Review its amounts, confirm them (the banner on Home), then issue it.`,
    );
  }
  const amountCurrency = template.amountCurrency !== null && amountsNeedReview(template.amountCurrency, shopCurrency) ? template.amountCurrency : shopCurrency;
  let settings = input.settings;
  try {
    settings ??= settingsFromTemplate(template);
  } catch (error) {
    if (error instanceof InvalidTemplateError) return issueError("invalid_template", `The reward "${template.name}" has invalid settings: ${error.message}.`);
    throw error;
  }

  return queuePendingReward(deps, {
    shop,
    customer,
    settings,
    templateId: template.id,
    source: input.source,
    idempotencyKey: input.idempotencyKey ?? null,
    actor: input.actor ?? (input.source === "MANUAL" ? "MERCHANT" : "SYSTEM"),
    reason: input.reason ?? null,
    note: input.note ?? null,
    currency: amountCurrency,
  });
}

interface QueueInput {
  shop: string;
  customer: Customer;
  settings: RewardSettings;
  templateId: string | null;
  source: AsyncSource;
  idempotencyKey: string | null;
  actor: Actor;
  reason: string | null;
  note?: string | null;
  /** The currency its amounts are in: the shop's, or the other one its reward's amounts were saved in (held). */
  currency: string;
}

/** Saves a Pending reward (code chosen now) and its CREATED event; the worker generates it. */
async function queuePendingReward(deps: RewardDeps, input: QueueInput): Promise<IssueResult> {
  const { db, now, logger } = deps;
  const { shop, customer, settings } = input;
  const currency = input.currency;
  const actor: Actor = input.actor;
  const status = initialStatus(input.source);

  // A fresh random code collides with an existing one about never (60 bits), but the unique index
  // is the judge: pick another on a collision. A collision on the idempotency key means a twin
  // request won the race: return its reward.
  for (let attempt = 0; attempt < 3; attempt++) {
    const code = chooseCode(settings.kind, settings.codePrefix, deps.random);
    const createdAt = now();
    try {
      const reward: Reward = await inTransaction(db, async (tx) => {
        const row = await tx.reward.create({
          data: {
            shop,
            customerId: customer.id,
            customerGid: customer.shopifyCustomerId,
            customerName: customer.displayName || null,
            customerEmail: customer.email,
            source: input.source,
            kind: settings.kind,
            value: settings.value,
            currency,
            title: rewardTitle(settings),
            code,
            codeKey: codeKey(code),
            status,
            nextAttemptAt: createdAt,
            templateId: input.templateId,
            settings: JSON.stringify(settings),
            idempotencyKey: input.idempotencyKey ?? null,
            createdAt,
          },
        });
        await recordEvent(tx, {
          rewardId: row.id,
          shop,
          type: "CREATED",
          actor,
          toStatus: status,
          reason: input.reason ?? `${input.source} reward queued for generation`,
          note: input.note ?? null,
        });
        return row;
      });
      logger.info({ shop, rewardId: reward.id, source: input.source }, "reward queued");
      return { ok: true, reward: toRewardView(reward), created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (input.idempotencyKey) {
        const twin = await db.reward.findUnique({ where: { shop_idempotencyKey: { shop, idempotencyKey: input.idempotencyKey } } });
        if (twin) return { ok: true, reward: toRewardView(twin), created: false };
      }
    }
  }
  throw new Error("could not find a free reward code after 3 tries");
}

export interface ReissueInput {
  shop: string;
  rewardId: string;
  /** When given, the reward must belong to this customer (Customer.id) — the admin's URL scope. */
  customerId?: string;
}

export type ReissueResult = Result<{ reward: RewardView; created: boolean }, Problem<"not_found" | "not_failed"> & { status?: string }>;

/** The failed reward's history event that points to its replacement. */
export const REISSUED_DEDUPE_KEY = "reissued";

/** The key that makes "issue again" create one replacement per failed reward, however often pressed. */
export function reissueKey(rewardId: string): string {
  return `reissue:${rewardId}`;
}

/**
 * The merchant issues a Failed reward again: a new Pending reward (new code) with the failed one's
 * own saved settings — not its template's current ones — for the same customer. Failed is final: the
 * failed reward stays Failed, and its history points to the replacement.
 */
export async function reissueReward(deps: RewardDeps, input: ReissueInput): Promise<ReissueResult> {
  const failed = await deps.db.reward.findFirst({
    where: { id: input.rewardId, shop: input.shop, ...(input.customerId ? { customerId: input.customerId } : {}) },
    include: { customer: true },
  });
  if (!failed) return { ok: false, error: { code: "not_found", message: "This reward doesn't exist in this shop." } };
  if (failed.status !== "FAILED") {
    return { ok: false, error: { code: "not_failed", message: "Only failed rewards can be issued again.", status: failed.status } };
  }
  const result = await queuePendingReward(deps, {
    shop: input.shop,
    customer: failed.customer,
    settings: parseSettings(failed),
    templateId: failed.templateId,
    source: failed.source === "POINTS_REDEMPTION" ? "MANUAL" : (failed.source as AsyncSource),
    idempotencyKey: reissueKey(failed.id),
    actor: "MERCHANT",
    // Rewards are named by id, never by code: codes are personal data that customers/redact erases.
    reason: `Issued again by the merchant to replace failed reward ${failed.id}`,
    // Its own amounts, in their own currency: held (or failed again) by the worker when the shop has moved on.
    currency: failed.currency,
  });
  if (result.ok && result.created) {
    try {
      await recordEvent(deps.db, {
        rewardId: failed.id,
        shop: failed.shop,
        type: "NOTE",
        actor: "MERCHANT",
        reason: `Issued again as a new reward (${result.reward.id}). This reward stays Failed.`,
        dedupeKey: REISSUED_DEDUPE_KEY,
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  if (!result.ok) throw new Error(`re-issue failed unexpectedly: ${result.error.message}`);
  return result;
}
