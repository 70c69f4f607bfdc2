import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { ShopifyError } from "@shopify/shopify-api";
import { authenticate } from "~/shopify.server";

// OAuth / token-exchange endpoints (/auth/callback, /auth/session-token, …) handled by the library.
export async function loader({ request }: LoaderFunctionArgs) {
  try {
    await authenticate.admin(request);
  } catch (thrown) {
    // /auth/exit-iframe?exitIframe=<url> renders a page that sends the top window to <url>; the
    // library refuses any destination but the app's own origin and Shopify's admin by throwing a
    // plain ShopifyError ("Invalid exit-iframe destination"), which Remix would answer 500. It is a
    // URL someone edited: 400. (That path does nothing else that throws a ShopifyError.)
    if (thrown instanceof ShopifyError && new URL(request.url).pathname === "/auth/exit-iframe") {
      throw json({ ok: false, message: "This address leads out of the app to a page it does not trust." }, { status: 400 });
    }
    throw thrown;
  }
  return null;
}
