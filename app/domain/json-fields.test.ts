import { describe, expect, it } from "vitest";
import { field } from "./json-fields";

describe("field: the one reader of a parsed JSON body's fields", () => {
  it("reads an object's own fields, and nothing of anything else", () => {
    const body = JSON.parse('{"id":5,"customer":{"email":"a@example.com"},"codes":[1,2],"__proto__":{"x":1}}') as unknown;
    expect(field(body, "id")).toBe(5);
    expect(field(field(body, "customer"), "email")).toBe("a@example.com");
    expect(field(body, "missing")).toBeUndefined();
    // Not an object: no fields.
    for (const value of [null, undefined, 5, "id", true, [1, 2]]) expect(field(value, "id")).toBeUndefined();
    expect(field(field(body, "codes"), "length")).toBeUndefined();
    // Never the prototype's.
    expect(field({}, "constructor")).toBeUndefined();
    expect(field(body, "toString")).toBeUndefined();
    // JSON.parse makes "__proto__" an own field: it is read as data.
    expect(field(body, "__proto__")).toEqual({ x: 1 });
  });
});
