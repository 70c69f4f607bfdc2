// The webhook pipeline, from outside: real signed deliveries (the emulator's signer) to the app's
// production build on a real port, then the worker's inbox applied as the worker applies it.
// One test per defect found when the landed app was tried from outside (issue 11), plus the
// inbox's guarantees (retries for every topic, dead letters, crash between recorded and applied).
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { cancelReward } from "~/services/rewards/cancel.server";
import type { RewardDeps } from "~/services/rewards/deps.server";
import { redeemPoints } from "~/services/rewards/redeem-points.server";
import { WEBHOOK_EFFECTS } from "~/services/webhooks/effects.server";
import { claimDueDeliveries, WEBHOOK_RETRY_POLICY, type WebhookEffects } from "~/services/webhooks/inbox.server";
import type { WebhookTopic } from "~/services/webhooks/context";
import { MAX_WEBHOOK_BYTES } from "~/services/webhooks/receive.server";
import { useRunningApp } from "../support/app";
import { postChunked } from "../support/http";
import { applyWebhooks } from "../support/webhooks";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { createCustomer, createTemplate } from "../support/factories";
import { programCustomer, rewardWithDiscount } from "../support/rewards";
import { signWebhook, type SignedWebhook } from "../../emulator/src/webhooks";
import { signAppProxyRequest } from "../../emulator/src/app-proxy";
import { allowErrorLogs } from "../support/error-logs";

const fixture = useShopifyEmulator();
const { emulator } = fixture;
const SHOP = TEST_APP.shop;
const app = useRunningApp({ emulator });
let customer: Awaited<ReturnType<typeof programCustomer>>;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
});
beforeEach(async () => {
  customer = await programCustomer(emulator, SHOP);
});

const reload = (id: string) => db.reward.findUniqueOrThrow({ where: { id } });
const events = (rewardId: string) => db.rewardEvent.findMany({ where: { rewardId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
const recorded = (webhookId: string) => db.webhookDelivery.findMany({ where: { webhookId } });
const sign = (topic: string, body: string, shop: string = SHOP, extra: Partial<Parameters<typeof signWebhook>[0]> = {}) =>
  signWebhook({ topic, shop, body, secret: TEST_APP.apiSecret, ...extra });
const post = (url: string, signed: SignedWebhook) => fetch(url, { method: "POST", headers: signed.headers, body: signed.body });

describe("the body limit holds on the bytes actually read", () => {
  it("GIVEN a correctly signed 6 MB orders/create sent chunked (no Content-Length) WHEN delivered THEN 413 and nothing is recorded", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const body = JSON.stringify({ discount_codes: [{ code: reward.code }], admin_graphql_api_id: "gid://shopify/Order/61", note: "x".repeat(6 * 1024 * 1024) });
    const signed = sign("orders/create", body);
    const { "Content-Length": _omit, ...headers } = signed.headers as Record<string, string>;
    const result = await postChunked(emulator.webhookUrl("orders/create"), headers, Buffer.from(body), Buffer.byteLength(body));
    expect(result.status).toBe(413);
    expect(result.body).toContain("Payload Too Large");
    expect(await recorded(signed.webhookId)).toHaveLength(0);
    await applyWebhooks();
    expect((await reload(reward.id)).status).toBe("ISSUED");
  });

  it("GIVEN an unsigned 300 MB chunked body WHEN sent THEN 413 comes long before the sender is done, and the app's memory stays bounded", async () => {
    const signed = sign("orders/create", "{}", SHOP, { tamper: { kind: "wrong-secret" } });
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    const total = 300 * 1024 * 1024;
    const rssBefore = process.memoryUsage().rss;
    const result = await postChunked(emulator.webhookUrl("orders/create"), signed.headers, chunk, total);
    const grown = process.memoryUsage().rss - rssBefore;
    expect(result.status).toBe(413);
    // The answer came after at most the limit plus what was in flight in socket buffers.
    expect(result.sent).toBeLessThan(total / 4);
    expect(result.sent).toBeGreaterThan(MAX_WEBHOOK_BYTES);
    expect(grown).toBeLessThan(100 * 1024 * 1024);
  });

  it("GIVEN a declared Content-Length over the limit THEN 413 without reading the body", async () => {
    const signed = sign("orders/create", JSON.stringify({ note: "x".repeat(MAX_WEBHOOK_BYTES + 10) }));
    const res = await post(emulator.webhookUrl("orders/create"), signed);
    expect(res.status).toBe(413);
  });
});

describe("each topic's effects run only for that topic", () => {
  it.each(["orders/cancelled", "products/update", "discounts/update"])(
    "GIVEN a correctly signed %s delivery carrying an Issued code, posted to /webhooks/orders/create THEN 400, not recorded, the reward stays Issued",
    async (topic) => {
      const reward = await rewardWithDiscount(emulator, SHOP, customer);
      const signed = sign(topic, JSON.stringify({ admin_graphql_api_id: "gid://shopify/Order/71", discount_codes: [{ code: reward.code }] }));
      const res = await post(emulator.webhookUrl("orders/create"), signed);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(`topic ${topic} is not accepted here`);
      expect(await recorded(signed.webhookId)).toHaveLength(0);
      await applyWebhooks();
      expect((await reload(reward.id)).status).toBe("ISSUED");
    },
  );

  it("GIVEN an orders/create delivery posted to the compliance route THEN 400 and nothing is recorded", async () => {
    const signed = sign("orders/create", JSON.stringify({ discount_codes: [] }));
    const res = await post(emulator.webhookUrl("customers/redact"), signed);
    expect(res.status).toBe(400);
    expect(await recorded(signed.webhookId)).toHaveLength(0);
  });
});

describe("the webhook id and API version are checked before the delivery is recorded", () => {
  it.each([
    ["a webhook id of 300 characters", { webhookId: "w".repeat(300) }, "X-Shopify-Webhook-Id"],
    ["a webhook id with a space", { webhookId: "two words" }, "X-Shopify-Webhook-Id"],
    ["an API version that is not one", { apiVersion: "latest; DROP" }, "X-Shopify-API-Version"],
    ["an API version no quarter has (9999-99)", { apiVersion: "9999-99" }, "X-Shopify-API-Version"],
    ["an API version in a month Shopify releases none (2026-11)", { apiVersion: "2026-11" }, "X-Shopify-API-Version"],
  ])("GIVEN a correctly signed delivery with %s THEN 400 naming the header, nothing recorded", async (_label, extra, header) => {
    const signed = sign("orders/create", JSON.stringify({ discount_codes: [] }), SHOP, extra);
    const res = await post(emulator.webhookUrl("orders/create"), signed);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(header);
    expect(await db.webhookDelivery.count({ where: { webhookId: signed.webhookId } })).toBe(0);
  });

  it("GIVEN Shopify's own forms (a UUID, 2026-10, unstable) THEN they are recorded", async () => {
    for (const apiVersion of ["2026-10", "2025-01", "unstable"]) {
      const signed = sign("orders/create", JSON.stringify({ discount_codes: [] }), SHOP, { apiVersion });
      expect((await post(emulator.webhookUrl("orders/create"), signed)).status).toBe(200);
      expect(await recorded(signed.webhookId)).toHaveLength(1);
      // Not left in the inbox for the next tests' workers.
      await db.webhookDelivery.deleteMany({ where: { webhookId: signed.webhookId } });
    }
  });
});

describe("headers Shopify never sends cost nothing before the HMAC is checked", () => {
  // The library canonicalizes every header it is given on every lookup (a cost that grows with the
  // square of their number); it is given a fixed list (receive.server.ts, libraryRequest).
  const withExtras = (signed: SignedWebhook, count: number) => {
    const headers = new Headers(signed.headers);
    for (let i = 0; i < count; i++) headers.append(`X-Shopify-Extra-${i}`, "1");
    return headers;
  };

  it("GIVEN a correctly signed delivery carrying 600 extra X-Shopify-* headers THEN it is recorded once", async () => {
    const signed = sign("orders/create", JSON.stringify({ discount_codes: [] }));
    const res = await fetch(emulator.webhookUrl("orders/create"), { method: "POST", headers: withExtras(signed, 600), body: signed.body });
    expect(res.status).toBe(200);
    expect(await recorded(signed.webhookId)).toHaveLength(1);
    await db.webhookDelivery.deleteMany({ where: { webhookId: signed.webhookId } });
  });

  it("GIVEN the same with a wrong HMAC THEN 401 and nothing recorded", async () => {
    const signed = sign("orders/create", JSON.stringify({ discount_codes: [] }));
    const headers = withExtras(signed, 600);
    headers.set("X-Shopify-Hmac-Sha256", Buffer.alloc(32).toString("base64"));
    const res = await fetch(emulator.webhookUrl("orders/create"), { method: "POST", headers, body: signed.body });
    expect(res.status).toBe(401);
    expect(await recorded(signed.webhookId)).toHaveLength(0);
  });
});

describe("an invalid shop domain is bad input, not a server error", () => {
  const INVALID = [
    "evil.example.com",
    "https://x.myshopify.com",
    "x.myshopify.com.evil.com",
    // Accepted by the library's sanitizeShop, but not the domain Shopify writes: rows keyed by them
    // would belong to no installed shop (app/domain/shopify-ids.ts).
    "Test-Shop.myshopify.com",
    `${SHOP}/`,
    "test-shop.shopify.com",
    "admin.shopify.com/store/test-shop",
  ];

  it.each(INVALID)("GIVEN a correctly signed delivery from %s THEN 400 with a clear body, nothing recorded, nothing at error level", async (shop) => {
    const consoleError = vi.spyOn(console, "error");
    const errorLog = vi.spyOn(logger, "error");
    try {
      const signed = sign("orders/create", JSON.stringify({ discount_codes: [] }), shop);
      const res = await post(emulator.webhookUrl("orders/create"), signed);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("X-Shopify-Shop-Domain is not a valid myshopify.com domain");
      expect(await recorded(signed.webhookId)).toHaveLength(0);
      expect(consoleError).not.toHaveBeenCalled();
      expect(errorLog).not.toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
      errorLog.mockRestore();
    }
  });

  it.each(INVALID)("GIVEN a correctly signed app-proxy request for shop %s THEN 400 invalid_shop, nothing at error level", async (shop) => {
    const consoleError = vi.spyOn(console, "error");
    try {
      const url = signAppProxyRequest(`${app.url}/apps-proxy/program`, { secret: TEST_APP.apiSecret, shop, loggedInCustomerId: null });
      const res = await fetch(url);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_shop");
      expect(consoleError).not.toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
    }
  });
});

/** The registered effects, with `topic`'s replaced by one that throws `failures` times first. */
function failingFor(topic: WebhookTopic, failures: number): { effects: WebhookEffects; calls: () => number } {
  let calls = 0;
  const effects = {
    ...WEBHOOK_EFFECTS,
    [topic]: [
      async (...args: Parameters<WebhookEffects[WebhookTopic][number]>) => {
        calls++;
        if (calls <= failures) throw new Error(`injected failure ${calls} of ${topic}`);
        for (const effect of WEBHOOK_EFFECTS[topic]) await effect(...args);
      },
    ],
  } as WebhookEffects;
  return { effects, calls: () => calls };
}

describe("one failure mechanism for every topic: retried with backoff, dead-lettered with a visible reason", () => {
  it("GIVEN customers/redact whose effect throws once WHEN Shopify retries the same delivery and the worker runs again THEN the retry is 200 and the redaction happens once", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const sent = await emulator.customersRedact(SHOP, customer.gid);
    expect(sent.results[0].finalStatus).toBe(200);
    const { effects, calls } = failingFor("customers/redact", 1);

    const first = await applyWebhooks({ effects });
    expect(first).toMatchObject({ claimed: 1, applied: 0, retried: 1 });
    const [row] = await recorded(sent.signed.webhookId);
    expect(row.lastError).toContain("injected failure 1 of customers/redact");
    expect(row.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).email).toBe(customer.email);

    // Shopify's retry of the same delivery is a duplicate: answered at once, nothing new recorded.
    const retry = await emulator.deliverer.deliver(sent.url, sent.signed);
    expect(retry[0].finalStatus).toBe(200);
    expect(await recorded(sent.signed.webhookId)).toHaveLength(1);

    // The inbox retries it after its backoff.
    const later = new Date(row.nextAttemptAt!.getTime() + 1);
    const second = await applyWebhooks({ effects, now: () => later });
    expect(second).toMatchObject({ claimed: 1, applied: 1 });
    expect(calls()).toBe(2);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).email).toBeNull();
    expect((await reload(reward.id)).code).toBe("REDACTED");
    expect((await recorded(sent.signed.webhookId))[0]).toMatchObject({ appliedAt: expect.any(Date), nextAttemptAt: null, payload: null, attempts: 2 });
  });

  const TOPICS: [WebhookTopic, string][] = [
    ["orders/create", JSON.stringify({ discount_codes: [] })],
    ["discounts/update", JSON.stringify({ admin_graphql_api_id: "gid://shopify/DiscountCodeNode/1", status: "EXPIRED" })],
    ["discounts/delete", JSON.stringify({ admin_graphql_api_id: "gid://shopify/DiscountCodeNode/1" })],
    ["app/uninstalled", JSON.stringify({ id: 1 })],
    ["app/scopes_update", JSON.stringify({ current: ["read_orders"] })],
    ["customers/data_request", JSON.stringify({ customer: { id: 1 } })],
    ["customers/redact", JSON.stringify({ customer: { id: 1 } })],
    ["shop/redact", JSON.stringify({ shop_domain: "nobody.myshopify.com" })],
  ];

  it.each(TOPICS)(`GIVEN a %s delivery whose effect always throws THEN it is retried ${WEBHOOK_RETRY_POLICY.maxAttempts} times with growing waits, then dead-lettered with the error kept`, async (topic, body) => {
    const logged = allowErrorLogs(); // a delivery dead-lettered for good is an error worth a log line
    const shop = `dead-${topic.replace(/\W/g, "-")}.myshopify.com`;
    await db.shop.create({ data: { domain: shop } }); // installed: a shop the app holds nothing for gets nothing applied
    const sent = await emulator.sendWebhook(topic, shop, body);
    expect(sent.results[0].finalStatus).toBe(200);
    const { effects } = failingFor(topic, Infinity);
    let now = new Date();
    const waits: number[] = [];
    for (let attempt = 1; attempt <= WEBHOOK_RETRY_POLICY.maxAttempts; attempt++) {
      const summary = await applyWebhooks({ effects, now: () => now, random: () => 0 });
      expect(summary.claimed).toBe(1);
      const [row] = await recorded(sent.signed.webhookId);
      expect(row.attempts).toBe(attempt);
      if (attempt < WEBHOOK_RETRY_POLICY.maxAttempts) {
        expect(row.deadAt).toBeNull();
        waits.push(row.nextAttemptAt!.getTime() - now.getTime());
        now = row.nextAttemptAt!;
      }
    }
    const [dead] = await recorded(sent.signed.webhookId);
    expect(dead).toMatchObject({ nextAttemptAt: null, appliedAt: null, deadAt: expect.any(Date) });
    expect(dead.lastError).toContain(`injected failure ${WEBHOOK_RETRY_POLICY.maxAttempts} of ${topic}`);
    expect(waits).toEqual([...waits].sort((a, b) => a - b));
    expect(waits[0]).toBeGreaterThan(0);
    expect(logged.messages()).toEqual(["webhook effect failed for good; delivery dead-lettered"]);
    // Dead letters are not picked up again.
    expect((await applyWebhooks({ effects, now: () => new Date(now.getTime() + 86_400_000) })).claimed).toBe(0);
  });
});

describe("a recorded delivery is never lost", () => {
  it("GIVEN a delivery recorded and claimed by a worker that then died WHEN its lease runs out THEN another worker applies it", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const { webhook } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code] });
    expect(webhook.results[0].finalStatus).toBe(200);
    // The crashed worker: it claimed the delivery and never came back.
    const claimed = await claimDueDeliveries(db, { workerId: "crashed", now: new Date(), batchSize: 100, leaseMs: 60_000 });
    expect(claimed.map((c) => c.webhookId)).toContain(webhook.signed.webhookId);

    // While its lease runs, nobody else takes it.
    expect((await applyWebhooks()).claimed).toBe(0);
    expect((await reload(reward.id)).status).toBe("ISSUED");

    // After a restart, once the lease has run out, it is applied.
    const afterLease = new Date(Date.now() + 61_000);
    expect((await applyWebhooks({ now: () => afterLease })).applied).toBeGreaterThanOrEqual(1);
    expect((await reload(reward.id)).status).toBe("USED");
    expect((await recorded(webhook.signed.webhookId))[0].appliedAt).toBeInstanceOf(Date);
  });

  it("GIVEN a delivery recorded while no worker runs WHEN a worker starts later THEN it is applied", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code] });
    expect((await reload(reward.id)).status).toBe("ISSUED");
    await applyWebhooks();
    expect((await reload(reward.id)).status).toBe("USED");
  });
});

describe("concurrent orders carrying one code", () => {
  it("GIVEN five different orders with one code delivered at once THEN 1 Used and 4 'code seen again' notes", async () => {
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const bodies = Array.from({ length: 5 }, (_, i) =>
      JSON.stringify({ admin_graphql_api_id: `gid://shopify/Order/${9100 + i}`, name: `#${9100 + i}`, discount_codes: [{ code: reward.code }], customer: { admin_graphql_api_id: customer.gid } }),
    );
    const signed = bodies.map((body) => sign("orders/create", body));
    const statuses = await Promise.all(signed.map((s) => post(emulator.webhookUrl("orders/create"), s).then((r) => r.status)));
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    await applyWebhooks();
    const after = await reload(reward.id);
    expect(after.status).toBe("USED");
    const all = await events(reward.id);
    expect(all.filter((e) => e.toStatus === "USED" && e.type === "STATUS_CHANGED")).toHaveLength(1);
    const notes = all.filter((e) => e.type === "NOTE");
    expect(notes).toHaveLength(4);
    expect(new Set(notes.map((n) => n.dedupeKey))).toEqual(new Set(signed.map((_, i) => `order:gid://shopify/Order/${9100 + i}`).filter((k) => k !== `order:${after.usedOrderGid}`)));
  });
});

describe("a cancellation does not hide a real use (docs/decisions/014)", () => {
  function deps(): RewardDeps {
    return { db, logger, adminFor: (shop) => fixture.adminGraphql(shop), now: () => new Date() } as RewardDeps;
  }

  async function redeemed() {
    const who = await createCustomer(db, SHOP, { pointsBalance: 300 }, emulator);
    const template = await createTemplate(db, SHOP, { kind: "FIXED_AMOUNT", value: "10.00", pointsCost: 100 });
    const r = await redeemPoints(deps(), { shop: SHOP, customerGid: who.shopifyCustomerId, templateId: template.id, idempotencyKey: `pipeline-${Date.now()}-${Math.random()}` });
    if (!r.ok) throw new Error(r.error.message);
    return { who, reward: r.reward };
  }

  it("GIVEN an order placed, THEN the reward canceled with its points refunded, THEN the order's webhook WHEN applied THEN Used, the refund taken back and recorded", async () => {
    const { who, reward } = await redeemed();
    const { webhook } = await emulator.placeOrder(SHOP, { customerId: who.shopifyCustomerId, codes: [reward.code] }, { deliver: false });
    const canceled = await cancelReward(deps(), { shop: SHOP, rewardId: reward.id, reason: "Customer asked" });
    expect(canceled).toMatchObject({ ok: true, pointsRefunded: 100 });
    expect((await db.customer.findUniqueOrThrow({ where: { id: who.id } })).pointsBalance).toBe(300);

    await emulator.deliverer.deliver(webhook.url, webhook.signed, { duplicates: 1 });
    await applyWebhooks();

    const after = await reload(reward.id);
    expect(after.status).toBe("USED");
    expect(after.usedOrderGid).toBe(JSON.parse(webhook.signed.body).admin_graphql_api_id);
    const change = (await events(reward.id)).filter((e) => e.fromStatus === "CANCELED" && e.toStatus === "USED");
    expect(change).toHaveLength(1);
    expect(change[0].reason).toContain("placed before the reward was canceled");
    expect((await db.customer.findUniqueOrThrow({ where: { id: who.id } })).pointsBalance).toBe(200);
    const reversal = await db.pointsTransaction.findMany({ where: { rewardId: reward.id, reason: "REFUND_REVERSED" } });
    expect(reversal).toHaveLength(1);
    expect(reversal[0]).toMatchObject({ delta: -100, balanceAfter: 200 });
    expect(reversal[0].note).toContain("placed before the reward was canceled");
  });

  it("GIVEN the refunded points were spent since WHEN the earlier order arrives THEN the balance stops at zero and the shortfall is recorded", async () => {
    const { who, reward } = await redeemed();
    const { webhook } = await emulator.placeOrder(SHOP, { customerId: who.shopifyCustomerId, codes: [reward.code] }, { deliver: false });
    await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
    // The customer spent the refunded points on something else.
    await db.customer.update({ where: { id: who.id }, data: { pointsBalance: 40 } });
    await emulator.deliverer.deliver(webhook.url, webhook.signed);
    await applyWebhooks();
    expect((await reload(reward.id)).status).toBe("USED");
    const reversal = await db.pointsTransaction.findFirstOrThrow({ where: { rewardId: reward.id, reason: "REFUND_REVERSED" } });
    // The balance never goes below zero (issue #13): 40 taken, 60 recorded as the shortfall.
    expect(reversal).toMatchObject({ delta: -40, balanceAfter: 0, shortfall: 60 });
    expect(reversal.note).toContain("60 points were already spent");
    expect(await db.customer.findUniqueOrThrow({ where: { id: who.id } })).toMatchObject({ pointsBalance: 0, pointsShortfall: 60 });
  });

  it("GIVEN a reward canceled an hour ago WHEN an order placed after the cancel carries its code THEN it stays Canceled and the use is recorded", async () => {
    const { reward } = await redeemed();
    await cancelReward(deps(), { shop: SHOP, rewardId: reward.id });
    await db.reward.update({ where: { id: reward.id }, data: { canceledAt: new Date(Date.now() - 3_600_000) } });
    const body = JSON.stringify({ admin_graphql_api_id: "gid://shopify/Order/9301", name: "#9301", created_at: new Date().toISOString(), discount_codes: [{ code: reward.code }] });
    await emulator.sendWebhook("orders/create", SHOP, body);
    await applyWebhooks();
    expect((await reload(reward.id)).status).toBe("CANCELED");
    expect((await events(reward.id)).filter((e) => e.type === "USED_AFTER_FINAL")).toHaveLength(1);
    expect(await db.pointsTransaction.count({ where: { rewardId: reward.id, reason: "REFUND_REVERSED" } })).toBe(0);
  });
});

describe("a delivery is taken only in the form Shopify sends it (2 December audit)", () => {
  const ORDER = JSON.stringify({ admin_graphql_api_id: "gid://shopify/Order/9401", discount_codes: [] });

  it.each(["ORDERS/CREATE", "Orders/Create", "orders_create", "ORDERS_CREATE", "orders.create"])(
    "GIVEN a correctly signed delivery whose X-Shopify-Topic is %s (not the topic as Shopify writes it) THEN 400, nothing recorded",
    async (topic) => {
      const signed = sign(topic, ORDER);
      const res = await post(emulator.webhookUrl("orders/create"), signed);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("is not accepted here");
      expect(await recorded(signed.webhookId)).toHaveLength(0);
    },
  );

  it.each(["null", "[]", "42", '"orders"', "true", '[{"admin_graphql_api_id":"gid://shopify/Order/9402"}]'])(
    "GIVEN a correctly signed body %s (JSON, but not an object: every Shopify body is one) THEN 400, nothing recorded",
    async (body) => {
      const signed = sign("orders/create", body);
      const res = await post(emulator.webhookUrl("orders/create"), signed);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("not a JSON object");
      expect(await recorded(signed.webhookId)).toHaveLength(0);
    },
  );

  it.each([
    ["text/plain", "text/plain"],
    ["a JSON-like media type", "application/json-patch+json"],
    ["a form", "application/x-www-form-urlencoded"],
  ])("GIVEN a correctly signed JSON body sent as %s THEN 415, nothing recorded", async (_label, type) => {
    const signed = sign("orders/create", ORDER);
    const res = await fetch(emulator.webhookUrl("orders/create"), { method: "POST", headers: { ...signed.headers, "Content-Type": type }, body: signed.body });
    expect(res.status).toBe(415);
    expect(await res.text()).toContain("application/json");
    expect(await recorded(signed.webhookId)).toHaveLength(0);
  });

  it("GIVEN a correctly signed JSON body with no Content-Type THEN 415, nothing recorded", async () => {
    const signed = sign("orders/create", ORDER);
    const { "Content-Type": _omit, ...headers } = signed.headers as Record<string, string>;
    const res = await fetch(emulator.webhookUrl("orders/create"), { method: "POST", headers, body: new TextEncoder().encode(signed.body) });
    expect(res.status).toBe(415);
    expect(await recorded(signed.webhookId)).toHaveLength(0);
  });

  it("GIVEN a gzip-compressed body (Content-Encoding: gzip, signed as sent) THEN 415 naming the encoding, not an HMAC failure, nothing recorded", async () => {
    const { gzipSync } = await import("node:zlib");
    const { createHmac } = await import("node:crypto");
    const compressed = gzipSync(ORDER);
    const signed = sign("orders/create", ORDER);
    const headers = { ...signed.headers, "Content-Encoding": "gzip", "X-Shopify-Hmac-Sha256": createHmac("sha256", TEST_APP.apiSecret).update(compressed).digest("base64") };
    const res = await fetch(emulator.webhookUrl("orders/create"), { method: "POST", headers, body: compressed });
    expect(res.status).toBe(415);
    expect(await res.text()).toContain("Content-Encoding");
    expect(await recorded(signed.webhookId)).toHaveLength(0);
  });

  // JSON.parse takes 100 000 levels; JSON.parse with a reviver (the exact reading of ids), a
  // recursive walk or JSON.stringify give up far sooner — the privacy scrub of such a body fell back
  // to replacing identifier strings only, leaving the redacted customer's other fields in it.
  it("GIVEN a correctly signed order nested 10 000 levels deep THEN 400, nothing recorded", async () => {
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    const signed = sign("orders/create", ORDER.replace('"discount_codes":[]', `"discount_codes":[],"note_attributes":${deep}`));
    const res = await post(emulator.webhookUrl("orders/create"), signed);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("nested");
    expect(await recorded(signed.webhookId)).toHaveLength(0);
  });
});

describe("a sender that goes away mid-body (2 December audit)", () => {
  it("GIVEN a signed delivery whose connection closes before its declared Content-Length THEN nothing is recorded and the server reports no error (production logs what it reports at error level)", async () => {
    const { startApp } = await import("../support/app");
    const net = await import("node:net");
    const reported: unknown[] = [];
    let handled = 0;
    const server = await startApp({ onError: (error) => reported.push(error), onHandled: () => handled++ });
    try {
      const signed = sign("orders/create", JSON.stringify({ admin_graphql_api_id: "gid://shopify/Order/9601", discount_codes: [] }));
      const head = [`POST /webhooks/orders/create HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, `Content-Length: ${signed.body.length + 100}`, ...Object.entries(signed.headers).map(([k, v]) => `${k}: ${v}`), "", ""].join("\r\n");
      await new Promise<void>((resolve) => {
        const socket = net.connect(server.port, "127.0.0.1", () => {
          socket.write(head + signed.body.slice(0, 20));
          socket.destroy();
          resolve();
        });
      });
      await expect.poll(() => handled).toBe(1);
      expect(reported.map(String)).toEqual([]);
      expect(await recorded(signed.webhookId)).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});

describe("one webhook id, one delivery (2 December audit)", () => {
  it("GIVEN a recorded orders/create WHEN a signed customers/create arrives with the same X-Shopify-Webhook-Id THEN 409 (not Shopify's retry of it), nothing recorded over it", async () => {
    const first = sign("orders/create", JSON.stringify({ admin_graphql_api_id: "gid://shopify/Order/9701", discount_codes: [] }));
    expect((await post(emulator.webhookUrl("orders/create"), first)).status).toBe(200);
    const other = sign("customers/create", JSON.stringify({ admin_graphql_api_id: "gid://shopify/Customer/9701" }), SHOP, { webhookId: first.webhookId });
    const res = await post(emulator.webhookUrl("customers/create"), other);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("X-Shopify-Webhook-Id");
    expect((await recorded(first.webhookId)).map((r) => r.topic)).toEqual(["orders/create"]);
  });

  it("GIVEN the same id and topic again (Shopify's retry) THEN 200 and one record; the same id from another shop is that shop's own delivery", async () => {
    const first = sign("orders/create", JSON.stringify({ admin_graphql_api_id: "gid://shopify/Order/9702", discount_codes: [] }));
    expect((await post(emulator.webhookUrl("orders/create"), first)).status).toBe(200);
    expect((await post(emulator.webhookUrl("orders/create"), first)).status).toBe(200);
    const elsewhere = sign("orders/create", first.body, "other-shop.myshopify.com", { webhookId: first.webhookId });
    expect((await post(emulator.webhookUrl("orders/create"), elsewhere)).status).toBe(200);
    expect((await recorded(first.webhookId)).map((r) => r.shop).sort()).toEqual(["other-shop.myshopify.com", SHOP]);
    await db.webhookDelivery.deleteMany({ where: { webhookId: first.webhookId } });
  });

  it("GIVEN a recorded orders/create WHEN a signed orders/create with the same id and topic but ANOTHER body arrives THEN 409 (not Shopify's retry: a retry carries the same body), the first body kept; the real retry stays a 200", async () => {
    const first = sign("orders/create", JSON.stringify({ admin_graphql_api_id: "gid://shopify/Order/9703", discount_codes: [] }));
    expect((await post(emulator.webhookUrl("orders/create"), first)).status).toBe(200);
    const other = sign("orders/create", JSON.stringify({ admin_graphql_api_id: "gid://shopify/Order/9704", discount_codes: [] }), SHOP, { webhookId: first.webhookId });
    const res = await post(emulator.webhookUrl("orders/create"), other);
    expect(res.status).toBe(409);
    const text = await res.text();
    expect(text).toContain("X-Shopify-Webhook-Id");
    expect(text).toContain("different body");
    expect(text).not.toContain("9704");
    const rows = await recorded(first.webhookId);
    expect(rows.map((r) => [r.topic, r.payload])).toEqual([["orders/create", first.body]]);
    // Shopify's retry: same id, same body.
    expect((await post(emulator.webhookUrl("orders/create"), first)).status).toBe(200);
    expect(await recorded(first.webhookId)).toHaveLength(1);
    await db.webhookDelivery.deleteMany({ where: { webhookId: first.webhookId } });
  });

  it("GIVEN a delivery recorded before bodies were hashed (no hash) WHEN the same id and topic arrive with another body THEN only the topic is compared, as before: 200, nothing recorded over it", async () => {
    const first = sign("orders/create", JSON.stringify({ admin_graphql_api_id: "gid://shopify/Order/9705", discount_codes: [] }));
    expect((await post(emulator.webhookUrl("orders/create"), first)).status).toBe(200);
    await db.webhookDelivery.updateMany({ where: { webhookId: first.webhookId }, data: { bodyHash: null } });
    const other = sign("orders/create", JSON.stringify({ admin_graphql_api_id: "gid://shopify/Order/9706", discount_codes: [] }), SHOP, { webhookId: first.webhookId });
    expect((await post(emulator.webhookUrl("orders/create"), other)).status).toBe(200);
    expect((await recorded(first.webhookId)).map((r) => r.payload)).toEqual([first.body]);
    await db.webhookDelivery.deleteMany({ where: { webhookId: first.webhookId } });
  });
});
