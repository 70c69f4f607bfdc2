// The Shopify emulator: one object that plays every Shopify role the app meets.
//   - Admin GraphQL API (validated against the real 2026-10 schema, stateful, throttled, faulty on demand)
//   - OAuth token exchange (what `authenticate.admin` does on first load of an embedded app)
//   - the merchant and the shop's customers: orders using codes, discounts changed in Shopify's admin,
//     uninstalls — each followed by the signed webhook Shopify would send
//   - the storefront's app proxy (signed requests) and the embedded admin (session tokens, a local
//     admin host with a stand-in App Bridge for the offline demo)
// Used in-process by tests (`mswHandlers`, msw.ts) and as a standalone server by the demo
// (`serveEmulator`, server.ts). Usage, emulated behaviours and known divergences: emulator/README.md.
import { randomBytes } from "node:crypto";
import { createAdminHandler, type AdminHandler } from "./admin-handler";
import { EMPTY_APP_CONFIG, type AppConfig } from "./app-config";
import { proxyStorefrontUrl, type AppProxyTamper } from "./app-proxy";
import { adminHostRoutes } from "./admin-host";
import {
  buildCustomersDataRequestPayload,
  buildCustomersRedactPayload,
  buildDiscountPayload,
  buildOrderWebhookBody,
  buildShopPayload,
  buildShopRedactPayload,
  serializeWebhookJson,
  type EmulatedOrder,
} from "./order-payload";
import { mintSessionToken, verifySessionToken, type SessionTokenTamper } from "./session-token";
import {
  EmulatorStore,
  formatDecimal,
  toCents,
  type Clock,
  type CollectionRecord,
  type CustomerSeed,
  type OrderRecord,
  type PlaceOrderInput,
  type ProductRecord,
  type ProductSeed,
  type ShopRecord,
  type ShopSeed,
} from "./store";
import { signWebhook, WebhookDeliverer, type DeliverOptions, type DeliveryResult, type SignedWebhook, type WebhookTamper } from "./webhooks";

export { EmulatorStore, createManualClock, OrderRejectedError } from "./store";
export type { ManualClock, ShopRecord, CustomerRecord, OrderRecord, CodeDiscountRecord, GiftCardRecord, ProductRecord, StoreCreditAccountRecord, StoreSnapshot } from "./store";
export { EmulatedNetworkError } from "./faults";
export { readAppConfig, parseAppConfig, type AppConfig } from "./app-config";
export type { AdminHandler } from "./admin-handler";

export interface EmulatorOptions {
  apiKey: string;
  apiSecret: string;
  /** Where the app runs (webhook deliveries and proxied storefront requests go there). */
  appUrl?: string;
  /**
   * The app's configuration as Shopify knows it: webhook subscriptions, app proxy, API version —
   * e.g. `readAppConfig("shopify.app.toml")`. Default: no subscriptions and no app proxy (sending a
   * webhook or building an app proxy URL then fails with a message naming the missing entry).
   */
  appConfig?: AppConfig;
  /** Injectable clock for the store and throttling (default: system time). */
  clock?: Clock;
  /** Deliver webhooks with this fetch (default: global fetch). */
  fetch?: typeof fetch;
}

export interface WebhookSendOptions extends DeliverOptions {
  /** Deliver now (default) or only return the signed webhook so the test delivers it itself. */
  deliver?: boolean;
  webhookId?: string;
  eventId?: string;
  tamper?: WebhookTamper;
}

export interface SentWebhook {
  signed: SignedWebhook;
  url: string;
  results: DeliveryResult[];
}

/**
 * The emulated Shopify: one store (shops, customers, discounts, gift cards, orders), the Admin API
 * over it, and the actions of merchants and customers that make Shopify send webhooks. Create it
 * with {@link createShopifyEmulator}.
 */
export class ShopifyEmulator {
  readonly store: EmulatorStore;
  readonly admin: AdminHandler;
  readonly deliverer: WebhookDeliverer;
  readonly config: AppConfig;
  appUrl: string | undefined;
  private readonly routes: (request: Request) => Promise<Response | undefined>;

  constructor(readonly options: EmulatorOptions) {
    this.store = new EmulatorStore({ now: options.clock ? () => options.clock!.now() : undefined });
    this.admin = createAdminHandler(this.store);
    this.deliverer = new WebhookDeliverer({ fetch: options.fetch });
    this.config = options.appConfig ?? EMPTY_APP_CONFIG;
    this.appUrl = options.appUrl;
    this.routes = adminHostRoutes(this);
  }

  /**
   * Arms failures of the Admin API for the next matching calls (by root field, operation or shop).
   *
   * @example
   * emulator.faults.loseResponse("discountCodeBasicCreate"); // created in Shopify, answer lost
   * emulator.faults.throttle("giftCardCreate", 2);             // THROTTLED twice, then normal
   * emulator.faults.httpError("discountCodeDeactivate", 503);
   */
  get faults() {
    return this.admin.faults;
  }

  /**
   * What the app did to Shopify: the call log and the store's records.
   *
   * @example
   * expect(emulator.inspect.countCalls("discountCodeBasicCreate")).toBe(1);
   * const [discount] = emulator.inspect.discounts("my-shop.myshopify.com");
   */
  get inspect() {
    return this.admin.inspect;
  }

  // ---- shops and customers --------------------------------------------------------------------

  /**
   * A shop with the app installed; its offline access token is what token exchange hands out.
   *
   * @example
   * const shop = emulator.addShop({ domain: "my-shop.myshopify.com", scopes: ["write_discounts"], giftCards: false });
   */
  addShop(seed: Partial<ShopSeed> & { domain: string }): ShopRecord {
    return this.store.addShop({ accessToken: `shpat_${randomBytes(16).toString("hex")}`, ...seed });
  }

  /**
   * A customer of the shop (in Shopify, not yet in the app's database).
   *
   * @example
   * const ada = emulator.addCustomer("my-shop.myshopify.com", { firstName: "Ada", email: "ada@example.com" });
   * ada.id; // "gid://shopify/Customer/…"
   */
  addCustomer(shop: string, seed: CustomerSeed = {}) {
    return this.store.addCustomer(shop, seed);
  }

  /** A product (with variants) that discounts can entitle. */
  addProduct(shop: string, seed: ProductSeed = {}): ProductRecord {
    return this.store.addProduct(shop, seed);
  }

  /** A collection that discounts can entitle (customerGets.items.collections). */
  addCollection(shop: string, seed: { title?: string; productIds?: string[] } = {}): CollectionRecord {
    return this.store.addCollection(shop, seed);
  }

  // ---- store credit -----------------------------------------------------------------------------

  /** The customer's store credit balance in `currencyCode` (the shop's by default), as Decimal text ("0.0" without an account). */
  storeCreditBalance(shop: string, customerId: string, currencyCode?: string): string {
    const currency = currencyCode ?? this.store.getShop(shop)?.currencyCode;
    const account = this.store.listStoreCreditAccounts(shop, customerId).find((a) => a.currencyCode === currency);
    return formatDecimal(account?.balance ?? 0);
  }

  /**
   * The customer pays part of an order with store credit (event ORDER_PAYMENT, StoreCreditSystemEvent):
   * the balance goes down. Throws when the balance doesn't cover it.
   */
  spendStoreCredit(shop: string, customerId: string, amount: string): void {
    const currency = this.store.getShop(shop)?.currencyCode;
    const account = this.store.listStoreCreditAccounts(shop, customerId).find((a) => a.currencyCode === currency);
    if (!account || !this.store.debitStoreCredit(shop, account.id, toCents(amount), "ORDER_PAYMENT")) {
      throw new Error(`store credit balance of ${customerId} does not cover ${amount}`);
    }
  }

  // ---- the embedded admin -----------------------------------------------------------------------

  /**
   * A session token as Shopify's admin gives the embedded app (App Bridge `idToken()`).
   *
   * @example
   * await fetch(`${appUrl}/app?_data=routes%2Fapp._index`, {
   *   headers: { Authorization: `Bearer ${emulator.sessionToken("my-shop.myshopify.com")}` },
   * });
   */
  sessionToken(shop: string, options: { tamper?: SessionTokenTamper; userId?: string | number; ttlSeconds?: number } = {}): string {
    return mintSessionToken({ shop, apiKey: this.options.apiKey, apiSecret: this.options.apiSecret, now: this.store.now(), ...options }).token;
  }

  /** The URL Shopify's admin opens for the embedded app: `/app?embedded=1&shop&host&id_token`. */
  embeddedAppUrl(shop: string, appPath = "/app"): string {
    if (!this.appUrl) throw new Error("emulator.appUrl is not set");
    const storeName = shop.replace(/\.myshopify\.com$/, "");
    const url = new URL(appPath, this.appUrl);
    url.searchParams.set("embedded", "1");
    url.searchParams.set("shop", shop);
    url.searchParams.set("host", Buffer.from(`admin.shopify.com/store/${storeName}`).toString("base64url"));
    url.searchParams.set("id_token", this.sessionToken(shop));
    return url.toString();
  }

  /** OAuth token exchange: session token in, the shop's offline access token out. */
  private async tokenExchange(request: Request, shop: string): Promise<Response> {
    const body = (await request.json().catch(() => null)) as Record<string, string> | null;
    const json = (b: unknown, status = 200) => Response.json(b, { status });
    if (!body || body.client_id !== this.options.apiKey || body.client_secret !== this.options.apiSecret) {
      return json({ error: "invalid_client", error_description: "Client authentication failed" }, 401);
    }
    if (body.grant_type !== "urn:ietf:params:oauth:grant-type:token-exchange") {
      return json({ error: "unsupported_grant_type" }, 400);
    }
    const verified = verifySessionToken(body.subject_token ?? "", {
      apiKey: this.options.apiKey,
      apiSecret: this.options.apiSecret,
      now: this.store.now(),
    });
    const record = this.store.getShop(shop);
    if (!verified.ok || !record || verified.claims.dest !== `https://${shop}`) {
      return json({ error: "invalid_subject_token", error_description: "The session token is invalid" }, 400);
    }
    // An app that is not installed has no grant to exchange: Shopify refuses with 400 ("If your
    // session token is expired or otherwise invalid, then the token exchange request fails with an
    // HTTP status code of 400 Bad Request" —
    // https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/token-exchange).
    if (record.uninstalledAt) {
      return json({ error: "invalid_subject_token", error_description: "The app is not installed on this shop" }, 400);
    }
    const scope = record.scopes?.join(",") ?? "";
    if (body.requested_token_type === "urn:shopify:params:oauth:token-type:online-access-token") {
      return json({
        access_token: `shpua_${randomBytes(12).toString("hex")}`,
        scope,
        expires_in: 86_400,
        associated_user_scope: scope,
        associated_user: { id: Number(verified.claims.sub), first_name: "Demo", last_name: "Merchant", email: "merchant@example.com", account_owner: true, locale: "en", collaborator: false, email_verified: true },
      });
    }
    return json({ access_token: record.accessToken, scope });
  }

  // ---- webhooks ---------------------------------------------------------------------------------

  webhookUrl(topic: string): string {
    const uri = this.config.webhookUris[topic];
    if (!uri) throw new Error(`the app config given to the emulator (appConfig) has no webhook subscription for ${topic}`);
    if (!this.appUrl) throw new Error("emulator.appUrl is not set");
    return new URL(uri, this.appUrl).toString();
  }

  /**
   * Signs `body` as Shopify signs webhooks and delivers it to the subscription's URI (from the
   * `appConfig` option), or only returns the signed delivery with `{ deliver: false }`.
   *
   * @example
   * const body = emulator.orderWebhookBody(order, { customer: null }); // a guest checkout
   * const { results } = await emulator.sendWebhook("orders/create", shop, body, { duplicates: 1 });
   * results.map((r) => r.finalStatus); // [200, 200]
   */
  async sendWebhook(topic: string, shop: string, body: string, options: WebhookSendOptions = {}): Promise<SentWebhook> {
    const signed = signWebhook({
      topic,
      shop,
      body,
      secret: this.options.apiSecret,
      apiVersion: this.config.apiVersion,
      triggeredAt: this.store.now(),
      ...(options.webhookId ? { webhookId: options.webhookId } : {}),
      ...(options.eventId ? { eventId: options.eventId } : {}),
      ...(options.tamper ? { tamper: options.tamper } : {}),
    });
    const url = this.webhookUrl(topic);
    const results = options.deliver === false ? [] : await this.deliverer.deliver(url, signed, options);
    return { signed, url, results };
  }

  /** The orders/create body Shopify would send for an order the store recorded. */
  orderWebhookBody(order: OrderRecord, extra: Partial<EmulatedOrder> = {}): string {
    const customer = order.customerId ? this.store.getCustomer(order.shop, order.customerId) : undefined;
    return buildOrderWebhookBody({
      id: order.legacyId,
      shop: order.shop,
      orderNumber: order.orderNumber,
      name: order.name,
      email: order.email,
      customer: customer
        ? { id: customer.id, email: customer.email, first_name: customer.firstName, last_name: customer.lastName }
        : null,
      discountCodes: order.discountCodes.map((d) => ({ code: d.code, type: d.type, amount: d.amount })),
      subtotal: formatDecimal(order.subtotal),
      shipping: formatDecimal(order.shipping),
      currency: order.currencyCode,
      test: order.test,
      sourceName: order.sourceName,
      gatewayNames: order.paymentGatewayNames,
      paidWithGiftCard: order.giftCardPayments.length > 0,
      createdAt: order.createdAt,
      ...extra,
    });
  }

  /**
   * A customer completes checkout with `codes`: Shopify checks them (deactivated, expired, used up,
   * for another customer → OrderRejectedError, nothing changes), counts the use, records the order
   * and sends orders/create.
   *
   * @example
   * const { order, webhook } = await emulator.placeOrder("my-shop.myshopify.com", { customerId: ada.id, codes: ["LOYAL-7KQ2"] });
   * webhook.results[0].finalStatus; // the app's answer, e.g. 200
   */
  async placeOrder(shop: string, input: PlaceOrderInput, webhook: WebhookSendOptions = {}) {
    const order = this.store.placeOrder(shop, input);
    const sent = await this.sendWebhook("orders/create", shop, this.orderWebhookBody(order), webhook);
    return { order, webhook: sent };
  }

  /**
   * The merchant deactivates a discount in Shopify's admin → discounts/update.
   *
   * @example
   * await emulator.merchantDeactivatesDiscount("my-shop.myshopify.com", reward.shopifyId!);
   */
  async merchantDeactivatesDiscount(shop: string, id: string, webhook: WebhookSendOptions = {}) {
    const change = this.store.deactivateDiscount(shop, id);
    if (!change) throw new Error(`no discount ${id} in ${shop}`);
    const d = change.after;
    const body = serializeWebhookJson(
      buildDiscountPayload("discounts/update", { id: d.id, title: d.title, status: this.store.discountStatus(d), createdAt: d.createdAt, updatedAt: d.updatedAt }),
    );
    return this.sendWebhook("discounts/update", shop, body, webhook);
  }

  /** The merchant deletes a discount in Shopify's admin → discounts/delete. */
  async merchantDeletesDiscount(shop: string, id: string, webhook: WebhookSendOptions = {}) {
    const deleted = this.store.deleteDiscount(shop, id);
    if (!deleted) throw new Error(`no discount ${id} in ${shop}`);
    const body = serializeWebhookJson(buildDiscountPayload("discounts/delete", { id: deleted.id, deletedAt: this.store.now() }));
    return this.sendWebhook("discounts/delete", shop, body, webhook);
  }

  /**
   * The merchant uninstalls the app: the token dies at once (the Admin API answers 401 to it:
   * https://shopify.dev/docs/api/usage/response-codes), token exchange is refused until a reinstall,
   * then app/uninstalled is sent, its X-Shopify-Triggered-At being the moment of the uninstall
   * (https://shopify.dev/docs/apps/build/webhooks/subscribe/https). `deliver: false` keeps the signed
   * webhook for the test to deliver late.
   *
   * @example
   * await emulator.uninstall("my-shop.myshopify.com");
   */
  async uninstall(shop: string, webhook: WebhookSendOptions = {}) {
    const record = this.store.getShop(shop);
    if (!record) throw new Error(`unknown shop ${shop}`);
    this.store.updateShop(shop, { accessToken: `revoked_${randomBytes(8).toString("hex")}`, uninstalledAt: this.store.now() });
    const body = serializeWebhookJson(
      buildShopPayload({ domain: shop, name: record.name, email: record.email, currency: record.currencyCode, planDisplayName: record.planDisplayName }),
    );
    return this.sendWebhook("app/uninstalled", shop, body, webhook);
  }

  /**
   * The merchant installs the app again: Shopify grants a new offline access token, which the app
   * gets through token exchange when the embedded app next loads
   * (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/token-exchange).
   */
  reinstall(shop: string): ShopRecord {
    if (!this.store.getShop(shop)) throw new Error(`unknown shop ${shop}`);
    return this.store.updateShop(shop, { accessToken: `shpat_${randomBytes(16).toString("hex")}`, uninstalledAt: null });
  }

  /**
   * The shop's offline token stops working while the app stays installed (e.g. the app's client
   * secret was rotated and the old one revoked): the Admin API answers 401 Unauthorized to it
   * (https://shopify.dev/docs/api/usage/response-codes) and token exchange hands out a working one
   * (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/token-exchange).
   * No webhook is sent. Returns the revoked token.
   */
  revokeAccessToken(shop: string): string {
    const record = this.store.getShop(shop);
    if (!record) throw new Error(`unknown shop ${shop}`);
    const revoked = record.accessToken;
    this.store.updateShop(shop, { accessToken: `shpat_${randomBytes(16).toString("hex")}` });
    return revoked;
  }

  async customersDataRequest(shop: string, customerId: string, webhook: WebhookSendOptions = {}) {
    const c = this.store.getCustomer(shop, customerId);
    const body = serializeWebhookJson(
      buildCustomersDataRequestPayload({
        shopId: this.shopNumericId(shop),
        shopDomain: shop,
        customer: { id: customerId, email: c?.email ?? null, phone: c?.phone ?? null },
        dataRequestId: Date.now(),
      }),
    );
    return this.sendWebhook("customers/data_request", shop, body, webhook);
  }

  async customersRedact(shop: string, customerId: string, webhook: WebhookSendOptions = {}) {
    const c = this.store.getCustomer(shop, customerId);
    const body = serializeWebhookJson(
      buildCustomersRedactPayload({
        shopId: this.shopNumericId(shop),
        shopDomain: shop,
        customer: { id: customerId, email: c?.email ?? null, phone: c?.phone ?? null },
      }),
    );
    return this.sendWebhook("customers/redact", shop, body, webhook);
  }

  async shopRedact(shop: string, webhook: WebhookSendOptions = {}) {
    const body = serializeWebhookJson(buildShopRedactPayload({ shopId: this.shopNumericId(shop), shopDomain: shop }));
    return this.sendWebhook("shop/redact", shop, body, webhook);
  }

  private shopNumericId(shop: string): string {
    const id = this.store.getShop(shop)?.id ?? "gid://shopify/Shop/1";
    return id.split("/").pop() ?? "1";
  }

  // ---- storefront (app proxy) -------------------------------------------------------------------

  /**
   * The signed URL the app receives when a storefront visitor requests
   * `https://{shop}/{prefix}/{subpath}{path}` (the app proxy of `appConfig`); `customerId` null =
   * logged out.
   *
   * @example
   * const res = await fetch(emulator.appProxyUrl("my-shop.myshopify.com", "/customer", ada.legacyId));
   */
  appProxyUrl(shop: string, pathAndQuery: string, customerId: string | null, tamper?: AppProxyTamper): string {
    if (!this.appUrl) throw new Error("emulator.appUrl is not set");
    const proxy = this.config.appProxy;
    if (!proxy) throw new Error("the app config given to the emulator (appConfig) has no [app_proxy]");
    const prefix = `/${proxy.prefix}/${proxy.subpath}`;
    return proxyStorefrontUrl(`https://${shop}${prefix}${pathAndQuery}`, {
      secret: this.options.apiSecret,
      appUrl: this.appUrl,
      proxyUrl: proxy.url,
      pathPrefix: prefix,
      loggedInCustomerId: customerId,
      timestamp: this.store.now(),
      ...(tamper ? { tamper } : {}),
    }).toString();
  }

  // ---- HTTP ---------------------------------------------------------------------------------------

  /**
   * Everything Shopify serves, as one fetch handler (wrapped by `mswHandlers` and `serveEmulator`):
   *   https://{shop}/admin/api/{version}/graphql.json   and  /{shop}/admin/api/… (standalone form)
   *   https://{shop}/admin/oauth/access_token            and  /{shop}/admin/oauth/access_token
   *   /admin-host/…                                        the local admin host (demo)
   */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const pathForm = /^\/([^/]+\.[^/]+)(\/admin\/.*)$/.exec(url.pathname);
    const shop = pathForm ? pathForm[1] : url.hostname;
    const adminPath = pathForm ? pathForm[2] : url.pathname;
    if (adminPath === "/admin/oauth/access_token" && request.method === "POST") return this.tokenExchange(request, shop);
    if (/^\/admin\/api\//.test(adminPath)) {
      if (!pathForm) return this.admin.handle(request);
      // Standalone form → the URL Shopify would have been called at.
      const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.text();
      return this.admin.handle(
        new Request(`https://${shop}${adminPath}${url.search}`, { method: request.method, headers: request.headers, body, signal: request.signal }),
      );
    }
    const routed = await this.routes(request);
    if (routed) return routed;
    return new Response("Not Found (not emulated)", { status: 404 });
  }
}

/**
 * Creates the emulated Shopify for an app. Nothing is read from disk: pass what Shopify knows of
 * the app (its key, secret and configuration).
 *
 * @example
 * const emulator = createShopifyEmulator({
 *   apiKey: "test-api-key",
 *   apiSecret: "test-api-secret",
 *   appUrl: app.url,
 *   appConfig: readAppConfig("shopify.app.toml"),
 * });
 * setupServer(...mswHandlers(emulator)).listen(); // in-process, or: await serveEmulator(emulator)
 */
export function createShopifyEmulator(options: EmulatorOptions): ShopifyEmulator {
  return new ShopifyEmulator(options);
}
