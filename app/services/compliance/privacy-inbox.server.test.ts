// customers/redact and what the webhook inbox still holds about the subject: deliveries claimed in
// the same batch, and bodies about the orders Shopify lists in `orders_to_redact`.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { applyClaimedDeliveries, applyDueDeliveries, claimDueDeliveries, recordDelivery, type ClaimedDelivery, type WebhookEffects } from "~/services/webhooks/inbox.server";
import { inboxRules } from "~/services/webhooks/apply.server";
import { WEBHOOK_EFFECTS } from "~/services/webhooks/effects.server";
import { handleOrderCreated, orderContext } from "~/services/orders/order-created.server";
import { resumeShop } from "~/services/lifecycle/lifecycle.server";
import { findText } from "../../../test/support/text-search";

// The worker's erasure guard, as drainWebhookInbox applies the inbox (its rule for unknown shops is
// left out: these shops have no Shop row).
const options = (workerId: string, concurrency: number) => ({ workerId, now: () => new Date(), batchSize: 10, leaseMs: 60_000, concurrency, erasureGuard: inboxRules(db).erasureGuard });
const apply = (workerId: string, concurrency: number) => applyDueDeliveries(db, WEBHOOK_EFFECTS, options(workerId, concurrency));
/** Worker B applies the deliveries it claimed earlier, with `effects` (default: the registered ones). */
const applyClaimed = (workerId: string, claimed: ClaimedDelivery[], effects: WebhookEffects = WEBHOOK_EFFECTS) => applyClaimedDeliveries(db, effects, claimed, options(workerId, 1));

async function record(shop: string, topic: "orders/create" | "customers/redact" | "refunds/create" | "orders/cancelled" | "shop/redact" | "customers/create" | "customers/update", webhookId: string, body: unknown, receivedAt: Date) {
  const rawBody = typeof body === "string" ? body : JSON.stringify(body);
  await recordDelivery(db, { shop, topic, webhookId, apiVersion: "2026-10", triggeredAt: null, rawBody, payload: JSON.parse(rawBody) }, receivedAt);
}

const money = (amount: string) => ({ shop_money: { amount, currency_code: "USD" }, presentment_money: { amount, currency_code: "USD" } });

/** An orders/create body as Shopify sends it, reduced to what the app reads plus the personal fields. */
function orderBody(id: number, who: { id: number; first_name: string; last_name: string; email: string }) {
  const address = { first_name: who.first_name, last_name: who.last_name, name: `${who.first_name} ${who.last_name}`, address1: "9 Hidden Row", phone: "+16135550177" };
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    email: who.email,
    created_at: new Date().toISOString(),
    currency: "USD",
    subtotal_price_set: money("40.00"),
    total_tax_set: money("0.00"),
    billing_address: address,
    shipping_address: address,
    line_items: [{ id: id * 10, price: "40.00", quantity: 1, properties: [{ name: "Engraving", value: `For ${who.first_name}` }] }],
    customer: { ...who, admin_graphql_api_id: `gid://shopify/Customer/${who.id}` },
  };
}

describe("customers/redact and an order of the subject claimed in the same inbox batch", () => {
  for (const concurrency of [1, 8]) {
    it(`GIVEN the subject's customers/redact and then their orders/create due together (${concurrency} lane(s)) WHEN one batch applies both THEN no row holds their name or email afterwards`, async () => {
      const shop = `redact-same-batch-${concurrency}.myshopify.com`;
      await db.programSettings.create({ data: { shop, enabled: true } });
      const who = { id: 8100 + concurrency, first_name: "Rhea", last_name: `Racewell${concurrency}`, email: `rhea.race${concurrency}@example.com` };
      const order = (id: number) => orderBody(id, who);
      const t0 = Date.now() - 10_000;
      // A first order made them a program customer.
      await record(shop, "orders/create", "first-order", order(91001), new Date(t0));
      expect(await apply(`first-${concurrency}`, concurrency)).toMatchObject({ applied: 1 });
      expect(await db.customer.count({ where: { shop, email: who.email } })).toBe(1);
      // Shopify then asks to erase them; an order of theirs (a retry, say) waits beside it in the inbox.
      await record(shop, "customers/redact", "redact", { shop_id: 1, shop_domain: shop, customer: { id: who.id, email: who.email, phone: null }, orders_to_redact: [91001, 91002] }, new Date(t0 + 1_000));
      await record(shop, "orders/create", "second-order", order(91002), new Date(t0 + 2_000));

      const summary = await apply(`batch-${concurrency}`, concurrency);

      expect(summary).toMatchObject({ claimed: 2, applied: 2 });
      expect(await findText(db, [who.email, `Rhea ${who.last_name}`, who.last_name, `gid://shopify/Customer/${who.id}`])).toEqual([]);
      expect(await db.customer.findMany({ where: { shop }, select: { displayName: true, email: true } })).toEqual([{ displayName: "Redacted customer", email: null }]);
    });
  }
});

describe("customers/redact and the orders Shopify lists in orders_to_redact", () => {
  it("GIVEN a waiting refunds/create (card details, buyer-typed line item properties) and a dead-lettered guest orders/cancelled of orders listed in orders_to_redact WHEN the customer is redacted THEN both bodies lose their personal fields and stay applicable; a body of an unlisted order keeps its bytes", async () => {
    const { createCustomer } = await import("../../../test/support/factories");
    const { handleCustomersRedact } = await import("./privacy.server");
    const shop = "redact-orders-to-redact.myshopify.com";
    await createCustomer(db, shop, { firstName: "Ola", lastName: "Refundsen", email: "ola.refundsen@example.com", shopifyCustomerId: "gid://shopify/Customer/8201" });
    const card = { credit_card_bin: "411119", avs_result_code: "Y", cvv_result_code: "M", credit_card_number: "•••• •••• •••• 7731", credit_card_company: "Visa", credit_card_name: "O. Refundsen", credit_card_expiration_month: 4, credit_card_expiration_year: 2031 };
    // refunds/create names its order only by order_id (https://shopify.dev/docs/api/admin-rest/latest/resources/refund), here beyond 2^53.
    const refund = `{"id":930001,"order_id":820982911946154508,"note":"returned the engraved ring","refund_line_items":[{"id":1,"quantity":1,"subtotal_set":{"shop_money":{"amount":"40.00","currency_code":"USD"}},"line_item":{"id":77,"price":"40.00","properties":[{"name":"Engraving","value":"Ola + Sam"}]}}],"transactions":[{"id":5,"kind":"refund","amount":"40.00","order_id":820982911946154508,"gateway":"shopify_payments","payment_details":${JSON.stringify(card)},"receipt":{"payer_email":"ola.paypal@example.net"}}]}`;
    // A guest checkout under another email: nothing in it names the customer Shopify asks about.
    const cancelled = JSON.stringify({ id: 92002, admin_graphql_api_id: "gid://shopify/Order/92002", name: "#1092", email: "ola.old@example.net", phone: "+4790000001", cancelled_at: "2026-11-01T10:00:00Z", shipping_address: { name: "Ola Refundsen", address1: "3 Fjord Gate" }, payment_details: card, line_items: [{ id: 78, price: "10.00", properties: [{ name: "Gift note", value: "Happy birthday Ola" }] }], customer: null });
    const unlisted = `{"id":930009,"order_id":92009,"note":"damaged in transit","transactions":[{"id":9,"kind":"refund","amount":"5.00","payment_details":{"credit_card_bin":"522222"}}]}`;
    const later = new Date(Date.now() + 60_000);
    await db.webhookDelivery.create({ data: { shop, webhookId: "refund-1", topic: "refunds/create", payload: refund, nextAttemptAt: later, attempts: 1 } });
    await db.webhookDelivery.create({ data: { shop, webhookId: "cancel-1", topic: "orders/cancelled", payload: cancelled, nextAttemptAt: null, deadAt: new Date(), attempts: 8 } });
    await db.webhookDelivery.create({ data: { shop, webhookId: "refund-9", topic: "refunds/create", payload: unlisted, nextAttemptAt: later, attempts: 1 } });
    const raw = `{"shop_id":1,"shop_domain":"${shop}","customer":{"id":8201,"email":"ola.refundsen@example.com","phone":null},"orders_to_redact":[820982911946154508,92002]}`;

    await handleCustomersRedact(db, { shop, payload: JSON.parse(raw), rawPayload: raw });

    expect(await findText(db, ["411119", "7731", "O. Refundsen", "Ola + Sam", "ola.paypal@example.net", "engraved ring", "ola.old@example.net", "+4790000001", "Fjord Gate", "Happy birthday"])).toEqual([]);
    const payload = async (webhookId: string) => (await db.webhookDelivery.findFirstOrThrow({ where: { shop, webhookId } })).payload!;
    const keptRefund = await payload("refund-1");
    // Still the refund of that order, its id exact, its amounts there to take points back.
    expect(keptRefund).toContain('"order_id":820982911946154508');
    expect(JSON.parse(keptRefund)).toMatchObject({ note: null, refund_line_items: [{ quantity: 1, line_item: { id: 77, price: "40.00", properties: null } }], transactions: [{ kind: "refund", amount: "40.00", payment_details: null, receipt: null }] });
    expect(JSON.parse(await payload("cancel-1"))).toMatchObject({ id: 92002, name: "#1092", cancelled_at: "2026-11-01T10:00:00Z", email: null, phone: null, shipping_address: null, payment_details: null, line_items: [{ id: 78, price: "10.00", properties: null }] });
    expect(await payload("refund-9")).toBe(unlisted);
  });

  it("GIVEN a waiting refunds/create of an order the app credited to the customer WHEN Shopify's orders_to_redact is empty THEN the refund still loses the card details: the app knows the order is theirs", async () => {
    const { createCustomer } = await import("../../../test/support/factories");
    const { handleCustomersRedact } = await import("./privacy.server");
    const shop = "redact-known-orders.myshopify.com";
    const customer = await createCustomer(db, shop, { firstName: "Pia", lastName: "Known", email: "pia.known@example.com", shopifyCustomerId: "gid://shopify/Customer/8301" });
    await db.pointsTransaction.create({ data: { shop, customerId: customer.id, delta: 40, balanceAfter: 40, reason: "EARNED", orderGid: "gid://shopify/Order/93001", orderName: "#1093", sourceKey: "earned:93001" } });
    const refund = '{"id":930101,"order_id":93001,"transactions":[{"id":6,"kind":"refund","amount":"40.00","payment_details":{"credit_card_bin":"411120","credit_card_number":"•••• 8842"}}]}';
    await db.webhookDelivery.create({ data: { shop, webhookId: "refund-known", topic: "refunds/create", payload: refund, nextAttemptAt: new Date(Date.now() + 60_000), attempts: 1 } });

    await handleCustomersRedact(db, { shop, payload: { shop_id: 1, shop_domain: shop, customer: { id: 8301, email: "pia.known@example.com" }, orders_to_redact: [] } });

    expect(await findText(db, ["411120", "8842"])).toEqual([]);
  });
});

describe("customers/redact naming the customer by email only (2 December, third session)", () => {
  it("GIVEN a request whose customer id is unusable and whose email differs in case from the stored one THEN that customer is erased, and no one else", async () => {
    const { createCustomer } = await import("../../../test/support/factories");
    const { handleCustomersRedact } = await import("./privacy.server");
    const shop = "redact-email-case.myshopify.com";
    const subject = await createCustomer(db, shop, { firstName: "Émile", lastName: "Case", email: "Emile.Case@Example.com", shopifyCustomerId: "gid://shopify/Customer/8401" });
    const other = await createCustomer(db, shop, { firstName: "Emil", lastName: "Other", email: "emile.case@example.co", shopifyCustomerId: "gid://shopify/Customer/8402" });

    await handleCustomersRedact(db, { shop, payload: { shop_id: 1, shop_domain: shop, customer: { id: "not-an-id", email: "emile.case@example.com" }, orders_to_redact: [] } });

    expect(await findText(db, ["Emile.Case@Example.com", "Émile"])).toEqual([]);
    expect((await db.customer.findUniqueOrThrow({ where: { id: other.id } })).email).toBe("emile.case@example.co");
    expect((await db.customer.findUniqueOrThrow({ where: { id: subject.id } })).email).not.toBe("Emile.Case@Example.com");
  });

  it("GIVEN another customer whose email differs by a letter that lower-cases to ASCII (the Kelvin sign) WHEN the request names 'kate@…' by email only THEN only Kate is erased", async () => {
    const { createCustomer } = await import("../../../test/support/factories");
    const { handleCustomersRedact } = await import("./privacy.server");
    const shop = "redact-email-kelvin.myshopify.com";
    // GIVEN Kate, and another address spelled with U+212A ("K".toLowerCase() is "k")
    const kate = await createCustomer(db, shop, { firstName: "Kate", lastName: "Ascii", email: "Kate@example.com", shopifyCustomerId: "gid://shopify/Customer/8411" });
    const kelvin = await createCustomer(db, shop, { firstName: "Kelvin", lastName: "Sign", email: "\u212Aate@example.com", shopifyCustomerId: "gid://shopify/Customer/8412" });

    // WHEN Shopify asks to erase kate@example.com, naming no usable id
    await handleCustomersRedact(db, { shop, payload: { shop_id: 1, shop_domain: shop, customer: { id: "not-an-id", email: "kate@example.com" }, orders_to_redact: [] } });

    // THEN Kate is erased and the other customer keeps their data
    expect((await db.customer.findUniqueOrThrow({ where: { id: kate.id } })).email).toBeNull();
    expect(await db.customer.findUniqueOrThrow({ where: { id: kelvin.id } })).toMatchObject({ email: "\u212Aate@example.com", shopifyCustomerId: "gid://shopify/Customer/8412" });
  });
});

describe("customers/redact and a later body naming the subject by a GID the effects read (fifth session)", () => {
  // The effects read a Customer or Order GID by the app's one rule (shopifyGidOf: trimmed, numeric,
  // within 64 bits); the erasure guard read it by its own prefix test (no trim), so the two disagreed
  // on " gid://shopify/Customer/8301": the effects created customer 8301, the guard saw no customer.
  it("GIVEN a redacted customer WHEN a customers/create and an orders/create naming them as ' gid://shopify/Customer/<id>' (no numeric id) are applied THEN no row holds their name or email again", async () => {
    const { createCustomer } = await import("../../../test/support/factories");
    const shop = "redact-gid-spaces.myshopify.com";
    await db.programSettings.create({ data: { shop, enabled: true } });
    const who = { id: 8301, first_name: "Wes", last_name: "Spacegid", email: "wes.spacegid@example.com" };
    await createCustomer(db, shop, { firstName: who.first_name, lastName: who.last_name, email: who.email, shopifyCustomerId: `gid://shopify/Customer/${who.id}` });
    const t0 = Date.now() - 10_000;
    await record(shop, "customers/redact", "redact", { shop_id: 1, shop_domain: shop, customer: { id: who.id, email: who.email, phone: null }, orders_to_redact: [] }, new Date(t0));
    expect(await apply("redact-first", 1)).toMatchObject({ applied: 1 });
    expect(await findText(db, [who.email, who.last_name])).toEqual([]);

    const spaced = ` gid://shopify/Customer/${who.id} `;
    await record(shop, "customers/create", "signup-again", { admin_graphql_api_id: spaced, first_name: who.first_name, last_name: who.last_name, email: who.email }, new Date(t0 + 1_000));
    const { id: _id, ...noNumericId } = who;
    const order = { ...orderBody(97001, who), customer: { ...noNumericId, admin_graphql_api_id: spaced } };
    await record(shop, "orders/create", "order-again", order, new Date(t0 + 2_000));

    expect(await apply("after", 1)).toMatchObject({ claimed: 2, applied: 2 });

    expect(await findText(db, [who.email, `${who.first_name} ${who.last_name}`, who.last_name])).toEqual([]);
  });
});

describe("customers/redact and a later customers/create of the subject (fifth session)", () => {
  // The erasure guard applies the body without their personal data, its customer id "[redacted]";
  // the topic's body shape then read that as "not a customer" and dead-lettered Shopify's own body
  // with a reason that was not true (and kept it 30 days for a merchant to puzzle over).
  it("GIVEN a redacted customer WHEN Shopify's customers/create for them is applied THEN it is applied as nothing: no dead letter, no row holds their name or email", async () => {
    const { createCustomer } = await import("../../../test/support/factories");
    const shop = "redact-then-signup.myshopify.com";
    await db.programSettings.create({ data: { shop, enabled: true, signupBonus: 50 } });
    const who = { id: 8311, first_name: "Sid", last_name: "Signupafter", email: "sid.signupafter@example.com" };
    await createCustomer(db, shop, { firstName: who.first_name, lastName: who.last_name, email: who.email, shopifyCustomerId: `gid://shopify/Customer/${who.id}` });
    const t0 = Date.now() - 10_000;
    await record(shop, "customers/redact", "redact", { shop_id: 1, shop_domain: shop, customer: { id: who.id, email: who.email, phone: null }, orders_to_redact: [] }, new Date(t0));
    expect(await apply("redact-first", 1)).toMatchObject({ applied: 1 });
    await record(shop, "customers/create", "signup-late", { ...who, admin_graphql_api_id: `gid://shopify/Customer/${who.id}` }, new Date(t0 + 1_000));

    expect(await apply("after", 1)).toMatchObject({ claimed: 1, applied: 1, dead: 0 });

    expect(await findText(db, [who.email, `${who.first_name} ${who.last_name}`, who.last_name])).toEqual([]);
    expect(await db.pointsTransaction.count({ where: { shop, reason: "SIGNUP_BONUS" } })).toBe(0);
  });
});

describe("customers/redact and a later customers/update of the subject (the account activated after the erasure)", () => {
  // customers/update follows customers/create's rules (personalData: the erasure guard): the body is
  // applied without their personal data, its customer id "[redacted]", so nothing is recreated.
  it("GIVEN a guest (customers/create, state disabled) who is then redacted WHEN Shopify's customers/update saying their account is enabled is applied THEN it is applied as nothing: no dead letter, no bonus, no row holds their name or email", async () => {
    const shop = "redact-then-activate.myshopify.com";
    await db.programSettings.create({ data: { shop, enabled: true, signupBonus: 50 } });
    const who = { id: 8321, first_name: "Ada", last_name: "Activatedlater", email: "ada.activatedlater@example.com" };
    const body = (state: string) => ({ ...who, admin_graphql_api_id: `gid://shopify/Customer/${who.id}`, state });
    const t0 = Date.now() - 10_000;
    await record(shop, "customers/create", "guest", body("disabled"), new Date(t0));
    expect(await apply("guest", 1)).toMatchObject({ applied: 1 });
    expect(await db.customer.count({ where: { shop } })).toBe(1);
    await record(shop, "customers/redact", "redact", { shop_id: 1, shop_domain: shop, customer: { id: who.id, email: who.email, phone: null }, orders_to_redact: [] }, new Date(t0 + 1_000));
    expect(await apply("redact", 1)).toMatchObject({ applied: 1 });
    await record(shop, "customers/update", "activated", body("enabled"), new Date(t0 + 2_000));
    await record(shop, "customers/create", "guest-again", body("disabled"), new Date(t0 + 3_000));

    expect(await apply("after", 1)).toMatchObject({ claimed: 2, applied: 2, dead: 0 });

    expect(await findText(db, [who.email, `${who.first_name} ${who.last_name}`, who.last_name])).toEqual([]);
    expect(await db.pointsTransaction.count({ where: { shop, reason: "SIGNUP_BONUS" } })).toBe(0);
    expect(await db.customer.count({ where: { shop, shopifyCustomerId: `gid://shopify/Customer/${who.id}` } })).toBe(0);
  });
});

describe("customers/redact and the names of the subject's orders", () => {
  it("GIVEN an order of the subject that earned points and used their reward (ledger row, Used reward, history) WHEN they are redacted THEN the order's name is gone from every column, as from the reward's usedOrderName; its id and the amounts stay", async () => {
    const { createCustomer, createReward } = await import("../../../test/support/factories");
    const { handleCustomersRedact } = await import("./privacy.server");
    const shop = "redact-order-names.myshopify.com";
    await db.programSettings.create({ data: { shop, enabled: true } });
    const who = { id: 8401, first_name: "Nils", last_name: "Ordername", email: "nils.ordername@example.com" };
    const customer = await createCustomer(db, shop, { firstName: who.first_name, lastName: who.last_name, email: who.email, shopifyCustomerId: `gid://shopify/Customer/${who.id}` });
    const reward = await createReward(db, customer);
    // Another customer's code on the same order: their reward is Used on the subject's order.
    const friend = await createCustomer(db, shop, { firstName: "Fred", lastName: "Friendly", email: "fred.friendly@example.com", shopifyCustomerId: "gid://shopify/Customer/8402" });
    const friends = await createReward(db, friend);
    const codes = [reward, friends].map((r) => ({ code: r.code, amount: "10.00", type: "fixed_amount" }));
    const body = { ...orderBody(94001, who), name: "#NO-4711", discount_codes: codes };
    await record(shop, "orders/create", "named-order", body, new Date(Date.now() - 1_000));
    expect(await apply("order-names", 1)).toMatchObject({ applied: 1 });
    const where = async () => (await findText(db, ["#NO-4711"])).map((h) => `${h.table}.${h.column}`).sort();
    expect(await where()).toEqual(["PointsTransaction.orderName", "Reward.usedOrderName", "Reward.usedOrderName", "RewardEvent.reason", "RewardEvent.reason"]);

    await handleCustomersRedact(db, { shop, payload: { shop_id: 1, shop_domain: shop, customer: { id: who.id, email: who.email }, orders_to_redact: [94001] } });

    expect(await findText(db, ["#NO-4711"])).toEqual([]);
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ status: "USED", usedOrderGid: "gid://shopify/Order/94001", usedOrderName: null });
    expect(await db.reward.findUniqueOrThrow({ where: { id: friends.id } })).toMatchObject({ status: "USED", usedOrderGid: "gid://shopify/Order/94001", usedOrderName: null, code: friends.code });
    expect(await db.pointsTransaction.findMany({ where: { shop }, select: { reason: true, delta: true, orderGid: true, orderName: true } })).toEqual([{ reason: "EARNED", delta: 40, orderGid: "gid://shopify/Order/94001", orderName: null }]);
  });
});

describe("customers/redact applied by one worker while another worker holds the subject's orders/create", () => {
  // Several inbox workers (PostgreSQL): each applies the body it read when it claimed the delivery.
  // The two applies are driven here in the racing order, explicitly, with the real inbox and effects.
  const subject = (n: number) => ({ id: 8500 + n, first_name: "Wanda", last_name: `Twoworkers${n}`, email: `wanda.two${n}@example.com` });
  const personal = (who: ReturnType<typeof subject>) => [who.email, `Wanda ${who.last_name}`, who.last_name, `gid://shopify/Customer/${who.id}`];

  async function customerWithAClaimedOrder(shop: string, who: ReturnType<typeof subject>) {
    await db.programSettings.create({ data: { shop, enabled: true } });
    const t0 = Date.now() - 10_000;
    await record(shop, "orders/create", "first-order", orderBody(95001 + who.id, who), new Date(t0));
    expect(await apply(`first-${shop}`, 1)).toMatchObject({ applied: 1 });
    // Their next order is received, then Shopify's request to erase them.
    await record(shop, "orders/create", "second-order", orderBody(96001 + who.id, who), new Date(t0 + 1_000));
    await record(shop, "customers/redact", "redact", { shop_id: 1, shop_domain: shop, customer: { id: who.id, email: who.email, phone: null }, orders_to_redact: [] }, new Date(t0 + 2_000));
    // Worker B claims the order (oldest first), reading its body as it is now.
    const [claimed] = await claimDueDeliveries(db, { workerId: "worker-b", batchSize: 1, leaseMs: 60_000, now: new Date() });
    expect(claimed).toMatchObject({ topic: "orders/create", webhookId: "second-order" });
    return claimed;
  }

  it("GIVEN worker B claimed the subject's orders/create WHEN worker A applies their customers/redact and then B applies the order THEN no row holds their name, email or id", async () => {
    const shop = "redact-two-workers.myshopify.com";
    const who = subject(1);
    const claimed = await customerWithAClaimedOrder(shop, who);
    // Worker A: the order is leased to B, so A's batch is the erasure alone.
    expect(await apply("worker-a", 1)).toMatchObject({ claimed: 1, applied: 1 });
    expect(await findText(db, personal(who))).toEqual([]);

    // Worker B applies the body it read before the erasure, through the inbox and the registered effects.
    expect(await applyClaimed("worker-b", [claimed])).toMatchObject({ claimed: 1, applied: 1 });

    expect(await findText(db, personal(who))).toEqual([]);
    expect(await db.customer.findMany({ where: { shop }, select: { displayName: true, email: true } })).toEqual([{ displayName: "Redacted customer", email: null }]);
  });

  it("GIVEN worker B looked for a redaction before A recorded one WHEN A's erasure commits before B writes the order THEN B's second look erases what it wrote", async () => {
    const shop = "redact-two-workers-interleaved.myshopify.com";
    const who = subject(2);
    const claimed = await customerWithAClaimedOrder(shop, who);

    // Worker B's batch: its first look (before the effects) finds no redaction yet. Its effect for
    // the order is the real one, with worker A's erasure applied just before it writes.
    const racing: WebhookEffects = {
      ...WEBHOOK_EFFECTS,
      "orders/create": [
        async (_db, d) => {
          expect(await apply("worker-a", 1)).toMatchObject({ claimed: 1, applied: 1 });
          await handleOrderCreated(db, orderContext(d.shop, d.payload, d.receivedAt));
          // B's writes as they were: the customer is back with name and email…
          expect((await findText(db, personal(who))).length).toBeGreaterThan(0);
        },
      ],
    };
    expect(await applyClaimed("worker-b", [claimed], racing)).toMatchObject({ claimed: 1, applied: 1 });

    // …until B's look after its writes finds A's record and erases them.
    expect(await findText(db, personal(who))).toEqual([]);
    expect(await db.customer.findMany({ where: { shop }, select: { displayName: true, email: true } })).toEqual(
      expect.arrayContaining([{ displayName: "Redacted customer", email: null }]),
    );
    expect(await db.customer.count({ where: { shop, NOT: { displayName: "Redacted customer" } } })).toBe(0);
  });
});

describe("shop/redact applied by one worker while another worker holds one of the shop's orders", () => {
  it("GIVEN worker B claimed an orders/create of the shop WHEN worker A applies shop/redact and then B applies the order THEN no row of the shop is left", async () => {
    const shop = "shop-redact-two-workers.myshopify.com";
    const who = { id: 8601, first_name: "Gustav", last_name: "Shopgone", email: "gustav.shopgone@example.com" };
    await db.programSettings.create({ data: { shop, enabled: true } });
    const t0 = Date.now() - 10_000;
    // Installed (its token exchanged) before its deliveries arrived.
    await db.shop.create({ data: { domain: shop, installedAt: new Date(t0 - 1_000) } });
    await record(shop, "orders/create", "first-order", orderBody(97001, who), new Date(t0));
    expect(await apply("shop-first", 1)).toMatchObject({ applied: 1 });
    await record(shop, "orders/create", "second-order", orderBody(97002, who), new Date(t0 + 1_000));
    await record(shop, "shop/redact", "shop-redact", { shop_id: 1, shop_domain: shop }, new Date(t0 + 2_000));
    const [claimed] = await claimDueDeliveries(db, { workerId: "worker-b", batchSize: 1, leaseMs: 60_000, now: new Date() });
    expect(claimed).toMatchObject({ topic: "orders/create", webhookId: "second-order" });

    // Worker B's batch starts while the shop is still known; worker A applies shop/redact (no
    // session, so Shopify is not asked; the shop is erased) just before B's effect writes the order.
    const racing: WebhookEffects = {
      ...WEBHOOK_EFFECTS,
      "orders/create": [
        async (_db, d) => {
          expect(await apply("worker-a", 1)).toMatchObject({ claimed: 1, applied: 1 });
          expect(await findText(db, [shop, who.last_name])).toEqual([]);
          await handleOrderCreated(db, orderContext(d.shop, d.payload, d.receivedAt));
          expect((await findText(db, [who.email])).length).toBeGreaterThan(0);
        },
      ],
    };
    expect(await applyClaimed("worker-b", [claimed], racing)).toMatchObject({ claimed: 1, applied: 1 });

    // B's look after its batch finds the shop's erasure mark and erases what it wrote.
    expect(await findText(db, [shop, who.last_name, who.email])).toEqual([]);

    // The merchant installs the app again (afterAuth → resumeShop): the shop's new orders are kept.
    await resumeShop(db, { shop, now: new Date() });
    await record(shop, "orders/create", "after-reinstall", orderBody(97003, who), new Date());
    expect(await apply("after-reinstall", 1)).toMatchObject({ applied: 1 });
    expect(await db.customer.findMany({ where: { shop }, select: { email: true } })).toEqual([{ email: who.email }]);
  });
});

describe("a refund of an order of a customer who was redacted", () => {
  const refundBody = (refundId: number, orderId: number) =>
    JSON.stringify({ id: refundId, admin_graphql_api_id: `gid://shopify/Refund/${refundId}`, order_id: orderId, note: "Kim sent it back", refund_line_items: [{ quantity: 1, subtotal_set: money("10.00"), total_tax_set: money("0.00") }] });

  it("GIVEN an order that earned points and counted for VIP, then the customer's customers/redact WHEN a refund of that order is applied THEN its points come back from the anonymous customer, without error, and no VIP row or kept refund is written again", async () => {
    const shop = "redact-then-refund.myshopify.com";
    await db.programSettings.create({ data: { shop, enabled: true, pointsPerCurrencyUnit: "1" } });
    const who = { id: 8401, first_name: "Kim", last_name: "Zquillrefund", email: "kim.zquillrefund@example.com" };
    await record(shop, "orders/create", "kim-order", orderBody(94001, who), new Date(Date.now() - 10_000));
    expect(await apply("kim-1", 1)).toMatchObject({ applied: 1 });
    expect(await db.vipOrder.count({ where: { shop } })).toBe(1);
    await record(shop, "customers/redact", "kim-redact", { shop_id: 1, shop_domain: shop, customer: { id: who.id, email: who.email, phone: null }, orders_to_redact: [94001] }, new Date(Date.now() - 9_000));
    expect(await apply("kim-2", 1)).toMatchObject({ applied: 1 });
    await record(shop, "refunds/create", "kim-refund", refundBody(940011, 94001), new Date(Date.now() - 8_000));
    expect(await apply("kim-3", 1)).toMatchObject({ applied: 1, retried: 0, dead: 0 });
    const customer = await db.customer.findFirstOrThrow({ where: { shop } });
    expect([customer.displayName, customer.pointsBalance]).toEqual(["Redacted customer", 30]);
    expect(await db.vipOrder.count({ where: { shop } })).toBe(0);
    expect(await db.waitingRefund.count({ where: { shop } })).toBe(0);
    expect(await findText(db, [who.email, who.last_name, `gid://shopify/Customer/${who.id}`, "Kim sent it back"])).toEqual([]);
  });

  it("GIVEN a redacted customer's order listed in orders_to_redact and never seen here WHEN its refund is applied (program off: nothing to wait for) THEN no refund is kept for it: the erasure guard erases what the refund would keep", async () => {
    const shop = "redact-then-early-refund.myshopify.com";
    await db.programSettings.create({ data: { shop, enabled: false } });
    await record(shop, "customers/redact", "lee-redact", { shop_id: 1, shop_domain: shop, customer: { id: 8402, email: "lee.gone@example.com", phone: null }, orders_to_redact: [94002] }, new Date(Date.now() - 9_000));
    expect(await apply("lee-1", 1)).toMatchObject({ applied: 1 });
    await record(shop, "refunds/create", "lee-refund", refundBody(940021, 94002), new Date(Date.now() - 8_000));
    expect(await apply("lee-2", 1)).toMatchObject({ applied: 1, retried: 0, dead: 0 });
    expect(await db.waitingRefund.count({ where: { shop } })).toBe(0);
  });
});
