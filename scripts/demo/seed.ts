// Demo data: a shop in the emulator and the same shop in the app's database, with customers,
// redemption options, and rewards in all five statuses (each consistent with what exists in the
// emulated Shopify: Issued/Used/Canceled rewards have their discount there, Used ones an order).
import type { PrismaClient } from "@prisma/client";
import type { ShopifyEmulator } from "@loyalty/shopify-emulator";
import { generateCode, codeKey } from "../../app/domain/rewards/codes";
import { formatMilli, parseMilli, pointsForAmount } from "../../app/domain/points/earning";
import { generateReferralCode } from "../../app/domain/referrals/codes";
import { changeReasonText, enteredTiers, entryRewardKey, tierIndexFor } from "../../app/domain/vip";

/**
 * The demo's VIP tiers (docs/decisions/022): by amount spent, lifetime. Every customer's tier and
 * every seeded "VIP tier entry" reward follow from the orders the seed places (ordersOf), so Grace
 * ($177) is one order away from Silver: a demo order of $130 or more moves her up and her entry
 * reward appears Pending, then Issued.
 */
const VIP_TIERS = [
  { name: "Silver", threshold: "300", multiplier: "1", perk: "A free-shipping code when you join", template: { name: "Silver tier welcome: free shipping", kind: "FREE_SHIPPING", value: "0", expiryDays: 30, codePrefix: "SILVER" } },
  { name: "Gold", threshold: "450", multiplier: "1.5", perk: "1.5× points on every order", template: { name: "Gold tier welcome: 15% off", kind: "PERCENTAGE", value: "15", expiryDays: 30, codePrefix: "GOLD" } },
] as const;

/** The subtotals of the orders the seed places for customer `i` (the first one is the big spender). */
function ordersOf(i: number): string[] {
  return i === 0 ? ["250.00", "190.00", "200.00"] : Array.from({ length: 1 + (i % 3) }, (_, k) => `${40 + ((i * 37 + k * 23) % 160)}.${String((i * 7) % 100).padStart(2, "0")}`);
}

/** The tier moves customer `i`'s orders make, in order: after which order, from and to which tier index. */
function tierMoves(i: number): { afterOrder: number; from: number; to: number }[] {
  const rules = VIP_TIERS.map((t) => ({ id: t.name, name: t.name, threshold: parseMilli(t.threshold)! }));
  const moves: { afterOrder: number; from: number; to: number }[] = [];
  let spent = 0n;
  let held = -1;
  for (const [k, subtotal] of ordersOf(i).entries()) {
    spent += parseMilli(subtotal)!;
    const reached = tierIndexFor(rules, spent);
    if (reached > held) moves.push({ afterOrder: k, from: held, to: reached });
    held = Math.max(held, reached);
  }
  return moves;
}

export const DEMO_SHOP = "demo-loyalty.myshopify.com";

const FIRST = ["Ada", "Grace", "Alan", "Katherine", "Edsger", "Barbara", "Donald", "Margaret", "Linus", "Radia", "Ken", "Frances", "Dennis", "Hedy", "Tim", "Shafi", "Leslie", "Sophie", "Guido", "Anita"];
const LAST = ["Lovelace", "Hopper", "Turing", "Johnson", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Torvalds", "Perlman", "Thompson", "Allen", "Ritchie", "Lamarr", "Berners-Lee", "Goldwasser", "Lamport", "Wilson", "van Rossum", "Borg"];

interface Seeded {
  shop: string;
  accessToken: string;
  customers: number;
  rewards: number;
}

export async function seedDemo(db: PrismaClient, emulator: ShopifyEmulator, options: { shop?: string; now?: Date } = {}): Promise<Seeded> {
  const shop = options.shop ?? DEMO_SHOP;
  const now = options.now ?? new Date();
  const day = 86_400_000;
  const shopRecord =
    emulator.store.getShop(shop) ??
    emulator.addShop({ domain: shop, name: "Demo Loyalty Store", planDisplayName: "Shopify Plus", giftCards: true, currencyCode: "USD", ianaTimezone: "UTC" });

  // What token exchange would store on the merchant's first visit; stored now so the worker can
  // generate asynchronous rewards before anyone opens the admin.
  await db.session.upsert({
    where: { id: `offline_${shop}` },
    create: { id: `offline_${shop}`, shop, state: "", isOnline: false, scope: process.env.SCOPES ?? "", accessToken: shopRecord.accessToken },
    update: { accessToken: shopRecord.accessToken },
  });
  await db.shop.upsert({ where: { domain: shop }, create: { domain: shop, currency: "USD" }, update: { uninstalledAt: null } });
  // The points program, turned on: 10 points per dollar, birthday and sign-up bonuses.
  await db.programSettings.upsert({
    where: { shop },
    create: { shop, enabled: true, pointsPerCurrencyUnit: "10", signupBonus: 100, birthdayBonus: 200 },
    update: {},
  });

  const templates = [
    { name: "$5 off your order", kind: "FIXED_AMOUNT", value: "5.00", pointsCost: 500, codePrefix: "LOYAL5" },
    { name: "15% off your order", kind: "PERCENTAGE", value: "15", pointsCost: 1200, codePrefix: "LOYAL15" },
    { name: "Free shipping", kind: "FREE_SHIPPING", value: "0", pointsCost: 300, codePrefix: "SHIP" },
    { name: "$10 gift card", kind: "GIFT_CARD", value: "10.00", pointsCost: 1500, codePrefix: "" },
  ];
  const existing = await db.rewardTemplate.count({ where: { shop } });
  if (existing === 0) {
    for (const t of templates) {
      await db.rewardTemplate.create({ data: { shop, purpose: "POINTS_REDEMPTION", expiryDays: 90, combinesWithShipping: true, ...t } });
    }
    await db.rewardTemplate.create({
      data: { shop, purpose: "REFERRAL", name: "Referral: $10 off", kind: "FIXED_AMOUNT", value: "10.00", expiryDays: 60, codePrefix: "FRIEND" },
    });
  }
  // VIP tiers, each with its entry reward (a VIP_TIER_ENTRY template).
  const tierIds: Record<string, string> = {};
  for (const t of VIP_TIERS) {
    const template =
      (await db.rewardTemplate.findFirst({ where: { shop, purpose: "VIP_TIER_ENTRY", name: t.template.name } })) ??
      (await db.rewardTemplate.create({ data: { shop, purpose: "VIP_TIER_ENTRY", ...t.template } }));
    const tier = await db.vipTier.upsert({
      where: { shop_name: { shop, name: t.name } },
      create: { shop, name: t.name, threshold: t.threshold, pointsMultiplier: t.multiplier, perkText: t.perk, entryRewardTemplateId: template.id },
      update: {},
    });
    tierIds[t.name] = tier.id;
  }
  await db.vipProgram.upsert({
    where: { shop },
    create: { shop, enabled: true, basis: "AMOUNT_SPENT", period: "LIFETIME", skippedTierRewards: "ALL", lastPeriodKey: "lifetime" },
    update: {},
  });

  // Customers, in the emulated shop and in the program.
  const customers: { id: string; gid: string; name: string; email: string }[] = [];
  for (let i = 0; i < FIRST.length; i++) {
    const email = `${FIRST[i].toLowerCase()}.${LAST[i].toLowerCase().replace(/[^a-z]/g, "")}@example.com`;
    const shopifyCustomer =
      emulator.store.listCustomers(shop).find((c) => c.email === email) ??
      emulator.addCustomer(shop, { firstName: FIRST[i], lastName: LAST[i], email });
    const name = `${FIRST[i]} ${LAST[i]}`;
    const row = await db.customer.upsert({
      where: { shop_shopifyCustomerId: { shop, shopifyCustomerId: shopifyCustomer.id } },
      create: {
        shop,
        shopifyCustomerId: shopifyCustomer.id,
        displayName: name,
        email,
        // No balance without history: points come from the ledger rows written below.
        pointsBalance: 0,
        ...(() => {
          const last = tierMoves(i).at(-1);
          const tier = last ? VIP_TIERS[last.to] : null;
          return { vipTier: tier?.name ?? null, vipTierId: tier ? tierIds[tier.name] : null, vipTierSince: tier ? new Date(now.getTime() - (60 - last!.afterOrder * 3 - i) * day) : null };
        })(),
        lastActivityAt: new Date(now.getTime() - i * day),
        // In the program a day before their first order (seedLedger places it (60 - i) days ago).
        createdAt: new Date(now.getTime() - (61 - i) * day),
      },
      update: {},
    });
    customers.push({ id: row.id, gid: shopifyCustomer.id, name, email });
  }

  if ((await db.reward.count({ where: { shop } })) > 0) {
    return { shop, accessToken: shopRecord.accessToken, customers: customers.length, rewards: await db.reward.count({ where: { shop } }) };
  }

  // Rewards for the first customer across all statuses (enough rows to page through), and a few
  // for others. Each one is consistent with the emulated shop.
  const plan: { status: string; kind: string; source: string; customer: number; tier?: string; reissueOf?: number }[] = [];
  const cycle = ["ISSUED", "USED", "CANCELED", "FAILED", "ISSUED", "USED", "PENDING"];
  // A points redemption is synchronous (created in Shopify before it is saved): it is never Pending
  // or Failed. Those two states belong to the asynchronous sources, so they are given one here.
  for (let i = 0; i < 24; i++) {
    const status = cycle[i % cycle.length];
    const async = status === "PENDING" || status === "FAILED";
    plan.push({ status, kind: ["FIXED_AMOUNT", "PERCENTAGE", "FREE_SHIPPING"][i % 3], source: async ? "MANUAL" : i % 4 === 0 ? "REFERRAL" : i % 5 === 0 ? "VIP_TIER_ENTRY" : "POINTS_REDEMPTION", customer: 0 });
  }
  // Ada's VIP entry rewards follow her tier moves: Silver's (free shipping, used), Gold's (failed),
  // and its replacement issued again by the merchant (used).
  Object.assign(plan[5]!, { tier: "Silver", kind: "FREE_SHIPPING" });
  Object.assign(plan[10]!, { tier: "Gold", kind: "PERCENTAGE", source: "VIP_TIER_ENTRY" });
  Object.assign(plan[15]!, { tier: "Gold", kind: "PERCENTAGE", reissueOf: 10 });
  for (let c = 1; c < 6; c++) plan.push({ status: c % 2 ? "ISSUED" : "USED", kind: "FIXED_AMOUNT", source: "POINTS_REDEMPTION", customer: c });
  // Alan's Silver entry reward failed (the merchant can issue it again from his profile).
  plan.push({ status: "FAILED", kind: "FREE_SHIPPING", source: "VIP_TIER_ENTRY", customer: 2, tier: "Silver" });
  // Every other tier holder's entry rewards (one per tier entered), Issued.
  for (let c = 1; c < customers.length; c++) {
    for (const move of tierMoves(c)) {
      for (const t of enteredTiers(VIP_TIERS.map((x) => ({ id: x.name, name: x.name, threshold: parseMilli(x.threshold)! })), move.from, move.to, "ALL")) {
        if (plan.some((p) => p.customer === c && p.tier === t.name)) continue;
        plan.push({ status: "ISSUED", kind: VIP_TIERS.find((x) => x.name === t.name)!.template.kind, source: "VIP_TIER_ENTRY", customer: c, tier: t.name });
      }
    }
  }
  const planIds: string[] = [];

  let n = 0;
  for (const item of plan) {
    n++;
    const customer = customers[item.customer];
    const createdAt = new Date(now.getTime() - (plan.length - n) * 3_600_000 * 7);
    const value = item.kind === "PERCENTAGE" ? "15" : item.kind === "FREE_SHIPPING" ? "0" : "5.00";
    const title = item.kind === "PERCENTAGE" ? "15% off your order" : item.kind === "FREE_SHIPPING" ? "Free shipping" : item.kind === "GIFT_CARD" ? "$10 gift card" : "$5 off your order";
    const code = generateCode({ prefix: item.kind === "FREE_SHIPPING" ? "SHIP" : "LOYAL" });
    const reward = await db.reward.create({
      data: {
        shop,
        customerId: customer.id,
        customerGid: customer.gid,
        customerName: customer.name,
        customerEmail: customer.email,
        source: item.source,
        kind: item.kind,
        value: item.kind === "GIFT_CARD" ? "10.00" : value,
        currency: "USD",
        title,
        code,
        codeKey: codeKey(code),
        status: "PENDING",
        pointsSpent: item.source === "POINTS_REDEMPTION" ? 500 : 0,
        // The keys the app itself uses (app/services/vip/tiers.server.ts, issue-async reissueKey).
        idempotencyKey: item.reissueOf !== undefined ? `reissue:${planIds[item.reissueOf]}` : item.tier ? entryRewardKey(customer.id, tierIds[item.tier]!, "lifetime") : null,
        expiresAt: new Date(createdAt.getTime() + 90 * day),
        createdAt,
      },
    });
    planIds.push(reward.id);
    await db.rewardEvent.create({
      data: {
        rewardId: reward.id,
        shop,
        type: "CREATED",
        toStatus: "PENDING",
        actor: item.source === "POINTS_REDEMPTION" ? "CUSTOMER" : item.reissueOf !== undefined || item.source === "MANUAL" ? "MERCHANT" : "SYSTEM",
        reason: item.tier && item.reissueOf === undefined ? `Entered the VIP tier ${item.tier}` : item.source === "MANUAL" ? "Issued by the merchant" : "seeded for the demo",
        createdAt,
      },
    });
    const at = (minutes: number) => new Date(createdAt.getTime() + minutes * 60_000);
    const event = (data: { type: string; fromStatus?: string; toStatus?: string; actor: string; reason?: string; shopifyError?: string; createdAt: Date }) =>
      db.rewardEvent.create({ data: { rewardId: reward.id, shop, ...data } });

    if (item.status === "PENDING") {
      await db.reward.update({ where: { id: reward.id }, data: { attempts: 1, nextAttemptAt: new Date(now.getTime() + 3_600_000), failureCode: "throttled" } });
      await event({ type: "ATTEMPT_FAILED", actor: "WORKER", reason: "throttled", shopifyError: JSON.stringify([{ message: "Throttled", extensions: { code: "THROTTLED" } }]), createdAt: at(1) });
      continue;
    }
    if (item.status === "FAILED") {
      // True of this shop: gift cards work here, so a gift card fails only for want of the optional scope.
      const reason = item.kind === "GIFT_CARD" ? "scope_not_granted" : "invalid_reward_settings";
      await db.reward.update({ where: { id: reward.id }, data: { status: "FAILED", attempts: 1, failureCode: reason } });
      await event({
        type: "STATUS_CHANGED",
        fromStatus: "PENDING",
        toStatus: "FAILED",
        actor: "WORKER",
        reason,
        shopifyError: JSON.stringify([{ field: ["basicCodeDiscount", "customerGets"], code: "INVALID", message: "Value is invalid" }]),
        createdAt: at(2),
      });
      continue;
    }
    const discount = emulator.store.createCodeDiscount(shop, {
      kind: item.kind === "FREE_SHIPPING" ? "free_shipping" : "basic",
      title,
      codes: [code],
      startsAt: createdAt,
      endsAt: new Date(createdAt.getTime() + 90 * day),
      usageLimit: 1,
      appliesOncePerCustomer: true,
      context: { kind: "customers", customerIds: [customer.gid] },
      customerGets:
        item.kind === "FREE_SHIPPING"
          ? null
          : {
              value: item.kind === "PERCENTAGE" ? { kind: "percentage", percentage: 0.15 } : { kind: "amount", amount: 500, appliesOnEachItem: false },
              items: { kind: "all" },
              appliesOnOneTimePurchase: true,
              appliesOnSubscription: false,
            },
      freeShipping: item.kind === "FREE_SHIPPING" ? { destination: { kind: "all" }, maximumShippingPrice: null, appliesOnOneTimePurchase: true, appliesOnSubscription: false } : null,
      tags: [`loyalty-reward:${reward.id}`],
    });
    await db.reward.update({ where: { id: reward.id }, data: { status: "ISSUED", shopifyId: discount.id, issuedAt: at(1), attempts: 1 } });
    await event({ type: "STATUS_CHANGED", fromStatus: "PENDING", toStatus: "ISSUED", actor: item.source === "POINTS_REDEMPTION" ? "CUSTOMER" : "WORKER", createdAt: at(1) });
    if (item.status === "USED") {
      const order = emulator.store.placeOrder(shop, { customerId: customer.gid, codes: [code], subtotal: "60.00" });
      await db.reward.update({ where: { id: reward.id }, data: { status: "USED", usedAt: at(600), usedOrderGid: order.id, usedOrderName: order.name } });
      await event({ type: "STATUS_CHANGED", fromStatus: "ISSUED", toStatus: "USED", actor: "WEBHOOK", reason: `used on order ${order.name}`, createdAt: at(600) });
    } else if (item.status === "CANCELED") {
      emulator.store.deactivateDiscount(shop, discount.id);
      await db.reward.update({ where: { id: reward.id }, data: { status: "CANCELED", canceledAt: at(300) } });
      await event({ type: "STATUS_CHANGED", fromStatus: "ISSUED", toStatus: "CANCELED", actor: "MERCHANT", reason: "canceled by the merchant", createdAt: at(300) });
    }
  }
  await seedLedger(db, emulator, shop, customers, now, tierIds);
  await seedReferrals(db, shop, customers, now);
  return { shop, accessToken: shopRecord.accessToken, customers: customers.length, rewards: plan.length };
}

/**
 * Every customer's points come from real history, in order: orders placed in the emulated shop that
 * earned points (the program's rate), then what their points redemptions spent (and what a cancel
 * gave back). The rows and running balances follow the ledger's rules
 * (app/services/points/ledger.server.ts); the balance is their sum and never goes below zero.
 */
async function seedLedger(db: PrismaClient, emulator: ShopifyEmulator, shop: string, customers: { id: string; gid: string }[], now: Date, tierIds: Record<string, string>) {
  const day = 86_400_000;
  const rate = { pointsPerCurrencyUnit: "10", rounding: "DOWN" as const };
  type Entry = { at: Date; delta: number; reason: string; sourceKey: string; orderGid?: string; orderName?: string; amount?: string; rewardId?: string; note?: string };
  for (const [i, customer] of customers.entries()) {
    const entries: Entry[] = [];
    // The first customer (Ada) is the demo's big spender: $640 of orders earn 6 400 points, her eight
    // points redemptions above spent 4 000, leaving the 2 400 the demo walkthrough shows.
    const orders = ordersOf(i);
    const moves = tierMoves(i);
    for (const [k, subtotal] of orders.entries()) {
      const order = emulator.store.placeOrder(shop, { customerId: customer.gid, codes: [], subtotal, shippingPrice: "0.00" });
      const amount = parseMilli(subtotal)!;
      const at = new Date(now.getTime() - (60 - k * 3 - i) * day);
      entries.push({ at, delta: pointsForAmount(amount, rate), reason: "EARNED", sourceKey: `order:${order.id}:earned`, orderGid: order.id, orderName: order.name, amount: formatMilli(amount) });
      // VIP: the order counts towards "amount spent"; a tier it reached is a recorded move up.
      await db.vipOrder.create({ data: { shop, customerId: customer.id, orderGid: order.id, amount: formatMilli(amount), orderedAt: at } });
      for (const move of moves.filter((m) => m.afterOrder === k)) {
        const to = VIP_TIERS[move.to]!;
        const from = move.from >= 0 ? VIP_TIERS[move.from]! : null;
        const owed = VIP_TIERS.slice(move.from + 1, move.to + 1).map((t) => tierIds[t.name]!);
        await db.vipTierChange.create({
          data: {
            shop,
            customerId: customer.id,
            fromTierId: from ? tierIds[from.name]! : null,
            fromTierName: from?.name ?? null,
            toTierId: tierIds[to.name]!,
            toTierName: to.name,
            direction: "UP",
            reasonCode: "THRESHOLD_REACHED",
            reason: changeReasonText({ reason: "THRESHOLD_REACHED", direction: "UP", toTierName: to.name, basis: "AMOUNT_SPENT", period: "LIFETIME" }),
            periodKey: "lifetime",
            orderGid: order.id,
            rewardTierIds: JSON.stringify(owed),
            rewardsQueuedAt: at,
            createdAt: at,
          },
        });
      }
    }
    const rewards = await db.reward.findMany({ where: { shop, customerId: customer.id, source: "POINTS_REDEMPTION", status: { in: ["ISSUED", "USED", "CANCELED"] } } });
    for (const r of rewards) {
      entries.push({ at: r.createdAt, delta: -r.pointsSpent, reason: "REDEMPTION", sourceKey: `reward:${r.id}:redeemed`, rewardId: r.id, note: r.title });
      if (r.status === "CANCELED" && r.canceledAt) {
        entries.push({ at: r.canceledAt, delta: r.pointsSpent, reason: "REDEMPTION_REFUND", sourceKey: `reward:${r.id}:refunded`, rewardId: r.id, note: "Canceled by the merchant" });
      }
    }
    entries.sort((a, b) => a.at.getTime() - b.at.getTime());
    let balance = 0;
    for (const e of entries) {
      balance += e.delta;
      if (balance < 0) throw new Error(`demo seed: customer ${i} would go below zero`);
      await db.pointsTransaction.create({
        data: {
          shop,
          customerId: customer.id,
          delta: e.delta,
          balanceAfter: balance,
          reason: e.reason,
          actor: e.reason === "EARNED" ? "WEBHOOK" : e.reason === "REDEMPTION" ? "CUSTOMER" : "MERCHANT",
          sourceKey: e.sourceKey,
          orderGid: e.orderGid ?? null,
          orderName: e.orderName ?? null,
          amount: e.amount ?? null,
          rewardId: e.rewardId ?? null,
          note: e.note ?? null,
          createdAt: e.at,
        },
      });
    }
    await db.customer.update({ where: { id: customer.id }, data: { pointsBalance: balance } });
  }
}

/**
 * The referral program (docs/decisions/023): on, with the REFERRAL templates as the friend's and the
 * referrer's rewards. Ada's "Referral" rewards above each come from a real referral row — a friend
 * who followed her link, signed up and placed a qualifying order — keyed as the app keys them
 * (`referral:referrer:<referralId>`). Around them: a friend still in the waiting period, a click that
 * never signed up, and a self-referral rejected with its reason.
 */
async function seedReferrals(db: PrismaClient, shop: string, customers: { id: string; gid: string }[], now: Date) {
  const day = 86_400_000;
  const referrerTemplate = await db.rewardTemplate.findFirstOrThrow({ where: { shop, purpose: "REFERRAL" } });
  const friendTemplate = await db.rewardTemplate.create({
    data: { shop, purpose: "REFERRAL", name: "Referral: welcome 10% off", kind: "PERCENTAGE", value: "10", expiryDays: 30, codePrefix: "WELCOME" },
  });
  await db.referralSettings.upsert({
    where: { shop },
    create: { shop, enabled: true, friendTemplateId: friendTemplate.id, referrerTemplateId: referrerTemplate.id, minimumOrderAmount: "30", pendingDays: 14, monthlyCapPerReferrer: 10 },
    update: {},
  });
  const ada = customers[0];
  const code = await db.referralCode.create({ data: { shop, customerId: ada.id, code: generateReferralCode() } });
  const base = { shop, codeId: code.id, referrerCustomerId: ada.id };
  const rewards = await db.reward.findMany({ where: { shop, customerId: ada.id, source: "REFERRAL" }, orderBy: { createdAt: "asc" } });
  for (const [k, reward] of rewards.entries()) {
    const friend = customers[6 + k];
    const rewardedAt = reward.createdAt;
    // The friend followed the link the day before joining the program and qualified with their first
    // order; the referrer's reward came after the 14-day hold (an "already a customer" friend would
    // have been rejected, so the click never predates the friend).
    const firstOrder = await db.pointsTransaction.findFirst({ where: { customerId: friend.id, reason: "EARNED" }, orderBy: { createdAt: "asc" } });
    const joined = (await db.customer.findUniqueOrThrow({ where: { id: friend.id } })).createdAt;
    const qualifiedAt = firstOrder?.createdAt ?? new Date(rewardedAt.getTime() - 14 * day);
    const referral = await db.referral.create({
      data: {
        ...base,
        friendCustomerId: friend.id,
        visitorToken: `demo-visitor-${friend.id}`,
        state: "REWARDED",
        clickedAt: new Date(joined.getTime() - day),
        signedUpAt: joined,
        qualifiedAt,
        holdUntil: new Date(qualifiedAt.getTime() + 14 * day),
        rewardedAt,
        qualifyingOrderGid: firstOrder?.orderGid ?? null,
        referrerRewardId: reward.id,
      },
    });
    await db.reward.update({ where: { id: reward.id }, data: { idempotencyKey: `referral:referrer:${referral.id}` } });
  }
  const waiting = customers[6 + rewards.length];
  await db.referral.create({
    data: { ...base, friendCustomerId: waiting.id, state: "QUALIFIED", clickedAt: new Date(now.getTime() - 5 * day), signedUpAt: new Date(now.getTime() - 4 * day), qualifiedAt: new Date(now.getTime() - 2 * day), holdUntil: new Date(now.getTime() + 12 * day) },
  });
  await db.referral.create({ data: { ...base, visitorToken: "demo-visitor-clicked-only", clickedAt: new Date(now.getTime() - day) } });
  // Ada followed her own link and signed in: a self-referral, rejected with its reason.
  await db.referral.create({
    data: { ...base, friendCustomerId: ada.id, state: "REJECTED", rejectionReason: "self_referral_same_customer", clickedAt: new Date(now.getTime() - 10 * day), rejectedAt: new Date(now.getTime() - 10 * day) },
  });
}
