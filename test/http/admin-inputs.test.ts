// The admin, tried from outside with inputs its own pages never send but a tester (or a tool posting
// with a session token) can: form bodies over the limit sent chunked, bodies that are not forms,
// fields and URLs holding NUL characters, page cursors that decode to no date, and the login form
// before anyone is authenticated. Each answer is a clear 4xx; nothing is saved.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { MAX_ADMIN_FORM_BYTES } from "~/request-input.server";
import { BROWSER_UA, useRunningApp } from "../support/app";
import { PROGRAM_SETTINGS_FORM, TEST_APP } from "../support/constants";
import { createCustomer, createReward, createTemplate } from "../support/factories";
import { postChunked } from "../support/http";
import { installEmulatedShop, useShopifyEmulator } from "../support/shopify";

const { emulator } = useShopifyEmulator();
const SHOP: string = TEST_APP.shop;
const app = useRunningApp({ emulator });

let customerId: string;
let templateId: string;

beforeAll(async () => {
  await installEmulatedShop(emulator, SHOP, { currencyCode: "USD" });
  const customer = await createCustomer(db, SHOP, { pointsBalance: 500 }, emulator);
  customerId = customer.id;
  templateId = (await createTemplate(db, SHOP, { purpose: "POINTS_REDEMPTION", name: "$5 off", pointsCost: 100 })).id;
  await createReward(db, customer, {});
});

function request(path: string, route: string | null, init: RequestInit = {}) {
  const url = new URL(path, app.url);
  if (route) url.searchParams.set("_data", route);
  return fetch(url, { ...init, redirect: "manual", headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(SHOP)}`, ...(init.headers ?? {}) } });
}

/** What the admin forms below could write, for "nothing saved" assertions. */
async function snapshot() {
  return {
    program: await db.programSettings.findUnique({ where: { shop: SHOP } }),
    referralSettings: await db.referralSettings.findUnique({ where: { shop: SHOP } }),
    tiers: await db.vipTier.count(),
    templates: await db.rewardTemplate.count(),
    rewards: await db.reward.count(),
    events: await db.rewardEvent.count(),
    ledger: await db.pointsTransaction.count(),
    balance: (await db.customer.findUniqueOrThrow({ where: { id: customerId } })).pointsBalance,
    bulkJobs: await db.bulkIssueJob.count(),
  };
}

/** Every admin form action, each with a field a merchant types. */
const FORMS: Array<{ label: string; path: string; route: string; form: Record<string, string>; text: string }> = [
  { label: "program settings", path: "/app/program", route: "routes/app.program", form: PROGRAM_SETTINGS_FORM, text: "pointsNameSingular" },
  { label: "points adjustment", path: "", route: "routes/app.customers.$id", form: { intent: "adjust-points", direction: "add", points: "5", reason: "goodwill" }, text: "reason" },
  { label: "manual issue", path: "", route: "routes/app.customers.$id", form: { intent: "issue", templateId: "", note: "thanks" }, text: "note" },
  { label: "VIP tier", path: "/app/vip", route: "routes/app.vip", form: { intent: "tier", name: "Silver", threshold: "100", pointsMultiplier: "1", perkText: "", entryRewardTemplateId: "", amountCurrency: "USD" }, text: "name" },
  { label: "way to redeem", path: "/app/ways-to-redeem/new", route: "routes/app.ways-to-redeem.$id", form: { name: "Ten off", kind: "FIXED_AMOUNT", value: "10", pointsCost: "100", appliesTo: "ALL", amountCurrency: "USD" }, text: "name" },
  { label: "bulk issue by tier", path: "/app/bulk-issue", route: "routes/app.bulk-issue._index", form: { templateId: "", targetType: "TIER", tier: "Gold" }, text: "tier" },
  { label: "referral settings", path: "/app/referrals", route: "routes/app.referrals", form: { enabled: "on", friendRewardKind: "PERCENTAGE", friendRewardValue: "10", referrerRewardKind: "FIXED_AMOUNT", referrerRewardValue: "15", minimumOrderAmount: "40", monthlyCapPerReferrer: "", pendingDays: "30", amountCurrency: "USD" }, text: "friendRewardValue" },
  { label: "dead letter retry", path: "/app/webhooks", route: "routes/app.webhooks", form: { intent: "retry", id: "x" }, text: "id" },
];
const resolved = (f: (typeof FORMS)[number]) => ({
  ...f,
  path: f.path || `/app/customers/${customerId}`,
  form: { ...f.form, ...(f.form.templateId === "" ? { templateId } : {}) } as Record<string, string>,
});

describe("admin form bodies", () => {
  it.each(FORMS.map((f) => [f.label, f] as const))("GIVEN the %s form sent chunked, 40 MB, no Content-Length THEN 413 long before the sender is done", async (_label, raw) => {
    const f = resolved(raw);
    const before = await snapshot();
    const url = new URL(f.path, app.url);
    url.searchParams.set("_data", f.route);
    const total = 40 * 1024 * 1024;
    const result = await postChunked(url, { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": BROWSER_UA, Authorization: `Bearer ${emulator.sessionToken(SHOP)}` }, Buffer.alloc(64 * 1024, 0x61), total);
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toEqual({ ok: false, message: expect.stringContaining(`at most ${MAX_ADMIN_FORM_BYTES / 1024} KB`) });
    expect(result.sent).toBeLessThan(total / 4);
    expect(await snapshot()).toEqual(before);
  });

  it.each(FORMS.map((f) => [f.label, f] as const))("GIVEN the %s form posted as JSON, as a broken multipart body or with a file THEN 415 / 400 with a message, never a 500", async (_label, raw) => {
    const f = resolved(raw);
    const before = await snapshot();
    const asJson = await request(f.path, f.route, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(f.form) });
    expect(asJson.status).toBe(415);
    expect(await asJson.json()).toEqual({ ok: false, message: expect.stringMatching(/web form/) });
    const broken = await request(f.path, f.route, { method: "POST", headers: { "Content-Type": "multipart/form-data; boundary=x" }, body: "garbage" });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ ok: false, message: expect.stringMatching(/couldn't be read/) });
    const withFile = new FormData();
    for (const [k, v] of Object.entries(f.form)) withFile.append(k, v);
    withFile.set(f.text, new Blob(["x"]), "x.txt");
    const file = await request(f.path, f.route, { method: "POST", body: withFile });
    expect(file.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it.each(FORMS.map((f) => [f.label, f] as const))("GIVEN the %s form with a NUL character in a typed field THEN 400 with a message and nothing saved (PostgreSQL: was a 500)", async (_label, raw) => {
    const f = resolved(raw);
    const before = await snapshot();
    const res = await request(f.path, f.route, { method: "POST", body: new URLSearchParams({ ...f.form, [f.text]: `${f.form[f.text]}\u0000` }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ ok: false, message: expect.stringMatching(/control characters/) });
    expect(await snapshot()).toEqual(before);
  });
});

describe("text-direction characters in typed text (audit: bidi controls)", () => {
  // Invisible characters that change how the text around them is displayed (Unicode's
  // bidirectional formatting characters): "Gold\u202Eyxe" shows as "Goldexy", and a name, a
  // reason or a code prefix can be made to read differently than it is stored.
  const BIDI = ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069", "\u200E", "\u200F"];
  /** More merchant-typed fields than FORMS' one per form: every text a customer or the merchant reads later. */
  const MORE: Array<[label: string, field: string]> = [
    ["program settings", "pointsNamePlural"],
    ["VIP tier", "perkText"],
    ["way to redeem", "codePrefix"],
  ];
  const cases = [...FORMS.map((f) => [f.label, f.text] as const), ...MORE].flatMap(([label, field], i) => [[label, field, BIDI[i % BIDI.length]], [label, field, BIDI[(i + 5) % BIDI.length]]].map(([l, f, ch]) => [l, f, `U+${ch.charCodeAt(0).toString(16).toUpperCase()}`, ch] as const));

  it.each(cases)("GIVEN the %s form with %s holding %s THEN 400 naming the field, nothing saved", async (label, field, _code, ch) => {
    const f = resolved(FORMS.find((x) => x.label === label)!);
    const before = await snapshot();
    const value = `${f.form[field] || "Gold"}${ch}99`;
    const res = await request(f.path, f.route, { method: "POST", body: new URLSearchParams({ ...f.form, [field]: value }) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { ok: boolean; message: string; field?: string };
    expect(body).toMatchObject({ ok: false, field });
    expect(body.message).toContain(`"${field}"`);
    expect(body.message).toMatch(/direction/);
    expect(await snapshot()).toEqual(before);
  });

  it("GIVEN the same forms with right-to-left text (Hebrew, Arabic) and no direction character THEN accepted as before", async () => {
    const f = resolved(FORMS.find((x) => x.label === "VIP tier")!);
    const res = await request(f.path, f.route, { method: "POST", body: new URLSearchParams({ ...f.form, name: "זהב ذهب", threshold: "777" }) });
    expect(res.status).toBe(200);
    expect(await db.vipTier.findFirst({ where: { shop: SHOP, name: "זהב ذهب" } })).not.toBeNull();
  });
});

describe("bytes that are not UTF-8 text", () => {
  it("GIVEN the VIP tier form whose name ends in %FF (an escape that is no UTF-8) THEN 400 saying the text can't be read, nothing saved (was stored as 'Gold\uFFFD')", async () => {
    const f = resolved(FORMS.find((x) => x.label === "VIP tier")!);
    const before = await snapshot();
    const encoded = new URLSearchParams({ ...f.form }).toString().replace(/(^|&)name=[^&]*/, "$1name=Gold%FF");
    const res = await request(f.path, f.route, { method: "POST", body: encoded, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/not UTF-8/);
    expect(await snapshot()).toEqual(before);
    expect(await db.vipTier.findFirst({ where: { shop: SHOP, name: { startsWith: "Gold\uFFFD" } } })).toBeNull();
  });

  it("GIVEN the same form as multipart with a raw 0xFF byte in the name THEN 400 the same way, nothing saved", async () => {
    const f = resolved(FORMS.find((x) => x.label === "VIP tier")!);
    const before = await snapshot();
    const boundary = "----loyaltyboundary0001";
    const parts = Object.entries({ ...f.form, name: "__NAME__" }).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + `--${boundary}--\r\n`;
    const [head, tail] = parts.split("__NAME__");
    const bytes = Buffer.concat([Buffer.from(head!), Buffer.from("Gold"), Buffer.from([0xff]), Buffer.from(tail!)]);
    const res = await request(f.path, f.route, { method: "POST", body: new Uint8Array(bytes), headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/not UTF-8/);
    expect(await snapshot()).toEqual(before);
  });

  it("GIVEN the same form with real non-ASCII text, escaped as browsers do (Ünïcødé, 金) THEN saved as typed", async () => {
    const f = resolved(FORMS.find((x) => x.label === "VIP tier")!);
    const res = await request(f.path, f.route, { method: "POST", body: new URLSearchParams({ ...f.form, name: "Ünïcødé 金", threshold: "888" }) });
    expect(res.status).toBe(200);
    expect(await db.vipTier.findFirst({ where: { shop: SHOP, name: "Ünïcødé 金" } })).not.toBeNull();
  });
});

describe("long form fields", () => {
  // A route used to cut each field before validating it (referrals at 200 characters, VIP at 1,000):
  // "30", many spaces and "5" was cut to "30" and saved, although the merchant's value is no number.
  it.each([
    ["referral settings' waiting days", "/app/referrals", "routes/app.referrals", FORMS.find((f) => f.label === "referral settings")!.form, "pendingDays", "30", 200],
    ["a VIP tier's threshold", "/app/vip", "routes/app.vip", FORMS.find((f) => f.label === "VIP tier")!.form, "threshold", "100", 1000],
  ] as const)("GIVEN %s sent as a number, spaces past the route's old cut, then another digit THEN 400 for the field, nothing saved", async (_label, path, route, form, field, number, cut) => {
    const before = await snapshot();
    const value = `${number}${" ".repeat(cut - number.length)}5`;
    const res = await request(path, route, { method: "POST", body: new URLSearchParams({ ...form, [field]: value }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Record<string, string> }).errors[field]).toEqual(expect.any(String));
    expect(await snapshot()).toEqual(before);
  });
});

describe("form fields given twice", () => {
  it("GIVEN a points adjustment with points sent twice (5 and 7) THEN 400 naming the field, nothing added (the action read the last value, other actions read the first)", async () => {
    const before = await snapshot();
    const body = new URLSearchParams([["intent", "adjust-points"], ["direction", "add"], ["points", "5"], ["points", "7"], ["reason", "goodwill"]]);
    const res = await request(`/app/customers/${customerId}`, "routes/app.customers.$id", { method: "POST", body });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ ok: false, message: expect.stringMatching(/"points" was sent more than once/) });
    expect(await snapshot()).toEqual(before);
  });

  it.each(["resolve", "reissue", "reveal"])(
    "GIVEN the Rewards page's one-reward action %s with two rewardIds THEN 400 naming the field, neither reward touched (the first was acted on, the second silently dropped)",
    async (intent) => {
      const customer = await db.customer.findUniqueOrThrow({ where: { id: customerId } });
      const a = await createReward(db, customer, { status: "FAILED" });
      const b = await createReward(db, customer, { status: "FAILED" });
      const before = await snapshot();
      const body = new URLSearchParams([["intent", intent], ["rewardId", a.id], ["rewardId", b.id]]);
      const res = await request("/app/rewards", "routes/app.rewards", { method: "POST", body });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ ok: false, message: expect.stringMatching(/"rewardId" was sent more than once/) });
      expect(await snapshot()).toEqual(before);
    },
  );

  it("GIVEN a bulk cancel of several selected rewards THEN the repeated rewardId is the form's own list, accepted", async () => {
    const body = new URLSearchParams([["intent", "bulk-cancel"], ["rewardId", "nope-1"], ["rewardId", "nope-2"]]);
    const res = await request("/app/rewards", "routes/app.rewards", { method: "POST", body });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { failed: unknown[] }).failed).toHaveLength(2);
  });
});

describe("admin URLs", () => {
  it.each([
    ["/app/customers?query=%00", "routes/app.customers._index"],
    ["/app/rewards?query=a%00", "routes/app.rewards"],
    ["/app/rewards.csv?query=a%00", null],
    ["/app/customers/a%00", "routes/app.customers.$id"],
    ["/app/bulk-issue/a%00", "routes/app.bulk-issue.$id"],
  ] as const)("GIVEN %s (a NUL in a search or an id) THEN 400 with a message (PostgreSQL: a 500, and the CSV export crashed the server)", async (path, route) => {
    const res = await request(path, route);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("control characters");
  });

  it.each([
    ["/app/rewards", "routes/app.rewards"],
    ["/app/customers", "routes/app.customers._index"],
    [`/app/customers/{id}?tab=points`, "routes/app.customers.$id"],
  ] as const)("GIVEN %s with a cursor whose time is past the last date a Date can hold THEN 400 'not valid', not a 500", async (path, route) => {
    const cursor = Buffer.from("8640000000000001.abc").toString("base64url");
    const url = `${path.replace("{id}", customerId)}${path.includes("?") ? "&" : "?"}after=${cursor}`;
    const res = await request(url, route);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/not valid/);
  });

  it.each(["n2147483648", "n-2147483649", "n9007199254740991"])(
    "GIVEN customers sorted by points with a cursor whose points (%s) no balance can have THEN 400 'not valid', not a 500 (PostgreSQL refused the 32-bit comparison)",
    async (key) => {
      const cursor = Buffer.from(`${key}.abc`).toString("base64url");
      for (const side of ["after", "before"]) {
        const res = await request(`/app/customers?sort=points&${side}=${cursor}`, "routes/app.customers._index");
        expect(res.status, side).toBe(400);
        expect(((await res.json()) as { message: string }).message).toMatch(/not valid/);
      }
    },
  );

  it.each([
    ["/app/rewards?from=0000-01-01", "routes/app.rewards"],
    ["/app/rewards?to=0000-01-02", "routes/app.rewards"],
    ["/app/rewards?from=1969-12-31", "routes/app.rewards"],
    ["/app/rewards.csv?from=0000-01-01", null],
  ] as const)("GIVEN %s (a day outside the dates the app stores) THEN 400 naming the range (PostgreSQL: a 500, and the CSV export's connection was cut mid-download)", async (path, route) => {
    const res = await request(path, route);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("1970-01-01 to 9999-12-31");
  });

  describe("a search or tier longer than the lists read", () => {
    // A customer whose email starts with the search's first 100 characters; the whole search matches no one.
    const SEARCH = `${"q".repeat(100)}zzz`;
    let longCode: string;
    beforeAll(async () => {
      const long = await createCustomer(db, SHOP, { email: `${"q".repeat(100)}@example.com`, firstName: "Long", lastName: "Mail" });
      longCode = (await createReward(db, long, { status: "ISSUED" })).code;
    });

    it.each([
      [`/app/rewards.csv?query=${SEARCH}`, null],
      [`/app/rewards?query=${SEARCH}`, "routes/app.rewards"],
      [`/app/customers?query=${SEARCH}`, "routes/app.customers._index"],
      [`/app/customers?tier=${"G".repeat(101)}`, "routes/app.customers._index"],
    ] as const)("GIVEN %s THEN 400 'at most 100 characters', not the rows of its first 100 characters (the CSV exported another customer's rewards)", async (path, route) => {
      const res = await request(path, route);
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text).toMatch(/at most 100 characters/);
      expect(text).not.toContain(longCode);
    });

    it("GIVEN a search of exactly 100 characters THEN it is used whole, as before", async () => {
      const res = await request(`/app/customers?query=${"q".repeat(100)}`, "routes/app.customers._index");
      expect(res.status).toBe(200);
      expect(((await res.json()) as { page: { items: { email: string }[] } }).page.items.map((c) => c.email)).toEqual([`${"q".repeat(100)}@example.com`]);
    });
  });

  it("GIVEN the rewards filtered from 1970-01-01 to 9999-12-31 (the whole range) THEN the rewards, as before", async () => {
    const res = await request("/app/rewards?from=1970-01-01&to=9999-12-31", "routes/app.rewards");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { page: { items: unknown[] } }).page.items.length).toBeGreaterThan(0);
  });
});

describe("query parameters given twice", () => {
  it.each([
    ["/app/rewards.csv?status=ISSUED&status=FAILED", null],
    ["/app/rewards?status=ISSUED&status=NOPE", "routes/app.rewards"],
    ["/app/customers?sort=points&sort=name", "routes/app.customers._index"],
    ["/app/customers/{id}?tab=points&tab=rewards", "routes/app.customers.$id"],
  ] as const)("GIVEN %s THEN 400 naming the parameter, not the first value silently (a CSV of half what was asked)", async (path, route) => {
    const res = await request(path.replace("{id}", customerId), route);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/appears more than once/);
  });
});

describe("the login form (no session yet)", () => {
  it("GIVEN a 40 MB chunked body THEN it is refused long before the sender is done", async () => {
    const total = 40 * 1024 * 1024;
    const result = await postChunked(new URL("/auth/login?_data=routes%2Fauth.login", app.url), { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": BROWSER_UA }, Buffer.alloc(64 * 1024, 0x61), total);
    expect(result.status).toBe(413);
    expect(result.sent).toBeLessThan(total / 4);
  });

  it.each([
    ["JSON", { "Content-Type": "application/json" }, JSON.stringify({ shop: "test-shop" })],
    ["broken multipart", { "Content-Type": "multipart/form-data; boundary=x" }, "garbage"],
  ])("GIVEN a %s body THEN a 4xx with the form's message, not a 500", async (_label, headers, body) => {
    const res = await fetch(new URL("/auth/login?_data=routes%2Fauth.login", app.url), { method: "POST", headers: { "User-Agent": BROWSER_UA, ...headers }, body });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await res.json()).toEqual({ errors: { shop: expect.any(String) } });
  });

  it("GIVEN a shop sent as a file THEN a 4xx, not a 500", async () => {
    const form = new FormData();
    form.set("shop", new Blob(["test-shop"]), "shop.txt");
    const res = await fetch(new URL("/auth/login?_data=routes%2Fauth.login", app.url), { method: "POST", headers: { "User-Agent": BROWSER_UA }, body: form });
    expect(res.status).toBe(400);
  });

  it.each([
    ["evil.example.com"],
    ["test-shop.myshopify.com.evil.com"],
    ["a".repeat(300)],
  ])("GIVEN the shop %s (form or URL) THEN 400 with the form's message, and no redirect is built from it", async (shop) => {
    const posted = await fetch(new URL("/auth/login?_data=routes%2Fauth.login", app.url), { method: "POST", redirect: "manual", headers: { "User-Agent": BROWSER_UA }, body: new URLSearchParams({ shop }) });
    expect(posted.status).toBe(400);
    expect(await posted.json()).toEqual({ errors: { shop: "Please enter a valid shop domain to log in" } });
    const linked = await fetch(new URL(`/auth/login?_data=routes%2Fauth.login&shop=${encodeURIComponent(shop)}`, app.url), { redirect: "manual", headers: { "User-Agent": BROWSER_UA } });
    expect(linked.status).toBe(400);
    expect(linked.headers.get("location")).toBeNull();
  });

  it.each([["Test-Shop"], ["https://test-shop.myshopify.com/"], ["admin.shopify.com/store/test-shop"]])("GIVEN %s typed in the form THEN the redirect is for the canonical shop", async (typed) => {
    const res = await fetch(new URL("/auth/login", app.url), { method: "POST", redirect: "manual", headers: { "User-Agent": BROWSER_UA }, body: new URLSearchParams({ shop: typed }) });
    expect([302, 303]).toContain(res.status);
    expect(res.headers.get("location")).toContain("/store/test-shop/");
  });

  it("GIVEN a valid shop in the form THEN the library's redirect, as before", async () => {
    const res = await fetch(new URL("/auth/login", app.url), { method: "POST", redirect: "manual", headers: { "User-Agent": BROWSER_UA }, body: new URLSearchParams({ shop: "test-shop" }) });
    expect([302, 303]).toContain(res.status);
    expect(res.headers.get("location")).toContain("test-shop");
  });
});

describe("personal data stays out of URLs", () => {
  it("GIVEN customers sorted by name WHEN the list pages THEN its cursors (which end up in links, browser history and proxies' access logs) don't carry a customer's name, and paging still works", async () => {
    for (let i = 0; i < 25; i++) await createCustomer(db, SHOP, { firstName: "Zoë", lastName: `Private${String(i).padStart(2, "0")}`, email: `zoe${i}@example.com` });
    const page = async (query: string) => (await (await request(`/app/customers${query}`, "routes/app.customers._index")).json()) as { page: { items: { name: string }[]; nextCursor: string | null; previousCursor: string | null } };
    const first = await page("?sort=name");
    const cursor = first.page.nextCursor!;
    expect(cursor).toBeTruthy();
    // Whatever the encoding layers, no readable part of a name. (Whole name parts: a two-letter
    // pattern such as "Zo" turns up by chance in the base64 text of a random ciphertext, ~7 % of runs.)
    const layers = [cursor, Buffer.from(cursor, "base64url").toString("utf8")];
    for (const part of layers[1]!.split(/[.]/)) layers.push(Buffer.from(part.replace(/^s/, ""), "base64url").toString("utf8"));
    for (const layer of layers) expect(layer).not.toMatch(/Zoë|Private|Customer \d/);
    const second = await page(`?sort=name&after=${cursor}`);
    expect(second.page.items.length).toBeGreaterThan(0);
    expect(second.page.items[0]!.name).not.toBe(first.page.items[0]!.name);
    const back = await page(`?sort=name&before=${second.page.previousCursor}`);
    expect(back.page.items.map((c) => c.name)).toEqual(first.page.items.map((c) => c.name));
  });
});
