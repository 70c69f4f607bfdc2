// GET /app/rewards.csv through the production build: a download (headers), RFC 4180 content that
// parses back to exactly the shop's rewards, newest first, filters, formula-safe cells, isolation.
import { beforeAll, describe, expect, it } from "vitest";
import type { Customer, Reward } from "@prisma/client";
import db from "~/db.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { installShop } from "../support/shop";
import { TEST_APP } from "../support/constants";
import { createCustomer, createReward } from "../support/factories";
import { mintSessionToken } from "@loyalty/shopify-emulator/session-token";

const SHOP: string = TEST_APP.shop;
const OTHER = "other-shop.myshopify.com";
const app = useRunningApp();

function csv(query = "", shop = SHOP) {
  const token = mintSessionToken({ shop, apiKey: TEST_APP.apiKey, apiSecret: TEST_APP.apiSecret }).token;
  return fetch(`${app.url}/app/rewards.csv${query}`, { headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${token}` } });
}

/** A strict RFC 4180 reader (quoted fields, doubled quotes, CRLF records). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i++;
      } else {
        field += ch;
        i++;
      }
    } else if (ch === '"' && field === "") {
      quoted = true;
      i++;
    } else if (ch === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
    } else {
      if (ch === "\n" || ch === '"') throw new Error(`bare ${JSON.stringify(ch)} at ${i}`);
      field += ch;
      i++;
    }
  }
  if (field !== "" || row.length > 0) throw new Error("last record without CRLF");
  return rows;
}

async function readCsv(query = "") {
  const res = await csv(query);
  expect(res.status).toBe(200);
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const [header, ...rows] = parseCsv(new TextDecoder().decode(bytes.slice(3)));
  const col = (name: string) => header.indexOf(name);
  return { res, header, rows, col };
}

let ada: Customer;
let bob: Customer;
const rewards: Reward[] = [];

beforeAll(async () => {
  await installShop(SHOP);
  await installShop(OTHER);
  ada = await createCustomer(db, SHOP, { firstName: "Ada", lastName: "Lovelace, Countess", email: "ada@example.com" });
  bob = await createCustomer(db, SHOP, { firstName: "=cmd|' /C calc'!A0", lastName: "", email: "@bob@example.com" });
  const t = Date.UTC(2026, 2, 1);
  rewards.push(await createReward(db, ada, { status: "ISSUED", title: 'The "best" reward, really', createdAt: new Date(t) }));
  rewards.push(await createReward(db, ada, { status: "FAILED", title: "=HYPERLINK(\"http://evil.test\",\"click\")", createdAt: new Date(t + 1000) }));
  await db.reward.update({ where: { id: rewards[1].id }, data: { failureCode: "gift_cards_unavailable" } });
  rewards.push(await createReward(db, ada, { status: "USED", title: "-5 off\nsecond line", createdAt: new Date(t + 2000) }));
  await db.reward.update({ where: { id: rewards[2].id }, data: { usedOrderName: "#1001", usedOrderGid: "gid://shopify/Order/1001" } });
  rewards.push(await createReward(db, bob, { status: "ISSUED", title: "+1 gift", createdAt: new Date(t + 3000) }));
  const eve = await createCustomer(db, OTHER, { firstName: "Eve", lastName: "Other" });
  await createReward(db, eve, { status: "ISSUED", title: "Other shop's reward" });
});

describe("GET /app/rewards.csv", () => {
  it("is a CSV attachment with a safe file name", async () => {
    const res = await csv("?status=ISSUED");
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="rewards-test-shop-issued-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("holds exactly the shop's rewards, newest first, and parses back to what is stored", async () => {
    const { header, rows, col } = await readCsv();
    expect(header).toContain("Status");
    expect(rows.map((r) => r[col("Reward ID")])).toEqual([...rewards].reverse().map((r) => r.id));
    expect(rows.every((r) => r.length === header.length)).toBe(true);
    const byId = new Map(rows.map((r) => [r[col("Reward ID")], r]));
    expect(byId.get(rewards[0].id)![col("Reward")]).toBe('The "best" reward, really');
    expect(byId.get(rewards[0].id)![col("Customer")]).toBe("Ada Lovelace, Countess");
    expect(byId.get(rewards[2].id)![col("Order")]).toBe("#1001");
    expect(byId.get(rewards[2].id)![col("Status")]).toBe("Used");
    expect(byId.get(rewards[1].id)![col("Failure reason")]).toBe("gift_cards_unavailable");
    expect(byId.get(rewards[1].id)![col("What went wrong")]).toContain("Gift cards aren't available");
  });

  it("neutralises cells a spreadsheet would run as formulas", async () => {
    const { rows, col } = await readCsv();
    const byId = new Map(rows.map((r) => [r[col("Reward ID")], r]));
    expect(byId.get(rewards[1].id)![col("Reward")]).toBe(`'=HYPERLINK("http://evil.test","click")`);
    expect(byId.get(rewards[2].id)![col("Reward")]).toBe("'-5 off\nsecond line");
    expect(byId.get(rewards[3].id)![col("Reward")]).toBe("'+1 gift");
    expect(byId.get(rewards[3].id)![col("Customer")].trimEnd()).toBe("'=cmd|' /C calc'!A0");
    expect(byId.get(rewards[3].id)![col("Customer email")]).toBe("'@bob@example.com");
    // No cell of the whole file starts with a formula character.
    expect(rows.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
  });

  it("applies the status filter and the customer filter", async () => {
    const issued = await readCsv("?status=ISSUED");
    expect(issued.rows.map((r) => r[issued.col("Status")])).toEqual(["Issued", "Issued"]);
    const adaOnly = await readCsv(`?customerId=${ada.id}`);
    expect(adaOnly.rows.map((r) => r[adaOnly.col("Reward ID")])).toEqual([rewards[2].id, rewards[1].id, rewards[0].id]);
    const both = await readCsv(`?customerId=${ada.id}&status=FAILED`);
    expect(both.rows.map((r) => r[both.col("Reward ID")])).toEqual([rewards[1].id]);
    expect((await csv(`?customerId=${ada.id}`)).headers.get("content-disposition")).toContain("rewards-test-shop-ada-lovelace-countess-");
  });

  it("answers only the header for a filter with no rewards", async () => {
    const { header, rows } = await readCsv("?status=CANCELED");
    expect(header.length).toBeGreaterThan(5);
    expect(rows).toEqual([]);
  });

  it("refuses an unknown status (400) and another shop's customer (404, no data)", async () => {
    expect((await csv("?status=LOST")).status).toBe(400);
    const eve = await db.customer.findFirstOrThrow({ where: { shop: OTHER } });
    const res = await csv(`?customerId=${eve.id}`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("Other shop's reward");
  });

  it("streams a large export in keyset batches without losing or repeating a row", async () => {
    const many = await createCustomer(db, SHOP, { firstName: "Many" });
    const t = Date.UTC(2025, 0, 1);
    await db.reward.createMany({
      data: Array.from({ length: 1234 }, (_, i) => ({
        shop: SHOP,
        customerId: many.id,
        customerGid: many.shopifyCustomerId,
        source: "MANUAL",
        kind: "FIXED_AMOUNT",
        value: "5.00",
        currency: "USD",
        title: `Bulk ${i}`,
        code: `BULK-${i}`,
        codeKey: `BULK-${i}`,
        status: "ISSUED",
        // Groups of three share a timestamp: batches must break ties by id.
        createdAt: new Date(t + Math.floor(i / 3) * 1000),
      })),
    });
    const { rows, col } = await readCsv(`?customerId=${many.id}`);
    const codes = rows.map((r) => r[col("Code")]);
    expect(codes).toHaveLength(1234);
    expect(new Set(codes).size).toBe(1234);
    const stored = await db.reward.findMany({ where: { customerId: many.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { code: true } });
    expect(codes).toEqual(stored.map((r) => r.code));
  });

  it("names the customer as the Rewards page does: without text-direction characters", async () => {
    // The page names a customer through shownCustomerText (app/copy/admin.ts); the CSV wrote the
    // stored name and email as they are, so "Eve\u202Eyxe" showed reversed ("Eveexy") in the
    // spreadsheet while the page said "Eveyxe".
    const eve = await createCustomer(db, SHOP, { firstName: "Eve\u202Eyxe", lastName: "", email: "eve\u202E@example.com" });
    const reward = await createReward(db, eve, { status: "ISSUED", title: "Direction test" });
    const { rows, col } = await readCsv(`?customerId=${eve.id}`);
    const token = mintSessionToken({ shop: SHOP, apiKey: TEST_APP.apiKey, apiSecret: TEST_APP.apiSecret }).token;
    const page = await fetch(`${app.url}/app/rewards?query=${encodeURIComponent(reward.code)}&_data=routes/app.rewards`, { headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${token}` } });
    expect(page.status).toBe(200);
    const shown = ((await page.json()) as { page: { items: { id: string; customerName: string }[] } }).page.items;
    expect(rows.map((r) => r[col("Customer")])).toEqual([shown.find((r) => r.id === reward.id)?.customerName]);
    expect(rows.map((r) => [r[col("Customer")], r[col("Customer email")]])).toEqual([["Eveyxe", "eve@example.com"]]);
  });

  it("GIVEN a Canceled reward whose code's removal failed, one the app stopped removing, and a Failed one THEN 'Failure reason' and 'What went wrong' are the Failed reward's only, and 'Status note' says each one's note as the Status column does (the removal's state was in no column)", async () => {
    const cust = await createCustomer(db, SHOP, { firstName: "Removal" });
    const t = Date.UTC(2026, 3, 1);
    const removing = await createReward(db, cust, { status: "CANCELED", createdAt: new Date(t) });
    await db.reward.update({ where: { id: removing.id }, data: { failureCode: "shopify_unavailable", nextAttemptAt: new Date(t + 60_000), attempts: 1 } });
    const gaveUp = await createReward(db, cust, { status: "CANCELED", kind: "GIFT_CARD", createdAt: new Date(t + 1000) });
    await db.reward.update({ where: { id: gaveUp.id }, data: { failureCode: "missing_access", codeRemovalGaveUpAt: new Date(t + 2000), attempts: 1 } });
    const failed = await createReward(db, cust, { status: "FAILED", createdAt: new Date(t + 2000) });
    await db.reward.update({ where: { id: failed.id }, data: { failureCode: "gift_cards_unavailable" } });
    const plain = await createReward(db, cust, { status: "CANCELED", createdAt: new Date(t + 3000) });

    const { rows, col } = await readCsv(`?customerId=${cust.id}`);
    const cells = (id: string) => {
      const row = rows.find((r) => r[col("Reward ID")] === id)!;
      return [row[col("Status")], row[col("Status note")], row[col("Failure reason")], row[col("What went wrong")] !== ""];
    };
    expect(cells(removing.id)).toEqual(["Canceled", "Removing the code in Shopify (retrying: Shopify unavailable)", "", false]);
    expect(cells(gaveUp.id)).toEqual([
      "Canceled",
      "Couldn't remove the gift card in Shopify (last reason: Missing permission); the app stopped trying. It may still be spent: deactivate it in Shopify admin → Gift cards.",
      "",
      false,
    ]);
    expect(cells(failed.id)).toEqual(["Failed", "Gift cards unavailable", "gift_cards_unavailable", true]);
    expect(cells(plain.id)).toEqual(["Canceled", "", "", false]);
  });
});
