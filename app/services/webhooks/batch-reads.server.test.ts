// The inbox batch's view of the database: the shop's program settings are read once per batch, a
// write forgets them, a failed read is not kept — on the real database.
import { describe, expect, it } from "vitest";
import db, { type Db } from "~/db.server";
import { getProgramSettings } from "~/services/points/program.server";
import { getVipProgram } from "~/services/vip/tiers.server";
import { shopCurrencyOf } from "~/services/lifecycle/amount-currency.server";
import { getReferralSettings } from "~/services/referrals/settings.server";
import { buildOrderWebhookBody } from "../../../emulator/src/order-payload";
import { withSettingsReadOnce } from "./batch-reads.server";
import { WEBHOOK_EFFECTS } from "./effects.server";
import { applyDueDeliveries, recordDelivery } from "./inbox.server";

/** `db` with every call of `model.method` counted (and failed while `fail()` says so). */
function counting(model: string, method: string, fail: () => boolean = () => false): { db: Db; calls: () => number } {
  let calls = 0;
  const real = (db as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>)[model];
  const delegate = new Proxy(real, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (property !== method || typeof value !== "function") return typeof value === "function" ? value.bind(target) : value;
      return (...args: unknown[]) => {
        calls++;
        if (fail()) return Promise.reject(new Error("database unreachable"));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const wrapped = new Proxy(db, {
    get(target, property) {
      if (property === model) return delegate;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: wrapped, calls: () => calls };
}

describe("webhook batch reads", () => {
  it("GIVEN one inbox batch WHEN its effects read a shop's points, VIP and referral settings many times THEN each is read from the database once per shop, with the stored values", async () => {
    await db.programSettings.upsert({ where: { shop: "batch-a.myshopify.com" }, create: { shop: "batch-a.myshopify.com", enabled: true, pointsPerCurrencyUnit: "7" }, update: { enabled: true, pointsPerCurrencyUnit: "7" } });
    const points = counting("programSettings", "findUnique");
    const vip = counting("vipProgram", "findUnique");
    const referrals = counting("referralSettings", "findUnique");
    for (const [spy, read] of [
      [points, (d: Db, shop: string) => getProgramSettings(d, shop)],
      [vip, (d: Db, shop: string) => getVipProgram(d, shop)],
      [referrals, (d: Db, shop: string) => getReferralSettings(d, shop)],
    ] as const) {
      const batch = withSettingsReadOnce(spy.db);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => read(batch, i % 2 ? "batch-a.myshopify.com" : "batch-b.myshopify.com")));
      expect(spy.calls()).toBe(2);
      // The answers are the database's, per shop.
      expect(results[1]).toEqual(await read(db, "batch-a.myshopify.com"));
      expect(results[0]).toEqual(await read(db, "batch-b.myshopify.com"));
    }
    expect((await getProgramSettings(withSettingsReadOnce(db), "batch-a.myshopify.com")).pointsPerCurrencyUnit).toBe("7");
    // A new batch reads again.
    const next = withSettingsReadOnce(points.db);
    await getProgramSettings(next, "batch-a.myshopify.com");
    expect(points.calls()).toBe(3);
  });

  it("GIVEN settings read in a batch WHEN the batch writes or erases them THEN the next read goes to the database and sees the change", async () => {
    const shop = "batch-write.myshopify.com";
    const spy = counting("programSettings", "findUnique");
    const batch = withSettingsReadOnce(spy.db);
    expect((await getProgramSettings(batch, shop)).enabled).toBe(false);
    await batch.programSettings.upsert({ where: { shop }, create: { shop, enabled: true }, update: { enabled: true } });
    expect((await getProgramSettings(batch, shop)).enabled).toBe(true);
    await batch.programSettings.deleteMany({ where: { shop } });
    expect((await getProgramSettings(batch, shop)).enabled).toBe(false);
    expect(spy.calls()).toBe(3);
  });

  it("GIVEN a settings read that fails WHEN it is read again in the same batch THEN the database is asked again (a failure is not remembered)", async () => {
    let down = true;
    const spy = counting("programSettings", "findUnique", () => down);
    const batch = withSettingsReadOnce(spy.db);
    await expect(getProgramSettings(batch, "batch-fail.myshopify.com")).rejects.toThrow("database unreachable");
    down = false;
    expect((await getProgramSettings(batch, "batch-fail.myshopify.com")).enabled).toBe(false);
    expect(spy.calls()).toBe(2);
  });

  it("GIVEN the batch's database WHEN effects use anything else (other models, transactions) THEN it is the database itself", async () => {
    const batch = withSettingsReadOnce(db);
    const shop = "batch-other.myshopify.com";
    await batch.$transaction(async (tx) => tx.shop.upsert({ where: { domain: shop }, create: { domain: shop, currency: "EUR" }, update: {} }));
    expect((await batch.shop.findUnique({ where: { domain: shop } }))?.currency).toBe("EUR");
    expect(await batch.$queryRawUnsafe<unknown[]>("SELECT 1 AS one")).toHaveLength(1);
  });
});

describe("the inbox's batches", () => {
  it("GIVEN eight orders of one shop in the inbox WHEN one batch applies them THEN the points settings are read once, and every order still earns its points", async () => {
    const shop = "batch-inbox-orders.myshopify.com";
    await db.webhookDelivery.deleteMany();
    await db.programSettings.create({ data: { shop, enabled: true } });
    for (let i = 0; i < 8; i++) {
      const rawBody = buildOrderWebhookBody({ id: String(5000 + i), shop, orderNumber: 5000 + i, customer: { id: "77", email: "batch@example.com" }, subtotal: "10.00" });
      await recordDelivery(db, { shop, topic: "orders/create", webhookId: `batch-order-${i}`, apiVersion: "2026-10", triggeredAt: null, rawBody, payload: JSON.parse(rawBody) }, new Date(Date.now() - 1_000));
    }
    const spy = counting("programSettings", "findUnique");
    const summary = await applyDueDeliveries(spy.db, WEBHOOK_EFFECTS, { workerId: "batch-test", now: () => new Date(), batchSize: 100, leaseMs: 60_000 });
    expect(summary).toEqual({ claimed: 8, applied: 8, retried: 0, dead: 0 });
    expect(spy.calls()).toBe(1);
    const earned = await db.pointsTransaction.findMany({ where: { shop, reason: "EARNED" } });
    expect(earned).toHaveLength(8);
    expect(earned.every((t) => t.delta === 10)).toBe(true);
  });

  it("GIVEN eight orders of a shop whose earning rule was typed in its currency WHEN one batch applies them THEN the shop's currency is read once (not once per order), and every order earns", async () => {
    const shop = "batch-inbox-currency.myshopify.com";
    await db.webhookDelivery.deleteMany();
    await db.shop.upsert({ where: { domain: shop }, create: { domain: shop, currency: "EUR" }, update: { currency: "EUR" } });
    await db.programSettings.create({ data: { shop, enabled: true, amountCurrency: "EUR" } });
    for (let i = 0; i < 8; i++) {
      const rawBody = buildOrderWebhookBody({ id: String(6000 + i), shop, orderNumber: 6000 + i, customer: { id: "78", email: "batch@example.com" }, subtotal: "10.00", currency: "EUR" });
      await recordDelivery(db, { shop, topic: "orders/create", webhookId: `batch-currency-${i}`, apiVersion: "2026-10", triggeredAt: null, rawBody, payload: JSON.parse(rawBody) }, new Date(Date.now() - 1_000));
    }
    const spy = counting("shop", "findUnique");
    const summary = await applyDueDeliveries(spy.db, WEBHOOK_EFFECTS, { workerId: "batch-test", now: () => new Date(), batchSize: 100, leaseMs: 60_000 });
    expect(summary).toEqual({ claimed: 8, applied: 8, retried: 0, dead: 0 });
    expect(spy.calls()).toBe(1);
    const earned = await db.pointsTransaction.findMany({ where: { shop, reason: "EARNED" } });
    expect(earned).toHaveLength(8);
  });

  it("GIVEN the shop's currency read in a batch WHEN the batch writes the Shop row THEN the next read sees the new currency; other reads of the Shop row are never answered from it", async () => {
    const shop = "batch-currency-write.myshopify.com";
    await db.shop.upsert({ where: { domain: shop }, create: { domain: shop, currency: "USD" }, update: { currency: "USD" } });
    const spy = counting("shop", "findUnique");
    const batch = withSettingsReadOnce(spy.db);
    expect(await shopCurrencyOf(batch, shop)).toBe("USD");
    expect(await shopCurrencyOf(batch, shop)).toBe("USD");
    expect(spy.calls()).toBe(1);
    // A read of other fields goes to the database every time.
    await batch.shop.findUnique({ where: { domain: shop }, select: { currency: true, installedAt: true } });
    await batch.shop.findUnique({ where: { domain: shop } });
    expect(spy.calls()).toBe(3);
    await batch.shop.update({ where: { domain: shop }, data: { currency: "JPY" } });
    expect(await shopCurrencyOf(batch, shop)).toBe("JPY");
    expect(spy.calls()).toBe(4);
  });
});
