import { describe, expect, it } from "vitest";
import {
  CODE_ALPHABET,
  CodeFormatError,
  codeKey,
  couldBeAppCode,
  generateCode,
  generateGiftCardCode,
  isValidDiscountCode,
  isValidGiftCardCode,
  randomString,
  validateCodePrefix,
  type RandomBytes,
} from "./codes";

/** Replays `bytes` in order, cycling; records how many bytes were requested. */
function scripted(bytes: number[]): RandomBytes & { requested: number } {
  let i = 0;
  const source = ((size: number) => {
    source.requested += size;
    const out = new Uint8Array(size);
    for (let k = 0; k < size; k++) out[k] = bytes[i++ % bytes.length];
    return out;
  }) as RandomBytes & { requested: number };
  source.requested = 0;
  return source;
}
const counting = () => scripted(Array.from({ length: 256 }, (_, i) => i));

const RANDOM_PART = /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]+$/;

describe("alphabet", () => {
  it("is upper-case letters and digits 2–9 without 0, O, 1 or I", () => {
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(new Set(CODE_ALPHABET).size).toBe(32);
    for (const ambiguous of ["0", "O", "1", "I"]) expect(CODE_ALPHABET).not.toContain(ambiguous);
    expect([...CODE_ALPHABET].sort().join("")).toBe("23456789ABCDEFGHJKLMNPQRSTUVWXYZ");
  });
});

describe("randomString: rejection sampling", () => {
  it("maps bytes to symbols deterministically", () => {
    expect(randomString("ABC", 3, scripted([0, 1, 2]))).toBe("ABC");
    expect(randomString("ABC", 3, scripted([3, 4, 5]))).toBe("ABC");
  });

  it("discards bytes at or above the largest multiple of the alphabet size (255 for 3 symbols)", () => {
    expect(randomString("ABC", 3, scripted([255, 255, 2, 255, 1, 0]))).toBe("CBA");
  });

  // Cycling through all 256 byte values twice: with rejection sampling every symbol comes up
  // equally often; `byte % size` would over-weight the first `256 % size` symbols.
  it.each([
    ["3 symbols", "ABC", 170],
    ["10 symbols", "0123456789", 50],
    ["32 symbols", CODE_ALPHABET, 16],
  ])("two passes over every byte value give each of %s the same count (%i)", (_name, alphabet, each) => {
    const limit = 256 - (256 % alphabet.length);
    const s = randomString(alphabet, 2 * limit, counting());
    const counts = new Map<string, number>();
    for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect([...counts.values()]).toEqual(Array(alphabet.length).fill(each));
  });

  it("fails loudly on a source that never yields usable bytes instead of looping forever", () => {
    expect(() => randomString("ABC", 5, scripted([255]))).toThrow("random source returned no usable bytes");
    expect(() => randomString("ABC", 5, () => new Uint8Array(0))).toThrow("random source returned no usable bytes");
  });

  it.each([[""], ["A"], ["AAB"]])("rejects alphabet %j", (alphabet) => {
    expect(() => randomString(alphabet, 3, counting())).toThrow(RangeError);
  });
});

describe("generateCode", () => {
  it("is deterministic for a scripted source", () => {
    expect(generateCode({ random: counting() })).toBe("23456789ABCD");
    expect(generateCode({ prefix: "vip", length: 10, random: scripted([31, 0]) })).toBe("VIP-Z2Z2Z2Z2Z2");
  });

  it.each([
    [undefined, /^[23456789A-HJ-NP-Z]{12}$/],
    [null, /^[23456789A-HJ-NP-Z]{12}$/],
    ["", /^[23456789A-HJ-NP-Z]{12}$/],
    ["   ", /^[23456789A-HJ-NP-Z]{12}$/],
    ["VIP", /^VIP-[23456789A-HJ-NP-Z]{12}$/],
    [" vip ", /^VIP-[23456789A-HJ-NP-Z]{12}$/],
    ["VIP-", /^VIP-[23456789A-HJ-NP-Z]{12}$/],
    ["spring-2025", /^SPRING-2025-[23456789A-HJ-NP-Z]{12}$/],
    ["LOYAL10", /^LOYAL10-[23456789A-HJ-NP-Z]{12}$/],
    ["ABCDEFGHIJKLMNOPQRST", /^ABCDEFGHIJKLMNOPQRST-[23456789A-HJ-NP-Z]{12}$/],
  ])("prefix %j → %s", (prefix, pattern) => {
    const code = generateCode({ prefix });
    expect(code).toMatch(pattern);
    expect(isValidDiscountCode(code)).toBe(true);
  });

  it.each([
    ["VIP!", "Code prefix can only contain letters A–Z, numbers and dashes."],
    ["V I P", "Code prefix can only contain letters A–Z, numbers and dashes."],
    ["VIP_", "Code prefix can only contain letters A–Z, numbers and dashes."],
    ["café", "Code prefix can only contain letters A–Z, numbers and dashes."],
    ["-VIP", "Code prefix must start with a letter or number."],
    ["ABCDEFGHIJKLMNOPQRSTU", "Code prefix can be at most 20 characters."],
  ])("rejects prefix %j: %s", (prefix, message) => {
    expect(validateCodePrefix(prefix)).toEqual({ ok: false, error: message });
    expect(() => generateCode({ prefix })).toThrow(CodeFormatError);
    expect(() => generateCode({ prefix })).toThrow(message);
  });

  it.each([[10], [12], [64]])("accepts %i random characters", (length) => {
    const code = generateCode({ length });
    expect(code).toHaveLength(length);
    expect(code).toMatch(RANDOM_PART);
  });

  it.each([[9], [0], [-12], [65], [12.5], [Number.NaN]])("rejects length %s", (length) => {
    expect(() => generateCode({ length })).toThrow(CodeFormatError);
    expect(() => generateCode({ length })).toThrow(/between 10 and 64 random characters/);
  });

  it("draws as many bytes as needed and no more than a small margin", () => {
    const source = counting();
    generateCode({ length: 12, random: source });
    expect(source.requested).toBeLessThanOrEqual(12 + 8);
  });

  it("10 000 codes from the real CSPRNG are unique, well-formed and evenly spread", () => {
    const codes = Array.from({ length: 10_000 }, () => generateCode());
    expect(new Set(codes).size).toBe(10_000);
    for (const code of codes) expect(code).toMatch(/^[23456789A-HJ-NP-Z]{12}$/);
    const counts = new Map<string, number>();
    for (const code of codes) for (const ch of code) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(32);
    // 120 000 symbols → 3 750 each expected, σ ≈ 60; ±15 % is about 9σ, so this never flakes.
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(3750 * 0.85);
      expect(n).toBeLessThan(3750 * 1.15);
    }
  });
});

describe("generateGiftCardCode", () => {
  it.each([
    [undefined, undefined, /^[23456789A-HJ-NP-Z]{16}$/],
    ["GC", undefined, /^GC[23456789A-HJ-NP-Z]{16}$/],
    ["gc-", undefined, /^GC[23456789A-HJ-NP-Z]{16}$/],
    ["VIP-2025", undefined, /^VIP2025[23456789A-HJ-NP-Z]{13}$/],
    ["ABCDEFGHIJ", undefined, /^ABCDEFGHIJ[23456789A-HJ-NP-Z]{10}$/],
    [undefined, 20, /^[23456789A-HJ-NP-Z]{20}$/],
    [undefined, 10, /^[23456789A-HJ-NP-Z]{10}$/],
  ])("prefix %j, length %j → %s (8–20 letters/digits, no dash)", (prefix, length, pattern) => {
    const code = generateGiftCardCode({ prefix, length });
    expect(code).toMatch(pattern);
    expect(code.length).toBeGreaterThanOrEqual(8);
    expect(code.length).toBeLessThanOrEqual(20);
    expect(code).not.toContain("-");
    expect(isValidGiftCardCode(code)).toBe(true);
  });

  it.each([
    [{ prefix: "ABCDEFGHIJK" }, /prefix can be at most 10 letters or numbers/],
    [{ length: 21 }, /between 10 and 20 random characters/],
    [{ length: 9 }, /between 10 and 20 random characters/],
    [{ prefix: "GIFT", length: 17 }, /between 10 and 16 random characters/],
    [{ prefix: "GIFT!" }, /only contain letters/],
  ])("rejects %j", (options, message) => {
    expect(() => generateGiftCardCode(options)).toThrow(CodeFormatError);
    expect(() => generateGiftCardCode(options)).toThrow(message);
  });

  it("is deterministic for a scripted source", () => {
    expect(generateGiftCardCode({ prefix: "g", random: counting() })).toBe("G23456789ABCDEFGH");
  });
});

describe("codeKey", () => {
  it.each([
    ["VIP-7KQ2", "VIP-7KQ2"],
    ["vip-7kq2", "VIP-7KQ2"],
    ["  Vip-7Kq2\t\n", "VIP-7KQ2"],
    ["", ""],
    ["   ", ""],
  ])("%j → %j", (input, key) => {
    expect(codeKey(input)).toBe(key);
  });
});

describe("isValidDiscountCode / isValidGiftCardCode", () => {
  it.each<[unknown, boolean]>([
    ["VIP-7KQ2M9XH4RTA", true],
    ["summer_sale-10", true],
    ["A", true],
    ["A".repeat(255), true],
    ["A".repeat(256), false],
    ["", false],
    [" VIP", false],
    ["VIP ", false],
    ["SUMMER SALE", false],
    ["VIP\n", false],
    ["10%OFF", false],
    ["<script>", false],
    [null, false],
    [12345, false],
  ])("discount %j → %s", (code, expected) => {
    expect(isValidDiscountCode(code)).toBe(expected);
  });

  it.each<[unknown, boolean]>([
    ["ABCD2345", true],
    ["abcd2345efgh6789", true],
    ["A".repeat(20), true],
    ["A".repeat(7), false],
    ["A".repeat(21), false],
    ["ABCD-2345", false],
    ["ABCD 2345", false],
    [undefined, false],
  ])("gift card %j → %s", (code, expected) => {
    expect(isValidGiftCardCode(code)).toBe(expected);
  });
});

describe("couldBeAppCode: the cheap reject before a lookup", () => {
  it("accepts every code the app generates, whatever the prefix and length, in any case", () => {
    for (let i = 0; i < 200; i++) {
      const prefix = ["", "VIP", "SPRING-26", "A"][i % 4];
      const code = generateCode({ prefix, length: 10 + (i % 20) });
      expect(couldBeAppCode(codeKey(code))).toBe(true);
      expect(couldBeAppCode(code.toLowerCase())).toBe(true);
      expect(couldBeAppCode(codeKey(generateGiftCardCode({ prefix })))).toBe(true);
    }
  });

  it("rejects a code whose tail looks like ours but which holds a control character or a space", () => {
    const tail = generateCode({ length: 12 });
    for (const bad of [`X\u0000${tail}`, `X\u0007${tail}`, `X ${tail}`, `X\u007f${tail}`]) expect(couldBeAppCode(codeKey(bad)), JSON.stringify(bad)).toBe(false);
  });

  it.each(["SUMMER10", "WELCOME-2026", "FREESHIP", "BLACKFRIDAY2026", "10OFF", "", "REDACTED"])("rejects %j, which the app cannot have generated", (code) => {
    expect(couldBeAppCode(codeKey(code))).toBe(false);
  });
});

describe("what the admin shows of a code", () => {
  it("masks a gift card code to its last four characters", async () => {
    const { maskGiftCardCode } = await import("./codes");
    expect(maskGiftCardCode("GIFTABCD2345WXYZ")).toBe("•••• WXYZ");
    expect(maskGiftCardCode("GIFTABCD2345WXYZ")).not.toContain("GIFTABCD");
  });

  it("offers a code for copying only when it works or worked in Shopify", async () => {
    const { isCodeOfferedForCopy } = await import("./codes");
    expect(isCodeOfferedForCopy("ISSUED")).toBe(true);
    expect(isCodeOfferedForCopy("USED")).toBe(true);
    expect(isCodeOfferedForCopy("PENDING")).toBe(false);
    expect(isCodeOfferedForCopy("FAILED")).toBe(false);
    expect(isCodeOfferedForCopy("CANCELED")).toBe(false);
  });
});
