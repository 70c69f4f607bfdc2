// GIVEN the production build on a real port and the emulator playing Shopify, an order carrying a
//       reward's code whose effect failed on every attempt (dead-lettered by the worker's inbox)
// WHEN the merchant opens "Webhook deliveries" in the admin and retries it
// THEN the page lists the delivery's metadata and error — never its payload — for this shop only,
//      the retry re-queues it, and the worker then applies it (the reward becomes Used).
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { WEBHOOK_EFFECTS } from "~/services/webhooks/effects.server";
import { WEBHOOK_RETRY_POLICY, type WebhookEffects } from "~/services/webhooks/inbox.server";
import { adminFetcher, useRunningApp } from "../support/app";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { programCustomer, rewardWithDiscount } from "../support/rewards";
import { applyWebhooks } from "../support/webhooks";
import { allowErrorLogs } from "../support/error-logs";

const { emulator } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
const OTHER_SHOP = "other-dead-letters.myshopify.com";
const ROUTE = "routes/app.webhooks";
const app = useRunningApp({ emulator });

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
  await installEmulatedShop(emulator, OTHER_SHOP, { currencyCode: "USD" });
});

const adminFetch = adminFetcher(app, emulator, SHOP);
const retry = (id: string, shop = SHOP) => adminFetch("/app/webhooks", { method: "POST", route: ROUTE, shop, body: new URLSearchParams({ intent: "retry", id }) });

interface ListJson {
  total: number;
  deliveries: { id: string; topic: string; webhookId: string; receivedAt: string; deadAt: string; attempts: number; lastError: string | null; bodyDeleted: boolean }[];
}

const BROKEN: WebhookEffects = { ...WEBHOOK_EFFECTS, "orders/create": [() => Promise.reject(new Error("the rewards table is locked (injected)"))] };

/** Runs the inbox with a broken orders/create effect until the delivery is dead-lettered. */
async function deadLetter(webhookId: string): Promise<void> {
  let now = new Date();
  for (let attempt = 1; attempt <= WEBHOOK_RETRY_POLICY.maxAttempts; attempt++) {
    await applyWebhooks({ effects: BROKEN, now: () => now, random: () => 0 });
    const row = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId } });
    if (row.deadAt) return;
    now = row.nextAttemptAt!;
  }
  throw new Error("the delivery was not dead-lettered");
}

describe("Webhook deliveries (dead letters) in the admin", () => {
  it("GIVEN a dead-lettered order WHEN the merchant lists and retries it THEN only metadata and the error are shown, and the retry applies it", async () => {
    const logged = allowErrorLogs(); // dead-lettering logs at error level, by design
    const customer = await programCustomer(emulator, SHOP);
    const reward = await rewardWithDiscount(emulator, SHOP, customer);
    const { webhook } = await emulator.placeOrder(SHOP, { customerId: customer.gid, codes: [reward.code] });
    expect(webhook!.results[0].finalStatus).toBe(200);
    await deadLetter(webhook!.signed.webhookId);
    expect(logged.messages()).toContain("webhook effect failed for good; delivery dead-lettered");
    // Another shop's dead letter, which this shop must neither see nor retry.
    const foreign = await emulator.sendWebhook("orders/create", OTHER_SHOP, JSON.stringify({ discount_codes: [] }));
    await deadLetter(foreign.signed.webhookId);
    const foreignRow = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: foreign.signed.webhookId } });

    const listed = await adminFetch("/app/webhooks", { route: ROUTE });
    expect(listed.status).toBe(200);
    const text = await listed.text();
    const list = JSON.parse(text) as ListJson;
    expect(list.total).toBe(1);
    expect(list.deliveries).toEqual([
      {
        id: expect.any(String),
        topic: "orders/create",
        webhookId: webhook!.signed.webhookId,
        receivedAt: expect.any(String),
        deadAt: expect.any(String),
        attempts: WEBHOOK_RETRY_POLICY.maxAttempts,
        lastError: "Error: the rewards table is locked (injected)",
        bodyDeleted: false,
      },
    ]);
    // No payload: neither the order's code nor the customer reaches the page.
    expect(text).not.toContain(reward.code);
    expect(text).not.toContain(customer.gid);
    expect(text).not.toContain("payload");

    // The page itself renders for the merchant, with the delivery and its error.
    const page = await adminFetch("/app/webhooks");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Webhook deliveries");
    expect(html).toContain("the rewards table is locked (injected)");
    expect(html).not.toContain(reward.code);
    // Home points to it while something is dead.
    expect(await (await adminFetch("/app")).text()).toContain("/app/webhooks");

    // Another shop's delivery cannot be retried from this shop; nonsense is a clear 400.
    expect((await retry(foreignRow.id)).status).toBe(404);
    expect((await db.webhookDelivery.findUniqueOrThrow({ where: { id: foreignRow.id } })).deadAt).not.toBeNull();
    const bad = await adminFetch("/app/webhooks", { method: "POST", route: ROUTE, body: new URLSearchParams({ intent: "delete", id: list.deliveries[0].id }) });
    expect(bad.status).toBe(400);

    // Retry: queued again with a fresh set of attempts; the worker (working effects) applies it.
    const answer = await retry(list.deliveries[0].id);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ ok: true, message: "Delivery queued again" });
    expect(await db.webhookDelivery.findUniqueOrThrow({ where: { id: list.deliveries[0].id } })).toMatchObject({ deadAt: null, attempts: 0, nextAttemptAt: expect.any(Date) });
    expect((await retry(list.deliveries[0].id)).status).toBe(404); // not dead any more
    expect(((await (await adminFetch("/app/webhooks", { route: ROUTE })).json()) as ListJson).total).toBe(0);

    const applied = await applyWebhooks();
    expect(applied.applied).toBeGreaterThanOrEqual(1);
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "USED" });
    expect(await db.webhookDelivery.findUniqueOrThrow({ where: { id: list.deliveries[0].id } })).toMatchObject({ appliedAt: expect.any(Date), payload: null, lastError: null });
  });

  it("GIVEN a dead letter whose body was deleted after the retention WHEN the merchant lists them THEN it is marked as such and offers no Retry; one that still has its body does", async () => {
    const base = { shop: SHOP, topic: "orders/create", attempts: WEBHOOK_RETRY_POLICY.maxAttempts, lastError: "Error: boom (injected)" };
    const kept = await db.webhookDelivery.create({ data: { ...base, webhookId: "dead-kept-body", payload: JSON.stringify({ discount_codes: [] }), deadAt: new Date() } });
    const gone = await db.webhookDelivery.create({ data: { ...base, webhookId: "dead-deleted-body", payload: null, deadAt: new Date(Date.now() - 1000) } });

    const list = (await (await adminFetch("/app/webhooks", { route: ROUTE })).json()) as ListJson;
    expect(list.deliveries.map((d) => [d.id, d.bodyDeleted])).toEqual([
      [kept.id, false],
      [gone.id, true],
    ]);
    const html = await (await adminFetch("/app/webhooks")).text();
    expect(html).toContain("Content deleted");
    expect(html.match(/Retry this delivery/g)).toHaveLength(1);
    await db.webhookDelivery.deleteMany({ where: { id: { in: [kept.id, gone.id] } } });
  });
});
