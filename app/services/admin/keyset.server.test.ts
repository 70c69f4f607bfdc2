// Keyset cursors: round trip, and refusal of anything the app did not make.
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, pageSizeOf } from "./keyset.server";

describe("cursors", () => {
  it("round-trips a timestamp (to the millisecond) and an id", () => {
    const row = { key: new Date("2026-11-25T10:11:12.345Z"), id: "cmwwilynp0006337drjb5p3xf" };
    expect(decodeCursor(encodeCursor(row))).toEqual(row);
  });

  it("round-trips a number and a text key (dots, accents and all) with the id", () => {
    for (const key of [0, 2400, -15, 2_147_483_647, "Ada Lovelace", "Zoë d.Ávila. Jr.", ""]) {
      const row = { key, id: "cmwwilynp0006337drjb5p3xf" };
      expect(decodeCursor(encodeCursor(row))).toEqual(row);
    }
  });

  it("round-trips the longest text key it carries, in three-byte characters, with the longest id", () => {
    const row = { key: "中".repeat(256), id: "x".repeat(64) };
    expect(decodeCursor(encodeCursor(row))).toEqual(row);
  });

  it.each([
    ["empty", ""],
    ["not base64url", "a+b/c="],
    ["no separator", Buffer.from("12345").toString("base64url")],
    ["not a number", Buffer.from("abc.id1").toString("base64url")],
    ["a negative time", Buffer.from("-5.id1").toString("base64url")],
    ["an id with SQL in it", Buffer.from("1700000000000.x' OR 1=1").toString("base64url")],
    ["an empty id", Buffer.from("1700000000000.").toString("base64url")],
    ["far too long", "A".repeat(1300)],
    ["a number that is not one", Buffer.from("n12x.id1").toString("base64url")],
    ["a fractional number", Buffer.from("n1.5.id1").toString("base64url")],
    ["text that is not base64url", Buffer.from("s$$$.id1").toString("base64url")],
    ["a time past the last date a Date can hold", Buffer.from("8640000000000001.id1").toString("base64url")],
    ["a time past 9999-12-31 (no row is dated there)", Buffer.from("8640000000000000.id1").toString("base64url")],
    ["a number past the most points a balance holds (a 32-bit Int on PostgreSQL)", Buffer.from("n2147483648.id1").toString("base64url")],
    ["a number below the least a balance holds", Buffer.from("n-2147483648.id1").toString("base64url")],
  ])("refuses %s", (_label, value) => {
    expect(decodeCursor(value)).toBeNull();
  });
});

describe("pageSizeOf", () => {
  it("defaults to 10 and stays between 1 and 100", () => {
    expect(pageSizeOf({})).toBe(10);
    expect(pageSizeOf({ pageSize: 0 })).toBe(1);
    expect(pageSizeOf({ pageSize: 5000 })).toBe(100);
    expect(pageSizeOf({ pageSize: 7.9 })).toBe(7);
  });
});
