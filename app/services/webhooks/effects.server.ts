// The one registry of webhook effects, per topic. The pipeline (pipeline.server.ts) records a
// delivery; the worker's inbox (inbox.server.ts) applies it by running its topic's effects, in
// order, with one WebhookDeliveryContext. To make a topic do more (e.g. points earned on orders),
// add an effect here — or to ORDER_CREATED_EFFECTS for orders — the pipeline does not change.
// Every effect must be idempotent: a delivery can be applied again after a crash or a retry.
// Every topic also declares what its body must look like (bodies.ts): the HMAC does not cover the
// topic header, so a body that is not the topic's is dead-lettered before any effect runs.
import type { Db } from "~/db.server";
import { logger } from "~/logger.server";
import { handleCustomersDataRequest, handleCustomersRedact, handleShopRedact } from "~/services/compliance/privacy.server";
import { handleAppUninstalled } from "~/services/lifecycle/lifecycle.server";
import { grantedScopesOf, offlineTokenAccepted, offlineTokenAnswer, refreshShopFacts, shopUpdated } from "~/services/lifecycle/scopes.server";
import { handleOrderCreated, orderContext } from "~/services/orders/order-created.server";
import { carriedRefundsOfDelivery, orderAmountsProblem, refundFactsOfDelivery } from "~/domain/points";
import { awardSignupBonus, takeBackForCancel, takeBackForRefund } from "~/services/points/order-points.server";
import { keepRefundForItsOrder } from "~/services/points/waiting-refunds.server";
import { referralCancelEffect, referralRefundEffect } from "~/services/referrals/effects.server";
import { vipOrderCanceled, vipRefundCreated } from "~/services/vip/tiers.server";
import { handleDiscountDeleted, handleDiscountUpdated } from "~/services/reconcile/discounts.server";
import {
  canceledOrderBody,
  customerBody,
  customerRedactBody,
  customerUpdateBody,
  dataRequestBody,
  discountDeleteBody,
  discountUpdateBody,
  orderBody,
  refundBody,
  scopesUpdateBody,
  shopRedactBody,
  shopUpdateBody,
  uninstalledShopBody,
  type BodyShape,
} from "./bodies";
import type { WebhookDeliveryContext, WebhookTopic } from "./context";
import { effectDeps } from "./effect-deps.server";
import { UnappliableDelivery, WEBHOOK_RETRY_POLICY, type WebhookEffect, type WebhookEffects } from "./inbox.server";

/**
 * Why a refunds/create body is dead-lettered when readRefund cannot read it (app/domain/points/earning.ts),
 * with the field it names ("has a negative refund_line_items[1].subtotal_set") — ids and field names
 * only, as an unreadable order's reason (orderAmountsProblem).
 */
export const refundUnreadable = (problem: string) => `the refunds/create body is not a refund the app can read: it ${problem}; nothing was changed`;

/** What a dead-lettered orders/create whose amounts the app cannot read did and did not do (after the field named). */
export const ORDER_AMOUNTS_UNREADABLE = "its discount codes were applied, but it earned no points and counted nothing towards VIP amount spent";

/** What a dead-lettered orders/create carrying a refund the app cannot read did and did not do (after the field named). */
export const CARRIED_REFUND_UNREADABLE = "the order's other effects and its other refunds were applied, but that refund took nothing back";

/**
 * app/scopes_update: keep the stored offline session's scopes current. The body (`{ previous,
 * current }`) says what the scopes were when it was sent, but deliveries are not ordered
 * (docs/decisions/007): a grant and a later change can arrive the other way round, and the older
 * body would then overwrite the newer scopes. So the delivery is the signal and Shopify the source:
 * the scopes granted now are asked for (refreshShopFacts, as the admin does right after a
 * grant). A shop without an offline session (uninstalled) has nothing to keep current.
 */
export async function appScopesUpdated(db: Db, delivery: WebhookDeliveryContext): Promise<void> {
  if ((await grantedScopesOf(db, delivery.shop)) === null) return;
  const refreshed = await refreshShopFacts(await effectDeps(db), delivery.shop);
  if (!refreshed.ok) throw new Error(`the shop's granted scopes could not be read from Shopify: ${refreshed.error.message}`);
}

/** A topic: what its body must be, then what applying it does. */
interface TopicHandling {
  body: BodyShape;
  effects: readonly WebhookEffect[];
  /**
   * Its effects can write a customer's personal data: the inbox applies it under the erasure guard
   * (a body naming a customer that customers/redact erased is applied without their personal data,
   * and a redaction applied meanwhile by another worker is repeated after the batch:
   * guardAgainstErasures, app/services/compliance/privacy.server.ts; docs/decisions/015).
   */
  personalData?: true;
}

/** Every topic, its body's shape and its effects: no topic without both (the Record's keys). */
const TOPICS: Readonly<Record<WebhookTopic, TopicHandling>> = {
  "orders/create": {
    body: orderBody,
    personalData: true,
    effects: [
      (db, d) => handleOrderCreated(db, orderContext(d.shop, d.payload, d.receivedAt, d.rawPayload)),
      // Amounts it cannot read (a money set without a decimal, a negative one: orderAmountsProblem)
      // earn nothing and count nothing (orderEarningAmount), as a refund's do; like such a refund it
      // is then a dead letter with the field named — after its other effects, for a code it carries
      // was used whatever its amounts say (docs/decisions/019, fifth-session amendment).
      async (_db, d) => {
        const problem = orderAmountsProblem(d.payload);
        if (problem !== null) throw new UnappliableDelivery(`the orders/create body ${problem}: ${ORDER_AMOUNTS_UNREADABLE}`);
        // A refund the body carries that the app cannot read (carriedRefunds), named the same way.
        const refundProblem = carriedRefundsOfDelivery(d).problem;
        if (refundProblem !== null) throw new UnappliableDelivery(`the orders/create body ${refundProblem}: ${CARRIED_REFUND_UNREADABLE}`);
      },
    ],
  },
  // The points program (docs/decisions/019): refunds take a share back, a cancel all of it, a new
  // customer account gets the sign-up bonus. refunds/create's only link to its order is the numeric
  // `order_id`, read again from the raw body only when JSON.parse rounded it (beyond 2^53).
  "refunds/create": {
    body: refundBody,
    personalData: true,
    effects: [
      // The refund's facts are read once, from the body the inbox parsed (refundFactsOfDelivery), for
      // its three effects in this order: referrals first (docs/decisions/023), as the points effect
      // may wait for its order's orders/create; VIP "amount spent" last (the refunded share stops
      // counting; downgrades wait for the period end).
      async (db, d) => {
        const read = refundFactsOfDelivery(d);
        // Its ids conflict, its order is missing, or an amount is negative or no decimal (readRefund): nothing
        // can be taken back from it, and retrying changes nothing — dead-lettered naming the field, visible.
        if (read.problem !== null) throw new UnappliableDelivery(refundUnreadable(read.problem));
        const refund = read.facts;
        await referralRefundEffect(db, { shop: d.shop, refund });
        const points = await takeBackForRefund(db, { shop: d.shop, refund, receivedAt: d.receivedAt, lastAttempt: d.attempt >= WEBHOOK_RETRY_POLICY.maxAttempts, logger });
        const vip = await vipRefundCreated(db, { shop: d.shop, refund });
        // Its order is still unknown after the inbox's attempts (or the program is off): the refund is
        // kept for the order's orders/create, which applies it (app/services/points/waiting-refunds.server.ts).
        if (points === "nothing_earned" && vip === "not_counted") await keepRefundForItsOrder(db, { shop: d.shop, refund, receivedAt: d.receivedAt, logger });
      },
    ],
  },
  "orders/cancelled": {
    body: canceledOrderBody,
    personalData: true,
    effects: [
      async (db, d) => referralCancelEffect(db, { shop: d.shop, payload: d.payload }),
      async (db, d) => void (await takeBackForCancel(db, { shop: d.shop, payload: d.payload, receivedAt: d.receivedAt })),
      async (db, d) => void (await vipOrderCanceled(db, { shop: d.shop, payload: d.payload })),
    ],
  },
  // The sign-up bonus once the customer has an account (`state` "enabled"), on their customers/create or
  // on the customers/update of their account's activation, once per customer (awardSignupBonus). Both
  // can create the customer's row with their name and email: personal data, under the erasure guard.
  "customers/create": {
    body: customerBody,
    personalData: true,
    effects: [async (db, d) => void (await awardSignupBonus(db, { shop: d.shop, topic: "customers/create", payload: d.payload, receivedAt: d.receivedAt, logger }))],
  },
  "customers/update": {
    body: customerUpdateBody,
    personalData: true,
    effects: [async (db, d) => void (await awardSignupBonus(db, { shop: d.shop, topic: "customers/update", payload: d.payload, receivedAt: d.receivedAt, logger }))],
  },
  "discounts/update": { body: discountUpdateBody, effects: [async (db, d) => void (await handleDiscountUpdated(db, d.shop, d.payload, new Date()))] },
  "discounts/delete": { body: discountDeleteBody, effects: [async (db, d) => void (await handleDiscountDeleted(db, d.shop, d.payload, new Date()))] },
  // The shop's sessions go and its work stops — unless the delivery is older than a reinstall
  // (app/services/lifecycle/lifecycle.server.ts compares X-Shopify-Triggered-At with the session).
  "app/uninstalled": {
    body: uninstalledShopBody,
    effects: [async (db, d) => void (await handleAppUninstalled(db, d, { now: () => new Date(), logger, tokenStillWorks: async (shop) => offlineTokenAccepted(await effectDeps(db), shop) }))],
  },
  "app/scopes_update": { body: scopesUpdateBody, effects: [appScopesUpdated] },
  // The shop's currency as the body says it was at its updated_at (docs/decisions/015, "The shop's
  // currency stays current"): a shop that changes its currency is seen without a new token exchange.
  "shop/update": { body: shopUpdateBody, effects: [async (db, d) => void (await shopUpdated(db, d))] },
  "customers/data_request": { body: dataRequestBody, effects: [async (db, d) => void (await handleCustomersDataRequest(db, d))] },
  "customers/redact": { body: customerRedactBody, effects: [async (db, d) => void (await handleCustomersRedact(db, d))] },
  // Not while Shopify still accepts the app's token (an old body sent again after a reinstall):
  // the same one-call test as app/uninstalled (offlineTokenAnswer).
  "shop/redact": {
    body: shopRedactBody,
    effects: [
      async (db, d) =>
        void (await handleShopRedact(db, d, {
          tokenAnswer: async (shop) => offlineTokenAnswer(await effectDeps(db), shop),
          lastAttempt: d.attempt >= WEBHOOK_RETRY_POLICY.maxAttempts,
          logger,
        })),
    ],
  },
};

/** The body's shape as the topic's first effect: nothing else runs on a body that is not the topic's. */
function requireBody(topic: WebhookTopic, shape: BodyShape): WebhookEffect {
  return async (_db, delivery) => {
    const wrong = shape(delivery);
    if (wrong !== null) throw new UnappliableDelivery(`the ${topic} body ${wrong}: nothing was changed`);
  };
}

export const WEBHOOK_EFFECTS: WebhookEffects = Object.fromEntries(
  (Object.entries(TOPICS) as [WebhookTopic, TopicHandling][]).map(([topic, { body, effects }]) => [topic, [requireBody(topic, body), ...effects]]),
) as unknown as WebhookEffects;

/** The topics whose effects can write a customer's personal data (`personalData` above): applied under the erasure guard. */
export const PERSONAL_DATA_TOPICS: ReadonlySet<WebhookTopic> = new Set((Object.entries(TOPICS) as [WebhookTopic, TopicHandling][]).filter(([, t]) => t.personalData).map(([topic]) => topic));
