// The merchant's words and looks (app/copy/admin.ts).
import { describe, expect, it } from "vitest";
import { FAILURE_REASONS, isVisibleToCustomer, REWARD_KINDS, REWARD_STATUSES, type RewardStatus } from "~/domain/rewards";
import {
  attemptFailedLabel,
  attemptFailureSummary,
  cancelCleanupMessage,
  describeRedemptionOption,
  formatRewardValue,
  rewardStatusNote,
  merchantExplanation,
  REWARD_KIND_LABELS,
  REWARD_STATUS_BADGE_TONES,
  REWARD_STATUS_LABELS,
  REWARD_STATUS_MEANINGS,
  statusBadgeTone,
} from "./admin";
import { referralSettingsErrorMessage } from "./referrals";
import { vipFieldError } from "./vip";

// Copied from @shopify/polaris 13.9.5 build/ts/src/components/Badge/types.d.ts (`Tone`).
const POLARIS_13_BADGE_TONES = [
  "info", "success", "warning", "critical", "attention", "new", "magic",
  "info-strong", "success-strong", "warning-strong", "critical-strong", "attention-strong", "read-only", "enabled",
];

describe("merchantExplanation", () => {
  it.each(FAILURE_REASONS.map((r) => [r]))("%s has a summary and an action", (reason) => {
    const { summary, action } = merchantExplanation(reason);
    expect(summary).toMatch(/^[A-Z].*\.$/);
    expect(action).toMatch(/^[A-Z].*\.$/);
    expect(`${summary} ${action}`).not.toMatch(/[{}]|gid:\/\/|undefined|null/);
  });

  it("gives distinct advice for the failures a merchant can fix", () => {
    expect(merchantExplanation("missing_access").action).toMatch(/approve the requested permissions/);
    expect(merchantExplanation("gift_cards_unavailable").action).toMatch(/Enable gift cards, or change the reward to a discount code/);
    expect(merchantExplanation("invalid_reward_settings").action).toMatch(/Review the reward's settings/);
    expect(merchantExplanation("customer_not_found").summary).toMatch(/customer may have been deleted/);
    expect(merchantExplanation("throttled").summary).toMatch(/about a day of automatic retries/);
  });

  it.each([["code_taken: VIP-ABC"], ["  MISSING_ACCESS  "], ["timeout after 30s"]])(
    "never parses text: %j (an old \"reason: message\" string) is not a code",
    (stored) => {
      // Failures are stored as Reward.failureCode + failureMessage; the migration
      // 20261130100000_failure_reason_code moved old "reason: message" text into the two columns.
      expect(merchantExplanation(stored)).toEqual(merchantExplanation("unknown"));
    },
  );

  it.each([[null], [undefined], [""], ["boom: {\"errors\": [\"raw\"]}"], ["Error: x\n    at foo (bar.js:1:1)"]])(
    "falls back to the generic explanation for %j without echoing it",
    (stored) => {
      const explanation = merchantExplanation(stored);
      expect(explanation).toEqual(merchantExplanation("unknown"));
      expect(explanation.summary).toBe("The reward could not be created for a reason the app didn't recognise.");
      expect(JSON.stringify(explanation)).not.toMatch(/raw|bar\.js/);
    },
  );
});

describe("labels, meanings and badge tones", () => {
  it.each<[RewardStatus, string, string | undefined]>([
    ["PENDING", "Pending", "attention"],
    ["FAILED", "Failed", "critical"],
    ["ISSUED", "Issued", "success"],
    ["CANCELED", "Canceled", undefined],
    ["USED", "Used", "info"],
  ])("%s → label %s, tone %s", (status, label, tone) => {
    expect(REWARD_STATUS_LABELS[status]).toBe(label);
    expect(statusBadgeTone(status)).toBe(tone);
    expect(REWARD_STATUS_BADGE_TONES[status]).toBe(tone);
  });

  it("gives every status a different look, using only Polaris 13 tones", () => {
    const tones = REWARD_STATUSES.map(statusBadgeTone);
    expect(new Set(tones).size).toBe(REWARD_STATUSES.length);
    for (const tone of tones) if (tone !== undefined) expect(POLARIS_13_BADGE_TONES).toContain(tone);
  });

  it.each([...REWARD_STATUSES])("the meaning of %s says whether the customer sees it", (status) => {
    const meaning = REWARD_STATUS_MEANINGS[status];
    expect(meaning).not.toMatch(/\n/);
    if (isVisibleToCustomer(status)) {
      expect(meaning).toMatch(/visible to the customer/i);
      expect(meaning).not.toMatch(/hidden/i);
    } else {
      expect(meaning).toMatch(/hidden from the customer/i);
    }
  });

  it("the Issued help text carries the checkout and gift-card rules", () => {
    expect(REWARD_STATUS_MEANINGS.ISSUED).toMatch(/checkout doesn't change this/);
    expect(REWARD_STATUS_MEANINGS.ISSUED).toMatch(/only a completed order marks it Used/);
    expect(REWARD_STATUS_MEANINGS.ISSUED).toMatch(/gift cards always stay Issued, and so does store credit/);
    expect(REWARD_STATUS_MEANINGS.CANCELED).toMatch(/by the merchant/);
  });
});


describe("kinds", () => {
  it.each([...REWARD_KINDS])("%s has a label", (kind) => {
    expect(REWARD_KIND_LABELS[kind]).toMatch(/^[A-Z]/);
  });

  it.each([
    ["FIXED_AMOUNT", "5", "$5.00 off"],
    ["PERCENTAGE", "15", "15% off"],
    ["FREE_SHIPPING", "0", "Free shipping"],
    ["FREE_PRODUCT", "0", "Free product"],
    ["GIFT_CARD", "10", "$10.00 gift card"],
    ["STORE_CREDIT", "10", "$10.00 store credit"],
  ] as const)("%s %s → %s", (kind, value, label) => {
    expect(formatRewardValue(kind, value, "USD")).toBe(label);
  });
});

describe("attempt failure labels", () => {
  it("never says a permanent failure will be retried, not even before the change to Failed is written", () => {
    for (const reason of ["gift_cards_unavailable", "missing_access", "invalid_reward_settings", "api_error"]) {
      expect(attemptFailedLabel(reason, false)).not.toMatch(/will retry/);
      expect(attemptFailedLabel(reason, true)).not.toMatch(/will retry/);
      expect(attemptFailureSummary(reason)).toBe(merchantExplanation(reason).summary);
    }
  });

  it("says a retryable failure will be retried until the reward failed, and describes the one attempt", () => {
    expect(attemptFailedLabel("throttled", false)).toBe("Attempt failed (will retry)");
    expect(attemptFailedLabel("throttled", true)).toBe("Attempt failed (retries used up)");
    expect(attemptFailureSummary("throttled")).not.toMatch(/about a day/);
  });
});

describe("a reward's value: one rule, words that name its bounds", () => {
  it("Referrals and VIP tiers say what Ways to redeem's rule allows (a percentage from 1 to 100, an amount up to 1,000,000)", () => {
    for (const message of [referralSettingsErrorMessage("friendRewardValue", "out_of_range"), referralSettingsErrorMessage("referrerRewardValue", "out_of_range"), vipFieldError("rewardValue", "out_of_range", "POINTS_EARNED")]) {
      expect(message).toContain("1,000,000");
      expect(message).toContain("from 1 to 100");
    }
  });
});

describe("a way to redeem in one line: counted words agree with their number", () => {
  const option = { kind: "FIXED_AMOUNT" as const, value: "5", pointsCost: 500, variable: null, minimumSubtotal: null, productId: null };
  it.each([
    [1, [], "ALL", "$5.00 off · code expires after 1 day"],
    [90, ["a", "b"], "PRODUCTS", "$5.00 off · on 2 products · code expires after 90 days"],
    [2, ["a"], "COLLECTIONS", "$5.00 off · on 1 collection · code expires after 2 days"],
    [null, ["a"], "PRODUCTS", "$5.00 off · on 1 product · code never expires"],
  ] as const)("GIVEN an expiry of %s days and %j restricted to %s THEN %s (it said 'day(s)', 'product(s)')", (expiryDays, ids, appliesTo, expected) => {
    expect(describeRedemptionOption({ ...option, expiryDays, appliesTo, appliesToIds: ids }, "USD")).toBe(expected);
  });
});

describe("the Status column's note", () => {
  it("names a reason for every Failed reward and every retrying Pending one, and nothing for the other statuses", () => {
    for (const reason of FAILURE_REASONS) {
      expect(rewardStatusNote("FAILED", reason)).toMatch(/^\S/);
      // Held until the merchant confirms amounts: nothing is retried meanwhile (next test).
      if (reason !== "amount_in_other_currency") expect(rewardStatusNote("PENDING", reason)).toMatch(/^Retrying: \S/);
    }
    expect(rewardStatusNote("FAILED", null)).toBe("Unrecognised error");
    expect(rewardStatusNote("PENDING", null)).toBeNull();
    for (const status of ["ISSUED", "USED", "CANCELED"] as const) expect(rewardStatusNote(status, "throttled")).toBeNull();
  });

  it("GIVEN a Pending reward held for amounts in another currency THEN it waits for the merchant, not 'Retrying'; GIVEN one canceled because its discount changed in Shopify's admin THEN it says so", () => {
    expect(rewardStatusNote("PENDING", "amount_in_other_currency")).toBe("Waiting for you to confirm amounts");
    expect(rewardStatusNote("CANCELED", "changed_in_shopify")).toBe("Changed in Shopify");
    expect(rewardStatusNote("CANCELED", null)).toBeNull();
    for (const status of ["PENDING", "ISSUED", "USED"] as const) expect(rewardStatusNote(status, "changed_in_shopify")).not.toBe("Changed in Shopify");
  });

  it("GIVEN a Canceled reward whose code is still being removed in Shopify (its cleanup marker) THEN it says so, with why the last removal failed when it did; without the marker, nothing", () => {
    expect(rewardStatusNote("CANCELED", null, { removingCode: true })).toBe("Removing the code in Shopify (retrying)");
    expect(rewardStatusNote("CANCELED", "shopify_unavailable", { removingCode: true })).toBe("Removing the code in Shopify (retrying: Shopify unavailable)");
    expect(rewardStatusNote("CANCELED", "app_not_authorized", { removingCode: true })).toBe("Removing the code in Shopify (retrying: App access revoked)");
    expect(rewardStatusNote("CANCELED", "changed_in_shopify", { removingCode: true })).toBe("Changed in Shopify");
    expect(rewardStatusNote("CANCELED", "shopify_unavailable", { removingCode: false })).toBeNull();
    // A Failed reward's marker is said too (next test); Pending, Issued and Used rewards have none.
    for (const status of ["PENDING", "ISSUED", "USED"] as const) expect(String(rewardStatusNote(status, null, { removingCode: true }))).not.toMatch(/Removing the code/);
  });

  it("GIVEN a Failed reward whose code is still being removed in Shopify THEN its failure reason, then the same removal note as a Canceled one (it said the reason alone)", () => {
    expect(rewardStatusNote("FAILED", "missing_access", { removingCode: true })).toBe("Missing permission. Removing the code in Shopify (retrying)");
    expect(rewardStatusNote("FAILED", null, { removingCode: true })).toBe("Unrecognised error. Removing the code in Shopify (retrying)");
    expect(rewardStatusNote("FAILED", "missing_access", { removingCode: false })).toBe("Missing permission");
  });

  it("GIVEN a reward whose code's removal the app stopped retrying THEN it says the code couldn't be removed, with the last reason, that it may still work and where in Shopify's admin to remove it, per kind (it said nothing: the marker was gone)", () => {
    expect(rewardStatusNote("CANCELED", "shopify_unavailable", { removalGaveUp: true, kind: "PERCENTAGE" })).toBe(
      "Couldn't remove the code in Shopify (last reason: Shopify unavailable); the app stopped trying. It may still work at checkout: deactivate it in Shopify admin → Discounts."
    );
    expect(rewardStatusNote("CANCELED", "missing_access", { removalGaveUp: true, kind: "GIFT_CARD" })).toBe(
      "Couldn't remove the gift card in Shopify (last reason: Missing permission); the app stopped trying. It may still be spent: deactivate it in Shopify admin → Gift cards."
    );
    expect(rewardStatusNote("CANCELED", "shopify_unavailable", { removalGaveUp: true, kind: "STORE_CREDIT" })).toMatch(/^Couldn't remove the store credit in Shopify .* take it back in Shopify admin → Customers/);
    // A Failed reward: its own failure reason first; the removal's reason is in its history.
    expect(rewardStatusNote("FAILED", "missing_access", { removalGaveUp: true, kind: "FREE_SHIPPING" })).toBe(
      "Missing permission. Couldn't remove the code in Shopify; the app stopped trying. It may still work at checkout: deactivate it in Shopify admin → Discounts."
    );
    // Canceled in Shopify's admin: nothing of the app's to remove.
    expect(rewardStatusNote("CANCELED", "changed_in_shopify", { removalGaveUp: true })).toBe("Changed in Shopify");
    for (const status of ["PENDING", "ISSUED", "USED"] as const) expect(String(rewardStatusNote(status, null, { removalGaveUp: true }))).not.toMatch(/Couldn't remove/);
  });
});

describe("the cancel's message about the code in Shopify", () => {
  it("GIVEN a removal retried because the app's access is missing THEN it says so and what to do, not 'couldn't be reached'; a transient reason still says Shopify couldn't be reached", () => {
    for (const reason of ["missing_access", "scope_not_granted", "app_not_authorized"] as const) {
      const message = cancelCleanupMessage("retrying", reason);
      expect(message).toMatch(/^Reward canceled, but the app isn't allowed to deactivate its code in Shopify right now \(/);
      expect(message).toMatch(/Open (the app|a customer)/);
      expect(message).not.toMatch(/couldn't be reached/);
    }
    expect(cancelCleanupMessage("retrying", "shop_unavailable")).toMatch(/Shopify refused to deactivate its code \(Shop unavailable\)/);
    expect(cancelCleanupMessage("retrying", "shopify_unavailable")).toMatch(/Shopify couldn't be reached/);
    expect(cancelCleanupMessage("retrying", null)).toMatch(/Shopify couldn't be reached/);
    expect(cancelCleanupMessage("done")).toBe("Reward canceled. Its code no longer works in your shop.");
  });

  it("GIVEN a removal the app had stopped retrying that fails again on a repeated cancel THEN it says the code may still work and where to deactivate it (it said 'done': nothing to retry)", () => {
    expect(cancelCleanupMessage("gave_up", "app_not_authorized", "GIFT_CARD")).toBe(
      "Reward canceled, but the gift card still couldn't be removed in Shopify (App access revoked), and the app has stopped trying. It may still be spent: deactivate it in Shopify admin → Gift cards."
    );
  });
});
