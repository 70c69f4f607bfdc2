// scrubJson: a webhook body still waiting in the inbox (or dead-lettered) loses the subject's data
// on customers/redact but stays valid JSON, so the delivery can still be applied.
import { describe, expect, it } from "vitest";
import { handleCustomersDataRequest, provideDataRequest, scrubJson, scrubText } from "./privacy.server";

const NEEDLES = ["zelda@example.com", "Zelda Quixote", "gid://shopify/Customer/6001", "6001", "LOYAL-ABCD-2345"];

describe("scrubJson", () => {
  it("GIVEN an orders/create body naming the subject WHEN scrubbed THEN no needle is left and it still parses", () => {
    const body = JSON.stringify({
      id: 450789469,
      email: "ZELDA@example.com",
      customer: { id: 6001, first_name: "Zelda", last_name: "Quixote", admin_graphql_api_id: "gid://shopify/Customer/6001" },
      billing_address: { name: "Zelda Quixote" },
      discount_codes: [{ code: "loyal-abcd-2345", amount: "5.00" }],
      note: "deliver to Zelda Quixote",
    });
    const scrubbed = scrubJson(body, NEEDLES)!;
    const parsed = JSON.parse(scrubbed);
    for (const needle of NEEDLES.filter((n) => n !== "6001")) expect(scrubbed.toLowerCase()).not.toContain(needle.toLowerCase());
    expect(parsed.customer.id).toBe("[redacted]");
    expect(parsed.id).toBe(450789469); // other numbers are kept
    expect(parsed.discount_codes[0]).toEqual({ code: "[redacted]", amount: "5.00" });
    expect(parsed.note).toBe("deliver to [redacted]");
  });

  it("GIVEN text that is not JSON WHEN scrubbed THEN it is scrubbed as text", () => {
    expect(scrubJson("error for zelda@example.com", NEEDLES)).toBe(scrubText("error for zelda@example.com", NEEDLES));
    expect(scrubJson(null, NEEDLES)).toBeNull();
  });
});

describe("scrubText", () => {
  it("cuts out whole identifiers only, and never one shorter than 3 characters", () => {
    const needles = ["ann@example.com", "Ann Lee", "gid://shopify/Customer/123", "e"];
    expect(scrubText("Ann Lee (ann@example.com, gid://shopify/Customer/123).", needles)).toBe("[redacted] ([redacted], [redacted]).");
    const other = "Joann Leeds, joann@example.com, gid://shopify/Customer/1234: see the email";
    expect(scrubText(other, needles)).toBe(other);
  });
});

describe("scrubJson and a body about the subject", () => {
  const subject = { gids: ["gid://shopify/Customer/6001"], emails: ["zelda@example.com"] };
  it("a guest order with the subject's checkout email loses its personal fields; a body not naming them keeps its bytes, big ids included", () => {
    const guest = '{"id":820982911946154508,"name":"#1001","email":"Zelda@example.com","phone":"+16135550142","shipping_address":{"address1":"1 Quiet Lane"},"note_attributes":[{"name":"gift","value":"for Z"}],"customer":null}';
    const scrubbed = JSON.parse(scrubJson(guest, ["zelda@example.com"], subject)!.replace(/"id":(\d+)/, '"id":"$1"'));
    expect(scrubbed).toEqual({ id: "820982911946154508", name: "#1001", email: null, phone: null, shipping_address: null, note_attributes: null, customer: null });
    const other = '{"id":820982911946154509, "email":"joann@example.com","customer":{"id":6002,"first_name":"Joann"}}';
    expect(scrubJson(other, ["zelda@example.com", "gid://shopify/Customer/6001"], subject)).toBe(other);
  });

  it("GIVEN a body naming a key twice (the subject in the value JSON.parse drops) WHEN scrubbed THEN neither value keeps the subject's data and the body is what the app reads", () => {
    const needles = ["zelda@example.com", "gid://shopify/Customer/6001", "Zelda Quixote"];
    const twice = '{"id":820982911946154508,"email":"zelda@example.com","customer":{"admin_graphql_api_id":"gid://shopify/Customer/6001","first_name":"Zelda"},"email":"other@example.com","customer":null,"note":"ok"}';
    const scrubbed = scrubJson(twice, needles, subject)!;
    for (const needle of [...needles, "Zelda"]) expect(scrubbed.toLowerCase()).not.toContain(needle.toLowerCase());
    expect(scrubbed).toBe('{"id":820982911946154508,"email":"other@example.com","customer":null,"note":"ok"}');
  });

  it("GIVEN a body with the subject's email as a key WHEN scrubbed THEN the key is cut out too", () => {
    const scrubbed = scrubJson('{"id":1,"attributes":{"zelda@example.com":"gift"}}', ["zelda@example.com"], subject)!;
    expect(JSON.parse(scrubbed)).toEqual({ id: 1, attributes: { "[redacted]": "gift" } });
  });
});

describe("customers/data_request and Shopify's data request id", () => {
  it("GIVEN a data request id beyond 2^53 WHEN the request is stored and downloaded THEN the export names that id exactly, not its rounded neighbour", async () => {
    const { default: db } = await import("~/db.server");
    const { createCustomer } = await import("../../../test/support/factories");
    const shop = "data-request-ids.myshopify.com";
    await createCustomer(db, shop, { email: "dara.request@example.com", shopifyCustomerId: "gid://shopify/Customer/7001" });
    // 2^53 + 1: JSON.parse reads it as 9007199254740992.
    const raw = `{"shop_id":1,"shop_domain":"${shop}","customer":{"id":7001,"email":"dara.request@example.com"},"data_request":{"id":9007199254740993}}`;

    const stored = await handleCustomersDataRequest(db, { shop, payload: JSON.parse(raw), rawPayload: raw });
    const download = await provideDataRequest(db, { shop, id: stored.id, now: new Date() });

    expect(download.ok).toBe(true);
    if (!download.ok) return;
    expect(download.json).toContain('"dataRequestId": "9007199254740993"');
    expect(JSON.parse(download.json).customer.found).toBe(1);
  });

  it("GIVEN a data request id that is no id (an object, a negative number) WHEN stored THEN the export holds no id rather than the value as sent", async () => {
    const { default: db } = await import("~/db.server");
    const shop = "data-request-ids.myshopify.com";
    const raw = `{"shop_domain":"${shop}","customer":{"id":7002,"email":"nobody@example.com"},"data_request":{"id":{"x":"${"y".repeat(1000)}"}}}`;
    const stored = await handleCustomersDataRequest(db, { shop, payload: JSON.parse(raw), rawPayload: raw });
    expect(JSON.parse(stored.result!).dataRequestId).toBeNull();
  });
});

describe("customers/redact and a name written with letters beyond ASCII", () => {
  it("GIVEN a merchant's note on ANOTHER customer's reward naming the subject (Åsa Öberg) WHEN the subject is redacted THEN the note loses the name, whatever its case", async () => {
    const { default: db } = await import("~/db.server");
    const { createCustomer, createReward } = await import("../../../test/support/factories");
    const { recordEvent } = await import("~/services/rewards/events.server");
    const { handleCustomersRedact } = await import("./privacy.server");
    const shop = "redact-unicode.myshopify.com";
    const subject = await createCustomer(db, shop, { firstName: "Åsa", lastName: "Öberg", email: "asa.o@example.com", shopifyCustomerId: "gid://shopify/Customer/7101" });
    expect(subject.displayName).toBe("Åsa Öberg");
    const other = await createCustomer(db, shop, { firstName: "Bo", lastName: "Ek", email: "bo.ek@example.com", shopifyCustomerId: "gid://shopify/Customer/7102" });
    const reward = await createReward(db, other);
    await recordEvent(db, { rewardId: reward.id, shop, type: "NOTE", actor: "MERCHANT", reason: "Note", note: "Sent by Åsa Öberg as a gift" });
    await recordEvent(db, { rewardId: reward.id, shop, type: "NOTE", actor: "MERCHANT", reason: "Note", note: "Thanks from ÅSA ÖBERG and åsa öberg" });

    await handleCustomersRedact(db, { shop, payload: { shop_domain: shop, customer: { id: 7101, email: "asa.o@example.com" } } });

    const notes = (await db.rewardEvent.findMany({ where: { rewardId: reward.id, type: "NOTE" }, orderBy: { createdAt: "asc" } })).map((e) => e.note);
    expect(notes).toEqual(["Sent by [redacted] as a gift", "Thanks from [redacted] and [redacted]"]);
  });
});

describe("customers/redact and the sign-up bonus's ledger key", () => {
  it("GIVEN a customer who got the sign-up bonus from customers/create WHEN they are redacted THEN no text column of any table holds their Shopify id, and the balance stays", async () => {
    const { default: db } = await import("~/db.server");
    const { awardSignupBonus } = await import("~/services/points/order-points.server");
    const { handleCustomersRedact } = await import("./privacy.server");
    const { findText } = await import("../../../test/support/text-search");
    const shop = "redact-signup-key.myshopify.com";
    const gid = "gid://shopify/Customer/7201";
    await db.programSettings.create({ data: { shop, enabled: true, signupBonus: 100 } });
    const body = { id: 7201, admin_graphql_api_id: gid, first_name: "Sigrid", last_name: "Upton", email: "sigrid.upton@example.com", state: "enabled" };
    expect(await awardSignupBonus(db, { shop, topic: "customers/create", payload: body, receivedAt: new Date() })).toBe("awarded");
    expect((await findText(db, [gid])).length).toBeGreaterThan(0);

    await handleCustomersRedact(db, { shop, payload: { shop_domain: shop, customer: { id: 7201, email: "sigrid.upton@example.com" } } });

    expect(await findText(db, [gid, "sigrid.upton@example.com", "Sigrid Upton"])).toEqual([]);
    const ledger = await db.pointsTransaction.findMany({ where: { shop }, select: { delta: true, reason: true } });
    expect(ledger).toEqual([{ delta: 100, reason: "SIGNUP_BONUS" }]);
  });
});

describe("customers/redact and a body in the inbox as Shopify spells it", () => {
  it("GIVEN a waiting customers/create of a phone-only customer, its slashes escaped (gid:\\/\\/shopify\\/Customer\\/…) WHEN they are redacted THEN the body loses their names and phone", async () => {
    const { default: db } = await import("~/db.server");
    const { handleCustomersRedact } = await import("./privacy.server");
    const { findText } = await import("../../../test/support/text-search");
    const shop = "redact-escaped-body.myshopify.com";
    // Shopify's webhook bodies escape "/" in strings (valid JSON, RFC 8259 §7): the gid is not spelled as the app writes it.
    const raw = '{"id":7301,"email":null,"first_name":"Zora","last_name":"Phonely","phone":"+16135550199","addresses":[],"admin_graphql_api_id":"gid:\\/\\/shopify\\/Customer\\/7301"}';
    expect(JSON.parse(raw).admin_graphql_api_id).toBe("gid://shopify/Customer/7301");
    await db.webhookDelivery.create({ data: { shop, webhookId: "escaped-1", topic: "customers/create", payload: raw, nextAttemptAt: new Date(Date.now() + 60_000), attempts: 1 } });

    await handleCustomersRedact(db, { shop, payload: { shop_domain: shop, customer: { id: 7301, email: null, phone: "+16135550199" } } });

    expect(await findText(db, ["Zora", "Phonely", "+16135550199", "Customer\\/7301"])).toEqual([]);
    const kept = JSON.parse((await db.webhookDelivery.findFirstOrThrow({ where: { shop, webhookId: "escaped-1" } })).payload!);
    expect(kept).toMatchObject({ first_name: null, last_name: null, phone: null, admin_graphql_api_id: "[redacted]" });
  });
});

describe("customers/redact and an email with \"&\" in a body as Shopify spells it", () => {
  it("GIVEN a dead-lettered order body whose email and name Shopify wrote with \\u0026 and \\u003c WHEN the customer is redacted THEN the body loses them", async () => {
    const { default: db } = await import("~/db.server");
    const { handleCustomersRedact } = await import("./privacy.server");
    const shop = "redact-ampersand.myshopify.com";
    // Shopify's bodies write "&", "<", ">" as \u0026, \u003c, \u003e and "/" as \/ (emulator/src/order-payload.ts).
    const raw =
      '{"id":9901,"admin_graphql_api_id":"gid:\\/\\/shopify\\/Order\\/9901","email":"ben\\u0026jerry@example.com","customer":null,' +
      '"billing_address":{"name":"Ben \\u003cJerry\\u003e","phone":"+16135550142"},"total_price":"20.00"}';
    expect(JSON.parse(raw).email).toBe("ben&jerry@example.com");
    await db.webhookDelivery.create({ data: { shop, webhookId: "amp-1", topic: "orders/cancelled", payload: raw, deadAt: new Date(), attempts: 1, lastError: "dead" } });

    await handleCustomersRedact(db, { shop, payload: { shop_domain: shop, customer: { id: 9902, email: "ben&jerry@example.com" }, orders_to_redact: [] } });

    const kept = JSON.parse((await db.webhookDelivery.findFirstOrThrow({ where: { shop, webhookId: "amp-1" } })).payload!);
    expect(kept).toMatchObject({ email: null, billing_address: null, total_price: "20.00" });
  });
});

describe("a privacy webhook naming another shop with a control character in its domain", () => {
  it("GIVEN a signed customers/redact whose shop_domain holds a NUL (\\u0000 in the JSON) WHEN the inbox applies it THEN it is dead-lettered with the reason, not left claimed and retried forever (PostgreSQL can't store a NUL)", async () => {
    const { default: db } = await import("~/db.server");
    const { applyDueDeliveries, recordDelivery } = await import("~/services/webhooks/inbox.server");
    const { WEBHOOK_EFFECTS } = await import("~/services/webhooks/effects.server");
    const { allowErrorLogs } = await import("../../../test/support/error-logs");
    const logged = allowErrorLogs();
    const shop = "redact-nul-domain.myshopify.com";
    const rawBody = '{"shop_id":1,"shop_domain":"elsewhere\\u0000.myshopify.com","customer":{"id":7401,"email":"nul.domain@example.com"},"orders_to_redact":[]}';
    const webhookId = "nul-domain-1";
    await recordDelivery(db, { shop, topic: "customers/redact", webhookId, apiVersion: "2026-10", triggeredAt: null, rawBody, payload: JSON.parse(rawBody) });

    const summary = await applyDueDeliveries(db, WEBHOOK_EFFECTS, { workerId: "redact-nul", now: () => new Date(), batchSize: 10, leaseMs: 60_000 });

    expect(summary).toMatchObject({ claimed: 1, dead: 1 });
    const row = await db.webhookDelivery.findFirstOrThrow({ where: { shop, webhookId } });
    expect(row).toMatchObject({ claimedBy: null, deadAt: expect.any(Date) });
    // The inbox escapes control characters in every stored error (describeError).
    expect(row.lastError).toContain("names the shop elsewhere\\u0000.myshopify.com, not redact-nul-domain.myshopify.com");
    expect(logged.messages()).toContain("webhook effect failed for good; delivery dead-lettered");
  });
});

describe("customers/redact and another customer's data request", () => {
  it("GIVEN Bo's pending data request whose export holds a merchant's note naming Ann WHEN Ann is redacted THEN Bo's request stays listed and downloadable, with Ann's name cut out; Ann's own request is erased", async () => {
    const { default: db } = await import("~/db.server");
    const { createCustomer, createReward } = await import("../../../test/support/factories");
    const { recordEvent } = await import("~/services/rewards/events.server");
    const { handleCustomersDataRequest, handleCustomersRedact, listDataRequests } = await import("./privacy.server");
    const shop = "redact-others-request.myshopify.com";
    const ann = await createCustomer(db, shop, { firstName: "Annika", lastName: "Lund", email: "annika.lund@example.com", shopifyCustomerId: "gid://shopify/Customer/7501" });
    const bo = await createCustomer(db, shop, { firstName: "Bo", lastName: "Ekberg", email: "bo.ekberg@example.com", shopifyCustomerId: "gid://shopify/Customer/7502" });
    const bosReward = await createReward(db, bo);
    await recordEvent(db, { rewardId: bosReward.id, shop, type: "NOTE", actor: "MERCHANT", reason: "Note", note: "Duplicate of Annika Lund's reward" });
    const bosRequest = await handleCustomersDataRequest(db, { shop, payload: { shop_domain: shop, customer: { id: 7502, email: "bo.ekberg@example.com" } } });
    const annsRequest = await handleCustomersDataRequest(db, { shop, payload: { shop_domain: shop, customer: { id: 7501, email: "annika.lund@example.com" } } });
    expect(ann.id).not.toBe(bo.id);

    await handleCustomersRedact(db, { shop, payload: { shop_domain: shop, customer: { id: 7501, email: "annika.lund@example.com" } } });

    // Bo asked for his data: the merchant still sees the request and can hand it over.
    expect((await listDataRequests(db, shop)).map((r) => r.id)).toEqual([bosRequest.id]);
    const bos = await db.complianceRequest.findUniqueOrThrow({ where: { id: bosRequest.id } });
    expect(bos).toMatchObject({ erasedAt: null, customerGid: "gid://shopify/Customer/7502" });
    expect(bos.result).toContain("bo.ekberg@example.com");
    expect(bos.result).toContain("Duplicate of [redacted]'s reward");
    expect(bos.result).not.toContain("Annika Lund");
    expect(await db.complianceRequest.findUniqueOrThrow({ where: { id: annsRequest.id } })).toMatchObject({ result: null, customerGid: null, erasedAt: expect.any(Date) });
  });
});

describe("scrubJson and what else an order body about the subject holds", () => {
  it("GIVEN the subject's order with its order status link and a line item's buyer-typed properties WHEN scrubbed THEN both are gone; the items, prices and codes stay applicable", () => {
    const subject = { gids: ["gid://shopify/Customer/7601"], emails: ["ines.order@example.com"] };
    const body = JSON.stringify({
      id: 820982911946154,
      admin_graphql_api_id: "gid://shopify/Order/820982911946154",
      name: "#1042",
      email: "ines.order@example.com",
      // Opens the order's status page (its shipping address) for whoever holds it.
      order_status_url: "https://shop.example/1/orders/abc123/authenticate?key=secretkey",
      line_items: [{ id: 1, price: "20.00", quantity: 1, properties: [{ name: "Engraving", value: "For Mum, love Ines" }] }],
      customer: { id: 7601, admin_graphql_api_id: "gid://shopify/Customer/7601", email: "ines.order@example.com" },
    });
    const scrubbed = JSON.parse(scrubJson(body, ["ines.order@example.com", "gid://shopify/Customer/7601"], subject)!);
    expect(scrubbed.order_status_url).toBeNull();
    expect(scrubbed.line_items).toEqual([{ id: 1, price: "20.00", quantity: 1, properties: null }]);
    expect(scrubbed).toMatchObject({ name: "#1042", admin_graphql_api_id: "gid://shopify/Order/820982911946154", email: null });
  });
});

describe("customers/data_request applied by one worker while another applies the same customer's customers/redact", () => {
  it("GIVEN worker B has read the customer's data for an export WHEN worker A's erasure commits before B stores it THEN the stored request holds nothing of them", async () => {
    const { default: db } = await import("~/db.server");
    const { createCustomer } = await import("../../../test/support/factories");
    const { findText } = await import("../../../test/support/text-search");
    const { handleCustomersRedact } = await import("./privacy.server");
    const shop = "export-beside-erasure.myshopify.com";
    const who = { gid: "gid://shopify/Customer/7701", email: "yrsa.beside@example.com" };
    await createCustomer(db, shop, { firstName: "Yrsa", lastName: "Besideworker", email: who.email, shopifyCustomerId: who.gid });
    const redact = { shop, payload: { shop_id: 1, shop_domain: shop, customer: { id: 7701, email: who.email }, orders_to_redact: [] } };
    // Worker B's view of the database: worker A applies the erasure between B's reads and B's write.
    let raced = false;
    const racing = new Proxy(db, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (property !== "complianceRequest") return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        const requests = value as typeof db.complianceRequest;
        return new Proxy(requests, {
          get(t, method) {
            const fn = Reflect.get(t, method, t) as unknown;
            if (method !== "create" || raced) return typeof fn === "function" ? (fn as (...a: unknown[]) => unknown).bind(t) : fn;
            return async (args: Parameters<typeof db.complianceRequest.create>[0]) => {
              raced = true;
              await handleCustomersRedact(db, redact);
              return t.create(args);
            };
          },
        });
      },
    });

    await handleCustomersDataRequest(racing, { shop, payload: { shop_domain: shop, customer: { id: 7701, email: who.email }, data_request: { id: 9901 } } });

    expect(raced).toBe(true);
    expect(await findText(db, [who.email, "Besideworker", who.gid])).toEqual([]);
    expect(await db.complianceRequest.findMany({ where: { shop, topic: "customers/data_request" }, select: { result: true, customerGid: true, erasedAt: true } })).toEqual([
      { result: null, customerGid: null, erasedAt: expect.any(Date) },
    ]);
  });
});

describe("customers/data_request exports what the app stores about the customer", () => {
  it("GIVEN a customer with points earned on an order, a VIP order, a tier change and a redemption WHEN their data is requested THEN the export holds those orders, amounts, dates and the redemption, not only the rewards", async () => {
    const { default: db } = await import("~/db.server");
    const { createCustomer } = await import("../../../test/support/factories");
    const shop = "data-request-complete.myshopify.com";
    const customer = await createCustomer(db, shop, { email: "orla.orders@example.com", shopifyCustomerId: "gid://shopify/Customer/7101" });
    const order = "gid://shopify/Order/880011";
    await db.customer.update({ where: { id: customer.id }, data: { pendingPoints: 7, pointsShortfall: 3 } });
    await db.pointsTransaction.create({
      data: { shop, customerId: customer.id, delta: 42, balanceAfter: 42, reason: "EARNED", orderGid: order, orderName: "#ORLA-1001", amount: "42.50", sourceKey: `order:${order}:earn`, status: "AVAILABLE" },
    });
    await db.vipOrder.create({ data: { shop, customerId: customer.id, orderGid: order, amount: "42.50", refunded: "2.00", orderedAt: new Date("2026-11-01T10:00:00Z") } });
    await db.vipTierChange.create({ data: { shop, customerId: customer.id, toTierName: "Gold", direction: "UP", reasonCode: "THRESHOLD_REACHED", reason: "Reached Gold", periodKey: "LIFETIME", orderGid: order } });
    await db.redemption.create({ data: { shop, customerId: customer.id, idempotencyKey: "orla-redeem-1", templateId: "tpl-x", code: "ORLA-CODE-1", state: "FAILED", errorReason: "shopify_error", leaseUntil: new Date(), points: 500 } });
    const raw = `{"shop_id":1,"shop_domain":"${shop}","customer":{"id":7101,"email":"orla.orders@example.com"},"data_request":{"id":71011}}`;

    const stored = await handleCustomersDataRequest(db, { shop, payload: JSON.parse(raw), rawPayload: raw });

    const [data] = JSON.parse(stored.result!).data;
    expect(data.customer).toMatchObject({ pendingPoints: 7, pointsShortfall: 3 });
    expect(data.pointsLedger[0]).toMatchObject({ order: order, orderName: "#ORLA-1001", amount: "42.50", status: "AVAILABLE" });
    expect(data.vipOrders).toEqual([expect.objectContaining({ order, amount: "42.50", refunded: "2.00", canceled: false, orderedAt: "2026-11-01T10:00:00.000Z" })]);
    expect(data.vipTierChanges[0]).toMatchObject({ to: "Gold", order });
    expect(data.redemptions).toEqual([expect.objectContaining({ code: "ORLA-CODE-1", state: "FAILED", points: 500 })]);
  });
});
