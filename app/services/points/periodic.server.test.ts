// The points program's periodic work against the real database: birthday bonuses once a year,
// expiry after N months without activity (once, as a ledger row), pending points released.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { createCustomer, createShop } from "../../../test/support/factories";
import { MAX_POINTS, pointsExpireAt } from "~/domain/points";
import { creditPoints, ledgerTotals } from "./ledger.server";
import { runPointsProgramTasks } from "./periodic.server";

const SHOP = "periodic-points.myshopify.com";

beforeAll(async () => {
  await createShop(db, SHOP);
  await db.programSettings.create({ data: { shop: SHOP, enabled: true, birthdayBonus: 25, expiryMonths: 12 } });
});

async function customer(fields: { birthday?: string; lastActivityAt?: Date } = {}) {
  const c = await createCustomer(db, SHOP);
  await db.customer.update({ where: { id: c.id }, data: { pointsBalance: 0, birthday: fields.birthday ?? null, lastActivityAt: fields.lastActivityAt ?? new Date("2027-01-01T00:00:00Z") } });
  return c.id;
}

const rows = (customerId: string) => db.pointsTransaction.findMany({ where: { customerId }, orderBy: { createdAt: "asc" } });

describe("points program periodic tasks", () => {
  it("gives the birthday bonus once a year, on or within a week after the day, never before", async () => {
    const id = await customer({ birthday: "03-10", lastActivityAt: new Date("2027-03-01T00:00:00Z") });
    await runPointsProgramTasks(db, new Date("2027-03-09T23:00:00Z"));
    expect(await rows(id)).toHaveLength(0);
    await runPointsProgramTasks(db, new Date("2027-03-10T08:00:00Z"));
    await runPointsProgramTasks(db, new Date("2027-03-12T08:00:00Z"));
    expect((await rows(id)).map((r) => [r.reason, r.delta])).toEqual([["BIRTHDAY_BONUS", 25]]);
    await runPointsProgramTasks(db, new Date("2028-03-10T08:00:00Z"));
    expect((await rows(id)).map((r) => r.reason)).toEqual(["BIRTHDAY_BONUS", "BIRTHDAY_BONUS"]);
  });

  it("GIVEN birthdays at the year's end and on Feb 29 THEN each bonus is given once per birthday, within the week after it, also when that week runs into January", async () => {
    const activity = { lastActivityAt: new Date("2029-06-01T00:00:00Z") };
    const dec30 = await customer({ birthday: "12-30", ...activity });
    const dec31 = await customer({ birthday: "12-31", ...activity });
    const jan1 = await customer({ birthday: "01-01", ...activity });
    const leap = await customer({ birthday: "02-29", ...activity });
    const bonuses = async (id: string) => (await rows(id)).filter((r) => r.reason === "BIRTHDAY_BONUS").map((r) => r.sourceKey);
    // The worker is down from 29 December until 2 January: the 30 December birthday is 3 days ago.
    await runPointsProgramTasks(db, new Date("2028-12-29T08:00:00Z"));
    await runPointsProgramTasks(db, new Date("2029-01-02T08:00:00Z"));
    await runPointsProgramTasks(db, new Date("2029-01-03T08:00:00Z"));
    // Before: only this year's birthday was looked at, so in January a December birthday was 11 months away.
    expect(await bonuses(dec30)).toEqual([`birthday:${dec30}:2028`]);
    expect(await bonuses(dec31)).toEqual([`birthday:${dec31}:2028`]);
    expect(await bonuses(jan1)).toEqual([`birthday:${jan1}:2029`]);
    // A week later nothing more; the next December gives the next year's bonus.
    await runPointsProgramTasks(db, new Date("2029-01-09T08:00:00Z"));
    await runPointsProgramTasks(db, new Date("2029-12-31T08:00:00Z"));
    await runPointsProgramTasks(db, new Date("2030-01-01T08:00:00Z"));
    expect(await bonuses(dec30)).toEqual([`birthday:${dec30}:2028`, `birthday:${dec30}:2029`]);
    expect(await bonuses(dec31)).toEqual([`birthday:${dec31}:2028`, `birthday:${dec31}:2029`]);
    expect(await bonuses(jan1)).toEqual([`birthday:${jan1}:2029`, `birthday:${jan1}:2030`]);
    // Feb 29: on Feb 28 in 2029 (not a leap year), once; none on 1 March.
    await runPointsProgramTasks(db, new Date("2029-02-27T08:00:00Z"));
    await runPointsProgramTasks(db, new Date("2029-02-28T08:00:00Z"));
    await runPointsProgramTasks(db, new Date("2029-03-01T08:00:00Z"));
    expect(await bonuses(leap)).toEqual([`birthday:${leap}:2029`]);
    for (const id of [dec30, dec31, jan1, leap]) expect((await db.customer.findUniqueOrThrow({ where: { id } })).pointsBalance).toBe((await ledgerTotals(db, id)).available);
  });

  it("expires available points N months after the last activity, once, as a ledger row", async () => {
    const last = new Date("2027-01-15T00:00:00Z");
    const id = await customer({ lastActivityAt: last });
    await creditPoints(db, { shop: SHOP, customerId: id, points: 80, reason: "ADJUSTMENT", actor: "MERCHANT", now: last });
    await runPointsProgramTasks(db, new Date("2028-01-14T23:59:00Z"));
    expect((await db.customer.findUniqueOrThrow({ where: { id } })).pointsBalance).toBe(80);
    await runPointsProgramTasks(db, new Date("2028-01-15T00:00:00Z"));
    await runPointsProgramTasks(db, new Date("2028-01-16T00:00:00Z"));
    expect((await rows(id)).map((r) => [r.reason, r.delta])).toEqual([
      ["ADJUSTMENT", 80],
      ["EXPIRED", -80],
    ]);
    const c = await db.customer.findUniqueOrThrow({ where: { id } });
    expect(c.pointsBalance).toBe((await ledgerTotals(db, id)).available);
    expect(c.pointsBalance).toBe(0);
  });

  it("GIVEN one customer whose birthday bonus would pass MAX_POINTS THEN it is refused with its reason, once, and everyone else's bonus and expiry still happen", async () => {
    const now = new Date("2027-05-20T08:00:00Z");
    const full = await customer({ birthday: "05-20", lastActivityAt: new Date("2027-05-01T00:00:00Z") });
    await db.customer.update({ where: { id: full }, data: { pointsBalance: MAX_POINTS - 10 } });
    const other = await customer({ birthday: "05-20", lastActivityAt: new Date("2027-05-01T00:00:00Z") });
    const inactive = await customer({ lastActivityAt: new Date("2026-05-01T00:00:00Z") });
    await creditPoints(db, { shop: SHOP, customerId: inactive, points: 40, reason: "ADJUSTMENT", actor: "MERCHANT", now: new Date("2026-05-01T00:00:00Z") });

    // Twice: the second pass changes nothing.
    for (let i = 0; i < 2; i++) await runPointsProgramTasks(db, now);

    // Whichever customer comes first in the pass, the others are not held up by the one at the limit.
    expect((await rows(other)).map((r) => [r.reason, r.delta])).toEqual([["BIRTHDAY_BONUS", 25]]);
    expect((await rows(inactive)).map((r) => [r.reason, r.delta])).toEqual([
      ["ADJUSTMENT", 40],
      ["EXPIRED", -40],
    ]);
    // The full customer: nothing credited, one row that says why (the merchant sees it in the history).
    const refused = await rows(full);
    expect(refused).toMatchObject([{ reason: "BIRTHDAY_BONUS", delta: 0, balanceAfter: MAX_POINTS - 10 }]);
    expect(refused[0]!.note).toMatch(/not credited.*2,147,483,647/i);
    expect((await db.customer.findUniqueOrThrow({ where: { id: full } })).pointsBalance).toBe(MAX_POINTS - 10);
  });

  it("GIVEN points released from hold after an expiry, with no activity since THEN they expire too (once), and the customer leaves the due list", async () => {
    const last = new Date("2027-01-01T00:00:00Z");
    const id = await customer({ lastActivityAt: last });
    await creditPoints(db, { shop: SHOP, customerId: id, points: 50, reason: "ADJUSTMENT", actor: "MERCHANT", now: last });
    // An order's points on hold until after the expiry date (same moment: the last activity stays).
    await creditPoints(db, { shop: SHOP, customerId: id, points: 100, reason: "EARNED", actor: "WEBHOOK", now: last, availableAt: new Date("2028-02-01T00:00:00Z") });
    await runPointsProgramTasks(db, new Date("2028-01-02T00:00:00Z"));
    // Released on 1 February; nothing the customer did since January 2027.
    for (const at of ["2028-02-02T00:00:00Z", "2028-02-03T00:00:00Z", "2028-02-04T00:00:00Z"]) await runPointsProgramTasks(db, new Date(at));
    expect((await rows(id)).filter((r) => r.reason === "EXPIRED").map((r) => r.delta)).toEqual([-50, -100]);
    const c = await db.customer.findUniqueOrThrow({ where: { id } });
    expect([c.pointsBalance, c.pendingPoints]).toEqual([0, 0]);
    expect(c.pointsBalance).toBe((await ledgerTotals(db, id)).available);
  });

  it("GIVEN a last activity on 31 January (1 month) or 31 August (6 months) THEN the points expire on the clamped date the customer is told (28/29 February), not days later", async () => {
    const MONTH_END = "periodic-month-end.myshopify.com";
    const SIX = "periodic-six-months.myshopify.com";
    await createShop(db, MONTH_END);
    await createShop(db, SIX);
    await db.programSettings.create({ data: { shop: MONTH_END, enabled: true, expiryMonths: 1 } });
    await db.programSettings.create({ data: { shop: SIX, enabled: true, expiryMonths: 6 } });
    const inShop = async (shop: string, lastActivityAt: Date, points: number) => {
      const c = await createCustomer(db, shop);
      await db.customer.update({ where: { id: c.id }, data: { pointsBalance: 0, lastActivityAt } });
      await creditPoints(db, { shop, customerId: c.id, points, reason: "ADJUSTMENT", actor: "MERCHANT", now: lastActivityAt });
      return c.id;
    };
    const balance = async (id: string) => (await db.customer.findUniqueOrThrow({ where: { id } })).pointsBalance;
    const jan31 = await inShop(MONTH_END, new Date("2027-01-31T10:00:00Z"), 30);
    const jan30 = await inShop(MONTH_END, new Date("2027-01-30T23:00:00Z"), 20);
    const feb01 = await inShop(MONTH_END, new Date("2027-02-01T00:00:00Z"), 10);
    const aug31 = await inShop(SIX, new Date("2027-08-31T10:00:00Z"), 60);
    // The dates the customers are told (the storefront's rule): 28 February 2027 and 29 February 2028.
    expect(pointsExpireAt(new Date("2027-01-31T10:00:00Z"), 1)!.toISOString()).toBe("2027-02-28T10:00:00.000Z");
    expect(pointsExpireAt(new Date("2027-01-30T23:00:00Z"), 1)!.toISOString()).toBe("2027-02-28T23:00:00.000Z");
    expect(pointsExpireAt(new Date("2027-08-31T10:00:00Z"), 6)!.toISOString()).toBe("2028-02-29T10:00:00.000Z");

    await runPointsProgramTasks(db, new Date("2027-02-28T09:59:00Z"));
    expect([await balance(jan31), await balance(jan30), await balance(feb01)]).toEqual([30, 20, 10]);
    // Before: the pass selected last activities up to now − 1 month = 28 January, so on 28 February
    // (and 1 March) the 31 January customer's date passed with nothing expired.
    await runPointsProgramTasks(db, new Date("2027-02-28T10:00:00Z"));
    expect([await balance(jan31), await balance(jan30), await balance(feb01)]).toEqual([0, 20, 10]);
    await runPointsProgramTasks(db, new Date("2027-02-28T23:00:00Z"));
    expect([await balance(jan30), await balance(feb01)]).toEqual([0, 10]);
    await runPointsProgramTasks(db, new Date("2027-03-01T00:00:00Z"));
    expect(await balance(feb01)).toBe(0);
    for (const id of [jan31, jan30, feb01]) expect((await rows(id)).filter((r) => r.reason === "EXPIRED")).toHaveLength(1);

    await runPointsProgramTasks(db, new Date("2028-02-29T09:00:00Z"));
    expect(await balance(aug31)).toBe(60);
    await runPointsProgramTasks(db, new Date("2028-02-29T10:30:00Z"));
    expect((await rows(aug31)).map((r) => [r.reason, r.delta])).toEqual([
      ["ADJUSTMENT", 60],
      ["EXPIRED", -60],
    ]);
  });

  it("GIVEN more than a page of customers at or before the cutoff but not due yet (a later time of day on the same clamped date) THEN the due customer after them still expires, once", async () => {
    const PAGED = "periodic-paged.myshopify.com";
    await createShop(db, PAGED);
    await db.programSettings.create({ data: { shop: PAGED, enabled: true, expiryMonths: 1 } });
    // 29 January 23:00 + 1 month = 28 February 23:00: not due at 10:00, though before 31 January 10:00.
    await db.customer.createMany({
      data: Array.from({ length: 250 }, (_, i) => ({ shop: PAGED, shopifyCustomerId: `gid://shopify/Customer/77${String(i).padStart(4, "0")}`, displayName: `Waiting ${i}`, pointsBalance: 5, lastActivityAt: new Date("2027-01-29T23:00:00Z") })),
    });
    const c = await createCustomer(db, PAGED);
    const last = new Date("2027-01-31T09:00:00Z");
    await db.customer.update({ where: { id: c.id }, data: { pointsBalance: 0, lastActivityAt: last } });
    await creditPoints(db, { shop: PAGED, customerId: c.id, points: 15, reason: "ADJUSTMENT", actor: "MERCHANT", now: last });
    for (let i = 0; i < 2; i++) await runPointsProgramTasks(db, new Date("2027-02-28T10:00:00Z"));
    expect((await rows(c.id)).map((r) => [r.reason, r.delta])).toEqual([
      ["ADJUSTMENT", 15],
      ["EXPIRED", -15],
    ]);
    expect(await db.customer.count({ where: { shop: PAGED, pointsBalance: 5 } })).toBe(250);
    expect(await db.pointsTransaction.count({ where: { shop: PAGED, reason: "EXPIRED" } })).toBe(1);
  });
});
