import { describe, expect, it } from "vitest";
import { MAX_ORDER_CODES, extractOrderCodes, matchRewardsToOrder, orderFacts, planOrderUsage } from "./usage";

describe("extractOrderCodes", () => {
  it.each<[string, unknown, string[]]>([
    ["null payload", null, []],
    ["undefined payload", undefined, []],
    ["number payload", 42, []],
    ["string payload", '{"discount_codes":[{"code":"A"}]}', []],
    ["array payload", [{ code: "ABC" }], []],
    ["no discount_codes", { id: 1 }, []],
    ["discount_codes null", { discount_codes: null }, []],
    ["discount_codes a string", { discount_codes: "ABC" }, []],
    ["discount_codes an object", { discount_codes: { code: "ABC" } }, []],
    ["empty list", { discount_codes: [] }, []],
    ["one code", { discount_codes: [{ code: "VIP-7KQ2", amount: "10.00", type: "fixed_amount" }] }, ["VIP-7KQ2"]],
    ["mixed case and whitespace", { discount_codes: [{ code: "  vip-7kq2 " }] }, ["VIP-7KQ2"]],
    [
      "duplicates differing only in case",
      { discount_codes: [{ code: "abc" }, { code: "ABC" }, { code: " Abc" }, { code: "def" }] },
      ["ABC", "DEF"],
    ],
    [
      "garbage entries are skipped",
      {
        discount_codes: [null, 7, [], {}, { code: null }, { code: 123 }, { code: "" }, { code: "   " }, { code: ["X"] }, { amount: "5" }, { code: "ok-1" }],
      },
      ["OK-1"],
    ],
    ["bare string entries are accepted", { discount_codes: ["summer", { code: "WINTER" }] }, ["SUMMER", "WINTER"]],
    ["over-long codes are skipped", { discount_codes: [{ code: "A".repeat(256) }, { code: "B".repeat(255) }] }, ["B".repeat(255)]],
    ["merchant codes with spaces are kept as-is", { discount_codes: [{ code: "Summer Sale" }] }, ["SUMMER SALE"]],
  ])("%s", (_name, payload, expected) => {
    expect(extractOrderCodes(payload)).toEqual(expected);
  });

  it(`reads at most ${MAX_ORDER_CODES} entries of a huge list`, () => {
    const payload = { discount_codes: Array.from({ length: 10_000 }, (_, i) => ({ code: `C${i}` })) };
    const codes = extractOrderCodes(payload);
    expect(codes).toHaveLength(MAX_ORDER_CODES);
    expect(codes[0]).toBe("C0");
    expect(codes.at(-1)).toBe(`C${MAX_ORDER_CODES - 1}`);
  });

  // Shopify's REST Order lists the codes an order used twice: `discount_codes` and the
  // `discount_applications` of type "discount_code" (docs/decisions/007, addendum of 3 December 2026).
  it.each<[string, unknown, string[]]>([
    ["a code only in discount_applications", { discount_codes: [], discount_applications: [{ type: "discount_code", code: "vip-7kq2", value: "5.0" }] }, ["VIP-7KQ2"]],
    [
      "combined codes, discount_codes naming the first only",
      { discount_codes: [{ code: "ONE" }], discount_applications: [{ type: "discount_code", code: "one" }, { type: "discount_code", code: "TWO" }] },
      ["ONE", "TWO"],
    ],
    ["no discount_codes at all", { discount_applications: [{ type: "discount_code", code: " Two " }] }, ["TWO"]],
    [
      "automatic, manual and script applications carry no code the customer used",
      { discount_applications: [{ type: "automatic", title: "AUTO", code: "AUTO" }, { type: "manual", code: "MANUAL" }, { type: "script", code: "SCRIPT" }, { code: "UNTYPED" }] },
      [],
    ],
    ["garbage applications are skipped", { discount_applications: [null, 7, "CODE", { type: "discount_code" }, { type: "discount_code", code: 5 }, { type: "discount_code", code: "OK" }] }, ["OK"]],
    ["discount_applications not a list", { discount_codes: [{ code: "A" }], discount_applications: { type: "discount_code", code: "B" } }, ["A"]],
  ])("%s", (_name, payload, expected) => {
    expect(extractOrderCodes(payload)).toEqual(expected);
  });

  it(`keeps at most ${MAX_ORDER_CODES} keys over both lists, reading at most ${MAX_ORDER_CODES} entries of each`, () => {
    const many = (prefix: string) => Array.from({ length: 10_000 }, (_, i) => ({ type: "discount_code", code: `${prefix}${i}` }));
    expect(extractOrderCodes({ discount_codes: many("C").slice(0, 60), discount_applications: many("A") })).toEqual([
      ...Array.from({ length: 60 }, (_, i) => `C${i}`),
      ...Array.from({ length: 40 }, (_, i) => `A${i}`),
    ]);
    // Entries past the first MAX_ORDER_CODES applications are not read, even when they would be new.
    const repeated = [...Array.from({ length: MAX_ORDER_CODES }, () => ({ type: "discount_code", code: "SAME" })), { type: "discount_code", code: "LATE" }];
    expect(extractOrderCodes({ discount_applications: repeated })).toEqual(["SAME"]);
  });

  it("never throws, even on hostile objects", () => {
    const hostile = Object.defineProperty({}, "discount_codes", {
      get() {
        throw new Error("boom");
      },
    });
    const hostileEntry = { discount_codes: [Object.defineProperty({}, "code", { get: () => { throw new Error("boom"); } }), { code: "SAFE" }] };
    expect(extractOrderCodes(hostile)).toEqual([]);
    expect(extractOrderCodes(hostileEntry)).toEqual(["SAFE"]);
    expect(extractOrderCodes(Object.create(null))).toEqual([]);
  });
});

const ORDER = {
  id: 5_741_569_228_981,
  admin_graphql_api_id: "gid://shopify/Order/5741569228981",
  name: "#1001",
  test: false,
  source_name: "web",
  cancelled_at: null,
  customer: { id: 7_012_345_678_901, admin_graphql_api_id: "gid://shopify/Customer/7012345678901", email: "a@example.com" },
  discount_codes: [{ code: "VIP-7KQ2M9XH4RTA", amount: "10.00", type: "fixed_amount" }],
};

describe("orderFacts", () => {
  it("reads a normal order", () => {
    expect(orderFacts(ORDER)).toEqual({
      orderGid: "gid://shopify/Order/5741569228981",
      orderName: "#1001",
      customerGid: "gid://shopify/Customer/7012345678901",
      test: false,
      sourceName: "web",
      cancelled: false,
      moneyReturned: false,
      createdAt: null,
    });
  });

  it("keeps ids beyond Number.MAX_SAFE_INTEGER exact (they come from the GID strings, not the rounded numbers)", () => {
    const raw =
      '{"id":1234567890123456789,"admin_graphql_api_id":"gid://shopify/Order/1234567890123456789",' +
      '"customer":{"id":9223372036854775807,"admin_graphql_api_id":"gid://shopify/Customer/9223372036854775807"}}';
    const payload = JSON.parse(raw) as { id: number };
    expect(String(payload.id)).not.toBe("1234567890123456789"); // JSON.parse really did round it
    const facts = orderFacts(payload);
    expect(facts.orderGid).toBe("gid://shopify/Order/1234567890123456789");
    expect(facts.customerGid).toBe("gid://shopify/Customer/9223372036854775807");
  });

  it("refuses ids no Shopify resource can have (beyond 64 bits), as the refund and the storefront do", () => {
    const facts = orderFacts({ admin_graphql_api_id: "gid://shopify/Order/123456789012345678901", customer: { admin_graphql_api_id: "gid://shopify/Customer/9223372036854775808" } });
    expect(facts).toMatchObject({ orderGid: null, customerGid: null });
  });

  it.each<[string, Record<string, unknown>, Partial<ReturnType<typeof orderFacts>>]>([
    ["guest checkout: customer null", { ...ORDER, customer: null }, { customerGid: null }],
    ["guest checkout: no customer field", { ...ORDER, customer: undefined }, { customerGid: null }],
    ["customer without admin_graphql_api_id is not rebuilt from the numeric id", { ...ORDER, customer: { id: 7 } }, { customerGid: null }],
    ["order without admin_graphql_api_id is not rebuilt from the numeric id", { ...ORDER, admin_graphql_api_id: undefined }, { orderGid: null }],
    ["order GID of the wrong type", { ...ORDER, admin_graphql_api_id: "gid://shopify/Customer/1" }, { orderGid: null }],
    ["customer GID of the wrong type", { ...ORDER, customer: { admin_graphql_api_id: "gid://shopify/Order/1" } }, { customerGid: null }],
    ["GID with junk", { ...ORDER, admin_graphql_api_id: "gid://shopify/Order/12?x=1" }, { orderGid: null }],
    ["GID with surrounding spaces", { ...ORDER, admin_graphql_api_id: " gid://shopify/Order/12 " }, { orderGid: "gid://shopify/Order/12" }],
    ["numeric admin_graphql_api_id", { ...ORDER, admin_graphql_api_id: 12 }, { orderGid: null }],
    ["test order", { ...ORDER, test: true }, { test: true }],
    ["test as a string is not a test order", { ...ORDER, test: "true" }, { test: false }],
    ["cancelled order", { ...ORDER, cancelled_at: "2025-06-01T12:00:00-04:00" }, { cancelled: true }],
    ["cancelled_at missing", { ...ORDER, cancelled_at: undefined }, { cancelled: false }],
    // A time or null (REST Order `cancelled_at`): anything else says nothing about a cancel.
    ["cancelled_at 0 is no time", { ...ORDER, cancelled_at: 0 }, { cancelled: false }],
    ["cancelled_at true is no time", { ...ORDER, cancelled_at: true }, { cancelled: false }],
    ["cancelled_at text that is no time", { ...ORDER, cancelled_at: "yes" }, { cancelled: false }],
    ["cancelled_at an object", { ...ORDER, cancelled_at: {} }, { cancelled: false }],
    ["empty name and source", { ...ORDER, name: "  ", source_name: "" }, { orderName: null, sourceName: null }],
    ["non-string name and source", { ...ORDER, name: 1001, source_name: {} }, { orderName: null, sourceName: null }],
    ["POS order", { ...ORDER, source_name: "pos" }, { sourceName: "pos" }],
    // financial_status (https://shopify.dev/docs/api/admin-rest/latest/resources/order): the money of a
    // refunded or voided order is not the shop's; any other status (pending, authorized, paid, …) is.
    ["refunded", { ...ORDER, financial_status: "refunded" }, { moneyReturned: true }],
    ["voided", { ...ORDER, financial_status: "voided" }, { moneyReturned: true }],
    ["pending", { ...ORDER, financial_status: "pending" }, { moneyReturned: false }],
    ["partially refunded", { ...ORDER, financial_status: "partially_refunded" }, { moneyReturned: false }],
    ["REFUNDED (not as Shopify writes it)", { ...ORDER, financial_status: "REFUNDED" }, { moneyReturned: false }],
    // The order's name is quoted in the reward's history and the points history: without the invisible
    // text-direction characters the admin strips from customers' names (shownCustomerText), else
    // "#1001\u202Eyxe" shows as "#1001exy" and reverses the rest of the history line.
    ["a name with text-direction characters", { ...ORDER, name: "#1001\u202Eyxe\u2066", source_name: "\u200Fweb" }, { orderName: "#1001yxe", sourceName: "web" }],
    ["a name of text-direction characters only", { ...ORDER, name: "\u202E\u202C" }, { orderName: null }],
    ["created_at with an offset", { ...ORDER, created_at: "2026-11-20T07:00:00-05:00" }, { createdAt: new Date("2026-11-20T12:00:00Z") }],
    ["created_at unreadable", { ...ORDER, created_at: "yesterday" }, { createdAt: null }],
    ["created_at not a string", { ...ORDER, created_at: 1732000000 }, { createdAt: null }],
  ])("%s", (_name, payload, expected) => {
    expect(orderFacts(payload)).toMatchObject(expected);
  });

  it("never takes created_at as later than the delivery's arrival (receivedAt): no order is placed after it is delivered", () => {
    const receivedAt = new Date("2026-11-20T12:00:05Z");
    expect(orderFacts({ ...ORDER, created_at: "9999-12-31T23:59:59Z" }, receivedAt).createdAt).toEqual(receivedAt);
    expect(orderFacts({ ...ORDER, created_at: "2026-11-20T12:00:00Z" }, receivedAt).createdAt).toEqual(new Date("2026-11-20T12:00:00Z"));
    // Unreadable stays unknown (decision 014: an order of unknown creation time keeps decision 007's rule).
    expect(orderFacts({ ...ORDER, created_at: "yesterday" }, receivedAt).createdAt).toBeNull();
  });

  it.each([[null], [undefined], ["order"], [42], [[]], [{}]])("tolerates %j", (payload) => {
    expect(orderFacts(payload)).toEqual({
      orderGid: null,
      orderName: null,
      customerGid: null,
      test: false,
      sourceName: null,
      cancelled: false,
      moneyReturned: false,
      createdAt: null,
    });
  });
});

describe("matching an order against rewards", () => {
  const rewards = [
    { id: "r1", codeKey: "VIP-AAAA", status: "ISSUED", kind: "PERCENTAGE" },
    { id: "r2", codeKey: "VIP-BBBB", status: "CANCELED", kind: "FIXED_AMOUNT" },
    { id: "r3", codeKey: "GIFT2345ABCD", status: "ISSUED", kind: "GIFT_CARD" },
    { id: "r4", codeKey: "VIP-CCCC", status: "USED", kind: "FREE_SHIPPING" },
    { id: "r5", codeKey: "VIP-DDDD", status: "PENDING", kind: "FIXED_AMOUNT" },
  ] as const;

  it("matches case-insensitively and ignores rewards the order does not carry", () => {
    expect(matchRewardsToOrder(["vip-aaaa", "OTHER"], rewards).map((r) => r.id)).toEqual(["r1"]);
    expect(matchRewardsToOrder([], rewards)).toEqual([]);
  });

  it("plans the outcome for each matched reward", () => {
    const payload = {
      discount_codes: [{ code: "vip-aaaa" }, { code: "VIP-BBBB" }, { code: "gift2345abcd" }, { code: "VIP-CCCC" }, { code: "Vip-Dddd" }, { code: "NOT-OURS" }],
    };
    expect(planOrderUsage(payload, rewards).map(({ reward, outcome }) => [reward.id, outcome.type])).toEqual([
      ["r1", "mark_used"],
      ["r2", "record_event"],
      ["r3", "ignore"],
      ["r4", "noop"],
      ["r5", "mark_used"],
    ]);
  });

  it("plans nothing for a malformed payload", () => {
    expect(planOrderUsage({ discount_codes: "VIP-AAAA" }, rewards)).toEqual([]);
  });
});
