// Bulk issue admin pages through the production build over real HTTP, authenticated as App Bridge
// does it (Bearer session token, Remix data requests): starting a job for each kind of target, the
// pasted list's unmatched entries reported back, the progress page, Pause / Resume / Cancel and
// tenant isolation.
import { beforeAll, describe, expect, it } from "vitest";
import type { RewardTemplate } from "@prisma/client";
import db from "~/db.server";
import { stopJobsForUninstalledShop } from "~/services/bulk-issue/uninstall.server";
import { adminFetcher, BROWSER_UA, useRunningApp } from "../support/app";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { createCustomer, createTemplate } from "../support/factories";

const { emulator } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
const OTHER = "other-bulk-shop.myshopify.com";
const LIST = "routes/app.bulk-issue._index";
const DETAIL = "routes/app.bulk-issue.$id";
const app = useRunningApp({ emulator });
const adminFetch = adminFetcher(app, emulator, SHOP);

const post = (path: string, route: string, form: Record<string, string>, shop = SHOP) =>
  adminFetch(path, { method: "POST", body: new URLSearchParams(form), route, shop, redirect: "manual" });

/** A Remix data request answers a redirect with 204 and X-Remix-Redirect. */
function redirectedTo(res: Response): string | null {
  return res.headers.get("x-remix-redirect") ?? res.headers.get("location");
}

let template: RewardTemplate;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
  await installEmulatedShop(emulator, OTHER, { currencyCode: "USD" });
  template = await createTemplate(db, SHOP, { name: "Holiday $5", purpose: "MANUAL", pointsCost: null, value: "5.00" });
  for (let i = 0; i < 3; i++) await createCustomer(db, SHOP, { firstName: "Vip", lastName: `Gold${i}`, email: `vip${i}@example.com`, vipTier: "Gold" });
  await createCustomer(db, SHOP, { firstName: "Plain", lastName: "Customer", email: "plain@example.com" });
});

describe("Bulk issue list and start form", () => {
  it("lists issuable rewards and tiers, prefilled from the customers list's search", async () => {
    const res = await adminFetch("/app/bulk-issue?target=SEARCH&query=vip&tier=Gold&issued=1", { route: LIST });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { templates: { id: string; name: string; missingScopes: string[] }[]; tiers: string[]; prefill: Record<string, unknown>; jobs: unknown[] };
    expect(body.templates).toContainEqual({ id: template.id, name: "Holiday $5", missingScopes: [] });
    expect(body.tiers).toContain("Gold");
    expect(body.prefill).toEqual({ targetType: "SEARCH", search: "vip", searchTier: "Gold", issued: true });
  });

  it("starts a job for a VIP tier and redirects to its progress page", async () => {
    const res = await post("/app/bulk-issue", LIST, { templateId: template.id, targetType: "TIER", tier: "Gold" });
    const to = redirectedTo(res);
    expect(to).toMatch(/^\/app\/bulk-issue\/[a-z0-9]+$/);
    const job = await db.bulkIssueJob.findUniqueOrThrow({ where: { id: to!.split("/").pop()! } });
    expect(job).toMatchObject({ shop: SHOP, state: "QUEUED", total: 3, target: "VIP tier Gold" });
  });

  it("starts a job for a search result (the search text isn't stored)", async () => {
    const res = await post("/app/bulk-issue", LIST, { templateId: template.id, targetType: "SEARCH", query: "plain", searchTier: "" });
    const job = await db.bulkIssueJob.findUniqueOrThrow({ where: { id: redirectedTo(res)!.split("/").pop()! } });
    expect(job).toMatchObject({ total: 1, targetType: "SEARCH", target: "Customers matching a search" });
  });

  it("reports unknown and invalid pasted emails before starting, then starts for the customers found once confirmed", async () => {
    const emails = "vip0@example.com\nghost@example.com\nnot an email";
    const before = await db.bulkIssueJob.count({ where: { shop: SHOP } });
    const refused = await post("/app/bulk-issue", LIST, { templateId: template.id, targetType: "EMAILS", emails });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ ok: false, field: "emails", matched: 1, unmatched: { unknown: ["ghost@example.com"], invalid: ["not", "an", "email"] } });
    expect(await db.bulkIssueJob.count({ where: { shop: SHOP } })).toBe(before);

    const res = await post("/app/bulk-issue", LIST, { templateId: template.id, targetType: "EMAILS", emails, skipUnmatched: "1" });
    const job = await db.bulkIssueJob.findUniqueOrThrow({ where: { id: redirectedTo(res)!.split("/").pop()! } });
    expect(job).toMatchObject({ total: 1, unmatched: 4 });
  });

  it("GIVEN the same form posted twice (a double click, a resubmit) WHEN both arrive THEN one job, and the second answer leads to it", async () => {
    const form = { templateId: template.id, targetType: "TIER", tier: "Gold", requestKey: "dblsubmit0123456789" };
    const before = await db.bulkIssueJob.count({ where: { shop: SHOP } });
    const [a, b] = await Promise.all([post("/app/bulk-issue", LIST, form), post("/app/bulk-issue", LIST, form)]);
    const again = await post("/app/bulk-issue", LIST, form);
    expect(await db.bulkIssueJob.count({ where: { shop: SHOP } })).toBe(before + 1);
    const to = redirectedTo(a);
    expect(to).toMatch(/^\/app\/bulk-issue\/[A-Za-z0-9]+$/);
    expect(redirectedTo(b)).toBe(to);
    expect(redirectedTo(again)).toBe(to);
  });

  it("refuses a malformed form key (not a key the form makes) instead of ignoring it", async () => {
    const res = await post("/app/bulk-issue", LIST, { templateId: template.id, targetType: "TIER", tier: "Gold", requestKey: "x".repeat(300) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, field: "requestKey" });
  });

  it("refuses bad input with a clear message and the field it is about", async () => {
    const cases: [Record<string, string>, string | undefined, RegExp][] = [
      [{ templateId: template.id, targetType: "EVERYONE" }, "targetType", /Choose who receives/],
      [{ templateId: "", targetType: "TIER", tier: "Gold" }, "templateId", /Choose a reward/],
      [{ templateId: template.id, targetType: "TIER", tier: "" }, "tier", /Choose a VIP tier/],
      [{ templateId: template.id, targetType: "TIER", tier: "Nobody" }, undefined, /No customer matches/],
      [{ templateId: template.id, targetType: "EMAILS", emails: "" }, "emails", /at least one email/],
    ];
    for (const [form, field, message] of cases) {
      const res = await post("/app/bulk-issue", LIST, form);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { ok: boolean; field?: string; message: string };
      expect(body.ok).toBe(false);
      expect(body.field).toBe(field);
      expect(body.message).toMatch(message);
    }
    // Another shop's reward can't be issued here.
    const other = await createTemplate(db, OTHER, { purpose: "MANUAL", pointsCost: null });
    const res = await post("/app/bulk-issue", LIST, { templateId: other.id, targetType: "TIER", tier: "Gold" });
    expect(res.status).toBe(400);
  });
});

describe("Bulk issue progress page", () => {
  async function newJob(): Promise<string> {
    const res = await post("/app/bulk-issue", LIST, { templateId: template.id, targetType: "TIER", tier: "Gold" });
    return redirectedTo(res)!.split("/").pop()!;
  }

  it("shows progress with an estimated finish while the job moves, and is another shop's 404", async () => {
    const id = await newJob();
    const res = await adminFetch(`/app/bulk-issue/${id}`, { route: DETAIL });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { job: Record<string, unknown>; failures: unknown[]; currency: string };
    expect(body.job).toMatchObject({ id, state: "QUEUED", total: 3, done: 0, waiting: 3, moving: true, templateName: "Holiday $5" });
    // What each customer gets, as the reward was when the job started (docs/decisions/024).
    expect(body.job.reward).toEqual({ name: "Holiday $5", kind: "FIXED_AMOUNT", value: "5.00", minimumSubtotal: null, expiryDays: 30 });
    expect(body.currency).toBe("USD");
    // Shopify's standard budget until the worker has seen the shop's: 3 rewards × 10 points ÷ 100 points/s.
    expect(body.job.estimate).toMatchObject({ seconds: 1, observed: false });
    expect(body.failures).toEqual([]);
    expect((await adminFetch(`/app/bulk-issue/${id}`, { route: DETAIL, shop: OTHER })).status).toBe(404);
    expect((await adminFetch(`/app/bulk-issue/nope`, { route: DETAIL })).status).toBe(404);
  });

  it("GIVEN the job's page opened in the admin THEN it says what each customer gets, and a job stopped by an uninstall says why without asking to fix the reward", async () => {
    const id = await newJob();
    const page = async () => {
      const url = new URL(`/app/bulk-issue/${id}`, app.url);
      for (const [k, v] of Object.entries({ embedded: "1", shop: SHOP, host: Buffer.from(`admin.shopify.com/store/${SHOP.split(".")[0]}`).toString("base64url"), id_token: emulator.sessionToken(SHOP) })) url.searchParams.set(k, v);
      const res = await fetch(url, { headers: { "User-Agent": BROWSER_UA } });
      expect(res.status).toBe(200);
      return (await res.text()).replaceAll("<!-- -->", "");
    };
    // The reward is edited after the start: the page shows the start's.
    await db.rewardTemplate.update({ where: { id: template.id }, data: { value: "50.00" } });
    try {
      expect(await page()).toContain("Each customer gets: $5.00 off, valid 30 days");
      await stopJobsForUninstalledShop(db, SHOP);
      const html = await page();
      expect(html).toContain("The app was uninstalled from the store, so this bulk issue stopped");
      expect(html).not.toContain("Then resume it.");
    } finally {
      await db.rewardTemplate.update({ where: { id: template.id }, data: { value: "5.00" } });
    }
  });

  it("pauses, resumes and cancels; a move the state doesn't allow is a 409, another shop's job a 404", async () => {
    const id = await newJob();
    const act = async (intent: string, shop = SHOP) => {
      const res = await post(`/app/bulk-issue/${id}`, DETAIL, { intent }, shop);
      return { status: res.status, body: (await res.json()) as { ok: boolean; message: string; state?: string } };
    };
    expect(await act("pause")).toMatchObject({ status: 200, body: { ok: true, message: "Bulk issue paused", state: "PAUSED" } });
    expect(await act("pause")).toMatchObject({ status: 409, body: { ok: false, message: expect.stringContaining("paused") } });
    expect(await act("resume")).toMatchObject({ status: 200, body: { state: "RUNNING" } });
    expect(await act("cancel", OTHER)).toMatchObject({ status: 404 });
    expect(await act("cancel")).toMatchObject({ status: 200, body: { state: "CANCELED" } });
    expect(await act("resume")).toMatchObject({ status: 409 });
    expect(await act("explode")).toMatchObject({ status: 400, body: { message: "Unknown action." } });
    expect((await db.bulkIssueJob.findUniqueOrThrow({ where: { id } })).state).toBe("CANCELED");
  });

  it("GIVEN a job canceled before it issued WHEN its page is read THEN its customers are 'not issued', none 'waiting', and the figures add up to the total", async () => {
    const id = await newJob();
    expect((await post(`/app/bulk-issue/${id}`, DETAIL, { intent: "cancel" })).status).toBe(200);
    const res = await adminFetch(`/app/bulk-issue/${id}`, { route: DETAIL });
    const { job } = (await res.json()) as { job: Record<string, number | boolean | string> };
    expect(job).toMatchObject({ state: "CANCELED", total: 3, waiting: 0, notIssued: 3, inFlight: 0, moving: false });
    const sum = ["issued", "failed", "skipped", "inFlight", "waiting", "notIssued"].reduce((n, k) => n + Number(job[k]), 0);
    expect(sum).toBe(job.total);
  });

  it("the list shows the shop's jobs only", async () => {
    await createTemplate(db, OTHER, { purpose: "MANUAL", pointsCost: null });
    const res = await adminFetch("/app/bulk-issue", { route: LIST, shop: OTHER });
    expect(((await res.json()) as { jobs: unknown[] }).jobs).toEqual([]);
    const mine = (await (await adminFetch("/app/bulk-issue", { route: LIST })).json()) as { jobs: { target: string }[] };
    expect(mine.jobs.length).toBeGreaterThan(0);
  });
});
