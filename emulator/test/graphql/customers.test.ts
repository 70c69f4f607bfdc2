// customers(query:, first/after, last/before): Shopify's search syntax and cursor pagination.
import { describe, expect, it } from "vitest";
import { gql, setup, SHOP } from "./helpers";

const LIST = `query List($first: Int, $after: String, $last: Int, $before: String, $query: String, $reverse: Boolean) {
  customers(first: $first, after: $after, last: $last, before: $before, query: $query, reverse: $reverse) {
    edges { cursor node { id firstName lastName email } }
    nodes { email }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

function seeded() {
  const harness = setup();
  const people = [
    ["Ann", "Lee", "ann@example.com"],
    ["Bob", "Stone", "bob@shop.test"],
    ["Cara", "Lee", "cara@example.com"],
    ["Dan", "Brown", "dan@example.com"],
    ["Eve", "Annett", "eve@other.test"],
  ];
  const customers = people.map(([firstName, lastName, email]) => harness.store.addCustomer(SHOP, { firstName, lastName, email }));
  return { ...harness, customers };
}

async function emails(handler: Parameters<typeof gql>[0], variables: Record<string, unknown>): Promise<string[]> {
  const { body } = await gql(handler, LIST, { first: 50, ...variables });
  expect(body.errors).toBeUndefined();
  return (body.data?.customers.nodes as Array<{ email: string }>).map((c) => c.email);
}

describe("customers search", () => {
  it("matches free text against names and email", async () => {
    const { handler } = seeded();
    expect(await emails(handler, { query: "lee" })).toEqual(["ann@example.com", "cara@example.com"]);
    expect(await emails(handler, { query: "ann" })).toEqual(["ann@example.com", "eve@other.test"]);
    expect(await emails(handler, { query: "Cara Lee" })).toEqual(["cara@example.com"]);
  });

  it("supports email:, first_name:, prefixes, negation and OR", async () => {
    const { handler } = seeded();
    expect(await emails(handler, { query: "email:BOB@shop.test" })).toEqual(["bob@shop.test"]);
    expect(await emails(handler, { query: "email:bob@shop" })).toEqual([]);
    expect(await emails(handler, { query: "email:d*" })).toEqual(["dan@example.com"]);
    expect(await emails(handler, { query: "last_name:lee -first_name:ann" })).toEqual(["cara@example.com"]);
    expect(await emails(handler, { query: "first_name:bob OR first_name:eve" })).toEqual(["bob@shop.test", "eve@other.test"]);
  });

  it("ignores unknown search fields with a warning in extensions.search", async () => {
    const { handler } = seeded();
    const { body } = await gql(handler, LIST, { first: 2, query: "favourite_color:blue" });
    expect(body.data?.customers.nodes).toHaveLength(2);
    expect(body.extensions?.search).toEqual([
      { path: ["customers"], query: "favourite_color:blue", warnings: [{ field: "favourite_color", message: "Invalid search field for this query." }] },
    ]);
  });
});

describe("customers pagination", () => {
  it("pages forward with after cursors", async () => {
    const { handler, customers } = seeded();
    const page1 = await gql(handler, LIST, { first: 2 });
    const c1 = page1.body.data?.customers;
    expect(c1.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([customers[0].id, customers[1].id]);
    expect(c1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(c1.pageInfo.endCursor).toBe(c1.edges[1].cursor);
    expect(JSON.parse(Buffer.from(c1.pageInfo.endCursor as string, "base64").toString())).toEqual({ last_id: 2, last_value: 2 });

    const page2 = await gql(handler, LIST, { first: 2, after: c1.pageInfo.endCursor });
    expect(page2.body.data?.customers.nodes.map((n: { email: string }) => n.email)).toEqual(["cara@example.com", "dan@example.com"]);
    expect(page2.body.data?.customers.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

    const page3 = await gql(handler, LIST, { first: 2, after: page2.body.data?.customers.pageInfo.endCursor });
    expect(page3.body.data?.customers.nodes.map((n: { email: string }) => n.email)).toEqual(["eve@other.test"]);
    expect(page3.body.data?.customers.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it("pages backward with last/before and honours reverse", async () => {
    const { handler } = seeded();
    const last = await gql(handler, LIST, { first: null, last: 2 });
    const tail = last.body.data?.customers;
    expect(tail.nodes.map((n: { email: string }) => n.email)).toEqual(["dan@example.com", "eve@other.test"]);
    expect(tail.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const before = await gql(handler, LIST, { first: null, last: 2, before: tail.pageInfo.startCursor });
    expect(before.body.data?.customers.nodes.map((n: { email: string }) => n.email)).toEqual(["bob@shop.test", "cara@example.com"]);
    expect(await emails(handler, { first: 2, reverse: true })).toEqual(["eve@other.test", "dan@example.com"]);
  });

  it("keeps cursors stable when records are added", async () => {
    const { handler, store } = seeded();
    const page1 = await gql(handler, LIST, { first: 2 });
    store.addCustomer(SHOP, { firstName: "Zed", email: "zed@example.com" });
    const rest = await emails(handler, { first: 10, after: page1.body.data?.customers.pageInfo.endCursor });
    expect(rest).toEqual(["cara@example.com", "dan@example.com", "eve@other.test", "zed@example.com"]);
  });

  it("requires first or last, like Shopify", async () => {
    const { handler } = seeded();
    const { body } = await gql(handler, "{ customers { nodes { id } } }");
    expect(body.errors?.[0].message).toBe("you must provide one of first or last");
  });

  it("customer(id) returns the record, null when missing", async () => {
    const { handler, customers, store } = seeded();
    store.placeOrder(SHOP, { customerId: customers[0].id, codes: [], subtotal: "12.50", shippingPrice: "0" });
    const { body } = await gql(
      handler,
      `query C($id: ID!, $missing: ID!) {
        customer(id: $id) { id displayName email numberOfOrders amountSpent { amount currencyCode } defaultEmailAddress { emailAddress } }
        missing: customer(id: $missing) { id }
      }`,
      { id: customers[0].id, missing: "gid://shopify/Customer/9999" },
    );
    expect(body.data).toEqual({
      customer: {
        id: customers[0].id,
        displayName: "Ann Lee",
        email: "ann@example.com",
        numberOfOrders: "1",
        amountSpent: { amount: "12.5", currencyCode: "EUR" },
        defaultEmailAddress: { emailAddress: "ann@example.com" },
      },
      missing: null,
    });
  });
});
