// GIVEN the app started with PROXY_RATE_LIMIT_PER_MINUTE=3 and a referral program on
// WHEN logged-out visitors keep recording clicks (one visitor repeating, or someone guessing codes)
// THEN the 4th click of one visitor within the minute is 429 with Retry-After, and guessing unknown
// codes is 429 after 3 misses in the shop — so the 8-symbol codes can't be enumerated through the app;
// and one code records at most 10 × 3 clicks a minute, however many visitor tokens the sender makes up.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { TEST_APP } from "../support/constants";
import { createTemplate } from "../support/factories";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";

const SHOP = TEST_APP.shop;
const { emulator } = useShopifyEmulator();
useRunningApp({ emulator, env: { PROXY_RATE_LIMIT_PER_MINUTE: "3" } });
let code: string;

beforeAll(async () => {
  await installEmulatedShop(emulator);
  const template = await createTemplate(db, SHOP, { purpose: "REFERRAL", pointsCost: null });
  await db.referralSettings.create({ data: { shop: SHOP, enabled: true, referrerTemplateId: template.id } });
  const member = emulator.addCustomer(SHOP, { firstName: "Ada" });
  const res = await fetch(emulator.appProxyUrl(SHOP, "/referral-link", member.legacyId), { headers: { "User-Agent": BROWSER_UA } });
  code = ((await res.json()) as { code: string }).code;
});

function click(body: unknown) {
  return fetch(emulator.appProxyUrl(SHOP, "/referral-click", null), {
    method: "POST",
    headers: { "User-Agent": BROWSER_UA, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("rate limits on referral clicks", () => {
  it("GIVEN one visitor made 3 clicks THEN the 4th is 429 with Retry-After; another visitor still passes", async () => {
    const visitor = `visitor-${crypto.randomUUID()}`;
    for (let i = 0; i < 3; i++) expect((await click({ code, visitor })).status).toBe(200);
    const limited = await click({ code, visitor });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    expect((await click({ code, visitor: `visitor-${crypto.randomUUID()}` })).status).toBe(200);
  });

  it("GIVEN a sender rotating visitor tokens on one code THEN the code's 31st click in the minute is 429; another code still passes", async () => {
    const other = emulator.addCustomer(SHOP, { firstName: "Grace" });
    const res = await fetch(emulator.appProxyUrl(SHOP, "/referral-link", other.legacyId), { headers: { "User-Agent": BROWSER_UA } });
    const flooded = ((await res.json()) as { code: string }).code;
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await click({ code: flooded, visitor: `visitor-${crypto.randomUUID()}` })).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses[30]).toBe(429);
    const codeRow = await db.referralCode.findUniqueOrThrow({ where: { shop_code: { shop: SHOP, code: flooded } } });
    expect(await db.referral.count({ where: { shop: SHOP, codeId: codeRow.id } })).toBe(30);
    expect((await click({ code, visitor: `visitor-${crypto.randomUUID()}` })).status).toBe(200);
  });

  it("GIVEN 3 unknown codes were tried in the shop THEN further unknown codes are 429, whatever the visitor", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await click({ code: "ZZZZZZZZ", visitor: `visitor-${crypto.randomUUID()}` })).status);
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
  });
});
