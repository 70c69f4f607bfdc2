// The app's life in a shop: installed (token exchange → afterAuth), uninstalled (app/uninstalled),
// and its offline access token rejected by Shopify (HTTP 401: revoked or stale). One rule decides
// whether the shop's background work may run (`shopWorkPause`), and one function resumes it.
// Why: docs/decisions/015-privacy-and-lifecycle.md.
//
// Shopify facts relied on:
//   - app/uninstalled is delivered at least once and may arrive late; X-Shopify-Triggered-At is when
//     the event happened (https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates,
//     https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-2-validate-the-origin-of-your-webhook).
//   - After an uninstall the access token no longer works; a (re)install hands the app a new one through
//     token exchange (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/token-exchange).
//   - The Admin API answers 401 Unauthorized to a token it does not accept
//     (https://shopify.dev/docs/api/usage/response-codes).
import type { Shop } from "@prisma/client";
import type { Db } from "~/db.server";
import type { Logger } from "~/logger.server";
import { deliveredEventTime } from "~/domain/shopify-time";
import { forgetShopErasure } from "~/services/compliance/privacy.server";
import { requeueWaitingDeliveries } from "~/services/webhooks/dead-letters.server";
import { stopJobsForUninstalledShop } from "~/services/bulk-issue/uninstall.server";

export type WorkPause = "uninstalled" | "access_revoked";

/** Why the shop's background work must wait, or null when it may run. */
export function shopWorkPause(shop: Pick<Shop, "uninstalledAt" | "accessRevokedAt"> | null | undefined): WorkPause | null {
  if (shop?.uninstalledAt) return "uninstalled";
  if (shop?.accessRevokedAt) return "access_revoked";
  return null;
}

/** What the reward history says while a reward waits for its shop. */
export const PAUSE_REASONS: Readonly<Record<WorkPause, string>> = {
  uninstalled: "Waiting: the app was uninstalled from the shop. The reward stays Pending and is created when the app is installed again.",
  access_revoked:
    "Waiting: Shopify rejected the app's access to the shop (HTTP 401: the access token was revoked or is no longer valid). No attempt was used. The reward stays Pending and is created as soon as the merchant opens the app, which reconnects it.",
};

export interface LifecycleContext {
  shop: string;
  /** When Shopify says the event happened (X-Shopify-Triggered-At); null if unknown. */
  triggeredAt: Date | null;
  /** When the app recorded the delivery (the event happened before it: deliveredEventTime). */
  receivedAt?: Date;
  webhookId?: string;
}

/**
 * When the app last got a token by token exchange (`Shop.installedAt`, written by afterAuth's
 * resumeShop on install, reinstall and reconnect): Shopify refuses token exchange while the app is
 * uninstalled (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/token-exchange),
 * so the app was installed then, and an uninstall (or its shop/redact) triggered before it belongs to
 * an earlier installation. Null when the app has no row for the shop.
 */
export async function lastTokenExchangeAt(db: Db, shop: string): Promise<Date | null> {
  return (await db.shop.findUnique({ where: { domain: shop }, select: { installedAt: true } }))?.installedAt ?? null;
}

export type UninstallOutcome = "uninstalled" | "stale";

/**
 * app/uninstalled: the shop's tokens are dead, so its sessions go and its work stops. A delivery of
 * an uninstall that happened BEFORE the current token was stored (a quick reinstall, then the late
 * webhook) belongs to the previous installation: it deletes only sessions stored before the event and
 * leaves the shop installed. Idempotent: duplicates change nothing more.
 */
export async function handleAppUninstalled(
  db: Db,
  ctx: LifecycleContext,
  deps: {
    now: () => Date;
    logger?: Logger;
    /**
     * Whether Shopify still accepts the stored offline token (true only on a successful Admin API
     * call). The body's signature covers neither its topic nor its time, and X-Shopify-Triggered-At
     * is unsigned: an app/uninstalled body captured at an earlier uninstall, sent again after a
     * reinstall without that header, would delete the working session. Shopify revokes the token at
     * uninstall (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens), so
     * a token that still works means the app is installed. Anything else (401, no answer) lets the
     * uninstall proceed, as before.
     */
    tokenStillWorks?: (shop: string) => Promise<boolean>;
  },
): Promise<UninstallOutcome> {
  const { shop, triggeredAt } = ctx;
  // Triggered before the app's last token exchange: the uninstall of an earlier installation (a
  // late delivery, or an old body sent again: the header is unsigned, but a replay carrying its own
  // time, or none and recorded before the reinstall, is caught here whatever the token's state).
  const happened = deliveredEventTime(ctx);
  const exchanged = happened ? await lastTokenExchangeAt(db, shop) : null;
  if (happened && exchanged && happened.getTime() < exchanged.getTime()) {
    await db.session.deleteMany({ where: { shop, storedAt: { lte: happened } } });
    deps.logger?.info({ shop, triggeredAt, webhookId: ctx.webhookId }, "app/uninstalled ignored: triggered before the app's last token exchange, so it belongs to an earlier installation");
    return "stale";
  }
  if (triggeredAt) {
    const newer = await db.session.count({ where: { shop, storedAt: { gt: triggeredAt }, accessToken: { not: "" } } });
    if (newer > 0) {
      await db.session.deleteMany({ where: { shop, storedAt: { lte: triggeredAt } } });
      deps.logger?.info({ shop, triggeredAt, webhookId: ctx.webhookId }, "late app/uninstalled ignored: the app was installed again after it");
      return "stale";
    }
  }
  if (deps.tokenStillWorks && (await deps.tokenStillWorks(shop))) {
    deps.logger?.info({ shop, triggeredAt, webhookId: ctx.webhookId }, "app/uninstalled ignored: Shopify still accepts the app's token, so the app is installed");
    return "stale";
  }
  await db.session.deleteMany({ where: { shop } });
  await db.shop.updateMany({ where: { domain: shop, uninstalledAt: null }, data: { uninstalledAt: triggeredAt ?? deps.now() } });
  // Its bulk issues stop, saying why (docs/decisions/024); the runner would also stop them at its next pass.
  await stopJobsForUninstalledShop(db, shop, deps.now());
  // A shop/redact that met a refused token before this uninstall was recorded waited for it
  // (handleShopRedact): it is due now.
  const requeued = await requeueWaitingDeliveries(db, shop, "shop/redact", deps.now());
  if (requeued > 0) deps.logger?.info({ shop, requeued, webhookId: ctx.webhookId }, "app/uninstalled applied: the shop/redact that waited for it is due now");
  return "uninstalled";
}

/**
 * The app holds a working token again (afterAuth after token exchange, on install, reinstall or
 * reconnect): the shop is installed, and work deferred while it was not becomes due at once (the
 * worker's per-shop pacing still spaces the calls). Returns how many rewards were made due.
 */
export async function resumeShop(db: Db, input: { shop: string; now: Date; logger?: Logger }): Promise<number> {
  const { shop, now } = input;
  // A shop erased by shop/redact and installed again: its new rows are its own (the erasure's mark goes).
  await forgetShopErasure(db, shop);
  const before = await db.shop.findUnique({ where: { domain: shop } });
  // installedAt: when the app last got a token by token exchange (lastTokenExchangeAt).
  await db.shop.upsert({
    where: { domain: shop },
    create: { domain: shop, installedAt: now },
    update: { uninstalledAt: null, accessRevokedAt: null, installedAt: now },
  });
  const wasPaused = shopWorkPause(before);
  if (!wasPaused) return 0;
  const resumed = await db.reward.updateMany({
    where: { shop, status: "PENDING", claimedBy: null, nextAttemptAt: { gt: now } },
    data: { nextAttemptAt: now },
  });
  input.logger?.info({ shop, resumed: resumed.count, was: wasPaused }, "shop resumed; deferred rewards are due now");
  return resumed.count;
}

/**
 * The shops among `shops` the app holds anything for: a Shop row (written by afterAuth, kept through
 * an uninstall until shop/redact) or a session (stored by the token exchange just before afterAuth).
 * Any other shop never installed the app, or was erased by shop/redact.
 */
export async function shopsTheAppKnows(db: Db, shops: readonly string[]): Promise<Set<string>> {
  if (shops.length === 0) return new Set();
  const [rows, sessions] = await Promise.all([
    db.shop.findMany({ where: { domain: { in: [...shops] } }, select: { domain: true } }),
    db.session.findMany({ where: { shop: { in: [...shops] } }, select: { shop: true }, distinct: ["shop"] }),
  ]);
  return new Set([...rows.map((r) => r.domain), ...sessions.map((s) => s.shop)]);
}

/** Was this Admin API failure Shopify refusing the token itself? */
export function isRejectedToken(failure: { kind: string; status?: number }): boolean {
  return failure.kind === "http" && failure.status === 401;
}

/**
 * Shopify answered 401 to the shop's offline token: mark the stored token invalid (as the library
 * does in the admin: an empty token makes the next admin load exchange a fresh one) and stop the
 * shop's background work until then. A token stored after `since` (the failed call started before
 * it) is newer than the rejected one and is left alone.
 */
export async function markAccessRevoked(db: Db, input: { shop: string; since: Date; now: Date; logger?: Logger }): Promise<boolean> {
  const { shop, since, now } = input;
  const fresher = await db.session.count({ where: { shop, isOnline: false, storedAt: { gt: since }, accessToken: { not: "" } } });
  if (fresher > 0) return false;
  await db.session.updateMany({ where: { shop, storedAt: { lte: since } }, data: { accessToken: "" } });
  await db.shop.updateMany({ where: { domain: shop, accessRevokedAt: null }, data: { accessRevokedAt: now } });
  input.logger?.warn({ shop }, "Shopify rejected the shop's access token (401); its work waits for the next token exchange");
  return true;
}

/** A dedupe key so one wait writes one history entry per pause of the shop, not one per look. */
export function pauseEventKey(pause: WorkPause, shop: Pick<Shop, "uninstalledAt" | "accessRevokedAt">): string {
  const since = pause === "uninstalled" ? shop.uninstalledAt : shop.accessRevokedAt;
  return `paused:${pause}:${since?.toISOString() ?? "?"}`;
}

