// Bulk issue: the shop's bulk jobs and the form to start one — a reward to a VIP tier, to the
// customers list's search result (its "Issue reward to these customers" action links here with the
// filters) or to a pasted list of emails. Use-cases: app/services/bulk-issue/jobs.server.ts.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useRevalidator, useRouteError } from "@remix-run/react";
import { useAppBridge } from "@shopify/app-bridge-react";
import { Badge, Banner, BlockStack, Button, Card, Checkbox, ChoiceList, IndexTable, Link, List, Page, Select, Text, TextField } from "@shopify/polaris";
import { randomBytes } from "node:crypto";
import { useState } from "react";
import db from "~/db.server";
import { readAdminForm } from "~/request-input.server";
import { authenticate } from "~/shopify.server";
import { parseScopes } from "~/services/lifecycle/scopes.server";
import { isBulkTargetType, MAX_PASTED_EMAILS, type BulkTargetType } from "~/domain/bulk-issue";
import { listBulkJobs, startBulkJob, type BulkTarget } from "~/services/bulk-issue/jobs.server";
import { listIssuableTemplates, listVipTiers, normalizeSearch } from "~/services/admin/customers.server";
import { BULK_STATE_LABELS, BULK_STATE_TONES } from "~/components/bulk-issue";
import { OPTIONAL_ACCESS_EXPLANATION } from "~/copy/admin";
import { EmptyStateMessage } from "~/components/empty-state-message";
import { formatDateTime, formatNumber } from "~/components/format";
import { RouteError } from "~/components/route-error";

export const meta: MetaFunction = () => [{ title: "Bulk issue · Loyalty rewards" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const target = url.searchParams.get("target");
  const [jobs, templates, tiers] = await Promise.all([
    listBulkJobs(db, session.shop),
    listIssuableTemplates(db, session.shop, parseScopes(session.scope)),
    listVipTiers(db, session.shop),
  ]);
  // Prefilled from the customers list ("Issue reward to these customers") or a tier link.
  const prefill = {
    targetType: (isBulkTargetType(target) ? target : "TIER") as BulkTargetType,
    search: normalizeSearch(url.searchParams.get("query")),
    searchTier: url.searchParams.get("tier") ?? "",
    issued: url.searchParams.get("issued") === "1",
  };
  // The start form's key: the same form posted twice starts one job (startBulkJob's requestKey).
  const requestKey = randomBytes(16).toString("hex");
  return json({ jobs, templates: templates.map((t) => ({ id: t.id, name: t.name, missingScopes: t.missingScopes })), tiers, prefill, requestKey });
}

type ActionAnswer = {
  ok: false;
  message: string;
  field?: string;
  unmatched?: { invalid: string[]; unknown: string[] };
  matched?: number;
};

/** POST templateId, targetType=TIER|SEARCH|EMAILS, the target's fields and the form's requestKey — redirects to the new job, or 400 with the problem. */
export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const form = await readAdminForm(request);
  const text = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v : "";
  };
  const targetType = text("targetType");
  if (!isBulkTargetType(targetType)) {
    return json<ActionAnswer>({ ok: false, field: "targetType", message: "Choose who receives the reward: a VIP tier, a customer search or a list of emails." }, { status: 400 });
  }
  const target: BulkTarget =
    targetType === "TIER"
      ? { type: "TIER", tier: text("tier") }
      : targetType === "SEARCH"
        ? { type: "SEARCH", search: text("query"), vipTier: text("searchTier") || null, hasIssuedRewards: text("issued") === "1" }
        : { type: "EMAILS", text: text("emails"), skipUnmatched: text("skipUnmatched") === "1" };
  const result = await startBulkJob(db, { shop: session.shop, templateId: text("templateId"), target, requestKey: text("requestKey") || null });
  if (!result.ok) {
    const { message, field, unmatched, matched } = result.error;
    return json<ActionAnswer>({ ok: false, message, ...(field ? { field } : {}), ...(unmatched ? { unmatched } : {}), ...(matched !== undefined ? { matched } : {}) }, { status: 400 });
  }
  return redirect(`/app/bulk-issue/${result.job.id}`);
}

export default function BulkIssue() {
  const { jobs, templates, tiers, prefill, requestKey: shownKey } = useLoaderData<typeof loader>();
  // Kept while the page is open (a refused form corrected and sent again has started no job yet).
  const [requestKey] = useState(shownKey);
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const [templateId, setTemplateId] = useState(templates[0]?.id ?? "");
  const [targetType, setTargetType] = useState<BulkTargetType>(prefill.targetType);
  const [tier, setTier] = useState(tiers[0] ?? "");
  const [search, setSearch] = useState(prefill.search);
  const [searchTier, setSearchTier] = useState(prefill.searchTier);
  const [issued, setIssued] = useState(prefill.issued);
  const [emails, setEmails] = useState("");
  // The list the last answer is about: confirming "issue to the customers found" only holds for it.
  const [submittedEmails, setSubmittedEmails] = useState<string | null>(null);
  const error = answer && !answer.ok ? answer : undefined;
  // Optional scopes (shopify.app.toml optional_scopes) are asked for with App Bridge's scopes API
  // (https://shopify.dev/docs/api/app-bridge-library/apis/scopes), as the single issue does.
  const shopify = useAppBridge();
  const revalidator = useRevalidator();
  const [granting, setGranting] = useState(false);
  const [grantError, setGrantError] = useState<string | null>(null);
  const missing = templates.find((t) => t.id === templateId)?.missingScopes ?? [];
  const grant = async () => {
    setGranting(true);
    setGrantError(null);
    try {
      const result = await shopify.scopes.request(missing);
      if (result.result !== "granted-all") setGrantError(OPTIONAL_ACCESS_EXPLANATION.declined);
      revalidator.revalidate();
    } catch (e) {
      setGrantError(e instanceof Error ? e.message : String(e));
    } finally {
      setGranting(false);
    }
  };
  const unmatched = error?.unmatched;
  const canSkip = Boolean(unmatched && (error?.matched ?? 0) > 0 && submittedEmails === emails);

  return (
    <Page title="Bulk issue" subtitle="Give one reward to many customers. Rewards are created in the background; you can pause, resume or cancel." backAction={{ content: "Home", url: "/app" }}>
      <BlockStack gap="400">
        <Card>
          <Form method="post" aria-label="Start a bulk issue" onSubmit={() => setSubmittedEmails(emails)}>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                Start a bulk issue
              </Text>
              {error ? (
                <Banner tone="critical" title="The bulk issue wasn't started">
                  <BlockStack gap="200">
                    <p>{error.message}</p>
                    {unmatched && unmatched.invalid.length > 0 ? (
                      <BlockStack gap="100">
                        <Text as="p" fontWeight="semibold">
                          Not email addresses ({formatNumber(unmatched.invalid.length)}):
                        </Text>
                        <List>
                          {unmatched.invalid.slice(0, 100).map((e) => (
                            <List.Item key={`i:${e}`}>{e}</List.Item>
                          ))}
                        </List>
                      </BlockStack>
                    ) : null}
                    {unmatched && unmatched.unknown.length > 0 ? (
                      <BlockStack gap="100">
                        <Text as="p" fontWeight="semibold">
                          No customer in the program with this email ({formatNumber(unmatched.unknown.length)}):
                        </Text>
                        <List>
                          {unmatched.unknown.slice(0, 100).map((e) => (
                            <List.Item key={`u:${e}`}>{e}</List.Item>
                          ))}
                        </List>
                        {unmatched.unknown.length > 100 ? <Text as="p">…and {formatNumber(unmatched.unknown.length - 100)} more.</Text> : null}
                      </BlockStack>
                    ) : null}
                  </BlockStack>
                </Banner>
              ) : null}
              {templates.length === 0 ? (
                <Banner tone="warning">No reward can be issued yet: add or turn on a reward in Ways to redeem first.</Banner>
              ) : null}
              <Select
                label="Reward"
                name="templateId"
                options={templates.map((t) => ({ label: t.name, value: t.id }))}
                value={templateId}
                onChange={setTemplateId}
                error={error?.field === "templateId" ? error.message : undefined}
              />
              {missing.length > 0 ? (
                <Banner
                  tone="warning"
                  title={OPTIONAL_ACCESS_EXPLANATION.title}
                  action={{ content: OPTIONAL_ACCESS_EXPLANATION.action, onAction: () => void grant(), loading: granting }}
                >
                  <p>{OPTIONAL_ACCESS_EXPLANATION.body}</p>
                  {grantError ? <p>{grantError}</p> : null}
                </Banner>
              ) : null}
              <ChoiceList
                title="Who receives it"
                choices={[
                  { label: "Everyone in a VIP tier", value: "TIER" },
                  { label: "Customers matching a search", value: "SEARCH" },
                  { label: "A list of email addresses", value: "EMAILS" },
                ]}
                selected={[targetType]}
                onChange={(v) => setTargetType((v[0] as BulkTargetType) ?? "TIER")}
              />
              <input type="hidden" name="targetType" value={targetType} />
              <input type="hidden" name="requestKey" value={requestKey} />
              {targetType === "TIER" ? (
                tiers.length > 0 ? (
                  <Select label="VIP tier" name="tier" options={tiers.map((t) => ({ label: t, value: t }))} value={tier} onChange={setTier} error={error?.field === "tier" ? error.message : undefined} />
                ) : (
                  <Banner tone="info">No customer is in a VIP tier yet.</Banner>
                )
              ) : null}
              {targetType === "SEARCH" ? (
                <BlockStack gap="200">
                  <TextField
                    label="Name or email contains"
                    name="query"
                    value={search}
                    onChange={setSearch}
                    autoComplete="off"
                    helpText="Leave empty to include every customer the filters below allow."
                    error={error?.field === "query" ? error.message : undefined}
                  />
                  <Select
                    label="VIP tier"
                    name="searchTier"
                    options={[{ label: "Any tier", value: "" }, { label: "No tier", value: "none" }, ...tiers.map((t) => ({ label: t, value: t }))]}
                    value={searchTier}
                    onChange={setSearchTier}
                    error={error?.field === "searchTier" ? error.message : undefined}
                  />
                  <Checkbox label="Only customers with an issued reward" checked={issued} onChange={setIssued} />
                  {issued ? <input type="hidden" name="issued" value="1" /> : null}
                </BlockStack>
              ) : null}
              {targetType === "EMAILS" ? (
                <TextField
                  label="Email addresses"
                  name="emails"
                  value={emails}
                  onChange={setEmails}
                  multiline={6}
                  autoComplete="off"
                  helpText={`One per line, or separated by commas (at most ${formatNumber(MAX_PASTED_EMAILS)}). Entries that match no customer are listed before anything is issued.`}
                  error={error?.field === "emails" && !unmatched ? error.message : undefined}
                />
              ) : null}
              {targetType === "EMAILS" && canSkip ? <input type="hidden" name="skipUnmatched" value="1" /> : null}
              <Button submit variant="primary" loading={busy} disabled={templates.length === 0}>
                {targetType === "EMAILS" && canSkip ? `Issue to the ${formatNumber(error?.matched ?? 0)} ${error?.matched === 1 ? "customer" : "customers"} found` : "Start bulk issue"}
              </Button>
            </BlockStack>
          </Form>
        </Card>
        <Card padding="0">
          <IndexTable
            resourceName={{ singular: "bulk issue", plural: "bulk issues" }}
            itemCount={jobs.length}
            selectable={false}
            emptyState={<EmptyStateMessage heading="No bulk issues yet">Start one above: its progress shows here.</EmptyStateMessage>}
            headings={[{ title: "Started" }, { title: "Reward" }, { title: "Customers" }, { title: "State" }, { title: "Done", alignment: "end" }, { title: "Failed", alignment: "end" }]}
          >
            {jobs.map((j, index) => (
              <IndexTable.Row id={j.id} key={j.id} position={index}>
                <IndexTable.Cell>
                  <Link url={`/app/bulk-issue/${j.id}`} removeUnderline>
                    {formatDateTime(j.createdAt)}
                  </Link>
                </IndexTable.Cell>
                <IndexTable.Cell>{j.templateName}</IndexTable.Cell>
                <IndexTable.Cell>{j.target}</IndexTable.Cell>
                <IndexTable.Cell>
                  <Badge tone={BULK_STATE_TONES[j.state]}>{BULK_STATE_LABELS[j.state] ?? j.state}</Badge>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {formatNumber(j.done)} / {formatNumber(j.total)}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {formatNumber(j.failed)}
                  </Text>
                </IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        </Card>
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError error={useRouteError()} notFound="This page doesn't exist." backUrl="/app" backLabel="Home" />;
}
