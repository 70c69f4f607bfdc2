// The request handed to Shopify's library for verification (receive.server.ts): a fixed set of
// headers, whatever the sender adds — the library's header handling grows with the square of the
// header count and runs before the HMAC is known to be good.
import { describe, expect, it } from "vitest";
import { LIBRARY_WEBHOOK_HEADERS, libraryRequest } from "./receive.server";

function delivery(extra: number): Request {
  const headers = new Headers({
    "Content-Type": "application/json",
    "X-Shopify-Hmac-Sha256": "c2lnbmF0dXJl",
    "X-Shopify-Topic": "orders/create",
    "X-Shopify-Shop-Domain": "shop-a.myshopify.com",
    "X-Shopify-API-Version": "2026-10",
    "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
    "X-Shopify-Triggered-At": "2026-12-01T03:00:00.000Z",
    "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
    "X-Forwarded-For": "203.0.113.7",
  });
  for (let i = 0; i < extra; i++) headers.append(`x-shopify-extra-${i}`, String(i));
  return new Request("https://app.example/webhooks/orders/create?x=1", { method: "POST", headers, body: "{}" });
}

describe("libraryRequest", () => {
  it("GIVEN a delivery with 1 000 extra X-Shopify-* headers THEN the library sees only the six it needs, with their values", () => {
    const seen = libraryRequest(delivery(1_000));
    const names = [...seen.headers.keys()];
    expect(names.sort()).toEqual([...LIBRARY_WEBHOOK_HEADERS].sort());
    expect(seen.headers.get("x-shopify-shop-domain")).toBe("shop-a.myshopify.com");
    expect(seen.headers.get("x-shopify-hmac-sha256")).toBe("c2lnbmF0dXJl");
    expect(seen.method).toBe("POST");
    expect(seen.url).toBe("https://app.example/webhooks/orders/create?x=1");
  });

  it("GIVEN a delivery without some of them THEN the missing ones stay missing (the library names them)", () => {
    const request = delivery(0);
    request.headers.delete("x-shopify-topic");
    request.headers.delete("x-shopify-triggered-at");
    expect([...libraryRequest(request).headers.keys()].sort()).toEqual(
      LIBRARY_WEBHOOK_HEADERS.filter((h) => h !== "x-shopify-topic" && h !== "x-shopify-triggered-at").sort(),
    );
  });
});
