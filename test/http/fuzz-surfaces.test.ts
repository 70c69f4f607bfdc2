// The app tried from outside with requests a browser or Shopify never sends but anyone can: written
// byte for byte (test/support/http.ts rawRequest), since fetch() would normalise them. Each class of
// malformed input gets a 4xx with a sentence saying what is wrong — never a 500, and nothing logged at
// error level (the error-log guard, test/setup/per-file.ts) or reported by the server (onError).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeAppProxySignature } from "@loyalty/shopify-emulator/app-proxy";
import { mintSessionToken } from "@loyalty/shopify-emulator/session-token";
import { startApp, type RunningServer } from "../support/app";
import { rawRequest, type RawRequest, type RawResponse } from "../support/http";
import { installShop } from "../support/shop";
import { TEST_APP } from "../support/constants";

/** What the server reported (production logs it at error level: server.mjs). */
const reported: unknown[] = [];
/** Requests whose handler has settled, answered or thrown. */
let handled = 0;
let app: RunningServer;
beforeAll(async () => {
  await installShop();
  app = await startApp({ onError: (error) => reported.push(error), onHandled: () => handled++ });
});
afterAll(() => app?.close());

async function send(request: RawRequest): Promise<RawResponse> {
  const res = await rawRequest(app.url, request);
  if (!res) throw new Error("no answer");
  return res;
}

describe("the Host header and the request target (server/fetch-server.mjs)", () => {
  it.each([
    ["empty", ""],
    ["with a space", "a b"],
    ["an unclosed IPv6 bracket", "[::1"],
    ["with a path", "a/b"],
    ["with user info", "user@example.com"],
    ["a port beyond 65535", "example.com:99999"],
  ])("GIVEN a Host header %s THEN 400 saying the Host is not valid, nothing reported", async (_name, host) => {
    const res = await send({ target: "/robots.txt", host });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/no valid Host header/);
    expect(reported.map(String)).toEqual([]);
  });

  it("GIVEN an HTTP/1.1 request without a Host header THEN 400 with the same sentence (Node's own answer had no body)", async () => {
    const res = await send({ target: "/robots.txt", host: null });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/no valid Host header/);
  });

  it("GIVEN the request target //robots.txt THEN it is read as a path (the robots file), not as a host named robots.txt", async () => {
    const res = await send({ target: "//robots.txt" });
    expect(res.status).toBe(200);
    expect(res.body).toBe("User-agent: *\nDisallow: /\n");
  });

  it("GIVEN a valid Host with a port, an IPv6 Host, or an absolute-form target THEN served as usual", async () => {
    expect((await send({ target: "/robots.txt", host: "loyalty-app.test:8080" })).status).toBe(200);
    expect((await send({ target: "/robots.txt", host: "[::1]:3000" })).status).toBe(200);
    expect((await send({ target: "http://loyalty-app.test/robots.txt" })).body).toBe("User-agent: *\nDisallow: /\n");
  });

  it("GIVEN a request target that is no path (`*`) THEN 400", async () => {
    const res = await send({ method: "OPTIONS", target: "*" });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/request target/);
  });
});

describe("a path whose percent-escapes are not UTF-8 (app/entry.server.tsx refuseUnreadableUrl)", () => {
  it.each(["/assets/%C0%AF.js", "/%FF", "/app/%FF", "/webhooks/orders/create%FF", "/auth/%E2%82"])(
    "GIVEN GET %s THEN 400 saying the address is not UTF-8, nothing reported or logged at error level",
    async (target) => {
      const res = await send({ target });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toEqual({ ok: false, message: expect.stringMatching(/not UTF-8/) });
      expect(reported.map(String)).toEqual([]);
    },
  );

  it("GIVEN a storefront path with such an escape THEN 400 in the storefront's error shape", async () => {
    const res = await send({ target: "/apps-proxy/program%FF" });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ error: { code: "invalid_request", message: expect.stringMatching(/not UTF-8/) } });
  });

  it("GIVEN a path with escapes that are UTF-8 THEN served as before (a static file, Remix's 404)", async () => {
    expect((await send({ target: "/robots%2Etxt" })).status).toBe(200);
    expect((await send({ target: "/caf%C3%A9" })).status).toBe(404);
  });
});

describe("a query whose percent-escapes are not UTF-8 (app/request-input.server.ts urlHasUnreadableEscapes)", () => {
  it.each([
    ["the embedded admin's document", "/app?shop=%FF"],
    ["the library's token exchange", "/auth/session-token?shop=%FF"],
    ["an admin data request", "/app?_data=routes%2Fapp._index&q=caf%E9"],
    ["the login page", "/auth/login?shop=%C0%AF"],
  ])("GIVEN %s with such a query (%s) THEN 400 saying so, before any route reads it", async (_name, target) => {
    const res = await send({ target });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ ok: false, message: expect.stringMatching(/not UTF-8/) });
    expect(reported.map(String)).toEqual([]);
  });

  it("GIVEN a storefront request with such a query THEN 400 in the storefront's error shape (before its signature is checked)", async () => {
    const res = await send({ target: "/apps-proxy/program?shop=test-shop.myshopify.com&x=%FF" });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ error: { code: "invalid_request", message: expect.stringMatching(/not UTF-8/) } });
  });

  it("GIVEN a query with UTF-8 escapes, or a lone % THEN read as before", async () => {
    expect((await send({ target: "/robots.txt?q=caf%C3%A9" })).status).toBe(200);
    expect((await send({ target: "/robots.txt?q=100%" })).status).toBe(200);
  });
});

describe("HEAD /auth/login (app/routes/auth.login/route.tsx)", () => {
  it("GIVEN HEAD /auth/login THEN 200 like GET, without a body, nothing logged at error level", async () => {
    const get = await send({ target: "/auth/login" });
    const head = await send({ method: "HEAD", target: "/auth/login" });
    expect(get.status).toBe(200);
    expect(head.status).toBe(200);
    expect(head.headers["content-type"]).toBe(get.headers["content-type"]);
    expect(head.body).toBe("");
  });
});

describe("the embedded admin's `host` parameter (app/domain/shopify-ids.ts isReadableHostParam)", () => {
  const b64 = (text: string) => Buffer.from(text, "latin1").toString("base64");
  const SHOP = "test-shop.myshopify.com";

  it.each([
    ["garbage base64", "a"],
    ["empty", ""],
    ["a control character", b64("\x01")],
    ["a space", b64("admin.shopify.com/store/a b")],
    ["an unclosed bracket", b64("[::1")],
  ])("GIVEN /app with a host that decodes to no readable host (%s) THEN 400 with a sentence, nothing logged at error level", async (_name, host) => {
    // The admin's document: its error boundary shows the sentence (app/routes/app.tsx).
    const res = await send({ target: `/app?embedded=1&shop=${SHOP}&host=${encodeURIComponent(host)}` });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/<p>The host parameter of this address is not the Shopify admin(&#x27;|')s address in base64/);
    expect(res.body).not.toContain("[object Object]");
  });

  it("GIVEN an admin data request with such a host THEN 400 with the sentence as JSON", async () => {
    const res = await send({ target: `/app?_data=routes%2Fapp&shop=${SHOP}&host=a` });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ ok: false, message: expect.stringMatching(/host parameter/) });
  });

  it("GIVEN the admin's document with another refused address (a control character) THEN its sentence, not [object Object]", async () => {
    const res = await send({ target: `/app?embedded=1&shop=${SHOP}&q=%00` });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/<p>This address contains control characters/);
  });

  it("GIVEN the library's exit-iframe page with such a host THEN 400 as well", async () => {
    const res = await send({ target: `/auth/exit-iframe?shop=${SHOP}&host=${b64("a b")}&exitIframe=%2Fapp` });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/host parameter/);
  });

  it("GIVEN the base64 of the admin's address THEN the library takes it as before (to its bounce page, not a 400)", async () => {
    const res = await send({ target: `/app?embedded=1&shop=${SHOP}&host=${b64(`admin.shopify.com/store/test-shop`)}` });
    expect(res.status).not.toBe(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe("a sender that goes away mid-body (app/request-input.server.ts SenderGoneError)", () => {
  function signedProxy(path: string): string {
    const params = new URLSearchParams({ path_prefix: "/apps/loyalty", timestamp: String(Math.floor(Date.now() / 1000)), shop: "test-shop.myshopify.com", logged_in_customer_id: "7001" });
    params.append("signature", computeAppProxySignature(params, TEST_APP.apiSecret));
    return `/apps-proxy${path}?${params}`;
  }
  const adminToken = () => mintSessionToken({ shop: TEST_APP.shop, apiKey: TEST_APP.apiKey, apiSecret: TEST_APP.apiSecret }).token;

  it.each([
    ["a storefront redeem", () => ({ target: signedProxy("/redeem"), headers: { "Content-Type": "application/json" }, body: '{"template' })],
    ["a storefront birthday", () => ({ target: signedProxy("/birthday"), headers: { "Content-Type": "application/json" }, body: '{"birthd' })],
    ["the login form", () => ({ target: "/auth/login", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "shop=te" })],
    ["an admin action", () => ({ target: "/app/program?_data=routes%2Fapp.program", headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Bearer ${adminToken()}` }, body: "enabled=o" })],
  ])(
    "GIVEN %s that declares Content-Length 1000, sends 10 bytes and closes THEN nothing is logged at error level or reported by the server",
    async (_name, request) => {
      const before = handled;
      await rawRequest(app.url, { method: "POST", contentLength: 1000, hangUp: true, ...request() });
      // The handler settles once its read of the body fails (or the router gives up on it).
      await expect.poll(() => handled).toBe(before + 1);
      expect(reported.map(String)).toEqual([]);
    },
  );
});

describe("Remix's own 4xx to data requests and resource routes (app/entry.server.tsx withRefusalSentence)", () => {
  const token = () => mintSessionToken({ shop: TEST_APP.shop, apiKey: TEST_APP.apiKey, apiSecret: TEST_APP.apiSecret }).token;
  const form = { "Content-Type": "application/x-www-form-urlencoded" };

  it.each([
    ["a POST to a page without an action (data request)", () => ({ method: "POST", target: "/?_data=routes%2F_index", headers: form, body: "a=1" }), 405, /doesn't take a POST request/],
    ["a POST to a resource route without an action (the rewards CSV)", () => ({ method: "POST", target: "/app/rewards.csv", headers: { ...form, Authorization: `Bearer ${token()}` }, body: "a=1" }), 405, /doesn't take a POST request/],
    ["a `_data` naming no route", () => ({ target: "/?_data=no-such-route" }), 403, /data of a page that is not at this address/],
    ["a `_data` naming a route not on the path", () => ({ target: "/app?_data=routes%2Fapp.program", headers: { Authorization: `Bearer ${token()}` } }), 403, /data of a page that is not at this address/],
  ] as const)("GIVEN %s THEN its status with a sentence, not 'Unexpected Server Error'", async (_name, request, status, sentence) => {
    const res = await send(request());
    expect(res.status).toBe(status);
    expect(res.headers["x-remix-error"]).toBe("yes");
    expect(JSON.parse(res.body)).toEqual({ ok: false, message: expect.stringMatching(sentence) });
  });

  it("GIVEN a route's own refusal (a thrown { ok: false, message }) THEN passed on as it is", async () => {
    const res = await send({ target: "/app?_data=routes%2Fapp&q=1&q=2", headers: { Authorization: `Bearer ${token()}` } });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ ok: false, message: expect.stringMatching(/appears more than once/) });
  });
});

describe("a session token, signed with the app's secret, whose `dest` names no shop (app/domain/shopify-ids.ts shopFromSessionTokenDest)", () => {
  const tokenFor = (claims: Record<string, unknown>) => mintSessionToken({ shop: TEST_APP.shop, apiKey: TEST_APP.apiKey, apiSecret: TEST_APP.apiSecret, claims }).token;
  it.each([
    ["a domain that is not a shop's", { dest: "https://evil.example.com" }],
    ["no host name at all", { dest: "https://evil example.com" }],
    ["no URL", { dest: "test-shop" }],
    ["none", { dest: undefined }],
  ])("GIVEN %s as `dest` THEN 400 with a sentence on a loader and an action, not the library's 500", async (_name, claims) => {
    const token = tokenFor(claims);
    const loader = await send({ target: "/app?_data=routes%2Fapp._index", headers: { Authorization: `Bearer ${token}` } });
    expect(loader.status).toBe(400);
    expect(JSON.parse(loader.body)).toEqual({ ok: false, message: expect.stringMatching(/session token does not name a shop/) });
    const action = await send({ method: "POST", target: "/app/program?_data=routes%2Fapp.program", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/x-www-form-urlencoded" }, body: "a=1" });
    expect(action.status).toBe(400);
  });

  it("GIVEN the shop's own token THEN the page's data as before", async () => {
    const res = await send({ target: "/app?_data=routes%2Fapp._index", headers: { Authorization: `Bearer ${tokenFor({})}` } });
    expect(res.status).toBe(200);
  });
});

describe("what Node's HTTP parser refuses (server/fetch-server.mjs clientError)", () => {
  it("GIVEN a method HTTP does not know (FOO /) THEN 400 with a sentence (Node's own 400 had no body)", async () => {
    const res = await send({ method: "FOO", target: "/" });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/not well-formed HTTP/);
  });

  it("GIVEN a kept-alive connection that was answered once WHEN its next request is malformed THEN that one gets the 400 with a sentence too", async () => {
    const { hostname, port, host } = new URL(app.url);
    const net = await import("node:net");
    let received = "";
    const socket = net.connect(Number(port), hostname, () => socket.write(`GET /robots.txt HTTP/1.1\r\nHost: ${host}\r\n\r\n`));
    socket.on("data", (data: Buffer) => (received += data.toString("utf8")));
    const closed = new Promise((resolve) => socket.on("close", resolve));
    await expect.poll(() => received).toContain("Disallow: /");
    socket.write(`FOO / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 200[\s\S]*HTTP\/1\.1 400 Bad Request[\s\S]*not well-formed HTTP/);
  });

  it("GIVEN headers over Node's 16 KB limit THEN 431 with a sentence", async () => {
    const res = await send({ target: "/robots.txt", headers: { "X-Filler": "a".repeat(20_000) } });
    expect(res.status).toBe(431);
    expect(res.body).toMatch(/headers are too large/);
  });
});
