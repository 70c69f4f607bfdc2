// GIVEN the production build on a real port, the emulator playing Shopify, and customers whose data
//       reached every corner of the app through the real paths (admin cancel with a typed reason,
//       manual issue with a note, re-issue of a failed reward, a Shopify error echoing a code, a
//       stored data request)
// WHEN Shopify sends the mandatory privacy webhooks (signed by the emulator) and the merchant uses
//      the admin's Privacy requests page
// THEN redaction leaves none of the subject's identifiers in ANY text column of ANY table (read
//      from the database's own catalogue), anonymous aggregates stay, and data requests are handed
//      over as JSON with the date they were provided.
import { beforeAll, describe, expect, it } from "vitest";
import type { Customer } from "@prisma/client";
import db from "~/db.server";
import { recordEvent } from "~/services/rewards/events.server";
import { adminFetcher, BROWSER_UA, useRunningApp } from "../support/app";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { createReward, createTemplate } from "../support/factories";
import { programCustomer, rewardWithDiscount } from "../support/rewards";
import { findText } from "../support/text-search";
import { applyWebhooks } from "../support/webhooks";

const { emulator } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
const PROFILE = "routes/app.customers.$id";
const DETAIL = "routes/app.customers.$id.rewards.$rewardId";
const app = useRunningApp({ emulator });

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
});

const adminFetch = adminFetcher(app, emulator, SHOP);
const post = (path: string, route: string, form: Record<string, string>, shop = SHOP) =>
  adminFetch(path, { method: "POST", body: new URLSearchParams(form), route, shop });

type Subject = Awaited<ReturnType<typeof programCustomer>>;

/** Everything that names the subject: what must be gone after redaction. */
async function identifiersOf(subject: Subject): Promise<string[]> {
  const rewards = await db.reward.findMany({ where: { customerId: subject.id }, select: { code: true } });
  const redemptions = await db.redemption.findMany({ where: { customerId: subject.id }, select: { code: true } });
  const [first, last] = subject.displayName.split(" ");
  return [subject.email!, subject.displayName, first, last, subject.gid, ...rewards.map((r) => r.code), ...redemptions.map((r) => r.code)];
}

/**
 * Puts the subject's data everywhere the app can hold it, through the real admin routes and
 * webhooks: a reward canceled with a reason naming them (points refunded), a manual reward with a
 * note naming them, a failed reward issued again, a Shopify error echoing a code, another
 * customer's reward whose cancel reason names them, and a stored data request.
 */
async function spreadSubjectData(shop: string, subject: Subject, other: Subject) {
  const issued = await rewardWithDiscount(emulator, shop, subject);
  await db.reward.update({ where: { id: issued.id }, data: { pointsSpent: 300 } });
  const cancel = await post(`/app/customers/${subject.id}/rewards/${issued.id}`, DETAIL, { intent: "cancel", reason: `${subject.displayName} called; write to ${subject.email}` }, shop);
  expect(cancel.status).toBe(200);

  const kept = await rewardWithDiscount(emulator, shop, subject);

  const manual = await createTemplate(db, shop, { name: "$7 thank-you", purpose: "MANUAL", pointsCost: null, value: "7.00" });
  const issue = await post(`/app/customers/${subject.id}`, PROFILE, { intent: "issue", templateId: manual.id, note: `Promised to ${subject.displayName} (${subject.email})` }, shop);
  expect(issue.status).toBe(200);

  const referral = await createTemplate(db, shop, { purpose: "REFERRAL", pointsCost: null });
  const subjectRow = (await db.customer.findUniqueOrThrow({ where: { id: subject.id } })) as Customer;
  const failed = await createReward(db, subjectRow, { status: "FAILED", source: "REFERRAL", template: referral });
  const reissue = await post(`/app/customers/${subject.id}/rewards/${failed.id}`, DETAIL, { intent: "reissue" }, shop);
  expect(reissue.status).toBe(200);
  const replacement = ((await reissue.json()) as { rewardId: string }).rewardId;
  // Shopify's userErrors echo what they were sent; the worker stores them with the attempt.
  await recordEvent(db, {
    rewardId: replacement,
    shop,
    type: "ATTEMPT_FAILED",
    actor: "WORKER",
    reason: "Attempt 1: code_taken (uncertain) — Code is taken",
    shopifyError: { failure: { kind: "user_errors", errors: [{ field: ["basicCodeDiscount", "code"], code: "TAKEN", message: `Code ${kept.code} has already been taken` }] } },
  });

  const othersReward = await rewardWithDiscount(emulator, shop, other);
  const otherCancel = await post(`/app/customers/${other.id}/rewards/${othersReward.id}`, DETAIL, { intent: "cancel", reason: `Duplicate of ${subject.displayName}'s reward` }, shop);
  expect(otherCancel.status).toBe(200);

  const request = await emulator.customersDataRequest(shop, subject.gid);
  await applyWebhooks(); // the worker applies what the app recorded
  expect(request.results[0].finalStatus).toBe(200);
  return { issued, kept, failed, replacement };
}

describe("customers/redact erases the customer everywhere", () => {
  it("after data_request + redact, no text column of any table holds the subject's email, name, Shopify id or codes; aggregates stay", async () => {
    const subject = await programCustomer(emulator, SHOP, "Zelda Quixote");
    const other = await programCustomer(emulator, SHOP, "Bruno Keeper");
    const { issued, kept, failed, replacement } = await spreadSubjectData(SHOP, subject, other);
    const needles = await identifiersOf(subject);
    // The search can find them: before redaction they are in several tables.
    const before = await findText(db, needles);
    expect([...new Set(before.map((h) => h.table))]).toEqual(expect.arrayContaining(["Customer", "Reward", "RewardEvent", "ComplianceRequest"]));
    const statusesBefore = await db.reward.findMany({ where: { customerId: subject.id }, orderBy: { id: "asc" }, select: { id: true, status: true, value: true, pointsSpent: true } });
    const ledgerBefore = await db.pointsTransaction.findMany({ where: { customerId: subject.id }, select: { delta: true, balanceAfter: true, reason: true } });
    expect(ledgerBefore).toHaveLength(1); // the refund of the canceled redemption

    const sent = await emulator.customersRedact(SHOP, subject.gid);
    await applyWebhooks(); // the worker applies what the app recorded
    expect(sent.results[0].finalStatus).toBe(200);

    expect(await findText(db, needles)).toEqual([]);
    // Anonymous aggregates stay: the rewards, their statuses and values, the points.
    expect(await db.reward.findMany({ where: { customerId: subject.id }, orderBy: { id: "asc" }, select: { id: true, status: true, value: true, pointsSpent: true } })).toEqual(statusesBefore);
    expect(await db.pointsTransaction.findMany({ where: { customerId: subject.id }, select: { delta: true, balanceAfter: true, reason: true } })).toEqual(ledgerBefore);
    expect((await db.customer.findUniqueOrThrow({ where: { id: subject.id } })).pointsBalance).toBe(1300);
    // The history stays readable: what happened and who did it, without the merchant's words.
    const canceled = await db.rewardEvent.findFirstOrThrow({ where: { rewardId: issued.id, toStatus: "CANCELED" } });
    expect(canceled).toMatchObject({ actor: "MERCHANT", reason: "Canceled by the merchant", note: null });
    expect(await db.rewardEvent.findFirstOrThrow({ where: { rewardId: failed.id, type: "NOTE" } })).toMatchObject({ reason: `Issued again as a new reward (${replacement}). This reward stays Failed.` });
    expect((await db.reward.findUniqueOrThrow({ where: { id: kept.id } })).status).toBe("ISSUED");
    // The earlier data request is erased, its dates kept.
    const request = await db.complianceRequest.findFirstOrThrow({ where: { shop: SHOP, topic: "customers/data_request", erasedAt: { not: null } } });
    expect(request).toMatchObject({ result: null, customerGid: null });
    // The other customer keeps their own data; only the subject's name was cut out of their history.
    expect((await findText(db, [other.email!, other.displayName])).length).toBeGreaterThan(0);
    const othersNote = await db.rewardEvent.findFirstOrThrow({ where: { reward: { customerId: other.id }, toStatus: "CANCELED" } });
    expect(othersNote.note).toBe("Duplicate of [redacted]'s reward");
  });

  it("a redelivered customers/redact changes nothing more and still answers 200", async () => {
    const subject = await programCustomer(emulator, SHOP, "Yorick Twice");
    await rewardWithDiscount(emulator, SHOP, subject);
    const needles = await identifiersOf(subject);
    const first = await emulator.customersRedact(SHOP, subject.gid, { duplicates: 1 });
    await applyWebhooks(); // the worker applies what the app recorded
    expect(first.results.map((r) => r.finalStatus)).toEqual([200, 200]);
    expect(await findText(db, needles)).toEqual([]);
  });
});

describe("the birthday a customer gives on the storefront", () => {
  it("is handed over by customers/data_request and erased by customers/redact", async () => {
    // GIVEN a shop with a birthday bonus, and a customer who told it their birthday through the
    // storefront widget's endpoint
    await db.programSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, enabled: true, birthdayBonus: 50 }, update: { enabled: true, birthdayBonus: 50 } });
    const subject = await programCustomer(emulator, SHOP, "Wilma Birthday");
    const numericId = subject.gid.split("/").pop()!;
    const res = await fetch(emulator.appProxyUrl(SHOP, "/birthday", numericId), {
      method: "POST",
      headers: { "User-Agent": BROWSER_UA, Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ birthday: "07-14" }),
    });
    expect(res.status).toBe(200);

    // WHEN Shopify asks for the customer's data, THEN the birthday is in it
    await emulator.customersDataRequest(SHOP, subject.gid);
    await applyWebhooks();
    const request = await db.complianceRequest.findFirstOrThrow({ where: { shop: SHOP, topic: "customers/data_request", customerGid: subject.gid } });
    expect(request.result).toContain('"birthday":"07-14"');

    // WHEN Shopify asks to redact the customer, THEN the birthday is gone
    await emulator.customersRedact(SHOP, subject.gid);
    await applyWebhooks();
    expect((await db.customer.findUniqueOrThrow({ where: { id: subject.id } })).birthday).toBeNull();
  });
});

describe("shop/redact erases the shop everywhere", () => {
  it("no text column of any table holds the shop's domain, or its customers' email, name, Shopify id or codes", async () => {
    const shop = "erase-everything.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const subject = await programCustomer(emulator, shop, "Walter Gone");
    const other = await programCustomer(emulator, shop, "Vera Gone");
    await spreadSubjectData(shop, subject, other);
    const needles = [shop, ...(await identifiersOf(subject)), ...(await identifiersOf(other))];
    expect((await findText(db, needles)).length).toBeGreaterThan(0);
    const othersBefore = await db.reward.count({ where: { shop: SHOP } });

    // Shopify sends shop/redact 48 h after the uninstall, once the app's token is revoked.
    await emulator.uninstall(shop);
    await applyWebhooks();
    const sent = await emulator.shopRedact(shop);
    await applyWebhooks(); // the worker applies what the app recorded
    expect(sent.results[0].finalStatus).toBe(200);

    expect(await findText(db, needles)).toEqual([]);
    expect(await db.reward.count({ where: { shop: SHOP } })).toBe(othersBefore);
  });
});

interface RequestsJson {
  requests: { id: string; email: string | null; providedAt: string | null; found: number }[];
  pending: number;
}

describe("data requests are handed over to the merchant", () => {
  it("lists a pending data request, downloads it as JSON, records when it was provided; a later redact erases it", async () => {
    const subject = await programCustomer(emulator, SHOP, "Ursula Asks");
    const reward = await rewardWithDiscount(emulator, SHOP, subject);
    const sent = await emulator.customersDataRequest(SHOP, subject.gid);
    await applyWebhooks(); // the worker applies what the app recorded
    expect(sent.results[0].finalStatus).toBe(200);

    // The home page says a request is waiting and the Privacy requests page lists it, pending.
    const home = (await (await adminFetch("/app", { route: "routes/app._index" })).json()) as { pendingDataRequests: number };
    expect(home.pendingDataRequests).toBeGreaterThanOrEqual(1);
    const listRes = await adminFetch("/app/privacy", { route: "routes/app.privacy" });
    expect(listRes.status).toBe(200);
    const list = (await listRes.json()) as RequestsJson;
    const row = list.requests.find((r) => r.email === subject.email);
    expect(row).toMatchObject({ providedAt: null, found: 1 });
    const pendingBefore = list.pending;

    // Another shop cannot read it.
    await installEmulatedShop(emulator, "nosy-shop.myshopify.com", { currencyCode: "USD" });
    expect((await adminFetch(`/app/privacy/requests/${row!.id}.json`, { shop: "nosy-shop.myshopify.com" })).status).toBe(404);
    expect((await db.complianceRequest.findUniqueOrThrow({ where: { id: row!.id } })).providedAt).toBeNull();

    const download = await adminFetch(`/app/privacy/requests/${row!.id}.json`);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toContain("application/json");
    expect(download.headers.get("content-disposition")).toBe(`attachment; filename="data-request-${row!.id}.json"`);
    const data = (await download.json()) as { shop: string; customer: { data: { customer: { email: string; name: string }; rewards: { code: string }[] }[] } };
    expect(data.shop).toBe(SHOP);
    expect(data.customer.data[0].customer).toMatchObject({ email: subject.email, name: "Ursula Asks" });
    expect(data.customer.data[0].rewards.map((r) => r.code)).toEqual([reward.code]);
    const provided = (await db.complianceRequest.findUniqueOrThrow({ where: { id: row!.id } })).providedAt;
    expect(provided).toBeInstanceOf(Date);

    const after = (await (await adminFetch("/app/privacy", { route: "routes/app.privacy" })).json()) as RequestsJson;
    expect(after.requests.find((r) => r.id === row!.id)?.providedAt).toBe(provided!.toISOString());
    expect(after.pending).toBe(pendingBefore - 1);
    // Downloading again keeps the first date.
    expect((await adminFetch(`/app/privacy/requests/${row!.id}.json`)).status).toBe(200);
    expect((await db.complianceRequest.findUniqueOrThrow({ where: { id: row!.id } })).providedAt).toEqual(provided);

    await emulator.customersRedact(SHOP, subject.gid);
    await applyWebhooks(); // the worker applies what the app recorded
    const gone = await adminFetch(`/app/privacy/requests/${row!.id}.json`);
    expect(gone.status).toBe(410);
    const finally_ = (await (await adminFetch("/app/privacy", { route: "routes/app.privacy" })).json()) as RequestsJson;
    expect(finally_.requests.some((r) => r.id === row!.id)).toBe(false);
  });

  it("a data request's captured body sent again (new webhook id) after the merchant provided it: no second request, nothing pending again", async () => {
    const subject = await programCustomer(emulator, SHOP, "Ivo Twice");
    const sent = await emulator.customersDataRequest(SHOP, subject.gid);
    await applyWebhooks();
    expect(sent.results[0].finalStatus).toBe(200);
    const list = (await (await adminFetch("/app/privacy", { route: "routes/app.privacy" })).json()) as RequestsJson;
    const row = list.requests.find((r) => r.email === subject.email)!;
    expect((await adminFetch(`/app/privacy/requests/${row.id}.json`)).status).toBe(200);
    const provided = (await db.complianceRequest.findUniqueOrThrow({ where: { id: row.id } })).providedAt;
    const pendingBefore = ((await (await adminFetch("/app/privacy", { route: "routes/app.privacy" })).json()) as RequestsJson).pending;

    const replay = await emulator.sendWebhook("customers/data_request", SHOP, sent.signed.body);
    expect(replay.results[0].finalStatus).toBe(200);
    expect(await applyWebhooks()).toMatchObject({ applied: 1, retried: 0, dead: 0 });

    const after = (await (await adminFetch("/app/privacy", { route: "routes/app.privacy" })).json()) as RequestsJson;
    expect(after.requests.filter((r) => r.email === subject.email)).toEqual([expect.objectContaining({ id: row.id, providedAt: provided!.toISOString() })]);
    expect(after.pending).toBe(pendingBefore);
  });

  it("a data request about a customer already erased (its captured body sent again after customers/redact) writes none of their identifiers back; the request is listed nowhere and nothing can be downloaded", async () => {
    const subject = await programCustomer(emulator, SHOP, "Tove Quillon");
    const needles = await identifiersOf(subject);
    const asked = await emulator.customersDataRequest(SHOP, subject.gid);
    await applyWebhooks();
    await emulator.customersRedact(SHOP, subject.gid);
    await applyWebhooks();
    expect(await findText(db, needles)).toEqual([]);
    const before = await db.complianceRequest.count({ where: { shop: SHOP, topic: "customers/data_request", erasedAt: null } });

    const replay = await emulator.sendWebhook("customers/data_request", SHOP, asked.signed.body);
    expect(replay.results[0].finalStatus).toBe(200);
    expect(await applyWebhooks()).toMatchObject({ applied: 1, retried: 0, dead: 0 });

    expect(await findText(db, needles)).toEqual([]);
    expect(await db.complianceRequest.count({ where: { shop: SHOP, topic: "customers/data_request", erasedAt: null } })).toBe(before);
    const list = (await (await adminFetch("/app/privacy", { route: "routes/app.privacy" })).json()) as RequestsJson;
    expect(list.requests.some((r) => r.email === subject.email)).toBe(false);
  });

  it("an id that is not a data request id → 400; an unknown one → 404", async () => {
    expect((await adminFetch("/app/privacy/requests/not%20an%20id.json")).status).toBe(400);
    expect((await adminFetch("/app/privacy/requests/unknown123.json")).status).toBe(404);
  });
});

describe("a delivery naming a redacted customer, after the erasure", () => {
  it("the customer's captured orders/create sent again (new webhook id; the HMAC covers the body only) writes no name, email or id of theirs", async () => {
    const { customer } = await emulator.createCustomer(SHOP, { firstName: "Otto", lastName: "Replayson", email: "otto.replayson@example.com" });
    const order = emulator.store.placeOrder(SHOP, { customerId: customer.id, codes: [] });
    const first = await emulator.sendWebhook("orders/create", SHOP, emulator.orderWebhookBody(order));
    await applyWebhooks();
    expect(first.results[0].finalStatus).toBe(200);
    const needles = ["otto.replayson@example.com", "Otto Replayson", "Replayson", customer.id];
    expect((await findText(db, needles)).map((h) => h.table)).toContain("Customer");

    const redact = await emulator.customersRedact(SHOP, customer.id);
    await applyWebhooks();
    expect(redact.results[0].finalStatus).toBe(200);
    expect(await findText(db, needles)).toEqual([]);

    const replay = await emulator.sendWebhook("orders/create", SHOP, first.signed.body);
    expect(replay.results[0].finalStatus).toBe(200);
    expect(await applyWebhooks()).toMatchObject({ applied: 1, retried: 0, dead: 0 });

    expect(await findText(db, needles)).toEqual([]);
  });
});
