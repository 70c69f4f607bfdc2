import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildOrderWebhookBody } from "../../src/order-payload";
import {
  SHOPIFY_RETRY_POLICY,
  WebhookDeliverer,
  orderBatch,
  quickRetryPolicy,
  signWebhook,
  type SignedWebhook,
} from "../../src/webhooks";
import { API_SECRET, APP_URL, SHOP, buildTestApp } from "./test-app";

interface Received {
  webhookId: string;
  topic: string;
  body: string;
}

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>;

/** A real HTTP server on 127.0.0.1:0 standing in for the app. */
async function startApp(handler: Handler = (_req, _body, res) => void res.end("ok")) {
  const received: Received[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({
        webhookId: String(req.headers["x-shopify-webhook-id"]),
        topic: String(req.headers["x-shopify-topic"]),
        body,
      });
      void Promise.resolve(handler(req, body, res)).catch((error: unknown) => {
        res.statusCode = 599;
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    maxInFlight: () => maxInFlight,
  };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function signedOrder(id: number, topic = "orders/create"): SignedWebhook {
  const body = buildOrderWebhookBody({ id: BigInt(id), orderNumber: id, customer: null, subtotal: "10.00", createdAt: new Date("2026-10-02T12:00:00Z") });
  return signWebhook({ topic, shop: SHOP, body, secret: API_SECRET });
}

describe("WebhookDeliverer over real HTTP", () => {
  it("GIVEN duplicates THEN the same delivery (same webhook id and body) arrives several times", async () => {
    const app = await startApp();
    const deliverer = new WebhookDeliverer();
    const signed = signedOrder(1001);

    const results = await deliverer.deliver(app.url, signed, { duplicates: 2 });

    expect(app.received).toHaveLength(3);
    expect(new Set(app.received.map((r) => r.webhookId))).toEqual(new Set([signed.webhookId]));
    expect(app.received.every((r) => r.body === signed.body)).toBe(true);
    expect(results.map((r) => [r.copy, r.delivered, r.finalStatus])).toEqual([
      [0, true, 200],
      [1, true, 200],
      [2, true, 200],
    ]);
    expect(deliverer.attemptsFor(signed.webhookId)).toHaveLength(3);
  });

  it("duplicates can also come as separate deliveries of one event (new webhook id, same event id)", async () => {
    const app = await startApp();
    const signed = signedOrder(1002);
    await new WebhookDeliverer().deliver(app.url, signed, { duplicates: 1, duplicateWebhookId: "new" });
    expect(app.received).toHaveLength(2);
    expect(app.received[0]!.webhookId).toBe(signed.webhookId);
    expect(app.received[1]!.webhookId).not.toBe(signed.webhookId);
  });

  it("GIVEN a batch in reverse order THEN the app receives them reversed", async () => {
    const app = await startApp();
    const batch = [signedOrder(1), signedOrder(2), signedOrder(3)];

    await new WebhookDeliverer().deliverBatch(app.url, batch, { order: "reverse" });

    expect(app.received.map((r) => r.webhookId)).toEqual([batch[2]!.webhookId, batch[1]!.webhookId, batch[0]!.webhookId]);
  });

  it("shuffles reproducibly from a seed", async () => {
    const items = Array.from({ length: 8 }, (_, i) => i);
    const shuffled = orderBatch(items, "shuffle", 42);
    expect(shuffled).toEqual(orderBatch(items, "shuffle", 42));
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(shuffled).not.toEqual(items);
    expect(orderBatch(["a", "b", "c"], [2, 0, 1])).toEqual(["c", "a", "b"]);

    const app = await startApp();
    const batch = items.map((i) => signedOrder(100 + i));
    await new WebhookDeliverer().deliverBatch(app.url, batch, { order: "shuffle", seed: 42 });
    expect(app.received.map((r) => r.webhookId)).toEqual(shuffled.map((i) => batch[i]!.webhookId));
  });

  it("GIVEN N concurrent copies THEN they are all in flight at the same time", async () => {
    const app = await startApp(async (_req, _body, res) => {
      await sleep(150);
      res.end("ok");
    });
    const deliverer = new WebhookDeliverer();

    const results = await deliverer.deliverConcurrently(app.url, signedOrder(2001), 5);

    expect(results).toHaveLength(5);
    expect(results.every((r) => r.delivered)).toBe(true);
    expect(app.maxInFlight()).toBe(5);
  });

  it("GIVEN a batch with concurrency 2 THEN at most 2 are in flight", async () => {
    const app = await startApp(async (_req, _body, res) => {
      await sleep(60);
      res.end("ok");
    });
    await new WebhookDeliverer().deliverBatch(app.url, [1, 2, 3, 4, 5].map((i) => signedOrder(i)), { concurrency: 2 });
    expect(app.received).toHaveLength(5);
    expect(app.maxInFlight()).toBe(2);
  });

  it("records the status the app answered for every attempt, without retrying by default", async () => {
    const app = await startApp((req, _body, res) => {
      res.statusCode = req.headers["x-shopify-topic"] === "orders/cancelled" ? 500 : 200;
      res.end(res.statusCode === 500 ? "boom" : "ok");
    });
    const deliverer = new WebhookDeliverer();

    const [created] = await deliverer.deliver(app.url, signedOrder(1, "orders/create"));
    const [cancelled] = await deliverer.deliver(app.url, signedOrder(1, "orders/cancelled"));

    expect(deliverer.statuses()).toEqual([200, 500]);
    expect(created).toMatchObject({ delivered: true, finalStatus: 200 });
    expect(cancelled).toMatchObject({ delivered: false, finalStatus: 500 });
    expect(cancelled!.attempts[0]).toMatchObject({ status: 500, ok: false, error: null, responseBody: "boom", topic: "orders/cancelled" });
  });

  it("GIVEN retries enabled THEN non-2xx answers are retried with the same webhook id until a 2xx", async () => {
    let calls = 0;
    const app = await startApp((_req, _body, res) => {
      calls++;
      res.statusCode = calls <= 2 ? 503 : 200;
      res.end();
    });
    const waits: number[] = [];
    // An injected sleep records the schedule without waiting: the fake-time-friendly path.
    const deliverer = new WebhookDeliverer({ retry: SHOPIFY_RETRY_POLICY, sleep: async (ms) => void waits.push(ms) });
    const signed = signedOrder(3001);

    const [result] = await deliverer.deliver(app.url, signed);

    expect(result!.attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 503],
      [2, 503],
      [3, 200],
    ]);
    expect(result!.delivered).toBe(true);
    expect(new Set(app.received.map((r) => r.webhookId))).toEqual(new Set([signed.webhookId]));
    expect(waits.filter((ms) => ms > 0)).toEqual([60_000, 120_000]);
  });

  it("GIVEN vitest fake timers THEN the default sleep follows Shopify's schedule in fake time", async () => {
    let calls = 0;
    const app = await startApp((_req, _body, res) => {
      calls++;
      res.statusCode = calls <= 2 ? 500 : 200;
      res.end();
    });
    // Only timers and Date are faked: the HTTP exchange itself still runs for real.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const deliverer = new WebhookDeliverer({ retry: SHOPIFY_RETRY_POLICY });
      const finished = async (count: number) => {
        for (let i = 0; i < 500; i++) {
          if (deliverer.attempts.length === count && deliverer.attempts[count - 1]!.finishedAt) return;
          await new Promise((resolve) => setImmediate(resolve));
        }
        throw new Error(`attempt ${count} did not finish`);
      };
      const done = deliverer.deliver(app.url, signedOrder(3003));

      await finished(1);
      await vi.advanceTimersByTimeAsync(59_999);
      expect(deliverer.attempts).toHaveLength(1); // first retry waits a full minute
      await vi.advanceTimersByTimeAsync(1);
      await finished(2);
      await vi.advanceTimersByTimeAsync(120_000); // then two minutes
      await finished(3);
      const [result] = await done;

      expect(result!.delivered).toBe(true);
      expect(deliverer.statuses()).toEqual([500, 500, 200]);
      const starts = deliverer.attempts.map((a) => a.startedAt.getTime());
      expect([starts[1]! - starts[0]!, starts[2]! - starts[1]!]).toEqual([60_000, 120_000]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("gives up after the configured number of retries", async () => {
    const app = await startApp((_req, _body, res) => {
      res.statusCode = 500;
      res.end();
    });
    const [result] = await new WebhookDeliverer({ retry: quickRetryPolicy(3, 1) }).deliver(app.url, signedOrder(3002));
    expect(result!.attempts).toHaveLength(4);
    expect(result!.delivered).toBe(false);
  });

  it("counts a redirect as a failed attempt (not followed)", async () => {
    const app = await startApp((_req, _body, res) => {
      res.statusCode = 302;
      res.setHeader("Location", "/elsewhere");
      res.end();
    });
    const [result] = await new WebhookDeliverer().deliver(app.url, signedOrder(4001));
    expect(result).toMatchObject({ delivered: false, finalStatus: 302 });
    expect(app.received).toHaveLength(1);
  });

  it("GIVEN the app is down THEN the network error is recorded, not thrown", async () => {
    const app = await startApp();
    const url = app.url;
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const deliverer = new WebhookDeliverer();

    const [result] = await deliverer.deliver(url, signedOrder(5001));

    expect(result!.delivered).toBe(false);
    expect(result!.attempts[0]).toMatchObject({ status: null, ok: false });
    expect(result!.attempts[0]!.error).toMatch(/ECONNREFUSED/);
  });

  it("GIVEN the app answers too slowly THEN the attempt times out and is recorded", async () => {
    const app = await startApp(async (_req, _body, res) => {
      await sleep(500);
      res.end("late");
    });
    const [result] = await new WebhookDeliverer({ timeoutMs: 100 }).deliver(app.url, signedOrder(6001));
    expect(result!.attempts[0]).toMatchObject({ status: null, ok: false, error: "timeout after 100 ms" });
  });

  it("end to end: the library's authenticate.webhook accepts what arrives over HTTP and rejects tampering", async () => {
    const { shopify } = buildTestApp();
    const app = await startApp(async (req, body, res) => {
      const headers = new Headers();
      for (const [key, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(key, value);
      try {
        const context = await shopify.authenticate.webhook(new Request(`${APP_URL}${req.url}`, { method: "POST", headers, body }));
        res.end(context.topic);
      } catch (error) {
        res.statusCode = error instanceof Response ? error.status : 500;
        res.end();
      }
    });
    const good = signedOrder(7001);
    const bad = signWebhook({ topic: "orders/create", shop: SHOP, body: good.body, secret: API_SECRET, tamper: { kind: "modify-body", body: good.body.replace('"10.00"', '"1.00"') } });
    const deliverer = new WebhookDeliverer();

    await deliverer.deliverBatch(app.url, [good, bad]);

    expect(deliverer.statuses()).toEqual([200, 401]);
    expect(deliverer.attempts[0]!.responseBody).toBe("ORDERS_CREATE");
  });
});
