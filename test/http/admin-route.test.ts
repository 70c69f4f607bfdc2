// GIVEN the production build running on a real port and an installed shop
// WHEN the embedded admin loads /app with a session token as App Bridge sends it
// THEN the real authenticate.admin path accepts it, and rejects forged or missing tokens.
import { beforeAll, describe, expect, it } from "vitest";
import { mintSessionToken } from "@loyalty/shopify-emulator/session-token";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { installShop } from "../support/shop";
import { TEST_APP } from "../support/constants";

const app = useRunningApp();
beforeAll(async () => {
  await installShop();
});

function token(tamper?: Parameters<typeof mintSessionToken>[0]["tamper"]) {
  return mintSessionToken({ shop: TEST_APP.shop, apiKey: TEST_APP.apiKey, apiSecret: TEST_APP.apiSecret, tamper }).token;
}

describe("embedded admin route /app", () => {
  it("renders the Polaris home page for a document request with a valid id_token", async () => {
    const url = `${app.url}/app?embedded=1&shop=${TEST_APP.shop}&host=${Buffer.from(`${TEST_APP.shop}/admin`).toString("base64url")}&id_token=${token()}`;
    const res = await fetch(url, { headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Loyalty rewards");
    expect(html).toContain(TEST_APP.shop);
    // Shopify's frame-ancestors policy is set on embedded documents by the library.
    expect(res.headers.get("content-security-policy")).toContain(`frame-ancestors https://${TEST_APP.shop}`);
  });

  it("answers a data request carrying a Bearer session token (App Bridge's fetch)", async () => {
    const res = await fetch(`${app.url}/app?_data=routes%2Fapp._index`, {
      headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${token()}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { shop: string; counts: Record<string, number> };
    expect(body.shop).toBe(TEST_APP.shop);
    expect(body.counts).toEqual({ PENDING: 0, ISSUED: 0, USED: 0, FAILED: 0, CANCELED: 0 });
  });

  it.each(["expired", "wrong-secret", "bad-signature", "wrong-audience"] as const)(
    "rejects a %s session token",
    async (tamper) => {
      const res = await fetch(`${app.url}/app?_data=routes%2Fapp._index`, {
        headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${token(tamper)}` },
        redirect: "manual",
      });
      expect(res.status).toBe(401);
    },
  );

  it("redirects a document request without a session token to the session-token bounce page", async () => {
    const host = Buffer.from(`${TEST_APP.shop}/admin`).toString("base64url");
    const res = await fetch(`${app.url}/app?embedded=1&shop=${TEST_APP.shop}&host=${host}`, {
      headers: { "User-Agent": BROWSER_UA },
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toContain("/auth/session-token");
  });
});
