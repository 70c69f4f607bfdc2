// The customers list's read model against a real database: keyset pages in every order visit each
// customer exactly once, also when names are as long as the app stores them.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { customerDisplay } from "~/services/points/customers.server";
import { listCustomers } from "./customers.server";

const SHOP = "customers-list.myshopify.com";

describe("customers sorted by name", () => {
  it("GIVEN customers whose names are the longest the app stores (first and last name cut at 100 characters each), alike but for the last character WHEN paged one by one THEN each shows once, in order", async () => {
    const first = "A".repeat(150);
    const names: string[] = [];
    for (const last of ["x", "z", "y"]) {
      // What an orders/create or customers/create payload with long names is stored as.
      const { displayName } = customerDisplay({ first_name: first, last_name: `${"B".repeat(99)}${last}` });
      names.push(displayName!);
      await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: `gid://shopify/Customer/${names.length}`, displayName: displayName!, email: null } });
    }
    expect(names[0]).toHaveLength(201);

    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 6; page++) {
      const result = await listCustomers(db, { shop: SHOP, sort: "name", pageSize: 1, after });
      seen.push(...result.items.map((c) => c.name));
      if (!result.nextCursor) break;
      after = result.nextCursor;
    }
    expect(seen).toEqual([...names].sort());
  });
});
