// The merchant's Activity → Rewards through the production build over real HTTP, authenticated as
// App Bridge does it (Bearer session token, browser User-Agent, Remix data requests):
// keyset pages, status filter, a reward's history and failure explanation, tenant isolation, and
// the actions (cancel against the emulated Shopify, manual issue, re-issue of a Failed reward).
import { beforeAll, describe, expect, it } from "vitest";
import type { Customer, Reward } from "@prisma/client";
import db from "~/db.server";
import { merchantExplanation } from "~/copy/admin";
import { adminFetcher, useRunningApp } from "../support/app";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { createCustomer, createReward, createTemplate } from "../support/factories";
import { rewardWithDiscount } from "../support/rewards";

const { emulator } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
const OTHER = "other-shop.myshopify.com";
const PROFILE = "routes/app.customers.$id";
const DETAIL = "routes/app.customers.$id.rewards.$rewardId";
const app = useRunningApp({ emulator });

const adminFetch = adminFetcher(app, emulator, SHOP);
const request = (path: string, route: string, init: RequestInit & { shop?: string } = {}) => adminFetch(path, { ...init, route });

function post(path: string, route: string, form: Record<string, string>, shop = SHOP) {
  return request(path, route, { method: "POST", body: new URLSearchParams(form), shop });
}

interface RowJson {
  id: string;
  status: string;
  createdAt: string;
  code: string;
  usedOrderName: string | null;
  usedOrderUrl: string | null;
}
interface ProfileJson {
  customer: { id: string; name: string; shopifyAdminUrl: string | null };
  rewards: { items: RowJson[]; nextCursor: string | null; previousCursor: string | null };
}

async function profile(customerId: string, query = ""): Promise<ProfileJson> {
  const res = await request(`/app/customers/${customerId}${query}`, PROFILE);
  expect(res.status).toBe(200);
  return (await res.json()) as ProfileJson;
}

let customer: Customer;
let stranger: Customer;
let strangerReward: Reward;
const all: Reward[] = [];
const base = Date.UTC(2026, 0, 1);

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
  await installEmulatedShop(emulator, OTHER, { currencyCode: "USD" });
  customer = await createCustomer(db, SHOP, { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" }, emulator);
  // 25 rewards, statuses in a cycle; rewards 10..14 share one timestamp so the id decides their order.
  const statuses = ["ISSUED", "USED", "FAILED", "PENDING", "CANCELED"] as const;
  for (let i = 0; i < 25; i++) {
    const createdAt = new Date(base + (i >= 10 && i < 15 ? 10 : i) * 60_000);
    all.push(await createReward(db, customer, { status: statuses[i % 5], createdAt, title: `Reward ${i}` }));
  }
  stranger = await createCustomer(db, OTHER, { firstName: "Eve", lastName: "Other", email: "eve@other.example" }, emulator);
  strangerReward = await createReward(db, stranger, { status: "ISSUED", title: "Other shop's reward" });
});

/** Newest first, ties broken by id descending — the order the table promises. */
const expected = (rows: Reward[]) =>
  [...rows].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((r) => r.id);

describe("Activity → Rewards pages", () => {
  it("pages forward with the next cursor through every reward exactly once, newest first (ties by id)", async () => {
    const seen: string[] = [];
    let query = "";
    const sizes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const body = await profile(customer.id, query);
      sizes.push(body.rewards.items.length);
      seen.push(...body.rewards.items.map((r) => r.id));
      if (i === 0) expect(body.rewards.previousCursor).toBeNull();
      else expect(body.rewards.previousCursor).not.toBeNull();
      if (!body.rewards.nextCursor) break;
      query = `?after=${body.rewards.nextCursor}&page=${i + 2}`;
    }
    expect(sizes).toEqual([10, 10, 5]);
    expect(seen).toEqual(expected(all));
  });

  it("pages back with the previous cursor to exactly the page it came from, and to the first page at the start", async () => {
    const first = await profile(customer.id);
    const second = await profile(customer.id, `?after=${first.rewards.nextCursor}`);
    const third = await profile(customer.id, `?after=${second.rewards.nextCursor}`);
    const backToSecond = await profile(customer.id, `?before=${third.rewards.previousCursor}`);
    expect(backToSecond.rewards.items.map((r) => r.id)).toEqual(second.rewards.items.map((r) => r.id));
    expect(backToSecond.rewards.nextCursor).toBe(second.rewards.nextCursor);
    const backToFirst = await profile(customer.id, `?before=${backToSecond.rewards.previousCursor}`);
    expect(backToFirst.rewards.items.map((r) => r.id)).toEqual(first.rewards.items.map((r) => r.id));
    expect(backToFirst.rewards.previousCursor).toBeNull();
  });

  it("filters by status, and the filter keeps applying across pages", async () => {
    const c = await createCustomer(db, SHOP);
    const mixed: Reward[] = [];
    for (let i = 0; i < 26; i++) mixed.push(await createReward(db, c, { status: i % 2 ? "ISSUED" : "FAILED", createdAt: new Date(base + i * 1000) }));
    const first = await profile(c.id, "?status=FAILED");
    const second = await profile(c.id, `?status=FAILED&after=${first.rewards.nextCursor}`);
    expect([first, second].map((p) => p.rewards.items.length)).toEqual([10, 3]);
    expect(second.rewards.nextCursor).toBeNull();
    const ids = [...first.rewards.items, ...second.rewards.items].map((r) => r.id);
    expect(ids).toEqual(expected(mixed.filter((r) => r.status === "FAILED")));
    // Lower case works too; an unknown status is refused rather than ignored.
    const used = await profile(customer.id, "?status=used");
    expect(used.rewards.items.map((r) => r.status)).toEqual(Array(5).fill("USED"));
    expect((await request(`/app/customers/${customer.id}?status=EXPIRED`, PROFILE)).status).toBe(400);
  });

  it("refuses a cursor that was not made by the app", async () => {
    for (const bad of ["not-a-cursor", Buffer.from("123.x;drop").toString("base64url"), "%00"]) {
      const res = await request(`/app/customers/${customer.id}?after=${bad}`, PROFILE);
      expect(res.status).toBe(400);
    }
  });

  it("links a Used reward's order and the customer to Shopify's admin", async () => {
    const c = await createCustomer(db, SHOP, { shopifyCustomerId: "gid://shopify/Customer/777" });
    const used = await createReward(db, c, { status: "USED" });
    await db.reward.update({ where: { id: used.id }, data: { usedOrderGid: "gid://shopify/Order/4242", usedOrderName: "#1042" } });
    const body = await profile(c.id);
    expect(body.customer.shopifyAdminUrl).toBe("https://admin.shopify.com/store/test-shop/customers/777");
    expect(body.rewards.items[0]).toMatchObject({ usedOrderName: "#1042", usedOrderUrl: "https://admin.shopify.com/store/test-shop/orders/4242" });
  });
});

describe("a reward's details", () => {
  it("shows the history and, for a Failed reward, the reason in plain language and what to do", async () => {
    const c = await createCustomer(db, SHOP);
    const failed = await createReward(db, c, { status: "FAILED" });
    await db.reward.update({ where: { id: failed.id }, data: { failureCode: "gift_cards_unavailable" } });
    await db.rewardEvent.create({
      data: {
        rewardId: failed.id,
        shop: SHOP,
        type: "STATUS_CHANGED",
        fromStatus: "PENDING",
        toStatus: "FAILED",
        actor: "WORKER",
        reason: "gift_cards_unavailable: Gift cards are not enabled",
        reasonCode: "gift_cards_unavailable",
        shopifyError: JSON.stringify([{ message: "Gift cards are not enabled", code: "INVALID" }]),
      },
    });
    const res = await request(`/app/customers/${c.id}/rewards/${failed.id}`, DETAIL);
    expect(res.status).toBe(200);
    const { reward } = (await res.json()) as {
      reward: { status: string; failure: { summary: string; action: string }; cancelable: boolean; events: { type: string; fromStatus: string | null; toStatus: string | null; actorLabel: string; reason: string; reasonCode: string | null; shopifyError: string | null }[] };
    };
    expect(reward.status).toBe("FAILED");
    expect(reward.failure).toEqual(merchantExplanation("gift_cards_unavailable"));
    expect(reward.cancelable).toBe(false);
    expect(reward.events.map((e) => e.type)).toEqual(["CREATED", "STATUS_CHANGED"]);
    const change = reward.events[1];
    expect(change).toMatchObject({ fromStatus: "PENDING", toStatus: "FAILED", actorLabel: "Background worker", reasonCode: "gift_cards_unavailable" });
    expect(change.reason).toBe(merchantExplanation("gift_cards_unavailable").summary);
    expect(JSON.parse(change.shopifyError!)).toEqual([{ message: "Gift cards are not enabled", code: "INVALID" }]);
  });
});

describe("tenant isolation: another shop's ids are not found, never shown", () => {
  it("another shop's customer → 404 on the profile, with nothing of theirs in the answer", async () => {
    const res = await request(`/app/customers/${stranger.id}`, PROFILE);
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(text).not.toContain("Eve");
    expect(text).not.toContain("eve@other.example");
  });

  it("another shop's reward → 404, under their customer or under one of ours", async () => {
    for (const path of [`/app/customers/${stranger.id}/rewards/${strangerReward.id}`, `/app/customers/${customer.id}/rewards/${strangerReward.id}`]) {
      const res = await request(path, DETAIL);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain(strangerReward.code);
    }
  });

  it("our own reward under another of our customers → 404 (a reward is shown only under its customer)", async () => {
    const other = await createCustomer(db, SHOP);
    expect((await request(`/app/customers/${other.id}/rewards/${all[0].id}`, DETAIL)).status).toBe(404);
  });

  it("the other shop sees its own customer and not ours", async () => {
    expect((await request(`/app/customers/${stranger.id}`, PROFILE, { shop: OTHER })).status).toBe(200);
    expect((await request(`/app/customers/${customer.id}`, PROFILE, { shop: OTHER })).status).toBe(404);
  });

  it("cancel / re-issue / issue on another shop's ids → 404 and nothing changes", async () => {
    const before = await db.reward.findUniqueOrThrow({ where: { id: strangerReward.id } });
    for (const intent of ["cancel", "reissue"]) {
      const res = await post(`/app/customers/${stranger.id}/rewards/${strangerReward.id}`, DETAIL, { intent });
      expect(res.status).toBe(404);
    }
    const template = await createTemplate(db, SHOP);
    expect((await post(`/app/customers/${stranger.id}`, PROFILE, { intent: "issue", templateId: template.id })).status).toBe(404);
    expect(await db.reward.findUniqueOrThrow({ where: { id: strangerReward.id } })).toEqual(before);
    expect(await db.reward.count({ where: { customerId: stranger.id } })).toBe(1);
  });
});

describe("cancel", () => {
  it("an Issued reward: deactivated in Shopify, Canceled with the merchant's reason, points refunded", async () => {
    const c = await createCustomer(db, SHOP, { pointsBalance: 100 }, emulator);
    const issued = await rewardWithDiscount(emulator, SHOP, { id: c.id, gid: c.shopifyCustomerId });
    await db.reward.update({ where: { id: issued.id }, data: { pointsSpent: 500 } });

    const res = await post(`/app/customers/${c.id}/rewards/${issued.id}`, DETAIL, { intent: "cancel", reason: "customer asked" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; status: string; message: string };
    expect(body).toMatchObject({ ok: true, status: "CANCELED" });
    expect(body.message).toContain("500 points");

    const after = await db.reward.findUniqueOrThrow({ where: { id: issued.id } });
    expect(after.status).toBe("CANCELED");
    expect(emulator.store.discountStatus(emulator.store.getDiscount(SHOP, issued.shopifyId!)!)).toBe("EXPIRED");
    expect((await db.customer.findUniqueOrThrow({ where: { id: c.id } })).pointsBalance).toBe(600);
    const event = await db.rewardEvent.findFirstOrThrow({ where: { rewardId: issued.id, toStatus: "CANCELED" } });
    expect(event).toMatchObject({ actor: "MERCHANT", fromStatus: "ISSUED" });
    // The merchant's words are kept as the event's note (erased with the customer by customers/redact).
    expect(event).toMatchObject({ reason: "Canceled by the merchant", note: "customer asked" });

    // The table now shows it Canceled.
    const table = await profile(c.id);
    expect(table.rewards.items.find((r) => r.id === issued.id)?.status).toBe("CANCELED");
  });

  it("Shopify refuses the deactivation: a clear error, and the reward stays Issued", async () => {
    const c = await createCustomer(db, SHOP, {}, emulator);
    const issued = await rewardWithDiscount(emulator, SHOP, { id: c.id, gid: c.shopifyCustomerId });
    emulator.faults.userErrors("discountCodeDeactivate", [{ field: ["id"], code: "INVALID", message: "Discount can't be deactivated right now" }]);

    const res = await post(`/app/customers/${c.id}/rewards/${issued.id}`, DETAIL, { intent: "cancel" });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { ok: boolean; message: string };
    expect(body.ok).toBe(false);
    expect(body.message).toContain("Discount can't be deactivated right now");
    expect(body.message).toContain("still Issued");
    expect((await db.reward.findUniqueOrThrow({ where: { id: issued.id } })).status).toBe("ISSUED");
    expect(emulator.store.discountStatus(emulator.store.getDiscount(SHOP, issued.shopifyId!)!)).toBe("ACTIVE");
  });

  it("a Used reward can't be canceled (409, unchanged)", async () => {
    const c = await createCustomer(db, SHOP);
    const used = await createReward(db, c, { status: "USED" });
    const res = await post(`/app/customers/${c.id}/rewards/${used.id}`, DETAIL, { intent: "cancel" });
    expect(res.status).toBe(409);
    expect((await db.reward.findUniqueOrThrow({ where: { id: used.id } })).status).toBe("USED");
  });
});

describe("issue by hand and re-issue", () => {
  it("issues a MANUAL reward from a template, saved Pending for the worker; a repeated submit makes one", async () => {
    const c = await createCustomer(db, SHOP);
    const template = await createTemplate(db, SHOP, { name: "$7 thank-you", purpose: "MANUAL", pointsCost: null, value: "7.00" });
    const form = { intent: "issue", templateId: template.id, note: "sorry for the delay", requestKey: "abcdef0123456789" };
    const first = await post(`/app/customers/${c.id}`, PROFILE, form);
    expect(first.status).toBe(200);
    const second = await post(`/app/customers/${c.id}`, PROFILE, form);
    expect(second.status).toBe(200);
    const rewards = await db.reward.findMany({ where: { customerId: c.id } });
    expect(rewards).toHaveLength(1);
    expect(rewards[0]).toMatchObject({ source: "MANUAL", status: "PENDING", templateId: template.id, title: "$7 thank-you" });
    const created = await db.rewardEvent.findFirstOrThrow({ where: { rewardId: rewards[0].id, type: "CREATED" } });
    expect(created).toMatchObject({ actor: "MERCHANT" });
    expect(created).toMatchObject({ reason: "Issued by the merchant", note: "sorry for the delay" });
  });

  it("refuses another shop's template", async () => {
    const c = await createCustomer(db, SHOP);
    const foreign = await createTemplate(db, OTHER);
    const res = await post(`/app/customers/${c.id}`, PROFILE, { intent: "issue", templateId: foreign.id });
    expect(res.status).toBe(422);
    expect(await db.reward.count({ where: { customerId: c.id } })).toBe(0);
  });

  it("re-issues a Failed reward as a new Pending one, once; the failed one stays Failed and says so in its history", async () => {
    const c = await createCustomer(db, SHOP);
    const template = await createTemplate(db, SHOP, { purpose: "REFERRAL", pointsCost: null });
    const failed = await createReward(db, c, { status: "FAILED", source: "REFERRAL", template });

    const responses = await Promise.all([1, 2].map(() => post(`/app/customers/${c.id}/rewards/${failed.id}`, DETAIL, { intent: "reissue" })));
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { rewardId: string }[];
    expect(bodies[0].rewardId).toBe(bodies[1].rewardId);

    const rewards = await db.reward.findMany({ where: { customerId: c.id }, orderBy: { createdAt: "asc" } });
    expect(rewards).toHaveLength(2);
    expect(rewards.find((r) => r.id === failed.id)?.status).toBe("FAILED");
    const fresh = rewards.find((r) => r.id !== failed.id)!;
    // Same source (it is still the customer's referral reward), issued by the merchant.
    expect(fresh).toMatchObject({ id: bodies[0].rewardId, status: "PENDING", source: "REFERRAL", templateId: template.id, kind: failed.kind, value: failed.value });
    expect((await db.rewardEvent.findFirstOrThrow({ where: { rewardId: fresh.id, type: "CREATED" } })).actor).toBe("MERCHANT");
    expect(fresh.code).not.toBe(failed.code);
    const note = await db.rewardEvent.findFirstOrThrow({ where: { rewardId: failed.id, type: "NOTE" } });
    // The replacement is named by id, never by its code (codes are personal data; docs/decisions/015).
    expect(note.reason).toContain(fresh.id);
    expect(note.reason).not.toContain(fresh.code);

    // The failed reward's page now points to its replacement.
    const detail = (await (await request(`/app/customers/${c.id}/rewards/${failed.id}`, DETAIL)).json()) as { reward: { reissuedAs: { id: string } | null } };
    expect(detail.reward.reissuedAs?.id).toBe(fresh.id);
  });

  it("re-issues with the failed reward's own saved settings, even without a template (or after it changed)", async () => {
    const c = await createCustomer(db, SHOP);
    const failed = await createReward(db, c, { status: "FAILED", source: "VIP_TIER_ENTRY" });
    await db.reward.update({
      where: { id: failed.id },
      data: { templateId: null, kind: "PERCENTAGE", value: "20", title: "Gold welcome", settings: JSON.stringify({ templateName: "Gold welcome", codePrefix: "GOLD", expiryDays: 30 }) },
    });
    const res = await post(`/app/customers/${c.id}/rewards/${failed.id}`, DETAIL, { intent: "reissue" });
    expect(res.status).toBe(200);
    const fresh = await db.reward.findFirstOrThrow({ where: { customerId: c.id, id: { not: failed.id } } });
    expect(fresh).toMatchObject({ status: "PENDING", kind: "PERCENTAGE", value: "20", title: "Gold welcome", source: "VIP_TIER_ENTRY", templateId: null });
    expect(fresh.code.startsWith("GOLD")).toBe(true);
  });

  it("only a Failed reward can be re-issued", async () => {
    const c = await createCustomer(db, SHOP);
    const template = await createTemplate(db, SHOP);
    const issued = await createReward(db, c, { status: "ISSUED", template });
    expect((await post(`/app/customers/${c.id}/rewards/${issued.id}`, DETAIL, { intent: "reissue" })).status).toBe(409);
    expect(await db.reward.count({ where: { customerId: c.id } })).toBe(1);
  });
});
