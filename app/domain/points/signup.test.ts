import { describe, expect, it } from "vitest";
import { customerAccountOf } from "./signup";

describe("customerAccountOf: the REST Customer `state` (https://shopify.dev/docs/api/admin-rest/latest/resources/customer)", () => {
  it.each([
    [{ state: "enabled" }, { kind: "account" }],
    [{ state: "disabled" }, { kind: "no_account", state: "disabled" }],
    [{ state: "invited" }, { kind: "no_account", state: "invited" }],
    [{ state: "declined" }, { kind: "no_account", state: "declined" }],
    [{}, { kind: "unknown", shown: "(missing)" }],
    [{ state: null }, { kind: "unknown", shown: "(null)" }],
    [{ state: "ENABLED" }, { kind: "unknown", shown: "(a string of another shape)" }],
    [{ state: " enabled" }, { kind: "unknown", shown: "(a string of another shape)" }],
    [{ state: "active" }, { kind: "unknown", shown: "active" }],
    [{ state: "ada@example.com" }, { kind: "unknown", shown: "(a string of another shape)" }],
    [{ state: true }, { kind: "unknown", shown: "(a boolean)" }],
    [{ state: ["enabled"] }, { kind: "unknown", shown: "(a list)" }],
    ["enabled", { kind: "unknown", shown: "(missing)" }],
  ])("%j → %j", (body, expected) => {
    expect(customerAccountOf(body)).toEqual(expected);
  });
});
