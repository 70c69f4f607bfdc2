// GIVEN the production build on a real port and the emulator signing Shopify's privacy webhooks
// WHEN a signed customers/data_request, customers/redact or shop/redact carries field values Shopify's
//      samples do not show (ids beyond 2^53, a body naming another shop, identifiers that are a part
//      of another customer's)
// THEN the effect acts on the subject it names and only on them, or refuses with a visible reason
//      (the delivery's lastError) and changes nothing.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { useRunningApp } from "../support/app";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";
import { TEST_APP } from "../support/constants";
import { applyWebhooks } from "../support/webhooks";
import { allowErrorLogs } from "../support/error-logs";
import { createReward } from "../support/factories";
import { findText } from "../support/text-search";
import { recordEvent } from "~/services/rewards/events.server";
import { retryDeadLetter } from "~/services/webhooks/dead-letters.server";

const { emulator } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
useRunningApp({ emulator });

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
});

/** A customers/* privacy body written by hand, so the customer id can be a bare integer beyond 2^53. */
function privacyBody(input: { shopDomain: string; customerId: string; email: string | null; dataRequestId?: number }): string {
  const data = input.dataRequestId !== undefined ? `,"data_request":{"id":${input.dataRequestId}}` : `,"orders_to_redact":[]`;
  return `{"shop_id":1,"shop_domain":${JSON.stringify(input.shopDomain)},"customer":{"id":${input.customerId},"email":${JSON.stringify(input.email)},"phone":null}${data}}`;
}

let seq = 0;
async function customerRow(shop: string, gid: string, name: string, email: string) {
  return db.customer.create({ data: { shop, shopifyCustomerId: gid, displayName: name, email, pointsBalance: 100 + seq++ } });
}

describe("customers/redact and customers/data_request name their customer by an id beyond 2^53", () => {
  // 2^53 + 1 is the first integer JSON.parse cannot hold: it reads as 2^53.
  const SUBJECT_ID = "9007199254740993";
  const BYSTANDER_ID = "9007199254740992";

  it("the redaction erases the customer the body names, never the one whose id is the rounded number", async () => {
    const subject = await customerRow(SHOP, `gid://shopify/Customer/${SUBJECT_ID}`, "Sam Subject", "sam.subject@example.com");
    const bystander = await customerRow(SHOP, `gid://shopify/Customer/${BYSTANDER_ID}`, "Bea Bystander", "bea.bystander@example.com");

    const sent = await emulator.sendWebhook("customers/redact", SHOP, privacyBody({ shopDomain: SHOP, customerId: SUBJECT_ID, email: "sam.subject@example.com" }));
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();

    const after = await db.customer.findUniqueOrThrow({ where: { id: subject.id } });
    expect(after).toMatchObject({ email: null, displayName: "Redacted customer", shopifyCustomerId: `redacted:${subject.id}` });
    expect(await db.customer.findUniqueOrThrow({ where: { id: bystander.id } })).toMatchObject({
      email: "bea.bystander@example.com",
      displayName: "Bea Bystander",
      shopifyCustomerId: `gid://shopify/Customer/${BYSTANDER_ID}`,
    });
  });

  it("the data request hands over the customer the body names, never the one whose id is the rounded number", async () => {
    const subjectId = "9007199254740995"; // JSON.parse reads it as 9007199254740996
    const bystanderId = "9007199254740996";
    await customerRow(SHOP, `gid://shopify/Customer/${subjectId}`, "Ida Asker", "ida.asker@example.com");
    await customerRow(SHOP, `gid://shopify/Customer/${bystanderId}`, "Otto Other", "otto.other@example.com");

    const sent = await emulator.sendWebhook("customers/data_request", SHOP, privacyBody({ shopDomain: SHOP, customerId: subjectId, email: "ida.asker@example.com", dataRequestId: 77 }));
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();

    const request = await db.complianceRequest.findFirstOrThrow({ where: { shop: SHOP, topic: "customers/data_request" }, orderBy: { receivedAt: "desc" } });
    expect(request.customerGid).toBe(`gid://shopify/Customer/${subjectId}`);
    expect(request.result).toContain("ida.asker@example.com");
    expect(request.result).not.toContain("otto.other@example.com");
  });
});

describe("a privacy webhook whose body names another shop than the delivery's X-Shopify-Shop-Domain", () => {
  const ELSEWHERE = "someone-else.myshopify.com";
  // Each refused delivery is dead-lettered at once, which the worker logs as an error; the tests
  // assert the dead letter and its reason.
  let logged: ReturnType<typeof allowErrorLogs>;
  beforeEach(() => {
    logged = allowErrorLogs();
  });
  afterEach(() => {
    expect(logged.messages()).toContain("webhook effect failed for good; delivery dead-lettered");
  });

  it("customers/redact is refused with the reason in lastError: the shop's customer with the same email is untouched", async () => {
    // The same person is a customer of both shops (same email, another customer id in each).
    const here = await customerRow(SHOP, "gid://shopify/Customer/5550001", "Mia Twoshops", "mia.twoshops@example.com");
    const sent = await emulator.sendWebhook("customers/redact", SHOP, privacyBody({ shopDomain: ELSEWHERE, customerId: "7770001", email: "mia.twoshops@example.com" }));
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();

    expect(await db.customer.findUniqueOrThrow({ where: { id: here.id } })).toMatchObject({ email: "mia.twoshops@example.com", displayName: "Mia Twoshops" });
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: sent.signed.webhookId } });
    expect(delivery.appliedAt).toBeNull();
    expect(delivery.lastError).toContain(`names the shop ${ELSEWHERE}`);
    // Retrying would change nothing: dead-lettered after the one attempt, not retried for hours.
    expect(delivery).toMatchObject({ attempts: 1, nextAttemptAt: null, deadAt: expect.any(Date) });
  });

  it("customers/data_request is refused the same way: nothing of this shop's customer is exported", async () => {
    await customerRow(SHOP, "gid://shopify/Customer/5550002", "Noor Twoshops", "noor.twoshops@example.com");
    const before = await db.complianceRequest.count({ where: { shop: SHOP } });
    const sent = await emulator.sendWebhook("customers/data_request", SHOP, privacyBody({ shopDomain: ELSEWHERE, customerId: "7770002", email: "noor.twoshops@example.com", dataRequestId: 78 }));
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();

    expect(await db.complianceRequest.count({ where: { shop: SHOP } })).toBe(before);
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: sent.signed.webhookId } });
    expect(delivery.lastError).toContain(`names the shop ${ELSEWHERE}`);
    expect(delivery).toMatchObject({ attempts: 1, nextAttemptAt: null, deadAt: expect.any(Date) });
  });

  it("shop/redact is refused: the delivering shop's data stays", async () => {
    const shop = "keep-my-data.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const kept = await customerRow(shop, "gid://shopify/Customer/5550003", "Kai Kept", "kai.kept@example.com");
    const sent = await emulator.sendWebhook("shop/redact", shop, JSON.stringify({ shop_id: 2, shop_domain: ELSEWHERE }));
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();

    expect(await db.customer.findUnique({ where: { id: kept.id } })).not.toBeNull();
    expect(await db.session.count({ where: { shop } })).toBeGreaterThan(0);
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: sent.signed.webhookId } });
    expect(delivery.lastError).toContain(`names the shop ${ELSEWHERE}`);
    expect(delivery).toMatchObject({ attempts: 1, nextAttemptAt: null, deadAt: expect.any(Date) });

    // The same shop/redact naming its own shop erases it (sent, as Shopify does, after the uninstall).
    await emulator.uninstall(shop);
    await applyWebhooks();
    const own = await emulator.sendWebhook("shop/redact", shop, JSON.stringify({ shop_id: 2, shop_domain: shop }));
    expect(own.results[0].finalStatus).toBe(200);
    await applyWebhooks();
    expect(await db.customer.findUnique({ where: { id: kept.id } })).toBeNull();
  });

  it("customers/redact and customers/data_request whose body names no shop (the shop's signed order body under these topics) are refused: the order's customer is neither erased nor exported", async () => {
    const shop = "keep-my-customer.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const shopper = emulator.addCustomer(shop, { firstName: "Olga", lastName: "Orderer", email: "olga.orderer@example.com" });
    const kept = await customerRow(shop, shopper.id, "Olga Orderer", "olga.orderer@example.com");
    const orderBody = emulator.orderWebhookBody(emulator.store.placeOrder(shop, { customerId: shopper.id, codes: [] }));
    for (const topic of ["customers/redact", "customers/data_request"]) {
      const sent = await emulator.sendWebhook(topic, shop, orderBody);
      expect(sent.results[0].finalStatus).toBe(200);
      await applyWebhooks();
      expect(await db.customer.findUniqueOrThrow({ where: { id: kept.id } }), topic).toMatchObject({ email: "olga.orderer@example.com", displayName: "Olga Orderer" });
      const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: sent.signed.webhookId } });
      expect(delivery.lastError, topic).toContain("names no shop");
      expect(delivery).toMatchObject({ attempts: 1, nextAttemptAt: null, deadAt: expect.any(Date) });
    }
    expect(await db.complianceRequest.count({ where: { shop } })).toBe(0);
  });

  it("shop/redact whose body names no shop (another of the shop's signed bodies under this topic, which the HMAC does not cover) is refused: the shop's data stays", async () => {
    const shop = "keep-it-all.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    const kept = await customerRow(shop, "gid://shopify/Customer/5550004", "Ola Ordered", "ola.ordered@example.com");
    const order = emulator.store.placeOrder(shop, { customerId: null, codes: [] });
    // `null` is no JSON object: refused at the door (400), nothing recorded.
    const refused = await emulator.sendWebhook("shop/redact", shop, "null");
    expect(refused.results[0].finalStatus).toBe(400);
    expect(await db.webhookDelivery.count({ where: { webhookId: refused.signed.webhookId } })).toBe(0);
    for (const body of [emulator.orderWebhookBody(order), "{}"]) {
      const sent = await emulator.sendWebhook("shop/redact", shop, body);
      expect(sent.results[0].finalStatus).toBe(200);
      await applyWebhooks();
      expect(await db.customer.findUnique({ where: { id: kept.id } }), body).not.toBeNull();
      expect(await db.session.count({ where: { shop } })).toBeGreaterThan(0);
      const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: sent.signed.webhookId } });
      expect(delivery.lastError).toContain("names no shop");
      expect(delivery).toMatchObject({ attempts: 1, nextAttemptAt: null, deadAt: expect.any(Date) });
    }
  });
});

describe("customers/redact cuts out the subject's identifiers, not text that merely contains them", () => {
  async function noteOn(customer: Awaited<ReturnType<typeof customerRow>>, note: string) {
    const reward = await createReward(db, customer);
    await recordEvent(db, { rewardId: reward.id, shop: customer.shop, type: "NOTE", actor: "MERCHANT", reason: "Note added by the merchant", note });
    return reward;
  }

  it("redacting ann@… keeps joann@…'s data request, and the notes naming Joann and her Shopify id whole", async () => {
    await customerRow(SHOP, "gid://shopify/Customer/6660001", "Ann Lee", "ann@example.com");
    const joann = await customerRow(SHOP, "gid://shopify/Customer/66600012", "Joann Leeds", "joann@example.com");
    const note = "Joann Leeds asked by mail (joann@example.com); her account is gid://shopify/Customer/66600012";
    const reward = await noteOn(joann, note);
    const asked = await emulator.sendWebhook("customers/data_request", SHOP, privacyBody({ shopDomain: SHOP, customerId: "66600012", email: "joann@example.com", dataRequestId: 79 }));
    expect(asked.results[0].finalStatus).toBe(200);
    await applyWebhooks();
    const request = await db.complianceRequest.findFirstOrThrow({ where: { shop: SHOP, topic: "customers/data_request", customerGid: "gid://shopify/Customer/66600012" } });

    const sent = await emulator.sendWebhook("customers/redact", SHOP, privacyBody({ shopDomain: SHOP, customerId: "6660001", email: "ann@example.com" }));
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();

    // Joann's pending data request is still there to hand over.
    const after = await db.complianceRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(after.erasedAt).toBeNull();
    expect(after.result).toContain("joann@example.com");
    expect((await db.rewardEvent.findFirstOrThrow({ where: { rewardId: reward.id, type: "NOTE" } })).note).toBe(note);
  });

  it("an email of fewer than 3 characters in the body cuts nothing out of the shop's text", async () => {
    const other = await customerRow(SHOP, "gid://shopify/Customer/6660003", "Eve Else", "eve.else@example.com");
    const note = "see the email sent on Tuesday";
    const reward = await noteOn(other, note);
    const sent = await emulator.sendWebhook("customers/redact", SHOP, privacyBody({ shopDomain: SHOP, customerId: "6660099", email: "e" }));
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();
    expect((await db.rewardEvent.findFirstOrThrow({ where: { rewardId: reward.id, type: "NOTE" } })).note).toBe(note);
  });
});

describe("customers/redact and a delivery of the subject still in the inbox (a dead letter)", () => {
  it("the subject's order body loses their names, email, addresses and customer id — and stays JSON that can be applied", async () => {
    const shopify = emulator.addCustomer(SHOP, { firstName: "Zora", lastName: "Quill", email: "zora.quill@example.com" });
    await customerRow(SHOP, shopify.id, "Zora Quill", "zora.quill@example.com");
    const numericId = shopify.id.split("/").pop()!;
    const { webhook } = await emulator.placeOrder(SHOP, { customerId: shopify.id, codes: [] });
    expect(webhook.results[0].finalStatus).toBe(200);
    // Its effects failed for good: the body stays in the row for a retry (docs/decisions/014).
    await db.webhookDelivery.updateMany({ where: { webhookId: webhook.signed.webhookId }, data: { deadAt: new Date(), nextAttemptAt: null, lastError: "Error: injected" } });
    const before = (await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: webhook.signed.webhookId } })).payload!;
    const personal = ["Zora", "Quill", "1 Emulator Way", "Ottawa", "K1A 0A1"];
    for (const p of personal) expect(before).toContain(p);

    const sent = await emulator.sendWebhook("customers/redact", SHOP, privacyBody({ shopDomain: SHOP, customerId: numericId, email: "zora.quill@example.com" }));
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();

    const after = (await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: webhook.signed.webhookId } })).payload!;
    for (const p of [...personal, "zora.quill@example.com"]) expect(after.toLowerCase()).not.toContain(p.toLowerCase());
    const order = JSON.parse(after) as { name: string; customer: { id: unknown; admin_graphql_api_id: unknown }; subtotal_price_set: unknown };
    expect(order.customer.id).not.toBe(Number(numericId));
    expect(order.customer.admin_graphql_api_id).not.toBe(shopify.id);
    // The order's own facts stay, its id beyond 2^53 exact: a retry applies it as a guest order.
    const orderId = /^\{"id":(\d+),/.exec(before)![1];
    expect(after.startsWith(`{"id":${orderId},`)).toBe(true);
    expect(order.name).toMatch(/^#\d+$/);
    expect(order.subtotal_price_set).toEqual({ shop_money: { amount: "100.00", currency_code: "USD" }, presentment_money: { amount: "100.00", currency_code: "USD" } });
    const row = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: webhook.signed.webhookId } });
    expect(await retryDeadLetter(db, SHOP, row.id, new Date())).toEqual({ ok: true });
    expect(await applyWebhooks()).toMatchObject({ applied: 1, retried: 0, dead: 0 });
  });
});

describe("customers/redact whose email holds a control character", () => {
  it("the customer named by id is still erased (a NUL in the email made PostgreSQL refuse every lookup)", async () => {
    const subject = await customerRow(SHOP, "gid://shopify/Customer/6660200", "Nell Nul", "nell.nul@example.com");
    const sent = await emulator.sendWebhook("customers/redact", SHOP, `{"shop_id":1,"shop_domain":"${SHOP}","customer":{"id":6660200,"email":"nell.nul\\u0000@example.com","phone":null},"orders_to_redact":[]}`);
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();

    expect((await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: sent.signed.webhookId } })).lastError).toBeNull();
    expect(await db.customer.findUniqueOrThrow({ where: { id: subject.id } })).toMatchObject({ email: null, displayName: "Redacted customer" });
  });
});

describe("shop/redact of a shop whose merchant set up the points program", () => {
  it("leaves no row naming the shop in any table (its program settings included)", async () => {
    const shop = "program-shop-redact.myshopify.com";
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    await db.programSettings.create({ data: { shop, enabled: true, pointsNameSingular: "star", pointsNamePlural: "stars" } });
    await customerRow(shop, "gid://shopify/Customer/6660300", "Pia Program", "pia.program@example.com");
    expect((await findText(db, [shop])).map((h) => h.table)).toEqual(expect.arrayContaining(["ProgramSettings", "Customer", "Session"]));
    // Shopify sends shop/redact 48 h after the uninstall, once the app's token is revoked.
    await emulator.uninstall(shop);
    await applyWebhooks();

    const sent = await emulator.sendWebhook("shop/redact", shop, JSON.stringify({ shop_id: 3, shop_domain: shop }));
    expect(sent.results[0].finalStatus).toBe(200);
    await applyWebhooks();

    expect(await findText(db, [shop])).toEqual([]);
  });
});

describe("a privacy webhook naming a customer id the app never stored, with the email of another customer", () => {
  it("customers/redact and data_request leave the other customer (a later account with the same email) alone", async () => {
    // Shopify customer 6660400 deleted their account; 6660401 later signed up with the same email.
    const later = await customerRow(SHOP, "gid://shopify/Customer/6660401", "Lia Later", "lia.reuse@example.com");
    const asked = await emulator.sendWebhook("customers/data_request", SHOP, privacyBody({ shopDomain: SHOP, customerId: "6660400", email: "lia.reuse@example.com", dataRequestId: 80 }));
    expect(asked.results[0].finalStatus).toBe(200);
    await applyWebhooks();
    const request = await db.complianceRequest.findFirstOrThrow({ where: { shop: SHOP, topic: "customers/data_request" }, orderBy: { receivedAt: "desc" } });
    expect(JSON.parse(request.result!)).toMatchObject({ found: 0, data: [] });

    const redact = await emulator.sendWebhook("customers/redact", SHOP, privacyBody({ shopDomain: SHOP, customerId: "6660400", email: "lia.reuse@example.com" }));
    expect(redact.results[0].finalStatus).toBe(200);
    await applyWebhooks();
    expect(await db.customer.findUniqueOrThrow({ where: { id: later.id } })).toMatchObject({ email: "lia.reuse@example.com", displayName: "Lia Later", shopifyCustomerId: "gid://shopify/Customer/6660401" });
  });
});
