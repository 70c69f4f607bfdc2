// GET /app/customer-referrals/:id — who this customer referred, as JSON for the profile's Referrals
// tab (app/components/customer-referrals-table.tsx). The customer must belong to the session's shop.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import db from "~/db.server";
import { authenticate } from "~/shopify.server";
import { rejectionReasonLabel, REFERRAL_STATE_LABELS } from "~/copy/referrals";
import { parseReferralState } from "~/domain/referrals";
import { referralsOfCustomer } from "~/services/referrals/referrals.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const customer = await db.customer.findFirst({ where: { id: params.id ?? "", shop: session.shop }, select: { id: true } });
  if (!customer) throw json({ message: "customer not found" }, { status: 404 });
  const rows = await referralsOfCustomer(db, { shop: session.shop, customerId: customer.id });
  return json({
    customerId: customer.id,
    referrals: rows.map((r) => {
      const state = parseReferralState(r.state);
      return { ...r, stateLabel: state ? REFERRAL_STATE_LABELS[state] : r.state, reasonLabel: rejectionReasonLabel(r.rejectionReason) };
    }),
  });
}
