// The Customers index and the customer profile page through the production build over real HTTP:
// search (name, email, case-insensitive, literal), keyset pages, only the shop's own customers,
// and the server-rendered pages (empty state, Activity tabs, status help).
import { beforeAll, describe, expect, it } from "vitest";
import type { Customer } from "@prisma/client";
import db from "~/db.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { installShop } from "../support/shop";
import { TEST_APP } from "../support/constants";
import { createCustomer, createReward } from "../support/factories";
import { mintSessionToken } from "@loyalty/shopify-emulator/session-token";
import { BOTH_CURSORS, encodeCursor } from "~/services/admin/keyset.server";

const SHOP: string = TEST_APP.shop;
const OTHER = "other-shop.myshopify.com";
const EMPTY = "empty-shop.myshopify.com";
const LIST = "routes/app.customers._index";
const app = useRunningApp();

const token = (shop: string) => mintSessionToken({ shop, apiKey: TEST_APP.apiKey, apiSecret: TEST_APP.apiSecret }).token;

async function list(query = "", shop = SHOP) {
  const url = new URL(`/app/customers${query}`, app.url);
  url.searchParams.set("_data", LIST);
  const res = await fetch(url, { headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${token(shop)}` } });
  return res;
}

interface ListJson {
  page: { items: { id: string; name: string; email: string; rewardCount: number; pointsBalance: number; vipTier: string | null }[]; nextCursor: string | null; previousCursor: string | null };
}

async function listJson(query = "", shop = SHOP): Promise<ListJson> {
  const res = await list(query, shop);
  expect(res.status).toBe(200);
  return (await res.json()) as ListJson;
}

/** A document request as Shopify's admin makes it when it opens the embedded app at this path. */
async function page(path: string, shop = SHOP) {
  const url = new URL(path, app.url);
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", shop);
  url.searchParams.set("host", Buffer.from(`admin.shopify.com/store/${shop.split(".")[0]}`).toString("base64url"));
  url.searchParams.set("id_token", token(shop));
  return fetch(url, { headers: { "User-Agent": BROWSER_UA } });
}

const ours: Customer[] = [];
const base = Date.UTC(2026, 5, 1);

beforeAll(async () => {
  for (const s of [SHOP, OTHER, EMPTY]) await installShop(s);
  ours.push(await createCustomer(db, SHOP, { firstName: "Ada", lastName: "Lovelace", email: "ada.lovelace_1815@example.com", pointsBalance: 2400, vipTier: "Gold" }));
  ours.push(await createCustomer(db, SHOP, { firstName: "Grace", lastName: "Hopper", email: "grace@navy.example" }));
  for (let i = 0; i < 43; i++) ours.push(await createCustomer(db, SHOP, { firstName: "Member", lastName: String(i).padStart(2, "0"), email: `member${i}@example.com` }));
  // Distinct activity times, with a group of ties the id must order.
  for (const [i, c] of ours.entries()) {
    await db.customer.update({ where: { id: c.id }, data: { lastActivityAt: new Date(base - (i >= 20 && i < 25 ? 20 : i) * 3_600_000) } });
  }
  for (let i = 0; i < 3; i++) await createReward(db, ours[0], { status: "ISSUED" });
  // The other shop has a customer with the same name and email: it must never show up for us.
  await createCustomer(db, OTHER, { firstName: "Ada", lastName: "Lovelace", email: "ada.lovelace@example.com" });
});

describe("Customers index", () => {
  it("pages through exactly the shop's customers, most recently active first (ties by id)", async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let query = "";
    for (let i = 0; i < 5; i++) {
      const body = await listJson(query);
      sizes.push(body.page.items.length);
      seen.push(...body.page.items.map((c) => c.id));
      if (!body.page.nextCursor) break;
      query = `?after=${body.page.nextCursor}`;
    }
    expect(sizes).toEqual([20, 20, 5]);
    const fresh = await db.customer.findMany({ where: { shop: SHOP }, orderBy: [{ lastActivityAt: "desc" }, { id: "desc" }] });
    expect(seen).toEqual(fresh.map((c) => c.id));
  });

  it("shows points, tier and the number of rewards", async () => {
    const body = await listJson("?query=ada");
    expect(body.page.items).toHaveLength(1);
    expect(body.page.items[0]).toMatchObject({ id: ours[0].id, name: "Ada Lovelace", pointsBalance: 2400, vipTier: "Gold", rewardCount: 3 });
  });

  it.each([
    ["a part of the name, any case", "LOVEL", ["Ada Lovelace"]],
    ["a part of the email", "navy.example", ["Grace Hopper"]],
    ["extra spaces around", "  grace  ", ["Grace Hopper"]],
    ["a LIKE wildcard, taken literally", "%", []],
    ["an underscore, taken literally (only Ada's email has one)", "_", ["Ada Lovelace"]],
    ["an underscore after text, taken literally", "ace_", ["Ada Lovelace"]],
  ])("searches by %s", async (_label, query, names) => {
    const body = await listJson(`?query=${encodeURIComponent(query)}`);
    expect(body.page.items.map((c) => c.name)).toEqual(names);
  });

  it("pages a search result too", async () => {
    const first = await listJson("?query=member");
    const second = await listJson(`?query=member&after=${first.page.nextCursor}`);
    const third = await listJson(`?query=member&after=${second.page.nextCursor}`);
    expect([first, second, third].map((b) => b.page.items.length)).toEqual([20, 20, 3]);
    expect(new Set([first, second, third].flatMap((b) => b.page.items.map((c) => c.id))).size).toBe(43);
  });

  it("filters by VIP tier (or no tier) and by having Issued rewards, and pages a filtered list", async () => {
    expect((await listJson("?tier=Gold")).page.items.map((c) => c.id)).toEqual([ours[0].id]);
    expect((await listJson("?issued=1")).page.items.map((c) => c.id)).toEqual([ours[0].id]);
    expect((await listJson("?tier=Silver")).page.items).toEqual([]);
    const first = await listJson("?tier=none");
    const second = await listJson(`?tier=none&after=${first.page.nextCursor}`);
    const third = await listJson(`?tier=none&after=${second.page.nextCursor}`);
    const ids = [first, second, third].flatMap((b) => b.page.items.map((c) => c.id));
    expect(ids).toHaveLength(44);
    expect(new Set(ids).size).toBe(44);
    expect(ids).not.toContain(ours[0].id);
  });

  it.each([
    ["points, highest first", "points", { pointsBalance: "desc" as const }],
    ["name, A to Z", "name", { displayName: "asc" as const }],
  ])("sorts by %s across pages, forwards and back, with ties broken by id", async (_label, sort, orderBy) => {
    // Points with ties: several customers share a balance, so only the id orders them.
    for (const [i, c] of ours.entries()) if (i > 0) await db.customer.update({ where: { id: c.id }, data: { pointsBalance: (i % 4) * 100 } });
    const direction = Object.values(orderBy)[0];
    const expected = (await db.customer.findMany({ where: { shop: SHOP }, orderBy: [orderBy, { id: direction }] })).map((c) => c.id);
    const pages: ListJson[] = [];
    let query = `?sort=${sort}`;
    for (let i = 0; i < 5; i++) {
      const body = await listJson(query);
      pages.push(body);
      if (!body.page.nextCursor) break;
      query = `?sort=${sort}&after=${body.page.nextCursor}`;
    }
    expect(pages.map((p) => p.page.items.length)).toEqual([20, 20, 5]);
    expect(pages.flatMap((p) => p.page.items.map((c) => c.id))).toEqual(expected);
    // Back from the third page lands on the second, in the same order.
    const back = await listJson(`?sort=${sort}&before=${pages[2].page.previousCursor}`);
    expect(back.page.items.map((c) => c.id)).toEqual(pages[1].page.items.map((c) => c.id));
    if (sort === "points") expect(pages[0].page.items[0].id).toBe(ours[0].id); // 2 400 points
  });

  it("refuses an unknown sort order, and a cursor of one sort used with another", async () => {
    expect((await list("?sort=email")).status).toBe(400);
    const byName = await listJson("?sort=name");
    expect((await list(`?sort=points&after=${byName.page.nextCursor}`)).status).toBe(400);
  });

  it("the other shop sees only its own customer", async () => {
    const body = await listJson("", OTHER);
    expect(body.page.items).toHaveLength(1);
    expect(body.page.items[0].id).not.toBe(ours[0].id);
  });

  it("refuses a forged cursor", async () => {
    expect((await list("?after=Zm9vYmFy")).status).toBe(400);
  });

  it("renders the index page, and an empty state that says what will appear", async () => {
    const full = await page("/app/customers");
    expect(full.status).toBe(200);
    const html = await full.text();
    expect(html).toContain("Search customers");
    expect(html).toContain("Ada Lovelace");

    const empty = await (await page("/app/customers", EMPTY)).text();
    expect(empty).toContain("No customers in the loyalty program yet");
    expect(empty).toContain("Customers appear here once they take part in the program");
  });
});

describe("Customer profile page", () => {
  it("renders the header, the Activity tabs and the Rewards table with status badges", async () => {
    const res = await page(`/app/customers/${ours[0].id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const text of ["Ada Lovelace", "ada.lovelace_1815@example.com", "2,400", "Gold", "Points history", "Referrals", "What the statuses mean", "Issued"]) {
      expect(html).toContain(text);
    }
    expect(html).toContain('data-reward-status="ISSUED"');
  });

  it("shows the Referrals tab (its rows come from /app/customer-referrals, test/http/admin-referrals.test.ts) and an empty Points history", async () => {
    const referrals = await (await page(`/app/customers/${ours[1].id}?tab=referrals`)).text();
    expect(referrals).toContain("Loading referrals…");
    expect(referrals).not.toContain("Referrals are coming");
    expect(await (await page(`/app/customers/${ours[1].id}?tab=points`)).text()).toContain("No points activity yet");
  });

  it("lists the points ledger newest first", async () => {
    const c = ours[2];
    await db.pointsTransaction.create({ data: { shop: SHOP, customerId: c.id, delta: 300, balanceAfter: 300, reason: "EARNED", createdAt: new Date(base) } });
    await db.pointsTransaction.create({ data: { shop: SHOP, customerId: c.id, delta: -100, balanceAfter: 200, reason: "REDEMPTION", createdAt: new Date(base + 1000) } });
    const url = new URL(`/app/customers/${c.id}?tab=points`, app.url);
    url.searchParams.set("_data", "routes/app.customers.$id");
    const res = await fetch(url, { headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${token(SHOP)}` } });
    const body = (await res.json()) as { points: { items: { delta: number; reasonLabel: string }[] }; rewards: unknown };
    expect(body.rewards).toBeNull();
    expect(body.points.items.map((p) => [p.delta, p.reasonLabel])).toEqual([
      [-100, "Redeemed for a reward"],
      [300, "Earned on an order"],
    ]);
  });

  it("another shop's customer page is a 404 page without their data", async () => {
    const stranger = await db.customer.findFirstOrThrow({ where: { shop: OTHER } });
    const res = await page(`/app/customers/${stranger.id}`);
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html.replaceAll("&#x27;", "'")).toContain("This customer isn't in your shop's loyalty program.");
    expect(html).not.toContain("Lovelace");
  });
});

describe("a page link with both an after and a before cursor", () => {
  async function get(path: string, route: string) {
    const url = new URL(path, app.url);
    url.searchParams.set("_data", route);
    return fetch(url, { headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${token(SHOP)}` } });
  }

  it("GIVEN a list URL with both cursors (each valid alone) THEN 400 saying a page has one, on the customers list, the Rewards page and the profile's Rewards and Points tabs (before: the before cursor was used in silence)", async () => {
    const first = await listJson();
    const second = await listJson(`?after=${first.page.nextCursor}`);
    // Cursors of rows the lists hold (dates: customers by activity, rewards, points rows).
    const at = encodeCursor({ key: new Date(base), id: ours[0].id });
    const later = encodeCursor({ key: new Date(base + 60_000), id: ours[0].id });
    const lists: [string, string, string, string][] = [
      ["/app/customers", LIST, first.page.nextCursor!, second.page.previousCursor!],
      ["/app/rewards", "routes/app.rewards", at, later],
      [`/app/customers/${ours[0].id}?tab=rewards`, "routes/app.customers.$id", at, later],
      [`/app/customers/${ours[0].id}?tab=points`, "routes/app.customers.$id", at, later],
    ];
    for (const [path, route, after, before] of lists) {
      const join = path.includes("?") ? "&" : "?";
      expect((await get(`${path}${join}after=${after}`, route)).status, `${path} after`).toBe(200);
      expect((await get(`${path}${join}before=${before}`, route)).status, `${path} before`).toBe(200);
      const both = await get(`${path}${join}after=${after}&before=${before}`, route);
      expect(both.status, `${path} both`).toBe(400);
      expect(await both.json()).toEqual({ message: BOTH_CURSORS });
    }
  });
});
