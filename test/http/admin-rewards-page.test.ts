// The shop-wide Rewards page and the merchant's new actions, through the production build over real
// HTTP as App Bridge calls it: filters (status, type, source, dates), search by code or customer,
// keyset pages, gift card codes masked (rows and CSV) with an audited reveal, codes offered for
// copying only when usable, bulk cancel, and "Failed recently" resolve / re-issue.
import { beforeAll, describe, expect, it } from "vitest";
import type { Customer, Reward } from "@prisma/client";
import db from "~/db.server";
import { maskGiftCardCode } from "~/domain/rewards";
import { CODE_REVEALED_REASON, FAILURE_RESOLVED_REASON } from "~/copy/admin";
import { getHomeStats } from "~/services/admin/dashboard.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { createCustomer, createReward } from "../support/factories";

const { emulator } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
const OTHER = "other-rewards-page.myshopify.com";
const PAGE = "routes/app.rewards";
const DETAIL = "routes/app.customers.$id.rewards.$rewardId";
const app = useRunningApp({ emulator });

function request(path: string, route: string | null, init: RequestInit & { shop?: string } = {}) {
  const url = new URL(path, app.url);
  if (route) url.searchParams.set("_data", route);
  const { shop = SHOP, ...rest } = init;
  return fetch(url, { ...rest, headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(shop)}`, ...(rest.headers ?? {}) } });
}

function post(path: string, route: string, form: URLSearchParams, shop = SHOP) {
  return request(path, route, { method: "POST", body: form, shop });
}

interface RowJson {
  id: string;
  code: string;
  codeMasked: boolean;
  copyable: boolean;
  status: string;
  kind: string;
  customerName: string;
}
interface PageJson {
  page: { items: RowJson[]; nextCursor: string | null; previousCursor: string | null };
}

async function list(query: string): Promise<PageJson["page"]> {
  const res = await request(`/app/rewards${query}`, PAGE);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as PageJson).page;
}

let ada: Customer;
let grace: Customer;
let giftCard: Reward;
let discount: Reward;
let failed: Reward;
let failedToReissue: Reward;
let pending: Reward;
let otherShopReward: Reward;
const day = (d: number) => new Date(Date.UTC(2026, 2, d, 12));

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
  await installEmulatedShop(emulator, OTHER, { currencyCode: "USD" });
  ada = await createCustomer(db, SHOP, { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" }, emulator);
  grace = await createCustomer(db, SHOP, { firstName: "Grace", lastName: "Hopper", email: "grace@example.com" }, emulator);
  giftCard = await createReward(db, ada, { kind: "GIFT_CARD", status: "ISSUED", code: "GIFTQWERTY23WXYZ", title: "$10 gift card", createdAt: day(1) });
  discount = await createReward(db, ada, { status: "ISSUED", code: "LOYAL-ABCDEF2345", source: "POINTS_REDEMPTION", createdAt: day(2) });
  failed = await createReward(db, grace, { status: "FAILED", code: "LOYAL-FAILED2345", createdAt: day(3) });
  failedToReissue = await createReward(db, grace, { status: "FAILED", code: "LOYAL-FAILED6789", createdAt: day(4) });
  pending = await createReward(db, grace, { status: "PENDING", code: "LOYAL-PENDING234", createdAt: day(5), nextAttemptAt: new Date(Date.now() + 3_600_000) });
  for (let i = 0; i < 30; i++) await createReward(db, grace, { status: "USED", code: `LOYAL-USED${String(i).padStart(6, "0")}`, createdAt: day(10) });
  const eve = await createCustomer(db, OTHER, { firstName: "Eve", lastName: "Other" }, emulator);
  otherShopReward = await createReward(db, eve, { status: "PENDING", code: "LOYAL-OTHERSHOP2" });
});

describe("Rewards page filters and search", () => {
  it("filters by status, type, source and created date, only in this shop", async () => {
    expect((await list("?status=FAILED")).items.map((r) => r.id).sort()).toEqual([failed.id, failedToReissue.id].sort());
    expect((await list("?kind=GIFT_CARD")).items.map((r) => r.id)).toEqual([giftCard.id]);
    expect((await list("?source=POINTS_REDEMPTION")).items.map((r) => r.id)).toEqual([discount.id]);
    expect((await list("?from=2026-03-02&to=2026-03-04")).items.map((r) => r.id)).toEqual([failedToReissue.id, failed.id, discount.id]);
    expect((await list("?status=PENDING")).items.map((r) => r.id)).toEqual([pending.id]);
  });

  it("refuses filters it doesn't know with a 400 and a message", async () => {
    for (const q of ["?status=LOST", "?kind=COUPON", "?source=x", "?from=03/01/2026", "?from=2026-03-05&to=2026-03-01"]) {
      const res = await request(`/app/rewards${q}`, PAGE);
      expect(res.status, q).toBe(400);
    }
  });

  it("finds a reward by its code (any case, or the start of a discount code) and by the customer's name or email", async () => {
    expect((await list("?query=loyal-abcdef2345")).items.map((r) => r.id)).toEqual([discount.id]);
    expect((await list("?query=LOYAL-FAILED")).items.map((r) => r.id)).toEqual([failedToReissue.id, failed.id]);
    expect((await list("?query=lovelace")).items.map((r) => r.id)).toEqual([discount.id, giftCard.id]);
    expect((await list("?query=ada%40example")).items.map((r) => r.id)).toEqual([discount.id, giftCard.id]);
    expect((await list("?query=LOYAL-OTHERSHOP2")).items).toEqual([]);
  });

  it("finds a gift card by its whole code or its last four characters, never by the start of its hidden code", async () => {
    expect((await list("?query=giftqwerty23wxyz")).items.map((r) => r.id)).toEqual([giftCard.id]);
    expect((await list("?query=WXYZ")).items.map((r) => r.id)).toEqual([giftCard.id]);
    expect((await list("?query=GIFTQWERTY")).items).toEqual([]);
  });

  it("pages a filtered list with keyset cursors, each reward once", async () => {
    const seen: string[] = [];
    let query = "?status=USED";
    for (let i = 0; i < 5; i++) {
      const page = await list(query);
      seen.push(...page.items.map((r) => r.id));
      if (!page.nextCursor) break;
      query = `?status=USED&after=${page.nextCursor}&page=${i + 2}`;
    }
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
  });
});

describe("codes the merchant sees", () => {
  it("masks gift card codes to the last four characters and offers only usable codes for copying", async () => {
    const rows = (await list("?to=2026-03-05")).items;
    const gift = rows.find((r) => r.id === giftCard.id)!;
    expect(gift).toMatchObject({ code: maskGiftCardCode(giftCard.code), codeMasked: true, copyable: false });
    expect(JSON.stringify(rows)).not.toContain(giftCard.code);
    expect(rows.find((r) => r.id === discount.id)).toMatchObject({ code: discount.code, copyable: true });
    expect(rows.find((r) => r.id === failed.id)).toMatchObject({ copyable: false });
    expect(rows.find((r) => r.id === pending.id)).toMatchObject({ copyable: false });
  });

  it("masks gift card codes in the CSV export", async () => {
    const res = await request("/app/rewards.csv?kind=GIFT_CARD", null);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(maskGiftCardCode(giftCard.code));
    expect(text).not.toContain(giftCard.code);
  });

  it("reveals a gift card's full code only on request, and records who asked in its history", async () => {
    const before = await db.rewardEvent.count({ where: { rewardId: giftCard.id, reason: { startsWith: CODE_REVEALED_REASON } } });
    const res = await post(`/app/customers/${ada.id}/rewards/${giftCard.id}`, DETAIL, new URLSearchParams({ intent: "reveal" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, intent: "reveal", code: giftCard.code });
    const events = await db.rewardEvent.findMany({ where: { rewardId: giftCard.id, reason: { startsWith: CODE_REVEALED_REASON } } });
    expect(events).toHaveLength(before + 1);
    expect(events[events.length - 1]).toMatchObject({ type: "NOTE", actor: "MERCHANT" });
    expect(events[events.length - 1].reason).not.toContain(giftCard.code);
    // Who asked: the staff user of the session token (the emulator's is user 1).
    expect(events[events.length - 1].reason).toBe(`${CODE_REVEALED_REASON} (staff member 1)`);
  });

  it("masks a failed gift card's code on Home (Failed recently) too, as on the Rewards page", async () => {
    // Home's loader sent the stored code as it is: the whole gift card code reached the browser's page
    // data, unaudited, while every other admin surface masks it (shownCode) and reveals it only on request.
    const failedCard = await createReward(db, ada, { kind: "GIFT_CARD", status: "FAILED", code: "GIFTFAILED234WXYZ", title: "$10 gift card" });
    const res = await request("/app", "routes/app._index");
    expect(res.status).toBe(200);
    const text = await res.text();
    const home = JSON.parse(text) as { recentFailures: { id: string; code: string }[] };
    expect(home.recentFailures.find((f) => f.id === failedCard.id)).toMatchObject({ code: maskGiftCardCode(failedCard.code) });
    expect(text).not.toContain(failedCard.code);
    await db.reward.update({ where: { id: failedCard.id }, data: { status: "CANCELED" } });
  });

  it("refuses a reveal of another shop's reward", async () => {
    const res = await post(`/app/customers/${ada.id}/rewards/${otherShopReward.id}`, DETAIL, new URLSearchParams({ intent: "reveal" }));
    expect(res.status).toBe(404);
    expect(JSON.stringify(await res.json())).not.toContain(otherShopReward.code);
  });
});

describe("Failed recently: resolve and re-issue", () => {
  it("marking a failure resolved records an event and hides it from Failed recently; it stays Failed", async () => {
    expect((await getHomeStats(db, SHOP)).recentFailures.map((f) => f.id)).toContain(failed.id);
    const res = await post("/app/rewards", PAGE, new URLSearchParams({ intent: "resolve", rewardId: failed.id }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, intent: "resolve" });
    expect(await db.rewardEvent.count({ where: { rewardId: failed.id, reason: `${FAILURE_RESOLVED_REASON} (staff member 1)` } })).toBe(1);
    expect((await db.reward.findUniqueOrThrow({ where: { id: failed.id } })).status).toBe("FAILED");
    expect((await getHomeStats(db, SHOP)).recentFailures.map((f) => f.id)).not.toContain(failed.id);
    // Again: no second event.
    await post("/app/rewards", PAGE, new URLSearchParams({ intent: "resolve", rewardId: failed.id }));
    expect(await db.rewardEvent.count({ where: { rewardId: failed.id, reason: { startsWith: FAILURE_RESOLVED_REASON } } })).toBe(1);
  });

  it("refuses to resolve a reward that isn't Failed, or another shop's", async () => {
    expect((await post("/app/rewards", PAGE, new URLSearchParams({ intent: "resolve", rewardId: discount.id }))).status).toBe(409);
    expect((await post("/app/rewards", PAGE, new URLSearchParams({ intent: "resolve", rewardId: otherShopReward.id }))).status).toBe(404);
  });

  it("re-issuing makes a new Pending reward linked in the failed one's history, and leaves Failed recently", async () => {
    const res = await post("/app/rewards", PAGE, new URLSearchParams({ intent: "reissue", rewardId: failedToReissue.id }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; rewardId: string; status: string };
    expect(body).toMatchObject({ ok: true, status: "PENDING" });
    expect(body.rewardId).not.toBe(failedToReissue.id);
    const note = await db.rewardEvent.findFirst({ where: { rewardId: failedToReissue.id, type: "NOTE", reason: { contains: body.rewardId } } });
    expect(note).not.toBeNull();
    expect((await getHomeStats(db, SHOP)).recentFailures.map((f) => f.id)).not.toContain(failedToReissue.id);
  });
});

describe("bulk cancel", () => {
  it("cancels the selected cancelable rewards through the cancel use-case and reports the others", async () => {
    const more = await createReward(db, grace, { status: "PENDING", code: "LOYAL-PENDING999", nextAttemptAt: new Date(Date.now() + 3_600_000) });
    const form = new URLSearchParams({ intent: "bulk-cancel" });
    for (const id of [more.id, failed.id, otherShopReward.id]) form.append("rewardId", id);
    const res = await post("/app/rewards", PAGE, form);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; canceled: number; failed: { rewardId: string }[] };
    expect(body.ok).toBe(true);
    expect(body.canceled).toBe(1);
    expect(body.failed.map((f) => f.rewardId).sort()).toEqual([failed.id, otherShopReward.id].sort());
    expect((await db.reward.findUniqueOrThrow({ where: { id: more.id } })).status).toBe("CANCELED");
    expect((await db.reward.findUniqueOrThrow({ where: { id: otherShopReward.id } })).status).toBe("PENDING");
    const history = await db.rewardEvent.findMany({ where: { rewardId: more.id, toStatus: "CANCELED" } });
    expect(history).toHaveLength(1);
    expect(history[0].actor).toBe("MERCHANT");
  });

  it("refuses an empty or oversized selection", async () => {
    expect((await post("/app/rewards", PAGE, new URLSearchParams({ intent: "bulk-cancel" }))).status).toBe(400);
    const form = new URLSearchParams({ intent: "bulk-cancel" });
    for (let i = 0; i < 51; i++) form.append("rewardId", `r${i}`);
    expect((await post("/app/rewards", PAGE, form)).status).toBe(400);
  });
});

describe("a search holding % or _", () => {
  it("GIVEN customers whose email or name holds `_` or `%`, and others LIKE would match THEN the Rewards page and its CSV find exactly the rewards whose customer or code holds the text as written (before: such a search matched whole codes only)", async () => {
    const john = await createCustomer(db, SHOP, { firstName: "John", lastName: "Doe", email: "john_doe@example.com" });
    const johnx = await createCustomer(db, SHOP, { firstName: "Johnny", lastName: "Doe", email: "johnxdoe@example.com" });
    const half = await createCustomer(db, SHOP, { firstName: "Ann", lastName: "Half%Price", email: "ann@example.com" });
    const penny = await createCustomer(db, SHOP, { firstName: "Ann", lastName: "Halfpenny Price", email: "ann.p@example.com" });
    const at = new Date(Date.UTC(2026, 4, 1, 12));
    const johnReward = await createReward(db, john, { status: "CANCELED", code: "LOYAL-JOHNDOE2345", createdAt: at });
    await createReward(db, johnx, { status: "CANCELED", code: "LOYAL-JOHNXDOE234", createdAt: at });
    const halfReward = await createReward(db, half, { status: "CANCELED", code: "LOYAL-HALFPRICE23", createdAt: at });
    await createReward(db, penny, { status: "CANCELED", code: "LOYAL-HALFPENNY23", createdAt: at });
    const vipCode = await createReward(db, penny, { status: "CANCELED", code: "VIP_GOLD2345", createdAt: at });
    await createReward(db, penny, { status: "CANCELED", code: "VIPXGOLD2345", createdAt: at });

    const cases: [string, string[]][] = [
      ["john_doe@example.com", [johnReward.id]],
      ["JOHN_DOE", [johnReward.id]],
      ["f%p", [halfReward.id]],
      ["vip_g", [vipCode.id]],
    ];
    for (const [search, ids] of cases) {
      const q = encodeURIComponent(search);
      expect((await list(`?query=${q}`)).items.map((r) => r.id).sort(), search).toEqual([...ids].sort());
      const csv = await request(`/app/rewards.csv?query=${q}`, null);
      expect(csv.status).toBe(200);
      const text = await csv.text();
      // The CSV exports exactly what the page lists: its last column is the reward's id.
      const csvIds = text.split("\r\n").slice(1).filter(Boolean).map((line) => line.split(",").at(-1));
      expect(csvIds.sort(), `csv ${search}`).toEqual([...ids].sort());
    }
  });
});
