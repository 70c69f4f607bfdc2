// Customers: the shop's customers known to the loyalty program, searchable by name or email,
// filtered by tier and Issued rewards, sorted by last activity, points or name, paged with keyset cursors.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation, useRouteError, useSearchParams, useSubmit } from "@remix-run/react";
import { Badge, BlockStack, Card, Checkbox, IndexTable, InlineStack, Link, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import { useNavigate } from "@remix-run/react";
import db from "~/db.server";
import { authenticate } from "~/shopify.server";
import { InvalidCursorError } from "~/services/admin/keyset.server";
import { listCustomers, listVipTiers, parseCustomerSort, parseSearch, parseTierFilter } from "~/services/admin/customers.server";
import { CUSTOMERS_PAGE } from "~/copy/admin";
import { withSearch } from "~/components/url";
import { EmptyStateMessage } from "~/components/empty-state-message";
import { formatDateTime, formatNumber } from "~/components/format";
import { RouteError } from "~/components/route-error";
import { TablePager } from "~/components/rewards-table";
import { pageLinks, pageNumberOf } from "~/components/url";

const PAGE_SIZE = 20;

export const meta: MetaFunction = () => [{ title: "Customers · Loyalty rewards" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  // Refused when longer than the lists search, never cut into a text that matches more.
  const parsedSearch = parseSearch(url.searchParams.get("query"));
  if (!parsedSearch.ok) throw json({ message: parsedSearch.message }, { status: 400 });
  const search = parsedSearch.search;
  const parsedTier = parseTierFilter(url.searchParams.get("tier"));
  if (!parsedTier.ok) throw json({ message: parsedTier.message }, { status: 400 });
  const tier = parsedTier.tier;
  const issued = url.searchParams.get("issued") === "1";
  const sort = parseCustomerSort(url.searchParams.get("sort"));
  if (sort === "invalid") throw json({ message: CUSTOMERS_PAGE.badSort }, { status: 400 });
  try {
    const page = await listCustomers(db, {
      shop: session.shop,
      search,
      vipTier: tier,
      hasIssuedRewards: issued,
      sort,
      after: url.searchParams.get("after"),
      before: url.searchParams.get("before"),
      pageSize: PAGE_SIZE,
    });
    const filtered = Boolean(search || tier || issued);
    const [total, tiers] = await Promise.all([filtered ? null : db.customer.count({ where: { shop: session.shop } }), listVipTiers(db, session.shop)]);
    return json({ search, tier, issued, sort, tiers, page, total });
  } catch (error) {
    if (error instanceof InvalidCursorError) throw json({ message: error.message }, { status: 400 });
    throw error;
  }
}

export default function Customers() {
  const { search, tier, issued, sort, tiers, page, total } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const submit = useSubmit();
  const navigation = useNavigation();
  const [query, setQuery] = useState(search);
  const form = useRef<HTMLFormElement>(null);
  const pageNumber = pageNumberOf(params);
  const links = pageLinks("/app/customers", params, page, pageNumber);
  const navigate = useNavigate();
  // A filter change starts again at the first page; the other filters and the search stay.
  const filterTo = (changes: Record<string, string | null>) =>
    navigate(withSearch("/app/customers", params, { ...changes, after: null, before: null, page: null }), { replace: true });

  // Search as the merchant types (debounced); Enter submits at once.
  useEffect(() => {
    if (query.trim().replace(/\s+/g, " ") === search) return;
    const timer = setTimeout(() => submit(form.current, { replace: true }), 350);
    return () => clearTimeout(timer);
  }, [query, search, submit]);

  const empty =
    (tier || issued) && search === "" ? (
      <EmptyStateMessage heading={CUSTOMERS_PAGE.noMatchHeading}>{CUSTOMERS_PAGE.noMatchBody}</EmptyStateMessage>
    ) : search !== "" ? (
      <EmptyStateMessage heading="No customers match your search">
        Nobody in the program has “{search}” in their name or email. Check the spelling, or search by email address.
      </EmptyStateMessage>
    ) : (
      <EmptyStateMessage heading="No customers in the loyalty program yet">
        Customers appear here once they take part in the program: when they earn or redeem points, are referred, or receive a reward. You'll
        see their points balance, VIP tier and rewards, and can open each one to see why a reward did or didn't reach them.
      </EmptyStateMessage>
    );

  return (
    <Page
      title="Customers"
      backAction={{ content: "Home", url: "/app" }}
      secondaryActions={[
        {
          content: "Issue reward to these customers",
          // The bulk issue form, prefilled with this search and these filters (app.bulk-issue._index.tsx).
          url: withSearch("/app/bulk-issue", new URLSearchParams(), { target: "SEARCH", query: search || null, tier, issued: issued ? "1" : null }),
          disabled: page.items.length === 0,
        },
      ]}
    >
      <BlockStack gap="400">
        <Card>
          <BlockStack gap="300">
          <Form method="get" ref={form} role="search" aria-label="Customer search">
            <TextField
              label="Search customers"
              name="query"
              value={query}
              onChange={setQuery}
              placeholder="Name or email"
              autoComplete="off"
              clearButton
              onClearButtonClick={() => setQuery("")}
              helpText={total !== null ? `${formatNumber(total)} customers in the program` : undefined}
            />
            {tier ? <input type="hidden" name="tier" value={tier} /> : null}
            {issued ? <input type="hidden" name="issued" value="1" /> : null}
            {sort !== "activity" ? <input type="hidden" name="sort" value={sort} /> : null}
          </Form>
          <InlineStack gap="400" blockAlign="end">
            <Select
              label={CUSTOMERS_PAGE.tierFilter}
              options={[
                { label: CUSTOMERS_PAGE.anyTier, value: "" },
                { label: CUSTOMERS_PAGE.noTier, value: "none" },
                ...tiers.map((t) => ({ label: t, value: t })),
              ]}
              value={tier ?? ""}
              onChange={(value) => filterTo({ tier: value || null })}
            />
            <Checkbox label={CUSTOMERS_PAGE.issuedFilter} checked={issued} onChange={(checked) => filterTo({ issued: checked ? "1" : null })} />
            <Select
              label={CUSTOMERS_PAGE.sortLabel}
              options={Object.entries(CUSTOMERS_PAGE.sorts).map(([value, label]) => ({ label, value }))}
              value={sort}
              onChange={(value) => filterTo({ sort: value === "activity" ? null : value })}
            />
          </InlineStack>
          </BlockStack>
        </Card>
        <Card padding="0">
          <IndexTable
            resourceName={{ singular: "customer", plural: "customers" }}
            itemCount={page.items.length}
            selectable={false}
            loading={navigation.state === "loading" && navigation.location?.pathname === "/app/customers"}
            emptyState={empty}
            headings={[
              { title: "Customer" },
              { title: "Email" },
              { title: "Points", alignment: "end" },
              { title: "VIP tier" },
              { title: "Rewards", alignment: "end" },
              { title: "Last activity" },
            ]}
          >
            {page.items.map((c, index) => (
              <IndexTable.Row id={c.id} key={c.id} position={index}>
                <IndexTable.Cell>
                  <Link url={`/app/customers/${c.id}`} removeUnderline>
                    <Text as="span" fontWeight="semibold">
                      {c.name}
                    </Text>
                  </Link>
                </IndexTable.Cell>
                <IndexTable.Cell>{c.email ?? "—"}</IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {formatNumber(c.pointsBalance)}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  {c.vipTier ? (
                    <Badge>{c.vipTier}</Badge>
                  ) : (
                    <Text as="span" tone="subdued">
                      —
                    </Text>
                  )}
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {formatNumber(c.rewardCount)}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>{formatDateTime(c.lastActivityAt)}</IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
          <TablePager
            pagination={{ ...links, label: `Page ${pageNumber}` }}
            accessibilityLabel="Customer pages"
            previous="Previous customers"
            next="More customers"
          />
        </Card>
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError error={useRouteError()} notFound="This page doesn't exist." backUrl="/app/customers" backLabel="Customers" />;
}
