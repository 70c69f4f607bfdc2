// The VIP settings' writes on the real database (SQLite, and PostgreSQL with --postgres): the limit of
// VIP_LIMITS.maxTiers tiers holds when tiers are created at once. test/http/admin-vip.test.ts tries it
// over HTTP; here every query of the saves first yields to the event loop, as a query over a network
// (or another process sharing the SQLite file) does, so the saves' reads and writes interleave on
// both databases whatever the machine's speed.
import { describe, expect, it } from "vitest";
import db, { type Db } from "~/db.server";
import { VIP_LIMITS } from "~/domain/vip";
import { createShop } from "../../../test/support/factories";
import { deleteTier, saveTier } from "./admin.server";

/** `db` whose model queries each wait for the event loop's next turn before they run. */
function yieldingDb(): Db {
  const models = new Map<PropertyKey, unknown>();
  return new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== "string" || prop.startsWith("$") || typeof value !== "object" || value === null) return typeof value === "function" ? value.bind(target) : value;
      if (!models.has(prop)) {
        models.set(
          prop,
          new Proxy(value, {
            get(model, method) {
              const fn = Reflect.get(model, method) as unknown;
              if (typeof fn !== "function") return fn;
              return async (...args: unknown[]) => {
                await new Promise((resolve) => setImmediate(resolve));
                return (fn as (...a: unknown[]) => Promise<unknown>).apply(model, args);
              };
            },
          }),
        );
      }
      return models.get(prop);
    },
  });
}

const tierForm = (i: number) => ({ name: `Tier ${i}`, threshold: String(i * 100), pointsMultiplier: "1", perkText: "", entryRewardTemplateId: "" });

describe("saveTier at once", () => {
  it("GIVEN a program with 4 tiers WHEN 12 different tiers are saved at once THEN exactly 10 tiers, and the others refused naming the limit (before: every save counted 4 tiers, and the program had 16)", async () => {
    const shop = `vip-limit-${Date.now()}.myshopify.com`;
    await createShop(db, shop, { currency: "USD" });
    for (let i = 1; i <= 4; i++) await db.vipTier.create({ data: { shop, ...tierForm(i), perkText: null, entryRewardTemplateId: null } });
    const slow = yieldingDb();
    const results = await Promise.all(Array.from({ length: 12 }, (_, k) => saveTier(slow, shop, { form: tierForm(5 + k), shownCurrency: "USD" }, new Date())));
    expect(await db.vipTier.count({ where: { shop } })).toBe(VIP_LIMITS.maxTiers);
    expect(results.filter((r) => r.ok)).toHaveLength(6);
    const refused = results.filter((r) => !r.ok);
    expect(refused).toHaveLength(6);
    for (const r of refused) expect(r).toMatchObject({ ok: false, error: { code: "invalid", message: "A program has at most 10 tiers.", fields: { name: "out_of_range" } } });
  });

  it("GIVEN two tiers saved at once with the same threshold THEN one is saved, the other refused on its threshold", async () => {
    const shop = `vip-threshold-${Date.now()}.myshopify.com`;
    await createShop(db, shop, { currency: "USD" });
    const slow = yieldingDb();
    const results = await Promise.all(["Silver", "Gold"].map((name) => saveTier(slow, shop, { form: { ...tierForm(1), name, threshold: "500" }, shownCurrency: "USD" }, new Date())));
    expect(await db.vipTier.count({ where: { shop } })).toBe(1);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ ok: false, error: { fields: { threshold: "not_increasing" } } });
  });
});

describe("saveTier and deleteTier at once", () => {
  it("GIVEN a tier WHEN it is edited and deleted at once, many times THEN each edit is saved or answered not found, never a server error", async () => {
    const shop = `vip-edit-delete-${Date.now()}.myshopify.com`;
    await createShop(db, shop, { currency: "USD" });
    const slow = yieldingDb();
    for (let round = 0; round < 10; round++) {
      const tier = await db.vipTier.create({ data: { shop, name: `Tier ${round}`, threshold: "100", pointsMultiplier: "1" } });
      const [edit, removed] = await Promise.all([
        saveTier(slow, shop, { id: tier.id, form: { ...tierForm(1), name: `Edited ${round}` }, shownCurrency: "USD" }, new Date()),
        deleteTier(slow, shop, tier.id, new Date()),
      ]);
      expect(removed.ok).toBe(true);
      if (!edit.ok) expect(edit.error.code).toBe("not_found");
      expect(await db.vipTier.count({ where: { shop } })).toBe(0);
    }
  });
});
