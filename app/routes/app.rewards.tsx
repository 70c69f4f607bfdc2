// Rewards: every reward of the shop, newest first, with Shopify's index filters — status tabs,
// type, source and created date, and a search by code or customer (a merchant asking "why didn't
// my customer get a reward" often starts from a code) — keyset-paged with arrows, and a bulk
// cancel that goes through the cancel use-case one reward at a time. The filters live in the URL,
// so a home-page tile can link to a filtered view and a reload keeps it.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate, useNavigation, useRouteError, useSearchParams } from "@remix-run/react";
import {
  BlockStack,
  Card,
  ChoiceList,
  IndexFilters,
  IndexTable,
  Modal,
  Page,
  Text,
  TextField,
  useIndexResourceState,
  useSetIndexFiltersMode,
  type IndexFiltersProps,
  type TabProps,
} from "@shopify/polaris";
import { useCallback, useEffect, useState } from "react";
import db from "~/db.server";
import { readAdminForm } from "~/request-input.server";
import { authenticate } from "~/shopify.server";
import { REWARD_KINDS, REWARD_SOURCES, REWARD_STATUSES } from "~/domain/rewards";
import { REWARD_KIND_LABELS, REWARD_SOURCE_LABELS, REWARD_STATUS_LABELS, REWARDS_PAGE } from "~/copy/admin";
import { InvalidCursorError } from "~/services/admin/keyset.server";
import { listRewards, parseRewardFilters } from "~/services/admin/rewards.server";
import { cancelRewardsInBulk, handleRewardAction } from "~/services/admin/reward-actions.server";
import { adminRequestDeps, staffIdOf } from "~/services/admin/deps.server";
import { CsvExportButton } from "~/components/csv-export-button";
import { EmptyStateMessage } from "~/components/empty-state-message";
import { formatDateTime } from "~/components/format";
import { RouteError } from "~/components/route-error";
import { RewardCode, RewardStatusCell, RewardTitle, TablePager } from "~/components/rewards-table";
import { pageLinks, pageNumberOf, withSearch } from "~/components/url";
import { useActionToast } from "~/components/use-action-toast";
import { useRevalidateWhile } from "~/components/use-revalidate-while";

const PAGE_SIZE = 25;
const BASE = "/app/rewards";
const FILTER_KEYS = ["status", "kind", "source", "from", "to", "query"] as const;

export const meta: MetaFunction = () => [{ title: "Rewards · Loyalty rewards" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const parsed = parseRewardFilters(url.searchParams);
  if (!parsed.ok) throw json({ message: parsed.message }, { status: 400 });
  try {
    const page = await listRewards(db, {
      shop: session.shop,
      ...parsed.query,
      after: url.searchParams.get("after"),
      before: url.searchParams.get("before"),
      pageSize: PAGE_SIZE,
    });
    return json({ filters: parsed.filters, page });
  } catch (error) {
    if (error instanceof InvalidCursorError) throw json({ message: error.message }, { status: 400 });
    throw error;
  }
}

/** Bulk cancel of the selected rewards; resolve or re-issue one failed reward (from "Failed recently" too). */
export async function action({ request }: ActionFunctionArgs) {
  const context = await authenticate.admin(request);
  const { session, admin } = context;
  // Only the bulk cancel posts several rewards; resolve, re-issue and reveal act on one, and a
  // second rewardId there was silently dropped (the first one acted on).
  const form = await readAdminForm(request, { repeatable: (f) => (f.get("intent") === "bulk-cancel" ? ["rewardId"] : []) });
  const deps = await adminRequestDeps(admin.graphql);
  if (form.get("intent") === "bulk-cancel") {
    const result = await cancelRewardsInBulk(deps, session.shop, form);
    return json(result, { status: result.ok ? 200 : result.httpStatus });
  }
  const rewardId = form.get("rewardId");
  const result = await handleRewardAction(
    deps,
    { shop: session.shop, rewardId: typeof rewardId === "string" ? rewardId : "" },
    form,
    { staffId: staffIdOf(context) }
  );
  return json(result, { status: result.ok ? 200 : result.httpStatus });
}

type BulkAnswer = { ok: boolean; message: string; failed?: { rewardId: string; message: string }[] };

export default function Rewards() {
  const { filters, page } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const fetcher = useFetcher<BulkAnswer>();
  const { mode, setMode } = useSetIndexFiltersMode();
  const [query, setQuery] = useState(filters.search ?? "");
  const [confirming, setConfirming] = useState(false);
  const pageNumber = pageNumberOf(params);
  const rows = page.items;
  const { selectedResources, allResourcesSelected, handleSelectionChange, clearSelection } = useIndexResourceState(rows);

  // Filters change the URL (and start again at the first page); the table follows the URL.
  const go = useCallback(
    (changes: Record<string, string | null>) => navigate(withSearch(BASE, params, { ...changes, after: null, before: null, page: null }), { replace: true }),
    [navigate, params]
  );

  useEffect(() => {
    setQuery(filters.search ?? "");
  }, [filters.search]);
  // Search as the merchant types (debounced).
  useEffect(() => {
    if (query.trim().replace(/\s+/g, " ") === (filters.search ?? "")) return;
    const timer = setTimeout(() => go({ query: query || null }), 350);
    return () => clearTimeout(timer);
  }, [query, filters.search, go]);

  // A changed page is a new selection.
  useEffect(() => {
    clearSelection();
  }, [page, clearSelection]);

  useActionToast(fetcher.state, fetcher.data, () => setConfirming(false));
  // While a reward shown is Pending or the bulk cancel is running, keep the statuses fresh.
  useRevalidateWhile(fetcher.state !== "idle" || rows.some((r) => r.status === "PENDING"));

  const statusTabs: TabProps[] = [null, ...REWARD_STATUSES].map((status, index) => ({
    id: `status-${status ?? "all"}`,
    index,
    content: status ? REWARD_STATUS_LABELS[status] : REWARDS_PAGE.allTab,
    isLocked: true,
    onAction: () => go({ status: status }),
  }));
  const selectedTab = filters.status ? REWARD_STATUSES.indexOf(filters.status) + 1 : 0;

  const indexFilters: IndexFiltersProps["filters"] = [
    {
      key: "kind",
      label: REWARDS_PAGE.kindFilter,
      filter: (
        <ChoiceList
          title={REWARDS_PAGE.kindFilter}
          titleHidden
          choices={REWARD_KINDS.map((k) => ({ label: REWARD_KIND_LABELS[k], value: k }))}
          selected={filters.kind ? [filters.kind] : []}
          onChange={(v) => go({ kind: v[0] ?? null })}
        />
      ),
      shortcut: true,
    },
    {
      key: "source",
      label: REWARDS_PAGE.sourceFilter,
      filter: (
        <ChoiceList
          title={REWARDS_PAGE.sourceFilter}
          titleHidden
          choices={REWARD_SOURCES.map((s) => ({ label: REWARD_SOURCE_LABELS[s], value: s }))}
          selected={filters.source ? [filters.source] : []}
          onChange={(v) => go({ source: v[0] ?? null })}
        />
      ),
      shortcut: true,
    },
    {
      key: "created",
      label: REWARDS_PAGE.dateFilter,
      filter: (
        <BlockStack gap="200">
          <TextField label={REWARDS_PAGE.from} type="date" value={filters.from ?? ""} onChange={(v) => go({ from: v || null })} autoComplete="off" />
          <TextField label={REWARDS_PAGE.to} type="date" value={filters.to ?? ""} onChange={(v) => go({ to: v || null })} autoComplete="off" />
        </BlockStack>
      ),
      shortcut: true,
    },
  ];
  const applied: IndexFiltersProps["appliedFilters"] = [];
  if (filters.kind) applied.push({ key: "kind", label: `${REWARDS_PAGE.kindFilter}: ${REWARD_KIND_LABELS[filters.kind]}`, onRemove: () => go({ kind: null }) });
  if (filters.source)
    applied.push({ key: "source", label: `${REWARDS_PAGE.sourceFilter}: ${REWARD_SOURCE_LABELS[filters.source]}`, onRemove: () => go({ source: null }) });
  if (filters.from || filters.to)
    applied.push({
      key: "created",
      label: `${REWARDS_PAGE.dateFilter}: ${filters.from ?? "…"} – ${filters.to ?? "…"}`,
      onRemove: () => go({ from: null, to: null }),
    });

  const filtered = FILTER_KEYS.some((k) => params.get(k));
  const selectedIds = allResourcesSelected ? rows.map((r) => r.id) : selectedResources;
  const submitBulkCancel = () => {
    const form = new FormData();
    form.set("intent", "bulk-cancel");
    for (const id of selectedIds) form.append("rewardId", id);
    fetcher.submit(form, { method: "post", action: BASE });
  };
  const csvUrl = withSearch(`${BASE}.csv`, "", Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k)])));

  return (
    <Page title={REWARDS_PAGE.title} backAction={{ content: "Home", url: "/app" }} secondaryActions={<CsvExportButton url={csvUrl} label="Export (CSV)" />}>
      <BlockStack gap="400">
        {fetcher.data && fetcher.state === "idle" && (!fetcher.data.ok || (fetcher.data.failed?.length ?? 0) > 0) ? (
          <Card>
            <BlockStack gap="100">
              <Text as="p" tone="critical">
                {fetcher.data.message}
              </Text>
              {(fetcher.data.failed ?? []).slice(0, 10).map((f) => (
                <Text as="p" key={f.rewardId} tone="subdued">
                  {rows.find((r) => r.id === f.rewardId)?.code ?? f.rewardId}: {f.message}
                </Text>
              ))}
            </BlockStack>
          </Card>
        ) : null}
        <Card padding="0">
          <IndexFilters
            queryValue={query}
            queryPlaceholder={REWARDS_PAGE.searchPlaceholder}
            onQueryChange={setQuery}
            onQueryClear={() => setQuery("")}
            tabs={statusTabs}
            selected={selectedTab}
            onSelect={() => undefined}
            filters={indexFilters}
            appliedFilters={applied}
            onClearAll={() => go({ kind: null, source: null, from: null, to: null, query: null })}
            mode={mode}
            setMode={setMode}
            canCreateNewView={false}
            loading={navigation.state === "loading" && navigation.location?.pathname === BASE}
            cancelAction={{ onAction: () => undefined, disabled: false, loading: false }}
          />
          <IndexTable
            resourceName={{ singular: "reward", plural: "rewards" }}
            itemCount={rows.length}
            selectedItemsCount={allResourcesSelected ? "All" : selectedResources.length}
            onSelectionChange={handleSelectionChange}
            promotedBulkActions={[{ content: REWARDS_PAGE.bulkCancel, onAction: () => setConfirming(true) }]}
            emptyState={
              filtered ? (
                <EmptyStateMessage heading={REWARDS_PAGE.emptyHeading}>{REWARDS_PAGE.emptyBody}</EmptyStateMessage>
              ) : (
                <EmptyStateMessage heading={REWARDS_PAGE.noneHeading}>{REWARDS_PAGE.noneBody}</EmptyStateMessage>
              )
            }
            headings={[
              { title: "Reward" },
              { title: "Customer" },
              { title: "Code" },
              { title: "Source" },
              { title: "Status" },
              { title: "Created" },
            ]}
          >
            {rows.map((row, index) => (
              <IndexTable.Row id={row.id} key={row.id} position={index} selected={selectedResources.includes(row.id)}>
                <IndexTable.Cell>
                  <RewardTitle row={row} url={`/app/customers/${row.customerId}/rewards/${row.id}`} primary />
                </IndexTable.Cell>
                <IndexTable.Cell>{row.customerName}</IndexTable.Cell>
                <IndexTable.Cell>
                  <RewardCode row={row} />
                </IndexTable.Cell>
                <IndexTable.Cell>{row.sourceLabel}</IndexTable.Cell>
                <IndexTable.Cell>
                  <RewardStatusCell row={row} />
                </IndexTable.Cell>
                <IndexTable.Cell>{formatDateTime(row.createdAt)}</IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
          <TablePager
            pagination={{ ...pageLinks(BASE, params, page, pageNumber), label: `Page ${pageNumber}` }}
            accessibilityLabel={REWARDS_PAGE.pager.label}
            previous={REWARDS_PAGE.pager.previous}
            next={REWARDS_PAGE.pager.next}
          />
        </Card>
      </BlockStack>
      <Modal
        open={confirming}
        onClose={() => setConfirming(false)}
        title={REWARDS_PAGE.bulkCancelTitle(selectedIds.length)}
        primaryAction={{ content: REWARDS_PAGE.bulkCancel, destructive: true, onAction: submitBulkCancel, loading: fetcher.state !== "idle" }}
        secondaryActions={[{ content: REWARDS_PAGE.keep, onAction: () => setConfirming(false) }]}
      >
        <Modal.Section>
          <Text as="p">{REWARDS_PAGE.bulkCancelBody}</Text>
        </Modal.Section>
      </Modal>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteError error={useRouteError()} notFound="This page doesn't exist." backUrl={BASE} backLabel="Rewards" />;
}
