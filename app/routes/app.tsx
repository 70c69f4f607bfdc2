// Layout of the embedded admin: authenticates every /app/* request, sets up Polaris + App Bridge.
import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, Outlet, isRouteErrorResponse, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { authenticate, tokenExchangedFor } from "~/shopify.server";
import { env } from "~/env.server";
import db from "~/db.server";
import { recheckOptionalAccess } from "~/services/lifecycle/scopes.server";
import type { AdminGraphql } from "~/shopify/graphql.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { admin, session } = await authenticate.admin(request);
  // Opened from Shopify's admin (a document load: the library tells it by the missing Authorization
  // header, respond-to-invalid-session-token): a stored grant of gift card or store credit access is
  // checked with Shopify — after an uninstall it is gone, and a late app/uninstalled can leave the
  // old grant stored over a reinstall (recheckOptionalAccess, app/services/lifecycle/scopes.server.ts).
  // Not when this very load exchanged a token: afterAuth has just stored Shopify's answer.
  if (request.method === "GET" && !request.headers.get("authorization") && !tokenExchangedFor(request)) {
    const { reauthenticate } = await recheckOptionalAccess({ db }, session.shop, admin.graphql as unknown as AdminGraphql);
    if (reauthenticate) throw reauthenticate;
  }
  const config = env();
  // APP_BRIDGE_URL is only set for the offline demo, where Shopify's CDN is out of reach and the
  // emulator's local admin host provides a stand-in App Bridge (docs/decisions/003-shopify-emulator.md).
  return json({ apiKey: config.SHOPIFY_API_KEY, appBridgeUrl: config.APP_BRIDGE_URL ?? null });
}

export default function App() {
  const { apiKey, appBridgeUrl } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} {...(appBridgeUrl ? { __APP_BRIDGE_URL: appBridgeUrl } : {})}>
      <NavMenu>
        <Link to="/app" rel="home">
          Home
        </Link>
        <Link to="/app/rewards">Rewards</Link>
        <Link to="/app/customers">Customers</Link>
        <Link to="/app/program">Program</Link>
        <Link to="/app/ways-to-redeem">Ways to redeem</Link>
        <Link to="/app/bulk-issue">Bulk issue</Link>
        <Link to="/app/vip">VIP tiers</Link>
        <Link to="/app/referrals">Referrals</Link>
        <Link to="/app/privacy">Privacy requests</Link>
      </NavMenu>
      <Outlet />
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses so that their headers are included.
// The library's boundary inserts a thrown response's data as HTML (its own bounce pages are HTML
// text); the app's refusals are `{ ok: false, message }` (authenticate.admin's URL checks, a page's
// 400), which it showed as "[object Object]". Their sentence is shown as text instead.
export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && typeof (error.data as { message?: unknown } | null)?.message === "string") {
    return (
      <main style={{ fontFamily: "system-ui, sans-serif", padding: "2rem" }}>
        <p>{(error.data as { message: string }).message}</p>
      </main>
    );
  }
  return boundary.error(error);
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
