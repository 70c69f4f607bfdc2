// Program: the points program's settings — on/off, the points' name, how orders earn (rate, what
// counts, rounding), the pending period, expiry and bonuses. One form; App Bridge's contextual save
// bar (`<SaveBar>`, https://shopify.dev/docs/api/app-bridge-library/react-components/savebar) is open
// while the values differ from what is stored — controlled by the app like Ways to redeem's, since
// the fields are React-controlled Polaris inputs — field errors come back from the server's
// validation (app/domain/points/settings.ts), and a saved form shows a toast — the shell shared with
// Referrals, app/components/settings-form.tsx.
import { amountReview, shopCurrencyOf } from "~/services/lifecycle/amount-currency.server";
import { AMOUNT_CURRENCY_FIELD } from "~/domain/currency";
import { SettingsForm, useSettingsForm } from "~/components/settings-form";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData, useRouteError } from "@remix-run/react";
import { Card, Checkbox, FormLayout, Layout, Select, TextField } from "@shopify/polaris";
import db from "~/db.server";
import { readAdminForm } from "~/request-input.server";
import { authenticate } from "~/shopify.server";
import { PROGRAM_SAVED, programSettingsError } from "~/copy/admin";
import type { ProgramSettingsValues, SettingsField } from "~/domain/points";
import { getProgramSettings, saveProgramSettings } from "~/services/points/program.server";
import { RouteError } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Program · Loyalty rewards" }];

type FormValues = Record<SettingsField, string>;

function toForm(s: ProgramSettingsValues): FormValues {
  return {
    enabled: s.enabled ? "on" : "",
    pointsNameSingular: s.pointsNameSingular,
    pointsNamePlural: s.pointsNamePlural,
    pointsPerCurrencyUnit: s.pointsPerCurrencyUnit,
    includeShipping: s.includeShipping ? "on" : "",
    includeTaxes: s.includeTaxes ? "on" : "",
    rounding: s.rounding,
    pendingDays: String(s.pendingDays),
    expiryMonths: s.expiryMonths === null ? "" : String(s.expiryMonths),
    signupBonus: String(s.signupBonus),
    birthdayBonus: String(s.birthdayBonus),
  };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return json({ values: toForm(await getProgramSettings(db, session.shop)), currency: await shopCurrencyOf(db, session.shop), amountReview: await amountReview(db, session.shop) });
}

const FIELDS: SettingsField[] = ["enabled", "pointsNameSingular", "pointsNamePlural", "pointsPerCurrencyUnit", "includeShipping", "includeTaxes", "rounding", "pendingDays", "expiryMonths", "signupBonus", "birthdayBonus"];

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const form = await readAdminForm(request);
  const input: Partial<Record<SettingsField, string>> = {};
  for (const f of FIELDS) {
    const v = form.get(f);
    if (typeof v === "string") input[f] = v;
  }
  const result = await saveProgramSettings(db, session.shop, input, form.get(AMOUNT_CURRENCY_FIELD));
  if (!result.ok) {
    const errors: Partial<Record<SettingsField, string>> = {};
    for (const [field, code] of Object.entries(result.error.fields)) errors[field as SettingsField] = programSettingsError(field, code as string);
    return json({ ok: false as const, message: result.error.message, errors }, { status: result.error.httpStatus });
  }
  return json({ ok: true as const, message: PROGRAM_SAVED, values: toForm(result.settings) });
}

export default function Program() {
  const { values: saved, currency, amountReview } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const form = useSettingsForm<SettingsField>("program-form", saved, answer);
  const { values, errors, set, check } = form;
  const plural = values.pointsNamePlural || "points";

  return (
    <SettingsForm
      formId="program-form"
      title="Program"
      subtitle="How customers earn points in your shop"
      form={form}
      answer={answer}
      currency={currency}
      amountReview={amountReview}
      area="program"
      footnote="Changes apply to orders and bonuses from now on; points already in customers' histories don't change."
    >
      <Layout.AnnotatedSection title="Program" description="When the program is off, orders earn nothing and no bonuses are given. Points customers already have stay spendable.">
        <Card>
          <FormLayout>
            <Checkbox label="Customers earn points" checked={values.enabled === "on"} onChange={check("enabled")} />
            <FormLayout.Group>
              <TextField label="Points name (one)" value={values.pointsNameSingular} onChange={set("pointsNameSingular")} autoComplete="off" error={errors.pointsNameSingular} helpText="For example “star”." />
              <TextField label="Points name (many)" value={values.pointsNamePlural} onChange={set("pointsNamePlural")} autoComplete="off" error={errors.pointsNamePlural} helpText="For example “stars”." />
            </FormLayout.Group>
          </FormLayout>
        </Card>
      </Layout.AnnotatedSection>
      <Layout.AnnotatedSection title="Earning on orders" description={`Orders earn ${plural} on their subtotal after discounts, in your shop's currency (${currency}), once per order. Refunds take back a proportional share; a canceled order gives all of them back.`}>
        <Card>
          <FormLayout>
            <TextField label={`${plural} per 1 ${currency} spent`} type="text" inputMode="decimal" value={values.pointsPerCurrencyUnit} onChange={set("pointsPerCurrencyUnit")} autoComplete="off" error={errors.pointsPerCurrencyUnit} />
            <Checkbox label="Shipping counts" checked={values.includeShipping === "on"} onChange={check("includeShipping")} />
            <Checkbox label="Taxes count" checked={values.includeTaxes === "on"} onChange={check("includeTaxes")} />
            <Select
              label="Rounding"
              options={[
                { label: "Round down (default)", value: "DOWN" },
                { label: "Round to nearest", value: "NEAREST" },
                { label: "Round up", value: "UP" },
              ]}
              value={values.rounding}
              onChange={set("rounding")}
              error={errors.rounding}
            />
          </FormLayout>
        </Card>
      </Layout.AnnotatedSection>
      <Layout.AnnotatedSection title="Pending period and expiry" description="Pending points are shown to the customer but can't be spent until the period ends, so a refund inside it never leaves a customer owing points.">
        <Card>
          <FormLayout>
            <TextField label="Pending period (days)" type="number" min={0} value={values.pendingDays} onChange={set("pendingDays")} autoComplete="off" error={errors.pendingDays} helpText="0 = spendable at once." />
            <TextField label="Expire after (months without activity)" type="number" min={1} value={values.expiryMonths} onChange={set("expiryMonths")} autoComplete="off" error={errors.expiryMonths} helpText="Leave empty so points never expire. Customers see the date their points expire." />
          </FormLayout>
        </Card>
      </Layout.AnnotatedSection>
      <Layout.AnnotatedSection title="Bonuses" description="Given once: the sign-up bonus when a customer account is created, the birthday bonus once a year (customers enter their birthday in the storefront widget).">
        <Card>
          <FormLayout>
            <FormLayout.Group>
              <TextField label="Sign-up bonus" type="number" min={0} value={values.signupBonus} onChange={set("signupBonus")} autoComplete="off" error={errors.signupBonus} suffix={plural} />
              <TextField label="Birthday bonus" type="number" min={0} value={values.birthdayBonus} onChange={set("birthdayBonus")} autoComplete="off" error={errors.birthdayBonus} suffix={plural} />
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
