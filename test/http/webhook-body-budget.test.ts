// GIVEN the production build on a real port, with a small budget for request bodies read at once
//      (BODY_BYTES_IN_FLIGHT, 1 MB here; 64 MB by default)
// WHEN bodies no HMAC can yet be checked for arrive on several connections at once
// THEN each is bounded (5 MB for a webhook) AND together they are: over the budget the read stops
//      and the request is answered 503 with Retry-After (Shopify retries a delivery), and the budget
//      is given back when a sender goes away.
import net from "node:net";
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { useRunningApp } from "../support/app";
import { useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { signWebhook } from "../../emulator/src/webhooks";

const { emulator } = useShopifyEmulator();
const app = useRunningApp({ emulator, env: { BODY_BYTES_IN_FLIGHT: String(1024 * 1024) } });

/** A connection that declares a 3 MB webhook body and sends `sent` bytes of it, then waits; `answer()`: what the app sent back so far. */
function stalledUpload(sent: number): Promise<{ socket: net.Socket; answer: () => string }> {
  const { port, hostname } = new URL(app.url);
  let received = "";
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write([`POST /webhooks/orders/create HTTP/1.1`, `Host: ${hostname}:${port}`, "Content-Type: application/json", `Content-Length: ${3 * 1024 * 1024}`, "", ""].join("\r\n"));
      socket.write(Buffer.alloc(sent, 0x61), () => resolve({ socket, answer: () => received }));
    });
    socket.on("data", (data) => (received += data.toString("latin1")));
    socket.on("error", () => undefined);
  });
}

describe("request bodies being read at once are bounded together", () => {
  it("GIVEN one unsigned upload holding 900 KB of the 1 MB budget WHEN another 300 KB body arrives THEN one of the two is answered 503 with Retry-After; once the first sender goes away a signed delivery is recorded", async () => {
    const stalled = await stalledUpload(900 * 1024);
    const other = () => fetch(`${app.url}/webhooks/orders/create`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "x".repeat(300 * 1024) });
    // Whichever read crosses the budget is refused: the new body, or the stalled one if its last
    // bytes arrive while the new one is being read. One of them is answered 503.
    let retryAfter: string | null | undefined;
    await expect
      .poll(
        async () => {
          const stalledAnswer = /^HTTP\/1\.1 (\d{3})[\s\S]*?\r\n\r\n/.exec(stalled.answer());
          if (stalledAnswer?.[1] === "503") {
            retryAfter = /\r\nretry-after: *(\S+)/i.exec(stalledAnswer[0])?.[1];
            return 503;
          }
          const answer = await other();
          retryAfter = answer.headers.get("retry-after");
          return answer.status;
        },
        { timeout: 20_000, interval: 100 },
      )
      .toBe(503);
    expect(retryAfter).toMatch(/^\d+$/);

    stalled.socket.destroy();
    const signed = signWebhook({ topic: "orders/create", shop: TEST_APP.shop, secret: TEST_APP.apiSecret, body: JSON.stringify({ admin_graphql_api_id: "gid://shopify/Order/9801", discount_codes: [] }) });
    await expect
      .poll(async () => (await fetch(`${app.url}/webhooks/orders/create`, { method: "POST", headers: signed.headers, body: signed.body })).status, { timeout: 20_000, interval: 100 })
      .toBe(200);
    expect(await db.webhookDelivery.count({ where: { webhookId: signed.webhookId } })).toBe(1);
  });
});
