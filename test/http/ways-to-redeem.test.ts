// GIVEN the production build on a real port and emulated shops (one with gift cards, one without)
// WHEN the merchant sets up ways to redeem through the admin's forms (real HTTP, App Bridge's Bearer
// session token) and a signed-in customer redeems them through the app proxy (signed as Shopify signs)
// THEN invalid input answers every field's error and writes nothing; products, variants and
// collections are checked against the shop; the storefront shows exactly the enabled options with
// their real conditions; every kind can be redeemed and its Shopify object carries the option's
// settings (restriction, minimum, expiry); a variable option converts exactly the points chosen, and
// the server refuses off-step, out-of-range and more-than-balance choices without spending anything.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CollectionRecord, ProductRecord } from "../../emulator/src/store";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { TEST_APP } from "../support/constants";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { OPTION_ERROR_MESSAGES, OPTION_MESSAGES } from "~/copy/admin";
import { redemptionMessage } from "~/copy/storefront";
import db from "~/db.server";

const SHOP: string = TEST_APP.shop;
const NO_GIFT_CARDS = "no-gift-cards.myshopify.com";
const LIST = "routes/app.ways-to-redeem._index";
const FORM = "routes/app.ways-to-redeem.$id";
const { emulator } = useShopifyEmulator();
const app = useRunningApp({ emulator });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

function request(path: string, route: string, init: RequestInit & { shop?: string } = {}) {
  const url = new URL(path, app.url);
  url.searchParams.set("_data", route);
  const { shop = SHOP, ...rest } = init;
  return fetch(url, { ...rest, headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(shop)}`, ...(rest.headers ?? {}) } });
}

async function submit(id: string, form: Record<string, string>, shop = SHOP): Promise<{ status: number; body: Json }> {
  // With the currency the page shows amounts in, as the page sends it (the shops sell in USD).
  const res = await request(`/app/ways-to-redeem/${id}`, FORM, { method: "POST", body: new URLSearchParams({ amountCurrency: "USD", ...form }), shop });
  return { status: res.status, body: (await res.json()) as Json };
}

/** Creates an option through the admin form and returns its id. */
async function create(form: Record<string, string>, shop = SHOP): Promise<string> {
  const { status, body } = await submit("new", { active: "true", variable: "false", appliesTo: "ALL", ...form }, shop);
  expect(body.fieldErrors ?? {}).toEqual({});
  expect(status).toBe(200);
  expect(body).toMatchObject({ ok: true, created: true, message: OPTION_MESSAGES.created });
  return body.id as string;
}

let seq = 0;
interface Member {
  id: string;
  gid: string;
  numericId: string;
}
async function member(points: number, shop = SHOP): Promise<Member> {
  const n = ++seq;
  const shopify = emulator.addCustomer(shop, { firstName: `Ren${n}`, lastName: "Tester", email: `ren${n}@example.com` });
  const row = await db.customer.create({ data: { shop, shopifyCustomerId: shopify.id, displayName: `Ren${n} Tester`, email: shopify.email, pointsBalance: points } });
  return { id: row.id, gid: shopify.id, numericId: shopify.legacyId };
}

async function redeem(who: Member, templateId: string, extra: Json = {}): Promise<{ status: number; body: Json }> {
  const res = await fetch(emulator.appProxyUrl(SHOP, "/redeem", who.numericId), {
    method: "POST",
    headers: { "User-Agent": BROWSER_UA, Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify({ templateId, idempotencyKey: `ways-${Date.now().toString(16)}-${++seq}`.padEnd(24, "x"), ...extra }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function program(): Promise<Json> {
  const res = await fetch(emulator.appProxyUrl(SHOP, "/program", null), { headers: { "User-Agent": BROWSER_UA, Accept: "application/json" } });
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

const balance = async (who: Member) => (await db.customer.findUniqueOrThrow({ where: { id: who.id } })).pointsBalance;
const discountOf = (code: string) => emulator.store.findDiscountByCode(SHOP, code)!.discount;

let mug: ProductRecord;
let poster: ProductRecord;
let summer: CollectionRecord;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD", giftCards: true });
  await installEmulatedShop(emulator, NO_GIFT_CARDS, { currencyCode: "USD", giftCards: false });
  mug = emulator.addProduct(SHOP, { title: "Loyalty mug", variants: [{ title: "Blue", price: "18.00" }, { title: "Red", price: "18.00" }] });
  poster = emulator.addProduct(SHOP, { title: "Poster" });
  summer = emulator.addCollection(SHOP, { title: "Summer", productIds: [poster.id] });
});

beforeEach(() => emulator.faults.clear());

describe("admin form: validation", () => {
  it("GIVEN a form with many mistakes WHEN saved THEN 400 with each field's own error, and nothing is written", async () => {
    const before = await db.rewardTemplate.count();
    const { status, body } = await submit("new", {
      name: "",
      kind: "PERCENTAGE",
      pointsCost: "0",
      value: "150",
      minimumSubtotal: "ten",
      expiryDays: "-3",
      appliesTo: "PRODUCTS",
      appliesToIds: "not-a-gid",
      variable: "false",
      active: "true",
    });
    expect(status).toBe(400);
    expect(body.message).toBe(OPTION_MESSAGES.invalid);
    const codes = Object.fromEntries(Object.entries(body.fieldErrors as Record<string, { code: string; message: string }>).map(([f, e]) => [f, e.code]));
    expect(codes).toEqual({
      name: "required",
      pointsCost: "positive_whole_number",
      value: "percentage_range",
      minimumSubtotal: "amount_format",
      expiryDays: "positive_whole_number",
      appliesToIds: "restriction_id_format",
    });
    expect(body.fieldErrors.value.message).toBe(OPTION_ERROR_MESSAGES.percentage_range);
    expect(await db.rewardTemplate.count()).toBe(before);
  });

  it("GIVEN whole numbers and amounts too long to hold (a points cost of 2147483648, $12,345,678 off, a minimum of 99999999.99, an expiry of 10000000000 days) WHEN saved THEN each field says it is too large, nothing written (was 'Enter a whole number greater than 0' / 'Enter an amount like 5 or 4.99': a well-formed number told it is malformed)", async () => {
    const before = await db.rewardTemplate.count();
    const { status, body } = await submit("new", {
      name: "Too much",
      kind: "FIXED_AMOUNT",
      pointsCost: "2147483648",
      value: "12345678",
      minimumSubtotal: "99999999.99",
      expiryDays: "10000000000",
      appliesTo: "ALL",
      variable: "false",
      active: "true",
    });
    expect(status).toBe(400);
    expect(body.fieldErrors).toEqual({
      pointsCost: { code: "too_large", message: OPTION_ERROR_MESSAGES.too_large },
      value: { code: "too_large", message: OPTION_ERROR_MESSAGES.too_large },
      minimumSubtotal: { code: "too_large", message: OPTION_ERROR_MESSAGES.too_large },
      expiryDays: { code: "too_large", message: OPTION_ERROR_MESSAGES.too_large },
    });
    expect(await db.rewardTemplate.count()).toBe(before);
  });

  it("GIVEN a free product WHEN the product is missing, unknown, or the variant is another product's THEN a clear error on that field", async () => {
    const base = { name: "Free mug", kind: "FREE_PRODUCT", pointsCost: "400", variable: "false", appliesTo: "ALL", active: "true" };
    expect((await submit("new", base)).body.fieldErrors.productId.code).toBe("product_required");
    expect((await submit("new", { ...base, productId: "gid://shopify/Product/999999" })).body.fieldErrors.productId.code).toBe("product_not_found");
    const wrongVariant = await submit("new", { ...base, productId: poster.id, variantId: mug.variants[0]!.id });
    expect(wrongVariant.status).toBe(400);
    expect(wrongVariant.body.fieldErrors.variantId.code).toBe("variant_not_in_product");
  });

  it("GIVEN a shop without gift cards WHEN the merchant picks a gift card THEN the kind field says the store can't issue them; a shop with gift cards saves it", async () => {
    const form = { name: "$10 gift card", kind: "GIFT_CARD", pointsCost: "1000", value: "10" };
    const refused = await submit("new", { ...form, variable: "false", appliesTo: "ALL", active: "true" }, NO_GIFT_CARDS);
    expect(refused.status).toBe(400);
    expect(refused.body.fieldErrors.kind).toEqual({ code: "gift_cards_unavailable", message: OPTION_ERROR_MESSAGES.gift_cards_unavailable });
    expect(await create(form)).toBeTruthy();
  });

  it("GIVEN the shop's gift card issue limit (Shopify: $2,000 USD or equivalent, giftCardConfiguration.issueLimit) WHEN a gift card option is worth more, fixed or at its most points THEN a field error and nothing saved; at the limit it saves and redeems", async () => {
    const before = await db.rewardTemplate.count({ where: { shop: SHOP } });
    const fixed = await submit("new", { name: "Big card", kind: "GIFT_CARD", pointsCost: "1000", value: "2000.01", variable: "false", appliesTo: "ALL", active: "true" });
    expect(fixed.status).toBe(400);
    expect(fixed.body.fieldErrors.value).toEqual({ code: "gift_card_over_limit", message: OPTION_ERROR_MESSAGES.gift_card_over_limit });
    // Variable: 100 points buy 10.00, so 30 000 points would be a 3 000.00 card.
    const variable = await submit("new", {
      name: "Card by points", kind: "GIFT_CARD", pointsCost: "100", value: "10", variable: "true", pointsMin: "100", pointsMax: "30000", pointsStep: "100", appliesTo: "ALL", active: "true",
    });
    expect(variable.status).toBe(400);
    expect(variable.body.fieldErrors.pointsMax).toEqual({ code: "gift_card_over_limit", message: OPTION_ERROR_MESSAGES.gift_card_over_limit });
    expect(await db.rewardTemplate.count({ where: { shop: SHOP } })).toBe(before);

    const atLimit = await create({ name: "Top card", kind: "GIFT_CARD", pointsCost: "1000", value: "2000" });
    const who = await member(1000);
    const redeemed = await redeem(who, atLimit);
    expect(redeemed.status).toBe(200);
    expect(redeemed.body.reward).toMatchObject({ kind: "GIFT_CARD", status: "ISSUED" });

    // Without the optional gift card scope the limit can't be read (GiftCardConfiguration requires
    // read_gift_cards): the option still saves (not "Shopify unavailable"); the redemption asks for the scope.
    const noScope = "no-gift-card-scope.myshopify.com";
    await installEmulatedShop(emulator, noScope, { currencyCode: "USD", giftCards: true, scopes: ["read_customers", "write_discounts", "write_app_proxy", "read_products"] });
    const saved = await submit("new", { name: "$10 card", kind: "GIFT_CARD", pointsCost: "1000", value: "10", variable: "false", appliesTo: "ALL", active: "true" }, noScope);
    expect(saved.status).toBe(200);
  });

  it("GIVEN Shopify's store credit limit (less than 15,000 on one account) WHEN a store credit option is worth 15,000, fixed or at its most points THEN a field error naming the limit and nothing saved; just below it saves", async () => {
    const before = await db.rewardTemplate.count({ where: { shop: SHOP } });
    const fixed = await submit("new", { name: "Huge credit", kind: "STORE_CREDIT", pointsCost: "1000", value: "15000", variable: "false", appliesTo: "ALL", active: "true" });
    expect(fixed.status).toBe(400);
    expect(fixed.body.fieldErrors.value).toEqual({ code: "store_credit_over_limit", message: OPTION_ERROR_MESSAGES.store_credit_over_limit });
    expect(OPTION_ERROR_MESSAGES.store_credit_over_limit).toContain("15,000");
    // Variable: 100 points buy 10.00, so 150 000 points would be a 15 000.00 credit.
    const variable = await submit("new", {
      name: "Credit by points", kind: "STORE_CREDIT", pointsCost: "100", value: "10", variable: "true", pointsMin: "100", pointsMax: "150000", pointsStep: "100", appliesTo: "ALL", active: "true",
    });
    expect(variable.status).toBe(400);
    expect(variable.body.fieldErrors.pointsMax).toEqual({ code: "store_credit_over_limit", message: OPTION_ERROR_MESSAGES.store_credit_over_limit });
    expect(await db.rewardTemplate.count({ where: { shop: SHOP } })).toBe(before);
    const below = await submit("new", { name: "Top credit", kind: "STORE_CREDIT", pointsCost: "1000", value: "14999.99", variable: "false", appliesTo: "ALL", active: "true" });
    expect(below.status).toBe(200);
  });

  it("GIVEN a restriction WHEN a collection is unknown, or the kind can't be restricted THEN the field says so", async () => {
    const unknown = await submit("new", { name: "x", kind: "FIXED_AMOUNT", pointsCost: "100", value: "1", appliesTo: "COLLECTIONS", appliesToIds: `${summer.id}, gid://shopify/Collection/99999`, variable: "false", active: "true" });
    expect(unknown.body.fieldErrors.appliesToIds.code).toBe("collection_not_found");
    const shipping = await submit("new", { name: "x", kind: "FREE_SHIPPING", pointsCost: "100", appliesTo: "PRODUCTS", appliesToIds: mug.id, variable: "false", active: "true" });
    expect(shipping.body.fieldErrors.appliesTo.code).toBe("restriction_not_for_kind");
  });

  it("GIVEN a variable option WHEN the step doesn't divide the range, min > max, or the kind has no amount THEN field errors", async () => {
    const base = { name: "Points for $", kind: "FIXED_AMOUNT", pointsCost: "100", value: "1", variable: "true", appliesTo: "ALL", active: "true" };
    expect((await submit("new", { ...base, pointsMin: "100", pointsMax: "550", pointsStep: "100" })).body.fieldErrors.pointsStep.code).toBe("step_not_dividing_range");
    expect((await submit("new", { ...base, pointsMin: "600", pointsMax: "500", pointsStep: "100" })).body.fieldErrors.pointsMax.code).toBe("min_above_max");
    expect((await submit("new", { ...base, kind: "PERCENTAGE", value: "10", pointsMin: "100", pointsMax: "500", pointsStep: "100" })).body.fieldErrors.kind.code).toBe(
      "variable_not_for_kind",
    );
  });
});

describe("admin: list, edit, enable/disable", () => {
  it("GIVEN an option WHEN edited, disabled and enabled THEN each answer is the toast's message and the list shows the status; another shop can't touch it", async () => {
    const id = await create({ name: "$3 off", kind: "FIXED_AMOUNT", pointsCost: "300", value: "3" });

    const edited = await submit(id, { name: "$4 off", kind: "FIXED_AMOUNT", pointsCost: "350", value: "4", expiryDays: "14", variable: "false", appliesTo: "ALL", active: "true" });
    expect(edited.body).toMatchObject({ ok: true, created: false, message: OPTION_MESSAGES.saved });
    expect(await db.rewardTemplate.findUniqueOrThrow({ where: { id } })).toMatchObject({ name: "$4 off", pointsCost: 350, value: "4", expiryDays: 14 });

    const toggle = async (intent: string, shop = SHOP) => {
      const res = await request("/app/ways-to-redeem", LIST, { method: "POST", body: new URLSearchParams({ intent, id }), shop });
      return { status: res.status, body: (await res.json()) as Json };
    };
    expect((await toggle("disable")).body).toEqual({ ok: true, message: OPTION_MESSAGES.disabled });
    const list = (await (await request("/app/ways-to-redeem", LIST)).json()) as Json;
    expect(list.options.find((o: Json) => o.id === id)).toMatchObject({ name: "$4 off", active: false });
    expect((await toggle("enable")).body).toEqual({ ok: true, message: OPTION_MESSAGES.enabled });
    expect((await db.rewardTemplate.findUniqueOrThrow({ where: { id } })).active).toBe(true);

    // Another shop: not found, for reading, saving and toggling.
    await installEmulatedShop(emulator, "intruder.myshopify.com", { currencyCode: "USD" });
    expect((await request(`/app/ways-to-redeem/${id}`, FORM, { shop: "intruder.myshopify.com" })).status).toBe(404);
    expect((await submit(id, { name: "stolen", kind: "FIXED_AMOUNT", pointsCost: "1", value: "1" }, "intruder.myshopify.com")).status).toBe(404);
    expect((await toggle("disable", "intruder.myshopify.com")).status).toBe(404);
    const otherList = (await (await request("/app/ways-to-redeem", LIST, { shop: "intruder.myshopify.com" })).json()) as Json;
    expect(otherList.options).toEqual([]);
    expect((await db.rewardTemplate.findUniqueOrThrow({ where: { id } })).name).toBe("$4 off");
  });

  it("GIVEN a new and an existing option WHEN their pages are opened as documents THEN both render (server-side) with the form", async () => {
    const id = await create({ name: "Page check", kind: "PERCENTAGE", pointsCost: "100", value: "5" });
    for (const path of ["/app/ways-to-redeem/new", `/app/ways-to-redeem/${id}`, "/app/ways-to-redeem"]) {
      const url = new URL(path, app.url);
      url.searchParams.set("embedded", "1");
      url.searchParams.set("shop", SHOP);
      url.searchParams.set("host", Buffer.from(`admin.shopify.com/store/${SHOP.split(".")[0]}`).toString("base64url"));
      url.searchParams.set("id_token", emulator.sessionToken(SHOP));
      const res = await fetch(url, { headers: { "User-Agent": BROWSER_UA } });
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain(path === "/app/ways-to-redeem" ? "Page check" : "Points cost");
    }
  });
});

describe("storefront: every kind, through the app proxy", () => {
  it("GIVEN one option of each kind set up in the admin (one disabled) WHEN the storefront loads and a customer redeems each THEN exactly the enabled ones are shown with their conditions, and each Shopify object carries them", async () => {
    await db.rewardTemplate.updateMany({ where: { shop: SHOP }, data: { active: false } });
    const ids = {
      amount: await create({ name: "$5 off mugs", kind: "FIXED_AMOUNT", pointsCost: "500", value: "5", minimumSubtotal: "20", expiryDays: "30", appliesTo: "PRODUCTS", appliesToIds: mug.id }),
      percent: await create({ name: "10% off Summer", kind: "PERCENTAGE", pointsCost: "400", value: "10", appliesTo: "COLLECTIONS", appliesToIds: summer.id }),
      shipping: await create({ name: "Free shipping", kind: "FREE_SHIPPING", pointsCost: "300", minimumSubtotal: "40" }),
      product: await create({ name: "Free mug", kind: "FREE_PRODUCT", pointsCost: "800", productId: mug.id, variantId: mug.variants[1]!.id }),
      gift: await create({ name: "$10 gift card", kind: "GIFT_CARD", pointsCost: "1000", value: "10" }),
      credit: await create({ name: "$7 store credit", kind: "STORE_CREDIT", pointsCost: "700", value: "7" }),
      variable: await create({ name: "Points for dollars", kind: "FIXED_AMOUNT", pointsCost: "100", value: "1", variable: "true", pointsMin: "100", pointsMax: "5000", pointsStep: "100" }),
    };
    const hidden = await create({ name: "Hidden", kind: "FIXED_AMOUNT", pointsCost: "50", value: "1", active: "false" });

    const shown = (await program()).redemptionOptions as Json[];
    expect(shown.map((o) => o.id).sort()).toEqual(Object.values(ids).sort());
    const byId = Object.fromEntries(shown.map((o) => [o.id, o]));
    expect(byId[ids.amount]).toMatchObject({ minimumSubtotal: "20", expiryDays: 30, appliesTo: { kind: "PRODUCTS", titles: ["Loyalty mug"] }, variable: null });
    expect(byId[ids.percent]).toMatchObject({ appliesTo: { kind: "COLLECTIONS", titles: ["Summer"] } });
    expect(byId[ids.product]).toMatchObject({ productTitle: "Loyalty mug (Red)" });
    expect(byId[ids.variable]).toMatchObject({ pointsCost: 100, value: "1", variable: { min: 100, max: 5000, step: 100 } });

    const ren = await member(10_000);
    const results: Record<string, Json> = {};
    for (const [key, id] of Object.entries(ids)) {
      const { status, body } = await redeem(ren, id, key === "variable" ? { points: 700 } : {});
      expect({ key, status, error: body.error }).toEqual({ key, status: 200, error: undefined });
      results[key] = body.reward;
    }
    // 500 + 400 + 300 + 800 + 1000 + 700 + 700 (chosen) points.
    expect(await balance(ren)).toBe(10_000 - 4_400);

    const amount = discountOf(results.amount!.code);
    expect(amount.customerGets).toMatchObject({ value: { kind: "amount", amount: 500 }, items: { kind: "products", productIds: [mug.id] } });
    expect(amount.minimumRequirement).toEqual({ kind: "subtotal", amount: 2000 });
    expect(amount.endsAt).not.toBeNull();
    expect(discountOf(results.percent!.code).customerGets).toMatchObject({ value: { kind: "percentage", percentage: 0.1 }, items: { kind: "collections", collectionIds: [summer.id] } });
    expect(discountOf(results.shipping!.code)).toMatchObject({ kind: "free_shipping", minimumRequirement: { kind: "subtotal", amount: 4000 } });
    expect(discountOf(results.product!.code).customerGets).toMatchObject({ items: { kind: "products", variantIds: [mug.variants[1]!.id] } });
    expect(emulator.store.findGiftCardByCode(SHOP, results.gift!.code)!.balance).toBe(1000);
    expect(emulator.storeCreditBalance(SHOP, ren.gid)).toMatch(/^7(\.0+)?$/);
    // The variable option: 700 points at 100 points = $1.00 → a $7.00 code, 700 points recorded.
    expect(discountOf(results.variable!.code).customerGets).toMatchObject({ value: { kind: "amount", amount: 700 }, items: { kind: "all" } });
    expect(await db.reward.findUniqueOrThrow({ where: { id: results.variable!.id } })).toMatchObject({ value: "7.00", pointsSpent: 700 });

    // The disabled option can't be redeemed either.
    const refused = await redeem(ren, hidden);
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe("reward_unavailable");
  });
});

describe("storefront: variable points for amount off", () => {
  let optionId: string;
  beforeAll(async () => {
    optionId = await create({ name: "Choose your points", kind: "FIXED_AMOUNT", pointsCost: "100", value: "1", variable: "true", pointsMin: "100", pointsMax: "5000", pointsStep: "100" });
  });

  it.each([
    ["off-step", 250],
    ["below the minimum", 0],
    ["above the maximum", 5100],
    ["missing", undefined],
  ])("GIVEN a choice %s WHEN redeemed THEN 4xx invalid_points (or a bad request), nothing spent, no code", async (_label, points) => {
    const ren = await member(10_000);
    const discountsBefore = emulator.store.listDiscounts(SHOP).length;
    const { status, body } = await redeem(ren, optionId, points === undefined ? {} : { points });
    if (points === 0) {
      // Not a positive whole number: refused by the request's schema before the use-case.
      expect(status).toBe(400);
      expect(body.error.code).toBe("invalid_request");
    } else {
      expect(status).toBe(422);
      expect(body.error).toEqual({ code: "invalid_points", message: redemptionMessage("invalid_points") });
    }
    expect(await balance(ren)).toBe(10_000);
    expect(await db.reward.count({ where: { customerId: ren.id } })).toBe(0);
    expect(emulator.store.listDiscounts(SHOP).length).toBe(discountsBefore);
  });

  it("GIVEN 300 points WHEN the customer asks for 400 (valid for the option) THEN 409 insufficient_points and nothing spent", async () => {
    const ren = await member(300);
    const { status, body } = await redeem(ren, optionId, { points: 400 });
    expect(status).toBe(409);
    expect(body.error.code).toBe("insufficient_points");
    expect(await balance(ren)).toBe(300);
  });

  it("GIVEN a fixed option WHEN the client sends points other than its cost THEN refused: the client never sets the price", async () => {
    const fixed = await create({ name: "$2 off", kind: "FIXED_AMOUNT", pointsCost: "200", value: "2" });
    const ren = await member(1000);
    const cheap = await redeem(ren, fixed, { points: 1 });
    expect(cheap.status).toBe(422);
    expect(cheap.body.error.code).toBe("invalid_points");
    expect(await balance(ren)).toBe(1000);
    const exact = await redeem(ren, fixed, { points: 200 });
    expect(exact.status).toBe(200);
    expect(await balance(ren)).toBe(800);
  });

  it("GIVEN the same idempotency key WHEN repeated with other points THEN refused as a different request; repeated as is THEN the same reward", async () => {
    const ren = await member(2000);
    const key = `same-key-${++seq}`.padEnd(24, "y");
    const send = (points: number) =>
      fetch(emulator.appProxyUrl(SHOP, "/redeem", ren.numericId), {
        method: "POST",
        headers: { "User-Agent": BROWSER_UA, Accept: "application/json", "Content-Type": "application/json" },
        body: JSON.stringify({ templateId: optionId, idempotencyKey: key, points }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Json }));
    const first = await send(500);
    expect(first.status).toBe(200);
    const again = await send(500);
    expect(again.body.reward.id).toBe(first.body.reward.id);
    expect(again.body.replayed).toBe(true);
    const other = await send(1000);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("idempotency_key_reused");
    expect(await balance(ren)).toBe(1500);
  });
});
