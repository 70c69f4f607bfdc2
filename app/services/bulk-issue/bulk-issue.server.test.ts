// Bulk issue on the real database (SQLite, and PostgreSQL with --postgres): starting a job from each
// kind of target, the runner's bounded windows, pause/resume/cancel, a crash between saving a reward
// and marking its item, two runners on one job, and the privacy webhooks.
import { beforeEach, describe, expect, it } from "vitest";
import type { Customer, RewardTemplate } from "@prisma/client";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { handleCustomersRedact, handleShopRedact } from "~/services/compliance/privacy.server";
import { handleAppUninstalled, resumeShop } from "~/services/lifecycle/lifecycle.server";
import type { RewardDeps } from "~/services/rewards/deps.server";
import { createCustomer, createTemplate } from "../../../test/support/factories";
import { testClock } from "../../../test/support/clock";
import { MAX_BULK_CUSTOMERS, getBulkJob, moveBulkJob, startBulkJob } from "./jobs.server";
import { advanceBulkJobs, bulkIdempotencyKey } from "./run.server";
import { stopJobsForUninstalledShop } from "./uninstall.server";

const clock = testClock();
const deps = (): RewardDeps => ({ db, logger, adminFor: () => Promise.reject(new Error("no Shopify call expected")), now: clock.now });
let shopN = 0;

interface World {
  shop: string;
  template: RewardTemplate;
  gold: Customer[];
  silver: Customer[];
}

/** A fresh shop per test: 4 Gold customers, 2 Silver, and a manual $3 reward. */
async function world(): Promise<World> {
  const shop = `bulk-${++shopN}-${Date.now()}.myshopify.com`;
  await db.shop.create({ data: { domain: shop, currency: "USD" } });
  const template = await createTemplate(db, shop, { name: "Thank-you $3", purpose: "MANUAL", pointsCost: null, value: "3.00" });
  const gold = [];
  for (let i = 0; i < 4; i++) gold.push(await createCustomer(db, shop, { firstName: "Gold", lastName: `Member${i}`, email: `gold${i}_${shopN}@example.com`, vipTier: "Gold" }));
  const silver = [];
  for (let i = 0; i < 2; i++) silver.push(await createCustomer(db, shop, { firstName: "Silver", lastName: `Member${i}`, email: `Silver${i}_${shopN}@Example.com`, vipTier: "Silver" }));
  return { shop, template, gold, silver };
}

const run = (over: Partial<Parameters<typeof advanceBulkJobs>[1]> = {}) => advanceBulkJobs(deps(), { runnerId: "runner-a", window: 2, ...over });

/** What the worker would do with the job's Pending rewards: Issued, or Failed with a reason. */
async function generate(shop: string, fail: (customerId: string) => boolean = () => false) {
  const pending = await db.reward.findMany({ where: { shop, status: "PENDING" } });
  for (const r of pending) {
    await db.reward.update({
      where: { id: r.id },
      data: fail(r.customerId)
        ? { status: "FAILED", failureCode: "invalid_reward_settings", failureMessage: "Minimum subtotal must be greater than 0 (GREATER_THAN)", nextAttemptAt: null }
        : { status: "ISSUED", issuedAt: clock.now(), nextAttemptAt: null },
    });
  }
  return pending.length;
}

async function jobRow(id: string) {
  return db.bulkIssueJob.findUniqueOrThrow({ where: { id } });
}

beforeEach(async () => {
  clock.set(new Date());
  // Runners pick jobs across shops: earlier tests' unfinished jobs must not take this test's turn.
  await db.bulkIssueJob.updateMany({ where: { OR: [{ state: { in: ["QUEUED", "RUNNING"] } }, { inFlight: { gt: 0 } }] }, data: { state: "CANCELED", inFlight: 0 } });
});

describe("starting a bulk job", () => {
  it("GIVEN a VIP tier WHEN started THEN one WAITING item per customer of the tier, described without personal data", async () => {
    const w = await world();
    const r = await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "TIER", tier: "Gold" } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.job).toMatchObject({ state: "QUEUED", total: 4, target: "VIP tier Gold", targetType: "TIER", templateName: "Thank-you $3" });
    const items = await db.bulkIssueItem.findMany({ where: { jobId: r.job.id } });
    expect(items.map((i) => i.customerId).sort()).toEqual(w.gold.map((c) => c.id).sort());
    expect(items.every((i) => i.state === "WAITING" && i.shop === w.shop)).toBe(true);
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(0);
  });

  it("GIVEN the customers list's search and filters WHEN started THEN the same customers as the list, and the search text is not stored", async () => {
    const w = await world();
    const bySearch = await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "SEARCH", search: "silver", vipTier: null } });
    expect(bySearch).toMatchObject({ ok: true, job: { total: 2, target: "Customers matching a search" } });
    // `_` is a LIKE wildcard: only the literal matches count ("gold1_" is in one email).
    const literal = await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "SEARCH", search: `gold1_${shopN}` } });
    expect(literal).toMatchObject({ ok: true, job: { total: 1 } });
    const tierOnly = await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "SEARCH", vipTier: "Gold" } });
    expect(tierOnly).toMatchObject({ ok: true, job: { total: 4, target: "Customers VIP tier Gold" } });
    const everyone = await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "SEARCH" } });
    expect(everyone).toMatchObject({ ok: true, job: { total: 6, target: "All customers in the program" } });
    const jobs = await db.bulkIssueJob.findMany({ where: { shop: w.shop } });
    expect(JSON.stringify(jobs)).not.toMatch(/silver|gold1_/i);
  });

  it("GIVEN pasted emails with unknown and invalid entries WHEN started THEN they are reported and nothing starts until the merchant confirms", async () => {
    const w = await world();
    // Case differs from what is stored; one duplicate; one unknown; one not an email.
    const text = `${w.gold[0].email!.toUpperCase()}, silver0_${shopN}@example.com\n${w.gold[0].email}; nobody@example.com not-an-email`;
    const refused = await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "EMAILS", text } });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: "unmatched_emails", field: "emails", matched: 2, unmatched: { invalid: ["not-an-email"], unknown: ["nobody@example.com"] } },
    });
    expect(await db.bulkIssueJob.count({ where: { shop: w.shop } })).toBe(0);

    const confirmed = await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "EMAILS", text, skipUnmatched: true } });
    expect(confirmed).toMatchObject({ ok: true, duplicates: 1, job: { total: 2, unmatched: 2, target: "Pasted list of 4 entries" }, unmatched: { unknown: ["nobody@example.com"] } });
    if (!confirmed.ok) return;
    const items = await db.bulkIssueItem.findMany({ where: { jobId: confirmed.job.id } });
    expect(items.map((i) => i.customerId).sort()).toEqual([w.gold[0].id, w.silver[0].id].sort());
    // No email is stored anywhere in the job.
    const stored = JSON.stringify([await jobRow(confirmed.job.id), items]);
    expect(stored).not.toMatch(/@/);
  });

  it("GIVEN a pasted email that is part of 5 000+ other customers' emails WHEN started THEN the customer with exactly that email is found (not reported unknown)", async () => {
    const w = await world();
    // Customers whose emails END with the pasted one (x0a@example.com …): a "contains" lookup matches
    // them all; the one customer whose email IS it was created last.
    const pasted = `a_${shopN}@example.com`;
    for (let start = 0; start < 5_100; start += 1_000) {
      await db.customer.createMany({
        data: Array.from({ length: Math.min(1_000, 5_100 - start) }, (_, i) => ({
          shop: w.shop,
          shopifyCustomerId: `gid://shopify/Customer/${8_000_000 + start + i}`,
          displayName: `Lookalike ${start + i}`,
          email: `x${start + i}${pasted}`,
        })),
      });
    }
    const exact = await createCustomer(db, w.shop, { firstName: "Exact", lastName: "Match", email: pasted.toUpperCase() });

    const started = await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "EMAILS", text: pasted } });

    expect(started).toMatchObject({ ok: true, job: { total: 1, unmatched: 0 } });
    if (!started.ok) return;
    const items = await db.bulkIssueItem.findMany({ where: { jobId: started.job.id } });
    expect(items.map((i) => i.customerId)).toEqual([exact.id]);
  });

  it("GIVEN a stored email with capital non-ASCII letters (ÉLODIE.ØRSTED@…) WHEN the list holds it with its ASCII letters in another case THEN it matches, on SQLite as on PostgreSQL; its non-ASCII letters in another case are another address (emailKey)", async () => {
    const w = await world();
    const stored = await createCustomer(db, w.shop, { firstName: "Élodie", lastName: "Ørsted", email: `ÉLODIE.ØRSTED${shopN}@Example.com` });
    // A different mailbox that only LIKE's wildcards would take for it: never matched.
    await createCustomer(db, w.shop, { firstName: "Other", lastName: "One", email: `XLODIE.XRSTED${shopN}@Example.com` });
    // Emails are compared by one rule, ASCII letters in any case (edges session, 3 December: before,
    // `toLowerCase`, which also took "\u212Aate@…" with the Kelvin sign for "kate@…").
    const started = await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "EMAILS", text: `Élodie.Ørsted${shopN}@example.com` } });
    // Before, on SQLite: LIKE folds the case of ASCII letters only, so no customer matched (no_customers).
    expect(started).toMatchObject({ ok: true, job: { total: 1, unmatched: 0 } });
    const other = await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "EMAILS", text: `élodie.ørsted${shopN}@example.com` } });
    expect(other).toMatchObject({ ok: false, error: { code: "no_customers" } });
    if (!started.ok) return;
    const items = await db.bulkIssueItem.findMany({ where: { jobId: started.job.id } });
    expect(items.map((i) => i.customerId)).toEqual([stored.id]);
  });

  it("GIVEN one start form posted twice at once and again later WHEN started THEN one job (both answers name it); another shop's form with the same key starts its own", async () => {
    const w = await world();
    const input = { shop: w.shop, templateId: w.template.id, target: { type: "TIER", tier: "Gold" } as const, requestKey: "form-key-0001" };
    const [a, b] = await Promise.all([startBulkJob(db, input), startBulkJob(db, input)]);
    const c = await startBulkJob(db, input);
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (!a.ok || !b.ok || !c.ok) return;
    expect(b.job.id).toBe(a.job.id);
    expect(c.job.id).toBe(a.job.id);
    expect(await db.bulkIssueJob.count({ where: { shop: w.shop } })).toBe(1);
    expect(await db.bulkIssueItem.count({ where: { jobId: a.job.id } })).toBe(4);

    const other = await world();
    const theirs = await startBulkJob(db, { ...input, shop: other.shop, templateId: other.template.id });
    expect(theirs.ok && theirs.job.id !== a.job.id && theirs.job.shop === other.shop).toBe(true);

    const bad = await startBulkJob(db, { ...input, requestKey: "not a key!" });
    expect(bad).toMatchObject({ ok: false, error: { code: "invalid_request", field: "requestKey" } });
  });

  it("refuses a turned-off reward, an empty tier, a list that matches nobody and an oversized paste, with clear messages", async () => {
    const w = await world();
    const off = await createTemplate(db, w.shop, { purpose: "MANUAL", pointsCost: null, active: false });
    expect(await startBulkJob(db, { shop: w.shop, templateId: off.id, target: { type: "TIER", tier: "Gold" } })).toMatchObject({ ok: false, error: { code: "template_inactive", field: "templateId" } });
    expect(await startBulkJob(db, { shop: w.shop, templateId: "missing", target: { type: "TIER", tier: "Gold" } })).toMatchObject({ ok: false, error: { code: "template_not_found" } });
    expect(await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "TIER", tier: "Platinum" } })).toMatchObject({ ok: false, error: { code: "no_customers" } });
    expect(await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "TIER", tier: " " } })).toMatchObject({ ok: false, error: { code: "invalid_target", field: "tier" } });
    expect(await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "EMAILS", text: "a@example.com b@example.com" } })).toMatchObject({
      ok: false,
      error: { code: "no_customers", unmatched: { unknown: ["a@example.com", "b@example.com"] } },
    });
    const many = Array.from({ length: 1001 }, (_, i) => `c${i}@example.com`).join("\n");
    expect(await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "EMAILS", text: many } })).toMatchObject({ ok: false, error: { code: "invalid_target", field: "emails" } });
    expect(MAX_BULK_CUSTOMERS).toBeGreaterThan(1000);
    // Another shop's template is "not found".
    const other = await world();
    expect(await startBulkJob(db, { shop: w.shop, templateId: other.template.id, target: { type: "TIER", tier: "Gold" } })).toMatchObject({ ok: false, error: { code: "template_not_found" } });
    expect(await db.bulkIssueJob.count({ where: { shop: w.shop } })).toBe(0);
  });
});

describe("running a bulk job", () => {
  async function goldJob(w: World) {
    const r = await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "TIER", tier: "Gold" } });
    if (!r.ok) throw new Error(r.error.message);
    return r.job;
  }

  it("saves Pending MANUAL rewards a window at a time, keyed per job and customer, and reaches DONE with the counts", async () => {
    const w = await world();
    const job = await goldJob(w);
    await run();
    expect(await jobRow(job.id)).toMatchObject({ state: "RUNNING", inFlight: 2, issued: 0 });
    const first = await db.reward.findMany({ where: { shop: w.shop } });
    expect(first).toHaveLength(2);
    expect(first.every((r) => r.status === "PENDING" && r.source === "MANUAL" && r.templateId === w.template.id)).toBe(true);
    expect(first.map((r) => r.idempotencyKey).sort()).toEqual(first.map((r) => bulkIdempotencyKey(job.id, r.customerId)).sort());
    const events = await db.rewardEvent.findMany({ where: { rewardId: { in: first.map((r) => r.id) } } });
    expect(events.every((e) => e.actor === "MERCHANT" && e.reason === `Bulk issue ${job.id}`)).toBe(true);

    // The window is full: another pass saves nothing until the worker has generated them.
    await run();
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(2);

    await generate(w.shop, (id) => id === w.gold[0].id || id === first[0].customerId);
    await run();
    await generate(w.shop);
    await run();
    const done = await jobRow(job.id);
    const failedCount = await db.reward.count({ where: { shop: w.shop, status: "FAILED" } });
    expect(done).toMatchObject({ state: "DONE", total: 4, inFlight: 0, issued: 4 - failedCount, failed: failedCount, skipped: 0 });
    expect(failedCount).toBeGreaterThan(0);
    expect(done.finishedAt).not.toBeNull();
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(4);

    const view = await getBulkJob(db, w.shop, job.id, clock.now());
    expect(view?.job).toMatchObject({ done: 4, moving: false, estimate: null });
    expect(view?.failures.every((f) => f.state === "FAILED" && f.reasonCode === "invalid_reward_settings" && f.detail?.includes("GREATER_THAN"))).toBe(true);
    expect(view?.failures).toHaveLength(failedCount);
    // Another shop can't read it.
    expect(await getBulkJob(db, "someone-else.myshopify.com", job.id)).toBeNull();
  });

  it("GIVEN more moving jobs than a pass takes, the oldest stuck (their rewards stay Pending: the shop uninstalled) WHEN passes run THEN a newer job gets its turn", async () => {
    const stuck = [await goldJob(await world()), await goldJob(await world())];
    const w = await world();
    const newer = await goldJob(w);
    const pass = () => run({ window: 1, maxJobs: 2 });
    // Each pass happens later than the last (the worker's clock): the jobs it advanced wait their turn.
    clock.advance(60_000);
    await pass();
    expect((await Promise.all(stuck.map((j) => jobRow(j.id)))).map((j) => j.inFlight)).toEqual([1, 1]);
    clock.advance(60_000);
    await pass();
    expect(await jobRow(newer.id)).toMatchObject({ state: "RUNNING", inFlight: 1 });
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(1);
  });

  it("pause stops further issuing, resume continues, cancel stops for good and keeps what was issued", async () => {
    const w = await world();
    const job = await goldJob(w);
    await run();
    expect(await moveBulkJob(db, { shop: w.shop, jobId: job.id, action: "pause" })).toMatchObject({ ok: true, job: { state: "PAUSED" } });
    await generate(w.shop);
    await run();
    await run();
    // Paused: the two in flight settled, nothing new was saved.
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(2);
    expect(await jobRow(job.id)).toMatchObject({ state: "PAUSED", issued: 2, inFlight: 0 });
    expect(await moveBulkJob(db, { shop: w.shop, jobId: job.id, action: "pause" })).toMatchObject({ ok: false, error: { code: "not_allowed", state: "PAUSED" } });

    expect(await moveBulkJob(db, { shop: w.shop, jobId: job.id, action: "resume" })).toMatchObject({ ok: true, job: { state: "RUNNING" } });
    await run({ window: 1 });
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(3);

    expect(await moveBulkJob(db, { shop: w.shop, jobId: job.id, action: "cancel" })).toMatchObject({ ok: true, job: { state: "CANCELED" } });
    await generate(w.shop);
    await run();
    await run();
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(3);
    expect(await db.reward.count({ where: { shop: w.shop, status: "ISSUED" } })).toBe(3);
    expect(await jobRow(job.id)).toMatchObject({ state: "CANCELED", issued: 3, inFlight: 0 });
    expect(await moveBulkJob(db, { shop: w.shop, jobId: job.id, action: "resume" })).toMatchObject({ ok: false, error: { code: "not_allowed" } });
    expect(await moveBulkJob(db, { shop: "other.myshopify.com", jobId: job.id, action: "pause" })).toMatchObject({ ok: false, error: { code: "not_found" } });
  });

  it("GIVEN a job paused after its last reward was saved WHEN those rewards are generated THEN it is Done, not Paused with nothing left", async () => {
    const w = await world();
    const job = await goldJob(w);
    await run({ window: 4 });
    expect(await moveBulkJob(db, { shop: w.shop, jobId: job.id, action: "pause" })).toMatchObject({ ok: true });
    await generate(w.shop);
    await run({ window: 4 });
    const row = await jobRow(job.id);
    expect(row).toMatchObject({ state: "DONE", issued: 4, inFlight: 0 });
    expect(row.finishedAt).not.toBeNull();
  });

  it("pauses by itself with a reason when the reward is turned off, and resumes once it is back on", async () => {
    const w = await world();
    const job = await goldJob(w);
    await db.rewardTemplate.update({ where: { id: w.template.id }, data: { active: false } });
    await run();
    expect(await jobRow(job.id)).toMatchObject({ state: "PAUSED", lastErrorCode: "template_inactive" });
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(0);
    await db.rewardTemplate.update({ where: { id: w.template.id }, data: { active: true } });
    await moveBulkJob(db, { shop: w.shop, jobId: job.id, action: "resume" });
    expect(await jobRow(job.id)).toMatchObject({ state: "RUNNING", lastErrorCode: null });
    await run({ window: 10 });
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(4);
  });

  it("a customer who left the program is counted as 'no reward', never dropped", async () => {
    const w = await world();
    const job = await goldJob(w);
    await db.customer.delete({ where: { id: w.gold[1].id } });
    await run({ window: 10 });
    await generate(w.shop);
    await run();
    expect(await jobRow(job.id)).toMatchObject({ state: "DONE", issued: 3, skipped: 1 });
    const view = await getBulkJob(db, w.shop, job.id);
    expect(view?.failures).toMatchObject([{ state: "SKIPPED", reasonCode: "customer_not_found", customerName: "Customer no longer in the program" }]);
  });

  it("GIVEN a runner that dies between saving a reward and marking its item WHEN the job is run again THEN no customer gets a second reward", async () => {
    const w = await world();
    const job = await goldJob(w);
    let saves = 0;
    const crash = async () => {
      if (++saves === 2) throw new Error("process died");
    };
    await expect(run({ window: 10, afterSave: crash })).rejects.toThrow("process died");
    // One item marked, the second reward saved but its item still WAITING.
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(2);
    expect(await db.bulkIssueItem.count({ where: { jobId: job.id, state: "WAITING" } })).toBe(3);

    // A restart (another runner id; the lease was given back or ran out).
    clock.advance(120_000);
    await advanceBulkJobs(deps(), { runnerId: "runner-b", window: 10 });
    await generate(w.shop);
    await advanceBulkJobs(deps(), { runnerId: "runner-b", window: 10 });
    const rewards = await db.reward.findMany({ where: { shop: w.shop } });
    expect(rewards).toHaveLength(4);
    expect(new Set(rewards.map((r) => r.customerId)).size).toBe(4);
    expect(await jobRow(job.id)).toMatchObject({ state: "DONE", issued: 4 });
    const items = await db.bulkIssueItem.findMany({ where: { jobId: job.id } });
    expect(items.map((i) => i.rewardId).sort()).toEqual(rewards.map((r) => r.id).sort());
  });

  it("GIVEN two runners on one job (the first one stalled past its lease) WHEN both issue THEN each customer gets exactly one reward", async () => {
    const w = await world();
    const job = await goldJob(w);
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const atStall = new Promise<void>((resolve) => (reached = resolve));
    let first = true;
    const a = advanceBulkJobs(deps(), {
      runnerId: "runner-a",
      window: 10,
      leaseMs: 1_000,
      afterSave: async () => {
        if (!first) return;
        first = false;
        reached();
        await stalled;
      },
    });
    await atStall;
    // Runner A holds one saved reward and the job's lease; the lease runs out while it is stalled.
    clock.advance(5_000);
    const b = await advanceBulkJobs(deps(), { runnerId: "runner-b", window: 10 });
    expect(b.jobs).toBe(1);
    release();
    await a;
    await generate(w.shop);
    await advanceBulkJobs(deps(), { runnerId: "runner-b", window: 10 });
    const rewards = await db.reward.findMany({ where: { shop: w.shop } });
    expect(rewards).toHaveLength(4);
    expect(new Set(rewards.map((r) => r.customerId)).size).toBe(4);
    expect(await jobRow(job.id)).toMatchObject({ state: "DONE", issued: 4, total: 4 });
  });

  it("two runners started together on several jobs: one runner per job, one reward per customer per job", async () => {
    const w = await world();
    const jobs = [await goldJob(w), await goldJob(w)];
    for (let round = 0; round < 4; round++) {
      await Promise.all([advanceBulkJobs(deps(), { runnerId: "runner-a", window: 3 }), advanceBulkJobs(deps(), { runnerId: "runner-b", window: 3 })]);
      await generate(w.shop);
    }
    await Promise.all([advanceBulkJobs(deps(), { runnerId: "runner-a", window: 3 }), advanceBulkJobs(deps(), { runnerId: "runner-b", window: 3 })]);
    for (const job of jobs) {
      expect(await jobRow(job.id)).toMatchObject({ state: "DONE", issued: 4 });
      expect(await db.reward.count({ where: { shop: w.shop, idempotencyKey: { startsWith: `bulk:${job.id}:` } } })).toBe(4);
    }
    // The same customer may get the reward once per job: two jobs, two rewards each.
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(8);
    expect(await db.bulkIssueJob.count({ where: { shop: w.shop, claimedBy: { not: null } } })).toBe(0);
  });

  it("records the shop's API budget the worker saw, and estimates the finish from it", async () => {
    const w = await world();
    const job = await goldJob(w);
    await run({ window: 1, budgetOf: () => ({ restoreRate: 50, costPerReward: 10 }) });
    expect(await jobRow(job.id)).toMatchObject({ apiRestoreRate: 50, apiCostPerReward: 10 });
    const view = await getBulkJob(db, w.shop, job.id, clock.now());
    // 4 remaining (3 waiting + 1 in flight) × 10 points ÷ 50 points/s.
    expect(view?.job.estimate).toMatchObject({ seconds: 1, observed: true, rewardsPerSecond: 5 });
  });
});

describe("privacy", () => {
  it("GIVEN a customer erased by customers/redact (before the job, or while it runs) THEN no reward is saved for them: left out of the selection, or 'no reward' as one who left the program", async () => {
    const w = await world();
    const redact = (c: Customer) => handleCustomersRedact(db, { shop: w.shop, payload: { shop_domain: w.shop, customer: { id: Number(c.shopifyCustomerId.split("/").pop()), email: c.email } } });
    await redact(w.gold[0]);
    const r = await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "TIER", tier: "Gold" } });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.job.total).toBe(3);
    expect((await db.bulkIssueItem.findMany({ where: { jobId: r.job.id } })).map((i) => i.customerId)).not.toContain(w.gold[0].id);

    // Items are issued in id order: erase the last one while the first window is in flight.
    const items = await db.bulkIssueItem.findMany({ where: { jobId: r.job.id }, orderBy: { id: "asc" } });
    const erasedLater = w.gold.find((c) => c.id === items[2].customerId)!;
    await run({ window: 2 });
    await redact(erasedLater);
    for (let i = 0; i < 3; i++) {
      await generate(w.shop);
      await run({ window: 2 });
    }
    expect(await db.reward.count({ where: { shop: w.shop, customerId: { in: [w.gold[0].id, erasedLater.id] } } })).toBe(0);
    expect(await jobRow(r.job.id)).toMatchObject({ state: "DONE", total: 3, issued: 2, failed: 0, skipped: 1 });
    expect(await db.bulkIssueItem.findFirst({ where: { jobId: r.job.id, customerId: erasedLater.id } })).toMatchObject({ state: "SKIPPED", reasonCode: "customer_not_found", rewardId: null });
  });

  it("customers/redact leaves nothing personal in bulk jobs; shop/redact deletes the shop's jobs and items", async () => {
    const w = await world();
    const r = await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "EMAILS", text: `${w.gold[0].email}\n${w.gold[1].email}` } });
    if (!r.ok) throw new Error(r.error.message);
    await run({ window: 10 });
    await handleCustomersRedact(db, { shop: w.shop, payload: { shop_domain: w.shop, customer: { id: Number(w.gold[0].shopifyCustomerId.split("/").pop()), email: w.gold[0].email } } });
    const stored = JSON.stringify([await db.bulkIssueJob.findMany({ where: { shop: w.shop } }), await db.bulkIssueItem.findMany({ where: { shop: w.shop } })]);
    expect(stored).not.toContain(w.gold[0].email!);
    expect(stored).not.toContain("Member0");
    const view = await getBulkJob(db, w.shop, r.job.id);
    expect(JSON.stringify(view)).not.toContain(w.gold[0].email!);

    const other = await world();
    const kept = await startBulkJob(db, { shop: other.shop, templateId: other.template.id, target: { type: "TIER", tier: "Gold" } });
    await handleShopRedact(db, { shop: w.shop, payload: { shop_id: 1, shop_domain: w.shop } });
    expect(await db.bulkIssueJob.count({ where: { shop: w.shop } })).toBe(0);
    expect(await db.bulkIssueItem.count({ where: { shop: w.shop } })).toBe(0);
    expect(kept.ok && (await db.bulkIssueItem.count({ where: { jobId: kept.job.id } }))).toBe(4);
  });
});

describe("what a job issues (audit: snapshot at start)", () => {
  async function goldJob(w: World) {
    const r = await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "TIER", tier: "Gold" } });
    if (!r.ok) throw new Error(r.error.message);
    return r.job;
  }
  const bigger = { name: "Thank-you $50", value: "50.00", kind: "PERCENTAGE", codePrefix: "BIG", expiryDays: 1, minimumSubtotal: "500", combinesWithOrder: true };

  it("GIVEN a job issuing $3 WHEN the merchant edits the reward to something else half-way THEN every customer of the job gets the $3 of the start, and the job's page says so", async () => {
    const w = await world();
    const job = await goldJob(w);
    await run();
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(2);
    await db.rewardTemplate.update({ where: { id: w.template.id }, data: { ...bigger, value: "40" } });
    await generate(w.shop);
    await run({ window: 10 });
    await generate(w.shop);
    await run();
    expect(await jobRow(job.id)).toMatchObject({ state: "DONE", issued: 4 });
    const rewards = await db.reward.findMany({ where: { shop: w.shop }, orderBy: { createdAt: "asc" } });
    expect(rewards).toHaveLength(4);
    for (const r of rewards) {
      expect(r).toMatchObject({ kind: "FIXED_AMOUNT", value: "3.00", title: "Thank-you $3" });
      expect(JSON.parse(r.settings)).toEqual(JSON.parse(rewards[0].settings));
      expect(r.code.startsWith("BIG")).toBe(false);
    }
    const view = await getBulkJob(db, w.shop, job.id, clock.now());
    expect(view?.job.reward).toMatchObject({ name: "Thank-you $3", kind: "FIXED_AMOUNT", value: "3.00", expiryDays: 30 });
  });

  it("GIVEN the reward edited between the start and the first pass THEN the job still issues what it was started with", async () => {
    const w = await world();
    const job = await goldJob(w);
    await db.rewardTemplate.update({ where: { id: w.template.id }, data: bigger });
    await run({ window: 10 });
    const rewards = await db.reward.findMany({ where: { shop: w.shop } });
    expect(rewards).toHaveLength(4);
    expect(rewards.every((r) => r.kind === "FIXED_AMOUNT" && r.value === "3.00" && r.title === "Thank-you $3")).toBe(true);
    expect(JSON.parse((await jobRow(job.id)).rewardSettings ?? "null")).toMatchObject({ kind: "FIXED_AMOUNT", value: "3.00", expiryDays: 30, minimumSubtotal: null });
  });

  it("GIVEN a job saved before the snapshot existed (none on its row) THEN its first pass takes one, and later edits change nothing", async () => {
    const w = await world();
    const job = await goldJob(w);
    await db.bulkIssueJob.update({ where: { id: job.id }, data: { rewardSettings: null } });
    await run();
    expect(JSON.parse((await jobRow(job.id)).rewardSettings ?? "null")).toMatchObject({ value: "3.00" });
    await db.rewardTemplate.update({ where: { id: w.template.id }, data: bigger });
    await generate(w.shop);
    await run({ window: 10 });
    const rewards = await db.reward.findMany({ where: { shop: w.shop } });
    expect(rewards).toHaveLength(4);
    expect(rewards.every((r) => r.value === "3.00" && r.kind === "FIXED_AMOUNT")).toBe(true);
  });

  it("GIVEN a snapshot that can't be read THEN the job pauses with a reason instead of issuing anything", async () => {
    const w = await world();
    const job = await goldJob(w);
    await db.bulkIssueJob.update({ where: { id: job.id }, data: { rewardSettings: JSON.stringify({ kind: "FIXED_AMOUNT", value: "-5" }) } });
    await run();
    expect(await jobRow(job.id)).toMatchObject({ state: "PAUSED", lastErrorCode: "invalid_template" });
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(0);
  });
});

describe("a shop that uninstalls the app (audit: jobs stop)", () => {
  async function goldJob(w: World) {
    const r = await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "TIER", tier: "Gold" } });
    if (!r.ok) throw new Error(r.error.message);
    return r.job;
  }
  const uninstall = (shop: string) => handleAppUninstalled(db, { shop, triggeredAt: null }, { now: clock.now });

  it("GIVEN a running job WHEN app/uninstalled is applied THEN the runner stops it with the reason, saves no further reward, and a reinstall does not resume it: the merchant does", async () => {
    const w = await world();
    const job = await goldJob(w);
    await run();
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(2);
    await generate(w.shop);
    await uninstall(w.shop);
    await run({ window: 10 });
    expect(await jobRow(job.id)).toMatchObject({ state: "PAUSED", lastErrorCode: "app_uninstalled", issued: 2 });
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(2);
    const view = await getBulkJob(db, w.shop, job.id, clock.now());
    expect(view?.job.lastError?.message).toMatch(/uninstalled/);

    await resumeShop(db, { shop: w.shop, now: clock.now() });
    await run({ window: 10 });
    expect(await jobRow(job.id)).toMatchObject({ state: "PAUSED", lastErrorCode: "app_uninstalled" });
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(2);

    expect(await moveBulkJob(db, { shop: w.shop, jobId: job.id, action: "resume" })).toMatchObject({ ok: true });
    await run({ window: 10 });
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(4);
  });

  it("GIVEN a running job WHEN app/uninstalled is applied THEN the job shows Paused with the reason at once, before any runner pass", async () => {
    const w = await world();
    const job = await goldJob(w);
    await uninstall(w.shop);
    expect(await jobRow(job.id)).toMatchObject({ state: "PAUSED", lastErrorCode: "app_uninstalled" });
  });

  it("GIVEN a merchant resume while the shop is still uninstalled THEN the runner stops the job again before any reward", async () => {
    const w = await world();
    const job = await goldJob(w);
    await uninstall(w.shop);
    await run();
    expect(await jobRow(job.id)).toMatchObject({ state: "PAUSED", lastErrorCode: "app_uninstalled" });
    await moveBulkJob(db, { shop: w.shop, jobId: job.id, action: "resume" });
    await run();
    expect(await jobRow(job.id)).toMatchObject({ state: "PAUSED", lastErrorCode: "app_uninstalled" });
    expect(await db.reward.count({ where: { shop: w.shop } })).toBe(0);
  });

  it("stopJobsForUninstalledShop stops the shop's queued and running jobs with the reason, and nothing else", async () => {
    const w = await world();
    const queued = await goldJob(w);
    const running = (await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "TIER", tier: "Silver" } })) as { ok: true; job: { id: string } };
    await db.bulkIssueJob.update({ where: { id: running.job.id }, data: { state: "RUNNING" } });
    const paused = (await startBulkJob(db, { shop: w.shop, templateId: w.template.id, target: { type: "SEARCH" } })) as { ok: true; job: { id: string } };
    await moveBulkJob(db, { shop: w.shop, jobId: paused.job.id, action: "pause" });
    const other = await world();
    const theirs = await goldJob(other);

    expect(await stopJobsForUninstalledShop(db, w.shop, clock.now())).toBe(2);
    for (const id of [queued.id, running.job.id]) expect(await jobRow(id)).toMatchObject({ state: "PAUSED", lastErrorCode: "app_uninstalled" });
    expect(await jobRow(paused.job.id)).toMatchObject({ state: "PAUSED", lastErrorCode: null });
    expect(await jobRow(theirs.id)).toMatchObject({ state: "QUEUED", lastErrorCode: null });
    // Idempotent: a duplicate delivery changes nothing more.
    expect(await stopJobsForUninstalledShop(db, w.shop, clock.now())).toBe(0);
  });
});
