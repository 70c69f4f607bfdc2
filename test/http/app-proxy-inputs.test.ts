// The storefront (app proxy) endpoints, tried from outside with inputs Shopify would never send but a
// tester (or a shopper's browser) can: bodies over the limit sent chunked without Content-Length,
// bodies the app can't use, and signed query values that are not what Shopify writes. Each answer
// is a clear JSON 4xx, read on the bytes actually received, with nothing written.
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { computeAppProxySignature } from "@loyalty/shopify-emulator/app-proxy";
import db from "~/db.server";
import { MAX_STOREFRONT_BODY_BYTES } from "~/services/storefront/body.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { TEST_APP } from "../support/constants";
import { postChunked } from "../support/http";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";

const SHOP = TEST_APP.shop;
const { emulator } = useShopifyEmulator();
const app = useRunningApp({ emulator });

let shopperId: string;
let templateId: string;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
  const shopper = emulator.addCustomer(SHOP, { firstName: "Ada", lastName: "Tester", email: "ada@example.com" });
  shopperId = shopper.legacyId;
  await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: shopper.id, displayName: "Ada Tester", email: shopper.email, pointsBalance: 1000 } });
  templateId = (await db.rewardTemplate.create({ data: { shop: SHOP, purpose: "POINTS_REDEMPTION", kind: "FIXED_AMOUNT", value: "5", name: "$5 off", pointsCost: 100 } })).id;
  await db.referralSettings.create({ data: { shop: SHOP, enabled: true } });
});

/** Everything a storefront request could write, for "nothing changed" assertions. */
async function snapshot() {
  return {
    customers: await db.customer.findMany({ orderBy: { id: "asc" }, select: { shop: true, shopifyCustomerId: true, pointsBalance: true, birthday: true } }),
    rewards: await db.reward.count(),
    redemptions: await db.redemption.count(),
    referralCodes: await db.referralCode.count(),
    referrals: await db.referral.count(),
    discountsInShopify: emulator.store.listDiscounts(SHOP).length,
  };
}

/** A URL to the app signed as Shopify's proxy signs it, with exactly these Shopify parameters. */
function signed(path: string, params: Record<string, string>): string {
  const url = new URL(`${app.url}/apps-proxy${path}`);
  for (const [key, value] of Object.entries({ path_prefix: "/apps/loyalty", timestamp: String(Math.floor(Date.now() / 1000)), ...params })) url.searchParams.append(key, value);
  url.searchParams.append("signature", computeAppProxySignature(url.searchParams, TEST_APP.apiSecret));
  return url.toString();
}

async function send(url: string, init: RequestInit = {}) {
  const res = await fetch(url, { ...init, headers: { "User-Agent": BROWSER_UA, Accept: "application/json", ...(init.headers ?? {}) } });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } & Record<string, unknown> };
}
const postJson = (url: string, body: string) => send(url, { method: "POST", body, headers: { "Content-Type": "application/json" } });

const POST_ENDPOINTS = ["/redeem", "/birthday", "/referral-click", "/referral-claim"];

describe("request bodies are bounded on the bytes actually read", () => {
  it.each(POST_ENDPOINTS)("GIVEN a signed POST %s with a 40 MB body sent chunked (no Content-Length) THEN 413 long before the sender is done, nothing written", async (path) => {
    const before = await snapshot();
    const total = 40 * 1024 * 1024;
    const result = await postChunked(emulator.appProxyUrl(SHOP, path, shopperId), { "Content-Type": "application/json", "User-Agent": BROWSER_UA }, Buffer.alloc(64 * 1024, 0x20), total);
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toEqual({ error: { code: "payload_too_large", message: expect.stringMatching(/too large/i) } });
    // Answered after the limit plus what was in flight in socket buffers, not after the whole body.
    expect(result.sent).toBeLessThan(total / 4);
    expect(await snapshot()).toEqual(before);
  });

  it.each(POST_ENDPOINTS)("GIVEN a POST %s that declares a Content-Length over the limit THEN 413, the same answer for every endpoint", async (path) => {
    const { status, body } = await postJson(emulator.appProxyUrl(SHOP, path, shopperId), JSON.stringify({ pad: "x".repeat(MAX_STOREFRONT_BODY_BYTES) }));
    expect(status).toBe(413);
    expect(body.error?.code).toBe("payload_too_large");
  });

  it.each(POST_ENDPOINTS)("GIVEN a POST %s whose body is an array, null, a string or deeply nested THEN 400 invalid_request, nothing written", async (path) => {
    const before = await snapshot();
    for (const bad of ["[]", "null", '"x"', "[".repeat(900) + "]".repeat(900)]) {
      const { status, body } = await postJson(emulator.appProxyUrl(SHOP, path, shopperId), bad);
      expect(status, bad.slice(0, 10)).toBe(400);
      expect(body.error?.code).toBe("invalid_request");
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe("a JSON object is read one way only", () => {
  it.each(POST_ENDPOINTS)(
    "GIVEN a POST %s whose object nests more than 64 levels deep THEN 400 invalid_request saying so, nothing written (was answered 'control characters', which it holds none of)",
    async (path) => {
      // A shopper of their own for each endpoint: these requests stay within the per-customer rate limit.
      const shopper = emulator.addCustomer(SHOP, { firstName: "Ed", lastName: "Tester", email: `ed${path.slice(1)}@example.com` }).legacyId;
      const before = await snapshot();
      const deep = `${'{"a":'.repeat(70)}1${"}".repeat(70)}`;
      for (const body of [`{"birthday":"03-04","pad":${deep}}`, `{"birthday":"03-04","pad":${"[".repeat(70)}${"]".repeat(70)}}`]) {
        const { status, body: answer } = await postJson(emulator.appProxyUrl(SHOP, path, shopper), body);
        expect(status).toBe(400);
        expect(answer.error).toEqual({ code: "invalid_request", message: expect.stringMatching(/nested more than 64 levels/) });
      }
      expect(await snapshot()).toEqual(before);
    },
  );

  it.each(POST_ENDPOINTS)(
    "GIVEN a POST %s naming a field twice (first value bad, last good; or the name escaped) THEN 400 invalid_request naming the field, nothing written (was the last value, silently — another reader takes the first)",
    async (path) => {
      const shopper = emulator.addCustomer(SHOP, { firstName: "Di", lastName: "Tester", email: `di${path.slice(1)}@example.com` }).legacyId; // as above
      const before = await snapshot();
      const field = { "/redeem": "templateId", "/birthday": "birthday", "/referral-click": "code", "/referral-claim": "code" }[path]!;
      const good = { templateId, idempotencyKey: `duplicate-field-${path.slice(1)}-01`, birthday: "03-04", code: "ABCD2345", visitor: "v".repeat(20) };
      const rest = JSON.stringify(good).slice(1);
      for (const body of [`{"${field}":"?",${rest}`, `{"\\u00${field.charCodeAt(0).toString(16)}${field.slice(1)}":"?",${rest}`]) {
        const { status, body: answer } = await postJson(emulator.appProxyUrl(SHOP, path, shopper), body);
        expect(status, body).toBe(400);
        expect(answer.error).toEqual({ code: "invalid_request", message: `This request gives the field "${field}" more than once. Send each field once, then try again.` });
      }
      expect(await snapshot()).toEqual(before);
      // The same name in two different objects is no repeat.
      const nested = await postJson(emulator.appProxyUrl(SHOP, path, shopper), JSON.stringify({ ...good, meta: { [field]: "x" } }));
      expect(nested.body.error?.message ?? "").not.toMatch(/more than once/);
    },
  );
});

describe("only JSON is read as JSON", () => {
  it.each(POST_ENDPOINTS)(
    "GIVEN a POST %s with a valid JSON body labelled application/json-patch+json, application/jsonp or application/json5 THEN 415 unsupported_media_type, nothing written (was read as JSON: the check matched any type starting with application/json)",
    async (path) => {
      // A shopper of their own for each endpoint: these requests stay within the per-customer rate limit.
      const shopper = emulator.addCustomer(SHOP, { firstName: "Cy", lastName: "Tester", email: `cy${path.slice(1)}@example.com` }).legacyId;
      const before = await snapshot();
      const body = JSON.stringify({ templateId, idempotencyKey: "content-type-probe-0001", birthday: "03-04", code: "ABCD2345", visitor: "v".repeat(20) });
      for (const type of ["application/json-patch+json", "application/jsonp", "application/json5"]) {
        const answer = await send(emulator.appProxyUrl(SHOP, path, shopper), { method: "POST", body, headers: { "Content-Type": type } });
        expect(answer.status, type).toBe(415);
        expect(answer.body.error?.code).toBe("unsupported_media_type");
      }
      // Parameters of application/json itself are fine.
      const ok = await send(emulator.appProxyUrl(SHOP, path, shopper), { method: "POST", body: "[]", headers: { "Content-Type": "Application/JSON ; charset=utf-8" } });
      expect(ok.status).toBe(400);
      expect(await snapshot()).toEqual(before);
    },
  );
});

describe("bodies are read as sent", () => {
  it.each(POST_ENDPOINTS)(
    "GIVEN a POST %s with Content-Encoding: gzip (its body compressed, or not) THEN 415 saying the body was sent compressed, nothing written (was read as plain text: a compressed body refused as 'not a real date' and the like, a plain one taken)",
    async (path) => {
      const shopper = emulator.addCustomer(SHOP, { firstName: "Flo", lastName: "Tester", email: `flo${path.slice(1)}@example.com` }).legacyId;
      const before = await snapshot();
      const json = JSON.stringify({ templateId, idempotencyKey: `content-coding-${path.slice(1)}-01`, birthday: "03-04", code: "ABCD2345", visitor: "v".repeat(20) });
      for (const body of [gzipSync(json), Buffer.from(json)]) {
        const { status, body: answer } = await send(emulator.appProxyUrl(SHOP, path, shopper), { method: "POST", body: new Uint8Array(body), headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" } });
        expect(status).toBe(415);
        expect(answer.error).toEqual({ code: "unsupported_media_type", message: expect.stringMatching(/sent compressed \(Content-Encoding\)/) });
      }
      expect(await snapshot()).toEqual(before);
    },
  );
});

describe("text that can't be stored is refused", () => {
  it("GIVEN a redeem body whose templateId holds a NUL character THEN 400 invalid_request (PostgreSQL can't even compare it: it was a 500), nothing spent", async () => {
    const before = await snapshot();
    const { status, body } = await postJson(emulator.appProxyUrl(SHOP, "/redeem", shopperId), JSON.stringify({ templateId: `${templateId}\u0000`, idempotencyKey: "nul-in-template-id-0001" }));
    expect(status).toBe(400);
    expect(body.error).toEqual({ code: "invalid_request", message: expect.stringMatching(/characters/i) });
    expect(await snapshot()).toEqual(before);
  });

  it.each(["/birthday", "/referral-click"])("GIVEN a POST %s whose text holds an invisible text-direction character (U+202E, U+2066) THEN 400 invalid_request saying so, nothing written", async (path) => {
    const before = await snapshot();
    for (const ch of ["\u202E", "\u2066"]) {
      const { status, body } = await postJson(
        emulator.appProxyUrl(SHOP, path, shopperId),
        JSON.stringify({ birthday: `1990-05-01${ch}`, code: `ABCD${ch}EFGH`, visitor: `visitor-token-${ch}-0001`, templateId: `${templateId}${ch}`, idempotencyKey: "bidi-in-body-00000001" }),
      );
      expect(status).toBe(400);
      expect(body.error).toEqual({ code: "invalid_request", message: expect.stringMatching(/text-direction/) });
    }
    expect(await snapshot()).toEqual(before);
  });

  it.each(POST_ENDPOINTS)("GIVEN a POST %s whose JSON holds a byte that is not UTF-8 (0xFF) THEN 400 invalid_request saying so, nothing written (was decoded to U+FFFD and refused for another reason)", async (path) => {
    // A shopper of its own: the storefront's per-customer rate limit is shared by this file's other posts.
    const shopper = emulator.addCustomer(SHOP, { firstName: "Uli", lastName: "Tester", email: `uli${path.slice(1)}@example.com` }).legacyId;
    const before = await snapshot();
    const [head, tail] = JSON.stringify({ templateId, idempotencyKey: "not-utf8-body-000001", birthday: "__X__", code: "ABCD2345", visitor: "v".repeat(20) }).split("__X__");
    const bytes = Buffer.concat([Buffer.from(head!), Buffer.from("05-01"), Buffer.from([0xff]), Buffer.from(tail!)]);
    const res = await fetch(emulator.appProxyUrl(SHOP, path, shopper), { method: "POST", body: new Uint8Array(bytes), headers: { "User-Agent": BROWSER_UA, Accept: "application/json", "Content-Type": "application/json" } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: unknown }).error).toEqual({ code: "invalid_request", message: expect.stringMatching(/not UTF-8/) });
    expect(await snapshot()).toEqual(before);
  });

  it("GIVEN a NUL (%00) anywhere in the proxied URL THEN 400 invalid_request before anything is read", async () => {
    const { status, body } = await send(emulator.appProxyUrl(SHOP, "/customer?q=%00", shopperId));
    expect(status).toBe(400);
    expect(body.error?.code).toBe("invalid_request");
  });
});

describe("signed query values are validated before they are used as keys", () => {
  it.each(["Test-Shop.myshopify.com", `${SHOP}/`, "test-shop.shopify.com", "admin.shopify.com/store/test-shop"])(
    "GIVEN a correctly signed birthday for shop %s (accepted by the library, not what Shopify writes) THEN 400 invalid_shop and no customer row for that shop",
    async (shop) => {
      const before = await snapshot();
      const { status, body } = await postJson(signed("/birthday", { shop, logged_in_customer_id: shopperId }), JSON.stringify({ birthday: "03-04" }));
      expect(status).toBe(400);
      expect(body.error?.code).toBe("invalid_shop");
      expect(await snapshot()).toEqual(before);
    },
  );

  it.each(["99999999999999999999", "9223372036854775808", "abc", "0", "-5", "1e3", " 12"])(
    "GIVEN a correctly signed logged_in_customer_id %j (not a Shopify id) THEN 400 invalid_request: no referral code made for it, not treated as logged out",
    async (id) => {
      const before = await snapshot();
      const link = await send(signed("/referral-link", { shop: SHOP, logged_in_customer_id: id }));
      expect(link.status).toBe(400);
      expect(link.body.error).toEqual({ code: "invalid_request", message: expect.stringMatching(/customer account/i) });
      const program = await send(signed("/program", { shop: SHOP, logged_in_customer_id: id }));
      expect(program.status).toBe(400);
      expect(await snapshot()).toEqual(before);
    },
  );

  it("GIVEN an empty logged_in_customer_id (Shopify's logged-out visitor) THEN the public program, loggedIn false", async () => {
    const { status, body } = await send(signed("/program", { shop: SHOP, logged_in_customer_id: "" }));
    expect(status).toBe(200);
    expect(body.loggedIn).toBe(false);
  });
});
