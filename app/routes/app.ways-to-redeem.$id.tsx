// One way to redeem: create (`/app/ways-to-redeem/new`) or edit. A controlled form with App Bridge's
// contextual save bar while there are unsaved changes, every field's error inline (the rules:
// app/domain/rewards/options.ts; checked against the shop by
// app/services/admin/ways-to-redeem.server.ts) and a toast on success.
// Products and collections are typed as IDs and checked against the shop: App Bridge's resource
// picker needs Shopify's admin, which the local emulator's stand-in does not provide.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate, useRouteError } from "@remix-run/react";
import { Banner, BlockStack, Card, Checkbox, FormLayout, InlineGrid, Page, Select, Text, TextField } from "@shopify/polaris";
import { FormSaveBar } from "~/components/form-save-bar";
import { randomBytes } from "node:crypto";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useFormValues } from "~/components/use-form-values";
import { GrantAccessBanner } from "~/components/grant-access-banner";
import { missingScopesFor, parseScopes } from "~/services/lifecycle/scopes.server";
import db from "~/db.server";
import { readAdminForm } from "~/request-input.server";
import { AMOUNT_CURRENCY_FIELD } from "~/domain/currency";
import { shopCurrencyOf } from "~/services/lifecycle/amount-currency.server";
import { authenticate } from "~/shopify.server";
import { canBeVariable, canLimitToItems, kindTraits, REWARD_KINDS, type OptionField, type RewardKind } from "~/domain/rewards";
import { getRedemptionOption, saveRedemptionOption, type RedemptionOptionRow } from "~/services/admin/ways-to-redeem.server";
import { OPTION_FIELD_LABELS, OPTION_HELP, REWARD_KIND_LABELS } from "~/copy/admin";
import type { AdminGraphql } from "~/shopify/graphql.server";
import { RouteError } from "~/components/route-error";
import { useActionToast } from "~/components/use-action-toast";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.values.name || "New way to redeem"} · Loyalty rewards` }];

type Values = Record<"name" | "kind" | "pointsCost" | "value" | "minimumSubtotal" | "expiryDays" | "productId" | "variantId" | "appliesTo" | "appliesToIds" | "pointsMin" | "pointsMax" | "pointsStep" | "variable" | "active", string>;

const EMPTY: Values = {
  name: "",
  kind: "FIXED_AMOUNT",
  pointsCost: "",
  value: "",
  minimumSubtotal: "",
  expiryDays: "",
  productId: "",
  variantId: "",
  appliesTo: "ALL",
  appliesToIds: "",
  pointsMin: "",
  pointsMax: "",
  pointsStep: "",
  variable: "false",
  active: "true",
};

function valuesOf(o: RedemptionOptionRow): Values {
  return {
    name: o.name,
    kind: o.kind,
    pointsCost: String(o.pointsCost),
    value: kindTraits(o.kind).value === "none" ? "" : o.value,
    minimumSubtotal: o.minimumSubtotal ?? "",
    expiryDays: o.expiryDays === null ? "" : String(o.expiryDays),
    productId: o.productId ?? "",
    variantId: o.variantId ?? "",
    appliesTo: o.appliesTo,
    appliesToIds: o.appliesToIds.join(", "),
    pointsMin: o.variable ? String(o.variable.min) : "",
    pointsMax: o.variable ? String(o.variable.max) : "",
    pointsStep: o.variable ? String(o.variable.step) : "",
    variable: o.variable ? "true" : "false",
    active: o.active ? "true" : "false",
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const currency = await shopCurrencyOf(db, session.shop);
  // Kinds that need an optional scope the shop hasn't granted (gift cards, store credit): the form
  // offers "Grant access", and the storefront doesn't show such an option until it is granted.
  const granted = parseScopes(session.scope);
  const missingScopes = Object.fromEntries(REWARD_KINDS.map((k) => [k, missingScopesFor(k, granted)])) as Record<RewardKind, string[]>;
  // A new option's form key: the same form saved twice creates one option (saveRedemptionOption).
  if (params.id === "new") return json({ id: null, values: EMPTY, currency, missingScopes, requestKey: randomBytes(16).toString("hex") });
  const option = await getRedemptionOption(db, session.shop, params.id ?? "");
  if (!option) throw json({ message: "not found" }, { status: 404 });
  return json({ id: option.id, values: valuesOf(option), currency, missingScopes, requestKey: null });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { session, admin } = await authenticate.admin(request);
  const id = params.id === "new" ? null : (params.id ?? null);
  const result = await saveRedemptionOption({ db, graphql: admin.graphql as unknown as AdminGraphql }, { shop: session.shop, id }, await readAdminForm(request));
  if (!result.ok) return json({ ok: false as const, message: result.error.message, fieldErrors: result.error.fieldErrors }, { status: result.error.httpStatus });
  return json({ ok: true as const, message: result.message, id: result.option.id, created: result.created });
}

export default function WayToRedeem() {
  const { id, values: saved, currency, missingScopes, requestKey: shownKey } = useLoaderData<typeof loader>();
  // Kept while the form is open (a double click sends it twice); a new form — this page opened
  // again for /new without leaving the route — takes the loader's new key.
  const [requestKey, setRequestKey] = useState(shownKey);
  const shownFor = useRef(id);
  useEffect(() => {
    // Only when the record shown changes: a revalidation after a refused save keeps the form's key.
    if (shownFor.current === id) return;
    shownFor.current = id;
    if (id === null) setRequestKey(shownKey);
  }, [id, shownKey]);
  const fetcher = useFetcher<typeof action>();
  const navigate = useNavigate();
  const [values, setValues] = useFormValues<Values>(saved, id ?? "new");
  const dirty = useMemo(() => (Object.keys(saved) as (keyof Values)[]).some((k) => saved[k] !== values[k]), [saved, values]);
  const set = (field: keyof Values) => (value: string) => setValues((v) => ({ ...v, [field]: value }));
  const busy = fetcher.state !== "idle";

  const onSaved = useCallback(
    (answer: { ok: boolean }) => {
      const data = answer as { id?: string; created?: boolean };
      if (data.created && data.id) navigate(`/app/ways-to-redeem/${data.id}`, { replace: true });
    },
    [navigate],
  );
  useActionToast(fetcher.state, fetcher.data, onSaved);

  const errors = fetcher.data && !fetcher.data.ok && busy === false ? (fetcher.data.fieldErrors ?? {}) : {};
  const errorOf = (field: OptionField) => (errors as Partial<Record<OptionField, { message: string }>>)[field]?.message;
  const kind = (REWARD_KINDS as readonly string[]).includes(values.kind) ? (values.kind as RewardKind) : "FIXED_AMOUNT";
  const traits = kindTraits(kind);
  const variable = values.variable === "true" && canBeVariable(kind);
  // Settings the chosen kind doesn't have are sent as "off", not as hidden leftovers.
  const save = () =>
    fetcher.submit({ ...values, variable: variable ? "true" : "false", appliesTo: canLimitToItems(kind) ? values.appliesTo : "ALL", ...(id === null && requestKey ? { requestKey } : {}), [AMOUNT_CURRENCY_FIELD]: currency }, { method: "post" });
  const discard = () => setValues(saved);
  const field = (name: OptionField, extra: Partial<React.ComponentProps<typeof TextField>> = {}) => (
    <TextField
      label={OPTION_FIELD_LABELS[name]}
      name={name}
      value={values[name as keyof Values]}
      onChange={set(name as keyof Values)}
      error={errorOf(name)}
      autoComplete="off"
      {...extra}
    />
  );

  return (
    <Page
      title={id ? saved.name : "New way to redeem"}
      backAction={{ content: "Ways to redeem", url: "/app/ways-to-redeem" }}
      primaryAction={{ content: "Save", onAction: save, loading: busy, disabled: !dirty && id !== null }}
    >
      <FormSaveBar id="way-to-redeem-save-bar" open={dirty} saving={busy} onSave={save} onDiscard={discard} />
      <form
        method="post"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <BlockStack gap="400">
          {fetcher.data && !fetcher.data.ok && !busy ? (
            <Banner tone="critical" title={fetcher.data.message}>
              <ul>
                {Object.entries(errors).map(([name, e]) => (
                  <li key={name}>
                    {OPTION_FIELD_LABELS[name as OptionField]}: {(e as { message: string }).message}
                  </li>
                ))}
              </ul>
            </Banner>
          ) : null}
          <Card>
            <FormLayout>
              {field("name", { helpText: "Customers see this name on your storefront." })}
              <Select
                label={OPTION_FIELD_LABELS.kind}
                name="kind"
                options={REWARD_KINDS.map((k) => ({ label: REWARD_KIND_LABELS[k], value: k }))}
                value={kind}
                onChange={set("kind")}
                error={errorOf("kind")}
              />
              <GrantAccessBanner missing={missingScopes[kind] ?? []} />
              {canBeVariable(kind) ? (
                <Checkbox
                  label="Let customers choose how many points to use"
                  helpText={OPTION_HELP.variable}
                  checked={variable}
                  onChange={(checked) => set("variable")(checked ? "true" : "false")}
                />
              ) : null}
              <FormLayout.Group>
                {field("pointsCost", {
                  type: "number",
                  label: variable ? "Points per value" : OPTION_FIELD_LABELS.pointsCost,
                  helpText: variable ? OPTION_HELP.pointsCostVariable : OPTION_HELP.pointsCostFixed,
                  min: 1,
                })}
                {traits.value === "none"
                  ? null
                  : field("value", traits.value === "percentage" ? { suffix: "%", inputMode: "decimal" } : { prefix: currency, inputMode: "decimal" })}
              </FormLayout.Group>
              {variable ? (
                <InlineGrid columns={3} gap="300">
                  {field("pointsMin", { type: "number", min: 1 })}
                  {field("pointsMax", { type: "number", min: 1 })}
                  {field("pointsStep", { type: "number", min: 1 })}
                </InlineGrid>
              ) : null}
            </FormLayout>
          </Card>
          {traits.needsProduct ? (
            <Card>
              <FormLayout>
                <Text as="h2" variant="headingSm">
                  Product
                </Text>
                {field("productId", { helpText: OPTION_HELP.productId, placeholder: "gid://shopify/Product/123" })}
                {field("variantId", { helpText: OPTION_HELP.variantId })}
              </FormLayout>
            </Card>
          ) : null}
          <Card>
            <FormLayout>
              <Text as="h2" variant="headingSm">
                Conditions
              </Text>
              {canLimitToItems(kind) ? (
                <>
                  <Select
                    label={OPTION_FIELD_LABELS.appliesTo}
                    name="appliesTo"
                    options={[
                      { label: "The whole order", value: "ALL" },
                      { label: "Specific products", value: "PRODUCTS" },
                      { label: "Specific collections", value: "COLLECTIONS" },
                    ]}
                    value={values.appliesTo}
                    onChange={set("appliesTo")}
                    error={errorOf("appliesTo")}
                  />
                  {values.appliesTo !== "ALL" ? field("appliesToIds", { multiline: 2, helpText: OPTION_HELP.appliesToIds }) : null}
                </>
              ) : null}
              <FormLayout.Group>
                {field("minimumSubtotal", { prefix: currency, inputMode: "decimal", helpText: OPTION_HELP.minimumSubtotal })}
                {field("expiryDays", { type: "number", min: 1, helpText: OPTION_HELP.expiryDays })}
              </FormLayout.Group>
              <Checkbox
                label="Enabled (shown on your storefront)"
                checked={values.active === "true"}
                onChange={(checked) => set("active")(checked ? "true" : "false")}
              />
            </FormLayout>
          </Card>
        </BlockStack>
      </form>
    </Page>
  );
}

export function ErrorBoundary() {
  return (
    <RouteError
      error={useRouteError()}
      notFound="This way to redeem doesn't exist (it may have been deleted)."
      backUrl="/app/ways-to-redeem"
      backLabel="Ways to redeem"
    />
  );
}
