// scrubJson: a webhook body still waiting in the inbox (or dead-lettered) loses the subject's data
// on customers/redact but stays valid JSON, so the delivery can still be applied.
import { describe, expect, it } from "vitest";
import { scrubJson, scrubText } from "./privacy.server";

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
});
