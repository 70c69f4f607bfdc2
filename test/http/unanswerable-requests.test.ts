// GIVEN the production build on a real port
// WHEN someone outside asks for what the app has no answer for: a path no route serves, a Remix data
//      request (`?_data=`) naming a route that is not on the path, a method a route does not take,
//      or the library's exit-iframe page with a destination it refuses
// THEN a 4xx, and nothing logged at error level (error means "someone must act"; a probe for
//      /wp-login.php or a hand-edited URL is not that).
import { beforeAll, describe, expect, it } from "vitest";
import { mintSessionToken } from "@loyalty/shopify-emulator/session-token";
import db from "~/db.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { allowErrorLogs } from "../support/error-logs";
import { installShop } from "../support/shop";
import { TEST_APP } from "../support/constants";
import { signWebhook } from "../../emulator/src/webhooks";

const app = useRunningApp();
beforeAll(async () => {
  await installShop();
});

async function send(path: string, init: RequestInit = {}) {
  const res = await fetch(`${app.url}${path}`, { redirect: "manual", ...init, headers: { "User-Agent": BROWSER_UA, ...(init.headers ?? {}) } });
  return { status: res.status, text: await res.text() };
}

describe("requests no route answers", () => {
  it.each([
    ["GET", "/wp-login.php", 404],
    ["GET", "/app/../../etc/passwd", 404],
    // App-proxy paths skip Remix's router: an unsigned one is the storefront's 400 invalid_signature,
    // whatever `_data` says (test/http/app-proxy-data-requests.test.ts).
    ["GET", "/apps-proxy/program?_data=no-such-route", 400],
    ["GET", "/app?_data=no-such-route", 403],
    ["GET", "/apps-proxy/program?_data=root", 400],
    ["POST", "/", 405],
  ])("%s %s → %i, nothing logged at error level", async (method, path, status) => {
    const logged = allowErrorLogs();
    const res = await send(path, method === "POST" ? { method, body: "a=1", headers: { "Content-Type": "application/x-www-form-urlencoded" } } : { method });
    expect(res.status).toBe(status);
    expect(logged.messages()).toEqual([]);
  });
});

describe("what is still an error", () => {
  it("GIVEN a loader that fails for real (its table is gone) THEN 500 and one error-level line with the error — the build's log reaches the guard", async () => {
    const logged = allowErrorLogs(); // this test is about the error the running build logs
    await db.$executeRawUnsafe('ALTER TABLE "Reward" RENAME TO "RewardAway"');
    try {
      const token = mintSessionToken({ shop: TEST_APP.shop, apiKey: TEST_APP.apiKey, apiSecret: TEST_APP.apiSecret }).token;
      const res = await send("/app?_data=routes%2Fapp._index", { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(500);
    } finally {
      await db.$executeRawUnsafe('ALTER TABLE "RewardAway" RENAME TO "Reward"');
    }
    expect(logged.messages()).toEqual(["request failed"]);
    expect(JSON.stringify(logged.entries[0])).toMatch(/RewardAway|Reward/);
  });
});

describe("what the server itself reports (test/support/app.ts useRunningApp passes onError)", () => {
  it("GIVEN a signed webhook delivery while the inbox table is gone THEN 500 and the server's report reaches the error-log guard, as production logs it", async () => {
    const logged = allowErrorLogs(); // this test is about the error line the server reports
    // Webhook actions run outside Remix (server/app-handler.mjs callAction): what they throw is the
    // server's to report (server/fetch-server.mjs onError). The test app passed no onError, so such
    // a 500 went by without a line.
    const signed = signWebhook({ topic: "orders/create", shop: TEST_APP.shop, secret: TEST_APP.apiSecret, body: JSON.stringify({ admin_graphql_api_id: "gid://shopify/Order/9901", discount_codes: [] }) });
    await db.$executeRawUnsafe('ALTER TABLE "WebhookDelivery" RENAME TO "WebhookDeliveryAway"');
    try {
      const res = await fetch(`${app.url}/webhooks/orders/create`, { method: "POST", headers: signed.headers, body: signed.body });
      expect(res.status).toBe(500);
      await res.text();
    } finally {
      await db.$executeRawUnsafe('ALTER TABLE "WebhookDeliveryAway" RENAME TO "WebhookDelivery"');
    }
    expect(logged.messages().some((m) => m.startsWith("the server reported an error:"))).toBe(true);
  });
});

describe("the library's exit-iframe page (/auth/exit-iframe)", () => {
  it.each(["https://evil.example.com/phish", "//evil.example.com", "javascript:alert(1)", `https://${TEST_APP.shop}/`])(
    "GIVEN a destination the library refuses to redirect to (%s) THEN 400, not a server error, nothing logged at error level",
    async (destination) => {
      const logged = allowErrorLogs();
      const res = await send(`/auth/exit-iframe?shop=${TEST_APP.shop}&exitIframe=${encodeURIComponent(destination)}`);
      expect(res.status).toBe(400);
      expect(res.text).not.toMatch(/Unexpected Server Error/);
      expect(logged.messages()).toEqual([]);
    },
  );

  it("GIVEN the app's own path as destination THEN the App Bridge page that leaves the iframe (200)", async () => {
    const res = await send(`/auth/exit-iframe?shop=${TEST_APP.shop}&exitIframe=${encodeURIComponent("/auth?shop=" + TEST_APP.shop)}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain("app-bridge");
  });
});
