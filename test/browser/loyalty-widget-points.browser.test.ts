// GIVEN the app's production build, the Shopify emulator, and the local storefront that renders the
// theme app extension (app block) for a signed-in customer whose points come from ledger entries
// WHEN the customer opens the widget in Chromium
// THEN it speaks the merchant's points name ("stars"), shows the real earning rule while the program
// is on (and promises nothing while it is off), the points still pending with the day they become
// spendable, the day the points expire without activity, and a birthday form that explains an
// impossible date next to the fields (typed values kept), saves a real one, and then only shows it.
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_APP } from "../support/constants";
import { useShopifyEmulator } from "../support/shopify";
import { expectAccessible, screenshot, useStorefrontBrowser } from "../support/browser";
import db from "~/db.server";
import { addMonths } from "~/domain/points";
import { creditPoints } from "~/services/points/ledger.server";

const SHOP = TEST_APP.shop;
const { emulator } = useShopifyEmulator();

let customerId: string;
const earnedAt = new Date("2026-11-20T10:00:00Z");
const pendingUntil = new Date("2026-12-14T10:00:00Z");
const birthdayPosts: string[] = [];

const web = useStorefrontBrowser(emulator, {
  async setUp() {
    await db.shop.update({ where: { domain: SHOP }, data: { currency: "USD" } });
    await db.programSettings.create({
      data: { shop: SHOP, enabled: true, pointsNameSingular: "star", pointsNamePlural: "stars", pointsPerCurrencyUnit: "2", pendingDays: 14, expiryMonths: 12, birthdayBonus: 100 },
    });
    await db.rewardTemplate.create({ data: { shop: SHOP, purpose: "POINTS_REDEMPTION", name: "$5 off", kind: "FIXED_AMOUNT", value: "5", pointsCost: 500 } });

    const shopper = emulator.addCustomer(SHOP, { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" });
    customerId = (await db.customer.create({ data: { shop: SHOP, shopifyCustomerId: shopper.id, displayName: "Ada Lovelace", lastActivityAt: earnedAt } })).id;
    // The balance comes from the ledger: one spendable entry and one still pending.
    const order = (n: number) => ({ shop: SHOP, customerId, reason: "EARNED" as const, actor: "WEBHOOK" as const, orderGid: `gid://shopify/Order/${n}`, orderName: `#${n}`, now: earnedAt });
    await creditPoints(db, { ...order(1001), sourceKey: "order:gid://shopify/Order/1001:earned", points: 1200 });
    await creditPoints(db, { ...order(1002), sourceKey: "order:gid://shopify/Order/1002:earned", points: 120, availableAt: pendingUntil });
    return { customerId: shopper.legacyId };
  },
});
const pageErrors = web.problems;

beforeAll(() => {
  web.page.on("request", (request) => {
    if (request.url().includes("/apps/loyalty/birthday")) birthdayPosts.push(request.postData() ?? "");
  });
});

const inline = () => web.page.locator('[data-lr-mode="inline"]');
const medium = (d: Date) => new Intl.DateTimeFormat("en", { dateStyle: "medium" }).format(d);

async function openAccount(prefix = "") {
  await web.page.goto(`${web.storefront.url}${prefix}/account`);
  await inline().locator("[data-lr-balance], [data-lr-option]").first().waitFor();
}

describe("storefront widget: the points program (Chromium)", () => {
  it("GIVEN the program is on THEN the widget uses the merchant's name, the real earning rule, pending points and the expiry date", async () => {
    await openAccount();
    expect(await inline().locator("[data-lr-balance]").textContent()).toBe("1,200 stars");
    const text = await inline().locator("[data-lr-body]").textContent();
    expect(text).toContain("Your stars");
    expect(text).toContain("Redeem your stars");
    expect(text).not.toMatch(/\bpoints?\b/);
    expect(await inline().locator("[data-lr-earn]").textContent()).toBe("Earn 2 stars for every $1.00 spent.");
    expect(await inline().locator("[data-lr-pending]").textContent()).toBe(`120 stars pending, available on ${medium(pendingUntil)}`);
    expect(await inline().locator("[data-lr-expiry]").textContent()).toBe(
      `Your stars expire on ${medium(addMonths(earnedAt, 12))} if your account has no activity before then.`,
    );
    expect(await inline().getByRole("button", { name: "Redeem 500 stars for $5 off" }).count()).toBe(1);
    await expectAccessible(web.page, "widget with points program");
    await screenshot(web.page, "points-01-program-on");
  });

  it("WHEN the customer gives an impossible birthday THEN the error is next to the fields, the values stay and nothing is sent; a real one is saved and then only shown", async () => {
    await openAccount();
    const form = inline().locator("[data-lr-birthday-form]");
    expect(await form.textContent()).toContain("Tell us your birthday and get 100 stars on the day.");
    await form.getByLabel("Month").selectOption({ label: "February" });
    await form.getByLabel("Day").fill("30");
    await form.getByRole("button", { name: "Save my birthday" }).click();

    const day = form.getByLabel("Day");
    const error = form.locator(".lr-err");
    await error.waitFor();
    expect(await error.textContent()).toBe("Please choose a month and a day that exists in it (for example April 23).");
    expect(await day.getAttribute("aria-invalid")).toBe("true");
    expect(await day.getAttribute("aria-describedby")).toBe(await error.getAttribute("id"));
    expect(await day.inputValue()).toBe("30");
    expect(await form.getByLabel("Month").inputValue()).toBe("2");
    expect(await day.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(birthdayPosts).toEqual([]);
    await expectAccessible(web.page, "birthday form with an error");
    await screenshot(web.page, "points-02-birthday-error");

    await day.fill("29");
    await form.getByRole("button", { name: "Save my birthday" }).click();
    await inline().locator("[data-lr-birthday]").waitFor();
    expect(await inline().locator("[data-lr-birthday]").textContent()).toBe("Your birthday: February 29");
    expect(await inline().locator("[data-lr-live]").textContent()).toBe("Thanks! Your birthday is saved.");
    expect(birthdayPosts).toEqual(['{"birthday":"02-29"}']);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customerId } })).birthday).toBe("02-29");

    // Set once: after a reload it is shown, with no form to change it.
    await openAccount();
    await inline().locator("[data-lr-birthday]").waitFor();
    expect(await inline().locator("[data-lr-birthday-form]").count()).toBe(0);
    await screenshot(web.page, "points-03-birthday-set");
  });

  it("in French, the same sections in French with the merchant's name", async () => {
    await openAccount("/fr");
    expect(await inline().locator("[data-lr-balance]").textContent()).toMatch(/^1\s200 stars$/);
    expect(await inline().locator("[data-lr-earn]").textContent()).toMatch(/^Gagnez 2 stars pour chaque 1,00\s\$\s?US dépensé\.$/);
    expect(await inline().locator("[data-lr-pending]").textContent()).toContain("120 stars en attente, utilisables le");
    expect(await inline().locator("[data-lr-birthday]").textContent()).toBe("Votre anniversaire : 29 février");
  });

  it("GIVEN the earning rule was saved in EUR and the shop sells in USD, and an order waits THEN the widget promises no rule and says the order's points wait for the shop", async () => {
    // What orders/create leaves while the rule awaits review (holdOrderEarning: a HELD row of no points).
    await db.programSettings.update({ where: { shop: SHOP }, data: { amountCurrency: "EUR" } });
    const held = await db.pointsTransaction.create({
      data: { shop: SHOP, customerId, delta: 0, balanceAfter: 1200, reason: "EARNING_HELD", status: "HELD", actor: "WEBHOOK", sourceKey: "order:gid://shopify/Order/1003:held", orderGid: "gid://shopify/Order/1003", amount: "40.00" },
    });
    await openAccount();
    expect(await inline().locator("[data-lr-earn]").count()).toBe(0);
    expect(await inline().locator("[data-lr-waiting]").textContent()).toBe("Your stars for 1 order are waiting for the shop to confirm its prices.");
    await openAccount("/fr");
    expect(await inline().locator("[data-lr-waiting]").textContent()).toBe("Vos stars de 1 commande attendent que la boutique confirme ses prix.");
    await db.pointsTransaction.delete({ where: { id: held.id } });
    await db.programSettings.update({ where: { shop: SHOP }, data: { amountCurrency: "USD" } });
  });

  it("GIVEN the program is off THEN nothing promises earning, to guests or customers, and no birthday is asked", async () => {
    await db.programSettings.update({ where: { shop: SHOP }, data: { enabled: false } });
    await db.customer.update({ where: { id: customerId }, data: { birthday: null } });
    await openAccount();
    expect(await inline().locator("[data-lr-balance]").textContent()).toBe("1,200 stars");
    expect(await inline().locator("[data-lr-earn]").count()).toBe(0);
    expect(await inline().locator("[data-lr-birthday-form]").count()).toBe(0);
    expect(await inline().locator("[data-lr-body]").textContent()).not.toMatch(/earn/i);

    await web.page.goto(`${web.storefront.url}/account/logout`);
    await inline().locator("[data-lr-option]").first().waitFor();
    expect(await inline().locator("[data-lr-body]").textContent()).toContain("Welcome to our rewards program.");
    expect(await inline().getByRole("link", { name: "Sign in to see your stars" }).count()).toBe(1);
    expect(await inline().locator("[data-lr-body]").textContent()).not.toMatch(/earn/i);
    await screenshot(web.page, "points-04-program-off-guest");
  });

  it("raised no script errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
