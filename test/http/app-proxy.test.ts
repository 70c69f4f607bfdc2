// GIVEN the production build on a real port, an installed emulated shop, a program with redemption
// options and two customers with rewards in every status
// WHEN the storefront calls the app proxy endpoints, signed by the emulator exactly as Shopify signs
// THEN the signed customer (and only that customer) is served; anything Shopify did not sign — or
// signed too long ago — is refused with nothing changed; a customer id sent by the browser is ignored.
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { computeAppProxySignature, type AppProxyTamper } from "@loyalty/shopify-emulator/app-proxy";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { TEST_APP } from "../support/constants";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import db from "~/db.server";

const SHOP = TEST_APP.shop;
const { emulator } = useShopifyEmulator();
const app = useRunningApp({ emulator });

interface Member {
  id: string;
  gid: string;
  numericId: string;
}

let ada: Member;
let bob: Member;
let fiveOff: string;
let freeShipping: string;
let bigOne: string;

async function member(first: string, points: number): Promise<Member> {
  const shopify = emulator.addCustomer(SHOP, { firstName: first, lastName: "Tester", email: `${first.toLowerCase()}@example.com` });
  const row = await db.customer.create({
    data: { shop: SHOP, shopifyCustomerId: shopify.id, displayName: `${first} Tester`, email: shopify.email, pointsBalance: points },
  });
  return { id: row.id, gid: shopify.id, numericId: shopify.legacyId };
}

async function reward(owner: Member, status: string, code: string, extra: Record<string, unknown> = {}) {
  return db.reward.create({
    data: {
      shop: SHOP,
      customerId: owner.id,
      customerGid: owner.gid,
      customerEmail: `${owner.numericId}@example.com`,
      source: "POINTS_REDEMPTION",
      kind: "FIXED_AMOUNT",
      value: "5",
      currency: "USD",
      title: `$5 off (${status})`,
      code,
      codeKey: code.toLowerCase(),
      status,
      issuedAt: status === "ISSUED" || status === "USED" ? new Date() : null,
      ...extra,
    },
  });
}

beforeAll(async () => {
  await installEmulatedShop(emulator);
  ada = await member("Ada", 1200);
  bob = await member("Bob", 900);
  const template = (data: Record<string, unknown>) =>
    db.rewardTemplate.create({ data: { shop: SHOP, purpose: "POINTS_REDEMPTION", kind: "FIXED_AMOUNT", value: "5", ...data } as never });
  fiveOff = (await template({ name: "$5 off", pointsCost: 500, expiryDays: 30 })).id;
  freeShipping = (await template({ name: "Free shipping", kind: "FREE_SHIPPING", value: "0", pointsCost: 300 })).id;
  bigOne = (await template({ name: "$50 off", value: "50", pointsCost: 5000 })).id;
  await template({ name: "Retired", pointsCost: 100, active: false });
  await template({ name: "Referral reward", purpose: "REFERRAL", pointsCost: null });
  await template({ name: "Another shop's", shop: "other-shop.myshopify.com", pointsCost: 10 });

  await reward(ada, "ISSUED", "ADA-ISSUED-1", { expiresAt: new Date("2099-01-01T00:00:00Z") });
  await reward(ada, "USED", "ADA-USED-1", { usedAt: new Date() });
  await reward(ada, "PENDING", "ADA-PENDING-1");
  await reward(ada, "FAILED", "ADA-FAILED-1", { failureCode: "shopify_unavailable" });
  await reward(ada, "CANCELED", "ADA-CANCELED-1", { canceledAt: new Date() });
  await reward(bob, "ISSUED", "BOB-ISSUED-1");
});

beforeEach(() => emulator.faults.clear());

/** The app-side URL for a storefront request `https://{shop}/apps/loyalty{path}`. */
function proxied(path: string, customer: Member | null, tamper?: AppProxyTamper): string {
  return emulator.appProxyUrl(SHOP, path, customer ? customer.numericId : null, tamper);
}

// JSON answers are read loosely on purpose: the assertions below pin their exact shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

async function getJson(url: string) {
  const res = await fetch(url, { headers: { "User-Agent": BROWSER_UA, Accept: "application/json" } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "User-Agent": BROWSER_UA, Accept: "application/json", "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
}

let keySeq = 0;
const newKey = () => `test-key-${Date.now().toString(16)}-${++keySeq}`.padEnd(24, "x");

/** Everything that a redemption could change, for "nothing changed" assertions. */
async function snapshot() {
  const customers = await db.customer.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" }, select: { id: true, pointsBalance: true } });
  return {
    customers,
    rewards: await db.reward.count(),
    ledger: await db.pointsTransaction.count(),
    redemptions: await db.redemption.count(),
    discountsInShopify: emulator.store.listDiscounts(SHOP).length,
  };
}

describe("GET /apps/loyalty/program", () => {
  it("GIVEN a logged-out visitor THEN only the shop's public program: active points redemptions, cheapest first", async () => {
    const { status, headers, body } = await getJson(proxied("/program", null));

    expect(status).toBe(200);
    expect(headers.get("cache-control")).toContain("no-store");
    expect(body.loggedIn).toBe(false);
    expect(body.currency).toBe((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).currency);
    expect(body.redemptionOptions.map((o: { name: string }) => o.name)).toEqual(["Free shipping", "$5 off", "$50 off"]);
    expect(body.redemptionOptions[1]).toEqual({
      id: fiveOff,
      name: "$5 off",
      kind: "FIXED_AMOUNT",
      value: "5",
      pointsCost: 500,
      minimumSubtotal: null,
      expiryDays: 30,
      variable: null,
      appliesTo: { kind: "ALL", titles: [] },
      productTitle: null,
    });
    expect(JSON.stringify(body)).not.toMatch(/pointsBalance|ADA-|BOB-|example\.com/);
  });

  it("GIVEN a logged-in customer THEN loggedIn is true (from the signature)", async () => {
    const { status, body } = await getJson(proxied("/program", ada));
    expect(status).toBe(200);
    expect(body.loggedIn).toBe(true);
  });
});

describe("GET /apps/loyalty/customer", () => {
  it("GIVEN Ada signed in THEN her balance and only her Issued and Used rewards, Issued first, with code, expiry and state", async () => {
    const { status, body } = await getJson(proxied("/customer", ada));

    expect(status).toBe(200);
    expect(body.pointsBalance).toBe(1200);
    expect(body.rewards.map((r: { code: string; status: string }) => [r.code, r.status])).toEqual([
      ["ADA-ISSUED-1", "ISSUED"],
      ["ADA-USED-1", "USED"],
    ]);
    expect(body.rewards[0]).toEqual({
      id: expect.any(String),
      title: "$5 off (ISSUED)",
      kind: "FIXED_AMOUNT",
      value: "5",
      currency: "USD",
      code: "ADA-ISSUED-1",
      usesCode: true,
      status: "ISSUED",
      expiresAt: "2099-01-01T00:00:00.000Z",
      issuedAt: expect.any(String),
      usedAt: null,
      balance: null,
      spent: false,
    });
    // Never Pending, Failed or Canceled; never another customer's data or internal ids.
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/PENDING|FAILED|CANCELED|BOB-|gid:\/\/|example\.com|shopify_unavailable/);
    expect(text).not.toContain(ada.id);
  });

  it("GIVEN a customer_id query parameter for Bob (signed along with the rest) THEN it is ignored: Ada's data", async () => {
    const { status, body } = await getJson(proxied(`/customer?customer_id=${bob.numericId}&customerid=${bob.gid}`, ada));
    expect(status).toBe(200);
    expect(body.pointsBalance).toBe(1200);
    expect(body.rewards.map((r: { code: string }) => r.code)).toEqual(["ADA-ISSUED-1", "ADA-USED-1"]);
  });

  it("GIVEN Bob signed in THEN Bob's data, never Ada's", async () => {
    const { body } = await getJson(proxied("/customer", bob));
    expect(body.pointsBalance).toBe(900);
    expect(body.rewards.map((r: { code: string }) => r.code)).toEqual(["BOB-ISSUED-1"]);
  });

  it("GIVEN a shopper signed in who never earned points THEN zero points and no rewards", async () => {
    const stranger = emulator.addCustomer(SHOP, { firstName: "New" });
    const { status, body } = await getJson(emulator.appProxyUrl(SHOP, "/customer", stranger.legacyId));
    expect(status).toBe(200);
    expect(body).toEqual({ pointsBalance: 0, pendingPoints: 0, pendingAvailableAt: null, pointsExpireAt: null, birthday: null, rewards: [] });
  });

  it("GIVEN a logged-out visitor THEN 401 with a message to sign in", async () => {
    const { status, body } = await getJson(proxied("/customer", null));
    expect(status).toBe(401);
    expect(body).toEqual({ error: { code: "not_signed_in", message: expect.stringMatching(/sign in/i) } });
  });

  it("GIVEN logged_in_customer_id swapped to Bob after Shopify signed for Ada THEN 400, no data", async () => {
    const { status, body } = await getJson(proxied("/customer", ada, { kind: "modify-param", key: "logged_in_customer_id", value: bob.numericId }));
    expect(status).toBe(400);
    expect(body.error.code).toBe("invalid_signature");
    expect(JSON.stringify(body)).not.toMatch(/BOB-|pointsBalance/);
  });

  it("GIVEN two logged_in_customer_id values, both signed THEN 400 rather than guessing", async () => {
    const url = new URL(`${app.url}/apps-proxy/customer`);
    url.searchParams.append("logged_in_customer_id", bob.numericId);
    url.searchParams.append("shop", SHOP);
    url.searchParams.append("logged_in_customer_id", ada.numericId);
    url.searchParams.append("path_prefix", "/apps/loyalty");
    url.searchParams.append("timestamp", String(Math.floor(Date.now() / 1000)));
    url.searchParams.append("signature", computeAppProxySignature(url.searchParams, TEST_APP.apiSecret));
    const { status, body } = await getJson(url.toString());
    expect(status).toBe(400);
    expect(body.error.code).toBe("invalid_request");
  });
});

const BAD_SIGNATURES: Array<[string, AppProxyTamper]> = [
  ["a parameter changed after signing", { kind: "modify-param", key: "path_prefix", value: "/apps/other" }],
  ["a signature made with another secret", { kind: "wrong-secret" }],
  ["a stale timestamp (120 s old)", { kind: "stale-timestamp", ageSeconds: 120 }],
  ["a timestamp 120 s in the future", { kind: "future-timestamp", aheadSeconds: 120 }],
  ["no signature", { kind: "drop-signature" }],
];

describe.each(["/program", "/customer"])("GET %s with a bad signature", (path) => {
  it.each(BAD_SIGNATURES)("GIVEN %s THEN 400 JSON invalid_signature and no data", async (_label, tamper) => {
    const { status, body } = await getJson(proxied(path, ada, tamper));
    expect(status).toBe(400);
    expect(body).toEqual({ error: { code: "invalid_signature", message: expect.any(String) } });
  });
});

describe("POST /apps/loyalty/redeem", () => {
  it("GIVEN Ada with 1200 points WHEN she redeems $5 off (500) THEN the code is Issued at once and her balance is 700", async () => {
    const before = await snapshot();
    const key = newKey();

    const { status, body } = await postJson(proxied("/redeem", ada), { templateId: fiveOff, idempotencyKey: key });

    expect(status).toBe(200);
    expect(body.pointsBalance).toBe(700);
    expect(body.replayed).toBe(false);
    expect(body.reward).toMatchObject({ title: "$5 off", kind: "FIXED_AMOUNT", status: "ISSUED", usedAt: null });
    expect(body.reward.code).toMatch(/^[A-Z0-9-]{10,}$/);
    expect(new Date(body.reward.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(JSON.stringify(body)).not.toMatch(/gid:\/\/|customerId|shopifyId/);
    // The code exists in Shopify, for Ada only; the database agrees.
    const inShopify = emulator.store.findDiscountByCode(SHOP, body.reward.code);
    expect(inShopify).toBeDefined();
    const saved = await db.reward.findUniqueOrThrow({ where: { id: body.reward.id } });
    expect(saved).toMatchObject({ customerId: ada.id, status: "ISSUED", code: body.reward.code, pointsSpent: 500 });
    expect((await db.customer.findUniqueOrThrow({ where: { id: ada.id } })).pointsBalance).toBe(700);
    const after = await snapshot();
    expect(after.rewards).toBe(before.rewards + 1);
    expect(after.discountsInShopify).toBe(before.discountsInShopify + 1);

    // It shows up in her rewards right away.
    const view = await getJson(proxied("/customer", ada));
    expect(view.body.pointsBalance).toBe(700);
    expect(view.body.rewards[0].code).toBe(body.reward.code);
  });

  it("GIVEN the same idempotency key sent twice at once and again later THEN one reward, one debit, one code in Shopify", async () => {
    const before = await snapshot();
    const key = newKey();
    const url = () => proxied("/redeem", bob);

    const [first, second] = await Promise.all([
      postJson(url(), { templateId: freeShipping, idempotencyKey: key }),
      postJson(url(), { templateId: freeShipping, idempotencyKey: key }),
    ]);
    const third = await postJson(url(), { templateId: freeShipping, idempotencyKey: key });

    const successes = [first, second, third].filter((r) => r.status === 200);
    expect(successes.length).toBeGreaterThanOrEqual(2);
    for (const r of successes) expect(r.body.reward.code).toBe(successes[0]!.body.reward.code);
    expect(third.body.replayed).toBe(true);
    expect(third.body.pointsBalance).toBe(600);
    const after = await snapshot();
    expect(after.rewards).toBe(before.rewards + 1);
    expect(after.discountsInShopify).toBe(before.discountsInShopify + 1);
    expect((await db.customer.findUniqueOrThrow({ where: { id: bob.id } })).pointsBalance).toBe(600);
  });

  it("GIVEN customer ids for Bob in the body and query THEN they are ignored: the signed customer (Ada) redeems", async () => {
    const bobBefore = (await db.customer.findUniqueOrThrow({ where: { id: bob.id } })).pointsBalance;
    const adaBefore = (await db.customer.findUniqueOrThrow({ where: { id: ada.id } })).pointsBalance;

    const { status, body } = await postJson(proxied(`/redeem?customer_id=${bob.numericId}`, ada), {
      templateId: freeShipping,
      idempotencyKey: newKey(),
      customer_id: bob.numericId,
      customerId: bob.id,
      customerGid: bob.gid,
      logged_in_customer_id: bob.numericId,
    });

    expect(status).toBe(200);
    expect(body.pointsBalance).toBe(adaBefore - 300);
    expect((await db.reward.findUniqueOrThrow({ where: { id: body.reward.id } })).customerId).toBe(ada.id);
    expect((await db.customer.findUniqueOrThrow({ where: { id: bob.id } })).pointsBalance).toBe(bobBefore);
  });

  it.each(BAD_SIGNATURES)("GIVEN %s THEN 400 and nothing changes (no debit, no reward, no code in Shopify)", async (_label, tamper) => {
    const before = await snapshot();
    const { status, body } = await postJson(proxied("/redeem", ada, tamper), { templateId: freeShipping, idempotencyKey: newKey() });
    expect(status).toBe(400);
    expect(body.error.code).toBe("invalid_signature");
    expect(await snapshot()).toEqual(before);
    expect(emulator.inspect.countCalls("discountCodeFreeShippingCreate")).toBe(0);
  });

  it("GIVEN Shopify keeps failing (503) THEN a clear message, and nothing changed: balance, rewards, Shopify", async () => {
    await db.customer.update({ where: { id: ada.id }, data: { pointsBalance: 1000 } });
    const before = await snapshot();
    emulator.faults.httpError("discountCodeBasicCreate", 503, { times: "forever" });

    const { status, body } = await postJson(proxied("/redeem", ada), { templateId: fiveOff, idempotencyKey: newKey() });

    expect(status).toBe(503);
    // A 5xx on the create leaves its outcome unknown (Shopify may still run it), so the redemption
    // stays open for a resume with the same key or the recovery sweep — never FAILED while a late
    // create could leave a code nobody holds (generate.server.ts; bench/RESULTS.md soak:redeem).
    expect(body.error.code).toBe("redemption_pending");
    expect(body.error.message).toMatch(/couldn't create your reward.*your points were not spent/i);
    expect(body.error.message).not.toMatch(/503|Service Unavailable|graphql/i);
    const after = await snapshot();
    expect(after.customers).toEqual(before.customers);
    expect(after.rewards).toBe(before.rewards);
    expect(after.ledger).toBe(before.ledger);
    expect(after.discountsInShopify).toBe(before.discountsInShopify);
    const attempt = await db.redemption.findFirstOrThrow({ orderBy: { createdAt: "desc" } });
    expect(attempt).toMatchObject({ customerId: ada.id, state: "IN_PROGRESS", rewardId: null, errorReason: "shopify_unavailable" });
    expect(attempt.leaseUntil.getTime()).toBeLessThanOrEqual(Date.now()); // handed to a resume or the sweep
  });

  it("GIVEN Shopify rejects the discount (userErrors) THEN a clear message and nothing changed", async () => {
    await db.customer.update({ where: { id: ada.id }, data: { pointsBalance: 1000 } });
    const before = await snapshot();
    emulator.faults.userErrors("discountCodeBasicCreate", [{ field: ["basicCodeDiscount", "endsAt"], code: "INVALID", message: "Ends at is invalid" }]);

    const { status, body } = await postJson(proxied("/redeem", ada), { templateId: fiveOff, idempotencyKey: newKey() });

    // Permanent: retrying the same option cannot help.
    expect(status).toBe(422);
    expect(body.error.code).toBe("shopify_error");
    expect(body.error.message).toMatch(/isn't available right now.*your points were not spent/i);
    expect(body.error.message).not.toContain("Ends at is invalid");
    const after = await snapshot();
    expect({ ...after, redemptions: 0 }).toEqual({ ...before, redemptions: 0 });
    // Only the use-case's intent log remembers the attempt, as FAILED.
    expect(after.redemptions).toBe(before.redemptions + 1);
  });

  it("GIVEN too few points THEN 409 insufficient_points and nothing changed", async () => {
    const before = await snapshot();
    const { status, body } = await postJson(proxied("/redeem", ada), { templateId: bigOne, idempotencyKey: newKey() });
    expect(status).toBe(409);
    expect(body.error.code).toBe("insufficient_points");
    expect(body.error.message).toMatch(/enough points/i);
    const after = await snapshot();
    expect(after.customers).toEqual(before.customers);
    expect(after.rewards).toBe(before.rewards);
    expect(after.discountsInShopify).toBe(before.discountsInShopify);
  });

  it("GIVEN an unknown or another shop's option THEN 404 reward_unavailable", async () => {
    const other = await db.rewardTemplate.findFirstOrThrow({ where: { shop: "other-shop.myshopify.com" } });
    for (const templateId of ["no-such-template", other.id]) {
      const { status, body } = await postJson(proxied("/redeem", ada), { templateId, idempotencyKey: newKey() });
      expect(status).toBe(404);
      expect(body.error.code).toBe("reward_unavailable");
    }
  });

  it("GIVEN a logged-out visitor THEN 401 and nothing changes", async () => {
    const before = await snapshot();
    const { status, body } = await postJson(proxied("/redeem", null), { templateId: freeShipping, idempotencyKey: newKey() });
    expect(status).toBe(401);
    expect(body.error.code).toBe("not_signed_in");
    expect(await snapshot()).toEqual(before);
  });

  it("refuses what a cross-site form could send, malformed bodies and GET", async () => {
    const before = await snapshot();
    const form = await postJson(proxied("/redeem", ada), `templateId=${freeShipping}&idempotencyKey=${newKey()}`, {
      "Content-Type": "application/x-www-form-urlencoded",
    });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe("unsupported_media_type");
    expect((await postJson(proxied("/redeem", ada), "{not json")).status).toBe(400);
    expect((await postJson(proxied("/redeem", ada), { templateId: freeShipping })).body.error.code).toBe("invalid_request");
    expect((await postJson(proxied("/redeem", ada), { templateId: freeShipping, idempotencyKey: "short" })).status).toBe(400);
    const get = await getJson(proxied("/redeem", ada));
    expect(get.status).toBe(405);
    expect(get.body.error.code).toBe("method_not_allowed");
    expect(await snapshot()).toEqual(before);
  });

  it("GIVEN a redeem body with a field missing or malformed THEN 400 invalid_request whose message names that field, nothing spent", async () => {
    const before = await snapshot();
    const cases: [unknown, RegExp][] = [
      [{ idempotencyKey: newKey() }, /templateId must be/],
      [{ templateId: "", idempotencyKey: newKey() }, /templateId must be/],
      [{ templateId: 42, idempotencyKey: newKey() }, /templateId must be/],
      [{ templateId: freeShipping }, /idempotencyKey must be 16 to 128/],
      [{ templateId: freeShipping, idempotencyKey: "short" }, /idempotencyKey must be 16 to 128/],
      [{ templateId: freeShipping, idempotencyKey: newKey(), points: -5 }, /points, when given, must be a whole number/],
      [{ templateId: freeShipping, idempotencyKey: newKey(), points: 1.5 }, /points, when given, must be a whole number/],
      [[], /send the redemption as a JSON object/],
    ];
    for (const [body, message] of cases) {
      const answer = await postJson(proxied("/redeem", ada), body);
      expect([answer.status, answer.body.error.code], JSON.stringify(body)).toEqual([400, "invalid_request"]);
      expect(answer.body.error.message, JSON.stringify(body)).toMatch(message);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("GIVEN a key reused for another option THEN 409 idempotency_key_reused and nothing changes", async () => {
    const key = newKey();
    const first = await postJson(proxied("/redeem", ada), { templateId: freeShipping, idempotencyKey: key });
    expect(first.status).toBe(200);
    const before = await snapshot();
    const { status, body } = await postJson(proxied("/redeem", ada), { templateId: fiveOff, idempotencyKey: key });
    expect(status).toBe(409);
    expect(body.error.code).toBe("idempotency_key_reused");
    expect(await snapshot()).toEqual(before);
  });

  it("GIVEN a redemption still running WHEN its key is sent again with another option, or by another customer THEN 409 idempotency_key_reused at once (was 503 redemption_pending: 'retry with the same key', which can never succeed), and only the first redemption happens", async () => {
    const cy = await member("Cy", 1000);
    const key = newKey();
    // Shopify takes 2 s to create the first redemption's code: it stays IN_PROGRESS meanwhile.
    emulator.faults.hang("discountCodeBasicCreate", 2000, 1);
    const first = postJson(proxied("/redeem", cy), { templateId: fiveOff, idempotencyKey: key });
    await vi.waitFor(async () => expect((await db.redemption.findUnique({ where: { shop_idempotencyKey: { shop: SHOP, idempotencyKey: key } } }))?.state).toBe("IN_PROGRESS"), { timeout: 2000, interval: 20 });
    const before = await snapshot();

    const otherOption = await postJson(proxied("/redeem", cy), { templateId: freeShipping, idempotencyKey: key });
    const otherCustomer = await postJson(proxied("/redeem", bob), { templateId: fiveOff, idempotencyKey: key });

    for (const answer of [otherOption, otherCustomer]) {
      expect(answer.status).toBe(409);
      expect(answer.body).toEqual({ error: { code: "idempotency_key_reused", message: expect.stringMatching(/doesn't match an earlier one/) } });
    }
    expect(await snapshot()).toEqual(before);
    const done = await first;
    expect(done.status).toBe(200);
    expect(done.body.pointsBalance).toBe(500);
    expect(await db.reward.count({ where: { customerId: cy.id } })).toBe(1);
  });

  it("GIVEN a redemption whose reward the merchant canceled since WHEN the same request is sent again THEN 409 reward_canceled with a clear message, never the Canceled reward (was a 500 and an error line)", async () => {
    const key = newKey();
    const first = await postJson(proxied("/redeem", ada), { templateId: freeShipping, idempotencyKey: key });
    expect(first.status).toBe(200);
    await db.reward.update({ where: { id: first.body.reward.id }, data: { status: "CANCELED", canceledAt: new Date() } });
    const before = await snapshot();

    const { status, body } = await postJson(proxied("/redeem", ada), { templateId: freeShipping, idempotencyKey: key });

    expect(status).toBe(409);
    expect(body).toEqual({ error: { code: "reward_canceled", message: expect.stringMatching(/canceled by the shop/i) } });
    expect(JSON.stringify(body)).not.toContain(first.body.reward.code);
    expect(await snapshot()).toEqual(before);
  });
});
