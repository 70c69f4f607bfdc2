// Referrals: the referral program's settings — on/off, the friend's welcome reward and the referrer's
// reward (saved as the shop's REFERRAL reward templates), the qualifying order's minimum, the monthly
// cap per referrer and the waiting period before the referrer is rewarded. One form: App Bridge's
// <SaveBar> while it has unsaved changes (as on Ways to redeem), field errors from the server's validation
// (app/domain/referrals/settings.ts), a toast once saved (the shell shared with Program:
// app/components/settings-form.tsx). docs/decisions/023-referrals.md.
import { amountReview, shopCurrencyOf } from "~/services/lifecycle/amount-currency.server";
import { AMOUNT_CURRENCY_FIELD } from "~/domain/currency";
import { SettingsForm, useSettingsForm } from "~/components/settings-form";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData, useRouteError } from "@remix-run/react";
import { Card, Checkbox, FormLayout, Layout, Select, TextField } from "@shopify/polaris";
import { RouteError } from "~/components/route-error";
import db from "~/db.server";
import { readAdminForm } from "~/request-input.server";
import { authenticate } from "~/shopify.server";
import { referralSettingsErrorMessage } from "~/copy/referrals";
import type { ReferralReward, ReferralSettingsErrorCode, ReferralSettingsField, ReferralSettingsValues } from "~/domain/referrals";
import { getReferralSettings, referralRewardsOf, saveReferralSettings } from "~/services/referrals/settings.server";

export const meta: MetaFunction = () => [{ title: "Referrals · Loyalty rewards" }];

type FormValues = Record<ReferralSettingsField, string>;

const FIELDS: ReferralSettingsField[] = [
  "enabled",
  "friendRewardKind",
  "friendRewardValue",
  "referrerRewardKind",
  "referrerRewardValue",
  "minimumOrderAmount",
  "monthlyCapPerReferrer",
  "pendingDays",
];

function toForm(s: ReferralSettingsValues, rewards: { friend: ReferralReward | null; referrer: ReferralReward | null }): FormValues {
  return {
    enabled: s.enabled ? "on" : "",
    friendRewardKind: rewards.friend?.kind ?? "",
    friendRewardValue: rewards.friend && rewards.friend.kind !== "FREE_SHIPPING" ? rewards.friend.value : "",
    referrerRewardKind: rewards.referrer?.kind ?? "",
    referrerRewardValue: rewards.referrer && rewards.referrer.kind !== "FREE_SHIPPING" ? rewards.referrer.value : "",
    minimumOrderAmount: s.minimumOrderAmount,
    monthlyCapPerReferrer: s.monthlyCapPerReferrer === null ? "" : String(s.monthlyCapPerReferrer),
    pendingDays: String(s.pendingDays),
  };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const [settings, currency, amounts] = await Promise.all([
    getReferralSettings(db, session.shop),
    shopCurrencyOf(db, session.shop),
    amountReview(db, session.shop),
  ]);
  return json({ values: toForm(settings, await referralRewardsOf(db, session.shop, settings)), currency, amountReview: amounts });
}

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const form = await readAdminForm(request);
  const input: Record<string, string> = {};
  for (const f of FIELDS) {
    const v = form.get(f);
    // Whole, as the program settings: the form reader bounds the body (app/request-input.server.ts)
    // and the settings' rules refuse what isn't a value; a value cut here could turn into a valid one.
    if (typeof v === "string") input[f] = v;
  }
  const result = await saveReferralSettings(db, session.shop, input, form.get(AMOUNT_CURRENCY_FIELD));
  if (!result.ok) {
    const errors: Partial<Record<ReferralSettingsField, string>> = {};
    for (const [field, code] of Object.entries(result.error.fields)) {
      errors[field as ReferralSettingsField] = referralSettingsErrorMessage(field as ReferralSettingsField, code as ReferralSettingsErrorCode);
    }
    return json({ ok: false as const, message: result.error.message, errors }, { status: result.error.httpStatus });
  }
  return json({ ok: true as const, message: "Referral settings saved", values: toForm(result.settings, await referralRewardsOf(db, session.shop, result.settings)) });
}

export default function Referrals() {
  const { values: saved, currency, amountReview } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const form = useSettingsForm<ReferralSettingsField>("referrals-form", saved, answer);
  const { values, errors, set, check } = form;
  const kinds = [
    { label: "No reward", value: "" },
    { label: `Amount off (${currency})`, value: "FIXED_AMOUNT" },
    { label: "Percentage off", value: "PERCENTAGE" },
    { label: "Free shipping", value: "FREE_SHIPPING" },
  ];
  const rewardFields = (who: "friend" | "referrer", label: string, help: string) => {
    const kind = values[`${who}RewardKind`];
    return (
      <FormLayout.Group>
        <Select label={label} options={kinds} value={kind} onChange={set(`${who}RewardKind`)} error={errors[`${who}RewardKind`]} helpText={help} />
        {kind === "FIXED_AMOUNT" || kind === "PERCENTAGE" ? (
          <TextField
            label={kind === "PERCENTAGE" ? "Percentage off" : "Amount off"}
            type="text"
            inputMode="decimal"
            {...(kind === "PERCENTAGE" ? { suffix: "%" } : { prefix: currency })}
            value={values[`${who}RewardValue`]}
            onChange={set(`${who}RewardValue`)}
            autoComplete="off"
            error={errors[`${who}RewardValue`]}
          />
        ) : null}
      </FormLayout.Group>
    );
  };

  return (
    <SettingsForm
      formId="referrals-form"
      title="Referrals"
      subtitle="Customers share a link; friends and referrers are rewarded"
      form={form}
      answer={answer}
      currency={currency}
      amountReview={amountReview}
      area="referrals"
      footnote="Self-referrals (same account, email or address), friends who were already customers and referrers over the monthly limit are rejected; each customer's Referrals tab shows why."
    >
      <Layout.AnnotatedSection
        title="Program"
        description="Signed-in customers see their referral link in the storefront widget. A friend who follows it and creates an account gets the welcome reward; the referrer is rewarded once the friend's first qualifying order is past the waiting period."
      >
        <Card>
          <FormLayout>
            <Checkbox label="Referral program on" checked={values.enabled === "on"} onChange={check("enabled")} />
            {rewardFields("friend", "Friend's welcome reward", "A discount code issued when the friend signs up.")}
            {rewardFields("referrer", "Referrer's reward", "A discount code issued once per referred friend, ever.")}
          </FormLayout>
        </Card>
      </Layout.AnnotatedSection>
      <Layout.AnnotatedSection
        title="Qualifying order and limits"
        description="The friend's first order at or over the minimum (subtotal after discounts, in your shop's currency) qualifies. A refund or cancel during the waiting period means the referrer gets nothing; a reward already issued and still unused is canceled."
      >
        <Card>
          <FormLayout>
            <TextField label="Minimum order" type="text" inputMode="decimal" prefix={currency} value={values.minimumOrderAmount} onChange={set("minimumOrderAmount")} autoComplete="off" error={errors.minimumOrderAmount} helpText="0 = any order." />
            <FormLayout.Group>
              <TextField label="Waiting period (days)" type="number" min={0} value={values.pendingDays} onChange={set("pendingDays")} autoComplete="off" error={errors.pendingDays} helpText="0 = the referrer is rewarded at once." />
              <TextField label="Monthly limit per referrer" type="number" min={1} value={values.monthlyCapPerReferrer} onChange={set("monthlyCapPerReferrer")} autoComplete="off" error={errors.monthlyCapPerReferrer} helpText="Leave empty for no limit." />
            </FormLayout.Group>
          </FormLayout>
        </Card>
      </Layout.AnnotatedSection>
    </SettingsForm>
  );
}

export function ErrorBoundary() {
  return <RouteError error={useRouteError()} notFound="This page doesn't exist." backUrl="/app" backLabel="Home" />;
}
