// The storefront side of the referral HTTP tests (test/http/referrals*.test.ts, docs/decisions/023-referrals.md):
// an installed emulated shop with a referral program (a friend's welcome reward, a referrer's reward),
// emulated customers, the referral endpoints through signed app-proxy requests, the customer's
// orders as Shopify sends them (orders/create), and the rows the tests read back.
import { beforeAll, beforeEach } from "vitest";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { BROWSER_UA } from "./app";
import { TEST_APP } from "./constants";
import { createTemplate } from "./factories";
import { installEmulatedShop, type EmulatorFixture } from "./shopify";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

/** An emulated Shopify customer. */
export interface Person {
  gid: string;
  numericId: string;
  email: string | null;
}

export interface ProgramValues {
  enabled: boolean;
  minimumOrderAmount: string;
  pendingDays: number;
  monthlyCapPerReferrer: number | null;
}

export interface OrderOptions {
  subtotal?: string;
  /** The cart attributes (`note_attributes`) the order carries. */
  noteAttributes?: { name: string; value: string }[];
  /** The customer's default address; default: one of the buyer's own. */
  address1?: string;
  duplicates?: number;
  concurrent?: boolean;
  email?: string;
  /** Changes the orders/create body before it is signed and sent. */
  rewrite?: (body: string) => string;
}

/**
 * Call at the top level of a test file, after useShopifyEmulator and useRunningApp: installs the
 * emulated shop and the two reward templates once, and (re)sets the program before each test (on,
 * minimum 50, 14 days' wait, no monthly cap). The template ids are in `templates` once the file's
 * beforeAll ran.
 */
export function useReferralProgram(fixture: Pick<EmulatorFixture, "emulator" | "adminGraphql">, shop: string = TEST_APP.shop) {
  const { emulator } = fixture;
  const templates = { friend: "", referrer: "" };
  let seq = 0;

  beforeAll(async () => {
    await installEmulatedShop(emulator, shop, { currencyCode: "USD" });
    templates.friend = (await createTemplate(db, shop, { name: "Welcome $5", purpose: "REFERRAL", value: "5.00", pointsCost: null })).id;
    templates.referrer = (await createTemplate(db, shop, { name: "Thanks $10", purpose: "REFERRAL", value: "10.00", pointsCost: null })).id;
  });

  /** Sets the shop's program: the defaults, with `values` over them. */
  async function program(values: Partial<ProgramValues> = {}) {
    const data = { enabled: true, friendTemplateId: templates.friend, referrerTemplateId: templates.referrer, minimumOrderAmount: "50", pendingDays: 14, monthlyCapPerReferrer: null, ...values };
    await db.referralSettings.upsert({ where: { shop }, create: { shop, ...data }, update: data });
  }

  beforeEach(async () => {
    await program();
  });

  /** A new customer in Shopify; the email is unique unless given (null: none). */
  function person(first: string, email?: string | null, createdAt?: Date): Person {
    seq++;
    const c = emulator.addCustomer(shop, {
      firstName: first,
      lastName: `Test${seq}`,
      email: email === undefined ? `${first.toLowerCase()}${seq}@example.com` : email,
      ...(createdAt ? { createdAt } : {}),
    });
    return { gid: c.id, numericId: c.legacyId, email: c.email };
  }

  /** A storefront request through the app proxy, signed in as `who` (null: logged out); a string body is sent as is. */
  async function call(method: "GET" | "POST", path: string, who: Person | null, body?: unknown) {
    const res = await fetch(emulator.appProxyUrl(shop, path, who ? who.numericId : null), {
      method,
      headers: { "User-Agent": BROWSER_UA, Accept: "application/json", ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Json };
  }

  const customerId = async (p: Person) => (await db.customer.findUniqueOrThrow({ where: { shop_shopifyCustomerId: { shop, shopifyCustomerId: p.gid } } })).id;

  /**
   * Places an order in the emulator and sends its orders/create (not applied: the test runs
   * applyWebhooks), optionally with cart attributes and a customer default address of the test's choice.
   */
  async function order(who: Person | null, options: OrderOptions = {}) {
    const { order: placed } = await emulator.placeOrder(shop, { customerId: who?.gid ?? null, codes: [], subtotal: options.subtotal ?? "100.00", ...(options.email ? { email: options.email } : {}) }, { deliver: false });
    let body = emulator.orderWebhookBody(placed);
    if (options.noteAttributes) body = body.replace('"note_attributes":[]', `"note_attributes":${JSON.stringify(options.noteAttributes)}`);
    // Every emulated customer lives at the same address unless the test gives one.
    const address1 = options.address1 ?? `${seq * 7 + 1} Referral Street ${who?.numericId ?? "guest"}`;
    body = body.replace(/("default_address":\{[^{}]*?"address1":)"[^"]*"/, `$1${JSON.stringify(address1)}`);
    if (options.rewrite) body = options.rewrite(body);
    await emulator.sendWebhook("orders/create", shop, body, { duplicates: options.duplicates ?? 0, concurrent: options.concurrent ?? false, duplicateWebhookId: "new" });
    return placed;
  }

  return {
    templates,
    program,
    person,
    visitorToken: () => `visitor-${crypto.randomUUID()}`,
    call,
    linkOf: async (who: Person) => (await call("GET", "/referral-link", who)).body.code as string,
    click: (code: unknown, visitor: unknown) => call("POST", "/referral-click", null, { code, visitor }),
    claim: (who: Person, code: string, visitor: string | null) => call("POST", "/referral-claim", who, { code, visitor }),
    order,
    customerId,
    referralOf: async (friend: Person) => db.referral.findUniqueOrThrow({ where: { shop_friendCustomerId: { shop, friendCustomerId: await customerId(friend) } } }),
    rewardsKeyed: (key: string) => db.reward.findMany({ where: { shop, idempotencyKey: key } }),
    /** The dependencies of the worker's referrals pass (issueDueReferrerRewards) at `now`. */
    deps: (now = () => new Date()) => ({ db, logger, now, adminFor: (s: string) => fixture.adminGraphql(s) }),
  };
}
