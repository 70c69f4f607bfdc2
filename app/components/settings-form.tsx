// The shell of the admin's settings pages (Program, Referrals), one place for what each wrote before:
// one form posted as a whole with every field as a hidden input (the visible ones are controlled
// Polaris fields), App Bridge's <SaveBar> while the values differ from what is stored, the currency the
// amounts are shown in (a save is refused once the shop's is another: docs/decisions/015), the
// amounts-review banner, the server's refusal with its field errors, and a toast once saved.
import { Form, useNavigation } from "@remix-run/react";
import { useAppBridge } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Button, Layout, Page, Text } from "@shopify/polaris";
import { useEffect, type ReactNode } from "react";
import { AmountCurrencyBanner } from "~/components/amount-currency-banner";
import { FormSaveBar } from "~/components/form-save-bar";
import { useFormValues } from "~/components/use-form-values";
import { AMOUNT_CURRENCY_FIELD } from "~/domain/currency";
import type { AmountArea, AmountReview } from "~/services/lifecycle/amount-currency.server";

/** What a settings page's action answers: saved (a toast) or refused (a banner and the fields' errors). */
export type SettingsAnswer<F extends string> = { ok: true; message: string } | { ok: false; message: string; errors: Partial<Record<F, string>> };

/** The form's state: the values typed, starting from what is stored, and what the last save said. */
export function useSettingsForm<F extends string>(formId: string, saved: Record<F, string>, answer: SettingsAnswer<F> | undefined) {
  const navigation = useNavigation();
  const shopify = useAppBridge();
  const [values, setValues] = useFormValues<Record<F, string>>(saved);
  useEffect(() => {
    if (answer?.ok) shopify.toast.show(answer.message);
  }, [answer, shopify]);
  const errors: Partial<Record<F, string>> = answer && !answer.ok ? answer.errors : {};
  return {
    values,
    setValues,
    errors,
    saving: navigation.state === "submitting",
    dirty: (Object.keys(saved) as F[]).some((f) => saved[f] !== values[f]),
    submit: () => (document.getElementById(formId) as HTMLFormElement | null)?.requestSubmit(),
    /** A text field's onChange. */
    set: (field: F) => (value: string) => setValues((v) => ({ ...v, [field]: value })),
    /** A checkbox's onChange ("on" or empty, as a posted checkbox). */
    check: (field: F) => (checked: boolean) => setValues((v) => ({ ...v, [field]: checked ? "on" : "" })),
    /** Back to what is stored (the save bar's Discard). */
    discard: () => setValues(saved),
  };
}

export function SettingsForm<F extends string>(props: {
  formId: string;
  title: string;
  subtitle: string;
  form: ReturnType<typeof useSettingsForm<F>>;
  answer: SettingsAnswer<F> | undefined;
  currency: string;
  amountReview: AmountReview | null;
  area: AmountArea;
  /** The line above the Save button at the bottom. */
  footnote: string;
  children: ReactNode;
}) {
  const { formId, form, answer } = props;
  return (
    <Page title={props.title} subtitle={props.subtitle} primaryAction={{ content: "Save", loading: form.saving, onAction: form.submit }}>
      <FormSaveBar id={`${formId}-save-bar`} open={form.dirty} saving={form.saving} onSave={form.submit} onDiscard={form.discard} />
      <Form method="post" id={formId}>
        {(Object.keys(form.values) as F[]).map((f) => (
          <input key={f} type="hidden" name={f} value={form.values[f]} />
        ))}
        {/* The currency this page shows the amounts in: a save is refused if the shop's is another now (docs/decisions/015). */}
        <input type="hidden" name={AMOUNT_CURRENCY_FIELD} value={props.currency} />
        <Layout>
          {props.amountReview ? (
            <Layout.Section>
              <AmountCurrencyBanner review={props.amountReview} area={props.area} />
            </Layout.Section>
          ) : null}
          {answer && !answer.ok ? (
            <Layout.Section>
              <Banner tone="critical" title={answer.message}>
                {Object.keys(answer.errors).length > 0 ? "Nothing was saved. Fix the fields marked below and save again." : null}
              </Banner>
            </Layout.Section>
          ) : null}
          {props.children}
          <Layout.Section>
            <BlockStack gap="200" inlineAlign="end">
              <Text as="p" tone="subdued">
                {props.footnote}
              </Text>
              <Button variant="primary" submit loading={form.saving}>
                Save
              </Button>
            </BlockStack>
          </Layout.Section>
        </Layout>
      </Form>
    </Page>
  );
}
