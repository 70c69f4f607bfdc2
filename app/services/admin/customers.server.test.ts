// The customers list's read model against a real database: keyset pages in every order visit each
// customer exactly once, also when names are as long as the app stores them.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { customerDisplay } from "~/services/points/customers.server";
import { foldCase, listCustomers, spellingsOf } from "./customers.server";
import { exportRewards, listRewards } from "./rewards.server";
import { createReward } from "../../../test/support/factories";

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

describe("searching customers and rewards by name or email, beyond ASCII", () => {
  const SEARCH_SHOP = "customers-search.myshopify.com";
  const people = [
    { displayName: "Émile Zola", email: "member-0@example.com" },
    { displayName: "Ayşe Öz", email: "member-1@example.com" },
    { displayName: "Łukasz Żółw", email: "member-2@example.com" },
    { displayName: "İlknur Kaya", email: "member-3@example.com" },
    { displayName: "Kelvin Kurz", email: "member-4@example.com" },
    { displayName: "ΣΟΦΙΑ", email: "member-5@example.com" },
    { displayName: "Дмитрий Иванов", email: "member-6@example.com" },
  ];

  it.each([
    ["émile", ["Émile Zola"]],
    ["ÉMILE", ["Émile Zola"]],
    ["ÖZ", ["Ayşe Öz"]],
    ["öz", ["Ayşe Öz"]],
    ["AYŞE", ["Ayşe Öz"]],
    ["łukasz żółw", ["Łukasz Żółw"]],
    ["ŻÓŁW", ["Łukasz Żółw"]],
    ["σοφια", ["ΣΟΦΙΑ"]],
    // The databases fold İ differently (PostgreSQL's lower() makes it i, SQLite's LIKE leaves it):
    // one rule for both, a character that lower-cases to several characters only matches itself.
    ["ilknur", []],
    ["İlknur", ["İlknur Kaya"]],
    // The search is read as NFC: the Kelvin sign is the letter K there, as "e" + U+0301 is "é".
    ["\u212Aelvin", ["Kelvin Kurz"]],
    ["e\u0301mile", ["Émile Zola"]],
    ["kelvin", ["Kelvin Kurz"]],
    ["MEMBER-3@EXAMPLE", ["İlknur Kaya"]],
    // Asked of the database in pieces ("дмит", "рий и", "ванов"): each piece's spellings stay few.
    ["дмитрий иванов", ["Дмитрий Иванов"]],
    ["ИВАНОВ", ["Дмитрий Иванов"]],
    ["иванова", []],
  ])("GIVEN customers with accented and non-Latin names WHEN the merchant searches %j THEN the customers list and the rewards table find %j, on SQLite as on PostgreSQL", async (search, expected) => {
    if ((await db.customer.count({ where: { shop: SEARCH_SHOP } })) === 0) {
      for (const [i, person] of people.entries()) {
        const customer = await db.customer.create({ data: { shop: SEARCH_SHOP, shopifyCustomerId: `gid://shopify/Customer/${900 + i}`, ...person } });
        await createReward(db, { ...customer }, { status: "ISSUED" });
      }
    }
    const customers = await listCustomers(db, { shop: SEARCH_SHOP, search, pageSize: 50 });
    expect(customers.items.map((c) => c.name).sort()).toEqual(expected);
    const rewards = await listRewards(db, { shop: SEARCH_SHOP, search, pageSize: 50 });
    expect(rewards.items.map((r) => r.customerName).sort()).toEqual(expected);
    const exported: string[] = [];
    for await (const row of exportRewards(db, { shop: SEARCH_SHOP, search })) exported.push(row.customerName);
    expect(exported.sort()).toEqual(expected);
  });
});

describe("the spellings a search asks the database for", () => {
  it("GIVEN every character of Unicode (as this Node knows it) THEN each non-ASCII character's spellings are exactly the characters that fold the same (the table of other spellings is complete)", () => {
    const byFolded = new Map<string, Set<string>>();
    for (let cp = 0x80; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      const folded = foldCase(ch);
      if (folded === ch) continue;
      byFolded.set(folded, new Set([...(byFolded.get(folded) ?? [folded]), ch]));
    }
    for (const expected of byFolded.values()) {
      for (const ch of expected) expect(new Set(spellingsOf(ch)), `${ch} (U+${ch.codePointAt(0)!.toString(16)})`).toEqual(expected);
    }
    expect(spellingsOf("ж")).toEqual(expect.arrayContaining(["ж", "Ж"]));
    expect(spellingsOf("中")).toEqual(["中"]);
  });
});
