// "Amounts saved in USD; the shop now sells in EUR": shown on Home and on each page whose amounts
// need review (Ways to redeem, VIP, Referrals, Program) after the shop changed its currency
// (docs/decisions/015, "amounts saved in another currency"). Names what needs review, page by page,
// and confirms them in the currency the page showed (POST /app/amount-currency, which refuses with a
// sentence when the currency changed again since). Remix re-reads the page's data after the post, so
// the banner goes away once confirmed.
import { useFetcher } from "@remix-run/react";
import { Banner, List } from "@shopify/polaris";
import type { AmountArea, AmountReview } from "~/services/lifecycle/amount-currency.server";

const orders = (n: number, what: string) => `${n.toLocaleString("en-US")} ${what}${n === 1 ? "" : "s"}`;

export function AmountCurrencyBanner({ review, area }: { review: AmountReview | null; area?: AmountArea }) {
  const confirm = useFetcher<{ ok: boolean; message: string }>();
  if (!review) return null;
  // A page shows its own line first; Home shows them all in order.
  const areas = area ? [...review.areas.filter((a) => a.area === area), ...review.areas.filter((a) => a.area !== area)] : review.areas;
  const submit = () => confirm.submit({ currency: review.shopCurrency }, { method: "post", action: "/app/amount-currency" });
  return (
    <Banner
      tone="warning"
      title={review.title}
      action={{ content: `Confirm amounts are in ${review.shopCurrency}`, onAction: submit, loading: confirm.state !== "idle" }}
    >
      <p>
        These amounts were typed in {review.savedIn.join(" and ")}. Until you confirm them in {review.shopCurrency}, the options that use them are not offered to customers,
        rewards that use them are held, and orders neither earn points nor qualify referrals with them: they wait, and count once you confirm. Check each one (change
        it where needed), then confirm.
      </p>
      <List>
        {areas.map((a) => (
          <List.Item key={a.area}>
            {a.label}: {a.names.join(", ")}
            {a.count > a.names.length ? ` and ${a.count - a.names.length} more` : ""}
          </List.Item>
        ))}
      </List>
      {review.waiting.ordersToEarn > 0 || review.waiting.referralOrders > 0 ? (
        <p>
          {`${[
            review.waiting.ordersToEarn > 0 && `${orders(review.waiting.ordersToEarn, "order")} waiting to earn points`,
            review.waiting.referralOrders > 0 && `${orders(review.waiting.referralOrders, "referred friend's order")} waiting for the referral minimum`,
          ]
            .filter(Boolean)
            .join("; ")}.`}
        </p>
      ) : null}
      {confirm.data && !confirm.data.ok ? <p>{confirm.data.message}</p> : null}
    </Banner>
  );
}
