// POST /app/amount-currency: the merchant confirms that the shop's amounts are right in the currency
// the page showed (`currency`, the one the banner named). Amounts saved in another currency are then
// marked as saved in it, and rewards held for them are made (app/services/lifecycle/amount-currency.server.ts;
// docs/decisions/015, "amounts saved in another currency"). 409 with a sentence when the shop's
// currency changed again after the page was loaded. Remix re-reads the page's data after this
// action, so the banner (app/components/amount-currency-banner.tsx) goes away at once.
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import db from "~/db.server";
import { readAdminForm } from "~/request-input.server";
import { authenticate } from "~/shopify.server";
import { confirmAmountCurrency } from "~/services/lifecycle/amount-currency.server";

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const form = await readAdminForm(request);
  const result = await confirmAmountCurrency({ db, now: () => new Date() }, session.shop, form.get("currency"));
  if (!result.ok) return json({ ok: false, message: result.error.message, code: result.error.code }, { status: result.error.httpStatus });
  return json({ ok: true, message: result.message, currency: result.currency, reviewed: result.reviewed, released: result.released });
}
