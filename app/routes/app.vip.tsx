// VIP tiers: the program's settings (on/off, what counts, over which period, skipped tiers' rewards)
// and its tiers (create, edit, delete). Two controlled forms, each with App Bridge's contextual save
// bar while it has unsaved changes, every field's error inline (rules: app/domain/vip; checked
// against the shop by app/services/vip/admin.server.ts) and a toast on success. A change that can
// move customers starts a background re-evaluation whose progress the page follows.
import { AmountCurrencyBanner } from "~/components/amount-currency-banner";
import { amountReview } from "~/services/lifecycle/amount-currency.server";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate, useRouteError, useSearchParams } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, ButtonGroup, Card, Checkbox, DataTable, FormLayout, InlineStack, Layout, Page, ProgressBar, Select, Text, TextField } from "@shopify/polaris";
import { FormSaveBar } from "~/components/form-save-bar";
import { useCallback, useMemo, useState } from "react";
import { newRequestKey } from "~/components/request-key";
import { RouteError } from "~/components/route-error";
import { useActionToast } from "~/components/use-action-toast";
import { useFormValues } from "~/components/use-form-values";
import { useRevalidateWhile } from "~/components/use-revalidate-while";
import { ENTRY_REWARD_KIND_LABELS, VIP_ENTRY_REWARD_CREATED, VIP_BASIS_LABELS, VIP_PERIOD_LABELS, VIP_PROGRAM_SAVED, VIP_REASON_LABELS, VIP_SKIPPED_LABELS, VIP_TIER_DELETED, VIP_TIER_SAVED, vipFieldError } from "~/copy/vip";
import db from "~/db.server";
import { readAdminForm } from "~/request-input.server";
import { AMOUNT_CURRENCY_FIELD } from "~/domain/currency";
import { createEntryReward, deleteTier, saveTier, saveVipProgram, vipSettingsPage } from "~/services/vip/admin.server";
import { authenticate } from "~/shopify.server";

export const meta: MetaFunction = () => [{ title: "VIP tiers · Loyalty rewards" }];

type ProgramValues = Record<"enabled" | "basis" | "period" | "skippedTierRewards", string>;
type TierValues = Record<"name" | "threshold" | "pointsMultiplier" | "perkText" | "entryRewardTemplateId", string>;
const PROGRAM_FIELDS = ["enabled", "basis", "period", "skippedTierRewards"] as const;
const TIER_FIELDS = ["name", "threshold", "pointsMultiplier", "perkText", "entryRewardTemplateId"] as const;
const EMPTY_TIER: TierValues = { name: "", threshold: "", pointsMultiplier: "1", perkText: "", entryRewardTemplateId: "" };

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const [page, amounts] = await Promise.all([vipSettingsPage(db, session.shop), amountReview(db, session.shop)]);
  return json({ ...page, amountReview: amounts });
}

function formStrings<K extends string>(form: FormData, fields: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const f of fields) {
    const v = form.get(f);
    // Whole: the form reader bounds the body (app/request-input.server.ts) and the domain's rules
    // refuse a value too long for its field; a value cut here could turn into a valid one.
    if (typeof v === "string") out[f] = v;
  }
  return out;
}

/** A refused save's status: a tier gone 404, the shop's currency changed since the page was loaded 409 (amountCurrencyOfSave), else 400. */
const statusOf = (code: string) => (code === "not_found" ? 404 : code === "currency_changed" ? 409 : 400);

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const form = await readAdminForm(request);
  const intent = form.get("intent");
  const now = new Date();
  const errorsOf = async (fields: Record<string, string>) => {
    const basis = (await vipSettingsPage(db, shop)).program.basis;
    return Object.fromEntries(Object.entries(fields).map(([f, code]) => [f, vipFieldError(f, code, f === "threshold" ? ((form.get("basis") as string | null) ?? basis) : basis)]));
  };
  if (intent === "program") {
    const result = await saveVipProgram(db, shop, formStrings(form, PROGRAM_FIELDS), form.get(AMOUNT_CURRENCY_FIELD), now);
    if (!result.ok) return json({ ok: false as const, intent, message: result.error.message, errors: await errorsOf(result.error.fields as Record<string, string>) }, { status: statusOf(result.error.code) });
    return json({ ok: true as const, intent, message: VIP_PROGRAM_SAVED, errors: {} });
  }
  if (intent === "tier") {
    const id = form.get("id");
    const result = await saveTier(db, shop, { id: typeof id === "string" && id !== "" ? id : null, form: formStrings(form, TIER_FIELDS), shownCurrency: form.get(AMOUNT_CURRENCY_FIELD) }, now);
    if (!result.ok) return json({ ok: false as const, intent, message: result.error.message, errors: await errorsOf(result.error.fields as Record<string, string>) }, { status: statusOf(result.error.code) });
    return json({ ok: true as const, intent, message: VIP_TIER_SAVED, errors: {} });
  }
  if (intent === "entryReward") {
    const result = await createEntryReward(db, shop, formStrings(form, ["rewardKind", "rewardValue", "rewardExpiryDays", "requestKey"] as const), form.get(AMOUNT_CURRENCY_FIELD));
    if (!result.ok) return json({ ok: false as const, intent, message: result.error.message, errors: await errorsOf(result.error.fields as Record<string, string>) }, { status: statusOf(result.error.code) });
    return json({ ok: true as const, intent, message: VIP_ENTRY_REWARD_CREATED(result.name), errors: {}, templateId: result.templateId });
  }
  if (intent === "delete") {
    const id = form.get("id");
    const result = await deleteTier(db, shop, typeof id === "string" ? id : "", now);
    if (!result.ok) return json({ ok: false as const, intent, message: result.error.message, errors: {} }, { status: 404 });
    return json({ ok: true as const, intent, message: VIP_TIER_DELETED, errors: {} });
  }
  return json({ ok: false as const, intent: null, message: "Unknown action.", errors: {} }, { status: 400 });
}

export default function VipTiers() {
  const data = useLoaderData<typeof loader>();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const running = data.job?.status === "RUNNING";
  useRevalidateWhile(running);

  return (
    <Page title="VIP tiers" subtitle="Tiers customers reach by spending or earning, with an entry reward and a points multiplier" backAction={{ content: "Home", url: "/app" }}>
      <Layout>
          {data.amountReview ? (
            <Layout.Section>
              <AmountCurrencyBanner review={data.amountReview} area="vip" />
            </Layout.Section>
          ) : null}
        {data.job && (running || data.job.finishedAt) ? (
          <Layout.Section>
            <Banner tone={running ? "info" : "success"} title={running ? "Placing customers in their tiers…" : "Customers are in their tiers"}>
              <BlockStack gap="200">
                <Text as="p">
                  {data.job.done} of {data.job.total} customers checked ({VIP_REASON_LABELS[data.job.reasonCode] ?? data.job.reasonCode}). Entry rewards are issued once per customer, tier and period.
                </Text>
                {running ? <ProgressBar progress={data.job.total === 0 ? 100 : Math.round((100 * data.job.done) / data.job.total)} size="small" /> : null}
              </BlockStack>
            </Banner>
          </Layout.Section>
        ) : null}
        <ProgramSection saved={data.program} currency={data.currency} />
        <Layout.AnnotatedSection
          title="Tiers"
          description={`A customer is in the highest tier whose threshold they reach. Thresholds are in ${data.program.basis === "AMOUNT_SPENT" ? `${data.currency} spent` : "points earned"}.`}
        >
          <Card>
            <BlockStack gap="300">
              {data.tiers.length === 0 ? (
                <Text as="p" tone="subdued">
                  No tiers yet. Add the first one.
                </Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "text", "numeric", "text"]}
                  headings={["Tier", "Threshold", "Multiplier", "Entry reward", "Members", ""]}
                  rows={data.tiers.map((t) => [
                    t.name,
                    t.threshold,
                    `×${t.pointsMultiplier}`,
                    t.entryRewardName ?? "None",
                    t.members,
                    <TierActions key={t.id} id={t.id} name={t.name} onEdit={() => setParams({ tier: t.id })} />,
                  ])}
                />
              )}
              <InlineStack>
                <Button onClick={() => setParams({ tier: "new" })} disabled={data.tiers.length >= 10}>
                  Add tier
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
        {params.get("tier") ? (
          <TierEditor
            key={params.get("tier")}
            id={params.get("tier") === "new" ? null : params.get("tier")}
            tiers={data.tiers}
            templates={data.templates}
            basis={data.program.basis}
            currency={data.currency}
            onDone={() => navigate("/app/vip", { replace: true })}
          />
        ) : null}
      </Layout>
    </Page>
  );
}

function ProgramSection({ saved, currency }: { saved: { enabled: boolean; basis: string; period: string; skippedTierRewards: string }; currency: string }) {
  const fetcher = useFetcher<typeof action>();
  const initial: ProgramValues = { enabled: saved.enabled ? "on" : "", basis: saved.basis, period: saved.period, skippedTierRewards: saved.skippedTierRewards };
  const [values, setValues] = useFormValues<ProgramValues>(initial, "program");
  const dirty = PROGRAM_FIELDS.some((k) => values[k] !== initial[k]);
  const busy = fetcher.state !== "idle";
  useActionToast(fetcher.state, fetcher.data);
  const errors: Record<string, string> = fetcher.data && !fetcher.data.ok && fetcher.data.intent === "program" && !busy ? fetcher.data.errors : {};
  const set = (field: keyof ProgramValues) => (value: string) => setValues((v) => ({ ...v, [field]: value }));
  // The basis decides whether thresholds are amounts: sent with the currency the page shows (docs/decisions/015).
  const save = () => fetcher.submit({ intent: "program", ...values, [AMOUNT_CURRENCY_FIELD]: currency }, { method: "post" });
  return (
    <Layout.AnnotatedSection
      title="Program"
      description="Customers move up as soon as an order takes them over a threshold; they move down only when a period ends (or when you change the tiers). Changing these settings re-checks every customer in the background."
    >
      <FormSaveBar id="vip-program-save-bar" open={dirty} saving={busy} onSave={save} onDiscard={() => setValues(initial)} />
      <Card>
        <FormLayout>
          {fetcher.data && !fetcher.data.ok && fetcher.data.intent === "program" ? <Banner tone="critical" title={fetcher.data.message} /> : null}
          <Checkbox label="VIP tiers are on" checked={values.enabled === "on"} onChange={(checked) => setValues((v) => ({ ...v, enabled: checked ? "on" : "" }))} />
          <Select label="Tiers are reached by" options={Object.entries(VIP_BASIS_LABELS).map(([value, label]) => ({ value, label }))} value={values.basis} onChange={set("basis")} error={errors.basis} />
          <Select label="Counted over" options={Object.entries(VIP_PERIOD_LABELS).map(([value, label]) => ({ value, label }))} value={values.period} onChange={set("period")} error={errors.period} />
          <Select
            label="When one order skips tiers"
            options={Object.entries(VIP_SKIPPED_LABELS).map(([value, label]) => ({ value, label }))}
            value={values.skippedTierRewards}
            onChange={set("skippedTierRewards")}
            error={errors.skippedTierRewards}
          />
          <InlineStack align="end">
            <Button variant="primary" onClick={save} loading={busy} disabled={!dirty}>
              Save settings
            </Button>
          </InlineStack>
        </FormLayout>
      </Card>
    </Layout.AnnotatedSection>
  );
}

function TierActions({ id, name, onEdit }: { id: string; name: string; onEdit: () => void }) {
  const fetcher = useFetcher<typeof action>();
  useActionToast(fetcher.state, fetcher.data);
  return (
    <ButtonGroup>
      <Button variant="plain" onClick={onEdit} accessibilityLabel={`Edit ${name}`}>
        Edit
      </Button>
      <Button
        variant="plain"
        tone="critical"
        loading={fetcher.state !== "idle"}
        accessibilityLabel={`Delete ${name}`}
        onClick={() => {
          if (window.confirm(`Delete the tier ${name}? Its members will be placed in the tier their progress reaches.`)) fetcher.submit({ intent: "delete", id }, { method: "post" });
        }}
      >
        Delete
      </Button>
    </ButtonGroup>
  );
}

interface EditorProps {
  id: string | null;
  tiers: { id: string; name: string; threshold: string; pointsMultiplier: string; perkText: string | null; entryRewardTemplateId: string | null }[];
  templates: { id: string; name: string; active: boolean }[];
  basis: string;
  currency: string;
  onDone: () => void;
}

function TierEditor({ id, tiers, templates, basis, currency, onDone }: EditorProps) {
  const fetcher = useFetcher<typeof action>();
  const tier = id ? tiers.find((t) => t.id === id) : null;
  const initial: TierValues = useMemo(
    () =>
      tier
        ? { name: tier.name, threshold: tier.threshold, pointsMultiplier: tier.pointsMultiplier, perkText: tier.perkText ?? "", entryRewardTemplateId: tier.entryRewardTemplateId ?? "" }
        : EMPTY_TIER,
    [tier],
  );
  const [values, setValues] = useFormValues<TierValues>(initial, id ?? "new");
  const dirty = TIER_FIELDS.some((k) => values[k] !== initial[k]);
  const busy = fetcher.state !== "idle";
  const onSaved = useCallback(() => onDone(), [onDone]);
  useActionToast(fetcher.state, fetcher.data, onSaved);
  const errors: Record<string, string> = fetcher.data && !fetcher.data.ok && fetcher.data.intent === "tier" && !busy ? fetcher.data.errors : {};
  const set = (field: keyof TierValues) => (value: string) => setValues((v) => ({ ...v, [field]: value }));
  // With the currency the page shows the threshold in: refused if the shop's is another now (docs/decisions/015).
  const save = () => fetcher.submit({ intent: "tier", id: id ?? "", ...values, [AMOUNT_CURRENCY_FIELD]: currency }, { method: "post" });
  if (id && !tier) {
    return (
      <Layout.Section>
        <Banner tone="warning" title="This tier doesn't exist any more" action={{ content: "Back to tiers", onAction: onDone }} />
      </Layout.Section>
    );
  }
  const options = [{ value: "", label: "No entry reward" }, ...templates.map((t) => ({ value: t.id, label: t.active ? t.name : `${t.name} (turned off)` }))];
  return (
    <Layout.AnnotatedSection title={tier ? `Edit ${tier.name}` : "New tier"} description="Entering the tier issues its entry reward once per customer and period (saved Pending, then Issued by the background worker). Changing the threshold re-checks every customer.">
      <FormSaveBar id="vip-tier-save-bar" open={dirty} saving={busy} onSave={save} onDiscard={() => setValues(initial)} />
      <Card>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <FormLayout>
            {fetcher.data && !fetcher.data.ok && fetcher.data.intent === "tier" ? <Banner tone="critical" title={fetcher.data.message}>{Object.keys(fetcher.data.errors).length > 0 ? "Nothing was saved. Fix the fields marked below and save again." : null}</Banner> : null}
            <FormLayout.Group>
              <TextField label="Name" name="name" value={values.name} onChange={set("name")} error={errors.name} autoComplete="off" maxLength={40} helpText="Shown to customers, e.g. Gold." />
              <TextField
                label="Threshold"
                name="threshold"
                value={values.threshold}
                onChange={set("threshold")}
                error={errors.threshold}
                autoComplete="off"
                inputMode="decimal"
                {...(basis === "AMOUNT_SPENT" ? { prefix: currency } : { suffix: "points" })}
                helpText={basis === "AMOUNT_SPENT" ? "Amount spent (subtotal after discounts, without taxes and shipping)." : "Points earned on orders, after refunds."}
              />
            </FormLayout.Group>
            <FormLayout.Group>
              <TextField label="Points multiplier" name="pointsMultiplier" value={values.pointsMultiplier} onChange={set("pointsMultiplier")} error={errors.pointsMultiplier} autoComplete="off" inputMode="decimal" prefix="×" helpText="1 to 10: points members earn on orders are multiplied by it." />
              <Select label="Entry reward" name="entryRewardTemplateId" options={options} value={values.entryRewardTemplateId} onChange={set("entryRewardTemplateId")} error={errors.entryRewardTemplateId} helpText={templates.length === 0 ? "No VIP tier entry rewards exist yet." : undefined} />
            </FormLayout.Group>
            <EntryRewardCreator currency={currency} onCreated={(templateId) => setValues((v) => ({ ...v, entryRewardTemplateId: templateId }))} />
            <TextField label="Perk (optional)" name="perkText" value={values.perkText} onChange={set("perkText")} error={errors.perkText} autoComplete="off" maxLength={200} helpText="Shown to members in the storefront, e.g. Free shipping on every order." />
            <InlineStack align="end" gap="200">
              <Button onClick={onDone}>Cancel</Button>
              <Button variant="primary" submit loading={busy}>
                {tier ? "Save tier" : "Add tier"}
              </Button>
            </InlineStack>
            {tier ? (
              <InlineStack gap="100">
                <Badge>{`Members earn ×${tier.pointsMultiplier}`}</Badge>
              </InlineStack>
            ) : null}
          </FormLayout>
        </form>
      </Card>
    </Layout.AnnotatedSection>
  );
}

/** Creates a VIP tier entry reward in place (amount off, percentage off, free shipping) and picks it. */
function EntryRewardCreator({ currency, onCreated }: { currency: string; onCreated: (templateId: string) => void }) {
  const fetcher = useFetcher<typeof action>();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ rewardKind: "PERCENTAGE", rewardValue: "", rewardExpiryDays: "30" });
  // The form's key, new each time it opens: a double click on "Create reward" creates one reward.
  const [requestKey, setRequestKey] = useState("");
  const busy = fetcher.state !== "idle";
  const onSaved = useCallback(
    (answer: { ok: boolean }) => {
      const id = (answer as { templateId?: string }).templateId;
      if (id) {
        onCreated(id);
        setOpen(false);
      }
    },
    [onCreated],
  );
  useActionToast(fetcher.state, fetcher.data, onSaved);
  const errors: Record<string, string> = fetcher.data && !fetcher.data.ok && fetcher.data.intent === "entryReward" && !busy ? fetcher.data.errors : {};
  if (!open) {
    return (
      <InlineStack>
        <Button
          variant="plain"
          onClick={() => {
            setRequestKey(newRequestKey());
            setOpen(true);
          }}
        >
          Create an entry reward
        </Button>
      </InlineStack>
    );
  }
  return (
    <Card background="bg-surface-secondary">
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm">
          New entry reward
        </Text>
        {fetcher.data && !fetcher.data.ok && fetcher.data.intent === "entryReward" && !busy && Object.keys(errors).length === 0 ? <Banner tone="critical" title={fetcher.data.message} /> : null}
        <FormLayout.Group condensed>
          <Select
            label="Reward"
            options={Object.entries(ENTRY_REWARD_KIND_LABELS).map(([value, label]) => ({ value, label }))}
            value={form.rewardKind}
            onChange={(rewardKind) => setForm((f) => ({ ...f, rewardKind }))}
            error={errors.rewardKind}
          />
          {form.rewardKind === "FREE_SHIPPING" ? null : (
            <TextField
              label={form.rewardKind === "PERCENTAGE" ? "Percentage off" : "Amount off"}
              value={form.rewardValue}
              onChange={(rewardValue) => setForm((f) => ({ ...f, rewardValue }))}
              error={errors.rewardValue}
              autoComplete="off"
              inputMode="decimal"
              {...(form.rewardKind === "PERCENTAGE" ? { suffix: "%" } : { prefix: currency })}
            />
          )}
          <TextField label="Code expires after (days)" value={form.rewardExpiryDays} onChange={(rewardExpiryDays) => setForm((f) => ({ ...f, rewardExpiryDays }))} error={errors.rewardExpiryDays} autoComplete="off" inputMode="numeric" />
        </FormLayout.Group>
        <InlineStack gap="200" align="end">
          <Button onClick={() => setOpen(false)}>Cancel</Button>
          <Button loading={busy} onClick={() => fetcher.submit({ intent: "entryReward", ...form, requestKey, [AMOUNT_CURRENCY_FIELD]: currency }, { method: "post" })}>
            Create reward
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

export function ErrorBoundary() {
  return <RouteError error={useRouteError()} notFound="This page doesn't exist." backUrl="/app" backLabel="Home" />;
}
