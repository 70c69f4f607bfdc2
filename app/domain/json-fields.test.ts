import { describe, expect, it } from "vitest";
import { field, hasDuplicateKeys } from "./json-fields";

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

describe("hasDuplicateKeys: JSON text holding more than JSON.parse returns", () => {
  it.each([
    ['{"email":"a@example.com","email":"b@example.com"}', true],
    ['{"a":{"x":1, "x" :2}}', true],
    ['[{"x":1},{"x":2}]', false], // the same key in two objects
    ['{"a":"\\u0061","\\u0061":1}', true], // "\u0061" is "a"
    ['{"k":"x\\":\\"y","x\\":\\"y":1}', false], // quotes and colons inside strings
    ['{"note":"a:b","a":["a","a"]}', false],
    ['"a"', false],
  ])("%s → %s", (text, expected) => {
    JSON.parse(text); // valid JSON only
    expect(hasDuplicateKeys(text)).toBe(expected);
  });
});
