// Customer profile: the VIP tier held and the tier changes, each with its reason (app-authored text).
// From `customerVip` (app/services/vip/admin.server.ts) in the profile's loader. While the shop's VIP
// thresholds are under review nobody changes tier (docs/decisions/022): the card says so, with the way
// to the confirm (the VIP page's review banner), then that tiers are being re-checked until they are.
// Orders placed in another shop currency than the app's are listed with why they do not count towards
// amount spent (waiting for Shopify's answer, or never: the shop sells in another currency).
import { Badge, Banner, BlockStack, Box, Card, InlineStack, Text } from "@shopify/polaris";
import { VIP_REASON_LABELS } from "~/copy/vip";
import type { CustomerVipView } from "~/services/vip/admin.server";
import { formatDate, formatDateTime } from "./format";

export function VipCustomerCard({ vip }: { vip: CustomerVipView }) {
  if (!vip.enabled && vip.changes.length === 0 && !vip.otherCurrencyOrders) return null;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">
            VIP tier history
          </Text>
          <Badge tone={vip.tierName ? "success" : undefined}>{vip.tierName ?? "No tier"}</Badge>
          {vip.since ? (
            <Text as="span" tone="subdued">
              since {formatDate(vip.since)}
            </Text>
          ) : null}
        </InlineStack>
        {vip.placement?.state === "held" ? (
          <Banner tone="warning" title="Tier changes are on hold until you confirm the amounts" action={{ content: "Review and confirm amounts", url: "/app/vip" }}>
            <p>
              {vip.placement.title}. Until the VIP thresholds are confirmed, no customer moves into or out of a tier; orders keep counting, and every customer is placed
              once they are confirmed.
            </p>
          </Banner>
        ) : null}
        {vip.placement?.state === "rechecking" ? (
          <Banner tone="info" title="Tiers are being re-checked">
            <p>
              {vip.placement.total > 0
                ? `Every customer is placed with the confirmed thresholds: ${vip.placement.done.toLocaleString("en-US")} of ${vip.placement.total.toLocaleString("en-US")} done.`
                : "Every customer is placed with the confirmed thresholds; this starts within a few seconds."}
            </p>
          </Banner>
        ) : null}
        {vip.otherCurrencyOrders ? <OtherCurrencyOrders list={vip.otherCurrencyOrders} /> : null}
        {vip.changes.length === 0 ? (
          <Text as="p" tone="subdued">
            No tier changes yet.
          </Text>
        ) : (
          <ul aria-label="Tier changes" style={{ listStyle: "none", margin: 0, padding: 0 }}>
            {vip.changes.map((c) => (
              <li key={c.id}>
                <Box paddingBlock="200" borderBlockEndWidth="025" borderColor="border-secondary">
                  <BlockStack gap="050">
                    <InlineStack gap="200" blockAlign="center">
                      <Badge tone={c.direction === "UP" ? "success" : "attention"}>{c.direction === "UP" ? "Up" : "Down"}</Badge>
                      <Text as="span" fontWeight="semibold">
                        {c.fromTierName ?? "No tier"} → {c.toTierName ?? "No tier"}
                      </Text>
                      <Text as="span" tone="subdued">
                        {formatDateTime(c.createdAt)} · {VIP_REASON_LABELS[c.reasonCode] ?? c.reasonCode}
                      </Text>
                    </InlineStack>
                    <Text as="p">{c.reason}</Text>
                  </BlockStack>
                </Box>
              </li>
            ))}
          </ul>
        )}
      </BlockStack>
    </Card>
  );
}

/** The order's number in Shopify's admin URLs (its GID's last part): an id, no customer data. */
const orderNumber = (gid: string) => gid.slice(gid.lastIndexOf("/") + 1);

function OtherCurrencyOrders({ list }: { list: NonNullable<CustomerVipView["otherCurrencyOrders"]> }) {
  return (
    <Banner tone="info" title="Orders in another currency than the shop's">
      <ul aria-label="Orders in another currency" style={{ margin: 0 }}>
        {list.orders.map((o) => (
          <li key={o.orderGid}>
            {o.state === "waiting"
              ? `Order ${orderNumber(o.orderGid)} was placed in ${o.orderCurrency} while the app has the shop selling in ${list.shopCurrency}: not counted towards amount spent until Shopify confirms which currency the shop sells in.`
              : `Order ${orderNumber(o.orderGid)} was placed in ${o.orderCurrency}, not in the currency the shop sold in (Shopify confirmed it): it never counts towards amount spent.`}
          </li>
        ))}
      </ul>
    </Banner>
  );
}
