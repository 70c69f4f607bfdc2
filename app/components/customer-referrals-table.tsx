// The customer profile's Referrals tab: the friends this customer referred, each with its state,
// why it was rejected, its dates and links to both rewards. Loads its own rows.
import { useFetcher } from "@remix-run/react";
import { Badge, DataTable, Link, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { EmptyStateMessage } from "./empty-state-message";
import { formatDate } from "./format";

interface Row {
  id: string;
  friendName: string | null;
  friendCustomerId: string | null;
  state: string;
  stateLabel: string;
  reasonLabel: string;
  /** null: the landing's click was never recorded (the referral was made by the friend's claim). */
  clickedAt: string | null;
  signedUpAt: string | null;
  qualifiedAt: string | null;
  rewardedAt: string | null;
  rejectedAt: string | null;
  holdUntil: string | null;
  friendRewardId: string | null;
  referrerRewardId: string | null;
  waitingFor: "currency" | "amounts" | "program_on" | null;
}

/** What a friend's order kept for the referral minimum waits for (referralsOfCustomer, app/services/referrals/referrals.server.ts). */
const WAITING_FOR: Record<NonNullable<Row["waitingFor"]>, string> = {
  currency: "Order placed in another currency than the shop's: waiting for Shopify to confirm the shop's currency (referral minimum)",
  amounts: "Order waiting for you to confirm amounts (referral minimum)",
  program_on: "Order waiting: the referral program is off (referral minimum)",
};

const TONE: Record<string, "success" | "info" | "attention" | "critical" | undefined> = {
  REWARDED: "success",
  QUALIFIED: "attention",
  SIGNED_UP: "info",
  REJECTED: "critical",
};

export function CustomerReferralsTable({ customerId }: { customerId: string }) {
  const fetcher = useFetcher<{ customerId: string; referrals: Row[] }>();
  const url = `/app/customer-referrals/${customerId}`;
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.customerId !== customerId) fetcher.load(url);
  }, [fetcher, customerId, url]);
  const rows = fetcher.data?.customerId === customerId ? fetcher.data.referrals : null;
  if (!rows) return <Text as="p" tone="subdued">Loading referrals…</Text>;
  if (rows.length === 0) {
    return (
      <EmptyStateMessage heading="No referrals yet">
        When a friend follows this customer's referral link and signs up, the referral and the rewards both of them earn are listed here.
      </EmptyStateMessage>
    );
  }
  // One short line per step, so the table fits next to the reward links.
  const dates = (r: Row) => (
    <span>
      {[
        r.clickedAt ? `Clicked ${formatDate(r.clickedAt)}` : "Click not recorded",
        r.signedUpAt && `Signed up ${formatDate(r.signedUpAt)}`,
        r.qualifiedAt && `Qualified ${formatDate(r.qualifiedAt)}`,
        r.state === "QUALIFIED" && r.holdUntil && `Reward due ${formatDate(r.holdUntil)}`,
        r.rewardedAt && `Rewarded ${formatDate(r.rewardedAt)}`,
        r.rejectedAt && `Rejected ${formatDate(r.rejectedAt)}`,
      ]
        .filter((line): line is string => Boolean(line))
        .map((line) => (
          <Text key={line} as="span" variant="bodySm" breakWord>
            {line}
            <br />
          </Text>
        ))}
    </span>
  );
  return (
    <DataTable
      columnContentTypes={["text", "text", "text", "text", "text"]}
      headings={["Friend", "State", "Dates", "Friend's reward", "This customer's reward"]}
      verticalAlign="top"
      rows={rows.map((r) => [
        r.friendName ?? <Text as="span" tone="subdued">Name hidden</Text>,
        <span key="state">
          <Badge tone={TONE[r.state]}>{r.stateLabel}</Badge>
          {r.waitingFor ? (
            <Text as="p" variant="bodySm">
              {WAITING_FOR[r.waitingFor]}
            </Text>
          ) : null}
          {r.reasonLabel ? (
            <Text as="p" variant="bodySm">
              {r.reasonLabel}
            </Text>
          ) : null}
        </span>,
        dates(r),
        r.friendRewardId && r.friendCustomerId ? <Link url={`/app/customers/${r.friendCustomerId}/rewards/${r.friendRewardId}`}>View reward</Link> : "—",
        r.referrerRewardId ? <Link url={`/app/customers/${customerId}/rewards/${r.referrerRewardId}`}>View reward</Link> : "—",
      ])}
    />
  );
}
