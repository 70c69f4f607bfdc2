// Expiring offline access tokens in background work (docs/decisions/017-expiring-offline-tokens.md):
// the worker keeps generating across expiry through the production Admin API access
// (unauthenticatedAdminFor → library → emulator), refreshes before expiry, refreshes after a 401, and
// two refreshers racing (two database clients) end with one stored, working pair — one refresh grant,
// no 401 storm. Only a refused refresh pauses the shop as "access revoked".
// Against the old emulator (no expiry, no refresh grant) none of this could fail.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Customer, RewardTemplate } from "@prisma/client";
import db, { createDb } from "~/db.server";
import { logger } from "~/logger.server";
import { runWorkerOnce, workerConfig, type WorkerDeps } from "~/jobs/worker.server";
import { issueRewardAsync } from "~/services/rewards/issue-async.server";
import { unauthenticatedAdminFor } from "~/services/rewards/deps.server";
import { reconcileIssuedRewards } from "~/services/reconcile/discounts.server";
import { startBulkJob } from "~/services/bulk-issue/jobs.server";
import { advanceBulkJobs } from "~/services/bulk-issue/run.server";
import { ensureFreshOfflineToken, migrateNonExpiringOfflineTokens, type OfflineTokenDeps } from "./offline-token.server";
import { ensureOfflineToken, sessionStorage } from "~/shopify.server";
import { Session } from "@shopify/shopify-api";
import { createScaledClock } from "@loyalty/shopify-emulator";
import { installEmulatedShop, migrateGrant, refreshGrant, useShopifyEmulator } from "../../../test/support/shopify";
import { TEST_APP } from "../../../test/support/constants";
import { createCustomer, createTemplate } from "../../../test/support/factories";
import { allowErrorLogs } from "../../../test/support/error-logs";

const HOUR = 3_600_000;
const shopifyClock = createScaledClock();
const { emulator } = useShopifyEmulator({ clock: shopifyClock });
const SHOP: string = TEST_APP.shop;

let customer: Customer;
let template: RewardTemplate;

beforeAll(async () => {
  emulator.addShop({ domain: SHOP, scopes: TEST_APP.scopes.split(","), currencyCode: "USD" });
  customer = await createCustomer(db, SHOP, {}, emulator);
  template = await createTemplate(db, SHOP, { purpose: "REFERRAL", kind: "FIXED_AMOUNT", value: "5.00", pointsCost: null, expiryDays: 14 });
});

beforeEach(async () => {
  await db.reward.deleteMany();
  await installEmulatedShop(emulator, SHOP, {}, { expiringToken: true });
  await db.shop.update({ where: { domain: SHOP }, data: { accessRevokedAt: null } });
  emulator.tokenRequests.length = 0;
});

function deps(over: Partial<WorkerDeps> = {}): WorkerDeps {
  // Production Admin API access: the stored offline session through the library, refreshed as needed.
  return { db, logger, adminFor: unauthenticatedAdminFor, now: () => new Date(), ...over };
}
const config = () => workerConfig({ workerId: "worker-a", leaseMs: 60_000, jitterRandom: () => 0, perShopConcurrency: 1, shopifyTimeoutMs: 5_000 });

async function pendingReward() {
  const r = await issueRewardAsync(deps(), { shop: SHOP, customer: { id: customer.id }, templateId: template.id, source: "REFERRAL", reason: "Referred a friend" });
  if (!r.ok) throw new Error(r.error.message);
  return r.reward;
}

const sessionRow = () => db.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } });
const refreshGrants = () => emulator.tokenRequests.filter((r) => r.grant === "refresh_token");
const unauthorizedCalls = () => emulator.inspect.calls({ shop: SHOP }).filter((c) => c.outcome === "unauthorized");

async function adminStatus(token: string): Promise<number> {
  const res = await fetch(`https://${SHOP}/admin/api/2026-10/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": token },
    body: JSON.stringify({ query: "{ shop { name } }" }),
  });
  return res.status;
}

// A token exchange (afterAuth: install, reinstall, reconnect) stores its pair through the session
// storage, without the lease, while a refresh's answer is on its way. Deterministic: the refresh hook
// gets Shopify's answer, then the exchange is stored, then the refresh writes.
async function storeExchangedPair(): Promise<{ accessToken: string; refreshToken: string; storedAt: Date }> {
  const pair = emulator.issueExpiringToken(SHOP);
  const at = Date.now();
  const session = new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false });
  Object.assign(session, {
    accessToken: pair.access_token,
    scope: pair.scope,
    expires: new Date(at + pair.expires_in * 1000),
    refreshToken: pair.refresh_token,
    refreshTokenExpires: new Date(at + pair.refresh_token_expires_in * 1000),
  });
  expect(await sessionStorage.storeSession(session)).toBe(true);
  const row = await sessionRow();
  expect(row.accessToken).toBe(pair.access_token);
  return { accessToken: pair.access_token, refreshToken: pair.refresh_token, storedAt: row.storedAt };
}

describe("background work across token expiry", () => {
  it("the worker keeps generating after the token expired in Shopify: 401 → one refresh → the call again", async () => {
    const first = await pendingReward();
    expect((await runWorkerOnce(deps(), config())).outcomes).toMatchObject({ issued: 1 });
    const before = await sessionRow();

    shopifyClock.advance(2 * HOUR); // Shopify's clock: the stored token is now expired there.
    const second = await pendingReward();
    const summary = await runWorkerOnce(deps(), config());
    expect(summary).toMatchObject({ claimed: 1, outcomes: { issued: 1 }, errors: 0 });
    expect(await db.reward.findUniqueOrThrow({ where: { id: second.id } })).toMatchObject({ status: "ISSUED", attempts: 1, failureCode: null });
    expect(await db.reward.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({ status: "ISSUED" });

    expect(unauthorizedCalls()).toHaveLength(1);
    expect(refreshGrants()).toEqual([expect.objectContaining({ ok: true })]);
    const after = await sessionRow();
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after).toMatchObject({ refreshLeaseUntil: null, refreshLeaseHolder: null });
    expect(await adminStatus(after.accessToken)).toBe(200);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).accessRevokedAt).toBeNull();
  });

  it("reconciliation keeps checking Issued codes after the token expired: 401 → one refresh → the lookup again", async () => {
    const reward = await pendingReward();
    expect((await runWorkerOnce(deps(), config())).outcomes).toMatchObject({ issued: 1 });
    shopifyClock.advance(2 * HOUR);
    const before = unauthorizedCalls().length;
    const summary = await reconcileIssuedRewards({ db, adminFor: unauthenticatedAdminFor, now: new Date(Date.now() + 60_000), olderThanMs: 0 });
    expect(summary).toMatchObject({ checked: 1, canceled: 0, errors: 0 });
    expect(unauthorizedCalls().length - before).toBe(1);
    expect(refreshGrants()).toEqual([expect.objectContaining({ ok: true })]);
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "ISSUED", reconciledAt: expect.any(Date) });
  });

  it("a bulk issue keeps going across expiry: the rewards after the token expired are issued after one refresh", async () => {
    for (let i = 0; i < 3; i++) await createCustomer(db, SHOP, { vipTier: "Silver" }, emulator);
    const manual = await createTemplate(db, SHOP, { purpose: "MANUAL", kind: "FIXED_AMOUNT", value: "3.00", pointsCost: null, expiryDays: 14 });
    const started = await startBulkJob(db, { shop: SHOP, templateId: manual.id, target: { type: "TIER", tier: "Silver" } });
    if (!started.ok) throw new Error(started.error.message);
    const runner = { runnerId: "bulk-across-expiry", window: 1 };
    // One reward issued with the first token…
    await advanceBulkJobs(deps(), runner);
    expect((await runWorkerOnce(deps(), config())).outcomes).toMatchObject({ issued: 1 });
    // …then Shopify's clock passes the token's hour, and the job goes on.
    shopifyClock.advance(2 * HOUR);
    for (let round = 0; round < 10; round++) {
      await advanceBulkJobs(deps(), runner);
      if ((await db.bulkIssueJob.findUniqueOrThrow({ where: { id: started.job.id } })).state === "DONE") break;
      await runWorkerOnce(deps(), config());
    }
    expect(await db.bulkIssueJob.findUniqueOrThrow({ where: { id: started.job.id } })).toMatchObject({ state: "DONE", total: 3, issued: 3, failed: 0 });
    expect(refreshGrants()).toEqual([expect.objectContaining({ ok: true })]);
  });

  it("refreshes before expiry: a token that expires within minutes is replaced before the call, with no 401", async () => {
    await db.session.update({ where: { id: `offline_${SHOP}` }, data: { expires: new Date(Date.now() + 60_000) } });
    await pendingReward();
    expect((await runWorkerOnce(deps(), config())).outcomes).toMatchObject({ issued: 1 });
    expect(unauthorizedCalls()).toHaveLength(0);
    expect(refreshGrants()).toHaveLength(1);
    expect((await sessionRow()).expires!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
  });

  it("only a refused refresh counts as revoked: the shop pauses and the reward waits, no attempt used", async () => {
    allowErrorLogs();
    emulator.revokeAccessToken(SHOP); // kills the access token and the refresh tokens
    const reward = await pendingReward();
    await runWorkerOnce(deps(), config());
    expect(refreshGrants()).toEqual([expect.objectContaining({ ok: false })]);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).accessRevokedAt).not.toBeNull();
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "PENDING", attempts: 0 });
  });
});

describe("one refresher at a time across processes", () => {
  function refresherDeps(client: typeof db, over: Partial<OfflineTokenDeps> = {}): OfflineTokenDeps {
    return { db: client, now: () => new Date(), logger, refresh: refreshGrant, ...over };
  }

  it("two database clients refreshing the same rejected token at once: one refresh grant, both end with the stored working token", async () => {
    const other = createDb(process.env.DATABASE_URL);
    try {
      const rejected = (await sessionRow()).accessToken;
      shopifyClock.advance(2 * HOUR);
      // Deterministic overlap: A holds the lease and refreshes only once B has found it taken.
      let bWaiting!: () => void;
      const bIsWaiting = new Promise<void>((resolve) => (bWaiting = resolve));
      let aLeased!: () => void;
      const aHoldsLease = new Promise<void>((resolve) => (aLeased = resolve));
      let aFinished!: () => void;
      const aDone = new Promise<void>((resolve) => (aFinished = resolve));
      const a = ensureFreshOfflineToken(
        refresherDeps(db, {
          refresh: async (shop, token) => {
            aLeased();
            await bIsWaiting;
            return refreshGrant(shop, token);
          },
        }),
        SHOP,
        { rejectedToken: rejected },
      ).finally(aFinished);
      // B starts once A holds the lease.
      await aHoldsLease;
      expect((await sessionRow()).refreshLeaseHolder).not.toBeNull();
      const b = ensureFreshOfflineToken(
        refresherDeps(other, {
          pause: async () => {
            bWaiting();
            await aDone;
          },
        }),
        SHOP,
        { rejectedToken: rejected },
      );
      const [ra, rb] = await Promise.all([a, b]);
      expect(ra).toMatchObject({ ok: true, refreshed: true });
      expect(rb).toMatchObject({ ok: true, refreshed: false });
      const row = await sessionRow();
      expect(ra.ok && rb.ok && ra.accessToken === row.accessToken && rb.accessToken === row.accessToken).toBe(true);
      expect(refreshGrants()).toHaveLength(1);
      expect(await adminStatus(row.accessToken)).toBe(200);
      // The stored refresh token is the live one: the next refresh works.
      await expect(refreshGrant(SHOP, row.refreshToken!)).resolves.toMatchObject({ accessToken: expect.any(String) });
    } finally {
      await other.$disconnect();
    }
  });

  it("many background calls hitting 401 together: one refresh grant, every call answered", async () => {
    const other = createDb(process.env.DATABASE_URL);
    try {
      shopifyClock.advance(2 * HOUR);
      const admins = await Promise.all(Array.from({ length: 6 }, () => unauthenticatedAdminFor(SHOP)));
      const results = await Promise.all(admins.map((graphql) => graphql("{ shop { name } }").then((r) => r.status)));
      expect(results).toEqual([200, 200, 200, 200, 200, 200]);
      expect(refreshGrants()).toHaveLength(1);
      // And a second client sees the refreshed row without refreshing again.
      const seen = await ensureFreshOfflineToken(refresherDeps(other), SHOP);
      expect(seen).toMatchObject({ ok: true, refreshed: false, accessToken: (await sessionRow()).accessToken });
    } finally {
      await other.$disconnect();
    }
  });

  it("a refresh in flight never overwrites the pair a token exchange stored meanwhile (compare-and-set on the pair it started from)", async () => {
    const before = await sessionRow();
    shopifyClock.advance(2 * HOUR);
    let exchanged!: { accessToken: string; refreshToken: string; storedAt: Date };
    const fresh = await ensureFreshOfflineToken(
      refresherDeps(db, {
        refresh: async (shop, token) => {
          const answer = await refreshGrant(shop, token);
          exchanged = await storeExchangedPair();
          return answer;
        },
      }),
      SHOP,
      { rejectedToken: before.accessToken },
    );
    const row = await sessionRow();
    expect(row).toMatchObject({ accessToken: exchanged.accessToken, refreshToken: exchanged.refreshToken, refreshLeaseUntil: null, refreshLeaseHolder: null });
    expect(row.storedAt.getTime()).toBe(exchanged.storedAt.getTime()); // still dated when the exchange stored it
    expect(fresh).toEqual({ ok: true, accessToken: exchanged.accessToken, refreshed: false });
    expect(await adminStatus(row.accessToken)).toBe(200);
    await expect(refreshGrant(SHOP, row.refreshToken!)).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it.each([
    ["refused (400 invalid_grant: Shopify retired the refresh token for the exchange's pair)", Object.assign(new Error("token endpoint refused: invalid_grant"), { response: { code: 400, body: { error: "invalid_grant" } } })],
    ["failed (Shopify unreachable)", new Error("Shopify unreachable")],
  ])("a refresh %s while a token exchange stored a newer pair: that pair, its date kept, is the answer (not 'revoked' nor 'try later')", async (_, refusal) => {
    allowErrorLogs();
    const before = await sessionRow();
    let exchanged!: { accessToken: string; refreshToken: string; storedAt: Date };
    const fresh = await ensureFreshOfflineToken(
      refresherDeps(db, {
        refresh: async () => {
          exchanged = await storeExchangedPair();
          throw refusal;
        },
      }),
      SHOP,
      { rejectedToken: before.accessToken },
    );
    expect(fresh).toEqual({ ok: true, accessToken: exchanged.accessToken, refreshed: false });
    const row = await sessionRow();
    expect(row).toMatchObject({ accessToken: exchanged.accessToken, refreshLeaseUntil: null, refreshLeaseHolder: null });
    expect(row.storedAt.getTime()).toBe(exchanged.storedAt.getTime());
    expect(await adminStatus(row.accessToken)).toBe(200);
  });

  it("a lease left by a crashed refresher is taken over once it runs out", async () => {
    const row = await sessionRow();
    await db.session.update({ where: { id: row.id }, data: { refreshLeaseUntil: new Date(Date.now() - 1), refreshLeaseHolder: "crashed" } });
    shopifyClock.advance(2 * HOUR);
    const fresh = await ensureFreshOfflineToken(refresherDeps(db), SHOP, { rejectedToken: row.accessToken });
    expect(fresh).toMatchObject({ ok: true, refreshed: true });
    expect(await sessionRow()).toMatchObject({ refreshLeaseHolder: null });
  });

  it("gives up as busy (not revoked) while another live refresher holds the lease", async () => {
    const row = await sessionRow();
    await db.session.update({ where: { id: row.id }, data: { refreshLeaseUntil: new Date(Date.now() + HOUR), refreshLeaseHolder: "other" } });
    const fresh = await ensureFreshOfflineToken(refresherDeps(db, { pause: async () => {}, maxLooks: 3 }), SHOP, { rejectedToken: row.accessToken });
    expect(fresh).toMatchObject({ ok: false, reason: "busy" });
    expect(refreshGrants()).toHaveLength(0);
    await db.session.update({ where: { id: row.id }, data: { refreshLeaseUntil: null, refreshLeaseHolder: null } });
  });
});

describe("migrating installs that still hold a non-expiring token", () => {
  const migrations = () => emulator.tokenRequests.filter((r) => r.grant === "migration");
  const installNonExpiring = async () => {
    emulator.reinstall(SHOP); // a fresh non-expiring token (an earlier test may have migrated the last one)
    const shop = await installEmulatedShop(emulator, SHOP); // stored as the app stored it before expiring tokens
    emulator.tokenRequests.length = 0;
    return shop;
  };

  it("the worker's pass exchanges it for an expiring pair; the old token is refused and work goes on with the new one", async () => {
    const shop = await installNonExpiring();
    const original = shop.accessToken;
    expect(await migrateNonExpiringOfflineTokens(db, (s) => ensureOfflineToken(s, { migrate: true }))).toEqual({ examined: 1, migrated: 1, failed: 0 });
    const row = await sessionRow();
    expect(row.accessToken).not.toBe(original);
    expect(row.refreshToken).toEqual(expect.any(String));
    expect(row.expires!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(row).toMatchObject({ refreshLeaseUntil: null, refreshLeaseHolder: null });
    expect(await adminStatus(original)).toBe(401);
    expect(migrations()).toEqual([expect.objectContaining({ ok: true })]);
    const refusedSoFar = unauthorizedCalls().length;

    // A second pass finds nothing left to migrate; the worker generates with the new token.
    expect(await migrateNonExpiringOfflineTokens(db, (s) => ensureOfflineToken(s, { migrate: true }))).toEqual({ examined: 0, migrated: 0, failed: 0 });
    await pendingReward();
    expect((await runWorkerOnce(deps(), config())).outcomes).toMatchObject({ issued: 1 });
    expect(unauthorizedCalls()).toHaveLength(refusedSoFar);
  });

  it("an answer lost before it was stored: the 401 on the old token migrates again and Shopify hands back the same pair", async () => {
    const shop = await installNonExpiring();
    // Another process migrated, then died before writing: Shopify already refuses the original token.
    const lost = await migrateGrant(SHOP, shop.accessToken);
    expect(await adminStatus(shop.accessToken)).toBe(401);

    const reward = await pendingReward();
    expect((await runWorkerOnce(deps(), config())).outcomes).toMatchObject({ issued: 1 });
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "ISSUED", attempts: 1 });
    const row = await sessionRow();
    expect(row.accessToken).toBe(lost.accessToken);
    expect(row.refreshToken).toBe(lost.refreshToken);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).accessRevokedAt).toBeNull();
  });

  it("two database clients migrating at once: one exchange, both end with the stored pair", async () => {
    const other = createDb(process.env.DATABASE_URL);
    try {
      await installNonExpiring();
      let aLeased!: () => void;
      const aHoldsLease = new Promise<void>((resolve) => (aLeased = resolve));
      let bWaiting!: () => void;
      const bIsWaiting = new Promise<void>((resolve) => (bWaiting = resolve));
      let aFinished!: () => void;
      const aDone = new Promise<void>((resolve) => (aFinished = resolve));
      const base = (client: typeof db): OfflineTokenDeps => ({ db: client, now: () => new Date(), logger, refresh: refreshGrant, migrate: migrateGrant });
      const a = ensureFreshOfflineToken(
        {
          ...base(db),
          migrate: async (shop, token) => {
            aLeased();
            await bIsWaiting;
            return migrateGrant(shop, token);
          },
        },
        SHOP,
        { migrate: true },
      ).finally(aFinished);
      await aHoldsLease;
      const b = ensureFreshOfflineToken(
        {
          ...base(other),
          pause: async () => {
            bWaiting();
            await aDone;
          },
        },
        SHOP,
        { migrate: true },
      );
      const [ra, rb] = await Promise.all([a, b]);
      expect(ra).toMatchObject({ ok: true, refreshed: true });
      expect(rb).toMatchObject({ ok: true, refreshed: false });
      const row = await sessionRow();
      expect(ra.ok && rb.ok && ra.accessToken === row.accessToken && rb.accessToken === row.accessToken).toBe(true);
      expect(migrations()).toHaveLength(1);
      expect(await adminStatus(row.accessToken)).toBe(200);
    } finally {
      await other.$disconnect();
    }
  });

  it("a migration in flight never overwrites the pair a token exchange stored meanwhile", async () => {
    await installNonExpiring();
    let exchanged!: string;
    const fresh = await ensureFreshOfflineToken(
      {
        db,
        now: () => new Date(),
        logger,
        refresh: refreshGrant,
        migrate: async (shop, token) => {
          const answer = await migrateGrant(shop, token);
          exchanged = (await storeExchangedPair()).accessToken;
          return answer;
        },
      },
      SHOP,
      { migrate: true },
    );
    expect(fresh).toEqual({ ok: true, accessToken: exchanged, refreshed: false });
    expect(await sessionRow()).toMatchObject({ accessToken: exchanged, refreshLeaseUntil: null, refreshLeaseHolder: null });
  });

  it("skips uninstalled shops and leaves a refused migration for the next pass without pausing the shop", async () => {
    allowErrorLogs();
    await installNonExpiring();
    await db.session.update({ where: { id: `offline_${SHOP}` }, data: { accessToken: "shpat_not_this_shops_token" } });
    expect(await migrateNonExpiringOfflineTokens(db, (s) => ensureOfflineToken(s, { migrate: true }))).toEqual({ examined: 1, migrated: 0, failed: 1 });
    expect(migrations()).toEqual([expect.objectContaining({ ok: false })]);
    expect((await sessionRow()).accessToken).toBe("shpat_not_this_shops_token");

    await db.shop.update({ where: { domain: SHOP }, data: { uninstalledAt: new Date() } });
    expect(await migrateNonExpiringOfflineTokens(db, (s) => ensureOfflineToken(s, { migrate: true }))).toEqual({ examined: 0, migrated: 0, failed: 0 });
    await db.shop.update({ where: { domain: SHOP }, data: { uninstalledAt: null } });
  });
});
