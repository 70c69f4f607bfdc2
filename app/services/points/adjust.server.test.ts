// Manual points adjustments and the form's idempotency key: a double submit is one adjustment; the
// same key sent for another customer, or with other values, is never answered as done when it was not.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { createCustomer, createShop } from "../../../test/support/factories";
import { adjustPoints } from "./adjust.server";

const SHOP = "adjust-keys.myshopify.com";
const form = (values: Record<string, string>) => ({ direction: "add", points: "100", reason: "Goodwill", requestKey: "form-key-0001", ...values });
const balance = async (id: string) => (await db.customer.findUniqueOrThrow({ where: { id } })).pointsBalance;

describe("manual points adjustments and the form's key", () => {
  it("GIVEN one form sent twice THEN the points are added once and both answers say so", async () => {
    await createShop(db, SHOP);
    const c = await createCustomer(db, SHOP);
    const now = new Date();
    const first = await adjustPoints(db, { shop: SHOP, customerId: c.id, actorId: null, now, form: form({}) });
    const again = await adjustPoints(db, { shop: SHOP, customerId: c.id, actorId: null, now, form: form({}) });
    expect(first).toMatchObject({ ok: true, pointsBalance: 100 });
    expect(again).toMatchObject({ ok: true, pointsBalance: 100 });
    expect(await balance(c.id)).toBe(100);
  });

  it("GIVEN a key already used for one customer WHEN sent for another THEN that customer gets the points (it was answered 'Added' and nothing was written)", async () => {
    await createShop(db, SHOP);
    const a = await createCustomer(db, SHOP);
    const b = await createCustomer(db, SHOP);
    const now = new Date();
    expect(await adjustPoints(db, { shop: SHOP, customerId: a.id, actorId: null, now, form: form({ requestKey: "shared-key-0002" }) })).toMatchObject({ ok: true });
    const forB = await adjustPoints(db, { shop: SHOP, customerId: b.id, actorId: null, now, form: form({ requestKey: "shared-key-0002", points: "40" }) });
    expect(forB).toMatchObject({ ok: true, pointsBalance: 40 });
    expect(await balance(b.id)).toBe(40);
    expect(await balance(a.id)).toBe(100);
  });

  it("GIVEN a form sent again with another amount or direction THEN it is refused with the reason, and nothing more is done", async () => {
    await createShop(db, SHOP);
    const c = await createCustomer(db, SHOP);
    const now = new Date();
    await adjustPoints(db, { shop: SHOP, customerId: c.id, actorId: null, now, form: form({ requestKey: "resent-key-0003" }) });
    const other = await adjustPoints(db, { shop: SHOP, customerId: c.id, actorId: null, now, form: form({ requestKey: "resent-key-0003", points: "250" }) });
    expect(other).toMatchObject({ ok: false, error: { code: "invalid", message: expect.stringContaining("already sent") } });
    const flipped = await adjustPoints(db, { shop: SHOP, customerId: c.id, actorId: null, now, form: form({ requestKey: "resent-key-0003", direction: "remove" }) });
    expect(flipped).toMatchObject({ ok: false, error: { code: "invalid" } });
    expect(await balance(c.id)).toBe(100);
  });
});
