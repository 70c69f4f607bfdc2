// Every Admin GraphQL document the app sends validates against Shopify's real 2026-10 schema
// (loaded from @shopify/dev-mcp), and operation names are unique and app-prefixed.
import { parse, validate, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { loadAdminSchema } from "@loyalty/shopify-emulator/schema";
import * as discounts from "./discounts.server";
import * as giftCards from "./gift-cards.server";
import * as shop from "./shop.server";
import * as customers from "./customers.server";
import * as storeCredit from "./kinds/store-credit.server";
import * as products from "./products.server";

const documents: [string, string][] = Object.entries({ ...discounts, ...giftCards, ...shop, ...customers, ...storeCredit, ...products } as Record<string, unknown>)
  .filter((entry): entry is [string, string] => typeof entry[1] === "string" && /^\s*#graphql/.test(entry[1]));

describe("Admin GraphQL documents", () => {
  const { schema } = loadAdminSchema("2026-10");

  it("finds the documents", () => {
    expect(documents.length).toBeGreaterThanOrEqual(16);
  });

  it.each(documents)("%s validates against the 2026-10 Admin schema", (_name, source) => {
    const errors = validate(schema, parse(source));
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it("operation names are unique and prefixed with Loyalty", () => {
    const names = documents.flatMap(([, source]) =>
      parse(source)
        .definitions.filter((d): d is OperationDefinitionNode => d.kind === "OperationDefinition")
        .map((d) => d.name?.value ?? ""),
    );
    expect(names.every((n) => n.startsWith("Loyalty"))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });
});
