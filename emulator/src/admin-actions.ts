// "Shopify admin" actions of the local admin host (offline demo): what a merchant or Shopify does
// outside the app, each followed by exactly what Shopify would send the app, so a newcomer can
// watch reconciliation, privacy and retries happen:
//   - deactivate or delete a discount       → discounts/update, discounts/delete
//     (https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-discounts/update)
//   - uninstall the app                      → token revoked at once, then app/uninstalled
//     (https://shopify.dev/docs/apps/build/authentication-authorization/app-installation/uninstall-app-api-request)
//   - reinstall the app                      → a new offline token, obtained by token exchange when
//     the app is opened (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/token-exchange)
//   - create a paid order for a customer      → orders/create (Shopify admin: Orders → Create order,
//     paid; https://help.shopify.com/en/manual/orders/create-orders), e.g. to push a customer into a VIP tier
//   - a customer's data request or redaction → customers/data_request, customers/redact
//     (https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance)
//   - a fault on the app's next N Admin API calls (throttling, 5xx, lost or partial answers; the shapes are those
//     of faults.ts: https://shopify.dev/docs/api/usage/response-codes,
//     https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits)
// Page: GET /admin-host/store/{shop}/admin; actions: POST to the same URL, answered 303 back with a
// message (post/redirect/get, so a reload never repeats an action).
import type { ShopifyEmulator, SentWebhook } from "./index";

const FAULT_FIELDS = [
  "discountCodeBasicCreate",
  "discountCodeFreeShippingCreate",
  "giftCardCreate",
  "discountCodeDeactivate",
  "codeDiscountNodeByCode",
  "customer",
] as const;
const FAULT_KINDS = {
  throttle: "THROTTLED (rate limit)",
  http503: "HTTP 503 Service Unavailable",
  lost: "Executed, but the answer is lost (network)",
  partial: "Executed, but answered with a null result beside an internal error (partial answer)",
  network: "Connection fails before anything runs",
} as const;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function delivery(sent: SentWebhook): string {
  const status = sent.results[0]?.finalStatus;
  return `${sent.signed.headers["X-Shopify-Topic"] ?? "webhook"} sent, the app answered ${status ?? "nothing"}`;
}

/** The page, or the result of a POSTed action; undefined when the shop is unknown. */
export async function adminActions(emulator: ShopifyEmulator, shop: string, request: Request, pagePath: string): Promise<Response> {
  const record = emulator.store.getShop(shop);
  if (!record) return new Response(`Unknown shop ${escapeHtml(shop)}`, { status: 404, headers: { "content-type": "text/plain" } });
  if (request.method === "POST") {
    const form = await request.formData();
    let message: string;
    let ok = true;
    try {
      message = await perform(emulator, shop, form);
    } catch (error) {
      ok = false;
      message = error instanceof Error ? error.message : String(error);
    }
    const back = new URL(pagePath, request.url);
    back.searchParams.set(ok ? "done" : "error", message);
    if (form.get("action") === "reinstall" && ok) return Response.redirect(emulator.embeddedAppUrl(shop, "/app"), 303);
    return new Response(null, { status: 303, headers: { location: back.pathname + back.search } });
  }
  return renderPage(emulator, shop, new URL(request.url));
}

async function perform(emulator: ShopifyEmulator, shop: string, form: FormData): Promise<string> {
  const action = String(form.get("action") ?? "");
  const field = (name: string) => {
    const value = form.get(name);
    if (typeof value !== "string" || value === "") throw new Error(`${name} is required`);
    return value;
  };
  switch (action) {
    case "deactivate-discount": {
      const id = field("discountId");
      return `Discount deactivated; ${delivery(await emulator.merchantDeactivatesDiscount(shop, id))}`;
    }
    case "delete-discount": {
      const id = field("discountId");
      return `Discount deleted; ${delivery(await emulator.merchantDeletesDiscount(shop, id))}`;
    }
    case "uninstall":
      return `App uninstalled; ${delivery(await emulator.uninstall(shop))}`;
    case "reinstall": {
      // A new offline token, handed to the app by token exchange when it opens (see reinstall()).
      emulator.reinstall(shop);
      return "App reinstalled";
    }
    case "create-order": {
      const customerId = field("customerId");
      if (!emulator.store.getCustomer(shop, customerId)) throw new Error(`No customer ${customerId}`);
      const subtotal = field("subtotal").trim();
      if (!/^\d{1,7}(\.\d{1,2})?$/.test(subtotal) || Number(subtotal) <= 0) throw new Error("The order amount must be a positive amount such as 130 or 130.00");
      const { order, webhook } = await emulator.placeOrder(shop, { customerId, codes: [], subtotal: Number(subtotal).toFixed(2) });
      return `Order ${order.name} created; ${delivery(webhook)}`;
    }
    case "data-request": {
      const customerId = field("customerId");
      if (!emulator.store.getCustomer(shop, customerId)) throw new Error(`No customer ${customerId}`);
      return `Data request; ${delivery(await emulator.customersDataRequest(shop, customerId))}`;
    }
    case "redact": {
      const customerId = field("customerId");
      if (!emulator.store.getCustomer(shop, customerId)) throw new Error(`No customer ${customerId}`);
      return `Redaction request; ${delivery(await emulator.customersRedact(shop, customerId))}`;
    }
    case "fault": {
      const rootField = field("rootField");
      const kind = field("kind");
      const times = Number(field("times"));
      if (!(FAULT_FIELDS as readonly string[]).includes(rootField)) throw new Error(`Unknown API call ${rootField}`);
      if (!Number.isInteger(times) || times < 1 || times > 50) throw new Error("times must be a whole number from 1 to 50");
      const match = { rootField, shop };
      if (kind === "throttle") emulator.faults.throttle(match, times);
      else if (kind === "http503") emulator.faults.httpError(match, 503, { times });
      else if (kind === "lost") emulator.faults.loseResponse(match, times);
      else if (kind === "partial") emulator.faults.partialAnswer(match, { times });
      else if (kind === "network") emulator.faults.networkError(match, times);
      else throw new Error(`Unknown fault ${kind}`);
      return `The next ${times} ${rootField} call(s) will fail: ${FAULT_KINDS[kind as keyof typeof FAULT_KINDS]}`;
    }
    case "clear-faults":
      emulator.faults.clear();
      return "All armed faults cleared";
    default:
      throw new Error(`Unknown action ${action || "(none)"}`);
  }
}

function renderPage(emulator: ShopifyEmulator, shop: string, url: URL): Response {
  const store = emulator.store;
  const record = store.getShop(shop)!;
  const done = url.searchParams.get("done");
  const error = url.searchParams.get("error");
  const discounts = store.listDiscounts(shop).slice().reverse();
  const customers = store.listCustomers(shop);
  const armed = emulator.faults.list().filter((f) => !f.rule.shop || f.rule.shop === shop);
  const button = (action: string, label: string, hidden: Record<string, string> = {}) =>
    `<form method="post" class="inline"><input type="hidden" name="action" value="${action}">${Object.entries(hidden)
      .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v)}">`)
      .join("")}<button type="submit">${escapeHtml(label)}</button></form>`;
  const rows = discounts
    .map((d) => {
      const status = store.discountStatus(d);
      const codes = d.codes.map((c) => `<code>${escapeHtml(c.code)}</code> (${c.asyncUsageCount} used)`).join(", ");
      const actions =
        status === "EXPIRED" ? "" : button("deactivate-discount", `Deactivate ${d.codes[0]?.code ?? ""}`, { discountId: d.id });
      return `<tr><td>${codes}</td><td>${escapeHtml(d.title)}</td><td data-discount-status>${status}</td><td>${actions} ${button("delete-discount", `Delete ${d.codes[0]?.code ?? ""}`, { discountId: d.id })}</td></tr>`;
    })
    .join("");
  const customerOptions = customers
    .map((c) => `<option value="${escapeHtml(c.id)}">${escapeHtml([c.firstName, c.lastName].filter(Boolean).join(" ") || c.id)}</option>`)
    .join("");
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shopify admin – ${escapeHtml(record.name)}</title><link rel="icon" href="data:,">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#f1f1f1}
header{background:#1a1a1a;color:#fff;padding:12px 24px;display:flex;gap:24px;align-items:center}
header a{color:#fff}
main{max-width:980px;margin:0 auto;padding:16px 24px}
section{background:#fff;border-radius:12px;padding:8px 20px 16px;margin:16px 0}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e3e3;vertical-align:top}
.inline{display:inline}button{font:inherit;padding:4px 10px;margin:2px}
.msg{padding:10px 16px;border-radius:8px;background:#cdfee1}.msg.error{background:#fedad9}
label{margin-right:12px}
</style></head><body>
<header><strong>Shopify admin (emulator)</strong><span>${escapeHtml(record.name)} · ${escapeHtml(shop)}</span><a href="/admin-host/store/${encodeURIComponent(shop)}/apps/loyalty-rewards">Open Loyalty Rewards</a></header>
<main>
<h1>Things a merchant or Shopify does outside the app</h1>
${done ? `<p class="msg" role="status">${escapeHtml(done)}</p>` : ""}${error ? `<p class="msg error" role="alert">${escapeHtml(error)}</p>` : ""}
<section aria-labelledby="apps"><h2 id="apps">App</h2>
<p>Uninstalling revokes the app's access token at once and sends app/uninstalled; reinstalling opens the app, which exchanges a session token for a new access token.</p>
${button("uninstall", "Uninstall Loyalty Rewards")} ${button("reinstall", "Reinstall and open Loyalty Rewards")}</section>
<section aria-labelledby="orders"><h2 id="orders">Orders</h2>
<p>A paid order created in Shopify's admin (no discount code): Shopify sends orders/create, so the customer earns points and may enter a VIP tier.</p>
<form method="post"><input type="hidden" name="action" value="create-order">
<label for="order-customer">Customer</label> <select id="order-customer" name="customerId">${customerOptions}</select>
<label for="order-subtotal">Amount</label> <input id="order-subtotal" name="subtotal" inputmode="decimal" value="130.00" style="width:7em">
<button type="submit">Create paid order</button></form></section>
<section aria-labelledby="privacy"><h2 id="privacy">Customer privacy</h2>
<form method="post"><label for="privacy-customer">Customer</label> <select id="privacy-customer" name="customerId">${customerOptions}</select>
<button type="submit" name="action" value="data-request">Send data request</button>
<button type="submit" name="action" value="redact">Send redaction</button></form></section>
<section aria-labelledby="faults"><h2 id="faults">Faults on the app's next Admin API calls</h2>
<form method="post"><input type="hidden" name="action" value="fault">
<label for="fault-call">Call</label> <select id="fault-call" name="rootField">${FAULT_FIELDS.map((f) => `<option>${f}</option>`).join("")}</select>
<label for="fault-kind">Fault</label> <select id="fault-kind" name="kind">${Object.entries(FAULT_KINDS).map(([k, v]) => `<option value="${k}">${escapeHtml(v)}</option>`).join("")}</select>
<label for="fault-times">Number of calls</label> <input id="fault-times" name="times" type="number" min="1" max="50" value="3" style="width:4em">
<button type="submit">Inject fault</button></form>
${armed.length ? `<ul>${armed.map((f) => `<li>${escapeHtml(f.rule.rootField ?? f.rule.operationName ?? "any call")}: ${escapeHtml(f.rule.action.type)}, ${f.remaining} left</li>`).join("")}</ul>${button("clear-faults", "Clear faults")}` : "<p>No fault armed.</p>"}
</section>
<section aria-labelledby="discounts"><h2 id="discounts">Discounts</h2>
<table><thead><tr><th scope="col">Codes</th><th scope="col">Title</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead><tbody>${rows || `<tr><td colspan="4">No discounts</td></tr>`}</tbody></table></section>
</main></body></html>`;
  return new Response(page, { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
}
