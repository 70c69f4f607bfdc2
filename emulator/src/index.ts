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
  buildCustomerPayload,
  redactCustomerPayload,
  buildCustomersDataRequestPayload,
  buildCustomersRedactPayload,
  buildDiscountPayload,
  buildOrderWebhookBody,
  buildRefundPayload,
  buildShopPayload,
  buildShopRedactPayload,
  serializeWebhookJson,
  type EmulatedOrder,
} from "./order-payload";
import { acceptsAccessToken, grantedScopes, installGrant, issueExpiringPair, migrateNonExpiringToken, refreshExpiringToken, revokeExpiringTokens, type ExpiringTokenPair } from "./oauth";
import { mintSessionToken, verifySessionToken, type SessionTokenTamper } from "./session-token";
import {
  customerAccountState,
  EmulatorStore,
  formatDecimal,
  orderLineNet,
  orderRefunded,
  orderShippingBeforeDiscounts,
  refundGateway,
  StoreError,
  toCents,
  type Clock,
  type OrderCancelReason,
  type RefundRecord,
  type CollectionRecord,
  type CustomerAccountState,
  type CustomerRecord,
  type CustomerSeed,
  type OrderRecord,
  type PlaceOrderInput,
  type ProductRecord,
  type ProductSeed,
  type ShopRecord,
  type ShopSeed,
  type ChangeOrigin,
  type StoreEvent,
} from "./store";
import { signWebhook, WebhookDeliverer, type DeliverOptions, type DeliveryResult, type SignedWebhook, type WebhookTamper } from "./webhooks";

export { EmulatorStore, createManualClock, createScaledClock, OrderRejectedError } from "./store";
export { ACCESS_TOKEN_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS, type ExpiringTokenPair } from "./oauth";
export type { ManualClock, ShopRecord, CustomerRecord, CustomerAccountState, OrderRecord, RefundRecord, CodeDiscountRecord, GiftCardRecord, ProductRecord, StoreCreditAccountRecord, StoreSnapshot } from "./store";
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
  /**
   * Send discounts/* webhooks for the app's own Admin API changes too, as Shopify does (default
   * true). `emulator.echoes` holds, releases and awaits them.
   */
  echoOwnChanges?: boolean;
  /**
   * Refuse the shops' non-expiring offline tokens (401), as Shopify does for public apps from
   * 2027-01-01 (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens).
   * Default false: tests that seed a non-expiring token keep working; token exchange without
   * `expiring=1` then hands out a token the Admin API refuses.
   */
  rejectNonExpiringTokens?: boolean;
}

/** One webhook Shopify sends because of the app's own change (an "echo"), not yet delivered. */
export interface HeldEcho {
  topic: string;
  shop: string;
  body: string;
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
    this.admin = createAdminHandler(this.store, {
      acceptNonExpiringTokens: () => !this.options.rejectNonExpiringTokens,
      appScopes: () => this.declaredScopes(),
    });
    this.deliverer = new WebhookDeliverer({ fetch: options.fetch });
    this.config = options.appConfig ?? EMPTY_APP_CONFIG;
    this.appUrl = options.appUrl;
    this.routes = adminHostRoutes(this);
    this.echoState.enabled = options.echoOwnChanges ?? true;
    this.store.subscribe((event, origin) => this.echo(event, origin));
  }

  private readonly echoState = { enabled: true, hold: false, held: [] as HeldEcho[], inFlight: new Set<Promise<unknown>>() };

  /**
   * Shopify sends the discounts/* topics "whenever a discount has been created, updated or deleted"
   * (https://shopify.dev/changelog/introducing-webhook-topics-for-discount-events; topic list:
   * https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-discounts/update), whoever made
   * the change — so the app's own discountCodeDeactivate comes back to it as discounts/update. Only
   * topics the app subscribes to are sent; the body is taken at the moment of the change.
   */
  private echo(event: StoreEvent, origin: ChangeOrigin): void {
    if (origin !== "app" || !this.echoState.enabled || !this.appUrl) return;
    let topic: "discounts/create" | "discounts/update" | "discounts/delete";
    let body: string;
    if (event.type === "discount.deleted") {
      topic = "discounts/delete";
      body = serializeWebhookJson(buildDiscountPayload(topic, { id: event.discount.id, deletedAt: this.store.now() }));
    } else if (event.type === "discount.created" || (event.type === "discount.updated" && event.change !== "usage")) {
      topic = event.type === "discount.created" ? "discounts/create" : "discounts/update";
      const d = event.discount;
      body = serializeWebhookJson(
        buildDiscountPayload(topic, { id: d.id, title: d.title, status: this.store.discountStatus(d), createdAt: d.createdAt, updatedAt: d.updatedAt }),
      );
    } else {
      return;
    }
    if (!this.config.webhookUris[topic]) return;
    const echo = { topic, shop: event.shop, body };
    if (this.echoState.hold) this.echoState.held.push(echo);
    else this.deliverEcho(echo);
  }

  private deliverEcho(echo: HeldEcho): Promise<SentWebhook | null> {
    // A delivery that cannot reach the app is Shopify's problem to retry, never the caller's error.
    const sending = this.sendWebhook(echo.topic, echo.shop, echo.body).catch(() => null);
    this.echoState.inFlight.add(sending);
    void sending.finally(() => this.echoState.inFlight.delete(sending));
    return sending;
  }

  /**
   * The webhooks Shopify sends for the app's own changes (on by default, see `echoOwnChanges`).
   *
   * @example
   * emulator.echoes.hold();             // keep them until the test says
   * await cancelTheReward();            // deactivates in Shopify: discounts/update is held
   * await emulator.echoes.release();    // delivered now, e.g. before or after the app's commit
   * await emulator.echoes.settled();    // (when not holding) every echo sent so far has been delivered
   */
  get echoes() {
    const state = this.echoState;
    return {
      /** Keep new echoes instead of delivering them at once. */
      hold: () => {
        state.hold = true;
      },
      /** Deliver the held echoes, oldest first, and deliver later ones at once again. */
      release: async (): Promise<Array<SentWebhook | null>> => {
        state.hold = false;
        const held = state.held.splice(0);
        const sent: Array<SentWebhook | null> = [];
        for (const echo of held) sent.push(await this.deliverEcho(echo));
        return sent;
      },
      /** The echoes held so far. */
      held: (): readonly HeldEcho[] => [...state.held],
      /** Resolves when every echo already being delivered has been answered. */
      settled: async (): Promise<void> => {
        while (state.inFlight.size > 0) await Promise.all([...state.inFlight]);
      },
      /** Turn echoes on or off (default on). */
      set enabled(value: boolean) {
        state.enabled = value;
      },
      get enabled() {
        return state.enabled;
      },
    };
  }

  /**
   * Arms failures of the Admin API for the next matching calls (by root field, operation or shop).
   *
   * @example
   * emulator.faults.loseResponse("discountCodeBasicCreate"); // created in Shopify, answer lost
   * emulator.faults.throttle("giftCardCreate", 2);             // THROTTLED twice, then normal
   * emulator.faults.httpError("discountCodeDeactivate", 503);
   * emulator.faults.partialAnswer("giftCardCreate");          // created, answered data + errors
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

  /**
   * POST /admin/oauth/access_token: token exchange (session token in, offline or online access token
   * out; with `expiring=1` an expiring offline token and its refresh token) and the refresh grant
   * (emulator/src/oauth.ts).
   */
  private async tokenEndpoint(request: Request, shop: string): Promise<Response> {
    const body = (await request.json().catch(() => null)) as Record<string, string> | null;
    const json = (b: unknown, status = 200) => Response.json(b, { status });
    if (!body || body.client_id !== this.options.apiKey || body.client_secret !== this.options.apiSecret) {
      return json({ error: "invalid_client", error_description: "Client authentication failed" }, 401);
    }
    if (body.grant_type === "refresh_token") {
      // https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens
      if (!this.store.getShop(shop)) return json({ error: "invalid_grant", error_description: "Unknown shop" }, 400);
      const outcome = refreshExpiringToken(this.store, shop, String(body.refresh_token ?? ""), this.grantedScope(shop));
      this.tokenRequests.push({ shop, grant: "refresh_token", ok: outcome.ok, at: this.store.now() });
      if (!outcome.ok) return json({ error: "invalid_grant", error_description: outcome.description }, 400);
      return json(outcome.pair);
    }
    if (body.grant_type !== "urn:ietf:params:oauth:grant-type:token-exchange") {
      return json({ error: "unsupported_grant_type" }, 400);
    }
    if (body.subject_token_type === "urn:shopify:params:oauth:token-type:offline-access-token") {
      // Migrating a non-expiring offline token (emulator/src/oauth.ts): only to an expiring offline token.
      if (body.requested_token_type !== "urn:shopify:params:oauth:token-type:offline-access-token" || String(body.expiring) !== "1") {
        return json({ error: "invalid_request", error_description: "An offline access token can only be exchanged for an expiring offline access token" }, 400);
      }
      const outcome = migrateNonExpiringToken(this.store, shop, String(body.subject_token ?? ""), this.grantedScope(shop));
      this.tokenRequests.push({ shop, grant: "migration", ok: outcome.ok, at: this.store.now() });
      if (!outcome.ok) return json({ error: "invalid_subject_token", error_description: outcome.description }, 400);
      return json(outcome.pair);
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
    this.tokenRequests.push({ shop, grant: "token_exchange", ok: true, at: this.store.now() });
    const scope = this.grantedScope(shop);
    if (body.requested_token_type === "urn:shopify:params:oauth:token-type:online-access-token") {
      return json({
        access_token: `shpua_${randomBytes(12).toString("hex")}`,
        scope,
        expires_in: 86_400,
        associated_user_scope: scope,
        associated_user: { id: Number(verified.claims.sub), first_name: "Demo", last_name: "Merchant", email: "merchant@example.com", account_owner: true, locale: "en", collaborator: false, email_verified: true },
      });
    }
    // `expiring: "1"` asks for an expiring offline token with a refresh token
    // (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/token-exchange,
    // "expiring" parameter; https://shopify.dev/changelog/offline-access-tokens-now-support-expiry-and-refresh).
    if (String(body.expiring) === "1") return json(issueExpiringPair(this.store, shop, scope));
    return json({ access_token: record.accessToken, scope });
  }

  /** Token endpoint calls so far (token exchange and refresh grant), oldest first. */
  readonly tokenRequests: { shop: string; grant: "token_exchange" | "refresh_token" | "migration"; ok: boolean; at: Date }[] = [];

  /**
   * An expiring offline token and its refresh token for `shop`, as token exchange with `expiring=1`
   * would hand out (for tests that seed the app's session directly).
   */
  issueExpiringToken(shop: string): ExpiringTokenPair {
    return issueExpiringPair(this.store, shop, this.grantedScope(shop));
  }

  /** Every scope the app declares in shopify.app.toml: `[access_scopes] scopes` and `optional_scopes`. */
  declaredScopes(): string[] {
    return [...(this.config.requiredScopes ?? []), ...(this.config.optionalScopes ?? [])];
  }

  /** The shop's grant (emulator/src/oauth.ts, grantedScopes), as the token endpoint writes it. */
  grantedScope(shop: string): string {
    const record = this.store.getShop(shop);
    return record ? grantedScopes(record, this.declaredScopes()).join(",") : "";
  }

  /** Would the Admin API accept `token` for `shop` now (the non-expiring token or an unexpired expiring one)? */
  acceptsToken(shop: string, token: string): boolean {
    return acceptsAccessToken(this.store, shop, token, { nonExpiring: !this.options.rejectNonExpiringTokens });
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
      // The shipping charged before its discount codes (the payload takes them off again).
      shipping: formatDecimal(orderShippingBeforeDiscounts(order)),
      taxesIncluded: order.taxesIncluded ?? false,
      tax: formatDecimal(order.totalTax ?? 0),
      shippingTax: formatDecimal(order.shippingTax ?? 0),
      ...(order.taxRate !== undefined ? { taxRate: order.taxRate } : {}),
      currency: order.currencyCode,
      test: order.test,
      sourceName: order.sourceName,
      gatewayNames: order.paymentGatewayNames,
      paidWithGiftCard: order.giftCardPayments.length > 0,
      createdAt: order.createdAt,
      // The order as the store keeps it now: its cancellation (REST `cancel_reason` is the
      // OrderCancelReason in lower case) and its refunds, which the body's `refunds`, current_* totals
      // and financial_status reflect (order-payload.ts).
      cancelledAt: order.cancelledAt ?? null,
      cancelReason: order.cancelReason ? order.cancelReason.toLowerCase() : null,
      refunds: (order.refunds ?? []).map((refund) => emulatedRefund(order, refund)),
      redactPersonalData: this.store.getShop(order.shop)?.customerPersonalData === "redacted",
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
   * The merchant refunds part of a recorded order (line amount after discounts — tax included when
   * the shop's prices include it — and optionally shipping, priced the same way) → refunds/create,
   * with the REST Refund resource as payload (emulator/src/order-payload.ts); the refund line carries
   * its share of the line's tax, the refunded shipping its share of the shipping's tax. The store
   * keeps the refund on its order (EmulatorStore.refundOrder: what is left to refund, saved with the
   * demo's state, read by Order.refunds and the current* totals).
   * The refund's id is derived from the order and `seq`, so a test can refund the same order twice;
   * the same `seq` again is the same refund, its webhook sent again.
   *
   * @example
   * await emulator.refundOrder("my-shop.myshopify.com", order.id, { amount: "40.00" });
   */
  async refundOrder(shop: string, orderId: string, input: { amount: string; shipping?: string; seq?: number }, webhook: WebhookSendOptions = {}) {
    const { order, refund } = this.store.refundOrder(shop, orderId, { amount: toCents(input.amount), shipping: toCents(input.shipping ?? "0"), seq: input.seq ?? 1 });
    return this.sendWebhook("refunds/create", shop, this.refundWebhookBody(order, refund), webhook);
  }

  /** The refunds/create body for a refund the store keeps on `order` (the REST Refund resource). */
  refundWebhookBody(order: OrderRecord, refund: RefundRecord): string {
    return serializeWebhookJson(buildRefundPayload({ ...emulatedRefund(order, refund), orderId: order.legacyId, currency: order.currencyCode }));
  }

  /**
   * The merchant cancels a recorded order (orderCancel, https://shopify.dev/docs/api/admin-graphql/latest/mutations/orderCancel)
   * → orders/cancelled, the order payload with `cancelled_at` and `cancel_reason` set. The store keeps
   * the cancellation (Order.cancelledAt, cancelReason, closed; EmulatorStore.cancelOrder), so a second
   * cancel is refused ("The order hasn't already been cancelled" is a condition of orderCancel) and
   * later webhooks of the order say it is cancelled.
   * `refund: true` ("Indicates whether to refund the amount paid by the customer", orderCancel's
   * `refund`; default false, as that argument's absence) first refunds everything the order's refunds
   * have not (its line and shipping) with a refunds/create of its own — the order then says REFUNDED
   * — and is refused, nothing changed, when the order is already cancelled.
   *
   * @example
   * const { refund, webhook } = await emulator.cancelOrder("my-shop.myshopify.com", order.id, {}, { reason: "FRAUD", refund: true });
   */
  async cancelOrder(shop: string, orderId: string, webhook: WebhookSendOptions = {}, options: { reason?: OrderCancelReason; refund?: boolean } = {}) {
    const found = this.store.getOrder(shop, orderId);
    if (!found) throw new Error(`no order ${orderId} in ${shop}`);
    if (found.cancelledAt) throw new StoreError(`order ${found.name} has already been cancelled`);
    let refund: SentWebhook | null = null;
    if (options.refund) {
      const taken = orderRefunded(found);
      const lines = orderLineNet(found) - taken.lines;
      const shipping = found.shipping - taken.shipping;
      if (lines > 0 || shipping > 0) {
        const seq = Math.max(0, ...(found.refunds ?? []).map((r) => r.seq)) + 1;
        const made = this.store.refundOrder(shop, orderId, { amount: lines, shipping, seq });
        refund = await this.sendWebhook("refunds/create", shop, this.refundWebhookBody(made.order, made.refund), webhook);
      }
    }
    const order = this.store.cancelOrder(shop, orderId, { reason: options.reason ?? "CUSTOMER" });
    const sent = await this.sendWebhook("orders/cancelled", shop, this.orderWebhookBody(order), webhook);
    return Object.assign(sent, { refund });
  }

  /**
   * A customer is created in the shop → customers/create (the REST Customer resource). By default they
   * signed up (`state` "enabled"); `seed.state: "disabled"` is the customer Shopify creates for a guest
   * checkout or an import, "invited" one the merchant sent an account invite.
   */
  async createCustomer(shop: string, seed: CustomerSeed = {}, webhook: WebhookSendOptions = {}) {
    const customer = this.store.addCustomer(shop, seed);
    return { customer, webhook: await this.sendWebhook("customers/create", shop, this.customerWebhookBody(shop, customer), webhook) };
  }

  /**
   * The customer's account changes state → customers/update ("Occurs whenever a customer is updated",
   * https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-customers/update), the REST
   * Customer resource with the new `state` and `updated_at`: "enabled" when the customer activates an
   * account (accepts the invite, or signs up with the email of a guest checkout), "invited" when the
   * merchant sends an invite, "disabled" when the merchant disables the account.
   *
   * @example
   * const { customer } = await emulator.createCustomer(shop, { state: "disabled" }); // a guest checkout
   * await emulator.setCustomerState(shop, customer.id, "enabled"); // they create an account later
   */
  async setCustomerState(shop: string, customerId: string, state: CustomerAccountState, webhook: WebhookSendOptions = {}) {
    const customer = this.store.setCustomerState(shop, customerId, state);
    if (!customer) throw new Error(`no customer ${customerId} in ${shop}`);
    return { customer, webhook: await this.sendWebhook("customers/update", shop, this.customerWebhookBody(shop, customer), webhook) };
  }

  /** The customers/create or customers/update body of a customer the store keeps (the REST Customer resource). */
  customerWebhookBody(shop: string, customer: CustomerRecord): string {
    const payload = buildCustomerPayload({
      id: customer.id,
      email: customer.email,
      first_name: customer.firstName,
      last_name: customer.lastName,
      phone: customer.phone,
      createdAt: customer.createdAt,
      updatedAt: customer.updatedAt,
      state: customerAccountState(customer),
    });
    // Protected customer data: a shop whose customer fields the app may not read gets them withheld here too.
    return serializeWebhookJson(this.store.getShop(shop)?.customerPersonalData === "redacted" ? redactCustomerPayload(payload) : payload);
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
   * The uninstall also ends the grant of optional scopes: "The granted scopes remain active until the
   * merchant uninstalls the app or revokes them" (AccessScope,
   * https://shopify.dev/docs/api/admin-graphql/2026-10/objects/AccessScope). What is left is what an
   * install grants (installGrant, emulator/src/oauth.ts: the required scopes), so after `reinstall`
   * token exchange's `scope` and `currentAppInstallation.accessScopes` name the required scopes only,
   * and gift card or store credit calls are ACCESS_DENIED until the app requests the optional scopes
   * again (requestScopes). No app/scopes_update is sent for it: Shopify documents that topic for a
   * change to "the granted access scopes for the installed app"
   * (https://shopify.dev/changelog/new-webhook-topic-app-scopes_update), not for an uninstall or a
   * reinstall — app/uninstalled is what the app hears.
   *
   * @example
   * await emulator.uninstall("my-shop.myshopify.com");
   */
  async uninstall(shop: string, webhook: WebhookSendOptions = {}) {
    const record = this.store.getShop(shop);
    if (!record) throw new Error(`unknown shop ${shop}`);
    this.store.updateShop(shop, {
      accessToken: `revoked_${randomBytes(8).toString("hex")}`,
      uninstalledAt: this.store.now(),
      scopes: installGrant(record, this.config),
    });
    revokeExpiringTokens(this.store, shop);
    const body = serializeWebhookJson(
      buildShopPayload({ domain: shop, name: record.name, email: record.email, currency: record.currencyCode, planDisplayName: record.planDisplayName }),
    );
    return this.sendWebhook("app/uninstalled", shop, body, webhook);
  }

  /**
   * The merchant changes the shop's currency (Settings → Store details → Store currency): the Admin
   * API's `Shop.currencyCode` answers the new code at once, and Shopify sends shop/update ("Occurs
   * whenever a shop is updated": https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-shop/update)
   * with the REST Shop resource, its `currency` the new code and `updated_at` the change's time
   * (https://shopify.dev/docs/api/admin-rest/latest/resources/shop). `deliver: false` keeps the signed
   * webhook for the test to deliver late (or twice, or out of order).
   *
   * @example
   * await emulator.changeShopCurrency("my-shop.myshopify.com", "EUR");
   */
  async changeShopCurrency(shop: string, currencyCode: string, webhook: WebhookSendOptions = {}) {
    const record = this.store.getShop(shop);
    if (!record) throw new Error(`unknown shop ${shop}`);
    this.store.updateShop(shop, { currencyCode });
    const body = serializeWebhookJson(
      buildShopPayload({ domain: shop, name: record.name, email: record.email, currency: currencyCode, planDisplayName: record.planDisplayName, updatedAt: this.store.now() }),
    );
    return this.sendWebhook("shop/update", shop, body, webhook);
  }

  /**
   * The merchant installs the app again: Shopify grants a new offline access token, which the app
   * gets through token exchange when the embedded app next loads
   * (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/token-exchange).
   * The install grants the required scopes only (the optional ones ended with the uninstall — see
   * `uninstall`; installGrant): the app must request them again. No app/scopes_update is sent (not
   * documented for an install). Called on a shop that was not uninstalled it only hands out a new
   * token and keeps the grant.
   */
  reinstall(shop: string): ShopRecord {
    const record = this.store.getShop(shop);
    if (!record) throw new Error(`unknown shop ${shop}`);
    revokeExpiringTokens(this.store, shop);
    // Uninstalled: the grant is the install's (already so after `uninstall`; also for a shop restored
    // from a snapshot written by an emulator that kept the optional scopes over an uninstall).
    const grant = record.uninstalledAt ? { scopes: installGrant(record, this.config) } : {};
    return this.store.updateShop(shop, { accessToken: `shpat_${randomBytes(16).toString("hex")}`, accessTokenMigratedAt: null, uninstalledAt: null, ...grant });
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
    this.store.updateShop(shop, { accessToken: `shpat_${randomBytes(16).toString("hex")}`, accessTokenMigratedAt: null });
    revokeExpiringTokens(this.store, shop);
    return revoked;
  }

  /**
   * The merchant answers the app's request for optional scopes (App Bridge `shopify.scopes.request`,
   * https://shopify.dev/docs/api/app-bridge-library/apis/scopes). Only scopes the app declared in
   * `[access_scopes] optional_scopes` can be requested; approving adds them to the shop's grant and
   * Shopify sends app/scopes_update with the previous and current scopes
   * (https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-app/scopes_update; payload
   * keys `id`, `previous`, `current`, `updated_at`, and `shop_id` since 2025-07:
   * https://shopify.dev/changelog/add-shopid-to-appscopesupdate-webhook-payload).
   */
  async requestScopes(shop: string, scopes: string[], options: { approve?: boolean; webhook?: WebhookSendOptions } = {}) {
    const record = this.store.getShop(shop);
    if (!record) throw new Error(`unknown shop ${shop}`);
    const optional = this.config.optionalScopes ?? [];
    const undeclared = scopes.filter((s) => !optional.includes(s));
    if (undeclared.length > 0) throw new Error(`scopes not declared in optional_scopes: ${undeclared.join(", ")}`);
    const previous = grantedScopes(record, this.declaredScopes());
    if (options.approve === false) {
      return { result: "declined-all" as const, detail: { granted: [] as string[], declined: scopes }, webhook: null };
    }
    const current = [...new Set([...previous, ...scopes])];
    this.store.updateShop(shop, { scopes: current });
    const granted = scopes;
    const changed = current.length !== previous.length;
    const webhook =
      changed && this.config.webhookUris["app/scopes_update"]
        ? await this.sendWebhook(
            "app/scopes_update",
            shop,
            serializeWebhookJson({ id: Number(this.shopNumericId(shop)), previous, current, updated_at: this.store.now().toISOString(), shop_id: Number(this.shopNumericId(shop)) }),
            options.webhook,
          )
        : null;
    return { result: "granted-all" as const, detail: { granted, declined: [] as string[] }, webhook };
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
    if (adminPath === "/admin/oauth/access_token" && request.method === "POST") return this.tokenEndpoint(request, shop);
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

/** A refund the store keeps, described for order-payload.ts (refunds/create and an order body's `refunds`). */
function emulatedRefund(order: OrderRecord, refund: RefundRecord) {
  return {
    id: refund.legacyId,
    amount: formatDecimal(refund.amount),
    tax: formatDecimal(refund.tax),
    taxesIncluded: order.taxesIncluded ?? false,
    // Paid back through the order's own payment: a test order's refund is a test on its gateway.
    gateway: refundGateway(order),
    test: order.test,
    shipping: formatDecimal(refund.shipping),
    shippingTax: formatDecimal(refund.shippingTax),
    createdAt: refund.createdAt,
  };
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
