// Gift cards: the feature gate, code rules, and the full code appearing only in the create payload.
import { describe, expect, it } from "vitest";
import { gql, setup, SHOP } from "./helpers";

const CREATE = `mutation Issue($input: GiftCardCreateInput!) {
  giftCardCreate(input: $input) {
    giftCard { id balance { amount currencyCode } initialValue { amount } lastCharacters maskedCode enabled expiresOn note customer { id } }
    giftCardCode
    userErrors { field code message }
  }
}`;
const READ = `query Card($id: ID!) {
  giftCard(id: $id) { id lastCharacters maskedCode balance { amount } enabled deactivatedAt isRedeemable }
}`;
const DEACTIVATE = `mutation Off($id: ID!) {
  giftCardDeactivate(id: $id) { giftCard { id enabled deactivatedAt } userErrors { field code message } }
}`;

describe("giftCardCreate", () => {
  it("returns the full code once; giftCard(id) shows only the last characters", async () => {
    const { handler, store } = setup({ giftCards: true });
    const customer = store.addCustomer(SHOP, { email: "ann@example.com" });
    const { body } = await gql(handler, CREATE, {
      input: { initialAmount: { amount: "25.00", currencyCode: "EUR" }, code: "LOYALTY2026ABCD", customerId: customer.id, note: "reward #1" },
    });
    const payload = body.data?.giftCardCreate;
    expect(payload.userErrors).toEqual([]);
    expect(payload.giftCardCode).toBe("LOYALTY2026ABCD");
    expect(payload.giftCard).toMatchObject({
      balance: { amount: "25.0", currencyCode: "EUR" },
      initialValue: { amount: "25.0" },
      lastCharacters: "ABCD",
      maskedCode: "•••• •••• •••• ABCD",
      enabled: true,
      expiresOn: null,
      note: "reward #1",
      customer: { id: customer.id },
    });

    const read = await gql(handler, READ, { id: payload.giftCard.id });
    expect(read.body.data?.giftCard).toEqual({
      id: payload.giftCard.id,
      lastCharacters: "ABCD",
      maskedCode: "•••• •••• •••• ABCD",
      balance: { amount: "25.0" },
      enabled: true,
      deactivatedAt: null,
      isRedeemable: true,
    });
    expect(JSON.stringify(read.body)).not.toContain("LOYALTY2026");
    // GiftCard has no field that could carry the code.
    const probe = await gql(handler, `query P($id: ID!) { giftCard(id: $id) { code } }`, { id: payload.giftCard.id });
    expect(probe.body.errors?.[0].extensions?.code).toBe("undefinedField");
  });

  it("generates a 16-character code when none is given, and accepts the deprecated initialValue", async () => {
    const { handler } = setup({ giftCards: true });
    const { body } = await gql(handler, CREATE, { input: { initialValue: "10" } });
    const payload = body.data?.giftCardCreate;
    expect(payload.userErrors).toEqual([]);
    expect(payload.giftCardCode).toMatch(/^[a-z0-9]{16}$/);
    expect(payload.giftCard.lastCharacters).toBe((payload.giftCardCode as string).slice(-4));
    expect(payload.giftCard.balance.amount).toBe("10.0");
  });

  it("validates codes: length 8-20, letters and digits, unique case-insensitively", async () => {
    const { handler } = setup({ giftCards: true });
    const attempt = async (code: string) => {
      const { body } = await gql(handler, CREATE, { input: { initialAmount: { amount: "5", currencyCode: "EUR" }, code } });
      return body.data?.giftCardCreate.userErrors as Array<{ field: string[]; code: string }>;
    };
    expect(await attempt("SHORT1")).toEqual([{ field: ["input", "code"], code: "TOO_SHORT", message: "Code is too short (minimum is 8 characters)" }]);
    expect((await attempt("A".repeat(21)))[0].code).toBe("TOO_LONG");
    expect((await attempt("BAD-CODE-1"))[0].code).toBe("INVALID");
    expect(await attempt("GOODCODE1")).toEqual([]);
    expect(await attempt("goodcode1")).toEqual([{ field: ["input", "code"], code: "TAKEN", message: "Code has already been taken" }]);
  });

  it("validates amount, currency and customer", async () => {
    const { handler } = setup({ giftCards: true });
    const errorsFor = async (input: Record<string, unknown>) => {
      const { body } = await gql(handler, CREATE, { input });
      return (body.data?.giftCardCreate.userErrors as Array<{ field: string[]; code: string }>).map((e) => [e.field.join("."), e.code]);
    };
    expect(await errorsFor({})).toEqual([["input.initialAmount", "MISSING_ARGUMENT"]]);
    expect(await errorsFor({ initialAmount: { amount: "0", currencyCode: "EUR" } })).toEqual([["input.initialAmount.amount", "GREATER_THAN"]]);
    expect(await errorsFor({ initialAmount: { amount: "5", currencyCode: "USD" }, crossCurrencyRedemptionStrategy: "MARKET_FX" })).toEqual([
      ["input.crossCurrencyRedemptionStrategy", "INVALID"],
    ]);
    expect(await errorsFor({ initialValue: "5", customerId: "gid://shopify/Customer/77" })).toEqual([["input.customerId", "CUSTOMER_NOT_FOUND"]]);
  });

  it("GIVEN the shop's gift card issue limit THEN a card worth more is refused with GIFT_CARD_LIMIT_EXCEEDED and nothing is issued; a card worth exactly the limit is issued", async () => {
    // Shopify caps issued gift cards at $2,000 USD or the equivalent
    // (https://shopify.dev/changelog/update-new-maximum-value-for-gift-cards), readable as
    // giftCardConfiguration.issueLimit.
    const { handler, store } = setup({ giftCards: true, currencyCode: "USD" });
    const over = await gql(handler, CREATE, { input: { initialAmount: { amount: "2000.01", currencyCode: "USD" }, code: "OVERLIMIT0001" } });
    expect(over.body.data?.giftCardCreate.giftCard).toBeNull();
    expect(over.body.data?.giftCardCreate.userErrors).toEqual([
      { field: ["input", "initialAmount", "amount"], code: "GIFT_CARD_LIMIT_EXCEEDED", message: expect.stringContaining("2000.0") },
    ]);
    const deprecated = await gql(handler, CREATE, { input: { initialValue: "5000", code: "OVERLIMIT0002" } });
    expect(deprecated.body.data?.giftCardCreate.userErrors.map((e: { field: string[]; code: string }) => [e.field.join("."), e.code])).toEqual([
      ["input.initialValue", "GIFT_CARD_LIMIT_EXCEEDED"],
    ]);
    expect(store.listGiftCards(SHOP)).toHaveLength(0);
    const at = await gql(handler, CREATE, { input: { initialAmount: { amount: "2000", currencyCode: "USD" }, code: "ATLIMIT00001" } });
    expect(at.body.data?.giftCardCreate.userErrors).toEqual([]);
    // A shop seeded with another limit (Shopify sets it per shop and currency).
    const small = setup({ giftCards: true, giftCardIssueLimit: "500.00" });
    const refused = await gql(small.handler, CREATE, { input: { initialAmount: { amount: "500.01", currencyCode: "EUR" } } });
    expect(refused.body.data?.giftCardCreate.userErrors[0]?.code).toBe("GIFT_CARD_LIMIT_EXCEEDED");
  });

  it("GIVEN a card issued in another currency without a strategy THEN it is created with NONE and cannot pay an order in the shop's currency; a shop-currency card defaults to MARKET_FX (issue 17, point 7)", async () => {
    const { handler, store } = setup({ giftCards: true });
    const foreign = await gql(handler, CREATE, { input: { initialAmount: { amount: "5", currencyCode: "USD" }, code: "FOREIGNCARD1" } });
    expect(foreign.body.data?.giftCardCreate.userErrors).toEqual([]);
    const home = await gql(handler, CREATE, { input: { initialAmount: { amount: "5", currencyCode: "EUR" }, code: "HOMECARD0001" } });
    expect(home.body.data?.giftCardCreate.userErrors).toEqual([]);
    const cards = store.listGiftCards(SHOP);
    expect(cards.map((c) => [c.currencyCode, c.crossCurrencyRedemptionStrategy])).toEqual([
      ["USD", "NONE"],
      ["EUR", "MARKET_FX"],
    ]);
    expect(() => store.placeOrder(SHOP, { customerId: null, codes: [], subtotal: "10.00", giftCardPayment: { code: "FOREIGNCARD1" } })).toThrow(
      expect.objectContaining({ reason: "gift_card_currency_mismatch" }),
    );
    expect(store.placeOrder(SHOP, { customerId: null, codes: [], subtotal: "10.00", giftCardPayment: { code: "HOMECARD0001" } }).giftCardPayments).toHaveLength(1);
  });

  it("answers ACCESS_DENIED when the shop cannot issue gift cards", async () => {
    const { handler, store } = setup({ giftCards: false });
    const { status, body } = await gql(handler, CREATE, { input: { initialValue: "10" } });
    expect(status).toBe(200);
    expect(body.data).toEqual({ giftCardCreate: null });
    expect(body.errors).toEqual([
      {
        message: "Access denied for giftCardCreate field. Required access: `write_gift_cards` access scope.",
        locations: [{ line: 2, column: 3 }],
        path: ["giftCardCreate"],
        extensions: {
          code: "ACCESS_DENIED",
          documentation: "https://shopify.dev/api/usage/access-scopes",
          requiredAccess: "`write_gift_cards` access scope.",
        },
      },
    ]);
    expect(body.extensions?.cost).toBeDefined();
    expect(store.listGiftCards(SHOP)).toHaveLength(0);
    const read = await gql(handler, READ, { id: "gid://shopify/GiftCard/1" });
    expect(read.body.errors?.[0].extensions?.code).toBe("ACCESS_DENIED");
  });

  it("defaults the gift card feature to Shopify Plus shops", () => {
    expect(setup({ planDisplayName: "Shopify Plus" }).store.getShop(SHOP)?.features.giftCards).toBe(true);
    expect(setup({ planDisplayName: "Basic" }).store.getShop(SHOP)?.features.giftCards).toBe(false);
  });

  it("enforces granted scopes when the shop lists them", async () => {
    const { handler } = setup({ giftCards: true, scopes: ["read_gift_cards", "write_discounts"] });
    const { body } = await gql(handler, CREATE, { input: { initialValue: "10" } });
    expect(body.errors?.[0].extensions?.code).toBe("ACCESS_DENIED");
    // write_discounts implies read_discounts.
    const read = await gql(handler, `{ codeDiscountNodeByCode(code: "X") { id } }`);
    expect(read.body.errors).toBeUndefined();
  });
});

describe("giftCardCreate for a customer", () => {
  // GiftCardCreateInput.customerId: "Requires `write_customers` access_scope" (2026-10 schema).
  it("GIVEN the app has write_gift_cards but not write_customers WHEN it names a customer THEN ACCESS_DENIED and no card; without a customer the card is issued", async () => {
    const { handler, store } = setup({ giftCards: true, scopes: ["read_customers", "write_gift_cards"] });
    const customer = store.addCustomer(SHOP, { email: "ann@example.com" });
    const denied = await gql(handler, CREATE, { input: { initialValue: "10", customerId: customer.id } });
    expect(denied.body.data?.giftCardCreate).toBeNull();
    expect(denied.body.errors?.[0].extensions).toMatchObject({ code: "ACCESS_DENIED", requiredAccess: "`write_customers` access scope." });
    expect(store.listGiftCards(SHOP)).toEqual([]);

    const issued = await gql(handler, CREATE, { input: { initialValue: "10" } });
    expect(issued.body.data?.giftCardCreate.userErrors).toEqual([]);
  });

  it("GIVEN write_customers THEN the card is issued to the customer", async () => {
    const { handler, store } = setup({ giftCards: true, scopes: ["write_customers", "write_gift_cards"] });
    const customer = store.addCustomer(SHOP, { email: "ann@example.com" });
    const { body } = await gql(handler, CREATE, { input: { initialValue: "10", customerId: customer.id } });
    expect(body.data?.giftCardCreate.giftCard.customer).toEqual({ id: customer.id });
  });
});

describe("giftCardDeactivate", () => {
  it("disables the card permanently", async () => {
    const { handler, clock } = setup({ giftCards: true });
    const created = await gql(handler, CREATE, { input: { initialValue: "10" } });
    const id = created.body.data?.giftCardCreate.giftCard.id as string;
    clock.advance(5000);
    const { body } = await gql(handler, DEACTIVATE, { id });
    expect(body.data?.giftCardDeactivate).toEqual({ giftCard: { id, enabled: false, deactivatedAt: "2026-11-01T12:00:05Z" }, userErrors: [] });
    const read = await gql(handler, READ, { id });
    expect(read.body.data?.giftCard).toMatchObject({ enabled: false, isRedeemable: false });
  });

  it("returns GIFT_CARD_NOT_FOUND for a missing id", async () => {
    const { handler } = setup({ giftCards: true });
    const { body } = await gql(handler, DEACTIVATE, { id: "gid://shopify/GiftCard/999" });
    expect(body.data?.giftCardDeactivate).toEqual({
      giftCard: null,
      userErrors: [{ field: ["id"], code: "GIFT_CARD_NOT_FOUND", message: "Gift card not found." }],
    });
  });

  it("refuses an id that is not a global id with a top-level error, as the lookups do", async () => {
    const { handler } = setup({ giftCards: true });
    const { body } = await gql(handler, DEACTIVATE, { id: "999" });
    expect(body.data?.giftCardDeactivate).toBeNull();
    expect(body.errors).toEqual([expect.objectContaining({ message: "Invalid global id '999'", extensions: { code: "argumentLiteralsIncompatible" } })]);
  });
});

describe("giftCards(query:)", () => {
  const LIST = `query Cards($query: String) { giftCards(first: 10, query: $query) { nodes { note lastCharacters enabled } } }`;

  async function issue(handler: Parameters<typeof gql>[0], code: string, note: string) {
    const { body } = await gql(handler, CREATE, { input: { initialValue: "10", code, note } });
    return body.data?.giftCardCreate.giftCard.id as string;
  }

  it("GIVEN search lag on THEN a new card is missing from the search (not from giftCard(id:)) until the index catches up (issue 17, point 5)", async () => {
    const { handler, store } = setup({ giftCards: true });
    store.consistency.giftCardSearch = true;
    const id = await issue(handler, "LAGGINGCODE12", "lagging");
    expect((await gql(handler, LIST, { query: "laggingcode12" })).body.data?.giftCards.nodes).toEqual([]);
    expect((await gql(handler, `query C($id: ID!) { giftCard(id: $id) { id } }`, { id })).body.data?.giftCard).toEqual({ id });
    store.catchUp();
    expect((await gql(handler, LIST, { query: "laggingcode12" })).body.data?.giftCards.nodes).toEqual([{ note: "lagging", lastCharacters: "DE12", enabled: true }]);
  });

  it("finds a card by its code with the default (free-text) search, case-insensitively", async () => {
    const { handler } = setup({ giftCards: true });
    await issue(handler, "FIRSTCODE1234", "one");
    await issue(handler, "SECONDCODE567", "two");
    const { body } = await gql(handler, LIST, { query: "secondcode567" });
    expect(body.data?.giftCards.nodes).toEqual([{ note: "two", lastCharacters: "E567", enabled: true }]);
    expect(body.extensions?.search).toBeUndefined();
  });

  it("ignores `code:` (not a documented filter) with a search warning, like Shopify", async () => {
    const { handler } = setup({ giftCards: true });
    await issue(handler, "FIRSTCODE1234", "one");
    await issue(handler, "SECONDCODE567", "two");
    const { body } = await gql(handler, LIST, { query: "code:SECONDCODE567" });
    expect(body.data?.giftCards.nodes.map((n: { note: string }) => n.note)).toEqual(["one", "two"]);
    expect(body.extensions?.search).toEqual([
      { path: ["giftCards"], query: "code:SECONDCODE567", warnings: [{ field: "code", message: "Invalid search field for this query." }] },
    ]);
  });

  it("filters by status and fails loudly on documented filters it does not implement", async () => {
    const { handler } = setup({ giftCards: true });
    const off = await issue(handler, "FIRSTCODE1234", "one");
    await issue(handler, "SECONDCODE567", "two");
    await gql(handler, DEACTIVATE, { id: off });
    const disabled = await gql(handler, LIST, { query: "status:disabled" });
    expect(disabled.body.data?.giftCards.nodes.map((n: { note: string }) => n.note)).toEqual(["one"]);
    const ranged = await gql(handler, LIST, { query: "initial_value:>=5" });
    expect(ranged.body.errors?.[0].extensions?.code).toBe("NOT_EMULATED");
  });

  it("is behind the same ACCESS_DENIED gate", async () => {
    const { handler } = setup({ giftCards: false });
    const { body } = await gql(handler, LIST, { query: "x" });
    expect(body.errors?.[0].extensions?.code).toBe("ACCESS_DENIED");
  });
});

describe("giftCardConfiguration", () => {
  const CONFIG = `{ giftCardConfiguration { issueLimit { amount currencyCode } purchaseLimit { amount currencyCode } } }`;

  it("GIVEN a shop THEN it answers the issue and purchase limits in the shop's currency ($2,000 / $10,000 by default)", async () => {
    const { handler } = setup({ giftCards: true, currencyCode: "USD" });
    const { body } = await gql(handler, CONFIG);
    expect(body.errors).toBeUndefined();
    expect(body.data?.giftCardConfiguration).toEqual({
      issueLimit: { amount: "2000.0", currencyCode: "USD" },
      purchaseLimit: { amount: "10000.0", currencyCode: "USD" },
    });
    const seeded = setup({ giftCards: true, giftCardIssueLimit: "1850" });
    expect((await gql(seeded.handler, CONFIG)).body.data?.giftCardConfiguration.issueLimit).toEqual({ amount: "1850.0", currencyCode: "EUR" });
  });

  it("GIVEN no gift card access THEN ACCESS_DENIED (GiftCardConfiguration requires `read_gift_cards`)", async () => {
    const noScope = setup({ giftCards: true, scopes: ["write_discounts"] });
    expect((await gql(noScope.handler, CONFIG)).body.errors?.[0].extensions?.code).toBe("ACCESS_DENIED");
    const readOnly = setup({ giftCards: true, scopes: ["read_gift_cards"] });
    expect((await gql(readOnly.handler, CONFIG)).body.errors).toBeUndefined();
    const noFeature = setup({ giftCards: false });
    expect((await gql(noFeature.handler, CONFIG)).body.errors?.[0].extensions?.code).toBe("ACCESS_DENIED");
  });
});
